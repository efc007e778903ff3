// ComparePRHeatmap: PR maps of several runs side by side plus B - A (see ComparePRHeatmap.h).
#include "ComparePRHeatmap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "StepSlider.h"
#include "PlotUtil.h"

namespace ms {

using plotutil::fillColorMap;
using plotutil::integerTicker;

namespace {

// Blue (negative) - white (0) - red (positive), ColorBrewer RdBu; used with a data range
// symmetric about 0 so that white is exactly 0.
QCPColorGradient divergingGradient() {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.0, QColor(0x21, 0x66, 0xac));
  g.setColorStopAt(0.25, QColor(0x92, 0xc5, 0xde));
  g.setColorStopAt(0.5, QColor(0xf7, 0xf7, 0xf7));
  g.setColorStopAt(0.75, QColor(0xf4, 0xa5, 0x82));
  g.setColorStopAt(1.0, QColor(0xb2, 0x18, 0x2b));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(QColor(128, 128, 128, 90));
  return g;
}

}  // namespace

ComparePRHeatmap::ComparePRHeatmap(const QVector<RunModel*>& runs, QWidget* parent)
    : CompareBase(runs, parent) {
  setObjectName(QStringLiteral("compare_pr"));
  setTitle(tr("Participation ratio per layer and head"));
  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Tensor:"), this));
  actCombo_ = new QComboBox(this);
  actCombo_->addItem(tr("q"), kActQ);
  actCombo_->addItem(tr("k (post-RoPE)"), kActK);
  actCombo_->addItem(tr("v"), kActV);
  actCombo_->addItem(tr("head output"), kActOut);
  ctl->addWidget(actCombo_);
  metricCombo_ = new QComboBox(this);
  metricCombo_->addItem(tr("PR_sv"), PRHeatmap::PrSv);
  metricCombo_->addItem(tr("PR_cov"), PRHeatmap::PrCov);
  ctl->addWidget(metricCombo_);
  ctl->addWidget(new QLabel(tr("Difference:"), this));
  bCombo_ = new QComboBox(this);
  ctl->addWidget(bCombo_);
  ctl->addWidget(new QLabel(tr("−"), this));
  aCombo_ = new QComboBox(this);
  ctl->addWidget(aCombo_);
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_, 4);
  ctl->addStretch(1);  // takes the room when the slider is hidden (the window has its own)

  connect(actCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setTensor(actCombo_->itemData(i).toInt()); });
  connect(metricCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    setMetric(static_cast<PRHeatmap::Metric>(metricCombo_->itemData(i).toInt()));
  });
  connect(aCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setPair(aCombo_->itemData(i).toInt(), b_); });
  connect(bCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setPair(a_, bCombo_->itemData(i).toInt()); });
  connect(slider_, &StepSlider::stepChanged, this, [this](qint64 s) {
    step_ = slider_->followsLatest() ? -1 : s;
    scheduleRefresh();
    emit stepChanged(step_);
  });
  plot()->setInteractions(QCP::Interactions());  // fixed grids: no pan/zoom
  syncCombos();
  applyPalette();
}

void ComparePRHeatmap::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void ComparePRHeatmap::runsReset() {
  syncCombos();
}

void ComparePRHeatmap::syncCombos() {
  {
    const QSignalBlocker b(actCombo_);
    actCombo_->setCurrentIndex(actCombo_->findData(act_));
  }
  {
    const QSignalBlocker b(metricCombo_);
    metricCombo_->setCurrentIndex(metricCombo_->findData(metric_));
  }
  for (QComboBox* c : {aCombo_, bCombo_}) {
    const QSignalBlocker b(c);
    c->clear();
    for (int i = 0; i < runCount(); ++i) c->addItem(runLabel(i), i);
  }
  {
    const QSignalBlocker b1(aCombo_), b2(bCombo_);
    aCombo_->setCurrentIndex(aCombo_->findData(a_));
    bCombo_->setCurrentIndex(bCombo_->findData(b_));
  }
  aCombo_->setEnabled(runCount() > 2);
  bCombo_->setEnabled(runCount() > 2);
}

void ComparePRHeatmap::setTensor(int act) {
  if (act < 0 || act >= kNumActs || act == act_) return;
  act_ = act;
  syncCombos();
  scheduleRefresh();
}

void ComparePRHeatmap::setMetric(PRHeatmap::Metric metric) {
  if (metric == metric_) return;
  metric_ = metric;
  syncCombos();
  scheduleRefresh();
}

