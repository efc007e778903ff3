// FTAPlot: first-token accuracy per frequency group on the tail-QA task (DESIGN.md section 4):
// the share of held questions whose first answer token is the model's argmax. Left: FTA over
// training steps, one curve per group coloured from head (g = 0, frequent) to tail (rare).
// Right: a bar per group at the latest snapshot. Runs without QA data (fta empty) show a
// message instead of the plot.
#pragma once

#include <QVector>

#include "PlotBase.h"

class QCPAxisRect;
class QCPBars;
class QCPGraph;

namespace ms {

class FTAPlot : public PlotBase {
  Q_OBJECT
 public:
  explicit FTAPlot(RunModel* model, QWidget* parent = nullptr);

  bool hasData() const { return groups_ > 0; }
  int groupCount() const { return groups_; }
  QCPAxisRect* timeRect() const { return timeRect_; }
  QCPAxisRect* barRect() const { return barRect_; }
  QCPGraph* groupGraph(int g) const;  // FTA of group g over steps (nullptr if absent)
  QCPBars* groupBars(int g) const;    // bar of group g at the latest snapshot with FTA
  int barSnapshotIndex() const { return barSnapshot_; }  // -1 when none
  // Colour of group g of n: blue (head) through to red (tail), lifted in dark mode.
  QColor groupColor(int g, int n) const;

  QString csv() const override;

 protected:
  void rebuild() override;
  void resetRanges() override;

 private:
  QCPAxisRect* timeRect_ = nullptr;
  QCPAxisRect* barRect_ = nullptr;
  QVector<QCPGraph*> graphs_;
  QVector<QCPBars*> bars_;
  int groups_ = 0;
  int barSnapshot_ = -1;
};

}  // namespace ms
