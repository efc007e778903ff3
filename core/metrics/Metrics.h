// Pure metric functions of ../shared/DESIGN.md section 4: tensors in, plain numbers (or small
// tensors) out, no model and no state. Every function computes in its input's dtype and on its
// input's device (fp32 in the app, fp64 in the tests); results are converted to double only at
// the end. The SnapshotBuilder (SnapshotBuilder.h) strings these together over a model.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "train/Snapshot.h"

namespace ms {

// ---- Spectra and isotropy -------------------------------------------------------------------

// Spectrum metrics from the singular values of one matrix: sv (n), any order, non-negative.
// Fills sv (descending), entropy H = -(sum q log q)/log n, erank = exp(-sum q log q),
// top10 = TopE_10, q75_q25 = Q3/Q1 of sigma^2 (numpy linear quartiles), stable_rank =
// sum sigma^2 / sigma_max^2, with q_i = sigma_i^2 / sum sigma^2. The update fields stay NaN.
// An all-zero spectrum gives NaN metrics; n == 1 gives H = NaN (log 1 = 0).
// With fit_power_law, also alpha, alpha_weighted, alpha_ks and alpha_xmin: WeightWatcher's
// power-law fit of the eigenvalues sigma^2 (metrics/PowerLaw.h, computed in double on the CPU;
// O(n^2) per spectrum). Without it (the per-head composites) they stay NaN.
SpectrumMetrics spectrum_metrics(const torch::Tensor& sv, bool fit_power_law = true);
// The same for N spectra of equal length at once: sv (N, n) -> N results.
std::vector<SpectrumMetrics> spectrum_metrics_batched(const torch::Tensor& sv,
                                                      bool fit_power_law = true);

// Singular values of N same-shape matrices in ONE batched SVD call: (N, n), n = min(r, c),
// descending per row. Throws std::invalid_argument when the list is empty or shapes differ.
torch::Tensor batched_svdvals(const std::vector<torch::Tensor>& mats);
// Singular values of A (..., r, c) -> (..., min(r, c)) (one call; ms::svdvals when present).
torch::Tensor svdvals_any(const torch::Tensor& A);

// Top left singular vector u1 of A (..., r, c) -> (..., r), unit norm, sign arbitrary.
torch::Tensor top_left_singular_vector(const torch::Tensor& A);

// Update metrics (see docs/run-format.md, "Update metrics"). Both are invariant to the sign and
// scale of the update and NaN where it is exactly zero.
//
// update_cosine |<u1(D), u1(W)>|: seed 000's "cosine between the top update direction and the
// top weight direction". Well posed only when D's top singular direction is distinct, so the
// SnapshotBuilder passes the direction the optimizer was given: for Muon the momentum matrix
// before Newton-Schulz (NS5 maps its singular values into about [0.7, 1.2] without keeping
// their order, so u1 of the applied update is arbitrary), for AdamW / SGD the applied dW.
// D, W (..., r, c) -> (...).
torch::Tensor update_cosine_batched(const torch::Tensor& D, const torch::Tensor& W);
double update_cosine(const torch::Tensor& D, const torch::Tensor& W);  // 2-D inputs
// update_top_share ||U_k(W)^T dW||_F^2 / ||dW||_F^2: the share of the update's energy inside
// W's top-k left singular subspace, k = min(k, rows, cols). Well posed for any optimizer (it
// uses only W's ordering); an update with no preferred direction scores the chance level
// k / rows. dW, W (..., r, c) -> (...).
torch::Tensor update_top_share_batched(const torch::Tensor& dW, const torch::Tensor& W, int64_t k);
double update_top_share(const torch::Tensor& dW, const torch::Tensor& W, int64_t k);
// The same from W's already computed U (..., r, n) (first columns = top directions).
torch::Tensor update_top_share_from_u(const torch::Tensor& dW, const torch::Tensor& U, int64_t k);
inline constexpr int64_t kUpdateTopK = 10;

// ---- Participation ratio (seed 001) ---------------------------------------------------------

// (B, H, T, hd) -> (H, B*T, hd): each head's activations as N = B*T rows of hd.
torch::Tensor heads_as_rows(const torch::Tensor& x);
// PR_sv = (sum sigma)^2 / sum sigma^2 over the singular values of the UNcentered X.
// X (..., N, d) -> (...); range [1, min(N, d)]; NaN for X == 0.
torch::Tensor pr_sv(const torch::Tensor& X);
// PR_cov = (sum lambda)^2 / sum lambda^2 over the eigenvalues of the covariance of the
// centered X (..., N, d) -> (...); NaN when X has no variance.
torch::Tensor pr_cov(const torch::Tensor& X);

// ---- K/V magnitudes and spikiness (seed 000) ------------------------------------------------

// Spikiness of a non-negative magnitude vector m (n): max/mean, p99/p50 (linear
// interpolation, numpy default), top-1% mass = sum of the ceil(n/100) largest / sum.
Spikiness spikiness(const torch::Tensor& m);
// K or V cache x (B, H, T, hd), channels C = H*hd (channel index h*hd + j):
// channel m_c = mean over B*T of |x| (C); token m_t = mean over channels of |x| for each of the
// B*T tokens, kept in `token_all` (B*T, row-major (batch, position)) and averaged over the
// batch in `token` (T); token_spk is the spikiness of token_all;
// asymmetry = channel_spk.max_mean / token_spk.max_mean.
Magnitudes kv_magnitudes(const torch::Tensor& x);

// ---- KIVI-style quantization (Liu et al. 2024) ----------------------------------------------

// Asymmetric min-max quantization along the last dim of y (..., n) in groups of `group`
// consecutive entries (the last group may be shorter): per group s = (mx - mn)/(2^bits - 1),
// y' = round(clamp((y - mn)/s, 0, 2^bits - 1)) * s + mn; a constant group (s == 0) is kept.
// Throws std::invalid_argument for bits outside [1, 16] or group < 1.
torch::Tensor quantize_groups_lastdim(const torch::Tensor& y, int bits, int64_t group);
// x (B, H, T, hd) -> same shape. Per-channel: each of the H*hd channels over groups of
// `group` tokens along T (KIVI's scheme for K). Per-token: each token over groups of `group`
// of its H*hd channels (KIVI's scheme for V).
torch::Tensor kivi_per_channel(const torch::Tensor& x, int bits, int64_t group);
torch::Tensor kivi_per_token(const torch::Tensor& x, int bits, int64_t group);

}  // namespace ms
