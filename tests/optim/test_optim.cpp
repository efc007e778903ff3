// Optimizers: Newton-Schulz output spectrum, Muon steps against an independent float64 hand
// computation (plain loops, no torch), batched vs per-matrix NS, routing of parameters to Muon
// or the base optimizer, AdamW and SGD-momentum steps against hand computations, the lr
// schedules at known points, and rejection of invalid hyperparameters. No model needed.
// torch before QtTest: Qt's `slots` macro breaks torch headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <vector>

#include "optim/Muon.h"
#include "optim/Optimizers.h"

using namespace ms;

namespace {

// A dense row-major float64 matrix and the few operations the reference needs.
struct Mat {
  int64_t r = 0, c = 0;
  std::vector<double> v;
  Mat(int64_t rows, int64_t cols) : r(rows), c(cols), v(static_cast<size_t>(rows * cols), 0.0) {}
  double& at(int64_t i, int64_t j) { return v[static_cast<size_t>(i * c + j)]; }
  double at(int64_t i, int64_t j) const { return v[static_cast<size_t>(i * c + j)]; }
};

Mat from_tensor(const torch::Tensor& t) {  // (r, c) any dtype
  const torch::Tensor d = t.detach().to(torch::kDouble).contiguous();
  Mat m(d.size(0), d.size(1));
  std::copy(d.data_ptr<double>(), d.data_ptr<double>() + d.numel(), m.v.begin());
  return m;
}

Mat transpose(const Mat& a) {
  Mat t(a.c, a.r);
  for (int64_t i = 0; i < a.r; ++i)
    for (int64_t j = 0; j < a.c; ++j) t.at(j, i) = a.at(i, j);
  return t;
}

Mat matmul(const Mat& a, const Mat& b) {
  Mat out(a.r, b.c);
  for (int64_t i = 0; i < a.r; ++i)
    for (int64_t k = 0; k < a.c; ++k) {
      const double aik = a.at(i, k);
      for (int64_t j = 0; j < b.c; ++j) out.at(i, j) += aik * b.at(k, j);
    }
  return out;
}

// x*a + y*b elementwise.
Mat axpby(double x, const Mat& a, double y, const Mat& b) {
  Mat out(a.r, a.c);
  for (size_t i = 0; i < a.v.size(); ++i) out.v[i] = x * a.v[i] + y * b.v[i];
  return out;
}

// Keller Jordan's zeropower_via_newtonschulz5, written out in float64:
// X = G / (||G||_F + 1e-7) (transposed when tall); X <- a X + b (X X^T) X + c (X X^T)^2 X.
Mat ns5_ref(const Mat& G, int steps) {
  const double a = 3.4445, b = -4.7750, c = 2.0315;
  const bool tall = G.r > G.c;
  Mat X = tall ? transpose(G) : G;
  double fro = 0;
  for (double x : X.v) fro += x * x;
  fro = std::sqrt(fro) + 1e-7;
  for (double& x : X.v) x /= fro;
  for (int s = 0; s < steps; ++s) {
    const Mat A = matmul(X, transpose(X));
    const Mat AX = matmul(A, X);
    const Mat AAX = matmul(A, AX);
    Mat next(X.r, X.c);
    for (size_t i = 0; i < X.v.size(); ++i) next.v[i] = a * X.v[i] + b * AX.v[i] + c * AAX.v[i];
    X = next;
  }
  return tall ? transpose(X) : X;
}

// ||a - b||_F / ||b||_F
double rel_err(const Mat& a, const Mat& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.v.size(); ++i) {
    num += (a.v[i] - b.v[i]) * (a.v[i] - b.v[i]);
    den += b.v[i] * b.v[i];
  }
  return std::sqrt(num / den);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Singular values of each matrix of t ((r, c) or (N, r, c)) in float64.
torch::Tensor svals(const torch::Tensor& t) {
  return torch::linalg_svdvals(t.to(torch::kDouble));
}

// A parameter with a gradient attached.
torch::Tensor make_param(std::vector<int64_t> shape, double scale, torch::ScalarType dt) {
  torch::Tensor p = (torch::randn(shape, torch::kDouble) * scale).to(dt);
  p.set_requires_grad(true);
  return p;
}

void set_grad(torch::Tensor& p, const torch::Tensor& g) {
  p.mutable_grad() = g.detach().to(p.scalar_type()).clone();
}

NamedParam np(const std::string& name, const std::string& role, int layer,
              std::vector<int64_t> shape) {
  NamedParam n;
  n.name = name;
  n.role = role;
  n.layer = layer;
  n.param = make_param(std::move(shape), 0.1, torch::kDouble);
  return n;
}

// A two-layer GPT-like parameter list (d = 8, vocab 11, gelu), without a model.
std::vector<NamedParam> fake_model_params(bool gated) {
  std::vector<NamedParam> ps;
  ps.push_back(np("embed.weight", "embed", -1, {11, 8}));
  ps.push_back(np("pos.weight", "pos", -1, {6, 8}));
  for (int l = 0; l < 2; ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    ps.push_back(np(p + "norm1.weight", "norm", l, {8}));
    for (const char* r : {"attn.q", "attn.k", "attn.v", "attn.o"})
      ps.push_back(np(p + r + ".weight", r, l, {8, 8}));
    ps.push_back(np(p + "norm2.weight", "norm", l, {8}));
    ps.push_back(np(p + "mlp.in.weight", "mlp.in", l, {32, 8}));
    if (gated) ps.push_back(np(p + "mlp.gate.weight", "mlp.gate", l, {32, 8}));
    ps.push_back(np(p + "mlp.out.weight", "mlp.out", l, {8, 32}));
  }
  ps.push_back(np("norm_f.weight", "norm", -1, {8}));
  ps.push_back(np("head.weight", "head", -1, {11, 8}));
  return ps;
}

bool group_holds(const torch::optim::OptimizerParamGroup& g, const torch::Tensor& t) {
  for (const auto& p : g.params())
    if (p.unsafeGetTensorImpl() == t.unsafeGetTensorImpl()) return true;
  return false;
}

OptimConfig flat_schedule() {
  OptimConfig c;
  c.schedule = "constant";
  c.warmup_steps = 0;
  return c;
}

}  // namespace

