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

// A streaming quantized K/V cache, as KIVI runs it (Liu et al. 2024, "KIVI: A Tuning-Free
// Asymmetric 2bit Quantization for KV Cache", sec. 3.3 and Alg. 1): when the query at position
// i attends, the cache holds tokens 0..i; the tokens of the completed groups of `group` tokens,
// j < c(i) = floor((i + 1) / G) * G, are quantized, the residual c(i) <= j <= i is kept in full
// precision. The same rule holds for K (post-RoPE) and V. A completed group's quantized values
// depend only on its own G tokens, so all positions run in one batched forward: attention for
// (i, j) reads the quantized K_j / V_j where j < c(i) and the full-precision ones otherwise
// (kv_quant_causal_attention). Causal by construction: every quantizer call sees single groups.
struct KvQuantization {
  int64_t group = 0;  // G >= 1 turns the quantized cache on; 0 = full-precision attention
  // Quantizer of completed groups: (N, H, G, hd) -> same shape, where each of the N = B * n
  // rows is one group of G consecutive tokens of one sequence (all heads). Unset = that cache
  // stays in full precision.
  std::function<torch::Tensor(const torch::Tensor&)> k, v;
  bool enabled() const { return group > 0 && (k || v); }
};

// Options of one forward pass. Everything off = plain training forward.
struct ForwardOptions {
  std::vector<LayerCapture>* capture = nullptr;  // fill q/k/v/head_out/max_logit per layer
  bool max_logit_only = false;  // with capture: fill only max_logit (cheap; for MuonClip)
  // KIVI-style streaming quantized cache. With capture, k/v hold the full-precision cache and
  // max_logit comes from the scores actually softmaxed (quantized keys where j < c(i)).
  KvQuantization kv_quant;
};

// Causal attention over a streaming quantized cache (KvQuantization): q, k, v (B, H, T, hd) in
// full precision -> (B, H, T, hd), scale 1/sqrt(hd), softmax in fp32 (fp64 for fp64 inputs);
//   s(i, j) = q_i . (j < c(i) ? Q_k(K)_j : K_j) / sqrt(hd),  P = softmax over j <= i,
//   out_i = sum_j P(i, j) (j < c(i) ? Q_v(V)_j : V_j).
// Throws std::invalid_argument when kq is not enabled or a quantizer changes the shape.
// scores_out as in manual_causal_attention: the scores before masking, (B, H, T, T).
torch::Tensor kv_quant_causal_attention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, const KvQuantization& kq,
                                        torch::Tensor* scores_out = nullptr);

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
