// FTAPlot suite (offscreen): the first-token accuracy view on 1..N runs with known values. One
// run: a curve and a bar per group (coloured head to tail), the message of a run without FTA.
// Several runs: each run's curves hold exactly its values (head and tail, mean, one group), the
// bars at the snapshot nearest to the chosen step, a run without FTA listed as missing, a run
// added and removed, a live run growing while the other stays the same, and the long-format CSV
// (2 runs * head and tail * 3 snapshots rows).
#include <QImage>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "FTAPlot.h"
#include "RunModel.h"
#include "SeedBand.h"

#include "WidgetTestData.h"

using namespace ms;

namespace {

// Run B's FTA: run A's (makeSnapshot) + 0.01 * (g + 1), so every value differs.
Snapshot ftaSnapshot(int k, double shift) {
  Snapshot s = makeSnapshot(k);
  for (size_t g = 0; g < s.fta.size(); ++g) s.fta[g] += shift * double(g + 1);
  return s;
}
void fillFtaRun(RunModel& m, const QString& name, double shift, int snapshots = 3) {
  m.setDisplayName(name);
  m.setInfo(makeInfo());
  for (int k = 0; k < snapshots; ++k) m.appendSnapshot(ftaSnapshot(k, shift));
}
double ftaOf(int k, int g, double shift) {
  return makeSnapshot(k).fta[g] + shift * (g + 1);
}
double barValue(const QCPBars* b) {
  return b->data()->constBegin()->value;
}

}  // namespace

class TestFTAPlot : public QObject {
  Q_OBJECT
 private slots:
  void ftaPlotGroupsAndEmpty();
  void twoRunsHeadTailAndCsv();
  void meanAndOneGroup();
  void barsFollowTheStep();
  void runWithoutFtaIsMissing();
  void runAddedAndRemoved();
  void liveRunGrows();
  void seedGroupBand();
};

void TestFTAPlot::ftaPlotGroupsAndEmpty() {
  RunModel m;
  fillModel(m);
  FTAPlot v(&m);
  v.refreshNow();
  QVERIFY(v.hasData());
  QCOMPARE(v.groupCount(), 3);
  QCOMPARE(v.ftaChoice(), int(FTAPlot::FtaAll));
  for (int g = 0; g < 3; ++g) {
    QCOMPARE(keysOf(v.groupGraph(g)), (QVector<double>{10, 20, 30}));
    for (int k = 0; k < 3; ++k) QCOMPARE(valuesOf(v.groupGraph(g))[k], m.snapshots()[k].fta[g]);
    QCOMPARE(v.groupBars(g)->data()->size(), 1);
    QCOMPARE(barValue(v.groupBars(g)), m.snapshots()[2].fta[g]);
    QCOMPARE(v.groupGraph(g)->pen().color(), v.groupColor(g, 3));
  }
  QVERIFY(v.groupColor(0, 3) != v.groupColor(2, 3));
  QCOMPARE(v.csv().split('\n', Qt::SkipEmptyParts).size(), 1 + 3 * 3);

  RunModel none;
  RunInfo info = makeInfo();
  info.fta_groups = 0;
  none.setInfo(info);
  Snapshot s = makeSnapshot(0);
  s.fta.clear();
  none.appendSnapshot(s);
  FTAPlot e(&none);
  e.show();
  e.refreshNow();
  QVERIFY(!e.hasData());
  QVERIFY(!e.plot()->isVisible());  // message shown instead
}

