// LossPlot: train/val loss with debiased EMA smoothing and hover read-out (see LossPlot.h).
#include "LossPlot.h"
#include "PlotUtil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

namespace ms {

LossPlot::LossPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setObjectName(QStringLiteral("loss"));
  setInterest(kInfo | kSteps | kVals);
  setTitle(tr("Loss"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("X axis:"), this));
  xCombo_ = new QComboBox(this);
  xCombo_->addItem(tr("Step"), XStep);
  xCombo_->addItem(tr("Tokens"), XTokens);
  xCombo_->addItem(tr("Wall time"), XWallTime);
  ctl->addWidget(xCombo_);
  logCheck_ = new QCheckBox(tr("Log scale"), this);
  ctl->addWidget(logCheck_);
  ctl->addSpacing(12);
  ctl->addWidget(new QLabel(tr("Smoothing:"), this));
  smoothSlider_ = new QSlider(Qt::Horizontal, this);
  smoothSlider_->setRange(0, 999);
  smoothSlider_->setValue(qRound(smoothing_ * 1000));
  smoothSlider_->setToolTip(tr("Exponential moving average weight b (debiased)"));
  ctl->addWidget(smoothSlider_, 1);
  smoothLabel_ = new QLabel(QString::number(smoothing_, 'f', 3), this);
  smoothLabel_->setMinimumWidth(smoothLabel_->fontMetrics().horizontalAdvance("0.000 "));
  ctl->addWidget(smoothLabel_);

  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(logCheck_, &QCheckBox::toggled, this, &LossPlot::setLogY);
  connect(smoothSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });

  QCustomPlot* p = plot();
  train_ = p->addGraph();
  train_->setName(tr("train (raw)"));
  smoothed_ = p->addGraph();
  smoothed_->setName(tr("train (smoothed)"));
  val_ = p->addGraph();
  val_->setName(tr("validation"));
  val_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
  p->xAxis->setLabel(tr("Step"));
  p->yAxis->setLabel(tr("Loss (nats/token)"));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

  // Hover read-out on its own buffered layer, so moving the mouse does not redraw the data.
  p->addLayer(QStringLiteral("hover"), p->layer(QStringLiteral("legend")), QCustomPlot::limAbove);
  p->layer(QStringLiteral("hover"))->setMode(QCPLayer::lmBuffered);
  tracer_ = new QCPItemTracer(p);
  tracer_->setLayer(QStringLiteral("hover"));
  tracer_->setInterpolating(false);
  tracer_->setStyle(QCPItemTracer::tsCircle);
  tracer_->setSize(8);
  tracer_->setVisible(false);
  hoverText_ = new QCPItemText(p);
  hoverText_->setLayer(QStringLiteral("hover"));
  hoverText_->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
  hoverText_->setTextAlignment(Qt::AlignLeft);
  hoverText_->position->setType(QCPItemPosition::ptAxisRectRatio);
  hoverText_->position->setCoords(0.01, 0.01);
  hoverText_->setPadding(QMargins(4, 2, 4, 2));
  hoverText_->setVisible(false);
  connect(p, &QCustomPlot::mouseMove, this, &LossPlot::updateHover);

  applyPalette();
}

std::vector<double> LossPlot::emaDebiased(const std::vector<double>& x, double b) {
  std::vector<double> out(x.size(), kNaN);
  double s = 0.0, bt = 1.0;  // running EMA and b^t
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) continue;
    s = b * s + (1.0 - b) * x[i];
    bt *= b;
    out[i] = s / (1.0 - bt);
  }
  return out;
}

void LossPlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  xCombo_->setCurrentIndex(xCombo_->findData(mode));
  scheduleReset();  // a different x quantity: the old x range means nothing
}

void LossPlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  logCheck_->setChecked(on);
  plotutil::setLogScale(plot()->yAxis, on);
  scheduleReset();
}

