// CompareSpectrum: spectra of one layer of several runs overlaid (see CompareSpectrum.h).
#include "CompareSpectrum.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "StepSlider.h"

namespace ms {

CompareSpectrum::CompareSpectrum(const QVector<RunModel*>& runs, QWidget* parent)
    : CompareBase(runs, parent) {
  setObjectName(QStringLiteral("compare_spectrum"));
  setTitle(tr("Singular values"));
  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Layer:"), this));
  layerCombo_ = new QComboBox(this);
  ctl->addWidget(layerCombo_);
  ctl->addWidget(new QLabel(tr("Matrix:"), this));
  matrixCombo_ = new QComboBox(this);
  ctl->addWidget(matrixCombo_);
  normCheck_ = new QCheckBox(tr("σ/σ₁"), this);
  normCheck_->setToolTip(tr("Divide by the largest singular value to compare shapes"));
  ctl->addWidget(normCheck_);
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_, 4);
  ctl->addStretch(1);  // takes the room when the slider is hidden (the window has its own)
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(matrixCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMatrixName(matrixCombo_->itemData(i).toString()); });
  connect(normCheck_, &QCheckBox::toggled, this, &CompareSpectrum::setNormalized);
  connect(slider_, &StepSlider::stepChanged, this, [this](qint64 s) {
    step_ = slider_->followsLatest() ? -1 : s;
    scheduleRefresh();
    emit stepChanged(step_);
  });
  syncCombos();
  applyPalette();
}

void CompareSpectrum::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

QStringList CompareSpectrum::allMatrixNames() const {
  QStringList names;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r))
      for (const auto& n : m->matrixNames())
        if (!names.contains(QString::fromStdString(n))) names << QString::fromStdString(n);
  return names;
}

int CompareSpectrum::maxLayers() const {
  int L = 0;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r)) L = std::max(L, m->layerCount());
  return L;
}

void CompareSpectrum::runsReset() {
  syncCombos();
}

void CompareSpectrum::syncCombos() {
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
    matrixCombo_->clear();
    matrixCombo_->addItem(tr("All matrices"), QString());
    QStringList names = allMatrixNames();
    if (!matrix_.isEmpty() && !names.contains(matrix_)) names << matrix_;
    for (const QString& n : names)
      if (!n.startsWith(QLatin1String("heads:"))) matrixCombo_->addItem(matrixLabel(n), n);
    matrixCombo_->addItem(tr("W_QK^h per head"), QString::fromLatin1(kHeadsQK));
    matrixCombo_->addItem(tr("W_OV^h per head"), QString::fromLatin1(kHeadsOV));
    matrixCombo_->setCurrentIndex(std::max(0, matrixCombo_->findData(matrix_)));
  }
  {
    const QSignalBlocker b(normCheck_);
    normCheck_->setChecked(normalized_);
  }
}

void CompareSpectrum::setLayer(int layer) {
  if (layer < 0 || layer == layer_) return;
  layer_ = layer;
  syncCombos();
  scheduleReset();
}

void CompareSpectrum::setMatrixName(const QString& name) {
  if (name == matrix_) return;
  matrix_ = name;
  syncCombos();
  scheduleReset();
}

void CompareSpectrum::setStep(qint64 step) {
  const qint64 want = step < 0 ? -1 : step;
  if (want == step_) return;
  slider_->setStep(want);
  step_ = want;
  scheduleRefresh();
}

void CompareSpectrum::setNormalized(bool on) {
  if (on == normalized_) return;
  normalized_ = on;
  syncCombos();
  scheduleReset();
}

