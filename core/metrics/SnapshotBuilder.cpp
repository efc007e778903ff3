// SnapshotBuilder (see SnapshotBuilder.h): fixed probe / KIVI / FTA inputs, and one compute()
// that runs the pure metrics of Metrics.h over a model. Cost is kept low by batching: one
// capture forward for every activation metric, one SVD call per matrix shape across layers,
// one PR call per layer over all heads and activations, padded FTA batches sorted by length.
#include "metrics/SnapshotBuilder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "data/DataSource.h"
#include "metrics/Metrics.h"

namespace ms {

namespace {

const auto kLong = torch::TensorOptions().dtype(torch::kLong);

int role_index(const std::string& role) {
  const auto& r = block_matrix_roles();
  const auto it = std::find(r.begin(), r.end(), role);
  return it == r.end() ? -1 : static_cast<int>(it - r.begin());
}

// Restores the module's training flag when compute() leaves, also by an exception.
struct TrainModeRestore {
  GPTImpl& m;
  bool was;
  ~TrainModeRestore() { m.train(was); }
};

std::vector<double> to_doubles(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Singular values of the N products F_i G_i^T of thin factors F, G (N, d, r) with r <= d, in
// one batched QR and one batched SVD: with reduced QR F = Q_F R_F and G = Q_G R_G (Q (d, r)
// with orthonormal columns, R (r, r)), F G^T = Q_F (R_F R_G^T) Q_G^T has exactly the r singular
// values of the small R_F R_G^T, and the d - r others are 0. QR first, then the SVD of R, is
// Chan's R-SVD (T. F. Chan, ACM TOMS 8(1), 1982); it never forms the d x d product.
// -> (N, r), descending.
torch::Tensor thin_product_svdvals(const torch::Tensor& F, const torch::Tensor& G) {
  const int64_t N = F.size(0);
  const torch::Tensor R =
      std::get<1>(at::linalg_qr(torch::cat({F, G}, 0), "reduced"));                   // (2N, r, r)
  return svdvals_any(R.narrow(0, 0, N).matmul(R.narrow(0, N, N).transpose(-2, -1)));  // (N, r)
}

}  // namespace

SnapshotBuilder::SnapshotBuilder(const RunConfig& cfg, const torch::Tensor& probe_x,
                                 const torch::Tensor& probe_y, torch::Device device)
    : cfg_(cfg), device_(device), names_(spectrum_matrix_names(cfg.model)) {
  if (cfg.metrics.kivi_group < 1)
    throw std::runtime_error("metrics.kivi_group = " + std::to_string(cfg.metrics.kivi_group) +
                             ": must be at least 1");
  if (!probe_x.defined()) return;  // weights only
  if (probe_x.dim() != 2 || probe_x.sizes() != probe_y.sizes() ||
      probe_x.scalar_type() != torch::kLong || probe_y.scalar_type() != torch::kLong)
    throw std::invalid_argument("SnapshotBuilder: the probe must be two (P, T) int64 tensors");
  probe_x_ = probe_x.to(device_);
  probe_y_ = probe_y.to(device_);
  kivi_xy_.push_back({probe_x_, probe_y_});  // KIVI deltas on the probe itself
}

SnapshotBuilder::SnapshotBuilder(const RunConfig& cfg, const DataSource& data, torch::Device device)
    : cfg_(cfg), device_(device), names_(spectrum_matrix_names(cfg.model)) {
  const MetricsConfig& mc = cfg.metrics;
  const int64_t T = cfg.model.seq_len;
  if (mc.probe_batch < 1)
    throw std::runtime_error("metrics.probe_batch = " + std::to_string(mc.probe_batch) +
                             ": must be at least 1");
  if (mc.kivi_group < 1)
    throw std::runtime_error("metrics.kivi_group = " + std::to_string(mc.kivi_group) +
                             ": must be at least 1");
  const int64_t n_val = data.size(Split::Val);
  if (T < 1 || n_val < T + 1)
    throw std::runtime_error(
        "SnapshotBuilder: the validation split of " + data.description() + " has " +
        std::to_string(n_val) +
        " tokens; the probe batch needs model.seq_len + 1 = " + std::to_string(T + 1));

  // The builder's own generator: the same windows for every run with this probe seed
  // (metrics.probe_seed, else train.seed), and
  // independent of the Trainer's training/validation draws.
  std::mt19937_64 gen(probe_seed(cfg) ^ 0x70be5eedc0ffeeULL);
  auto sample = [&](int rows) -> std::array<torch::Tensor, 2> {
    torch::Tensor buf = torch::empty({rows, T + 1}, kLong);  // (rows, T + 1)
    int64_t* p = buf.data_ptr<int64_t>();
    for (int r = 0; r < rows; ++r) {
      const int64_t start = static_cast<int64_t>(gen() % static_cast<uint64_t>(n_val - T));
      data.copy(Split::Val, start, T + 1, p + r * (T + 1));
    }
    return {buf.narrow(1, 0, T).contiguous().to(device_),   // inputs  (rows, T)
            buf.narrow(1, 1, T).contiguous().to(device_)};  // targets (rows, T)
  };
  const auto probe = sample(mc.probe_batch);
  probe_x_ = probe[0];
  probe_y_ = probe[1];
  for (int b = 0; b < std::max(0, mc.kivi_batches); ++b)
    kivi_xy_.push_back(sample(cfg.train.batch_size));

  // FTA: at most fta_max_questions held questions, stratified by group (round robin over the
  // groups in question order), so every group is represented when the cap allows.
  const auto& qs = data.questions();
  if (mc.fta && data.groups() > 0) {
    fta_groups_ = data.groups();
    fta_count_.assign(static_cast<size_t>(fta_groups_), 0);
    std::vector<std::vector<int>> by_group(static_cast<size_t>(fta_groups_));
    for (size_t i = 0; i < qs.size(); ++i)
      if (qs[i].group >= 0 && qs[i].group < fta_groups_ && !qs[i].prompt.empty())
        by_group[static_cast<size_t>(qs[i].group)].push_back(static_cast<int>(i));
    const size_t cap =
        mc.fta_max_questions > 0 ? static_cast<size_t>(mc.fta_max_questions) : qs.size();
    for (size_t round = 0; fta_sel_.size() < cap; ++round) {
      bool any = false;
      for (const auto& g : by_group) {
        if (round >= g.size() || fta_sel_.size() >= cap) continue;
        fta_sel_.push_back(g[round]);
        any = true;
      }
      if (!any) break;
    }
    // Prompts longer than seq_len keep their last seq_len tokens. Sorted by length, then
    // chunked so that a chunk's logits stay within 2^23 floats (2^27 on CUDA); right padding is
    // harmless under causal attention (the answer position sees only its prompt).
    auto plen = [&](int i) {
      return std::min<int64_t>(static_cast<int64_t>(qs[static_cast<size_t>(i)].prompt.size()), T);
    };
    std::vector<int> order = fta_sel_;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return plen(a) < plen(b); });
    const int64_t V = std::max(1, cfg.model.vocab_size);
    const int64_t logit_budget = int64_t{1} << (device_.is_cuda() ? 27 : 23);
    size_t at = 0;
    while (at < order.size()) {
      const int64_t L = plen(order.back());  // upper bound for the chunk's length
      const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(256, logit_budget / (L * V)));
      const size_t end = std::min(order.size(), at + static_cast<size_t>(rows));
      const int64_t Lc = plen(order[end - 1]);
      const int64_t Q = static_cast<int64_t>(end - at);
      torch::Tensor idx = torch::zeros({Q, Lc}, kLong), pos = torch::empty({Q}, kLong),
                    ans = torch::empty({Q}, kLong), grp = torch::empty({Q}, kLong);
      auto ia = idx.accessor<int64_t, 2>();
      for (int64_t r = 0; r < Q; ++r) {
        const QAItem& q = qs[static_cast<size_t>(order[at + static_cast<size_t>(r)])];
        const int64_t len = plen(order[at + static_cast<size_t>(r)]);
        const size_t off = q.prompt.size() - static_cast<size_t>(len);
        for (int64_t t = 0; t < len; ++t) ia[r][t] = q.prompt[off + static_cast<size_t>(t)];
        pos[r] = len - 1;
        ans[r] = static_cast<int64_t>(q.answer_first);
        grp[r] = static_cast<int64_t>(q.group);
        ++fta_count_[static_cast<size_t>(q.group)];
      }
      fta_chunks_.push_back({idx.to(device_), pos.to(device_), ans.to(device_), grp.to(device_)});
      at = end;
    }
  }
}

