// Pure metric functions (core/metrics/Metrics.h) against independent float64 references on
// inputs with known answers: identity / rank-1 / chosen-diagonal spectra (numpy quartiles by
// hand), PR of data with known singular values and covariance eigenvalues, spikiness of spiked
// vectors, KIVI quantization values by hand and its s/2 error bound, batched vs per-matrix SVD,
// update alignment of constructed matrices, and the streaming KIVI cache: causal logits of a
// float64 model under both schemes, and the quantized attention against a loop reference.
// torch before Qt: Qt's `slots` macro breaks torch's headers.
#include <torch/torch.h>

#include <QtTest>

#include "MetricsReference.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "metrics/Metrics.h"
#include "model/GPT.h"

using namespace ms;

using msref::ref_kivi_cache;
using msref::ref_quantile;

namespace {

const auto f64 = torch::TensorOptions().dtype(torch::kDouble);

torch::Tensor vec(const std::vector<double>& v) {
  return torch::tensor(v, f64);
}

// Rectangular "diagonal" matrix (rows x cols) with the given singular values on its diagonal.
torch::Tensor diag_matrix(const std::vector<double>& s, int64_t rows, int64_t cols) {
  torch::Tensor m = torch::zeros({rows, cols}, f64);
  for (size_t i = 0; i < s.size(); ++i) m[int64_t(i)][int64_t(i)] = s[i];
  return m;
}

// Random matrix with orthonormal columns (n x k), from QR of a seeded Gaussian.
torch::Tensor orthonormal(int64_t n, int64_t k, uint64_t seed) {
  torch::manual_seed(seed);
  return std::get<0>(at::linalg_qr(torch::randn({n, k}, f64)));
}

// Independent float64 references, written as plain loops over std::vector.
struct RefSpectrum {
  double H, erank, top10, q75_q25, stable;
};
RefSpectrum ref_spectrum(std::vector<double> sv) {
  std::sort(sv.begin(), sv.end(), std::greater<double>());
  std::vector<double> s2;
  double tot = 0, mx = 0;
  for (double s : sv) {
    s2.push_back(s * s);
    tot += s * s;
    mx = std::max(mx, s * s);
  }
  double ent = 0, top = 0;
  for (size_t i = 0; i < s2.size(); ++i) {
    const double q = s2[i] / tot;
    if (q > 0) ent -= q * std::log(q);
    if (i < 10) top += q;
  }
  return {ent / std::log(double(sv.size())), std::exp(ent), top,
          ref_quantile(s2, 0.75) / ref_quantile(s2, 0.25), tot / mx};
}

bool near(double a, double b, double tol = 1e-9) {
  return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}
#define QNEAR(a, b, tol)          \
  QVERIFY2(near((a), (b), (tol)), \
           qPrintable(            \
               QString("%1 = %2, expected %3").arg(#a).arg((a), 0, 'g', 17).arg((b), 0, 'g', 17)))

// Causal attention by loops where query i reads the quantized cache kq/vq (flat, as
// ref_kivi_cache) for j < c(i) = floor((i + 1)/G) * G and the full-precision k/v otherwise.
torch::Tensor ref_streaming_attention(const torch::Tensor& q_in, const torch::Tensor& k_in,
                                      const torch::Tensor& v_in, const std::vector<double>& kq,
                                      const std::vector<double>& vq, int64_t G) {
  const torch::Tensor q = q_in.contiguous(), k = k_in.contiguous(), v = v_in.contiguous();
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), hd = q.size(3);
  const double* Q = q.data_ptr<double>();
  const double* K = k.data_ptr<double>();
  const double* V = v.data_ptr<double>();
  torch::Tensor out = torch::zeros({B, H, T, hd}, f64);
  double* O = out.data_ptr<double>();
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t i = 0; i < T; ++i) {
      const int64_t ci = (i + 1) / G * G;
      std::vector<double> p(size_t(i + 1));
      double mx = -1e300, z = 0;
      for (int64_t j = 0; j <= i; ++j) {
        double dot = 0;
        for (int64_t e = 0; e < hd; ++e) {
          const size_t kj = size_t((bh * T + j) * hd + e);
          dot += Q[(bh * T + i) * hd + e] * (j < ci ? kq[kj] : K[kj]);
        }
        p[size_t(j)] = dot / std::sqrt(double(hd));
        mx = std::max(mx, p[size_t(j)]);
      }
      for (double& e : p) z += (e = std::exp(e - mx));
      for (int64_t j = 0; j <= i; ++j)
        for (int64_t e = 0; e < hd; ++e) {
          const size_t vj = size_t((bh * T + j) * hd + e);
          O[(bh * T + i) * hd + e] += p[size_t(j)] / z * (j < ci ? vq[vj] : V[vj]);
        }
    }
  return out;
}

// The two KIVI schemes as streaming-cache options: KIVI's (K per-channel, V per-token) or the
// swapped one.
KvQuantization kivi_cache(bool kivi_scheme, int bits, int64_t G) {
  auto chan = [bits, G](const torch::Tensor& x) { return kivi_per_channel(x, bits, G); };
  auto tok = [bits, G](const torch::Tensor& x) { return kivi_per_token(x, bits, G); };
  if (kivi_scheme) return {G, chan, tok};
  return {G, tok, chan};
}

ModelConfig kivi_model_config() {
  ModelConfig c;
  c.vocab_size = 50;
  c.seq_len = 40;
  c.layers = 2;
  c.heads = 2;
  c.d_model = 16;
  c.init_std = 0.3;  // sharp attention, so that quantization matters
  return c;
}

}  // namespace

class TestMetrics : public QObject {
  Q_OBJECT
 private slots:
  // ---- spectra ----
  void identitySpectrum() {
    const int n = 16;
    const torch::Tensor sv = batched_svdvals({torch::eye(n, f64)})[0];
    const SpectrumMetrics m = spectrum_metrics(sv);
    QCOMPARE(m.sv.size(), size_t(n));
    QNEAR(m.erank, double(n), 1e-9);
    QNEAR(m.entropy, 1.0, 1e-9);
    QNEAR(m.stable_rank, double(n), 1e-9);
    QNEAR(m.q75_q25, 1.0, 1e-9);
    QNEAR(m.top10, 10.0 / n, 1e-9);
    QVERIFY(std::isnan(m.update_cosine));
    QVERIFY(std::isnan(m.update_top_share));
  }
  void rankOneSpectrum() {
    const torch::Tensor u = orthonormal(7, 1, 1), v = orthonormal(5, 1, 2);
    const torch::Tensor W = 3.0 * u.matmul(v.t());  // (7, 5), rank 1
    const SpectrumMetrics m = spectrum_metrics(svdvals_any(W));
    QNEAR(m.erank, 1.0, 1e-9);
    QNEAR(m.entropy, 0.0, 1e-9);
    QNEAR(m.stable_rank, 1.0, 1e-9);
    QNEAR(m.top10, 1.0, 1e-9);
    QNEAR(double(m.sv[0]), 3.0, 1e-6);
  }
  void diagonalByHand() {
    // sigma^2 = {1, 2, 3, 4, 10}: q = {.05, .1, .15, .2, .5}; numpy quartiles Q1 = 2, Q3 = 4.
    const std::vector<double> s2 = {1, 2, 3, 4, 10};
    std::vector<double> s;
    for (double x : s2) s.push_back(std::sqrt(x));
    const SpectrumMetrics m = spectrum_metrics(svdvals_any(diag_matrix(s, 5, 7)));
    const double q[] = {.05, .1, .15, .2, .5};
    double ent = 0;
    for (double qi : q) ent -= qi * std::log(qi);
    QNEAR(m.entropy, ent / std::log(5.0), 1e-12);
    QNEAR(m.erank, std::exp(ent), 1e-12);
    QNEAR(m.top10, 1.0, 1e-12);  // n = 5 < 10: all energy
    QNEAR(m.q75_q25, 4.0 / 2.0, 1e-12);
    QNEAR(m.stable_rank, 20.0 / 10.0, 1e-12);
    for (size_t i = 0; i < 5; ++i) QNEAR(double(m.sv[i]), std::sqrt(s2[4 - i]), 1e-6);  // desc
    // sigma^2 = {1, 2, 3, 4, 5, 30}: positions 1.25 and 3.75 -> Q1 = 2.25, Q3 = 4.75.
    const SpectrumMetrics m6 =
        spectrum_metrics(vec({1, std::sqrt(2.), std::sqrt(3.), 2, std::sqrt(5.), std::sqrt(30.)}));
    QNEAR(m6.q75_q25, 4.75 / 2.25, 1e-12);
    QNEAR(m6.stable_rank, 45.0 / 30.0, 1e-12);
  }
  void manyValuesAgainstReference() {
    // n = 13 > 10 (TopE_10 is a strict share), given out of order, through the SVD.
    std::vector<double> s = {0.3, 2.0, 1.1, 0.01, 5.0, 0.7, 0.7, 3.3, 0.2, 1.9, 0.05, 4.4, 0.9};
    const SpectrumMetrics m = spectrum_metrics(svdvals_any(diag_matrix(s, 13, 20).t()));
    const RefSpectrum r = ref_spectrum(s);
    QNEAR(m.entropy, r.H, 1e-10);
    QNEAR(m.erank, r.erank, 1e-10);
    QNEAR(m.top10, r.top10, 1e-10);
    QVERIFY(m.top10 < 1.0);
    QNEAR(m.q75_q25, r.q75_q25, 1e-10);
    QNEAR(m.stable_rank, r.stable, 1e-10);
    QVERIFY(std::is_sorted(m.sv.rbegin(), m.sv.rend()));
  }
  void batchedSpectrumMetricsMatchSingle() {
    torch::manual_seed(3);
    const torch::Tensor sv = torch::rand({4, 9}, f64);
    const auto b = spectrum_metrics_batched(sv);
    QCOMPARE(b.size(), size_t(4));
    for (int i = 0; i < 4; ++i) {
      const SpectrumMetrics one = spectrum_metrics(sv[i]);
      QNEAR(b[i].entropy, one.entropy, 1e-14);
      QNEAR(b[i].q75_q25, one.q75_q25, 1e-14);
      QNEAR(b[i].stable_rank, one.stable_rank, 1e-14);
    }
  }
  void zeroSpectrumIsNaN() {
    const SpectrumMetrics m = spectrum_metrics(torch::zeros({4}, f64));
    QVERIFY(std::isnan(m.entropy) && std::isnan(m.erank) && std::isnan(m.stable_rank));
  }
  void batchedSvdEqualsPerMatrix() {
    torch::manual_seed(4);
    std::vector<torch::Tensor> mats;
    for (int i = 0; i < 5; ++i) mats.push_back(torch::randn({6, 4}, f64));
    const torch::Tensor S = batched_svdvals(mats);  // (5, 4)
    QCOMPARE(S.size(0), int64_t(5));
    QCOMPARE(S.size(1), int64_t(4));
    for (int i = 0; i < 5; ++i) {
      const torch::Tensor one = at::linalg_svdvals(mats[i]);
      QVERIFY(torch::allclose(S[i], one, 1e-12, 1e-12));
      // Independent: sigma = sqrt(eig(A^T A)), descending.
      const torch::Tensor ev =
          std::get<0>(at::linalg_eigvalsh(mats[i].t().matmul(mats[i])).sqrt().sort(0, true));
      QVERIFY(torch::allclose(S[i], ev, 1e-9, 1e-9));
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             batched_svdvals({mats[0], torch::zeros({4, 6}, f64)}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, batched_svdvals({}));
  }
  void updateCosineConstructed() {
    // W = 3 u1 v1^T + u2 v2^T; D = 2 a b^T with a = cos(t) u1 + sin(t) u2 -> |cos t|.
    const torch::Tensor U = orthonormal(8, 2, 5), V = orthonormal(6, 2, 6);
    const torch::Tensor u1 = U.select(1, 0), u2 = U.select(1, 1);
    const torch::Tensor W =
        3.0 * torch::outer(u1, V.select(1, 0)) + torch::outer(u2, V.select(1, 1));
    const double t = 0.3;
    const torch::Tensor a = std::cos(t) * u1 + std::sin(t) * u2;
    const torch::Tensor dW = 2.0 * torch::outer(a, orthonormal(6, 1, 7).squeeze(1));
    QNEAR(update_cosine(dW, W), std::cos(t), 1e-10);
    QNEAR(update_cosine(-dW, W), std::cos(t), 1e-10);                 // sign-free
    const torch::Tensor d2 = 0.5 * torch::outer(u2, V.select(1, 0));  // orthogonal direction
    QNEAR(update_cosine(d2, W), 0.0, 1e-10);
    QVERIFY(std::isnan(update_cosine(torch::zeros_like(W), W)));
    // Batched: the same answers in one call.
    const torch::Tensor b = update_cosine_batched(torch::stack({dW, torch::zeros_like(W), d2}),
                                                  torch::stack({W, W, W}));
    QNEAR(b[0].item<double>(), std::cos(t), 1e-10);
    QVERIFY(std::isnan(b[1].item<double>()));
    QNEAR(b[2].item<double>(), 0.0, 1e-10);
  }
  void updateTopShareConstructed() {
    // W (20 x 16) = sum_i s_i u_i v_i^T with 16 distinct s_i; dW = a b^T with
    // a = cos(t) u_3 + sin(t) u_15: u_3 is inside the top-10 left subspace, u_15 outside, so
    // the share is cos(t)^2, whatever b and the scale of dW.
    const torch::Tensor U = orthonormal(20, 16, 11), V = orthonormal(16, 16, 12);
    const torch::Tensor s = torch::arange(16, 0, -1, f64);  // 16, 15, ..., 1
    const torch::Tensor W = U.matmul(torch::diag(s)).matmul(V.t());
    const double t = 0.7;
    const torch::Tensor a = std::cos(t) * U.select(1, 3) + std::sin(t) * U.select(1, 15);
    const torch::Tensor b = orthonormal(16, 1, 13).squeeze(1);
    const torch::Tensor dW = -3.0 * torch::outer(a, b);
    QNEAR(update_top_share(dW, W, 10), std::pow(std::cos(t), 2), 1e-10);
    QNEAR(update_top_share(dW, W, 3), 0.0, 1e-10);   // u_3 is the 4th direction
    QNEAR(update_top_share(dW, W, 16), 1.0, 1e-10);  // u_15 is the 16th
    QNEAR(update_top_share(dW, W, 15), std::pow(std::cos(t), 2), 1e-10);
    QNEAR(update_top_share(dW, W, 100), 1.0, 1e-10);  // k clipped to min(rows, cols)
    QVERIFY(std::isnan(update_top_share(torch::zeros_like(W), W, 10)));
    // A direction-free update scores the chance level k / rows on average: E over Gaussian
    // dW of ||U_k^T dW||^2 / ||dW||^2 = k / rows (each left direction gets 1 / rows).
    torch::manual_seed(21);
    const torch::Tensor G = torch::randn({400, 20, 16}, f64);
    const torch::Tensor shares = update_top_share_batched(G, W.expand({400, 20, 16}), 10);
    QNEAR(shares.mean().item<double>(), 10.0 / 20.0, 0.01);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, update_top_share(dW, W.t(), 10));
  }

