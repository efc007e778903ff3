// KVPlot: K/V-cache magnitude, spikiness and KIVI panels (see KVPlot.h).
#include "KVPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <cmath>

#include "PlotUtil.h"
#include "SnapshotSlider.h"

namespace ms {

namespace {
const char* const kCacheNames[3] = {QT_TRANSLATE_NOOP("ms::KVPlot", "K pre-RoPE"),
                                    QT_TRANSLATE_NOOP("ms::KVPlot", "K post-RoPE"),
                                    QT_TRANSLATE_NOOP("ms::KVPlot", "V")};
const char* const kCacheKeys[3] = {"k_pre", "k_post", "v"};
}  // namespace

KVPlot::KVPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setObjectName(QStringLiteral("kv_cache"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("K/V cache magnitudes"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Layer:"), this));
  layerCombo_ = new QComboBox(this);
  ctl->addWidget(layerCombo_);
  ctl->addWidget(new QLabel(tr("Over time:"), this));
  spkCombo_ = new QComboBox(this);
  for (int s = Asymmetry; s <= TokenTop1; ++s)
    spkCombo_->addItem(spikinessName(static_cast<Spikiness>(s)), s);
  ctl->addWidget(spkCombo_);
  slider_ = new SnapshotSlider(this);
  ctl->addWidget(slider_, 1);
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(spkCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    setSpikinessMetric(static_cast<Spikiness>(spkCombo_->itemData(i).toInt()));
  });
  connect(slider_, &SnapshotSlider::indexChanged, this, [this] { scheduleRefresh(); });

  QCustomPlot* p = plot();
  p->setAutoAddPlottableToLegend(false);
  rects_[0] = p->axisRect();
  for (int i = 1; i < 4; ++i) rects_[i] = new QCPAxisRect(p);
  body()->addElement(0, 1, rects_[1]);
  body()->addElement(1, 0, rects_[2]);
  body()->addElement(1, 1, rects_[3]);
  auto* colGroup = new QCPMarginGroup(p);
  rects_[0]->setMarginGroup(QCP::msLeft, colGroup);
  rects_[2]->setMarginGroup(QCP::msLeft, colGroup);
  auto* colGroup2 = new QCPMarginGroup(p);
  rects_[1]->setMarginGroup(QCP::msLeft, colGroup2);
  rects_[3]->setMarginGroup(QCP::msLeft, colGroup2);

  auto ax = [](QCPAxisRect* r, QCPAxis::AxisType t) { return r->axis(t); };
  ax(rects_[0], QCPAxis::atBottom)->setLabel(tr("Channel (head × head_dim)"));
  ax(rects_[0], QCPAxis::atLeft)->setLabel(tr("Channel magnitude (mean |x|)"));
  ax(rects_[1], QCPAxis::atBottom)->setLabel(tr("Position"));
  ax(rects_[1], QCPAxis::atLeft)->setLabel(tr("Token magnitude (mean |x|)"));
  ax(rects_[2], QCPAxis::atBottom)->setLabel(tr("Step"));
  ax(rects_[2], QCPAxis::atLeft)->setLabel(spikinessName(spk_));
  ax(rects_[3], QCPAxis::atBottom)->setLabel(tr("Step"));
  ax(rects_[3], QCPAxis::atLeft)->setLabel(tr("KIVI Δ loss (quantized − fp)"));

  QCPLegend* cacheLegend = p->legend;  // in the channel panel
  cacheLegend->setVisible(true);
  rects_[0]->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  auto* kiviLegend = new QCPLegend;
  rects_[3]->insetLayout()->addElement(kiviLegend, Qt::AlignTop | Qt::AlignLeft);
  kiviLegend->setLayer(QStringLiteral("legend"));
  kiviLegend->setVisible(true);

  for (int c = 0; c < 3; ++c) {
    const QString name = tr(kCacheNames[c]);
    channel_[c] = p->addGraph(ax(rects_[0], QCPAxis::atBottom), ax(rects_[0], QCPAxis::atLeft));
    token_[c] = p->addGraph(ax(rects_[1], QCPAxis::atBottom), ax(rects_[1], QCPAxis::atLeft));
    spike_[c] = p->addGraph(ax(rects_[2], QCPAxis::atBottom), ax(rects_[2], QCPAxis::atLeft));
    for (QCPGraph* g : {channel_[c], token_[c], spike_[c]}) g->setName(name);
    channel_[c]->addToLegend(cacheLegend);
  }
  for (int scheme = 0; scheme < 2; ++scheme)
    for (int b = 0; b < 2; ++b) {
      QCPGraph* g = p->addGraph(ax(rects_[3], QCPAxis::atBottom), ax(rects_[3], QCPAxis::atLeft));
      g->setName(scheme == 0 ? tr("K/chan V/tok, %1-bit").arg(kKiviBits[b])
                             : tr("K/tok V/chan, %1-bit").arg(kKiviBits[b]));
      g->addToLegend(kiviLegend);
      kivi_[scheme * 2 + b] = g;
    }
  for (int i = 0; i < 2; ++i) {
    marker_[i] = new QCPItemStraightLine(p);
    QCPAxisRect* r = rects_[2 + i];
    marker_[i]->setClipAxisRect(r);
    for (QCPItemPosition* pos : {marker_[i]->point1, marker_[i]->point2})
      pos->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
    marker_[i]->setVisible(false);
  }
  applyPalette();
}

QString KVPlot::spikinessName(Spikiness which) {
  switch (which) {
    case Asymmetry:
      return tr("Asymmetry (channel / token max/mean)");
    case ChannelMaxMean:
      return tr("Channel max/mean");
    case ChannelP99P50:
      return tr("Channel p99/p50");
    case ChannelTop1:
      return tr("Channel top-1% mass");
    case TokenMaxMean:
      return tr("Token max/mean");
    case TokenP99P50:
      return tr("Token p99/p50");
    case TokenTop1:
      return tr("Token top-1% mass");
  }
  return QString();
}

double KVPlot::spikinessValue(const Magnitudes& m, Spikiness which) {
  switch (which) {
    case Asymmetry:
      return m.asymmetry;
    case ChannelMaxMean:
      return m.channel_spk.max_mean;
    case ChannelP99P50:
      return m.channel_spk.p99_p50;
    case ChannelTop1:
      return m.channel_spk.top1_mass;
    case TokenMaxMean:
      return m.token_spk.max_mean;
    case TokenP99P50:
      return m.token_spk.p99_p50;
    case TokenTop1:
      return m.token_spk.top1_mass;
  }
  return kNaN;
}

const Magnitudes* KVPlot::magnitudes(const LayerMetrics& lm, int cache) {
  return cache == KPre ? &lm.k_pre : cache == KPost ? &lm.k_post : &lm.v;
}

int KVPlot::snapshotIndex() const {
  return slider_->index();
}

void KVPlot::setSnapshotControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void KVPlot::setSnapshot(int index) {
  slider_->setIndex(index);
}

void KVPlot::setLayer(int layer) {
  if (layer < 0 || layer == layer_) return;
  layer_ = layer;
  syncLayerCombo();
  scheduleReset();
}

void KVPlot::setSpikinessMetric(Spikiness which) {
  if (which == spk_) return;
  spk_ = which;
  const QSignalBlocker block(spkCombo_);
  spkCombo_->setCurrentIndex(spkCombo_->findData(which));
  rects_[2]->axis(QCPAxis::atLeft)->setLabel(spikinessName(spk_));
  scheduleReset();
}

void KVPlot::syncLayerCombo() {
  const int L = model() ? model()->layerCount() : 0;
  const QSignalBlocker block(layerCombo_);
  if (layerCombo_->count() != L) {
    layerCombo_->clear();
    for (int l = 0; l < L; ++l) layerCombo_->addItem(QString::number(l), l);
  }
  layerCombo_->setCurrentIndex(layerCombo_->findData(layer_));
}

void KVPlot::rebuild() {
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  {
    const QSignalBlocker block(slider_);
    slider_->setSnapshots(snaps);
  }
  syncLayerCombo();
  const int sel = slider_->index();
  // Nothing to draw: clear every plottable and say why.
  QString empty;
  if (sel < 0)
    empty =
        tr("No snapshots yet: K/V magnitudes appear at the first metrics "
           "snapshot.");
  else if (!plotutil::hasActivations(snaps[sel]))
    empty =
        tr("No K/V magnitudes: this snapshot has no activations. The run was measured "
           "without a probe batch (checkpoints inspected without a probe file).");
  setPlaceholderText(empty);
  if (!empty.isEmpty()) {
    for (auto* g : channel_) g->data()->clear();
    for (auto* g : token_) g->data()->clear();
    for (auto* g : spike_) g->data()->clear();
    for (auto* g : kivi_) g->data()->clear();
    for (auto* m : marker_) m->setVisible(false);
    return;
  }
  const Snapshot& s = snaps[sel];
  const bool haveLayer = layer_ < static_cast<int>(s.layers.size());
  for (int c = 0; c < 3; ++c) {
    const Magnitudes* m = haveLayer ? magnitudes(s.layers[layer_], c) : nullptr;
    if (m) {
      channel_[c]->setData(plotutil::iota(static_cast<int>(m->channel.size())),
                           plotutil::toQVector(m->channel), true);
      token_[c]->setData(plotutil::iota(static_cast<int>(m->token.size())),
                         plotutil::toQVector(m->token), true);
    } else {
      channel_[c]->data()->clear();
      token_[c]->data()->clear();
    }
  }
  // Channel ticks at head boundaries when that gives a readable number of ticks.
  const int hd = model()->info().head_dim;
  const int C = static_cast<int>(channel_[0]->data()->size());
  if (hd > 0 && C > 0 && C / hd <= 16) {
    QSharedPointer<QCPAxisTickerFixed> t(new QCPAxisTickerFixed);
    t->setTickStep(hd);
    t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    rects_[0]->axis(QCPAxis::atBottom)->setTicker(t);
  } else {
    rects_[0]->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  }

  // Over time: spikiness / asymmetry for every snapshot; KIVI only where computed.
  const int n = static_cast<int>(snaps.size());
  for (int c = 0; c < 3; ++c) {
    QVector<double> x, y;
    x.reserve(n);
    y.reserve(n);
    for (const Snapshot& t : snaps) {
      if (layer_ >= static_cast<int>(t.layers.size())) continue;
      x.push_back(static_cast<double>(t.step));
      y.push_back(spikinessValue(*magnitudes(t.layers[layer_], c), spk_));
    }
    spike_[c]->setData(x, y);
  }
  for (int scheme = 0; scheme < 2; ++scheme)
    for (int b = 0; b < 2; ++b) {
      QVector<double> x, y;
      for (const Snapshot& t : snaps) {
        if (!t.kivi.valid) continue;
        x.push_back(static_cast<double>(t.step));
        y.push_back(scheme == 0 ? t.kivi.k_chan_v_tok[b] : t.kivi.k_tok_v_chan[b]);
      }
      kivi_[scheme * 2 + b]->setData(x, y);
    }
  for (auto* m : marker_) {
    m->point1->setCoords(static_cast<double>(s.step), 0);
    m->point2->setCoords(static_cast<double>(s.step), 1);
    m->setVisible(true);
  }
}

void KVPlot::resetRanges() {
  plot()->rescaleAxes(true);
  for (int i = 0; i < 4; ++i) {
    QCPAxis* y = rects_[i]->axis(QCPAxis::atLeft);
    QCPRange r = y->range();
    const double pad = std::max(0.05 * r.size(), 1e-6 * std::max(1.0, std::abs(r.upper)));
    // Magnitudes are non-negative: start the channel/token panels at zero.
    y->setRange(i < 2 ? std::min(0.0, r.lower) : r.lower - pad, r.upper + pad);
    QCPAxis* x = rects_[i]->axis(QCPAxis::atBottom);
    r = x->range();
    if (i < 2)
      x->setRange(r.lower - 0.5, r.upper + 0.5);
    else if (r.size() <= 0)
      x->setRange(r.lower - 1, r.upper + 1);
  }
}

void KVPlot::applyPalette() {
  PlotBase::applyPalette();
  const QColor colors[3] = {seriesColor(0), seriesColor(1), seriesColor(2)};
  for (int c = 0; c < 3; ++c) {
    channel_[c]->setPen(QPen(colors[c], 1.4));
    token_[c]->setPen(QPen(colors[c], 1.4));
    spike_[c]->setPen(QPen(colors[c], 2));
    spike_[c]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
  }
  for (int scheme = 0; scheme < 2; ++scheme)
    for (int b = 0; b < 2; ++b) {
      QCPGraph* g = kivi_[scheme * 2 + b];
      g->setPen(QPen(seriesColor(3 + b), 2, scheme == 0 ? Qt::SolidLine : Qt::DashLine));
      g->setScatterStyle(
          QCPScatterStyle(scheme == 0 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssSquare, 5));
    }
  QColor markerColor = textColor();
  markerColor.setAlpha(130);
  for (auto* m : marker_) m->setPen(QPen(markerColor, 1, Qt::DashLine));
}

QString KVPlot::csv() const {
  QString out = QStringLiteral("panel,series,step,index,value\n");
  if (!model()) return out;
  const auto& snaps = model()->snapshots();
  const int sel = slider_->index();
  if (sel < 0 || sel >= static_cast<int>(snaps.size())) return out;
  const Snapshot& s = snaps[sel];
  if (layer_ < static_cast<int>(s.layers.size()))
    for (int c = 0; c < 3; ++c) {
      const Magnitudes* m = magnitudes(s.layers[layer_], c);
      for (size_t i = 0; i < m->channel.size(); ++i)
        out += QStringLiteral("channel,%1,%2,%3,%4\n")
                   .arg(kCacheKeys[c])
                   .arg(s.step)
                   .arg(i)
                   .arg(csvNumber(m->channel[i]));
      for (size_t i = 0; i < m->token.size(); ++i)
        out += QStringLiteral("token,%1,%2,%3,%4\n")
                   .arg(kCacheKeys[c])
                   .arg(s.step)
                   .arg(i)
                   .arg(csvNumber(m->token[i]));
    }
  static const char* spkKeys[] = {"asymmetry",    "channel_max_mean", "channel_p99_p50",
                                  "channel_top1", "token_max_mean",   "token_p99_p50",
                                  "token_top1"};
  for (const Snapshot& t : snaps) {
    if (layer_ >= static_cast<int>(t.layers.size())) continue;
    for (int c = 0; c < 3; ++c)
      out += QStringLiteral("%1,%2,%3,,%4\n")
                 .arg(spkKeys[spk_], kCacheKeys[c])
                 .arg(t.step)
                 .arg(csvNumber(spikinessValue(*magnitudes(t.layers[layer_], c), spk_)));
  }
  for (const Snapshot& t : snaps) {
    if (!t.kivi.valid) continue;
    for (int b = 0; b < 2; ++b) {
      out += QStringLiteral("kivi,k_chan_v_tok_%1bit,%2,,%3\n")
                 .arg(kKiviBits[b])
                 .arg(t.step)
                 .arg(csvNumber(t.kivi.k_chan_v_tok[b]));
      out += QStringLiteral("kivi,k_tok_v_chan_%1bit,%2,,%3\n")
                 .arg(kKiviBits[b])
                 .arg(t.step)
                 .arg(csvNumber(t.kivi.k_tok_v_chan[b]));
    }
  }
  return out;
}

}  // namespace ms
