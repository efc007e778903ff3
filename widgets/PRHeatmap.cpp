// PRHeatmap: per-layer/per-head participation ratio maps (see PRHeatmap.h).
#include "PRHeatmap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalBlocker>
#include <QToolTip>
#include <cmath>

#include "PlotUtil.h"
#include "SnapshotSlider.h"

namespace ms {

using plotutil::fillColorMap;
using plotutil::integerTicker;

PRHeatmap::PRHeatmap(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
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
  actCombo_->setCurrentIndex(actCombo_->findData(act_));
  ctl->addWidget(actCombo_);
  ctl->addWidget(new QLabel(tr("Metric:"), this));
  metricCombo_ = new QComboBox(this);
  metricCombo_->addItem(tr("PR_sv (singular values)"), PrSv);
  metricCombo_->addItem(tr("PR_cov (covariance)"), PrCov);
  metricCombo_->setToolTip(
      tr("PR_sv = (Σσ)² / Σσ² of the uncentered activations; PR_cov = (Σλ)² / Σλ² of the "
         "covariance eigenvalues. Both lie in [1, head_dim]."));
  ctl->addWidget(metricCombo_);
  slider_ = new SnapshotSlider(this);
  ctl->addWidget(slider_, 1);
  connect(actCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setTensor(actCombo_->itemData(i).toInt()); });
  connect(metricCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMetric(static_cast<Metric>(metricCombo_->itemData(i).toInt())); });
  connect(slider_, &SnapshotSlider::indexChanged, this, [this](int i) {
    scheduleRefresh();
    emit snapshotChanged(i);
  });

  QCustomPlot* p = plot();
  p->setInteraction(QCP::iRangeZoom, true);
  QCPAxisRect* left = snapRect_ = p->axisRect();
  timeRect_ = new QCPAxisRect(p);
  scale_ = new QCPColorScale(p);
  body()->addElement(0, 1, timeRect_);
  body()->addElement(0, 2, scale_);
  body()->setColumnStretchFactor(0, 1.0);
  body()->setColumnStretchFactor(1, 1.3);
  body()->setColumnStretchFactor(2, 0.01);
  auto* group = new QCPMarginGroup(p);
  left->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  timeRect_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  scale_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  scale_->setType(QCPAxis::atRight);
  scale_->setRangeDrag(false);
  scale_->setRangeZoom(false);
  scale_->setGradient(sequentialGradient());

  for (QCPAxisRect* r : {left, timeRect_}) {
    r->axis(QCPAxis::atLeft)->setLabel(tr("Layer"));
    r->axis(QCPAxis::atLeft)->setTicker(integerTicker());
    r->axis(QCPAxis::atLeft)->setSubTicks(false);
    r->axis(QCPAxis::atLeft)->setRangeReversed(true);  // layer 0 on top, like a table
    r->axis(QCPAxis::atLeft)->grid()->setVisible(false);
    r->axis(QCPAxis::atBottom)->grid()->setVisible(false);
  }
  left->axis(QCPAxis::atBottom)->setLabel(tr("Head"));
  left->axis(QCPAxis::atBottom)->setTicker(integerTicker());
  left->axis(QCPAxis::atBottom)->setSubTicks(false);
  timeRect_->axis(QCPAxis::atBottom)->setSubTicks(false);
  timeRect_->axis(QCPAxis::atBottom)->setLabel(tr("Step (snapshot)"));

  snapMap_ = new QCPColorMap(left->axis(QCPAxis::atBottom), left->axis(QCPAxis::atLeft));
  timeMap_ = new QCPColorMap(timeRect_->axis(QCPAxis::atBottom), timeRect_->axis(QCPAxis::atLeft));
  for (QCPColorMap* m : {snapMap_, timeMap_}) {
    m->setInterpolate(false);
    m->setTightBoundary(false);
    m->setColorScale(scale_);
  }
  snapMap_->setName(tr("layers x heads"));
  timeMap_->setName(tr("layers x time (mean over heads)"));

  selectedColumn_ = new QCPItemRect(p);
  selectedColumn_->setClipAxisRect(timeRect_);
  selectedColumn_->topLeft->setAxes(timeRect_->axis(QCPAxis::atBottom),
                                    timeRect_->axis(QCPAxis::atLeft));
  selectedColumn_->bottomRight->setAxes(timeRect_->axis(QCPAxis::atBottom),
                                        timeRect_->axis(QCPAxis::atLeft));
  selectedColumn_->setVisible(false);

  connect(p, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { pressPos_ = e->pos(); });
  connect(p, &QCustomPlot::mouseRelease, this, &PRHeatmap::onMouseRelease);
  connect(p, &QCustomPlot::mouseMove, this, &PRHeatmap::onMouseMove);
  applyPalette();
}

