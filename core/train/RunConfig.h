// RunConfig: everything that defines a run, as plain structs with defaults, and its JSON form.
// JSON keys are the dotted names users type (`--set model.layers=4`). Parsing rejects unknown
// keys and invalid values with a ConfigError naming the key and the value. No torch, no Qt.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms {

// Thrown for any invalid configuration; what() names the key and the offending value.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The seven per-block matrix roles that can be routed to Muon.
inline const std::vector<std::string>& block_matrix_roles() {
  static const std::vector<std::string> r = {"attn.q", "attn.k",   "attn.v", "attn.o",
                                             "mlp.in", "mlp.gate", "mlp.out"};
  return r;
}

struct ModelConfig {
  int vocab_size = 0;            // 0 = take it from the data source
  int seq_len = 64;              // key model.seq_len
  int layers = 4;                // key model.layers
  int heads = 4;                 // key model.heads (query heads)
  int kv_heads = 0;              // K/V heads, 0 = heads; fewer = grouped-query attention
  int d_model = 128;             // key model.d_model (head_dim = d_model / heads)
  int ffn_mult = 4;              // hidden = ffn_mult * d_model (swiglu: 2/3 of that, rounded to 8)
  int ffn_width = 0;             // explicit FFN hidden width (checkpoints), 0 = the ffn_mult rule
  std::string ffn = "gelu";      // gelu (exact erf) | gelu_tanh (GPT-2's) | swiglu
  std::string norm = "rmsnorm";  // rmsnorm | layernorm
  bool norm_bias = true;         // LayerNorm has a bias (nanoGPT bias=False: no)
  double norm_eps = 0.0;         // 0 = 1e-6 for rmsnorm, 1e-5 for layernorm
  std::string attn_bias = "none";  // linear biases in attention: none | qkv | all (q, k, v, o)
  bool mlp_bias = false;           // linear biases in the FFN
  bool qk_norm = false;            // RMSNorm over head_dim on q and k, before RoPE
  std::string pos = "rope";        // rope | learned
  double rope_theta = 10000.0;     // RoPE base
  bool tie_embeddings = false;
  double init_std = 0.02;
  int head_dim() const { return heads > 0 ? d_model / heads : 0; }
  int kv_head_count() const { return kv_heads > 0 ? kv_heads : heads; }
  // W_in output width: ffn_width when set, else ffn_mult * d_model; SwiGLU keeps the parameter
  // count with 2/3 of that, rounded up to a multiple of 8.
  int ffn_hidden() const {
    if (ffn_width > 0) return ffn_width;
    const int h = ffn_mult * d_model;
    return ffn == "swiglu" ? ((2 * h / 3 + 7) / 8) * 8 : h;
  }
};

struct OptimConfig {
  std::vector<std::string> muon = {"attn.q", "attn.k",   "attn.v", "attn.o",
                                   "mlp.in", "mlp.gate", "mlp.out"};  // roles on Muon
  std::string base = "adamw";  // optimizer for everything not on Muon: adamw | sgd
  double lr_adamw = 3e-3;      // also the SGD lr when base = sgd
  double lr_muon = 0.02;
  double wd_adamw = 0.0;
  double wd_muon = 0.0;
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  double momentum = 0.95;  // Muon momentum
  bool nesterov = true;    // Muon Nesterov
  int ns_steps = 5;
  std::string muon_scale = "original";  // original | match_rms_adamw
  double sgd_momentum = 0.9;
  bool muon_clip = false;  // MuonClip / QK-clip after each step (refused with model.qk_norm)
  double clip_tau = 100.0;
  double grad_clip = 1.0;           // grad-norm clip of the base optimizer's params, 0 = off
  bool clip_muon = false;           // grad_clip also on Muon-routed matrices (muon.py: no)
  std::string schedule = "cosine";  // constant | cosine | wsd (after linear warmup)
  int warmup_steps = 20;
  double min_lr_frac = 0.1;  // cosine / wsd floor as a fraction of the peak lr
  double decay_frac = 0.2;   // wsd: share of steps in the final decay
};

