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

namespace ms {

namespace {
constexpr int kMaxOverlays = 4;  // earlier snapshots drawn under the selected one

QString num(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–");
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
  connect(matrixCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMatrix(matrixCombo_->itemData(i).toInt()); });
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
  if (index == matrix_) return;
  matrix_ = index;
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
    bool same = matrixCombo_->count() == static_cast<int>(names.size()) + 1;
    for (size_t i = 0; same && i < names.size(); ++i)
      same = matrixCombo_->itemText(static_cast<int>(i) + 1) == QString::fromStdString(names[i]);
    if (!same) {
      matrixCombo_->clear();
      matrixCombo_->addItem(tr("All matrices"), -1);
      for (size_t i = 0; i < names.size(); ++i)
        matrixCombo_->addItem(QString::fromStdString(names[i]), static_cast<int>(i));
    }
    matrixCombo_->setCurrentIndex(std::max(0, matrixCombo_->findData(matrix_)));
  }
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
    return m < static_cast<int>(s.matrix_names.size()) ? QString::fromStdString(s.matrix_names[m])
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
    for (int m = 0; m < nMat; ++m) {
      const SpectrumMetrics& sm = s.layers[layer_].matrices[m];
      text += QStringLiteral("%1 %2 %3 %4 %5\n")
                  .arg(matName(m), -9)
                  .arg(num(sm.erank), 8)
                  .arg(num(sm.entropy), 6)
                  .arg(num(sm.top10), 7)
                  .arg(num(sm.q75_q25), 8);
    }
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

QString SpectrumPlot::csv() const {
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
