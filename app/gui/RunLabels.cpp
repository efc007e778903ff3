// RunLabels: legend names from differing configs, and loading the runs of a comparison (see
// RunLabels.h).
#include "RunLabels.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "RunFollower.h"
#include "RunModel.h"
#include "train/RunConfig.h"
#include "train/Studies.h"

namespace ms {

namespace {

using nlohmann::json;

void flatten(const json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    return;
  }
  std::string v;
  if (j.is_string()) {
    v = j.get<std::string>();
  } else if (j.is_array()) {
    for (const auto& e : j)
      v += (v.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
  } else {
    v = j.dump();
  }
  out->emplace_back(prefix, v);
}

bool bookkeeping(const std::string& key) {
  static const std::set<std::string> keys = {
      "name", "preset", "device", "train.threads", "train.val_every", "train.val_batches"};
  return keys.count(key) > 0 || key.rfind("metrics.", 0) == 0;
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Feature switches named in labels: key -> (name when true, name when false).
const std::map<std::string, std::pair<std::string, std::string>>& boolNames() {
  static const std::map<std::string, std::pair<std::string, std::string>> m = {
      {"model.qk_norm", {"QK-norm", "no QK-norm"}},
      {"optim.muon_clip", {"MuonClip", "no MuonClip"}},
      {"model.tie_embeddings", {"tied embeddings", "untied embeddings"}},
      {"optim.nesterov", {"Nesterov", "no Nesterov"}}};
  return m;
}

// Enumerated keys with display names for their values.
std::string enumName(const std::string& key, const std::string& v) {
  static const std::map<std::string, std::string> names = {
      {"model.ffn=swiglu", "SwiGLU"},
      {"model.ffn=gelu", "GELU"},
      {"model.norm=layernorm", "LayerNorm"},
      {"model.norm=rmsnorm", "RMSNorm"},
      {"model.pos=learned", "learned pos"},
      {"model.pos=rope", "RoPE"},
      {"optim.schedule=wsd", "WSD"},
      {"optim.schedule=cosine", "cosine"},
      {"optim.schedule=constant", "constant lr"},
      {"optim.muon_scale=match_rms_adamw", "match-RMS"},
      {"optim.muon_scale=original", "original scale"}};
  const auto it = names.find(key + "=" + v);
  return it == names.end() ? std::string() : it->second;
}

// Muon-only hyperparameters: meaningless for a run with nothing on Muon.
bool muonOnly(const std::string& key) {
  static const std::set<std::string> keys = {
      "optim.lr_muon",  "optim.wd_muon",    "optim.momentum",  "optim.nesterov",
      "optim.ns_steps", "optim.muon_scale", "optim.muon_clip", "optim.clip_tau"};
  return keys.count(key) > 0;
}

std::string lastSegment(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flatten_config_json(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) flatten(j, "", &out);
  return out;
}

std::vector<ConfigDifference> config_differences(const std::vector<std::string>& configs,
                                                 bool all_keys) {
  std::vector<std::string> order;
  std::vector<std::map<std::string, std::string>> maps;
  std::set<std::string> seen;
  for (const std::string& c : configs) {
    std::map<std::string, std::string> m;
    for (auto& [k, v] : flatten_config_json(c)) {
      if (seen.insert(k).second) order.push_back(k);
      m[k] = v;
    }
    maps.push_back(std::move(m));
  }
  std::vector<ConfigDifference> out;
  for (const std::string& k : order) {
    if (!all_keys && bookkeeping(k)) continue;
    ConfigDifference d{k, {}};
    for (const auto& m : maps) {
      const auto it = m.find(k);
      d.values.push_back(it == m.end() ? std::string() : it->second);
    }
    if (std::adjacent_find(d.values.begin(), d.values.end(), std::not_equal_to<>()) !=
        d.values.end())
      out.push_back(std::move(d));
  }
  return out;
}

std::string optimizer_short_name(const std::vector<std::string>& roles, const std::string& base,
                                 const std::string& ffn) {
  auto on = [&](const char* r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  const bool gated = ffn == "swiglu";
  const bool q = on("attn.q"), k = on("attn.k"), v = on("attn.v"), o = on("attn.o");
  const bool in = on("mlp.in"), out = on("mlp.out"), gate = gated && on("mlp.gate");
  if (!q && !k && !v && !o && !in && !out && !gate) return base == "sgd" ? "SGD" : "AdamW";
  const bool ffnAll = in && out && (!gated || gate);
  if (q && k && v && o && ffnAll) return "Muon";
  std::vector<std::string> parts;
  if (q && k) {
    parts.push_back("QK");
  } else {
    if (q) parts.push_back("Q");
    if (k) parts.push_back("K");
  }
  if (v && o) {
    parts.push_back("VO");
  } else {
    if (v) parts.push_back("V");
    if (o) parts.push_back("O");
  }
  if (ffnAll) {
    parts.push_back("FFN");
  } else {
    if (in) parts.push_back("W_in");
    if (gate) parts.push_back("W_gate");
    if (out) parts.push_back("W_out");
  }
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "+") + p;
  return "Muon (" + s + ")" + (base == "sgd" ? " & SGD" : "");
}

QStringList run_labels(const std::vector<std::string>& configs, const QStringList& fallbacks) {
  const int n = static_cast<int>(configs.size());
  auto fallback = [&](int i) {
    return i < fallbacks.size() && !fallbacks[i].isEmpty() ? fallbacks[i]
                                                           : QStringLiteral("run %1").arg(i + 1);
  };
  const std::vector<ConfigDifference> diffs = config_differences(configs);
  std::vector<std::map<std::string, std::string>> values(n);
  for (int i = 0; i < n; ++i)
    for (auto& [k, v] : flatten_config_json(configs[i])) values[i][k] = v;
  auto value = [&](int i, const std::string& k) {
    const auto it = values[i].find(k);
    return it == values[i].end() ? std::string() : it->second;
  };
  std::set<std::string> differing;
  for (const auto& d : diffs) differing.insert(d.key);
  const bool routingDiffers = differing.count("optim.muon") || differing.count("optim.base");
  const bool baseDiffers = differing.count("optim.base") > 0;

  QStringList labels;
  for (int i = 0; i < n; ++i) {
    const bool hasMuon = !splitList(value(i, "optim.muon")).empty();
    std::string head;  // the optimizer
    std::vector<std::string> features, settings, negatives;
    if (routingDiffers)
      head = optimizer_short_name(splitList(value(i, "optim.muon")), value(i, "optim.base"),
                                  value(i, "model.ffn"));
    for (const auto& d : diffs) {
      const std::string& k = d.key;
      const std::string v = value(i, k);
      if (k == "optim.muon" || k == "optim.base") continue;
      if (muonOnly(k) && !hasMuon) continue;
      // The base optimizer's lr/wd move with the base optimizer itself (SGD uses other lrs).
      if (baseDiffers && (k == "optim.lr_adamw" || k == "optim.wd_adamw")) continue;
      if (k == "optim.sgd_momentum" && value(i, "optim.base") != "sgd") continue;
      if (v.empty()) continue;
      const auto b = boolNames().find(k);
      if (b != boolNames().end()) {
        if (v == "true")
          features.push_back(b->second.first);
        else
          negatives.push_back(b->second.second);
        continue;
      }
      const std::string e = enumName(k, v);
      if (!e.empty())
        features.push_back(e);
      else
        settings.push_back(lastSegment(k) + "=" + v);
    }
    std::string label = head;
    for (const auto& f : features) label += (label.empty() ? "" : " + ") + f;
    std::string tail;
    for (const auto& s : settings) tail += (tail.empty() ? "" : ", ") + s;
    if (!tail.empty()) label += label.empty() ? tail : " · " + tail;
    if (label.empty())
      for (const auto& f : negatives) label += (label.empty() ? "" : " + ") + f;
    labels << (label.empty() ? fallback(i) : QString::fromStdString(label));
  }
  // Equal labels: tell them apart by the fallback, then (same file twice) by position.
  const QStringList first = labels;
  for (int i = 0; i < n; ++i)
    if (first.count(first[i]) > 1 && first[i] != fallback(i))
      labels[i] = first[i] + QStringLiteral(" (%1)").arg(fallback(i));
  const QStringList second = labels;
  for (int i = 0; i < n; ++i)
    if (second.count(second[i]) > 1) labels[i] = second[i] + QStringLiteral(" #%1").arg(i + 1);
  return labels;
}

bool is_study_index(const QString& path) {
  if (!path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) return false;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  const json j = json::parse(f.readAll().toStdString(), nullptr, false);
  return j.is_object() && j.value("format", "") == "muonscope-study";
}

std::vector<RunInput> resolve_run_inputs(const QStringList& inputs, QStringList* warnings) {
  std::vector<RunInput> out;
  for (const QString& in : inputs) {
    const QFileInfo fi(in);
    if (!fi.exists()) throw std::runtime_error("no such file: " + in.toStdString());
    if (!fi.isFile()) throw std::runtime_error("not a file: " + in.toStdString());
    if (!is_study_index(in)) {
      out.push_back({fi.absoluteFilePath(), QString()});
      continue;
    }
    QFile f(in);
    if (!f.open(QIODevice::ReadOnly))
      throw std::runtime_error("cannot read " + in.toStdString() + ": " +
                               f.errorString().toStdString());
    StudyIndex idx;
    try {
      idx = study_index_from_json(f.readAll().toStdString());
    } catch (const std::exception& e) {
      throw std::runtime_error(in.toStdString() + ": " + e.what());
    }
    const QDir dir = fi.absoluteDir();
    int found = 0;
    for (const auto& m : idx.members) {
      const QString path = dir.absoluteFilePath(QString::fromStdString(m.file));
      if (!QFileInfo(path).isFile()) {
        if (warnings)
          *warnings << QStringLiteral("%1: member '%2' has no run file %3 (status '%4'), skipped")
                           .arg(in, QString::fromStdString(m.label), path,
                                QString::fromStdString(m.status));
        continue;
      }
      out.push_back({path, QString::fromStdString(m.label)});
      ++found;
    }
    if (found == 0)
      throw std::runtime_error(in.toStdString() + ": study '" + idx.study +
                               "' has no run files yet");
  }
  if (out.empty()) throw std::runtime_error("no run files given");
  return out;
}

LoadedRuns load_runs(const QStringList& inputs, QObject* parent) {
  LoadedRuns r;
  const std::vector<RunInput> in = resolve_run_inputs(inputs, &r.warnings);
  // Children of a temporary owner until everything has been read, so a failure leaks nothing.
  auto owner = std::make_unique<QObject>();
  std::vector<std::string> configs;
  QStringList fallbacks;
  for (const RunInput& ri : in) {
    auto* model = new RunModel(owner.get());
    auto* follower = new RunFollower(model, owner.get());
    QString error;
    if (!follower->open(ri.path, &error))
      throw std::runtime_error(error.isEmpty() ? "cannot read " + ri.path.toStdString()
                                               : error.toStdString());
    r.models << model;
    r.followers << follower;
    r.files << ri.path;
    configs.push_back(model->info().config_json);
    fallbacks << QFileInfo(ri.path).completeBaseName();
    const json j = json::parse(model->info().config_json, nullptr, false);
    r.configs << QString::fromStdString(j.is_discarded() ? model->info().config_json : j.dump(2));
  }
  r.labels = run_labels(configs, fallbacks);
  for (size_t i = 0; i < in.size(); ++i)
    if (!in[i].label.isEmpty()) r.labels[static_cast<int>(i)] = in[i].label;
  for (int i = 0; i < r.models.size(); ++i) r.models[i]->setDisplayName(r.labels[i]);
  r.differences = config_differences(configs);
  for (RunModel* m : r.models) m->setParent(parent);
  for (RunFollower* f : r.followers) f->setParent(parent);
  return r;
}

}  // namespace ms
