// Deterministic run data for the store suites: a RunInfo of the default model (2 layers,
// 4 heads, d_model 64, seq 64, probe batch 3, GELU MLP), step/val rows and fully populated
// snapshots (per-head composites included) whose values depend only on their index, plus exact
// (bitwise, NaN == NaN) comparisons. Child processes regenerate the same data from the index, so
// parents can check what they read.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "store/RunReader.h"
#include "store/RunWriter.h"
#include "train/Snapshot.h"

namespace mstest {

inline ms::RunInfo default_info(int fta_groups = 7) {
  ms::RunInfo in;
  in.config_json = R"({"name":"store-test","model":{"layers":2,"heads":4,"d_model":64}})";
  in.device = "cpu";
  in.torch_version = "1.13.1";
  in.app_version = "0.1.0-test";
  in.n_layer = 2;
  in.n_head = 4;
  in.head_dim = 16;
  in.seq_len = 64;
  in.probe_batch = 3;
  in.vocab_size = 512;
  in.matrix_names = {"attn.q", "attn.k", "attn.v", "attn.o", "mlp.in", "mlp.out", "qk", "vo"};
  in.matrix_shapes = {{64, 64},  {64, 64},  {64, 64}, {64, 64},
                      {256, 64}, {64, 256}, {64, 64}, {64, 64}};
  in.fta_groups = fta_groups;
  in.optimizer_summary = "Muon: V,O,FFN \xC2\xB7 AdamW: Q,K";  // with a UTF-8 middle dot
  in.total_steps = 400;
  in.n_params = 123456;
  return in;
}

// A value in [0, 1) from (a, b, c, d) (splitmix64), so every field differs.
inline double val01(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
               (c + 0x8CB92BA72F3D8DD7ull) * 0x94D049BB133111EBull ^
               (d + 17) * 0xD6E8FEB86659FD93ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * (1.0 / 9007199254740992.0);
}

inline ms::StepRecord make_step(int64_t i) {  // i = 0-based row
  ms::StepRecord r;
  r.step = i + 1;
  r.loss = 5.0 * std::exp(-double(i) / 100.0) + 0.1 * val01(i, 1);
  r.lr_adamw = 3e-3 * val01(i, 2);
  r.lr_muon = (i % 5 == 0) ? ms::kNaN : 0.02 * val01(i, 3);
  r.grad_norm = 1.0 + val01(i, 4);
  r.clipped_heads = i % 3;
  r.tokens = (i + 1) * 1024;
  r.wall_s = 0.01 * double(i + 1);
  r.tokens_per_s = 1e5 * val01(i, 5);
  r.threads = 1 + i % 4;
  return r;
}

inline ms::ValRecord make_val(int64_t i) {
  ms::ValRecord v;
  v.step = (i + 1) * 50;
  v.tokens = v.step * 1024;
  v.wall_s = 0.5 * double(i + 1);
  v.loss = 4.0 - 0.1 * double(i) + 0.01 * val01(i, 6);
  return v;
}

inline ms::Snapshot make_snapshot(const ms::RunInfo& in, int k) {
  ms::Snapshot s;
  s.step = int64_t(k + 1) * 50;
  s.tokens = s.step * 1024;
  s.wall_s = 0.5 * double(k + 1);
  s.val_loss = 3.0 + val01(k, 10);
  s.matrix_names = in.matrix_names;
  const int H = in.n_head, C = in.n_head * in.head_dim, T = in.seq_len;
  for (int l = 0; l < in.n_layer; ++l) {
    ms::LayerMetrics m;
    for (size_t mi = 0; mi < in.matrix_names.size(); ++mi) {
      ms::SpectrumMetrics sp;
      const int n = std::min(in.matrix_shapes[mi][0], in.matrix_shapes[mi][1]);
      for (int i = 0; i < n; ++i) sp.sv.push_back(float(10.0 * val01(k, l, mi, i + 100)));
      sp.entropy = val01(k, l, mi, 1);
      sp.erank = 64 * val01(k, l, mi, 2);
      sp.top10 = val01(k, l, mi, 3);
      sp.q75_q25 = 1 + val01(k, l, mi, 4);
      sp.stable_rank = 5 * val01(k, l, mi, 5);
      sp.update_cosine = k == 0 ? ms::kNaN : val01(k, l, mi, 6);
      sp.update_top_share = k == 0 ? ms::kNaN : val01(k, l, mi, 7);
      sp.alpha = 1.5 + 5 * val01(k, l, mi, 8);  // the power-law fit (NaN for a NaN sv row)
      sp.alpha_weighted = sp.alpha * (2 * val01(k, l, mi, 9) - 1);
      sp.alpha_ks = 0.5 * val01(k, l, mi, 10);
      sp.alpha_xmin = 4 * val01(k, l, mi, 11);
      m.matrices.push_back(sp);
    }
    for (int kind = 0; kind < 2; ++kind)  // qk_heads, ov_heads
      for (int h = 0; h < H; ++h) {
        ms::SpectrumMetrics sp;
        for (int i = 0; i < in.head_dim; ++i)
          sp.sv.push_back(float(5.0 * val01(k, l, h, 3000 + 100 * kind + i)));
        sp.entropy = val01(k, l, h, 4000 + kind);
        sp.erank = in.head_dim * val01(k, l, h, 4010 + kind);
        sp.top10 = val01(k, l, h, 4020 + kind);
        sp.q75_q25 = 1 + val01(k, l, h, 4030 + kind);
        sp.stable_rank = 3 * val01(k, l, h, 4040 + kind);
        (kind == 0 ? m.qk_heads : m.ov_heads).push_back(sp);
      }
    for (int a = 0; a < ms::kNumActs; ++a)
      for (int h = 0; h < H; ++h) {
        m.pr_sv[a].push_back(1 + 15 * val01(k, l, a, h + 200));
        m.pr_cov[a].push_back(1 + 15 * val01(k, l, a, h + 300));
      }
    for (int h = 0; h < H; ++h) {
      m.max_logit.push_back(20 * val01(k, l, h, 400));
      m.collapsed.push_back(val01(k, l, h, 500) < 0.3 ? 1 : 0);
    }
    int g = 0;
    for (ms::Magnitudes* mg : {&m.k_pre, &m.k_post, &m.v}) {
      for (int c = 0; c < C; ++c) mg->channel.push_back(float(val01(k, l, g, c + 1000)));
      for (int t = 0; t < T; ++t) mg->token.push_back(float(val01(k, l, g, t + 2000)));
      for (int t = 0; t < in.probe_batch * T; ++t)
        mg->token_all.push_back(float(val01(k, l, g, t + 5000)));
      mg->channel_spk = {1 + val01(k, l, g, 1), 1 + val01(k, l, g, 2), val01(k, l, g, 3)};
      mg->token_spk = {1 + val01(k, l, g, 4), 1 + val01(k, l, g, 5), val01(k, l, g, 6)};
      mg->asymmetry = mg->channel_spk.max_mean / mg->token_spk.max_mean;
      ++g;
    }
    s.layers.push_back(m);
  }
  s.kivi.valid = k % 2 == 0;
  if (s.kivi.valid) {
    s.kivi.loss_fp = 3 + val01(k, 20);
    s.kivi.k_chan_v_tok = {val01(k, 21), val01(k, 22)};
    s.kivi.k_tok_v_chan = {val01(k, 23), val01(k, 24)};
  }
  for (int i = 0; i < in.fta_groups; ++i) s.fta.push_back(val01(k, 30, i));
  return s;
}

// Bitwise equality that treats NaN == NaN. Sets *why to the first difference.
inline bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

template <class T>
bool same_vec(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(double(a[i]), double(b[i]))) return false;
  return true;
}

