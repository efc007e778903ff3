// WeightWatcher's power-law fit of an ESD (see PowerLaw.h for the definition). Our own code of
// the method of Clauset, Shalizi & Newman (2009): the closed-form continuous MLE (their eq. 3.1)
// per candidate x_min and the x_min of smallest KS distance (their section 3.3), with
// WeightWatcher's choices (weightwatcher.py WeightWatcher.fit_powerlaw and WW_powerlaw.py
// WWFit.fit_power_law, the default pl_package "ww" and xmax None): eigenvalues above
// EVALS_THRESH = 1e-5, every data point but the largest a candidate x_min, no upper cut-off.
#include "metrics/PowerLaw.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace ms {

PowerLawFit fit_power_law(std::vector<double> x) {
  PowerLawFit fit;
  for (double v : x)
    if (!std::isfinite(v)) return fit;  // NaN or infinite eigenvalue: no fit
  x.erase(
      std::remove_if(x.begin(), x.end(), [](double v) { return !(v > kPowerLawEvalThreshold); }),
      x.end());
  const int64_t N = static_cast<int64_t>(x.size());
  fit.n_used = N;
  if (N < kPowerLawMinEigenvalues) return fit;
  std::sort(x.begin(), x.end());  // ascending, once

  // lx[i] = ln x_i; tail_log[i] = sum_{j >= i} ln x_j (suffix sums), so each candidate's MLE is
  // O(1) and only its KS distance costs O(n).
  std::vector<double> lx(static_cast<size_t>(N)), tail_log(static_cast<size_t>(N) + 1, 0.0);
  for (int64_t i = 0; i < N; ++i) lx[size_t(i)] = std::log(x[size_t(i)]);
  for (int64_t i = N - 1; i >= 0; --i)
    tail_log[size_t(i)] = tail_log[size_t(i) + 1] + lx[size_t(i)];

  double best_D = std::numeric_limits<double>::infinity();
  int64_t best_i = -1;
  double best_alpha = kPlNaN;
  // Candidates: the first index of each distinct value, up to the second-largest distinct
  // value (a tail needs two distinct points), so the tail of x_min is every x >= x_min.
  for (int64_t i = 0; i < N; ++i) {
    if (i > 0 && x[size_t(i)] == x[size_t(i) - 1]) continue;  // same x_min as before
    if (x[size_t(i)] == x[size_t(N) - 1]) break;              // only the largest value left
    const int64_t n = N - i;
    const double nd = static_cast<double>(n);
    const double sum_log_ratio = tail_log[size_t(i)] - nd * lx[size_t(i)];  // sum ln(x / x_min)
    if (!(sum_log_ratio > 0)) continue;
    const double alpha = 1.0 + nd / sum_log_ratio;  // Clauset et al. (2009) eq. 3.1
    // KS distance: the model CDF F(t) = 1 - (t / x_min)^(1 - alpha) against the empirical
    // k / n at the k-th tail point (k = 0 .. n-1), as powerlaw, WWFit and poweRlaw compute it.
    double D = 0;
    const double e = 1.0 - alpha;
    // Stop once D reaches the best so far: this candidate can no longer win (exact).
    for (int64_t k = 0; k < n && D < best_D; ++k) {
      const double F = 1.0 - std::exp(e * (lx[size_t(i + k)] - lx[size_t(i)]));
      D = std::max(D, std::abs(F - static_cast<double>(k) / nd));
    }
    if (D < best_D) {  // strict: the smallest x_min wins a tie (numpy argmin, R which.min)
      best_D = D;
      best_i = i;
      best_alpha = alpha;
    }
  }
  fit.lambda_max = x[size_t(N) - 1];
  if (best_i < 0) return fit;  // every candidate's tail was constant
  fit.alpha = best_alpha;
  fit.ks_distance = best_D;
  fit.xmin = x[size_t(best_i)];
  fit.n_tail = N - best_i;
  fit.sigma = (best_alpha - 1.0) / std::sqrt(static_cast<double>(fit.n_tail));
  // WeightWatcher's apply_norm_metrics: alpha_weighted = alpha * log10(max eigenvalue).
  fit.alpha_weighted = best_alpha * std::log10(fit.lambda_max);
  return fit;
}

PowerLawFit fit_power_law_sv(const std::vector<float>& singular_values) {
  std::vector<double> lambda;
  lambda.reserve(singular_values.size());
  for (float s : singular_values) lambda.push_back(double(s) * double(s));
  return fit_power_law(std::move(lambda));
}

}  // namespace ms
