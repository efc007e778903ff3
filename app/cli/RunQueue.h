// run_jobs: trains a list of runs into their run files, at most `jobs` at a time, for `study`
// and `reproduce`. One job at a time runs in this process with the live progress line of
// train_to_file; more run as child processes (`muonscope-cli train --config TMP --out PATH
// --force --quiet`, one OpenMP pool each), since LibTorch's thread pools and HDF5 are
// process-wide. Ctrl-C stops every running job after its current step (each file is finalized
// as "stopped") and starts no new one.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ms {

struct RunJob {
  std::string label;  // shown in progress lines, e.g. "kv-asymmetry AdamW · seed 1338"
  std::string path;   // run file to write (overwritten)
  RunConfig config;
};

struct RunOutcome {
  RunStatus status = RunStatus::Failed;
  std::string message;
  double wall_s = 0;
  double final_loss = kNaN, final_val = kNaN;
};

struct RunQueueOptions {
  int jobs = 1;        // runs at once (>= 1)
  bool quiet = false;  // no per-step progress (one line per finished run is always printed)
  std::function<void(size_t job)> on_start;                    // before job i starts
  std::function<void(size_t job, const RunOutcome&)> on_done;  // after job i ended
};

// Runs every job (in order of the list, up to opt.jobs at once). Returns false when stopped by
// Ctrl-C / SIGTERM (jobs not started are skipped; on_done was called for every started one).
bool run_jobs(const std::vector<RunJob>& jobs, const RunQueueOptions& opt);

// Default for --jobs: usable_cores() (CpuCores.h). Each child gets OMP_NUM_THREADS = cores / jobs
// (at least 1), which caps its automatic thread count.
int default_jobs();

}  // namespace ms
