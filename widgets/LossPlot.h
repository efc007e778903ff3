// LossPlot: training loss (every step, raw and EMA-smoothed) and validation loss over steps,
// tokens or wall time, with a log-y toggle, a smoothing slider and a hover read-out.
// Smoothing is the debiased EMA of TensorBoard: s_t = b s_{t-1} + (1 - b) x_t with s_0 = 0,
// shown as s_t / (1 - b^t), so the first point equals x_1 and a constant series stays constant.
// A run with validation rows only (inspected checkpoints: the probe loss of each) shows just
// those points, in the legend and the hover read-out.
#pragma once

#include <vector>

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
  enum XAxis { XStep = 0, XTokens = 1, XWallTime = 2 };

  explicit LossPlot(RunModel* model, QWidget* parent = nullptr);

  XAxis xAxisMode() const { return xMode_; }
  bool logY() const { return logY_; }
  double smoothing() const { return smoothing_; }  // b in [0, 0.999]

  QCPGraph* trainGraph() const { return train_; }        // raw per-step loss
  QCPGraph* smoothedGraph() const { return smoothed_; }  // debiased EMA of the train loss
  QCPGraph* valGraph() const { return val_; }
  // The hover read-out (empty while the mouse is not over the data).
  QString hoverText() const;

  QString csv() const override;

  // Debiased EMA (see the file comment). Non-finite inputs are skipped (output NaN there) and
  // do not advance t. b = 0 returns x unchanged.
  static std::vector<double> emaDebiased(const std::vector<double>& x, double b);

 public slots:
  void setXAxisMode(ms::LossPlot::XAxis mode);
  void setLogY(bool on);
  void setSmoothing(double b);  // clamped to [0, 0.999]

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;

 private:
  double xOf(const StepRecord& s) const;
  double xOf(const ValRecord& v) const;
  void updateHover(QMouseEvent* event);

  XAxis xMode_ = XStep;
  bool logY_ = false;
  double smoothing_ = 0.6;
  QComboBox* xCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QSlider* smoothSlider_ = nullptr;
  QLabel* smoothLabel_ = nullptr;
  QCPGraph* train_ = nullptr;
  QCPGraph* smoothed_ = nullptr;
  QCPGraph* val_ = nullptr;
  QCPItemTracer* tracer_ = nullptr;
  QCPItemText* hoverText_ = nullptr;
  std::vector<double> smoothedValues_;  // parallel to the model's steps at the last rebuild
};

}  // namespace ms
