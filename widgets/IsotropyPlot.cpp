// IsotropyPlot: isotropy metrics over training per run and matrix kind (see IsotropyPlot.h).
#include "IsotropyPlot.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolButton>
#include <algorithm>
#include <cmath>

#include "FlowLayout.h"
#include "PlotUtil.h"
#include "SeedBand.h"

namespace ms {

namespace {
int matrixIndex(const Snapshot& s, const QString& name) {
  for (size_t i = 0; i < s.matrix_names.size(); ++i)
    if (QString::fromStdString(s.matrix_names[i]) == name) return static_cast<int>(i);
  return -1;
}
}  // namespace

IsotropyPlot::IsotropyPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  init();
}

IsotropyPlot::IsotropyPlot(const QVector<RunModel*>& runs, QWidget* parent)
    : PlotBase(runs, parent) {
  init();
}

void IsotropyPlot::init() {
  setObjectName(QStringLiteral("isotropy"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("Spectral isotropy"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Metric:"), this));
  metricCombo_ = new QComboBox(this);
  for (int m = ERank; m <= kLastMetric; ++m)
    metricCombo_->addItem(metricName(static_cast<Metric>(m)), m);
  ctl->addWidget(metricCombo_);
  matricesButton_ = new QToolButton(this);
  matricesButton_->setText(tr("Matrices"));
  matricesButton_->setPopupMode(QToolButton::InstantPopup);
  matricesMenu_ = new QMenu(matricesButton_);
  matricesButton_->setMenu(matricesMenu_);
  ctl->addWidget(matricesButton_);
  layerCombo_ = new QComboBox(this);
  ctl->addWidget(layerCombo_);
  auto* xText = new QLabel(tr("X axis:"), this);
  ctl->addWidget(xText);
  xCombo_ = newXAxisCombo();
  ctl->addWidget(xCombo_);
  logCheck_ = new QCheckBox(tr("Log scale"), this);
  ctl->addWidget(logCheck_);
  shared_ << xText << xCombo_ << logCheck_;
  connect(metricCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMetric(static_cast<Metric>(metricCombo_->itemData(i).toInt())); });
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(logCheck_, &QCheckBox::toggled, this, &IsotropyPlot::setLogY);

  QCustomPlot* p = plot();
  p->xAxis->setLabel(xLabel(xMode_));
  p->yAxis->setLabel(metricName(metric_));
  // The legend sits at the right of the plot, never over the curves.
  // At the top of a column of its own: an empty cell under it takes the spare height.
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->take(p->legend);
  auto* legendColumn = new QCPLayoutGrid;
  body()->addElement(0, 1, legendColumn);
  body()->setColumnStretchFactor(1, 0.001);
  legendColumn->addElement(0, 0, p->legend);
  legendColumn->addElement(1, 0, new QCPLayoutElement(p));
  legendColumn->setRowStretchFactors({0.001, 1.0});
  syncControls();
  applyPalette();
}

void IsotropyPlot::setSharedControlsVisible(bool visible) {
  for (QWidget* w : shared_) w->setVisible(visible);
}

QString IsotropyPlot::metricName(Metric metric) {
  switch (metric) {
    case ERank:
      return tr("eRank (effective rank)");
    case Entropy:
      return tr("Normalized SVD entropy H");
    case TopE10:
      return tr("TopE_10 (energy in top 10 σ²)");
    case Q75Q25:
      return tr("Q75/Q25 of σ²");
    case StableRank:
      return tr("Stable rank");
    case UpdateCosine:
      return tr("Update cosine |⟨u1(D), u1(W)⟩| (D: Muon's input, else ΔW)");
    case UpdateTopShare:
      return tr("Update share in W's top-10 directions (chance 10/rows)");
    case Alpha:
      return tr("Power-law α of the ESD σ² (WeightWatcher)");
    case AlphaWeighted:
      return tr("Weighted α = α · log10 λ_max");
    case AlphaKs:
      return tr("KS distance of the power-law fit");
  }
  return QString();
}

double IsotropyPlot::metricValue(const SpectrumMetrics& m, Metric metric) {
  switch (metric) {
    case ERank:
      return m.erank;
    case Entropy:
      return m.entropy;
    case TopE10:
      return m.top10;
    case Q75Q25:
      return m.q75_q25;
    case StableRank:
      return m.stable_rank;
    case UpdateCosine:
      return m.update_cosine;
    case UpdateTopShare:
      return m.update_top_share;
    case Alpha:
      return m.alpha;
    case AlphaWeighted:
      return m.alpha_weighted;
    case AlphaKs:
      return m.alpha_ks;
  }
  return kNaN;
}

void IsotropyPlot::setMetric(Metric metric) {
  if (metric == metric_) return;
  metric_ = metric;
  syncControls();
  scheduleReset();
}

void IsotropyPlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  syncControls();
  plotutil::setLogScale(plot()->yAxis, on);
  scheduleReset();
}

void IsotropyPlot::setLayer(int layer) {
  layer = std::max(-1, layer);
  if (layer == layer_) return;
  layer_ = layer;
  syncControls();
  scheduleReset();
}

void IsotropyPlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  syncControls();
  scheduleReset();
}

