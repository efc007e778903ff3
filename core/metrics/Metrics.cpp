// Pure metric functions (see Metrics.h and ../shared/DESIGN.md section 4). Everything is
// computed with torch ops in the input's dtype/device; only final numbers go to CPU double.
#include "metrics/Metrics.h"

#include "metrics/PowerLaw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#if __has_include("common/Compat.h")
#include "common/Compat.h"
#define MS_HAVE_COMPAT_SVDVALS 1
#endif

namespace ms {

namespace {

std::string shape_str(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + ")";
}

void require_dim(const torch::Tensor& t, int64_t dim, const char* fn, const char* what) {
  if (!t.defined() || t.dim() != dim)
    throw std::invalid_argument(std::string("ms::") + fn + ": " + what + " must be " +
                                std::to_string(dim) + "-D, got " +
                                (t.defined() ? shape_str(t) : std::string("undefined")));
}

}  // namespace

// ---- Spectra ----------------------------------------------------------------------------------

std::vector<SpectrumMetrics> spectrum_metrics_batched(const torch::Tensor& sv_in,
                                                      bool fit_power_law) {
  require_dim(sv_in, 2, "spectrum_metrics_batched", "sv");
  const int64_t N = sv_in.size(0), n = sv_in.size(1);
  if (n < 1) throw std::invalid_argument("ms::spectrum_metrics_batched: empty spectrum");
  std::vector<SpectrumMetrics> out(static_cast<size_t>(N));
  if (N == 0) return out;

  const torch::Tensor sv = std::get<0>(sv_in.sort(-1, /*descending=*/true));  // (N, n)
  const torch::Tensor s2 = sv.square();                                       // (N, n)
  const torch::Tensor total = s2.sum(-1, /*keepdim=*/true);                   // (N, 1)
  const torch::Tensor q = s2 / total;                                         // (N, n)
  // Shannon entropy of q; xlogy gives 0 * log 0 = 0 for exactly-zero singular values.
  const torch::Tensor ent = -at::xlogy(q, q).sum(-1);              // (N)
  const torch::Tensor H = ent / std::log(static_cast<double>(n));  // n = 1: NaN
  const torch::Tensor erank = ent.exp();
  const torch::Tensor top10 = q.narrow(-1, 0, std::min<int64_t>(10, n)).sum(-1);
  // numpy's default quartiles (linear interpolation between order statistics).
  const torch::Tensor q1 = at::quantile(s2, 0.25, -1);
  const torch::Tensor q3 = at::quantile(s2, 0.75, -1);
  const torch::Tensor stable = total.squeeze(-1) / s2.select(-1, 0);

  const torch::Tensor m = torch::stack({H, erank, top10, q3 / q1, stable}, 1)
                              .to(torch::kCPU, torch::kDouble)
                              .contiguous();                                 // (N, 5)
  const torch::Tensor svf = sv.to(torch::kCPU, torch::kFloat).contiguous();  // (N, n)
  auto ma = m.accessor<double, 2>();
  const float* sp = svf.data_ptr<float>();
  for (int64_t i = 0; i < N; ++i) {
    SpectrumMetrics& r = out[static_cast<size_t>(i)];
    r.sv.assign(sp + i * n, sp + (i + 1) * n);
    r.entropy = ma[i][0];
    r.erank = ma[i][1];
    r.top10 = ma[i][2];
    r.q75_q25 = ma[i][3];
    r.stable_rank = ma[i][4];
  }
  if (fit_power_law) {
    // The fit runs on the CPU in double (it is a sort and an O(n^2) scan, not tensor work).
    const torch::Tensor s2d = s2.to(torch::kCPU, torch::kDouble).contiguous();  // (N, n)
    const double* p = s2d.data_ptr<double>();
    for (int64_t i = 0; i < N; ++i) {
      const PowerLawFit f = ms::fit_power_law(std::vector<double>(p + i * n, p + (i + 1) * n));
      SpectrumMetrics& r = out[static_cast<size_t>(i)];
      r.alpha = f.alpha;
      r.alpha_weighted = f.alpha_weighted;
      r.alpha_ks = f.ks_distance;
      r.alpha_xmin = f.xmin;
    }
  }
  return out;
}

SpectrumMetrics spectrum_metrics(const torch::Tensor& sv, bool fit_power_law) {
  require_dim(sv, 1, "spectrum_metrics", "sv");
  return spectrum_metrics_batched(sv.unsqueeze(0), fit_power_law).at(0);
}

torch::Tensor svdvals_any(const torch::Tensor& A) {
#ifdef MS_HAVE_COMPAT_SVDVALS
  return ms::svdvals(A);
#else
  return at::linalg_svdvals(A);
#endif
}

torch::Tensor batched_svdvals(const std::vector<torch::Tensor>& mats) {
  if (mats.empty()) throw std::invalid_argument("ms::batched_svdvals: no matrices");
  for (const auto& m : mats) {
    require_dim(m, 2, "batched_svdvals", "each matrix");
    if (m.sizes() != mats[0].sizes())
      throw std::invalid_argument("ms::batched_svdvals: shapes differ: " + shape_str(mats[0]) +
                                  " vs " + shape_str(m));
  }
  return svdvals_any(torch::stack(mats));  // (N, r, c) -> (N, min(r, c)), one call
}

torch::Tensor top_left_singular_vector(const torch::Tensor& A) {
  if (!A.defined() || A.dim() < 2)
    throw std::invalid_argument("ms::top_left_singular_vector: need (..., r, c)");
  const auto usv = at::linalg_svd(A, /*full_matrices=*/false);
  return std::get<0>(usv).select(-1, 0);  // (..., r): first column of U
}

namespace {

void require_same_shape(const torch::Tensor& a, const torch::Tensor& W, const char* fn) {
  if (!a.defined() || !W.defined() || a.sizes() != W.sizes() || W.dim() < 2)
    throw std::invalid_argument(std::string("ms::") + fn +
                                ": the update and W must have the same (..., r, c) shape, got " +
                                (a.defined() ? shape_str(a) : "undefined") + " and " +
                                (W.defined() ? shape_str(W) : "undefined"));
}

// NaN where the update is exactly zero (no update: no direction).
torch::Tensor nan_where_zero(const torch::Tensor& value, const torch::Tensor& update) {
  const torch::Tensor zero = update.flatten(-2).abs().amax(-1) == 0;  // (...)
  return torch::where(zero, torch::full_like(value, std::nan("")), value);
}

}  // namespace

torch::Tensor update_cosine_batched(const torch::Tensor& D, const torch::Tensor& W) {
  require_same_shape(D, W, "update_cosine");
  const torch::Tensor ud = top_left_singular_vector(D);  // (..., r)
  const torch::Tensor uw = top_left_singular_vector(W);  // (..., r)
  return nan_where_zero((ud * uw).sum(-1).abs(), D);     // (...)
}

double update_cosine(const torch::Tensor& D, const torch::Tensor& W) {
  require_dim(W, 2, "update_cosine", "W");
  return update_cosine_batched(D, W).item<double>();
}

torch::Tensor update_top_share_from_u(const torch::Tensor& dW, const torch::Tensor& U, int64_t k) {
  if (k < 1) throw std::invalid_argument("ms::update_top_share: k must be >= 1");
  const int64_t kk = std::min<int64_t>(k, U.size(-1));
  const torch::Tensor Uk = U.narrow(-1, 0, kk);                  // (..., r, k)
  const torch::Tensor inside = Uk.transpose(-1, -2).matmul(dW);  // (..., k, c)
  const torch::Tensor num = inside.square().sum({-2, -1});       // (...)
  const torch::Tensor den = dW.square().sum({-2, -1});           // (...)
  return nan_where_zero(num / torch::where(den > 0, den, torch::ones_like(den)), dW);
}

torch::Tensor update_top_share_batched(const torch::Tensor& dW, const torch::Tensor& W, int64_t k) {
  require_same_shape(dW, W, "update_top_share");
  const torch::Tensor U = std::get<0>(at::linalg_svd(W, /*full_matrices=*/false));  // (..., r, n)
  return update_top_share_from_u(dW, U, k);
}

double update_top_share(const torch::Tensor& dW, const torch::Tensor& W, int64_t k) {
  require_dim(W, 2, "update_top_share", "W");
  return update_top_share_batched(dW, W, k).item<double>();
}

// ---- Participation ratio --------------------------------------------------------------------

torch::Tensor heads_as_rows(const torch::Tensor& x) {
  require_dim(x, 4, "heads_as_rows", "x (B, H, T, hd)");
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3);
  return x.transpose(0, 1).reshape({H, B * T, hd});  // (H, B*T, hd)
}

