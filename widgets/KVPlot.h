// KVPlot: K/V-cache magnitudes of 1..N runs (DESIGN.md section 4). Four panels:
//  - channel magnitudes m_c (mean |x| over tokens) over the channel index (C = heads x
//    head_dim, ticks at head boundaries when the runs share head_dim) and
//  - token magnitudes m_t over position, for K before RoPE, K after RoPE and V of one layer at
//    the selected step (each run shows its snapshot nearest to it);
//  - a spikiness measure or the channel/token asymmetry ratio over training, of one layer or
//    the mean over layers;
//  - the KIVI quantized-cache loss deltas (loss_quant - loss_fp at 2 or 4 bits, K per-channel/V
//    per-token and the swapped scheme) at the snapshots where they were computed (kivi.valid).
// Colour = run; line style and marker = cache (K pre: dotted, K post: solid, V: dashed) or KIVI
// scheme (K/chan V/tok: solid, K/tok V/chan: dashed). The legend sits in a row under the
// panels. Panels() picks all four, the spikiness panel only (headless "kv") or the KIVI panel
// only ("kivi"). Runs of different shapes overlay (x = channel index / position); a run without
// the selected layer, or without KIVI losses, is listed as missing under the panels.
#pragma once

#include <QStringList>
#include <QVector>
#include <array>

#include "CurveSeries.h"
#include "PlotBase.h"

class QCheckBox;
class QComboBox;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPLayoutGrid;
class QCPLegend;
class QCPTextElement;

namespace ms {

class StepSlider;

class KVPlot : public PlotBase {
  Q_OBJECT
 public:
  enum Cache { KPre = 0, KPost = 1, V = 2 };
  enum Spikiness {
    Asymmetry = 0,  // channel max/mean over token max/mean
    ChannelMaxMean,
    ChannelP99P50,
    ChannelTop1,
    TokenMaxMean,
    TokenP99P50,
    TokenTop1
  };
  enum Panels { AllPanels = 0, SpikinessOnly = 1, KiviOnly = 2 };
  // KIVI schemes: K per-channel / V per-token, and the swapped one.
  enum KiviScheme { KChanVTok = 0, KTokVChan = 1 };

  // One drawn over-training series (spikiness of a cache, or a KIVI scheme) of one run, with
  // each point's step / tokens / wall time so the CSV carries every alignment.
  // A curve over training (name: the CSV key "k_pre", "k_post", "v", "k_chan_v_tok_2bit", ...).
  struct Series : CurveSeries {
    int kind = 0;  // Cache (spikiness panel) or KiviScheme (KIVI panel)
    bool kivi = false;
    SeedBand band;  // a seed group's band over its members (empty otherwise)
  };

