// SpectrumPlot: singular-value spectra and ESDs of 1..N runs with isotropy and power-law metrics
// (see SpectrumPlot.h).
#include "SpectrumPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

#include "FlowLayout.h"
#include "PlotUtil.h"
#include "StepSlider.h"
#include "common/MatrixLabel.h"
#include "metrics/PowerLaw.h"  // header only: the eigenvalue threshold of the fit

namespace ms {

namespace {
constexpr int kMaxOverlays = 4;     // earlier snapshots drawn under the selected one
constexpr int kLegendRows = 12;     // legend entries per column before it wraps (one panel)
constexpr int kLegendColumns = 4;   // legend entries per row before it wraps (several panels)
constexpr int kTableCell = 7;       // width of a number in the metric tables (characters)
constexpr int kRunLabelChars = 14;  // run labels in the per-run table are elided to this
constexpr int kHeadsPerBlock = 8;   // per-head table of one run: heads per row block

QString num(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–");
}
QString cell(const QString& text) {
  return QStringLiteral(" %1").arg(text, kTableCell);
}
QString elide(const QString& text, int chars) {
  return text.size() <= chars ? text : text.left(chars - 1) + QChar(0x2026);
}

// The ESD of one spectrum: the eigenvalues lambda = sigma^2 the power-law fit uses (above
// WeightWatcher's threshold), in log-spaced bins; density = count / (n * bin width), so the
// points integrate to 1. Only non-empty bins get a point (a log axis has no 0).
struct Esd {
  std::vector<double> lambda;               // ascending
  QVector<double> lo, hi, center, density;  // per non-empty bin; center = sqrt(lo * hi)
};

Esd esdOf(const std::vector<float>& sv) {
  Esd e;
  for (float v : sv) {
    const double l = double(v) * double(v);
    if (std::isfinite(l) && l > kPowerLawEvalThreshold) e.lambda.push_back(l);
  }
  std::sort(e.lambda.begin(), e.lambda.end());
  const int n = static_cast<int>(e.lambda.size());
  if (n == 0) return e;
  const double a = e.lambda.front(), b = e.lambda.back();
  // Rice's rule on the log scale, 5..60 bins; one bin for a flat spectrum.
  const int bins = b > a ? std::clamp(int(std::ceil(2.0 * std::cbrt(double(n)))), 5, 60) : 1;
  const double span = b > a ? std::log(b / a) : 0.0;
  auto edge = [&](int j) {
    return b > a ? a * std::exp(span * double(j) / bins) : (j == 0 ? a / 1.05 : a * 1.05);
  };
  std::vector<int> count(static_cast<size_t>(bins), 0);
  for (double l : e.lambda) {
    int j = span > 0 ? int(std::floor(bins * std::log(l / a) / span)) : 0;
    ++count[static_cast<size_t>(std::clamp(j, 0, bins - 1))];
  }
  for (int j = 0; j < bins; ++j) {
    if (count[static_cast<size_t>(j)] == 0) continue;
    const double lo = edge(j), hi = edge(j + 1);
    e.lo.push_back(lo);
    e.hi.push_back(hi);
    e.center.push_back(std::sqrt(lo * hi));
    e.density.push_back(count[static_cast<size_t>(j)] / (double(n) * (hi - lo)));
  }
  return e;
}

// The fitted power law as a density on the same scale as esdOf: the tail's share of the
// eigenvalues times the normalized tail density, (n_tail / n) (alpha - 1) / lambda_min
// (lambda / lambda_min)^-alpha, from lambda_min to lambda_max: slope -alpha on log-log axes.
bool fitLine(const Esd& e, const SpectrumMetrics& m, QVector<double>* x, QVector<double>* y) {
  if (!std::isfinite(m.alpha) || !std::isfinite(m.alpha_xmin) || m.alpha_xmin <= 0 ||
      e.lambda.empty())
    return false;
  const double xmin = m.alpha_xmin, xmax = std::max(e.lambda.back(), xmin);
  // the stored xmin is an eigenvalue of the double-precision sigma; sv is float32
  const auto first = std::lower_bound(e.lambda.begin(), e.lambda.end(), xmin * (1 - 1e-6));
  const double share = double(e.lambda.end() - first) / double(e.lambda.size());
  if (share <= 0) return false;
  constexpr int kPoints = 24;
  for (int i = 0; i < kPoints; ++i) {
    const double l = xmin * std::pow(xmax / xmin, double(i) / (kPoints - 1));
    x->push_back(l);
    y->push_back(share * (m.alpha - 1) / xmin * std::pow(l / xmin, -m.alpha));
  }
  return true;
}

// Ticks of the rank axis: whole ranks only (a step below 1 would label 2.5).
class RankTicker : public QCPAxisTicker {
 protected:
  double getTickStep(const QCPRange& range) override {
    return std::max(1.0, QCPAxisTicker::getTickStep(range));
  }
};

bool isHeads(const QString& name) {
  return name == QLatin1String(SpectrumPlot::kMatrixHeadsQK) ||
         name == QLatin1String(SpectrumPlot::kMatrixHeadsOV);
}

// Range of the graphs of one axis rect: keys and positive values (log axes).
bool rectRange(QCPAxisRect* rect, QCPRange* xr, QCPRange* yr) {
  bool found = false;
  for (QCPGraph* g : rect->graphs()) {
    bool okx = false, oky = false;
    const QCPRange kx = g->getKeyRange(okx, QCP::sdPositive);
    const QCPRange vy = g->getValueRange(oky, QCP::sdPositive);
    if (!okx || !oky) continue;
    *xr = found ? QCPRange(std::min(xr->lower, kx.lower), std::max(xr->upper, kx.upper)) : kx;
    *yr = found ? QCPRange(std::min(yr->lower, vy.lower), std::max(yr->upper, vy.upper)) : vy;
    found = true;
  }
  return found;
}
}  // namespace

SpectrumPlot::SpectrumPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setup();
}

