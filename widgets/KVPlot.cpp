// KVPlot: K/V-cache magnitude, spikiness and KIVI panels of 1..N runs (see KVPlot.h).
#include "KVPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "FlowLayout.h"
#include "PlotUtil.h"
#include "SeedBand.h"
#include "StepSlider.h"

namespace ms {

namespace {
const char* const kCacheNames[3] = {QT_TRANSLATE_NOOP("ms::KVPlot", "K pre-RoPE"),
                                    QT_TRANSLATE_NOOP("ms::KVPlot", "K post-RoPE"),
                                    QT_TRANSLATE_NOOP("ms::KVPlot", "V")};
const char* const kCacheKeys[3] = {"k_pre", "k_post", "v"};
const char* const kSchemeNames[2] = {QT_TRANSLATE_NOOP("ms::KVPlot", "K/chan V/tok"),
                                     QT_TRANSLATE_NOOP("ms::KVPlot", "K/tok V/chan")};
const char* const kSchemeKeys[2] = {"k_chan_v_tok", "k_tok_v_chan"};
const Qt::PenStyle kCacheStyles[3] = {Qt::DotLine, Qt::SolidLine, Qt::DashLine};
const QCPScatterStyle::ScatterShape kCacheMarkers[3] = {
    QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare};
const Qt::PenStyle kSchemeStyles[2] = {Qt::SolidLine, Qt::DashLine};
const QCPScatterStyle::ScatterShape kSchemeMarkers[2] = {QCPScatterStyle::ssDisc,
                                                         QCPScatterStyle::ssSquare};

// Mean over the finite values of f(layer) for every layer (layer < 0), or f(layer).
template <typename F>
double layerValue(const Snapshot& s, int layer, F f) {
  const int L = static_cast<int>(s.layers.size());
  if (layer >= 0) return layer < L ? f(s.layers[layer]) : kNaN;
  double sum = 0;
  int n = 0;
  for (const LayerMetrics& lm : s.layers) {
    const double v = f(lm);
    if (std::isfinite(v)) sum += v, ++n;
  }
  return n > 0 ? sum / n : kNaN;
}
}  // namespace

KVPlot::KVPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  init();
}

KVPlot::KVPlot(const QVector<RunModel*>& runs, QWidget* parent) : PlotBase(runs, parent) {
  init();
}

