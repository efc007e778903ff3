// SnapshotBuilder over a real (small) GPT and the tail-QA source: every Snapshot field filled
// with the right sizes and finite values, spectra / update alignment against a float64 SVD of
// the model's own matrices, per-head composites W_QK^h / W_OV^h on weights with known
// spectra, the probe fixed by train.seed, and FTA against per-question forwards on a rigged
// question set whose right answers are known (padding, truncation and gathering of the
// batched FTA pass).
// torch before Qt: Qt's `slots` macro breaks torch's headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <map>
#include <memory>

#include "data/DataSource.h"
#include "metrics/Metrics.h"
#include "metrics/SnapshotBuilder.h"
#include "model/GPT.h"

using namespace ms;

namespace {

RunConfig small_config() {
  RunConfig c;
  c.model.layers = 2;
  c.model.heads = 4;
  c.model.d_model = 32;
  c.model.seq_len = 32;
  c.train.batch_size = 4;
  c.train.seed = 7;
  c.data.tailqa_groups = 4;  // groups g = 0..4
  c.metrics.probe_batch = 4;
  c.metrics.kivi_batches = 1;
  c.metrics.kivi_group = 8;
  c.metrics.fta_max_questions = 40;
  return c;
}

// A data source with the tail-QA token streams of `inner` and a question set of our own.
class RiggedQA : public DataSource {
 public:
  RiggedQA(const DataSource& inner, std::vector<QAItem> qs, int groups)
      : in_(inner), qs_(std::move(qs)), groups_(groups) {}
  std::string kind() const override { return in_.kind(); }
  std::string description() const override { return "rigged " + in_.description(); }
  int vocab_size() const override { return in_.vocab_size(); }
  int64_t size(Split s) const override { return in_.size(s); }
  void copy(Split s, int64_t a, int64_t n, int64_t* out) const override { in_.copy(s, a, n, out); }
  std::string decode(const std::vector<int32_t>& t) const override { return in_.decode(t); }
  const std::vector<QAItem>& questions() const override { return qs_; }
  int groups() const override { return groups_; }

 private:
  const DataSource& in_;
  std::vector<QAItem> qs_;
  int groups_;
};

bool is_fin(double x) {
  return std::isfinite(x);
}

}  // namespace

class TestSnapshotBuilder : public QObject {
  Q_OBJECT
  RunConfig cfg_;
  std::unique_ptr<DataSource> data_;

  GPT make_model(const RunConfig& c, uint64_t seed) {
    torch::manual_seed(seed);
    return GPT(c.model);
  }
  // Simulates an optimizer step: every block matrix moves, except `keep` of layer 1.
  static void perturb(GPTImpl& m, const std::string& keep) {
    torch::NoGradGuard ng;
    for (const NamedParam& p : m.named_params())
      if (p.layer >= 0 && p.param.dim() == 2 && !(p.layer == 1 && p.role == keep))
        p.param.add_(torch::randn_like(p.param) * 1e-3);
  }

  // The spectrum metrics of every (layer, matrix) of s against a float64 SVD of the model's own
  // matrix (the composites as products), so that the ranges in check_fields stand beside values.
  // Reports the first difference.
  static void check_spectra(const Snapshot& s, GPTImpl& m) {
    torch::NoGradGuard ng;
    int checked = 0;
    for (size_t l = 0; l < s.layers.size(); ++l) {
      const auto w = [&](const std::string& r) { return m.weight(int(l), r).to(torch::kDouble); };
      for (size_t i = 0; i < s.matrix_names.size(); ++i) {
        const std::string& name = s.matrix_names[i];
        const torch::Tensor W = name == "qk"   ? w("attn.q").t().matmul(w("attn.k"))
                                : name == "vo" ? w("attn.o").matmul(w("attn.v"))
                                               : w(name);
        const SpectrumMetrics ref = spectrum_metrics(at::linalg_svdvals(W));
        const SpectrumMetrics& got = s.layers[l].matrices[i];
        QCOMPARE(got.sv.size(), ref.sv.size());
        const std::pair<const char*, std::pair<double, double>> fields[] = {
            {"sigma_max", {got.sv.front(), ref.sv.front()}},
            {"sigma_min", {got.sv.back(), ref.sv.back()}},
            {"entropy", {got.entropy, ref.entropy}},
            {"erank", {got.erank, ref.erank}},
            {"top10", {got.top10, ref.top10}},
            {"q75/q25", {got.q75_q25, ref.q75_q25}},
            {"stable rank", {got.stable_rank, ref.stable_rank}}};
        for (const auto& [what, v] : fields)
          QVERIFY2(std::abs(v.first - v.second) <= 1e-4 * std::abs(v.second) + 1e-6,
                   ("layer " + std::to_string(l) + " " + name + " " + what + ": snapshot " +
                    std::to_string(v.first) + ", float64 " + std::to_string(v.second))
                       .c_str());
        ++checked;
      }
    }
    QCOMPARE(checked, int(s.layers.size() * s.matrix_names.size()));
  }

