// CompareCurvePlot: one quantity of several runs overlaid over training, runs in distinct
// colours, the series of a run (train/val, K/V, head/tail, ...) told apart by line style. The
// quantity is fixed at construction:
//  - Loss: training loss (debiased EMA with the shared smoothing, the raw curve optionally
//    faded underneath) and validation loss (dashed, with markers);
//  - Isotropy: an isotropy metric (IsotropyPlot::Metric) of chosen matrix kinds (default VO
//    and W_out), the mean over layers or one layer, at each snapshot;
//  - Spikiness: a K/V spikiness measure (KVPlot::Spikiness, default the channel/token
//    asymmetry ratio) of K (post-RoPE) and V, the mean over layers or one layer;
//  - FTA: first-token accuracy on tail-QA, head and tail group, the mean over groups or one group;
//  - Kivi: KIVI quantized-cache loss deltas (2 or 4 bits) of both schemes, where computed.
// The x axis aligns runs by step, tokens seen or wall time; log-y and smoothing apply to every
// run. Runs of different model shapes compare fine here (everything is a scalar per step).
#pragma once

#include <QStringList>
#include <QVector>

#include "CompareBase.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QCPGraph;

namespace ms {

class CompareCurvePlot : public CompareBase {
  Q_OBJECT
 public:
  enum Kind { Loss = 0, Isotropy, Spikiness, FTA, Kivi };
  // FTA series choice: these, or a group index >= 0.
  enum FtaChoice { FtaHeadTail = -1, FtaMean = -2 };

  // One drawn series: the points of one run's curve (x on the current axis) with the records'
  // step / tokens / wall time, so the CSV has every alignment.
  struct Series {
    int run = 0;
    QString name;  // e.g. "train", "val", "K", "V", "VO", "tail g=6", "2-bit K/chan V/tok"
    QVector<double> x, y, smoothed;  // smoothed: what is drawn (== y except for the train loss)
    QVector<qint64> step, tokens;
    QVector<double> wall;
  };

  CompareCurvePlot(Kind kind, const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  Kind kind() const { return kind_; }
  static QString kindName(Kind kind);  // "loss", "isotropy", "kv", "fta", "kivi"

  XAxis xAxisMode() const { return xMode_; }
  bool logY() const { return logY_; }
  double smoothing() const { return smoothing_; }  // EMA weight b of the training loss
  bool showRaw() const { return showRaw_; }
  int layer() const { return layer_; }                // -1: mean over layers (isotropy, spikiness)
  QStringList matrices() const { return matrices_; }  // isotropy
  IsotropyPlot::Metric isotropyMetric() const { return isoMetric_; }
  KVPlot::Spikiness spikinessMetric() const { return spkMetric_; }
  int ftaChoice() const { return fta_; }
  int kiviBits() const { return kiviBits_; }  // 2 or 4

  // What the last rebuild drew (one entry per graph drawn with data), in run order.
  const QVector<Series>& series() const { return series_; }
  // The graph drawn for series i of series() (the smoothed one for the train loss).
  QCPGraph* graph(int i) const { return i >= 0 && i < graphs_.size() ? graphs_[i] : nullptr; }
  // Runs with nothing to show for this quantity (e.g. no FTA data), as "label: why" lines.
  QStringList missing() const { return missing_; }

  // Shows or hides the x-axis, log-y and smoothing controls (a window that sets them for all
  // views at once hides them).
  void setSharedControlsVisible(bool visible);

  // run,label,series,step,tokens,wall_s,x,value,smoothed: one row per point of series().
  QString csv() const override;

 public slots:
  void setXAxisMode(ms::CompareBase::XAxis mode);
  void setLogY(bool on);
  void setSmoothing(double b);  // clamped to [0, 0.999]
  void setShowRaw(bool on);
  void setLayer(int layer);  // -1 = mean over layers
  void setMatrices(const QStringList& names);
  void setIsotropyMetric(ms::IsotropyPlot::Metric metric);
  void setSpikinessMetric(ms::KVPlot::Spikiness metric);
  void setFtaChoice(int choice);
  void setKiviBits(int bits);  // 2 or 4

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  void collect();  // fills series_ and missing_ from the runs
  void syncControls();
  static Qt::PenStyle styleOf(int seriesIndex);
  QString titleText() const;

  Kind kind_;
  XAxis xMode_ = XStep;
  bool logY_ = false;
  double smoothing_ = 0.6;
  bool showRaw_ = false;
  int layer_ = -1;
  QStringList matrices_ = {QStringLiteral("vo"), QStringLiteral("mlp.out")};
  IsotropyPlot::Metric isoMetric_ = IsotropyPlot::ERank;
  KVPlot::Spikiness spkMetric_ = KVPlot::Asymmetry;
  int fta_ = FtaHeadTail;
  int kiviBits_ = 2;

  QVector<QWidget*> shared_;  // x axis, log y and smoothing controls with their labels
  QComboBox* xCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QSlider* smoothSlider_ = nullptr;
  QLabel* smoothLabel_ = nullptr;
  QCheckBox* rawCheck_ = nullptr;
  QComboBox* layerCombo_ = nullptr;
  QComboBox* choiceCombo_ = nullptr;  // metric / FTA group / bits, depending on the kind
  QComboBox* matrixCombo_ = nullptr;  // isotropy

  QVector<Series> series_;
  QVector<QCPGraph*> graphs_;
  QStringList missing_;
};

}  // namespace ms
