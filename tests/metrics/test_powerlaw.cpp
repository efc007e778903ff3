// test_powerlaw: WeightWatcher's power-law fit of an ESD (core/metrics/PowerLaw.h).
// (a) Samples of a continuous power law with known alpha (inverse-CDF sampling, fixed seed,
//     n = 2000) recover alpha within its statistical error; the fit is scale invariant.
// (b) Against an independent implementation of the same method, R's poweRlaw: reference values
//     for committed inputs in tests/fixtures/powerlaw (written by make_reference.R, run by hand).
// (c) Unusable inputs (too few, all equal, zeros, NaN, infinite) give NaN, never a throw.
// (d) spectrum_metrics fills alpha & co. from sigma^2, and they survive the run file; the numpy
//     snippet of docs/run-format.md refits them from the stored sv (skipped without h5py).
// torch before Qt: Qt's `slots` macro breaks torch's headers.
#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/Metrics.h"
#include "metrics/PowerLaw.h"
#include "store/RunReader.h"
#include "store/RunWriter.h"

using namespace ms;

namespace {

// n draws of p(x) = (alpha - 1) / xmin * (x / xmin)^-alpha, x >= xmin, by the inverse CDF
// x = xmin (1 - u)^(-1 / (alpha - 1)); u from the top 53 bits of mt19937_64 (portable).
std::vector<double> power_law_sample(double alpha, double xmin, int n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<double> x;
  for (int i = 0; i < n; ++i) {
    const double u = double(gen() >> 11) * 0x1.0p-53;  // [0, 1)
    x.push_back(xmin * std::pow(1.0 - u, -1.0 / (alpha - 1.0)));
  }
  return x;
}

double rel(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-300);
}

// A CSV file without quoting: rows of cells; lines starting with '#' are comments.
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ',')) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

const std::string kFixtures = MUONSCOPE_SOURCE_DIR "/tests/fixtures/powerlaw/";

}  // namespace

class TestPowerLaw : public QObject {
  Q_OBJECT
 private slots:
  // (a) alpha in {2, 3, 4.5}, xmin = 1, n = 2000: the KS-chosen fit lies within 3 standard
  // errors (alpha - 1) / sqrt(n_tail) of the truth, and its xmin at or above the true one with at
  // least a quarter of the sample in the tail.
  void recoversKnownAlpha() {
    const double alphas[] = {2.0, 3.0, 4.5};
    uint64_t seed = 12;
    for (const double alpha : alphas) {
      const std::vector<double> x = power_law_sample(alpha, 1.0, 2000, seed++);
      const PowerLawFit f = fit_power_law(x);
      QVERIFY(f.ok());
      const double se = (alpha - 1) / std::sqrt(double(f.n_tail));
      qInfo("alpha %.2f: fitted %.4f +- %.4f (%.2f se), xmin %.4f, n_tail %lld, KS %.4f", alpha,
            f.alpha, f.sigma, (f.alpha - alpha) / se, f.xmin, static_cast<long long>(f.n_tail),
            f.ks_distance);
      QVERIFY2(std::abs(f.alpha - alpha) < 3 * se, qPrintable(QString::number(f.alpha)));
      QVERIFY(f.xmin >= 1.0);    // a sample point, so at or above the true xmin
      QVERIFY(f.n_tail >= 500);  // and the tail a good part of the sample
      QCOMPARE(f.n_used, int64_t(2000));
      QVERIFY(f.ks_distance > 0 && f.ks_distance < 0.05);  // KS of a correct model, n >= 500
      QCOMPARE(f.lambda_max, *std::max_element(x.begin(), x.end()));
      QCOMPARE(f.alpha_weighted, f.alpha * std::log10(f.lambda_max));
      QCOMPARE(f.sigma, (f.alpha - 1) / std::sqrt(double(f.n_tail)));
    }
  }

  // x -> c x leaves alpha and D and scales xmin (p(x) ~ x^-alpha is scale free); the input
  // order does not matter.
  void scaleAndOrderInvariant() {
    std::vector<double> x = power_law_sample(2.7, 0.5, 400, 7);
    const PowerLawFit f = fit_power_law(x);
    std::vector<double> y;
    for (double v : x) y.push_back(8.0 * v);
    std::reverse(y.begin(), y.end());
    const PowerLawFit g = fit_power_law(y);
    QVERIFY(rel(g.alpha, f.alpha) < 1e-12);
    QVERIFY(rel(g.ks_distance, f.ks_distance) < 1e-10);
    QVERIFY(rel(g.xmin, 8.0 * f.xmin) < 1e-15);
    QCOMPARE(g.n_tail, f.n_tail);
  }

