// RunConfig <-> JSON, `--set key=value`, and validation. Every field is described once in a
// table of dotted keys (fields()), so parsing, printing, listing and setting cannot drift apart.
#include "train/RunConfig.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ms {
namespace {

using json = nlohmann::json;

struct Field {
  std::string key;
  std::function<json(const RunConfig&)> get;
  std::function<void(RunConfig&, const json&)> set;
};

std::string show(const json& v) {
  return v.dump();
}

template <typename T>
T as(const std::string& key, const json& v) {
  try {
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) throw std::runtime_error("");
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer() &&
          !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
        throw std::runtime_error("");
      if constexpr (std::is_unsigned_v<T>) {
        if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
          throw std::runtime_error("");
      }
      return static_cast<T>(v.is_number_float() ? static_cast<int64_t>(v.get<double>())
                                                : v.get<int64_t>());
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) throw std::runtime_error("");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) throw std::runtime_error("");
    }
    return v.get<T>();
  } catch (const std::exception&) {
    const char* want = std::is_same_v<T, bool>       ? "true or false"
                       : std::is_integral_v<T>       ? "an integer"
                       : std::is_floating_point_v<T> ? "a number"
                                                     : "a string";
    throw ConfigError("config key '" + key + "': expected " + want + ", got " + show(v));
  }
}

// Short names accepted in optim.muon lists and shortcuts for common groups.
std::vector<std::string> expand_role(const std::string& raw) {
  std::string r = raw;
  std::transform(r.begin(), r.end(), r.begin(), ::tolower);
  if (r == "all" || r == "hidden") return block_matrix_roles();
  if (r == "none" || r.empty()) return {};
  if (r == "q") return {"attn.q"};
  if (r == "k") return {"attn.k"};
  if (r == "v") return {"attn.v"};
  if (r == "o") return {"attn.o"};
  if (r == "qk") return {"attn.q", "attn.k"};
  if (r == "vo") return {"attn.v", "attn.o"};
  if (r == "attn") return {"attn.q", "attn.k", "attn.v", "attn.o"};
  if (r == "in" || r == "w_in") return {"mlp.in"};
  if (r == "gate" || r == "w_gate") return {"mlp.gate"};
  if (r == "out" || r == "w_out") return {"mlp.out"};
  if (r == "ffn" || r == "mlp") return {"mlp.in", "mlp.gate", "mlp.out"};
  const auto& roles = block_matrix_roles();
  if (std::find(roles.begin(), roles.end(), r) != roles.end()) return {r};
  throw ConfigError("config key 'optim.muon': unknown role '" + raw +
                    "' (use attn.q attn.k attn.v attn.o mlp.in mlp.gate mlp.out, or q k v o in "
                    "gate out qk vo ffn attn all none)");
}

std::vector<std::string> parse_roles(const json& v) {
  std::vector<std::string> items;
  if (v.is_string()) {
    std::stringstream ss(v.get<std::string>());
    std::string tok;
    while (std::getline(ss, tok, ',')) {
      std::stringstream ps(tok);
      std::string part;
      while (std::getline(ps, part, '+')) {
        part.erase(0, part.find_first_not_of(" \t"));
        part.erase(part.find_last_not_of(" \t") + 1);
        if (!part.empty()) items.push_back(part);
      }
    }
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_string())
        throw ConfigError("config key 'optim.muon': expected role names, got " + show(v));
      items.push_back(e.get<std::string>());
    }
  } else {
    throw ConfigError("config key 'optim.muon': expected a list of roles, got " + show(v));
  }
  std::set<std::string> chosen;
  for (const auto& it : items)
    for (const auto& r : expand_role(it)) chosen.insert(r);
  std::vector<std::string> out;  // canonical order
  for (const auto& r : block_matrix_roles())
    if (chosen.count(r)) out.push_back(r);
  return out;
}

#define MS_FIELD(KEY, MEMBER)                                                          \
  Field {                                                                              \
    KEY, [](const RunConfig& c) { return json(c.MEMBER); },                            \
        [](RunConfig& c, const json& v) { c.MEMBER = as<decltype(c.MEMBER)>(KEY, v); } \
  }

