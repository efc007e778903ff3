// KVPlot suite (offscreen): the K/V-cache view on synthetic runs with known values
// (WidgetTestData.h, plus a second run "B" with other values, steps and shape). Checks that
// each run's profiles, spikiness and KIVI curves are exactly its numbers, that runs are told
// apart by colour and caches/schemes by line style, the mean over layers, the nearest snapshot
// per run at a step, runs added, removed and growing live, a run without the layer listed as
// missing, the headless "kv"/"kivi" CSV shapes, and the message for snapshots without
// activations.
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "KVPlot.h"
#include "RunModel.h"

#include "WidgetTestData.h"

using namespace ms;

namespace {

// Run B: snapshots at 15, 30, 45 (k = 0, 1, 2), `layers` layers of `heads` heads; every
// magnitude and KIVI value offset from run A's so no number coincides.
double asymB(int c, int k, int l) {
  return 5.0 + 0.1 * c + 0.02 * k + 0.003 * l;
}
float channelB(int c, int k, int i) {
  return float(7.0 + 0.5 * c + 0.03 * i + k);
}
void fillRunB(RunModel& m, int snapshots = 3, int layers = kL, int heads = kH) {
  m.setDisplayName("B");
  RunInfo info = makeInfo();
  info.n_layer = layers;
  info.n_head = heads;
  m.setInfo(info);
  for (int k = 0; k < snapshots; ++k) {
    Snapshot s = makeSnapshot(k % 3);
    s.step = 15 * (k + 1);
    s.tokens = s.step * 64;
    s.layers.resize(layers, s.layers.back());
    for (int l = 0; l < layers; ++l) {
      Magnitudes* mags[3] = {&s.layers[l].k_pre, &s.layers[l].k_post, &s.layers[l].v};
      for (int c = 0; c < 3; ++c) {
        mags[c]->channel.assign(heads * kHd, 0.f);
        for (int i = 0; i < heads * kHd; ++i) mags[c]->channel[i] = channelB(c, k, i);
        mags[c]->asymmetry = asymB(c, k, l);
      }
    }
    s.kivi.valid = true;
    s.kivi.k_chan_v_tok = {0.7 + k, 0.07 + k};
    s.kivi.k_tok_v_chan = {0.9 + k, 0.09 + k};
    m.appendSnapshot(s);
  }
}

// Names of the legend's entries in order (a wrapped legend has empty cells: skipped).
QStringList legendNames(QCPLegend* legend) {
  QStringList out;
  for (int i = 0; i < legend->itemCount(); ++i)
    if (auto* it = qobject_cast<QCPPlottableLegendItem*>(legend->item(i)))
      out << it->plottable()->name();
  return out;
}

QStringList csvLinesOf(const QString& csv) {
  return csv.split('\n', Qt::SkipEmptyParts);
}

}  // namespace

class TestKVPlot : public QObject {
  Q_OBJECT
 private slots:
  void singleRunPanels();
  void activationViewsSayWhyTheyAreEmpty();
  void twoRunsDrawnWithTheirValues();
  void meanOverLayers();
  void stepPicksNearestSnapshotPerRun();
  void thirdRunAddedThenRemoved();
  void liveRunGrows();
  void differentShapesAndMissingLayer();
  void exportShapes();
  void legendOutsidePanels();
  void seedGroupBand();
};