void TestFTAPlot::twoRunsHeadTailAndCsv() {
  RunModel a, b;
  fillFtaRun(a, "A", 0.0);
  fillFtaRun(b, "B", 0.01);
  FTAPlot v({&a, &b});
  v.setFtaChoice(FTAPlot::FtaHeadTail);
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);  // tail and head per run
  for (int r = 0; r < 2; ++r) {
    const double shift = r == 0 ? 0.0 : 0.01;
    QCOMPARE(v.series()[2 * r].name, QString("tail g=2"));
    for (int k = 0; k < 3; ++k) {
      QVERIFY(std::abs(valuesOf(v.graph(2 * r))[k] - ftaOf(k, 2, shift)) < 1e-12);
      QVERIFY(std::abs(valuesOf(v.graph(2 * r + 1))[k] - ftaOf(k, 0, shift)) < 1e-12);
    }
    QCOMPARE(v.groupGraph(2, r), v.graph(2 * r));
    QCOMPARE(v.graph(2 * r)->pen().color(), v.runColor(r));
    QCOMPARE(v.graph(2 * r + 1)->pen().color(), v.runColor(r));
    QCOMPARE(v.graph(2 * r + 1)->pen().style(), CurveSeries::lineStyle(1));
    // Bars: every group of every run at its latest snapshot, side by side.
    for (int g = 0; g < 3; ++g)
      QVERIFY(std::abs(barValue(v.groupBars(g, r)) - ftaOf(2, g, shift)) < 1e-12);
  }
  QVERIFY(v.groupBars(1, 0)->data()->constBegin()->key <
          v.groupBars(1, 1)->data()->constBegin()->key);
  QTemporaryDir dir;
  v.exportCsv(dir.filePath("fta.csv"));
  QString header;
  QCOMPARE(csvRows(dir.filePath("fta.csv"), &header), 2 * 2 * 3);
  QCOMPARE(header, QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
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
  // The legend is outside both panels.
  showView(v);
  QVERIFY(!v.timeRect()->rect().intersects(v.plot()->legend->outerRect()));
  QVERIFY(!v.barRect()->rect().intersects(v.plot()->legend->outerRect()));
}

void TestFTAPlot::meanAndOneGroup() {
  RunModel a, b;
  fillFtaRun(a, "A", 0.0);
  fillFtaRun(b, "B", 0.01);
  FTAPlot v({&a, &b});
  v.setFtaChoice(FTAPlot::FtaMean);
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  for (int k = 0; k < 3; ++k) {
    const double want = (ftaOf(k, 0, 0.01) + ftaOf(k, 1, 0.01) + ftaOf(k, 2, 0.01)) / 3;
    QVERIFY(std::abs(valuesOf(v.graph(1))[k] - want) < 1e-12);
  }
  v.setFtaChoice(1);
  v.setXAxisMode(PlotBase::XWallTime);
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  QCOMPARE(valuesOf(v.groupGraph(1, 1))[2], ftaOf(2, 1, 0.01));
  QCOMPARE(keysOf(v.groupGraph(1, 0)), (QVector<double>{1.5, 3.0, 4.5}));
  v.setFtaChoice(FTAPlot::FtaAll);
  v.refreshNow();
  QCOMPARE(v.series().size(), 6);
  QCOMPARE(v.groupGraph(2, 1)->pen().style(), CurveSeries::lineStyle(2));
}

void TestFTAPlot::barsFollowTheStep() {
  RunModel a, b;
  fillFtaRun(a, "A", 0.0);
  fillFtaRun(b, "B", 0.01);
  FTAPlot v({&a, &b});
  QSignalSpy spy(&v, &FTAPlot::stepChanged);
  v.refreshNow();
  QCOMPARE(v.step(), -1);
  QCOMPARE(v.barSnapshotIndex(1), 2);
  v.setStep(12);  // nearest snapshot: step 10
  QCOMPARE(spy.count(), 1);
  v.refreshNow();
  QCOMPARE(v.barSnapshotIndex(0), 0);
  QCOMPARE(v.barSnapshotIndex(1), 0);
  QCOMPARE(barValue(v.groupBars(2, 1)), ftaOf(0, 2, 0.01));
  QCOMPARE(v.barRect()->axis(QCPAxis::atLeft)->label(), QString("FTA at step 10"));
  v.setStepControlVisible(false);
  v.setStep(-1);
  v.refreshNow();
  QCOMPARE(v.barSnapshotIndex(0), 2);
}

