// LossPlot suite (offscreen): the loss view on 1..N runs with known values. One run: the raw and
// smoothed train curves and the validation points are exactly the run's rows on every x axis,
// the debiased EMA against hand values and the closed form, the hover read-out, a run of
// validation rows only. Several runs: each run's curves hold exactly its rows (aligned by tokens
// for runs of different batch sizes), a run added and removed with setRuns, a live run growing
// (extended in place) beside a run that stays the same, the hover read-out naming every run, and
// the long-format CSV (2 * (60 + 6) rows for two runs of 60 steps and 6 validation rows), a run
// deleted while shown, 1000 live steps drawn with one rebuild, box zoom and double-click reset.
#include <QPointer>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>
#include <random>

#include <qcustomplot.h>

#include "LossPlot.h"
#include "RunModel.h"
#include "SeedBand.h"

#include "WidgetTestData.h"

using namespace ms;

namespace {

// A run as the comparison runs: 60 steps, a validation row every 10 steps, tokens = step *
// batch * 32, wall time 0.01 * step * (id + 1); every loss a closed form of (id, step).
double trainLossOf(int id, int64_t step) {
  return 4.0 + 0.1 * id + 2.0 * std::exp(-double(step) / 20.0);
}
double valLossOf(int id, int j) {
  return 3.0 + 0.1 * id - 0.01 * j;
}
StepRecord stepOf(int id, int batch, int64_t step) {
  StepRecord r;
  r.step = step;
  r.loss = trainLossOf(id, step);
  r.tokens = step * batch * 32;
  r.wall_s = 0.01 * double(step) * (id + 1);
  return r;
}
void fillRun(RunModel& m, int id, int batch, const QString& name, int steps = 60) {
  m.setDisplayName(name);
  std::vector<StepRecord> rows;
  for (int s = 1; s <= steps; ++s) rows.push_back(stepOf(id, batch, s));
  m.appendSteps(rows);
  for (int j = 0; j < steps / 10; ++j) {
    const int64_t s = 10 * (j + 1);
    m.appendVal({s, s * batch * 32, 0.01 * double(s) * (id + 1), valLossOf(id, j)});
  }
}

void hoverAt(LossPlot& v, double x) {
  const int px = qRound(v.plot()->xAxis->coordToPixel(x));
  const QPoint at(px, v.plot()->axisRect()->rect().center().y());
  QMouseEvent move(QEvent::MouseMove, at, v.plot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                   Qt::NoModifier);
  QApplication::sendEvent(v.plot(), &move);
}

}  // namespace

class TestLossPlot : public QObject {
  Q_OBJECT
 private slots:
  void lossPlotDataAndSmoothing();
  void emaDebiasedReference();
  void lossHoverShowsValues();
  void lossWithValidationOnly();
  void twoRunsEachDrawsItsRows();
  void tokenAlignment();
  void runAddedAndRemoved();
  void liveRunGrows();
  void hoverNamesEveryRun();
  void csvLongFormat();
  void rawToggleAndLegendOutside();
  void replotsAreCoalesced();
  void boxZoomAndDoubleClickReset();
  void seedGroupBand();
};

