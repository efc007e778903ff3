// PRHeatmap suite (offscreen): the participation-ratio view on synthetic runs with known values
// (WidgetTestData.h, plus runs "B"/"C" with other values, steps and shapes). Checks that every
// run's map is exactly its snapshot's numbers, the single-run layers x time map, the one shared
// colour scale (fit to data with the range printed, or fixed [1, head_dim]), B - A on a scale
// symmetric about 0, runs of different shapes refused with the reason, clicks on any map, the
// hover read-out and the value texts of large cells, the nearest snapshot per run at a step,
// runs added, removed and growing live, and the CSV shapes of the headless "pr"/"pr-diff".
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "PRHeatmap.h"
#include "RunModel.h"
#include "StepSlider.h"

// The graph and CSV-file helpers of the shared test data are not used by this map view.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "WidgetTestData.h"
#pragma GCC diagnostic pop

using namespace ms;

namespace {

// Run B's PR values: run A's plus an offset per run, at steps 15, 30, 45.
double prB(int k, int a, int l, int h, double offset = 3.0) {
  return prSv(k, a, l, h) + offset + 0.125 * l;
}
void fillRunB(RunModel& m, const QString& name = "B", int snapshots = 3, int layers = kL,
              int heads = kH, int headDim = kHd, double offset = 3.0) {
  m.setDisplayName(name);
  RunInfo info = makeInfo();
  info.n_layer = layers;
  info.n_head = heads;
  info.head_dim = headDim;
  m.setInfo(info);
  for (int k = 0; k < snapshots; ++k) {
    Snapshot s = makeSnapshot(k % 3);
    s.step = 15 * (k + 1);
    s.layers.resize(layers, s.layers.back());
    for (int l = 0; l < layers; ++l) {
      LayerMetrics& lm = s.layers[l];
      lm.collapsed.assign(heads, 0);
      for (int a = 0; a < kNumActs; ++a) {
        lm.pr_sv[a].assign(heads, 0.0);
        lm.pr_cov[a].assign(heads, 0.0);
        for (int h = 0; h < heads; ++h) {
          lm.pr_sv[a][h] = prB(k, a, l, h, offset);
          lm.pr_cov[a][h] = prB(k, a, l, h, offset) + 0.25;
        }
      }
    }
    m.appendSnapshot(s);
  }
}

QStringList csvLinesOf(const QString& csv) {
  return csv.split('\n', Qt::SkipEmptyParts);
}

// Texts of the plot's text elements (titles, the difference panel's reason).
QStringList textElements(const PRHeatmap& v) {
  QStringList out;
  for (QCPLayoutElement* el : v.plot()->plotLayout()->elements(true))
    if (auto* t = qobject_cast<QCPTextElement*>(el)) out << t->text();
  return out;
}

QPoint cellPixel(QCPAxisRect* r, int layer, int head) {
  return QPoint(qRound(r->axis(QCPAxis::atBottom)->coordToPixel(head)),
                qRound(r->axis(QCPAxis::atLeft)->coordToPixel(layer)));
}

void hover(PRHeatmap& v, QPoint at) {
  QMouseEvent move(QEvent::MouseMove, at, v.plot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                   Qt::NoModifier);
  QApplication::sendEvent(v.plot(), &move);
}

}  // namespace

class TestPRHeatmap : public QObject {
  Q_OBJECT
 private slots:
  void singleRunCellsEqualSnapshot();
  void singleRunClickEmitsLayer();
  void singleRunStepChangesMap();
  void activationViewSaysWhyItIsEmpty();
  void modelSwapAndDeletion();
  void twoRunsSharedScaleAndDifference();
  void differentShapes();
  void fixedScaleUsesLargestHeadDim();
  void thirdRunAddedThenRemoved();
  void liveRunGrows();
  void clicksOnAnyRunsMap();
  void hoverAndValueTexts();
  void longLabelsElidedInNarrowView();
};

