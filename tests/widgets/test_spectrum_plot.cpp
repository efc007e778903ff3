// SpectrumPlot suite (offscreen): the spectra view of 1..N runs on synthetic runs with known
// values (WidgetTestData.h; a second run B holds the same snapshots with every singular value
// times 3 and eRank + 100). One run: the selected matrix with earlier snapshots overlaid, all
// matrices on one plot, the per-head composites as one curve per head with their table, the
// ESD with its power-law fit (slope -alpha), the metrics text. N runs: each run's curve at its
// snapshot nearest to the step, one panel per matrix / head, runs that lack the layer listed as
// missing, normalisation, a run added / removed with setRuns, a live run growing while the other
// stays put, the per-run metrics table, the CSV formats (CompareSpectrum's 7 columns), and a
// readable layout in a 700 x 400 dock (legend outside the axis rects, the plot wider than the
// metrics, nothing squeezed).
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "RunModel.h"
#include "SpectrumPlot.h"
#include "StepSlider.h"
#include "common/MatrixLabel.h"

#include "WidgetTestData.h"

using namespace ms;

namespace {

constexpr float kScaleB = 3.0f;  // run B: singular values times 3
constexpr double kErankB = 100;  // run B: eRank + 100

Snapshot snapshotB(int k) {
  Snapshot s = makeSnapshot(k);
  for (LayerMetrics& lm : s.layers) {
    for (SpectrumMetrics& m : lm.matrices) {
      for (float& v : m.sv) v *= kScaleB;
      m.erank += kErankB;
      m.alpha_xmin *= double(kScaleB) * kScaleB;
    }
    for (auto* heads : {&lm.qk_heads, &lm.ov_heads})
      for (SpectrumMetrics& h : *heads) {
        for (float& v : h.sv) v *= kScaleB;
        h.erank += kErankB;
      }
  }
  return s;
}

// Run B: same shapes, 3 snapshots at steps 10, 20, 30 (k < count), values of snapshotB.
void fillModelB(RunModel& m, int count = 3) {
  m.setDisplayName("B");
  m.setInfo(makeInfo());
  for (int k = 0; k < count; ++k) m.appendSnapshot(snapshotB(k));
}

QComboBox* comboWithText(QWidget& w, const QString& text) {
  for (QComboBox* c : w.findChildren<QComboBox*>())
    if (c->findText(text) >= 0) return c;
  return nullptr;
}

// The curve of run r for item (not an overlay); nullptr when not drawn.
const SpectrumPlot::Curve* curveOf(const SpectrumPlot& v, int r, const QString& item) {
  for (const auto& c : v.curves())
    if (c.run == r && c.matrix == item && !c.overlay) return &c;
  return nullptr;
}

}  // namespace

class TestSpectrumPlot : public QObject {
  Q_OBJECT
 private slots:
  void singleRunShowsLayerValues();
  void singleRunPerHeadComposites();
  void singleRunEsdWithPowerLawFit();
  void paletteChangeRestyles();
  void modelSwapAndDeletion();
  void twoRunsOverlaid();
  void twoRunsPanelsAndCsv();
  void runAddedAndRemoved();
  void liveRunGrows();
  void missingLayerListed();
  void normalized();
  void stepMovesEveryRun();
  void esdOfTwoRuns();
  void readableLayoutInDock();
  void exportsTwoRuns();
};

