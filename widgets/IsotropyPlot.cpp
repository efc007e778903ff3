// IsotropyPlot: isotropy metrics over time per matrix kind (see IsotropyPlot.h).
#include "IsotropyPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolButton>
#include <cmath>

#include "PlotUtil.h"
#include "common/MatrixLabel.h"

namespace ms {

IsotropyPlot::IsotropyPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setObjectName(QStringLiteral("isotropy"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("Spectral isotropy (mean over layers, band = min–max)"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Metric:"), this));
  metricCombo_ = new QComboBox(this);
  for (int m = ERank; m <= kLastMetric; ++m)
    metricCombo_->addItem(metricName(static_cast<Metric>(m)), m);
  ctl->addWidget(metricCombo_);
  logCheck_ = new QCheckBox(tr("Log scale"), this);
  ctl->addWidget(logCheck_);
  matricesButton_ = new QToolButton(this);
  matricesButton_->setText(tr("Matrices"));
  matricesButton_->setPopupMode(QToolButton::InstantPopup);
  matricesMenu_ = new QMenu(matricesButton_);
  matricesButton_->setMenu(matricesMenu_);
  ctl->addWidget(matricesButton_);
  ctl->addStretch(1);
  connect(metricCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMetric(static_cast<Metric>(metricCombo_->itemData(i).toInt())); });
  connect(logCheck_, &QCheckBox::toggled, this, &IsotropyPlot::setLogY);

  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("Step"));
  p->yAxis->setLabel(metricName(metric_));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  applyPalette();
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
  const QSignalBlocker block(metricCombo_);
  metricCombo_->setCurrentIndex(metricCombo_->findData(metric));
  scheduleReset();
}

void IsotropyPlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  {
    const QSignalBlocker block(logCheck_);
    logCheck_->setChecked(on);
  }
  QCPAxis* y = plot()->yAxis;
  y->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  y->setTicker(on ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                  : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  scheduleReset();
}

bool IsotropyPlot::isMatrixVisible(int matrix) const {
  if (!model()) return false;
  const auto names = model()->matrixNames();
  return matrix >= 0 && matrix < static_cast<int>(names.size()) &&
         !hidden_.contains(QString::fromStdString(names[matrix]));
}

void IsotropyPlot::setMatrixVisible(int matrix, bool visible) {
  if (!model()) return;
  const auto names = model()->matrixNames();
  if (matrix < 0 || matrix >= static_cast<int>(names.size())) return;
  const QString name = QString::fromStdString(names[matrix]);
  if (visible == !hidden_.contains(name)) return;
  if (visible)
    hidden_.remove(name);
  else
    hidden_.insert(name);
  syncMenu();
  scheduleReset();
}

void IsotropyPlot::syncMenu() {
  // Rebuild the actions only when the names changed (never from inside an action's signal);
  // otherwise just refresh the check marks.
  const auto names = model() ? model()->matrixNames() : std::vector<std::string>{};
  QList<QAction*> actions = matricesMenu_->actions();
  bool same = actions.size() == static_cast<int>(names.size());
  for (int i = 0; same && i < actions.size(); ++i)
    same = actions[i]->data().toString() == QString::fromStdString(names[i]);
  if (!same) {
    matricesMenu_->clear();
    for (size_t i = 0; i < names.size(); ++i) {
      QAction* a = matricesMenu_->addAction(QString::fromStdString(matrix_name_label(names[i])));
      a->setData(QString::fromStdString(names[i]));  // the run-file name: the key of hidden_
      a->setCheckable(true);
      const int idx = static_cast<int>(i);
      connect(a, &QAction::toggled, this, [this, idx](bool on) { setMatrixVisible(idx, on); });
    }
    actions = matricesMenu_->actions();
  }
  for (QAction* a : actions) {
    const QSignalBlocker block(a);
    a->setChecked(!hidden_.contains(a->data().toString()));
  }
}

const IsotropyPlot::Series* IsotropyPlot::series(int matrix) const {
  for (const Series& s : series_)
    if (s.matrix == matrix) return &s;
  return nullptr;
}

QCPGraph* IsotropyPlot::meanGraph(int matrix) const {
  const Series* s = series(matrix);
  return s ? s->mean : nullptr;
}
QCPGraph* IsotropyPlot::minGraph(int matrix) const {
  const Series* s = series(matrix);
  return s ? s->lo : nullptr;
}
QCPGraph* IsotropyPlot::maxGraph(int matrix) const {
  const Series* s = series(matrix);
  return s ? s->hi : nullptr;
}

void IsotropyPlot::layerStats(const Snapshot& s, int m, double* mean, double* lo,
                              double* hi) const {
  double sum = 0, mn = INFINITY, mx = -INFINITY;
  int n = 0;
  for (const LayerMetrics& lm : s.layers) {
    if (m >= static_cast<int>(lm.matrices.size())) continue;
    const double v = metricValue(lm.matrices[m], metric_);
    if (!std::isfinite(v)) continue;
    sum += v;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    ++n;
  }
  *mean = n ? sum / n : kNaN;
  *lo = n ? mn : kNaN;
  *hi = n ? mx : kNaN;
}

void IsotropyPlot::rebuild() {
  const auto names = model() ? model()->matrixNames() : std::vector<std::string>{};
  syncMenu();
  plot()->clearGraphs();
  series_.clear();
  plot()->yAxis->setLabel(metricName(metric_));
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  if (snaps.empty()) {
    setPlaceholderText(
        tr("No snapshots yet: isotropy metrics appear at the first metrics "
           "snapshot."));
    return;
  }
  setPlaceholderText(QString());
  const int n = static_cast<int>(snaps.size());
  QVector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = static_cast<double>(snaps[i].step);
  for (int m = 0; m < static_cast<int>(names.size()); ++m) {
    const QString name = QString::fromStdString(names[m]);
    if (hidden_.contains(name)) continue;
    QVector<double> mean(n), lo(n), hi(n);
    for (int i = 0; i < n; ++i) layerStats(snaps[i], m, &mean[i], &lo[i], &hi[i]);
    const QColor c = seriesColor(m);
    QColor band = c;
    band.setAlpha(35);
    Series s;
    s.matrix = m;
    s.lo = plot()->addGraph();
    s.lo->setData(x, lo);
    s.lo->setPen(Qt::NoPen);
    s.lo->removeFromLegend();
    s.hi = plot()->addGraph();
    s.hi->setData(x, hi);
    s.hi->setPen(Qt::NoPen);
    s.hi->setBrush(QBrush(band));
    s.hi->setChannelFillGraph(s.lo);
    s.hi->removeFromLegend();
    s.mean = plot()->addGraph();
    s.mean->setData(x, mean);
    s.mean->setPen(QPen(c, 2));
    s.mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    s.mean->setName(QString::fromStdString(matrix_name_label(names[m])));
    series_.push_back(s);
  }
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
  QString out = QStringLiteral("step");
  if (!model()) return out + "\n";
  const auto names = model()->matrixNames();
  QVector<int> shown;
  for (int m = 0; m < static_cast<int>(names.size()); ++m)
    if (!hidden_.contains(QString::fromStdString(names[m]))) shown.push_back(m);
  static const char* keys[] = {
      "erank",         "entropy",          "top10", "q75_q25",        "stable_rank",
      "update_cosine", "update_top_share", "alpha", "alpha_weighted", "alpha_ks"};
  for (int m : shown) {
    const QString n = QString::fromStdString(names[m]) + "_" + keys[metric_];
    out += QStringLiteral(",%1_mean,%1_min,%1_max").arg(n);
  }
  out += "\n";
  for (const Snapshot& s : model()->snapshots()) {
    out += QString::number(s.step);
    for (int m : shown) {
      double mean, lo, hi;
      layerStats(s, m, &mean, &lo, &hi);
      out += QStringLiteral(",%1,%2,%3").arg(csvNumber(mean), csvNumber(lo), csvNumber(hi));
    }
    out += "\n";
  }
  return out;
}

}  // namespace ms