void TestPRHeatmap::singleRunCellsEqualSnapshot() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 2);
  QCPColorMapData* d = v.map(0)->data();
  QCOMPARE(d->keySize(), kH);
  QCOMPARE(d->valueSize(), kL);
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) {
      QCOMPARE(d->cell(h, l), prSv(2, kActK, l, h));
      QCOMPARE(d->data(h, l), prSv(2, kActK, l, h));  // cell centred on (head, layer)
    }
  QVERIFY(v.timeMap());
  QCPColorMapData* t = v.timeMap()->data();
  QCOMPARE(t->keySize(), 3);
  QCOMPARE(t->valueSize(), kL);
  for (int k = 0; k < 3; ++k)
    for (int l = 0; l < kL; ++l) {
      double mean = 0;
      for (int h = 0; h < kH; ++h) mean += prSv(k, kActK, l, h) / kH;
      QVERIFY(std::abs(t->cell(k, l) - mean) < 1e-12);
    }
  QCOMPARE(v.timeMap()->colorScale(), v.colorScale());
  QCOMPARE(v.map(0)->colorScale(), v.colorScale());
  QVERIFY(v.differenceMap() == nullptr);
  // Fit to data (default): the range of everything drawn, printed in the label. Smallest: the
  // mean over heads of layer 0 at snapshot 0 (2.75); largest: layer 1, head 3 now (7).
  QCOMPARE(v.colorScaleLabel(), QString("PR_sv of k, range [2.75, 7]"));
  QCOMPARE(v.colorScale()->axis()->label(), v.colorScaleLabel());
  QCOMPARE(v.colorScale()->dataRange(), QCPRange(2.75, 7.0));
  v.setScaleMode(PRHeatmap::FixedHeadDim);
  v.refreshNow();
  QCOMPARE(v.colorScaleLabel(), QString("PR_sv of k, range [1, 16]"));
  QCOMPARE(v.colorScale()->dataRange(), QCPRange(1.0, double(kHd)));
  QCOMPARE(v.collapsedMarkCount(), 2);

  v.setMetric(PRHeatmap::PrCov);
  v.setTensor(kActV);
  v.refreshNow();
  d = v.map(0)->data();
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) QCOMPARE(d->cell(h, l), prCov(2, kActV, l, h));
  QVERIFY(v.colorScaleLabel().startsWith("PR_cov of v"));
  // CSV: L*H cells of the shown snapshot + L means per snapshot, 7 columns.
  const QStringList lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size(), 1 + kL * kH + 3 * kL);
  QCOMPARE(lines[0], QString("panel,run,label,step,layer,head,pr_cov_v"));
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 7);
  QVERIFY(lines.contains(QString("map,0,synthetic,30,1,2,%1").arg(prCov(2, kActV, 1, 2))));
}

void TestPRHeatmap::singleRunClickEmitsLayer() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  showView(v);
  QSignalSpy layers(&v, &PRHeatmap::layerClicked), heads(&v, &PRHeatmap::headClicked);
  QCPAxisRect* r = v.mapRect(0);
  for (auto [l, h] : {std::pair{1, 2}, std::pair{0, 3}, std::pair{1, 0}}) {
    const QPoint px = cellPixel(r, l, h);
    QVERIFY(r->rect().contains(px));
    QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, px);
    QCOMPARE(layers.count(), 1);
    QCOMPARE(layers.takeFirst().at(0).toInt(), l);
    QCOMPARE(heads.count(), 1);
    const QList<QVariant> args = heads.takeFirst();
    QCOMPARE(args.at(0).toInt(), l);
    QCOMPARE(args.at(1).toInt(), h);
  }
  // Clicking a column of the time map selects that step and reports the layer.
  QSignalSpy steps(&v, &PRHeatmap::stepChanged);
  QCPAxisRect* tr = v.timeRect();
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier,
                    QPoint(qRound(tr->axis(QCPAxis::atBottom)->coordToPixel(0)),
                           qRound(tr->axis(QCPAxis::atLeft)->coordToPixel(1))));
  QCOMPARE(layers.count(), 1);
  QCOMPARE(layers.takeFirst().at(0).toInt(), 1);
  QCOMPARE(v.snapshotIndexOf(0), 0);
  QCOMPARE(steps.count(), 1);
  QCOMPARE(steps.at(0).at(0).toLongLong(), 10);
  // Outside the axis rects: nothing.
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
  QCOMPARE(layers.count(), 0);
}

void TestPRHeatmap::singleRunStepChangesMap() {
  RunModel m;
  fillModel(m);
  PRHeatmap v(&m);
  v.refreshNow();
  QCOMPARE(v.map(0)->data()->cell(1, 1), prSv(2, kActK, 1, 1));
  QSignalSpy steps(&v, &PRHeatmap::stepChanged);
  v.stepSlider()->slider()->setValue(0);  // as a user dragging the handle
  QCOMPARE(steps.count(), 1);
  QCOMPARE(steps.at(0).at(0).toLongLong(), 10);
  QCOMPARE(v.step(), 10);
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCPColorMapData* d = v.map(0)->data();
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) QCOMPARE(d->cell(h, l), prSv(0, kActK, l, h));
  QCOMPARE(v.collapsedMarkCount(), 0);  // no collapsed heads at snapshot 0
  // A new snapshot while scrubbed back keeps the selection; back at the end, it follows.
  m.appendSnapshot(makeSnapshot(1));
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 0);
  QCOMPARE(v.timeMap()->data()->keySize(), 4);
  v.setStep(-1);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 3);
  QCOMPARE(v.map(0)->data()->cell(3, 0), prSv(1, kActK, 0, 3));
  // Choosing the last step is following the latest, as the slider's right end.
  v.setStep(10);
  v.setStep(30);  // the last of the steps 10, 20, 30
  QCOMPARE(v.step(), -1);
  Snapshot later = makeSnapshot(2);
  later.step = 40;
  m.appendSnapshot(later);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 4);
}