void TestKVPlot::singleRunPanels() {
  RunModel m;
  fillModel(m);
  KVPlot v(&m);
  v.setLayer(1);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 2);
  const Snapshot& s = m.snapshots()[2];
  const auto& post = s.layers[1].k_post;
  QCOMPARE(valuesOf(v.channelGraph(0, KVPlot::KPost)).size(), kH * kHd);
  for (int i = 0; i < kH * kHd; ++i)
    QCOMPARE(valuesOf(v.channelGraph(0, KVPlot::KPost))[i], double(post.channel[i]));
  QCOMPARE(valuesOf(v.tokenGraph(0, KVPlot::V)).size(), kT);
  QCOMPARE(valuesOf(v.tokenGraph(0, KVPlot::V))[3], double(s.layers[1].v.token[3]));
  for (int k = 0; k < 3; ++k)  // asymmetry of V (c = 2) in layer 1
    QVERIFY(std::abs(valuesOf(v.spikinessGraph(0, KVPlot::V))[k] - (1.2 + 0.01 * k + 0.001)) <
            1e-12);
  // K pre-RoPE is in the spikiness panel by default.
  QCOMPARE(keysOf(v.spikinessGraph(0, KVPlot::KPre)), (QVector<double>{10, 20, 30}));
  // KIVI only where valid (snapshots 0 and 2), at the chosen bits.
  QCOMPARE(keysOf(v.kiviGraph(0, KVPlot::KChanVTok)), (QVector<double>{10, 30}));
  QCOMPARE(valuesOf(v.kiviGraph(0, KVPlot::KChanVTok)), (QVector<double>{0.1, 2.1}));
  v.setKiviBits(4);
  v.refreshNow();
  QCOMPARE(valuesOf(v.kiviGraph(0, KVPlot::KTokVChan)), (QVector<double>{0.05, 2.05}));
  QVERIFY(v.kiviRect()->axis(QCPAxis::atLeft)->label().contains("4-bit"));
  v.setSpikinessMetric(KVPlot::ChannelMaxMean);
  QSignalSpy steps(&v, &KVPlot::stepChanged);
  v.setStep(10);
  v.refreshNow();
  QCOMPARE(steps.count(), 1);
  QCOMPARE(steps.at(0).at(0).toLongLong(), 10);
  QCOMPARE(v.snapshotIndexOf(0), 0);
  QCOMPARE(valuesOf(v.spikinessGraph(0, KVPlot::KPre)), (QVector<double>{2.0, 2.0, 2.0}));
  QCOMPARE(valuesOf(v.channelGraph(0, KVPlot::KPre))[0],
           double(m.snapshots()[0].layers[1].k_pre.channel[0]));
  QCOMPARE(v.spikinessRect()->axis(QCPAxis::atLeft)->label(),
           KVPlot::spikinessShortName(KVPlot::ChannelMaxMean));
  // CSV: 3 caches x (channels + tokens) + 3 caches x 3 snapshots + 2 schemes x 2 KIVI snapshots.
  const QStringList lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size(), 1 + 3 * (kH * kHd + kT) + 3 * 3 + 2 * 2);
  QCOMPARE(lines[0], QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 9);
  QVERIFY(lines.contains(QString("0,synthetic,k_tok_v_chan_4bit,30,3840,4.5,30,2.05,2.05")));
}

// A snapshot without activations (checkpoints inspected without a probe): the K/V view shows a
// message saying why instead of drawing; a snapshot with them draws again.
void TestKVPlot::activationViewsSayWhyTheyAreEmpty() {
  RunModel m;
  fillModel(m);
  Snapshot w = makeSnapshot(2);
  w.step = 40;
  w.val_loss = kNaN;
  for (LayerMetrics& l : w.layers)
    for (auto& pr : l.pr_sv) std::fill(pr.begin(), pr.end(), kNaN);
  m.appendSnapshot(w);
  auto message = [](QWidget& v) {
    for (QLabel* l : v.findChildren<QLabel*>())
      if (l->isVisibleTo(&v) && l->text().contains("without a probe")) return true;
    return false;
  };
  KVPlot kv(&m);
  kv.show();
  for (int i : {3, 2, 3}) {
    kv.setStep(m.snapshots()[i].step);
    kv.refreshNow();
    QCOMPARE(message(kv), i == 3);
    QCOMPARE(valuesOf(kv.channelGraph(0, KVPlot::KPost)).isEmpty(), i == 3);
  }
}