std::vector<std::array<int, 2>> SnapshotBuilder::matrix_shapes() const {
  const int d = cfg_.model.d_model, h = cfg_.model.ffn_hidden();
  const int kv = cfg_.model.kv_head_count() * cfg_.model.head_dim();
  std::vector<std::array<int, 2>> out;
  for (const auto& n : names_) {
    if (n == "mlp.in" || n == "mlp.gate")
      out.push_back({h, d});
    else if (n == "mlp.out")
      out.push_back({d, h});
    else if (n == "attn.k" || n == "attn.v")
      out.push_back({kv, d});
    else
      out.push_back({d, d});  // attn.*, qk = W_q^T W_k, vo = W_o W_v
  }
  return out;
}

torch::Tensor SnapshotBuilder::expand_kv(const torch::Tensor& w) const {
  // (Hkv*hd, d) -> (H*hd, d): K/V head g's rows repeated for its H/Hkv query heads, as
  // AttentionImpl's repeat_kv does with the activations.
  const int64_t H = cfg_.model.heads, Hkv = cfg_.model.kv_head_count();
  if (H == Hkv) return w;
  const int64_t hd = cfg_.model.head_dim(), d = w.size(1);
  return w.view({Hkv, 1, hd, d}).expand({Hkv, H / Hkv, hd, d}).reshape({H * hd, d});
}