void ComparePRHeatmap::setPanels(Panels panels) {
  if (panels == panels_) return;
  panels_ = panels;
  scheduleReset();
}

void ComparePRHeatmap::setStep(qint64 step) {
  const qint64 want = step < 0 ? -1 : step;
  if (want == step_) return;
  slider_->setStep(want);  // emits stepChanged when the resolved step moves
  step_ = want;
  scheduleRefresh();
}

void ComparePRHeatmap::setPair(int a, int b) {
  if (a == a_ && b == b_) return;
  a_ = a;
  b_ = b;
  syncCombos();
  scheduleRefresh();
}

int ComparePRHeatmap::layersOf(int r) const {
  RunModel* m = run(r);
  return m ? m->layerCount() : 0;
}

int ComparePRHeatmap::headsOf(int r) const {
  RunModel* m = run(r);
  return m ? m->headCount() : 0;
}

int ComparePRHeatmap::snapshotIndexOf(int r) const {
  RunModel* m = run(r);
  return m ? nearestSnapshot(m->snapshots(), step_) : -1;
}

double ComparePRHeatmap::cellValue(int r, int layer, int head) const {
  const int si = snapshotIndexOf(r);
  if (si < 0) return kNaN;
  const Snapshot& s = run(r)->snapshots()[si];
  if (layer < 0 || layer >= static_cast<int>(s.layers.size())) return kNaN;
  const LayerMetrics& lm = s.layers[layer];
  const std::vector<double>& v = metric_ == PRHeatmap::PrSv ? lm.pr_sv[act_] : lm.pr_cov[act_];
  return head >= 0 && head < static_cast<int>(v.size()) ? v[head] : kNaN;
}

QString ComparePRHeatmap::differenceProblem() const {
  if (runCount() < 2) return tr("The difference needs two runs.");
  if (a_ < 0 || a_ >= runCount() || b_ < 0 || b_ >= runCount() || a_ == b_)
    return tr("Choose two different runs for the difference.");
  if (!run(a_) || !run(b_)) return tr("A run of the difference is gone.");
  for (int r : {a_, b_})
    if (snapshotIndexOf(r) < 0) return tr("%1 has no snapshots yet.").arg(runLabel(r));
  if (layersOf(a_) != layersOf(b_) || headsOf(a_) != headsOf(b_))
    return tr("Runs with different shapes cannot be subtracted: %1 has %2 layers × %3 heads, "
              "%4 has %5 × %6.")
        .arg(runLabel(b_))
        .arg(layersOf(b_))
        .arg(headsOf(b_))
        .arg(runLabel(a_))
        .arg(layersOf(a_))
        .arg(headsOf(a_));
  return QString();
}

std::vector<double> ComparePRHeatmap::difference() const {
  if (!differenceProblem().isEmpty()) return {};
  const int L = layersOf(a_), H = headsOf(a_);
  std::vector<double> d(static_cast<size_t>(L) * H);
  for (int l = 0; l < L; ++l)
    for (int h = 0; h < H; ++h) d[size_t(l) * H + h] = cellValue(b_, l, h) - cellValue(a_, l, h);
  return d;
}

QCPColorMap* ComparePRHeatmap::map(int r) const {
  return r >= 0 && r < maps_.size() ? maps_[r] : nullptr;
}

void ComparePRHeatmap::clearPanels() {
  QCustomPlot* p = plot();
  p->clearPlottables();
  p->clearItems();
  body()->clear();  // deletes the axis rects, scales and text elements
  delete group_;
  group_ = nullptr;
  maps_.clear();
  rects_.clear();
  diffMap_ = nullptr;
  diffRect_ = nullptr;
  scale_ = nullptr;
  diffScale_ = nullptr;
}

QCPAxisRect* ComparePRHeatmap::newMapRect(QCPLayoutGrid* grid, int row, int col,
                                          const QString& title) {
  QCustomPlot* p = plot();
  auto* text = new QCPTextElement(p, title);
  grid->addElement(row, col, text);
  auto* rect = new QCPAxisRect(p);
  grid->addElement(row + 1, col, rect);
  grid->setRowStretchFactor(row, 0.001);
  rect->setMarginGroup(QCP::msTop | QCP::msBottom, group_);
  QCPAxis* y = rect->axis(QCPAxis::atLeft);
  QCPAxis* x = rect->axis(QCPAxis::atBottom);
  y->setLabel(tr("Layer"));
  x->setLabel(tr("Head"));
  for (QCPAxis* ax : {x, y}) {
    ax->setTicker(integerTicker());
    ax->setSubTicks(false);
    ax->grid()->setVisible(false);
  }
  y->setRangeReversed(true);  // layer 0 on top, like a table
  return rect;
}