  // Sizes and ranges of every field.
  void check_fields(const Snapshot& s, const RunConfig& c, const SnapshotBuilder& b, bool kivi,
                    bool aligned) {
    const int L = c.model.layers, H = c.model.heads, hd = c.model.head_dim();
    const size_t M = spectrum_matrix_names(c.model).size();
    QCOMPARE(s.matrix_names, spectrum_matrix_names(c.model));
    QCOMPARE(s.layers.size(), size_t(L));
    QVERIFY(is_fin(s.val_loss) && s.val_loss > 0);
    const auto shapes = b.matrix_shapes();
    QCOMPARE(shapes.size(), M);
    for (const LayerMetrics& lm : s.layers) {
      QCOMPARE(lm.matrices.size(), M);
      for (size_t i = 0; i < M; ++i) {
        const SpectrumMetrics& sm = lm.matrices[i];
        const double n = std::min(shapes[i][0], shapes[i][1]);
        QCOMPARE(sm.sv.size(), size_t(n));
        QVERIFY(sm.entropy > 0 && sm.entropy <= 1 + 1e-6);
        QVERIFY(sm.erank >= 1 - 1e-6 && sm.erank <= n + 1e-3);
        QVERIFY(sm.top10 > 0 && sm.top10 <= 1 + 1e-6);
        QVERIFY(sm.q75_q25 >= 1 - 1e-6 && is_fin(sm.q75_q25));
        QVERIFY(sm.stable_rank >= 1 - 1e-6 && sm.stable_rank <= n + 1e-3);
        const bool unchanged = s.matrix_names[i] == "mlp.out" && &lm == &s.layers[1];
        if (aligned && !unchanged) {
          QVERIFY(sm.update_cosine >= 0 && sm.update_cosine <= 1 + 1e-6);
          QVERIFY(sm.update_top_share >= 0 && sm.update_top_share <= 1 + 1e-6);
        } else if (!aligned) {
          QVERIFY(std::isnan(sm.update_cosine));
          QVERIFY(std::isnan(sm.update_top_share));
        }
      }
      for (int a = 0; a < kNumActs; ++a) {
        QCOMPARE(lm.pr_sv[a].size(), size_t(H));
        QCOMPARE(lm.pr_cov[a].size(), size_t(H));
        for (int h = 0; h < H; ++h) {
          QVERIFY(lm.pr_sv[a][h] >= 1 - 1e-4 && lm.pr_sv[a][h] <= hd + 1e-3);
          QVERIFY(lm.pr_cov[a][h] >= 1 - 1e-4 && lm.pr_cov[a][h] <= hd + 1e-3);
        }
      }
      QCOMPARE(lm.max_logit.size(), size_t(H));
      QCOMPARE(lm.collapsed.size(), size_t(H));
      for (int h = 0; h < H; ++h) {
        QVERIFY(is_fin(lm.max_logit[h]));
        QCOMPARE(bool(lm.collapsed[h]), lm.pr_sv[kActK][h] < c.metrics.collapse_frac * hd);
      }
      for (const Magnitudes* m : {&lm.k_pre, &lm.k_post, &lm.v}) {
        QCOMPARE(m->channel.size(), size_t(H * hd));
        QCOMPARE(m->token.size(), size_t(c.model.seq_len));
        for (const Spikiness* sp : {&m->channel_spk, &m->token_spk})
          QVERIFY(sp->max_mean >= 1 && is_fin(sp->p99_p50) && sp->top1_mass > 0 &&
                  sp->top1_mass <= 1);
        QVERIFY(is_fin(m->asymmetry) && m->asymmetry > 0);
      }
    }
    for (const LayerMetrics& lm : s.layers)
      for (const auto* heads : {&lm.qk_heads, &lm.ov_heads}) {
        QCOMPARE(heads->size(), size_t(H));
        for (const SpectrumMetrics& sm : *heads) {
          QCOMPARE(sm.sv.size(), size_t(hd));  // rank <= head_dim: the hd leading values
          QVERIFY(sm.entropy > 0 && sm.entropy <= 1 + 1e-6);
          QVERIFY(sm.erank >= 1 - 1e-6 && sm.erank <= hd + 1e-3);
          QVERIFY(std::isnan(sm.update_cosine) && std::isnan(sm.update_top_share));
        }
      }
    QCOMPARE(s.kivi.valid, kivi);
    if (kivi) {
      QVERIFY(is_fin(s.kivi.loss_fp));
      for (int b = 0; b < 2; ++b)
        QVERIFY(is_fin(s.kivi.k_chan_v_tok[b]) && is_fin(s.kivi.k_tok_v_chan[b]));
    }
  }

