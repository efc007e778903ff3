// Widget tests (offscreen): the views of libmuonscope_widgets on a synthetic run with known
// values (2 layers, 4 heads, head_dim 16, 3 snapshots). Checks that each view plots exactly
// the model's numbers, that clicks map to the right layer/head, that scrubbing changes the map,
// the spectrum view's per-head composites (one curve per head) and ESD with its power-law fit
// (slope -alpha), the debiased EMA, the exports (PNG
// size, SVG validity, PDF magic, CSV rows), palette re-styling, and that a burst of 1000 steps is
// drawn with a handful of replots, not 1000.
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <random>
#include <stdexcept>

#include <qcustomplot.h>

#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LossPlot.h"
#include "PRHeatmap.h"
#include "RunModel.h"
#include "SnapshotSlider.h"
#include "SpectrumPlot.h"

#include "WidgetTestData.h"

using namespace ms;

class TestWidgets : public QObject {
  Q_OBJECT
 private slots:
  void runModelSignals();
  void snapshotSliderFollowsLatest();
  void heatmapCellsEqualSnapshot();
  void heatmapClickEmitsLayer();
  void heatmapScrubChangesMap();
  void spectrumShowsLayerValues();
  void spectrumPerHeadComposites();
  void spectrumEsdWithPowerLawFit();
  void lossPlotDataAndSmoothing();
  void emaDebiasedReference();
  void isotropyMeanAndBand();
  void kvPlotPanels();
  void activationViewsSayWhyTheyAreEmpty();
  void ftaPlotGroupsAndEmpty();
  void exportsAllViews();
  void exportErrorsThrow();
  void replotsAreCoalesced();
  void paletteChangeRestyles();
  void boxZoomAndDoubleClickReset();
  void lossHoverShowsValues();
  void lossWithValidationOnly();
  void modelSwapAndDeletion();
};

void TestWidgets::runModelSignals() {
  RunModel m;
  QSignalSpy info(&m, &RunModel::infoChanged), steps(&m, &RunModel::stepsAppended),
      vals(&m, &RunModel::valsAppended), snaps(&m, &RunModel::snapshotAppended),
      status(&m, &RunModel::statusChanged), cleared(&m, &RunModel::cleared);
  fillModel(m);
  QCOMPARE(info.count(), 1);
  QCOMPARE(steps.count(), 1);
  QCOMPARE(steps.at(0).at(0).toInt(), 0);
  QCOMPARE(steps.at(0).at(1).toInt(), kSteps);
  QCOMPARE(vals.count(), 2);
  QCOMPARE(snaps.count(), 3);
  QCOMPARE(snaps.at(2).at(0).toInt(), 2);
  QCOMPARE(m.layerCount(), kL);
  QCOMPARE(m.headCount(), kH);
  QCOMPARE(int(m.steps().size()), kSteps);
  m.setStatus(RunStatus::Failed, "boom");
  QCOMPARE(status.count(), 1);
  QCOMPARE(m.status(), RunStatus::Failed);
  QCOMPARE(m.statusMessage(), QString("boom"));
  m.setStatus(RunStatus::Failed, "boom");  // unchanged: no signal
  QCOMPARE(status.count(), 1);
  m.clear();
  QCOMPARE(cleared.count(), 1);
  QVERIFY(m.steps().empty() && m.vals().empty() && m.snapshots().empty());
  QCOMPARE(m.layerCount(), 0);
  QCOMPARE(m.status(), RunStatus::Running);

  // Queued delivery across threads carries the data types (as the training controller does).
  RunModel target;
  QThread worker;
  QObject sender;
  sender.moveToThread(&worker);
  worker.start();
  QMetaObject::invokeMethod(&sender, [&target] {
    const std::vector<StepRecord> two{makeStep(1), makeStep(2)};
    QMetaObject::invokeMethod(&target, "appendSteps", Qt::QueuedConnection,
                              Q_ARG(std::vector<ms::StepRecord>, two));
    QMetaObject::invokeMethod(&target, "appendSnapshot", Qt::QueuedConnection,
                              Q_ARG(ms::Snapshot, makeSnapshot(0)));
  });
  QTRY_COMPARE(int(target.snapshots().size()), 1);
  QCOMPARE(int(target.steps().size()), 2);
  QCOMPARE(target.steps()[1].loss, makeStep(2).loss);
  worker.quit();
  worker.wait();
}

