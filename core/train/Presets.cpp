// Named presets: complete RunConfigs that differ from the defaults (= `quick`) in a few keys.
// `quick` is the embedded default: a tiny GPT on the generated tail-QA data that trains in
// about 1.5 to 2 minutes on 2 CPU cores (bench/README.md), Muon on the hidden matrices, AdamW on
// the rest.
#include "train/RunConfig.h"

namespace ms {

const std::vector<PresetInfo>& presets() {
  static const std::vector<PresetInfo> p = {
      {"quick",
       "small GPT (4 layers x 128, 4 heads, seq 64) on tail-QA, Muon on hidden matrices, AdamW "
       "rest; ~1.5-2 min on 2 cores"},
      {"muon", "quick, Muon on all hidden matrices (Q,K,V,O,FFN), AdamW on embed/head/norms"},
      {"adamw", "quick, AdamW on everything"},
      {"muon-qknorm", "muon with QK-norm (RMSNorm on q and k per head)"},
      {"adamw-qknorm", "adamw with QK-norm"},
      {"muon-vo-ffn", "hybrid: Muon on V,O,FFN, AdamW on Q,K and the rest"},
      {"muon-qk", "hybrid: Muon on Q,K only, AdamW on V,O,FFN and the rest"},
      {"sgd", "SGD with momentum 0.9 on everything (tail-learning baseline)"},
      {"gpt2-small",
       "GPT-2 small shape (12x768, 12 heads, seq 1024, batch 16, vocab 50304) for GPU benchmarks"},
  };
  return p;
}

RunConfig preset(const std::string& name) {
  RunConfig c;
  c.preset = name;
  c.name = name;
  if (name == "quick" || name == "muon") {
  } else if (name == "adamw") {
    c.optim.muon.clear();
  } else if (name == "muon-qknorm") {
    c.model.qk_norm = true;
  } else if (name == "adamw-qknorm") {
    c.optim.muon.clear();
    c.model.qk_norm = true;
  } else if (name == "muon-vo-ffn") {
    c.optim.muon = {"attn.v", "attn.o", "mlp.in", "mlp.gate", "mlp.out"};
  } else if (name == "muon-qk") {
    c.optim.muon = {"attn.q", "attn.k"};
  } else if (name == "sgd") {
    c.optim.muon.clear();
    c.optim.base = "sgd";
    c.optim.lr_adamw = 0.1;
  } else if (name == "gpt2-small") {
    c.model.layers = 12;
    c.model.d_model = 768;
    c.model.heads = 12;
    c.model.seq_len = 1024;
    c.model.vocab_size = 50304;
    c.train.batch_size = 16;
    c.optim.lr_adamw = 6e-4;
    c.metrics.every = 1000;
  } else {
    std::string names;
    for (const auto& p : presets()) names += (names.empty() ? "" : ", ") + p.name;
    throw ConfigError("unknown preset '" + name + "' (available: " + names + ")");
  }
  return c;
}

}  // namespace ms
