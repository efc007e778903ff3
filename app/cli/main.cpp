// muonscope-cli: the headless front end. Trains runs into HDF5 run files (the same files the
// GUI writes and reopens), prints configs and presets, summarizes run files, runs studies and
// the float64 self-check. No Qt. Exit codes: 0 success, 1 run failure, 2 usage error,
// 130 stopped by Ctrl-C (the run file is finalized with status "stopped").
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CliArgs.h"
#include "Commands.h"
#include "TrainRun.h"
#include "data/DataSource.h"
#include "dist/CommHandle.h"
#include "dist/DistEnv.h"
#include "dist/LocalLauncher.h"
#include "store/RunReader.h"
#include "train/RunConfig.h"
#include "train/Trainer.h"

using namespace ms;
using ms::cli::Args;
using ms::cli::OptionSpec;
using ms::cli::UsageError;

namespace {

// Rendezvous and collective timeout of data-parallel runs: rank 0's snapshots and validation
// run while the other ranks wait in their next collective, so this bounds those too.
constexpr int kDistTimeoutS = 1800;

std::string default_out(const RunConfig& c) {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return (c.name.empty() ? std::string("run") : c.name) + "-" + buf + ".h5";
}

const std::vector<OptionSpec> kConfigOptions = {
    {"--config", "FILE", "start from a JSON config file"},
    {"--preset", "NAME", "start from a preset (see 'presets'; default quick)"},
    {"--set", "KEY=VALUE", "set a config key, e.g. --set model.layers=4 (repeatable)", true},
    {"--steps", "N", "shortcut for --set train.steps=N"},
    {"--device", "D", "auto | cpu | cuda (shortcut for --set device=D)"},
};

RunConfig config_from_args(const Args& a) {
  RunConfig c = preset(a.get("--preset", "quick"));
  if (a.has("--config")) {
    const std::string path = a.get("--config");
    std::ifstream f(path);
    if (!f) throw ConfigError("cannot read config file '" + path + "'");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
      c = config_from_json(ss.str(), &c);  // the file's keys over the preset
    } catch (const ConfigError& e) {
      throw ConfigError(path + ": " + e.what());
    }
  }
  for (const auto& kv : a.all("--set")) apply_setting(c, kv);
  if (a.has("--steps")) apply_setting(c, "train.steps=" + a.get("--steps"));
  if (a.has("--device")) apply_setting(c, "device=\"" + a.get("--device") + "\"");
  validate(c);
  return c;
}

// One process of a training: alone, or one rank of a data-parallel job when a launcher
// (torchrun, srun, --nproc) set the variables of dist/DistEnv.h. Returns the exit code.
int train_process(const RunConfig& c, const std::string& out, TrainOptions o) {
  const DistEnv env = dist_env();
  std::shared_ptr<Comm> comm;
  if (env.distributed()) {
    comm = connect_comm(env, dist_backend_for(c), std::chrono::seconds(kDistTimeoutS));
    o.comm = comm.get();
    o.local_rank = env.local_rank;
    if (env.rank != 0) o.quiet = true;
  }
  const TrainResult r = train_to_file(c, out, o);
  if (comm && r.status != RunStatus::Failed) {
    try {  // rank 0 hosts the store: nobody may still need it when it goes
      comm_barrier(*comm);
    } catch (const std::exception& e) {
      std::cerr << "muonscope-cli: rank " << env.rank << ": " << e.what() << "\n";
      return 1;
    }
  }
  if (r.status == RunStatus::Failed) return 1;
  if (r.status == RunStatus::Stopped) return 130;
  return 0;
}

