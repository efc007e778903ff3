// RunSet: the main window's runs, their checked state, colours and labels (see RunSet.h).
#include "RunSet.h"

#include <QFileInfo>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "RunBrowser.h"
#include "RunFollower.h"
#include "RunLabels.h"
#include "RunModel.h"
#include "store/SeedMean.h"

namespace ms {

namespace {
// The config without train.seed: what names a run beside others (its seed shows only in the
// label of a seed group's member).
std::string withoutSeed(const std::string& config) {
  nlohmann::json j = nlohmann::json::parse(config, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return config;
  if (j.contains("train") && j["train"].is_object()) j["train"].erase("seed");
  return j.dump();
}

std::string seedOf(const std::string& config) {
  for (const auto& [k, v] : flatten_config_json(config))
    if (k == "train.seed") return v;
  return std::string();
}

// Whether two configs differ in train.seed and in nothing else that names a run.
bool seedSiblings(const std::string& a, const std::string& b) {
  const std::vector<ConfigDifference> d = config_differences({a, b});
  return d.size() == 1 && d[0].key == "train.seed";
}
}  // namespace

RunSet::RunSet(QObject* parent) : QObject(parent) {
  meanTimer_ = new QTimer(this);
  meanTimer_->setSingleShot(true);
  meanTimer_->setInterval(150);
  connect(meanTimer_, &QTimer::timeout, this, &RunSet::updateGroupMeans);
}

RunSet::~RunSet() = default;

void RunSet::setLiveModel(RunModel* model) {
  Entry e;
  e.model = model;
  e.kind = Live;
  e.checked = false;
  e.colorIndex = nextColor();
  entries_.insert(entries_.begin(), e);
  live_ = model;
  watch(0);
  relabel();
  emit rowsChanged();
}

void RunSet::setLiveFile(const QString& file) {
  const int row = rowOf(live_);
  if (row < 0) return;
  entries_[row].file = file.isEmpty() ? QString() : QFileInfo(file).absoluteFilePath();
  emit rowUpdated(row);
}

void RunSet::setFixedLabel(int row, const QString& label) {
  if (row < 0 || row >= count() || entries_[row].fixedLabel == label) return;
  entries_[row].fixedLabel = label;
  relabel();
  emit rowsChanged();
}

int RunSet::nextColor() const {
  // The smallest index no listed run uses, so a removed run's colour is reused.
  std::set<int> used;
  for (const Entry& e : entries_) used.insert(e.colorIndex);
  int c = 0;
  while (used.count(c)) ++c;
  return c;
}

void RunSet::watch(int row) {
  RunModel* m = entries_[row].model;
  auto update = [this, m] {
    const int r = rowOf(m);
    if (r < 0) return;
    emit rowUpdated(r);
    if (RunModel* g = entries_[r].group) {  // a member grew: its group's mean is stale
      staleGroups_.insert(g);
      meanTimer_->start();
    }
  };
  connect(m, &RunModel::stepsAppended, this, update);
  connect(m, &RunModel::snapshotAppended, this, update);
  connect(m, &RunModel::statusChanged, this, update);
  // A new config (the live run started again) can change every label.
  connect(m, &RunModel::infoChanged, this, [this] {
    relabel();
    emit rowsChanged();
  });
}

int RunSet::rowOf(const RunModel* model) const {
  for (int i = 0; i < count(); ++i)
    if (entries_[i].model == model) return i;
  return -1;
}

int RunSet::rowOfFile(const QString& path) const {
  const QString abs = QFileInfo(path).absoluteFilePath();
  for (int i = 0; i < count(); ++i)
    if (entries_[i].kind != Live && entries_[i].file == abs) return i;
  return -1;
}

int RunSet::openFile(const QString& path, Kind kind, const QString& label, QString* error) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  const int existing = rowOfFile(abs);
  if (existing >= 0) {
    if (!label.isEmpty() && entries_[existing].fixedLabel != label) {
      entries_[existing].fixedLabel = label;
      relabel();
      emit rowsChanged();
    }
    setChecked(existing, true);
    return existing;
  }
  auto* model = new RunModel(this);
  auto* follower = new RunFollower(model, this);
  QString why;
  if (!follower->open(abs, &why, RunFollower::Streamed)) {
    delete follower;
    delete model;
    if (error) *error = why.isEmpty() ? tr("cannot read %1").arg(abs) : why;
    return -1;
  }
  Entry e;
  e.model = model;
  e.follower = follower;
  e.kind = kind;
  e.file = abs;
  e.fixedLabel = label;
  e.checked = true;
  e.colorIndex = nextColor();
  entries_.push_back(e);
  const int row = count() - 1;
  watch(row);
  connect(follower, &RunFollower::followingChanged, this, [this, model] {
    const int r = rowOf(model);
    if (r >= 0) emit rowUpdated(r);
  });
  connect(follower, &RunFollower::loaded, this, [this, model] {
    const int r = rowOf(model);
    if (r >= 0 && entries_[r].group) {
      staleGroups_.insert(entries_[r].group);
      meanTimer_->start();
    }
  });
  connect(follower, &RunFollower::readFailed, this,
          [this, abs](const QString& msg) { emit followFailed(abs, msg); });
  relabel();
  emit rowsChanged();
  emit checkedChanged();
  return row;
}

QVector<int> RunSet::openStudy(const QString& index, QString* error, QStringList* warnings) {
  std::vector<RunInput> inputs;
  QStringList w;
  try {
    inputs = resolve_run_inputs({index}, &w);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return {};
  }
  QVector<int> rows;
  for (const RunInput& in : inputs) {
    QString why;
    const int row = openFile(in.path, StudyMember, in.label, &why);
    if (row < 0)
      w << why;
    else
      rows << row;
  }
  if (warnings) *warnings = w;
  if (rows.isEmpty() && error) *error = tr("no member of %1 could be opened").arg(index);
  return rows;
}

void RunSet::remove(int row) {
  if (row < 0 || row >= count() || entries_[row].kind == Live) return;
  // A seed group goes with its members.
  std::vector<RunModel*> gone{entries_[row].model};
  if (entries_[row].kind == SeedGroup)
    for (RunModel* m : entries_[row].members) gone.push_back(m);
  bool wasChecked = false;
  for (RunModel* m : gone) {
    const int r = rowOf(m);
    if (r < 0) continue;
    const Entry e = entries_[r];
    entries_.erase(entries_.begin() + r);
    disconnect(e.model, nullptr, this, nullptr);
    if (e.follower) e.follower->deleteLater();
    staleGroups_.remove(e.model);
    e.model->deleteLater();
    wasChecked = wasChecked || e.checked;
  }
  const bool groupChecked = std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) {
    return e.kind == SeedGroup && e.checked;
  });
  relabel();
  emit rowsChanged();
  if (wasChecked || groupChecked) emit checkedChanged();
}

