// Training throughput: tokens/s and ms/step for AdamW and full Muon on one config and device.
// Runs the real Trainer loop (sampling, forward, backward, clip, optimizer step) and times the
// steps after a warm-up; metric snapshots are pushed past the measured steps.
// Usage: bench_throughput [--device cpu|cuda] [--steps N] [--warmup N] [--preset NAME]
//                         [--set key=value]...
// Default config (CPU): 4 layers, d_model 256, 4 heads, seq 256, batch 16, vocab 256 (tail-QA
// as bytes). `--preset gpt2-small` gives the GPU benchmark shape (12x768, seq 1024, vocab 50304).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "train/RunConfig.h"
#include "train/Trainer.h"

using namespace ms;

int main(int argc, char** argv) {
  std::string device = "cpu", preset_name;
  int64_t steps = 20, warmup = 3;
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
    else if (a == "--set")
      sets.push_back(next());
    else {
      std::cerr << "usage: bench_throughput [--device cpu|cuda] [--steps N] [--warmup N] "
                   "[--preset NAME] [--set key=value]...\n";
      return a == "--help" ? 0 : 2;
    }
  }
  RunConfig base = preset_name.empty() ? preset("quick") : preset(preset_name);
  if (preset_name.empty()) {
    base.model.layers = 4;
    base.model.d_model = 256;
    base.model.heads = 4;
    base.model.seq_len = 256;
    base.train.batch_size = 16;
    base.data.tailqa_tokens = "byte";  // vocab 256
  }
  base.device = device;
  base.train.steps = steps + warmup + 1;  // stopped after steps + warmup: no final snapshot
  base.train.val_every = 1 << 30;
  base.metrics.every = 1 << 30;  // only the final snapshot, after the measured steps
  base.metrics.kivi_every = 0;
  base.metrics.fta = false;
  for (const auto& s : sets) apply_setting(base, s);

  std::printf("%-8s %-10s %12s %12s %10s\n", "optim", "device", "tokens/s", "ms/step", "loss");
  for (const bool muon : {false, true}) {
    RunConfig c = base;
    c.optim.muon = muon ? block_matrix_roles() : std::vector<std::string>{};
    try {
      Trainer t(c);
      const RunInfo& info = t.prepare();
      std::vector<double> dts;
      double prev_wall = 0, last_loss = 0;
      Trainer::Callbacks cb;
      cb.on_step = [&](const StepRecord& r) {
        if (r.step > warmup) dts.push_back(r.wall_s - prev_wall);
        prev_wall = r.wall_s;
        last_loss = r.loss;
        if (r.step == warmup + steps) t.stop();  // skip the final snapshot
      };
      const RunStatus st = t.run(cb);
      if (st == RunStatus::Failed) {
        std::cerr << "bench_throughput: " << t.message() << "\n";
        return 1;
      }
      std::sort(dts.begin(), dts.end());
      const double med = dts.empty() ? 0 : dts[dts.size() / 2];
      const double tokens = double(c.train.batch_size) * c.model.seq_len;
      std::printf("%-8s %-10s %12.0f %12.2f %10.4f\n", muon ? "muon" : "adamw", info.device.c_str(),
                  med > 0 ? tokens / med : 0.0, med * 1000, last_loss);
      if (!muon)
        std::printf(
            "# config: %d layers, d_model %d, %d heads, seq %d, batch %d, vocab %d, %lld params, "
            "%lld timed steps (median)\n",
            c.model.layers, c.model.d_model, c.model.heads, c.model.seq_len, c.train.batch_size,
            info.vocab_size, (long long)info.n_params, (long long)steps);
    } catch (const std::exception& e) {
      std::cerr << "bench_throughput: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
