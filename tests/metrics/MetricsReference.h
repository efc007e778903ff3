// Plain float64 references shared by the metric suites (test_metrics, test_snapshot_assembly):
// loops over std::vector<double>, independent of core/metrics, so a test compares the library
// with code that shares none of its tensor ops. numpy's default ("linear") quantile and the
// streaming KIVI cache of Liu et al. 2024 (completed groups quantized, the tail in full
// precision).
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace msref {

inline double ref_quantile(std::vector<double> v, double p) {  // numpy default ("linear")
  std::sort(v.begin(), v.end());
  const double pos = p * double(v.size() - 1);
  const size_t lo = size_t(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

// KIVI reference by loops: asymmetric min-max quantization of the values at `idx` of `x` (one
// group), in place: s = (mx - mn)/(2^b - 1), x' = round((x - mn)/s) * s + mn (half to even).
inline void ref_quantize_group(std::vector<double>& x, const std::vector<size_t>& idx, int bits) {
  double mn = 1e300, mx = -1e300;
  for (size_t i : idx) mn = std::min(mn, x[i]), mx = std::max(mx, x[i]);
  const double levels = std::pow(2.0, bits) - 1, s = (mx - mn) / levels;
  if (!(s > 0)) return;
  for (size_t i : idx)
    x[i] = std::nearbyint(std::min(levels, std::max(0.0, (x[i] - mn) / s))) * s + mn;
}

// The streaming KIVI cache of one (B, H, T, hd) tensor by loops, as a flat copy: completed groups
// of G tokens quantized (per_channel: each (b, h, channel) over the group's G tokens; else each
// token over groups of G of its H*hd channels), the ragged tail left in full precision.
inline std::vector<double> ref_kivi_cache(const torch::Tensor& x_in, int bits, int64_t G,
                                          bool per_channel) {
  const torch::Tensor x = x_in.to(torch::kDouble).contiguous();
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3), C = H * hd;
  std::vector<double> out(x.data_ptr<double>(), x.data_ptr<double>() + x.numel());
  auto at = [&](int64_t b, int64_t ch, int64_t t) {  // flat index of (b, channel, token)
    return size_t(((b * H + ch / hd) * T + t) * hd + ch % hd);
  };
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t0 = 0; t0 + G <= T; t0 += G) {
      if (per_channel) {
        for (int64_t ch = 0; ch < C; ++ch) {
          std::vector<size_t> idx;
          for (int64_t t = t0; t < t0 + G; ++t) idx.push_back(at(b, ch, t));
          ref_quantize_group(out, idx, bits);
        }
      } else {
        for (int64_t t = t0; t < t0 + G; ++t)
          for (int64_t c0 = 0; c0 < C; c0 += G) {
            std::vector<size_t> idx;
            for (int64_t ch = c0; ch < std::min(C, c0 + G); ++ch) idx.push_back(at(b, ch, t));
            ref_quantize_group(out, idx, bits);
          }
      }
    }
  return out;
}

}  // namespace msref
