// The study definitions. Every member starts from the same base (architecture, data, seed,
// steps) and changes only the optimizer routing or QK-norm, so differences are the optimizer's.
#include "train/Studies.h"

#include <nlohmann/json.hpp>

namespace ms {
namespace {

// The shared base of a study at a scale.
RunConfig study_base(const std::string& scale) {
  RunConfig c = preset("quick");
  if (scale == "cpu") return c;
  if (scale == "gpu") {
    c.model.layers = 8;
    c.model.d_model = 512;
    c.model.heads = 8;
    c.model.seq_len = 256;
    c.train.batch_size = 32;
    c.train.steps = 5000;
    c.train.val_every = 250;
    c.metrics.every = 250;
    c.data.tailqa_groups = 12;
    c.device = "cuda";
    return c;
  }
  throw ConfigError("study scale '" + scale + "' is unknown (use cpu or gpu)");
}

StudyMember member(const RunConfig& base, const std::string& label, const std::string& file,
                   const std::vector<std::string>& muon_roles, bool qk_norm = false,
                   const std::string& base_opt = "adamw") {
  StudyMember m{label, file, base, label, base.train.seed};
  m.config.optim.muon = muon_roles;
  m.config.model.qk_norm = qk_norm;
  m.config.optim.base = base_opt;
  if (base_opt == "sgd") m.config.optim.lr_adamw = 0.1;
  m.config.name = file.substr(0, file.rfind('.'));
  m.config.preset.clear();
  return m;
}

const std::vector<std::string> kAll = {"attn.q", "attn.k",   "attn.v", "attn.o",
                                       "mlp.in", "mlp.gate", "mlp.out"};
const std::vector<std::string> kFFN = {"mlp.in", "mlp.gate", "mlp.out"};

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<StudyInfo>& studies() {
  static const std::vector<StudyInfo> s = {
      {"kv-asymmetry",
       "AdamW vs Muon, same architecture and data: K/V channel vs token spikiness, stable rank, "
       "update alignment, KIVI loss",
       "Muon: less channel-concentrated K/V (asymmetry K 1.157 / V 1.704 vs AdamW 1.236 / 2.072), "
       "higher stable rank"},
      {"qk-norm",
       "Muon with and without QK-norm, and AdamW with QK-norm: participation ratio per layer and "
       "head over training",
       "QK-norm: lower loss early but lower participation ratio; some layers collapse"},
      {"ablation",
       "Muon on one component or combination, AdamW on the rest, plus all-AdamW and full Muon "
       "(--set model.ffn=swiglu for the gated FFN)",
       "Muon on VO+FFN nearly recovers full Muon; Muon on QK alone helps little (160M: all-Adam "
       "3.9242, VO+FFN 3.5858, full 3.5654, QK 3.8925)"},
      {"tail-qa",
       "Muon vs AdamW vs SGD-momentum and two hybrids on the tail-QA data: first-token accuracy "
       "per frequency group",
       "Muon learns tail (rare) facts much better; Muon on VO+FFN carries most of the gain"},
  };
  return s;
}

std::vector<StudyMember> study_members(const std::string& name, const std::string& scale,
                                       const std::vector<std::string>& settings, int seeds) {
  if (seeds < 1 || seeds > 32)
    throw ConfigError("study seeds = " + std::to_string(seeds) + ": must be in 1..32");
  RunConfig base = study_base(scale);
  for (const auto& kv : settings) apply_setting(base, kv);
  const bool gated = base.model.ffn == "swiglu";
  std::vector<StudyMember> m;
  if (name == "kv-asymmetry") {
    m.push_back(member(base, "AdamW", "adamw.h5", {}));
    m.push_back(member(base, "Muon", "muon.h5", kAll));
  } else if (name == "qk-norm") {
    m.push_back(member(base, "Muon", "muon.h5", kAll, false));
    m.push_back(member(base, "Muon + QK-norm", "muon-qknorm.h5", kAll, true));
    m.push_back(member(base, "AdamW + QK-norm", "adamw-qknorm.h5", {}, true));
  } else if (name == "ablation") {
    m.push_back(member(base, "AdamW (all)", "adamw.h5", {}));
    m.push_back(member(base, "Muon (all)", "muon.h5", kAll));
    m.push_back(member(base, "Muon (QK)", "muon-qk.h5", {"attn.q", "attn.k"}));
    m.push_back(member(base, "Muon (VO)", "muon-vo.h5", {"attn.v", "attn.o"}));
    m.push_back(member(base, "Muon (V)", "muon-v.h5", {"attn.v"}));
    m.push_back(member(base, "Muon (O)", "muon-o.h5", {"attn.o"}));
    m.push_back(member(base, "Muon (W_in)", "muon-win.h5", {"mlp.in"}));
    if (gated) m.push_back(member(base, "Muon (W_gate)", "muon-wgate.h5", {"mlp.gate"}));
    m.push_back(member(base, "Muon (W_out)", "muon-wout.h5", {"mlp.out"}));
    m.push_back(member(base, "Muon (VO+FFN)", "muon-vo-ffn.h5", cat({"attn.v", "attn.o"}, kFFN)));
    m.push_back(member(base, "Muon (VO+W_in)", "muon-vo-win.h5", {"attn.v", "attn.o", "mlp.in"}));
    m.push_back(
        member(base, "Muon (VO+W_out)", "muon-vo-wout.h5", {"attn.v", "attn.o", "mlp.out"}));
    m.push_back(member(base, "Muon (V+FFN)", "muon-v-ffn.h5", cat({"attn.v"}, kFFN)));
    m.push_back(member(base, "Muon (O+FFN)", "muon-o-ffn.h5", cat({"attn.o"}, kFFN)));
  } else if (name == "tail-qa") {
    // More individuals than the default so the tail (seen once or twice) is hard to memorize.
    if (scale == "cpu") {
      base.data.tailqa_groups = 8;
      base.train.steps = 600;
    }
    // The paper's setup (DESIGN.md section 5): Nesterov off, Adam betas (0.8, 0.95), weight
    // decay off; embeddings and head are always on Adam. Set before the user's settings.
    base.optim.nesterov = false;
    base.optim.beta1 = 0.8;
    base.optim.beta2 = 0.95;
    base.optim.wd_adamw = 0.0;
    base.optim.wd_muon = 0.0;
    for (const auto& kv : settings) apply_setting(base, kv);  // the user's settings still win
    if (base.data.source != "tailqa")
      throw ConfigError("study 'tail-qa' needs data.source = tailqa, got '" + base.data.source +
                        "'");
    m.push_back(member(base, "Muon", "muon.h5", kAll));
    m.push_back(member(base, "AdamW", "adamw.h5", {}));
    m.push_back(member(base, "SGD-momentum", "sgd.h5", {}, false, "sgd"));
    m.push_back(member(base, "Muon (VO+FFN) & AdamW (QK)", "muon-vo-ffn.h5",
                       cat({"attn.v", "attn.o"}, kFFN)));
    m.push_back(member(base, "Muon (QK) & AdamW (VO+FFN)", "muon-qk.h5", {"attn.q", "attn.k"}));
  } else {
    std::string names;
    for (const auto& s : studies()) names += (names.empty() ? "" : ", ") + s.name;
    throw ConfigError("unknown study '" + name + "' (available: " + names + ", assoc-memory)");
  }
  if (seeds > 1) {
    std::vector<StudyMember> seeded;
    for (const auto& x : m) {
      const uint64_t s0 = x.config.train.seed;
      for (int k = 0; k < seeds; ++k) {
        StudyMember y = x;
        y.seed = s0 + static_cast<uint64_t>(k);
        y.config.train.seed = y.seed;
        if (y.config.data.seed == 0) y.config.data.seed = s0;
        if (y.config.metrics.probe_seed == 0) y.config.metrics.probe_seed = s0;
        const std::string stem = x.file.substr(0, x.file.rfind('.'));
        y.file = stem + "-seed" + std::to_string(y.seed) + ".h5";
        y.label = x.label + " \xC2\xB7 seed " + std::to_string(y.seed);
        y.config.name = stem + "-seed" + std::to_string(y.seed);
        seeded.push_back(std::move(y));
      }
    }
    m = std::move(seeded);
  }
  for (auto& x : m) validate(x.config);
  return m;
}

std::string study_index_to_json(const StudyIndex& idx) {
  nlohmann::json j;
  j["format"] = "muonscope-study";
  j["version"] = 1;
  j["study"] = idx.study;
  j["description"] = idx.description;
  j["scale"] = idx.scale;
  j["created"] = idx.created;
  j["members"] = nlohmann::json::array();
  for (const auto& e : idx.members)
    j["members"].push_back({{"label", e.label},
                            {"file", e.file},
                            {"status", e.status},
                            {"summary", e.summary},
                            {"group", e.group.empty() ? e.label : e.group},
                            {"seed", e.seed}});
  return j.dump(2);
}

StudyIndex study_index_from_json(const std::string& text) {
  StudyIndex idx;
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "muonscope-study")
      throw ConfigError("not a muonscope study index (format is '" + j.value("format", "") + "')");
    idx.study = j.at("study").get<std::string>();
    idx.description = j.value("description", "");
    idx.scale = j.value("scale", "");
    idx.created = j.value("created", "");
    for (const auto& e : j.at("members")) {
      StudyIndex::Entry x{e.at("label").get<std::string>(),
                          e.at("file").get<std::string>(),
                          e.value("status", ""),
                          e.value("summary", ""),
                          "",
                          0};
      x.group = e.value("group", x.label);
      x.seed = e.value("seed", uint64_t{0});
      idx.members.push_back(std::move(x));
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("study index is malformed: ") + e.what());
  }
  return idx;
}

}  // namespace ms
