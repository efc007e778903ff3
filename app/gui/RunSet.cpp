// RunSet: the main window's runs, their checked state, colours and labels (see RunSet.h).
#include "RunSet.h"

#include <QFileInfo>
#include <algorithm>
#include <set>
#include <stdexcept>

#include "RunFollower.h"
#include "RunLabels.h"
#include "RunModel.h"

namespace ms {

RunSet::RunSet(QObject* parent) : QObject(parent) {}

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
    if (r >= 0) emit rowUpdated(r);
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
  if (!follower->open(abs, &why)) {
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
  const Entry e = entries_[row];
  entries_.erase(entries_.begin() + row);
  disconnect(e.model, nullptr, this, nullptr);
  if (e.follower) e.follower->deleteLater();
  e.model->deleteLater();
  relabel();
  emit rowsChanged();
  if (e.checked) emit checkedChanged();
}

QString RunSet::label(int row) const {
  return row >= 0 && row < labels_.size() ? labels_[row] : QString();
}

QString RunSet::statusText(int row) const {
  const Entry& e = entries_[row];
  const RunModel* m = e.model;
  if (e.kind == Live && m->status() == RunStatus::Running)
    return m->info().n_layer > 0 ? tr("live") : tr("idle");
  if (e.follower && e.follower->isFollowing()) return tr("running");
  switch (m->status()) {
    case RunStatus::Running:
      return tr("interrupted");  // a file that says running but nobody writes it
    case RunStatus::Finished:
      return tr("finished");
    case RunStatus::Stopped:
      return tr("stopped");
    case RunStatus::Failed:
      return tr("failed");
    case RunStatus::Interrupted:
      return tr("interrupted");
  }
  return QString();
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

QVector<int> RunSet::checkedColors() const {
  QVector<int> out;
  for (const Entry& e : entries_)
    if (e.checked) out << e.colorIndex;
  return out;
}

QStringList RunSet::differingKeys(int row) const {
  return row >= 0 && row < static_cast<int>(differing_.size()) ? differing_[row] : QStringList();
}

void RunSet::relabel() {
  // Labels from the keys that differ across all listed runs with a config (the idle live run
  // has none and keeps its own name).
  std::vector<std::string> configs;
  QStringList fallbacks;
  std::vector<int> rows;
  for (int i = 0; i < count(); ++i) {
    const Entry& e = entries_[i];
    if (e.model->info().config_json.empty()) continue;
    configs.push_back(e.model->info().config_json);
    fallbacks << (e.file.isEmpty() ? tr("live run") : QFileInfo(e.file).completeBaseName());
    rows.push_back(i);
  }
  const QStringList derived = run_labels(configs, fallbacks);
  const std::vector<ConfigDifference> diffs = config_differences(configs);
  labels_ = QStringList();
  differing_.assign(entries_.size(), QStringList());
  for (int i = 0; i < count(); ++i) {
    const Entry& e = entries_[i];
    labels_ << (!e.fixedLabel.isEmpty() ? e.fixedLabel
                : e.kind == Live        ? tr("live run")
                                        : QFileInfo(e.file).completeBaseName());
  }
  for (size_t k = 0; k < rows.size(); ++k) {
    const int i = rows[k];
    labels_[i] =
        entries_[i].fixedLabel.isEmpty() ? derived[static_cast<int>(k)] : entries_[i].fixedLabel;
    for (const ConfigDifference& d : diffs)
      differing_[i] << QString::fromStdString(d.key + "=" + d.values[k]);
  }
  for (int i = 0; i < count(); ++i)
    if (entries_[i].model->displayName() != labels_[i])
      entries_[i].model->setDisplayName(labels_[i]);
}

}  // namespace ms
