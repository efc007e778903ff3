// PRHeatmap: participation ratio (PR_sv or PR_cov of q, k, v or the head output, DESIGN.md
// section 4) per layer and head of 1..N runs at one training step (each run shows its snapshot
// nearest to it).
//  - One layers x heads map per run (small multiples, up to four to a row, titled with the run
//    label and its step), all on ONE colour scale: "Fit to data" (default: the range of the
//    drawn values, printed in the scale label "PR_sv of k, range [a, b]") or "Fixed
//    [1, head_dim]" (the largest head_dim of the runs). Collapsed heads (PR_sv(k) <
//    collapse_frac * head_dim, as flagged by the trainer) are outlined with a "×".
//  - One run: beside its map, layers x time (mean over heads per snapshot) with the shown
//    snapshot outlined; clicking a column selects that step.
//  - Two or more runs: the difference B - A of a pair (the two runs, or any pair chosen with
//    setPair) on a diverging scale centred at 0 (blue: B lower, red: B higher). Runs of
//    different layers x heads cannot be subtracted: the panel says why (differenceProblem()).
// Hovering a cell shows run, layer, head and value (hoverText()); cells at least 28 x 16 px on
// screen show their value as text, in black or white, whichever reads on the cell. Clicking a
// cell of any map emits layerClicked and headClicked.
#pragma once

#include <QString>
#include <QVector>
#include <vector>

#include "PlotBase.h"

class QComboBox;
class QCPAbstractItem;
class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QCPLayoutGrid;
class QCPMarginGroup;
class QCPTextElement;
class QMouseEvent;

namespace ms {

class StepSlider;

class PRHeatmap : public PlotBase {
  Q_OBJECT
 public:
  enum Metric { PrSv = 0, PrCov = 1 };
  enum Panels { MapsAndDifference = 0, MapsOnly = 1, DifferenceOnly = 2 };
  enum ScaleMode { FitToData = 0, FixedHeadDim = 1 };
  static constexpr int kMapsPerRow = 4;
  // Cells at least this large on screen show their value as text.
  static constexpr int kValueTextMinWidth = 28, kValueTextMinHeight = 16;

  explicit PRHeatmap(RunModel* model, QWidget* parent = nullptr);
  explicit PRHeatmap(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  int tensor() const { return act_; }  // ms::Act
  Metric metric() const { return metric_; }
  Panels panels() const { return panels_; }
  ScaleMode scaleMode() const { return scaleMode_; }
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
  // Mean over the heads of a layer of run i at its snapshot `snapshot` (NaN when absent).
  double meanOverHeads(int run, int snapshot, int layer) const;

  QCPColorMap* map(int run) const;      // layers x heads (x head, y layer); nullptr: none
  QCPAxisRect* mapRect(int run) const;  // nullptr when not drawn
  QCPColorMap* timeMap() const { return timeMap_; }  // one run only (x = snapshot index)
  QCPAxisRect* timeRect() const { return timeRect_; }
  QCPColorMap* differenceMap() const { return diffMap_; }
  QCPAxisRect* differenceRect() const { return diffRect_; }
  QCPColorScale* colorScale() const { return scale_; }
  QCPColorScale* differenceScale() const { return diffScale_; }
  // "PR_sv of k, range [a, b]": the metric, tensor and the range of the colour scale.
  QString colorScaleLabel() const { return scaleLabel_; }
  int collapsedMarkCount() const { return collapsedMarks_; }
  // Number of cells whose value is shown as text after the last layout (replot).
  int valueTextCount() const;
  // What hovering shows ("" when the pointer is over no cell).
  QString hoverText() const { return hoverText_; }
  StepSlider* stepSlider() const { return slider_; }
  void setStepControlVisible(bool visible);

  // panel,run,label,step,layer,head,value: the maps of every run, then the difference; one run
  // adds its layers x time map (panel "mean_over_heads", head empty).
  QString csv() const override;

 public slots:
  void setTensor(int act);  // kActQ .. kActOut
  void setMetric(ms::PRHeatmap::Metric metric);
  void setPanels(ms::PRHeatmap::Panels panels);
  void setScaleMode(ms::PRHeatmap::ScaleMode mode);
  void setStep(qint64 step);   // < 0: the latest
  void setPair(int a, int b);  // B - A

 signals:
  void layerClicked(int layer);
  void headClicked(int layer, int head);
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;
  void runsReset() override;

 private:
  QString fitTitle(const QString& label, int columns) const;  // elided to a map's width
  struct ValueTexts {  // the value texts of one map, shown when its cells are large enough
    QCPAxisRect* rect = nullptr;
    std::vector<QCPItemText*> items;
  };

  void init();
  int layersOf(int run) const;
  int headsOf(int run) const;
  const std::vector<double>* values(const LayerMetrics& lm) const;  // selected metric/tensor
  QString metricText() const;                                       // "PR_sv of k"
  void syncCombos();
  void clearPanels();
  QString layoutKey() const;
  void buildLayout();
  void fill();
  QCPAxisRect* newMapRect(QCPLayoutGrid* grid, int row, int col, QCPTextElement** title);
  QCPColorScale* newScale(QCPLayoutGrid* grid, int row, int col);
  void addCollapsedMarks(int run);
  void addValueTexts(QCPColorMap* map, QCPAxisRect* rect, int nx, int ny);
  void updateValueTexts();  // after each layout: show texts where cells are large enough
  void onMouseRelease(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);

  int act_ = kActK;
  Metric metric_ = PrSv;
  Panels panels_ = MapsAndDifference;
  ScaleMode scaleMode_ = FitToData;
  qint64 step_ = -1;
  int a_ = 0, b_ = 1;

  QComboBox* actCombo_ = nullptr;
  QComboBox* metricCombo_ = nullptr;
  QComboBox* scaleCombo_ = nullptr;
  QComboBox* aCombo_ = nullptr;
  QComboBox* bCombo_ = nullptr;
  QWidget* pairLabel_ = nullptr;
  QWidget* minusLabel_ = nullptr;
  StepSlider* slider_ = nullptr;

  QString layoutKey_;           // the structure built; a rebuild with the same key only refills
  QVector<QCPColorMap*> maps_;  // per run, nullptr when not drawn
  QVector<QCPAxisRect*> rects_;
  QVector<QCPTextElement*> titles_;
  QCPAxisRect* timeRect_ = nullptr;
  QCPColorMap* timeMap_ = nullptr;
  QCPItemRect* selectedColumn_ = nullptr;
  QCPAxisRect* diffRect_ = nullptr;
  QCPColorMap* diffMap_ = nullptr;
  QCPTextElement* diffTitle_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QCPColorScale* diffScale_ = nullptr;
  QCPMarginGroup* group_ = nullptr;
  std::vector<QCPAbstractItem*> cellItems_;  // collapsed marks and value texts, refilled
  std::vector<ValueTexts> valueTexts_;
  int collapsedMarks_ = 0;
  QString scaleLabel_;
  QString hoverText_;
  QPoint pressPos_;
};

}  // namespace ms