void IsotropyPlot::setMatrices(const QStringList& names) {
  QStringList clean;
  for (const QString& n : names)
    if (!n.trimmed().isEmpty() && !clean.contains(n.trimmed())) clean << n.trimmed();
  if (clean == chosen_) return;
  chosen_ = clean;
  syncControls();
  scheduleReset();
}

void IsotropyPlot::setMatrixVisible(const QString& name, bool visible) {
  QStringList shown = matrices();
  if (visible == shown.contains(name)) return;
  if (visible) {
    // Keep the runs' order of kinds.
    QStringList ordered;
    for (const QString& n : availableMatrices())
      if (shown.contains(n) || n == name) ordered << n;
    for (const QString& n : shown)
      if (!ordered.contains(n)) ordered << n;
    if (!ordered.contains(name)) ordered << name;
    shown = ordered;
  } else {
    shown.removeAll(name);
  }
  // Hiding every kind leaves an explicit empty choice impossible: keep at least one.
  if (shown.isEmpty()) return;
  chosen_ = shown == availableMatrices() ? QStringList() : shown;
  syncControls();
  scheduleReset();
}

QStringList IsotropyPlot::availableMatrices() const {
  QStringList names;
  for (int i = 0; i < runCount(); ++i)
    if (RunModel* m = run(i))
      for (const auto& n : m->matrixNames())
        if (!names.contains(QString::fromStdString(n))) names << QString::fromStdString(n);
  return names;
}

QStringList IsotropyPlot::matrices() const {
  return chosen_.isEmpty() ? availableMatrices() : chosen_;
}

bool IsotropyPlot::isMatrixVisible(const QString& name) const {
  return matrices().contains(name);
}

void IsotropyPlot::runsReset() {
  syncControls();
}

void IsotropyPlot::syncControls() {
  {
    const QSignalBlocker b(metricCombo_);
    metricCombo_->setCurrentIndex(metricCombo_->findData(int(metric_)));
  }
  {
    const QSignalBlocker b(xCombo_);
    xCombo_->setCurrentIndex(xCombo_->findData(int(xMode_)));
  }
  {
    const QSignalBlocker b(logCheck_);
    logCheck_->setChecked(logY_);
  }
  int maxLayers = 0;
  for (int i = 0; i < runCount(); ++i)
    if (RunModel* m = run(i)) maxLayers = std::max(maxLayers, m->layerCount());
  {
    const QSignalBlocker b(layerCombo_);
    layerCombo_->clear();
    layerCombo_->addItem(tr("mean over layers"), -1);
    for (int l = 0; l < std::max(maxLayers, layer_ + 1); ++l)
      layerCombo_->addItem(tr("layer %1").arg(l), l);
    layerCombo_->setCurrentIndex(layerCombo_->findData(layer_));
  }
  // The menu: every kind of the runs and any chosen kind they lack. Rebuilt only when the names
  // changed (never from inside an action's signal); otherwise just the check marks.
  QStringList names = availableMatrices();
  for (const QString& n : chosen_)
    if (!names.contains(n)) names << n;
  QList<QAction*> actions = matricesMenu_->actions();
  bool same = actions.size() == names.size();
  for (int i = 0; same && i < actions.size(); ++i) same = actions[i]->data().toString() == names[i];
  if (!same) {
    matricesMenu_->clear();
    for (const QString& n : names) {
      QAction* a = matricesMenu_->addAction(matrixLabel(n));
      a->setData(n);
      a->setCheckable(true);
      connect(a, &QAction::toggled, this, [this, n](bool on) { setMatrixVisible(n, on); });
    }
    actions = matricesMenu_->actions();
  }
  const QStringList shown = matrices();
  for (QAction* a : actions) {
    const QSignalBlocker block(a);
    a->setChecked(shown.contains(a->data().toString()));
  }
}