SpectrumPlot::SpectrumPlot(const QVector<RunModel*>& runs, QWidget* parent)
    : PlotBase(runs, parent) {
  setup();
}

void SpectrumPlot::setup() {
  setObjectName(QStringLiteral("spectrum"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("Singular values"));

  auto* ctl = controlsLayout();
  viewCombo_ = new QComboBox(this);
  viewCombo_->setToolTip(tr("What the plot shows: singular values or the ESD of λ = σ²"));
  viewCombo_->addItem(tr("Singular values σ_i"), kSingularValues);
  viewCombo_->addItem(tr("ESD of λ = σ² (power-law fit)"), kEsd);
  viewCombo_->setItemData(1,
                          tr("Empirical spectral density of the eigenvalues of WᵀW with "
                             "WeightWatcher's power-law fit from λ_min (slope −α)"),
                          Qt::ToolTipRole);
  ctl->addWidget(viewCombo_);
  ctl->addWidget(new QLabel(tr("Layer:"), this));
  layerCombo_ = new QComboBox(this);
  ctl->addWidget(layerCombo_);
  ctl->addWidget(new QLabel(tr("Matrix:"), this));
  matrixCombo_ = new QComboBox(this);
  ctl->addWidget(matrixCombo_);
  // The controls row must fit a narrow dock (~700 px): combos shrink to a few characters.
  for (QComboBox* c : {viewCombo_, layerCombo_, matrixCombo_})
    c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  viewCombo_->setMinimumContentsLength(6);
  layerCombo_->setMinimumContentsLength(2);
  matrixCombo_->setMinimumContentsLength(8);
  normCheck_ = new QCheckBox(tr("σ/σ₁"), this);
  normCheck_->setToolTip(tr("Divide by the largest singular value to compare shapes"));
  ctl->addWidget(normCheck_);
  overlayCheck_ = new QCheckBox(tr("Earlier"), this);
  overlayCheck_->setChecked(overlay_);
  overlayCheck_->setToolTip(
      tr("Overlay the spectrum at earlier snapshots in fading colour (one run, one matrix)"));
  ctl->addWidget(overlayCheck_);
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_);
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(matrixCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMatrixName(matrixCombo_->itemData(i).toString()); });
  connect(normCheck_, &QCheckBox::toggled, this, &SpectrumPlot::setNormalized);
  connect(overlayCheck_, &QCheckBox::toggled, this, &SpectrumPlot::setOverlayEarlier);
  connect(viewCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setView(viewCombo_->itemData(i).toInt()); });
  connect(slider_, &StepSlider::stepChanged, this, [this](qint64 s) {
    step_ = slider_->followsLatest() ? -1 : s;
    scheduleRefresh();
    emit stepChanged(step_);
  });

  main_ = plot()->axisRect();
  legend_ = plot()->legend;
  legend_->setVisible(true);
  syncCombos();
  applyPalette();
}

// ---- settings ----

int SpectrumPlot::matrix() const {
  return matrix_.isEmpty() || isHeads(matrix_)
             ? -1
             : static_cast<int>(allMatrixNames().indexOf(matrix_));
}

int SpectrumPlot::headComposite() const {
  return matrix_ == QLatin1String(kMatrixHeadsQK)   ? kHeadsQK
         : matrix_ == QLatin1String(kMatrixHeadsOV) ? kHeadsOV
                                                    : kNoHeads;
}

int SpectrumPlot::snapshotIndexOf(int r) const {
  const RunModel* m = run(r);
  return m ? nearestSnapshot(m->snapshots(), step_) : -1;
}

