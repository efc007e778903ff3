// PRHeatmap: participation ratio maps of 1..N runs on one colour scale, the layers x time map
// of a single run, and the difference B - A (see PRHeatmap.h).
#include "PRHeatmap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalBlocker>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "FlowLayout.h"
#include "PlotUtil.h"
#include "StepSlider.h"

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

QString number(double v) {
  return QString::number(v, 'g', 4);
}

}  // namespace

PRHeatmap::PRHeatmap(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  init();
}

PRHeatmap::PRHeatmap(const QVector<RunModel*>& runs, QWidget* parent) : PlotBase(runs, parent) {
  init();
}

void PRHeatmap::init() {
  setObjectName(QStringLiteral("participation_ratio"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("Participation ratio per layer and head"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Tensor:"), this));
  actCombo_ = new QComboBox(this);
  actCombo_->addItem(tr("q"), kActQ);
  actCombo_->addItem(tr("k (post-RoPE)"), kActK);
  actCombo_->addItem(tr("v"), kActV);
  actCombo_->addItem(tr("head output"), kActOut);
  ctl->addWidget(actCombo_);
  ctl->addWidget(new QLabel(tr("Metric:"), this));
  metricCombo_ = new QComboBox(this);
  metricCombo_->addItem(tr("PR_sv (singular values)"), PrSv);
  metricCombo_->addItem(tr("PR_cov (covariance)"), PrCov);
  metricCombo_->setToolTip(
      tr("PR_sv = (Σσ)² / Σσ² of the uncentered activations; PR_cov = (Σλ)² / Σλ² of the "
         "covariance eigenvalues. Both lie in [1, head_dim]."));
  ctl->addWidget(metricCombo_);
  ctl->addWidget(new QLabel(tr("Colours:"), this));
  scaleCombo_ = new QComboBox(this);
  scaleCombo_->addItem(tr("Fit to data"), FitToData);
  scaleCombo_->addItem(tr("Fixed [1, head_dim]"), FixedHeadDim);
  scaleCombo_->setToolTip(
      tr("One colour scale for every run: the range of the values shown, or the whole range "
         "[1, head_dim] of the PR (the largest head_dim of the runs)"));
  ctl->addWidget(scaleCombo_);
  auto* pairLabel = new QLabel(tr("Difference:"), this);
  ctl->addWidget(pairLabel);
  bCombo_ = new QComboBox(this);
  ctl->addWidget(bCombo_);
  auto* minus = new QLabel(tr("−"), this);
  ctl->addWidget(minus);
  aCombo_ = new QComboBox(this);
  ctl->addWidget(aCombo_);
  pairLabel_ = pairLabel;
  minusLabel_ = minus;
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_);

  connect(actCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setTensor(actCombo_->itemData(i).toInt()); });
  connect(metricCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMetric(static_cast<Metric>(metricCombo_->itemData(i).toInt())); });
  connect(scaleCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    setScaleMode(static_cast<ScaleMode>(scaleCombo_->itemData(i).toInt()));
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

  QCustomPlot* p = plot();
  p->setInteractions(QCP::Interactions());  // fixed grids: no pan/zoom
  connect(p, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { pressPos_ = e->pos(); });
  connect(p, &QCustomPlot::mouseRelease, this, &PRHeatmap::onMouseRelease);
  connect(p, &QCustomPlot::mouseMove, this, &PRHeatmap::onMouseMove);
  connect(p, &QCustomPlot::afterLayout, this, &PRHeatmap::updateValueTexts);
  scaleLabel_ = metricText();
  clearPanels();
  syncCombos();
  applyPalette();
}

void PRHeatmap::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void PRHeatmap::runsReset() {
  const int n = runCount();
  if (a_ >= n || b_ >= n || a_ == b_) {
    a_ = 0;
    b_ = 1;
  }
  syncCombos();
}

void PRHeatmap::syncCombos() {
  {
    const QSignalBlocker b(actCombo_);
    actCombo_->setCurrentIndex(actCombo_->findData(act_));
  }
  {
    const QSignalBlocker b(metricCombo_);
    metricCombo_->setCurrentIndex(metricCombo_->findData(metric_));
  }
  {
    const QSignalBlocker b(scaleCombo_);
    scaleCombo_->setCurrentIndex(scaleCombo_->findData(scaleMode_));
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
  // The pair is a choice only with more than two runs (with two it is B - A of the two).
  const bool choose = runCount() > 2 && panels_ != MapsOnly;
  for (QWidget* w :
       {pairLabel_, minusLabel_, static_cast<QWidget*>(aCombo_), static_cast<QWidget*>(bCombo_)})
    w->setVisible(choose);
}

void PRHeatmap::setTensor(int act) {
  if (act < 0 || act >= kNumActs || act == act_) return;
  act_ = act;
  syncCombos();
  scheduleRefresh();
}

void PRHeatmap::setMetric(Metric metric) {
  if (metric == metric_) return;
  metric_ = metric;
  syncCombos();
  scheduleRefresh();
}

void PRHeatmap::setPanels(Panels panels) {
  if (panels == panels_) return;
  panels_ = panels;
  syncCombos();
  scheduleReset();
}

void PRHeatmap::setScaleMode(ScaleMode mode) {
  if (mode == scaleMode_) return;
  scaleMode_ = mode;
  syncCombos();
  scheduleRefresh();
}

void PRHeatmap::setStep(qint64 step) {
  const qint64 want = step < 0 ? -1 : step;
  if (want == step_) return;
  slider_->setStep(want);  // emits stepChanged when the resolved step moves
  step_ = slider_->followsLatest() && !slider_->steps().empty() ? -1 : want;
  scheduleRefresh();
}

void PRHeatmap::setPair(int a, int b) {
  if (a == a_ && b == b_) return;
  a_ = a;
  b_ = b;
  syncCombos();
  scheduleRefresh();
}

int PRHeatmap::layersOf(int r) const {
  RunModel* m = run(r);
  return m ? m->layerCount() : 0;
}

int PRHeatmap::headsOf(int r) const {
  RunModel* m = run(r);
  return m ? m->headCount() : 0;
}

int PRHeatmap::snapshotIndexOf(int r) const {
  RunModel* m = run(r);
  return m ? nearestSnapshot(m->snapshots(), step_) : -1;
}

const std::vector<double>* PRHeatmap::values(const LayerMetrics& lm) const {
  return metric_ == PrSv ? &lm.pr_sv[act_] : &lm.pr_cov[act_];
}

QString PRHeatmap::metricText() const {
  const QString metric = metric_ == PrSv ? QStringLiteral("PR_sv") : QStringLiteral("PR_cov");
  return tr("%1 of %2").arg(metric, QString::fromLatin1(act_name(act_)));
}

double PRHeatmap::cellValue(int r, int layer, int head) const {
  const int si = snapshotIndexOf(r);
  if (si < 0) return kNaN;
  const Snapshot& s = run(r)->snapshots()[si];
  if (layer < 0 || layer >= static_cast<int>(s.layers.size())) return kNaN;
  const std::vector<double>& v = *values(s.layers[layer]);
  return head >= 0 && head < static_cast<int>(v.size()) ? v[head] : kNaN;
}

double PRHeatmap::meanOverHeads(int r, int snapshot, int layer) const {
  RunModel* m = run(r);
  if (!m || snapshot < 0 || snapshot >= static_cast<int>(m->snapshots().size())) return kNaN;
  const Snapshot& s = m->snapshots()[snapshot];
  if (layer < 0 || layer >= static_cast<int>(s.layers.size())) return kNaN;
  double sum = 0;
  int n = 0;
  for (double x : *values(s.layers[layer]))
    if (std::isfinite(x)) sum += x, ++n;
  return n > 0 ? sum / n : kNaN;
}

QString PRHeatmap::differenceProblem() const {
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

std::vector<double> PRHeatmap::difference() const {
  if (!differenceProblem().isEmpty()) return {};
  const int L = layersOf(a_), H = headsOf(a_);
  std::vector<double> d(static_cast<size_t>(L) * H);
  for (int l = 0; l < L; ++l)
    for (int h = 0; h < H; ++h) d[size_t(l) * H + h] = cellValue(b_, l, h) - cellValue(a_, l, h);
  return d;
}

QCPColorMap* PRHeatmap::map(int r) const {
  return r >= 0 && r < maps_.size() ? maps_[r] : nullptr;
}

QCPAxisRect* PRHeatmap::mapRect(int r) const {
  return r >= 0 && r < rects_.size() ? rects_[r] : nullptr;
}

int PRHeatmap::valueTextCount() const {
  int n = 0;
  for (const ValueTexts& g : valueTexts_)
    for (QCPItemText* t : g.items) n += t->visible() ? 1 : 0;
  return n;
}

void PRHeatmap::clearPanels() {
  QCustomPlot* p = plot();
  p->clearPlottables();
  p->clearItems();
  body()->clear();  // deletes the axis rects, scales and text elements
  delete group_;
  group_ = nullptr;
  maps_.clear();
  rects_.clear();
  titles_.clear();
  timeRect_ = nullptr;
  timeMap_ = nullptr;
  selectedColumn_ = nullptr;
  diffRect_ = nullptr;
  diffMap_ = nullptr;
  diffTitle_ = nullptr;
  scale_ = nullptr;
  diffScale_ = nullptr;
  cellItems_.clear();
  valueTexts_.clear();
  collapsedMarks_ = 0;
  layoutKey_.clear();
}

QString PRHeatmap::fitTitle(const QString& label, int columns) const {
  // A map's title may not be wider than its share of the plot: a long run label would widen
  // its column and squeeze the others. The full label is in the hover read-out.
  const int width = std::max(48, (layoutWidth() - 80) / std::max(1, columns) - 24);
  QFont f = font();
  f.setPointSizeF(f.pointSizeF() * 0.95);
  return QFontMetrics(f).elidedText(label, Qt::ElideRight, width);
}

QCPAxisRect* PRHeatmap::newMapRect(QCPLayoutGrid* grid, int row, int col, QCPTextElement** title) {
  QCustomPlot* p = plot();
  auto* text = new QCPTextElement(p, QString());
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
  if (title) *title = text;
  return rect;
}

QCPColorScale* PRHeatmap::newScale(QCPLayoutGrid* grid, int row, int col) {
  auto* scale = new QCPColorScale(plot());
  grid->addElement(row, col, scale);
  grid->setColumnStretchFactor(col, 0.001);
  scale->setMarginGroup(QCP::msTop | QCP::msBottom, group_);
  scale->setType(QCPAxis::atRight);
  scale->setRangeDrag(false);
  scale->setRangeZoom(false);
  return scale;
}

// What the layout depends on: the runs' shapes and which have snapshots, the panels, and the
// pair. A new snapshot of the same runs keeps the key: the maps are only refilled.
QString PRHeatmap::layoutKey() const {
  QString key = QStringLiteral("%1|%2|%3|%4|%5|")
                    .arg(runCount())
                    .arg(panels_)
                    .arg(a_)
                    .arg(b_)
                    .arg(differenceProblem().isEmpty());
  for (int r = 0; r < runCount(); ++r)
    key +=
        QStringLiteral("%1x%2:%3,").arg(layersOf(r)).arg(headsOf(r)).arg(snapshotIndexOf(r) >= 0);
  return key;
}

void PRHeatmap::buildLayout() {
  clearPanels();
  QCustomPlot* p = plot();
  group_ = new QCPMarginGroup(p);
  const int n = runCount();
  maps_.fill(nullptr, n);
  rects_.fill(nullptr, n);
  titles_.fill(nullptr, n);
  int column = 0;
  if (panels_ != DifferenceOnly) {
    auto* grid = new QCPLayoutGrid;
    body()->addElement(0, column, grid);
    body()->setColumnStretchFactor(column, n == 1 ? 2.3 : std::min(n, kMapsPerRow));
    ++column;
    for (int r = 0; r < n; ++r) {
      QCPAxisRect* rect = newMapRect(grid, 2 * (r / kMapsPerRow), r % kMapsPerRow, &titles_[r]);
      rects_[r] = rect;
      const int L = layersOf(r), H = headsOf(r);
      if (snapshotIndexOf(r) < 0 || L <= 0 || H <= 0) continue;
      auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      map->setInterpolate(false);
      map->setTightBoundary(false);
      map->setName(runLabel(r));
      maps_[r] = map;
    }
    int cols = std::min(n, kMapsPerRow);
    if (n == 1) {  // one run: layers x time beside its map
      QCPTextElement* title = nullptr;
      timeRect_ = newMapRect(grid, 0, 1, &title);
      title->setText(tr("layers × time (mean over heads)"));
      QCPAxis* x = timeRect_->axis(QCPAxis::atBottom);
      x->setLabel(tr("Step (snapshot)"));
      grid->setColumnStretchFactor(0, 1.0);
      grid->setColumnStretchFactor(1, 1.3);
      if (maps_[0]) {
        timeMap_ = new QCPColorMap(x, timeRect_->axis(QCPAxis::atLeft));
        timeMap_->setInterpolate(false);
        timeMap_->setTightBoundary(false);
        timeMap_->setName(tr("layers x time (mean over heads)"));
        selectedColumn_ = new QCPItemRect(p);
        selectedColumn_->setClipToAxisRect(true);
        selectedColumn_->setClipAxisRect(timeRect_);
        selectedColumn_->topLeft->setAxes(x, timeRect_->axis(QCPAxis::atLeft));
        selectedColumn_->bottomRight->setAxes(x, timeRect_->axis(QCPAxis::atLeft));
        selectedColumn_->setBrush(Qt::NoBrush);
        selectedColumn_->setSelectable(false);
      }
      cols = 2;
    }
    scale_ = newScale(grid, 1, cols);
    scale_->setGradient(sequentialGradient());
    for (QCPColorMap* m : maps_)
      if (m) m->setColorScale(scale_);
    if (timeMap_) timeMap_->setColorScale(scale_);
  }
  if (panels_ != MapsOnly && n >= 2) {
    auto* grid = new QCPLayoutGrid;
    body()->addElement(0, column, grid);
    body()->setColumnStretchFactor(column, 1);
    const QString problem = differenceProblem();
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
      diffRect_ = newMapRect(grid, 0, 0, &diffTitle_);
      diffMap_ =
          new QCPColorMap(diffRect_->axis(QCPAxis::atBottom), diffRect_->axis(QCPAxis::atLeft));
      diffMap_->setInterpolate(false);
      diffMap_->setTightBoundary(false);
      diffMap_->setName(tr("difference"));
      diffScale_ = newScale(grid, 1, 1);
      diffScale_->setGradient(divergingGradient());
      diffMap_->setColorScale(diffScale_);
    }
  }
  layoutKey_ = layoutKey();
}

void PRHeatmap::addCollapsedMarks(int r) {
  QCPAxisRect* rect = rects_[r];
  const Snapshot& s = run(r)->snapshots()[snapshotIndexOf(r)];
  const int L = layersOf(r), H = headsOf(r);
  for (int l = 0; l < L && l < static_cast<int>(s.layers.size()); ++l) {
    const auto& c = s.layers[l].collapsed;
    for (int h = 0; h < H && h < static_cast<int>(c.size()); ++h) {
      if (!c[h]) continue;
      auto* box = new QCPItemRect(plot());
      box->setClipToAxisRect(true);
      box->setClipAxisRect(rect);
      box->topLeft->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      box->bottomRight->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      box->topLeft->setCoords(h - 0.45, l - 0.45);
      box->bottomRight->setCoords(h + 0.45, l + 0.45);
      box->setPen(QPen(QColor(0xff, 0x55, 0x55), 2));
      box->setSelectable(false);
      auto* mark = new QCPItemText(plot());
      mark->setClipToAxisRect(true);
      mark->setClipAxisRect(rect);
      mark->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      mark->position->setCoords(h + 0.3, l - 0.27);  // top right: the value text stays free
      mark->setText(QStringLiteral("×"));
      QFont f = font();
      f.setBold(true);
      f.setPointSize(f.pointSize() + 4);
      mark->setFont(f);
      mark->setColor(Qt::white);
      mark->setSelectable(false);
      cellItems_.push_back(box);
      cellItems_.push_back(mark);
      ++collapsedMarks_;
    }
  }
}

void PRHeatmap::addValueTexts(QCPColorMap* map, QCPAxisRect* rect, int nx, int ny) {
  if (!map || nx * ny > 4096) return;  // far too small to read anyway
  ValueTexts group;
  group.rect = rect;
  const QCPRange range = map->dataRange();
  QFont f = font();
  f.setPointSizeF(std::max(6.0, f.pointSizeF() - 1));
  for (int x = 0; x < nx; ++x)
    for (int y = 0; y < ny; ++y) {
      const double v = map->data()->data(x, y);
      if (!std::isfinite(v)) continue;
      auto* t = new QCPItemText(plot());
      t->setClipToAxisRect(true);
      t->setClipAxisRect(rect);
      t->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      t->position->setCoords(x, y);
      t->setText(QString::number(v, 'f', 2));
      t->setFont(f);
      // Black on light cells, white on dark ones (relative luminance of the cell colour).
      const QColor cell = QColor::fromRgba(map->gradient().color(v, range));
      const double lum = 0.2126 * cell.redF() + 0.7152 * cell.greenF() + 0.0722 * cell.blueF();
      t->setColor(lum > 0.45 ? Qt::black : Qt::white);
      t->setSelectable(false);
      t->setVisible(false);  // updateValueTexts decides after the layout
      group.items.push_back(t);
      cellItems_.push_back(t);
    }
  valueTexts_.push_back(group);
}

void PRHeatmap::updateValueTexts() {
  for (ValueTexts& g : valueTexts_) {
    QCPAxis* x = g.rect->axis(QCPAxis::atBottom);
    QCPAxis* y = g.rect->axis(QCPAxis::atLeft);
    const double w = std::abs(x->coordToPixel(1) - x->coordToPixel(0));
    const double h = std::abs(y->coordToPixel(1) - y->coordToPixel(0));
    const bool show = w >= kValueTextMinWidth && h >= kValueTextMinHeight;
    for (QCPItemText* t : g.items) t->setVisible(show);
  }
}

void PRHeatmap::fill() {
  QCustomPlot* p = plot();
  for (QCPAbstractItem* it : cellItems_) p->removeItem(it);
  cellItems_.clear();
  valueTexts_.clear();
  collapsedMarks_ = 0;
  const QString what = metricText();

  // The runs' maps, on one scale.
  double lo = qInf(), hi = -qInf();
  int maxHd = 0;
  auto extend = [&](double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (int r = 0; r < maps_.size(); ++r) {
    if (!rects_[r]) continue;
    const int si = snapshotIndexOf(r);
    RunModel* m = run(r);
    const Snapshot* s = m && si >= 0 ? &m->snapshots()[si] : nullptr;
    const QString name = fitTitle(runLabel(r), std::min(runCount(), kMapsPerRow) + 1);
    QString title = !m   ? tr("%1\n(gone)").arg(name)
                    : !s ? tr("%1\nno snapshots yet").arg(name)
                         : tr("%1\nstep %2").arg(name).arg(s->step);
    if (s && !plotutil::hasActivations(*s)) title += tr(": no activations");
    titles_[r]->setText(title);
    if (!maps_[r]) continue;
    const int L = layersOf(r), H = headsOf(r);
    fillColorMap(maps_[r], H, L, [&](int h, int l) { return cellValue(r, l, h); });
    for (int l = 0; l < L; ++l)
      for (int h = 0; h < H; ++h) extend(cellValue(r, l, h));
    maxHd = std::max(maxHd, m->info().head_dim);
  }
  if (timeMap_) {
    const auto& snaps = run(0)->snapshots();
    const int S = static_cast<int>(snaps.size()), L = layersOf(0);
    fillColorMap(timeMap_, S, L, [&](int i, int l) { return meanOverHeads(0, i, l); });
    for (int i = 0; i < S; ++i)
      for (int l = 0; l < L; ++l) extend(meanOverHeads(0, i, l));
    // Label some columns with their steps; outline the shown snapshot.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const int stride = std::max(1, (S + 5) / 6);
    for (int i = 0; i < S; i += stride) ticker->addTick(i, QString::number(snaps[i].step));
    if (S > 0 && (S - 1) % stride != 0) ticker->addTick(S - 1, QString::number(snaps.back().step));
    timeRect_->axis(QCPAxis::atBottom)->setTicker(ticker);
    const int sel = snapshotIndexOf(0);
    selectedColumn_->topLeft->setCoords(sel - 0.5, -0.5);
    selectedColumn_->bottomRight->setCoords(sel + 0.5, L - 0.5);
    selectedColumn_->setVisible(sel >= 0);
  }
  if (scale_) {
    QCPRange range(1.0, std::max(2, maxHd));
    if (scaleMode_ == FixedHeadDim && maxHd > 0) {
      scaleLabel_ = tr("%1, range [1, %2]").arg(what).arg(maxHd);
    } else if (lo <= hi) {
      range = hi > lo ? QCPRange(lo, hi) : QCPRange(lo - 0.5, hi + 0.5);
      scaleLabel_ = tr("%1, range [%2, %3]").arg(what, number(lo), number(hi));
    } else {
      scaleLabel_ = what;
    }
    scale_->setDataRange(range);
    scale_->axis()->setLabel(scaleLabel_);
  } else {
    scaleLabel_ = what;
  }
  for (int r = 0; r < maps_.size(); ++r)
    if (maps_[r]) {
      addCollapsedMarks(r);
      addValueTexts(maps_[r], rects_[r], headsOf(r), layersOf(r));
    }
  if (timeMap_)
    addValueTexts(timeMap_, timeRect_, static_cast<int>(run(0)->snapshots().size()), layersOf(0));

  // B - A on a scale symmetric about 0.
  if (diffMap_) {
    const int sa = snapshotIndexOf(a_), sb = snapshotIndexOf(b_);
    const int64_t stA = run(a_)->snapshots()[sa].step, stB = run(b_)->snapshots()[sb].step;
    const int cols = std::min(runCount(), kMapsPerRow) + 1;
    const QString la = fitTitle(runLabel(a_), 2 * cols), lb = fitTitle(runLabel(b_), 2 * cols);
    diffTitle_->setText(stA == stB
                            ? tr("%1 − %2\nstep %3").arg(lb, la).arg(stA)
                            : tr("%1 (step %2) −\n%3 (step %4)").arg(lb).arg(stB).arg(la).arg(stA));
    const int L = layersOf(a_), H = headsOf(a_);
    const std::vector<double> d = difference();
    fillColorMap(diffMap_, H, L, [&](int h, int l) { return d[size_t(l) * H + h]; });
    double m = 0;
    for (double v : d)
      if (std::isfinite(v)) m = std::max(m, std::abs(v));
    if (!(m > 0)) m = 1.0;                      // all equal: white map on [-1, 1]
    diffScale_->setDataRange(QCPRange(-m, m));  // symmetric: 0 is the white midpoint
    diffScale_->axis()->setLabel(tr("Δ %1 (B − A)").arg(what));
    addValueTexts(diffMap_, diffRect_, H, L);
  }
}

void PRHeatmap::rebuild() {
  {
    const QSignalBlocker block(slider_);
    slider_->setSteps(unionSnapshotSteps());
  }
  syncCombos();
  const int n = runCount();
  bool anySnapshot = false, anyActivations = false;
  for (int r = 0; r < n; ++r) {
    const int si = snapshotIndexOf(r);
    if (si < 0) continue;
    anySnapshot = true;
    anyActivations = anyActivations || plotutil::hasActivations(run(r)->snapshots()[si]);
  }
  QString empty;
  if (n == 0)
    empty = tr("No runs to show.");
  else if (!anySnapshot)
    empty = tr("No snapshots yet: the participation ratio appears at the first metrics snapshot.");
  else if (!anyActivations)
    empty =
        tr("No participation ratios: this snapshot has no activations. The run was measured "
           "without a probe batch (checkpoints inspected without a probe file); its weight "
           "metrics are in the spectra and isotropy views.");
  else if (panels_ == DifferenceOnly && !differenceProblem().isEmpty())
    empty = differenceProblem();  // say so instead of drawing
  setPlaceholderText(empty);
  if (!empty.isEmpty()) {
    clearPanels();
    hoverText_.clear();
    return;
  }
  if (layoutKey() != layoutKey_) buildLayout();
  fill();
  applyPalette();
}

void PRHeatmap::resetRanges() {
  for (int r = 0; r < rects_.size(); ++r) {
    if (!rects_[r]) continue;
    rects_[r]->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, headsOf(r)) - 0.5);
    rects_[r]->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, layersOf(r)) - 0.5);
  }
  if (timeRect_) {
    const int S = run(0) ? static_cast<int>(run(0)->snapshots().size()) : 1;
    timeRect_->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, S) - 0.5);
    timeRect_->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, layersOf(0)) - 0.5);
  }
  if (diffRect_) {
    diffRect_->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, headsOf(a_)) - 0.5);
    diffRect_->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, layersOf(a_)) - 0.5);
  }
}

