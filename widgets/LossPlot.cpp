// LossPlot: train/val loss of 1..N runs with debiased EMA smoothing and a hover read-out (see
// LossPlot.h).
#include "LossPlot.h"
#include "FlowLayout.h"
#include "PlotUtil.h"
#include "SeedBand.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

namespace ms {

namespace {

// The point of g whose key is nearest to x (ties: the earlier one); end() when g is empty.
QCPGraphDataContainer::const_iterator nearestPoint(const QCPGraph* g, double x) {
  const auto data = g->data();
  auto it = data->findBegin(x, true);
  if (it == data->constEnd()) return it;
  auto next = it + 1;
  if (next != data->constEnd() && std::abs(next->key - x) < std::abs(it->key - x)) return next;
  return it;
}

}  // namespace

LossPlot::LossPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  init();
}

LossPlot::LossPlot(const QVector<RunModel*>& runs, QWidget* parent) : PlotBase(runs, parent) {
  init();
}

void LossPlot::init() {
  setObjectName(QStringLiteral("loss"));
  setInterest(kInfo | kSteps | kVals);
  setTitle(tr("Loss"));

  auto* ctl = controlsLayout();
  auto* xText = new QLabel(tr("X axis:"), this);
  ctl->addWidget(xText);
  xCombo_ = newXAxisCombo();
  ctl->addWidget(xCombo_);
  logCheck_ = new QCheckBox(tr("Log scale"), this);
  ctl->addWidget(logCheck_);
  auto* smoothText = new QLabel(tr("Smoothing:"), this);
  ctl->addWidget(smoothText);
  smoothSlider_ = new QSlider(Qt::Horizontal, this);
  smoothSlider_->setRange(0, 999);
  smoothSlider_->setValue(qRound(smoothing_ * 1000));
  smoothSlider_->setToolTip(tr("Exponential moving average weight b (debiased), every run"));
  ctl->addWidget(smoothSlider_);
  smoothLabel_ = new QLabel(QString::number(smoothing_, 'f', 3), this);
  smoothLabel_->setMinimumWidth(smoothLabel_->fontMetrics().horizontalAdvance("0.000 "));
  ctl->addWidget(smoothLabel_);
  rawCheck_ = new QCheckBox(tr("Raw"), this);
  rawCheck_->setChecked(showRaw_);
  rawCheck_->setToolTip(tr("Also draw the unsmoothed training loss, faded"));
  ctl->addWidget(rawCheck_);
  shared_ << xText << xCombo_ << logCheck_ << smoothText << smoothSlider_ << smoothLabel_;

  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(logCheck_, &QCheckBox::toggled, this, &LossPlot::setLogY);
  connect(smoothSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
  connect(rawCheck_, &QCheckBox::toggled, this, &LossPlot::setShowRaw);

  QCustomPlot* p = plot();
  p->xAxis->setLabel(xLabel(xMode_));
  p->yAxis->setLabel(tr("Loss (nats/token)"));
  placeLegendBelow(p->axisRect());  // a row under the plot, never over the curves

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

void LossPlot::setSharedControlsVisible(bool visible) {
  for (QWidget* w : shared_) w->setVisible(visible);
}

void LossPlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  {
    const QSignalBlocker block(xCombo_);
    xCombo_->setCurrentIndex(xCombo_->findData(mode));
  }
  fullRebuild_ = true;
  scheduleReset();  // a different x quantity: the old x range means nothing
}

void LossPlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  {
    const QSignalBlocker block(logCheck_);
    logCheck_->setChecked(on);
  }
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
  fullRebuild_ = true;
  scheduleRefresh();
}

void LossPlot::setShowRaw(bool on) {
  if (on == showRaw_) return;
  showRaw_ = on;
  {
    const QSignalBlocker block(rawCheck_);
    rawCheck_->setChecked(on);
  }
  scheduleRefresh();
}

void LossPlot::runsReset() {
  fullRebuild_ = true;  // runs changed, cleared, deleted, or their info arrived
}

const LossPlot::RunCurves* LossPlot::curves(int run) const {
  return run >= 0 && run < curves_.size() && curves_[run].model ? &curves_[run] : nullptr;
}

QCPGraph* LossPlot::trainGraph(int run) const {
  const RunCurves* c = curves(run);
  return c ? c->raw : nullptr;
}
QCPGraph* LossPlot::smoothedGraph(int run) const {
  const RunCurves* c = curves(run);
  return c ? c->smoothed : nullptr;
}
QCPGraph* LossPlot::valGraph(int run) const {
  const RunCurves* c = curves(run);
  return c ? c->valGraph : nullptr;
}

