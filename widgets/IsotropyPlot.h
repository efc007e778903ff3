// IsotropyPlot: an isotropy metric of the weight spectra over training steps, one curve per
// matrix kind (attn.q ... mlp.out, qk, vo): the mean over layers, with a band from the
// minimum to the maximum layer. The metric is chosen in a combo (eRank, normalized entropy,
// TopE_10, Q75/Q25, stable rank, update alignment; DESIGN.md section 4; WeightWatcher's
// power-law alpha, weighted alpha and the fit's KS distance, docs/metrics.md); matrix kinds are
// shown or hidden from the "Matrices" menu.
#pragma once

#include <QSet>
#include <QVector>

#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QCPGraph;
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

  Metric metric() const { return metric_; }
  bool logY() const { return logY_; }
  bool isMatrixVisible(int matrix) const;  // index into the run's matrix names
  // The graphs of a matrix kind (nullptr when hidden or absent). Valid until the next rebuild.
  QCPGraph* meanGraph(int matrix) const;
  QCPGraph* minGraph(int matrix) const;
  QCPGraph* maxGraph(int matrix) const;

  static double metricValue(const SpectrumMetrics& m, Metric metric);
  static QString metricName(Metric metric);

  QString csv() const override;

 public slots:
  void setMetric(ms::IsotropyPlot::Metric metric);
  void setMatrixVisible(int matrix, bool visible);
  void setLogY(bool on);

 protected:
  void rebuild() override;
  void resetRanges() override;

 private:
  struct Series {
    int matrix = 0;
    QCPGraph *mean = nullptr, *lo = nullptr, *hi = nullptr;
  };
  // Mean, min and max over layers of the metric for matrix m in snapshot s (NaN if none).
  void layerStats(const Snapshot& s, int m, double* mean, double* lo, double* hi) const;
  void syncMenu();
  const Series* series(int matrix) const;

  Metric metric_ = ERank;
  bool logY_ = false;
  QComboBox* metricCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QToolButton* matricesButton_ = nullptr;
  QMenu* matricesMenu_ = nullptr;
  QSet<QString> hidden_;  // matrix names the user hid
  QVector<Series> series_;
};

}  // namespace ms