void KVPlot::init() {
  setObjectName(QStringLiteral("kv_cache"));
  setInterest(kInfo | kSnapshots);

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Layer:"), this));
  layerCombo_ = new QComboBox(this);
  layerCombo_->setToolTip(
      tr("The profiles need one layer; the curves over training can also "
         "show the mean over layers"));
  ctl->addWidget(layerCombo_);
  ctl->addWidget(new QLabel(tr("Over time:"), this));
  spkCombo_ = new QComboBox(this);
  for (int s = Asymmetry; s <= TokenTop1; ++s)
    spkCombo_->addItem(spikinessName(static_cast<Spikiness>(s)), s);
  ctl->addWidget(spkCombo_);
  kPreCheck_ = new QCheckBox(tr("K pre-RoPE"), this);
  kPreCheck_->setToolTip(tr("Also draw the spikiness of K before RoPE over training"));
  ctl->addWidget(kPreCheck_);
  ctl->addWidget(new QLabel(tr("KIVI:"), this));
  bitsCombo_ = new QComboBox(this);
  bitsCombo_->addItem(tr("2-bit"), 2);
  bitsCombo_->addItem(tr("4-bit"), 4);
  ctl->addWidget(bitsCombo_);
  xCombo_ = newXAxisCombo();
  xCombo_->setToolTip(tr("x axis of the curves over training"));
  ctl->addWidget(xCombo_);
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_);
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(spkCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    setSpikinessMetric(static_cast<Spikiness>(spkCombo_->itemData(i).toInt()));
  });
  connect(kPreCheck_, &QCheckBox::toggled, this, &KVPlot::setSpikinessShowsKPre);
  connect(bitsCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setKiviBits(bitsCombo_->itemData(i).toInt()); });
  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(slider_, &StepSlider::stepChanged, this, [this](qint64 s) {
    step_ = slider_->followsLatest() ? -1 : s;
    scheduleRefresh();
    emit stepChanged(step_);
  });

  QCustomPlot* p = plot();
  p->setAutoAddPlottableToLegend(false);
  rects_[0] = p->axisRect();
  body()->take(rects_[0]);
  panelGrid_ = new QCPLayoutGrid;
  body()->addElement(0, 0, panelGrid_);
  for (int i = 1; i < 4; ++i) rects_[i] = new QCPAxisRect(p);
  layoutPanels();  // the rects in the layout before items are made (they look for one)
  auto* colGroup = new QCPMarginGroup(p);
  rects_[0]->setMarginGroup(QCP::msLeft, colGroup);
  rects_[2]->setMarginGroup(QCP::msLeft, colGroup);
  auto* colGroup2 = new QCPMarginGroup(p);
  rects_[1]->setMarginGroup(QCP::msLeft, colGroup2);
  rects_[3]->setMarginGroup(QCP::msLeft, colGroup2);

  // The legend in a row under the panels (never over data), then the missing runs.
  legend_ = p->legend;
  rects_[0]->insetLayout()->take(legend_);
  body()->addElement(1, 0, legend_);
  legend_->setVisible(true);
  legend_->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend_->setWrap(6);
  body()->setRowStretchFactor(1, 0.001);
  missingText_ = new QCPTextElement(p, QString());
  missingText_->setTextFlags(Qt::AlignCenter);
  body()->addElement(2, 0, missingText_);
  body()->setRowStretchFactor(2, 0.001);

  auto ax = [](QCPAxisRect* r, QCPAxis::AxisType t) { return r->axis(t); };
  // Short axis titles: a panel may be ~100 px tall in a 1366 x 768 window.
  ax(rects_[0], QCPAxis::atBottom)->setLabel(tr("Channel (head × head_dim)"));
  ax(rects_[0], QCPAxis::atLeft)->setLabel(tr("mean |x|"));
  ax(rects_[1], QCPAxis::atBottom)->setLabel(tr("Position"));
  ax(rects_[1], QCPAxis::atLeft)->setLabel(tr("mean |x|"));

  for (int c = 0; c < 3; ++c) {
    cacheKey_[c] = p->addGraph(ax(rects_[2], QCPAxis::atBottom), ax(rects_[2], QCPAxis::atLeft));
    cacheKey_[c]->setName(tr(kCacheNames[c]));
  }
  for (int s = 0; s < 2; ++s) {
    schemeKey_[s] = p->addGraph(ax(rects_[3], QCPAxis::atBottom), ax(rects_[3], QCPAxis::atLeft));
    schemeKey_[s]->setName(tr("KIVI %1").arg(tr(kSchemeNames[s])));
  }
  for (int i = 0; i < 2; ++i) {
    QCPAxisRect* r = rects_[i];
    profileNote_[i] = new QCPItemText(p);
    profileNote_[i]->setClipToAxisRect(true);
    profileNote_[i]->setClipAxisRect(r);
    profileNote_[i]->position->setType(QCPItemPosition::ptAxisRectRatio);
    profileNote_[i]->position->setAxisRect(r);
    profileNote_[i]->position->setCoords(0.5, 0.5);
    profileNote_[i]->setText(tr("The profiles show one layer:\nchoose a layer above"));
    profileNote_[i]->setVisible(false);
    profileNote_[i]->setSelectable(false);
  }
  for (int i = 0; i < 2; ++i) {
    marker_[i] = new QCPItemStraightLine(p);
    QCPAxisRect* r = rects_[2 + i];
    marker_[i]->setClipToAxisRect(true);
    marker_[i]->setClipAxisRect(r);
    for (QCPItemPosition* pos : {marker_[i]->point1, marker_[i]->point2})
      pos->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
    marker_[i]->setVisible(false);
    marker_[i]->setSelectable(false);
  }
  syncControls();
  setTitle(titleText());
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

