// LossPlot: the loss of 1..N runs over steps, tokens or wall time (PlotBase::XAxis), each run in
// its colour: the training loss smoothed (solid), the raw training loss faded underneath ("Raw"),
// and the validation loss (dashed, with markers). A log-y toggle, a smoothing slider shared by
// every run, and a hover read-out with every drawn run's value at the mouse x.
// Smoothing is the debiased EMA of TensorBoard: s_t = b s_{t-1} + (1 - b) x_t with s_0 = 0,
// shown as s_t / (1 - b^t), so the first point equals x_1 and a constant series stays constant.
// A run with validation rows only (inspected checkpoints: the probe loss of each) shows just
// those points, in the legend and the hover read-out.
// A seed group (a run given with members) is drawn as its mean run with a band over the members
// (SeedBand). A live run costs O(new steps) per refresh: its curves are extended, not rebuilt; the
// runs, the x axis or the smoothing changing rebuild everything.
#pragma once

#include <QStringList>
#include <QVector>
#include <vector>

#include "CurveSeries.h"
#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QCPGraph;
class QCPItemText;
class QCPItemTracer;
class QMouseEvent;

namespace ms {

class LossPlot : public PlotBase {
  Q_OBJECT
 public:
  explicit LossPlot(RunModel* model, QWidget* parent = nullptr);
  explicit LossPlot(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  XAxis xAxisMode() const { return xMode_; }
  bool logY() const { return logY_; }
  double smoothing() const { return smoothing_; }  // b in [0, 0.999]
  bool showRaw() const { return showRaw_; }        // raw train loss drawn faded

  // The graphs of run i (nullptr for a run that is not drawn). The raw graph holds the data
  // whether or not "Raw" is on (it is hidden when off). Valid until the next rebuild.
  QCPGraph* trainGraph(int run = 0) const;     // raw per-step loss
  QCPGraph* smoothedGraph(int run = 0) const;  // debiased EMA of the train loss
  QCPGraph* valGraph(int run = 0) const;
  // A seed group's band (SeedBand: min-max or mean ± sd over its members' smoothed training
  // curves, or validation points): the upper graph, filled down to its channelFillGraph().
  // nullptr for a plain run.
  QCPGraph* bandGraph(int run = 0, bool validation = false) const;
  // What the view draws, per run in run order: "train" (y raw, smoothed the EMA) and "val",
  // each only when the run has such rows. graph(i) draws series i (the smoothed graph for train).
  const QVector<CurveSeries>& series() const;
  QCPGraph* graph(int i) const;
  // Runs with nothing to draw, as "label: why" lines.
  QStringList missing() const { return missing_; }
  // The hover read-out (empty while the mouse is not over the data).
  QString hoverText() const;

  // Shows or hides the x-axis, log-y and smoothing controls (a window that sets them for all
  // views at once hides them).
  void setSharedControlsVisible(bool visible);

  // run,label,series,step,tokens,wall_s,x,value,smoothed: one row per train step (value = raw,
  // smoothed = EMA) and per validation row (smoothed = value), run by run.
  QString csv() const override;

  // Debiased EMA (see the file comment). Non-finite inputs are skipped (output NaN there) and
  // do not advance t. b = 0 returns x unchanged.
  static std::vector<double> emaDebiased(const std::vector<double>& x, double b);

 public slots:
  void setXAxisMode(ms::PlotBase::XAxis mode);
  void setLogY(bool on);
  void setSmoothing(double b);  // clamped to [0, 0.999]
  void setShowRaw(bool on);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;
  void runsReset() override;

 private:
  // One run's curves and how far they have read the run (for extending a live run).
  struct RunCurves {
    RunModel* model = nullptr;
    CurveSeries train, val;
    double emaSum = 0.0, emaPow = 1.0;  // running EMA state s and b^t
    QCPGraph *raw = nullptr, *smoothed = nullptr, *valGraph = nullptr;
    QCPGraph *trainBand = nullptr, *valBand = nullptr;  // seed group: upper graph of the band
  };
  void addSeedBands(int run, RunCurves& c);
  void init();
  void rebuildAll();
  void extend(RunCurves& c);  // appends the run's new steps and validation rows
  void styleGraphs();
  void updateLegend();
  void updateHover(QMouseEvent* event);
  const RunCurves* curves(int run) const;

  XAxis xMode_ = XStep;
  bool logY_ = false;
  double smoothing_ = 0.6;
  bool showRaw_ = true;
  bool fullRebuild_ = true;
  QVector<QWidget*> shared_;
  QComboBox* xCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QSlider* smoothSlider_ = nullptr;
  QLabel* smoothLabel_ = nullptr;
  QCheckBox* rawCheck_ = nullptr;
  QCPItemTracer* tracer_ = nullptr;
  QCPItemText* hoverText_ = nullptr;
  QVector<RunCurves> curves_;   // parallel to runs() at the last rebuild
  QVector<QCPGraph*> runKeys_;  // several runs: a legend entry per run (no data)
  QCPGraph *trainKey_ = nullptr, *valKey_ = nullptr;  // several runs: the line-style entries
  QVector<int> colorIndices_;  // the runs' colour indices at the last full rebuild
  QStringList missing_;
  mutable QVector<CurveSeries> series_;  // built from curves_ when asked
  mutable QVector<QCPGraph*> seriesGraphs_;
  mutable bool seriesDirty_ = true;
};

}  // namespace ms
