// RunLabels: names compared runs by what differs in their configs, and loads the runs of a
// comparison. A legend should say "Muon (VO+FFN)" vs "AdamW" vs "Muon + QK-norm", not file
// names: the configs (RunInfo.config_json) are flattened to dotted keys with nlohmann-json, the
// keys whose values differ across the runs are found (bookkeeping keys such as name, device and
// metrics.* are ignored), and each run gets a short label built from its values of those keys:
// the optimizer routing as a short name (like ms::optimizer_summary: "AdamW", "SGD", "Muon",
// "Muon (VO+FFN)"), feature switches by name ("QK-norm", "SwiGLU", "MuonClip"), anything else as
// key=value ("lr_muon=0.01"). A study index (study.json) brings its own member labels.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <string>
#include <utility>
#include <vector>

namespace ms {

class RunFollower;
class RunModel;

// Dotted key -> value text of a config JSON document (strings unquoted, arrays as "a,b",
// numbers as JSON writes them). Empty when the text is not a JSON object.
std::vector<std::pair<std::string, std::string>> flatten_config_json(const std::string& json);

// A config key whose value is not the same in every run.
struct ConfigDifference {
  std::string key;                  // dotted, e.g. "optim.muon"
  std::vector<std::string> values;  // per run ("" when the run's config lacks the key)
};
// Keys that differ across the configs, in first-seen document order. With all_keys false the
// bookkeeping keys (name, preset, device, train.threads, train.val_*, metrics.*) are skipped.
std::vector<ConfigDifference> config_differences(const std::vector<std::string>& config_jsons,
                                                 bool all_keys = false);

// Short optimizer name from the routing: "AdamW" / "SGD" when no matrix is on Muon, "Muon" when
// all of Q, K, V, O and the FFN are, else "Muon (QK)", "Muon (VO+FFN)", "Muon (V+W_in)", ...
// `ffn` is model.ffn (the gate counts as part of the FFN only for swiglu).
std::string optimizer_short_name(const std::vector<std::string>& muon_roles,
                                 const std::string& base, const std::string& ffn);

// Legend labels for runs with these configs, from the keys that differ. Runs that come out
// unnamed or equal get their fallback (e.g. the file's base name) instead or appended.
QStringList run_labels(const std::vector<std::string>& config_jsons, const QStringList& fallbacks);

// One run to compare: its file and, from a study index, its label ("" = derive from config).
struct RunInput {
  QString path;
  QString label;
};
// True when `path` is a Muonscope study index (JSON with format "muonscope-study").
bool is_study_index(const QString& path);
// Expands run files and study indexes into runs (a study's member files are relative to its
// folder; members whose file is missing are skipped with a line in *warnings). Throws
// std::runtime_error naming the file for a missing or unreadable input, a malformed study
// index, or when nothing is left to compare.
std::vector<RunInput> resolve_run_inputs(const QStringList& inputs, QStringList* warnings);

// Runs loaded for a comparison: one RunModel each (display name = its label) and the
// RunFollower that read it (still following a run that another process is writing).
struct LoadedRuns {
  QVector<RunModel*> models;
  QVector<RunFollower*> followers;
  QStringList files;                          // absolute paths, parallel to models
  QStringList labels;                         // parallel to models
  QStringList configs;                        // pretty-printed config JSON, parallel to models
  QStringList warnings;                       // skipped study members
  std::vector<ConfigDifference> differences;  // what differs (for the config table/report)
};
// Resolves and reads the inputs; the models and followers are children of `parent`. Throws
// std::runtime_error naming the file when an input is missing or cannot be read.
LoadedRuns load_runs(const QStringList& inputs, QObject* parent);

}  // namespace ms