int PRHeatmap::snapshotIndex() const {
  return slider_->index();
}

void PRHeatmap::setSnapshotControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void PRHeatmap::setTensor(int act) {
  if (act < 0 || act >= kNumActs || act == act_) return;
  act_ = act;
  const QSignalBlocker block(actCombo_);
  actCombo_->setCurrentIndex(actCombo_->findData(act));
  scheduleRefresh();
}

void PRHeatmap::setMetric(Metric metric) {
  if (metric == metric_) return;
  metric_ = metric;
  const QSignalBlocker block(metricCombo_);
  metricCombo_->setCurrentIndex(metricCombo_->findData(metric));
  scheduleRefresh();
}

void PRHeatmap::setSnapshot(int index) {
  slider_->setIndex(index);
}

QString PRHeatmap::colorScaleLabel() const {
  const QString metric = metric_ == PrSv ? QStringLiteral("PR_sv") : QStringLiteral("PR_cov");
  const QString tensor = QString::fromLatin1(act_name(act_));
  const int hd = model() ? model()->info().head_dim : 0;
  return hd > 0 ? tr("%1 of %2, range [1, %3]").arg(metric, tensor).arg(hd)
                : tr("%1 of %2").arg(metric, tensor);
}

const std::vector<double>* PRHeatmap::values(const LayerMetrics& lm) const {
  return metric_ == PrSv ? &lm.pr_sv[act_] : &lm.pr_cov[act_];
}

double PRHeatmap::cellValue(const Snapshot& s, int layer, int head) const {
  if (layer < 0 || layer >= static_cast<int>(s.layers.size())) return kNaN;
  const auto* v = values(s.layers[layer]);
  return head >= 0 && head < static_cast<int>(v->size()) ? (*v)[head] : kNaN;
}

double PRHeatmap::meanOverHeads(const Snapshot& s, int layer) const {
  if (layer < 0 || layer >= static_cast<int>(s.layers.size())) return kNaN;
  double sum = 0;
  int n = 0;
  for (double x : *values(s.layers[layer]))
    if (std::isfinite(x)) sum += x, ++n;
  return n > 0 ? sum / n : kNaN;
}

void PRHeatmap::clearMarks() {
  for (QCPAbstractItem* it : collapsedMarks_) plot()->removeItem(it);
  collapsedMarks_.clear();
}