void TestFTAPlot::runWithoutFtaIsMissing() {
  RunModel a, none, none2;
  fillFtaRun(a, "A", 0.0);
  none.setDisplayName("D");
  RunInfo info = makeInfo();
  info.fta_groups = 0;
  none.setInfo(info);
  Snapshot s = makeSnapshot(0);
  s.fta.clear();
  none.appendSnapshot(s);
  FTAPlot v({&none, &a});
  v.setFtaChoice(FTAPlot::FtaHeadTail);
  v.refreshNow();
  QCOMPARE(v.missing(), QStringList{"D: no tail-QA data (no FTA)"});
  for (const CurveSeries& c : v.series()) QCOMPARE(c.run, 1);
  QVERIFY(v.groupBars(0, 0) == nullptr);
  // No run has FTA: the view says why instead of drawing.
  none2.setInfo(info);
  none2.appendSnapshot(s);
  FTAPlot e({&none, &none2});
  e.show();
  e.refreshNow();
  QVERIFY(!e.hasData());
  QVERIFY(!e.plot()->isVisible());
}

void TestFTAPlot::runAddedAndRemoved() {
  RunModel a, b, c;
  fillFtaRun(a, "A", 0.0);
  fillFtaRun(b, "B", 0.01);
  fillFtaRun(c, "C", 0.02, 2);
  FTAPlot v({&a, &b});
  v.setFtaChoice(FTAPlot::FtaHeadTail);
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);
  v.setRuns({&a, &b, &c});
  v.refreshNow();
  QCOMPARE(v.series().size(), 6);
  QCOMPARE(valuesOf(v.groupGraph(2, 2)), (QVector<double>{ftaOf(0, 2, 0.02), ftaOf(1, 2, 0.02)}));
  QCOMPARE(barValue(v.groupBars(0, 2)), ftaOf(1, 0, 0.02));
  v.setRuns({&c});
  v.refreshNow();
  QCOMPARE(v.series().size(), 2);
  QVERIFY(v.groupGraph(2, 1) == nullptr);
  QCOMPARE(valuesOf(v.groupGraph(0, 0)), (QVector<double>{ftaOf(0, 0, 0.02), ftaOf(1, 0, 0.02)}));
}

void TestFTAPlot::liveRunGrows() {
  RunModel a, live;
  fillFtaRun(a, "A", 0.0);
  fillFtaRun(live, "live", 0.01, 1);
  FTAPlot v({&a, &live});
  v.refreshNow();
  const QVector<double> before = valuesOf(v.groupGraph(1, 0));
  QCOMPARE(valuesOf(v.groupGraph(1, 1)).size(), 1);
  live.appendSnapshot(ftaSnapshot(1, 0.01));
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(valuesOf(v.groupGraph(1, 1)), (QVector<double>{ftaOf(0, 1, 0.01), ftaOf(1, 1, 0.01)}));
  QCOMPARE(valuesOf(v.groupGraph(1, 0)), before);
  QCOMPARE(v.barSnapshotIndex(1), 1);  // the live run's bars follow its latest snapshot
  QCOMPARE(barValue(v.groupBars(1, 1)), ftaOf(1, 1, 0.01));
}

// A seed group: each FTA series of the mean run gets the band over its members' values.
void TestFTAPlot::seedGroupBand() {
  RunModel a, b, mean, plain;
  fillFtaRun(a, "seed 1", 0.0);
  fillFtaRun(b, "seed 2", 0.02);
  fillFtaRun(mean, "group", 0.01);
  fillFtaRun(plain, "plain", 0.05);
  FTAPlot v(QVector<RunModel*>{});
  v.setRuns({&mean, &plain}, {0, 1}, {{&a, &b}, {}});
  v.setFtaChoice(FTAPlot::FtaHeadTail);
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);  // head and tail of each run
  const int groups = static_cast<int>(makeSnapshot(0).fta.size());
  for (int i = 0; i < 2; ++i) {  // the group's tail (g = groups - 1), then its head (g = 0)
    const int g = i == 0 ? groups - 1 : 0;
    QCPGraph* hi = v.bandGraph(i);
    QVERIFY(hi && hi->channelFillGraph());
    QCOMPARE(hi->data()->size(), 3);
    for (int k = 0; k < 3; ++k) {
      QCOMPARE(hi->data()->at(k)->value, ftaOf(k, g, 0.02));
      QCOMPARE(hi->channelFillGraph()->data()->at(k)->value, ftaOf(k, g, 0.0));
    }
  }
  QVERIFY(!v.bandGraph(2) && !v.bandGraph(3));  // the plain run has none
}

QTEST_MAIN(TestFTAPlot)
#include "test_fta_plot.moc"
