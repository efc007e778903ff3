// One-layer associative memory (core/assoc): the literal model's pieces against independent
// float64 references (finite differences, a gradient with a known SVD, hand-computed first
// steps), the symmetry-reduced simulation against the dense one step for step, and the paper's
// qualitative findings (arXiv 2509.26030, Section 5): under a two-mass imbalance Muon is
// balanced for any embedding, GD is not, SignGD is balanced only for one-hot embeddings.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "assoc/Assoc.h"

using namespace ms;

namespace {

using Mat = std::vector<double>;  // K x K row-major

Mat matmul(const Mat& a, const Mat& b, int K) {
  Mat c(K * K, 0.0);
  for (int i = 0; i < K; ++i)
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < K; ++j) c[i * K + j] += a[i * K + k] * b[k * K + j];
  return c;
}

Mat transpose(const Mat& a, int K) {
  Mat t(K * K);
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) t[j * K + i] = a[i * K + j];
  return t;
}

double max_abs_diff(const Mat& a, const Mat& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

Mat identity(int K) {
  Mat I(K * K, 0.0);
  for (int i = 0; i < K; ++i) I[i * K + i] = 1;
  return I;
}

Mat gaussian(int K, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0, 1);
  Mat a(K * K);
  for (double& v : a) v = n(rng);
  return a;
}

// Orthonormal columns by modified Gram-Schmidt of a seeded Gaussian matrix.
Mat random_orthogonal(int K, unsigned seed) {
  Mat a = gaussian(K, seed);
  for (int j = 0; j < K; ++j) {
    for (int i = 0; i < j; ++i) {
      double dot = 0;
      for (int r = 0; r < K; ++r) dot += a[r * K + i] * a[r * K + j];
      for (int r = 0; r < K; ++r) a[r * K + j] -= dot * a[r * K + i];
    }
    double nrm = 0;
    for (int r = 0; r < K; ++r) nrm += a[r * K + j] * a[r * K + j];
    for (int r = 0; r < K; ++r) a[r * K + j] /= std::sqrt(nrm);
  }
  return a;
}

// U diag(s) V^T.
Mat usv(const Mat& U, const std::vector<double>& s, const Mat& V, int K) {
  Mat US = U;
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) US[i * K + j] *= s[j];
  return matmul(US, transpose(V, K), K);
}

AssocConfig paper_config(const char* embedding, const char* optimizer) {
  AssocConfig c;  // K = 64, alpha = 0.9, beta = 0.1, eps = 0.01
  c.embedding = embedding;
  c.optimizer = optimizer;
  c.seed = 7;
  return c;
}

}  // namespace

class TestAssoc : public QObject {
  Q_OBJECT
 private:
  template <typename F>
  void expectInvalid(F f, const char* fragment) {
    try {
      f();
      QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      const QString msg = QString::fromStdString(e.what());
      QVERIFY2(msg.contains(QLatin1String(fragment)), qPrintable(msg + " lacks " + fragment));
    }
  }

 private slots:
  void classProbsTwoMass() {
    AssocConfig c;
    c.K = 20;
    c.alpha = 0.7;
    c.beta = 0.24;  // L = round(4.8) = 5
    const std::vector<double> p = assoc_class_probs(c);
    QCOMPARE(int(p.size()), 20);
    for (int k = 0; k < 5; ++k) QCOMPARE(p[k], 0.7 / 5);
    for (int k = 5; k < 20; ++k) QCOMPARE(p[k], 0.3 / 15);
    double sum = 0;
    for (double v : p) sum += v;
    QVERIFY(std::abs(sum - 1) < 1e-14);
  }

  void rejectsBadConfig() {
    auto with = [](auto edit) {
      AssocConfig c;
      edit(c);
      return [c] { run_assoc(c); };
    };
    expectInvalid(with([](AssocConfig& c) { c.K = 1; }), "K = 1");
    expectInvalid(with([](AssocConfig& c) { c.alpha = 1.5; }), "alpha = 1.5");
    expectInvalid(with([](AssocConfig& c) { c.beta = 0.001; }), "beta = 0.001");
    expectInvalid(with([](AssocConfig& c) { c.eps = 0.99; }), "eps = 0.99");
    expectInvalid(with([](AssocConfig& c) { c.embedding = "hadamard"; }), "embedding = hadamard");
    expectInvalid(with([](AssocConfig& c) { c.optimizer = "adamw"; }), "optimizer = adamw");
    expectInvalid(with([](AssocConfig& c) { c.lr = NAN; }), "lr = nan");
    expectInvalid(with([](AssocConfig& c) { c.max_steps = 0; }), "max_steps = 0");
    expectInvalid([] { assoc_direction(Mat(5, 0.0), 2, "muon"); }, "5 elements");
  }