const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      MS_FIELD("name", name),
      MS_FIELD("preset", preset),
      MS_FIELD("device", device),
      MS_FIELD("model.vocab_size", model.vocab_size),
      MS_FIELD("model.seq_len", model.seq_len),
      MS_FIELD("model.layers", model.layers),
      MS_FIELD("model.heads", model.heads),
      MS_FIELD("model.kv_heads", model.kv_heads),
      MS_FIELD("model.d_model", model.d_model),
      MS_FIELD("model.ffn_mult", model.ffn_mult),
      MS_FIELD("model.ffn_width", model.ffn_width),
      MS_FIELD("model.ffn", model.ffn),
      MS_FIELD("model.norm", model.norm),
      MS_FIELD("model.norm_bias", model.norm_bias),
      MS_FIELD("model.norm_eps", model.norm_eps),
      MS_FIELD("model.attn_bias", model.attn_bias),
      MS_FIELD("model.mlp_bias", model.mlp_bias),
      MS_FIELD("model.qk_norm", model.qk_norm),
      MS_FIELD("model.pos", model.pos),
      MS_FIELD("model.rope_theta", model.rope_theta),
      MS_FIELD("model.tie_embeddings", model.tie_embeddings),
      MS_FIELD("model.init_std", model.init_std),
      Field{"optim.muon", [](const RunConfig& c) { return json(c.optim.muon); },
            [](RunConfig& c, const json& v) { c.optim.muon = parse_roles(v); }},
      MS_FIELD("optim.base", optim.base),
      MS_FIELD("optim.lr_adamw", optim.lr_adamw),
      MS_FIELD("optim.lr_muon", optim.lr_muon),
      MS_FIELD("optim.wd_adamw", optim.wd_adamw),
      MS_FIELD("optim.wd_muon", optim.wd_muon),
      MS_FIELD("optim.beta1", optim.beta1),
      MS_FIELD("optim.beta2", optim.beta2),
      MS_FIELD("optim.eps", optim.eps),
      MS_FIELD("optim.momentum", optim.momentum),
      MS_FIELD("optim.nesterov", optim.nesterov),
      MS_FIELD("optim.ns_steps", optim.ns_steps),
      MS_FIELD("optim.muon_scale", optim.muon_scale),
      MS_FIELD("optim.sgd_momentum", optim.sgd_momentum),
      MS_FIELD("optim.muon_clip", optim.muon_clip),
      MS_FIELD("optim.clip_tau", optim.clip_tau),
      MS_FIELD("optim.grad_clip", optim.grad_clip),
      MS_FIELD("optim.clip_muon", optim.clip_muon),
      MS_FIELD("optim.schedule", optim.schedule),
      MS_FIELD("optim.warmup_steps", optim.warmup_steps),
      MS_FIELD("optim.min_lr_frac", optim.min_lr_frac),
      MS_FIELD("optim.decay_frac", optim.decay_frac),
      MS_FIELD("train.steps", train.steps),
      MS_FIELD("train.batch_size", train.batch_size),
      MS_FIELD("train.seed", train.seed),
      MS_FIELD("train.val_every", train.val_every),
      MS_FIELD("train.checkpoint_every", train.checkpoint_every),
      MS_FIELD("train.val_batches", train.val_batches),
      MS_FIELD("train.threads", train.threads),
      MS_FIELD("train.backend", train.backend),
      MS_FIELD("data.source", data.source),
      MS_FIELD("data.path", data.path),
      MS_FIELD("data.val_path", data.val_path),
      MS_FIELD("data.val_fraction", data.val_fraction),
      MS_FIELD("data.tailqa_groups", data.tailqa_groups),
      MS_FIELD("data.tailqa_qa", data.tailqa_qa),
      MS_FIELD("data.tailqa_tokens", data.tailqa_tokens),
      MS_FIELD("data.seed", data.seed),
      MS_FIELD("metrics.every", metrics.every),
      MS_FIELD("metrics.probe_seed", metrics.probe_seed),
      MS_FIELD("metrics.probe_batch", metrics.probe_batch),
      MS_FIELD("metrics.collapse_frac", metrics.collapse_frac),
      MS_FIELD("metrics.kivi_every", metrics.kivi_every),
      MS_FIELD("metrics.kivi_group", metrics.kivi_group),
      MS_FIELD("metrics.kivi_batches", metrics.kivi_batches),
      MS_FIELD("metrics.fta", metrics.fta),
      MS_FIELD("metrics.fta_max_questions", metrics.fta_max_questions),
  };
  return f;
}
#undef MS_FIELD

