// ThreadGovernor (see ThreadGovernor.h): warm-up -> trial (each candidate for trial_steps steps,
// median; a step abort_ratio slower than the best ends a candidate at once, so a bad count
// costs one step) -> hold the fastest, re-check after an interval that doubles while the choice
// holds (twice when the runner-up was strong_ratio slower), or at once when the held steps drift
// drift_ratio above their trial median.
#include "train/ThreadGovernor.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ms {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

ThreadGovernor::ThreadGovernor(ThreadGovernorOptions o) : o_(o) {
  o_.max_threads = std::max(1, o_.max_threads);
  o_.trial_steps = std::max(1, o_.trial_steps);
  o_.recheck_steps = std::max<int64_t>(1, o_.recheck_steps);
  o_.max_recheck_steps = std::max(o_.recheck_steps, o_.max_recheck_steps);
  for (int t = 1; t < o_.max_threads; t *= 2) candidates_.push_back(t);
  candidates_.push_back(o_.max_threads);
  std::reverse(candidates_.begin(), candidates_.end());
  // Warm-up and the first trial start at 1 thread and go up: under load the first count above 1
  // is then the one aborted after a single step, and idle the cost is a few 1-thread steps.
  current_ = chosen_ = 1;
  interval_ = o_.recheck_steps;
  if (candidates_.size() == 1)
    phase_ = Phase::Hold;  // nothing to choose: never measures
  else if (o_.warmup_steps <= 0)
    start_trial();
}

void ThreadGovernor::start_trial() {
  int limit = o_.max_threads;  // no more threads than cores left free by other processes
  if (o_.other_load) {
    const double busy = o_.other_load();
    if (std::isfinite(busy) && busy > 0)
      limit = std::max(1, o_.max_threads - static_cast<int>(std::floor(busy + 0.2)));
  }
  if (trials_ == 0) {
    order_.clear();  // 1, 2, 4, ..., max
    for (auto it = candidates_.rbegin(); it != candidates_.rend(); ++it)
      if (*it <= limit) order_.push_back(*it);
  } else {
    int first = chosen_;  // the held choice first (the others are measured against it), or
    if (first > limit)    // the largest candidate that fits
      first =
          *std::find_if(candidates_.begin(), candidates_.end(), [&](int c) { return c <= limit; });
    order_ = {first};
    for (int c : candidates_)
      if (c != order_[0] && c <= limit) order_.push_back(c);
  }
  if (order_.size() == 1) {  // nothing to compare: hold that count, look again later
    ++skipped_;
    chosen_ = current_ = order_[0];
    reference_ = 0;
    interval_ = o_.recheck_steps;
    held_ = 0;
    recent_.clear();
    phase_ = Phase::Hold;
    return;
  }
  phase_ = Phase::Trial;
  index_ = 0;
  times_.clear();
  medians_.assign(order_.size(), std::numeric_limits<double>::infinity());
  best_ = 0;
  current_ = order_[0];
}

void ThreadGovernor::next_candidate() {
  times_.clear();
  if (++index_ == order_.size()) return finish_trial();
  current_ = order_[index_];
}

void ThreadGovernor::finish_trial() {
  const size_t best =
      static_cast<size_t>(std::min_element(medians_.begin(), medians_.end()) - medians_.begin());
  const int previous = chosen_;
  chosen_ = current_ = order_[best];
  reference_ = medians_[best];
  double runner_up = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < medians_.size(); ++i)
    if (i != best) runner_up = std::min(runner_up, medians_[i]);
  // A confirmed choice is re-checked less often, and less again when every other count was at
  // least twice as slow (each re-check costs a step of it); a change (load came or went) is
  // re-checked soon.
  interval_ = (trials_ > 0 && chosen_ == previous) ? interval_ * 2 : o_.recheck_steps;
  if (runner_up >= o_.strong_ratio * reference_) interval_ *= 2;
  interval_ = std::min(interval_, o_.max_recheck_steps);
  ++trials_;
  held_ = 0;
  recent_.clear();
  phase_ = Phase::Hold;
}

void ThreadGovernor::record(double seconds) {
  if (!(seconds >= 0)) return;  // NaN or negative: not a measurement
  switch (phase_) {
    case Phase::Warmup:
      if (++warm_ >= o_.warmup_steps) start_trial();
      return;
    case Phase::Trial: {
      times_.push_back(seconds);
      if (best_ > 0 && seconds > o_.abort_ratio * best_) {  // clearly slower: done with it
        medians_[index_] = seconds;                         // a one-step estimate
        next_candidate();
        return;
      }
      if (static_cast<int>(times_.size()) < o_.trial_steps) return;
      const double m = median(times_);
      medians_[index_] = m;
      best_ = best_ > 0 ? std::min(best_, m) : m;
      next_candidate();
      return;
    }
    case Phase::Hold: {
      if (candidates_.size() == 1) return;
      ++held_;
      recent_.push_back(seconds);
      if (static_cast<int>(recent_.size()) > o_.trial_steps) recent_.erase(recent_.begin());
      const bool full = static_cast<int>(recent_.size()) == o_.trial_steps;
      if (full && reference_ == 0) reference_ = median(recent_);  // after a skipped trial
      const bool drifted = full && median(recent_) > o_.drift_ratio * reference_;
      if (drifted) interval_ = o_.recheck_steps;
      if (drifted || held_ >= interval_) start_trial();
      return;
    }
  }
}

}  // namespace ms
