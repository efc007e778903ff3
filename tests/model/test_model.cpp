// test_model: the GPT of core/model against independent references. Shapes and parameter roles
// are counted by hand; attention, RoPE, QK-norm, max logit and a whole forward pass are
// recomputed here in float64 from the model's own weights with code that shares nothing with
// GPT.cpp; causality, capture, the streaming quantized K/V cache, determinism and a one-batch
// overfit check the behaviour the trainer and the metrics rely on. torch before Qt: Qt's `slots`
// macro breaks torch's headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "common/Compat.h"
#include "model/GPT.h"

using namespace ms;

namespace {

ModelConfig tiny(const std::string& ffn = "gelu", bool tied = false,
                 const std::string& pos = "rope", bool qk_norm = false,
                 const std::string& norm = "rmsnorm") {
  ModelConfig c;
  c.vocab_size = 11;
  c.seq_len = 8;
  c.layers = 2;
  c.heads = 4;
  c.d_model = 16;
  c.ffn_mult = 4;
  c.ffn = ffn;
  c.tie_embeddings = tied;
  c.pos = pos;
  c.qk_norm = qk_norm;
  c.norm = norm;
  return c;
}

torch::Tensor tokens(int64_t B, int64_t T, int64_t V, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(V, {B, T}, torch::kLong);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Naive causal attention in float64, loops over every (b, h, i, j). q, k, v (B, H, T, hd).
torch::Tensor naive_attention(const torch::Tensor& q_in, const torch::Tensor& k_in,
                              const torch::Tensor& v_in) {
  const auto q = q_in.to(torch::kDouble).contiguous(), k = k_in.to(torch::kDouble).contiguous(),
             v = v_in.to(torch::kDouble).contiguous();
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), hd = q.size(3);
  auto Q = q.accessor<double, 4>(), K = k.accessor<double, 4>(), Vv = v.accessor<double, 4>();
  torch::Tensor out = torch::zeros({B, H, T, hd}, torch::kDouble);
  auto O = out.accessor<double, 4>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < T; ++i) {
        std::vector<double> s(static_cast<size_t>(i + 1));
        double mx = -1e300;
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < hd; ++c) dot += Q[b][h][i][c] * K[b][h][j][c];
          s[static_cast<size_t>(j)] = dot / std::sqrt(static_cast<double>(hd));
          mx = std::max(mx, s[static_cast<size_t>(j)]);
        }
        double z = 0;
        for (auto& e : s) z += (e = std::exp(e - mx));
        for (int64_t j = 0; j <= i; ++j)
          for (int64_t c = 0; c < hd; ++c)
            O[b][h][i][c] += s[static_cast<size_t>(j)] / z * Vv[b][h][j][c];
      }
  return out;
}

// RoPE reference in float64, pair (c, c + hd/2) rotated by angle t * 10000^(-2c/hd).
torch::Tensor naive_rope(const torch::Tensor& x_in) {
  const auto x = x_in.to(torch::kDouble).contiguous();
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3), half = hd / 2;
  torch::Tensor out = torch::empty_like(x);
  auto X = x.accessor<double, 4>();
  auto O = out.accessor<double, 4>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < half; ++c) {
          const double a = t * std::pow(10000.0, -2.0 * c / hd);
          const double x1 = X[b][h][t][c], x2 = X[b][h][t][c + half];
          O[b][h][t][c] = x1 * std::cos(a) - x2 * std::sin(a);
          O[b][h][t][c + half] = x2 * std::cos(a) + x1 * std::sin(a);
        }
  return out;
}