const Field* find_field(const std::string& key) {
  for (const auto& f : fields())
    if (f.key == key) return &f;
  return nullptr;
}

void flatten(const json& j, const std::string& prefix,
             std::vector<std::pair<std::string, json>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object())
      flatten(*it, key, out);
    else
      out.emplace_back(key, *it);
  }
}

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
  throw ConfigError("config key '" + key + "' = " + value + ": " + why);
}

void one_of(const std::string& key, const std::string& v, std::initializer_list<const char*> ok) {
  std::string list;
  for (const char* o : ok) {
    if (v == o) return;
    list += std::string(list.empty() ? "" : ", ") + o;
  }
  bad(key, "\"" + v + "\"", "must be one of " + list);
}

}  // namespace

std::string config_to_json(const RunConfig& c, int indent) {
  json j = json::object();
  for (const auto& f : fields())
    j[json::json_pointer("/" + [&] {
      std::string p = f.key;
      std::replace(p.begin(), p.end(), '.', '/');
      return p;
    }())] = f.get(c);
  return j.dump(indent);
}

RunConfig config_from_json(const std::string& text, const RunConfig* base) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(std::string("config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config must be a JSON object, got " + show(j));
  RunConfig c = base ? *base : RunConfig{};
  // A preset named in the document is the base the other keys modify.
  if (j.contains("preset") && j["preset"].is_string() && !j["preset"].get<std::string>().empty())
    c = preset(j["preset"].get<std::string>());
  std::vector<std::pair<std::string, json>> flat;
  flatten(j, "", flat);
  for (const auto& [key, value] : flat) {
    const Field* f = find_field(key);
    if (!f) throw ConfigError("unknown config key '" + key + "'");
    f->set(c, value);
  }
  return c;
}

void apply_setting(RunConfig& c, const std::string& kv) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("setting '" + kv + "' is not of the form key=value");
  const std::string key = kv.substr(0, eq), text = kv.substr(eq + 1);
  const Field* f = find_field(key);
  if (!f) throw ConfigError("unknown config key '" + key + "'");
  json v;
  try {
    v = json::parse(text);
  } catch (const json::parse_error&) {
    v = text;  // bare words are strings: data.source=text
  }
  // A string field given something that parsed as a number keeps its text (name=123).
  if (f->get(c).is_string() && !v.is_string()) v = text;
  f->set(c, v);
}

std::vector<std::pair<std::string, std::string>> config_keys(const RunConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : fields()) out.emplace_back(f.key, f.get(c).dump());
  return out;
}

std::vector<std::string> resume_config_differences(const RunConfig& stored, const RunConfig& now) {
  static const std::set<std::string> free_keys = {"train.threads", "train.checkpoint_every",
                                                  "train.backend"};
  std::vector<std::string> out;
  for (const auto& f : fields()) {
    if (free_keys.count(f.key)) continue;
    const std::string a = f.get(stored).dump(), b = f.get(now).dump();
    if (a != b) out.push_back(std::string(f.key) + ": " + a + " -> " + b);
  }
  return out;
}

