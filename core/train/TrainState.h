// TrainState: what resuming a run needs besides its weights. Every checkpoint of
// train.checkpoint_every (and the one written at a stop or the end) is two files in RUN.ckpt/:
//   step-N.safetensors  the weights (CheckpointWriter.h; inspectable, loadable elsewhere)
//   state-N.pt          this state: the optimizers' state (AdamW moments and step counts, SGD and
//                       Muon momentum) and the loop's own: the batch sampler's RNG (which is the
//                       position in the data stream), training seconds, snapshots taken, the
//                       config and the world size. A LibTorch archive (torch::serialize).
// Training draws no other randomness (no dropout; the model's init is redone from the seed and
// then overwritten), so weights + this state continue a run exactly: a resumed run repeats the
// uninterrupted one's losses bit for bit on CPU with a fixed thread count. Only the newest
// state file is kept (it is as large as the weights times the optimizer's moments); every
// weights file stays for `inspect`.
#pragma once

#include <cstdint>
#include <string>

namespace ms {

class OptimizerSet;

struct TrainState {
  int64_t step = 0;         // steps completed
  double wall_s = 0;        // training seconds so far (pauses excluded)
  int64_t snapshots = 0;    // snapshots taken so far (metrics.kivi_every counts them)
  std::string data_rng;     // the batch sampler's std::mt19937_64 state (operator<< text)
  std::string config_json;  // the run's resolved config
  int world_size = 1;       // processes that trained it
};

std::string weights_path(const std::string& folder, int64_t step);      // FOLDER/step-N.safetensors
std::string train_state_path(const std::string& folder, int64_t step);  // FOLDER/state-N.pt

// The newest step with both a weights file and a state file in `folder`; -1 when there is none
// (no folder, or checkpoints written before resuming existed).
int64_t latest_resumable_step(const std::string& folder);

// Writes FOLDER/state-<s.step>.pt (to a temporary name, then renamed into place) and removes
// older state files. Throws CheckpointError naming the file.
void write_train_state(const std::string& folder, const TrainState& s, const OptimizerSet& opt);

// Reads a state file into `opt` (built from the same config) and returns the loop's state.
// Throws CheckpointError naming the file (missing, not a state file, damaged, or an optimizer
// state that does not fit).
TrainState read_train_state(const std::string& path, OptimizerSet& opt);

}  // namespace ms