std::vector<torch::Tensor> SnapshotBuilder::block_roles(const GPTImpl& model, int layer) const {
  std::vector<torch::Tensor> r;
  for (const auto& role : block_matrix_roles()) {
    const torch::Tensor w = model.weight(layer, role);  // (out, in); undefined: no gate
    r.push_back(w.defined() ? w.detach().to(torch::kFloat) : w);
  }
  return r;
}

torch::Tensor SnapshotBuilder::matrix(const std::vector<torch::Tensor>& roles,
                                      const std::string& name) const {
  // Composites (DESIGN.md section 4): logits q.k = x W_q^T W_k x'^T, output W_o W_v x; with
  // grouped-query attention W_k / W_v repeated per query head (sum over heads of W_q^h^T W_k^g).
  if (name == "qk") return roles[0].t().matmul(expand_kv(roles[1]));  // W_QK = W_q^T W_k (d, d)
  if (name == "vo") return roles[3].matmul(expand_kv(roles[2]));      // W_VO = W_o W_v   (d, d)
  const int i = role_index(name);
  if (i < 0 || !roles[static_cast<size_t>(i)].defined())
    throw std::runtime_error("SnapshotBuilder: model has no matrix '" + name + "'");
  return roles[static_cast<size_t>(i)];
}

void SnapshotBuilder::before_step(const GPTImpl& model) {
  torch::NoGradGuard ng;
  prev_.clear();
  for (int l = 0; l < cfg_.model.layers; ++l) {
    std::vector<torch::Tensor> r = block_roles(model, l);
    for (auto& t : r)
      if (t.defined()) t = t.clone();
    prev_.push_back(std::move(r));
  }
}

void SnapshotBuilder::set_muon_inputs(std::vector<std::vector<torch::Tensor>> by_layer_role) {
  muon_in_ = std::move(by_layer_role);
}

Snapshot SnapshotBuilder::compute(GPTImpl& model, int64_t step, bool with_kivi) {
  torch::NoGradGuard ng;
  TrainModeRestore restore{model, model.is_training()};
  model.eval();

  Snapshot s;
  s.step = step;
  s.tokens = step * int64_t(cfg_.train.batch_size) * cfg_.model.seq_len;
  s.matrix_names = names_;
  s.layers.resize(static_cast<size_t>(cfg_.model.layers));
  if (probe_x_.defined()) activations(model, s);
  spectra(model, s);
  head_spectra(model, s);
  prev_.clear();  // an update is known for one compute() only
  muon_in_.clear();
  if (with_kivi && !kivi_xy_.empty()) kivi(model, s);
  if (fta_groups_ > 0) fta(model, s);
  return s;
}