void TestKVPlot::twoRunsDrawnWithTheirValues() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  KVPlot v({&a, &b});
  v.setLayer(1);
  v.refreshNow();
  QVERIFY(v.missing().isEmpty());
  for (int c = 0; c < 3; ++c) {
    const auto cache = static_cast<KVPlot::Cache>(c);
    QCOMPARE(keysOf(v.spikinessGraph(0, cache)), (QVector<double>{10, 20, 30}));
    QCOMPARE(keysOf(v.spikinessGraph(1, cache)), (QVector<double>{15, 30, 45}));
    for (int k = 0; k < 3; ++k) {
      QCOMPARE(valuesOf(v.spikinessGraph(0, cache))[k], 1.0 + 0.1 * c + 0.01 * k + 0.001);
      QCOMPARE(valuesOf(v.spikinessGraph(1, cache))[k], asymB(c, k, 1));
    }
    const QVector<double> chB = valuesOf(v.channelGraph(1, cache));
    QCOMPARE(chB.size(), kH * kHd);
    for (int i = 0; i < chB.size(); ++i) QCOMPARE(chB[i], double(channelB(c, 2, i)));
    const LayerMetrics& la = a.snapshots()[2].layers[1];
    const Magnitudes& ma = c == 0 ? la.k_pre : c == 1 ? la.k_post : la.v;
    QCOMPARE(valuesOf(v.channelGraph(0, cache))[5], double(ma.channel[5]));
  }
  QCOMPARE(valuesOf(v.kiviGraph(1, KVPlot::KChanVTok)), (QVector<double>{0.7, 1.7, 2.7}));
  QCOMPARE(valuesOf(v.kiviGraph(0, KVPlot::KTokVChan)), (QVector<double>{0.5, 2.5}));
  // Colour = run; line style = cache / scheme.
  QCOMPARE(v.spikinessGraph(0, KVPlot::V)->pen().color(), v.runColor(0));
  QCOMPARE(v.spikinessGraph(1, KVPlot::V)->pen().color(), v.runColor(1));
  QVERIFY(v.runColor(0) != v.runColor(1));
  QCOMPARE(v.channelGraph(1, KVPlot::KPost)->pen().color(), v.runColor(1));
  QVERIFY(v.spikinessGraph(1, KVPlot::KPost)->pen().style() !=
          v.spikinessGraph(1, KVPlot::V)->pen().style());
  QVERIFY(v.spikinessGraph(1, KVPlot::KPre)->pen().style() !=
          v.spikinessGraph(1, KVPlot::V)->pen().style());
  QVERIFY(v.kiviGraph(0, KVPlot::KChanVTok)->pen().style() !=
          v.kiviGraph(0, KVPlot::KTokVChan)->pen().style());
  QCOMPARE(v.series().size(), 2 * 3 + 2 * 2);
}

void TestKVPlot::meanOverLayers() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  KVPlot v({&a, &b});
  v.setLayer(-1);
  v.refreshNow();
  for (int k = 0; k < 3; ++k) {
    QVERIFY(std::abs(valuesOf(v.spikinessGraph(0, KVPlot::KPost))[k] - (1.1 + 0.01 * k + 0.0005)) <
            1e-12);
    QVERIFY(std::abs(valuesOf(v.spikinessGraph(1, KVPlot::V))[k] -
                     (asymB(2, k, 0) + asymB(2, k, 1)) / 2) < 1e-12);
  }
  // The profiles need one layer: nothing drawn there, and the view says so.
  QVERIFY(valuesOf(v.channelGraph(0, KVPlot::KPost)).isEmpty());
  // No profile rows without a layer: 3 caches x 3 snapshots per run, KIVI 2 x 2 (A), 2 x 3 (B).
  QCOMPARE(csvLinesOf(v.csv()).size(), 1 + 2 * 3 * 3 + 2 * 2 + 2 * 3);
}

void TestKVPlot::stepPicksNearestSnapshotPerRun() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  KVPlot v({&a, &b});
  v.setLayer(0);
  v.setStep(20);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 1);  // A: step 20
  QCOMPARE(v.snapshotIndexOf(1), 0);  // B: 15 is nearest to 20
  QCOMPARE(valuesOf(v.channelGraph(1, KVPlot::V))[3], double(channelB(2, 0, 3)));
  QCOMPARE(valuesOf(v.channelGraph(0, KVPlot::V))[3],
           double(a.snapshots()[1].layers[0].v.channel[3]));
  v.setStep(-1);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(1), 2);
  QCOMPARE(valuesOf(v.channelGraph(1, KVPlot::V))[3], double(channelB(2, 2, 3)));
  // The last step of the union follows the latest, as the slider's right end.
  v.setStep(20);
  v.setStep(45);
  QCOMPARE(v.step(), -1);
}