  // ---- participation ratio ----
  void prSvKnownSingularValues() {
    const std::vector<std::vector<double>> svs = {{4, 2, 1, 1}, {1, 1, 1, 1}, {5, 0, 0, 0}};
    std::vector<torch::Tensor> xs;
    for (size_t h = 0; h < svs.size(); ++h)  // X = U diag(s) R^T with U, R orthonormal
      xs.push_back(orthonormal(50, 4, 10 + h)
                       .matmul(torch::diag(vec(svs[h])))
                       .matmul(orthonormal(4, 4, 20 + h).t()));
    const torch::Tensor pr = pr_sv(torch::stack(xs));  // (3)
    QCOMPARE(pr.size(0), int64_t(3));
    QNEAR(pr[0].item<double>(), 64.0 / 22.0, 1e-10);  // (4+2+1+1)^2 / (16+4+1+1)
    QNEAR(pr[1].item<double>(), 4.0, 1e-10);
    QNEAR(pr[2].item<double>(), 1.0, 1e-6);  // rank-1 X
    QVERIFY(std::isnan(pr_sv(torch::zeros({5, 3}, f64)).item<double>()));
  }
  void prCovKnownEigenvalues() {
    // Z: centered, exactly white (Z^T Z / (N-1) = I); X = Z diag(sqrt(l)) Q^T + offset has
    // covariance eigenvalues l; the offset checks the centering.
    const int64_t N = 200, d = 5;
    torch::manual_seed(8);
    torch::Tensor R = torch::randn({N, d}, f64);
    R = R - R.mean(0, true);
    const torch::Tensor Z = std::get<0>(at::linalg_svd(R, false)) * std::sqrt(double(N - 1));
    const std::vector<double> lam = {4, 2, 1, 1, 0.5};
    const torch::Tensor X =
        Z.matmul(torch::diag(vec(lam).sqrt())).matmul(orthonormal(d, d, 9).t()) +
        vec({3, -1, 7, 0.5, 2});
    const double s = 8.5, s2 = 16 + 4 + 1 + 1 + 0.25;
    QNEAR(pr_cov(X).item<double>(), s * s / s2, 1e-9);
    // Batched over heads, same answer per head, and isotropic data gives d.
    const torch::Tensor Xi = Z + 1.0;
    const torch::Tensor b = pr_cov(torch::stack({X, Xi}));
    QNEAR(b[0].item<double>(), s * s / s2, 1e-9);
    QNEAR(b[1].item<double>(), double(d), 1e-9);
  }
  void headsAsRowsLayout() {
    const torch::Tensor x = torch::arange(2 * 3 * 4 * 5, f64).reshape({2, 3, 4, 5});
    const torch::Tensor r = heads_as_rows(x);  // (3, 8, 5)
    QCOMPARE(r.size(0), int64_t(3));
    QCOMPARE(r.size(1), int64_t(8));
    for (int b = 0; b < 2; ++b)
      for (int h = 0; h < 3; ++h)
        for (int t = 0; t < 4; ++t) QVERIFY(torch::equal(r[h][b * 4 + t], x[b][h][t]));
  }