// One run, mlp.in of layer 1 at snapshot 1: exactly its values, snapshot 0 overlaid, the
// metrics text; all matrices of layer 0 at the latest snapshot; the CSV.
void TestSpectrumPlot::singleRunShowsLayerValues() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  v.setLayer(1);
  v.setMatrixName("mlp.in");  // 64 singular values
  v.setStep(20);              // snapshot 1
  v.refreshNow();
  QCOMPARE(v.snapshotIndexOf(0), 1);
  QCOMPARE(v.matrix(), 4);
  QCOMPARE(v.currentGraphs().size(), 1);
  const QCPGraph* g = v.currentGraphs().front();
  const auto& want = m.snapshots()[1].layers[1].matrices[4].sv;
  const QVector<double> keys = keysOf(g), vals = valuesOf(g);
  QCOMPARE(vals.size(), int(want.size()));
  for (int i = 0; i < vals.size(); ++i) {
    QCOMPARE(keys[i], double(i + 1));
    QCOMPARE(vals[i], double(want[i]));
  }
  QCOMPARE(g->pen().color(), v.runColor(0));
  QVERIFY(v.metricsText().contains(QString::number(erank(1, 1, 4), 'g', 4)));
  QVERIFY(v.metricsText().contains("mlp.in (256 × 64)"));
  QVERIFY(v.metricsText().contains("stable rank  1.9"));
  QVERIFY(v.metricsText().contains("KS distance  0.09"));
  QCOMPARE(v.overlayGraphs().size(), 1);  // snapshot 0 under snapshot 1
  QCOMPARE(valuesOf(v.overlayGraphs().front()).front(), double(sv(0, 1, 4, 0)));
  QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
  QCOMPARE(v.panelCount(), 1);

  // All matrices of layer 0 at the latest snapshot: one graph per matrix, in order.
  v.setMatrix(-1);
  v.setLayer(0);
  v.setStep(-1);
  v.refreshNow();
  QCOMPARE(v.matrixName(), QString());
  QCOMPARE(v.panelCount(), 1);
  QCOMPARE(v.currentGraphs().size(), int(kNames.size()));
  QVERIFY(v.overlayGraphs().isEmpty());
  for (int mi = 0; mi < int(kNames.size()); ++mi) {
    QCOMPARE(valuesOf(v.currentGraphs()[mi]), [&] {
      QVector<double> w;
      for (float x : m.snapshots()[2].layers[0].matrices[mi].sv) w << double(x);
      return w;
    }());
    QVERIFY(v.metricsText().contains(QString::number(erank(2, 0, mi), 'g', 4)));
  }
  QCOMPARE(v.currentGraphs()[6]->name(), QString("qk (sum over heads)"));
  QVERIFY(v.metricsText().contains("* sum over heads"));
  QCOMPARE(v.legend()->itemCount(), int(kNames.size()));
  v.setMatrix(7);
  QCOMPARE(v.matrixName(), QString("vo"));
  // CSV: one row per plotted singular value, CompareSpectrum's columns.
  v.setOverlayEarlier(false);
  v.refreshNow();
  const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(rows.size(), 1 + 64);
  QCOMPARE(rows[0], QString("run,label,step,layer,matrix,rank,sigma"));
  QCOMPARE(rows[1], QString("0,synthetic,30,0,vo,1,%1").arg(double(sv(2, 0, 7, 0))));
  v.setOverlayEarlier(true);
  v.refreshNow();
  QCOMPARE(v.csv().split('\n', Qt::SkipEmptyParts).size(), 1 + 3 * 64);  // 2 overlays
}

// The user picks "W_QK^h per head" in the matrix combo: one curve per head with that head's
// head_dim singular values, a legend entry per head and a per-head metrics table; then W_OV^h;
// a matrix entry leaves the per-head view; a run without the per-head values (an older file)
// shows a note instead of empty curves.
void TestSpectrumPlot::singleRunPerHeadComposites() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  showView(v);
  v.setLayer(1);
  v.setStep(20);
  QComboBox* combo = comboWithText(v, "W_QK^h per head");
  QVERIFY(combo);
  QCOMPARE(combo->itemText(7), QString("qk (sum over heads)"));  // after All, 6 block matrices
  QCOMPARE(combo->itemText(8), QString("vo (sum over heads)"));
  for (int kind = 0; kind < 2; ++kind) {
    combo->setCurrentIndex(combo->findText(kind == 0 ? "W_QK^h per head" : "W_OV^h per head"));
    v.refreshNow();
    QCOMPARE(v.headComposite(),
             kind == 0 ? int(SpectrumPlot::kHeadsQK) : int(SpectrumPlot::kHeadsOV));
    QCOMPARE(v.matrixName(), QString(kind == 0 ? "heads:qk" : "heads:ov"));
    QCOMPARE(v.currentGraphs().size(), kH);
    QCOMPARE(v.panelCount(), 1);
    QVERIFY(v.overlayGraphs().isEmpty());
    QCOMPARE(v.plot()->graphCount(), kH);
    QCOMPARE(v.legend()->itemCount(), kH);
    for (int h = 0; h < kH; ++h) {
      const QCPGraph* g = v.currentGraphs()[h];
      QCOMPARE(g->name(), QString("head %1").arg(h));
      QVERIFY(v.legend()->hasItemWithPlottable(g));
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
    QCOMPARE(rows[0], QString("run,label,step,layer,matrix,rank,sigma"));
    QCOMPARE(rows[1], QString("0,synthetic,20,1,heads:%1:0,1,%2")
                          .arg(kind == 0 ? "qk" : "ov")
                          .arg(headSv(1, 1, kind, 0, 0)));
    for (const QString& r : rows) QCOMPARE(r.count(','), 6);
  }
  // Back to a matrix: the single-matrix view again.
  combo->setCurrentIndex(combo->findData(QString("mlp.in")));
  v.refreshNow();
  QCOMPARE(v.headComposite(), int(SpectrumPlot::kNoHeads));
  QCOMPARE(v.matrix(), 4);
  QCOMPARE(v.currentGraphs().size(), 1);
  // setHeadComposite(kNoHeads) returns to the last matrix.
  v.setHeadComposite(SpectrumPlot::kHeadsOV);
  v.setHeadComposite(SpectrumPlot::kNoHeads);
  QCOMPARE(v.matrixName(), QString("mlp.in"));

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
    note = note || l->text().contains("no per-head composites");
  QVERIFY(note);
}

