// ModelFamilies: config keys and tensor-name tables of the supported checkpoint families.
// Sources: Hugging Face transformers models/gpt2 (GPT2Config, GPT2Attention with Conv1D c_attn),
// models/llama (LlamaConfig, LlamaAttention, LlamaMLP), models/qwen2 (q/k/v bias), models/mistral;
// nanoGPT model.py (GPTConfig, state_dict names) and train.py (model_args).
#include "ckpt/ModelFamilies.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "ckpt/Safetensors.h"  // CheckpointError

namespace ms {
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError(file + ": " + what);
}

// Typed config lookups: a missing key takes `def` when given, else it is an error; a wrong type
// is always an error naming the key and the value.
struct Keys {
  const json& j;
  const std::string& file;
  int integer(const char* key, const int* def = nullptr) const {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (def) return *def;
      fail(file, std::string("config key '") + key + "' missing");
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > (1 << 30))
      fail(file,
           std::string("config key '") + key + "' = " + it->dump() + ": expected an integer >= 0");
    return it->get<int>();
  }
  double number(const char* key, double def) const {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_number() || !std::isfinite(it->get<double>()))
      fail(file, std::string("config key '") + key + "' = " + it->dump() + ": expected a number");
    return it->get<double>();
  }
  bool boolean(const char* key, bool def) const {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_boolean())
      fail(file,
           std::string("config key '") + key + "' = " + it->dump() + ": expected true or false");
    return it->get<bool>();
  }
  std::string string(const char* key, const std::string& def) const {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_string())
      fail(file, std::string("config key '") + key + "' = " + it->dump() + ": expected a string");
    return it->get<std::string>();
  }
};

void check_shape(const ModelConfig& m, const std::string& file) {
  if (m.layers <= 0 || m.heads <= 0 || m.d_model <= 0 || m.vocab_size <= 0)
    fail(file, "config gives layers = " + std::to_string(m.layers) + ", heads = " +
                   std::to_string(m.heads) + ", width = " + std::to_string(m.d_model) +
                   ", vocab = " + std::to_string(m.vocab_size) + ": all must be > 0");
  if (m.d_model % m.heads != 0)
    fail(file, "hidden width " + std::to_string(m.d_model) + " is not a multiple of the " +
                   std::to_string(m.heads) + " heads");
  if (m.kv_heads > 0 && m.heads % m.kv_heads != 0)
    fail(file, std::to_string(m.kv_heads) + " K/V heads do not divide the " +
                   std::to_string(m.heads) + " heads");
  if (m.pos == "rope" && m.head_dim() % 2 != 0)
    fail(file, "head_dim " + std::to_string(m.head_dim()) + " is odd: RoPE needs it even");
}

}  // namespace

std::string family_of_model_type(const std::string& t, const std::string& file) {
  if (t == "gpt2") return "gpt2";
  if (t == "llama" || t == "mistral" || t == "qwen2") return "llama";
  fail(file, "unknown model_type '" + t +
                 "' (Muonscope reads gpt2, llama, mistral, qwen2 and its own checkpoints)");
}

