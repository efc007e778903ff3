// CompareSpectrum: singular values of the same layer and matrix of every run overlaid on one
// plot (rank on x, sigma on a log y), each run at its snapshot nearest to the chosen step. With
// "all matrices" it draws one panel per matrix kind (attn.q ... mlp.out, qk, vo), runs overlaid
// in each, so a report page shows the whole layer. Optionally normalized by the largest
// singular value (sigma_i / sigma_1) to compare shapes across runs of different scale. Runs of
// different sizes compare fine (each curve has its own length); a run without that layer or
// matrix is listed as missing. The per-head composites (kHeadsQK "heads:qk" = W_QK^h,
// kHeadsOV "heads:ov" = W_OV^h) draw one panel per head instead, runs overlaid in each.
#pragma once

#include <QStringList>
#include <QVector>

#include "CompareBase.h"

class QCheckBox;
class QComboBox;
class QCPAxisRect;
class QCPGraph;

namespace ms {

class StepSlider;

class CompareSpectrum : public CompareBase {
  Q_OBJECT
 public:
  static constexpr int kPanelsPerRow = 3;
  // matrixName() values of the per-head composites; their panels are "heads:qk:<h>".
  static constexpr const char* kHeadsQK = "heads:qk";
  static constexpr const char* kHeadsOV = "heads:ov";

  struct Curve {
    int run = 0;
    QString matrix;
    qint64 step = 0;
    QCPGraph* graph = nullptr;
  };

  explicit CompareSpectrum(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  int layer() const { return layer_; }
  QString matrixName() const { return matrix_; }  // "" = all matrices, one panel each; or kHeads*
  qint64 step() const { return step_; }           // -1 = latest
  bool normalized() const { return normalized_; }
  // Matrix kinds drawn (one panel each; "heads:qk:<h>" per head), and the last rebuild's curves.
  QStringList panelMatrices() const { return panels_; }
  const QVector<Curve>& curves() const { return curves_; }
  QStringList missing() const { return missing_; }
  // Matrix names over all runs, in first-seen order; the largest layer count.
  QStringList allMatrixNames() const;
  int maxLayers() const;
  StepSlider* stepSlider() const { return slider_; }
  void setStepControlVisible(bool visible);

  // run,label,step,layer,matrix,rank,sigma: one row per singular value drawn.
  QString csv() const override;

 public slots:
  void setLayer(int layer);
  void setMatrixName(const QString& name);  // "" = all
  void setStep(qint64 step);                // < 0: the latest
  void setNormalized(bool on);

 signals:
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void runsReset() override;

 private:
  void syncCombos();
  // Singular values of one panel's matrix in s at the layer (a matrix name or "heads:<kind>:<h>");
  // nullptr when s lacks it or (per-head, from an older file) holds only NaN.
  const std::vector<float>* panelSpectrum(const Snapshot& s, const QString& panel) const;
  QString panelTitle(const QString& panel) const;
  QStringList headPanels() const;  // "heads:<kind>:0" .. for the most heads of any run

  int layer_ = 0;
  QString matrix_;
  qint64 step_ = -1;
  bool normalized_ = false;
  QComboBox* layerCombo_ = nullptr;
  QComboBox* matrixCombo_ = nullptr;
  QCheckBox* normCheck_ = nullptr;
  StepSlider* slider_ = nullptr;
  QStringList panels_;
  QVector<QCPAxisRect*> rects_;
  QVector<Curve> curves_;
  QStringList missing_;
};

}  // namespace ms