void PRHeatmap::applyPalette() {
  PlotBase::applyPalette();
  if (selectedColumn_) selectedColumn_->setPen(QPen(textColor(), 2));
  // Run titles in the run's colour, so a map is tied to the same run in every other view.
  for (int r = 0; r < titles_.size(); ++r)
    if (titles_[r] && runCount() > 1) titles_[r]->setTextColor(runColor(r));
}

void PRHeatmap::onMouseRelease(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || (event->pos() - pressPos_).manhattanLength() > 4) return;
  auto cellAt = [&](QCPAxisRect* rect, int nx, int ny, int* x, int* y) {
    if (!rect || !rect->rect().contains(event->pos())) return false;
    *x = qRound(rect->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    *y = qRound(rect->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    return *x >= 0 && *x < nx && *y >= 0 && *y < ny;
  };
  int h = 0, l = 0;
  for (int r = 0; r < rects_.size(); ++r)
    if (maps_[r] && cellAt(rects_[r], headsOf(r), layersOf(r), &h, &l)) {
      emit headClicked(l, h);
      emit layerClicked(l);
      return;
    }
  if (diffMap_ && cellAt(diffRect_, headsOf(a_), layersOf(a_), &h, &l)) {
    emit headClicked(l, h);
    emit layerClicked(l);
    return;
  }
  if (timeMap_ && timeRect_->rect().contains(event->pos())) {
    const auto& snaps = run(0)->snapshots();
    const int i = qRound(timeRect_->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    l = qRound(timeRect_->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    if (i >= 0 && i < static_cast<int>(snaps.size())) setStep(snaps[i].step);
    if (l >= 0 && l < layersOf(0)) emit layerClicked(l);
  }
}

void PRHeatmap::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton) return;
  const QPoint pos = event->pos();
  const QString what = metricText();
  auto cellAt = [&](QCPAxisRect* rect, int nx, int ny, int* x, int* y) {
    if (!rect || !rect->rect().contains(pos)) return false;
    *x = qRound(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()));
    *y = qRound(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y()));
    return *x >= 0 && *x < nx && *y >= 0 && *y < ny;
  };
  QString text;
  int h = 0, l = 0;
  for (int r = 0; r < rects_.size() && text.isEmpty(); ++r) {
    if (!maps_[r] || !cellAt(rects_[r], headsOf(r), layersOf(r), &h, &l)) continue;
    const Snapshot& s = run(r)->snapshots()[snapshotIndexOf(r)];
    text = tr("%1 (step %2) · layer %3, head %4: %5 = %6")
               .arg(runLabel(r))
               .arg(s.step)
               .arg(l)
               .arg(h)
               .arg(what, number(cellValue(r, l, h)));
    const auto& c = s.layers[l].collapsed;
    if (h < static_cast<int>(c.size()) && c[h]) text += tr(" (collapsed)");
  }
  if (text.isEmpty() && diffMap_ && cellAt(diffRect_, headsOf(a_), layersOf(a_), &h, &l))
    text = tr("%1 − %2 · layer %3, head %4: Δ %5 = %6")
               .arg(runLabel(b_), runLabel(a_))
               .arg(l)
               .arg(h)
               .arg(what, number(cellValue(b_, l, h) - cellValue(a_, l, h)));
  if (text.isEmpty() && timeMap_) {
    const auto& snaps = run(0)->snapshots();
    int i = 0;
    if (cellAt(timeRect_, static_cast<int>(snaps.size()), layersOf(0), &i, &l))
      text = tr("%1 · layer %2, step %3: mean %4 over heads = %5")
                 .arg(runLabel(0))
                 .arg(l)
                 .arg(snaps[i].step)
                 .arg(what, number(meanOverHeads(0, i, l)));
  }
  hoverText_ = text;
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, plot());
}

QString PRHeatmap::csv() const {
  const QString metric = metric_ == PrSv ? QStringLiteral("pr_sv") : QStringLiteral("pr_cov");
  QString out = QStringLiteral("panel,run,label,step,layer,head,%1_%2\n")
                    .arg(metric, QString::fromLatin1(act_name(act_)));
  if (panels_ != DifferenceOnly) {
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
    if (runCount() == 1 && run(0)) {
      const auto& snaps = run(0)->snapshots();
      for (int i = 0; i < static_cast<int>(snaps.size()); ++i)
        for (int l = 0; l < layersOf(0); ++l)
          out += QStringLiteral("mean_over_heads,0,%1,%2,%3,,%4\n")
                     .arg(csvField(runLabel(0)))
                     .arg(snaps[i].step)
                     .arg(l)
                     .arg(csvNumber(meanOverHeads(0, i, l)));
    }
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