void CompareSpectrum::rebuild() {
  {
    const QSignalBlocker block(slider_);
    slider_->setSteps(unionSnapshotSteps());
  }
  syncCombos();
  QCustomPlot* p = plot();
  p->clearPlottables();
  body()->clear();
  rects_.clear();
  curves_.clear();
  missing_.clear();
  const bool perHead = matrix_ == QLatin1String(kHeadsQK) || matrix_ == QLatin1String(kHeadsOV);
  panels_ = matrix_.isEmpty() ? allMatrixNames() : perHead ? headPanels() : QStringList{matrix_};
  if (runCount() == 0 || panels_.isEmpty()) {
    setPlaceholderText(runCount() == 0 ? tr("No runs to compare.")
                                       : tr("No snapshots yet: spectra appear at the first "
                                            "metrics snapshot."));
    return;
  }

  auto* grid = new QCPLayoutGrid;
  body()->addElement(0, 0, grid);
  const int cols = std::min(static_cast<int>(panels_.size()), kPanelsPerRow);
  for (int i = 0; i < panels_.size(); ++i) {
    const int row = 2 * (i / cols), col = i % cols;
    auto* title =
        new QCPTextElement(p, tr("%1 · layer %2").arg(panelTitle(panels_[i])).arg(layer_));
    grid->addElement(row, col, title);
    grid->setRowStretchFactor(row, 0.001);
    auto* rect = new QCPAxisRect(p);
    grid->addElement(row + 1, col, rect);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    y->setScaleType(QCPAxis::stLogarithmic);
    y->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    y->setLabel(normalized_ ? tr("σ_i / σ_1") : tr("σ_i"));
    rect->axis(QCPAxis::atBottom)->setLabel(tr("Rank i"));
    rects_ << rect;
  }
  // Spectra fall from the top left to the bottom right: the bottom-left corner stays free.
  auto* legend = new QCPLegend;
  rects_.front()->insetLayout()->addElement(legend, Qt::AlignBottom | Qt::AlignLeft);
  legend->setLayer(QStringLiteral("legend"));
  legend->setVisible(true);

  bool anyCurve = false;
  for (int r = 0; r < runCount(); ++r) {
    RunModel* m = run(r);
    if (!m) continue;
    const int si = nearestSnapshot(m->snapshots(), step_);
    if (si < 0) {
      missing_ << tr("%1: no snapshots yet").arg(runLabel(r));
      continue;
    }
    const Snapshot& s = m->snapshots()[si];
    if (layer_ >= static_cast<int>(s.layers.size())) {
      missing_
          << tr("%1: no layer %2 (it has %3)").arg(runLabel(r)).arg(layer_).arg(s.layers.size());
      continue;
    }
    bool inLegend = false, anyPanel = false;
    for (int i = 0; i < panels_.size(); ++i) {
      const std::vector<float>* found = panelSpectrum(s, panels_[i]);
      if (!found) {
        if (panels_.size() == 1 && !perHead)
          missing_ << tr("%1: no %2").arg(runLabel(r), panels_[i]);
        continue;
      }
      anyPanel = true;
      const auto& sv = *found;
      const double top = sv.front() > 0 ? double(sv.front()) : 1.0;
      QVector<double> x(static_cast<int>(sv.size())), y(x.size());
      for (int k = 0; k < x.size(); ++k) {
        x[k] = k + 1;
        const double v = normalized_ ? sv[k] / top : double(sv[k]);
        y[k] = v > 0 ? v : kNaN;  // log axis
      }
      QCPAxisRect* rect = rects_[i];
      QCPGraph* g = p->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      g->removeFromLegend();
      g->setData(x, y, true);
      g->setPen(QPen(runColor(r), 1.8));
      g->setName(tr("%1 · step %2").arg(runLabel(r)).arg(s.step));
      if (!inLegend) {
        g->addToLegend(legend);
        inLegend = true;
      }
      curves_ << Curve{r, panels_[i], s.step, g};
      anyCurve = true;
    }
    if (perHead && !anyPanel)
      missing_
          << tr("%1: no per-head composites (written before they were recorded)").arg(runLabel(r));
  }
  if (!missing_.isEmpty()) {
    auto* note = new QCPTextElement(p, tr("Not drawn: ") + missing_.join(QStringLiteral("; ")));
    note->setTextFlags(Qt::AlignLeft | Qt::TextWordWrap);
    body()->addElement(1, 0, note);
    body()->setRowStretchFactor(1, 0.001);
  }
  setPlaceholderText(anyCurve ? QString()
                              : tr("Nothing to draw:\n") + missing_.join(QLatin1Char('\n')));
  applyPalette();
}