  // The closed-form MLE at the chosen xmin: alpha = 1 + n / sum ln(x / xmin) over x >= xmin
  // (Clauset et al. eq. 3.1), and D at that alpha as defined in PowerLaw.h, recomputed here
  // by brute force; no other candidate has a smaller D.
  void mleAndKsByBruteForce() {
    std::vector<double> x = power_law_sample(3.2, 2.0, 300, 99);
    for (int i = 0; i < 100; ++i) x.push_back(2.0 * double(i + 1) / 100.0);  // a non-PL bulk
    const PowerLawFit f = fit_power_law(x);
    std::sort(x.begin(), x.end());
    auto fit_at = [&](double xmin, double* D) {
      std::vector<double> t;
      for (double v : x)
        if (v >= xmin) t.push_back(v);
      double s = 0;
      for (double v : t) s += std::log(v / xmin);
      const double a = 1 + double(t.size()) / s;
      *D = 0;
      for (size_t k = 0; k < t.size(); ++k)
        *D = std::max(*D, std::abs(1 - std::pow(t[k] / xmin, 1 - a) - double(k) / t.size()));
      return a;
    };
    double D = 0;
    const double a = fit_at(f.xmin, &D);
    QVERIFY(rel(f.alpha, a) < 1e-12);
    QVERIFY(rel(f.ks_distance, D) < 1e-10);
    for (size_t i = 0; i + 1 < x.size(); ++i) {
      double Di = 0;
      fit_at(x[i], &Di);
      QVERIFY(Di >= f.ks_distance - 1e-12);
    }
    QVERIFY(f.xmin > 1.0);  // the bulk below 2 is cut off
  }

  // (b) R's poweRlaw on the committed inputs (tests/fixtures/powerlaw/make_reference.R):
  // ll_* is poweRlaw's likelihood maximized tightly with poweRlaw's KS distance (the same
  // method: agreement to 1e-6 relative, the same xmin and tail); pw_* is poweRlaw's own
  // estimate_xmin(), whose alpha comes from optim() at its default tolerance (1e-5).
  void matchesPoweRlaw() {
    const auto inputs = read_csv(kFixtures + "inputs.csv");
    const auto ref = read_csv(kFixtures + "reference.csv");
    QVERIFY2(inputs.size() > 100 && ref.size() >= 5, "fixtures missing");
    std::map<std::string, std::vector<double>> by_name;
    for (size_t i = 1; i < inputs.size(); ++i)
      by_name[inputs[i].at(0)].push_back(std::stod(inputs[i].at(1)));
    const std::vector<std::string>& head = ref[0];
    auto col = [&](const std::vector<std::string>& row, const char* name) {
      const auto it = std::find(head.begin(), head.end(), name);
      if (it == head.end()) qFatal("reference.csv lacks %s", name);
      return std::stod(row.at(size_t(it - head.begin())));
    };
    double worst_alpha = 0, worst_ks = 0, worst_pw = 0;
    for (size_t r = 1; r < ref.size(); ++r) {
      const std::string name = ref[r].at(0);
      QVERIFY2(by_name.count(name), name.c_str());
      const PowerLawFit f = fit_power_law(by_name[name]);
      QVERIFY(f.ok());
      qInfo("%-14s alpha %.10f (R %.10f)  xmin %.8g (R %.8g)  KS %.10f (R %.10f)  n_tail %lld",
            name.c_str(), f.alpha, col(ref[r], "ll_alpha"), f.xmin, col(ref[r], "ll_xmin"),
            f.ks_distance, col(ref[r], "ll_ks"), static_cast<long long>(f.n_tail));
      QCOMPARE(f.n_used, int64_t(col(ref[r], "n_used")));
      QVERIFY2(rel(f.xmin, col(ref[r], "ll_xmin")) < 1e-15, name.c_str());
      QCOMPARE(f.n_tail, int64_t(col(ref[r], "ll_ntail")));
      worst_alpha = std::max(worst_alpha, rel(f.alpha, col(ref[r], "ll_alpha")));
      worst_ks = std::max(worst_ks, rel(f.ks_distance, col(ref[r], "ll_ks")));
      QVERIFY2(rel(f.alpha, col(ref[r], "ll_alpha")) < 1e-6, name.c_str());
      QVERIFY2(rel(f.ks_distance, col(ref[r], "ll_ks")) < 1e-6, name.c_str());
      // poweRlaw's own estimate_xmin: same xmin, alpha and KS to its optimizer's tolerance.
      QVERIFY2(rel(f.xmin, col(ref[r], "pw_xmin")) < 1e-15, name.c_str());
      QCOMPARE(f.n_tail, int64_t(col(ref[r], "pw_ntail")));
      const double pw =
          std::max(rel(f.alpha, col(ref[r], "pw_alpha")), rel(f.ks_distance, col(ref[r], "pw_ks")));
      worst_pw = std::max(worst_pw, pw);
      QVERIFY2(pw < 1e-5, name.c_str());
    }
    qInfo(
        "vs poweRlaw: max relative difference alpha %.2g, KS %.2g (exact scan); %.2g vs "
        "estimate_xmin()",
        worst_alpha, worst_ks, worst_pw);
  }