  void embeddingsOrthonormal() {
    AssocConfig c;
    c.K = 12;
    const AssocEmbeddings one = assoc_embeddings(c);
    QCOMPARE(max_abs_diff(one.E, identity(12)), 0.0);
    QCOMPARE(max_abs_diff(one.Et, identity(12)), 0.0);
    c.embedding = "orthogonal";
    c.seed = 3;
    const AssocEmbeddings a = assoc_embeddings(c), b = assoc_embeddings(c);
    QCOMPARE(max_abs_diff(a.E, b.E), 0.0);  // seeded
    for (const Mat* m : {&a.E, &a.Et})
      QVERIFY(max_abs_diff(matmul(transpose(*m, 12), *m, 12), identity(12)) < 1e-13);
    QVERIFY(max_abs_diff(a.E, a.Et) > 0.1);  // independent input/output embeddings
    // Support-coupled: every column is dense.
    int zeros = 0;
    for (double v : a.E) zeros += std::abs(v) < 1e-12;
    QCOMPARE(zeros, 0);
    c.seed = 4;
    QVERIFY(max_abs_diff(assoc_embeddings(c).E, a.E) > 0.1);
  }

  void lossAtZeroIsLogK() {
    AssocConfig c;
    c.K = 9;
    c.embedding = "orthogonal";
    const AssocEmbeddings emb = assoc_embeddings(c);
    const std::vector<double> p = assoc_class_probs(c);
    QVERIFY(std::abs(assoc_loss(Mat(81, 0.0), emb, p) - std::log(9.0)) < 1e-14);
    for (double f : assoc_correct_probs(Mat(81, 0.0), emb)) QVERIFY(std::abs(f - 1.0 / 9) < 1e-15);
  }

  void gradientMatchesFiniteDifferences() {
    AssocConfig c;
    c.K = 6;
    c.alpha = 0.7;
    c.beta = 0.35;  // L = 2
    c.embedding = "orthogonal";
    c.seed = 11;
    const int K = c.K;
    const AssocEmbeddings emb = assoc_embeddings(c);
    const std::vector<double> p = assoc_class_probs(c);
    const Mat W = gaussian(K, 5);
    const Mat g = assoc_grad(W, emb, p);
    const double h = 1e-5;
    double err = 0, scale = 0;
    for (int i = 0; i < K * K; ++i) {
      Mat wp = W, wm = W;
      wp[i] += h;
      wm[i] -= h;
      const double fd = (assoc_loss(wp, emb, p) - assoc_loss(wm, emb, p)) / (2 * h);
      err = std::max(err, std::abs(fd - g[i]));
      scale = std::max(scale, std::abs(g[i]));
    }
    QVERIFY2(scale > 1e-3, qPrintable(QString::number(scale)));
    QVERIFY2(err < 1e-8 * scale, qPrintable(QString("fd error %1 of %2").arg(err).arg(scale)));
  }

  void muonDirectionIsPolarFactor() {
    // Known SVD, with a tiny but real singular value and two exact zeros.
    const int K = 6;
    const Mat U = random_orthogonal(K, 1), V = random_orthogonal(K, 2);
    const Mat G = usv(U, {3.0, 1.0, 0.5, 1e-3, 0.0, 0.0}, V, K);
    const Mat D = assoc_direction(G, K, "muon");
    QVERIFY(max_abs_diff(D, usv(U, {1, 1, 1, 1, 0, 0}, V, K)) < 1e-10);
    // Scale-free.
    Mat G2 = G;
    for (double& v : G2) v *= 1e-4;
    QVERIFY(max_abs_diff(assoc_direction(G2, K, "muon"), D) < 1e-10);
    // GD and SignGD directions.
    QCOMPARE(max_abs_diff(assoc_direction(G, K, "gd"), G), 0.0);
    const Mat S = assoc_direction(G, K, "signgd");
    for (int i = 0; i < K * K; ++i) QCOMPARE(S[i], double((G[i] > 0) - (G[i] < 0)));
  }

