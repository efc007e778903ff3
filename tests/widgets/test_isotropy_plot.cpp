// IsotropyPlot suite (offscreen): the isotropy view on 1..N runs with known values. One run: the
// mean over layers with the min-max band per matrix kind, kinds hidden by name, other metrics
// (update cosine, WeightWatcher's alpha). Several runs: each run's curve holds exactly its
// values, the chosen matrix kinds (the export's 2 runs * 2 kinds * 3 snapshots CSV rows), one
// layer, a run without the chosen layer listed as missing, a run added and removed, a live run
// growing while the other stays the same, colours per run and line styles per kind, the legend
// outside the axis rect.
#include <QImage>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "IsotropyPlot.h"
#include "RunModel.h"

#include "WidgetTestData.h"

using namespace ms;

namespace {

constexpr double kShiftB = 100.0;  // run B's eRank = run A's + 100

// A run like fillModel's; `shift` is added to every eRank; `layers` layers (copies of layer 1
// beyond the second, eRank + 0.5 per extra layer); `snapshots` snapshots.
void fillIsoRun(RunModel& m, const QString& name, double shift, int layers = kL,
                int snapshots = 3) {
  m.setDisplayName(name);
  RunInfo info = makeInfo();
  info.n_layer = layers;
  m.setInfo(info);
  for (int k = 0; k < snapshots; ++k) {
    Snapshot s = makeSnapshot(k);
    while (static_cast<int>(s.layers.size()) < layers) {
      LayerMetrics lm = s.layers.back();
      for (SpectrumMetrics& sm : lm.matrices) sm.erank += 0.5;
      s.layers.push_back(lm);
    }
    for (LayerMetrics& lm : s.layers)
      for (SpectrumMetrics& sm : lm.matrices) sm.erank += shift;
    m.appendSnapshot(s);
  }
}

int kindIndex(const QString& name) {
  for (int i = 0; i < static_cast<int>(kNames.size()); ++i)
    if (QString::fromStdString(kNames[i]) == name) return i;
  return -1;
}

}  // namespace

class TestIsotropyPlot : public QObject {
  Q_OBJECT
 private slots:
  void isotropyMeanAndBand();
  void twoRunsEachDrawsItsValues();
  void oneLayerAndMissingLayer();
  void runAddedAndRemoved();
  void liveRunGrows();
  void exportRowsAndLegendOutside();
  void seedGroupBand();
};

void TestIsotropyPlot::isotropyMeanAndBand() {
  RunModel m;
  fillModel(m);
  IsotropyPlot v(&m);
  v.refreshNow();
  QCOMPARE(v.matrices().size(), int(kNames.size()));  // every kind by default
  for (int mi = 0; mi < int(kNames.size()); ++mi) {
    const QString name = QString::fromStdString(kNames[mi]);
    QVERIFY(v.isMatrixVisible(name));
    const QVector<double> mean = valuesOf(v.meanGraph(name)), lo = valuesOf(v.minGraph(name)),
                          hi = valuesOf(v.maxGraph(name));
    QCOMPARE(mean.size(), 3);
    QCOMPARE(keysOf(v.meanGraph(name)), (QVector<double>{10, 20, 30}));
    for (int k = 0; k < 3; ++k) {
      QVERIFY(std::abs(mean[k] - 0.5 * (erank(k, 0, mi) + erank(k, 1, mi))) < 1e-12);
      QCOMPARE(lo[k], erank(k, 0, mi));
      QCOMPARE(hi[k], erank(k, 1, mi));
    }
    QCOMPARE(v.maxGraph(name)->channelFillGraph(), v.minGraph(name));
  }
  QVERIFY(v.meanGraph("attn.q")->pen().color() != v.meanGraph("attn.k")->pen().color());
  v.setMatrixVisible("attn.o", false);
  v.setMetric(IsotropyPlot::UpdateCosine);
  v.refreshNow();
  QVERIFY(!v.isMatrixVisible("attn.o"));
  QVERIFY(v.meanGraph("attn.o") == nullptr);
  const QVector<double> ua = valuesOf(v.meanGraph("attn.q"));
  QVERIFY(std::isnan(ua[0]));  // unknown before the first update
  QVERIFY(std::abs(ua[2] - 0.4) < 1e-12);
  const QStringList lines = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 1 + 3 * (int(kNames.size()) - 1));
  QCOMPARE(lines[0], QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
  QVERIFY(!v.csv().contains("W_O"));
  // WeightWatcher's alpha over time, per matrix kind.
  v.setMetric(IsotropyPlot::Alpha);
  v.refreshNow();
  const QVector<double> al = valuesOf(v.meanGraph("mlp.in"));
  for (int k = 0; k < 3; ++k)
    QVERIFY(std::abs(al[k] - 0.5 * (alpha(k, 0, 4) + alpha(k, 1, 4))) < 1e-12);
  // Shown again: back in the runs' order.
  v.setMatrixVisible("attn.o", true);
  QCOMPARE(v.matrices().size(), int(kNames.size()));
  QCOMPARE(v.matrices()[3], QString("attn.o"));
}