// ESD view of mlp.in (256 x 64) at snapshot 1: log-log axes (log tickers), a density that
// integrates to 1 (from the CSV's bins), and the fitted power law: a line from lambda_min to
// lambda_max whose log-log slope is -alpha, near the points above lambda_min, named with alpha in
// the legend; the metrics text and the CSV carry alpha, weighted alpha and KS. All matrices: one
// ESD and one fit each. Back to singular values, and the per-head composites (no ESD) disable the
// combo.
void TestSpectrumPlot::singleRunEsdWithPowerLawFit() {
  RunModel m;
  fillModel(m);
  SpectrumPlot v(&m);
  showView(v);
  v.setLayer(1);
  v.setMatrixName("mlp.in");
  v.setStep(20);
  QComboBox* combo = nullptr;
  for (QComboBox* c : v.findChildren<QComboBox*>())
    if (c->count() == 2 && c->itemText(1).startsWith("ESD")) combo = c;
  QVERIFY(combo);
  combo->setCurrentIndex(combo->findData(int(SpectrumPlot::kEsd)));
  v.refreshNow();
  QCOMPARE(v.view(), int(SpectrumPlot::kEsd));
  QCPAxisRect* rect = v.panel(0);
  QCPAxis* xAxis = rect->axis(QCPAxis::atBottom);
  QCPAxis* yAxis = rect->axis(QCPAxis::atLeft);
  QCOMPARE(xAxis->scaleType(), QCPAxis::stLogarithmic);
  QCOMPARE(yAxis->scaleType(), QCPAxis::stLogarithmic);
  QVERIFY(xAxis->ticker().dynamicCast<QCPAxisTickerLog>());
  QVERIFY(yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
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
  const double lmin = double(sv(1, 1, 4, 63)) * sv(1, 1, 4, 63);
  for (int i = 0; i < px.size(); ++i) {
    QVERIFY(px[i] > lmin * 0.99 && px[i] < lmax * 1.01);
    QVERIFY(py[i] > 0);
  }
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
  QVERIFY(v.legend()->hasItemWithPlottable(fit));
  QVERIFY(v.legend()->hasItemWithPlottable(pts));
  QVERIFY(v.metricsText().contains(QString::number(a, 'g', 4)));
  QVERIFY(v.metricsText().contains("KS distance  0.09"));
  // CSV: one row per bin with the fit; the densities integrate to 1.
  const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(rows[0], QString("run,label,step,layer,matrix,lambda_lo,lambda_hi,density,alpha,"
                            "alpha_weighted,alpha_ks,alpha_xmin"));
  QCOMPARE(rows.size(), 1 + px.size());
  double mass = 0;
  for (int i = 1; i < rows.size(); ++i) {
    const QStringList c = rows[i].split(',');
    QCOMPARE(c.size(), 12);
    QCOMPARE(c[2], QString("20"));
    QCOMPARE(c[4], QString("mlp.in"));
    const double lo = c[5].toDouble(), hi = c[6].toDouble(), d = c[7].toDouble();
    QVERIFY(std::abs(std::sqrt(lo * hi) / px[i - 1] - 1) < 1e-9);  // 10 digits in the CSV
    mass += d * (hi - lo);
    QVERIFY(std::abs(c[8].toDouble() / a - 1) < 1e-9);
    QVERIFY(std::abs(c[11].toDouble() / xmin - 1) < 1e-9);
  }
  QVERIFY(std::abs(mass - 1) < 1e-8);

  // All matrices: an ESD and a fit each; the fits stay out of the legend.
  v.setMatrixName(QString());
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), int(kNames.size()));
  QCOMPARE(v.fitGraphs().size(), int(kNames.size()));
  QCOMPARE(v.legend()->itemCount(), int(kNames.size()));
  for (int mi = 0; mi < int(kNames.size()); ++mi) {
    QVERIFY(v.fitGraphs()[mi]);
    QCOMPARE(v.currentGraphs()[mi]->name(), QString::fromStdString(matrix_name_label(kNames[mi])));
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
  w.setMatrixName("attn.v");
  w.refreshNow();
  QCOMPARE(w.currentGraphs().size(), 1);
  QCOMPARE(w.fitGraphs().size(), 1);
  QVERIFY(w.fitGraphs()[0] == nullptr);
  QVERIFY(!keysOf(w.currentGraphs()[0]).isEmpty());

  // Back to singular values: linear rank axis, sigma values, no fits.
  combo->setCurrentIndex(combo->findData(int(SpectrumPlot::kSingularValues)));
  v.setMatrixName("mlp.in");
  v.refreshNow();
  QCOMPARE(v.view(), int(SpectrumPlot::kSingularValues));
  QCOMPARE(v.panel(0)->axis(QCPAxis::atBottom)->scaleType(), QCPAxis::stLinear);
  QVERIFY(v.fitGraphs().isEmpty());
  QCOMPARE(valuesOf(v.currentGraphs()[0]).front(), double(sv(1, 1, 4, 0)));
  // Per-head composites: no ESD, the combo is disabled and the plot shows singular values.
  v.setView(SpectrumPlot::kEsd);
  v.setHeadComposite(SpectrumPlot::kHeadsQK);
  v.refreshNow();
  QVERIFY(!combo->isEnabled());
  QCOMPARE(v.panel(0)->axis(QCPAxis::atBottom)->scaleType(), QCPAxis::stLinear);
  QCOMPARE(v.currentGraphs().size(), kH);
  QVERIFY(v.csv().startsWith("run,label,step,layer,matrix,rank,sigma\n"));
}