void SpectrumPlot::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void SpectrumPlot::setLayer(int layer) {
  if (layer < 0 || layer == layer_) return;
  layer_ = layer;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setMatrixName(const QString& name) {
  if (name == matrix_) return;
  matrix_ = name;
  if (!isHeads(name)) lastMatrix_ = name;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setMatrix(int index) {
  const QStringList names = allMatrixNames();
  if (index < 0) return setMatrixName(QString());
  if (index < names.size()) setMatrixName(names[index]);
}

void SpectrumPlot::setHeadComposite(int kind) {
  if (kind == kHeadsQK) return setMatrixName(QString::fromLatin1(kMatrixHeadsQK));
  if (kind == kHeadsOV) return setMatrixName(QString::fromLatin1(kMatrixHeadsOV));
  if (isHeads(matrix_)) setMatrixName(lastMatrix_);
}

void SpectrumPlot::setStep(qint64 step) {
  const qint64 want = step < 0 ? -1 : step;
  if (want == step_) return;
  slider_->setStep(want);
  step_ = want;
  scheduleRefresh();
}

void SpectrumPlot::setNormalized(bool on) {
  if (on == normalized_) return;
  normalized_ = on;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setOverlayEarlier(bool on) {
  if (on == overlay_) return;
  overlay_ = on;
  syncCombos();
  scheduleRefresh();
}

void SpectrumPlot::setView(int view) {
  if (view != kEsd) view = kSingularValues;
  if (view == view_) return;
  view_ = view;
  syncCombos();
  scheduleReset();
}

bool SpectrumPlot::perHead() const {
  return isHeads(matrix_);
}

bool SpectrumPlot::esdShown() const {
  return view_ == kEsd && !perHead();
}

int SpectrumPlot::liveRunCount() const {
  int n = 0;
  for (int r = 0; r < runCount(); ++r) n += run(r) ? 1 : 0;
  return n;
}

QStringList SpectrumPlot::allMatrixNames() const {
  QStringList names;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r))
      for (const auto& n : m->matrixNames())
        if (!names.contains(QString::fromStdString(n))) names << QString::fromStdString(n);
  return names;
}

int SpectrumPlot::maxLayers() const {
  int L = 0;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r)) L = std::max(L, m->layerCount());
  return L;
}

QStringList SpectrumPlot::headItems() const {
  int H = 0;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r)) H = std::max(H, m->info().n_head);
  const QString kind =
      matrix_ == QLatin1String(kMatrixHeadsQK) ? QStringLiteral("qk") : QStringLiteral("ov");
  QStringList out;
  for (int h = 0; h < H; ++h) out << QStringLiteral("heads:%1:%2").arg(kind).arg(h);
  return out;
}

void SpectrumPlot::runsReset() {
  syncCombos();
}

void SpectrumPlot::syncCombos() {
  {
    const QSignalBlocker b(layerCombo_);
    const int L = std::max(maxLayers(), layer_ + 1);
    if (layerCombo_->count() != L) {
      layerCombo_->clear();
      for (int l = 0; l < L; ++l) layerCombo_->addItem(QString::number(l), l);
    }
    layerCombo_->setCurrentIndex(layerCombo_->findData(layer_));
  }
  {
    const QSignalBlocker b(matrixCombo_);
    QStringList names = allMatrixNames();
    if (!matrix_.isEmpty() && !perHead() && !names.contains(matrix_)) names << matrix_;
    QStringList want{QString()};
    want << names << QString::fromLatin1(kMatrixHeadsQK) << QString::fromLatin1(kMatrixHeadsOV);
    bool same = matrixCombo_->count() == want.size();
    for (int i = 0; same && i < want.size(); ++i)
      same = matrixCombo_->itemData(i).toString() == want[i];
    if (!same) {
      matrixCombo_->clear();
      matrixCombo_->addItem(tr("All matrices"), QString());
      for (const QString& n : names)
        matrixCombo_->addItem(QString::fromStdString(matrix_name_label(n.toStdString())), n);
      matrixCombo_->addItem(tr("W_QK^h per head"), QString::fromLatin1(kMatrixHeadsQK));
      matrixCombo_->setItemData(matrixCombo_->count() - 1,
                                tr("W_QK^h = W_q^h^T W_k^h: the bilinear form head h applies, "
                                   "one curve (or panel) per head"),
                                Qt::ToolTipRole);
      matrixCombo_->addItem(tr("W_OV^h per head"), QString::fromLatin1(kMatrixHeadsOV));
      matrixCombo_->setItemData(matrixCombo_->count() - 1,
                                tr("W_OV^h = W_o^h W_v^h: the map head h writes to the residual, "
                                   "one curve (or panel) per head"),
                                Qt::ToolTipRole);
    }
    matrixCombo_->setCurrentIndex(std::max(0, matrixCombo_->findData(matrix_)));
  }
  {
    const QSignalBlocker b(viewCombo_);
    viewCombo_->setCurrentIndex(std::max(0, viewCombo_->findData(view_)));
  }
  {
    const QSignalBlocker b(normCheck_);
    normCheck_->setChecked(normalized_);
  }
  {
    const QSignalBlocker b(overlayCheck_);
    overlayCheck_->setChecked(overlay_);
  }
  viewCombo_->setEnabled(!perHead());
  normCheck_->setEnabled(!esdShown());
  overlayCheck_->setEnabled(liveRunCount() <= 1 && !matrix_.isEmpty() && !perHead() && !esdShown());
}

// ---- data lookup ----

const SpectrumMetrics* SpectrumPlot::itemMetrics(const Snapshot& s, const QString& item) const {
  if (layer_ < 0 || layer_ >= static_cast<int>(s.layers.size())) return nullptr;
  const LayerMetrics& lm = s.layers[layer_];
  if (item.startsWith(QLatin1String("heads:"))) {  // heads:<qk|ov>:<h>
    const QStringList parts = item.split(QLatin1Char(':'));
    if (parts.size() != 3) return nullptr;
    const auto& heads = parts[1] == QLatin1String("qk") ? lm.qk_heads : lm.ov_heads;
    bool ok = false;
    const int h = parts[2].toInt(&ok);
    if (!ok || h < 0 || h >= static_cast<int>(heads.size())) return nullptr;
    for (float v : heads[h].sv)
      if (std::isfinite(v) && v > 0) return &heads[h];
    return nullptr;  // all NaN: a file from before the per-head composites
  }
  for (size_t k = 0; k < s.matrix_names.size(); ++k)
    if (QString::fromStdString(s.matrix_names[k]) == item)
      return k < lm.matrices.size() && !lm.matrices[k].sv.empty() ? &lm.matrices[k] : nullptr;
  return nullptr;
}

