// Data-parallel throughput: the same run (global batch fixed) trained by 1, 2, ... processes on
// this machine, each process a rank of a c10d job (Gloo on CPU, NCCL on CUDA) started by the
// launcher of `muonscope-cli train --nproc N` (core/dist/LocalLauncher), for AdamW and full
// Muon. Prints tokens/s (median step after a warm-up), the speed-up over 1 process and, per
// step on rank 0, the time in the gradient exchange, the optimizer and Muon's Newton-Schulz
// (split over the ranks, Muon::set_distributed), so one sees whether Muon's step time falls
// with N. On CPU the ranks share the cores: each gets OMP_NUM_THREADS = cores / N (the
// launcher's default), so 1 process uses every core and N processes as many in total; with
// --set train.threads=1 every process has one thread (N processes then use N cores, as N
// devices would).
// Usage: bench_data_parallel [--nproc 1,2] [--optim adamw,muon] [--steps N] [--warmup N]
//                            [--device cpu|cuda] [--preset NAME] [--backend gloo|nccl]
//                            [--set key=value]...
// Default config: 4 layers, d_model 256, 4 heads, seq 256, global batch 16, vocab 256
// (bench_throughput's CPU shape); --preset gpt2-small for a GPU. --backend makes every rank
// join a process group even when it is alone (1 process then still exchanges its gradients,
// so e.g. `--device cuda --nproc 1 --backend nccl` measures NCCL's cost on a one-GPU host).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "BenchRun.h"
#include "dist/Comm.h"
#include "dist/DistEnv.h"
#include "dist/LocalLauncher.h"
#include "train/CpuCores.h"
#include "train/RunConfig.h"
#include "train/Trainer.h"

using namespace ms;

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// One rank of a measured run: trains warmup + steps steps; rank 0 writes
// "tokens_per_s ms_step exchange_ms optimizer_ms ns_ms loss" to `result`.
int worker(const RunConfig& c, int64_t steps, int64_t warmup, const std::string& result,
           const std::string& backend) {
  const DistEnv env = dist_env();
  std::unique_ptr<Comm> comm;
  if (env.distributed() || !backend.empty())
    comm = Comm::connect(env, backend.empty() ? dist_backend_for(c) : backend,
                         std::chrono::seconds(600));
  Trainer t(c);
  if (comm) t.set_comm(comm.get(), env.local_rank);
  t.prepare();
  std::vector<double> dts;
  double prev_wall = 0, loss = 0;
  PhaseSeconds at_warm, at_end;
  Trainer::Callbacks cb;
  cb.on_step = [&](const StepRecord& r) {
    if (r.step > warmup) dts.push_back(r.wall_s - prev_wall);
    if (r.step == warmup) at_warm = t.phase_seconds();
    prev_wall = r.wall_s;
    loss = r.loss;
    if (r.step == warmup + steps) {
      at_end = t.phase_seconds();
      t.stop();  // every rank stops after this step (skips the final snapshot)
    }
  };
  const RunStatus st = t.run(t.rank() == 0 ? cb : Trainer::Callbacks{});
  if (st == RunStatus::Failed) {
    std::cerr << "bench_data_parallel: rank " << env.rank << ": " << t.message() << "\n";
    return 1;
  }
  if (comm) comm->barrier();
  if (t.rank() != 0) return 0;
  std::sort(dts.begin(), dts.end());
  const double med = dts.empty() ? 0 : dts[dts.size() / 2];
  const PhaseSeconds p = at_end.since(at_warm);
  const double n = double(std::max<int64_t>(1, p.steps));
  std::ofstream f(result);
  f << (med > 0 ? double(c.train.batch_size) * c.model.seq_len / med : 0) << " " << med * 1e3 << " "
    << p.exchange / n * 1e3 << " " << p.optimizer / n * 1e3 << " " << p.newton_schulz / n * 1e3
    << " " << loss << "\n";
  return f ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cpu", nproc_list = "1,2", optim_list = "adamw,muon", result, optim_one,
              preset_name, backend;
  int64_t steps = 8, warmup = 2;
  std::vector<std::string> sets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench_data_parallel: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--device")
      device = next();
    else if (a == "--steps")
      steps = std::stoll(next());
    else if (a == "--warmup")
      warmup = std::stoll(next());
    else if (a == "--nproc")
      nproc_list = next();
    else if (a == "--optim")
      optim_list = next();
    else if (a == "--set")
      sets.push_back(next());
    else if (a == "--preset")
      preset_name = next();
    else if (a == "--backend")
      backend = next();
    else if (a == "--result")  // internal: this process is a rank of a measured run
      result = next();
    else if (a == "--one-optim")  // internal
      optim_one = next();
    else {
      std::cerr << "usage: bench_data_parallel [--nproc 1,2] [--optim adamw,muon] [--steps N] "
                   "[--warmup N] [--device cpu|cuda] [--preset NAME] [--backend gloo|nccl] "
                   "[--set key=value]...\n";
      return a == "--help" ? 0 : 2;
    }
  }
  RunConfig base;
  try {
    base = bench_run(preset_name, device, steps, warmup, sets);
  } catch (const std::exception& e) {
    std::cerr << "bench_data_parallel: " << e.what() << "\n";
    return 2;
  }
  if (!result.empty()) {  // a rank
    base.optim.muon = optim_one == "muon" ? block_matrix_roles() : std::vector<std::string>{};
    try {
      return worker(base, steps, warmup, result, backend);
    } catch (const std::exception& e) {
      std::cerr << "bench_data_parallel: " << e.what() << "\n";
      return 1;
    }
  }

  std::printf("# machine: %s; global batch %d x %d tokens, %s\n", count_cores().describe().c_str(),
              base.train.batch_size, base.model.seq_len, device.c_str());
  std::printf("%-6s %6s %10s %9s %8s %12s %12s %9s\n", "optim", "procs", "tokens/s", "ms/step",
              "speed-up", "exchange ms", "optimizer ms", "NS ms");
  char tmpl[] = "/tmp/bench_data_parallel-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return 1;
  close(fd);
  for (const std::string& optim : split_list(optim_list)) {
    double base_tps = 0;
    for (const std::string& np : split_list(nproc_list)) {
      const int n = std::stoi(np);
      std::vector<std::string> args = {argv[0],
                                       "--result",
                                       tmpl,
                                       "--one-optim",
                                       optim,
                                       "--steps",
                                       std::to_string(steps),
                                       "--warmup",
                                       std::to_string(warmup),
                                       "--device",
                                       device};
      for (const auto& s : sets) args.insert(args.end(), {"--set", s});
      std::remove(tmpl);
      std::ostringstream log;
      const int rc = launch_local(n, args, log);
      std::ifstream f(tmpl);
      double tps = 0, ms = 0, ex = 0, opt = 0, ns = 0, loss = 0;
      if (rc != 0 || !(f >> tps >> ms >> ex >> opt >> ns >> loss)) {
        std::cerr << "bench_data_parallel: " << optim << " with " << n << " processes failed\n"
                  << log.str();
        continue;
      }
      if (base_tps == 0) base_tps = tps;
      std::printf("%-6s %6d %10.0f %9.1f %7.2fx %12.1f %12.1f %9.1f\n", optim.c_str(), n, tps, ms,
                  tps / base_tps, ex, opt, ns);
      std::fflush(stdout);
    }
  }
  std::remove(tmpl);
  return 0;
}