  // (c) Unusable inputs: NaN fit, no throw.
  void edgeCasesAreNaN() {
    auto nan_fit = [](const std::vector<double>& x) {
      const PowerLawFit f = fit_power_law(x);
      return !f.ok() && std::isnan(f.alpha) && std::isnan(f.alpha_weighted) &&
             std::isnan(f.ks_distance) && std::isnan(f.xmin) && f.n_tail == 0;
    };
    const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
    QVERIFY(nan_fit({}));
    QVERIFY(nan_fit({1.0}));
    QVERIFY(nan_fit({1, 2, 3, 4, 5, 6, 7, 8, 9}));    // fewer than kPowerLawMinEigenvalues
    QVERIFY(nan_fit(std::vector<double>(50, 0.0)));   // all zero (below the threshold)
    QVERIFY(nan_fit(std::vector<double>(50, 3.0)));   // all equal: no tail
    QVERIFY(nan_fit(std::vector<double>(50, 1e-6)));  // all below EVALS_THRESH
    std::vector<double> x = power_law_sample(2.5, 1, 100, 3);
    QVERIFY(fit_power_law(x).ok());
    std::vector<double> y = x;
    y[17] = nan;
    QVERIFY(nan_fit(y));
    y[17] = inf;
    QVERIFY(nan_fit(y));
    y[17] = -inf;
    QVERIFY(nan_fit(y));
    // Zeros and negative round-off among usable values are dropped, not fatal.
    y = x;
    y.insert(y.end(), {0.0, 0.0, -1e-12, 1e-9});
    const PowerLawFit f = fit_power_law(y), g = fit_power_law(x);
    QCOMPARE(f.n_used, int64_t(100));
    QCOMPARE(f.alpha, g.alpha);
    // Ten usable values of which nine are equal: one candidate, a valid fit.
    std::vector<double> z(9, 1.0);
    z.push_back(2.0);
    QVERIFY(fit_power_law(z).ok());
    QCOMPARE(fit_power_law(z).xmin, 1.0);
    QVERIFY(nan_fit(std::vector<double>(9, 1.0)));
    QVERIFY(!fit_power_law_sv(std::vector<float>(40, std::nanf(""))).ok());
  }

  // (d) spectrum_metrics fits sigma^2; per-head composites (fit_power_law = false) stay NaN.
  void spectrumMetricsFitsSigmaSquared() {
    torch::manual_seed(5);
    const torch::Tensor W =
        torch::randn({300, 200}, torch::kDouble) * torch::rand({300, 1}, torch::kDouble).pow(3);
    const torch::Tensor sv = at::linalg_svdvals(W);
    const SpectrumMetrics m = spectrum_metrics(sv);
    std::vector<double> lam;
    for (int64_t i = 0; i < sv.size(0); ++i) lam.push_back(std::pow(sv[i].item<double>(), 2));
    const PowerLawFit f = fit_power_law(lam);
    QVERIFY(f.ok());
    QVERIFY(rel(m.alpha, f.alpha) < 1e-12);
    QVERIFY(rel(m.alpha_weighted, f.alpha_weighted) < 1e-12);
    QVERIFY(rel(m.alpha_ks, f.ks_distance) < 1e-12);
    QVERIFY(rel(m.alpha_xmin, f.xmin) < 1e-12);
    const SpectrumMetrics h = spectrum_metrics(sv, /*fit_power_law=*/false);
    QVERIFY(std::isnan(h.alpha) && std::isnan(h.alpha_ks) && std::isnan(h.alpha_xmin));
    QCOMPARE(h.stable_rank, m.stable_rank);
    const auto b = spectrum_metrics_batched(torch::stack({sv, sv.flip(0)}));
    QCOMPARE(b[1].alpha, b[0].alpha);
    QVERIFY(rel(b[0].alpha, m.alpha) < 1e-12);
    // The fit of the stored float32 sv is the same to float precision.
    QVERIFY(rel(fit_power_law_sv(m.sv).alpha, m.alpha) < 1e-4);
    // All-zero spectrum: NaN everywhere, no throw.
    QVERIFY(std::isnan(spectrum_metrics(torch::zeros({20}, torch::kDouble)).alpha));
  }