void PRHeatmap::rebuild() {
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  {
    const QSignalBlocker block(slider_);  // following the latest is not a user selection
    slider_->setSnapshots(snaps);
  }
  layers_ = model() ? model()->layerCount() : 0;
  heads_ = model() ? model()->headCount() : 0;
  snapshots_ = static_cast<int>(snaps.size());
  clearMarks();
  scale_->axis()->setLabel(colorScaleLabel());
  const int sel = slider_->index();
  // Nothing to draw: clear the maps and say why.
  QString empty;
  if (sel < 0 || layers_ <= 0 || heads_ <= 0)
    empty =
        tr("No snapshots yet: the participation ratio appears at the first "
           "metrics snapshot.");
  else if (!plotutil::hasActivations(snaps[sel]))
    empty =
        tr("No participation ratios: this snapshot has no activations. The run was measured "
           "without a probe batch (checkpoints inspected without a probe file); its weight "
           "metrics are in the spectra and isotropy views.");
  setPlaceholderText(empty);
  if (!empty.isEmpty()) {
    snapMap_->data()->clear();
    timeMap_->data()->clear();
    selectedColumn_->setVisible(false);
    return;
  }
  const Snapshot& s = snaps[sel];
  fillColorMap(snapMap_, heads_, layers_, [&](int h, int l) { return cellValue(s, l, h); });
  fillColorMap(timeMap_, snapshots_, layers_,
               [&](int i, int l) { return meanOverHeads(snaps[i], l); });

  const int hd = model()->info().head_dim;
  if (hd > 0)
    scale_->setDataRange(QCPRange(1.0, hd));
  else
    snapMap_->rescaleDataRange(true);

  // Collapsed heads: outlined cell with a "×" in it.
  QCPAxisRect* left = snapshotRect();
  for (int l = 0; l < layers_ && l < static_cast<int>(s.layers.size()); ++l) {
    const auto& c = s.layers[l].collapsed;
    for (int h = 0; h < heads_ && h < static_cast<int>(c.size()); ++h) {
      if (!c[h]) continue;
      auto* box = new QCPItemRect(plot());
      box->setClipAxisRect(left);
      box->topLeft->setAxes(left->axis(QCPAxis::atBottom), left->axis(QCPAxis::atLeft));
      box->bottomRight->setAxes(left->axis(QCPAxis::atBottom), left->axis(QCPAxis::atLeft));
      box->topLeft->setCoords(h - 0.45, l - 0.45);
      box->bottomRight->setCoords(h + 0.45, l + 0.45);
      box->setPen(QPen(QColor(0xff, 0x55, 0x55), 2));
      auto* mark = new QCPItemText(plot());
      mark->setClipAxisRect(left);
      mark->position->setAxes(left->axis(QCPAxis::atBottom), left->axis(QCPAxis::atLeft));
      mark->position->setCoords(h, l);
      mark->setText(QStringLiteral("×"));
      QFont f = font();
      f.setBold(true);
      f.setPointSize(f.pointSize() + 8);
      mark->setFont(f);
      mark->setColor(Qt::white);
      mark->setSelectable(false);
      box->setSelectable(false);
      collapsedMarks_.push_back(box);
      collapsedMarks_.push_back(mark);
    }
  }

  // Time map: label some columns with their steps; outline the selected snapshot.
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  const int stride = std::max(1, (snapshots_ + 5) / 6);
  for (int i = 0; i < snapshots_; i += stride) ticker->addTick(i, QString::number(snaps[i].step));
  if ((snapshots_ - 1) % stride != 0)
    ticker->addTick(snapshots_ - 1, QString::number(snaps.back().step));
  timeRect_->axis(QCPAxis::atBottom)->setTicker(ticker);
  selectedColumn_->topLeft->setCoords(sel - 0.5, -0.5);
  selectedColumn_->bottomRight->setCoords(sel + 0.5, layers_ - 0.5);
  selectedColumn_->setVisible(true);
}

void PRHeatmap::resetRanges() {
  if (layers_ <= 0 || heads_ <= 0) return;
  QCPAxisRect* left = snapshotRect();
  left->axis(QCPAxis::atBottom)->setRange(-0.5, heads_ - 0.5);
  left->axis(QCPAxis::atLeft)->setRange(-0.5, layers_ - 0.5);
  timeRect_->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, snapshots_) - 0.5);
  timeRect_->axis(QCPAxis::atLeft)->setRange(-0.5, layers_ - 0.5);
}

void PRHeatmap::applyPalette() {
  PlotBase::applyPalette();
  selectedColumn_->setPen(QPen(textColor(), 2));
  selectedColumn_->setBrush(Qt::NoBrush);
}

