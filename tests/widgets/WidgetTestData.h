// WidgetTestData: synthetic run data with known values for the view suites (tests/widgets):
// a 2-layer, 4-head run (head_dim 16, 8 matrices, 3 FTA groups, 50 steps, 2 validation rows, 3
// snapshots) where every number is a distinct function of its indices, and small helpers to read
// graphs, CSV files and lay a view out at a real size.
#pragma once

#include <QFile>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QtTest>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <qcustomplot.h>

#include "RunModel.h"

using namespace ms;

namespace {

constexpr int kL = 2, kH = 4, kHd = 16, kT = 8, kSteps = 50;
const std::vector<std::string> kNames = {"attn.q", "attn.k",  "attn.v", "attn.o",
                                         "mlp.in", "mlp.out", "qk",     "vo"};
const std::vector<std::array<int, 2>> kShapes = {{64, 64},  {64, 64},  {64, 64}, {64, 64},
                                                 {256, 64}, {64, 256}, {64, 64}, {64, 64}};

inline RunInfo makeInfo() {
  RunInfo info;
  info.config_json = "{}";
  info.device = "cpu";
  info.n_layer = kL;
  info.n_head = kH;
  info.head_dim = kHd;
  info.seq_len = kT;
  info.vocab_size = 100;
  info.matrix_names = kNames;
  info.matrix_shapes = kShapes;
  info.fta_groups = 3;
  info.total_steps = kSteps;
  return info;
}

// Known values: every number is a distinct function of (snapshot k, layer l, head/matrix/index).
inline double prSv(int k, int a, int l, int h) {
  return 1.0 + a + 2.0 * l + 0.5 * h + 0.75 * k;
}
inline double prCov(int k, int a, int l, int h) {
  return prSv(k, a, l, h) + 0.25;
}
inline float sv(int k, int l, int m, int i) {
  return float((k + 1) * (l + 1) * (m + 1)) / float(i + 1);
}
inline double erank(int k, int l, int m) {
  return 10.123 + k + 0.5 * l + 0.01 * m;
}
// The power-law fit as stored: sigma_i = c / i makes lambda = c^2 / i^2, whose density falls as
// lambda^-1.5, so alpha near 1.5, from the 32nd largest eigenvalue (half of a 64-value tail).
inline double alpha(int k, int l, int m) {
  return 1.5 + 0.001 * m + 0.0001 * k + 0.00001 * l;
}
inline double alphaXmin(int k, int l, int m) {
  return double(sv(k, l, m, 31)) * double(sv(k, l, m, 31));
}
// Per-head composites: kind 0 = W_QK^h, 1 = W_OV^h; i < kHd.
inline float headSv(int k, int l, int kind, int h, int i) {
  return float((k + 1) * (l + 2) * (h + 1) * (kind + 3)) / float((i + 1) * (i + 1));
}
inline double headErank(int k, int l, int kind, int h) {
  return 3.25 + 0.5 * h + 0.125 * kind + 0.0625 * l + k;
}

inline Snapshot makeSnapshot(int k) {
  Snapshot s;
  s.step = 10 * (k + 1);
  s.tokens = s.step * 128;
  s.wall_s = 1.5 * (k + 1);
  s.val_loss = 4.0 - k;
  s.matrix_names = kNames;
  for (int l = 0; l < kL; ++l) {
    LayerMetrics lm;
    for (int m = 0; m < static_cast<int>(kNames.size()); ++m) {
      SpectrumMetrics sm;
      const int n = std::min(kShapes[m][0], kShapes[m][1]);
      for (int i = 0; i < n; ++i) sm.sv.push_back(sv(k, l, m, i));
      sm.erank = erank(k, l, m);
      sm.entropy = 0.5 + 0.1 * k + 0.01 * l + 0.001 * m;
      sm.top10 = 0.3 + 0.05 * k;
      sm.q75_q25 = 2.0 + k + l;
      sm.stable_rank = 1.5 + 0.1 * m;
      sm.update_cosine = k == 0 ? kNaN : 0.2 * k;
      sm.update_top_share = k == 0 ? kNaN : 0.1 * k;
      sm.alpha = alpha(k, l, m);
      sm.alpha_xmin = alphaXmin(k, l, m);
      sm.alpha_ks = 0.05 + 0.01 * m;
      sm.alpha_weighted = sm.alpha * std::log10(double(sv(k, l, m, 0)) * sv(k, l, m, 0));
      lm.matrices.push_back(sm);
    }
    for (int kind = 0; kind < 2; ++kind)
      for (int h = 0; h < kH; ++h) {
        SpectrumMetrics sm;
        for (int i = 0; i < kHd; ++i) sm.sv.push_back(headSv(k, l, kind, h, i));
        sm.erank = headErank(k, l, kind, h);
        sm.entropy = 0.7;
        (kind == 0 ? lm.qk_heads : lm.ov_heads).push_back(sm);
      }
    for (int a = 0; a < kNumActs; ++a)
      for (int h = 0; h < kH; ++h) {
        lm.pr_sv[a].push_back(prSv(k, a, l, h));
        lm.pr_cov[a].push_back(prCov(k, a, l, h));
      }
    lm.max_logit.assign(kH, 3.0);
    lm.collapsed.assign(kH, 0);
    if (k == 2 && l == 1) lm.collapsed[2] = 1;  // one collapsed head in the last snapshot
    if (k == 2 && l == 0) lm.collapsed[0] = 1;
    Magnitudes* mags[3] = {&lm.k_pre, &lm.k_post, &lm.v};
    for (int c = 0; c < 3; ++c) {
      for (int i = 0; i < kH * kHd; ++i)
        mags[c]->channel.push_back(float(0.1 * (c + 1) + 0.01 * i + k));
      for (int t = 0; t < kT; ++t) mags[c]->token.push_back(float(1.0 + 0.2 * t + c + k));
      mags[c]->asymmetry = 1.0 + 0.1 * c + 0.01 * k + 0.001 * l;
      mags[c]->channel_spk.max_mean = 2.0 + c;
      mags[c]->token_spk.max_mean = 1.5 + c;
    }
    s.layers.push_back(lm);
  }
  s.kivi.valid = k != 1;  // computed at snapshots 0 and 2 only
  s.kivi.loss_fp = 3.0;
  s.kivi.k_chan_v_tok = {0.1 + k, 0.01 + k};
  s.kivi.k_tok_v_chan = {0.5 + k, 0.05 + k};
  s.fta = {0.9 - 0.1 * (2 - k), 0.5 + 0.1 * k, 0.05 * k};
  return s;
}

inline StepRecord makeStep(int i) {
  StepRecord r;
  r.step = i;
  r.loss = 5.0 - 0.05 * i;
  r.tokens = int64_t(i) * 128;
  r.wall_s = 0.1 * i;
  return r;
}

inline void fillModel(RunModel& m) {
  m.setDisplayName("synthetic");
  m.setInfo(makeInfo());
  std::vector<StepRecord> steps;
  for (int i = 1; i <= kSteps; ++i) steps.push_back(makeStep(i));
  m.appendSteps(steps);
  for (int i : {25, 50}) {
    ValRecord v;
    v.step = i;
    v.tokens = int64_t(i) * 128;
    v.wall_s = 0.1 * i;
    v.loss = 4.5 - 0.01 * i;
    m.appendVal(v);
  }
  for (int k = 0; k < 3; ++k) m.appendSnapshot(makeSnapshot(k));
}

// Keys and values of a graph, in order.
inline QVector<double> keysOf(const QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->key;
  return out;
}
inline QVector<double> valuesOf(const QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << it->value;
  return out;
}

inline int csvRows(const QString& path, QString* header) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return -1;
  const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  if (lines.isEmpty()) return -1;
  *header = lines.front();
  return lines.size() - 1;
}

template <typename View>
inline void showView(View& v) {
  v.resize(1000, 600);
  v.show();
  QVERIFY(QTest::qWaitForWindowExposed(&v));
  v.refreshNow();
  v.plot()->replot();  // lay out at the shown size so coordToPixel matches the widget
}

}  // namespace
