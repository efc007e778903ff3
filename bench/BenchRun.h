// The run the training benchmarks time (bench_throughput, bench_data_parallel): a preset, or by
// default the CPU shape (4 layers, d_model 256, 4 heads, seq 256, batch 16, vocab 256: tail-QA
// as bytes), with validation, snapshots, KIVI and FTA pushed past the timed steps, then the
// user's --set settings. Throws ConfigError for a bad setting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/RunConfig.h"

namespace ms {

inline RunConfig bench_run(const std::string& preset_name, const std::string& device, int64_t steps,
                           int64_t warmup, const std::vector<std::string>& sets) {
  RunConfig c = preset(preset_name.empty() ? "quick" : preset_name);
  if (preset_name.empty()) {
    c.model.layers = 4;
    c.model.d_model = 256;
    c.model.heads = 4;
    c.model.seq_len = 256;
    c.train.batch_size = 16;
    c.data.tailqa_tokens = "byte";  // vocab 256
  }
  c.device = device;
  c.train.steps = steps + warmup + 1;  // stopped after steps + warmup: no final snapshot
  c.train.val_every = 1 << 30;
  c.metrics.every = 1 << 30;  // only the final snapshot, after the measured steps
  c.metrics.kivi_every = 0;
  c.metrics.fta = false;
  for (const auto& s : sets) apply_setting(c, s);
  return c;
}

}  // namespace ms
