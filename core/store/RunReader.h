// RunReader: reopens a run file (docs/run-format.md) and returns the plain structs of
// train/Snapshot.h, so a reopened run is drawn by the same code as a live one. Opens with SWMR
// read, so it can tail a file that a RunWriter in another process is still writing (call
// refresh() to see new rows); falls back to plain read-only. Lazy: the constructor reads only
// the root attributes and the dataset extents; data is read on request, one snapshot at a time.
//
// Errors: a file that cannot be opened, is not a Muonscope run, has a newer format version or
// corrupt root attributes throws StoreError (message names the file and the problem). Missing
// or unreadable datasets do not throw: their values read as NaN (0 for integers/flags) and a
// line is added to warnings(). No HDF5 error is ever printed. Not thread-safe (one object per
// thread; separate objects may be used from separate threads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/RunFile.h"
#include "train/Snapshot.h"

namespace ms {

class RunReader {
 public:
  explicit RunReader(const std::string& path);  // throws StoreError
  ~RunReader();
  RunReader(const RunReader&) = delete;
  RunReader& operator=(const RunReader&) = delete;

  const std::string& path() const;
  const RunInfo& info() const;
  int format_version() const;
  const std::string& host() const;
  const std::string& start_time() const;  // ISO 8601 UTC
  const std::string& end_time() const;    // "" until the writer finished
  bool opened_swmr() const;               // false when the plain read-only fallback was used

  // Status as written in the file (Running while the writer has not finished).
  RunStatus stored_status() const;
  // What the run is now: a stored "running" is Running only while a writer still holds the
  // file (writer_alive()), otherwise Interrupted (crash, kill, power loss).
  RunStatus status() const;
  bool writer_alive() const;  // run_writer_alive(path())
  const std::string& status_message() const;

  // Step rows (every optimizer step). Ranges are [from, to) and are clamped to the rows
  // present; to < 0 means "to the end".
  int64_t num_steps() const;
  std::vector<StepRecord> steps(int64_t from = 0, int64_t to = -1);
  // One step column as float64: step, loss, lr_adamw, lr_muon, grad_norm, tokens, wall_s,
  // tokens_per_s. Throws StoreError for an unknown column name.
  std::vector<double> step_series(const std::string& column, int64_t from = 0, int64_t to = -1);
  static const std::vector<std::string>& step_columns();

  int64_t num_vals() const;
  std::vector<ValRecord> vals();

  // Snapshots. snapshot(i) reads that snapshot only; throws StoreError if i is out of range.
  int num_snapshots() const;
  std::vector<int64_t> snapshot_steps();
  Snapshot snapshot(int i);
  // Snapshots [from, to) (to < 0: all), read column by column over all their rows at once (a
  // run of 1000 snapshots: a few hundred HDF5 reads instead of one per column and snapshot).
  std::vector<Snapshot> snapshots(int from = 0, int to = -1);

  // Tailing: re-reads the dataset extents (H5Drefresh) so rows appended by a live writer become
  // visible. Once the writer has gone (finished or died) it reopens the file once to pick up the
  // final status. Returns true when the row counts or the status changed. Throws StoreError only
  // if the file can no longer be opened.
  bool refresh();

  // Problems met so far that did not stop reading (missing/unreadable datasets), each once.
  const std::vector<std::string>& warnings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

}  // namespace ms
