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

class Comm;
class DataSource;

// Where a run's time went, in seconds summed over its steps (bench_throughput prints it). CPU
// times are exact; CUDA kernels run asynchronously, so there they mean something only with
// Trainer::sync_timing(true), which synchronizes at each phase boundary (slower).
struct PhaseSeconds {
  double sample = 0;         // drawing the batch, host to device
  double forward = 0;        // forward pass and loss, with the loss's read for the NaN check
  double backward = 0;       // loss.backward()
  double clip = 0;           // gradient norm and clip
  double optimizer = 0;      // every optimizer step, Newton-Schulz included
  double newton_schulz = 0;  // Muon's Newton-Schulz, a part of `optimizer`
  double snapshot = 0;       // metric snapshots: before_step, Muon inputs, compute
  double validation = 0;     // validation loss
  double exchange = 0;       // data-parallel: gradient all-reduce and the loss/stop exchange
  int64_t steps = 0;         // steps these sums cover
  int64_t snapshots = 0;

  // What was spent after `earlier` (a copy taken during the same run), field by field.
  PhaseSeconds since(const PhaseSeconds& earlier) const {
    return {sample - earlier.sample,       forward - earlier.forward,
            backward - earlier.backward,   clip - earlier.clip,
            optimizer - earlier.optimizer, newton_schulz - earlier.newton_schulz,
            snapshot - earlier.snapshot,   validation - earlier.validation,
            exchange - earlier.exchange,   steps - earlier.steps,
            snapshots - earlier.snapshots};
  }
};

class Trainer {
 public:
  struct Callbacks {
    std::function<void(const StepRecord&)> on_step;
    std::function<void(const ValRecord&)> on_val;
    std::function<void(const Snapshot&)> on_snapshot;
    // Before a checkpoint of `step` is written: everything reported so far must be on disk
    // when it returns (RunWriter::flush), so a resume never finds a checkpoint newer than the
    // file's rows.
    std::function<void(int64_t step)> on_checkpoint;
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
  const RunInfo& info() const;                // valid after prepare()
  const DataSource* data() const;             // valid after prepare()
  const PhaseSeconds& phase_seconds() const;  // of run() so far; read after it returns
  void sync_timing(bool on);  // CUDA: synchronize at phase boundaries (before run())
  // What the thread governor (train.threads = 0) is told about other processes' load, in busy
  // cores (ThreadGovernorOptions::other_load). Default: OtherLoad (CpuCores.h), measured. Tests
  // set a fixed value to make the choice independent of what else the machine runs.
  void set_other_load(std::function<double()> f);
  // The intra-op thread count the last step ran with (0 before the first step).
  int threads() const;
  // Where train.checkpoint_every writes its checkpoints (CheckpointWriter.h); callers pass
  // checkpoint_dir_for(run file). Empty (the default) = no checkpoints. Call before run().
  void set_checkpoint_dir(const std::string& dir);
  // Data-parallel training: this trainer is one rank of `comm`'s job (not owned; it must
  // outlive run()). Call before prepare(). train.batch_size stays the global batch: each rank
  // trains on rows [rank * B / N, (rank + 1) * B / N) of the batch a single process would draw
  // (every rank draws the same window starts, so the shares are disjoint and together the
  // one-process batch); gradients are averaged with Comm::allreduce_mean; Muon's Newton-Schulz
  // is split over ranks (Muon::set_distributed); MuonClip takes the maximum logit over ranks.
  // Rank 0 alone snapshots, validates, writes checkpoints and calls the callbacks. A stop on
  // any rank stops all after the same step. A rank that fails or dies ends every rank's run as
  // Failed; rank 0's message names the rank. CUDA runs use device cuda:local_rank.
  void set_comm(Comm* comm, int local_rank);
  int rank() const;  // 0 without a Comm
  // Continues a run from the newest checkpoint in `folder` that has a training state
  // (TrainState.h): loads weights, optimizer state, the data position, training seconds and
  // the snapshot count; run() then starts after that step. Call after prepare() (or it calls
  // it) and before run(). Returns the step. Throws CheckpointError naming the file (none
  // there, damaged) or ConfigError listing "key: stored -> now" when this trainer's config
  // differs from the run's (resume_config_differences).
  // `last_row` (when >= 0) is the last step the run file holds: a newer checkpoint is refused.
  int64_t resume_from(const std::string& folder, int64_t last_row = -1);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Intra-op threads: train.threads > 0 is used as is. 0 (the default) on CPU lets a
// ThreadGovernor choose between 1 and usable_cores() (CpuCores.h) from the run's own step times:
// all cores on an idle machine, fewer when other processes compete for them (there a fixed
// all-core count made a `quick` run 3 to 3.5x slower, bench/README.md). On CUDA, 0 is
// usable_cores(). The count each step ran with is StepRecord::threads (/steps/threads in the run
// file).
bool adaptive_threads(const RunConfig& c);  // train.threads == 0 and not a CUDA run

// The c10d backend a data-parallel run of `c` uses: train.backend, where "auto" is nccl for a
// CUDA run on a build that has it (Comm::have_nccl) and gloo otherwise.
std::string dist_backend_for(const RunConfig& c);

// RUN.h5 -> RUN.ckpt: the folder of a run's checkpoints.
std::string checkpoint_dir_for(const std::string& run_file);

}  // namespace ms