inline bool same_step(const ms::StepRecord& a, const ms::StepRecord& b) {
  return a.step == b.step && same(a.loss, b.loss) && same(a.lr_adamw, b.lr_adamw) &&
         same(a.lr_muon, b.lr_muon) && same(a.grad_norm, b.grad_norm) &&
         a.clipped_heads == b.clipped_heads && a.tokens == b.tokens && same(a.wall_s, b.wall_s) &&
         same(a.tokens_per_s, b.tokens_per_s) && a.threads == b.threads;
}

inline bool same_val(const ms::ValRecord& a, const ms::ValRecord& b) {
  return a.step == b.step && a.tokens == b.tokens && same(a.wall_s, b.wall_s) &&
         same(a.loss, b.loss);
}

inline bool same_spk(const ms::Spikiness& a, const ms::Spikiness& b) {
  return same(a.max_mean, b.max_mean) && same(a.p99_p50, b.p99_p50) &&
         same(a.top1_mass, b.top1_mass);
}

// Equal spectra: sv and every metric (the update fields included).
inline bool same_spectrum(const ms::SpectrumMetrics& p, const ms::SpectrumMetrics& q) {
  return same_vec(p.sv, q.sv) && same(p.entropy, q.entropy) && same(p.erank, q.erank) &&
         same(p.top10, q.top10) && same(p.q75_q25, q.q75_q25) &&
         same(p.stable_rank, q.stable_rank) && same(p.update_cosine, q.update_cosine) &&
         same(p.update_top_share, q.update_top_share) && same(p.alpha, q.alpha) &&
         same(p.alpha_weighted, q.alpha_weighted) && same(p.alpha_ks, q.alpha_ks) &&
         same(p.alpha_xmin, q.alpha_xmin);
}