struct TrainConfig {
  int64_t steps = 400;
  int batch_size = 16;
  uint64_t seed = 1337;
  int val_every = 50;  // validation loss cadence (and at the last step)
  int val_batches = 4;
  int threads = 0;           // intra-op threads, 0 = all cores
  int checkpoint_every = 0;  // write RUN.ckpt/step-N.safetensors every N steps (and last), 0 = off
  // Data-parallel runs (several processes, docs/scale.md): the c10d backend. auto = nccl on
  // CUDA, gloo on CPU.
  std::string backend = "auto";  // auto | gloo | nccl
};

struct DataConfig {
  std::string source = "tailqa";       // tailqa | text | tokens
  std::string path;                    // text: a file; tokens: a file, a directory or a glob
  std::string val_path;                // tokens: optional separate validation file(s)
  double val_fraction = 0.1;           // text/tokens without val_path: tail share held out
  int tailqa_groups = 6;               // m: groups g = 0..m
  int tailqa_qa = 3;                   // QA pairs per individual (attributes asked)
  std::string tailqa_tokens = "word";  // word | byte
  uint64_t seed = 0;                   // data generation seed, 0 = train.seed
};

struct MetricsConfig {
  int every = 50;               // snapshot cadence in steps (and at the last step)
  uint64_t probe_seed = 0;      // probe, KIVI and validation windows; 0 = train.seed
  int probe_batch = 8;          // sequences in the fixed probe batch
  double collapse_frac = 0.25;  // head collapsed when PR_sv(k) < collapse_frac * head_dim
  int kivi_every = 4;           // KIVI loss at every Nth snapshot (and the last), 0 = off
  int kivi_group = 32;
  int kivi_batches = 2;         // validation batches for KIVI
  bool fta = true;              // first-token accuracy on tailqa
  int fta_max_questions = 512;  // cap on evaluated questions per snapshot
};

struct RunConfig {
  std::string name;             // free label, e.g. "muon-qknorm"
  std::string preset;           // preset it was built from, if any
  std::string device = "auto";  // auto | cpu | cuda
  ModelConfig model;
  OptimConfig optim;
  TrainConfig train;
  DataConfig data;
  MetricsConfig metrics;
};

// JSON <-> config. from_json starts from `base` (defaults when null) or, when the document
// names a "preset", from that preset; so a partial document is fine. Throws ConfigError.
std::string config_to_json(const RunConfig& c, int indent = 2);
RunConfig config_from_json(const std::string& json_text, const RunConfig* base = nullptr);
// Apply `key=value` (dotted key; value parsed as JSON, else taken as a string;
// comma lists for optim.muon). Throws ConfigError for unknown keys or bad values.
void apply_setting(RunConfig& c, const std::string& key_equals_value);
// Checks every value (ranges, enums, heads | d_model, ...). Throws ConfigError.
void validate(const RunConfig& c);
// All dotted keys with their current values, in document order (for help and the GUI).
std::vector<std::pair<std::string, std::string>> config_keys(const RunConfig& c);
// Keys whose values differ between a run's stored config and the one a resume would use, as
// "key: stored -> now", in document order. Keys that do not change what is computed are left
// out (train.threads, train.checkpoint_every, train.backend). A resume refuses any difference.
std::vector<std::string> resume_config_differences(const RunConfig& stored, const RunConfig& now);
// Seed of the fixed measurement windows (probe batch, KIVI and validation batches):
// metrics.probe_seed, or train.seed when that is 0. Seeded study members share it.
inline uint64_t probe_seed(const RunConfig& c) {
  return c.metrics.probe_seed ? c.metrics.probe_seed : c.train.seed;
}
// "Muon: V,O,FFN · AdamW: Q,K" style summary of the optimizer routing.
std::string optimizer_summary(const RunConfig& c);

struct PresetInfo {
  std::string name;
  std::string description;
};
const std::vector<PresetInfo>& presets();
RunConfig preset(const std::string& name);  // throws ConfigError for an unknown name

}  // namespace ms
