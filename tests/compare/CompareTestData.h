// Synthetic runs for the comparison suite, written to real run files with ms::RunWriter. Every
// number is a closed-form function of (run id, snapshot k, layer l, head/matrix index), so the
// tests can check what the views draw and what the table shows against hand computations.
// Tokens per step are batch_size * seq_len, so runs with different batch sizes align
// differently by tokens than by steps.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "store/RunWriter.h"
#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ctest {

constexpr int kDModel = 64, kSeq = 32, kValEvery = 10;

struct RunSpec {
  int id = 0;  // enters every value
  std::string preset = "adamw";
  int batch = 16;
  int layers = 2, heads = 4;
  int steps = 60, every = 20;  // snapshots at every, 2 * every, ...
  int fta_groups = 4;
  bool qk_norm = false;
  uint64_t seed = 1337;  // train.seed (the preset's default)
  int world_size = 1;    // processes that trained it
};

inline const std::vector<std::string>& matrixNames() {
  static const std::vector<std::string> n = {"attn.q", "attn.k",  "attn.v", "attn.o",
                                             "mlp.in", "mlp.out", "qk",     "vo"};
  return n;
}

inline ms::RunConfig config(const RunSpec& s) {
  ms::RunConfig c = ms::preset(s.preset);
  c.train.batch_size = s.batch;
  c.model.layers = s.layers;
  c.model.heads = s.heads;
  c.model.d_model = kDModel;
  c.model.seq_len = kSeq;
  c.model.qk_norm = c.model.qk_norm || s.qk_norm;
  c.train.steps = s.steps;
  c.metrics.every = s.every;
  c.train.seed = s.seed;
  return c;
}

inline ms::RunInfo info(const RunSpec& s) {
  ms::RunInfo in;
  in.config_json = ms::config_to_json(config(s));
  in.device = "cpu";
  in.torch_version = "1.13.1";
  in.app_version = "test";
  in.n_layer = s.layers;
  in.n_head = s.heads;
  in.head_dim = kDModel / s.heads;
  in.seq_len = kSeq;
  in.vocab_size = 100;
  in.matrix_names = matrixNames();
  in.matrix_shapes = {{64, 64},  {64, 64},  {64, 64}, {64, 64},
                      {256, 64}, {64, 256}, {64, 64}, {64, 64}};
  in.fta_groups = s.fta_groups;
  in.optimizer_summary = ms::optimizer_summary(config(s));
  in.total_steps = s.steps;
  in.n_params = 1000;
  in.world_size = s.world_size;
  return in;
}

// Closed forms.
inline double trainLoss(int id, int64_t step) {
  return 4.0 + 0.1 * id + 2.0 * std::exp(-double(step) / 20.0);
}
inline double valLoss(int id, int j) {  // j-th validation row (0-based); the best is row 1
  return 3.0 + 0.1 * id - 0.01 * j - (j == 1 ? 0.5 : 0.0);
}
inline double prSv(int id, int k, int l, int h, int act) {
  return 1.0 + id + 0.5 * l + 0.25 * h + 0.1 * k + act;
}
inline double erank(int id, int k, int l, int m) {
  return 10.0 + id + k + 0.5 * l + m;
}
inline float sv(int id, int k, int m, int i) {
  return float((m + 1) * (id + 1) * (k + 1)) / float(i + 1);
}
// Per-head composites: kind 0 = W_QK^h, 1 = W_OV^h; i < head_dim.
inline float headSv(int id, int k, int l, int kind, int h, int i) {
  return float((id + 1) * (k + 1) * (l + 1 + kind) * (h + 2)) / float(i + 1);
}
inline double asymK(int id, int k, int l) {
  return 1.2 + 0.1 * id + 0.01 * l + 0.001 * k;
}
inline double asymV(int id, int k, int l) {
  return 2.0 + 0.1 * id + 0.02 * l + 0.002 * k;
}
inline double fta(int id, int k, int g) {
  return 0.9 - 0.1 * g + 0.05 * id + 0.01 * k;
}
inline double kivi(int id, int k, int scheme, int bits) {  // bits index 0 (2-bit) / 1 (4-bit)
  return 0.1 * (id + 1) * (scheme + 1) / (bits + 1) + 0.01 * k;
}
inline bool kiviValid(int k) {
  return k % 2 == 0;
}