const QVector<CurveSeries>& LossPlot::series() const {
  if (seriesDirty_) {
    series_.clear();
    seriesGraphs_.clear();
    for (const RunCurves& c : curves_) {
      if (!c.model) continue;
      if (!c.train.isEmpty()) series_ << c.train, seriesGraphs_ << c.smoothed;
      if (!c.val.isEmpty()) series_ << c.val, seriesGraphs_ << c.valGraph;
    }
    seriesDirty_ = false;
  }
  return series_;
}

QCPGraph* LossPlot::graph(int i) const {
  series();
  return i >= 0 && i < seriesGraphs_.size() ? seriesGraphs_[i] : nullptr;
}

void LossPlot::rebuildAll() {
  QCustomPlot* p = plot();
  p->clearGraphs();
  curves_.clear();
  colorIndices_.clear();
  for (int r = 0; r < runCount(); ++r) {
    RunCurves c;
    c.model = run(r);
    colorIndices_ << runColorIndex(r);
    if (c.model) {
      c.train.run = c.val.run = r;
      c.train.name = QStringLiteral("train");
      c.val.name = QStringLiteral("val");
      addSeedBands(r, c);  // under the run's own curves
      c.raw = p->addGraph();
      c.smoothed = p->addGraph();
      c.valGraph = p->addGraph();
    }
    curves_ << c;
  }
  // Several runs: the legend lists each run once (its colour) and the two line styles once,
  // instead of every run x series: these data-less graphs are its entries.
  runKeys_.clear();
  trainKey_ = valKey_ = nullptr;
  if (runCount() > 1) {
    for (int r = 0; r < runCount(); ++r) runKeys_ << (run(r) ? p->addGraph() : nullptr);
    trainKey_ = p->addGraph();
    valKey_ = p->addGraph();
  }
  fullRebuild_ = false;
}

void LossPlot::addSeedBands(int r, RunCurves& c) {
  // A seed group: the band over its members' smoothed training curves and validation points
  // (the group's own curves are those of the mean run, SeedMean).
  const QVector<RunModel*> members = runMembers(r);
  if (members.size() < 2) return;
  QVector<QVector<double>> tx, ty, vx, vy;
  for (const RunModel* m : members) {
    std::vector<double> loss;
    QVector<double> x;
    for (const StepRecord& st : m->steps()) {
      loss.push_back(st.loss);
      x << xOf(st, xMode_);
    }
    const std::vector<double> sm = emaDebiased(loss, smoothing_);
    tx << x;
    ty << QVector<double>(sm.begin(), sm.end());
    QVector<double> xv, yv;
    for (const ValRecord& v : m->vals()) {
      xv << xOf(v, xMode_);
      yv << v.loss;
    }
    vx << xv;
    vy << yv;
  }
  const QColor colour = runColor(r);
  const QString label = runLabel(r);
  c.trainBand = draw_seed_band(plot()->xAxis, plot()->yAxis, seed_band(tx, ty, seed_band_mode()),
                               colour, label + QStringLiteral(" · train"));
  c.valBand = draw_seed_band(plot()->xAxis, plot()->yAxis, seed_band(vx, vy, seed_band_mode()),
                             colour, label + QStringLiteral(" · val"));
}

QCPGraph* LossPlot::bandGraph(int run, bool validation) const {
  const RunCurves* c = curves(run);
  return c ? (validation ? c->valBand : c->trainBand) : nullptr;
}