void ComparePRHeatmap::rebuild() {
  {
    const QSignalBlocker block(slider_);
    slider_->setSteps(unionSnapshotSteps());
  }
  syncCombos();
  clearPanels();
  QCustomPlot* p = plot();
  group_ = new QCPMarginGroup(p);
  const QString metric =
      metric_ == PRHeatmap::PrSv ? QStringLiteral("PR_sv") : QStringLiteral("PR_cov");
  const QString tensor = QString::fromLatin1(act_name(act_));
  const int n = runCount();

  bool anySnapshot = false;
  for (int r = 0; r < n; ++r) anySnapshot = anySnapshot || snapshotIndexOf(r) >= 0;
  if (n == 0 || !anySnapshot) {
    setPlaceholderText(n == 0 ? tr("No runs to compare.")
                              : tr("No snapshots yet: the participation ratio appears at the "
                                   "first metrics snapshot."));
    return;
  }
  const QString problem = differenceProblem();
  if (panels_ == DifferenceOnly && !problem.isEmpty()) {
    setPlaceholderText(problem);  // say so instead of drawing
    return;
  }
  setPlaceholderText(QString());

  maps_.fill(nullptr, n);
  rects_.fill(nullptr, n);
  int column = 0;
  if (panels_ != DifferenceOnly) {
    auto* grid = new QCPLayoutGrid;
    body()->addElement(0, column++, grid);
    body()->setColumnStretchFactor(0, std::min(n, kMapsPerRow));
    const int cols = std::min(n, kMapsPerRow);
    int maxHd = 0;
    double lo = qInf(), hi = -qInf();
    for (int r = 0; r < n; ++r) {
      const int si = snapshotIndexOf(r);
      const QString title =
          si < 0 ? tr("%1\nno snapshots yet").arg(runLabel(r))
                 : tr("%1\nstep %2").arg(runLabel(r)).arg(run(r)->snapshots()[si].step);
      QCPAxisRect* rect = newMapRect(grid, 2 * (r / kMapsPerRow), r % kMapsPerRow, title);
      rects_[r] = rect;
      const int L = layersOf(r), H = headsOf(r);
      if (si < 0 || L <= 0 || H <= 0) continue;
      auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      map->setInterpolate(false);
      map->setTightBoundary(false);
      map->setName(runLabel(r));
      fillColorMap(map, H, L, [&](int h, int l) { return cellValue(r, l, h); });
      for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
          const double v = cellValue(r, l, h);
          if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
      maxHd = std::max(maxHd, run(r)->info().head_dim);
      maps_[r] = map;
    }
    scale_ = new QCPColorScale(p);
    grid->addElement(1, cols, scale_);
    grid->setColumnStretchFactor(cols, 0.001);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, group_);
    scale_->setType(QCPAxis::atRight);
    scale_->setRangeDrag(false);
    scale_->setRangeZoom(false);
    scale_->setGradient(sequentialGradient());
    // PR lies in [1, head_dim]: one fixed scale for every run, so colours compare directly.
    if (maxHd > 0)
      scale_->setDataRange(QCPRange(1.0, maxHd));
    else if (lo <= hi)
      scale_->setDataRange(QCPRange(lo, hi > lo ? hi : lo + 1));
    scale_->axis()->setLabel(maxHd > 0
                                 ? tr("%1 of %2, range [1, %3]").arg(metric, tensor).arg(maxHd)
                                 : tr("%1 of %2").arg(metric, tensor));
    for (QCPColorMap* m : maps_)
      if (m) m->setColorScale(scale_);
  }

  if (panels_ != MapsOnly && n >= 2) {
    auto* grid = new QCPLayoutGrid;
    body()->addElement(0, column, grid);
    body()->setColumnStretchFactor(column, 1);
    if (!problem.isEmpty()) {
      // A text element caps its row at the text's height; the empty element below keeps the
      // body row at full height.
      QString wrapped = problem;
      wrapped.replace(QStringLiteral(": "), QStringLiteral(":\n"))
          .replace(QStringLiteral(", "), QStringLiteral(",\n"));
      auto* text = new QCPTextElement(p, wrapped);
      text->setTextFlags(Qt::AlignCenter);
      grid->addElement(0, 0, text);
      grid->addElement(1, 0, new QCPLayoutElement(p));
      grid->setRowStretchFactor(0, 0.001);
    } else {
      const int sa = snapshotIndexOf(a_), sb = snapshotIndexOf(b_);
      const int64_t stA = run(a_)->snapshots()[sa].step, stB = run(b_)->snapshots()[sb].step;
      const QString title = stA == stB
                                ? tr("%1 − %2\nstep %3").arg(runLabel(b_), runLabel(a_)).arg(stA)
                                : tr("%1 (step %2) −\n%3 (step %4)")
                                      .arg(runLabel(b_))
                                      .arg(stB)
                                      .arg(runLabel(a_))
                                      .arg(stA);
      diffRect_ = newMapRect(grid, 0, 0, title);
      const int L = layersOf(a_), H = headsOf(a_);
      const std::vector<double> d = difference();
      diffMap_ =
          new QCPColorMap(diffRect_->axis(QCPAxis::atBottom), diffRect_->axis(QCPAxis::atLeft));
      diffMap_->setInterpolate(false);
      diffMap_->setTightBoundary(false);
      diffMap_->setName(tr("difference"));
      fillColorMap(diffMap_, H, L, [&](int h, int l) { return d[size_t(l) * H + h]; });
      double m = 0;
      for (double v : d)
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
      if (!(m > 0)) m = 1.0;  // all equal: white map on [-1, 1]
      diffScale_ = new QCPColorScale(p);
      grid->addElement(1, 1, diffScale_);
      grid->setColumnStretchFactor(1, 0.001);
      diffScale_->setMarginGroup(QCP::msTop | QCP::msBottom, group_);
      diffScale_->setType(QCPAxis::atRight);
      diffScale_->setRangeDrag(false);
      diffScale_->setRangeZoom(false);
      diffScale_->setGradient(divergingGradient());
      diffScale_->setDataRange(QCPRange(-m, m));  // symmetric: 0 is the white midpoint
      diffScale_->axis()->setLabel(tr("Δ %1 of %2 (B − A)").arg(metric, tensor));
      diffMap_->setColorScale(diffScale_);
    }
  }
  applyPalette();
}