// A whole forward pass in float64 written from DESIGN.md section 2, reading the model's weights.
torch::Tensor reference_forward(GPT& model, const torch::Tensor& idx) {
  const ModelConfig& c = model->config();
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : model->named_params()) w[p.name] = p.param.detach().to(torch::kDouble);
  const int64_t B = idx.size(0), T = idx.size(1), d = c.d_model, H = c.heads, hd = d / H;
  auto norm = [&](const torch::Tensor& x, const std::string& prefix) {
    if (c.norm == "layernorm") {
      const auto mu = x.mean(-1, true);
      const auto var = (x - mu).pow(2).mean(-1, true);
      return (x - mu) / torch::sqrt(var + 1e-5) * w[prefix + ".weight"] + w[prefix + ".bias"];
    }
    return x / torch::sqrt(x.pow(2).mean(-1, true) + 1e-6) * w[prefix + ".weight"];
  };
  torch::Tensor x = w["embed.weight"].index_select(0, idx.reshape({-1})).reshape({B, T, d});
  if (c.pos == "learned") x = x + w["pos.weight"].slice(0, 0, T);
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    const auto h = norm(x, p + "norm1");
    auto heads = [&](const std::string& m) {
      return torch::matmul(h, w[p + m].t()).reshape({B, T, H, hd}).permute({0, 2, 1, 3});
    };
    auto q = heads("attn.q.weight"), k = heads("attn.k.weight"), v = heads("attn.v.weight");
    if (c.qk_norm) {
      q = norm(q, p + "attn.q_norm");
      k = norm(k, p + "attn.k_norm");
    }
    if (c.pos == "rope") {
      q = naive_rope(q);
      k = naive_rope(k);
    }
    const auto y = naive_attention(q, k, v).permute({0, 2, 1, 3}).reshape({B, T, d});
    x = x + torch::matmul(y, w[p + "attn.o.weight"].t());
    const auto g = norm(x, p + "norm2");
    const auto a = torch::matmul(g, w[p + "mlp.in.weight"].t());
    torch::Tensor act;
    if (c.ffn == "swiglu") {
      const auto gate = torch::matmul(g, w[p + "mlp.gate.weight"].t());
      act = gate / (1 + torch::exp(-gate)) * a;  // silu(gate) * in
    } else {
      act = 0.5 * a * (1 + torch::erf(a / std::sqrt(2.0)));  // exact GELU
    }
    x = x + torch::matmul(act, w[p + "mlp.out.weight"].t());
  }
  x = norm(x, "norm_f");
  return torch::matmul(x, (c.tie_embeddings ? w["embed.weight"] : w["head.weight"]).t());
}

}  // namespace

