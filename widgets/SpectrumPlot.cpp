// SpectrumPlot: singular-value spectra with isotropy metrics (see SpectrumPlot.h).
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

namespace ms {

namespace {
constexpr int kMaxOverlays = 4;  // earlier snapshots drawn under the selected one

QString num(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–");
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
  overlayCheck_->setEnabled(heads_ == kNoHeads);
}

void SpectrumPlot::rebuild() {
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  {
    const QSignalBlocker block(slider_);
    slider_->setSnapshots(snaps);
  }
  syncCombos();
  plot()->clearGraphs();
  current_.clear();
  overlays_.clear();
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

  if (matrix_ >= 0 && matrix_ < nMat) {
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
    text += tr("update top10 %1 (chance %2)").arg(num(m.update_top_share), chance);
  } else {
    text = tr("layer %1 · step %2\n\n").arg(layer_).arg(s.step);
    text += tr("%1 %2 %3 %4 %5\n")
                .arg(tr("matrix"), -9)
                .arg(tr("eRank"), 8)
                .arg(tr("H"), 6)
                .arg(tr("TopE10"), 7)
                .arg(tr("Q75/25"), 8);
    bool anySum = false;  // qk / vo: marked with * and a footnote, to keep the columns
    for (int m = 0; m < nMat; ++m) {
      const SpectrumMetrics& sm = s.layers[layer_].matrices[m];
      const std::string raw = m < static_cast<int>(s.matrix_names.size()) ? s.matrix_names[m] : "";
      anySum = anySum || is_head_sum(raw);
      text += QStringLiteral("%1 %2 %3 %4 %5\n")
                  .arg(is_head_sum(raw) ? QString::fromStdString(raw + "*") : matName(m), -9)
                  .arg(num(sm.erank), 8)
                  .arg(num(sm.entropy), 6)
                  .arg(num(sm.top10), 7)
                  .arg(num(sm.q75_q25), 8);
    }
    if (anySum) text += tr("* sum over heads\n");
    text.chop(1);
  }
  metrics_->setText(text);
}

void SpectrumPlot::resetRanges() {
  if (current_.isEmpty()) return;
  plot()->rescaleAxes(true);
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

QString SpectrumPlot::csv() const {
  if (heads_ != kNoHeads) return headsCsv();
  QString out = QStringLiteral("step,layer,matrix,rank,sigma\n");
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
    const auto& sv = s.layers[layer_].matrices[m].sv;
    for (size_t i = 0; i < sv.size(); ++i)
      out += QStringLiteral("%1,%2,%3,%4,%5\n")
                 .arg(s.step)
                 .arg(layer_)
                 .arg(name)
                 .arg(i + 1)
                 .arg(csvNumber(sv[i]));
  };
  for (int i = 0; i < overlaySnapshots_.size(); ++i) emit_(overlaySnapshots_[i], matrix_);
  for (int m : shownMatrices_) emit_(slider_->index(), m);
  return out;
}

}  // namespace ms
