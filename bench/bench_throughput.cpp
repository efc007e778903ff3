// Training throughput, and how close it runs to the machine's matrix-multiply ceiling.
// Runs the real Trainer loop (sampling, forward, backward, clip, optimizer step) for AdamW and
// full Muon at each requested thread count (default: 1, all usable cores, and `auto`, the
// ThreadGovernor of train.threads = 0), times the steps after a warm-up (median), and prints:
//   - tokens/s and ms/step;
//   - model GFLOP/s from FLOPs per token = 6 N + 12 L T d (N: parameters in matmuls, the
//     untied head included, the embedding lookup not; 12 L T d: QK^T and PV forward and
//     backward, full T x T as the manual attention computes it; PaLM, Chowdhery et al. 2022,
//     app. B), the same estimate for AdamW and Muon; Muon's Newton-Schulz FLOPs separately
//     (per matrix m = min(r, c), n = max: ns_steps (4 m^2 n + 2 m^3));
//   - that as a share of the sgemm rate measured in the same run at the same thread count;
//   - the speed-up of each thread count over 1 thread;
//   - a per-phase breakdown (Trainer::phase_seconds) in ms per step.
// Usage: bench_throughput [--device cpu|cuda] [--steps N] [--warmup N] [--preset NAME]
//                         [--threads LIST] [--optim adamw,muon] [--sgemm N] [--phases]
//                         [--set key=value]...
// --threads defaults to "1,C,auto" on CPU (C = usable cores) and "auto" on CUDA. The phase
// table is printed on CPU; on CUDA only with --phases, which synchronizes the device at every
// phase boundary (the tokens/s of such a run are lower than without).
// Default config (CPU): 4 layers, d_model 256, 4 heads, seq 256, batch 16, vocab 256 (tail-QA
// as bytes). `--preset gpt2-small` gives the GPU benchmark shape (12x768, seq 1024, vocab 50304).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "BenchRun.h"
#include "train/CpuCores.h"
#include "train/MachinePeak.h"
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

struct Flops {
  double matmul_params = 0;  // N
  double per_token = 0;      // 6 N + 12 L T d
  double ns_per_step = 0;    // Newton-Schulz of the Muon matrices, per optimizer step
};

Flops estimate_flops(const RunConfig& c, int vocab) {
  const double d = c.model.d_model, L = c.model.layers, T = c.model.seq_len;
  const double kv = double(c.model.kv_head_count()) * c.model.head_dim();
  const double f = c.model.ffn_hidden();
  const bool gated = c.model.ffn == "swiglu";
  // (rows, cols) of each block matrix, as nn::Linear stores them (out, in).
  const std::map<std::string, std::pair<double, double>> shape = {
      {"attn.q", {d, d}}, {"attn.k", {kv, d}},  {"attn.v", {kv, d}}, {"attn.o", {d, d}},
      {"mlp.in", {f, d}}, {"mlp.gate", {f, d}}, {"mlp.out", {d, f}}};
  Flops r;
  for (const auto& [role, rc] : shape) {
    if (role == "mlp.gate" && !gated) continue;
    r.matmul_params += L * rc.first * rc.second;
  }
  r.matmul_params += double(vocab) * d;  // the head (tied or not, it is a matmul)
  r.per_token = 6 * r.matmul_params + 12 * L * T * d;
  for (const std::string& role : c.optim.muon) {
    const auto it = shape.find(role);
    if (it == shape.end() || (role == "mlp.gate" && !gated)) continue;
    const double m = std::min(it->second.first, it->second.second);
    const double n = std::max(it->second.first, it->second.second);
    r.ns_per_step += L * c.optim.ns_steps * (4 * m * m * n + 2 * m * m * m);
  }
  return r;
}