void TestLossPlot::lossPlotDataAndSmoothing() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  v.setSmoothing(0.9);
  v.refreshNow();
  QCOMPARE(v.trainGraph()->data()->size(), kSteps);
  QCOMPARE(v.smoothedGraph()->data()->size(), kSteps);
  QCOMPARE(v.valGraph()->data()->size(), 2);
  QCOMPARE(valuesOf(v.trainGraph())[9], m.steps()[9].loss);
  QCOMPARE(keysOf(v.trainGraph())[9], 10.0);
  // The smoothed graph is the debiased EMA; its first point is the first loss.
  const QVector<double> sm = valuesOf(v.smoothedGraph());
  QCOMPARE(sm[0], m.steps()[0].loss);
  std::vector<double> loss;
  for (const auto& s : m.steps()) loss.push_back(s.loss);
  const auto ref = LossPlot::emaDebiased(loss, 0.9);
  for (int i = 0; i < kSteps; ++i) QCOMPARE(sm[i], ref[i]);
  // x axis by tokens and by wall time.
  v.setXAxisMode(PlotBase::XTokens);
  v.refreshNow();
  QCOMPARE(keysOf(v.trainGraph())[9], double(m.steps()[9].tokens));
  QCOMPARE(keysOf(v.valGraph())[1], double(50 * 128));
  QCOMPARE(v.plot()->xAxis->label(), PlotBase::xLabel(PlotBase::XTokens));
  v.setXAxisMode(PlotBase::XWallTime);
  v.refreshNow();
  QCOMPARE(keysOf(v.trainGraph())[9], m.steps()[9].wall_s);
  v.setLogY(true);
  v.refreshNow();
  QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
  QVERIFY(v.plot()->yAxis->range().contains(loss.front()));
  QVERIFY(v.plot()->yAxis->range().contains(loss.back()));

  // Constant series stays constant after smoothing.
  RunModel c;
  std::vector<StepRecord> steps;
  for (int i = 1; i <= 30; ++i) {
    StepRecord r = makeStep(i);
    r.loss = 2.5;
    steps.push_back(r);
  }
  c.appendSteps(steps);
  LossPlot cv(&c);
  cv.setSmoothing(0.99);
  cv.refreshNow();
  for (double y : valuesOf(cv.smoothedGraph())) QVERIFY(std::abs(y - 2.5) < 1e-12);
}

void TestLossPlot::emaDebiasedReference() {
  // Hand values: x = (1, 2), b = 0.5: s1 = 0.5 -> 0.5 / 0.5 = 1; s2 = 0.25 + 1 = 1.25 -> 1.25 /
  // 0.75.
  auto h = LossPlot::emaDebiased({1.0, 2.0}, 0.5);
  QCOMPARE(h[0], 1.0);
  QVERIFY(std::abs(h[1] - 5.0 / 3.0) < 1e-15);
  // Constant stays constant for any b; first point equals x_1.
  for (double b : {0.0, 0.3, 0.9, 0.999}) {
    auto c = LossPlot::emaDebiased(std::vector<double>(200, 3.25), b);
    for (double y : c) QVERIFY(std::abs(y - 3.25) < 1e-9);
  }
  // Against the closed form sum_j b^(t-j) (1-b) x_j / (1 - b^t) on a random series.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 10.0);
  std::vector<double> x(60);
  for (double& xi : x) xi = u(rng);
  const double b = 0.8;
  auto e = LossPlot::emaDebiased(x, b);
  QCOMPARE(e[0], x[0]);
  for (int t = 1; t <= 60; ++t) {
    double num = 0;
    for (int j = 1; j <= t; ++j) num += std::pow(b, t - j) * (1 - b) * x[j - 1];
    QVERIFY(std::abs(e[t - 1] - num / (1 - std::pow(b, t))) < 1e-12);
  }
  // NaN inputs are skipped and do not advance t.
  auto n = LossPlot::emaDebiased({kNaN, 4.0, kNaN, 4.0}, 0.7);
  QVERIFY(std::isnan(n[0]) && std::isnan(n[2]));
  QCOMPARE(n[1], 4.0);
  QVERIFY(std::abs(n[3] - 4.0) < 1e-12);
}

void TestLossPlot::lossHoverShowsValues() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  v.setSmoothing(0.0);  // smoothed == raw, so the read-out is easy to predict
  showView(v);
  QCOMPARE(v.hoverText(), QString());
  hoverAt(v, 20.2);  // nearest step: 20
  const QString text = v.hoverText();
  QVERIFY2(text.contains("step 20"), qPrintable(text));
  QVERIFY2(text.contains(QString::number(m.steps()[19].loss, 'g', 5)), qPrintable(text));
  QVERIFY2(text.contains("val 4.25"), qPrintable(text));  // nearest validation point: step 25
  const QPoint out(1, 1);
  QMouseEvent leave(QEvent::MouseMove, out, v.plot()->mapToGlobal(out), Qt::NoButton, Qt::NoButton,
                    Qt::NoModifier);
  QApplication::sendEvent(v.plot(), &leave);
  QCOMPARE(v.hoverText(), QString());
}

