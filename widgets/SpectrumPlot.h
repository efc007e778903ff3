// SpectrumPlot: singular values of one layer's weight matrices (rank on x, sigma on a log y)
// for 1..N runs, each run at its snapshot nearest to the chosen step. The matrix is chosen by
// name: one matrix (attn.q ... mlp.out and the composites qk = W_q^T W_k, vo = W_o W_v, labelled
// as sums over heads), "" for all of them, or the per-head composites "heads:qk" (W_QK^h) /
// "heads:ov" (W_OV^h), head_dim singular values per head.
//  - One run: one plot. A single matrix has earlier snapshots overlaid in fading colour to show
//    how the spectrum moved; "all matrices" draws every matrix on the plot (one colour each);
//    the per-head composites draw one curve per head.
//  - N runs: each run's curve in its colour (no earlier-snapshot overlays); "all matrices"
//    draws one panel per matrix kind and the per-head composites one panel per head, the runs
//    overlaid in each. A run without the layer or matrix is listed as missing under the plot.
// Optionally normalised by the largest singular value (sigma_i / sigma_1) to compare shapes.
// The View combo switches to the ESD: the density of the eigenvalues lambda = sigma^2 on log-log
// axes (log-spaced bins) with WeightWatcher's power-law fit from lambda_min, a straight line of
// slope -alpha (dashed, the curve's colour); the per-head composites always show singular values.
// Metrics (DESIGN.md section 4: eRank, normalized entropy, TopE_10, Q75/Q25, stable rank, update
// alignment; docs/metrics.md: alpha, weighted alpha, KS distance, lambda_min) are text elements
// under the plot, so they are part of exported images: for one run in a few compact columns (a
// table over matrices or heads when several are shown), for N runs a table with a row per run.
// The legend sits outside the axis rects: a narrow column at the right of a single panel, a row
// under several panels. The controls row fits a ~700 px dock.
#pragma once

#include <QStringList>
#include <QVector>

#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QCPAxisRect;
class QCPGraph;
class QCPLegend;
class QCPTextElement;

namespace ms {

class StepSlider;

class SpectrumPlot : public PlotBase {
  Q_OBJECT
 public:
  // matrixName() values of the per-head composites; their items are "heads:qk:<h>".
  static constexpr const char* kMatrixHeadsQK = "heads:qk";
  static constexpr const char* kMatrixHeadsOV = "heads:ov";
  // Per-head composite shown (the index-style view of matrixName()).
  enum HeadComposite { kNoHeads = 0, kHeadsQK = 1, kHeadsOV = 2 };
  // What the plot shows: sigma_i against rank i, or the ESD of lambda = sigma^2.
  enum View { kSingularValues = 0, kEsd = 1 };

  // One drawn curve: run index, item (matrix name or "heads:<qk|ov>:<h>"), its snapshot, the
  // graph and, in the ESD view, the fitted power law (nullptr where alpha is NaN).
  struct Curve {
    int run = 0;
    QString matrix;
    int snapshot = -1;  // index into the run's snapshots
    qint64 step = 0;
    bool overlay = false;  // an earlier snapshot under the selected one (one run only)
    QCPGraph* graph = nullptr;
    QCPGraph* fit = nullptr;
  };