// One capture forward on the probe: PR of q, k, v, head_out per head, max logit, collapse,
// K (pre/post RoPE) and V magnitudes, and the probe loss.
void SnapshotBuilder::activations(GPTImpl& model, Snapshot& s) const {
  std::vector<LayerCapture> cap;
  ForwardOptions fo;
  fo.capture = &cap;
  s.val_loss = model.loss(probe_x_, probe_y_, fo).item<double>();
  if (cap.size() != s.layers.size())
    throw std::runtime_error("SnapshotBuilder: the model captured " + std::to_string(cap.size()) +
                             " layers, expected " + std::to_string(s.layers.size()));
  const int H = cfg_.model.heads;
  const double hd = cfg_.model.head_dim();
  for (size_t l = 0; l < cap.size(); ++l) {
    const LayerCapture& c = cap[l];
    LayerMetrics& lm = s.layers[l];
    // All heads of the four activations in one batch: (4H, N = P*T, hd).
    const torch::Tensor X = torch::cat({heads_as_rows(c.q), heads_as_rows(c.k), heads_as_rows(c.v),
                                        heads_as_rows(c.head_out)},
                                       0)
                                .to(torch::kFloat);
    const std::vector<double> psv = to_doubles(pr_sv(X)), pcv = to_doubles(pr_cov(X));  // (4H)
    for (int a = 0; a < kNumActs; ++a) {
      lm.pr_sv[a].assign(psv.begin() + a * H, psv.begin() + (a + 1) * H);
      lm.pr_cov[a].assign(pcv.begin() + a * H, pcv.begin() + (a + 1) * H);
    }
    lm.max_logit = to_doubles(c.max_logit);
    lm.collapsed.resize(static_cast<size_t>(H));
    for (int h = 0; h < H; ++h)
      lm.collapsed[h] = lm.pr_sv[kActK][h] < cfg_.metrics.collapse_frac * hd ? 1 : 0;
    lm.k_pre = kv_magnitudes(c.k_pre.to(torch::kFloat));
    lm.k_post = kv_magnitudes(c.k.to(torch::kFloat));
    lm.v = kv_magnitudes(c.v.to(torch::kFloat));
  }
}