// A run with validation rows and no training steps (checkpoints inspected into a run file: one
// probe loss per checkpoint): the points are drawn, the legend lists only them, the axes span
// them, and the hover read-out names the nearest one.
void TestLossPlot::lossWithValidationOnly() {
  RunModel m;
  m.appendVals({{100, 0, 1.0, 4.5}, {200, 0, 2.0, 3.5}, {300, 0, 3.0, 3.0}});
  LossPlot v(&m);
  showView(v);
  QCOMPARE(v.valGraph()->data()->size(), 3);
  QCOMPARE(v.trainGraph()->data()->size(), 0);
  QCPLegend* legend = v.plot()->legend;
  QVERIFY(legend->hasItemWithPlottable(v.valGraph()));
  QVERIFY(!legend->hasItemWithPlottable(v.trainGraph()));
  QVERIFY(!legend->hasItemWithPlottable(v.smoothedGraph()));
  QVERIFY(v.plot()->xAxis->range().contains(100) && v.plot()->xAxis->range().contains(300));
  QVERIFY(v.plot()->yAxis->range().contains(3.0) && v.plot()->yAxis->range().contains(4.5));
  hoverAt(v, 190);
  const QString text = v.hoverText();
  QVERIFY2(text.contains("step 200"), qPrintable(text));
  QVERIFY2(text.contains("val 3.5"), qPrintable(text));
  QVERIFY2(!text.contains("train"), qPrintable(text));
  QCOMPARE(v.series().size(), 1);
  QCOMPARE(v.series()[0].name, QString("val"));
  // Training steps arriving later bring the train curves back into the legend.
  m.appendStep(makeStep(1));
  v.refreshNow();
  QVERIFY(legend->hasItemWithPlottable(v.trainGraph()));
  QVERIFY(legend->hasItemWithPlottable(v.smoothedGraph()));
}

// Two runs: each run's graphs hold exactly its own rows, in its own colour.
void TestLossPlot::twoRunsEachDrawsItsRows() {
  RunModel a, b;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  LossPlot v({&a, &b});
  v.setSmoothing(0.0);
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);  // train + val per run
  for (int r = 0; r < 2; ++r) {
    RunModel& m = r == 0 ? a : b;
    QCOMPARE(v.trainGraph(r)->dataCount(), 60);
    QCOMPARE(v.valGraph(r)->dataCount(), 6);
    for (int i = 0; i < 60; ++i) {
      QCOMPARE(valuesOf(v.trainGraph(r))[i], trainLossOf(r, i + 1));
      QCOMPARE(valuesOf(v.smoothedGraph(r))[i], trainLossOf(r, i + 1));  // b = 0
      QCOMPARE(keysOf(v.trainGraph(r))[i], double(i + 1));
    }
    for (int j = 0; j < 6; ++j) QCOMPARE(valuesOf(v.valGraph(r))[j], m.vals()[j].loss);
    QCOMPARE(v.smoothedGraph(r)->pen().color(), v.runColor(r));
    QCOMPARE(v.valGraph(r)->pen().color(), v.runColor(r));
    QCOMPARE(v.valGraph(r)->pen().style(), Qt::DashLine);
  }
  QVERIFY(v.runColor(0) != v.runColor(1));
  QCOMPARE(v.graph(0), v.smoothedGraph(0));
  QCOMPARE(v.graph(3), v.valGraph(1));
  QCOMPARE(v.graph(0)->name(), QString("A · train"));
  QVERIFY(v.trainGraph(2) == nullptr);
}