void RunSet::releaseFile(int row) {
  if (row < 0 || row >= count() || !entries_[row].follower) return;
  entries_[row].follower->close();
  emit rowUpdated(row);
}

bool RunSet::reloadFile(int row, QString* error) {
  if (row < 0 || row >= count() || !entries_[row].follower) return false;
  Entry& e = entries_[row];
  QString why;
  const bool ok = e.follower->open(e.file, &why, RunFollower::Streamed);
  if (!ok && error) *error = why.isEmpty() ? tr("cannot read %1").arg(e.file) : why;
  relabel();  // the follower named the model after its file; the label comes back
  emit rowsChanged();
  emit checkedChanged();
  return ok;
}

QString RunSet::label(int row) const {
  return row >= 0 && row < labels_.size() ? labels_[row] : QString();
}

QString RunSet::statusText(int row) const {
  const Entry& e = entries_[row];
  const RunModel* m = e.model;
  if (e.kind == SeedGroup) return tr("%n seeds", nullptr, static_cast<int>(e.members.size()));
  if (e.kind == Live && m->status() == RunStatus::Running)
    return m->info().n_layer > 0 ? tr("live") : tr("idle");
  if (e.follower && e.follower->isFollowing()) return tr("running");
  // A file that says running while nobody writes it was interrupted.
  return RunBrowser::statusText(m->status() == RunStatus::Running ? RunStatus::Interrupted
                                                                  : m->status());
}

int64_t RunSet::lastStep(int row) const {
  const RunModel* m = entries_[row].model;
  int64_t s = m->steps().empty() ? 0 : m->steps().back().step;
  if (!m->snapshots().empty()) s = std::max<int64_t>(s, m->snapshots().back().step);
  return s;
}

void RunSet::setChecked(int row, bool on) {
  if (row < 0 || row >= count() || entries_[row].checked == on) return;
  entries_[row].checked = on;
  emit rowUpdated(row);
  emit checkedChanged();
}