void PRHeatmap::onMouseRelease(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || (event->pos() - pressPos_).manhattanLength() > 4 ||
      layers_ <= 0)
    return;
  QCPAxisRect* left = snapshotRect();
  if (left->rect().contains(event->pos())) {
    const int h = qRound(left->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    const int l = qRound(left->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    if (h >= 0 && h < heads_ && l >= 0 && l < layers_) {
      emit headClicked(l, h);
      emit layerClicked(l);
    }
  } else if (timeRect_->rect().contains(event->pos())) {
    const int i = qRound(timeRect_->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    const int l = qRound(timeRect_->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    if (i >= 0 && i < snapshots_) setSnapshot(i);
    if (l >= 0 && l < layers_) emit layerClicked(l);
  }
}

void PRHeatmap::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton || layers_ <= 0 || !model()) return;
  const auto& snaps = model()->snapshots();
  const int sel = slider_->index();
  if (sel < 0 || sel >= static_cast<int>(snaps.size())) return;
  const QString metric = metric_ == PrSv ? QStringLiteral("PR_sv") : QStringLiteral("PR_cov");
  const QString tensor = QString::fromLatin1(act_name(act_));
  QCPAxisRect* left = snapshotRect();
  QString text;
  if (left->rect().contains(event->pos())) {
    const int h = qRound(left->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    const int l = qRound(left->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    if (h >= 0 && h < heads_ && l >= 0 && l < layers_) {
      const Snapshot& s = snaps[sel];
      text = tr("layer %1, head %2: %3(%4) = %5")
                 .arg(l)
                 .arg(h)
                 .arg(metric, tensor)
                 .arg(cellValue(s, l, h), 0, 'g', 4);
      const auto& c = s.layers[l].collapsed;
      if (h < static_cast<int>(c.size()) && c[h]) text += tr(" (collapsed)");
    }
  } else if (timeRect_->rect().contains(event->pos())) {
    const int i = qRound(timeRect_->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x()));
    const int l = qRound(timeRect_->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y()));
    if (i >= 0 && i < static_cast<int>(snaps.size()) && l >= 0 && l < layers_)
      text = tr("layer %1, step %2: mean %3(%4) over heads = %5")
                 .arg(l)
                 .arg(snaps[i].step)
                 .arg(metric, tensor)
                 .arg(meanOverHeads(snaps[i], l), 0, 'g', 4);
  }
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, plot());
}

QString PRHeatmap::csv() const {
  const QString metric = metric_ == PrSv ? QStringLiteral("pr_sv") : QStringLiteral("pr_cov");
  QString out = QStringLiteral("panel,step,layer,head,%1_%2,collapsed\n")
                    .arg(metric, QString::fromLatin1(act_name(act_)));
  if (!model()) return out;
  const auto& snaps = model()->snapshots();
  const int sel = slider_->index();
  const int L = model()->layerCount(), H = model()->headCount();
  if (sel >= 0 && sel < static_cast<int>(snaps.size())) {
    const Snapshot& s = snaps[sel];
    for (int l = 0; l < L; ++l)
      for (int h = 0; h < H; ++h) {
        bool col = l < static_cast<int>(s.layers.size()) &&
                   h < static_cast<int>(s.layers[l].collapsed.size()) && s.layers[l].collapsed[h];
        out += QStringLiteral("layers_x_heads,%1,%2,%3,%4,%5\n")
                   .arg(s.step)
                   .arg(l)
                   .arg(h)
                   .arg(csvNumber(cellValue(s, l, h)))
                   .arg(col ? 1 : 0);
      }
  }
  for (const Snapshot& s : snaps)
    for (int l = 0; l < L; ++l)
      out += QStringLiteral("mean_over_heads,%1,%2,,%3,\n")
                 .arg(s.step)
                 .arg(l)
                 .arg(csvNumber(meanOverHeads(s, l)));
  return out;
}

}  // namespace ms