  void muonDirectionOnModelGradient() {
    // The model's gradient has rank K - 1 (its logit-space columns sum to zero). The Muon
    // direction is a partial isometry on exactly that support: D^T D is a projection of
    // trace K - 1 (all non-zero singular values 1), D D^T D = D, and D^T G is symmetric PSD.
    AssocConfig c;
    c.K = 8;
    c.embedding = "orthogonal";
    c.seed = 2;
    const int K = c.K;
    const AssocEmbeddings emb = assoc_embeddings(c);
    Mat W = gaussian(K, 9);
    for (double& v : W) v *= 0.5;
    const Mat G = assoc_grad(W, emb, assoc_class_probs(c));
    const Mat D = assoc_direction(G, K, "muon");
    const Mat P = matmul(transpose(D, K), D, K);  // (K, K)
    QVERIFY(max_abs_diff(matmul(P, P, K), P) < 1e-10);
    double tr = 0;
    for (int i = 0; i < K; ++i) tr += P[i * K + i];
    QVERIFY2(std::abs(tr - (K - 1)) < 1e-10, qPrintable(QString::number(tr)));
    QVERIFY(max_abs_diff(matmul(D, P, K), D) < 1e-10);
    const Mat DtG = matmul(transpose(D, K), G, K);
    QVERIFY(max_abs_diff(DtG, transpose(DtG, K)) < 1e-12);
    // <D, G> = sum of G's singular values >= |<X, G>| for any X of spectral norm <= 1; check
    // against the sign matrix scaled to spectral norm <= 1 (Frobenius norm K).
    double dg = 0, sg = 0;
    const Mat S = assoc_direction(G, K, "signgd");
    for (int i = 0; i < K * K; ++i) {
      dg += D[i] * G[i];
      sg += S[i] * G[i] / K;
    }
    QVERIFY(dg > sg);
  }

  void firstStepsByHand() {
    // One-hot, from W = 0: column k of the gradient is p_k (1/K - e_k).
    AssocConfig c;
    c.K = 10;
    c.alpha = 0.6;
    c.beta = 0.2;  // L = 2
    c.max_steps = 1;
    c.lr = 3.0;
    const std::vector<double> p = assoc_class_probs(c);
    const int K = c.K;
    c.optimizer = "gd";  // d = lr p (1 - 1/K), off-diagonal -lr p / K
    AssocResult r = run_assoc(c);
    QCOMPARE(r.steps, 1);
    for (int k = 0; k < K; ++k) {
      const double d = c.lr * p[k] * (1 - 1.0 / K), o = -c.lr * p[k] / K;
      const double f = std::exp(d) / (std::exp(d) + (K - 1) * std::exp(o));
      QVERIFY(std::abs(r.final_prob[k] - f) < 1e-14);
    }
    c.optimizer = "signgd";  // sign(G) = J - 2I: +lr on the diagonal, -lr off it
    c.lr = 0.4;
    r = run_assoc(c);
    const double fs = std::exp(0.4) / (std::exp(0.4) + (K - 1) * std::exp(-0.4));
    for (double f : r.final_prob) QVERIFY(std::abs(f - fs) < 1e-14);
    QCOMPARE(r.traj_min.front(), 0.1);
  }

  void reducedMatchesDense_data() {
    QTest::addColumn<QString>("optimizer");
    QTest::addColumn<QString>("embedding");
    QTest::newRow("gd orthogonal") << "gd"
                                   << "orthogonal";
    QTest::newRow("muon orthogonal") << "muon"
                                     << "orthogonal";
    QTest::newRow("muon onehot") << "muon"
                                 << "onehot";
    QTest::newRow("signgd onehot") << "signgd"
                                   << "onehot";
  }
  void reducedMatchesDense() {
    // The reduced state is exact (Assoc.cpp): same trajectory as the literal d x d model, and
    // for GD and Muon the same for any orthonormal embeddings.
    QFETCH(QString, optimizer);
    QFETCH(QString, embedding);
    AssocConfig c;
    c.K = 10;
    c.alpha = 0.8;
    c.beta = 0.3;  // L = 3
    c.eps = 0.05;
    c.optimizer = optimizer.toStdString();
    c.embedding = embedding.toStdString();
    c.seed = 5;
    const AssocResult fast = run_assoc(c);
    c.dense = true;
    const AssocResult dense = run_assoc(c);
    QVERIFY(fast.converged && dense.converged);
    QCOMPARE(fast.steps, dense.steps);
    QVERIFY(fast.steps >= 10);
    QVERIFY(std::abs(fast.lr - dense.lr) < 1e-12 * fast.lr);
    QVERIFY(max_abs_diff(fast.final_prob, dense.final_prob) < 1e-9);
    QVERIFY(max_abs_diff(fast.traj_min, dense.traj_min) < 1e-9);
    QVERIFY(max_abs_diff(fast.traj_max, dense.traj_max) < 1e-9);
    QVERIFY(max_abs_diff(fast.traj_mean, dense.traj_mean) < 1e-9);
  }