torch::Tensor pr_sv(const torch::Tensor& X) {
  if (!X.defined() || X.dim() < 2) throw std::invalid_argument("ms::pr_sv: need X (..., N, d)");
  const torch::Tensor s = svdvals_any(X);  // (..., min(N, d))
  return s.sum(-1).square() / s.square().sum(-1);
}

torch::Tensor pr_cov(const torch::Tensor& X) {
  if (!X.defined() || X.dim() < 2) throw std::invalid_argument("ms::pr_cov: need X (..., N, d)");
  const int64_t N = X.size(-2);
  const torch::Tensor Xc = X - X.mean(-2, /*keepdim=*/true);  // (..., N, d)
  const torch::Tensor C = Xc.transpose(-1, -2).matmul(Xc) / double(std::max<int64_t>(N - 1, 1));
  const torch::Tensor lam = at::linalg_eigvalsh(C).clamp_min(0);  // (..., d)
  return lam.sum(-1).square() / lam.square().sum(-1);
}

// ---- Magnitudes and spikiness ---------------------------------------------------------------

Spikiness spikiness(const torch::Tensor& m_in) {
  Spikiness r;
  if (!m_in.defined() || m_in.numel() == 0) return r;
  const torch::Tensor m = m_in.flatten();
  const int64_t n = m.numel();
  const int64_t k = (n + 99) / 100;  // ceil(1% of n), exact in integers
  const torch::Tensor p = at::quantile(m, torch::tensor({0.99, 0.5}, m.options()));  // (2)
  const torch::Tensor sum = m.sum();
  const torch::Tensor v =
      torch::stack({m.max() / m.mean(), p[0] / p[1], std::get<0>(m.topk(k)).sum() / sum})
          .to(torch::kCPU, torch::kDouble);
  auto a = v.accessor<double, 1>();
  r.max_mean = a[0];
  r.p99_p50 = a[1];
  r.top1_mass = a[2];
  return r;
}