QString KVPlot::spikinessShortName(Spikiness which) {
  switch (which) {
    case Asymmetry:
      return tr("chan/tok ratio");
    case ChannelMaxMean:
      return tr("chan max/mean");
    case ChannelP99P50:
      return tr("chan p99/p50");
    case ChannelTop1:
      return tr("chan top-1%");
    case TokenMaxMean:
      return tr("tok max/mean");
    case TokenP99P50:
      return tr("tok p99/p50");
    case TokenTop1:
      return tr("tok top-1%");
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

QCPGraph* KVPlot::channelGraph(int r, Cache c) const {
  return r >= 0 && r < channel_.size() ? channel_[r][c] : nullptr;
}
QCPGraph* KVPlot::tokenGraph(int r, Cache c) const {
  return r >= 0 && r < token_.size() ? token_[r][c] : nullptr;
}
QCPGraph* KVPlot::spikinessGraph(int r, Cache c) const {
  return r >= 0 && r < spike_.size() ? spike_[r][c] : nullptr;
}
QCPGraph* KVPlot::kiviGraph(int r, KiviScheme scheme) const {
  return r >= 0 && r < kivi_.size() ? kivi_[r][scheme] : nullptr;
}

int KVPlot::snapshotIndexOf(int r) const {
  RunModel* m = run(r);
  return m ? nearestSnapshot(m->snapshots(), step_) : -1;
}

void KVPlot::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

void KVPlot::setStep(qint64 step) {
  const qint64 want = step < 0 ? -1 : step;
  if (want == step_) return;
  slider_->setStep(want);  // emits stepChanged when the resolved step moves
  // The last step follows the latest, as the slider does.
  step_ = slider_->followsLatest() && !slider_->steps().empty() ? -1 : want;
  scheduleRefresh();
}

void KVPlot::setLayer(int layer) {
  layer = std::max(-1, layer);
  if (layer == layer_) return;
  layer_ = layer;
  syncControls();
  setTitle(titleText());
  scheduleReset();
}

void KVPlot::setSpikinessMetric(Spikiness which) {
  if (which == spk_) return;
  spk_ = which;
  syncControls();
  scheduleReset();
}

void KVPlot::setKiviBits(int bits) {
  if ((bits != 2 && bits != 4) || bits == kiviBits_) return;
  kiviBits_ = bits;
  syncControls();
  setTitle(titleText());
  scheduleReset();
}

void KVPlot::setPanels(Panels panels) {
  if (panels == panels_) return;
  panels_ = panels;
  layoutPanels();
  syncControls();
  setTitle(titleText());
  scheduleReset();
}

void KVPlot::setSpikinessShowsKPre(bool on) {
  if (on == showKPre_) return;
  showKPre_ = on;
  syncControls();
  setTitle(titleText());
  scheduleReset();
}

void KVPlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  syncControls();
  scheduleReset();
}

void KVPlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  for (int i : {2, 3}) plotutil::setLogScale(rects_[i]->axis(QCPAxis::atLeft), on);
  scheduleReset();
}

void KVPlot::runsReset() {
  syncControls();
}

QString KVPlot::titleText() const {
  const QString where = layer_ < 0 ? tr(" · mean over layers") : tr(" · layer %1").arg(layer_);
  switch (panels_) {
    case SpikinessOnly:
      return (showKPre_ ? tr("K/V spikiness (K pre- and post-RoPE, V)")
                        : tr("K/V spikiness (K post-RoPE, V)")) +
             where;
    case KiviOnly:
      return tr("KIVI quantized-cache loss (%1-bit)").arg(kiviBits_);
    case AllPanels:
      break;
  }
  return tr("K/V cache magnitudes") + where;
}