void TestSpectrumPlot::paletteChangeRestyles() {
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
  v.refreshNow();
  QCOMPARE(v.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
  QCOMPARE(v.plot()->yAxis->labelColor(), QColor(230, 230, 230));
  QCOMPARE(v.plot()->xAxis->basePen().color(), QColor(230, 230, 230));
  QImage img = v.plot()->toPixmap(300, 200).toImage();
  QCOMPARE(QColor(img.pixel(1, 1)), QColor(30, 30, 30));  // background follows Base
  // The series colour is lifted for dark backgrounds.
  QVERIFY(v.currentGraphs().front()->pen().color().lightness() > QColor(0x1f77b4).lightness());
  // The metrics text follows the palette.
  QVERIFY(!v.metricsText().isEmpty());
  for (QCPLayoutElement* el : v.plot()->plotLayout()->elements(true))
    if (auto* t = qobject_cast<QCPTextElement*>(el))
      QCOMPARE(t->textColor(), QColor(230, 230, 230));
}

void TestSpectrumPlot::modelSwapAndDeletion() {
  auto* m = new RunModel;
  fillModel(*m);
  SpectrumPlot spec(m);
  spec.refreshNow();
  QCOMPARE(spec.currentGraphs().size(), int(kNames.size()));
  RunModel other;
  RunInfo info = makeInfo();
  info.n_layer = 1;
  other.setInfo(info);
  Snapshot s = makeSnapshot(1);
  s.layers.resize(1);
  other.appendSnapshot(s);
  spec.setModel(&other);
  spec.setLayer(1);  // out of range for this run: listed as missing, no crash
  spec.refreshNow();
  QVERIFY(spec.currentGraphs().isEmpty());
  QCOMPARE(spec.missing().size(), 1);
  QVERIFY(spec.missing()[0].contains("no layer 1"));
  spec.setModel(m);
  spec.refreshNow();
  QCOMPARE(spec.currentGraphs().size(), int(kNames.size()));
  delete m;  // the view must survive its model going away
  spec.refreshNow();
  QVERIFY(spec.model() == nullptr);
  QVERIFY(spec.currentGraphs().isEmpty());
  QVERIFY(spec.csv().startsWith("run,"));
}

// Two runs, one matrix: both curves on one plot in the runs' colours, each exactly its run's
// values at its latest snapshot; no earlier-snapshot overlays; the legend names each run; the
// metrics are a table with a row per run.
void TestSpectrumPlot::twoRunsOverlaid() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v({&a, &b});
  v.setLayer(1);
  v.setMatrixName("vo");
  v.refreshNow();
  QCOMPARE(v.shownMatrices(), QStringList{"vo"});
  QCOMPARE(v.panelCount(), 1);
  QCOMPARE(v.curves().size(), 2);
  QVERIFY(v.overlayGraphs().isEmpty());
  for (int r = 0; r < 2; ++r) {
    const auto* c = curveOf(v, r, "vo");
    QVERIFY(c);
    QCOMPARE(c->step, qint64(30));
    QCOMPARE(c->graph->pen().color(), v.runColor(r));
    QCOMPARE(c->graph->keyAxis(), v.panel(0)->axis(QCPAxis::atBottom));
    const QVector<double> vals = valuesOf(c->graph);
    QCOMPARE(vals.size(), 64);
    for (int i = 0; i < 64; ++i)
      QCOMPARE(vals[i], double(r == 0 ? sv(2, 1, 7, i) : sv(2, 1, 7, i) * kScaleB));
    QVERIFY(v.legend()->hasItemWithPlottable(c->graph));
    QVERIFY(c->graph->name().startsWith(v.runLabel(r)));
  }
  const QStringList lines = v.metricsText().split('\n');
  QCOMPARE(lines.size(), 3);  // header + a row per run
  QVERIFY(lines[0].startsWith("run"));
  QVERIFY(lines[0].contains("eRank") && lines[0].contains("s.rank") && lines[0].contains("alpha"));
  QVERIFY(lines[1].startsWith("synthetic"));
  QVERIFY(lines[1].contains(QString::number(erank(2, 1, 7), 'g', 4)));
  QVERIFY(lines[2].startsWith("B "));
  QVERIFY(lines[2].contains(QString::number(erank(2, 1, 7) + kErankB, 'g', 4)));
  QVERIFY(lines[2].contains(QString::number(alpha(2, 1, 7), 'g', 4)));
  QVERIFY(!v.findChildren<QCheckBox*>().isEmpty());
  for (QCheckBox* c : v.findChildren<QCheckBox*>())
    if (c->text() == "Earlier") QVERIFY(!c->isEnabled());
}

