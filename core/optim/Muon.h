// Muon: MomentUm Orthogonalized by Newton-Schulz (Keller Jordan, 2024), written in the style of
// LibTorch's own optimizers (torch/optim/adamw.h), since LibTorch has none. The semantics are
// those of Keller Jordan's muon.py and torch.optim.Muon (PyTorch >= 2.9); see DESIGN.md
// section 3. Muon only takes 2-D (matrix) parameters; everything else goes to AdamW/SGD.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ms {

struct MuonOptions : public torch::optim::OptimizerCloneableOptions<MuonOptions> {
  MuonOptions(double lr = 0.02);  // NOLINT: implicit like torch::optim::AdamWOptions
  TORCH_ARG(double, lr) = 0.02;
  TORCH_ARG(double, momentum) = 0.95;
  TORCH_ARG(bool, nesterov) = true;
  // Decoupled: W *= 1 - lr * weight_decay (the unadjusted lr), before the update.
  TORCH_ARG(double, weight_decay) = 0.0;
  TORCH_ARG(int64_t, ns_steps) = 5;
  // lr adjustment per matrix (rows x cols):
  //   "original"        lr' = lr * sqrt(max(1, rows / cols))        (muon.py)
  //   "match_rms_adamw" lr' = lr * 0.2 * sqrt(max(rows, cols))      (Moonlight / torch.optim.Muon)
  TORCH_ARG(std::string, scale) = "original";

 public:
  double get_lr() const override;
  void set_lr(const double lr) override;
};

// Throws c10::Error naming the option when a hyperparameter is out of range.
void check_muon_options(const MuonOptions& o);

// lr' for a (rows x cols) matrix under `scale` (see MuonOptions::scale).
double muon_adjusted_lr(double lr, int64_t rows, int64_t cols, const std::string& scale);

// Quintic Newton-Schulz iteration that maps G to an approximately orthogonal matrix with the
// same singular vectors (singular values end up in about [0.68, 1.2], not exactly 1):
// X = G (bf16 on CUDA; fp32 on CPU, fp64 when G is fp64), transposed if rows > cols,
// X /= ||X||_F + 1e-7, then `steps` times A = X X^T, B = b A + c A A, X = a X + B X with
// (a, b, c) = (3.4445, -4.7750, 2.0315); transposed back. G is (r, c) or batched (N, r, c):
// each matrix of a batch is normalized by its own Frobenius norm and the whole batch goes
// through one bmm chain. Returns the result in G's dtype.
torch::Tensor newton_schulz5(const torch::Tensor& G, int steps = 5);

class Muon : public torch::optim::Optimizer {
 public:
  explicit Muon(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                MuonOptions defaults = {});
  explicit Muon(std::vector<torch::Tensor> params, MuonOptions defaults = {});

  // Per parameter W with gradient g (params without a gradient are skipped):
  //   buf = lerp(buf, g, 1 - mu); u = nesterov ? lerp(g, buf, mu) : buf; O = NS5(u)
  //   W *= 1 - lr * wd; W -= lr' * O
  // Parameters of one group with the same shape, dtype and device are orthogonalized together
  // as one batched Newton-Schulz.
  torch::Tensor step(LossClosure closure = nullptr) override;

  // The momentum buffers, for resuming a run (TrainState.h): "momentum_G_I" for parameter I of
  // group G (only those that have taken a step). load() expects the same groups and shapes
  // (the same config) and throws c10::Error naming the buffer otherwise.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // Momentum buffer of `p` (undefined before p's first step). For tests and diagnostics.
  torch::Tensor momentum_buffer(const torch::Tensor& p) const;

  // While on, step() keeps a copy of each parameter's Newton-Schulz input u (the direction
  // Muon was given, before orthogonalization); off (the default) frees them. For the update
  // metrics (SnapshotBuilder::set_muon_inputs), which need it at snapshot steps only.
  void record_inputs(bool on);
  // u of `p` from the last step() while recording (undefined otherwise).
  torch::Tensor last_input(const torch::Tensor& p) const;

  // Seconds spent in Newton-Schulz (stacking, the iterations, the cast back) over all step()s,
  // for the phase breakdown of bench_throughput. On CUDA the kernels are asynchronous: the
  // figure means something only with sync_timing(true), which synchronizes around each call.
  double newton_schulz_seconds() const { return ns_seconds_; }
  void sync_timing(bool on) { sync_timing_ = on; }

  // Data-parallel training (Trainer with a Comm): every rank holds the same gradients (already
  // averaged) and momentum, so the Newton-Schulz work is split instead of repeated, as
  // modded-nanogpt's distributed Muon does: matrix i of a step (in parameter order) is
  // orthogonalized by rank i % world, then the results are exchanged with one `sum` (an
  // all-reduce over ranks) of the zero-filled updates, which is exact since each entry has one
  // non-zero contributor. Every rank then applies every update. world = 1 (the default) turns
  // it off.
  void set_distributed(int rank, int world, std::function<void(torch::Tensor&)> sum);

 private:
  // Lazy momentum state keyed by the parameter's TensorImpl (LibTorch 1.13 keys its own state
  // by string, 2.x by pointer; this works with both).
  std::unordered_map<const c10::TensorImpl*, torch::Tensor> momentum_;
  bool record_inputs_ = false;
  std::unordered_map<const c10::TensorImpl*, torch::Tensor> inputs_;
  double ns_seconds_ = 0;
  bool sync_timing_ = false;
  int rank_ = 0, world_ = 1;
  std::function<void(torch::Tensor&)> sum_;
};

}  // namespace ms