  // ---- magnitudes and spikiness ----
  void spikinessOneSpike() {
    // 99 ones and one 100 (n = 100): mean 1.99, p99 at position 98.01 = 1 + 0.01 * 99 = 1.99,
    // p50 = 1, top-1% = the single largest.
    torch::Tensor m = torch::ones({100}, f64);
    m[37] = 100.0;
    const Spikiness s = spikiness(m);
    QNEAR(s.max_mean, 100.0 / 1.99, 1e-12);
    QNEAR(s.p99_p50, 1.99, 1e-12);
    QNEAR(s.top1_mass, 100.0 / 199.0, 1e-12);
    // n = 201 -> ceil(2.01) = 3 largest; p99 at position 198 = the smallest spike.
    torch::Tensor m3 = torch::ones({201}, f64);
    m3[0] = 5.0;
    m3[100] = 7.0;
    m3[200] = 6.0;
    const Spikiness s3 = spikiness(m3);
    QNEAR(s3.top1_mass, 18.0 / 216.0, 1e-12);
    QNEAR(s3.p99_p50, 5.0, 1e-12);
    QNEAR(s3.max_mean, 7.0 / (216.0 / 201.0), 1e-12);
  }
  void kvMagnitudesByHand() {
    torch::manual_seed(11);
    const int B = 2, H = 3, T = 4, hd = 2;
    const torch::Tensor x = torch::randn({B, H, T, hd}, f64);
    const Magnitudes mg = kv_magnitudes(x);
    QCOMPARE(mg.channel.size(), size_t(H * hd));
    QCOMPARE(mg.token.size(), size_t(T));
    auto a = x.accessor<double, 4>();
    std::vector<double> tok_all, chan;  // (B*T), (H*hd)
    for (int h = 0; h < H; ++h)
      for (int j = 0; j < hd; ++j) {
        double s = 0;
        for (int b = 0; b < B; ++b)
          for (int t = 0; t < T; ++t) s += std::abs(a[b][h][t][j]);
        QNEAR(double(mg.channel[h * hd + j]), s / (B * T), 1e-6);
        chan.push_back(s / (B * T));
      }
    for (int t = 0; t < T; ++t) {
      double avg = 0;
      for (int b = 0; b < B; ++b) {
        double s = 0;
        for (int h = 0; h < H; ++h)
          for (int j = 0; j < hd; ++j) s += std::abs(a[b][h][t][j]);
        avg += s / (H * hd) / B;
      }
      QNEAR(double(mg.token[t]), avg, 1e-6);
    }
    for (int b = 0; b < B; ++b)
      for (int t = 0; t < T; ++t) {
        double s = 0;
        for (int h = 0; h < H; ++h)
          for (int j = 0; j < hd; ++j) s += std::abs(a[b][h][t][j]);
        tok_all.push_back(s / (H * hd));
      }
    const double tmax = *std::max_element(tok_all.begin(), tok_all.end());
    const double tmean = std::accumulate(tok_all.begin(), tok_all.end(), 0.0) / tok_all.size();
    QNEAR(mg.token_spk.max_mean, tmax / tmean, 1e-12);
    const double cmax = *std::max_element(chan.begin(), chan.end());
    const double cmean = std::accumulate(chan.begin(), chan.end(), 0.0) / chan.size();
    QNEAR(mg.channel_spk.max_mean, cmax / cmean, 1e-6);
    QNEAR(mg.asymmetry, (cmax / cmean) / (tmax / tmean), 1e-6);
    QVERIFY(mg.channel_spk.max_mean >= 1.0);  // sanity beside the value checks
  }