 private slots:
  void initTestCase() {
    cfg_ = small_config();
    data_ = make_data_source(cfg_.data, cfg_.train.seed);
    cfg_.model.vocab_size = data_->vocab_size();
  }

  void everyFieldFilled() {
    GPT model = make_model(cfg_, 1);
    SnapshotBuilder b(cfg_, *data_, torch::kCPU);
    b.before_step(*model);
    perturb(*model, "mlp.out");
    model->train();
    const Snapshot s = b.compute(*model, 7, true);
    QVERIFY(model->is_training());  // mode restored
    QCOMPARE(s.step, int64_t(7));
    QCOMPARE(s.tokens, int64_t(7 * cfg_.train.batch_size * cfg_.model.seq_len));
    check_fields(s, cfg_, b, true, true);
    check_spectra(s, *model);
    if (QTest::currentTestFailed()) return;
    // An unchanged matrix has no update direction.
    const size_t iout =
        std::find(s.matrix_names.begin(), s.matrix_names.end(), "mlp.out") - s.matrix_names.begin();
    QVERIFY(iout < s.matrix_names.size());
    QVERIFY(std::isnan(s.layers[1].matrices[iout].update_cosine));
    QVERIFY(std::isnan(s.layers[1].matrices[iout].update_top_share));
    QVERIFY(is_fin(s.layers[0].matrices[iout].update_cosine));
    QVERIFY(is_fin(s.layers[0].matrices[iout].update_top_share));
    // The probe loss is the model's loss on the probe batch.
    torch::NoGradGuard ng;
    QVERIFY(std::abs(s.val_loss - model->loss(b.probe_inputs(), b.probe_targets()).item<double>()) <
            1e-5);
    // FTA: one share per group, every group represented.
    QCOMPARE(s.fta.size(), size_t(data_->groups()));
    for (double f : s.fta) QVERIFY(f >= 0 && f <= 1);
    // Without before_step and without KIVI: alignment NaN, kivi invalid; the rest identical.
    const Snapshot s2 = b.compute(*model, 8, false);
    check_fields(s2, cfg_, b, false, false);
    QCOMPARE(s2.val_loss, s.val_loss);
    QCOMPARE(s2.layers[0].pr_sv[kActK], s.layers[0].pr_sv[kActK]);
    // (svdvals vs the SVD with vectors: the same spectrum up to float32 rounding)
    QVERIFY(std::abs(s2.layers[1].matrices[2].stable_rank - s.layers[1].matrices[2].stable_rank) <
            1e-5 * s.layers[1].matrices[2].stable_rank);
  }

