// RunWriter: writes one training run to an HDF5 file (layout: docs/run-format.md) in SWMR mode,
// so the file stays readable up to its last flush after a crash or kill -9, and a RunReader in
// another process can tail it while it grows. Used from one thread (the trainer's). No HDF5
// types in this header; it is cheap to include.
//
//   RunWriter w(path, /*overwrite=*/false);   // checks and creates the file now, or throws
//   w.begin(info);                            // creates every dataset, then SWMR writing
//   w.append_step(rec); ... w.append_snapshot(snap); ...
//   w.finish(RunStatus::Finished, "");        // destructor without finish = "running" (crash)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/RunFile.h"
#include "train/Snapshot.h"

namespace ms {

class RunWriter {
 public:
  // Step rows are appended in blocks: after kStepBlock buffered steps or kFlushSeconds since the
  // last flush, whichever comes first (and on every snapshot, flush() and finish()).
  static constexpr int kStepBlock = 256;
  static constexpr double kFlushSeconds = 2.0;

  // Reopens an existing run file to continue it after step `keep_step` (a resume): rows of
  // steps, validation and snapshots after that step are dropped, status goes back to
  // "running", the step and time are appended to the attributes resumed_at_steps and
  // resume_times, world_size is rewritten, then SWMR writing starts (no begin()). `info` must
  // describe the same shapes as the file. Throws StoreError (not a run file, an older format,
  // being written, other shapes, an HDF5 failure).
  static std::unique_ptr<RunWriter> reopen(const std::string& path, const RunInfo& info,
                                           int64_t keep_step);

  // Creates the file now, so a bad path fails before training starts. Throws StoreError when
  // `path` exists and !overwrite, when it is a directory, when its directory is missing or not
  // writable, when another live RunWriter holds it, or when HDF5 cannot create it.
  RunWriter(const std::string& path, bool overwrite);
  // Flushes buffered rows and closes the file; the status attribute keeps saying "running", so
  // readers report the run as interrupted. A writer that never began removes its empty file.
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  // Creates every group and dataset (shapes from `info`), writes the root attributes with
  // status "running", and switches the file to SWMR writing. Throws StoreError for an invalid
  // info (shape limits, bad matrix names) or an HDF5 failure; call once.
  void begin(const RunInfo& info);
  // Buffers one step; writes a block when due (see kStepBlock / kFlushSeconds).
  void append_step(const StepRecord& r);
  // Buffers one validation row; written with the next step block, snapshot or flush.
  void append_val(const ValRecord& r);
  // Writes buffered rows and this snapshot, then flushes the file. Vectors must have the sizes
  // the RunInfo implies (see docs/run-format.md); an empty vector means "not computed" and is
  // stored as NaN (0 for flags). Throws StoreError on a size mismatch, before writing anything.
  void append_snapshot(const Snapshot& s);
  // Writes buffered rows and flushes the file (call it when training pauses).
  void flush();
  // Flushes, records status + message + end time, closes the file. `status` should be
  // Finished, Stopped or Failed. A second call does nothing; before begin() it only removes the
  // empty file.
  void finish(RunStatus status, const std::string& message = "");

  const std::string& path() const;
  int64_t num_steps() const;      // rows appended so far, buffered ones included
  int64_t num_snapshots() const;  // snapshots written
  bool is_open() const;           // between construction and finish()

 private:
  RunWriter();
  struct Impl;
  std::unique_ptr<Impl> d_;
};

}  // namespace ms