// Two runs, all matrices: one panel per matrix kind, both runs in each (16 curves), the CSV of
// the headless export (2*8*64 rows x 7 columns); per-head composites: one panel per head.
void TestSpectrumPlot::twoRunsPanelsAndCsv() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v({&a, &b});
  v.setLayer(1);
  v.refreshNow();
  QCOMPARE(v.shownMatrices().size(), 8);
  QCOMPARE(v.panelCount(), 8);
  QCOMPARE(v.curves().size(), 16);
  for (int mi = 0; mi < 8; ++mi)
    for (int r = 0; r < 2; ++r) {
      const auto* c = curveOf(v, r, QString::fromStdString(kNames[mi]));
      QVERIFY(c);
      QCOMPARE(c->graph->keyAxis(), v.panel(mi)->axis(QCPAxis::atBottom));
      QCOMPARE(c->graph->pen().color(), v.runColor(r));  // runs by colour, in every panel
      QCOMPARE(valuesOf(c->graph).front(), double(sv(2, 1, mi, 0) * (r == 0 ? 1 : kScaleB)));
    }
  QCOMPARE(v.legend()->itemCount(), 2);  // each run once
  const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(rows.size(), 1 + 2 * 8 * 64);
  for (const QString& r : rows) QCOMPARE(r.count(','), 6);
  QCOMPARE(rows[1], QString("0,synthetic,30,1,attn.q,1,%1").arg(double(sv(2, 1, 0, 0))));
  // The metrics: eRank and alpha per matrix, a row per run.
  QVERIFY(v.metricsText().contains(QString::number(erank(2, 1, 5) + kErankB, 'g', 4)));

  v.setMatrixName(SpectrumPlot::kMatrixHeadsOV);
  v.refreshNow();
  QCOMPARE(v.shownMatrices(),
           (QStringList{"heads:ov:0", "heads:ov:1", "heads:ov:2", "heads:ov:3"}));
  QCOMPARE(v.panelCount(), kH);
  QCOMPARE(v.curves().size(), 2 * kH);
  for (const auto& c : v.curves()) {
    const int h = c.matrix.back().digitValue();
    QCOMPARE(c.graph->dataCount(), kHd);
    QCOMPARE(c.graph->keyAxis(), v.panel(h)->axis(QCPAxis::atBottom));
    QCOMPARE((c.graph->data()->constBegin() + 2)->value,
             double(headSv(2, 1, 1, h, 2) * (c.run == 0 ? 1 : kScaleB)));
  }
  QVERIFY(v.missing().isEmpty());
  QVERIFY(v.metricsText().contains(QString::number(headErank(2, 1, 1, 3) + kErankB, 'g', 4)));
  const QStringList hrows = v.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(hrows.size(), 1 + 2 * kH * kHd);
  for (const QString& r : hrows) QCOMPARE(r.count(','), 6);
}

// setRuns with a third run draws it (its colour index), removing it removes it; one run again
// brings back the single-run view.
void TestSpectrumPlot::runAddedAndRemoved() {
  RunModel a, b, c;
  fillModel(a);
  fillModelB(b);
  c.setDisplayName("C");
  c.setInfo(makeInfo());
  for (int k = 0; k < 3; ++k) {
    Snapshot s = makeSnapshot(k);
    for (LayerMetrics& lm : s.layers)
      for (SpectrumMetrics& m : lm.matrices)
        for (float& x : m.sv) x *= 7;
    c.appendSnapshot(s);
  }
  SpectrumPlot v({&a, &b});
  v.setMatrixName("attn.k");
  v.refreshNow();
  QCOMPARE(v.curves().size(), 2);
  v.setRuns({&a, &b, &c}, {0, 1, 5});
  v.refreshNow();
  QCOMPARE(v.curves().size(), 3);
  const auto* cc = curveOf(v, 2, "attn.k");
  QVERIFY(cc);
  QCOMPARE(cc->graph->pen().color(), v.runColor(2));
  QCOMPARE(v.runColor(2), v.runColor(2));
  QCOMPARE(valuesOf(cc->graph).front(), double(sv(2, 0, 1, 0) * 7));
  QCOMPARE(v.metricsText().split('\n').size(), 4);
  v.setRuns({&a, &b});
  v.refreshNow();
  QCOMPARE(v.curves().size(), 2);
  QVERIFY(!curveOf(v, 2, "attn.k"));
  QCOMPARE(v.plot()->graphCount(), 2);
  v.setRuns({&a});
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), 1);
  QCOMPARE(v.overlayGraphs().size(), 2);  // one run, one matrix: earlier snapshots again
  QVERIFY(v.metricsText().contains("attn.k (64 × 64)"));
}