void KVPlot::syncControls() {
  int maxLayers = 0;
  for (int i = 0; i < runCount(); ++i)
    if (RunModel* m = run(i)) maxLayers = std::max(maxLayers, m->layerCount());
  {
    const QSignalBlocker b(layerCombo_);
    if (layerCombo_->count() != maxLayers + 1) {
      layerCombo_->clear();
      layerCombo_->addItem(tr("mean over layers"), -1);
      for (int l = 0; l < maxLayers; ++l) layerCombo_->addItem(QString::number(l), l);
    }
    int idx = layerCombo_->findData(layer_);
    if (idx < 0) {  // a layer no run has (yet): listed so the combo shows the truth
      layerCombo_->addItem(QString::number(layer_), layer_);
      idx = layerCombo_->count() - 1;
    }
    layerCombo_->setCurrentIndex(idx);
  }
  {
    const QSignalBlocker b(spkCombo_);
    spkCombo_->setCurrentIndex(spkCombo_->findData(spk_));
  }
  {
    const QSignalBlocker b(kPreCheck_);
    kPreCheck_->setChecked(showKPre_);
  }
  {
    const QSignalBlocker b(bitsCombo_);
    bitsCombo_->setCurrentIndex(bitsCombo_->findData(kiviBits_));
  }
  {
    const QSignalBlocker b(xCombo_);
    xCombo_->setCurrentIndex(xCombo_->findData(xMode_));
  }
  spkCombo_->setEnabled(drawsSpikiness());
  kPreCheck_->setEnabled(drawsSpikiness());
  bitsCombo_->setEnabled(drawsKivi());
  rects_[2]->axis(QCPAxis::atLeft)->setLabel(spikinessShortName(spk_));
  rects_[2]->axis(QCPAxis::atBottom)->setLabel(xLabel(xMode_));
  rects_[3]->axis(QCPAxis::atLeft)->setLabel(tr("Δ loss, %1-bit").arg(kiviBits_));
  rects_[3]->axis(QCPAxis::atBottom)->setLabel(xLabel(xMode_));
}

void KVPlot::layoutPanels() {
  for (QCPAxisRect* r : rects_)
    if (r->layout() == panelGrid_) panelGrid_->take(r);
  panelGrid_->simplify();
  const bool shown[4] = {drawsProfiles(), drawsProfiles(), drawsSpikiness(), drawsKivi()};
  if (panels_ == AllPanels) {
    panelGrid_->addElement(0, 0, rects_[0]);
    panelGrid_->addElement(0, 1, rects_[1]);
    panelGrid_->addElement(1, 0, rects_[2]);
    panelGrid_->addElement(1, 1, rects_[3]);
  } else {
    panelGrid_->addElement(0, 0, panels_ == SpikinessOnly ? rects_[2] : rects_[3]);
  }
  // A rect out of the layout keeps its old geometry: hide it (its axes and graphs with it).
  for (int i = 0; i < 4; ++i) rects_[i]->setVisible(shown[i]);
}

void KVPlot::resizePools() {
  QCustomPlot* p = plot();
  const int n = runCount();
  auto graphIn = [&](int rect) {
    QCPAxisRect* r = rects_[rect];
    return p->addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
  };
  while (channel_.size() < n) {
    std::array<QCPGraph*, 3> ch{}, tok{}, spk{};
    for (int c = 0; c < 3; ++c) {
      ch[c] = graphIn(0);
      tok[c] = graphIn(1);
      spk[c] = graphIn(2);
    }
    channel_.push_back(ch);
    token_.push_back(tok);
    spike_.push_back(spk);
    kivi_.push_back({graphIn(3), graphIn(3)});
    runKey_.push_back(graphIn(2));
  }
  while (channel_.size() > n) {
    for (QCPGraph* g : channel_.back()) p->removeGraph(g);
    for (QCPGraph* g : token_.back()) p->removeGraph(g);
    for (QCPGraph* g : spike_.back()) p->removeGraph(g);
    for (QCPGraph* g : kivi_.back()) p->removeGraph(g);
    p->removeGraph(runKey_.back());
    channel_.pop_back();
    token_.pop_back();
    spike_.pop_back();
    kivi_.pop_back();
    runKey_.pop_back();
  }
}

