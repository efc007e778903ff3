// PRHeatmap: participation ratio per layer and head. Left: a layers x heads colour map at the
// selected snapshot, collapsed heads (PR_sv(k) < collapse_frac * head_dim, as flagged by the
// trainer) marked with an outlined "×". Right: layers x time (mean over heads per snapshot),
// the selected snapshot outlined. One colour scale, labelled with the metric and its range
// ("PR_sv of k, range [1, 16]"). Combos pick the tensor (q, k, v, head output) and PR_sv /
// PR_cov (DESIGN.md section 4); a slider scrubs snapshots. Clicking a cell emits layerClicked
// (and headClicked); clicking the time map also selects that snapshot.
#pragma once

#include <vector>

#include "PlotBase.h"

class QComboBox;
class QCPAbstractItem;
class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QMouseEvent;

namespace ms {

class SnapshotSlider;

class PRHeatmap : public PlotBase {
  Q_OBJECT
 public:
  enum Metric { PrSv = 0, PrCov = 1 };

  explicit PRHeatmap(RunModel* model, QWidget* parent = nullptr);

  int tensor() const { return act_; }  // ms::Act
  Metric metric() const { return metric_; }
  int snapshotIndex() const;  // -1 when there are no snapshots

  QCPAxisRect* snapshotRect() const { return snapRect_; }  // layers x heads (x head, y layer)
  QCPAxisRect* timeRect() const { return timeRect_; }      // layers x time (x = snapshot index)
  QCPColorMap* snapshotMap() const { return snapMap_; }
  QCPColorMap* timeMap() const { return timeMap_; }
  QCPColorScale* colorScale() const { return scale_; }
  SnapshotSlider* snapshotSlider() const { return slider_; }
  QString colorScaleLabel() const;
  int collapsedMarkCount() const { return static_cast<int>(collapsedMarks_.size()) / 2; }
  void setSnapshotControlVisible(bool visible);

  QString csv() const override;

 public slots:
  void setTensor(int act);  // kActQ .. kActOut
  void setMetric(ms::PRHeatmap::Metric metric);
  void setSnapshot(int index);  // < 0 or the last index: follow the latest

 signals:
  void layerClicked(int layer);
  void headClicked(int layer, int head);
  void snapshotChanged(int index);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;

 private:
  const std::vector<double>* values(const LayerMetrics& lm) const;  // selected metric/tensor
  double cellValue(const Snapshot& s, int layer, int head) const;
  double meanOverHeads(const Snapshot& s, int layer) const;
  void onMouseRelease(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);
  void clearMarks();

  int act_ = kActK;
  Metric metric_ = PrSv;
  QComboBox* actCombo_ = nullptr;
  QComboBox* metricCombo_ = nullptr;
  SnapshotSlider* slider_ = nullptr;
  QCPAxisRect* snapRect_ = nullptr;
  QCPAxisRect* timeRect_ = nullptr;
  QCPColorMap* snapMap_ = nullptr;
  QCPColorMap* timeMap_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QCPItemRect* selectedColumn_ = nullptr;
  std::vector<QCPAbstractItem*> collapsedMarks_;  // text + outline per collapsed head
  QPoint pressPos_;
  int layers_ = 0, heads_ = 0, snapshots_ = 0;
};

}  // namespace ms