void RunSet::checkOnly(const QVector<int>& rows) {
  bool changed = false;
  for (int i = 0; i < count(); ++i) {
    const bool on = rows.contains(i);
    if (entries_[i].checked != on) {
      entries_[i].checked = on;
      changed = true;
      emit rowUpdated(i);
    }
  }
  if (changed) emit checkedChanged();
}

QVector<RunModel*> RunSet::checkedModels() const {
  QVector<RunModel*> out;
  for (const Entry& e : entries_)
    if (e.checked) out << e.model;
  return out;
}

QVector<QVector<RunModel*>> RunSet::checkedMembers() const {
  QVector<QVector<RunModel*>> out;
  for (const Entry& e : entries_)
    if (e.checked) out << e.members;
  return out;
}

int RunSet::groupRowOf(int row) const {
  return row >= 0 && row < count() ? rowOf(entries_[row].group) : -1;
}

QVector<int> RunSet::checkedColors() const {
  QVector<int> out;
  for (const Entry& e : entries_)
    if (e.checked) out << e.colorIndex;
  return out;
}

QStringList RunSet::differingKeys(int row) const {
  return row >= 0 && row < static_cast<int>(differing_.size()) ? differing_[row] : QStringList();
}

void RunSet::regroup() {
  // Candidates: runs with a config, not the live one (it changes under us), not groups.
  std::vector<int> rows;
  for (int i = 0; i < count(); ++i)
    if (entries_[i].kind != Live && entries_[i].kind != SeedGroup &&
        !entries_[i].model->info().config_json.empty())
      rows.push_back(i);
  // Each run joins the first earlier run it is a seed sibling of (configs equal but the seed).
  std::vector<int> leader(rows.size());
  for (size_t a = 0; a < rows.size(); ++a) {
    leader[a] = static_cast<int>(a);
    for (size_t b = 0; b < a; ++b)
      if (leader[b] == static_cast<int>(b) &&
          seedSiblings(entries_[rows[b]].model->info().config_json,
                       entries_[rows[a]].model->info().config_json)) {
        leader[a] = static_cast<int>(b);
        break;
      }
  }
  std::map<int, QVector<RunModel*>> groups;  // leader -> members in row order
  for (size_t a = 0; a < rows.size(); ++a) groups[leader[a]] << entries_[rows[a]].model;
  // Groups are known by their first member: an existing group row keeps its colour and check.
  std::map<RunModel*, QVector<RunModel*>> wanted;
  for (const auto& [lead, members] : groups)
    if (members.size() >= 2) wanted[members.front()] = members;
  for (Entry& e : entries_) e.group = nullptr;
  for (int i = count() - 1; i >= 0; --i) {
    Entry& g = entries_[i];
    if (g.kind != SeedGroup) continue;
    const auto it = g.members.isEmpty() ? wanted.end() : wanted.find(g.members.front());
    if (it == wanted.end()) {  // dissolved: its members stand alone again, checked as it was
      for (RunModel* m : g.members)
        if (rowOf(m) >= 0) entries_[rowOf(m)].checked = entries_[rowOf(m)].checked || g.checked;
      staleGroups_.remove(g.model);
      g.model->deleteLater();
      entries_.erase(entries_.begin() + i);
      continue;
    }
    if (g.members != it->second) {
      staleGroups_.insert(g.model);
      for (RunModel* m : it->second)  // a new seed joins: the group row stands for it
        if (!g.members.contains(m)) entries_[rowOf(m)].checked = false;
    }
    g.members = it->second;
    wanted.erase(it);
  }
  for (const auto& [first, members] : wanted) {  // new groups: shown instead of their members
    Entry g;
    g.kind = SeedGroup;
    g.model = new RunModel(this);
    g.members = members;
    g.checked = true;
    g.colorIndex = entries_[rowOf(first)].colorIndex;
    for (RunModel* m : members) entries_[rowOf(m)].checked = false;
    entries_.push_back(g);
    staleGroups_.insert(g.model);
  }
  for (const Entry& g : entries_)
    if (g.kind == SeedGroup)
      for (RunModel* m : g.members) entries_[rowOf(m)].group = g.model;
  // Members' colours must differ from their group's (it took the first member's).
  for (Entry& g : entries_) {
    if (g.kind != SeedGroup) continue;
    Entry& first = entries_[rowOf(g.members.front())];
    if (first.colorIndex == g.colorIndex) first.colorIndex = nextColor();
  }
}