// Runs with different batch sizes line up by tokens (step 30 of A and 60 of B have seen the
// same tokens); smoothing applies to every run's training loss.
void TestLossPlot::tokenAlignment() {
  RunModel a, b;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  LossPlot v({&a, &b});
  v.setSmoothing(0.0);
  v.setXAxisMode(PlotBase::XTokens);
  v.refreshNow();
  for (int i = 0; i < v.series().size(); ++i) {
    const CurveSeries& s = v.series()[i];
    const int batch = s.run == 0 ? 16 : 8;
    const QCPGraph* g = v.graph(i);
    QCOMPARE(g->dataCount(), s.size());
    for (int k = 0; k < s.size(); ++k) {
      const double tokens = double(s.step[k]) * batch * 32;
      QCOMPARE(s.x[k], tokens);
      QCOMPARE((g->data()->constBegin() + k)->key, tokens);
    }
  }
  const CurveSeries& ta = v.series()[0];
  const CurveSeries& tb = v.series()[2];
  QCOMPARE(ta.name, QString("train"));
  QCOMPARE(tb.run, 1);
  QCOMPARE(ta.x[29], 15360.0);
  QCOMPARE(tb.x[59], 15360.0);
  QCOMPARE(ta.y[29], trainLossOf(0, 30));
  v.setXAxisMode(PlotBase::XStep);
  v.refreshNow();
  QCOMPARE(v.series()[0].x[29], 30.0);
  QCOMPARE(v.series()[2].x[59], 60.0);
  v.setXAxisMode(PlotBase::XWallTime);
  v.refreshNow();
  QVERIFY(std::abs(v.series()[2].x[59] - 0.01 * 60 * 2) < 1e-12);
  v.setSmoothing(0.5);
  v.refreshNow();
  for (int i : {0, 2}) {
    const CurveSeries& s = v.series()[i];
    QCOMPARE(s.smoothed[0], s.y[0]);
    const double ema2 = (0.5 * 0.5 * s.y[0] + 0.5 * s.y[1]) / (1 - 0.25);
    QVERIFY(std::abs(s.smoothed[1] - ema2) < 1e-12);
    QCOMPARE(valuesOf(v.graph(i))[1], s.smoothed[1]);
  }
  v.setLogY(true);
  QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
}

void TestLossPlot::runAddedAndRemoved() {
  RunModel a, b, c;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  fillRun(c, 2, 8, "C", 30);
  LossPlot v({&a, &b});
  QSignalSpy changed(&v, &PlotBase::runsChanged);
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);
  v.setRuns({&a, &b, &c}, {0, 1, 5});
  v.refreshNow();
  QCOMPARE(changed.count(), 1);
  QCOMPARE(v.series().size(), 6);
  QCOMPARE(v.trainGraph(2)->dataCount(), 30);
  QCOMPARE(valuesOf(v.trainGraph(2))[4], trainLossOf(2, 5));
  QCOMPARE(v.smoothedGraph(2)->pen().color(), v.runColor(2));
  QCOMPARE(v.runColor(2), v.runColor(2));
  QCOMPARE(v.plot()->graphCount(), 3 * 3 + 3 + 2);  // 3 curves per run, legend entries
  // Removing A: B becomes run 0 and keeps its rows; C is run 1.
  v.setRuns({&b, &c}, {1, 5});
  v.refreshNow();
  QCOMPARE(v.series().size(), 4);
  QCOMPARE(v.plot()->graphCount(), 2 * 3 + 2 + 2);
  QCOMPARE(valuesOf(v.trainGraph(0))[0], trainLossOf(1, 1));
  QCOMPARE(v.trainGraph(1)->dataCount(), 30);
  QVERIFY(v.trainGraph(2) == nullptr);
  QVERIFY(v.csv().count("\n") == 1 + 66 + 33);
  // A run deleted while shown is skipped; the other run keeps its rows.
  auto* gone = new RunModel;
  fillRun(*gone, 3, 8, "gone", 10);
  v.setRuns({gone, &b});
  v.refreshNow();
  QCOMPARE(v.trainGraph(0)->dataCount(), 10);
  delete gone;
  v.refreshNow();
  QVERIFY(v.trainGraph(0) == nullptr);
  QCOMPARE(v.series().size(), 2);
  QCOMPARE(v.series()[0].run, 1);
  QCOMPARE(valuesOf(v.trainGraph(1))[0], trainLossOf(1, 1));
}