  // (d) Through the run file: what the fit wrote reads back bit-identical, NaN stays NaN.
  void runFileRoundTrip() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    torch::manual_seed(6);
    RunInfo info;
    info.n_layer = 2;
    info.n_head = 2;
    info.head_dim = 8;
    info.seq_len = 8;
    info.total_steps = 1;
    info.matrix_names = {"attn.q", "mlp.in"};
    info.matrix_shapes = {{{16, 16}}, {{64, 16}}};
    Snapshot s;
    s.step = 1;
    s.matrix_names = info.matrix_names;
    s.layers.resize(2);
    for (auto& L : s.layers)
      for (const auto& shape : info.matrix_shapes) {
        const torch::Tensor W = torch::randn({shape[0], shape[1]}, torch::kDouble);
        L.matrices.push_back(spectrum_metrics(at::linalg_svdvals(W)));
      }
    s.layers[1].matrices[0].alpha = kNaN;  // a fit that failed
    s.layers[1].matrices[0].alpha_ks = kNaN;
    const std::string path = (tmp.path() + "/alpha.h5").toStdString();
    {
      RunWriter w(path, false);
      w.begin(info);
      w.append_snapshot(s);
      w.finish(RunStatus::Finished, "");
    }
    RunReader r(path);
    QVERIFY2(r.warnings().empty(), r.warnings().empty() ? "" : r.warnings()[0].c_str());
    const Snapshot got = r.snapshot(0);
    int fitted = 0;
    for (size_t l = 0; l < 2; ++l)
      for (size_t m = 0; m < 2; ++m) {
        const SpectrumMetrics &a = s.layers[l].matrices[m], &b = got.layers[l].matrices[m];
        auto same = [](double p, double q) { return (std::isnan(p) && std::isnan(q)) || p == q; };
        QVERIFY(same(a.alpha, b.alpha) && same(a.alpha_weighted, b.alpha_weighted) &&
                same(a.alpha_ks, b.alpha_ks) && same(a.alpha_xmin, b.alpha_xmin));
        fitted += std::isfinite(b.alpha) ? 1 : 0;
      }
    QCOMPARE(fitted, 3);
    QVERIFY(std::isnan(got.layers[1].matrices[0].alpha));
    QVERIFY(std::isfinite(got.layers[1].matrices[0].alpha_xmin));
  }

  // The numpy refit of docs/run-format.md over a file with fits of heavy-tailed matrices.
  void pythonSnippetRefitsAlpha() {
    QString python;
    for (const QString& cand : {QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")}) {
      QProcess p;
      p.start(cand, {"-c", "import h5py, numpy"});
      if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
        python = cand;
        break;
      }
    }
    if (python.isEmpty()) QSKIP("python3 with h5py and numpy not found");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    torch::manual_seed(8);
    RunInfo info;
    info.n_layer = 1;
    info.n_head = 2;
    info.head_dim = 8;
    info.seq_len = 8;
    info.total_steps = 1;
    info.matrix_names = {"attn.q", "mlp.in", "mlp.out"};
    info.matrix_shapes = {{{64, 64}}, {{256, 64}}, {{64, 256}}};
    Snapshot s;
    s.step = 1;
    s.matrix_names = info.matrix_names;
    s.layers.resize(1);
    for (const auto& shape : info.matrix_shapes) {  // Student-t-like entries: a heavy tail
      const torch::Tensor g = torch::randn({shape[0], shape[1]}, torch::kDouble);
      const torch::Tensor chi = torch::randn({shape[0], shape[1], 3}, torch::kDouble).square();
      const torch::Tensor W = g / (chi.mean(-1).sqrt()) / std::sqrt(double(shape[0]));
      s.layers[0].matrices.push_back(spectrum_metrics(at::linalg_svdvals(W)));
      QVERIFY(std::isfinite(s.layers[0].matrices.back().alpha));
    }
    const std::string run = (tmp.path() + "/snippet.h5").toStdString();
    {
      RunWriter w(run, false);
      w.begin(info);
      w.append_snapshot(s);
      w.finish(RunStatus::Finished, "");
    }
    std::ifstream doc(MUONSCOPE_SOURCE_DIR "/docs/run-format.md");
    std::string line, block, code;
    bool in_code = false;
    while (std::getline(doc, line)) {
      if (line.rfind("```", 0) == 0) {
        if (in_code && block.find("def powerlaw_alpha") != std::string::npos) code = block;
        in_code = !in_code && line == "```python";
        block.clear();
        continue;
      }
      if (in_code) block += line + "\n";
    }
    QVERIFY2(!code.empty(), "no powerlaw_alpha snippet in docs/run-format.md");
    const size_t at = code.find("\"run.h5\"");
    QVERIFY(at != std::string::npos);
    code.replace(at, 8, "\"" + run + "\"");
    QProcess p;
    p.start(python, {"-c", QString::fromStdString(code)});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, out.constData());
    QVERIFY2(out.count("alpha") == 3, out.constData());
    qInfo("%s", out.constData());
  }
};

QTEST_APPLESS_MAIN(TestPowerLaw)
#include "test_powerlaw.moc"
