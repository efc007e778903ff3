// CompareBase: run list, colours, labels and alignment helpers of the comparison views (see
// CompareBase.h).
#include "CompareBase.h"

#include <algorithm>
#include <cstdlib>

#include "common/MatrixLabel.h"

namespace ms {

CompareBase::CompareBase(const QVector<RunModel*>& runs, QWidget* parent)
    : PlotBase(nullptr, parent) {
  for (RunModel* m : runs) runs_.push_back(m);
  connectRuns();
}

void CompareBase::setRuns(const QVector<RunModel*>& runs) {
  runs_.clear();
  for (RunModel* m : runs) runs_.push_back(m);
  connectRuns();
  runsReset();
  emit runsChanged();
  scheduleReset();
}

RunModel* CompareBase::run(int i) const {
  return i >= 0 && i < runs_.size() ? runs_[i].data() : nullptr;
}

QString CompareBase::runLabel(int i) const {
  RunModel* m = run(i);
  const QString name = m ? m->displayName() : QString();
  return name.isEmpty() ? tr("run %1").arg(i + 1) : name;
}

void CompareBase::connectRuns() {
  for (const auto& c : connections_) disconnect(c);
  connections_.clear();
  auto dirty = [this] { scheduleRefresh(); };
  for (const auto& p : runs_) {
    RunModel* m = p.data();
    if (!m) continue;
    connections_.push_back(connect(m, &RunModel::infoChanged, this, [this] {
      runsReset();
      scheduleRefresh();
    }));
    connections_.push_back(connect(m, &RunModel::stepsAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::valsAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::snapshotAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::statusChanged, this, dirty));
    connections_.push_back(connect(m, &RunModel::cleared, this, dirty));
    connections_.push_back(connect(m, &RunModel::displayNameChanged, this, dirty));
    connections_.push_back(connect(m, &QObject::destroyed, this, dirty));
  }
}

double CompareBase::xOf(const StepRecord& s, XAxis mode) {
  return mode == XTokens ? double(s.tokens) : mode == XWallTime ? s.wall_s : double(s.step);
}
double CompareBase::xOf(const ValRecord& v, XAxis mode) {
  return mode == XTokens ? double(v.tokens) : mode == XWallTime ? v.wall_s : double(v.step);
}
double CompareBase::xOf(const Snapshot& s, XAxis mode) {
  return mode == XTokens ? double(s.tokens) : mode == XWallTime ? s.wall_s : double(s.step);
}

QString CompareBase::xLabel(XAxis mode) {
  switch (mode) {
    case XTokens:
      return tr("Tokens");
    case XWallTime:
      return tr("Wall time (s)");
    default:
      return tr("Step");
  }
}

int CompareBase::nearestSnapshot(const std::vector<Snapshot>& snapshots, int64_t step) {
  if (snapshots.empty()) return -1;
  if (step < 0) return static_cast<int>(snapshots.size()) - 1;
  int best = 0;
  for (int i = 1; i < static_cast<int>(snapshots.size()); ++i)
    if (std::llabs(snapshots[i].step - step) < std::llabs(snapshots[best].step - step)) best = i;
  return best;
}

std::vector<int64_t> CompareBase::unionSnapshotSteps() const {
  std::vector<int64_t> out;
  for (int i = 0; i < runCount(); ++i)
    if (RunModel* m = run(i))
      for (const Snapshot& s : m->snapshots()) out.push_back(s.step);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

QString CompareBase::matrixLabel(const QString& name) {
  return QString::fromStdString(matrix_label(name.toStdString()));
}

QString CompareBase::csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')))
    return text;
  QString q = text;
  q.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + q + QLatin1Char('"');
}

}  // namespace ms