void KVPlot::collect() {
  series_.clear();
  missing_.clear();
  const int bi = kiviBits_ == 4 ? 1 : 0;
  for (int r = 0; r < runCount(); ++r) {
    RunModel* m = run(r);
    if (!m) continue;
    const QString label = runLabel(r);
    const auto& snaps = m->snapshots();
    if (snaps.empty()) {
      missing_ << tr("%1: no snapshots yet").arg(label);
      continue;
    }
    auto snapSeries = [&](int kind, bool kivi, const QString& name, auto value) {
      Series s;
      s.run = r;
      s.kind = kind;
      s.kivi = kivi;
      s.name = name;
      for (const Snapshot& sn : snaps) {
        const double v = value(sn);
        if (std::isfinite(v)) s.append(xOf(sn, xMode_), v, sn.step, sn.tokens, sn.wall_s);
      }
      if (s.isEmpty()) return false;
      s.band = snapshotSeedBand(r, value, xMode_);  // empty for a plain run
      series_ << s;
      return true;
    };
    const bool hasLayer = layer_ < 0 || layer_ < m->layerCount();
    if (!hasLayer && (drawsProfiles() || drawsSpikiness()))
      missing_ << tr("%1: no layer %2 (it has %3)").arg(label).arg(layer_).arg(m->layerCount());
    if (drawsSpikiness() && hasLayer) {
      bool any = false;
      for (int c = showKPre_ ? KPre : KPost; c <= V; ++c)
        any |= snapSeries(c, false, QString::fromLatin1(kCacheKeys[c]), [&](const Snapshot& sn) {
          return layerValue(sn, layer_, [&](const LayerMetrics& lm) {
            return spikinessValue(*magnitudes(lm, c), spk_);
          });
        });
      if (!any) missing_ << tr("%1: no K/V magnitudes").arg(label);
    }
    if (drawsKivi()) {
      bool any = false;
      for (int sc = 0; sc < 2; ++sc)
        any |= snapSeries(sc, true, QStringLiteral("%1_%2bit").arg(kSchemeKeys[sc]).arg(kiviBits_),
                          [&](const Snapshot& sn) {
                            if (!sn.kivi.valid) return kNaN;
                            return sc == KChanVTok ? sn.kivi.k_chan_v_tok[bi]
                                                   : sn.kivi.k_tok_v_chan[bi];
                          });
      if (!any) missing_ << tr("%1: no KIVI losses").arg(label);
    }
  }
}

