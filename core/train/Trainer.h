// Trainer: the training loop of one run, driven from any thread, with a thread-safe
// pause / resume / stop API. Torch-free header (pimpl) so the app and the CLI compile fast.
// Results leave only through callbacks of plain structs (Snapshot.h); the caller decides where
// they go (RunWriter, the GUI's queued signals, a terminal).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ms {

class DataSource;

class Trainer {
 public:
  struct Callbacks {
    std::function<void(const StepRecord&)> on_step;
    std::function<void(const ValRecord&)> on_val;
    std::function<void(const Snapshot&)> on_snapshot;
  };

  // Validates the config (throws ConfigError naming key and value).
  explicit Trainer(RunConfig cfg);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Loads the data, checks it against the config (seq_len, vocab), builds the model and the
  // optimizers and fixes the probe batch. Throws ConfigError / DataError with a clear message.
  // Returns what the run is (shapes, device, routing) for the run file and the views.
  const RunInfo& prepare();

  // Trains on the calling thread until the last step, a stop() or a failure (NaN/inf loss or
  // gradient, a LibTorch error). Calls prepare() first if needed (its exceptions propagate).
  // Returns the final status; message() explains a failure or a stop.
  RunStatus run(const Callbacks& cb);

  // Thread-safe controls. stop() finishes the current step, then run() returns Stopped.
  void pause();
  void resume();
  void stop();
  bool is_paused() const;
  // True while run() is blocked in a pause: the step in flight when pause() came has ended and
  // its callbacks have returned; no step runs until resume() or stop(). (A hook for tests.)
  bool is_waiting_in_pause() const;
  int64_t current_step() const;  // steps completed so far

  const std::string& message() const;
  const RunConfig& config() const;
  const RunInfo& info() const;     // valid after prepare()
  const DataSource* data() const;  // valid after prepare()
  // Where train.checkpoint_every writes its checkpoints (CheckpointWriter.h); callers pass
  // checkpoint_dir_for(run file). Empty (the default) = no checkpoints. Call before run().
  void set_checkpoint_dir(const std::string& dir);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Number of intra-op threads a run of config `c` uses. train.threads > 0 is taken as is; 0 (auto)
// means all cores for models big enough to profit, and 1 thread for tiny ones (under 1e10 forward
// FLOPs per step: `quick` has 1.6e9): OpenMP workers of a tiny model spend more time in barriers
// than in matmuls, and on a busy 2-core machine (the GUI thread, a parallel test) their
// spin-waiting slowed a `quick` run 15x.
int resolve_threads(const RunConfig& c);

// RUN.h5 -> RUN.ckpt: the folder of a run's checkpoints.
std::string checkpoint_dir_for(const std::string& run_file);

}  // namespace ms