  explicit KVPlot(RunModel* model, QWidget* parent = nullptr);
  explicit KVPlot(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  int layer() const { return layer_; }   // -1: mean over layers (time panels only)
  qint64 step() const { return step_; }  // the wanted step, -1 = latest
  // The snapshot shown for run i (nearest to step()); -1 when it has none.
  int snapshotIndexOf(int run) const;
  Spikiness spikinessMetric() const { return spk_; }
  int kiviBits() const { return kiviBits_; }  // 2 or 4
  Panels panels() const { return panels_; }
  bool spikinessShowsKPre() const { return showKPre_; }
  XAxis xAxisMode() const { return xMode_; }
  bool logY() const { return logY_; }  // log y of the time panels

  QCPAxisRect* channelRect() const { return rects_[0]; }
  QCPAxisRect* tokenRect() const { return rects_[1]; }
  QCPAxisRect* spikinessRect() const { return rects_[2]; }
  QCPAxisRect* kiviRect() const { return rects_[3]; }
  // The graphs of run i (nullptr for a run index out of range; empty when the run has nothing
  // to draw there).
  QCPGraph* channelGraph(int run, Cache c) const;
  QCPGraph* tokenGraph(int run, Cache c) const;
  QCPGraph* spikinessGraph(int run, Cache c) const;
  QCPGraph* kiviGraph(int run, KiviScheme scheme) const;
  QCPLegend* legend() const { return legend_; }
  // What the last rebuild drew over training (spikiness and KIVI panels), in run order.
  const QVector<Series>& series() const { return series_; }
  // The seed band drawn around series i of series() (upper graph, filled down to its
  // channelFillGraph()); nullptr for a plain run's series.
  QCPGraph* bandGraph(int i) const { return bandGraphs_.value(i, nullptr); }
  // Runs with nothing to show in a shown panel, as "label: why" lines.
  QStringList missing() const { return missing_; }
  StepSlider* stepSlider() const { return slider_; }
  void setStepControlVisible(bool visible);

  static double spikinessValue(const Magnitudes& m, Spikiness which);
  static QString spikinessName(Spikiness which);
  static QString spikinessShortName(Spikiness which);  // axis title: "chan/tok ratio", ...

  // run,label,series,step,tokens,wall_s,x,value,smoothed: one row per point of series();
  // with AllPanels also the profiles of the shown snapshots (series "channel_k_post",
  // "token_v", ...: x = channel index / position).
  QString csv() const override;

 public slots:
  void setLayer(int layer);   // -1 = mean over layers (the profile panels then ask for one)
  void setStep(qint64 step);  // < 0: the latest
  void setSpikinessMetric(ms::KVPlot::Spikiness which);
  void setKiviBits(int bits);  // 2 or 4
  void setPanels(ms::KVPlot::Panels panels);
  void setSpikinessShowsKPre(bool on);          // K pre-RoPE in the spikiness panel (default on)
  void setXAxisMode(ms::PlotBase::XAxis mode);  // x of the time panels
  void setLogY(bool on);                        // log y of the time panels

 signals:
  void stepChanged(qint64 step);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;
  void runsReset() override;

 private:
  static const Magnitudes* magnitudes(const LayerMetrics& lm, int cache);
  void init();
  void syncControls();
  void layoutPanels();
  void resizePools();
  void styleGraphs();
  void collect();
  QString titleText() const;
  bool drawsProfiles() const { return panels_ == AllPanels; }
  bool drawsSpikiness() const { return panels_ != KiviOnly; }
  bool drawsKivi() const { return panels_ != SpikinessOnly; }

  int layer_ = 0;
  qint64 step_ = -1;
  Spikiness spk_ = Asymmetry;
  int kiviBits_ = 2;
  Panels panels_ = AllPanels;
  bool showKPre_ = true;
  XAxis xMode_ = XStep;
  bool logY_ = false;

  QComboBox* layerCombo_ = nullptr;
  QComboBox* spkCombo_ = nullptr;
  QComboBox* bitsCombo_ = nullptr;
  QComboBox* xCombo_ = nullptr;
  QCheckBox* kPreCheck_ = nullptr;
  StepSlider* slider_ = nullptr;

  QCPLayoutGrid* panelGrid_ = nullptr;
  std::array<QCPAxisRect*, 4> rects_{};
  QCPLegend* legend_ = nullptr;
  QCPTextElement* missingText_ = nullptr;
  std::array<QCPItemText*, 2> profileNote_{};     // "choose a layer" in the profile panels
  std::array<QCPItemStraightLine*, 2> marker_{};  // selected step on the time panels
  // Per run: 3 graphs per panel (caches), 2 in the KIVI panel (schemes); nullptr-free pools
  // sized to the run count, so a new snapshot refills data without reallocating graphs.
  QVector<std::array<QCPGraph*, 3>> channel_, token_, spike_;
  QVector<std::array<QCPGraph*, 2>> kivi_;
  std::array<QCPGraph*, 3> cacheKey_{};  // legend swatches of the line styles
  std::array<QCPGraph*, 2> schemeKey_{};
  QVector<QCPGraph*> runKey_;  // legend swatches of the run colours (N > 1)
  QVector<Series> series_;
  QStringList missing_;
  QVector<QCPGraph*> bandGraphs_;  // parallel to series_ (nullptr: no band)
};

}  // namespace ms