  void gatedVariantFilled() {
    RunConfig c = cfg_;
    c.model.layers = 1;
    c.model.ffn = "swiglu";
    c.model.qk_norm = true;
    c.model.pos = "learned";
    c.model.norm = "layernorm";
    c.metrics.fta = false;
    GPT model = make_model(c, 2);
    SnapshotBuilder b(c, *data_, torch::kCPU);
    QCOMPARE(b.fta_groups(), 0);
    const Snapshot s = b.compute(*model, 1, true);
    QVERIFY(std::find(s.matrix_names.begin(), s.matrix_names.end(), "mlp.gate") !=
            s.matrix_names.end());
    check_fields(s, c, b, true, false);
    check_spectra(s, *model);
    if (QTest::currentTestFailed()) return;
    QVERIFY(s.fta.empty());
  }

  // update_cosine is taken on the direction the optimizer was given where the Trainer passes
  // one (Muon's NS5 input), on dW otherwise; update_top_share always on dW.
  void updateCosineUsesTheGivenDirection() {
    GPT model = make_model(cfg_, 4);
    torch::NoGradGuard ng;
    const int d = cfg_.model.d_model;
    torch::manual_seed(8);
    const torch::Tensor u = torch::randn({d}, torch::kDouble).div(std::sqrt(double(d)));
    const torch::Tensor v = torch::randn({d}, torch::kDouble).div(std::sqrt(double(d)));
    const torch::Tensor un = u / u.norm(), vn = v / v.norm();
    const torch::Tensor W0 =
        3.0 * torch::outer(un, vn) + 0.01 * torch::randn({d, d}, torch::kDouble);
    // A Muon-like update: flat spectrum (a scaled orthogonal matrix), no preferred direction.
    const torch::Tensor Q = std::get<0>(at::linalg_qr(torch::randn({d, d}, torch::kDouble)));
    const torch::Tensor dW = 0.01 * Q;
    const size_t iv = 2;  // attn.v in matrix_names
    double cos_given = 0, cos_dw = 0, share_given = 0, share_dw = 0;
    for (bool given : {true, false}) {
      model->weight(0, "attn.v").copy_(W0);
      SnapshotBuilder b(cfg_, *data_, torch::kCPU);
      b.before_step(*model);
      model->weight(0, "attn.v").add_(dW);
      if (given) {
        std::vector<std::vector<torch::Tensor>> in(
            size_t(cfg_.model.layers), std::vector<torch::Tensor>(block_matrix_roles().size()));
        in[0][iv] = torch::outer(un, vn).to(torch::kFloat);  // momentum along W's top direction
        b.set_muon_inputs(in);
      }
      const Snapshot s = b.compute(*model, 1, false);
      QCOMPARE(s.matrix_names[iv], std::string("attn.v"));
      const SpectrumMetrics& m = s.layers[0].matrices[iv];
      (given ? cos_given : cos_dw) = m.update_cosine;
      (given ? share_given : share_dw) = m.update_top_share;
      // Other matrices of the layer have no given direction: the same as without.
      QVERIFY(std::isnan(s.layers[0].matrices[0].update_cosine));  // attn.q did not move
    }
    const torch::Tensor W1 = model->weight(0, "attn.v").to(torch::kDouble);
    const torch::Tensor dW32 = W1 - W0.to(torch::kFloat).to(torch::kDouble);
    const torch::Tensor u1 = std::get<0>(at::linalg_svd(W1, false)).select(1, 0);
    QVERIFY(std::abs(cos_given - std::abs(u1.dot(un).item<double>())) < 1e-4);
    QVERIFY(cos_given > 0.99);
    // On the flat dW itself u1 is arbitrary (any direction of an orthogonal matrix is "top"),
    // which is why the Trainer passes Muon's input: far from W's top direction here.
    QVERIFY2(cos_dw < 0.9, qPrintable(QString("cosine on dW %1").arg(cos_dw)));
    // The top-10 share does not depend on the given direction; a flat update scores chance.
    QCOMPARE(share_given, share_dw);
    const torch::Tensor U10 = std::get<0>(at::linalg_svd(W1, false)).narrow(1, 0, 10);
    const double ref =
        U10.t().matmul(dW32).square().sum().item<double>() / dW32.square().sum().item<double>();
    QVERIFY(std::abs(share_dw - ref) < 1e-4);
    QVERIFY(std::abs(share_dw - 10.0 / d) < 1e-3);  // an orthogonal dW: exactly k / rows
  }