  explicit SpectrumPlot(RunModel* model, QWidget* parent = nullptr);
  explicit SpectrumPlot(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  int layer() const { return layer_; }
  QString matrixName() const { return matrix_; }  // "" = all, or kMatrixHeads*
  // Index of matrixName() in allMatrixNames(); -1 for all matrices or a per-head composite.
  int matrix() const;
  int headComposite() const;  // kNoHeads, kHeadsQK or kHeadsOV, from matrixName()
  int view() const { return view_; }
  qint64 step() const { return step_; }  // -1 = latest
  bool normalized() const { return normalized_; }
  bool overlayEarlier() const { return overlay_; }
  // Snapshot index drawn for run i (nearest to step()); -1 when it has none.
  int snapshotIndexOf(int run) const;

  // Items drawn (matrix names or "heads:<kind>:<h>"): one panel each with N runs, all in one
  // panel with one run. Valid after a rebuild.
  QStringList shownMatrices() const { return items_; }
  int panelCount() const { return static_cast<int>(rects_.size()); }
  QCPAxisRect* panel(int i) const { return rects_.value(i); }
  QCPLegend* legend() const;
  // The last rebuild's curves, run-major then item order, earlier-snapshot overlays (oldest
  // first) before the selected snapshot's curve. currentGraphs() / fitGraphs() / overlayGraphs()
  // are views of them: the selected snapshot's graphs, their fits (ESD view only, else empty),
  // and the overlays.
  const QVector<Curve>& curves() const { return curves_; }
  QVector<QCPGraph*> currentGraphs() const;
  QVector<QCPGraph*> fitGraphs() const;
  QVector<QCPGraph*> overlayGraphs() const;
  // Runs not drawn (or partly drawn), with the reason: "B: no layer 3 (it has 2)".
  QStringList missing() const { return missing_; }
  // The metrics under the plot (all blocks, separated by blank lines).
  QString metricsText() const;
  // Matrix names over all runs, in first-seen order; the largest layer count.
  QStringList allMatrixNames() const;
  int maxLayers() const;
  StepSlider* stepSlider() const { return slider_; }
  void setStepControlVisible(bool visible);

  // Singular-value view (matrices and per-head composites): run,label,step,layer,matrix,rank,
  // sigma, one row per singular value drawn (sigma as stored, also when normalised; per-head
  // items are "heads:<kind>:<h>"). ESD view: run,label,step,layer,matrix,lambda_lo,lambda_hi,
  // density,alpha,alpha_weighted,alpha_ks,alpha_xmin, one row per ESD bin drawn.
  QString csv() const override;

 public slots:
  void setLayer(int layer);
  void setMatrixName(const QString& name);  // "" = all, kMatrixHeadsQK / kMatrixHeadsOV
  void setMatrix(int index);                // index into allMatrixNames(); -1 = all
  void setHeadComposite(int kind);          // kNoHeads: back to the last matrix choice
  void setStep(qint64 step);                // < 0: the latest
  void setNormalized(bool on);
  void setOverlayEarlier(bool on);
  void setView(int view);  // kSingularValues or kEsd

 signals:
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  void setup();
  void syncCombos();
  bool esdShown() const;  // the ESD view applies (not for the per-head composites)
  bool perHead() const;
  int liveRunCount() const;
  QStringList headItems() const;
  // The metrics of one item in s at the layer; nullptr when s lacks it or (per-head, from an
  // older file) holds only NaN.
  const SpectrumMetrics* itemMetrics(const Snapshot& s, const QString& item) const;
  QString itemLabel(const QString& item) const;  // legend / table label
  QString panelTitle(const QString& item) const;
  // Lays out panels, legend column, metrics row and note; reuses the layout (and so the user's
  // zoom) when nothing about it changed.
  void layoutPanels(int panels, bool multi, int metricBlocks, bool note);
  QStringList singleRunMetrics(int run, const Snapshot& s) const;
  QString runTable(const QVector<int>& shownRuns) const;

  int layer_ = 0;
  QString matrix_;      // "" = all
  QString lastMatrix_;  // last choice that was not a per-head composite
  qint64 step_ = -1;
  int view_ = kSingularValues;
  bool normalized_ = false;
  bool overlay_ = true;
  QComboBox* viewCombo_ = nullptr;
  QComboBox* layerCombo_ = nullptr;
  QComboBox* matrixCombo_ = nullptr;
  QCheckBox* normCheck_ = nullptr;
  QCheckBox* overlayCheck_ = nullptr;
  StepSlider* slider_ = nullptr;
  QCPAxisRect* main_ = nullptr;  // PlotBase's axis rect: panel 0, kept across layouts
  QCPLegend* legend_ = nullptr;
  bool legendInRow_ = false;  // under several panels: its columns are fitted to the width  //
                              // plot()->legend, moved to the column at the right
  QString layoutKey_;
  QStringList items_;
  QVector<QCPAxisRect*> rects_;
  QVector<QCPTextElement*> metrics_;
  QCPTextElement* note_ = nullptr;
  QVector<Curve> curves_;
  QStringList missing_;
};

}  // namespace ms