Magnitudes kv_magnitudes(const torch::Tensor& x) {
  require_dim(x, 4, "kv_magnitudes", "x (B, H, T, hd)");
  const torch::Tensor a = x.abs();                                         // (B, H, T, hd)
  const torch::Tensor chan = a.mean(at::IntArrayRef{0, 2}).reshape({-1});  // (H*hd)
  const torch::Tensor tok_all = a.mean(at::IntArrayRef{1, 3});             // (B, T)
  const torch::Tensor tok = tok_all.mean(0);                               // (T)
  Magnitudes r;
  const torch::Tensor cf = chan.to(torch::kCPU, torch::kFloat).contiguous();
  const torch::Tensor tf = tok.to(torch::kCPU, torch::kFloat).contiguous();
  const torch::Tensor af = tok_all.to(torch::kCPU, torch::kFloat).contiguous();  // (B, T)
  r.channel.assign(cf.data_ptr<float>(), cf.data_ptr<float>() + cf.numel());
  r.token.assign(tf.data_ptr<float>(), tf.data_ptr<float>() + tf.numel());
  r.token_all.assign(af.data_ptr<float>(), af.data_ptr<float>() + af.numel());
  r.channel_spk = spikiness(chan);
  r.token_spk = spikiness(tok_all.reshape({-1}));
  r.asymmetry = r.channel_spk.max_mean / r.token_spk.max_mean;
  return r;
}

// ---- KIVI quantization ----------------------------------------------------------------------

torch::Tensor quantize_groups_lastdim(const torch::Tensor& y, int bits, int64_t group) {
  if (bits < 1 || bits > 16)
    throw std::invalid_argument("ms::quantize: bits must be in [1, 16], got " +
                                std::to_string(bits));
  if (group < 1)
    throw std::invalid_argument("ms::quantize: group must be >= 1, got " + std::to_string(group));
  if (!y.defined() || y.dim() < 1) throw std::invalid_argument("ms::quantize: need y (..., n)");
  const int64_t n = y.size(-1);
  if (n == 0) return y.clone();
  const int64_t G = std::min(group, n);
  const int64_t pad = (G - n % G) % G;
  // Pad the ragged last group by repeating its last entry: min and max stay the same.
  torch::Tensor yp = y;
  if (pad > 0) {
    std::vector<int64_t> esz(y.sizes().begin(), y.sizes().end());
    esz.back() = pad;
    yp = torch::cat({y, y.narrow(-1, n - 1, 1).expand(esz)}, -1);
  }
  std::vector<int64_t> gs(y.sizes().begin(), y.sizes().end() - 1);
  gs.push_back((n + pad) / G);
  gs.push_back(G);
  const torch::Tensor yg = yp.reshape(gs);                 // (..., n/G, G)
  const torch::Tensor mn = yg.amin(-1, /*keepdim=*/true);  // (..., n/G, 1)
  const torch::Tensor mx = yg.amax(-1, /*keepdim=*/true);
  const double levels = std::ldexp(1.0, bits) - 1.0;  // 2^b - 1
  const torch::Tensor s = (mx - mn) / levels;
  const torch::Tensor s_safe = torch::where(s > 0, s, torch::ones_like(s));  // s == 0: keep mn
  const torch::Tensor codes = ((yg - mn) / s_safe).clamp(0.0, levels).round();
  const torch::Tensor out = codes * s + mn;  // (..., n/G, G)
  std::vector<int64_t> os(y.sizes().begin(), y.sizes().end());
  os.back() = n + pad;
  return out.reshape(os).narrow(-1, 0, n);
}

torch::Tensor kivi_per_channel(const torch::Tensor& x, int bits, int64_t group) {
  require_dim(x, 4, "kivi_per_channel", "x (B, H, T, hd)");
  // Each channel (b, h, j) along T: quantize the last dim of (B, H, hd, T).
  return quantize_groups_lastdim(x.transpose(2, 3), bits, group).transpose(2, 3).contiguous();
}

torch::Tensor kivi_per_token(const torch::Tensor& x, int bits, int64_t group) {
  require_dim(x, 4, "kivi_per_token", "x (B, H, T, hd)");
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3);
  const torch::Tensor y = x.permute({0, 2, 1, 3}).reshape({B, T, H * hd});  // (B, T, C)
  return quantize_groups_lastdim(y, bits, group)
      .reshape({B, T, H, hd})
      .permute({0, 2, 1, 3})
      .contiguous();  // (B, H, T, hd)
}

}  // namespace ms