// A live run B gets a new snapshot after the first draw: following the latest, B's curve moves
// to it, A's stays the same, the slider gains the step.
void TestSpectrumPlot::liveRunGrows() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b, 2);  // steps 10, 20 so far
  SpectrumPlot v({&a, &b});
  v.setMatrixName("mlp.out");
  v.refreshNow();
  const QVector<double> a0 = valuesOf(curveOf(v, 0, "mlp.out")->graph);
  QCOMPARE(curveOf(v, 1, "mlp.out")->step, qint64(20));
  QCOMPARE(v.stepSlider()->steps(), (std::vector<int64_t>{10, 20, 30}));
  Snapshot s = snapshotB(2);
  s.step = 40;
  b.appendSnapshot(s);
  QVERIFY(v.refreshPending());
  v.refreshNow();
  QCOMPARE(v.stepSlider()->steps(), (std::vector<int64_t>{10, 20, 30, 40}));
  QCOMPARE(curveOf(v, 1, "mlp.out")->step, qint64(40));
  QCOMPARE(valuesOf(curveOf(v, 1, "mlp.out")->graph).front(), double(sv(2, 0, 5, 0) * kScaleB));
  QCOMPARE(curveOf(v, 0, "mlp.out")->step, qint64(30));
  QCOMPARE(valuesOf(curveOf(v, 0, "mlp.out")->graph), a0);
  QVERIFY(v.metricsText().split('\n')[2].contains(" 40 "));
}

// A run without the layer: drawn for the other, the missing one named in a note that is part of
// the plot (exports).
void TestSpectrumPlot::missingLayerListed() {
  RunModel a, c;
  fillModel(a);
  RunInfo info = makeInfo();
  info.n_layer = 1;
  c.setDisplayName("C");
  c.setInfo(info);
  Snapshot s = makeSnapshot(0);
  s.layers.resize(1);
  c.appendSnapshot(s);
  SpectrumPlot v({&c, &a});
  v.setLayer(1);
  v.setMatrixName("attn.q");
  v.refreshNow();
  QCOMPARE(v.curves().size(), 1);
  QCOMPARE(v.curves()[0].run, 1);
  QCOMPARE(v.missing().size(), 1);
  QVERIFY(v.missing()[0].contains("C: no layer 1 (it has 1)"));
  bool note = false;
  for (QCPLayoutElement* el : v.plot()->plotLayout()->elements(true))
    if (auto* t = qobject_cast<QCPTextElement*>(el))
      note = note || t->text().contains("Not drawn: C: no layer 1");
  QVERIFY(note);
  QCOMPARE(v.metricsText().split('\n').size(), 2);  // header + the run drawn
  // A matrix one run lacks.
  v.setLayer(0);
  v.setMatrixName("mlp.gate");
  v.refreshNow();
  QVERIFY(v.curves().isEmpty());
  QCOMPARE(v.missing().size(), 2);
  QVERIFY(v.missing()[1].contains("synthetic: no mlp.gate"));
}

// sigma_i / sigma_1 for one and for two runs; the CSV keeps the stored sigma.
void TestSpectrumPlot::normalized() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v(&a);
  v.setMatrixName("attn.o");
  v.setNormalized(true);
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), 1);
  QVector<double> y = valuesOf(v.currentGraphs()[0]);
  for (int i = 0; i < y.size(); ++i)
    QCOMPARE(y[i], double(sv(2, 0, 3, i)) / double(sv(2, 0, 3, 0)));
  QCOMPARE(valuesOf(v.overlayGraphs()[0]).front(), 1.0);
  QVERIFY(v.panel(0)->axis(QCPAxis::atLeft)->label().contains("σ_1"));
  v.setRuns({&a, &b});
  v.refreshNow();
  for (int r = 0; r < 2; ++r) {
    y = valuesOf(curveOf(v, r, "attn.o")->graph);
    const float top = r == 0 ? sv(2, 0, 3, 0) : sv(2, 0, 3, 0) * kScaleB;
    for (int i = 0; i < y.size(); ++i)
      QCOMPARE(y[i], double(r == 0 ? sv(2, 0, 3, i) : sv(2, 0, 3, i) * kScaleB) / double(top));
  }
  QVERIFY(v.csv().split('\n')[1].endsWith(QString(",%1").arg(double(sv(2, 0, 3, 0)))));
  v.setNormalized(false);
  v.refreshNow();
  QCOMPARE(valuesOf(curveOf(v, 1, "attn.o")->graph).front(), double(sv(2, 0, 3, 0) * kScaleB));
}

