// train_to_file: one run from config to finished run file, with terminal progress (a live
// line with step, loss, tokens/s and ETA on a tty; plain lines otherwise), a one-line summary
// per snapshot, and Ctrl-C handling (stop after the current step, finalize the file).
// Used by `train` and, member by member, by `study`.
#pragma once

#include <string>

#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ms {

class Comm;

struct TrainOptions {
  bool force = false;      // overwrite an existing run file
  bool quiet = false;      // no progress output
  std::string prefix;      // printed before each progress line, e.g. "[2/5] Muon (VO+FFN) "
  double extra_eta_s = 0;  // seconds of later work to add to the ETA (studies)
  // Continue `out` from its newest checkpoint (Trainer::resume_from) instead of starting it:
  // rows after the checkpoint's step are dropped and the file records the resume.
  bool resume = false;
  // Data-parallel: this process's rank of a job (not owned) and its local rank. Rank 0 writes
  // the file and prints progress; the other ranks train quietly and write nothing.
  Comm* comm = nullptr;
  int local_rank = 0;
};

struct TrainResult {
  RunStatus status = RunStatus::Failed;
  std::string message;
  double wall_s = 0;  // seconds, start to finish
  double final_loss = kNaN, final_val = kNaN;
  bool interrupted = false;   // Ctrl-C
  int64_t resumed_from = -1;  // the checkpoint's step when o.resume
};

TrainResult train_to_file(const RunConfig& c, const std::string& out, const TrainOptions& o);

}  // namespace ms
