// CompareBase: what the comparison views share. A comparison view is a PlotBase (so it has the
// same coalesced refresh, interaction, palette and PNG/SVG/PDF/CSV export) that draws several
// runs instead of one: PlotBase's own model stays nullptr and the runs are held here. Each run
// gets a fixed colour (seriesColor(i)) and is named by its RunModel::displayName(), which the
// comparison window sets to a label from the runs' differing config ("Muon (VO+FFN)").
// It also holds the alignment helpers: x of a record by step, tokens or wall time, and the
// snapshot of a run nearest to a step (so one slider moves every run to the same step).
#pragma once

#include <QPointer>
#include <QString>
#include <QVector>
#include <cstdint>
#include <vector>

#include "PlotBase.h"

namespace ms {

class CompareBase : public PlotBase {
  Q_OBJECT
 public:
  enum XAxis { XStep = 0, XTokens = 1, XWallTime = 2 };

  explicit CompareBase(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  // The compared runs (a deleted model becomes nullptr and is skipped when drawing).
  void setRuns(const QVector<RunModel*>& runs);
  int runCount() const { return runs_.size(); }
  RunModel* run(int i) const;
  // Legend name of run i: its display name, or "run i+1" when it has none.
  QString runLabel(int i) const;
  QColor runColor(int i) const { return seriesColor(i); }

  // x of a record on the chosen axis (step, tokens seen, seconds of training).
  static double xOf(const StepRecord& s, XAxis mode);
  static double xOf(const ValRecord& v, XAxis mode);
  static double xOf(const Snapshot& s, XAxis mode);
  static QString xLabel(XAxis mode);
  // Index of the snapshot whose step is nearest to `step` (ties: the earlier one); step < 0
  // means the latest. -1 when there are no snapshots.
  static int nearestSnapshot(const std::vector<Snapshot>& snapshots, int64_t step);
  // Sorted distinct snapshot steps over all runs (for a shared step slider).
  std::vector<int64_t> unionSnapshotSteps() const;
  // Short display name of a matrix kind (ms::matrix_label): attn.q -> W_Q, mlp.out -> W_out,
  // vo -> "W_VO (sum over heads)", ...
  static QString matrixLabel(const QString& name);
  // A CSV field, quoted when it holds a comma, quote or newline.
  static QString csvField(const QString& text);

 signals:
  void runsChanged();

 protected:
  // Called after the run list changed (views update their combos); default does nothing.
  virtual void runsReset() {}

 private:
  void connectRuns();

  QVector<QPointer<RunModel>> runs_;
  std::vector<QMetaObject::Connection> connections_;
};

}  // namespace ms