struct Result {
  double median_s = 0, loss = 0;
  int threads = 0;      // the count of the last timed step
  PhaseSeconds phases;  // over the timed steps
};

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cpu", preset_name, thread_list, optim_list = "adamw,muon";
  int64_t steps = 20, warmup = 3;
  int sgemm_n = 1024;
  bool phases_flag = false;
  std::vector<std::string> sets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench_throughput: " << a << " needs a value\n";
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
    else if (a == "--preset")
      preset_name = next();
    else if (a == "--threads")
      thread_list = next();
    else if (a == "--optim")
      optim_list = next();
    else if (a == "--phases")
      phases_flag = true;
    else if (a == "--sgemm")
      sgemm_n = std::stoi(next());
    else if (a == "--set")
      sets.push_back(next());
    else {
      std::cerr << "usage: bench_throughput [--device cpu|cuda] [--steps N] [--warmup N] "
                   "[--preset NAME] [--threads 1,2,auto] [--optim adamw,muon] [--sgemm N] "
                   "[--phases] [--set key=value]...\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const CoreCount cores = count_cores();
  const bool cpu = device == "cpu";
  const bool phases = cpu || phases_flag;
  if (thread_list.empty())
    thread_list = !cpu              ? "auto"
                  : cores.cores > 1 ? "1," + std::to_string(cores.cores) + ",auto"
                                    : "1";
  RunConfig base;
  try {
    base = bench_run(preset_name, device, steps, warmup, sets);
  } catch (const std::exception& e) {
    std::cerr << "bench_throughput: " << e.what() << "\n";
    return 2;
  }

  std::map<int, SgemmRate> sgemm;  // by thread count, measured when first needed
  auto ceiling = [&](int threads) -> double {
    if (!cpu || sgemm_n <= 0) return 0;
    auto it = sgemm.find(threads);
    if (it == sgemm.end()) it = sgemm.emplace(threads, measure_sgemm(sgemm_n, threads)).first;
    return it->second.gflops;
  };

  std::map<std::string, std::map<std::string, Result>> results;  // optim -> threads label
  Flops flops;
  int vocab = 0;
  std::printf("# machine: %s\n", cores.describe().c_str());
  std::printf("%-6s %-8s %10s %9s %9s %9s %8s %8s\n", "optim", "threads", "tokens/s", "ms/step",
              "model GF/s", "+NS GF/s", "of sgemm", "loss");
  for (const std::string& optim : split_list(optim_list)) {
    for (const std::string& tl : split_list(thread_list)) {
      RunConfig c = base;
      c.optim.muon = optim == "muon" ? block_matrix_roles() : std::vector<std::string>{};
      c.train.threads = tl == "auto" ? 0 : std::stoi(tl);
      try {
        Trainer t(c);
        const RunInfo& info = t.prepare();
        vocab = info.vocab_size;
        flops = estimate_flops(t.config(), vocab);
        std::vector<double> dts;
        double prev_wall = 0;
        Result res;
        PhaseSeconds at_warm;
        Trainer::Callbacks cb;
        cb.on_step = [&](const StepRecord& r) {
          if (r.step > warmup) dts.push_back(r.wall_s - prev_wall);
          if (r.step == warmup) at_warm = t.phase_seconds();
          prev_wall = r.wall_s;
          res.loss = r.loss;
          res.threads = int(r.threads);
          if (r.step == warmup + steps) t.stop();  // skip the final snapshot
        };
        if (!cpu && phases) t.sync_timing(true);
        const RunStatus st = t.run(cb);
        if (st == RunStatus::Failed) {
          std::cerr << "bench_throughput: " << t.message() << "\n";
          return 1;
        }
        std::vector<double> sorted = dts;
        std::sort(sorted.begin(), sorted.end());
        res.median_s = sorted.empty() ? 0 : sorted[sorted.size() / 2];
        res.phases = t.phase_seconds().since(at_warm);
        const double tokens = double(c.train.batch_size) * c.model.seq_len;
        const double model_gf =
            res.median_s > 0 ? flops.per_token * tokens / res.median_s / 1e9 : 0;
        const double ns = optim == "muon" ? flops.ns_per_step : 0;
        const double all_gf =
            res.median_s > 0 ? (flops.per_token * tokens + ns) / res.median_s / 1e9 : 0;
        const double peak = ceiling(res.threads);
        const std::string label = tl == "auto" ? "auto:" + std::to_string(res.threads) : tl;
        char share[32] = "-";
        if (peak > 0) std::snprintf(share, sizeof share, "%.0f %%", 100 * all_gf / peak);
        std::printf("%-6s %-8s %10.0f %9.1f %9.1f %9.1f %8s %8.4f\n", optim.c_str(), label.c_str(),
                    res.median_s > 0 ? tokens / res.median_s : 0.0, res.median_s * 1000, model_gf,
                    all_gf, share, res.loss);
        std::fflush(stdout);
        results[optim][tl] = res;
      } catch (const std::exception& e) {
        std::cerr << "bench_throughput: " << e.what() << "\n";
        return 1;
      }
    }
  }
  const RunConfig& c = base;
  std::printf(
      "# config: %d layers, d_model %d, %d heads, seq %d, batch %d, vocab %d, %lld timed steps "
      "(median), %lld warm-up\n",
      c.model.layers, c.model.d_model, c.model.heads, c.model.seq_len, c.train.batch_size, vocab,
      (long long)steps, (long long)warmup);
  std::printf(
      "# FLOPs per token 6N + 12LTd = %.2f M (N = %.2f M matmul parameters); Muon's "
      "Newton-Schulz %.2f GFLOP per step\n",
      flops.per_token / 1e6, flops.matmul_params / 1e6, flops.ns_per_step / 1e9);
  for (const auto& [threads, r] : sgemm)
    std::printf("# sgemm %d^2 fp32, %d thread%s: %.1f GFLOP/s (best of %d)\n", r.n, threads,
                threads == 1 ? "" : "s", r.gflops, r.repetitions);
  for (const auto& [optim, by] : results) {
    const auto one = by.find("1");
    if (one == by.end() || one->second.median_s <= 0) continue;
    std::string line;
    for (const auto& [tl, r] : by) {
      if (tl == "1" || r.median_s <= 0) continue;
      char b[64];
      std::snprintf(b, sizeof b, "%s%s %.2fx", line.empty() ? "" : ", ",
                    tl == "auto" ? ("auto (" + std::to_string(r.threads) + ")").c_str()
                                 : (tl + " threads").c_str(),
                    one->second.median_s / r.median_s);
      line += b;
    }
    if (!line.empty())
      std::printf("# speed-up over 1 thread, %s: %s\n", optim.c_str(), line.c_str());
  }
  if (!phases) return 0;
  std::printf("# phases, ms per step (mean of the timed steps; auto includes its trial steps)%s\n",
              cpu ? "" : ", CUDA synchronized at each phase");
  std::printf("%-6s %-8s %8s %8s %8s %8s %9s %8s\n", "optim", "threads", "sample", "forward",
              "backward", "clip", "optimizer", "of it NS");
  for (const auto& [optim, by] : results)
    for (const auto& [tl, r] : by) {
      const PhaseSeconds& q = r.phases;
      const double n = q.steps > 0 ? double(q.steps) / 1000 : 1;
      const std::string label = tl == "auto" ? "auto:" + std::to_string(r.threads) : tl;
      std::printf("%-6s %-8s %8.1f %8.1f %8.1f %8.1f %9.1f %8.1f\n", optim.c_str(), label.c_str(),
                  q.sample / n, q.forward / n, q.backward / n, q.clip / n, q.optimizer / n,
                  q.newton_schulz / n);
    }
  return 0;
}