void TestWidgets::snapshotSliderFollowsLatest() {
  SnapshotSlider s;
  QCOMPARE(s.index(), -1);
  std::vector<Snapshot> snaps = {makeSnapshot(0), makeSnapshot(1)};
  QSignalSpy spy(&s, &SnapshotSlider::indexChanged);
  s.setSnapshots(snaps);
  QCOMPARE(s.index(), 1);
  QVERIFY(s.followsLatest());
  snaps.push_back(makeSnapshot(2));
  s.setSnapshots(snaps);
  QCOMPARE(s.index(), 2);  // followed
  s.slider()->setValue(0);
  QCOMPARE(s.index(), 0);
  QVERIFY(!s.followsLatest());
  snaps.push_back(makeSnapshot(2));
  s.setSnapshots(snaps);
  QCOMPARE(s.index(), 0);  // a user who scrubbed back stays
  s.setIndex(3);
  QVERIFY(s.followsLatest());
  QCOMPARE(spy.count(), 4);  // 1, 2, 0, 3
}

void TestWidgets::heatmapCellsEqualSnapshot() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  v.refreshNow();
  QCOMPARE(v.snapshotIndex(), 2);
  QCPColorMapData* d = v.snapshotMap()->data();
  QCOMPARE(d->keySize(), kH);
  QCOMPARE(d->valueSize(), kL);
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) {
      QCOMPARE(d->cell(h, l), prSv(2, kActK, l, h));
      QCOMPARE(d->data(h, l), prSv(2, kActK, l, h));  // cell centred on (head, layer)
    }
  QCPColorMapData* t = v.timeMap()->data();
  QCOMPARE(t->keySize(), 3);
  QCOMPARE(t->valueSize(), kL);
  for (int k = 0; k < 3; ++k)
    for (int l = 0; l < kL; ++l) {
      double mean = 0;
      for (int h = 0; h < kH; ++h) mean += prSv(k, kActK, l, h) / kH;
      QVERIFY(std::abs(t->cell(k, l) - mean) < 1e-12);
    }
  QVERIFY(v.colorScaleLabel().contains("PR_sv of k, range [1, 16]"));
  QCOMPARE(v.colorScale()->axis()->label(), v.colorScaleLabel());
  QCOMPARE(v.colorScale()->dataRange().lower, 1.0);
  QCOMPARE(v.colorScale()->dataRange().upper, double(kHd));
  QCOMPARE(v.collapsedMarkCount(), 2);

  v.setMetric(PRHeatmap::PrCov);
  v.setTensor(kActV);
  v.refreshNow();
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) QCOMPARE(d->cell(h, l), prCov(2, kActV, l, h));
  QVERIFY(v.colorScaleLabel().startsWith("PR_cov of v"));
  // CSV: L*H cells of the selected snapshot + L means per snapshot.
  const QStringList lines = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 1 + kL * kH + 3 * kL);
  QCOMPARE(lines[0], QString("panel,step,layer,head,pr_cov_v,collapsed"));
}

void TestWidgets::heatmapClickEmitsLayer() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  showView(v);
  QSignalSpy layers(&v, &PRHeatmap::layerClicked), heads(&v, &PRHeatmap::headClicked);
  QCPAxisRect* r = v.snapshotRect();
  for (auto [l, h] : {std::pair{1, 2}, std::pair{0, 3}, std::pair{1, 0}}) {
    const QPoint px(qRound(r->axis(QCPAxis::atBottom)->coordToPixel(h)),
                    qRound(r->axis(QCPAxis::atLeft)->coordToPixel(l)));
    QVERIFY(r->rect().contains(px));
    QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, px);
    QCOMPARE(layers.count(), 1);
    QCOMPARE(layers.takeFirst().at(0).toInt(), l);
    QCOMPARE(heads.count(), 1);
    const QList<QVariant> args = heads.takeFirst();
    QCOMPARE(args.at(0).toInt(), l);
    QCOMPARE(args.at(1).toInt(), h);
  }
  // Clicking a column of the time map selects that snapshot and reports the layer.
  QSignalSpy snaps(&v, &PRHeatmap::snapshotChanged);
  QCPAxisRect* tr = v.timeRect();
  const QPoint tp(qRound(tr->axis(QCPAxis::atBottom)->coordToPixel(0)),
                  qRound(tr->axis(QCPAxis::atLeft)->coordToPixel(1)));
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, tp);
  QCOMPARE(layers.count(), 1);
  QCOMPARE(layers.takeFirst().at(0).toInt(), 1);
  QCOMPARE(v.snapshotIndex(), 0);
  QCOMPARE(snaps.count(), 1);
  QCOMPARE(snaps.at(0).at(0).toInt(), 0);
  // Outside the axis rect: nothing.
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
  QCOMPARE(layers.count(), 0);
}