ModelConfig model_config_for(const std::string& family, const std::string& text,
                             const std::string& file, int max_seq) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail(file, std::string("config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(file, "config is not a JSON object");
  const Keys k{j, file};
  ModelConfig m;
  m.tie_embeddings = false;
  if (family == "gpt2") {
    m.d_model = k.integer("n_embd");
    m.layers = k.integer("n_layer");
    m.heads = k.integer("n_head");
    const int def_ctx = 1024;
    const int ctx = k.integer("n_ctx", &def_ctx);
    const int npos = k.integer("n_positions", &ctx);
    m.seq_len = npos;  // learned positions: the table holds n_positions rows
    m.vocab_size = k.integer("vocab_size");
    const int zero = 0;
    m.ffn_width = k.integer("n_inner", &zero);
    if (m.ffn_width == 0) m.ffn_width = 4 * m.d_model;
    m.norm = "layernorm";
    m.norm_eps = k.number("layer_norm_epsilon", 1e-5);
    const std::string act = k.string("activation_function", "gelu_new");
    if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast")
      m.ffn = "gelu_tanh";
    else if (act == "gelu")
      m.ffn = "gelu";
    else
      fail(file, "config key 'activation_function' = \"" + act +
                     "\": Muonscope supports gelu and gelu_new");
    if (k.boolean("scale_attn_by_inverse_layer_idx", false))
      fail(file, "config key 'scale_attn_by_inverse_layer_idx' = true is not supported");
    if (!k.boolean("scale_attn_weights", true))
      fail(file, "config key 'scale_attn_weights' = false is not supported");
    m.attn_bias = "all";
    m.mlp_bias = true;
    m.pos = "learned";
    m.tie_embeddings = k.boolean("tie_word_embeddings", true);
  } else if (family == "nanogpt") {
    m.d_model = k.integer("n_embd");
    m.layers = k.integer("n_layer");
    m.heads = k.integer("n_head");
    m.seq_len = k.integer("block_size");
    m.vocab_size = k.integer("vocab_size");
    m.ffn_width = 4 * m.d_model;
    m.norm = "layernorm";
    m.norm_eps = 1e-5;  // nn.LayerNorm's default, spelled out so labels compare like with like
    const bool bias = k.boolean("bias", true);
    m.norm_bias = bias;
    m.attn_bias = bias ? "all" : "none";
    m.mlp_bias = bias;
    m.ffn = "gelu";  // nn.GELU(): exact erf
    m.pos = "learned";
    m.tie_embeddings = true;
  } else if (family == "llama") {
    const std::string type = k.string("model_type", "llama");
    m.d_model = k.integer("hidden_size");
    m.layers = k.integer("num_hidden_layers");
    m.heads = k.integer("num_attention_heads");
    m.kv_heads = k.integer("num_key_value_heads", &m.heads);
    if (m.kv_heads == m.heads) m.kv_heads = 0;
    m.ffn_width = k.integer("intermediate_size");
    m.vocab_size = k.integer("vocab_size");
    const int def_pos = 2048;
    const int max_pos = k.integer("max_position_embeddings", &def_pos);
    m.seq_len = std::min(max_pos, max_seq);
    m.norm = "rmsnorm";
    m.norm_eps = k.number("rms_norm_eps", 1e-6);
    m.rope_theta = k.number("rope_theta", 10000.0);
    m.ffn = "swiglu";
    m.pos = "rope";
    m.tie_embeddings = k.boolean("tie_word_embeddings", false);
    const std::string act = k.string("hidden_act", "silu");
    if (act != "silu")
      fail(file,
           "config key 'hidden_act' = \"" + act + "\": the Llama family here uses silu (SwiGLU)");
    if (j.contains("head_dim") && !j["head_dim"].is_null() && m.heads > 0 &&
        k.integer("head_dim") != m.d_model / m.heads)
      fail(file, "config key 'head_dim' = " + j["head_dim"].dump() +
                     " differs from hidden_size / num_attention_heads = " +
                     std::to_string(m.d_model / m.heads) + ": not supported");
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
      fail(file, "config key 'rope_scaling' = " + j["rope_scaling"].dump() +
                     ": RoPE scaling is not supported yet (only plain RoPE with rope_theta)");
    if (type == "qwen2") {
      m.attn_bias = "qkv";  // Qwen2Attention: q/k/v with bias, o without
      if (k.boolean("use_sliding_window", false))
        fail(file, "config key 'use_sliding_window' = true is not supported");
    } else {
      m.attn_bias = k.boolean("attention_bias", false) ? "all" : "none";
      m.mlp_bias = k.boolean("mlp_bias", false);
    }
    if (type == "mistral") {
      const int none = 0;
      const int window = k.integer("sliding_window", &none);
      if (window > 0 && window < m.seq_len) m.seq_len = window;  // inside the window: exact
    }
  } else {
    fail(file, "unknown checkpoint family '" + family + "'");
  }
  check_shape(m, file);
  return m;
}

std::vector<TensorSource> tensor_sources(const std::string& family, const ModelConfig& m,
                                         const std::string& prefix) {
  std::vector<TensorSource> t;
  auto add = [&](const std::string& ours, const std::string& theirs, bool tr = false,
                 int part = -1) {
    t.push_back({ours, prefix + theirs, tr, part});
  };
  auto norm = [&](const std::string& ours, const std::string& theirs, bool bias) {
    add(ours + ".weight", theirs + ".weight");
    if (bias) add(ours + ".bias", theirs + ".bias");
  };
  if (family == "gpt2" || family == "nanogpt") {
    // GPT-2's Conv1D stores (in, out); nanoGPT's nn.Linear (out, in): transpose only for gpt2.
    const bool tr = family == "gpt2";
    const bool bias = m.attn_bias != "none", nbias = m.norm == "layernorm" && m.norm_bias;
    add("embed.weight", "wte.weight");
    add("pos.weight", "wpe.weight");
    for (int l = 0; l < m.layers; ++l) {
      const std::string o = "blocks." + std::to_string(l) + ".", h = "h." + std::to_string(l) + ".";
      norm(o + "norm1", h + "ln_1", nbias);
      const char* qkv[3] = {"q", "k", "v"};
      for (int p = 0; p < 3; ++p) {
        add(o + "attn." + qkv[p] + ".weight", h + "attn.c_attn.weight", tr, p);
        if (bias) add(o + "attn." + qkv[p] + ".bias", h + "attn.c_attn.bias", false, p);
      }
      add(o + "attn.o.weight", h + "attn.c_proj.weight", tr);
      if (m.attn_bias == "all") add(o + "attn.o.bias", h + "attn.c_proj.bias");
      if (m.qk_norm) {  // not in GPT-2; Muonscope's own checkpoints name them so
        add(o + "attn.q_norm.weight", h + "attn.q_norm.weight");
        add(o + "attn.k_norm.weight", h + "attn.k_norm.weight");
      }
      norm(o + "norm2", h + "ln_2", nbias);
      add(o + "mlp.in.weight", h + "mlp.c_fc.weight", tr);
      if (m.mlp_bias) add(o + "mlp.in.bias", h + "mlp.c_fc.bias");
      add(o + "mlp.out.weight", h + "mlp.c_proj.weight", tr);
      if (m.mlp_bias) add(o + "mlp.out.bias", h + "mlp.c_proj.bias");
    }
    norm("norm_f", "ln_f", nbias);
    if (!m.tie_embeddings) t.push_back({"head.weight", "lm_head.weight", false, -1});
  } else if (family == "llama") {
    add("embed.weight", "model.embed_tokens.weight");
    for (int l = 0; l < m.layers; ++l) {
      const std::string o = "blocks." + std::to_string(l) + ".",
                        h = "model.layers." + std::to_string(l) + ".";
      add(o + "norm1.weight", h + "input_layernorm.weight");
      const char* ours[4] = {"q", "k", "v", "o"};
      for (int p = 0; p < 4; ++p) {
        add(o + "attn." + ours[p] + ".weight", h + "self_attn." + ours[p] + "_proj.weight");
        const bool b = m.attn_bias == "all" || (m.attn_bias == "qkv" && p < 3);
        if (b) add(o + "attn." + ours[p] + ".bias", h + "self_attn." + ours[p] + "_proj.bias");
      }
      if (m.qk_norm) {  // Qwen3 / OLMo2 naming of a per-head RMSNorm on q and k
        add(o + "attn.q_norm.weight", h + "self_attn.q_norm.weight");
        add(o + "attn.k_norm.weight", h + "self_attn.k_norm.weight");
      }
      add(o + "norm2.weight", h + "post_attention_layernorm.weight");
      const std::pair<const char*, const char*> mlp[3] = {
          {"in", "up_proj"}, {"gate", "gate_proj"}, {"out", "down_proj"}};
      for (const auto& [ours_n, theirs_n] : mlp) {
        if (std::string(ours_n) == "gate" && m.ffn != "swiglu") continue;  // Muonscope's GELU MLP
        add(o + "mlp." + ours_n + ".weight", h + "mlp." + theirs_n + ".weight");
        if (m.mlp_bias) add(o + "mlp." + ours_n + ".bias", h + "mlp." + theirs_n + ".bias");
      }
    }
    add("norm_f.weight", "model.norm.weight");
    if (!m.tie_embeddings) add("head.weight", "lm_head.weight");
  }
  return t;
}

bool ignorable_tensor(const std::string& family, const std::string& name) {
  auto ends = [&](const std::string& s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (family == "gpt2" || family == "nanogpt")
    return ends(".attn.bias") || ends(".attn.masked_bias") || ends("lm_head.weight");
  if (family == "llama") return ends("rotary_emb.inv_freq") || ends("lm_head.weight");
  return false;
}

}  // namespace ms