QString SpectrumPlot::itemLabel(const QString& item) const {
  if (item.startsWith(QLatin1String("heads:"))) return tr("head %1").arg(item.section(':', 2));
  return QString::fromStdString(matrix_name_label(item.toStdString()));
}

QString SpectrumPlot::panelTitle(const QString& item) const {
  const QStringList parts = item.split(QLatin1Char(':'));
  if (parts.size() == 3 && parts[0] == QLatin1String("heads"))
    return (parts[1] == QLatin1String("qk") ? tr("W_QK^h, head %1") : tr("W_OV^h, head %1"))
        .arg(parts[2]);
  // Panels are narrow: the sums over heads get a short mark instead of "(sum over heads)".
  if (item == QLatin1String("qk")) return tr("W_QK (Σ heads)");
  if (item == QLatin1String("vo")) return tr("W_VO (Σ heads)");
  return matrixLabel(item);
}

// ---- layout ----

void SpectrumPlot::layoutPanels(int panels, bool multi, int metricBlocks, bool note) {
  const bool esd = esdShown();
  const QString key = QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8")
                          .arg(panels)
                          .arg(multi)
                          .arg(esd)
                          .arg(normalized_)
                          .arg(metricBlocks)
                          .arg(note)
                          .arg(layer_)
                          .arg(multi ? items_.join(QLatin1Char(',')) : QString());
  if (key == layoutKey_) return;
  layoutKey_ = key;
  QCustomPlot* p = plot();
  p->clearPlottables();
  // Keep PlotBase's axis rect (panel 0) and the plot's legend; everything else is rebuilt.
  if (main_->layout()) main_->layout()->take(main_);
  if (legend_->layout()) legend_->layout()->take(legend_);
  body()->clear();
  rects_.clear();
  metrics_.clear();
  note_ = nullptr;

  auto* top = new QCPLayoutGrid;
  body()->addElement(0, 0, top);
  auto* grid = new QCPLayoutGrid;
  top->addElement(0, 0, grid);
  // The legend, outside every axis rect: a column at the right of one panel (its entries at the
  // top), a row under several panels (they need the width more than the height).
  auto* side = new QCPLayoutGrid;
  side->addElement(0, 0, legend_);
  side->addElement(panels > 1 ? 0 : 1, panels > 1 ? 1 : 0, new QCPLayoutElement(p));
  side->setMinimumMargins(QMargins(4, 4, 6, 4));
  if (panels > 1) {
    top->addElement(1, 0, side);
    side->setColumnStretchFactor(0, 0.001);
    top->setRowStretchFactor(0, 1.0);
    top->setRowStretchFactor(1, 0.001);
    legend_->setFillOrder(QCPLayoutGrid::foColumnsFirst, false);
    legend_->setWrap(kLegendColumns);  // fitted to the width once the entries are in
    legendInRow_ = true;
  } else {
    top->addElement(0, 1, side);
    side->setRowStretchFactor(0, 0.001);
    top->setColumnStretchFactor(0, 1.0);
    top->setColumnStretchFactor(1, 0.001);
    legend_->setFillOrder(QCPLayoutGrid::foRowsFirst, false);
    legend_->setWrap(kLegendRows);
    legendInRow_ = false;
  }

  const bool several = panels > 1;
  const int cols = panels <= 3 ? panels : panels == 4 ? 2 : 4;
  QFont small = font();
  small.setPointSizeF(std::max(7.0, font().pointSizeF() - 1));
  for (int i = 0; i < panels; ++i) {
    QCPAxisRect* rect = i == 0 ? main_ : new QCPAxisRect(p);
    const int row = several ? 2 * (i / cols) : 0, col = several ? i % cols : 0;
    if (several) {
      auto* title = new QCPTextElement(p, panelTitle(items_.value(i)),
                                       QFont(font().family(), small.pointSize(), QFont::Bold));
      title->setMargins(QMargins(2, 1, 2, 3));  // room for the subscript's underscore
      grid->addElement(row, col, title);
      grid->setRowStretchFactor(row, 0.001);
    }
    grid->addElement(row + (several ? 1 : 0), col, rect);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    x->setScaleType(esd ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    x->setTicker(esd ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                     : QSharedPointer<QCPAxisTicker>(new RankTicker));
    y->setScaleType(QCPAxis::stLogarithmic);
    y->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    // Several panels: axis titles on the left column and the bottom row only, smaller ticks.
    const bool left = col == 0, bottom = !several || i + cols >= panels;
    const QString xl =
        esd ? (several ? tr("λ = σ²") : tr("Eigenvalue λ = σ² of WᵀW")) : tr("Rank i");
    const QString yl = esd           ? (several ? tr("p(λ)") : tr("Density p(λ)"))
                       : normalized_ ? tr("σ_i / σ_1")
                       : several     ? tr("σ_i")
                                     : tr("Singular value σ_i");
    x->setLabel(bottom ? xl : QString());
    y->setLabel(left ? yl : QString());
    const QFont tickFont = several ? small : font();
    for (QCPAxis* ax : {x, y}) {
      ax->setTickLabelFont(tickFont);
      ax->setLabelFont(tickFont);
    }
    x->ticker()->setTickCount(several ? (cols >= 4 ? 2 : 3) : 5);  // narrow panels: no overlap
    y->ticker()->setTickCount(several ? 3 : 5);
    rects_ << rect;
  }

  int row = 1;
  if (metricBlocks > 0) {
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fixed.setPointSizeF(std::max(7.0, font().pointSizeF() - 1));
    auto* strip = new QCPLayoutGrid;
    body()->addElement(row, 0, strip);
    body()->setRowStretchFactor(row++, 0.001);
    for (int b = 0; b < metricBlocks; ++b) {
      auto* t = new QCPTextElement(p);
      t->setFont(fixed);
      t->setTextFlags(Qt::AlignLeft | Qt::AlignTop);
      t->setMargins(QMargins(8, 2, 8, 2));
      strip->addElement(0, b, t);
      metrics_ << t;
    }
  }
  if (note) {
    note_ = new QCPTextElement(p);
    note_->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
    note_->setMargins(QMargins(8, 2, 8, 4));
    body()->addElement(row, 0, note_);
    body()->setRowStretchFactor(row++, 0.001);
  }
  body()->setRowStretchFactor(0, 1.0);
  applyPalette();
}

QCPLegend* SpectrumPlot::legend() const {
  return legend_;
}

// ---- rebuild ----

void SpectrumPlot::rebuild() {
  {
    const QSignalBlocker block(slider_);
    slider_->setSteps(unionSnapshotSteps());
  }
  syncCombos();
  QCustomPlot* p = plot();
  p->clearPlottables();
  curves_.clear();
  missing_.clear();
  const bool multi = liveRunCount() > 1, heads = perHead(), esd = esdShown();
  items_ = matrix_.isEmpty() ? allMatrixNames() : heads ? headItems() : QStringList{matrix_};
  const bool single = !heads && items_.size() == 1 && !matrix_.isEmpty();  // one matrix

  const QString what =
      matrix_.isEmpty() ? tr("all matrices")
      : heads ? (headComposite() == kHeadsQK ? tr("W_QK^h per head") : tr("W_OV^h per head"))
              : itemLabel(matrix_);
  setTitle(tr("%1 · %2 · layer %3")
               .arg(esd           ? tr("Empirical spectral density (λ = σ²)")
                    : normalized_ ? tr("Singular values σ_i / σ_1")
                                  : tr("Singular values"),
                    what)
               .arg(layer_));

  // Each run's snapshot nearest to the step; runs without the layer or matrix are listed.
  struct Shown {
    int run;
    int snapshot;
  };
  QVector<Shown> shown;
  bool anySnapshot = false;
  for (int r = 0; r < runCount(); ++r) {
    RunModel* m = run(r);
    if (!m) continue;
    const int si = nearestSnapshot(m->snapshots(), step_);
    if (si < 0) {
      missing_ << tr("%1: no snapshots yet").arg(runLabel(r));
      continue;
    }
    anySnapshot = true;
    const Snapshot& s = m->snapshots()[si];
    if (layer_ >= static_cast<int>(s.layers.size())) {
      missing_
          << tr("%1: no layer %2 (it has %3)").arg(runLabel(r)).arg(layer_).arg(s.layers.size());
      continue;
    }
    QStringList lacks;
    for (const QString& item : items_)
      if (!itemMetrics(s, item)) lacks << itemLabel(item);
    if (!items_.isEmpty() && lacks.size() == items_.size()) {
      missing_ << (heads ? tr("%1: no per-head composites at step %2 (files written before they "
                              "were recorded have none)")
                               .arg(runLabel(r))
                               .arg(s.step)
                         : tr("%1: no %2").arg(runLabel(r), lacks.join(QStringLiteral(", "))));
      continue;
    }
    if (!lacks.isEmpty() && !heads)
      missing_ << tr("%1: no %2").arg(runLabel(r), lacks.join(QStringLiteral(", ")));
    shown << Shown{r, si};
  }
  if (!anySnapshot || items_.isEmpty()) {
    for (QCPTextElement* t : metrics_) t->setText(QString());
    if (note_) note_->setText(QString());
    setPlaceholderText(runCount() == 0 ? tr("No run to show.")
                                       : tr("No snapshots yet: spectra appear at the first "
                                            "metrics snapshot."));
    return;
  }
  const int blocks = shown.isEmpty() ? 0 : (!multi && single) ? 3 : 1;
  layoutPanels(multi ? static_cast<int>(items_.size()) : 1, multi, blocks, !missing_.isEmpty());

  auto addSpectrum = [&](QCPAxisRect* rect, const std::vector<float>& sv, const QColor& color,
                         double width, const QString& name) {
    QCPGraph* g = p->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    const double top = normalized_ && !sv.empty() && sv.front() > 0 ? double(sv.front()) : 1.0;
    QVector<double> y(static_cast<int>(sv.size()));
    for (int i = 0; i < y.size(); ++i) {
      const double v = normalized_ ? double(sv[i]) / top : double(sv[i]);
      y[i] = v > 0 ? v : kNaN;  // log axis
    }
    g->setData(plotutil::iota(y.size(), 1.0), y, true);
    g->setPen(QPen(color, width));
    g->setName(name);
    return g;
  };
  // ESD view: the density points and the fitted power law (dashed, same colour).
  auto addEsd = [&](QCPAxisRect* rect, const SpectrumMetrics& m, const QColor& color,
                    const QString& name, bool fitInLegend, QCPGraph** fit) {
    const Esd e = esdOf(m.sv);
    QCPGraph* g = p->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    g->setData(e.center, e.density, true);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 6));
    g->setPen(QPen(color, 1.5));
    g->setName(name);  // alpha: in the fit's legend entry (one matrix) or the metrics table
    QVector<double> fx, fy;
    *fit = nullptr;
    if (fitLine(e, m, &fx, &fy)) {
      QCPGraph* f = p->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      f->setData(fx, fy, true);
      f->setPen(QPen(color, 2.0, Qt::DashLine));
      f->setName(tr("power law α = %1").arg(num(m.alpha)));
      if (!fitInLegend) f->removeFromLegend();
      *fit = f;
    }
    return g;
  };

  for (const Shown& sh : shown) {
    const int r = sh.run;
    const auto& snaps = run(r)->snapshots();
    const Snapshot& s = snaps[sh.snapshot];
    bool inLegend = false;
    for (int i = 0; i < items_.size(); ++i) {
      const SpectrumMetrics* m = itemMetrics(s, items_[i]);
      if (!m) continue;
      QCPAxisRect* rect = rects_[multi ? i : 0];
      const QColor color = multi || single ? runColor(r) : seriesColor(i);
      const QString name = multi    ? tr("%1 · step %2").arg(runLabel(r)).arg(s.step)
                           : single ? tr("step %1").arg(s.step)
                                    : itemLabel(items_[i]);
      if (esd) {
        QCPGraph* fit = nullptr;
        QCPGraph* g = addEsd(rect, *m, color, name, !multi && single, &fit);
        if (multi && inLegend) g->removeFromLegend();
        inLegend = true;
        curves_ << Curve{r, items_[i], sh.snapshot, s.step, false, g, fit};
        continue;
      }
      if (!multi && single && overlay_ && sh.snapshot > 0) {
        // Up to kMaxOverlays earlier snapshots, evenly spaced, older ones fainter.
        const int sel = sh.snapshot, k = std::min(kMaxOverlays, sel);
        int last = -1;
        for (int j = 0; j < k; ++j) {
          const int idx = static_cast<int>(std::lround(double(j) * (sel - 1) / std::max(1, k - 1)));
          if (idx == last) continue;
          last = idx;
          const SpectrumMetrics* em = itemMetrics(snaps[idx], items_[i]);
          if (!em) continue;
          QColor c = color;
          c.setAlpha(40 + 100 * (j + 1) / (k + 1));
          QCPGraph* g = addSpectrum(rect, em->sv, c, 1.2, tr("step %1").arg(snaps[idx].step));
          curves_ << Curve{r, items_[i], idx, snaps[idx].step, true, g, nullptr};
        }
      }
      const double width = multi ? 1.8 : single ? 2.2 : heads ? 1.8 : 1.6;
      QCPGraph* g = addSpectrum(rect, m->sv, color, width, name);
      if (multi && inLegend) g->removeFromLegend();
      inLegend = true;
      curves_ << Curve{r, items_[i], sh.snapshot, s.step, false, g, nullptr};
    }
  }

  // Metrics under the plot.
  if (!shown.isEmpty()) {
    QStringList texts;
    if (multi) {
      QVector<int> runs;
      for (const Shown& sh : shown) runs << sh.run;
      texts << runTable(runs);
    } else {
      texts = singleRunMetrics(shown.front().run,
                               run(shown.front().run)->snapshots()[shown.front().snapshot]);
    }
    for (int b = 0; b < metrics_.size(); ++b) metrics_[b]->setText(texts.value(b));
  }
  if (note_) note_->setText(tr("Not drawn: ") + missing_.join(QStringLiteral("; ")));
  if (legendInRow_) fitLegendColumns(legend_, kLegendColumns);
  setPlaceholderText(curves_.isEmpty() ? tr("Nothing to draw:\n") + missing_.join(QLatin1Char('\n'))
                                       : QString());
}