void validate(const RunConfig& c) {
  auto pos_int = [](const char* key, int64_t v) {
    if (v <= 0) bad(key, std::to_string(v), "must be > 0");
  };
  auto pos_num = [](const char* key, double v) {
    if (!(v > 0) || !std::isfinite(v)) bad(key, std::to_string(v), "must be a finite number > 0");
  };
  auto in01 = [](const char* key, double v, bool closed_hi) {
    if (!(v >= 0) || (closed_hi ? v > 1 : v >= 1))
      bad(key, std::to_string(v), closed_hi ? "must be in [0, 1]" : "must be in [0, 1)");
  };
  one_of("device", c.device, {"auto", "cpu", "cuda"});
  one_of("train.backend", c.train.backend, {"auto", "gloo", "nccl"});
  const auto& m = c.model;
  if (m.vocab_size < 0)
    bad("model.vocab_size", std::to_string(m.vocab_size), "must be >= 0 (0 = from data)");
  pos_int("model.seq_len", m.seq_len);
  pos_int("model.layers", m.layers);
  pos_int("model.heads", m.heads);
  pos_int("model.d_model", m.d_model);
  pos_int("model.ffn_mult", m.ffn_mult);
  if (m.d_model % m.heads != 0)
    bad("model.heads", std::to_string(m.heads),
        "must divide model.d_model = " + std::to_string(m.d_model));
  if (m.pos == "rope" && m.head_dim() % 2 != 0)
    bad("model.d_model", std::to_string(m.d_model),
        "head_dim = d_model / heads = " + std::to_string(m.head_dim()) + " must be even for RoPE");
  if (m.kv_heads < 0 || (m.kv_heads > 0 && m.heads % m.kv_heads != 0))
    bad("model.kv_heads", std::to_string(m.kv_heads),
        "must be 0 (= heads) or divide model.heads = " + std::to_string(m.heads));
  if (m.ffn_width < 0) bad("model.ffn_width", std::to_string(m.ffn_width), "must be >= 0");
  one_of("model.ffn", m.ffn, {"gelu", "gelu_tanh", "swiglu"});
  one_of("model.norm", m.norm, {"rmsnorm", "layernorm"});
  if (!(m.norm_eps >= 0) || !std::isfinite(m.norm_eps))
    bad("model.norm_eps", std::to_string(m.norm_eps), "must be >= 0 (0 = the norm's default)");
  one_of("model.attn_bias", m.attn_bias, {"none", "qkv", "all"});
  one_of("model.pos", m.pos, {"rope", "learned"});
  pos_num("model.rope_theta", m.rope_theta);
  pos_num("model.init_std", m.init_std);
  const auto& o = c.optim;
  one_of("optim.base", o.base, {"adamw", "sgd"});
  pos_num("optim.lr_adamw", o.lr_adamw);
  pos_num("optim.lr_muon", o.lr_muon);
  if (o.wd_adamw < 0) bad("optim.wd_adamw", std::to_string(o.wd_adamw), "must be >= 0");
  if (o.wd_muon < 0) bad("optim.wd_muon", std::to_string(o.wd_muon), "must be >= 0");
  in01("optim.beta1", o.beta1, false);
  in01("optim.beta2", o.beta2, false);
  pos_num("optim.eps", o.eps);
  in01("optim.momentum", o.momentum, false);
  in01("optim.sgd_momentum", o.sgd_momentum, false);
  if (o.ns_steps < 1 || o.ns_steps > 20)
    bad("optim.ns_steps", std::to_string(o.ns_steps), "must be in 1..20");
  one_of("optim.muon_scale", o.muon_scale, {"original", "match_rms_adamw"});
  pos_num("optim.clip_tau", o.clip_tau);
  if (o.grad_clip < 0)
    bad("optim.grad_clip", std::to_string(o.grad_clip), "must be >= 0 (0 = off)");
  // QK-norm's per-head RMSNorm divides q and k by their own RMS, so MuonClip's scaling of the
  // W_q / W_k rows cancels in the logits: the same rows would shrink every step while the
  // logits stay. Refused rather than silently doing nothing (docs/metrics.md).
  if (o.muon_clip && m.qk_norm)
    throw ConfigError(
        "config key 'optim.muon_clip' = true: cannot be combined with 'model.qk_norm' = true: "
        "QK-norm rescales q and k per head, which undoes MuonClip's W_q/W_k row scaling (the "
        "logits would not change); turn one of them off");
  if (o.muon_clip && m.kv_head_count() != m.heads)
    throw ConfigError(
        "config key 'optim.muon_clip' = true: cannot be combined with 'model.kv_heads' = " +
        std::to_string(m.kv_heads) +
        ": with grouped-query attention one K head serves several Q heads, so "
        "QK-clip's per-head W_k scaling is not defined");
  one_of("optim.schedule", o.schedule, {"constant", "cosine", "wsd"});
  if (o.warmup_steps < 0) bad("optim.warmup_steps", std::to_string(o.warmup_steps), "must be >= 0");
  in01("optim.min_lr_frac", o.min_lr_frac, true);
  in01("optim.decay_frac", o.decay_frac, true);
  for (const auto& r : o.muon)
    if (r == "mlp.gate" && m.ffn != "swiglu") {
      // Harmless: a non-gated FFN has no W_gate. Accepted so "all" works for both FFN kinds.
    }
  const auto& t = c.train;
  pos_int("train.steps", t.steps);
  pos_int("train.batch_size", t.batch_size);
  pos_int("train.val_every", t.val_every);
  if (t.checkpoint_every < 0)
    bad("train.checkpoint_every", std::to_string(t.checkpoint_every), "must be >= 0 (0 = off)");
  if (t.checkpoint_every > 0 && m.pos == "learned" && m.kv_head_count() != m.heads)
    bad("train.checkpoint_every", std::to_string(t.checkpoint_every),
        "checkpoints of a model with learned positions use GPT-2 names, whose fused QKV cannot "
        "hold grouped-query K/V heads (model.kv_heads)");
  pos_int("train.val_batches", t.val_batches);
  if (t.threads < 0)
    bad("train.threads", std::to_string(t.threads), "must be >= 0 (0 = all cores)");
  const auto& d = c.data;
  one_of("data.source", d.source, {"tailqa", "text", "tokens"});
  if ((d.source == "text" || d.source == "tokens") && d.path.empty())
    bad("data.path", "\"\"", "data.source = " + d.source + " needs a file path");
  if (!(d.val_fraction > 0 && d.val_fraction < 1))
    bad("data.val_fraction", std::to_string(d.val_fraction), "must be in (0, 1)");
  if (d.tailqa_groups < 1 || d.tailqa_groups > 16)
    bad("data.tailqa_groups", std::to_string(d.tailqa_groups), "must be in 1..16");
  if (d.tailqa_qa < 1 || d.tailqa_qa > 6)
    bad("data.tailqa_qa", std::to_string(d.tailqa_qa), "must be in 1..6");
  one_of("data.tailqa_tokens", d.tailqa_tokens, {"word", "byte"});
  const auto& mc = c.metrics;
  pos_int("metrics.every", mc.every);
  pos_int("metrics.probe_batch", mc.probe_batch);
  in01("metrics.collapse_frac", mc.collapse_frac, true);
  if (mc.kivi_every < 0)
    bad("metrics.kivi_every", std::to_string(mc.kivi_every), "must be >= 0 (0 = off)");
  pos_int("metrics.kivi_group", mc.kivi_group);
  pos_int("metrics.kivi_batches", mc.kivi_batches);
  pos_int("metrics.fta_max_questions", mc.fta_max_questions);
}

