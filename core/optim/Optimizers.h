// Optimizer set of a run: Muon on the routed block matrices, the base optimizer (AdamW or SGD
// with momentum) on everything else, each with its own lr/wd, plus the lr schedule and
// MuonClip. The Trainer talks only to this header.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/GPT.h"
#include "train/RunConfig.h"

namespace ms {

class OptimizerSet {
 public:
  OptimizerSet(const std::vector<NamedParam>& params, const OptimConfig& cfg);
  ~OptimizerSet();
  void zero_grad();
  // Sets this step's lrs from the schedule (step is 0-based), then steps every optimizer.
  void step(int64_t step, int64_t total_steps);
  double lr_base(int64_t step, int64_t total_steps) const;
  double lr_muon(int64_t step, int64_t total_steps) const;  // NaN when nothing is on Muon
  bool has_muon() const;
  // Human-readable routing, e.g. "Muon: V,O,FFN · AdamW: Q,K,embed,head,norms".
  std::string summary() const;

  // Where each parameter went, in input order (a tensor listed twice, e.g. tied, counts once):
  // {name, "muon" | "adamw" | "sgd"}.
  const std::vector<std::pair<std::string, std::string>>& routing() const;
  // Every distinct parameter of the set (e.g. for the global grad norm the Trainer records).
  const std::vector<torch::Tensor>& parameters() const;
  // The distinct parameters of the base optimizer only (AdamW / SGD): what optim.grad_clip
  // clips unless optim.clip_muon (muon.py and torch.optim.Muon do not clip).
  const std::vector<torch::Tensor>& base_parameters() const;
  // Gradient clipping as the Trainer does it: returns the global L2 norm of every gradient
  // (before clipping); when max_norm > 0 rescales the base optimizer's gradients (all of them
  // when include_muon) so that their joint norm is at most max_norm (torch's
  // clip_grad_norm_). muon.py and torch.optim.Muon do not clip, hence include_muon = false by
  // default (config optim.clip_muon).
  double clip_gradients(double max_norm, bool include_muon = false);
  // Muon's Newton-Schulz inputs: record them during the next step()s (see Muon::record_inputs),
  // and read the one of a parameter (undefined when it is not on Muon or nothing was recorded).
  void record_muon_inputs(bool on);
  torch::Tensor muon_input(const torch::Tensor& param) const;
  // Every optimizer's state (AdamW moments and step counts, SGD and Muon momentum) as nested
  // archives "base" and "muon", for resuming a run (TrainState.h). load() expects a set built
  // from the same parameters and config.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);
  // The underlying optimizers (for tests and diagnostics): Muon (null when nothing is routed to
  // it) and the base AdamW / SGD (null when everything is on Muon). The base one has up to two
  // groups: matrices with weight decay, then 1-D params without.
  torch::optim::Optimizer* muon_optimizer() const;
  torch::optim::Optimizer* base_optimizer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Schedule multiplier in [0, 1] for 0-based `step` of `total` (linear warmup, then
// constant / cosine / wsd down to min_lr_frac).
double lr_multiplier(const OptimConfig& cfg, int64_t step, int64_t total);

// MuonClip / QK-clip (Kimi K2): for each layer and head h with max logit S_h > tau, scales
// that head's rows of W_q and W_k by sqrt(tau / S_h). max_logit[layer] is (H). Returns the
// number of heads clipped. Throws std::invalid_argument for a model with QK-norm (the norm
// undoes the row scaling; RunConfig's validate() refuses that combination).
int muon_clip(GPTImpl& model, const std::vector<torch::Tensor>& max_logit, double tau);

}  // namespace ms