void TestIsotropyPlot::twoRunsEachDrawsItsValues() {
  RunModel a, b;
  fillIsoRun(a, "A", 0.0);
  fillIsoRun(b, "B", kShiftB);
  IsotropyPlot v({&a, &b});
  v.setMatrices({"vo", "mlp.out"});
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);
  QCOMPARE(v.series()[0].name, QString("W_VO (sum over heads)"));
  for (int i = 0; i < 4; ++i) {
    const CurveSeries& s = v.series()[i];
    const double shift = s.run == 0 ? 0.0 : kShiftB;
    const int mi = kindIndex(i % 2 == 0 ? "vo" : "mlp.out");
    QCOMPARE(s.run, i / 2);
    QCOMPARE(valuesOf(v.graph(i)).size(), 3);
    for (int k = 0; k < 3; ++k) {
      const double want = 0.5 * (erank(k, 0, mi) + erank(k, 1, mi)) + shift;
      QVERIFY(std::abs(valuesOf(v.graph(i))[k] - want) < 1e-9);
      QCOMPARE(s.y[k], valuesOf(v.graph(i))[k]);
    }
    QCOMPARE(v.graph(i)->pen().color(), v.runColor(s.run));
    QCOMPARE(v.graph(i)->pen().style(), CurveSeries::lineStyle(i % 2));
  }
  QVERIFY(v.minGraph("vo") == nullptr);  // no band with several runs
  QCOMPARE(v.meanGraph("mlp.out", 1), v.graph(3));
  QCOMPARE(v.graph(1)->name(), QString("A · W_out"));
  v.setXAxisMode(PlotBase::XTokens);
  v.refreshNow();
  QCOMPARE(keysOf(v.graph(2)), (QVector<double>{10 * 128, 20 * 128, 30 * 128}));
}

void TestIsotropyPlot::oneLayerAndMissingLayer() {
  RunModel a, b;
  fillIsoRun(a, "A", 0.0, 3);
  fillIsoRun(b, "B", kShiftB);  // 2 layers
  IsotropyPlot v({&a, &b});
  v.setMatrices({"vo"});
  v.setLayer(1);
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  for (int k = 0; k < 3; ++k) QCOMPARE(valuesOf(v.meanGraph("vo", 1))[k], erank(k, 1, 7) + kShiftB);
  v.setLayer(2);
  v.refreshNow();
  QCOMPARE(v.series().size(), 1);
  QCOMPARE(v.series()[0].run, 0);
  QCOMPARE(valuesOf(v.meanGraph("vo", 0))[2], erank(2, 1, 7) + 0.5);
  QCOMPARE(v.missing(), QStringList{"B: no layer 2"});
  // A kind no run has is listed per run, not drawn.
  v.setLayer(-1);
  v.setMatrices({"vo", "mlp.gate"});
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  QCOMPARE(v.missing().size(), 2);
  QVERIFY(v.missing()[0].startsWith("A: no W_gate"));
}

void TestIsotropyPlot::runAddedAndRemoved() {
  RunModel a, b, c;
  fillIsoRun(a, "A", 0.0);
  fillIsoRun(b, "B", kShiftB);
  fillIsoRun(c, "C", 2 * kShiftB, kL, 2);
  IsotropyPlot v({&a, &b});
  v.setMatrices({"vo"});
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  v.setRuns({&a, &b, &c});
  v.refreshNow();
  QCOMPARE(v.series().size(), 3);
  QCOMPARE(valuesOf(v.meanGraph("vo", 2)).size(), 2);
  QVERIFY(std::abs(valuesOf(v.meanGraph("vo", 2))[1] -
                   (0.5 * (erank(1, 0, 7) + erank(1, 1, 7)) + 2 * kShiftB)) < 1e-9);
  v.setRuns({&a, &c});
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  QCOMPARE(v.plot()->graphCount(), 2);
  QVERIFY(v.meanGraph("vo", 2) == nullptr);
  QCOMPARE(valuesOf(v.meanGraph("vo", 1)).size(), 2);
}