void LossPlot::extend(RunCurves& c) {
  const auto& steps = c.model->steps();
  const int first = c.train.size(), n = static_cast<int>(steps.size());
  if (n > first) {
    QVector<double> xs, raw, sm;
    xs.reserve(n - first);
    raw.reserve(n - first);
    sm.reserve(n - first);
    for (int i = first; i < n; ++i) {
      const StepRecord& st = steps[i];
      // The debiased EMA continued from the stored state (as emaDebiased, point by point).
      double s = kNaN;
      if (std::isfinite(st.loss)) {
        c.emaSum = smoothing_ * c.emaSum + (1.0 - smoothing_) * st.loss;
        c.emaPow *= smoothing_;
        s = c.emaSum / (1.0 - c.emaPow);
      }
      const double x = xOf(st, xMode_);
      c.train.x << x;
      c.train.y << st.loss;
      c.train.smoothed << s;
      c.train.step << st.step;
      c.train.tokens << st.tokens;
      c.train.wall << st.wall_s;
      xs << x;
      raw << st.loss;
      sm << s;
    }
    const bool sorted =
        std::is_sorted(xs.begin(), xs.end()) &&
        (c.raw->data()->isEmpty() || xs.front() >= (c.raw->data()->constEnd() - 1)->key);
    c.raw->addData(xs, raw, sorted);
    c.smoothed->addData(xs, sm, sorted);
  }
  const auto& vals = c.model->vals();
  const int vfirst = c.val.size(), nv = static_cast<int>(vals.size());
  if (nv > vfirst) {
    QVector<double> xs, ys;
    for (int i = vfirst; i < nv; ++i) {
      const ValRecord& v = vals[i];
      c.val.append(xOf(v, xMode_), v.loss, v.step, v.tokens, v.wall_s);
      xs << c.val.x.back();
      ys << v.loss;
    }
    c.valGraph->addData(xs, ys);
  }
}

void LossPlot::rebuild() {
  // Anything but new rows (runs, colours, x axis, smoothing, a cleared or deleted run) redraws
  // every run; new rows only extend the runs they belong to.
  bool full = fullRebuild_ || curves_.size() != runCount();
  for (int r = 0; !full && r < runCount(); ++r) {
    const RunCurves& c = curves_[r];
    full = c.model != run(r) || colorIndices_.value(r) != runColorIndex(r) ||
           (c.model && (static_cast<int>(c.model->steps().size()) < c.train.size() ||
                        static_cast<int>(c.model->vals().size()) < c.val.size()));
  }
  if (full) rebuildAll();
  missing_.clear();
  bool anyData = false;
  for (int r = 0; r < curves_.size(); ++r) {
    RunCurves& c = curves_[r];
    if (!c.model) continue;
    extend(c);
    anyData = anyData || !c.train.isEmpty() || !c.val.isEmpty();
    if (c.train.isEmpty() && c.val.isEmpty())
      missing_ << tr("%1: no loss recorded").arg(runLabel(r));
  }
  seriesDirty_ = true;
  styleGraphs();
  updateLegend();

  plot()->xAxis->setLabel(xLabel(xMode_));
  if (!anyData)
    setPlaceholderText(runCount() <= 1
                           ? tr("No loss recorded yet.")
                           : tr("No loss recorded yet:\n") + missing_.join(QLatin1Char('\n')));
  else
    setPlaceholderText(QString());
}

void LossPlot::styleGraphs() {
  for (int r = 0; r < curves_.size(); ++r) {
    const RunCurves& c = curves_[r];
    if (!c.model) continue;
    const QColor colour = runColor(r);
    QColor faded = colour;
    faded.setAlpha(70);
    c.raw->setPen(QPen(faded, 1));
    c.raw->setVisible(showRaw_);
    c.smoothed->setPen(QPen(colour, 2));
    QPen dashed(colour, 1.8);
    dashed.setStyle(CurveSeries::lineStyle(1));
    c.valGraph->setPen(dashed);
    c.valGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 1.5),
                                                QBrush(backgroundColor()), 6));
  }
}