// The metrics of one run: a single matrix in three columns (header and isotropy; rank and update
// alignment; power law), or a table over the matrices / heads shown.
QStringList SpectrumPlot::singleRunMetrics(int r, const Snapshot& s) const {
  const RunModel* model = run(r);
  if (!perHead() && items_.size() == 1 && !matrix_.isEmpty()) {
    const SpectrumMetrics* mp = itemMetrics(s, items_.front());
    if (!mp) return {};
    const SpectrumMetrics& m = *mp;
    QString shape, chance = QStringLiteral("?");
    const RunInfo& info = model->info();
    const auto it =
        std::find(info.matrix_names.begin(), info.matrix_names.end(), items_.front().toStdString());
    const size_t mi = static_cast<size_t>(it - info.matrix_names.begin());
    if (it != info.matrix_names.end() && mi < info.matrix_shapes.size()) {
      const auto& sh = info.matrix_shapes[mi];
      shape = tr(" (%1 × %2)").arg(sh[0]).arg(sh[1]);
      // A direction-free update puts k / rows of its energy in W's top-k left subspace.
      chance = num(std::min(10, std::min(sh[0], sh[1])) / double(std::max(1, sh[0])));
    }
    QString a = tr("%1%2 · step %3\n").arg(itemLabel(items_.front()), shape).arg(s.step);
    a += tr("eRank        %1\n").arg(num(m.erank));
    a += tr("entropy H    %1\n").arg(num(m.entropy));
    a += tr("TopE_10      %1\n").arg(num(m.top10));
    a += tr("Q75/Q25      %1").arg(num(m.q75_q25));
    QString b = tr("stable rank  %1\n").arg(num(m.stable_rank));
    b += tr("update cos   %1\n").arg(num(m.update_cosine));
    b += tr("update top10 %1\n").arg(num(m.update_top_share));
    b += tr("  (chance %1)").arg(chance);
    QString c = tr("power law of λ = σ²\n");
    c += tr("alpha        %1\n").arg(num(m.alpha));
    c += tr("alpha weight %1\n").arg(num(m.alpha_weighted));
    c += tr("KS distance  %1\n").arg(num(m.alpha_ks));
    c += tr("λ_min        %1").arg(num(m.alpha_xmin));
    return {a, b, c};
  }
  QString text;
  if (perHead()) {
    const int hd = model->info().head_dim;
    text = tr("%1 · step %2: %3 σ per head (rank ≤ head_dim), H normalized by log %3\n")
               .arg(headComposite() == kHeadsQK ? tr("W_QK^h = W_q^h^T W_k^h")
                                                : tr("W_OV^h = W_o^h W_v^h"))
               .arg(s.step)
               .arg(hd);
    for (int h0 = 0; h0 < items_.size(); h0 += kHeadsPerBlock) {
      const int h1 = std::min(static_cast<int>(items_.size()), h0 + kHeadsPerBlock);
      QString head = QStringLiteral("%1").arg(tr("head"), -8);
      QString rows[4] = {
          QStringLiteral("%1").arg(tr("eRank"), -8), QStringLiteral("%1").arg(tr("H"), -8),
          QStringLiteral("%1").arg(tr("TopE10"), -8), QStringLiteral("%1").arg(tr("Q75/25"), -8)};
      for (int h = h0; h < h1; ++h) {
        head += cell(QString::number(h));
        const SpectrumMetrics* m = itemMetrics(s, items_[h]);
        rows[0] += cell(m ? num(m->erank) : QStringLiteral("–"));
        rows[1] += cell(m ? num(m->entropy) : QStringLiteral("–"));
        rows[2] += cell(m ? num(m->top10) : QStringLiteral("–"));
        rows[3] += cell(m ? num(m->q75_q25) : QStringLiteral("–"));
      }
      text += head + QLatin1Char('\n');
      for (const QString& row : rows) text += row + QLatin1Char('\n');
    }
  } else {  // all matrices: a column per matrix, a row per metric
    QString head = QStringLiteral("%1").arg(tr("step %1").arg(s.step), -8);
    QString rows[6] = {
        QStringLiteral("%1").arg(tr("eRank"), -8),  QStringLiteral("%1").arg(tr("H"), -8),
        QStringLiteral("%1").arg(tr("TopE10"), -8), QStringLiteral("%1").arg(tr("Q75/25"), -8),
        QStringLiteral("%1").arg(tr("alpha"), -8),  QStringLiteral("%1").arg(tr("KS"), -8)};
    bool anySum = false;  // qk / vo: marked with * and a footnote, to keep the columns narrow
    for (const QString& item : items_) {
      const SpectrumMetrics* m = itemMetrics(s, item);
      const bool sum = is_head_sum(item.toStdString());
      anySum = anySum || sum;
      head += cell(elide(sum ? item + QLatin1Char('*') : item, kTableCell));
      rows[0] += cell(m ? num(m->erank) : QStringLiteral("–"));
      rows[1] += cell(m ? num(m->entropy) : QStringLiteral("–"));
      rows[2] += cell(m ? num(m->top10) : QStringLiteral("–"));
      rows[3] += cell(m ? num(m->q75_q25) : QStringLiteral("–"));
      rows[4] += cell(m ? num(m->alpha) : QStringLiteral("–"));
      rows[5] += cell(m ? num(m->alpha_ks) : QStringLiteral("–"));
    }
    text = head + QLatin1Char('\n');
    for (const QString& row : rows) text += row + QLatin1Char('\n');
    if (anySum) text += tr("* sum over heads\n");
  }
  text.chop(1);
  return {text};
}