// A snapshot without activations (checkpoints inspected without a probe): the view says why
// instead of drawing; a snapshot with them draws again.
void TestPRHeatmap::activationViewSaysWhyItIsEmpty() {
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
  PRHeatmap pr(&m);
  pr.show();
  for (int i : {3, 2, 3}) {
    pr.setStep(m.snapshots()[i].step);
    pr.refreshNow();
    QCOMPARE(message(pr), i == 3);
    QCOMPARE(pr.map(0) == nullptr, i == 3);
  }
}

void TestPRHeatmap::modelSwapAndDeletion() {
  auto* m = new RunModel;
  fillModel(*m);
  PRHeatmap pr(m);
  pr.refreshNow();
  RunModel other;
  RunInfo info = makeInfo();
  info.n_layer = 1;
  other.setInfo(info);
  Snapshot s = makeSnapshot(1);
  s.layers.resize(1);
  other.appendSnapshot(s);
  pr.setModel(&other);
  pr.refreshNow();
  QCOMPARE(pr.map(0)->data()->valueSize(), 2);  // one layer, stored doubled
  QCOMPARE(pr.map(0)->data()->data(2, 0), prSv(1, kActK, 0, 2));
  pr.setModel(m);
  delete m;  // the view must survive its model going away
  pr.refreshNow();
  QVERIFY(pr.model() == nullptr);
  QCOMPARE(pr.snapshotIndexOf(0), -1);
  QVERIFY(pr.csv().startsWith("panel,"));
}

void TestPRHeatmap::twoRunsSharedScaleAndDifference() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  PRHeatmap v({&a, &b});
  v.setStep(30);
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 2);  // A: step 30
  QCOMPARE(v.snapshotIndexOf(1), 1);  // B: step 30
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) {
      QCOMPARE(v.map(0)->data()->data(h, l), prSv(2, kActK, l, h));
      QCOMPARE(v.map(1)->data()->data(h, l), prB(1, kActK, l, h));
    }
  QVERIFY(v.timeMap() == nullptr);  // the time map is a one-run panel
  QCOMPARE(v.map(0)->colorScale(), v.colorScale());
  QCOMPARE(v.map(1)->colorScale(), v.colorScale());
  // Fit to data over both maps: A's smallest cell, B's largest.
  const double lo = prSv(2, kActK, 0, 0), hi = prB(1, kActK, 1, 3);
  QCOMPARE(v.colorScale()->dataRange(), QCPRange(lo, hi));
  QCOMPARE(v.colorScaleLabel(), QString("PR_sv of k, range [%1, %2]").arg(lo).arg(hi));
  // B - A, exactly, on a scale symmetric about 0.
  QVERIFY(v.differenceProblem().isEmpty());
  const std::vector<double> d = v.difference();
  QCOMPARE(d.size(), size_t(kL * kH));
  double maxAbs = 0;
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) {
      const double want = prB(1, kActK, l, h) - prSv(2, kActK, l, h);
      QCOMPARE(d[l * kH + h], want);
      QCOMPARE(v.differenceMap()->data()->data(h, l), want);
      maxAbs = std::max(maxAbs, std::abs(want));
    }
  QCOMPARE(v.differenceScale()->dataRange(), QCPRange(-maxAbs, maxAbs));
  QVERIFY(textElements(v).contains(QString("B − synthetic\nstep 30")));
  // The CSV shapes of the headless "pr" and "pr-diff".
  QStringList lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size() - 1, 2 * kL * kH + kL * kH);
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 7);
  v.setPanels(PRHeatmap::DifferenceOnly);
  v.refreshNow();
  lines = csvLinesOf(v.csv());
  QCOMPARE(lines.size() - 1, kL * kH);
  for (const QString& l : lines) QCOMPARE(l.split(',').size(), 7);
  QVERIFY(v.map(0) == nullptr && v.differenceMap() != nullptr);
  v.setPanels(PRHeatmap::MapsOnly);
  v.refreshNow();
  QCOMPARE(csvLinesOf(v.csv()).size() - 1, 2 * kL * kH);
  QVERIFY(v.map(1) != nullptr && v.differenceMap() == nullptr);
}