// A live run gets steps after the first draw: its curves grow by exactly the new rows (the EMA
// continued as if computed at once), the other run's curves stay the same.
void TestLossPlot::liveRunGrows() {
  RunModel a, live;
  fillRun(a, 0, 16, "A");
  live.setDisplayName("live");
  for (int s = 1; s <= 20; ++s) live.appendStep(stepOf(1, 8, s));
  LossPlot v({&a, &live});
  v.setSmoothing(0.7);
  v.refreshNow();
  QCOMPARE(v.trainGraph(1)->dataCount(), 20);
  const QVector<double> before = valuesOf(v.smoothedGraph(0));
  const QPointer<QCPGraph> aGraph = v.smoothedGraph(0);  // null once deleted
  for (int s = 21; s <= 45; ++s) live.appendStep(stepOf(1, 8, s));
  live.appendVal({40, 40 * 8 * 32, 0.8, 3.25});
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(v.trainGraph(1)->dataCount(), 45);
  QCOMPARE(v.valGraph(1)->dataCount(), 1);
  QCOMPARE(valuesOf(v.valGraph(1))[0], 3.25);
  QVERIFY(aGraph);  // extended in place, not rebuilt
  QCOMPARE(v.smoothedGraph(0), aGraph.data());
  QCOMPARE(valuesOf(v.smoothedGraph(0)), before);
  std::vector<double> loss;
  for (const auto& s : live.steps()) loss.push_back(s.loss);
  const auto ref = LossPlot::emaDebiased(loss, 0.7);
  const QVector<double> sm = valuesOf(v.smoothedGraph(1));
  for (int i = 0; i < 45; ++i) QCOMPARE(sm[i], ref[i]);
  QCOMPARE(keysOf(v.trainGraph(1)).back(), 45.0);
  QCOMPARE(v.series()[2].size(), 45);
  // A cleared and refilled run is drawn from scratch.
  live.clear();
  for (int s = 1; s <= 5; ++s) live.appendStep(stepOf(1, 8, s));
  v.refreshNow();
  QCOMPARE(v.trainGraph(1)->dataCount(), 5);
  QCOMPARE(valuesOf(v.smoothedGraph(1))[0], trainLossOf(1, 1));
}

void TestLossPlot::hoverNamesEveryRun() {
  RunModel a, b;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  LossPlot v({&a, &b});
  v.setSmoothing(0.0);
  showView(v);
  hoverAt(v, 20.2);
  const QString text = v.hoverText();
  QVERIFY2(text.contains("step 20"), qPrintable(text));
  QVERIFY2(text.contains("A: train " + QString::number(trainLossOf(0, 20), 'g', 5)),
           qPrintable(text));
  QVERIFY2(text.contains("B: train " + QString::number(trainLossOf(1, 20), 'g', 5)),
           qPrintable(text));
  QVERIFY2(text.contains(QString("val %1").arg(valLossOf(1, 1), 0, 'g', 5)), qPrintable(text));
}

void TestLossPlot::csvLongFormat() {
  RunModel a, b;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  LossPlot v({&a, &b});
  v.setSmoothing(0.5);
  QTemporaryDir dir;
  const QString path = dir.filePath("loss.csv");
  v.exportCsv(path);
  QString header;
  QCOMPARE(csvRows(path, &header), 2 * (60 + 6));
  QCOMPARE(header, QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
  const QStringList lines = v.csv().split('\n', Qt::SkipEmptyParts);
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 9);
  const QStringList row = lines[1 + 66 + 9].split(',');  // run 1, train row 9 (step 10)
  QCOMPARE(row[0], QString("1"));
  QCOMPARE(row[1], QString("B"));
  QCOMPARE(row[2], QString("train"));
  QCOMPARE(row[3].toLongLong(), 10);
  QCOMPARE(row[4].toLongLong(), 10LL * 8 * 32);
  QVERIFY(std::abs(row[7].toDouble() - trainLossOf(1, 10)) < 1e-9);
  const QStringList val = lines[1 + 60].split(',');  // run 0, first validation row
  QCOMPARE(val[2], QString("val"));
  QCOMPARE(val[3].toLongLong(), 10);
  QVERIFY(std::abs(val[7].toDouble() - valLossOf(0, 0)) < 1e-9);
  QCOMPARE(val[8], val[7]);
}

