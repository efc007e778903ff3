// FTAPlot: first-token accuracy per frequency group on the tail-QA task (DESIGN.md section 4) of
// 1..N runs: the share of held questions whose first answer token is the model's argmax.
// Left: FTA over training of the chosen groups: all groups (one run: coloured from head, g = 0,
// frequent, to tail, rare), the head and tail group, the mean over groups, or one group; several
// runs: a colour per run and a line style per group. Right: each run's bar per group at the
// snapshot nearest to the chosen step (grouped bars; a step slider, or the main window's).
// Runs without QA data (fta empty) are listed as missing; when no run has FTA the view says why.
#pragma once

#include <QStringList>
#include <QVector>

#include "CurveSeries.h"
#include "PlotBase.h"

class QComboBox;
class QLabel;
class QCPAxisRect;
class QCPBars;
class QCPGraph;

namespace ms {

class StepSlider;

class FTAPlot : public PlotBase {
  Q_OBJECT
 public:
  // The groups drawn over training: these, or a group index >= 0.
  enum FtaChoice { FtaAll = -3, FtaMean = -2, FtaHeadTail = -1 };

  explicit FTAPlot(RunModel* model, QWidget* parent = nullptr);
  explicit FTAPlot(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  bool hasData() const { return groups_ > 0; }  // some run has FTA
  int groupCount() const { return groups_; }    // the most groups of any run
  int ftaChoice() const { return choice_; }
  XAxis xAxisMode() const { return xMode_; }
  qint64 step() const { return step_; }  // -1: the latest
  QCPAxisRect* timeRect() const { return timeRect_; }
  QCPAxisRect* barRect() const { return barRect_; }
  // Run i's curve of group g (with FtaAll, or the head / tail / one group chosen), nullptr if
  // not drawn.
  QCPGraph* groupGraph(int g, int run = 0) const;
  // Run i's bar of group g at its snapshot nearest to step() (nullptr if absent).
  QCPBars* groupBars(int g, int run = 0) const;
  // Index of run i's snapshot the bars show (the one with FTA nearest to step()); -1 when none.
  int barSnapshotIndex(int run = 0) const { return barSnapshot_.value(run, -1); }
  // Colour of group g of n: blue (head) through to red (tail), lifted in dark mode.
  QColor groupColor(int g, int n) const;
  // What the last rebuild drew over training; graph(i) draws series i.
  const QVector<CurveSeries>& series() const { return series_; }
  QCPGraph* graph(int i) const { return i >= 0 && i < graphs_.size() ? graphs_[i] : nullptr; }
  // The seed band (SeedBand) around series i of a seed group: the upper graph, filled down to its
  // channelFillGraph(); nullptr for a plain run's series.
  QCPGraph* bandGraph(int i) const { return bandGraphs_.value(i, nullptr); }
  QStringList missing() const { return missing_; }

  void setSharedControlsVisible(bool visible);  // the x-axis control
  void setStepControlVisible(bool visible);     // the step slider

  // run,label,series,step,tokens,wall_s,x,value,smoothed: one row per point of series().
  QString csv() const override;

 public slots:
  void setFtaChoice(int choice);
  void setXAxisMode(ms::PlotBase::XAxis mode);
  void setStep(qint64 step);  // -1 = the latest

 signals:
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  void init();
  void syncControls();

  int choice_ = FtaAll;
  XAxis xMode_ = XStep;
  qint64 step_ = -1;
  QComboBox* choiceCombo_ = nullptr;
  QComboBox* xCombo_ = nullptr;
  QVector<QWidget*> shared_;
  StepSlider* slider_ = nullptr;
  QCPAxisRect* timeRect_ = nullptr;
  QCPAxisRect* barRect_ = nullptr;
  QVector<CurveSeries> series_;
  QVector<QCPGraph*> graphs_;
  QVector<QCPGraph*> bandGraphs_;    // parallel to graphs_
  QVector<int> seriesGroup_;         // group of series i (-1: the mean)
  QVector<QVector<QCPBars*>> bars_;  // [run][group]
  QVector<int> barSnapshot_;         // per run
  int groups_ = 0;
  QStringList missing_;
};

}  // namespace ms