void TestPRHeatmap::differentShapes() {
  RunModel a, c;
  fillModel(a);
  fillRunB(c, "C", 3, 3);  // 3 layers x 4 heads against 2 x 4
  PRHeatmap v({&a, &c});
  v.refreshNow();
  QVERIFY(v.differenceProblem().contains("different shapes"));
  QVERIFY(v.difference().empty());
  QVERIFY(v.differenceMap() == nullptr);
  QVERIFY(v.map(0) && v.map(1));  // each run's own map is still drawn
  QCOMPARE(v.map(1)->data()->valueSize(), 3);
  QCOMPARE(v.map(1)->data()->data(1, 2), prB(2, kActK, 2, 1));
  bool said = false;  // the difference panel says why
  for (const QString& t : textElements(v)) said = said || t.contains("different shapes");
  QVERIFY(said);
  v.setPanels(PRHeatmap::DifferenceOnly);
  v.show();
  v.refreshNow();
  QVERIFY(v.map(0) == nullptr && v.differenceMap() == nullptr);
  bool placeholder = false;
  for (QLabel* l : v.findChildren<QLabel*>())
    placeholder = placeholder || (l->isVisibleTo(&v) && l->text().contains("different shapes"));
  QVERIFY(placeholder);
}

void TestPRHeatmap::fixedScaleUsesLargestHeadDim() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b, "B", 3, kL, kH, 32);
  PRHeatmap v({&a, &b});
  v.setScaleMode(PRHeatmap::FixedHeadDim);
  v.refreshNow();
  QCOMPARE(v.colorScale()->dataRange(), QCPRange(1, 32));
  QCOMPARE(v.colorScaleLabel(), QString("PR_sv of k, range [1, 32]"));
}

void TestPRHeatmap::thirdRunAddedThenRemoved() {
  RunModel a, b, c;
  fillModel(a);
  fillRunB(b);
  fillRunB(c, "C", 2, kL, kH, kHd, 5.0);
  PRHeatmap v({&a, &b});
  v.refreshNow();
  QVERIFY(v.map(2) == nullptr);
  v.setRuns({&a, &b, &c});
  v.refreshNow();
  QVERIFY(v.map(2) != nullptr);
  QCOMPARE(v.map(2)->data()->data(3, 1), prB(1, kActK, 1, 3, 5.0));  // C's latest: step 30
  QCOMPARE(v.map(2)->colorScale(), v.colorScale());
  QCOMPARE(v.referenceRun(), 0);
  QCOMPARE(v.otherRun(), 1);
  // With three runs the pair is a choice: C - A.
  v.setPair(0, 2);
  v.refreshNow();
  QCOMPARE(v.difference()[5], prB(1, kActK, 1, 1, 5.0) - prSv(2, kActK, 1, 1));
  QCOMPARE(csvLinesOf(v.csv()).size() - 1, 3 * kL * kH + kL * kH);
  v.setRuns({&a, &b});
  v.refreshNow();
  QVERIFY(v.map(2) == nullptr);
  QCOMPARE(v.otherRun(), 1);  // the pair falls back to the two runs
  QCOMPARE(v.difference()[5], prB(2, kActK, 1, 1) - prSv(2, kActK, 1, 1));
  QCOMPARE(csvLinesOf(v.csv()).size() - 1, 2 * kL * kH + kL * kH);
}

void TestPRHeatmap::liveRunGrows() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b, "B", 2);
  PRHeatmap v({&a, &b});
  v.refreshNow();
  QCOMPARE(v.map(1)->data()->data(0, 0), prB(1, kActK, 0, 0));
  const QPointer<QCPAxisRect> rectBefore = v.mapRect(1);
  QVector<double> aBefore;
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) aBefore << v.map(0)->data()->data(h, l);
  RunModel more;
  fillRunB(more, "B", 3);
  b.appendSnapshot(more.snapshots()[2]);  // step 45 arrives
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(1), 2);
  for (int l = 0; l < kL; ++l)
    for (int h = 0; h < kH; ++h) {
      QCOMPARE(v.map(1)->data()->data(h, l), prB(2, kActK, l, h));
      QCOMPARE(v.map(0)->data()->data(h, l), aBefore[l * kH + h]);
    }
  QVERIFY(rectBefore);  // same layout: only the data was refilled
  QCOMPARE(v.mapRect(1), rectBefore.data());
}