std::string optimizer_summary(const RunConfig& c) {
  const auto& muon = c.optim.muon;
  auto on = [&](const char* r) { return std::find(muon.begin(), muon.end(), r) != muon.end(); };
  const bool gated = c.model.ffn == "swiglu";
  struct Item {
    const char* role;
    const char* label;
  };
  const Item items[] = {{"attn.q", "Q"},     {"attn.k", "K"},    {"attn.v", "V"},
                        {"attn.o", "O"},     {"mlp.in", "W_in"}, {"mlp.gate", "W_gate"},
                        {"mlp.out", "W_out"}};
  std::vector<std::string> a, b;  // Muon, base
  const bool ffn_all_muon = on("mlp.in") && on("mlp.out") && (!gated || on("mlp.gate"));
  const bool ffn_all_base = !on("mlp.in") && !on("mlp.out") && (!gated || !on("mlp.gate"));
  for (const auto& it : items) {
    const std::string role = it.role;
    if (role == "mlp.gate" && !gated) continue;
    if (role.rfind("mlp.", 0) == 0 && (ffn_all_muon || ffn_all_base)) continue;
    (on(it.role) ? a : b).push_back(it.label);
  }
  if (ffn_all_muon) a.push_back("FFN");
  if (ffn_all_base) b.push_back("FFN");
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  const std::string base = c.optim.base == "sgd" ? "SGD" : "AdamW";
  if (a.empty()) return base + " (all)";
  if (b.empty()) return "Muon: all matrices · " + base + ": embed,head,norms";
  return "Muon: " + join(a) + " · " + base + ": " + join(b);
}

}  // namespace ms
