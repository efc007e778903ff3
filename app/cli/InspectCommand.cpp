// `muonscope-cli inspect CKPT [CKPT ...] --out RUN.h5 [--probe FILE] [--batch B] [--seq T]`:
// checkpoints trained anywhere (nanoGPT ckpt.pt, Hugging Face GPT-2 / Llama / Mistral / Qwen2
// folders, files, folders of checkpoints, globs) into one run file with a snapshot per
// checkpoint in step order (core/ckpt/Inspector.h). Ctrl-C stops after the current checkpoint;
// the file keeps what was measured.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "CliArgs.h"
#include "Commands.h"
#include "ckpt/Inspector.h"
#include "common/Duration.h"

namespace ms {
namespace {

std::atomic<int> g_inspect_stop{0};
void on_inspect_stop(int) {
  ++g_inspect_stop;
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  cli::Args a(
      "inspect",
      "inspect CKPT [CKPT ...] --out RUN.h5 [--probe FILE] [--batch B] [--seq T]\n"
      "  CKPT: a nanoGPT ckpt.pt, a Hugging Face model folder (config.json + safetensors),\n"
      "  a .safetensors file, a folder of checkpoints or a quoted glob. Several become one\n"
      "  run ordered by the step each stores (else the number in its name).",
      {{"--out", "RUN.h5", "run file to write (required)"},
       {"--overwrite", "", "replace an existing run file"},
       {"--probe", "FILE",
        "probe tokens (.bin: nanoGPT uint16 or modded-nanogpt shard) or text (tokenized "
        "with the model folder's tokenizer.json or vocab.json + merges.txt); without it, "
        "weights-only metrics"},
       {"--batch", "B", "probe windows (default 8)"},
       {"--seq", "T", "tokens per window (default 256, capped at the model's context)"},
       {"--device", "D", "cpu | cuda | auto (default cpu)"},
       {"--threads", "N", "intra-op threads (default: all cores)"}},
      1 << 20);
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (a.positional().empty()) throw cli::UsageError("inspect needs at least one checkpoint");
  if (!a.has("--out")) throw cli::UsageError("inspect needs --out RUN.h5");
  InspectOptions opt;
  opt.inputs = a.positional();
  opt.out = a.get("--out");
  opt.overwrite = a.has("--overwrite");
  opt.probe = a.get("--probe");
  opt.batch = a.has("--batch") ? cli::int_value(a, "--batch", 1, 4096) : 8;
  opt.seq = a.has("--seq") ? cli::int_value(a, "--seq", 2, 1 << 20) : 256;
  opt.device = a.get("--device", "cpu");
  if (opt.device != "cpu" && opt.device != "cuda" && opt.device != "auto")
    throw cli::UsageError("--device " + opt.device + ": expected cpu, cuda or auto");
  opt.threads = a.has("--threads") ? cli::int_value(a, "--threads", 1, 1024) : 0;

  g_inspect_stop = 0;
  struct sigaction sa {
  }, old_int{};
  sa.sa_handler = on_inspect_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  InspectCallbacks cb;
  const auto t0 = std::chrono::steady_clock::now();
  cb.progress = [&](int done, int total, const std::string& what) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string eta;
    if (done > 0 && done < total) eta = ", ETA " + format_duration(el / done * (total - done));
    std::cerr << "[" << done << "/" << total << "] " << what << " (" << format_duration(el) << eta
              << ")\n";
  };
  cb.cancelled = [] { return g_inspect_stop.load() > 0; };
  cb.warning = [](const std::string& w) { std::cerr << "warning: " << w << "\n"; };
  const InspectResult r = inspect_checkpoints(opt, cb);
  sigaction(SIGINT, &old_int, nullptr);
  for (size_t i = 0; i < r.checkpoints.size(); ++i) {
    std::cout << "step " << r.steps[i] << "  " << r.checkpoints[i];
    if (std::isfinite(r.probe_loss[i])) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4f", r.probe_loss[i]);
      std::cout << "  probe loss " << buf;
    }
    std::cout << "\n";
  }
  if (r.status == RunStatus::Failed) {
    std::cerr << "muonscope-cli: inspect: " << r.message << "\n";
    return 1;
  }
  std::cout << opt.out << ": " << r.checkpoints.size() << " snapshot"
            << (r.checkpoints.size() == 1 ? "" : "s") << " (" << status_name(r.status) << ")\n";
  return r.status == RunStatus::Stopped ? 130 : 0;
}

}  // namespace ms