// setStep moves every run to its snapshot nearest to the step (B has steps 10, 20 only); the
// slider emits stepChanged; the slider can be hidden.
void TestSpectrumPlot::stepMovesEveryRun() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b, 2);
  SpectrumPlot v({&a, &b});
  v.setMatrixName("attn.q");
  QSignalSpy spy(&v, &SpectrumPlot::stepChanged);
  v.setStep(30);
  v.refreshNow();
  QCOMPARE(v.step(), qint64(30));
  QCOMPARE(curveOf(v, 0, "attn.q")->step, qint64(30));
  QCOMPARE(curveOf(v, 1, "attn.q")->step, qint64(20));
  QCOMPARE(valuesOf(curveOf(v, 1, "attn.q")->graph).front(), double(sv(1, 0, 0, 0) * kScaleB));
  v.setStep(10);
  v.refreshNow();
  QCOMPARE(curveOf(v, 0, "attn.q")->step, qint64(10));
  QCOMPARE(valuesOf(curveOf(v, 0, "attn.q")->graph).front(), double(sv(0, 0, 0, 0)));
  QCOMPARE(curveOf(v, 1, "attn.q")->step, qint64(10));
  // The user drags the slider to the second step.
  v.stepSlider()->slider()->setValue(1);
  QVERIFY(!spy.isEmpty());
  QCOMPARE(spy.back().at(0).toLongLong(), qint64(20));
  QCOMPARE(v.step(), qint64(20));
  v.refreshNow();
  QCOMPARE(curveOf(v, 0, "attn.q")->step, qint64(20));
  v.setStepControlVisible(false);
  QVERIFY(v.stepSlider()->isHidden());
}

// ESD of two runs: each run's points and fit in its colour (the fit dashed), one panel; all
// matrices: one panel per matrix with both runs.
void TestSpectrumPlot::esdOfTwoRuns() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v({&a, &b});
  v.setView(SpectrumPlot::kEsd);
  v.setLayer(1);
  v.setMatrixName("mlp.in");
  v.refreshNow();
  QCOMPARE(v.currentGraphs().size(), 2);
  QCOMPARE(v.fitGraphs().size(), 2);
  for (int r = 0; r < 2; ++r) {
    const auto* c = curveOf(v, r, "mlp.in");
    QVERIFY(c && c->fit);
    QCOMPARE(c->graph->pen().color(), v.runColor(r));
    QCOMPARE(c->fit->pen().color(), v.runColor(r));
    QCOMPARE(c->fit->pen().style(), Qt::DashLine);
    // Points span this run's eigenvalues; the fit starts at its lambda_min.
    const double s2 = r == 0 ? 1.0 : double(kScaleB) * kScaleB;
    const QVector<double> px = keysOf(c->graph);
    QVERIFY(px.front() > double(sv(2, 1, 4, 63)) * sv(2, 1, 4, 63) * s2 * 0.99);
    QVERIFY(px.back() < double(sv(2, 1, 4, 0)) * sv(2, 1, 4, 0) * s2 * 1.01);
    QVERIFY(std::abs(keysOf(c->fit).front() / (alphaXmin(2, 1, 4) * s2) - 1) < 1e-9);
  }
  const QStringList rows = v.csv().split('\n', Qt::SkipEmptyParts);
  for (const QString& r : rows) QCOMPARE(r.count(','), 11);
  QVERIFY(rows.last().startsWith("1,B,30,1,mlp.in,"));
  v.setMatrixName(QString());
  v.refreshNow();
  QCOMPARE(v.panelCount(), 8);
  QCOMPARE(v.currentGraphs().size(), 16);
  QCOMPARE(v.panel(3)->axis(QCPAxis::atBottom)->scaleType(), QCPAxis::stLogarithmic);
}