  void spectraMatchFloat64() {
    GPT model = make_model(cfg_, 3);
    torch::NoGradGuard ng;
    // Layer 0 attn.q: a clear top direction, then a rank-1 update at angle t from it, so u1 is
    // well separated in both and float32 vs float64 agree closely.
    const int d = cfg_.model.d_model;
    torch::manual_seed(5);
    const torch::Tensor U = std::get<0>(at::linalg_qr(torch::randn({d, 2}, torch::kDouble)));
    const torch::Tensor v = torch::randn({d}, torch::kDouble).div(std::sqrt(double(d)));
    const torch::Tensor W0 =
        2.0 * torch::outer(U.select(1, 0),
                           torch::randn({d}, torch::kDouble).div(std::sqrt(double(d)))) +
        0.01 * torch::randn({d, d}, torch::kDouble);
    model->weight(0, "attn.q").copy_(W0);
    SnapshotBuilder b(cfg_, *data_, torch::kCPU);
    b.before_step(*model);
    const double t = 0.4;
    const torch::Tensor dW =
        0.5 * torch::outer(std::cos(t) * U.select(1, 0) + std::sin(t) * U.select(1, 1), v);
    model->weight(0, "attn.q").add_(dW);
    const Snapshot s = b.compute(*model, 1, false);

    const torch::Tensor W1 = model->weight(0, "attn.q").to(torch::kDouble);
    const torch::Tensor dW32 = W1 - W0.to(torch::kFloat).to(torch::kDouble);
    const SpectrumMetrics& q = s.layers[0].matrices[0];
    const SpectrumMetrics ref = spectrum_metrics(at::linalg_svdvals(W1));
    QVERIFY(std::abs(q.stable_rank - ref.stable_rank) < 1e-4 * ref.stable_rank);
    QVERIFY(std::abs(q.entropy - ref.entropy) < 1e-5);
    QVERIFY(std::abs(q.q75_q25 - ref.q75_q25) < 1e-3 * ref.q75_q25);
    QVERIFY(std::abs(q.update_cosine - update_cosine(dW32, W1)) < 1e-4);
    // Independent float64 reference of the top-10 share: ||U_10^T dW||^2 / ||dW||^2.
    const torch::Tensor U10 = std::get<0>(at::linalg_svd(W1, false)).narrow(1, 0, 10);
    const double share_ref =
        U10.t().matmul(dW32).square().sum().item<double>() / dW32.square().sum().item<double>();
    QVERIFY(std::abs(q.update_top_share - share_ref) < 1e-4);
    QVERIFY(q.update_top_share > 0.5);  // the update lies mostly in W's top-2 directions
    // Composites of layer 1 against a float64 product of the model's matrices.
    const auto w = [&](const char* r) { return model->weight(1, r).to(torch::kDouble); };
    const SpectrumMetrics qk =
        spectrum_metrics(at::linalg_svdvals(w("attn.q").t().matmul(w("attn.k"))));
    const SpectrumMetrics vo =
        spectrum_metrics(at::linalg_svdvals(w("attn.o").matmul(w("attn.v"))));
    const auto& names = s.matrix_names;
    const size_t iqk = std::find(names.begin(), names.end(), "qk") - names.begin();
    const size_t ivo = std::find(names.begin(), names.end(), "vo") - names.begin();
    QVERIFY(std::abs(s.layers[1].matrices[iqk].erank - qk.erank) < 1e-3 * qk.erank);
    QVERIFY(std::abs(s.layers[1].matrices[ivo].stable_rank - vo.stable_rank) <
            1e-3 * vo.stable_rank);
    QVERIFY(std::abs(s.layers[1].matrices[ivo].sv[0] - vo.sv[0]) < 1e-4 * vo.sv[0]);
  }