void TestKVPlot::thirdRunAddedThenRemoved() {
  RunModel a, b, c;
  fillModel(a);
  fillRunB(b);
  fillRunB(c, 2);
  c.setDisplayName("C");
  KVPlot v({&a, &b});
  v.refreshNow();
  QVERIFY(v.spikinessGraph(2, KVPlot::V) == nullptr);
  v.setRuns({&a, &b, &c});
  v.refreshNow();
  QVERIFY(v.spikinessGraph(2, KVPlot::V) != nullptr);
  QCOMPARE(keysOf(v.spikinessGraph(2, KVPlot::V)), (QVector<double>{15, 30}));
  QCOMPARE(v.spikinessGraph(2, KVPlot::V)->pen().color(), v.runColor(2));
  QCOMPARE(keysOf(v.spikinessGraph(1, KVPlot::V)), (QVector<double>{15, 30, 45}));
  QCOMPARE(legendNames(v.legend()).mid(0, 3), (QStringList{"synthetic", "B", "C"}));
  const int graphsWithThree = v.plot()->graphCount();
  v.setRuns({&a, &b});
  v.refreshNow();
  QVERIFY(v.spikinessGraph(2, KVPlot::V) == nullptr);
  QVERIFY(v.plot()->graphCount() < graphsWithThree);
  for (const auto& s : v.series()) QVERIFY(s.run < 2);
  QCOMPARE(keysOf(v.spikinessGraph(1, KVPlot::V)), (QVector<double>{15, 30, 45}));
}

void TestKVPlot::liveRunGrows() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b, 2);
  KVPlot v({&a, &b});
  v.setLayer(1);
  v.refreshNow();
  const QVector<double> aBefore = valuesOf(v.spikinessGraph(0, KVPlot::V));
  QCOMPARE(keysOf(v.spikinessGraph(1, KVPlot::V)), (QVector<double>{15, 30}));
  RunModel extra;
  fillRunB(extra, 3);
  b.appendSnapshot(extra.snapshots()[2]);  // step 45 arrives
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(keysOf(v.spikinessGraph(1, KVPlot::V)), (QVector<double>{15, 30, 45}));
  QCOMPARE(valuesOf(v.spikinessGraph(1, KVPlot::V))[2], asymB(2, 2, 1));
  QCOMPARE(valuesOf(v.spikinessGraph(0, KVPlot::V)), aBefore);
  QCOMPARE(v.snapshotIndexOf(1), 2);  // following the latest
  QCOMPARE(valuesOf(v.channelGraph(1, KVPlot::KPost))[0], double(channelB(1, 2, 0)));
}

void TestKVPlot::differentShapesAndMissingLayer() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b, 3, 1, 2);  // 1 layer of 2 heads
  KVPlot v({&a, &b});
  v.setLayer(1);
  v.refreshNow();
  QCOMPARE(v.missing().size(), 1);
  QVERIFY2(v.missing()[0].startsWith("B: no layer 1"), qPrintable(v.missing()[0]));
  QVERIFY(valuesOf(v.channelGraph(1, KVPlot::KPost)).isEmpty());
  QVERIFY(valuesOf(v.spikinessGraph(1, KVPlot::KPost)).isEmpty());
  QCOMPARE(valuesOf(v.channelGraph(0, KVPlot::KPost)).size(), kH * kHd);
  QCOMPARE(valuesOf(v.kiviGraph(1, KVPlot::KChanVTok)).size(), 3);  // KIVI is per run
  // Layer 0: both overlay, each with its own channel count.
  v.setLayer(0);
  v.refreshNow();
  QVERIFY(v.missing().isEmpty());
  QCOMPARE(keysOf(v.channelGraph(1, KVPlot::KPost)).size(), 2 * kHd);
  QCOMPARE(keysOf(v.channelGraph(0, KVPlot::KPost)).size(), kH * kHd);
  QCOMPARE(valuesOf(v.channelGraph(1, KVPlot::KPost))[31], double(channelB(1, 2, 31)));
}

