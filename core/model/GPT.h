// GPT: a NanoGPT-style decoder-only transformer (../shared/DESIGN.md section 2) with separate
// Q, K, V, O matrices, RMSNorm or LayerNorm, optional QK-norm, RoPE or learned positions,
// GELU or SwiGLU FFN, and a capture mode that returns per-layer activations for the metrics.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "train/RunConfig.h"

namespace ms {

// A trainable parameter with its routing role.
struct NamedParam {
  std::string name;  // e.g. "blocks.0.attn.q.weight"
  std::string role;  // embed | head | norm | pos | attn.q | attn.k | attn.v | attn.o | mlp.in |
                     // mlp.gate | mlp.out
  int layer = -1;    // block index, -1 outside blocks
  torch::Tensor param;
};

// Per-layer activations of one forward pass (capture mode).
struct LayerCapture {
  torch::Tensor q;          // (B, H, T, hd) after QK-norm and RoPE
  torch::Tensor k_pre;      // (B, H, T, hd) after QK-norm, before RoPE
  torch::Tensor k;          // (B, H, T, hd) after RoPE (what attention sees / the K cache)
  torch::Tensor v;          // (B, H, T, hd)
  torch::Tensor head_out;   // (B, H, T, hd) attention output per head, before W_o
  torch::Tensor max_logit;  // (H) max over batch and causal (i >= j) pairs of q_i.k_j / sqrt(hd)
};

// Options of one forward pass. Everything off = plain training forward.
struct ForwardOptions {
  std::vector<LayerCapture>* capture = nullptr;  // fill q/k/v/head_out/max_logit per layer
  bool max_logit_only = false;  // with capture: fill only max_logit (cheap; for MuonClip)
  // KIVI: applied to K (post-RoPE) and V (B, H, T, hd) before attention when set.
  std::function<torch::Tensor(const torch::Tensor&)> k_transform, v_transform;
};

class GPTImpl : public torch::nn::Module {
 public:
  explicit GPTImpl(const ModelConfig& cfg);
  // idx (B, T) int64 -> logits (B, T, V).
  torch::Tensor forward(const torch::Tensor& idx, const ForwardOptions& opt = {});
  // Mean cross-entropy of next-token prediction: idx (B, T), targets (B, T).
  torch::Tensor loss(const torch::Tensor& idx, const torch::Tensor& targets,
                     const ForwardOptions& opt = {});
  std::vector<NamedParam> named_params() const;
  // The (out, in) weight of a block matrix: role in block_matrix_roles(). Undefined tensor for
  // mlp.gate when the FFN is not gated.
  torch::Tensor weight(int layer, const std::string& role) const;
  const ModelConfig& config() const { return cfg_; }
  int64_t num_params() const;

 private:
  ModelConfig cfg_;
  struct Impl;  // submodules (embedding, blocks, final norm, head) and RoPE tables; GPT.cpp
  std::shared_ptr<Impl> impl_;
};
TORCH_MODULE(GPT);

// Names of the matrices whose spectra the metrics report, in display order: the block roles
// present in this model ("mlp.gate" only for swiglu), then the per-layer composites "qk"
// (W_q^T W_k) and "vo" (W_o W_v).
std::vector<std::string> spectrum_matrix_names(const ModelConfig& cfg);

}  // namespace ms