// Spectra of every (layer, matrix): same-shape matrices of all layers in one SVD call. With a
// known update, U of W from the same call gives update_top_share, and one more SVD per shape
// u1 of the direction D for update_cosine (Muon's NS5 input where recorded, else dW).
void SnapshotBuilder::spectra(GPTImpl& model, Snapshot& s) const {
  const int L = cfg_.model.layers;
  const size_t M = names_.size();
  const bool have_prev = static_cast<int>(prev_.size()) == L;
  const bool have_muon = static_cast<int>(muon_in_.size()) == L;
  std::vector<std::vector<torch::Tensor>> cur(static_cast<size_t>(L)), old(static_cast<size_t>(L));
  std::map<std::vector<int64_t>, std::vector<std::pair<int, size_t>>> by_shape;
  for (int l = 0; l < L; ++l) {
    const std::vector<torch::Tensor> roles = block_roles(model, l);
    for (size_t i = 0; i < M; ++i) {
      cur[l].push_back(matrix(roles, names_[i]));
      if (have_prev) old[l].push_back(matrix(prev_[static_cast<size_t>(l)], names_[i]));
      by_shape[cur[l].back().sizes().vec()].push_back({l, i});
    }
    s.layers[static_cast<size_t>(l)].matrices.resize(M);
  }
  // The direction the optimizer was given for (layer, matrix i): Muon's input where recorded.
  auto given = [&](int l, size_t i, const torch::Tensor& dW) -> torch::Tensor {
    const int r = role_index(names_[i]);  // -1 for the composites qk, vo: their dW
    if (!have_muon || r < 0) return dW;
    const auto& row = muon_in_[static_cast<size_t>(l)];
    const torch::Tensor& m =
        static_cast<size_t>(r) < row.size() ? row[static_cast<size_t>(r)] : torch::Tensor();
    return m.defined() ? m.detach().to(dW.options()) : dW;
  };
  for (const auto& [shape, members] : by_shape) {
    std::vector<torch::Tensor> w, wo;
    for (const auto& [l, i] : members) {
      w.push_back(cur[l][i]);
      if (have_prev) wo.push_back(old[l][i]);
    }
    const torch::Tensor W = torch::stack(w);  // (n, r, c)
    torch::Tensor sv;                         // (n, min(r, c))
    std::vector<double> cosine(members.size(), kNaN), share(members.size(), kNaN);
    if (have_prev) {
      const auto usv = at::linalg_svd(W, /*full_matrices=*/false);
      sv = std::get<1>(usv);
      const torch::Tensor U = std::get<0>(usv);       // (n, r, min(r, c))
      const torch::Tensor dW = W - torch::stack(wo);  // (n, r, c)
      share = to_doubles(update_top_share_from_u(dW, U, kUpdateTopK));
      std::vector<torch::Tensor> d;
      for (size_t j = 0; j < members.size(); ++j)
        d.push_back(given(members[j].first, members[j].second, dW[static_cast<int64_t>(j)]));
      const torch::Tensor D = torch::stack(d);  // (n, r, c)
      const torch::Tensor a = (top_left_singular_vector(D) * U.select(-1, 0)).sum(-1).abs();
      const torch::Tensor zero = D.flatten(1).abs().amax(1) == 0;  // no update: NaN
      cosine = to_doubles(torch::where(zero, torch::full_like(a, kNaN), a));
    } else {
      sv = svdvals_any(W);
    }
    std::vector<SpectrumMetrics> sm = spectrum_metrics_batched(sv);
    for (size_t j = 0; j < members.size(); ++j) {
      sm[j].update_cosine = cosine[j];
      sm[j].update_top_share = share[j];
      s.layers[static_cast<size_t>(members[j].first)].matrices[members[j].second] =
          std::move(sm[j]);
    }
  }
}

// Per-head composites W_QK^h = W_q^h^T W_k^h and W_OV^h = W_o^h W_v^h (DESIGN.md section 4)
// of every layer and head, one thin_product_svdvals call per kind over all L*H heads. W_q^h,
// W_k^h, W_v^h are rows h*hd .. (h+1)*hd of the (out, in) weights (the channels that
// AttentionImpl splits into head h), W_o^h the same columns of W_o. RoPE and QK-norm act
// between W_q and W_k in the forward pass; like the per-layer "qk", W_QK^h leaves them out.
// Spectrum metrics over the hd singular values (entropy normalized by log hd).
void SnapshotBuilder::head_spectra(const GPTImpl& model, Snapshot& s) const {
  const int L = cfg_.model.layers;
  const int64_t H = cfg_.model.heads, hd = cfg_.model.head_dim(), d = cfg_.model.d_model;
  std::vector<torch::Tensor> fq, gk, fo, gv;  // each (H, d, hd) per layer
  for (int l = 0; l < L; ++l) {
    const std::vector<torch::Tensor> r = block_roles(model, l);
    auto w = [&](const char* role) { return r[static_cast<size_t>(role_index(role))]; };  // (d, d)
    auto rows = [&](const torch::Tensor& m) {  // (d, d) -> (H, d, hd): W^h^T, W^h = rows of head h
      return m.reshape({H, hd, d}).transpose(1, 2);
    };
    fq.push_back(rows(w("attn.q")));                                   // W_q^h^T  (H, d, hd)
    gk.push_back(rows(expand_kv(w("attn.k"))));                        // W_k^h^T  (H, d, hd)
    gv.push_back(rows(expand_kv(w("attn.v"))));                        // W_v^h^T  (H, d, hd)
    fo.push_back(w("attn.o").reshape({d, H, hd}).permute({1, 0, 2}));  // W_o^h    (H, d, hd)
  }
  // W_QK^h = (W_q^h^T)(W_k^h^T)^T, W_OV^h = (W_o^h)(W_v^h^T)^T: both F G^T. No power-law
  // fit here: hd eigenvalues are too few for a tail (alpha & co. stay NaN, not stored).
  std::vector<SpectrumMetrics> qk = spectrum_metrics_batched(
      thin_product_svdvals(torch::cat(fq), torch::cat(gk)), /*fit_power_law=*/false);  // (L*H)
  std::vector<SpectrumMetrics> ov = spectrum_metrics_batched(
      thin_product_svdvals(torch::cat(fo), torch::cat(gv)), /*fit_power_law=*/false);  // (L*H)
  for (int l = 0; l < L; ++l) {
    LayerMetrics& lm = s.layers[static_cast<size_t>(l)];
    lm.qk_heads.assign(std::make_move_iterator(qk.begin() + l * H),
                       std::make_move_iterator(qk.begin() + (l + 1) * H));
    lm.ov_heads.assign(std::make_move_iterator(ov.begin() + l * H),
                       std::make_move_iterator(ov.begin() + (l + 1) * H));
  }
}