void TestPRHeatmap::clicksOnAnyRunsMap() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  PRHeatmap v({&a, &b});
  showView(v);
  QSignalSpy layers(&v, &PRHeatmap::layerClicked), heads(&v, &PRHeatmap::headClicked);
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, cellPixel(v.mapRect(1), 1, 3));
  QCOMPARE(heads.count(), 1);
  QCOMPARE(heads.at(0).at(0).toInt(), 1);
  QCOMPARE(heads.at(0).at(1).toInt(), 3);
  QCOMPARE(layers.count(), 1);
  QTest::mouseClick(v.plot(), Qt::LeftButton, Qt::NoModifier, cellPixel(v.mapRect(0), 0, 2));
  QCOMPARE(heads.count(), 2);
  QCOMPARE(heads.at(1).at(0).toInt(), 0);
  QCOMPARE(heads.at(1).at(1).toInt(), 2);
}

void TestPRHeatmap::hoverAndValueTexts() {
  RunModel a, b;
  fillModel(a);
  fillRunB(b);
  PRHeatmap v({&a, &b});
  showView(v);
  hover(v, cellPixel(v.mapRect(1), 1, 2));
  QString text = v.hoverText();
  QVERIFY2(text.startsWith("B (step 45) · layer 1, head 2: PR_sv of k = "), qPrintable(text));
  QVERIFY2(text.endsWith(QString::number(prB(2, kActK, 1, 2), 'g', 4)), qPrintable(text));
  hover(v, cellPixel(v.differenceRect(), 0, 1));
  text = v.hoverText();
  QVERIFY2(text.startsWith("B − synthetic · layer 0, head 1: Δ PR_sv of k = "), qPrintable(text));
  QVERIFY2(text.endsWith(QString::number(prB(2, kActK, 0, 1) - prSv(2, kActK, 0, 1), 'g', 4)),
           qPrintable(text));
  hover(v, QPoint(1, 1));
  QCOMPARE(v.hoverText(), QString());
  // 2 x 4 cells at 1000 x 600 are large: every cell of both maps and B - A shows its value.
  QCOMPARE(v.valueTextCount(), 3 * kL * kH);
  // Many small cells (12 layers x 32 heads): no texts there; the time map's 3 x 12 cells are
  // still large enough.
  RunModel big;
  fillRunB(big, "big", 3, 12, 32);
  v.setRuns({&big});
  showView(v);
  QCOMPARE(v.valueTextCount(), 3 * 12);
  hover(v, cellPixel(v.mapRect(0), 11, 31));
  QVERIFY2(v.hoverText().startsWith("big (step 45) · layer 11, head 31"),
           qPrintable(v.hoverText()));
  // The single-run time map hovers too.
  hover(v, cellPixel(v.timeRect(), 5, 1));
  QVERIFY2(v.hoverText().startsWith("big · layer 5, step 30: mean PR_sv of k over heads = "),
           qPrintable(v.hoverText()));
}

// Long run labels in a narrow dock: each map's title is elided to its share of the width (a long
// title would widen its column and squeeze the others to slivers), the maps keep equal widths,
// and the hover read-out names the run in full.
void TestPRHeatmap::longLabelsElidedInNarrowView() {
  RunModel a, b, c;
  fillModel(a);
  fillModel(b);
  fillModel(c);
  const QString longA = QStringLiteral("Muon (VO+FFN) + QK-norm · lr_muon=0.02, seed 1337 · run A");
  a.setDisplayName(longA);
  b.setDisplayName(QStringLiteral("AdamW · lr_adamw=0.003, batch_size=16 (3 seeds) · run B"));
  c.setDisplayName(QStringLiteral("C"));
  PRHeatmap v({&a, &b, &c});
  v.resize(480, 360);
  v.show();
  QVERIFY(QTest::qWaitForWindowExposed(&v));
  v.refreshNow();
  v.plot()->replot();
  const QStringList texts = textElements(v);
  bool elided = false;
  for (const QString& t : texts) {
    QVERIFY2(!t.startsWith(longA), qPrintable(t));
    elided = elided || t.contains(QStringLiteral("…"));
  }
  QVERIFY(elided);
  const double w0 = v.mapRect(0)->width(), w1 = v.mapRect(1)->width(), w2 = v.mapRect(2)->width();
  QVERIFY2(w0 > 20 && std::abs(w0 - w1) <= 2 && std::abs(w1 - w2) <= 2,
           qPrintable(QStringLiteral("%1 %2 %3").arg(w0).arg(w1).arg(w2)));
  hover(v, cellPixel(v.mapRect(0), 1, 2));
  QVERIFY2(v.hoverText().startsWith(longA), qPrintable(v.hoverText()));
}

QTEST_MAIN(TestPRHeatmap)
#include "test_pr_heatmap.moc"