inline ms::Snapshot snapshot(const RunSpec& s, int k) {
  const int H = s.heads, hd = kDModel / s.heads;
  ms::Snapshot sn;
  sn.step = int64_t(k + 1) * s.every;
  sn.tokens = sn.step * s.batch * kSeq;
  sn.wall_s = 0.01 * double(sn.step) * (s.id + 1);
  sn.val_loss = 3.5;
  sn.matrix_names = matrixNames();
  for (int l = 0; l < s.layers; ++l) {
    ms::LayerMetrics lm;
    for (int m = 0; m < static_cast<int>(matrixNames().size()); ++m) {
      ms::SpectrumMetrics sp;
      for (int i = 0; i < 64; ++i) sp.sv.push_back(sv(s.id, k, m, i));
      sp.erank = erank(s.id, k, l, m);
      sp.entropy = 0.5 + 0.01 * m;
      sp.top10 = 0.3;
      sp.q75_q25 = 2.0;
      sp.stable_rank = 3.0 + m;
      sp.update_cosine = 0.5;
      sp.update_top_share = 0.25;
      lm.matrices.push_back(sp);
    }
    for (int a = 0; a < ms::kNumActs; ++a)
      for (int h = 0; h < H; ++h) {
        lm.pr_sv[a].push_back(prSv(s.id, k, l, h, a));
        lm.pr_cov[a].push_back(prSv(s.id, k, l, h, a) + 0.5);
      }
    for (int kind = 0; kind < 2; ++kind)
      for (int h = 0; h < H; ++h) {
        ms::SpectrumMetrics sp;
        for (int i = 0; i < hd; ++i) sp.sv.push_back(headSv(s.id, k, l, kind, h, i));
        sp.erank = 2.0 + h;
        sp.entropy = 0.6;
        (kind == 0 ? lm.qk_heads : lm.ov_heads).push_back(sp);
      }
    for (int h = 0; h < H; ++h) {
      lm.max_logit.push_back(5.0 + h);
      lm.collapsed.push_back(0);
    }
    int g = 0;
    for (ms::Magnitudes* mg : {&lm.k_pre, &lm.k_post, &lm.v}) {
      for (int c = 0; c < H * hd; ++c) mg->channel.push_back(float(1 + (c % 7)));
      for (int t = 0; t < kSeq; ++t) mg->token.push_back(float(1 + (t % 3)));
      mg->channel_spk = {2.0 + g, 1.5, 0.05};
      mg->token_spk = {1.5, 1.2, 0.02};
      mg->asymmetry = g == 1 ? asymK(s.id, k, l) : g == 2 ? asymV(s.id, k, l) : 1.0;
      ++g;
    }
    sn.layers.push_back(lm);
  }
  sn.kivi.valid = kiviValid(k);
  if (sn.kivi.valid) {
    sn.kivi.loss_fp = 3.0;
    sn.kivi.k_chan_v_tok = {kivi(s.id, k, 0, 0), kivi(s.id, k, 0, 1)};
    sn.kivi.k_tok_v_chan = {kivi(s.id, k, 1, 0), kivi(s.id, k, 1, 1)};
  }
  for (int gi = 0; gi < s.fta_groups; ++gi) sn.fta.push_back(fta(s.id, k, gi));
  return sn;
}

inline int snapshotCount(const RunSpec& s) {
  return s.steps / s.every;
}
inline int valCount(const RunSpec& s) {
  return s.steps / kValEvery;
}

// Writes the run file (overwriting).
inline void writeRun(const std::string& path, const RunSpec& s) {
  ms::RunWriter w(path, true);
  w.begin(info(s));
  int k = 0, j = 0;
  for (int64_t step = 1; step <= s.steps; ++step) {
    ms::StepRecord r;
    r.step = step;
    r.loss = trainLoss(s.id, step);
    r.lr_adamw = 1e-3;
    r.grad_norm = 1.0;
    r.tokens = step * s.batch * kSeq;
    r.wall_s = 0.01 * double(step) * (s.id + 1);
    r.tokens_per_s = 1e4;
    w.append_step(r);
    if (step % kValEvery == 0) {
      ms::ValRecord v;
      v.step = step;
      v.tokens = r.tokens;
      v.wall_s = r.wall_s;
      v.loss = valLoss(s.id, j++);
      w.append_val(v);
    }
    if (step % s.every == 0) w.append_snapshot(snapshot(s, k++));
  }
  w.finish(ms::RunStatus::Finished);
}

}  // namespace ctest