class TestOptim : public QObject {
  Q_OBJECT

  // Runs `steps` Muon steps on params of the given shapes (several share a shape, so the step's
  // batched NS is exercised) and compares each step with the float64 loop reference.
  void checkMuonAgainstReference(torch::ScalarType dt, const std::string& scale, bool nesterov,
                                 double wd, int steps, double tol) {
    torch::manual_seed(7);
    const std::vector<std::vector<int64_t>> shapes = {{24, 40}, {40, 24}, {24, 40}, {16, 16}};
    const double lr = 0.02, mu = 0.95;
    std::vector<torch::Tensor> params;
    for (const auto& s : shapes) params.push_back(make_param(s, 0.02, dt));  // GPT-like init
    Muon opt(params, MuonOptions(lr).momentum(mu).nesterov(nesterov).weight_decay(wd).scale(scale));

    std::vector<Mat> W, buf;
    for (const auto& p : params) {
      W.push_back(from_tensor(p));
      buf.emplace_back(p.size(0), p.size(1));  // zero momentum
    }
    for (int s = 0; s < steps; ++s) {
      std::vector<Mat> W_prev = W;
      for (size_t i = 0; i < params.size(); ++i) {
        const torch::Tensor g = torch::randn(params[i].sizes(), torch::kDouble);
        set_grad(params[i], g);
        const Mat G =
            from_tensor(params[i].grad());  // the gradient exactly as the optimizer sees it
        // Reference (muon.py): buf = mu buf + (1 - mu) g; u = nesterov ? mu buf + (1 - mu) g : buf
        buf[i] = axpby(mu, buf[i], 1.0 - mu, G);
        const Mat U = nesterov ? axpby(mu, buf[i], 1.0 - mu, G) : buf[i];
        const Mat O = ns5_ref(U, 5);
        const double rows = static_cast<double>(G.r), cols = static_cast<double>(G.c);
        const double lr_adj = scale == "original" ? lr * std::sqrt(std::max(1.0, rows / cols))
                                                  : lr * 0.2 * std::sqrt(std::max(rows, cols));
        W[i] = axpby(1.0 - lr * wd, W[i], -lr_adj, O);
      }
      opt.step();
      for (size_t i = 0; i < params.size(); ++i) {
        const Mat got = from_tensor(params[i]);
        // Compare the step's change, which is much smaller than W, so the check is strict.
        const double e = rel_err(axpby(1, got, -1, W_prev[i]), axpby(1, W[i], -1, W_prev[i]));
        QVERIFY2(e < tol,
                 qPrintable(QString("step %1 param %2 (%3, nesterov %4, wd %5): rel err %6")
                                .arg(s)
                                .arg(i)
                                .arg(QString::fromStdString(scale))
                                .arg(nesterov)
                                .arg(wd)
                                .arg(e)));
        QVERIFY(rel_err(from_tensor(opt.momentum_buffer(params[i])), buf[i]) < 1e-6);
        W[i] = got;  // continue from the optimizer's state, so errors do not accumulate
      }
    }
  }

 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  // NS5 maps every singular value into about [0.68, 1.2] (muon.py) when the input's are not
  // tiny relative to its Frobenius norm (> ~2e-3 of it).
  void nsSingularValues() {
    torch::manual_seed(1);
    auto check = [](const torch::Tensor& G, const char* what) {
      const torch::Tensor O = newton_schulz5(G, 5);
      QCOMPARE(O.sizes(), G.sizes());
      QCOMPARE(O.scalar_type(), G.scalar_type());
      const torch::Tensor s = svals(O);
      const double lo = s.min().item<double>(), hi = s.max().item<double>();
      QVERIFY2(lo >= 0.6 && hi <= 1.25,
               qPrintable(QString("%1: singular values in [%2, %3]").arg(what).arg(lo).arg(hi)));
    };
    check(torch::randn({32, 96}), "wide 32x96");
    check(torch::randn({96, 32}), "tall 96x32");
    // Square Gaussian matrices have a near-zero smallest singular value with high probability
    // (Edelman), which 5 steps do not lift; use a random rotation of a known spectrum,
    // log-uniform over [0.01, 1] (condition number 100) instead.
    const auto qr1 = torch::linalg_qr(torch::randn({64, 64}, torch::kDouble));
    const auto qr2 = torch::linalg_qr(torch::randn({64, 64}, torch::kDouble));
    const torch::Tensor sv = torch::pow(10.0, torch::linspace(-2, 0, 64, torch::kDouble));
    const torch::Tensor sq = std::get<0>(qr1).matmul(torch::diag(sv)).matmul(std::get<0>(qr2).t());
    check(sq.to(torch::kFloat), "square 64x64");
    check(torch::randn({4, 48, 80}), "batched 4x48x80");
    check(torch::randn({3, 80, 48}), "batched tall 3x80x48");
  }