void KVPlot::rebuild() {
  {
    const QSignalBlocker block(slider_);
    slider_->setSteps(unionSnapshotSteps());
  }
  syncControls();
  resizePools();
  for (QCPGraph* g : bandGraphs_)  // seed bands are redrawn from the collected series
    if (g) {
      plot()->removeGraph(g->channelFillGraph());
      plot()->removeGraph(g);
    }
  bandGraphs_.clear();
  collect();
  const int n = runCount();
  auto clearAll = [&] {
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < 3; ++c) {
        channel_[r][c]->data()->clear();
        token_[r][c]->data()->clear();
        spike_[r][c]->data()->clear();
      }
      for (QCPGraph* g : kivi_[r]) g->data()->clear();
    }
    for (auto* m : marker_) m->setVisible(false);
    for (auto* t : profileNote_) t->setVisible(false);
  };

  // Which snapshot each run shows, and whether any has activations (K/V magnitudes).
  QVector<int> shown(n, -1);
  bool anySnapshot = false, anyActivations = false;
  for (int r = 0; r < n; ++r) {
    shown[r] = snapshotIndexOf(r);
    if (shown[r] < 0) continue;
    anySnapshot = true;
    anyActivations = anyActivations || plotutil::hasActivations(run(r)->snapshots()[shown[r]]);
  }
  QString empty;
  if (n == 0)
    empty = tr("No runs to show.");
  else if (!anySnapshot)
    empty = tr("No snapshots yet: K/V magnitudes appear at the first metrics snapshot.");
  else if (drawsProfiles() && !anyActivations)
    empty =
        tr("No K/V magnitudes: this snapshot has no activations. The run was measured "
           "without a probe batch (checkpoints inspected without a probe file).");
  setPlaceholderText(empty);
  setTitle(titleText());
  if (!empty.isEmpty()) {
    clearAll();
    missingText_->setText(QString());
    return;
  }

  // Profiles at the shown snapshots (x = channel index / position, any shapes overlay).
  int headDim = -1;  // shared by every drawn run, else 0
  for (int r = 0; r < n; ++r) {
    RunModel* m = run(r);
    const Snapshot* s = m && shown[r] >= 0 ? &m->snapshots()[shown[r]] : nullptr;
    const bool draw = drawsProfiles() && s && layer_ >= 0 &&
                      layer_ < static_cast<int>(s->layers.size()) && plotutil::hasActivations(*s);
    if (drawsProfiles() && s && layer_ >= 0 && layer_ < static_cast<int>(s->layers.size()) && !draw)
      missing_ << tr("%1: no K/V magnitudes at step %2 (measured without a probe batch)")
                      .arg(runLabel(r))
                      .arg(s->step);
    for (int c = 0; c < 3; ++c) {
      if (!draw) {
        channel_[r][c]->data()->clear();
        token_[r][c]->data()->clear();
        continue;
      }
      const Magnitudes* mg = magnitudes(s->layers[layer_], c);
      channel_[r][c]->setData(plotutil::iota(static_cast<int>(mg->channel.size())),
                              plotutil::toQVector(mg->channel), true);
      token_[r][c]->setData(plotutil::iota(static_cast<int>(mg->token.size())),
                            plotutil::toQVector(mg->token), true);
    }
    if (draw) {
      const int hd = m->info().head_dim;
      headDim = headDim < 0 ? hd : (headDim == hd ? hd : 0);
    }
  }
  for (auto* t : profileNote_) t->setVisible(drawsProfiles() && layer_ < 0);
  // Channel ticks at head boundaries when the runs share head_dim and that is readable.
  int C = 0;
  for (int r = 0; r < n; ++r) C = std::max(C, static_cast<int>(channel_[r][0]->data()->size()));
  if (headDim > 0 && C > 0 && C / headDim <= 16) {
    QSharedPointer<QCPAxisTickerFixed> t(new QCPAxisTickerFixed);
    t->setTickStep(headDim);
    t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    rects_[0]->axis(QCPAxis::atBottom)->setTicker(t);
  } else {
    rects_[0]->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  }

  // Over training: the collected series into their graphs; the others emptied.
  for (int r = 0; r < n; ++r) {
    for (QCPGraph* g : spike_[r]) g->data()->clear();
    for (QCPGraph* g : kivi_[r]) g->data()->clear();
  }
  for (const Series& s : series_) {
    QCPGraph* g = s.kivi ? kivi_[s.run][s.kind] : spike_[s.run][s.kind];
    g->setData(s.x, s.y, std::is_sorted(s.x.begin(), s.x.end()));
    QCPAxisRect* rect = rects_[s.kivi ? 3 : 2];
    bandGraphs_ << draw_seed_band(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft),
                                  s.band, runColor(s.run),
                                  tr("%1 · %2").arg(runLabel(s.run), s.name));
  }
  // The selected step on the time panels (by tokens or time: the first run's shown snapshot).
  const Snapshot* at = nullptr;
  for (int r = 0; r < n && !at; ++r)
    if (shown[r] >= 0) at = &run(r)->snapshots()[shown[r]];
  const int64_t selected = slider_->step();
  for (auto* m : marker_) {
    const double x = xMode_ == XStep && selected >= 0 ? double(selected)
                     : at                             ? xOf(*at, xMode_)
                                                      : 0.0;
    m->point1->setCoords(x, 0);
    m->point2->setCoords(x, 1);
    m->setVisible(at != nullptr);
  }
  missingText_->setText(missing_.join(QLatin1Char('\n')));
  applyPalette();  // styles the new legend items
}