void RunSet::updateGroupMeans() {
  for (Entry& g : entries_) {
    if (g.kind != SeedGroup || !staleGroups_.contains(g.model)) continue;
    // A member still streaming in (RunFollower::Streamed) would make this a rebuild of the whole
    // mean per chunk: the group stays stale until the member's loaded() restarts the timer.
    const bool loading = std::any_of(g.members.begin(), g.members.end(), [this](RunModel* m) {
      const int r = rowOf(m);
      return r >= 0 && entries_[r].follower && entries_[r].follower->isLoading();
    });
    if (loading) continue;
    staleGroups_.remove(g.model);
    std::vector<const std::vector<StepRecord>*> steps;
    std::vector<const std::vector<ValRecord>*> vals;
    std::vector<const std::vector<Snapshot>*> snaps;
    for (RunModel* m : g.members) {
      steps.push_back(&m->steps());
      vals.push_back(&m->vals());
      snaps.push_back(&m->snapshots());
    }
    const RunInfo info = g.members.front()->info();
    RunModel* mean = g.model;
    mean->clear();
    mean->setInfo(info);
    mean->appendSteps(mean_steps(steps));
    mean->appendVals(mean_vals(vals));
    for (Snapshot& s : mean_snapshots(snaps, info)) mean->appendSnapshot(s);
    // Finished when every member is; otherwise the least finished member's status.
    RunStatus st = RunStatus::Finished;
    for (RunModel* m : g.members)
      if (m->status() != RunStatus::Finished) st = m->status();
    mean->setStatus(st);
    mean->setDisplayName(label(rowOf(mean)));
    const int r = rowOf(mean);
    if (r >= 0) emit rowUpdated(r);
  }
}

void RunSet::relabel() {
  regroup();
  // Labels from the keys that differ across the runs with a config, seeds left out: a seed group
  // counts once (its first member), its members are "<group>, seed N". The idle live run has no
  // config and keeps its own name.
  std::vector<std::string> configs;
  QStringList fallbacks;
  std::vector<int> rows;
  for (int i = 0; i < count(); ++i) {
    const Entry& e = entries_[i];
    const RunModel* source = e.kind == SeedGroup ? e.members.front() : e.model;
    if (e.group || source->info().config_json.empty()) continue;
    configs.push_back(withoutSeed(source->info().config_json));
    const QString file = e.kind == SeedGroup ? entries_[rowOf(e.members.front())].file : e.file;
    fallbacks << (file.isEmpty() ? tr("live run") : QFileInfo(file).completeBaseName());
    rows.push_back(i);
  }
  const QStringList derived = run_labels(configs, fallbacks);
  labels_ = QStringList();
  for (int i = 0; i < count(); ++i) {
    const Entry& e = entries_[i];
    labels_ << (!e.fixedLabel.isEmpty() ? e.fixedLabel
                : e.kind == Live        ? tr("live run")
                                        : QFileInfo(e.file).completeBaseName());
  }
  for (size_t k = 0; k < rows.size(); ++k) {
    const int i = rows[k];
    const Entry& e = entries_[i];
    const QString base = e.fixedLabel.isEmpty() ? derived[static_cast<int>(k)] : e.fixedLabel;
    if (e.kind != SeedGroup) {
      labels_[i] = base;
      continue;
    }
    labels_[i] = tr("%1 (%n seeds)", nullptr, static_cast<int>(e.members.size())).arg(base);
    for (RunModel* m : e.members) {
      const int r = rowOf(m);
      const QString seed = QString::fromStdString(seedOf(m->info().config_json));
      labels_[r] = entries_[r].fixedLabel.isEmpty() ? tr("%1, seed %2").arg(base, seed)
                                                    : entries_[r].fixedLabel;
    }
  }
  // Tooltips: every key that differs across all runs, the seed included.
  std::vector<std::string> all;
  std::vector<int> allRows;
  for (int i = 0; i < count(); ++i)
    if (entries_[i].kind != SeedGroup && !entries_[i].model->info().config_json.empty()) {
      all.push_back(entries_[i].model->info().config_json);
      allRows.push_back(i);
    }
  const std::vector<ConfigDifference> diffs = config_differences(all);
  differing_.assign(entries_.size(), QStringList());
  for (size_t k = 0; k < allRows.size(); ++k)
    for (const ConfigDifference& d : diffs)
      differing_[allRows[k]] << QString::fromStdString(d.key + "=" + d.values[k]);
  for (int i = 0; i < count(); ++i)
    if (entries_[i].model->displayName() != labels_[i])
      entries_[i].model->setDisplayName(labels_[i]);
  if (!staleGroups_.isEmpty()) updateGroupMeans();
}

}  // namespace ms