  // NS5 against the float64 loop reference, fp32 on CPU and fp64 for fp64 input.
  void nsMatchesReference() {
    torch::manual_seed(2);
    for (const auto& shape : std::vector<std::vector<int64_t>>{{24, 40}, {40, 24}, {32, 32}}) {
      const torch::Tensor G = torch::randn(shape, torch::kDouble);
      const Mat ref = ns5_ref(from_tensor(G), 5);
      QVERIFY(rel_err(from_tensor(newton_schulz5(G, 5)), ref) < 1e-12);
      QVERIFY(rel_err(from_tensor(newton_schulz5(G.to(torch::kFloat), 5)), ref) < 1e-5);
    }
  }

  void batchedEqualsPerMatrix() {
    torch::manual_seed(3);
    for (const auto& shape : std::vector<std::vector<int64_t>>{{5, 24, 40}, {3, 40, 24}}) {
      // Different scales per matrix: each must be normalized by its own Frobenius norm.
      const torch::Tensor G =
          torch::randn(shape) *
          torch::tensor({1.0f, 10.0f, 0.1f, 3.0f, 0.5f}).slice(0, 0, shape[0]).view({-1, 1, 1});
      const torch::Tensor B = newton_schulz5(G, 5);  // (N, r, c)
      for (int64_t i = 0; i < shape[0]; ++i) {
        const double d = max_abs_diff(B[i], newton_schulz5(G[i], 5));
        QVERIFY2(d < 1e-5, qPrintable(QString("matrix %1: max diff %2").arg(i).arg(d)));
      }
    }
  }