void CompareSpectrum::resetRanges() {
  for (QCPAxisRect* rect : rects_) {
    bool found = false;
    QCPRange xr, yr;
    for (QCPGraph* g : rect->graphs()) {
      bool ok = false;
      const QCPRange kx = g->getKeyRange(ok);
      if (!ok) continue;
      bool okv = false;
      const QCPRange vy = g->getValueRange(okv, QCP::sdBoth);
      if (!okv) continue;
      xr = found ? QCPRange(std::min(xr.lower, kx.lower), std::max(xr.upper, kx.upper)) : kx;
      yr = found ? QCPRange(std::min(yr.lower, vy.lower), std::max(yr.upper, vy.upper)) : vy;
      found = true;
    }
    if (!found) continue;
    rect->axis(QCPAxis::atBottom)->setRange(std::max(0.0, xr.lower - 0.5), xr.upper + 0.5);
    if (yr.lower > 0) rect->axis(QCPAxis::atLeft)->setRange(yr.lower / 1.3, yr.upper * 1.3);
  }
}

const std::vector<float>* CompareSpectrum::panelSpectrum(const Snapshot& s,
                                                         const QString& panel) const {
  if (layer_ < 0 || layer_ >= static_cast<int>(s.layers.size())) return nullptr;
  const LayerMetrics& lm = s.layers[layer_];
  const QStringList parts = panel.split(QLatin1Char(':'));
  if (parts.size() == 3 && parts[0] == QLatin1String("heads")) {  // heads:<qk|ov>:<h>
    const auto& heads = parts[1] == QLatin1String("qk") ? lm.qk_heads : lm.ov_heads;
    bool ok = false;
    const int h = parts[2].toInt(&ok);
    if (!ok || h < 0 || h >= static_cast<int>(heads.size())) return nullptr;
    for (float v : heads[h].sv)
      if (std::isfinite(v) && v > 0) return &heads[h].sv;
    return nullptr;  // all NaN: a file from before the per-head composites
  }
  for (size_t k = 0; k < s.matrix_names.size(); ++k)
    if (QString::fromStdString(s.matrix_names[k]) == panel)
      return k < lm.matrices.size() && !lm.matrices[k].sv.empty() ? &lm.matrices[k].sv : nullptr;
  return nullptr;
}

QString CompareSpectrum::panelTitle(const QString& panel) const {
  const QStringList parts = panel.split(QLatin1Char(':'));
  if (parts.size() == 3 && parts[0] == QLatin1String("heads"))
    return (parts[1] == QLatin1String("qk") ? tr("W_QK^h, head %1") : tr("W_OV^h, head %1"))
        .arg(parts[2]);
  return matrixLabel(panel);
}

QStringList CompareSpectrum::headPanels() const {
  int H = 0;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r)) H = std::max(H, m->info().n_head);
  const QString kind =
      matrix_ == QLatin1String(kHeadsQK) ? QStringLiteral("qk") : QStringLiteral("ov");
  QStringList out;
  for (int h = 0; h < H; ++h) out << QStringLiteral("heads:%1:%2").arg(kind).arg(h);
  return out;
}

QString CompareSpectrum::csv() const {
  QString out = QStringLiteral("run,label,step,layer,matrix,rank,sigma\n");
  for (const Curve& c : curves_) {
    const RunModel* m = run(c.run);
    if (!m) continue;
    const int si = nearestSnapshot(m->snapshots(), step_);
    if (si < 0) continue;
    const Snapshot& s = m->snapshots()[si];
    const std::vector<float>* found = panelSpectrum(s, c.matrix);
    if (!found) continue;
    const auto& sv = *found;
    const QString head = QStringLiteral("%1,%2,%3,%4,%5,")
                             .arg(c.run)
                             .arg(csvField(runLabel(c.run)))
                             .arg(s.step)
                             .arg(layer_)
                             .arg(c.matrix);
    for (size_t k = 0; k < sv.size(); ++k)
      out += head + QStringLiteral("%1,%2\n").arg(k + 1).arg(csvNumber(sv[k]));
  }
  return out;
}

}  // namespace ms