// "Raw" shows or hides the faded raw curve (its data stays); the legend is laid out under the
// plot, outside the axis rect.
void TestLossPlot::rawToggleAndLegendOutside() {
  RunModel a, b;
  fillRun(a, 0, 16, "A");
  fillRun(b, 1, 8, "B");
  LossPlot v({&a, &b});
  showView(v);
  QVERIFY(v.showRaw());
  QVERIFY(v.trainGraph(1)->visible());
  QVERIFY(v.trainGraph(1)->pen().color().alpha() < 255);
  v.setShowRaw(false);
  v.refreshNow();
  QVERIFY(!v.trainGraph(0)->visible() && !v.trainGraph(1)->visible());
  QCOMPARE(v.trainGraph(1)->dataCount(), 60);
  QCPLegend* legend = v.plot()->legend;
  QVERIFY(legend->visible());
  // Several runs: an entry per run and one per line style (a wrapped legend has empty cells).
  QStringList entries;
  for (int i = 0; i < legend->itemCount(); ++i)
    if (auto* it = qobject_cast<QCPPlottableLegendItem*>(legend->item(i)))
      entries << it->plottable()->name();
  QCOMPARE(entries, (QStringList{"A", "B", "train (smoothed)", "validation"}));
  QVERIFY(legend->wrap() >= 4);  // 1000 px: every entry on one row
  QVERIFY(!v.plot()->axisRect()->rect().intersects(legend->outerRect()));
}

void TestLossPlot::replotsAreCoalesced() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  showView(v);
  // Whatever showing the view scheduled (resize, polish) runs before the counts are taken.
  QCoreApplication::processEvents();
  QTRY_VERIFY(!v.refreshPending());
  v.refreshNow();
  const int replots0 = v.replotCount(), rebuilds0 = v.rebuildCount();
  for (int i = kSteps + 1; i <= kSteps + 1000; ++i) m.appendStep(makeStep(i));
  QCOMPARE(v.replotCount(), replots0);  // nothing drawn synchronously per step
  QVERIFY(v.refreshPending());
  QTRY_VERIFY(!v.refreshPending());
  // Nothing else is queued: once the posted events ran, no refresh is pending, so no further
  // rebuild can follow (a rebuild only ever comes from a pending refresh).
  QCoreApplication::processEvents();
  QVERIFY(!v.refreshPending());
  QCOMPARE(v.rebuildCount() - rebuilds0, 1);
  QVERIFY(v.replotCount() - replots0 >= 1);
  QVERIFY(v.replotCount() - replots0 <= 3);  // 1000 steps, a handful of replots
  QCOMPARE(v.trainGraph()->data()->size(), kSteps + 1000);
  // Snapshots do not concern the loss plot at all.
  m.appendSnapshot(makeSnapshot(0));
  QVERIFY(!v.refreshPending());
}

void TestLossPlot::boxZoomAndDoubleClickReset() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  showView(v);
  QCPAxis* x = v.plot()->xAxis;
  const QCPRange full = x->range();
  const QRect r = v.plot()->axisRect()->rect();
  const QPoint a(r.left() + r.width() / 4, r.top() + r.height() / 4);
  const QPoint b(r.left() + r.width() / 2, r.top() + 3 * r.height() / 4);
  const double xa = x->pixelToCoord(a.x()), xb = x->pixelToCoord(b.x());
  // Shift + drag draws a zoom rectangle.
  QMouseEvent press(QEvent::MouseButtonPress, a, v.plot()->mapToGlobal(a), Qt::LeftButton,
                    Qt::LeftButton, Qt::ShiftModifier);
  QApplication::sendEvent(v.plot(), &press);
  QMouseEvent move(QEvent::MouseMove, b, v.plot()->mapToGlobal(b), Qt::NoButton, Qt::LeftButton,
                   Qt::ShiftModifier);
  QApplication::sendEvent(v.plot(), &move);
  QMouseEvent release(QEvent::MouseButtonRelease, b, v.plot()->mapToGlobal(b), Qt::LeftButton,
                      Qt::NoButton, Qt::ShiftModifier);
  QApplication::sendEvent(v.plot(), &release);
  const double px = 2.0 * full.size() / r.width();  // QRect/QRectF edges differ by a pixel
  QVERIFY(std::abs(x->range().lower - xa) < px);
  QVERIFY(std::abs(x->range().upper - xb) < px);
  QVERIFY(v.userZoomed());
  // New data does not undo the user's zoom...
  m.appendStep(makeStep(kSteps + 1));
  v.refreshNow();
  QVERIFY(std::abs(x->range().upper - xb) < px);
  // ...a double-click does.
  QTest::mouseDClick(v.plot(), Qt::LeftButton, Qt::NoModifier, r.center());
  QVERIFY(!v.userZoomed());
  QVERIFY(x->range().upper >= kSteps + 1);
  QVERIFY(x->range().lower <= 1);
}