  void muonStepMatchesHandComputation_data() {
    QTest::addColumn<QString>("scale");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<double>("wd");
    for (const char* s : {"original", "match_rms_adamw"})
      for (bool n : {true, false})
        for (double wd : {0.0, 0.1})
          QTest::newRow(qPrintable(QString("%1 nesterov=%2 wd=%3").arg(s).arg(n).arg(wd)))
              << QString(s) << n << wd;
  }
  // One and two consecutive steps (the second uses the momentum buffer), fp64 params (the NS
  // runs in fp64: tight) and fp32 params (the CPU path of real runs).
  void muonStepMatchesHandComputation() {
    QFETCH(QString, scale);
    QFETCH(bool, nesterov);
    QFETCH(double, wd);
    checkMuonAgainstReference(torch::kDouble, scale.toStdString(), nesterov, wd, 2, 1e-10);
    checkMuonAgainstReference(torch::kFloat, scale.toStdString(), nesterov, wd, 2, 1e-5);
  }

  // Why update_cosine is taken on Muon's input and not on its update: the quintic NS5 does not
  // keep the order of singular values (after the Frobenius normalization, x = 1.0 -> ~0.70,
  // 0.8 -> ~1.12, 0.5 -> ~0.77, 0.3 -> ~1.08), so the top left singular vector of NS5(M) is
  // another direction than M's. M's spectrum 1.0, 0.9, ..., 0.1 maps to 0.72, 1.07, 1.10, 1.06,
  // 1.11, 0.70, ...: the top one becomes the 5th.
  void nsReordersSingularValues() {
    torch::manual_seed(4);
    const torch::Tensor U = std::get<0>(torch::linalg_qr(torch::randn({12, 10}, torch::kDouble)));
    const torch::Tensor V = std::get<0>(torch::linalg_qr(torch::randn({16, 10}, torch::kDouble)));
    const torch::Tensor s = torch::linspace(1.0, 0.1, 10, torch::kDouble);
    const torch::Tensor M = U.matmul(torch::diag(s)).matmul(V.t());  // (12, 16)
    const torch::Tensor O = newton_schulz5(M, 5);
    // NS5 keeps the singular vectors: O = U diag(o) V^T with o_i = u_i^T O v_i.
    const torch::Tensor o = (U.t().matmul(O).matmul(V)).diagonal();
    QVERIFY(max_abs_diff(U.matmul(torch::diag(o)).matmul(V.t()), O) < 1e-10);
    QCOMPARE(o.argmax().item<int64_t>(), int64_t(4));  // not 0: the order is not kept
    QVERIFY(std::abs(o[0].item<double>() - 0.723) < 2e-3);
    const torch::Tensor u1_O = std::get<0>(torch::linalg_svd(O, false)).select(1, 0);
    const double cos_O = std::abs(u1_O.dot(U.select(1, 0)).item<double>());
    QVERIFY2(cos_O < 1e-6, qPrintable(QString("|<u1(NS5(M)), u1(M)>| = %1").arg(cos_O)));
  }

  // record_inputs keeps u = lerp(g, buf, mu) (Nesterov) of the last step, by hand for 2 steps.
  void muonRecordsItsInputs() {
    torch::manual_seed(9);
    torch::Tensor p = make_param({6, 10}, 1, torch::kDouble);
    Muon opt({p}, MuonOptions(0.02).momentum(0.9).nesterov(true));
    const torch::Tensor g1 = torch::randn({6, 10}, torch::kDouble),
                        g2 = torch::randn({6, 10}, torch::kDouble);
    set_grad(p, g1);
    opt.step();
    QVERIFY(!opt.last_input(p).defined());  // not recording
    opt.record_inputs(true);
    set_grad(p, g2);
    opt.step();
    const torch::Tensor buf1 = 0.1 * g1, buf2 = 0.9 * buf1 + 0.1 * g2;
    const torch::Tensor u2 = 0.1 * g2 + 0.9 * buf2;
    QVERIFY(opt.last_input(p).defined());
    QVERIFY(max_abs_diff(opt.last_input(p), u2) < 1e-14);
    opt.record_inputs(false);
    QVERIFY(!opt.last_input(p).defined());
  }