// In a 700 x 400 dock: the legend sits outside every axis rect, the plot takes most of the
// width, the metrics are under it, and no element is squeezed below its minimum size (which
// would clip tick labels, axis titles or text) or leaves the viewport. Also for two runs with
// all matrices (8 panels).
void TestSpectrumPlot::readableLayoutInDock() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v(&a);
  v.resize(700, 400);
  v.show();
  QVERIFY(QTest::qWaitForWindowExposed(&v));
  // The controls row fits the dock (with the step slider shown; the main window hides it).
  QVERIFY(v.minimumSizeHint().width() <= 700);
  QCOMPARE(v.width(), 700);
  for (const int view : {int(SpectrumPlot::kSingularValues), int(SpectrumPlot::kEsd)})
    for (const QString& matrix : {QString("mlp.in"), QString(), QString("heads:qk")})
      for (int runs : {1, 2}) {
        v.setView(view);
        v.setRuns(runs == 1 ? QVector<RunModel*>{&a} : QVector<RunModel*>{&a, &b});
        v.setMatrixName(matrix);
        v.refreshNow();
        v.plot()->replot();
        const QString what =
            QString("view %1, %2 run(s), matrix '%3'").arg(view).arg(runs).arg(matrix);
        const QRect vp = v.plot()->viewport();
        const QRect inside = vp.adjusted(-1, -1, 1, 1);  // the layout rounds to whole pixels
        const QRect legend = v.legend()->outerRect();
        QVERIFY2(legend.width() > 0 && legend.height() > 0, qPrintable(what));
        // One panel: a narrow column at the right; several: a low row under them.
        if (v.panelCount() == 1)
          QVERIFY2(legend.width() < 0.3 * vp.width(), qPrintable(what));
        else
          QVERIFY2(legend.height() < 0.15 * vp.height(), qPrintable(what));
        int right = 0, top = vp.bottom();
        for (int i = 0; i < v.panelCount(); ++i) {
          const QRect r = v.panel(i)->outerRect();
          QVERIFY2(!r.intersects(legend), qPrintable(what));
          QVERIFY2(inside.contains(r), qPrintable(what));
          QVERIFY2(v.panel(i)->rect().height() >= 40 && v.panel(i)->rect().width() >= 60,
                   qPrintable(what));
          // Tick labels never overlap: neighbours on x are further apart than half their widths,
          // on y further than a line.
          for (QCPAxis* ax :
               {v.panel(i)->axis(QCPAxis::atBottom), v.panel(i)->axis(QCPAxis::atLeft)}) {
            const QFontMetrics fm(ax->tickLabelFont());
            const QVector<double> ticks = ax->tickVector();
            const QVector<QString> labels = ax->tickVectorLabels();
            QVector<QPair<double, int>> shownTicks;  // pixel, label extent
            for (int t = 0; t < ticks.size(); ++t)
              if (ax->range().contains(ticks[t]) && !labels.value(t).isEmpty())
                shownTicks << qMakePair(ax->coordToPixel(ticks[t]),
                                        ax->orientation() == Qt::Horizontal
                                            ? fm.horizontalAdvance(labels[t])
                                            : fm.height());
            std::sort(shownTicks.begin(), shownTicks.end());
            for (int t = 1; t < shownTicks.size(); ++t)
              QVERIFY2(shownTicks[t].first - shownTicks[t - 1].first >=
                           (shownTicks[t].second + shownTicks[t - 1].second) / 2.0 + 2,
                       qPrintable(what + QString(" panel %1 ticks overlap").arg(i)));
          }
          right = std::max(right, r.right());
          top = std::min(top, r.top());
        }
        QVERIFY2(right - vp.left() >= 0.7 * vp.width(), qPrintable(what));
        for (QCPLayoutElement* el : v.plot()->plotLayout()->elements(true)) {
          if (!el || !el->visible()) continue;
          const QSize min = el->minimumOuterSizeHint();
          QVERIFY2(el->outerRect().width() >= min.width() - 1 &&
                       el->outerRect().height() >= min.height() - 1,
                   qPrintable(what + " " + el->metaObject()->className()));
          if (auto* t = qobject_cast<QCPTextElement*>(el)) {
            if (t->text().isEmpty()) continue;
            QVERIFY2(inside.contains(t->outerRect()), qPrintable(what));
            // Metrics (monospace) sit under the panels.
            if (t->font().fixedPitch()) QVERIFY2(t->outerRect().top() > top, qPrintable(what));
          }
        }
        // The plot gets more room than the metrics text.
        int metricsHeight = 0;
        for (QCPLayoutElement* el : v.plot()->plotLayout()->elements(true))
          if (auto* t = qobject_cast<QCPTextElement*>(el))
            if (t->font().fixedPitch() && !t->text().isEmpty())
              metricsHeight = std::max(metricsHeight, t->outerRect().height());
        QVERIFY2(metricsHeight < 0.4 * vp.height(), qPrintable(what));
      }
}

// Headless export of two runs (as `--export --plot spectrum`): PNG of the requested size with the
// metrics table in it, and the CSV of all matrices, 2*8*64 rows x 7 columns.
void TestSpectrumPlot::exportsTwoRuns() {
  RunModel a, b;
  fillModel(a);
  fillModelB(b);
  SpectrumPlot v({&a, &b});
  v.setLayer(1);
  v.setStep(-1);
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  v.exportImage(dir.filePath("s.png"), 1200, 800, 144);
  QImage img(dir.filePath("s.png"));
  QCOMPARE(img.size(), QSize(1200, 800));
  QVERIFY(v.metricsText().contains(QString::number(erank(2, 1, 0) + kErankB, 'g', 4)));
  v.exportCsv(dir.filePath("s.csv"));
  QString header;
  QCOMPARE(csvRows(dir.filePath("s.csv"), &header), 2 * 8 * 64);
  QCOMPARE(header.split(',').size(), 7);
  QCOMPARE(header, QString("run,label,step,layer,matrix,rank,sigma"));
}

QTEST_MAIN(TestSpectrumPlot)
#include "test_spectrum_plot.moc"