void LossPlot::setSmoothing(double b) {
  b = std::clamp(std::isfinite(b) ? b : 0.0, 0.0, 0.999);
  if (b == smoothing_) return;
  smoothing_ = b;
  {
    const QSignalBlocker block(smoothSlider_);
    smoothSlider_->setValue(qRound(b * 1000));
  }
  smoothLabel_->setText(QString::number(b, 'f', 3));
  scheduleRefresh();
}

double LossPlot::xOf(const StepRecord& s) const {
  switch (xMode_) {
    case XTokens:
      return static_cast<double>(s.tokens);
    case XWallTime:
      return s.wall_s;
    default:
      return static_cast<double>(s.step);
  }
}

double LossPlot::xOf(const ValRecord& v) const {
  switch (xMode_) {
    case XTokens:
      return static_cast<double>(v.tokens);
    case XWallTime:
      return v.wall_s;
    default:
      return static_cast<double>(v.step);
  }
}

void LossPlot::rebuild() {
  static const std::vector<StepRecord> kNoSteps;
  static const std::vector<ValRecord> kNoVals;
  const auto& steps = model() ? model()->steps() : kNoSteps;
  const auto& vals = model() ? model()->vals() : kNoVals;

  const int n = static_cast<int>(steps.size());
  QVector<double> xs(n), raw(n), sm(n);
  std::vector<double> loss(n);
  bool sorted = true;
  for (int i = 0; i < n; ++i) {
    xs[i] = xOf(steps[i]);
    raw[i] = loss[i] = steps[i].loss;
    if (i > 0 && xs[i] < xs[i - 1]) sorted = false;
  }
  smoothedValues_ = emaDebiased(loss, smoothing_);
  for (int i = 0; i < n; ++i) sm[i] = smoothedValues_[i];
  train_->setData(xs, raw, sorted);
  smoothed_->setData(xs, sm, sorted);

  const int nv = static_cast<int>(vals.size());
  QVector<double> vx(nv), vy(nv);
  for (int i = 0; i < nv; ++i) {
    vx[i] = xOf(vals[i]);
    vy[i] = vals[i].loss;
  }
  val_->setData(vx, vy);
  // A run without training steps (checkpoints inspected here: one probe loss per checkpoint)
  // lists only its validation points; the empty train curves would be noise in the legend.
  for (QCPGraph* g : {train_, smoothed_}) {
    if (n > 0)
      g->addToLegend();
    else
      g->removeFromLegend();
  }

  static const char* labels[] = {QT_TR_NOOP("Step"), QT_TR_NOOP("Tokens"),
                                 QT_TR_NOOP("Wall time (s)")};
  plot()->xAxis->setLabel(tr(labels[xMode_]));
  if (n == 0 && nv == 0)
    setPlaceholderText(tr("No loss recorded yet."));
  else
    setPlaceholderText(QString());
}

void LossPlot::resetRanges() {
  QCustomPlot* p = plot();
  if (train_->data()->isEmpty() && val_->data()->isEmpty()) return;
  p->rescaleAxes(true);
  // Points only (no training curve): a margin, so the first and last markers are not cut.
  if (train_->data()->isEmpty()) {
    const QCPRange x = p->xAxis->range();
    const double pad = std::max(0.04 * x.size(), 0.5);
    p->xAxis->setRange(x.lower - pad, x.upper + pad);
  }
  // Room above and below the curves; on a log axis scaleRange is multiplicative.
  const QCPRange r = p->yAxis->range();
  if (logY_) {
    p->yAxis->setRange(r.lower / 1.1, r.upper * 1.1);
  } else {
    const double pad = std::max(0.05 * r.size(), 1e-9);
    p->yAxis->setRange(r.lower - pad, r.upper + pad);
  }
}

