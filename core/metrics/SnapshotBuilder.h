// SnapshotBuilder: computes one Snapshot (train/Snapshot.h) of a model, every metric of
// ../shared/DESIGN.md section 4, on inputs fixed once per run: a probe batch and KIVI batches
// drawn from the VAL split with the builder's own generator (seeded from train.seed, so every
// run of a study sees the same windows) and a stratified set of held tail-QA questions for FTA.
// The Trainer calls before_step() before the optimizer step that precedes a snapshot (so the
// update dW of that step is known), then compute() after it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/GPT.h"
#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ms {

class DataSource;

class SnapshotBuilder {
 public:
  // Fixes the probe batch (metrics.probe_batch x model.seq_len), metrics.kivi_batches batches
  // of train.batch_size, and the FTA questions (when metrics.fta and the data has QA groups).
  // cfg.model.vocab_size must be resolved. Throws std::runtime_error when the validation split
  // is shorter than model.seq_len + 1 tokens or a metrics value is out of range.
  SnapshotBuilder(const RunConfig& cfg, const DataSource& data, torch::Device device);
  // A fixed probe given by the caller (checkpoint inspection): probe_x / probe_y (P, T) int64,
  // also the one KIVI batch; no FTA. Undefined tensors = weights only: compute() then leaves
  // every activation metric, the probe loss and KIVI empty (stored as NaN).
  SnapshotBuilder(const RunConfig& cfg, const torch::Tensor& probe_x, const torch::Tensor& probe_y,
                  torch::Device device);

  // Copies every block matrix, so that the next compute() knows the last update dW.
  void before_step(const GPTImpl& model);
  // After that step: the matrix each Muon-routed block matrix was given before Newton-Schulz,
  // [layer][role in block_matrix_roles()], undefined where the matrix is not on Muon. The next
  // compute() takes update_cosine on it instead of on dW (see Metrics.h update_cosine).
  void set_muon_inputs(std::vector<std::vector<torch::Tensor>> by_layer_role);

  // Every Snapshot field at optimizer step `step` (tokens = step * batch_size * seq_len; the
  // Trainer overwrites tokens and wall_s with its own counts). Runs under NoGradGuard in eval
  // mode (training mode restored), fp32. KIVI deltas only when with_kivi. update_alignment is
  // NaN unless before_step() was called since the previous compute(): update_cosine and
  // update_top_share.
  Snapshot compute(GPTImpl& model, int64_t step, bool with_kivi);

  // The layout snapshots will have (for RunInfo) and the fixed inputs (for tests / benches).
  const std::vector<std::string>& matrix_names() const { return names_; }
  std::vector<std::array<int, 2>> matrix_shapes() const;          // (rows, cols), parallel to names
  int fta_groups() const { return fta_groups_; }                  // 0 when FTA is off
  const torch::Tensor& probe_inputs() const { return probe_x_; }  // (P, T) int64
  const torch::Tensor& probe_targets() const { return probe_y_; }     // (P, T) int64
  const std::vector<int>& fta_questions() const { return fta_sel_; }  // indices into questions()
  // The KIVI validation batches: each {inputs, targets} (train.batch_size, T) int64.
  const std::vector<std::array<torch::Tensor, 2>>& kivi_inputs() const { return kivi_xy_; }

 private:
  // One padded batch of FTA prompts of similar length.
  struct FtaChunk {
    torch::Tensor idx;     // (Q, L) int64, right-padded with 0
    torch::Tensor pos;     // (Q) int64: index of the last prompt token
    torch::Tensor answer;  // (Q) int64: answer_first
    torch::Tensor group;   // (Q) int64
  };

  torch::Tensor matrix(const std::vector<torch::Tensor>& roles, const std::string& name) const;
  std::vector<torch::Tensor> block_roles(const GPTImpl& model, int layer) const;
  // Grouped-query attention: a (kv_heads * hd, d) K/V weight as the (heads * hd, d) one the
  // query heads see (each K/V head's rows repeated). Identity without GQA.
  torch::Tensor expand_kv(const torch::Tensor& w) const;
  void activations(GPTImpl& model, Snapshot& s) const;
  void spectra(GPTImpl& model, Snapshot& s) const;
  void head_spectra(const GPTImpl& model, Snapshot& s) const;
  void kivi(GPTImpl& model, Snapshot& s) const;
  void fta(GPTImpl& model, Snapshot& s) const;

  RunConfig cfg_;
  torch::Device device_;
  std::vector<std::string> names_;
  torch::Tensor probe_x_, probe_y_;                    // (P, T)
  std::vector<std::array<torch::Tensor, 2>> kivi_xy_;  // each (batch_size, T) inputs/targets
  int fta_groups_ = 0;
  std::vector<int> fta_sel_;
  std::vector<FtaChunk> fta_chunks_;
  std::vector<int64_t> fta_count_;                   // (groups): selected questions
  std::vector<std::vector<torch::Tensor>> prev_;     // [layer][role]: weights before the step
  std::vector<std::vector<torch::Tensor>> muon_in_;  // [layer][role]: Muon's NS5 input
};

}  // namespace ms