void TestWidgets::heatmapScrubChangesMap() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  v.refreshNow();
  QCPColorMapData* d = v.snapshotMap()->data();
  const double before = d->cell(1, 1);
  QCOMPARE(before, prSv(2, kActK, 1, 1));
  QSignalSpy snaps(&v, &PRHeatmap::snapshotChanged);
  v.snapshotSlider()->slider()->setValue(0);  // as a user dragging the handle
  QCOMPARE(snaps.count(), 1);
  QCOMPARE(snaps.at(0).at(0).toInt(), 0);
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QVERIFY(d->cell(1, 1) != before);
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) QCOMPARE(d->cell(h, l), prSv(0, kActK, l, h));
  QCOMPARE(v.collapsedMarkCount(), 0);  // no collapsed heads at snapshot 0
  // A new snapshot while scrubbed back keeps the selection; back at the end, it follows.
  m.appendSnapshot(makeSnapshot(1));
  v.refreshNow();
  QCOMPARE(v.snapshotIndex(), 0);
  QCOMPARE(v.timeMap()->data()->keySize(), 4);
  v.setSnapshot(-1);
  v.refreshNow();
  QCOMPARE(v.snapshotIndex(), 3);
  QCOMPARE(d->cell(3, 0), prSv(1, kActK, 0, 3));
}

void TestWidgets::spectrumShowsLayerValues() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  v.setLayer(1);
  v.setMatrix(4);  // mlp.in, 64 singular values
  v.setSnapshot(1);
  v.refreshNow();
  QCOMPARE(v.snapshotIndex(), 1);
  QCOMPARE(v.currentGraphs().size(), 1);
  const QCPGraph* g = v.currentGraphs().front();
  const auto& want = m.snapshots()[1].layers[1].matrices[4].sv;
  const QVector<double> keys = keysOf(g), vals = valuesOf(g);
  QCOMPARE(vals.size(), int(want.size()));
  for (int i = 0; i < vals.size(); ++i) {
    QCOMPARE(keys[i], double(i + 1));
    QCOMPARE(vals[i], double(want[i]));
  }
  QVERIFY(v.metricsText().contains(QString::number(erank(1, 1, 4), 'g', 4)));
  QVERIFY(v.metricsText().contains("mlp.in (256 × 64)"));
  QCOMPARE(v.overlayGraphs().size(), 1);  // snapshot 0 under snapshot 1
  QCOMPARE(valuesOf(v.overlayGraphs().front()).front(), double(sv(0, 1, 4, 0)));
  QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);

  // All matrices of layer 0 at the latest snapshot: one graph per matrix, in order.
  v.setMatrix(-1);
  v.setLayer(0);
  v.setSnapshot(-1);
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), int(kNames.size()));
  for (int mi = 0; mi < int(kNames.size()); ++mi)
    QCOMPARE(valuesOf(v.currentGraphs()[mi]).front(), double(sv(2, 0, mi, 0)));
  for (int mi = 0; mi < int(kNames.size()); ++mi)
    QVERIFY(v.metricsText().contains(QString::number(erank(2, 0, mi), 'g', 4)));
  v.setMatrixByName("vo");
  QCOMPARE(v.matrix(), 7);
  // CSV: one row per plotted singular value.
  v.setOverlayEarlier(false);
  v.refreshNow();
  QCOMPARE(v.csv().split('\n', Qt::SkipEmptyParts).size(), 1 + 64);
}