void IsotropyPlot::layerStats(const Snapshot& s, int mi, double* value, double* lo,
                              double* hi) const {
  *value = *lo = *hi = kNaN;
  auto at = [&](const LayerMetrics& lm) {
    return mi >= 0 && mi < static_cast<int>(lm.matrices.size())
               ? metricValue(lm.matrices[mi], metric_)
               : kNaN;
  };
  if (layer_ >= 0) {
    if (layer_ < static_cast<int>(s.layers.size())) *value = *lo = *hi = at(s.layers[layer_]);
    return;
  }
  double sum = 0, mn = INFINITY, mx = -INFINITY;
  int n = 0;
  for (const LayerMetrics& lm : s.layers) {
    const double v = at(lm);
    if (!std::isfinite(v)) continue;
    sum += v;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    ++n;
  }
  if (n == 0) return;
  *value = sum / n;
  *lo = mn;
  *hi = mx;
}

QCPGraph* IsotropyPlot::meanGraph(const QString& matrix, int run) const {
  for (int i = 0; i < series_.size(); ++i)
    if (series_[i].run == run && series_[i].name == matrixLabel(matrix)) return graphs_[i];
  return nullptr;
}

QCPGraph* IsotropyPlot::minGraph(const QString& matrix, int run) const {
  for (const Band& b : bands_)
    if (b.matrix == matrix && b.run == run) return b.lo;
  return nullptr;
}

QCPGraph* IsotropyPlot::maxGraph(const QString& matrix, int run) const {
  for (const Band& b : bands_)
    if (b.matrix == matrix && b.run == run) return b.hi;
  return nullptr;
}

