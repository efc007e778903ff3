// WeightWatcher's power-law exponent alpha of a weight matrix's empirical spectral density
// (ESD, the eigenvalues lambda = sigma^2 of W^T W): a continuous power law p(x) ~ x^-alpha fitted
// to the tail x >= x_min by maximum likelihood, x_min chosen by the smallest Kolmogorov-Smirnov
// distance (Clauset, Shalizi & Newman 2009, "Power-law distributions in empirical data", SIAM
// Review 51, sections 3.1 and 3.3). Plain C++ (no torch, no Qt) so that the store, the widgets
// and the tests can use it; docs/metrics.md has the definition and how it matches WeightWatcher.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace ms {

// Eigenvalues at or below this are dropped before the fit: WeightWatcher's EVALS_THRESH
// (weightwatcher/constants.py, applied as `nz_evals = evals[evals > thresh]` in
// WeightWatcher.fit_powerlaw). An absolute threshold in sigma^2 units, as there.
inline constexpr double kPowerLawEvalThreshold = 1e-5;
// Fewer eigenvalues above the threshold give no fit (NaN): WeightWatcher's DEFAULT_MIN_EVALS,
// its smallest layer it analyses.
inline constexpr int64_t kPowerLawMinEigenvalues = 10;

inline constexpr double kPlNaN = std::numeric_limits<double>::quiet_NaN();

struct PowerLawFit {
  double alpha = kPlNaN;                      // MLE exponent at xmin (Clauset eq. 3.1)
  double alpha_weighted = kPlNaN;             // alpha * log10(lambda_max) (WeightWatcher)
  double ks_distance = kPlNaN;                // KS distance D of the fit at xmin
  double xmin = kPlNaN;                       // lower end of the tail: one of the eigenvalues
  double sigma = kPlNaN;                      // standard error of alpha, (alpha - 1) / sqrt(n_tail)
  double lambda_max = kPlNaN;                 // largest eigenvalue (NaN when the input is unusable)
  int64_t n_tail = 0;                         // eigenvalues >= xmin (the fitted tail)
  int64_t n_used = 0;                         // eigenvalues above kPowerLawEvalThreshold
  bool ok() const { return alpha == alpha; }  // false when NaN
};

// Fits the power law to `eigenvalues` (any order). For the sorted eigenvalues x_1 <= ... <= x_N
// above kPowerLawEvalThreshold, every distinct value except the largest is a candidate x_min;
// for each, over the tail T = {x_i >= x_min} of n values,
//   alpha = 1 + n / sum_{x in T} ln(x / x_min)                       (Clauset et al. eq. 3.1)
//   D     = max_{k=0..n-1} | F(t_k) - k / n |,  F(x) = 1 - (x / x_min)^(1 - alpha)
// with t_0 <= ... <= t_{n-1} the tail sorted: the KS distance of powerlaw (Alstott et al.,
// whose empirical CDF is arange(n)/n), of WeightWatcher's own WWFit.fit_power_law
// (weightwatcher/WW_powerlaw.py) and of R's poweRlaw (get_distance_statistic, (0:(n-1))/n).
// The candidate with the smallest D wins (the smallest x_min on a tie, like numpy's argmin).
// A candidate whose tail is all equal (sum ln = 0) is skipped. NaN fit (ok() false) for fewer
// than kPowerLawMinEigenvalues usable values, any NaN / infinite input, or no valid candidate.
// At most O(N^2) time in the N usable values (sorted once, suffix sums of logs, a KS scan cut
// short once it cannot beat the best candidate), O(N) memory.
PowerLawFit fit_power_law(std::vector<double> eigenvalues);
// The same on singular values: lambda = sigma^2.
PowerLawFit fit_power_law_sv(const std::vector<float>& singular_values);

}  // namespace ms