void TestIsotropyPlot::liveRunGrows() {
  RunModel a, live;
  fillIsoRun(a, "A", 0.0);
  fillIsoRun(live, "live", kShiftB, kL, 1);
  IsotropyPlot v({&a, &live});
  v.setMatrices({"vo"});
  v.refreshNow();
  const QVector<double> before = valuesOf(v.meanGraph("vo", 0));
  QCOMPARE(valuesOf(v.meanGraph("vo", 1)).size(), 1);
  Snapshot s = makeSnapshot(1);
  for (LayerMetrics& lm : s.layers)
    for (SpectrumMetrics& sm : lm.matrices) sm.erank += kShiftB;
  live.appendSnapshot(s);
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(keysOf(v.meanGraph("vo", 1)), (QVector<double>{10, 20}));
  QVERIFY(std::abs(valuesOf(v.meanGraph("vo", 1))[1] -
                   (0.5 * (erank(1, 0, 7) + erank(1, 1, 7)) + kShiftB)) < 1e-9);
  QCOMPARE(valuesOf(v.meanGraph("vo", 0)), before);
}

void TestIsotropyPlot::exportRowsAndLegendOutside() {
  RunModel a, b;
  fillIsoRun(a, "A", 0.0);
  fillIsoRun(b, "B", kShiftB);
  IsotropyPlot v({&a, &b});
  v.setMatrices({"vo", "mlp.out"});
  showView(v);
  QTemporaryDir dir;
  v.exportCsv(dir.filePath("iso.csv"));
  QString header;
  QCOMPARE(csvRows(dir.filePath("iso.csv"), &header), 2 * 2 * 3);
  for (const QString& l : v.csv().split('\n', Qt::SkipEmptyParts)) QCOMPARE(l.split(',').size(), 9);
  QTemporaryDir pngDir;
  const QString png = pngDir.filePath("view.png");
  v.exportImage(png, 800, 500, 96);
  const QImage img(png);
  QCOMPARE(img.size(), QSize(800, 500));
  QSet<QRgb> colours;
  for (int y = 0; y < img.height() && colours.size() < 4; y += 5)
    for (int x = 0; x < img.width(); x += 5) colours.insert(img.pixel(x, y));
  QVERIFY(colours.size() >= 4);  // not a blank canvas
  QCPLegend* legend = v.plot()->legend;
  QCOMPARE(legend->itemCount(), 4);
  QVERIFY(!v.plot()->axisRect()->rect().intersects(legend->outerRect()));
}

// A seed group: the band over its members' eRank curves (the mean over layers per member), not
// over layers; min-max of the three seeds (shifts 0, 7, 3) at each snapshot.
void TestIsotropyPlot::seedGroupBand() {
  RunModel a, b, c, mean;
  fillIsoRun(a, "seed 1", 0.0);
  fillIsoRun(b, "seed 2", 7.0);
  fillIsoRun(c, "seed 3", 3.0);
  fillIsoRun(mean, "AdamW (3 seeds)", 10.0 / 3.0);
  IsotropyPlot v(QVector<RunModel*>{});
  v.setRuns({&mean}, {0}, {{&a, &b, &c}});
  v.setMatrices({QStringLiteral("vo")});
  v.refreshNow();
  QCPGraph* hi = v.maxGraph(QStringLiteral("vo"));
  QCPGraph* lo = v.minGraph(QStringLiteral("vo"));
  QVERIFY(hi && lo);
  QCOMPARE(hi->channelFillGraph(), lo);
  QCOMPARE(hi->data()->size(), 3);
  const int vo = kindIndex(QStringLiteral("vo"));
  for (int k = 0; k < 3; ++k) {
    const Snapshot s = makeSnapshot(k);
    const double base = (s.layers[0].matrices[vo].erank + s.layers[1].matrices[vo].erank) / 2;
    QVERIFY(std::abs(hi->data()->at(k)->value - (base + 7.0)) < 1e-9);
    QVERIFY(std::abs(lo->data()->at(k)->value - base) < 1e-9);
  }
  QVERIFY(v.plot()->plottableCount() == 3);  // the band's two graphs and the mean's curve
}

QTEST_MAIN(TestIsotropyPlot)
#include "test_isotropy_plot.moc"