  // Per-head composites on weights built so that head h of layer l applies known maps:
  // W_q^h = diag(a_lh) P_lh^T, W_k^h = Q_lh^T, so W_QK^h = P_lh diag(a_lh) Q_lh^T, and
  // W_o^h = U_lh diag(b_lh), W_v^h = V_lh^T, so W_OV^h = U_lh diag(b_lh) V_lh^T, with P, Q, U, V
  // (d, hd) orthonormal columns drawn independently per head (so the heads' ranges overlap and
  // the sum over heads is not a union of the heads' spectra). Checked against the known a, b,
  // against a float64 reference from an explicit per-head loop over the model's weights with
  // an SVD of each explicit d x d product, and against the summed per-layer qk / vo.
  void headCompositesKnownSpectra() {
    RunConfig c = cfg_;
    c.metrics.fta = false;
    c.metrics.kivi_batches = 0;
    GPT model = make_model(c, 5);
    const int L = c.model.layers, H = c.model.heads, hd = c.model.head_dim(), d = c.model.d_model;
    const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
    auto orthonormal = [&] {  // (d, hd) with orthonormal columns
      return std::get<0>(at::linalg_qr(torch::randn({d, hd}, f64), "reduced"));
    };
    auto known_qk = [](int l, int h, int i) { return (1.0 + h + 0.5 * l) * std::pow(0.8, i); };
    auto known_ov = [](int l, int h, int i) { return (2.0 + 0.7 * h + l) * std::pow(0.6, i); };
    torch::manual_seed(11);
    {
      torch::NoGradGuard ng;
      for (int l = 0; l < L; ++l) {
        torch::Tensor Wq = torch::zeros({d, d}, f64), Wk = torch::zeros({d, d}, f64),
                      Wv = torch::zeros({d, d}, f64), Wo = torch::zeros({d, d}, f64);
        for (int h = 0; h < H; ++h) {
          torch::Tensor a = torch::empty({hd}, f64), b = torch::empty({hd}, f64);
          for (int i = 0; i < hd; ++i) {
            a[i] = known_qk(l, h, i);
            b[i] = known_ov(l, h, i);
          }
          const torch::Tensor P = orthonormal(), Q = orthonormal(), U = orthonormal(),
                              V = orthonormal();
          const auto rows = torch::indexing::Slice(h * hd, (h + 1) * hd);
          using torch::indexing::Slice;
          Wq.index_put_({rows, Slice()}, a.unsqueeze(1) * P.t());  // diag(a) P^T  (hd, d)
          Wk.index_put_({rows, Slice()}, Q.t());                   // Q^T          (hd, d)
          Wv.index_put_({rows, Slice()}, V.t());                   // V^T          (hd, d)
          Wo.index_put_({Slice(), rows}, U * b.unsqueeze(0));      // U diag(b)    (d, hd)
        }
        model->weight(l, "attn.q").copy_(Wq);
        model->weight(l, "attn.k").copy_(Wk);
        model->weight(l, "attn.v").copy_(Wv);
        model->weight(l, "attn.o").copy_(Wo);
      }
    }
    SnapshotBuilder b(c, *data_, torch::kCPU);
    const Snapshot s = b.compute(*model, 1, false);
    check_fields(s, c, b, false, false);

    const auto& names = s.matrix_names;
    const size_t iqk = std::find(names.begin(), names.end(), "qk") - names.begin();
    const size_t ivo = std::find(names.begin(), names.end(), "vo") - names.begin();
    QVERIFY(iqk < names.size() && ivo < names.size());
    for (int l = 0; l < L; ++l) {
      const auto w = [&](const char* r) { return model->weight(l, r).detach().to(torch::kDouble); };
      const torch::Tensor Wq = w("attn.q"), Wk = w("attn.k"), Wv = w("attn.v"), Wo = w("attn.o");
      torch::Tensor qk_sum = torch::zeros({d, d}, f64), ov_sum = torch::zeros({d, d}, f64);
      for (int h = 0; h < H; ++h) {
        // The explicit d x d maps of head h, from the (out, in) weights.
        const torch::Tensor Wq_h = Wq.narrow(0, h * hd, hd), Wk_h = Wk.narrow(0, h * hd, hd),
                            Wv_h = Wv.narrow(0, h * hd, hd), Wo_h = Wo.narrow(1, h * hd, hd);
        const torch::Tensor QK_h = Wq_h.t().matmul(Wk_h), OV_h = Wo_h.matmul(Wv_h);  // (d, d)
        qk_sum += QK_h;
        ov_sum += OV_h;
        const torch::Tensor ref_qk = at::linalg_svdvals(QK_h).narrow(0, 0, hd);  // (hd)
        const torch::Tensor ref_ov = at::linalg_svdvals(OV_h).narrow(0, 0, hd);
        // Rank <= hd: the rest of the d x d spectrum is zero.
        QVERIFY(at::linalg_svdvals(QK_h)[hd].item<double>() < 1e-10);
        const SpectrumMetrics& got_qk = s.layers[l].qk_heads[h];
        const SpectrumMetrics& got_ov = s.layers[l].ov_heads[h];
        for (int i = 0; i < hd; ++i) {
          const double kq = known_qk(l, h, i), ko = known_ov(l, h, i);
          QVERIFY(std::abs(ref_qk[i].item<double>() - kq) < 1e-4 * kq);  // fp32 weights
          QVERIFY(std::abs(ref_ov[i].item<double>() - ko) < 1e-4 * ko);
          QVERIFY2(std::abs(got_qk.sv[i] - ref_qk[i].item<double>()) < 1e-5 * kq,
                   qPrintable(QString("qk layer %1 head %2 sv %3: %4 vs %5")
                                  .arg(l)
                                  .arg(h)
                                  .arg(i)
                                  .arg(got_qk.sv[i])
                                  .arg(ref_qk[i].item<double>())));
          QVERIFY2(std::abs(got_ov.sv[i] - ref_ov[i].item<double>()) < 1e-5 * ko,
                   qPrintable(QString("ov layer %1 head %2 sv %3: %4 vs %5")
                                  .arg(l)
                                  .arg(h)
                                  .arg(i)
                                  .arg(got_ov.sv[i])
                                  .arg(ref_ov[i].item<double>())));
        }
        // Metrics over the hd leading values: entropy normalized by log(hd).
        const SpectrumMetrics mq = spectrum_metrics(ref_qk), mo = spectrum_metrics(ref_ov);
        QVERIFY(std::abs(got_qk.entropy - mq.entropy) < 1e-5);
        QVERIFY(std::abs(got_qk.erank - mq.erank) < 1e-4 * mq.erank);
        QVERIFY(std::abs(got_qk.stable_rank - mq.stable_rank) < 1e-4 * mq.stable_rank);
        QVERIFY(std::abs(got_qk.top10 - mq.top10) < 1e-5);
        QVERIFY(std::abs(got_qk.q75_q25 - mq.q75_q25) < 1e-4 * mq.q75_q25);
        QVERIFY(std::abs(got_ov.entropy - mo.entropy) < 1e-5);
        QVERIFY(std::abs(got_ov.erank - mo.erank) < 1e-4 * mo.erank);
        const torch::Tensor q2 = ref_qk.square() / ref_qk.square().sum();
        const double H_hd = -(q2 * q2.log()).sum().item<double>() / std::log(double(hd));
        QVERIFY(std::abs(got_qk.entropy - H_hd) < 1e-5);
      }
      // The per-layer qk / vo are the sums over heads of these maps, with other spectra.
      const torch::Tensor sum_qk = at::linalg_svdvals(qk_sum), sum_ov = at::linalg_svdvals(ov_sum);
      const SpectrumMetrics& lqk = s.layers[l].matrices[iqk];
      const SpectrumMetrics& lvo = s.layers[l].matrices[ivo];
      QCOMPARE(lqk.sv.size(), size_t(d));
      QVERIFY(std::abs(lqk.sv[0] - sum_qk[0].item<double>()) < 1e-4 * sum_qk[0].item<double>());
      QVERIFY(std::abs(lvo.sv[0] - sum_ov[0].item<double>()) < 1e-4 * sum_ov[0].item<double>());
      for (int h = 0; h < H; ++h) {
        QVERIFY(std::abs(lqk.sv[0] - s.layers[l].qk_heads[h].sv[0]) > 1e-2 * lqk.sv[0]);
        QVERIFY(std::abs(lvo.sv[0] - s.layers[l].ov_heads[h].sv[0]) > 1e-2 * lvo.sv[0]);
        QVERIFY(std::abs(lqk.entropy - s.layers[l].qk_heads[h].entropy) > 1e-3);
      }
    }
  }