// The user picks "W_QK^h per head" in the matrix combo of the clicked layer: one curve per head
// with that head's head_dim singular values, a legend entry per head and a per-head metrics
// table; then W_OV^h; a matrix entry leaves the per-head view; a run without the per-head
// values (an older file) shows a note instead of empty curves.
void TestWidgets::spectrumPerHeadComposites() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  showView(v);
  v.setLayer(1);
  v.setSnapshot(1);
  QComboBox* combo = nullptr;
  for (QComboBox* c : v.findChildren<QComboBox*>())
    if (c->findText("W_QK^h per head") >= 0) combo = c;
  QVERIFY(combo);
  QCOMPARE(combo->itemText(7), QString("qk (sum over heads)"));  // after All, 6 block matrices
  QCOMPARE(combo->itemText(8), QString("vo (sum over heads)"));
  for (int kind = 0; kind < 2; ++kind) {
    combo->setCurrentIndex(combo->findText(kind == 0 ? "W_QK^h per head" : "W_OV^h per head"));
    v.refreshNow();
    QCOMPARE(v.headComposite(),
             kind == 0 ? int(SpectrumPlot::kHeadsQK) : int(SpectrumPlot::kHeadsOV));
    QCOMPARE(v.currentGraphs().size(), kH);
    QVERIFY(v.overlayGraphs().isEmpty());
    QCOMPARE(v.plot()->graphCount(), kH);
    QCOMPARE(v.plot()->legend->itemCount(), kH);
    for (int h = 0; h < kH; ++h) {
      const QCPGraph* g = v.currentGraphs()[h];
      QCOMPARE(g->name(), QString("head %1").arg(h));
      QVERIFY(v.plot()->legend->hasItemWithPlottable(g));
      const QVector<double> keys = keysOf(g), vals = valuesOf(g);
      QCOMPARE(vals.size(), kHd);
      for (int i = 0; i < kHd; ++i) {
        QCOMPARE(keys[i], double(i + 1));
        QCOMPARE(vals[i], double(headSv(1, 1, kind, h, i)));
      }
      QVERIFY(v.metricsText().contains(QString::number(headErank(1, 1, kind, h), 'g', 4)));
    }
    QVERIFY(
        v.metricsText().contains(kind == 0 ? "W_QK^h = W_q^h^T W_k^h" : "W_OV^h = W_o^h W_v^h"));
    QVERIFY(v.metricsText().contains("H normalized by log 16"));
    const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 1 + kH * kHd);
    QCOMPARE(rows[0], QString("step,layer,composite,head,rank,sigma"));
    QCOMPARE(rows[1],
             QString("20,1,%1,0,1,%2").arg(kind == 0 ? "qk" : "ov").arg(headSv(1, 1, kind, 0, 0)));
  }
  // Back to a matrix: the single-matrix view again.
  combo->setCurrentIndex(combo->findData(4));
  v.refreshNow();
  QCOMPARE(v.headComposite(), int(SpectrumPlot::kNoHeads));
  QCOMPARE(v.matrix(), 4);
  QCOMPARE(v.currentGraphs().size(), 1);
  // The summed composites are labelled so in the legend of "All matrices".
  v.setMatrix(-1);
  v.refreshNow();
  QCOMPARE(v.currentGraphs()[6]->name(), QString("qk (sum over heads)"));
  QVERIFY(v.metricsText().contains("* sum over heads"));

  // An older file: per-head values NaN (as RunReader reads them) -> a note, no curves.
  RunModel old;
  old.setInfo(makeInfo());
  Snapshot s = makeSnapshot(0);
  for (LayerMetrics& lm : s.layers)
    for (auto* heads : {&lm.qk_heads, &lm.ov_heads})
      for (SpectrumMetrics& h : *heads) h.sv.assign(kHd, std::nanf(""));
  old.appendSnapshot(s);
  SpectrumPlot o(&old);
  o.setHeadComposite(SpectrumPlot::kHeadsOV);
  o.refreshNow();
  QVERIFY(o.currentGraphs().isEmpty());
  QCOMPARE(o.plot()->graphCount(), 0);
  bool note = false;
  for (const QLabel* l : o.findChildren<QLabel*>())
    note = note || l->text().contains("No per-head composites");
  QVERIFY(note);
}