void ComparePRHeatmap::resetRanges() {
  for (int r = 0; r < rects_.size(); ++r) {
    if (!rects_[r]) continue;
    rects_[r]->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, headsOf(r)) - 0.5);
    rects_[r]->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, layersOf(r)) - 0.5);
  }
  if (diffRect_) {
    diffRect_->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, headsOf(a_)) - 0.5);
    diffRect_->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, layersOf(a_)) - 0.5);
  }
}

QString ComparePRHeatmap::csv() const {
  const QString metric =
      metric_ == PRHeatmap::PrSv ? QStringLiteral("pr_sv") : QStringLiteral("pr_cov");
  QString out = QStringLiteral("panel,run,label,step,layer,head,%1_%2\n")
                    .arg(metric, QString::fromLatin1(act_name(act_)));
  if (panels_ != DifferenceOnly)
    for (int r = 0; r < runCount(); ++r) {
      const int si = snapshotIndexOf(r);
      if (si < 0) continue;
      const int64_t step = run(r)->snapshots()[si].step;
      for (int l = 0; l < layersOf(r); ++l)
        for (int h = 0; h < headsOf(r); ++h)
          out += QStringLiteral("map,%1,%2,%3,%4,%5,%6\n")
                     .arg(r)
                     .arg(csvField(runLabel(r)))
                     .arg(step)
                     .arg(l)
                     .arg(h)
                     .arg(csvNumber(cellValue(r, l, h)));
    }
  if (panels_ != MapsOnly) {
    const std::vector<double> d = difference();
    if (!d.empty()) {
      const int H = headsOf(a_);
      const int64_t step = run(b_)->snapshots()[snapshotIndexOf(b_)].step;
      const QString label = csvField(tr("%1 − %2").arg(runLabel(b_), runLabel(a_)));
      for (size_t i = 0; i < d.size(); ++i)
        out += QStringLiteral("difference,%1-%2,%3,%4,%5,%6,%7\n")
                   .arg(b_)
                   .arg(a_)
                   .arg(label)
                   .arg(step)
                   .arg(int(i) / H)
                   .arg(int(i) % H)
                   .arg(csvNumber(d[i]));
    }
  }
  return out;
}

}  // namespace ms