// A seed group: the mean run's curves plus a band over the members' smoothed train curves
// (min-max by default, mean ± sd as the preference) and their validation points.
void TestLossPlot::seedGroupBand() {
  RunModel a, b, c, mean;
  fillRun(a, 0, 16, "seed 1");
  fillRun(b, 3, 16, "seed 2");
  fillRun(c, 1, 16, "seed 3");
  fillRun(mean, 2, 16, "AdamW (3 seeds)");  // stands for the mean: its own curves are drawn
  LossPlot v(QVector<RunModel*>{});
  v.setRuns({&mean}, {4}, {{&a, &b, &c}});
  v.refreshNow();
  QCPGraph* hi = v.bandGraph(0);
  QVERIFY(hi);
  QCPGraph* lo = hi->channelFillGraph();
  QVERIFY(lo);
  QCOMPARE(hi->data()->size(), 60);
  const double b6 = v.smoothing();
  std::vector<double> la, lb, lc;
  for (int s = 1; s <= 60; ++s) {
    la.push_back(trainLossOf(0, s));
    lb.push_back(trainLossOf(3, s));
    lc.push_back(trainLossOf(1, s));
  }
  const auto ea = LossPlot::emaDebiased(la, b6), eb = LossPlot::emaDebiased(lb, b6),
             ec = LossPlot::emaDebiased(lc, b6);
  for (int i : {0, 9, 59}) {
    QCOMPARE(hi->data()->at(i)->key, double(i + 1));
    QCOMPARE(hi->data()->at(i)->value, std::max({ea[i], eb[i], ec[i]}));
    QCOMPARE(lo->data()->at(i)->value, std::min({ea[i], eb[i], ec[i]}));
  }
  QCPGraph* vhi = v.bandGraph(0, true);
  QVERIFY(vhi);
  QCOMPARE(vhi->data()->size(), 6);
  QCOMPARE(vhi->data()->at(2)->value, valLossOf(3, 2));
  QCOMPARE(vhi->channelFillGraph()->data()->at(2)->value, valLossOf(0, 2));
  // The band takes the group's colour and stays out of the legend; the mean's curve is drawn.
  QCOMPARE(hi->brush().color().rgb(), v.runColor(0).rgb());
  QCOMPARE(v.smoothedGraph(0)->data()->at(0)->value, trainLossOf(2, 1));
  QVERIFY(!v.plot()->legend->itemWithPlottable(hi) && !v.plot()->legend->itemWithPlottable(lo));
  QVERIFY(v.plot()->legend->itemWithPlottable(v.smoothedGraph(0)));
  // Mean ± sd on request: at step 1 (EMA = the loss) mean ± the sample sd of the three.
  set_seed_band_mode(SeedBandMode::MeanStd);
  v.setSmoothing(0.5);  // any rebuild takes the mode
  v.refreshNow();
  const double m = (trainLossOf(0, 1) + trainLossOf(3, 1) + trainLossOf(1, 1)) / 3;
  double ss = 0;
  for (int id : {0, 3, 1}) ss += (trainLossOf(id, 1) - m) * (trainLossOf(id, 1) - m);
  QVERIFY(std::abs(v.bandGraph(0)->data()->at(0)->value - (m + std::sqrt(ss / 2))) < 1e-12);
  set_seed_band_mode(SeedBandMode::MinMax);
  // A preference change reaches the view through invalidate() (no other change needed).
  v.invalidate();
  v.refreshNow();
  QCOMPARE(v.bandGraph(0)->data()->at(0)->value,
           std::max({trainLossOf(0, 1), trainLossOf(3, 1), trainLossOf(1, 1)}));
  // A plain run has no band.
  v.setRuns({&a});
  v.refreshNow();
  QVERIFY(!v.bandGraph(0));
}

QTEST_MAIN(TestLossPlot)
#include "test_loss_plot.moc"
