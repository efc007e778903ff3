// CheckpointWriter: the family table of ModelFamilies.cpp run backwards (fused QKV slices
// concatenated, Conv1D layouts transposed), written with the safetensors writer.
#include "ckpt/CheckpointWriter.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "ckpt/ModelFamilies.h"
#include "ckpt/Safetensors.h"

namespace ms {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool llama_compatible(const ModelConfig& m) {
  return m.norm == "rmsnorm" && m.pos == "rope" && m.ffn == "swiglu" && !m.qk_norm &&
         m.attn_bias != "qkv" && (m.attn_bias == "all") == m.mlp_bias;
}
bool gpt2_compatible(const ModelConfig& m) {
  return m.norm == "layernorm" && m.norm_bias && m.pos == "learned" && m.ffn == "gelu_tanh" &&
         !m.qk_norm && m.attn_bias == "all" && m.mlp_bias && m.tie_embeddings &&
         m.kv_head_count() == m.heads;
}

json config_for(const RunConfig& cfg) {
  const ModelConfig& m = cfg.model;
  json c;
  const std::string naming = checkpoint_naming(m);
  if (naming == "llama" && llama_compatible(m)) {
    c = {{"model_type", "llama"},
         {"architectures", {"LlamaForCausalLM"}},
         {"hidden_size", m.d_model},
         {"intermediate_size", m.ffn_hidden()},
         {"num_hidden_layers", m.layers},
         {"num_attention_heads", m.heads},
         {"num_key_value_heads", m.kv_head_count()},
         {"vocab_size", m.vocab_size},
         {"max_position_embeddings", m.seq_len},
         {"rms_norm_eps", m.norm_eps > 0 ? m.norm_eps : 1e-6},
         {"rope_theta", m.rope_theta},
         {"hidden_act", "silu"},
         {"attention_bias", m.attn_bias == "all"},
         {"mlp_bias", m.mlp_bias},
         {"tie_word_embeddings", m.tie_embeddings},
         {"torch_dtype", "float32"}};
  } else if (naming == "gpt2" && gpt2_compatible(m)) {
    c = {{"model_type", "gpt2"},
         {"architectures", {"GPT2LMHeadModel"}},
         {"n_embd", m.d_model},
         {"n_layer", m.layers},
         {"n_head", m.heads},
         {"n_positions", m.seq_len},
         {"n_ctx", m.seq_len},
         {"n_inner", m.ffn_hidden()},
         {"vocab_size", m.vocab_size},
         {"layer_norm_epsilon", m.norm_eps > 0 ? m.norm_eps : 1e-5},
         {"activation_function", "gelu_new"},
         {"tie_word_embeddings", true},
         {"torch_dtype", "float32"}};
  } else {
    c = {{"model_type", "muonscope-gpt"}};
  }
  c["muonscope_naming"] = naming;
  c["muonscope_config"] = json::parse(config_to_json(cfg));
  return c;
}

}  // namespace

std::string checkpoint_naming(const ModelConfig& m) {
  return m.pos == "learned" ? "gpt2" : "llama";
}

std::string write_checkpoint(const GPTImpl& model, const RunConfig& cfg, int64_t step,
                             const std::string& folder) {
  torch::NoGradGuard ng;
  const ModelConfig& m = model.config();
  const std::string naming = checkpoint_naming(m);
  if (naming == "gpt2" && m.kv_head_count() != m.heads)
    throw CheckpointError(folder +
                          ": GPT-2 naming (learned positions) has a fused QKV that "
                          "cannot hold grouped-query K/V heads");
  std::map<std::string, torch::Tensor> params;
  for (const NamedParam& p : model.named_params())
    params[p.name] = p.param.detach().to(torch::kCPU, torch::kFloat);
  // theirs -> (parts in order, transpose)
  std::map<std::string, std::pair<std::map<int, torch::Tensor>, bool>> out;
  for (const TensorSource& s : tensor_sources(naming, m, "")) {
    auto& slot = out[s.theirs];
    slot.first[s.part] = params.at(s.ours);
    slot.second = s.transpose;
  }
  std::vector<SafetensorsTensor> tensors;
  for (auto& [name, slot] : out) {
    std::vector<torch::Tensor> parts;
    for (auto& [part, t] : slot.first) parts.push_back(t);
    torch::Tensor t = parts.size() == 1 ? parts[0] : torch::cat(parts, 0);  // (3 out, in) fused
    if (slot.second) t = t.t();                                             // Conv1D (in, out)
    t = t.contiguous();
    SafetensorsTensor st;
    st.name = name;
    st.shape = t.sizes().vec();
    st.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    tensors.push_back(std::move(st));
  }
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw CheckpointError(folder + ": cannot create the checkpoint folder: " + ec.message());
  const std::string cfg_path = (fs::path(folder) / "config.json").string();
  const std::string cfg_text = config_for(cfg).dump(2) + "\n";
  std::string old;
  if (std::ifstream in(cfg_path); in) old.assign(std::istreambuf_iterator<char>(in), {});
  if (old != cfg_text) {
    std::ofstream o(cfg_path, std::ios::trunc);
    o << cfg_text;
    if (!o) throw CheckpointError(cfg_path + ": cannot write");
  }
  const std::string path =
      (fs::path(folder) / ("step-" + std::to_string(step) + ".safetensors")).string();
  write_safetensors(path, tensors, {{"step", std::to_string(step)}, {"format", "pt"}});
  return path;
}

}  // namespace ms
