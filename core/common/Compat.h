// Compat: every LibTorch 1.13 (Debian, CPU) vs 2.x (GPU host) API difference in one place, so
// the rest of core/ calls one spelling. Seen so far (../shared/GPU.md):
//  - at::scaled_dot_product_attention exists only on >= 2.0; 1.13 uses a manual causal attention.
//  - torch::linalg::svdvals needs a driver argument on 1.13; at::linalg_svdvals works on both.
//  - The optimizer base class keys its state by string on 1.13 and by pointer on 2.x: keep
//    optimizer state (Muon) in your own structure instead of relying on either.
//  - c10d (core/dist/Comm.cpp): ProcessGroupGloo/NCCL derive from c10d::ProcessGroup on 1.13 and
//    from c10d::Backend on >= 2.0, with the same collective signatures: ms::C10dBackend.
// Include only from core .cpp files (it pulls in ATen).
#pragma once

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <string>

// The base class of the c10d process groups, declared only (Comm.cpp includes c10d's headers).
#if TORCH_VERSION_MAJOR >= 2
namespace c10d {
class Backend;
}
namespace ms {
using C10dBackend = c10d::Backend;
}
#else
namespace c10d {
class ProcessGroup;
}
namespace ms {
using C10dBackend = c10d::ProcessGroup;
}
#endif

namespace ms {

// True when this build has at::scaled_dot_product_attention.
constexpr bool kHaveSdpa = TORCH_VERSION_MAJOR >= 2;

// Singular values of a matrix (or a batch of matrices, (..., m, n)), descending.
inline at::Tensor svdvals(const at::Tensor& a) {
  return at::linalg_svdvals(a);
}

// Manual causal attention (Vaswani et al. 2017, eq. 1, with a causal mask):
//   out = softmax(q k^T / sqrt(hd) + mask) v,   mask(i, j) = -inf for j > i.
// q, k, v: (B, H, T, hd) -> out (B, H, T, hd). The softmax runs in fp32 even when q/k/v are
// bf16/fp16 (CUDA autocast), and in fp64 when they are fp64. When scores_out is set it receives
// the scaled scores before masking, (B, H, T, T), in the softmax dtype (for max-logit capture).
inline at::Tensor manual_causal_attention(const at::Tensor& q, const at::Tensor& k,
                                          const at::Tensor& v, at::Tensor* scores_out = nullptr) {
  const int64_t T = q.size(-2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1));  // (B, H, T, T)
  if (scores.scalar_type() != at::kDouble) scores = scores.to(at::kFloat);
  scores = scores * scale;
  if (scores_out) *scores_out = scores;
  // mask(i, j) = true above the diagonal (future keys)
  const at::Tensor mask =
      at::ones({T, T}, at::TensorOptions().dtype(at::kBool).device(q.device())).triu(1);
  at::Tensor probs = at::softmax(scores.masked_fill(mask, -std::numeric_limits<double>::infinity()),
                                 -1);               // (B, H, T, T)
  return at::matmul(probs.to(v.scalar_type()), v);  // (B, H, T, hd)
}

// Causal attention with the fastest kernel this LibTorch has: fused SDPA on >= 2.0 (flash /
// memory-efficient kernels on CUDA), the manual path on 1.13. Same math, scale 1/sqrt(hd).
inline at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if TORCH_VERSION_MAJOR >= 2
  return at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0,
                                          /*is_causal=*/true);
#else
  return manual_causal_attention(q, k, v);
#endif
}

// "1.13.0": the LibTorch version this binary was built against.
inline std::string torch_version_string() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

// bf16 autocast for CUDA matmuls within a scope (fp32 master weights stay untouched). The
// setter names changed in 2.4 (device-type arguments); both keep the previous state on exit.
class AutocastGuard {
 public:
  explicit AutocastGuard(bool enable) : enable_(enable) {
    if (!enable_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    prev_ = at::autocast::is_autocast_enabled(at::kCUDA);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    prev_ = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
  }
  ~AutocastGuard() {
    if (!enable_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, prev_);
#else
    at::autocast::set_enabled(prev_);
#endif
    if (!prev_) at::autocast::clear_cache();
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enable_ = false;
  bool prev_ = false;
};

}  // namespace ms