void IsotropyPlot::rebuild() {
  syncControls();
  QCustomPlot* p = plot();
  p->clearGraphs();
  series_.clear();
  graphs_.clear();
  bands_.clear();
  missing_.clear();
  const QStringList mats = matrices(), all = availableMatrices();
  const bool one = runCount() == 1;
  bool anySnapshots = false;
  for (int r = 0; r < runCount(); ++r) {
    RunModel* m = run(r);
    if (!m) continue;
    const QString label = runLabel(r);
    const auto& snaps = m->snapshots();
    anySnapshots = anySnapshots || !snaps.empty();
    if (snaps.empty()) {
      missing_ << tr("%1: no snapshots yet").arg(label);
      continue;
    }
    if (layer_ >= 0 && layer_ >= m->layerCount()) {
      missing_ << tr("%1: no layer %2").arg(label).arg(layer_);
      continue;
    }
    for (int k = 0; k < mats.size(); ++k) {
      const QString& mat = mats[k];
      CurveSeries s;
      s.run = r;
      s.name = matrixLabel(mat);
      QVector<double> lo, hi;
      for (const Snapshot& sn : snaps) {
        const int mi = matrixIndex(sn, mat);
        if (mi < 0) continue;  // a snapshot without this kind
        double v, a, b;
        layerStats(sn, mi, &v, &a, &b);
        s.append(xOf(sn, xMode_), v, sn.step, sn.tokens, sn.wall_s);
        lo << a;
        hi << b;
      }
      if (s.isEmpty()) {
        missing_ << tr("%1: no %2").arg(label, matrixLabel(mat));
        continue;
      }
      const bool sorted = std::is_sorted(s.x.begin(), s.x.end());
      // One run: a colour per kind (its place among the runs' kinds); several: the run's colour
      // and a line style and marker per kind.
      const int kindIndex = std::max<int>(0, all.indexOf(mat));
      const QColor c = one ? seriesColor(kindIndex) : runColor(r);
      const QVector<RunModel*> seeds = runMembers(r);
      if (seeds.size() >= 2) {
        // A seed group: the band over its members' curves of this kind (SeedBand), instead of
        // the band over layers.
        const auto value = [&](const Snapshot& sn) {
          const int mi = matrixIndex(sn, mat);
          double v = kNaN, a, b;
          if (mi >= 0) layerStats(sn, mi, &v, &a, &b);
          return v;
        };
        Band bd;
        bd.matrix = mat;
        bd.run = r;
        bd.hi = draw_seed_band(p->xAxis, p->yAxis, snapshotSeedBand(r, value, xMode_), c,
                               tr("%1 · %2").arg(label, s.name));
        bd.lo = bd.hi ? bd.hi->channelFillGraph() : nullptr;
        if (bd.hi) bands_ << bd;
      } else if (one && layer_ < 0) {
        QColor band = c;
        band.setAlpha(35);
        Band bd;
        bd.matrix = mat;
        bd.run = r;
        bd.lo = p->addGraph();
        bd.lo->setData(s.x, lo, sorted);
        bd.lo->setPen(Qt::NoPen);
        bd.lo->removeFromLegend();
        bd.hi = p->addGraph();
        bd.hi->setData(s.x, hi, sorted);
        bd.hi->setPen(Qt::NoPen);
        bd.hi->setBrush(QBrush(band));
        bd.hi->setChannelFillGraph(bd.lo);
        bd.hi->removeFromLegend();
        bands_ << bd;
      }
      QCPGraph* g = p->addGraph();
      g->setData(s.x, s.y, sorted);
      QPen pen(c, 2);
      if (!one) pen.setStyle(CurveSeries::lineStyle(k));
      g->setPen(pen);
      g->setScatterStyle(QCPScatterStyle(
          static_cast<QCPScatterStyle::ScatterShape>(one ? int(QCPScatterStyle::ssDisc)
                                                         : CurveSeries::markerShape(k)),
          c, 5));
      g->setName(one ? s.name : tr("%1 · %2").arg(label, s.name));
      series_ << s;
      graphs_ << g;
    }
  }
  p->xAxis->setLabel(xLabel(xMode_));
  p->yAxis->setLabel(metricName(metric_));
  bool seeds = false;
  for (int r = 0; r < runCount(); ++r) seeds = seeds || runMembers(r).size() >= 2;
  const QString seedBand = seed_band_mode() == SeedBandMode::MinMax
                               ? tr(", band = min–max over seeds")
                               : tr(", band = mean ± sd over seeds");
  if (layer_ < 0)
    setTitle(one && !seeds
                 ? tr("Spectral isotropy (mean over layers, band = min–max over layers)")
                 : tr("Spectral isotropy (mean over layers%1)").arg(seeds ? seedBand : QString()));
  else
    setTitle(tr("Spectral isotropy (layer %1%2)").arg(layer_).arg(seeds ? seedBand : QString()));
  if (!anySnapshots)
    setPlaceholderText(
        tr("No snapshots yet: isotropy metrics appear at the first metrics snapshot."));
  else if (series_.isEmpty())
    setPlaceholderText(tr("Nothing to draw:\n") + missing_.join(QLatin1Char('\n')));
  else
    setPlaceholderText(QString());
  PlotBase::applyPalette();  // style the new legend items
}

void IsotropyPlot::resetRanges() {
  if (series_.isEmpty()) return;
  plot()->rescaleAxes(true);
  const QCPRange y = plot()->yAxis->range();
  if (logY_)
    plot()->yAxis->setRange(y.lower / 1.1, y.upper * 1.1);
  else
    plot()->yAxis->setRange(y.lower - 0.05 * y.size() - 1e-9, y.upper + 0.05 * y.size() + 1e-9);
  const QCPRange x = plot()->xAxis->range();
  if (x.size() <= 0) plot()->xAxis->setRange(x.lower - 1, x.upper + 1);
}

QString IsotropyPlot::csv() const {
  return CurveSeries::csv(series_, [this](int r) { return runLabel(r); });
}

}  // namespace ms