void TestWidgets::lossPlotDataAndSmoothing() {
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
  v.setXAxisMode(LossPlot::XTokens);
  v.refreshNow();
  QCOMPARE(keysOf(v.trainGraph())[9], double(m.steps()[9].tokens));
  QCOMPARE(keysOf(v.valGraph())[1], double(50 * 128));
  v.setXAxisMode(LossPlot::XWallTime);
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

void TestWidgets::emaDebiasedReference() {
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

// The user picks the ESD in the View combo: the eigenvalue density of mlp.in on log-log axes
// (log tickers), a density that integrates to 1 (from the CSV's bins), and the fitted power
// law: a line from lambda_min to lambda_max whose log-log slope is -alpha, near the points
// above lambda_min, named with alpha in the legend; the metrics text and the CSV carry alpha,
// weighted alpha and KS. All matrices: one ESD and one fit each. Back to singular values, and
// the per-head composites (no ESD) disable the combo.
void TestWidgets::spectrumEsdWithPowerLawFit() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  showView(v);
  v.setLayer(1);
  v.setMatrix(4);  // mlp.in (256 x 64)
  v.setSnapshot(1);
  QComboBox* combo = nullptr;
  for (QComboBox* c : v.findChildren<QComboBox*>())
    if (c->count() == 2 && c->itemText(1).startsWith("ESD")) combo = c;
  QVERIFY(combo);
  combo->setCurrentIndex(combo->findData(int(SpectrumPlot::kEsd)));
  v.refreshNow();
  QCOMPARE(v.view(), int(SpectrumPlot::kEsd));
  QCOMPARE(v.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
  QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
  QVERIFY(v.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerLog>());
  QVERIFY(v.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
  QVERIFY(v.overlayGraphs().isEmpty());
  QCOMPARE(v.currentGraphs().size(), 1);
  QCOMPARE(v.fitGraphs().size(), 1);
  const QCPGraph* pts = v.currentGraphs()[0];
  const QCPGraph* fit = v.fitGraphs()[0];
  QVERIFY(fit);
  QCOMPARE(pts->lineStyle(), QCPGraph::lsNone);
  QVERIFY(pts->scatterStyle().shape() != QCPScatterStyle::ssNone);
  const QVector<double> px = keysOf(pts), py = valuesOf(pts);
  QVERIFY(px.size() >= 5);
  const double a = alpha(1, 1, 4), xmin = alphaXmin(1, 1, 4);
  const double lmax = double(sv(1, 1, 4, 0)) * sv(1, 1, 4, 0);
  // Points: bin centres within [lambda_min, lambda_max] of the eigenvalues, positive density.
  const double lmin = double(sv(1, 1, 4, 63)) * sv(1, 1, 4, 63);
  for (int i = 0; i < px.size(); ++i) {
    QVERIFY(px[i] > lmin * 0.99 && px[i] < lmax * 1.01);
    QVERIFY(py[i] > 0);
  }
  // Fitted line: lambda_min .. lambda_max, slope -alpha on log-log axes.
  const QVector<double> fx = keysOf(fit), fy = valuesOf(fit);
  QVERIFY(fx.size() >= 2);
  QVERIFY(std::abs(fx.front() / xmin - 1) < 1e-12);
  QVERIFY(std::abs(fx.back() / lmax - 1) < 1e-6);
  for (int i = 1; i < fx.size(); ++i) {
    const double slope =
        (std::log(fy[i]) - std::log(fy[i - 1])) / (std::log(fx[i]) - std::log(fx[i - 1]));
    QVERIFY2(std::abs(slope + a) < 1e-9, qPrintable(QString::number(slope)));
  }
  // Normalized like the points: half of the 64 eigenvalues are in the tail, so the line is
  // 0.5 (alpha - 1) / xmin at xmin, and within a factor 2 of the points above xmin.
  QVERIFY(std::abs(fy.front() - 0.5 * (a - 1) / xmin) < 1e-12 * fy.front());
  int near = 0, above = 0;
  for (int i = 0; i < px.size(); ++i) {
    if (px[i] < 1.5 * xmin || px[i] > lmax / 4) continue;  // bins away from the ends
    ++above;
    const double f = 0.5 * (a - 1) / xmin * std::pow(px[i] / xmin, -a);
    near += (py[i] / f > 0.5 && py[i] / f < 2) ? 1 : 0;
  }
  QVERIFY(above >= 3);
  QCOMPARE(near, above);
  QVERIFY(fit->name().contains(QString("α = %1").arg(QString::number(a, 'g', 4))));
  QVERIFY(v.plot()->legend->hasItemWithPlottable(fit));
  QVERIFY(v.plot()->legend->hasItemWithPlottable(pts));
  QVERIFY(v.metricsText().contains(QString::number(a, 'g', 4)));
  QVERIFY(v.metricsText().contains("KS distance  0.09"));
  // CSV: one row per bin with the fit; the densities integrate to 1.
  const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(rows[0], QString("step,layer,matrix,lambda_lo,lambda_hi,density,alpha,alpha_weighted,"
                            "alpha_ks,alpha_xmin"));
  QCOMPARE(rows.size(), 1 + px.size());
  double mass = 0;
  for (int i = 1; i < rows.size(); ++i) {
    const QStringList c = rows[i].split(',');
    QCOMPARE(c[0], QString("20"));
    QCOMPARE(c[2], QString("mlp.in"));
    const double lo = c[3].toDouble(), hi = c[4].toDouble(), d = c[5].toDouble();
    QVERIFY(std::abs(std::sqrt(lo * hi) / px[i - 1] - 1) < 1e-9);  // 10 digits in the CSV
    mass += d * (hi - lo);
    QVERIFY(std::abs(c[6].toDouble() / a - 1) < 1e-9);
    QVERIFY(std::abs(c[9].toDouble() / xmin - 1) < 1e-9);
  }
  QVERIFY(std::abs(mass - 1) < 1e-8);

  // All matrices: an ESD and a fit each; the fits stay out of the legend.
  v.setMatrix(-1);
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), int(kNames.size()));
  QCOMPARE(v.fitGraphs().size(), int(kNames.size()));
  QCOMPARE(v.plot()->legend->itemCount(), int(kNames.size()));
  for (int mi = 0; mi < int(kNames.size()); ++mi) {
    QVERIFY(v.fitGraphs()[mi]);
    QVERIFY(v.currentGraphs()[mi]->name().contains(QString::number(alpha(1, 1, mi), 'g', 4)));
    QVERIFY(v.metricsText().contains(QString::number(alpha(1, 1, mi), 'g', 4)));
  }
  // A matrix without a fit (NaN alpha, e.g. an older file): points, no line.
  RunModel m2;
  fillModel(m2);
  Snapshot s3 = makeSnapshot(2);
  s3.step = 40;
  s3.layers[0].matrices[2].alpha = kNaN;
  m2.appendSnapshot(s3);
  SpectrumPlot w(&m2);
  w.setView(SpectrumPlot::kEsd);
  w.setMatrix(2);
  w.refreshNow();
  QCOMPARE(w.currentGraphs().size(), 1);
  QCOMPARE(w.fitGraphs().size(), 1);
  QVERIFY(w.fitGraphs()[0] == nullptr);
  QVERIFY(!keysOf(w.currentGraphs()[0]).isEmpty());

  // Back to singular values: linear rank axis, sigma values, no fits; the CSV has the fit.
  combo->setCurrentIndex(combo->findData(int(SpectrumPlot::kSingularValues)));
  v.setMatrix(4);
  v.refreshNow();
  QCOMPARE(v.view(), int(SpectrumPlot::kSingularValues));
  QCOMPARE(v.plot()->xAxis->scaleType(), QCPAxis::stLinear);
  QVERIFY(v.fitGraphs().isEmpty());
  QCOMPARE(valuesOf(v.currentGraphs()[0]).front(), double(sv(1, 1, 4, 0)));
  const QStringList svRows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(svRows[0],
           QString("step,layer,matrix,rank,sigma,alpha,alpha_weighted,alpha_ks,alpha_xmin"));
  QVERIFY(std::abs(svRows.back().split(',')[5].toDouble() / a - 1) < 1e-9);
  // Per-head composites: no ESD, the combo is disabled and the plot shows singular values.
  v.setView(SpectrumPlot::kEsd);
  v.setHeadComposite(SpectrumPlot::kHeadsQK);
  v.refreshNow();
  QVERIFY(!combo->isEnabled());
  QCOMPARE(v.plot()->xAxis->scaleType(), QCPAxis::stLinear);
  QCOMPARE(v.currentGraphs().size(), kH);
}

void TestWidgets::isotropyMeanAndBand() {
  RunModel m;
  fillModel(m);
  IsotropyPlot v(&m);
  v.refreshNow();
  for (int mi = 0; mi < int(kNames.size()); ++mi) {
    QVERIFY(v.isMatrixVisible(mi));
    const QVector<double> mean = valuesOf(v.meanGraph(mi)), lo = valuesOf(v.minGraph(mi)),
                          hi = valuesOf(v.maxGraph(mi));
    QCOMPARE(mean.size(), 3);
    QCOMPARE(keysOf(v.meanGraph(mi)), (QVector<double>{10, 20, 30}));
    for (int k = 0; k < 3; ++k) {
      QVERIFY(std::abs(mean[k] - 0.5 * (erank(k, 0, mi) + erank(k, 1, mi))) < 1e-12);
      QCOMPARE(lo[k], erank(k, 0, mi));
      QCOMPARE(hi[k], erank(k, 1, mi));
    }
    QCOMPARE(v.maxGraph(mi)->channelFillGraph(), v.minGraph(mi));
  }
  v.setMatrixVisible(3, false);
  v.setMetric(IsotropyPlot::UpdateCosine);
  v.refreshNow();
  QVERIFY(!v.isMatrixVisible(3));
  QVERIFY(v.meanGraph(3) == nullptr);
  const QVector<double> ua = valuesOf(v.meanGraph(0));
  QVERIFY(std::isnan(ua[0]));  // unknown before the first update
  QVERIFY(std::abs(ua[2] - 0.4) < 1e-12);
  const QStringList lines = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 4);
  QCOMPARE(lines[0].split(',').size(), 1 + 3 * (int(kNames.size()) - 1));
  QVERIFY(!lines[0].contains("attn.o"));
  // WeightWatcher's alpha over time, per matrix kind.
  v.setMetric(IsotropyPlot::Alpha);
  v.refreshNow();
  const QVector<double> al = valuesOf(v.meanGraph(4));
  for (int k = 0; k < 3; ++k)
    QVERIFY(std::abs(al[k] - 0.5 * (alpha(k, 0, 4) + alpha(k, 1, 4))) < 1e-12);
  QVERIFY(v.csv().startsWith("step,attn.q_alpha_mean,"));
}

