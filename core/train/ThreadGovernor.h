// ThreadGovernor: the intra-op thread count of a training run (train.threads = 0), chosen from
// the run's own step times. Why not a fixed count: on an idle 2-core machine 2 threads train 60
// steps of `quick` in 17.7 s against 24.4 s on 1, but beside one other CPU-bound process they
// take 91.9 s against 26.4 s (OpenMP regions split work statically, so every barrier waits for
// the thread the scheduler parked); OMP_WAIT_POLICY=PASSIVE cuts that to 35.5 s but makes the
// idle 2-thread run 28.1 s, slower than 1 thread (bench/README.md). So the governor measures: a
// few steps at each candidate that fits in the cores other processes leave free, keep the
// fastest, re-check when the steps drift or, less and less often, when they do not. Pure logic
// on step seconds and the load figure (torch-free); Trainer applies threads() with
// at::set_num_threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace ms {

struct ThreadGovernorOptions {
  int max_threads = 1;               // usable cores; candidates are 1, 2, 4, ... and max_threads
  int warmup_steps = 2;              // first steps, at 1 thread, not measured (allocator, caches)
  int trial_steps = 3;               // measured steps per candidate; their median decides
  int64_t recheck_steps = 64;        // steps at a choice before it is re-checked; doubles each time
  int64_t max_recheck_steps = 1024;  // ... the re-check confirms the choice, up to this
  double abort_ratio = 1.5;   // a candidate's step this much slower than the best ends its trial
  double drift_ratio = 1.5;   // the choice's median this much above its trial median: re-check
  double strong_ratio = 2.0;  // every other count this much slower: the interval doubles again
  // Cores other processes kept busy since the previous call (OtherLoad::sample, CpuCores.h),
  // asked at the start of each trial; NaN or empty = unknown. A trial does not try more than
  // max_threads - floor(load + 0.2) threads (a core >= 80 % busy counts as taken): a thread
  // without a core of its own stalls every barrier, so the step that would show it is saved.
  // When that leaves only the held count, the trial is skipped and the next one comes after
  // recheck_steps.
  std::function<double()> other_load;
};

class ThreadGovernor {
 public:
  explicit ThreadGovernor(ThreadGovernorOptions o);

  int threads() const { return current_; }  // thread count for the next step
  // Seconds of the step just run with threads(). Steps that did extra work (snapshots) should
  // not be recorded.
  void record(double seconds);

  const std::vector<int>& candidates() const { return candidates_; }  // descending
  bool settled() const { return phase_ == Phase::Hold; }
  int chosen() const { return chosen_; }        // the choice of the last trial (1 before the first)
  int64_t trials() const { return trials_; }    // completed trial rounds
  int64_t skipped() const { return skipped_; }  // trials skipped: no free core for more threads

 private:
  enum class Phase { Warmup, Trial, Hold };
  void start_trial();
  void next_candidate();
  void finish_trial();

  ThreadGovernorOptions o_;
  std::vector<int> candidates_;
  Phase phase_ = Phase::Warmup;
  int current_ = 1, chosen_ = 1;
  int64_t warm_ = 0, trials_ = 0, skipped_ = 0;
  // Trial: the order tried (ascending the first time, then the previous choice first), the index in
  // it, this candidate's step seconds, and each tried candidate's median (a large value when
  // aborted).
  std::vector<int> order_;
  std::size_t index_ = 0;
  std::vector<double> times_;
  std::vector<double> medians_;
  double best_ = 0;  // fastest median so far in this trial, 0 = none yet
  // Hold: the choice's trial median (0 after a skipped trial until trial_steps held steps give
  // it), its recent steps, steps since the trial, the interval.
  double reference_ = 0;
  std::vector<double> recent_;
  int64_t held_ = 0, interval_ = 0;
};

}  // namespace ms