// The headless "kv" and "kivi" exports: spikiness of K (post-RoPE) and V only, 2 x 2 x S rows;
// KIVI at the chosen bits, 2 x 2 x (KIVI snapshots) rows; 9 columns everywhere.
void TestKVPlot::exportShapes() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  b.appendSnapshot(b.snapshots()[1]);  // keep S per run distinct from the KIVI count
  KVPlot v({&a, &b});
  v.setPanels(KVPlot::SpikinessOnly);
  v.setSpikinessShowsKPre(false);
  v.setLayer(-1);
  v.refreshNow();
  QStringList lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size() - 1, 2 * 3 + 2 * 4);
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 9);
  for (int i = 1; i < lines.size(); ++i) {
    const QString series = lines[i].split(',')[2];
    QVERIFY2(series == "k_post" || series == "v", qPrintable(lines[i]));
  }
  QVERIFY(!v.kiviRect()->visible() && !v.channelRect()->visible());
  QVERIFY(v.spikinessRect()->visible());
  v.setLogY(true);  // the headless --log
  v.refreshNow();
  QCOMPARE(v.spikinessRect()->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
  QVERIFY(v.spikinessRect()->axis(QCPAxis::atLeft)->range().lower > 0);
  v.setLogY(false);
  v.setPanels(KVPlot::KiviOnly);
  v.setKiviBits(4);
  v.refreshNow();
  lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size() - 1, 2 * 2 + 2 * 4);  // A: KIVI at 2 snapshots; B: at all 4
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 9);
  QVERIFY(lines.contains(QString("0,synthetic,k_chan_v_tok_4bit,30,3840,4.5,30,2.01,2.01")));
  QVERIFY(v.kiviRect()->visible() && !v.spikinessRect()->visible());
  // Image export of a one-panel view works.
  QTemporaryDir dir;
  v.exportCsv(dir.filePath("kivi.csv"));
  QString header;
  QCOMPARE(csvRows(dir.filePath("kivi.csv"), &header), 2 * 2 + 2 * 4);
  v.exportImage(dir.filePath("kivi.png"), 640, 400, 96);
  QCOMPARE(QImage(dir.filePath("kivi.png")).size(), QSize(640, 400));
}

// The legend is a row under the panels, never inside an axis rect.
void TestKVPlot::legendOutsidePanels() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  KVPlot v({&a, &b});
  showView(v);
  QCPLegend* legend = v.legend();
  QVERIFY(legend->visible());
  // Runs, caches, KIVI schemes.
  QCOMPARE(legendNames(legend), (QStringList{"synthetic", "B", "K pre-RoPE", "K post-RoPE", "V",
                                             "KIVI K/chan V/tok", "KIVI K/tok V/chan"}));
  const QRect lr = legend->outerRect();
  for (QCPAxisRect* r : {v.channelRect(), v.tokenRect(), v.spikinessRect(), v.kiviRect()})
    QVERIFY(!r->rect().intersects(lr));
  for (QCPAxisRect* r : v.plot()->axisRects()) QCOMPARE(r->insetLayout()->elementCount(), 0);
}

// A seed group: each spikiness and KIVI series of the mean run gets the band over its members.
void TestKVPlot::seedGroupBand() {
  RunModel s1, s2, mean, base;
  fillRunB(s1);
  fillRunB(mean);
  fillRunB(base);
  // Seed 2: run B with every asymmetry 1 higher and every 2-bit K/chan V/tok delta 0.5 higher.
  s2.setInfo(base.info());
  for (Snapshot s : base.snapshots()) {
    for (LayerMetrics& lm : s.layers)
      for (Magnitudes* m : {&lm.k_pre, &lm.k_post, &lm.v}) m->asymmetry += 1.0;
    s.kivi.k_chan_v_tok[0] += 0.5;
    s2.appendSnapshot(s);
  }
  KVPlot v(QVector<RunModel*>{});
  v.setRuns({&mean}, {0}, {{&s1, &s2}});
  v.setLayer(1);
  v.refreshNow();
  int checked = 0;
  for (int i = 0; i < v.series().size(); ++i) {
    const KVPlot::Series& s = v.series()[i];
    QCPGraph* hi = v.bandGraph(i);
    QVERIFY2(hi && hi->channelFillGraph(), qPrintable(s.name));
    QCOMPARE(hi->data()->size(), 3);
    for (int k = 0; k < 3; ++k) {
      if (!s.kivi) {
        QCOMPARE(hi->channelFillGraph()->data()->at(k)->value, asymB(s.kind, k, 1));
        QCOMPARE(hi->data()->at(k)->value, asymB(s.kind, k, 1) + 1.0);
        ++checked;
      } else if (s.kind == KVPlot::KChanVTok) {
        QCOMPARE(hi->data()->at(k)->value, 0.7 + k + 0.5);
        QCOMPARE(hi->channelFillGraph()->data()->at(k)->value, 0.7 + k);
        ++checked;
      }
    }
  }
  QCOMPARE(checked, 3 * 3 + 3);
  // A plain run: no band; the old band graphs are gone.
  v.setRuns({&s1});
  v.refreshNow();
  for (int i = 0; i < v.series().size(); ++i) QVERIFY(!v.bandGraph(i));
}

QTEST_MAIN(TestKVPlot)
#include "test_kv_plot.moc"