// A snapshot without activations (checkpoints inspected without a probe): the PR heatmap and
// the K/V view show a message saying why instead of drawing; a snapshot with them draws again.
void TestWidgets::activationViewsSayWhyTheyAreEmpty() {
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
  PRHeatmap pr(&m);
  kv.show();
  pr.show();
  for (int i : {3, 2, 3}) {
    kv.setSnapshot(i);
    pr.setSnapshot(i);
    kv.refreshNow();
    pr.refreshNow();
    QCOMPARE(message(kv), i == 3);
    QCOMPARE(message(pr), i == 3);
    QCOMPARE(valuesOf(kv.channelGraph(KVPlot::KPost)).isEmpty(), i == 3);
  }
}

void TestWidgets::kvPlotPanels() {
  RunModel m;
  fillModel(m);
  KVPlot v(&m);
  v.setLayer(1);
  v.refreshNow();
  const Snapshot& s = m.snapshots()[2];
  const auto& post = s.layers[1].k_post;
  QCOMPARE(valuesOf(v.channelGraph(KVPlot::KPost)).size(), kH * kHd);
  for (int i = 0; i < kH * kHd; ++i)
    QCOMPARE(valuesOf(v.channelGraph(KVPlot::KPost))[i], double(post.channel[i]));
  QCOMPARE(valuesOf(v.tokenGraph(KVPlot::V)).size(), kT);
  QCOMPARE(valuesOf(v.tokenGraph(KVPlot::V))[3], double(s.layers[1].v.token[3]));
  for (int k = 0; k < 3; ++k)  // asymmetry of V (c = 2) in layer 1
    QVERIFY(std::abs(valuesOf(v.spikinessGraph(KVPlot::V))[k] - (1.2 + 0.01 * k + 0.001)) < 1e-12);
  // KIVI only where valid (snapshots 0 and 2).
  QCOMPARE(keysOf(v.kiviGraph(0, 0)), (QVector<double>{10, 30}));
  QCOMPARE(valuesOf(v.kiviGraph(1, 1)), (QVector<double>{0.05, 2.05}));
  v.setSpikinessMetric(KVPlot::ChannelMaxMean);
  v.setSnapshot(0);
  v.refreshNow();
  QCOMPARE(valuesOf(v.spikinessGraph(KVPlot::KPre)), (QVector<double>{2.0, 2.0, 2.0}));
  QCOMPARE(valuesOf(v.channelGraph(KVPlot::KPre))[0],
           double(m.snapshots()[0].layers[1].k_pre.channel[0]));
  // CSV: 3 caches x (channels + tokens) + 3 x snapshots + 4 x valid KIVI snapshots.
  QCOMPARE(v.csv().split('\n', Qt::SkipEmptyParts).size(), 1 + 3 * (kH * kHd + kT) + 3 * 3 + 4 * 2);
}

