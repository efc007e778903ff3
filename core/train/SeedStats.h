// Seed statistics for study findings: mean +- sample standard deviation over the seeds of a run,
// and the verdict on a direction between two runs. A direction "holds" when it holds for every
// pair of seeds (a_i, b_j), or when the difference of the means exceeds twice the pooled
// standard error sp * sqrt(1/na + 1/nb), sp^2 = ((na-1) sa^2 + (nb-1) sb^2) / (na + nb - 2)
// (Student's two-sample pooled variance); "reversed" under the same test the other way;
// otherwise "unclear". With one seed per run this is the plain comparison. No torch, no Qt.
#pragma once

#include <cmath>
#include <initializer_list>
#include <vector>

namespace ms {

struct SeedStat {
  double mean = std::nan("");
  double sd = std::nan("");  // sample standard deviation (n - 1); NaN for n < 2
  int n = 0;                 // finite values
};

inline SeedStat seed_stat(const std::vector<double>& v) {
  SeedStat s;
  double sum = 0;
  for (double x : v)
    if (std::isfinite(x)) sum += x, ++s.n;
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double x : v)
      if (std::isfinite(x)) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / (s.n - 1));
  }
  return s;
}

enum class Verdict { Holds, Reversed, Unclear, Context };

inline const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Holds:
      return "holds";
    case Verdict::Reversed:
      return "reversed";
    case Verdict::Unclear:
      return "unclear";
    case Verdict::Context:
      return "context";
  }
  return "?";
}

// Pooled standard error of mean(b) - mean(a); NaN unless both runs have two or more seeds.
inline double pooled_se(const SeedStat& a, const SeedStat& b) {
  if (a.n < 2 || b.n < 2) return std::nan("");
  const double sp2 = ((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd) / (a.n + b.n - 2);
  return std::sqrt(sp2 * (1.0 / a.n + 1.0 / b.n));
}

// Is b greater than a (per seed values)? Non-finite values are left out.
inline Verdict b_greater(const std::vector<double>& a, const std::vector<double>& b) {
  const SeedStat sa = seed_stat(a), sb = seed_stat(b);
  if (sa.n == 0 || sb.n == 0) return Verdict::Unclear;
  bool all_gt = true, all_lt = true;
  for (double x : a)
    for (double y : b) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      all_gt = all_gt && y > x;
      all_lt = all_lt && y < x;
    }
  const double diff = sb.mean - sa.mean, se = pooled_se(sa, sb);
  if (all_gt || (std::isfinite(se) && diff > 2 * se)) return Verdict::Holds;
  if (all_lt || (std::isfinite(se) && -diff > 2 * se)) return Verdict::Reversed;
  return Verdict::Unclear;
}

inline Verdict b_lower(const std::vector<double>& a, const std::vector<double>& b) {
  return b_greater(b, a);
}

// Conditions that must all hold: Holds if all do, Reversed if any is reversed, else Unclear.
inline Verdict all_hold(std::initializer_list<Verdict> vs) {
  bool all = true;
  for (Verdict v : vs) {
    if (v == Verdict::Reversed) return Verdict::Reversed;
    all = all && v == Verdict::Holds;
  }
  return all ? Verdict::Holds : Verdict::Unclear;
}

}  // namespace ms