  // OptimizerSet hands out Muon's inputs per parameter while recording; none for AdamW ones.
  void optimizerSetMuonInputs() {
    torch::manual_seed(11);
    auto ps = fake_model_params(false);
    OptimConfig cfg = flat_schedule();
    cfg.muon = {"attn.q", "attn.k"};
    cfg.nesterov = false;  // then Muon's input is its momentum buffer: (1 - mu) g after step 1
    OptimizerSet set(ps, cfg);
    for (auto& n : ps) set_grad(n.param, torch::randn(n.param.sizes(), torch::kDouble));
    set.record_muon_inputs(true);
    set.step(0, 10);
    for (const auto& n : ps) {
      const torch::Tensor in = set.muon_input(n.param);
      if (n.role == "attn.q" || n.role == "attn.k") {
        QVERIFY2(in.defined(), n.name.c_str());
        QVERIFY(max_abs_diff(in, (1.0 - cfg.momentum) * n.param.grad()) < 1e-14);
      } else {
        QVERIFY2(!in.defined(), n.name.c_str());
      }
    }
    set.record_muon_inputs(false);
    QVERIFY(!set.muon_input(ps[3].param).defined());
  }

  // optim.grad_clip acts on the base optimizer's gradients only (muon.py does not clip) unless
  // include_muon; the returned norm is over every gradient, before clipping.
  void clipGradientsSparesMuon() {
    for (bool include_muon : {false, true}) {
      torch::manual_seed(10);
      auto ps = fake_model_params(false);
      OptimConfig cfg = flat_schedule();
      cfg.muon = {"attn.q", "attn.k", "attn.v", "attn.o", "mlp.in", "mlp.out"};
      OptimizerSet set(ps, cfg);
      double total2 = 0;
      std::vector<torch::Tensor> before;
      for (auto& n : ps) {
        set_grad(n.param, torch::randn(n.param.sizes(), torch::kDouble));
        total2 += n.param.grad().square().sum().item<double>();
        before.push_back(n.param.grad().clone());
      }
      const double norm = set.clip_gradients(0.1, include_muon);
      QVERIFY(std::abs(norm - std::sqrt(total2)) < 1e-9 * norm);
      double clipped2 = 0;
      for (size_t i = 0; i < ps.size(); ++i) {
        const bool on_muon = ps[i].param.dim() == 2 && ps[i].layer >= 0;
        if (on_muon && !include_muon) {
          QCOMPARE(max_abs_diff(ps[i].param.grad(), before[i]), 0.0);
        } else {
          clipped2 += ps[i].param.grad().square().sum().item<double>();
        }
      }
      QVERIFY2(std::abs(std::sqrt(clipped2) - 0.1) < 1e-6,
               qPrintable(QString("clipped norm %1").arg(std::sqrt(clipped2))));
      // max_norm 0: measures only.
      for (size_t i = 0; i < ps.size(); ++i) set_grad(ps[i].param, before[i]);
      QVERIFY(std::abs(set.clip_gradients(0.0, include_muon) - std::sqrt(total2)) < 1e-9 * norm);
      for (size_t i = 0; i < ps.size(); ++i)
        QCOMPARE(max_abs_diff(ps[i].param.grad(), before[i]), 0.0);
    }
  }

  void muonSkipsParamsWithoutGrad() {
    torch::Tensor a = make_param({8, 8}, 1, torch::kFloat),
                  b = make_param({8, 8}, 1, torch::kFloat);
    Muon opt({a, b});
    set_grad(a, torch::randn({8, 8}));
    const torch::Tensor b0 = b.detach().clone();
    opt.step();
    QCOMPARE(max_abs_diff(b, b0), 0.0);
    QVERIFY(!opt.momentum_buffer(b).defined());
    QVERIFY(opt.momentum_buffer(a).defined());
  }

  void routing() {
    const auto ps = fake_model_params(/*gated=*/false);
    OptimConfig cfg;
    cfg.muon = {"attn.v", "attn.o", "mlp.in", "mlp.out"};
    cfg.wd_adamw = 0.1;
    OptimizerSet set(ps, cfg);
    QVERIFY(set.has_muon());
    QCOMPARE(QString::fromStdString(set.summary()),
             QString::fromUtf8("Muon: V,O,FFN \xC2\xB7 AdamW: Q,K,embed,pos,head,norms"));
    auto* muon = set.muon_optimizer();
    auto* base = set.base_optimizer();
    QVERIFY(muon && base);
    QCOMPARE(base->param_groups().size(), size_t(2));
    const auto& decay = base->param_groups()[0];
    const auto& nodecay = base->param_groups()[1];
    QCOMPARE(static_cast<const torch::optim::AdamWOptions&>(decay.options()).weight_decay(), 0.1);
    QCOMPARE(static_cast<const torch::optim::AdamWOptions&>(nodecay.options()).weight_decay(), 0.0);
    QCOMPARE(static_cast<const torch::optim::AdamWOptions&>(decay.options()).betas(),
             std::make_tuple(0.9, 0.95));
    QCOMPARE(set.routing().size(), ps.size());
    size_t n_muon = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
      const auto& p = ps[i];
      const bool want_muon =
          p.role == "attn.v" || p.role == "attn.o" || p.role == "mlp.in" || p.role == "mlp.out";
      n_muon += want_muon;
      QCOMPARE(set.routing()[i].first, p.name);
      QCOMPARE(set.routing()[i].second, std::string(want_muon ? "muon" : "adamw"));
      QCOMPARE(group_holds(muon->param_groups()[0], p.param), want_muon);
      QCOMPARE(group_holds(decay, p.param), !want_muon && p.param.dim() == 2);
      QCOMPARE(group_holds(nodecay, p.param), p.param.dim() == 1);
    }
    QCOMPARE(muon->param_groups()[0].params().size(), n_muon);
    QCOMPARE(set.parameters().size(), ps.size());