  // ---- KIVI ----
  void kiviPerTokenByHand() {
    // One token, H = 2 heads x hd = 4 -> 8 channels; 2 bits (levels 3).
    const torch::Tensor x =
        vec({0.0, 0.4, 2.0, 3.0, 1.0, 1.3, 1.7, 2.2}).reshape({1, 1, 2, 4}).permute({0, 2, 1, 3});
    // group 4: [0, .4, 2, 3] -> s = 1 -> [0, 0, 2, 3]; [1, 1.3, 1.7, 2.2] -> s = 0.4, codes
    // 0, 0.75->1, 1.75->2, 3 -> [1, 1.4, 1.8, 2.2].
    const torch::Tensor q4 = kivi_per_token(x, 2, 4).permute({0, 2, 1, 3}).reshape({8});
    QVERIFY(torch::allclose(q4, vec({0, 0, 2, 3, 1, 1.4, 1.8, 2.2}), 0, 1e-12));
    // group 8 (both heads together): s = 1 -> round to integers.
    const torch::Tensor q8 = kivi_per_token(x, 2, 8).permute({0, 2, 1, 3}).reshape({8});
    QVERIFY(torch::allclose(q8, vec({0, 0, 2, 3, 1, 1, 2, 2}), 0, 1e-12));
    QCOMPARE(kivi_per_token(x, 2, 4).sizes(), x.sizes());
  }
  void kiviPerChannelByHand() {
    // (B=1, H=1, T=5, hd=2), 1 bit, groups of 3 tokens: {0,1,2}, {3,4}.
    // channel 0: [0, .3, 1 | 2, 3.3] -> [0, 0, 1 | 2, 3.3]
    // channel 1: [5, 4, 4.6 | -1, -1] -> [5, 4, 5 | -1, -1] (constant group kept: s == 0)
    const torch::Tensor x = vec({0, 5, 0.3, 4, 1, 4.6, 2, -1, 3.3, -1}).reshape({1, 1, 5, 2});
    const torch::Tensor q = kivi_per_channel(x, 1, 3);
    QCOMPARE(q.sizes(), x.sizes());
    QVERIFY(torch::allclose(q, vec({0, 5, 0, 4, 1, 5, 2, -1, 3.3, -1}).reshape({1, 1, 5, 2}), 0,
                            1e-12));
  }
  void kiviErrorBound() {
    // Random cache, both schemes, 2 and 4 bits: |x' - x| <= s/2 per group, at most 2^b values
    // per group, and values stay within [mn, mx]; group ranges computed here by loops.
    torch::manual_seed(12);
    const int B = 2, H = 2, T = 37, hd = 4;  // T not a multiple of the group: ragged group
    const torch::Tensor x = torch::randn({B, H, T, hd}, f64) * 3.0;
    auto a = x.accessor<double, 4>();
    for (int bits : {2, 4}) {
      const double levels = std::pow(2.0, bits) - 1;
      const int64_t G = 8;
      // Per-channel: (b, h, j) over token groups.
      const torch::Tensor qc = kivi_per_channel(x, bits, G);
      auto c = qc.accessor<double, 4>();
      for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h)
          for (int j = 0; j < hd; ++j)
            for (int t0 = 0; t0 < T; t0 += G) {
              const int t1 = std::min<int>(T, t0 + G);
              double mn = 1e300, mx = -1e300;
              for (int t = t0; t < t1; ++t)
                mn = std::min(mn, a[b][h][t][j]), mx = std::max(mx, a[b][h][t][j]);
              const double s = (mx - mn) / levels;
              for (int t = t0; t < t1; ++t) {
                QVERIFY(std::abs(c[b][h][t][j] - a[b][h][t][j]) <= s / 2 + 1e-12);
                const double code = (c[b][h][t][j] - mn) / s;
                QVERIFY(std::abs(code - std::round(code)) < 1e-9 && code > -1e-9 &&
                        code < levels + 1e-9);
              }
            }
      // Per-token: (b, t) over channel groups of the H*hd = 8 channels, G = 3 (ragged).
      const int64_t Gt = 3;
      const torch::Tensor qt = kivi_per_token(x, bits, Gt);
      auto v = qt.accessor<double, 4>();
      for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t)
          for (int c0 = 0; c0 < H * hd; c0 += Gt) {
            const int c1 = std::min<int>(H * hd, c0 + Gt);
            double mn = 1e300, mx = -1e300;
            for (int ch = c0; ch < c1; ++ch) {
              const double val = a[b][ch / hd][t][ch % hd];
              mn = std::min(mn, val), mx = std::max(mx, val);
            }
            const double s = (mx - mn) / levels;
            for (int ch = c0; ch < c1; ++ch)
              QVERIFY(std::abs(v[b][ch / hd][t][ch % hd] - a[b][ch / hd][t][ch % hd]) <=
                      s / 2 + 1e-12);
          }
    }
    // More bits, smaller error.
    const double e2 = (kivi_per_channel(x, 2, 8) - x).abs().max().item<double>();
    const double e4 = (kivi_per_channel(x, 4, 8) - x).abs().max().item<double>();
    QVERIFY(e4 < e2);
  }
  // ---- Streaming KIVI cache (GPT.h KvQuantization) ----
  // The logits at position i do not depend on tokens after i under either scheme: T = 37 is not
  // a multiple of G = 8 and spans more than two groups; cuts inside a group (5, 20, 30) are
  // where a whole-sequence quantization would leak (the cut's group holds later tokens).
  void kiviStreamingIsCausal() {
    torch::manual_seed(31);
    GPT m(kivi_model_config());
    m->to(torch::kDouble);
    m->eval();
    torch::NoGradGuard ng;
    const int64_t B = 2, T = 37, G = 8;
    const torch::Tensor idx = torch::randint(50, {B, T}, torch::kLong);
    const torch::Tensor plain = m->forward(idx);
    double worst = 0;
    for (bool scheme : {true, false})
      for (int bits : {2, 4}) {
        ForwardOptions o;
        o.kv_quant = kivi_cache(scheme, bits, G);
        const torch::Tensor base = m->forward(idx, o);  // (B, T, V)
        for (int64_t cut : {5, 20, 30}) {
          torch::Tensor changed = idx.clone();
          changed.slice(1, cut + 1) = torch::randint(50, {B, T - cut - 1}, torch::kLong);
          const torch::Tensor after = m->forward(changed, o);
          const double d =
              (after - base).slice(1, 0, cut + 1).abs().max().item<double>();  // positions <= cut
          worst = std::max(worst, d);
          QVERIFY2(d < 1e-12, (std::string(scheme ? "K chan/V tok" : "K tok/V chan") + " " +
                               std::to_string(bits) + "-bit, cut " + std::to_string(cut) +
                               ": logits before the cut moved by " + std::to_string(d))
                                  .c_str());
          QVERIFY((after - base).slice(1, cut + 1).abs().max().item<double>() > 1e-4);
        }
        // quantization has an effect, from the first completed group on
        QVERIFY((base - plain).abs().max().item<double>() > 1e-4);
        QVERIFY((base - plain).slice(1, 0, G - 1).abs().max().item<double>() == 0.0);
      }
    qInfo("streaming KIVI: max |logit change| at positions <= cut: %.3g", worst);
  }

  // kv_quant_causal_attention with the real KIVI quantizers against ref_streaming_attention
  // (loops, own quantization), float64, both schemes, 2 and 4 bits, T = 37 with G = 8 (ragged
  // per-token channel groups: C = 12 channels in groups of 8). Also shows why the streaming rule
  // is needed: quantizing the whole sequence per channel makes the output at i depend on
  // later keys.
  void kiviStreamingAttentionMatchesLoops() {
    torch::manual_seed(32);
    const int64_t B = 2, H = 2, T = 37, hd = 6, G = 8;
    const torch::Tensor q = torch::randn({B, H, T, hd}, f64);
    torch::Tensor k = torch::randn({B, H, T, hd}, f64) * 2.0;
    k.select(3, 1).mul_(5.0);  // an outlier channel, as in real K caches
    const torch::Tensor v = torch::randn({B, H, T, hd}, f64);
    double worst = 0;
    for (bool scheme : {true, false})
      for (int bits : {2, 4}) {
        const torch::Tensor got = kv_quant_causal_attention(q, k, v, kivi_cache(scheme, bits, G));
        const torch::Tensor ref = ref_streaming_attention(
            q, k, v, ref_kivi_cache(k, bits, G, scheme), ref_kivi_cache(v, bits, G, !scheme), G);
        const double err = (got - ref).abs().max().item<double>();
        QVERIFY2(err < 1e-12, std::to_string(err).c_str());
        worst = std::max(worst, err);
        // and quantization does change the output (vs plain causal attention)
        QVERIFY((got - ref_streaming_attention(q, k, v, std::vector<double>(k.numel()),
                                               std::vector<double>(v.numel()), T + 1))
                    .abs()
                    .max()
                    .item<double>() > 1e-3);
      }
    qInfo("streaming KIVI attention vs loops: max |difference| %.3g", worst);
    // Non-streaming control: K quantized per channel over the whole sequence, then plain causal
    // attention. Changing keys after position 20 moves the output at 16..20 (their group);
    // the streaming cache keeps every output up to 20 bit-identical.
    const torch::Tensor k2 = k.clone();
    k2.slice(2, 21) = torch::randn({B, H, T - 21, hd}, f64) * 2.0;
    auto nonstream = [&](const torch::Tensor& kk) {
      const torch::Tensor kq = kivi_per_channel(kk, 2, G);
      const torch::Tensor s = q.matmul(kq.transpose(2, 3)) / std::sqrt(double(hd));
      const torch::Tensor mask = torch::ones({T, T}, torch::kBool).triu(1);
      return torch::softmax(s.masked_fill(mask, -INFINITY), -1).matmul(v);
    };
    QVERIFY((nonstream(k2) - nonstream(k)).slice(2, 16, 21).abs().max().item<double>() > 1e-6);
    const torch::Tensor s1 = kv_quant_causal_attention(q, k, v, kivi_cache(true, 2, G));
    const torch::Tensor s2 = kv_quant_causal_attention(q, k2, v, kivi_cache(true, 2, G));
    QVERIFY((s2 - s1).slice(2, 0, 21).abs().max().item<double>() == 0.0);
  }

  void badInputsThrow() {
    const torch::Tensor x = torch::zeros({1, 1, 4, 2}, f64);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kivi_per_channel(x, 0, 4));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kivi_per_token(x, 2, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kivi_per_token(torch::zeros({3, 3}), 2, 2));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kv_magnitudes(torch::zeros({3})));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, spectrum_metrics(torch::zeros({2, 2})));
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
