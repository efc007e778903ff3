// ComparePRHeatmap: the participation ratio (PR_sv or PR_cov of q, k, v or the head output,
// DESIGN.md section 4) per layer and head of several runs side by side, at one training step
// (each run shows its snapshot nearest to that step), on one shared colour scale, plus the
// difference B - A of two chosen runs on a diverging scale centred at 0 (blue: B lower, red:
// B higher). The difference needs equal layers x heads; otherwise the panel says why instead of
// drawing. Runs are laid out four to a row.
#pragma once

#include <QVector>
#include <vector>

#include "CompareBase.h"
#include "PRHeatmap.h"

class QComboBox;
class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPMarginGroup;
class QCPTextElement;

namespace ms {

class StepSlider;

class ComparePRHeatmap : public CompareBase {
  Q_OBJECT
 public:
  enum Panels { MapsAndDifference = 0, MapsOnly = 1, DifferenceOnly = 2 };
  static constexpr int kMapsPerRow = 4;

  explicit ComparePRHeatmap(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  int tensor() const { return act_; }  // ms::Act
  PRHeatmap::Metric metric() const { return metric_; }
  Panels panels() const { return panels_; }
  qint64 step() const { return step_; }    // the wanted step, -1 = latest
  int referenceRun() const { return a_; }  // A of B - A
  int otherRun() const { return b_; }      // B of B - A

  // The snapshot shown for run i (nearest to step()); -1 when it has none.
  int snapshotIndexOf(int run) const;
  // Why B - A cannot be drawn ("" when it can): fewer than two runs, a run without snapshots,
  // or different layers x heads.
  QString differenceProblem() const;
  // B - A per cell, row-major by layer (layer * heads + head); empty when it cannot be drawn.
  std::vector<double> difference() const;
  // The PR value of a cell of run i at its shown snapshot (NaN when absent).
  double cellValue(int run, int layer, int head) const;

  QCPColorMap* map(int run) const;  // nullptr when not drawn
  QCPColorMap* differenceMap() const { return diffMap_; }
  QCPColorScale* colorScale() const { return scale_; }
  QCPColorScale* differenceScale() const { return diffScale_; }
  StepSlider* stepSlider() const { return slider_; }
  void setStepControlVisible(bool visible);

  // panel,run,label,step,layer,head,value: the maps of every run, then the difference.
  QString csv() const override;

 public slots:
  void setTensor(int act);
  void setMetric(ms::PRHeatmap::Metric metric);
  void setPanels(ms::ComparePRHeatmap::Panels panels);
  void setStep(qint64 step);   // < 0: the latest
  void setPair(int a, int b);  // B - A

 signals:
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  int layersOf(int run) const;
  int headsOf(int run) const;
  void syncCombos();
  void clearPanels();
  QCPAxisRect* newMapRect(QCPLayoutGrid* grid, int row, int col, const QString& title);

  int act_ = kActK;
  PRHeatmap::Metric metric_ = PRHeatmap::PrSv;
  Panels panels_ = MapsAndDifference;
  qint64 step_ = -1;
  int a_ = 0, b_ = 1;

  QComboBox* actCombo_ = nullptr;
  QComboBox* metricCombo_ = nullptr;
  QComboBox* aCombo_ = nullptr;
  QComboBox* bCombo_ = nullptr;
  StepSlider* slider_ = nullptr;

  QVector<QCPColorMap*> maps_;  // per run, nullptr when not drawn
  QVector<QCPAxisRect*> rects_;
  QCPColorMap* diffMap_ = nullptr;
  QCPAxisRect* diffRect_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QCPColorScale* diffScale_ = nullptr;
  QCPMarginGroup* group_ = nullptr;
};

}  // namespace ms