inline bool same_snapshot(const ms::Snapshot& a, const ms::Snapshot& b, std::string* why) {
  auto no = [why](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  if (a.step != b.step || a.tokens != b.tokens || !same(a.wall_s, b.wall_s) ||
      !same(a.val_loss, b.val_loss))
    return no("scalars");
  if (a.matrix_names != b.matrix_names) return no("matrix_names");
  if (a.layers.size() != b.layers.size()) return no("layer count");
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const auto &x = a.layers[l], &y = b.layers[l];
    const std::string at = "layer " + std::to_string(l) + ": ";
    if (x.matrices.size() != y.matrices.size()) return no(at + "matrix count");
    for (size_t i = 0; i < x.matrices.size(); ++i) {
      const auto &p = x.matrices[i], &q = y.matrices[i];
      if (!same_vec(p.sv, q.sv)) return no(at + "sv of matrix " + std::to_string(i));
      if (!same(p.entropy, q.entropy) || !same(p.erank, q.erank) || !same(p.top10, q.top10) ||
          !same(p.q75_q25, q.q75_q25) || !same(p.stable_rank, q.stable_rank) ||
          !same(p.update_cosine, q.update_cosine) || !same(p.update_top_share, q.update_top_share))
        return no(at + "spectrum scalars of matrix " + std::to_string(i));
    }
    for (int kind = 0; kind < 2; ++kind) {
      const auto& hx = kind == 0 ? x.qk_heads : x.ov_heads;
      const auto& hy = kind == 0 ? y.qk_heads : y.ov_heads;
      const std::string name = kind == 0 ? "qk_heads" : "ov_heads";
      if (hx.size() != hy.size()) return no(at + name + " count");
      for (size_t h = 0; h < hx.size(); ++h)
        if (!same_spectrum(hx[h], hy[h])) return no(at + name + " head " + std::to_string(h));
    }
    for (int act = 0; act < ms::kNumActs; ++act)
      if (!same_vec(x.pr_sv[act], y.pr_sv[act]) || !same_vec(x.pr_cov[act], y.pr_cov[act]))
        return no(at + "pr of " + ms::act_name(act));
    if (!same_vec(x.max_logit, y.max_logit)) return no(at + "max_logit");
    if (x.collapsed != y.collapsed) return no(at + "collapsed");
    const ms::Magnitudes* mx[] = {&x.k_pre, &x.k_post, &x.v};
    const ms::Magnitudes* my[] = {&y.k_pre, &y.k_post, &y.v};
    for (int g = 0; g < 3; ++g) {
      if (!same_vec(mx[g]->channel, my[g]->channel) || !same_vec(mx[g]->token, my[g]->token) ||
          !same_vec(mx[g]->token_all, my[g]->token_all))
        return no(at + "kv magnitudes " + std::to_string(g));
      if (!same_spk(mx[g]->channel_spk, my[g]->channel_spk) ||
          !same_spk(mx[g]->token_spk, my[g]->token_spk) ||
          !same(mx[g]->asymmetry, my[g]->asymmetry))
        return no(at + "kv spikiness " + std::to_string(g));
    }
  }
  if (a.kivi.valid != b.kivi.valid || !same(a.kivi.loss_fp, b.kivi.loss_fp)) return no("kivi");
  for (int i = 0; i < 2; ++i)
    if (!same(a.kivi.k_chan_v_tok[i], b.kivi.k_chan_v_tok[i]) ||
        !same(a.kivi.k_tok_v_chan[i], b.kivi.k_tok_v_chan[i]))
      return no("kivi deltas");
  if (!same_vec(a.fta, b.fta)) return no("fta");
  return true;
}

inline bool same_info(const ms::RunInfo& a, const ms::RunInfo& b) {
  return a.config_json == b.config_json && a.device == b.device &&
         a.torch_version == b.torch_version && a.app_version == b.app_version &&
         a.n_layer == b.n_layer && a.n_head == b.n_head && a.head_dim == b.head_dim &&
         a.seq_len == b.seq_len && a.probe_batch == b.probe_batch && a.vocab_size == b.vocab_size &&
         a.matrix_names == b.matrix_names && a.matrix_shapes == b.matrix_shapes &&
         a.fta_groups == b.fta_groups && a.optimizer_summary == b.optimizer_summary &&
         a.total_steps == b.total_steps && a.n_params == b.n_params;
}

// Writes a finished run: n_steps steps, a validation row every 50 steps, a snapshot every
// `snap_every` steps (snapshot k at step (k + 1) * snap_every is make_snapshot(info, k)).
inline void write_run(const std::string& path, const ms::RunInfo& info, int64_t n_steps,
                      int64_t snap_every) {
  ms::RunWriter w(path, false);
  w.begin(info);
  int k = 0;
  for (int64_t i = 0; i < n_steps; ++i) {
    w.append_step(make_step(i));
    if ((i + 1) % 50 == 0) w.append_val(make_val((i + 1) / 50 - 1));
    if ((i + 1) % snap_every == 0) w.append_snapshot(make_snapshot(info, k++));
  }
  w.finish(ms::RunStatus::Finished, "done");
}

}  // namespace mstest
