// IsotropyPlot: an isotropy metric of the weight spectra of 1..N runs over training, one curve
// per run and matrix kind (attn.q ... mlp.out, qk, vo): the mean over layers or one layer. One
// run: a colour per matrix kind and, for the mean, a band from the minimum to the maximum layer;
// several runs: a colour per run and a line style per matrix kind. The metric is chosen in a
// combo (eRank, normalized entropy, TopE_10, Q75/Q25, stable rank, update alignment; DESIGN.md
// section 4; WeightWatcher's power-law alpha, weighted alpha and the fit's KS distance,
// docs/metrics.md); matrix kinds are chosen by name (the "Matrices" menu, setMatrices), all
// kinds of the runs by default. A run without the chosen layer or matrix kind is listed as
// missing. The x axis aligns runs by step, tokens or wall time.
#pragma once

#include <QStringList>
#include <QVector>

#include "CurveSeries.h"
#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QCPGraph;
class QLabel;
class QMenu;
class QToolButton;

namespace ms {

class IsotropyPlot : public PlotBase {
  Q_OBJECT
 public:
  // Alpha, AlphaWeighted, AlphaKs: WeightWatcher's power-law fit of the ESD (docs/metrics.md).
  enum Metric {
    ERank = 0,
    Entropy,
    TopE10,
    Q75Q25,
    StableRank,
    UpdateCosine,
    UpdateTopShare,
    Alpha,
    AlphaWeighted,
    AlphaKs
  };
  static constexpr int kLastMetric = AlphaKs;

  explicit IsotropyPlot(RunModel* model, QWidget* parent = nullptr);
  explicit IsotropyPlot(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  Metric metric() const { return metric_; }
  bool logY() const { return logY_; }
  XAxis xAxisMode() const { return xMode_; }
  int layer() const { return layer_; }  // -1: mean over layers
  // Every matrix kind of the runs (run-file names, in order of first appearance).
  QStringList availableMatrices() const;
  // The kinds drawn: those chosen with setMatrices, or every kind of the runs when none was.
  QStringList matrices() const;
  bool isMatrixVisible(const QString& name) const;
  // The curve of a matrix kind of run i (the mean over layers, or the chosen layer), and its
  // band's lower and upper edge: over layers (one plain run, mean over layers), or over the
  // seeds of a seed group (SeedBand); nullptr when not drawn. Valid until the next rebuild.
  QCPGraph* meanGraph(const QString& matrix, int run = 0) const;
  QCPGraph* minGraph(const QString& matrix, int run = 0) const;
  QCPGraph* maxGraph(const QString& matrix, int run = 0) const;
  // What the last rebuild drew: per run, per matrix kind in matrices() order; graph(i) draws
  // series i.
  const QVector<CurveSeries>& series() const { return series_; }
  QCPGraph* graph(int i) const { return i >= 0 && i < graphs_.size() ? graphs_[i] : nullptr; }
  // Runs (or their matrix kinds / layer) with nothing to draw, as "label: why" lines.
  QStringList missing() const { return missing_; }

  static double metricValue(const SpectrumMetrics& m, Metric metric);
  static QString metricName(Metric metric);

  // Shows or hides the x-axis and log-y controls (a window that sets them for all views hides
  // them).
  void setSharedControlsVisible(bool visible);

  // run,label,series,step,tokens,wall_s,x,value,smoothed: one row per point of series() (the
  // series is the matrix label; value = smoothed = the drawn mean or layer value).
  QString csv() const override;

 public slots:
  void setMetric(ms::IsotropyPlot::Metric metric);
  // The matrix kinds to draw, by run-file name ("vo", "mlp.out"); empty: every kind of the runs.
  void setMatrices(const QStringList& names);
  void setMatrixVisible(const QString& name, bool visible);
  void setLogY(bool on);
  void setLayer(int layer);  // -1 = mean over layers
  void setXAxisMode(ms::PlotBase::XAxis mode);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  struct Band {
    QString matrix;
    int run = 0;
    QCPGraph *lo = nullptr, *hi = nullptr;
  };
  void init();
  void syncControls();
  // Mean (or the one layer's value), min and max over layers of the metric of matrix kind mi
  // in snapshot s (NaN when none).
  void layerStats(const Snapshot& s, int mi, double* value, double* lo, double* hi) const;

  Metric metric_ = ERank;
  bool logY_ = false;
  XAxis xMode_ = XStep;
  int layer_ = -1;
  QStringList chosen_;  // empty: every kind
  QVector<QWidget*> shared_;
  QComboBox* xCombo_ = nullptr;
  QComboBox* metricCombo_ = nullptr;
  QComboBox* layerCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QToolButton* matricesButton_ = nullptr;
  QMenu* matricesMenu_ = nullptr;
  QVector<CurveSeries> series_;
  QVector<QCPGraph*> graphs_;
  QVector<Band> bands_;
  QStringList missing_;
};

}  // namespace ms