void LossPlot::applyPalette() {
  PlotBase::applyPalette();
  QColor faded = seriesColor(0);
  faded.setAlpha(70);
  train_->setPen(QPen(faded, 1));
  smoothed_->setPen(QPen(seriesColor(0), 2));
  val_->setPen(QPen(seriesColor(1), 2));
  val_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(seriesColor(1), 1.5),
                                        QBrush(backgroundColor()), 6));
  tracer_->setPen(QPen(textColor(), 1.5));
  tracer_->setBrush(Qt::NoBrush);
  QColor box = backgroundColor();
  box.setAlpha(220);
  hoverText_->setBrush(QBrush(box));
  hoverText_->setPen(QPen(gridColor()));
  hoverText_->setColor(textColor());
}

void LossPlot::updateHover(QMouseEvent* event) {
  QCustomPlot* p = plot();
  // The tracer follows the smoothed train curve, or the validation points of a run that has no
  // training steps (inspected checkpoints).
  const bool haveTrain = !smoothed_->data()->isEmpty();
  QCPGraph* followed = haveTrain ? smoothed_ : val_;
  const bool inside = p->axisRect()->rect().contains(event->pos()) && !followed->data()->isEmpty();
  if (!inside) {
    if (tracer_->visible()) {
      tracer_->setVisible(false);
      hoverText_->setVisible(false);
      p->layer(QStringLiteral("hover"))->replot();
    }
    return;
  }
  const double key = p->xAxis->pixelToCoord(event->pos().x());
  tracer_->setGraph(followed);  // (set here: setGraph on an empty graph logs a warning)
  tracer_->setGraphKey(key);
  tracer_->setVisible(true);
  tracer_->updatePosition();
  const double x = tracer_->position->key();
  double rawV = kNaN;
  auto it = train_->data()->findBegin(x, false);
  if (it != train_->data()->constEnd()) rawV = it->value;
  static const char* names[] = {QT_TR_NOOP("step"), QT_TR_NOOP("tokens"), QT_TR_NOOP("time")};
  const QString where =
      xMode_ == XWallTime ? QString::number(x, 'f', 1) + tr(" s") : QString::number(qint64(x));
  QString text = haveTrain
                     ? tr("%1 %2\ntrain %3 (smoothed %4)")
                           .arg(tr(names[xMode_]))
                           .arg(where)
                           .arg(rawV, 0, 'g', 5)
                           .arg(tracer_->position->value(), 0, 'g', 5)
                     : tr("%1 %2", "hover read-out: quantity, value").arg(tr(names[xMode_]), where);
  // Nearest validation point, if any.
  if (!val_->data()->isEmpty()) {
    auto vit = val_->data()->findBegin(x, true);
    auto best = vit;
    if (vit != val_->data()->constEnd()) {
      auto next = vit + 1;
      if (next != val_->data()->constEnd() && std::abs(next->key - x) < std::abs(vit->key - x))
        best = next;
      text += tr("\nval %1 (at %2)").arg(best->value, 0, 'g', 5).arg(best->key, 0, 'g', 7);
    }
  }
  hoverText_->setText(text);
  hoverText_->setVisible(true);
  p->layer(QStringLiteral("hover"))->replot();
}

QString LossPlot::hoverText() const {
  return hoverText_->visible() ? hoverText_->text() : QString();
}

QString LossPlot::csv() const {
  QString out = QStringLiteral("series,step,tokens,wall_s,loss,loss_smoothed\n");
  if (!model()) return out;
  const auto& steps = model()->steps();
  std::vector<double> loss(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) loss[i] = steps[i].loss;
  const std::vector<double> sm = emaDebiased(loss, smoothing_);
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    out += QStringLiteral("train,%1,%2,%3,%4,%5\n")
               .arg(s.step)
               .arg(s.tokens)
               .arg(csvNumber(s.wall_s), csvNumber(s.loss), csvNumber(sm[i]));
  }
  for (const auto& v : model()->vals())
    out += QStringLiteral("val,%1,%2,%3,%4,\n")
               .arg(v.step)
               .arg(v.tokens)
               .arg(csvNumber(v.wall_s), csvNumber(v.loss));
  return out;
}

}  // namespace ms
