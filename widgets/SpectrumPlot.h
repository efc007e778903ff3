// SpectrumPlot: singular values of one layer's weight matrices (rank on x, sigma on a log y)
// at the selected snapshot, one matrix or all of them (attn.q ... mlp.out and the composites
// qk = W_q^T W_k, vo = W_o W_v, labelled as sums over heads). For a single matrix, earlier
// snapshots are overlaid in fading colour to show how the spectrum moved. The per-head
// composites W_QK^h / W_OV^h of the layer (the maps each head applies, head_dim singular
// values each) are drawn as one curve per head instead, with a per-head metrics table. Its isotropy
// metrics (eRank, normalized entropy, TopE_10, Q75/Q25, stable rank, update alignment; DESIGN.md
// section 4) and WeightWatcher's power-law fit (alpha, weighted alpha, KS distance, lambda_min;
// docs/metrics.md) are printed beside the plot as a text element, so they are part of exported
// images too. The View combo switches a matrix's plot to its ESD: the density of the eigenvalues
// lambda = sigma^2 on log-log axes (log-spaced bins) with the fitted power law from lambda_min,
// a straight line of slope -alpha.
#pragma once

#include <QVector>

#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QCPGraph;
class QCPTextElement;

namespace ms {

class SnapshotSlider;

class SpectrumPlot : public PlotBase {
  Q_OBJECT
 public:
  explicit SpectrumPlot(RunModel* model, QWidget* parent = nullptr);

  int layer() const { return layer_; }
  int matrix() const { return matrix_; }  // index into the run's matrix names, -1 = all
  // Per-head composites shown instead of matrix(): kNoHeads, kHeadsQK (W_QK^h) or kHeadsOV.
  enum HeadComposite { kNoHeads = 0, kHeadsQK = 1, kHeadsOV = 2 };
  int headComposite() const { return heads_; }
  // What a matrix's plot shows: sigma_i against rank i, or the ESD of lambda = sigma^2. The
  // per-head composites always show singular values (too few eigenvalues for an ESD).
  enum View { kSingularValues = 0, kEsd = 1 };
  int view() const { return view_; }
  int snapshotIndex() const;  // -1 when there are no snapshots
  bool overlayEarlier() const { return overlay_; }

  // Graphs of the selected snapshot, one per shown matrix, in matrix order (one when a single
  // matrix is selected; one per head, in head order, for a per-head composite). Valid until the
  // next rebuild.
  QVector<QCPGraph*> currentGraphs() const { return current_; }
  QVector<QCPGraph*> overlayGraphs() const { return overlays_; }  // earlier snapshots, oldest first
  // ESD view: the fitted power law of each shown matrix with a fit, parallel to currentGraphs()
  // (nullptr where alpha is NaN). Empty in the singular-value view.
  QVector<QCPGraph*> fitGraphs() const { return fits_; }
  QString metricsText() const;
  SnapshotSlider* snapshotSlider() const { return slider_; }
  void setSnapshotControlVisible(bool visible);

  QString csv() const override;

 public slots:
  void setLayer(int layer);
  void setMatrix(int index);        // -1 = all matrices
  void setHeadComposite(int kind);  // kHeadsQK / kHeadsOV; kNoHeads = back to matrix()
  void setMatrixByName(const QString& name);
  void setSnapshot(int index);  // < 0 or the last index: follow the latest
  void setOverlayEarlier(bool on);
  void setView(int view);  // kSingularValues or kEsd

 protected:
  void rebuild() override;
  void resetRanges() override;

 private:
  void syncCombos();
  void rebuildHeads(const Snapshot& s);
  QString headsCsv() const;
  QString esdCsv() const;
  void applyAxes();  // axis scales, tickers and labels of the current view

  int layer_ = 0;
  int matrix_ = -1;
  int heads_ = kNoHeads;
  bool overlay_ = true;
  int view_ = kSingularValues;
  bool esdAxes_ = false;  // the axes are set up for the ESD
  QComboBox* viewCombo_ = nullptr;
  QComboBox* layerCombo_ = nullptr;
  QComboBox* matrixCombo_ = nullptr;
  QCheckBox* overlayCheck_ = nullptr;
  SnapshotSlider* slider_ = nullptr;
  QCPTextElement* metrics_ = nullptr;
  QVector<QCPGraph*> current_, overlays_, fits_;
  QVector<int> shownMatrices_;     // matrix index of each current_ graph
  QVector<int> overlaySnapshots_;  // snapshot index of each overlay graph
};

}  // namespace ms
