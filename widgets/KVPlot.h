// KVPlot: K/V-cache magnitudes of the selected layer (DESIGN.md section 4). Four panels:
// channel magnitudes m_c (mean |x| over tokens) over the channel index (C = heads x head_dim,
// ticks at head boundaries) and token magnitudes m_t over position, for K before RoPE, K after
// RoPE and V at the selected snapshot; a spikiness measure or the channel/token asymmetry ratio
// over training steps; and the KIVI quantized-cache loss deltas (loss_quant - loss_fp, 2 and
// 4 bits, K per-channel/V per-token and the swapped scheme) at the snapshots where they were
// computed (kivi.valid).
#pragma once

#include <array>

#include "PlotBase.h"

class QComboBox;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;

namespace ms {

class SnapshotSlider;

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

  explicit KVPlot(RunModel* model, QWidget* parent = nullptr);

  int layer() const { return layer_; }
  int snapshotIndex() const;  // -1 when there are no snapshots
  Spikiness spikinessMetric() const { return spk_; }

  QCPAxisRect* channelRect() const { return rects_[0]; }
  QCPAxisRect* tokenRect() const { return rects_[1]; }
  QCPAxisRect* spikinessRect() const { return rects_[2]; }
  QCPAxisRect* kiviRect() const { return rects_[3]; }
  QCPGraph* channelGraph(Cache c) const { return channel_[c]; }
  QCPGraph* tokenGraph(Cache c) const { return token_[c]; }
  QCPGraph* spikinessGraph(Cache c) const { return spike_[c]; }
  // scheme 0: K per-channel / V per-token; 1: swapped. bits index into kKiviBits {2, 4}.
  QCPGraph* kiviGraph(int scheme, int bitsIndex) const { return kivi_[scheme * 2 + bitsIndex]; }
  SnapshotSlider* snapshotSlider() const { return slider_; }
  void setSnapshotControlVisible(bool visible);

  static double spikinessValue(const Magnitudes& m, Spikiness which);
  static QString spikinessName(Spikiness which);

  QString csv() const override;

 public slots:
  void setLayer(int layer);
  void setSnapshot(int index);  // < 0 or the last index: follow the latest
  void setSpikinessMetric(ms::KVPlot::Spikiness which);

 protected:
  void rebuild() override;
  void resetRanges() override;
  void applyPalette() override;

 private:
  static const Magnitudes* magnitudes(const LayerMetrics& lm, int cache);
  void syncLayerCombo();

  int layer_ = 0;
  Spikiness spk_ = Asymmetry;
  QComboBox* layerCombo_ = nullptr;
  QComboBox* spkCombo_ = nullptr;
  SnapshotSlider* slider_ = nullptr;
  std::array<QCPAxisRect*, 4> rects_{};
  std::array<QCPGraph*, 3> channel_{}, token_{}, spike_{};
  std::array<QCPGraph*, 4> kivi_{};
  std::array<QCPItemStraightLine*, 2> marker_{};  // selected step on the time panels
};

}  // namespace ms