int cmd_train(int argc, char** argv) {
  auto opts = kConfigOptions;
  opts.push_back({"--out", "RUN.h5", "run file to write (default: NAME-DATE-TIME.h5 here)"});
  opts.push_back({"--force", "", "overwrite an existing run file"});
  opts.push_back({"--quiet", "", "no progress output"});
  opts.push_back({"--nproc", "N",
                  "train data-parallel in N local processes (like torchrun --nproc-per-node N); "
                  "train.batch_size stays the global batch"});
  opts.push_back({"--resume", "RUN.h5",
                  "continue an interrupted or stopped run from its newest checkpoint "
                  "(RUN.ckpt/, train.checkpoint_every); its config comes from the file"});
  Args a("train",
         "train [--config FILE] [--preset NAME] [--set key=value]... [--steps N] "
         "[--device D] --out RUN.h5 [--force]\n"
         "       muonscope-cli train --resume RUN.h5 [--set train.threads=N]",
         opts);
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (a.has("--nproc")) {
    const int n = cli::int_value(a, "--nproc", 1, 1024);
    if (dist_env().distributed())
      throw UsageError(
          "--nproc inside a launched job (RANK / WORLD_SIZE or srun's variables "
          "are set): let the launcher start the processes");
    if (n > 1) {  // start N copies of this command without --nproc; they meet as a job
      std::vector<std::string> args;
      for (int i = 0; i < argc; ++i) {
        const std::string s = argv[i];
        if (s == "--nproc") {
          ++i;
          continue;
        }
        if (s.rfind("--nproc=", 0) == 0) continue;
        args.push_back(s);
      }
      return launch_local(n, args, std::cerr);
    }
  }
  TrainOptions o;
  o.quiet = a.has("--quiet");
  if (a.has("--resume")) {
    for (const char* k : {"--config", "--preset", "--out", "--force"})
      if (a.has(k))
        throw UsageError(std::string("--resume continues the run file with its own config; ") + k +
                         " does not apply");
    const std::string out = a.get("--resume");
    RunConfig c;
    {
      RunReader r(out);
      if (r.writer_alive()) throw StoreError(out + ": is being written by a running training");
      if (r.status() == RunStatus::Finished)
        throw StoreError(out + ": finished all " + std::to_string(r.info().total_steps) +
                         " steps; nothing to resume");
      try {
        c = config_from_json(r.info().config_json);
      } catch (const ConfigError& e) {
        throw ConfigError(out + ": its config: " + e.what());
      }
    }
    for (const auto& kv : a.all("--set")) apply_setting(c, kv);
    if (a.has("--steps")) apply_setting(c, "train.steps=" + a.get("--steps"));
    if (a.has("--device")) apply_setting(c, "device=\"" + a.get("--device") + "\"");
    validate(c);
    o.resume = true;
    return train_process(c, out, o);
  }
  const RunConfig c = config_from_args(a);
  const std::string out = a.get("--out", default_out(c));
  o.force = a.has("--force");
  return train_process(c, out, o);
}

int cmd_config(int argc, char** argv) {
  auto opts = kConfigOptions;
  opts.push_back({"--keys", "", "list the dotted keys with their values instead of JSON"});
  Args a("config", "config [--preset NAME] [--config FILE] [--set key=value]... [--keys]", opts);
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  const RunConfig c = config_from_args(a);
  if (a.has("--keys")) {
    for (const auto& [k, v] : config_keys(c)) std::cout << k << " = " << v << "\n";
  } else {
    std::cout << config_to_json(c) << "\n";
  }
  return 0;
}

int cmd_presets(int argc, char** argv) {
  Args a("presets", "presets", {});
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  for (const auto& p : presets()) {
    std::string n = p.name;
    n.resize(std::max<size_t>(n.size() + 2, 14), ' ');
    std::cout << n << p.description << "\n";
  }
  return 0;
}

const char* kMainHelp =
    "muonscope-cli: train and inspect Muonscope runs without a display.\n\n"
    "commands:\n"
    "  train      train a run into an HDF5 run file\n"
    "  config     print the fully resolved config JSON\n"
    "  presets    list the presets\n"
    "  info       summarize a run file (status, config, losses, latest metrics)\n"
    "  inspect    measure checkpoints trained elsewhere (nanoGPT, Hugging Face) into a run file\n"
    "  study      run a named study (a group of runs) into a folder\n"
    "  selfcheck  check model, Muon and metrics against float64 references\n"
    "  reproduce  run every study at CPU size and print the findings table\n\n"
    "'muonscope-cli COMMAND --help' shows each command's options.\n"
    "Exit codes: 0 success, 1 run failure, 2 usage error, 130 stopped by Ctrl-C.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kMainHelp;
    return 2;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kMainHelp;
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "muonscope-cli " << MUONSCOPE_VERSION << "\n";
      return 0;
    }
    if (cmd == "train") return cmd_train(argc, argv);
    if (cmd == "config") return cmd_config(argc, argv);
    if (cmd == "presets") return cmd_presets(argc, argv);
    if (cmd == "info") return cmd_info(argc, argv);
    if (cmd == "inspect") return cmd_inspect(argc, argv);
    if (cmd == "study") return cmd_study(argc, argv);
    if (cmd == "selfcheck") return cmd_selfcheck(argc, argv);
    if (cmd == "reproduce") return cmd_reproduce(argc, argv);
    std::cerr << "muonscope-cli: unknown command '" << cmd << "'\n\n" << kMainHelp;
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "muonscope-cli: " << e.what() << " (see 'muonscope-cli " << cmd << " --help')\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "muonscope-cli: " << e.what() << "\n";
    return 2;
  } catch (const DataError& e) {
    std::cerr << "muonscope-cli: data: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "muonscope-cli: " << e.what() << "\n";
    return 1;
  }
}