// KIVI-style quantized K/V cache: loss deltas on the fixed validation batches. The cache is
// streamed as KIVI does (GPT.h KvQuantization): completed groups of G tokens quantized, the
// residual recent tokens in full precision, so the quantized loss stays causal.
void SnapshotBuilder::kivi(GPTImpl& model, Snapshot& s) const {
  const int64_t G = cfg_.metrics.kivi_group;
  auto mean_loss = [&](const ForwardOptions& fo) {
    double sum = 0;
    for (const auto& xy : kivi_xy_) sum += model.loss(xy[0], xy[1], fo).item<double>();
    return sum / static_cast<double>(kivi_xy_.size());
  };
  KiviMetrics& k = s.kivi;
  k.loss_fp = mean_loss(ForwardOptions{});
  for (size_t b = 0; b < kKiviBits.size(); ++b) {
    const int bits = kKiviBits[b];
    // Each call gets single groups (N, H, G, hd): per-channel = each channel over the group's
    // G tokens; per-token = each token over groups of G of its H*hd channels.
    auto per_chan = [bits, G](const torch::Tensor& x) { return kivi_per_channel(x, bits, G); };
    auto per_tok = [bits, G](const torch::Tensor& x) { return kivi_per_token(x, bits, G); };
    ForwardOptions kivi_fo;  // KIVI's scheme: K per-channel, V per-token
    kivi_fo.kv_quant = {G, per_chan, per_tok};
    k.k_chan_v_tok[b] = mean_loss(kivi_fo) - k.loss_fp;
    ForwardOptions swapped;  // K per-token, V per-channel
    swapped.kv_quant = {G, per_tok, per_chan};
    k.k_tok_v_chan[b] = mean_loss(swapped) - k.loss_fp;
  }
  k.valid = true;
}

// First-token accuracy per group: argmax at the last prompt position == the answer's first
// token, over the fixed stratified question set.
void SnapshotBuilder::fta(GPTImpl& model, Snapshot& s) const {
  torch::Tensor correct =
      torch::zeros({fta_groups_}, torch::TensorOptions().dtype(torch::kDouble).device(device_));
  for (const FtaChunk& c : fta_chunks_) {
    const torch::Tensor logits = model.forward(c.idx);  // (Q, L, V)
    const torch::Tensor last =
        logits.gather(1, c.pos.view({-1, 1, 1}).expand({-1, 1, logits.size(2)})).squeeze(1);
    const torch::Tensor hit = (last.argmax(-1) == c.answer).to(torch::kDouble);  // (Q)
    correct.index_add_(0, c.group, hit);
  }
  const std::vector<double> hits = to_doubles(correct);
  s.fta.assign(static_cast<size_t>(fta_groups_), kNaN);
  for (size_t g = 0; g < s.fta.size(); ++g)
    if (fta_count_[g] > 0) s.fta[g] = hits[g] / static_cast<double>(fta_count_[g]);
}

}  // namespace ms
