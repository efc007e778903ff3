// SpectrumPlot: singular-value spectra and ESDs with isotropy and power-law metrics (see
// SpectrumPlot.h).
#include "SpectrumPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

#include "PlotUtil.h"
#include "SnapshotSlider.h"
#include "common/MatrixLabel.h"
#include "metrics/PowerLaw.h"  // header only: the eigenvalue threshold of the fit

namespace ms {

namespace {
constexpr int kMaxOverlays = 4;  // earlier snapshots drawn under the selected one

QString num(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–");
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

// Combo data of the per-head entries (after "All matrices" = -1 and the matrix indices).
int headsComboData(int kind) {
  return -1 - kind;  // kHeadsQK -> -2, kHeadsOV -> -3
}
}  // namespace

SpectrumPlot::SpectrumPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setObjectName(QStringLiteral("spectrum"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("Singular values"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("View:"), this));
  viewCombo_ = new QComboBox(this);
  viewCombo_->addItem(tr("Singular values σ_i"), kSingularValues);
  viewCombo_->addItem(tr("ESD of λ = σ² (log-log, power-law fit)"), kEsd);
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
  overlayCheck_ = new QCheckBox(tr("Earlier snapshots"), this);
  overlayCheck_->setChecked(overlay_);
  overlayCheck_->setToolTip(tr("Overlay the spectrum at earlier snapshots in fading colour"));
  ctl->addWidget(overlayCheck_);
  slider_ = new SnapshotSlider(this);
  ctl->addWidget(slider_, 1);
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(matrixCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    const int v = matrixCombo_->itemData(i).toInt();
    if (v <= headsComboData(kHeadsQK))
      setHeadComposite(-1 - v);
    else
      setMatrix(v);
  });
  connect(overlayCheck_, &QCheckBox::toggled, this, &SpectrumPlot::setOverlayEarlier);
  connect(viewCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setView(viewCombo_->itemData(i).toInt()); });
  connect(slider_, &SnapshotSlider::indexChanged, this, [this] { scheduleRefresh(); });

  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("Rank i"));
  p->yAxis->setLabel(tr("Singular value σ_i"));
  p->yAxis->setScaleType(QCPAxis::stLogarithmic);
  p->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  metrics_ = new QCPTextElement(p);
  metrics_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  metrics_->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
  metrics_->setMargins(QMargins(8, 4, 8, 4));
  // A text element caps its row at the text's height; an empty element below it in a sub-grid
  // lifts that cap, so the plot keeps the full height and the metrics sit at the top.
  auto* side = new QCPLayoutGrid;
  body()->addElement(0, 1, side);
  side->addElement(0, 0, metrics_);
  side->addElement(1, 0, new QCPLayoutElement(p));
  side->setRowStretchFactor(0, 0.01);
  body()->setColumnStretchFactor(0, 1.0);
  body()->setColumnStretchFactor(1, 0.01);
  applyPalette();
}

int SpectrumPlot::snapshotIndex() const {
  return slider_->index();
}