  void resultBookkeeping() {
    const AssocResult r = run_assoc(paper_config("orthogonal", "signgd"));
    QVERIFY(r.converged);
    QCOMPARE(int(r.traj_min.size()), r.steps + 1);
    QCOMPARE(int(r.traj_mean.size()), r.steps + 1);
    QCOMPARE(int(r.final_prob.size()), 64);
    for (size_t t = 0; t < r.traj_min.size(); ++t)
      QVERIFY(r.traj_min[t] <= r.traj_mean[t] && r.traj_mean[t] <= r.traj_max[t]);
    QVERIFY(std::abs(r.traj_mean.front() - 1.0 / 64) < 1e-12);
    const auto [mn, mx] = std::minmax_element(r.final_prob.begin(), r.final_prob.end());
    QCOMPARE(r.min_prob, *mn);
    QCOMPARE(r.max_prob, *mx);
    QCOMPARE(r.gap, *mx - *mn);
    QVERIFY(r.max_prob >= 0.99);
    QVERIFY(r.traj_max[r.steps - 1] < 0.99);  // stopped at the first step that got there
    // Capped run.
    AssocConfig c = paper_config("onehot", "gd");
    c.max_steps = 5;
    const AssocResult capped = run_assoc(c);
    QVERIFY(!capped.converged);
    QCOMPARE(capped.steps, 5);
    QVERIFY(capped.max_prob < 0.99);
  }

  void paperMuonBalanced() {
    // Theorem 5.3/5.4: once the best class reaches 1 - eps, the worst is
    // >= 1 - eps (1 + O(log K / K)), for any embedding.
    for (const char* emb : {"onehot", "orthogonal"}) {
      const AssocResult r = run_assoc(paper_config(emb, "muon"));
      QVERIFY(r.converged);
      QVERIFY2(r.gap < 0.01, qPrintable(QString("%1: gap %2").arg(emb).arg(r.gap)));
      QVERIFY(r.min_prob > 1 - 2 * 0.01);
    }
    // The same on the literal 64 x 64 model with random orthogonal embeddings (exact SVDs).
    AssocConfig c = paper_config("orthogonal", "muon");
    c.dense = true;
    const AssocResult d = run_assoc(c);
    QVERIFY(d.converged);
    QVERIFY2(d.gap < 0.01, qPrintable(QString::number(d.gap)));
  }

  void paperGdImbalanced() {
    // GD's per-class rate is p_k: the tail is barely learned when the head converges.
    for (const char* emb : {"onehot", "orthogonal"}) {
      const AssocResult r = run_assoc(paper_config(emb, "gd"));
      QVERIFY(r.converged);
      QVERIFY2(r.gap > 0.5, qPrintable(QString("%1: gap %2").arg(emb).arg(r.gap)));
      QVERIFY(r.min_prob < 0.2);
    }
    // Control: without imbalance (alpha = beta = L / K) GD is balanced.
    AssocConfig c = paper_config("onehot", "gd");
    c.alpha = c.beta = 0.125;  // L = 8
    QVERIFY(run_assoc(c).gap < 1e-9);
  }

  void paperSignGdDependsOnEmbedding() {
    // One-hot (support-decoupled): sign(G) = J - 2I whatever p, so every class moves alike.
    const AssocResult one = run_assoc(paper_config("onehot", "signgd"));
    QVERIFY(one.converged);
    QVERIFY2(one.gap < 1e-9, qPrintable(QString::number(one.gap)));
    // Random orthogonal (support-coupled): the head dominates the signs; tail left behind.
    for (uint64_t seed : {7u, 8u}) {
      AssocConfig c = paper_config("orthogonal", "signgd");
      c.seed = seed;
      const AssocResult r = run_assoc(c);
      QVERIFY(r.converged);
      QVERIFY2(r.gap > 0.5, qPrintable(QString("seed %1: gap %2").arg(seed).arg(r.gap)));
    }
  }

  void runAllOrder() {
    AssocConfig c = paper_config("orthogonal", "gd");
    c.K = 32;
    c.lr = 123;  // ignored: each optimizer gets its default
    const std::vector<AssocResult> all = run_assoc_all(c);
    QCOMPARE(int(all.size()), 3);
    const char* names[] = {"gd", "signgd", "muon"};
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(all[i].optimizer, std::string(names[i]));
      c.optimizer = names[i];
      c.lr = 0;
      QCOMPARE(all[i].lr, assoc_default_lr(c));
      QVERIFY(all[i].converged);
    }
    QVERIFY(all[2].gap < all[1].gap && all[2].gap < all[0].gap);
  }
};

QTEST_APPLESS_MAIN(TestAssoc)
#include "test_assoc.moc"
