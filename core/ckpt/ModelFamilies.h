// ModelFamilies: how a checkpoint of each supported family maps onto Muonscope's one GPT
// (model/GPT.h): its model options from the family's config (Hugging Face config.json, nanoGPT's
// model_args) and one table per family from the GPT's parameter names to the checkpoint's tensor
// names, with the layout change each needs. Torch-free: the loader (CheckpointLoader.cpp)
// applies the table. Families:
//   gpt2     Hugging Face GPT-2 (model_type gpt2): transformer.h.N.attn.c_attn fused QKV in
//            Conv1D (in, out) layout, biases, ln_1/ln_2/ln_f, wte, wpe, tied head
//   nanogpt  nanoGPT's ckpt.pt: GPT-2 names in nn.Linear (out, in) layout, bias optional,
//            exact GELU, head tied
//   llama    Llama-family (model_type llama, mistral, qwen2):
//   model.layers.N.self_attn.{q,k,v,o}_proj,
//            mlp.{gate,up,down}_proj, RMSNorm, RoPE (rope_theta), GQA, optional q/k/v (and o)
//            biases, tied or separate lm_head
// Muonscope's own checkpoints (CheckpointWriter.h) use the gpt2 or llama names (with
// q_norm / k_norm for QK-norm and no gate_proj for a GELU MLP) and carry their run config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/RunConfig.h"

namespace ms {

// One GPT parameter and where it comes from.
struct TensorSource {
  std::string ours;        // GPT parameter name, e.g. "blocks.0.attn.q.weight"
  std::string theirs;      // checkpoint tensor name, e.g. "h.0.attn.c_attn.weight"
  bool transpose = false;  // stored (in, out): Conv1D
  int part = -1;           // fused QKV: take part 0/1/2 of 3 equal slices along the output dim
};

// The family of a Hugging Face config.json model_type; throws CheckpointError naming the file
// for a type Muonscope does not know.
std::string family_of_model_type(const std::string& model_type, const std::string& config_file);

// Model options from a config (JSON text). family gpt2 / llama: config.json; nanogpt:
// model_args as JSON. seq_len is the model's context, capped at
// max_seq (RoPE models need tables only as long as the probe; learned positions keep all rows).
// Throws CheckpointError naming the file and the key.
ModelConfig model_config_for(const std::string& family, const std::string& config_json,
                             const std::string& config_file, int max_seq);

// The mapping table for a family and resolved options. `prefix` is prepended to every source
// name (e.g. "transformer." or "_orig_mod.transformer."), found by the loader.
std::vector<TensorSource> tensor_sources(const std::string& family, const ModelConfig& m,
                                         const std::string& prefix);

// Tensors a family's checkpoints carry that are not weights (attention masks, rotary caches):
// never reported as unused.
bool ignorable_tensor(const std::string& family, const std::string& name);

}  // namespace ms