void LossPlot::updateLegend() {
  // One run: "train (raw)", "train (smoothed)", "validation". Several: one entry per run in its
  // colour, then the line styles "train (smoothed)" (solid) and "validation" (dashed, markers).
  // Empty curves stay out of the legend (a run of inspected checkpoints has validation points
  // only). The curves keep their full names ("label · train", "label · val") for the CSV.
  const bool one = runCount() == 1;
  bool anyTrain = false, anyVal = false;
  for (int r = 0; r < curves_.size(); ++r) {
    const RunCurves& c = curves_[r];
    if (!c.model) continue;
    const QString label = runLabel(r);
    c.raw->setName(one ? tr("train (raw)") : tr("%1 · train (raw)").arg(label));
    c.smoothed->setName(one ? tr("train (smoothed)") : tr("%1 · train").arg(label));
    c.valGraph->setName(one ? tr("validation") : tr("%1 · val").arg(label));
    const bool train = !c.train.isEmpty();
    anyTrain = anyTrain || train;
    anyVal = anyVal || !c.val.isEmpty();
    for (QCPGraph* g : {c.raw, c.smoothed, c.valGraph}) {
      const bool listed = one && (g == c.valGraph ? !c.val.isEmpty()
                                  : g == c.raw    ? train && showRaw_
                                                  : train);
      if (listed)
        g->addToLegend();
      else
        g->removeFromLegend();
    }
    if (r < runKeys_.size() && runKeys_[r]) {
      runKeys_[r]->setName(label);
      runKeys_[r]->setPen(QPen(runColor(r), 3));
      runKeys_[r]->addToLegend();
    }
  }
  if (trainKey_) {
    trainKey_->setName(tr("train (smoothed)"));
    trainKey_->setPen(QPen(textColor(), 1.8));
    if (anyTrain)
      trainKey_->addToLegend();
    else
      trainKey_->removeFromLegend();
    QPen dashed(textColor(), 1.5);
    dashed.setStyle(CurveSeries::lineStyle(1));
    valKey_->setName(tr("validation"));
    valKey_->setPen(dashed);
    valKey_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(textColor(), 1.2),
                                             QBrush(backgroundColor()), 6));
    if (anyVal)
      valKey_->addToLegend();
    else
      valKey_->removeFromLegend();
  }
  fitLegendColumns(plot()->legend);
  plot()->legend->setVisible(plot()->legend->itemCount() > 0);
  PlotBase::applyPalette();  // style the legend items
}

void LossPlot::resetRanges() {
  QCustomPlot* p = plot();
  bool anyTrain = false, anyData = false;
  for (const RunCurves& c : curves_) {
    if (!c.model) continue;
    anyTrain = anyTrain || !c.train.isEmpty();
    anyData = anyData || !c.train.isEmpty() || !c.val.isEmpty();
  }
  if (!anyData) return;
  p->rescaleAxes(true);
  // Points only (no training curve): a margin, so the first and last markers are not cut.
  if (!anyTrain) {
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
  styleGraphs();
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
  // The tracer follows the first drawn run: its smoothed train curve, or its validation points
  // when it has no training steps (inspected checkpoints).
  QCPGraph* followed = nullptr;
  for (const RunCurves& c : curves_) {
    if (!c.model) continue;
    followed = !c.smoothed->data()->isEmpty()   ? c.smoothed
               : !c.valGraph->data()->isEmpty() ? c.valGraph
                                                : nullptr;
    if (followed) break;
  }
  const bool inside = followed && p->axisRect()->rect().contains(event->pos());
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
  static const char* names[] = {QT_TR_NOOP("step"), QT_TR_NOOP("tokens"), QT_TR_NOOP("time")};
  auto where = [this](double at) {
    return xMode_ == XWallTime ? QString::number(at, 'f', 1) + tr(" s")
                               : QString::number(qint64(at));
  };
  QString text = tr("%1 %2", "hover read-out: quantity, value").arg(tr(names[xMode_]), where(x));
  const bool one = runCount() == 1;
  for (int r = 0; r < curves_.size(); ++r) {
    const RunCurves& c = curves_[r];
    if (!c.model) continue;
    QStringList parts;
    const auto t = nearestPoint(c.smoothed, x);
    if (t != c.smoothed->data()->constEnd()) {
      double rawV = kNaN;
      const auto rt = c.raw->data()->findBegin(t->key, false);
      if (rt != c.raw->data()->constEnd()) rawV = rt->value;
      QString s = tr("train %1 (smoothed %2)").arg(rawV, 0, 'g', 5).arg(t->value, 0, 'g', 5);
      if (t->key != x) s += tr(" at %1").arg(where(t->key));
      parts << s;
    }
    const auto v = nearestPoint(c.valGraph, x);
    if (v != c.valGraph->data()->constEnd())
      parts << tr("val %1 (at %2)").arg(v->value, 0, 'g', 5).arg(v->key, 0, 'g', 7);
    if (parts.isEmpty()) continue;
    text += one ? QLatin1Char('\n') + parts.join(QLatin1Char('\n'))
                : QStringLiteral("\n%1: %2").arg(runLabel(r), parts.join(QStringLiteral(", ")));
  }
  hoverText_->setText(text);
  hoverText_->setVisible(true);
  p->layer(QStringLiteral("hover"))->replot();
}

QString LossPlot::hoverText() const {
  return hoverText_->visible() ? hoverText_->text() : QString();
}

QString LossPlot::csv() const {
  return CurveSeries::csv(series(), [this](int r) { return runLabel(r); });
}

}  // namespace ms