  void probeIsFixedBySeed() {
    SnapshotBuilder a(cfg_, *data_, torch::kCPU), b(cfg_, *data_, torch::kCPU);
    QVERIFY(torch::equal(a.probe_inputs(), b.probe_inputs()));
    QCOMPARE(a.probe_inputs().size(0), int64_t(cfg_.metrics.probe_batch));
    QCOMPARE(a.probe_inputs().size(1), int64_t(cfg_.model.seq_len));
    // Targets are the inputs shifted by one token (next-token windows of the val split).
    QVERIFY(torch::equal(a.probe_inputs().narrow(1, 1, cfg_.model.seq_len - 1),
                         a.probe_targets().narrow(1, 0, cfg_.model.seq_len - 1)));
    QCOMPARE(a.fta_questions(), b.fta_questions());
    RunConfig c = cfg_;
    c.train.seed = 8;
    SnapshotBuilder other(c, *data_, torch::kCPU);
    QVERIFY(!torch::equal(a.probe_inputs(), other.probe_inputs()));
    // Too short a validation split is an error naming the problem.
    c.model.seq_len = int(data_->size(Split::Val));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, SnapshotBuilder(c, *data_, torch::kCPU));
  }

  void ftaStratifiedSelection() {
    SnapshotBuilder b(cfg_, *data_, torch::kCPU);
    const auto& qs = data_->questions();
    const int G = data_->groups();
    std::vector<int> avail(G, 0), chosen(G, 0);
    for (const QAItem& q : qs) ++avail[q.group];
    for (int i : b.fta_questions()) ++chosen[qs[i].group];
    const int cap = cfg_.metrics.fta_max_questions;
    QVERIFY(int(qs.size()) > cap);  // the cap binds in this config
    QCOMPARE(int(b.fta_questions().size()), cap);
    for (int g = 0; g < G; ++g) {
      QVERIFY(chosen[g] > 0);
      QVERIFY(chosen[g] >= std::min(avail[g], cap / G));  // round robin: fair share or all
    }
  }

  void ftaMatchesPerQuestionForward() {
    // Questions whose answers are rigged to the model's own argmax (right) or not (wrong), with
    // different prompt lengths, one longer than seq_len (the builder keeps the last seq_len).
    GPT model = make_model(cfg_, 4);
    model->eval();
    torch::NoGradGuard ng;
    const auto& src = data_->questions();
    const int G = 3, T = cfg_.model.seq_len;
    auto argmax_last = [&](const std::vector<int32_t>& prompt) {
      const size_t n = std::min<size_t>(prompt.size(), size_t(T));
      std::vector<int64_t> ids(prompt.end() - n, prompt.end());
      const torch::Tensor x = torch::tensor(ids, torch::kLong).unsqueeze(0);  // (1, n)
      return int32_t(model->forward(x)[0][int64_t(n) - 1].argmax().item<int64_t>());
    };
    std::vector<QAItem> qs;
    std::vector<int> right(G, 0), total(G, 0);
    for (int i = 0; i < 20; ++i) {
      QAItem q = src[size_t(i) % src.size()];
      q.group = i % G;
      q.prompt.resize(q.prompt.size() - size_t(i % 3));  // varied lengths
      if (i == 5)                                        // longer than seq_len
        for (int r = 0; r < 3; ++r)
          q.prompt.insert(q.prompt.end(), src[0].prompt.begin(), src[0].prompt.end());
      const int32_t am = argmax_last(q.prompt);
      const bool ok = i % 3 != 1;
      q.answer_first = ok ? am : (am + 1) % cfg_.model.vocab_size;
      right[q.group] += ok;
      ++total[q.group];
      qs.push_back(std::move(q));
    }
    QVERIFY(qs[5].prompt.size() > size_t(T));
    RiggedQA rig(*data_, qs, G + 1);  // group G has no questions -> NaN
    SnapshotBuilder b(cfg_, rig, torch::kCPU);
    const Snapshot s = b.compute(*model, 1, false);
    QCOMPARE(s.fta.size(), size_t(G + 1));
    for (int g = 0; g < G; ++g) QCOMPARE(s.fta[g], double(right[g]) / total[g]);
    QVERIFY(std::isnan(s.fta[G]));
  }
};

QTEST_APPLESS_MAIN(TestSnapshotBuilder)
#include "test_snapshot_builder.moc"