void KVPlot::styleGraphs() {
  const int n = std::min(runCount(), static_cast<int>(channel_.size()));
  int drawn = 0;
  for (int r = 0; r < n; ++r) drawn += run(r) ? 1 : 0;
  for (int r = 0; r < n; ++r) {
    const QColor col = runColor(r);
    for (int c = 0; c < 3; ++c) {
      QPen thin(col, 1.0, kCacheStyles[c]);  // width 1: the fast path for 512-point dashed lines
      channel_[r][c]->setPen(thin);
      token_[r][c]->setPen(thin);
      spike_[r][c]->setPen(QPen(col, 1.8, kCacheStyles[c]));
      spike_[r][c]->setScatterStyle(QCPScatterStyle(kCacheMarkers[c], col, 6));
    }
    for (int s = 0; s < 2; ++s) {
      kivi_[r][s]->setPen(QPen(col, 1.8, kSchemeStyles[s]));
      kivi_[r][s]->setScatterStyle(QCPScatterStyle(kSchemeMarkers[s], col, 6));
    }
    runKey_[r]->setPen(QPen(col, 3));
    runKey_[r]->setName(runLabel(r));
  }
  // Legend: the run colours (several runs), then the line styles of what is shown.
  const QColor keyColor = drawn == 1 ? runColor(0) : textColor();
  for (int c = 0; c < 3; ++c) {
    cacheKey_[c]->setPen(QPen(keyColor, 1.8, kCacheStyles[c]));
    cacheKey_[c]->setScatterStyle(QCPScatterStyle(kCacheMarkers[c], keyColor, 6));
  }
  for (int s = 0; s < 2; ++s) {
    schemeKey_[s]->setPen(QPen(keyColor, 1.8, kSchemeStyles[s]));
    schemeKey_[s]->setScatterStyle(QCPScatterStyle(kSchemeMarkers[s], keyColor, 6));
  }
  legend_->clearItems();
  if (drawn > 1)
    for (int r = 0; r < n; ++r)
      if (run(r)) runKey_[r]->addToLegend(legend_);
  for (int c = 0; c < 3; ++c)
    if (drawsProfiles() || (drawsSpikiness() && (c != KPre || showKPre_)))
      cacheKey_[c]->addToLegend(legend_);
  if (drawsKivi())
    for (QCPGraph* g : schemeKey_) g->addToLegend(legend_);
  QColor markerColor = textColor();
  markerColor.setAlpha(130);
  for (auto* m : marker_) m->setPen(QPen(markerColor, 1, Qt::DashLine));
  for (auto* t : profileNote_) t->setColor(textColor());
}

void KVPlot::applyPalette() {
  if (legend_) {
    styleGraphs();
    fitLegendColumns(legend_);
  }
  PlotBase::applyPalette();  // axes, legend items, text elements
}

void KVPlot::resetRanges() {
  plot()->rescaleAxes(true);
  for (int i = 0; i < 4; ++i) {
    if (!rects_[i]->visible()) continue;
    QCPAxis* y = rects_[i]->axis(QCPAxis::atLeft);
    QCPRange r = y->range();
    const double pad = std::max(0.05 * r.size(), 1e-6 * std::max(1.0, std::abs(r.upper)));
    // Magnitudes are non-negative: start the channel/token panels at zero.
    if (i >= 2 && logY_)
      y->setRange(r.lower / 1.1, r.upper * 1.1);
    else
      y->setRange(i < 2 ? std::min(0.0, r.lower) : r.lower - pad, r.upper + pad);
    QCPAxis* x = rects_[i]->axis(QCPAxis::atBottom);
    r = x->range();
    if (i < 2)
      x->setRange(r.lower - 0.5, r.upper + 0.5);
    else if (r.size() <= 0)
      x->setRange(r.lower - 1, r.upper + 1);
    else
      x->setRange(r.lower - 0.03 * r.size(), r.upper + 0.03 * r.size());
  }
}

QString KVPlot::csv() const {
  // The long format of the curve views: the profiles at the shown step (x = channel / position)
  // under their own series names, then the curves over training.
  QVector<CurveSeries> rows;
  if (drawsProfiles() && layer_ >= 0)
    for (int r = 0; r < runCount(); ++r) {
      const int si = snapshotIndexOf(r);
      if (si < 0) continue;
      const Snapshot& s = run(r)->snapshots()[si];
      if (layer_ >= static_cast<int>(s.layers.size()) || !plotutil::hasActivations(s)) continue;
      for (int c = 0; c < 3; ++c) {
        const Magnitudes* m = magnitudes(s.layers[layer_], c);
        const QString key = QString::fromLatin1(kCacheKeys[c]);
        for (const auto& [prefix, values] :
             {std::make_pair(QStringLiteral("channel_"), &m->channel),
              std::make_pair(QStringLiteral("token_"), &m->token)}) {
          CurveSeries profile;
          profile.run = r;
          profile.name = prefix + key;
          for (size_t i = 0; i < values->size(); ++i)
            profile.append(double(i), (*values)[i], s.step, s.tokens, s.wall_s);
          rows << profile;
        }
      }
    }
  for (const Series& s : series_) rows << s;
  return CurveSeries::csv(rows, [this](int r) { return runLabel(r); });
}

}  // namespace ms