// The metrics of N runs: a row per run. One matrix: its metrics in columns; all matrices or the
// per-head composites: a column per matrix / head with eRank (alpha in the ESD view).
QString SpectrumPlot::runTable(const QVector<int>& shownRuns) const {
  auto snapshotOf = [&](int r) -> const Snapshot& {
    return run(r)->snapshots()[snapshotIndexOf(r)];
  };
  auto label = [&](int r) {
    return QStringLiteral("%1").arg(elide(runLabel(r), kRunLabelChars), -kRunLabelChars);
  };
  QString text;
  if (!perHead() && items_.size() == 1 && !matrix_.isEmpty()) {
    text = QStringLiteral("%1").arg(tr("run"), -kRunLabelChars);
    for (const QString& h : {tr("step"), tr("eRank"), tr("H"), tr("TopE10"), tr("Q75/25"),
                             tr("s.rank"), tr("alpha"), tr("α_w"), tr("KS")})
      text += cell(h);
    for (int r : shownRuns) {
      const Snapshot& s = snapshotOf(r);
      const SpectrumMetrics* m = itemMetrics(s, items_.front());
      text += QLatin1Char('\n') + label(r) + cell(QString::number(s.step));
      if (!m) continue;
      for (double v : {m->erank, m->entropy, m->top10, m->q75_q25, m->stable_rank, m->alpha,
                       m->alpha_weighted, m->alpha_ks})
        text += cell(num(v));
    }
    return text;
  }
  // A column per item, the view's metric: eRank of the singular values, alpha of the ESD.
  const bool heads = perHead(), esd = esdShown();
  text = QStringLiteral("%1").arg(esd ? tr("alpha") : tr("eRank"), -kRunLabelChars);
  for (const QString& item : items_)
    text += cell(heads ? tr("h%1").arg(item.section(':', 2))
                       : elide(is_head_sum(item.toStdString()) ? item + QLatin1Char('*') : item,
                               kTableCell));
  for (int r : shownRuns) {
    const Snapshot& s = snapshotOf(r);
    text += QLatin1Char('\n') + label(r);
    for (const QString& item : items_) {
      const SpectrumMetrics* m = itemMetrics(s, item);
      text += cell(m ? num(esd ? m->alpha : m->erank) : QStringLiteral("–"));
    }
  }
  return text;
}