void TestWidgets::ftaPlotGroupsAndEmpty() {
  RunModel m;
  fillModel(m);
  FTAPlot v(&m);
  v.refreshNow();
  QVERIFY(v.hasData());
  QCOMPARE(v.groupCount(), 3);
  for (int g = 0; g < 3; ++g) {
    QCOMPARE(keysOf(v.groupGraph(g)), (QVector<double>{10, 20, 30}));
    for (int k = 0; k < 3; ++k) QCOMPARE(valuesOf(v.groupGraph(g))[k], m.snapshots()[k].fta[g]);
    QCOMPARE(v.groupBars(g)->data()->size(), 1);
    QCOMPARE(v.groupBars(g)->data()->constBegin()->value, m.snapshots()[2].fta[g]);
  }
  QVERIFY(v.groupColor(0, 3) != v.groupColor(2, 3));
  QCOMPARE(v.csv().split('\n', Qt::SkipEmptyParts).size(), 4);

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

void TestWidgets::exportsAllViews() {
  RunModel m;
  fillModel(m);
  LossPlot loss(&m);
  PRHeatmap pr(&m);
  SpectrumPlot spec(&m);
  IsotropyPlot iso(&m);
  KVPlot kv(&m);
  FTAPlot fta(&m);
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const struct {
    PlotBase* view;
    int rows;
  } views[] = {
      {&loss, kSteps + 2}, {&pr, kL * kH + 3 * kL}, {&spec, -1}, {&iso, 3}, {&kv, -1}, {&fta, 3}};
  for (const auto& [view, rows] : views) {
    const QString base = dir.filePath(view->objectName());
    view->exportImage(base + ".png", 800, 500, 144);
    QImage img(base + ".png");
    QVERIFY2(!img.isNull(), qPrintable(base));
    QCOMPARE(img.size(), QSize(800, 500));
    QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), 144);
    // Not a blank canvas: more than one colour was drawn.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height() && colours.size() < 3; y += 7)
      for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    QVERIFY(colours.size() >= 3);

    view->exportImage(base + ".svg", 800, 500, 96);
    QFile svg(base + ".svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&svg);
    bool sawSvg = false;
    while (!xml.atEnd())
      if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("svg"))
        sawSvg = true;
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(sawSvg);
    QVERIFY(QSvgRenderer(base + ".svg").isValid());

    view->exportImage(base + ".pdf", 800, 500, 96);
    QFile pdf(base + ".pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QCOMPARE(pdf.read(5), QByteArray("%PDF-"));

    view->exportCsv(base + ".csv");
    QString header;
    const int n = csvRows(base + ".csv", &header);
    QVERIFY(!header.isEmpty() && !header.at(0).isDigit());
    QVERIFY(n > 0);
    if (rows >= 0) QCOMPARE(n, rows);
  }
  QString header;
  QCOMPARE(csvRows(dir.filePath("loss.csv"), &header), kSteps + 2);
  QCOMPARE(header, QString("series,step,tokens,wall_s,loss,loss_smoothed"));
}