class TestModel : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void outputShapes() {
    for (const auto& cfg : {tiny(), tiny("swiglu", true, "learned", true, "layernorm")}) {
      torch::manual_seed(1);
      GPT m(cfg);
      const auto idx = tokens(3, 8, cfg.vocab_size, 2);
      const auto logits = m->forward(idx);
      QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{3, 8, 11}));
      // shorter sequences are fine
      QCOMPARE(m->forward(idx.slice(1, 0, 5)).sizes().vec(), (std::vector<int64_t>{3, 5, 11}));
      const auto loss = m->loss(idx, tokens(3, 8, cfg.vocab_size, 3));
      QCOMPARE(loss.dim(), 0);
      QCOMPARE(loss.scalar_type(), torch::kFloat);
      // small init: the prediction is near uniform, loss ~ log(V)
      QVERIFY(std::abs(loss.item<double>() - std::log(11.0)) < 0.1);
    }
  }

  void lossIsMeanCrossEntropy() {
    torch::manual_seed(4);
    GPT m(tiny());
    const auto idx = tokens(2, 8, 11, 5), tgt = tokens(2, 8, 11, 6);
    const auto logp = torch::log_softmax(m->forward(idx).to(torch::kDouble), -1);  // (B, T, V)
    double ref = 0;
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t t = 0; t < 8; ++t) ref -= logp[b][t][tgt[b][t].item<int64_t>()].item<double>();
    ref /= 16;
    QVERIFY(std::abs(m->loss(idx, tgt).item<double>() - ref) < 1e-5);
  }

  void paramRolesAndCounts_data() {
    QTest::addColumn<QString>("ffn");
    QTest::addColumn<bool>("tied");
    QTest::addColumn<QString>("pos");
    QTest::addColumn<bool>("qk");
    QTest::addColumn<QString>("norm");
    QTest::newRow("gelu") << "gelu" << false << "rope" << false << "rmsnorm";
    QTest::newRow("swiglu") << "swiglu" << false << "rope" << false << "rmsnorm";
    QTest::newRow("tied") << "gelu" << true << "rope" << false << "rmsnorm";
    QTest::newRow("learned-pos") << "gelu" << false << "learned" << false << "rmsnorm";
    QTest::newRow("qk-norm") << "swiglu" << true << "rope" << true << "rmsnorm";
    QTest::newRow("layernorm") << "gelu" << false << "learned" << true << "layernorm";
  }
  void paramRolesAndCounts() {
    QFETCH(QString, ffn);
    QFETCH(bool, tied);
    QFETCH(QString, pos);
    QFETCH(bool, qk);
    QFETCH(QString, norm);
    const ModelConfig c = tiny(ffn.toStdString(), tied, pos.toStdString(), qk, norm.toStdString());
    GPT m(c);
    const int64_t V = 11, d = 16, L = 2, hd = 4, S = 8;
    const bool gated = ffn == "swiglu", ln = norm == "layernorm";
    const int64_t h = gated ? 48 : 64;  // swiglu: 2/3 of 4*16 rounded up to a multiple of 8
    QCOMPARE(int64_t(c.ffn_hidden()), h);
    const int64_t norm_p = ln ? 2 * d : d;  // weight (+ bias)
    int64_t expect = V * d + (tied ? 0 : V * d) + (pos == "learned" ? S * d : 0) + norm_p;
    const int64_t per_block = 2 * norm_p + 4 * d * d + (gated ? 3 : 2) * d * h +
                              (qk ? 2 * hd : 0);  // qk-norm is RMSNorm: weight only
    expect += L * per_block;
    QCOMPARE(m->num_params(), expect);

    const std::set<std::string> roles = {"embed",  "head",     "norm",   "pos",
                                         "attn.q", "attn.k",   "attn.v", "attn.o",
                                         "mlp.in", "mlp.gate", "mlp.out"};
    std::map<std::string, int> count;
    std::set<std::string> names;
    std::set<const void*> listed;
    for (const auto& p : m->named_params()) {
      QVERIFY2(roles.count(p.role), p.role.c_str());
      QVERIFY2(names.insert(p.name).second, p.name.c_str());
      QVERIFY(listed.insert(p.param.unsafeGetTensorImpl()).second);  // each tensor once
      QVERIFY(p.param.requires_grad());
      ++count[p.role];
      const bool in_block = p.name.rfind("blocks.", 0) == 0;
      if (in_block)
        QCOMPARE(p.layer, std::stoi(p.name.substr(7)));
      else
        QCOMPARE(p.layer, -1);
      if (p.role.rfind("attn.", 0) == 0)
        QCOMPARE(p.param.sizes().vec(), (std::vector<int64_t>{d, d}));
      if (p.role == "mlp.in" || p.role == "mlp.gate")
        QCOMPARE(p.param.sizes().vec(), (std::vector<int64_t>{h, d}));  // (out, in)
      if (p.role == "mlp.out") QCOMPARE(p.param.sizes().vec(), (std::vector<int64_t>{d, h}));
      if (p.role == "pos") QCOMPARE(p.param.sizes().vec(), (std::vector<int64_t>{S, d}));
      if (p.name.find("_norm.") != std::string::npos) {
        QCOMPARE(p.role, std::string("norm"));
        QCOMPARE(p.param.sizes().vec(), (std::vector<int64_t>{hd}));
      }
    }
    // names are the module's own parameter names (checkpoints, torch::save)
    const auto torch_named = m->named_parameters();
    for (const auto& p : m->named_params()) {
      QVERIFY2(torch_named.contains(p.name), p.name.c_str());
      QCOMPARE(torch_named[p.name].unsafeGetTensorImpl(), p.param.unsafeGetTensorImpl());
    }
    // every trainable tensor of the module is listed, and nothing else
    QCOMPARE(listed.size(), m->parameters().size());
    for (const auto& t : m->parameters()) QVERIFY(listed.count(t.unsafeGetTensorImpl()));
    QCOMPARE(count["embed"], 1);
    QCOMPARE(count["head"], tied ? 0 : 1);
    QCOMPARE(count["pos"], pos == "learned" ? 1 : 0);
    for (const char* r : {"attn.q", "attn.k", "attn.v", "attn.o", "mlp.in", "mlp.out"})
      QCOMPARE(count[r], 2);
    QCOMPARE(count["mlp.gate"], gated ? 2 : 0);
    // norms: 2 per block + final (+ q/k norms), each with a bias for layernorm (not qk-norm)
    QCOMPARE(count["norm"], (ln ? 2 : 1) * (2 * 2 + 1) + (qk ? 4 : 0));

    // weight() hands out the very parameter tensors
    for (const auto& p : m->named_params())
      if (p.layer >= 0 && p.role != "norm")
        QCOMPARE(m->weight(p.layer, p.role).unsafeGetTensorImpl(), p.param.unsafeGetTensorImpl());
    QCOMPARE(m->weight(1, "mlp.gate").defined(), gated);
    QVERIFY_THROWS_EXCEPTION(std::exception, m->weight(2, "attn.q"));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->weight(0, "embed"));

    auto names_expect = std::vector<std::string>{"attn.q", "attn.k", "attn.v", "attn.o", "mlp.in"};
    if (gated) names_expect.push_back("mlp.gate");
    names_expect.insert(names_expect.end(), {"mlp.out", "qk", "vo"});
    QCOMPARE(spectrum_matrix_names(c), names_expect);
  }

  void initStatistics() {
    ModelConfig c = tiny("swiglu", false, "learned", true, "layernorm");
    c.d_model = 64;
    c.layers = 4;
    c.vocab_size = 300;
    torch::manual_seed(9);
    GPT m(c);
    const double s = c.init_std, s_res = c.init_std / std::sqrt(8.0);
    for (const auto& p : m->named_params()) {
      const auto t = p.param.detach().to(torch::kDouble);
      if (p.role == "norm") {
        const bool bias = p.name.size() > 5 && p.name.substr(p.name.size() - 5) == ".bias";
        QCOMPARE(max_abs_diff(t, bias ? torch::zeros_like(t) : torch::ones_like(t)), 0.0);
        continue;
      }
      const double want = (p.role == "attn.o" || p.role == "mlp.out") ? s_res : s;
      const double got = t.std().item<double>();
      QVERIFY2(std::abs(got / want - 1) < 0.1, (p.name + " std " + std::to_string(got)).c_str());
      QVERIFY(std::abs(t.mean().item<double>()) < 0.1 * want);
    }
  }

  void matchesFloat64Reference_data() {
    QTest::addColumn<int>("which");
    QTest::newRow("swiglu+qknorm+rope+rmsnorm") << 0;
    QTest::newRow("gelu+layernorm+learned+tied") << 1;
    QTest::newRow("gelu+rope+tied") << 2;
  }
  void matchesFloat64Reference() {
    QFETCH(int, which);
    const ModelConfig c = which == 0   ? tiny("swiglu", false, "rope", true, "rmsnorm")
                          : which == 1 ? tiny("gelu", true, "learned", false, "layernorm")
                                       : tiny("gelu", true, "rope", false, "rmsnorm");
    torch::manual_seed(11);
    GPT m(c);
    {  // non-trivial norm gains and larger weights, so every piece matters
      torch::NoGradGuard ng;
      for (auto& p : m->named_params()) {
        if (p.role == "norm")
          p.param.uniform_(0.5, 1.5);
        else
          p.param.mul_(10);
      }
    }
    const auto idx = tokens(2, 8, c.vocab_size, 12);
    const auto ref = reference_forward(m, idx);
    const double scale = ref.abs().max().item<double>();
    QVERIFY(scale > 0.5);
    QVERIFY2(max_abs_diff(m->forward(idx), ref) < 1e-4 * scale,
             std::to_string(max_abs_diff(m->forward(idx), ref)).c_str());
    // in float64 the model agrees to near machine precision
    m->to(torch::kDouble);
    QVERIFY(max_abs_diff(m->forward(idx), ref) < 1e-10 * scale);
    QCOMPARE(m->loss(idx, idx).scalar_type(), torch::kDouble);
  }

  void causality() {
    for (const auto& cfg : {tiny("swiglu", false, "rope", true), tiny("gelu", true, "learned")}) {
      torch::manual_seed(21);
      GPT m(cfg);
      auto idx = tokens(2, 8, cfg.vocab_size, 22);
      const auto before = m->forward(idx);
      const int64_t t = 5;
      auto changed = idx.clone();
      changed.select(1, t).add_(1).remainder_(cfg.vocab_size);
      const auto after = m->forward(changed);
      QVERIFY(max_abs_diff(before.slice(1, 0, t), after.slice(1, 0, t)) < 1e-6);
      QVERIFY(max_abs_diff(before.slice(1, t), after.slice(1, t)) > 1e-4);
      // the capture path (manual attention) is causal too
      std::vector<LayerCapture> cap;
      ForwardOptions o;
      o.capture = &cap;
      const auto cb = m->forward(idx, o), ca = m->forward(changed, o);
      QVERIFY(max_abs_diff(cb.slice(1, 0, t), ca.slice(1, 0, t)) < 1e-6);
    }
  }

  void captureShapes() {
    const ModelConfig c = tiny("swiglu", false, "rope", true);
    torch::manual_seed(31);
    GPT m(c);
    const auto idx = tokens(3, 7, c.vocab_size, 32);
    std::vector<LayerCapture> cap;
    ForwardOptions o;
    o.capture = &cap;
    const auto with = m->forward(idx, o);
    QCOMPARE(int(cap.size()), c.layers);
    const std::vector<int64_t> bhtd = {3, 4, 7, 4};
    for (const auto& lc : cap) {
      for (const auto* t : {&lc.q, &lc.k_pre, &lc.k, &lc.v, &lc.head_out}) {
        QCOMPARE(t->sizes().vec(), bhtd);
        QVERIFY(!t->requires_grad());
      }
      QCOMPARE(lc.max_logit.sizes().vec(), (std::vector<int64_t>{4}));
      QVERIFY(!lc.max_logit.requires_grad());
    }
    // capturing does not change the result
    QVERIFY(max_abs_diff(with, m->forward(idx)) < 1e-5);
    // max_logit_only fills only max_logit, with the same values
    std::vector<LayerCapture> cheap;
    o.capture = &cheap;
    o.max_logit_only = true;
    m->forward(idx, o);
    QCOMPARE(int(cheap.size()), c.layers);
    for (int l = 0; l < c.layers; ++l) {
      QVERIFY(!cheap[l].q.defined() && !cheap[l].k.defined() && !cheap[l].head_out.defined());
      QCOMPARE(max_abs_diff(cheap[l].max_logit, cap[l].max_logit), 0.0);
    }
    // gradients still flow through a capturing forward (MuonClip captures on the train step)
    m->loss(idx, idx, o).backward();
    for (const auto& p : m->named_params())
      QVERIFY2(p.param.grad().defined() && p.param.grad().abs().sum().item<double>() > 0,
               p.name.c_str());
  }

  void ropeAndQkNorm() {
    ModelConfig c = tiny("gelu", false, "rope", true);
    c.heads = 2;  // hd 8
    torch::manual_seed(41);
    GPT m(c);
    {  // QK-norm is scale invariant up to eps: larger raw q, k keep eps / mean(q^2) ~ 1e-6
      torch::NoGradGuard ng;
      for (auto& p : m->named_params())
        if (p.role == "attn.q" || p.role == "attn.k") p.param.mul_(10);
    }
    const auto idx = tokens(2, 8, 11, 42);
    std::vector<LayerCapture> cap;
    ForwardOptions o;
    o.capture = &cap;
    m->forward(idx, o);
    for (const auto& lc : cap) {
      QVERIFY(max_abs_diff(lc.k, naive_rope(lc.k_pre)) < 1e-6);
      // QK-norm with unit gains: every head vector has RMS 1 (up to eps 1e-6);
      // RoPE is a rotation, so the post-RoPE q keeps the RMS of the pre-RoPE q.
      for (const auto* t : {&lc.k_pre, &lc.q, &lc.k}) {
        const auto rms = t->pow(2).mean(-1).sqrt();  // (B, H, T)
        QVERIFY2(max_abs_diff(rms, torch::ones_like(rms)) < 1e-4,
                 std::to_string(max_abs_diff(rms, torch::ones_like(rms))).c_str());
      }
      // position 0 is not rotated
      QVERIFY(max_abs_diff(lc.k.select(2, 0), lc.k_pre.select(2, 0)) < 1e-7);
    }
    // without QK-norm the head vectors are small at init (std 0.02 weights)
    torch::manual_seed(41);
    GPT plain(tiny("gelu", false, "rope", false));
    plain->forward(idx, o);
    QVERIFY(cap[0].k_pre.pow(2).mean().sqrt().item<double>() < 0.5);
    // learned positions: no rotation, k == k_pre
    GPT learned(tiny("gelu", false, "learned", true));
    learned->forward(idx, o);
    QCOMPARE(max_abs_diff(cap[0].k, cap[0].k_pre), 0.0);
  }

  void maxLogitMatchesFloat64() {
    torch::manual_seed(51);
    GPT m(tiny("swiglu", false, "rope", false));
    {
      torch::NoGradGuard ng;
      for (auto& p : m->named_params())
        if (p.role == "attn.q" || p.role == "attn.k") p.param.mul_(30);  // sizeable logits
    }
    const auto idx = tokens(2, 8, 11, 52);
    std::vector<LayerCapture> cap;
    ForwardOptions o;
    o.capture = &cap;
    m->forward(idx, o);
    for (const auto& lc : cap) {
      const auto q = lc.q.to(torch::kDouble), k = lc.k.to(torch::kDouble);
      const int64_t B = q.size(0), H = q.size(1), T = q.size(2), hd = q.size(3);
      for (int64_t h = 0; h < H; ++h) {
        double best = -1e300;
        for (int64_t b = 0; b < B; ++b)
          for (int64_t i = 0; i < T; ++i)
            for (int64_t j = 0; j <= i; ++j)
              best =
                  std::max(best, q[b][h][i].dot(k[b][h][j]).item<double>() / std::sqrt(hd * 1.0));
        const double got = lc.max_logit[h].item<double>();
        QVERIFY2(std::abs(got - best) < 1e-5 * std::max(1.0, std::abs(best)),
                 (std::to_string(got) + " vs " + std::to_string(best)).c_str());
      }
      QVERIFY(lc.max_logit.abs().max().item<double>() > 1.0);
    }
  }

  void manualAttentionMatchesNaive() {
    torch::manual_seed(61);
    const auto q = torch::randn({2, 3, 6, 4}), k = torch::randn({2, 3, 6, 4}) * 2,
               v = torch::randn({2, 3, 6, 4});
    const auto ref = naive_attention(q, k, v);
    torch::Tensor scores;
    const auto out = manual_causal_attention(q, k, v, &scores);
    QCOMPARE(out.scalar_type(), torch::kFloat);
    QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{2, 3, 6, 4}));
    QVERIFY2(max_abs_diff(out, ref) < 1e-5, std::to_string(max_abs_diff(out, ref)).c_str());
    // scores are the scaled dot products, (B, H, T, T)
    const auto sref =
        torch::matmul(q.to(torch::kDouble), k.to(torch::kDouble).transpose(-2, -1)) / 2.0;
    QVERIFY(max_abs_diff(scores, sref) < 1e-5);
    // row 0 attends only to itself
    QVERIFY(max_abs_diff(out.select(2, 0), v.select(2, 0)) < 1e-6);
    // float64 in, float64 math
    QVERIFY(max_abs_diff(manual_causal_attention(q.to(torch::kDouble), k.to(torch::kDouble),
                                                 v.to(torch::kDouble)),
                         ref) < 1e-12);
    // bf16 in: the softmax still runs in fp32, the result is close to the float64 reference
    const auto ob = manual_causal_attention(q.to(torch::kBFloat16), k.to(torch::kBFloat16),
                                            v.to(torch::kBFloat16), &scores);
    QCOMPARE(ob.scalar_type(), torch::kBFloat16);
    QCOMPARE(scores.scalar_type(), torch::kFloat);
    QVERIFY(max_abs_diff(ob, ref) < 0.1);
    // the default path (SDPA on LibTorch >= 2, manual on 1.13) gives the same answer
    QVERIFY(max_abs_diff(causal_attention(q, k, v), ref) < 1e-5);
  }