    // Full Muon with SwiGLU, SGD base: embed/head/pos/norms stay on the base optimizer.
    OptimConfig all;
    all.base = "sgd";
    OptimizerSet full(fake_model_params(/*gated=*/true), all);
    QCOMPARE(QString::fromStdString(full.summary()),
             QString::fromUtf8("Muon: Q,K,V,O,FFN \xC2\xB7 SGD: embed,pos,head,norms"));
    for (const auto& r : full.routing()) {
      const bool block =
          r.first.rfind("blocks.", 0) == 0 && r.first.find("norm") == std::string::npos;
      QCOMPARE(r.second, std::string(block ? "muon" : "sgd"));
    }

    // Gated FFN with only part of it on Muon: no "FFN" shorthand.
    OptimConfig part;
    part.muon = {"attn.q", "mlp.gate"};
    OptimizerSet ps2(fake_model_params(/*gated=*/true), part);
    QCOMPARE(
        QString::fromStdString(ps2.summary()),
        QString::fromUtf8("Muon: Q,W_gate \xC2\xB7 AdamW: K,V,O,W_in,W_out,embed,pos,head,norms"));

    // Nothing on Muon.
    OptimConfig none;
    none.muon = {};
    OptimizerSet adam(fake_model_params(false), none);
    QVERIFY(!adam.has_muon());
    QVERIFY(adam.muon_optimizer() == nullptr);
    QVERIFY(std::isnan(adam.lr_muon(0, 10)));
    QCOMPARE(QString::fromStdString(adam.summary()),
             QString::fromUtf8("AdamW: Q,K,V,O,FFN,embed,pos,head,norms"));
  }

  // Two AdamW steps through OptimizerSet (constant schedule) vs the hand computation of
  // Loshchilov & Hutter with bias correction, decay only on the matrix.
  void adamwMatchesHandComputation() {
    torch::manual_seed(4);
    std::vector<NamedParam> ps = {np("embed.weight", "embed", -1, {5, 3}),
                                  np("norm_f.weight", "norm", -1, {4})};
    OptimConfig cfg = flat_schedule();
    cfg.muon = {};
    cfg.lr_adamw = 0.01;
    cfg.wd_adamw = 0.1;
    cfg.beta1 = 0.8;
    cfg.beta2 = 0.95;
    cfg.eps = 1e-8;
    OptimizerSet set(ps, cfg);
    // Reference state per param.
    struct Ref {
      std::vector<double> w, m, v;
      double wd;
    };
    std::vector<Ref> ref;
    for (const auto& p : ps)
      ref.push_back({std::vector<double>(p.param.data_ptr<double>(),
                                         p.param.data_ptr<double>() + p.param.numel()),
                     std::vector<double>(p.param.numel(), 0.0),
                     std::vector<double>(p.param.numel(), 0.0), p.param.dim() >= 2 ? 0.1 : 0.0});
    for (int t = 1; t <= 2; ++t) {
      for (size_t k = 0; k < ps.size(); ++k) {
        torch::Tensor g = torch::randn(ps[k].param.sizes(), torch::kDouble);
        set_grad(ps[k].param, g);
        Ref& r = ref[k];
        const double* gp = g.data_ptr<double>();
        const double b1 = cfg.beta1, b2 = cfg.beta2, lr = cfg.lr_adamw;
        for (size_t i = 0; i < r.w.size(); ++i) {
          r.m[i] = b1 * r.m[i] + (1 - b1) * gp[i];
          r.v[i] = b2 * r.v[i] + (1 - b2) * gp[i] * gp[i];
          const double mhat = r.m[i] / (1 - std::pow(b1, t));
          const double vhat = r.v[i] / (1 - std::pow(b2, t));
          r.w[i] = r.w[i] * (1 - lr * r.wd) - lr * mhat / (std::sqrt(vhat) + cfg.eps);
        }
      }
      set.step(t - 1, 10);
      for (size_t k = 0; k < ps.size(); ++k) {
        const double* w = ps[k].param.data_ptr<double>();
        for (size_t i = 0; i < ref[k].w.size(); ++i)
          QVERIFY2(std::abs(w[i] - ref[k].w[i]) < 1e-12,
                   qPrintable(QString("step %1 param %2[%3]: %4 vs %5")
                                  .arg(t)
                                  .arg(k)
                                  .arg(i)
                                  .arg(w[i], 0, 'g', 17)
                                  .arg(ref[k].w[i], 0, 'g', 17)));
      }
    }
  }

  // SGD with momentum (PyTorch semantics: buf = g on the first step, then mu buf + g; coupled
  // L2 weight decay g += wd W on matrices only).
  void sgdMomentumMatchesHandComputation() {
    torch::manual_seed(5);
    std::vector<NamedParam> ps = {np("head.weight", "head", -1, {4, 3}),
                                  np("norm_f.weight", "norm", -1, {3})};
    OptimConfig cfg = flat_schedule();
    cfg.muon = {};
    cfg.base = "sgd";
    cfg.lr_adamw = 0.05;
    cfg.sgd_momentum = 0.9;
    cfg.wd_adamw = 0.01;
    OptimizerSet set(ps, cfg);
    struct Ref {
      std::vector<double> w, buf;
      double wd;
    };
    std::vector<Ref> ref;
    for (const auto& p : ps)
      ref.push_back({std::vector<double>(p.param.data_ptr<double>(),
                                         p.param.data_ptr<double>() + p.param.numel()),
                     {},
                     p.param.dim() >= 2 ? cfg.wd_adamw : 0.0});
    for (int t = 0; t < 3; ++t) {
      for (size_t k = 0; k < ps.size(); ++k) {
        torch::Tensor g = torch::randn(ps[k].param.sizes(), torch::kDouble);
        set_grad(ps[k].param, g);
        Ref& r = ref[k];
        const double* gp = g.data_ptr<double>();
        if (r.buf.empty()) r.buf.assign(r.w.size(), 0.0);
        for (size_t i = 0; i < r.w.size(); ++i) {
          const double d = gp[i] + r.wd * r.w[i];
          r.buf[i] = t == 0 ? d : cfg.sgd_momentum * r.buf[i] + d;
          r.w[i] -= cfg.lr_adamw * r.buf[i];
        }
      }
      set.step(t, 10);
      for (size_t k = 0; k < ps.size(); ++k) {
        const double* w = ps[k].param.data_ptr<double>();
        for (size_t i = 0; i < ref[k].w.size(); ++i) QVERIFY(std::abs(w[i] - ref[k].w[i]) < 1e-13);
      }
    }
  }

  void schedules() {
    OptimConfig c;
    c.warmup_steps = 10;
    c.min_lr_frac = 0.1;
    c.decay_frac = 0.2;
    const double eps = 1e-12;
    for (const char* kind : {"constant", "cosine", "wsd"}) {
      c.schedule = kind;
      QVERIFY(std::abs(lr_multiplier(c, 0, 100) - 0.1) < eps);  // warmup start: 1/10
      QVERIFY(std::abs(lr_multiplier(c, 4, 100) - 0.5) < eps);
      QVERIFY(std::abs(lr_multiplier(c, 9, 100) - 1.0) < eps);   // warmup end
      QVERIFY(std::abs(lr_multiplier(c, 10, 100) - 1.0) < eps);  // first step after warmup
    }
    c.schedule = "constant";
    QVERIFY(std::abs(lr_multiplier(c, 55, 101) - 1.0) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 100, 101) - 1.0) < eps);
    c.schedule = "cosine";  // after warmup: 0.1 + 0.9 * (1 + cos(pi p)) / 2, p = (s - 10) / 90
    QVERIFY(std::abs(lr_multiplier(c, 55, 101) - 0.55) < eps);  // middle: p = 1/2
    QVERIFY(std::abs(lr_multiplier(c, 40, 101) - (0.1 + 0.45 * (1 + std::cos(M_PI / 3)))) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 100, 101) - 0.1) < eps);  // last step
    c.schedule = "wsd";  // 100 steps, last 20 decay: steps 80..99 go 1 - 0.9 * k / 20, k = 1..20
    QVERIFY(std::abs(lr_multiplier(c, 50, 100) - 1.0) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 79, 100) - 1.0) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 80, 100) - (1 - 0.9 / 20)) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 89, 100) - 0.55) < eps);
    QVERIFY(std::abs(lr_multiplier(c, 99, 100) - 0.1) < eps);
    c.warmup_steps = 0;
    c.schedule = "cosine";
    QVERIFY(std::abs(lr_multiplier(c, 0, 100) - 1.0) < eps);  // no warmup: starts at the peak

    // OptimizerSet applies the multiplier to both peaks and sets the groups' lr in step().
    OptimConfig oc;
    oc.warmup_steps = 4;
    oc.schedule = "cosine";
    oc.lr_adamw = 1e-3;
    oc.lr_muon = 0.02;
    auto ps = fake_model_params(false);
    OptimizerSet set(ps, oc);
    QVERIFY(std::abs(set.lr_base(1, 20) - 1e-3 * 0.5) < eps);
    QVERIFY(std::abs(set.lr_muon(1, 20) - 0.02 * 0.5) < eps);
    for (auto& p : ps) set_grad(p.param, torch::zeros_like(p.param));
    set.step(1, 20);
    QVERIFY(std::abs(set.muon_optimizer()->param_groups()[0].options().get_lr() - 0.01) < eps);
    for (const auto& g : set.base_optimizer()->param_groups())
      QVERIFY(std::abs(g.options().get_lr() - 5e-4) < eps);
  }

  void invalidHyperparametersThrow() {
    torch::Tensor w = make_param({4, 6}, 1, torch::kFloat);
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions(0.0)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions(-0.01)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions(NAN)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions().momentum(1.0)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions().momentum(-0.1)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions().weight_decay(-1e-3)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions().ns_steps(0)));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({w}, MuonOptions().scale("spectral")));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({make_param({6}, 1, torch::kFloat)}));
    QVERIFY_THROWS_EXCEPTION(c10::Error, Muon({make_param({2, 3, 4}, 1, torch::kFloat)}));
    QVERIFY_THROWS_EXCEPTION(c10::Error, newton_schulz5(torch::randn({5}), 5));
    QVERIFY_THROWS_EXCEPTION(c10::Error, newton_schulz5(torch::randn({4, 4}), 0));
    // A group's lr changed to an invalid value after construction is caught at step().
    Muon ok({w});
    set_grad(w, torch::randn({4, 6}));
    static_cast<MuonOptions&>(ok.param_groups()[0].options()).lr(-1.0);
    QVERIFY_THROWS_EXCEPTION(c10::Error, ok.step());

    // OptimizerSet turns bad config values into ConfigError naming the key.
    const auto ps = fake_model_params(false);
    auto expect = [&](auto mutate, const char* key) {
      OptimConfig c;
      mutate(c);
      try {
        OptimizerSet s(ps, c);
        QFAIL(qPrintable(QString("no error for ") + key));
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(key), e.what());
      }
    };
    expect([](OptimConfig& c) { c.muon = {"attn.x"}; }, "optim.muon");
    expect([](OptimConfig& c) { c.base = "adam"; }, "optim.base");
    expect([](OptimConfig& c) { c.schedule = "linear"; }, "optim.schedule");
    expect([](OptimConfig& c) { c.lr_muon = 0; }, "optim.lr_muon");
    expect([](OptimConfig& c) { c.momentum = 1; }, "optim.momentum");
    expect([](OptimConfig& c) { c.ns_steps = 0; }, "optim.ns_steps");
    expect([](OptimConfig& c) { c.muon_scale = "x"; }, "optim.muon_scale");
    expect([](OptimConfig& c) { c.beta2 = 1.5; }, "optim.beta2");
  }
};

QTEST_APPLESS_MAIN(TestOptim)
#include "test_optim.moc"