void TestWidgets::exportErrorsThrow() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  QTemporaryDir dir;
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, v.exportImage(dir.filePath("x.bmpx"), 100, 100));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, v.exportImage(dir.filePath("x.png"), 0, 100));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                           v.exportImage(dir.filePath("no/such/dir/x.png"), 100, 100));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, v.exportCsv(dir.filePath("no/such/dir/x.csv")));
  // A format outside .png/.svg/.pdf is refused (even one Qt could write), naming the file and
  // the formats that work, and nothing is written.
  const QString tiff = dir.filePath("x.tiff");
  try {
    v.exportImage(tiff, 100, 100);
    QFAIL("exporting x.tiff did not throw");
  } catch (const std::runtime_error& e) {
    const QString msg = QString::fromUtf8(e.what());
    QVERIFY2(msg.contains(tiff), qPrintable(msg));  // the message names the file
    QVERIFY2(msg.contains("'tiff'") && msg.contains(".png, .svg or .pdf"), qPrintable(msg));
  }
  QVERIFY(!QFileInfo::exists(tiff));
}

void TestWidgets::replotsAreCoalesced() {
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

void TestWidgets::paletteChangeRestyles() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  v.refreshNow();
  QPalette dark = v.palette();
  dark.setColor(QPalette::Base, QColor(30, 30, 30));
  dark.setColor(QPalette::Window, QColor(40, 40, 40));
  dark.setColor(QPalette::Text, QColor(230, 230, 230));
  dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
  v.setPalette(dark);  // delivers QEvent::PaletteChange
  QCOMPARE(v.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
  QCOMPARE(v.plot()->yAxis->labelColor(), QColor(230, 230, 230));
  QCOMPARE(v.plot()->xAxis->basePen().color(), QColor(230, 230, 230));
  v.refreshNow();
  QImage img = v.plot()->toPixmap(300, 200).toImage();
  QCOMPARE(QColor(img.pixel(1, 1)), QColor(30, 30, 30));  // background follows Base
  // The series colour is lifted for dark backgrounds.
  QVERIFY(v.currentGraphs().front()->pen().color().lightness() > QColor(0x1f77b4).lightness());
}

void TestWidgets::boxZoomAndDoubleClickReset() {
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

void TestWidgets::lossHoverShowsValues() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  v.setSmoothing(0.0);  // smoothed == raw, so the read-out is easy to predict
  showView(v);
  QCOMPARE(v.hoverText(), QString());
  const int px = qRound(v.plot()->xAxis->coordToPixel(20.2));  // nearest step: 20
  const QPoint at(px, v.plot()->axisRect()->rect().center().y());
  QMouseEvent move(QEvent::MouseMove, at, v.plot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                   Qt::NoModifier);
  QApplication::sendEvent(v.plot(), &move);
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
void TestWidgets::lossWithValidationOnly() {
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
  const int px = qRound(v.plot()->xAxis->coordToPixel(190));
  const QPoint at(px, v.plot()->axisRect()->rect().center().y());
  QMouseEvent move(QEvent::MouseMove, at, v.plot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                   Qt::NoModifier);
  QApplication::sendEvent(v.plot(), &move);
  const QString text = v.hoverText();
  QVERIFY2(text.contains("step 200"), qPrintable(text));
  QVERIFY2(text.contains("val 3.5"), qPrintable(text));
  QVERIFY2(!text.contains("train"), qPrintable(text));
  // Training steps arriving later bring the train curves back into the legend.
  m.appendStep(makeStep(1));
  v.refreshNow();
  QVERIFY(legend->hasItemWithPlottable(v.trainGraph()));
}

void TestWidgets::modelSwapAndDeletion() {
  auto* m = new RunModel;
  fillModel(*m);
  PRHeatmap pr(m);
  SpectrumPlot spec(m);
  pr.refreshNow();
  spec.refreshNow();
  RunModel other;
  RunInfo info = makeInfo();
  info.n_layer = 1;
  other.setInfo(info);
  Snapshot s = makeSnapshot(1);
  s.layers.resize(1);
  other.appendSnapshot(s);
  pr.setModel(&other);
  spec.setModel(&other);
  spec.setLayer(1);  // out of range for this run: drawn as "not in this run", no crash
  pr.refreshNow();
  spec.refreshNow();
  QCOMPARE(pr.snapshotMap()->data()->valueSize(), 2);  // one layer, stored doubled
  QCOMPARE(pr.snapshotMap()->data()->data(2, 0), prSv(1, kActK, 0, 2));
  QVERIFY(spec.currentGraphs().isEmpty());
  pr.setModel(m);
  delete m;  // the view must survive its model going away
  pr.refreshNow();
  QVERIFY(pr.model() == nullptr);
  QCOMPARE(pr.snapshotIndex(), -1);
  QVERIFY(pr.csv().startsWith("panel,"));
}

QTEST_MAIN(TestWidgets)
#include "test_widgets.moc"