void SpectrumPlot::resetRanges() {
  const bool esd = esdShown();
  for (QCPAxisRect* rect : rects_) {
    QCPRange xr, yr;
    if (!rectRange(rect, &xr, &yr)) continue;
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    if (esd) {  // log-log: pad by factors
      x->setRange(xr.lower / 1.3, xr.upper * 1.3);
      y->setRange(yr.lower / 2, yr.upper * 2);
    } else {
      x->setRange(std::max(0.0, xr.lower - 0.5), xr.upper + 0.5);
      y->setRange(yr.lower / 1.3, yr.upper * 1.3);
    }
  }
}

QString SpectrumPlot::metricsText() const {
  QStringList parts;
  for (const QCPTextElement* t : metrics_)
    if (!t->text().isEmpty()) parts << t->text();
  return parts.join(QStringLiteral("\n\n"));
}

QVector<QCPGraph*> SpectrumPlot::currentGraphs() const {
  QVector<QCPGraph*> out;
  for (const Curve& c : curves_)
    if (!c.overlay) out << c.graph;
  return out;
}

QVector<QCPGraph*> SpectrumPlot::fitGraphs() const {
  QVector<QCPGraph*> out;
  if (!esdShown()) return out;
  for (const Curve& c : curves_)
    if (!c.overlay) out << c.fit;
  return out;
}

