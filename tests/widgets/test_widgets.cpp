// Widget tests (offscreen) of what the views share: RunModel's signals across threads, the step
// slider, every view's exports (PNG size and DPI, SVG validity, PDF magic, CSV rows) and export
// errors. Each view's own suite is tests/widgets/test_<view>.cpp.
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
#include "SpectrumPlot.h"
#include "StepSlider.h"

#include "WidgetTestData.h"

using namespace ms;

class TestWidgets : public QObject {
  Q_OBJECT
 private slots:
  void runModelSignals();
  void stepSliderFollowsLatest();
  void exportsAllViews();
  void exportErrorsThrow();
  void hiddenViewsDoNotRebuild();
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

// The one step slider of the snapshot views: over the union of the runs' snapshot steps, it
// follows the latest step as runs grow until the user scrubs back, and a set step selects the
// nearest listed one.
void TestWidgets::stepSliderFollowsLatest() {
  StepSlider s;
  QCOMPARE(s.step(), int64_t(-1));
  QSignalSpy spy(&s, &StepSlider::stepChanged);
  s.setSteps({100, 200});
  QCOMPARE(s.step(), int64_t(200));
  QVERIFY(s.followsLatest());
  s.setSteps({100, 200, 300});
  QCOMPARE(s.step(), int64_t(300));  // followed
  s.slider()->setValue(0);
  QCOMPARE(s.step(), int64_t(100));
  QVERIFY(!s.followsLatest());
  s.setSteps({100, 150, 200, 300, 400});
  QCOMPARE(s.step(), int64_t(100));  // a user who scrubbed back stays
  s.setStep(160);
  QCOMPARE(s.step(), int64_t(150));  // the nearest listed step
  s.setStep(-1);
  QVERIFY(s.followsLatest());
  QCOMPARE(s.step(), int64_t(400));
  QCOMPARE(spy.count(), 5);  // 200, 300, 100, 150, 400
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
  } views[] = {{&loss, kSteps + 2}, {&pr, kL * kH + 3 * kL}, {&spec, -1}, {&iso, 8 * 3}, {&kv, -1},
               {&fta, 3 * 3}};
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
  QCOMPARE(header, QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
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

// A view nobody can see (a dock tabbed behind another) does not rebuild as live steps arrive; it
// stays dirty and rebuilds once when shown.
void TestWidgets::hiddenViewsDoNotRebuild() {
  RunModel m;
  fillModel(m);
  LossPlot v(&m);
  v.resize(600, 400);
  v.show();
  QVERIFY(QTest::qWaitForWindowExposed(&v));
  QTRY_VERIFY(!v.refreshPending());
  v.hide();
  const int rebuilds = v.rebuildCount();
  QSignalSpy deferred(&v, &PlotBase::refreshDeferred);
  for (int i = 0; i < 20; ++i) m.appendStep(makeStep(kSteps + 1 + i));
  QVERIFY(deferred.wait());  // the refresh timer fired and found the view hidden
  QCOMPARE(v.rebuildCount(), rebuilds);
  QVERIFY(v.refreshPending());
  v.show();
  QTRY_VERIFY(!v.refreshPending());
  QCOMPARE(v.rebuildCount(), rebuilds + 1);
  QCOMPARE(v.trainGraph()->dataCount(), kSteps + 20);
}

QTEST_MAIN(TestWidgets)
#include "test_widgets.moc"