void SpectrumPlot::setSnapshotControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void SpectrumPlot::setLayer(int layer) {
  if (layer < 0 || layer == layer_) return;
  layer_ = layer;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setMatrix(int index) {
  if (index < -1) index = -1;
  if (index == matrix_ && heads_ == kNoHeads) return;
  matrix_ = index;
  heads_ = kNoHeads;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setHeadComposite(int kind) {
  if (kind != kHeadsQK && kind != kHeadsOV) kind = kNoHeads;
  if (kind == heads_) return;
  heads_ = kind;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::setMatrixByName(const QString& name) {
  if (!model()) return;
  const auto names = model()->matrixNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (QString::fromStdString(names[i]) == name) return setMatrix(static_cast<int>(i));
}

void SpectrumPlot::setSnapshot(int index) {
  slider_->setIndex(index);
}

void SpectrumPlot::setOverlayEarlier(bool on) {
  if (on == overlay_) return;
  overlay_ = on;
  const QSignalBlocker block(overlayCheck_);
  overlayCheck_->setChecked(on);
  scheduleRefresh();
}

void SpectrumPlot::setView(int view) {
  if (view != kEsd) view = kSingularValues;
  if (view == view_) return;
  view_ = view;
  syncCombos();
  scheduleReset();
}

void SpectrumPlot::applyAxes() {
  const bool esd = view_ == kEsd && heads_ == kNoHeads;
  if (esd == esdAxes_) return;
  esdAxes_ = esd;
  QCPAxis* x = plot()->xAxis;
  x->setScaleType(esd ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  x->setTicker(esd ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                   : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  x->setLabel(esd ? tr("Eigenvalue λ = σ² of WᵀW") : tr("Rank i"));
  plot()->yAxis->setLabel(esd ? tr("Density p(λ)") : tr("Singular value σ_i"));
  setTitle(esd ? tr("Empirical spectral density (λ = σ²)") : tr("Singular values"));
  // An ESD falls to the right: its lower left is free for the legend.
  plot()->axisRect()->insetLayout()->setInsetAlignment(
      0, esd ? (Qt::AlignBottom | Qt::AlignLeft) : (Qt::AlignTop | Qt::AlignRight));
}

void SpectrumPlot::syncCombos() {
  const int L = model() ? model()->layerCount() : 0;
  const auto names = model() ? model()->matrixNames() : std::vector<std::string>{};
  {
    const QSignalBlocker block(layerCombo_);
    if (layerCombo_->count() != L) {
      layerCombo_->clear();
      for (int l = 0; l < L; ++l) layerCombo_->addItem(tr("%1").arg(l), l);
    }
    layerCombo_->setCurrentIndex(layerCombo_->findData(layer_));
  }
  {
    const QSignalBlocker block(matrixCombo_);
    auto label = [](const std::string& n) { return QString::fromStdString(matrix_name_label(n)); };
    bool same = matrixCombo_->count() == static_cast<int>(names.size()) + 3;
    for (size_t i = 0; same && i < names.size(); ++i)
      same = matrixCombo_->itemText(static_cast<int>(i) + 1) == label(names[i]);
    if (!same) {
      matrixCombo_->clear();
      matrixCombo_->addItem(tr("All matrices"), -1);
      for (size_t i = 0; i < names.size(); ++i)
        matrixCombo_->addItem(label(names[i]), static_cast<int>(i));
      matrixCombo_->addItem(tr("W_QK^h per head"), headsComboData(kHeadsQK));
      matrixCombo_->setItemData(matrixCombo_->count() - 1,
                                tr("W_QK^h = W_q^h^T W_k^h: the bilinear form head h applies, "
                                   "one curve per head"),
                                Qt::ToolTipRole);
      matrixCombo_->addItem(tr("W_OV^h per head"), headsComboData(kHeadsOV));
      matrixCombo_->setItemData(matrixCombo_->count() - 1,
                                tr("W_OV^h = W_o^h W_v^h: the map head h writes to the residual, "
                                   "one curve per head"),
                                Qt::ToolTipRole);
    }
    const int want = heads_ != kNoHeads ? headsComboData(heads_) : matrix_;
    matrixCombo_->setCurrentIndex(std::max(0, matrixCombo_->findData(want)));
  }
  {
    const QSignalBlocker block(viewCombo_);
    viewCombo_->setCurrentIndex(std::max(0, viewCombo_->findData(view_)));
  }
  viewCombo_->setEnabled(heads_ == kNoHeads);
  overlayCheck_->setEnabled(heads_ == kNoHeads && view_ == kSingularValues);
}

void SpectrumPlot::rebuild() {
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  {
    const QSignalBlocker block(slider_);
    slider_->setSnapshots(snaps);
  }
  syncCombos();
  applyAxes();
  plot()->clearGraphs();
  current_.clear();
  overlays_.clear();
  fits_.clear();
  shownMatrices_.clear();
  overlaySnapshots_.clear();
  const int sel = slider_->index();
  if (sel < 0) {
    metrics_->setText(QString());
    setPlaceholderText(tr("No snapshots yet: spectra appear at the first metrics snapshot."));
    return;
  }
  const Snapshot& s = snaps[sel];
  if (layer_ >= static_cast<int>(s.layers.size())) {
    metrics_->setText(tr("layer %1 not in this run").arg(layer_));
    setPlaceholderText(QString());
    return;
  }
  if (heads_ != kNoHeads) return rebuildHeads(s);
  setPlaceholderText(QString());
  const int nMat = static_cast<int>(s.layers[layer_].matrices.size());

  auto addSpectrum = [&](const SpectrumMetrics& m, const QColor& color, double width,
                         const QString& name) {
    QCPGraph* g = plot()->addGraph();
    QVector<double> y(static_cast<int>(m.sv.size()));
    for (int i = 0; i < y.size(); ++i) y[i] = m.sv[i] > 0 ? double(m.sv[i]) : kNaN;  // log axis
    g->setData(plotutil::iota(y.size(), 1.0), y, true);
    g->setPen(QPen(color, width));
    g->setName(name);
    return g;
  };
  auto matName = [&](int m) {
    return m < static_cast<int>(s.matrix_names.size())
               ? QString::fromStdString(matrix_name_label(s.matrix_names[m]))
               : tr("matrix %1").arg(m);
  };
  // ESD view: the density points and the fitted power law (dashed, same colour).
  auto addEsd = [&](const SpectrumMetrics& m, const QColor& color, const QString& name,
                    bool fitInLegend) {
    const Esd e = esdOf(m.sv);
    QCPGraph* g = plot()->addGraph();
    g->setData(e.center, e.density, true);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 6));
    g->setPen(QPen(color, 1.5));
    g->setName(std::isfinite(m.alpha) ? tr("%1  α = %2").arg(name, num(m.alpha)) : name);
    current_.push_back(g);
    QVector<double> fx, fy;
    QCPGraph* f = nullptr;
    if (fitLine(e, m, &fx, &fy)) {
      f = plot()->addGraph();
      f->setData(fx, fy, true);
      QPen pen(color, 2.0, Qt::DashLine);
      f->setPen(pen);
      f->setName(tr("power law α = %1 from λ_min = %2 (KS %3)")
                     .arg(num(m.alpha), num(m.alpha_xmin), num(m.alpha_ks)));
      if (!fitInLegend) f->removeFromLegend();
    }
    fits_.push_back(f);
  };

  if (view_ == kEsd) {
    if (matrix_ >= 0 && matrix_ < nMat) {
      addEsd(s.layers[layer_].matrices[matrix_], seriesColor(0), tr("step %1").arg(s.step), true);
      shownMatrices_.push_back(matrix_);
    } else {
      for (int m = 0; m < nMat; ++m) {
        addEsd(s.layers[layer_].matrices[m], seriesColor(m), matName(m), false);
        shownMatrices_.push_back(m);
      }
    }
  } else if (matrix_ >= 0 && matrix_ < nMat) {
    if (overlay_ && sel > 0) {
      // Up to kMaxOverlays earlier snapshots, evenly spaced, older ones fainter.
      const int k = std::min(kMaxOverlays, sel);
      for (int j = 0; j < k; ++j) {
        const int idx = static_cast<int>(std::lround(double(j) * (sel - 1) / std::max(1, k - 1)));
        if (!overlaySnapshots_.isEmpty() && overlaySnapshots_.back() == idx) continue;
        const Snapshot& e = snaps[idx];
        if (layer_ >= static_cast<int>(e.layers.size()) ||
            matrix_ >= static_cast<int>(e.layers[layer_].matrices.size()))
          continue;
        QColor c = seriesColor(0);
        c.setAlpha(40 + 100 * (j + 1) / (k + 1));
        overlays_.push_back(
            addSpectrum(e.layers[layer_].matrices[matrix_], c, 1.2, tr("step %1").arg(e.step)));
        overlaySnapshots_.push_back(idx);
      }
    }
    current_.push_back(addSpectrum(s.layers[layer_].matrices[matrix_], seriesColor(0), 2.2,
                                   tr("step %1").arg(s.step)));
    shownMatrices_.push_back(matrix_);
  } else {
    for (int m = 0; m < nMat; ++m) {
      current_.push_back(
          addSpectrum(s.layers[layer_].matrices[m], seriesColor(m), 1.6, matName(m)));
      shownMatrices_.push_back(m);
    }
  }

  // Metrics beside the plot.
  QString text;
  if (matrix_ >= 0 && matrix_ < nMat) {
    const SpectrumMetrics& m = s.layers[layer_].matrices[matrix_];
    QString shape, chance = QStringLiteral("?");
    if (model() && matrix_ < static_cast<int>(model()->info().matrix_shapes.size())) {
      const auto& sh = model()->info().matrix_shapes[matrix_];
      shape = tr(" (%1 × %2)").arg(sh[0]).arg(sh[1]);
      // A direction-free update puts k / rows of its energy in W's top-k left subspace.
      chance = num(std::min(10, std::min(sh[0], sh[1])) / double(std::max(1, sh[0])));
    }
    text = tr("%1%2\nlayer %3 · step %4\n\n").arg(matName(matrix_), shape).arg(layer_).arg(s.step);
    text += tr("eRank        %1\n").arg(num(m.erank));
    text += tr("entropy H    %1\n").arg(num(m.entropy));
    text += tr("TopE_10      %1\n").arg(num(m.top10));
    text += tr("Q75/Q25      %1\n").arg(num(m.q75_q25));
    text += tr("stable rank  %1\n").arg(num(m.stable_rank));
    text += tr("update cos   %1\n").arg(num(m.update_cosine));
    text += tr("update top10 %1 (chance %2)\n").arg(num(m.update_top_share), chance);
    text += tr("\npower law of the ESD λ = σ²\n");
    text += tr("alpha        %1\n").arg(num(m.alpha));
    text += tr("alpha weight %1\n").arg(num(m.alpha_weighted));
    text += tr("KS distance  %1\n").arg(num(m.alpha_ks));
    text += tr("λ_min        %1").arg(num(m.alpha_xmin));
  } else {
    text = tr("layer %1 · step %2\n\n").arg(layer_).arg(s.step);
    text += tr("%1 %2 %3 %4 %5 %6 %7\n")
                .arg(tr("matrix"), -9)
                .arg(tr("eRank"), 8)
                .arg(tr("H"), 6)
                .arg(tr("TopE10"), 7)
                .arg(tr("Q75/25"), 8)
                .arg(tr("alpha"), 6)
                .arg(tr("KS"), 6);
    bool anySum = false;  // qk / vo: marked with * and a footnote, to keep the columns
    for (int m = 0; m < nMat; ++m) {
      const SpectrumMetrics& sm = s.layers[layer_].matrices[m];
      const std::string raw = m < static_cast<int>(s.matrix_names.size()) ? s.matrix_names[m] : "";
      anySum = anySum || is_head_sum(raw);
      text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                  .arg(is_head_sum(raw) ? QString::fromStdString(raw + "*") : matName(m), -9)
                  .arg(num(sm.erank), 8)
                  .arg(num(sm.entropy), 6)
                  .arg(num(sm.top10), 7)
                  .arg(num(sm.q75_q25), 8)
                  .arg(num(sm.alpha), 6)
                  .arg(num(sm.alpha_ks), 6);
    }
    if (anySum) text += tr("* sum over heads\n");
    text.chop(1);
  }
  metrics_->setText(text);
}

void SpectrumPlot::resetRanges() {
  if (current_.isEmpty()) return;
  plot()->rescaleAxes(true);
  if (esdAxes_) {  // log-log: pad by factors
    const QCPRange x = plot()->xAxis->range(), y = plot()->yAxis->range();
    plot()->xAxis->setRange(x.lower / 1.3, x.upper * 1.3);
    plot()->yAxis->setRange(y.lower / 2, y.upper * 2);
    return;
  }
  const QCPRange x = plot()->xAxis->range();
  plot()->xAxis->setRange(std::max(0.0, x.lower - 0.5), x.upper + 0.5);
  const QCPRange y = plot()->yAxis->range();
  plot()->yAxis->setRange(y.lower / 1.3, y.upper * 1.3);
}

QString SpectrumPlot::metricsText() const {
  return metrics_->text();
}

// One curve per head of the selected layer's W_QK^h or W_OV^h, and a per-head metrics table.
void SpectrumPlot::rebuildHeads(const Snapshot& s) {
  const LayerMetrics& lm = s.layers[layer_];
  const std::vector<SpectrumMetrics>& heads = heads_ == kHeadsQK ? lm.qk_heads : lm.ov_heads;
  const QString what =
      heads_ == kHeadsQK ? tr("W_QK^h = W_q^h^T W_k^h") : tr("W_OV^h = W_o^h W_v^h");
  bool any = false;  // a file written before the per-head composites existed reads as NaN
  for (const SpectrumMetrics& m : heads)
    for (float v : m.sv) any = any || (std::isfinite(v) && v > 0);
  if (!any) {
    metrics_->setText(QString());
    setPlaceholderText(tr("No per-head composites in this run at step %1 (files written before "
                          "they were recorded have none).")
                           .arg(s.step));
    return;
  }
  setPlaceholderText(QString());
  for (int h = 0; h < static_cast<int>(heads.size()); ++h) {
    const auto& sv = heads[h].sv;
    QVector<double> y(static_cast<int>(sv.size()));
    for (int i = 0; i < y.size(); ++i) y[i] = sv[i] > 0 ? double(sv[i]) : kNaN;  // log axis
    QCPGraph* g = plot()->addGraph();
    g->setData(plotutil::iota(y.size(), 1.0), y, true);
    g->setPen(QPen(seriesColor(h), 1.8));
    g->setName(tr("head %1").arg(h));
    current_.push_back(g);
  }
  const int hd = model() ? model()->info().head_dim : 0;
  QString text = tr("%1\nlayer %2 · step %3\n%4 σ per head (rank ≤ head_dim),\nH normalized by "
                    "log %4\n\n")
                     .arg(what)
                     .arg(layer_)
                     .arg(s.step)
                     .arg(hd);
  text += QStringLiteral("%1 %2 %3 %4 %5\n")
              .arg(tr("head"), -4)
              .arg(tr("eRank"), 8)
              .arg(tr("H"), 6)
              .arg(tr("TopE10"), 7)
              .arg(tr("Q75/25"), 8);
  for (int h = 0; h < static_cast<int>(heads.size()); ++h) {
    const SpectrumMetrics& m = heads[h];
    text += QStringLiteral("%1 %2 %3 %4 %5\n")
                .arg(h, -4)
                .arg(num(m.erank), 8)
                .arg(num(m.entropy), 6)
                .arg(num(m.top10), 7)
                .arg(num(m.q75_q25), 8);
  }
  text.chop(1);
  metrics_->setText(text);
}

// step,layer,composite,head,rank,sigma: one row per plotted singular value.
QString SpectrumPlot::headsCsv() const {
  QString out = QStringLiteral("step,layer,composite,head,rank,sigma\n");
  const int sel = slider_->index();
  if (!model() || sel < 0 || sel >= static_cast<int>(model()->snapshots().size())) return out;
  const Snapshot& s = model()->snapshots()[sel];
  if (layer_ >= static_cast<int>(s.layers.size())) return out;
  const auto& heads = heads_ == kHeadsQK ? s.layers[layer_].qk_heads : s.layers[layer_].ov_heads;
  const QString kind = heads_ == kHeadsQK ? QStringLiteral("qk") : QStringLiteral("ov");
  for (int h = 0; h < static_cast<int>(heads.size()); ++h)
    for (size_t i = 0; i < heads[h].sv.size(); ++i)
      out += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                 .arg(s.step)
                 .arg(layer_)
                 .arg(kind)
                 .arg(h)
                 .arg(i + 1)
                 .arg(csvNumber(heads[h].sv[i]));
  return out;
}

// step,layer,matrix,lambda_lo,lambda_hi,density + the fit: one row per plotted ESD bin.
QString SpectrumPlot::esdCsv() const {
  QString out = QStringLiteral(
      "step,layer,matrix,lambda_lo,lambda_hi,density,alpha,alpha_weighted,alpha_ks,alpha_xmin\n");
  const int sel = slider_->index();
  if (!model() || sel < 0 || sel >= static_cast<int>(model()->snapshots().size())) return out;
  const Snapshot& s = model()->snapshots()[sel];
  if (layer_ >= static_cast<int>(s.layers.size())) return out;
  for (int mi : shownMatrices_) {
    if (mi >= static_cast<int>(s.layers[layer_].matrices.size())) continue;
    const SpectrumMetrics& m = s.layers[layer_].matrices[mi];
    const QString name = mi < static_cast<int>(s.matrix_names.size())
                             ? QString::fromStdString(s.matrix_names[mi])
                             : QString::number(mi);
    const Esd e = esdOf(m.sv);
    for (int j = 0; j < e.center.size(); ++j)
      out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10\n")
                 .arg(s.step)
                 .arg(layer_)
                 .arg(name)
                 .arg(csvNumber(e.lo[j]), csvNumber(e.hi[j]), csvNumber(e.density[j]),
                      csvNumber(m.alpha), csvNumber(m.alpha_weighted), csvNumber(m.alpha_ks))
                 .arg(csvNumber(m.alpha_xmin));
  }
  return out;
}

QString SpectrumPlot::csv() const {
  if (heads_ != kNoHeads) return headsCsv();
  if (view_ == kEsd) return esdCsv();
  QString out =
      QStringLiteral("step,layer,matrix,rank,sigma,alpha,alpha_weighted,alpha_ks,alpha_xmin\n");
  if (!model()) return out;
  const auto& snaps = model()->snapshots();
  auto emit_ = [&](int snap, int m) {
    if (snap < 0 || snap >= static_cast<int>(snaps.size())) return;
    const Snapshot& s = snaps[snap];
    if (layer_ >= static_cast<int>(s.layers.size()) ||
        m >= static_cast<int>(s.layers[layer_].matrices.size()))
      return;
    const QString name = m < static_cast<int>(s.matrix_names.size())
                             ? QString::fromStdString(s.matrix_names[m])
                             : QString::number(m);
    const SpectrumMetrics& sm = s.layers[layer_].matrices[m];
    const auto& sv = sm.sv;
    for (size_t i = 0; i < sv.size(); ++i)
      out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                 .arg(s.step)
                 .arg(layer_)
                 .arg(name)
                 .arg(i + 1)
                 .arg(csvNumber(sv[i]), csvNumber(sm.alpha), csvNumber(sm.alpha_weighted),
                      csvNumber(sm.alpha_ks), csvNumber(sm.alpha_xmin));
  };
  for (int i = 0; i < overlaySnapshots_.size(); ++i) emit_(overlaySnapshots_[i], matrix_);
  for (int m : shownMatrices_) emit_(slider_->index(), m);
  return out;
}

}  // namespace ms