QVector<QCPGraph*> SpectrumPlot::overlayGraphs() const {
  QVector<QCPGraph*> out;
  for (const Curve& c : curves_)
    if (c.overlay) out << c.graph;
  return out;
}

// ---- CSV ----

QString SpectrumPlot::csv() const {
  const bool esd = esdShown();
  QString out = esd ? QStringLiteral(
                          "run,label,step,layer,matrix,lambda_lo,lambda_hi,density,alpha,"
                          "alpha_weighted,alpha_ks,alpha_xmin\n")
                    : QStringLiteral("run,label,step,layer,matrix,rank,sigma\n");
  for (const Curve& c : curves_) {
    const RunModel* m = run(c.run);
    if (!m || c.snapshot < 0 || c.snapshot >= static_cast<int>(m->snapshots().size())) continue;
    const Snapshot& s = m->snapshots()[c.snapshot];
    const SpectrumMetrics* sm = itemMetrics(s, c.matrix);
    if (!sm) continue;
    const QString head = QStringLiteral("%1,%2,%3,%4,%5,")
                             .arg(c.run)
                             .arg(csvField(runLabel(c.run)))
                             .arg(s.step)
                             .arg(layer_)
                             .arg(csvField(c.matrix));
    if (esd) {
      const Esd e = esdOf(sm->sv);
      for (int j = 0; j < e.center.size(); ++j)
        out += head + QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                          .arg(csvNumber(e.lo[j]), csvNumber(e.hi[j]), csvNumber(e.density[j]),
                               csvNumber(sm->alpha), csvNumber(sm->alpha_weighted),
                               csvNumber(sm->alpha_ks), csvNumber(sm->alpha_xmin));
    } else {
      for (size_t k = 0; k < sm->sv.size(); ++k)
        out += head + QStringLiteral("%1,%2\n").arg(k + 1).arg(csvNumber(sm->sv[k]));
    }
  }
  return out;
}

}  // namespace ms