#if TORCH_VERSION_MAJOR >= 2
  void sdpaMatchesManual() {
    torch::manual_seed(62);
    const auto q = torch::randn({2, 4, 16, 8}), k = torch::randn({2, 4, 16, 8}),
               v = torch::randn({2, 4, 16, 8});
    const auto sdpa = at::scaled_dot_product_attention(q, k, v, {}, 0.0, true);
    QVERIFY(max_abs_diff(sdpa, manual_causal_attention(q, k, v)) < 1e-5);
  }
#endif

  // Streaming quantized cache (KvQuantization): each quantizer sees single groups
  // (B * n, H, G, hd), once per layer; capture keeps the full-precision cache; stand-in
  // quantizers that depend on the whole group (K: minus the group's per-channel mean; V: minus
  // each token's mean over all heads) match a float64 loop reference where query i reads the
  // transformed K_j / V_j for j < c(i) = floor((i + 1) / G) * G and the raw ones otherwise.
  void kvQuantizedCache() {
    torch::manual_seed(71);
    ModelConfig c = tiny("gelu", false, "rope", true);
    c.seq_len = 11;
    GPT m(c);
    m->to(torch::kDouble);
    const int64_t B = 2, T = 11, G = 3, n = T / G, H = c.heads, hd = c.head_dim();
    const auto idx = tokens(B, T, c.vocab_size, 72);
    std::vector<LayerCapture> plain_cap;
    ForwardOptions po;
    po.capture = &plain_cap;
    const auto plain = m->forward(idx, po);
    int calls = 0;
    KvQuantization kq;
    kq.group = G;
    kq.k = [&](const torch::Tensor& k) {
      ++calls;
      if (k.sizes().vec() != std::vector<int64_t>{B * n, H, G, hd}) throw std::runtime_error("k");
      return k - k.mean(2, /*keepdim=*/true);
    };
    kq.v = [&](const torch::Tensor& v) {
      ++calls;
      if (v.sizes().vec() != std::vector<int64_t>{B * n, H, G, hd}) throw std::runtime_error("v");
      return v - v.mean(at::IntArrayRef{1, 3}, /*keepdim=*/true);
    };
    std::vector<LayerCapture> cap;
    ForwardOptions o;
    o.capture = &cap;
    o.kv_quant = kq;
    const auto quant = m->forward(idx, o);
    QCOMPARE(calls, 2 * c.layers);
    QVERIFY(max_abs_diff(quant, plain) > 1e-3);
    // the non-capturing path computes the same
    ForwardOptions o2;
    o2.kv_quant = kq;
    QVERIFY(max_abs_diff(m->forward(idx, o2), quant) < 1e-12);
    // layer 0 sees the same input with and without quantization: its cache is full precision
    QVERIFY(max_abs_diff(cap[0].k, plain_cap[0].k) == 0.0);
    QVERIFY(max_abs_diff(cap[0].v, plain_cap[0].v) == 0.0);
    for (const LayerCapture& lc : cap) {
      const auto q = lc.q.contiguous(), k = lc.k.contiguous(), v = lc.v.contiguous();
      auto Q = q.accessor<double, 4>(), K = k.accessor<double, 4>(), V = v.accessor<double, 4>();
      // transformed cache by loops: K' = K - mean over the group's tokens per (b, h, channel),
      // V' = V - mean over the token's H * hd values
      torch::Tensor kt = k.clone(), vt = v.clone();
      auto Kt = kt.accessor<double, 4>(), Vt = vt.accessor<double, 4>();
      for (int64_t b = 0; b < B; ++b)
        for (int64_t g = 0; g < n; ++g) {
          for (int64_t h = 0; h < H; ++h)
            for (int64_t e = 0; e < hd; ++e) {
              double mean = 0;
              for (int64_t t = g * G; t < (g + 1) * G; ++t) mean += K[b][h][t][e] / G;
              for (int64_t t = g * G; t < (g + 1) * G; ++t) Kt[b][h][t][e] = K[b][h][t][e] - mean;
            }
          for (int64_t t = g * G; t < (g + 1) * G; ++t) {
            double mean = 0;
            for (int64_t h = 0; h < H; ++h)
              for (int64_t e = 0; e < hd; ++e) mean += V[b][h][t][e] / (H * hd);
            for (int64_t h = 0; h < H; ++h)
              for (int64_t e = 0; e < hd; ++e) Vt[b][h][t][e] = V[b][h][t][e] - mean;
          }
        }
      double max_logit_err = 0, out_err = 0;
      auto Y = lc.head_out.accessor<double, 4>();
      auto ML = lc.max_logit.accessor<double, 1>();
      for (int64_t h = 0; h < H; ++h) {
        double mx_all = -1e300;
        for (int64_t b = 0; b < B; ++b)
          for (int64_t i = 0; i < T; ++i) {
            const int64_t ci = (i + 1) / G * G;
            std::vector<double> s(size_t(i + 1));
            double mx = -1e300, z = 0;
            for (int64_t j = 0; j <= i; ++j) {
              double dot = 0;
              for (int64_t e = 0; e < hd; ++e)
                dot += Q[b][h][i][e] * (j < ci ? Kt[b][h][j][e] : K[b][h][j][e]);
              s[size_t(j)] = dot / std::sqrt(double(hd));
              mx = std::max(mx, s[size_t(j)]);
            }
            mx_all = std::max(mx_all, mx);
            for (double& e : s) z += (e = std::exp(e - mx));
            for (int64_t e = 0; e < hd; ++e) {
              double y = 0;
              for (int64_t j = 0; j <= i; ++j)
                y += s[size_t(j)] / z * (j < ci ? Vt[b][h][j][e] : V[b][h][j][e]);
              out_err = std::max(out_err, std::abs(y - Y[b][h][i][e]));
            }
          }
        max_logit_err = std::max(max_logit_err, std::abs(mx_all - ML[h]));
      }
      QVERIFY2(out_err < 1e-12, std::to_string(out_err).c_str());
      QVERIFY2(max_logit_err < 1e-12, std::to_string(max_logit_err).c_str());
    }
    // identity quantizers change nothing; a cache shorter than one group is never quantized
    kq.k = kq.v = [](const torch::Tensor& t) { return t; };
    o2.kv_quant = kq;
    QVERIFY(max_abs_diff(m->forward(idx, o2), plain) < 1e-12);
    o2.kv_quant.group = T + 1;
    QVERIFY(max_abs_diff(m->forward(idx, o2), plain) < 1e-12);
    // a quantizer must keep the shape
    o2.kv_quant = {G, [](const torch::Tensor& t) { return t.narrow(2, 0, 1); }, nullptr};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m->forward(idx, o2));
  }

  void deterministic() {
    const ModelConfig c = tiny("swiglu", false, "learned", true);
    const auto idx = tokens(2, 8, 11, 81);
    torch::manual_seed(7);
    GPT a(c);
    torch::manual_seed(7);
    GPT b(c);
    torch::manual_seed(8);
    GPT other(c);
    QCOMPARE(max_abs_diff(a->forward(idx), b->forward(idx)), 0.0);
    const auto pa = a->named_params(), pb = b->named_params(), po = other->named_params();
    bool differs = false;
    for (size_t i = 0; i < pa.size(); ++i) {
      QCOMPARE(max_abs_diff(pa[i].param, pb[i].param), 0.0);
      if (pa[i].role != "norm") differs = differs || max_abs_diff(pa[i].param, po[i].param) > 0;
    }
    QVERIFY(differs);
  }

  void overfitsOneBatch() {
    ModelConfig c = tiny("swiglu", true, "rope", true);
    c.vocab_size = 16;
    c.seq_len = 16;
    c.d_model = 32;
    c.heads = 2;
    torch::manual_seed(91);
    GPT m(c);
    const auto idx = tokens(4, 16, 16, 92), tgt = tokens(4, 16, 16, 93);
    torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
    const double first = m->loss(idx, tgt).item<double>();
    double last = first;
    for (int step = 0; step < 50; ++step) {
      opt.zero_grad();
      auto loss = m->loss(idx, tgt);
      loss.backward();
      opt.step();
      last = loss.item<double>();
    }
    last = m->loss(idx, tgt).item<double>();
    QVERIFY2(last < 0.5 * first, (std::to_string(first) + " -> " + std::to_string(last)).c_str());
  }

  void rejectsBadInput() {
    GPT m(tiny());
    QVERIFY_THROWS_EXCEPTION(std::exception, m->forward(torch::zeros({2, 8}, torch::kFloat)));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->forward(torch::zeros({8}, torch::kLong)));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->forward(torch::zeros({2, 9}, torch::kLong)));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->forward(torch::full({2, 8}, 11, torch::kLong)));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->forward(torch::full({2, 8}, -1, torch::kLong)));
    const auto idx = torch::zeros({2, 8}, torch::kLong);
    QVERIFY_THROWS_EXCEPTION(std::exception, m->loss(idx, torch::zeros({2, 7}, torch::kLong)));
    QVERIFY_THROWS_EXCEPTION(std::exception, m->loss(idx, torch::full({2, 8}, 11, torch::kLong)));
    const std::vector<std::function<void(ModelConfig&)>> bads = {
        [](ModelConfig& c) { c.vocab_size = 0; },
        [](ModelConfig& c) { c.d_model = 18; },  // not a multiple of heads
        [](ModelConfig& c) { c.d_model = 12; },  // head_dim 3: odd for RoPE
        [](ModelConfig& c) { c.ffn = "relu"; },
        [](ModelConfig& c) { c.norm = "x"; },
        [](ModelConfig& c) { c.pos = "alibi"; },
        [](ModelConfig& c) { c.layers = 0; }};
    for (const auto& bad : bads) {
      ModelConfig c = tiny();
      bad(c);
      QVERIFY_THROWS_EXCEPTION(ConfigError, GPT{c});
    }
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
