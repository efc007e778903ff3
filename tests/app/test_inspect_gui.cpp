// GUI test of File > Inspect Checkpoints…, offscreen: the menu entry opens the dialog; the
// dialog filled through its own buttons (a file dialog answered with a typed path) and Inspect
// pressed writes a run file on the background thread and opens it in the window; a folder of
// three checkpoints becomes three snapshots in step order; Cancel (set at an exact checkpoint
// from the worker thread's progress report) stops with fewer snapshots and status "stopped";
// a broken checkpoint shows an error box naming the file and the app keeps working; checkpoint
// files and folders dropped on the window open the dialog with them listed, a dropped run file
// opens as a run. The fixtures are the tiny models of tests/fixtures/ckpt (vocab 64, context 16
// for nanoGPT and GPT-2); the probe is a token file made here.
#include <QAbstractButton>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolBar>
#include <QToolButton>
#include <QtTest>
#include <atomic>

#include "AppSettings.h"
#include "AppTestSupport.h"
#include "InspectController.h"
#include "InspectDialog.h"
#include "InspectProgress.h"
#include "MainWindow.h"
#include "RunModel.h"
#include "store/RunReader.h"

using namespace ms;

namespace {

constexpr int kInspectTimeoutMs = 120000;
const QString kFixtures = QStringLiteral(MUONSCOPE_SOURCE_DIR "/tests/fixtures/ckpt");

using apptest::answerFileDialog;
using apptest::clickMenu;
using apptest::plain;

bool copyFolder(const QString& from, const QString& to) {
  if (!QDir().mkpath(to)) return false;
  for (const QFileInfo& f : QDir(from).entryInfoList(QDir::Files))
    if (!QFile::copy(f.absoluteFilePath(), QDir(to).filePath(f.fileName()))) return false;
  return true;
}

// A window shown offscreen that does not ask before closing.
struct ShownWindow {
  MainWindow w;
  ShownWindow() {
    w.setConfirmClose(false);
    w.show();
  }
};

int snapshotsIn(const QString& file) {
  try {
    return RunReader(file.toStdString()).num_snapshots();
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

class TestInspectGui : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void menuOpensDialogWithDefaults();
  void inspectFromDialogOpensRun();
  void folderOfThreeInStepOrder();
  void cancelKeepsMeasuredSnapshots();
  void badCheckpointShowsError();
  void dropOpensPrefilledDialog();

 private:
  QString runsDir() const { return tmp_.filePath(QStringLiteral("runs")); }
  // gpt2 copied into <tmp>/series/checkpoint-{300,100,200} (made once).
  QString series();
  // Inspects through an open dialog (B = 4, T = 16, the probe) and waits for the end.
  bool inspectAndWait(MainWindow& w, InspectDialog* d, QList<QVariant>* result);
  QTemporaryDir tmp_;
  QString probe_, series_;
};

void TestInspectGui::initTestCase() {
  QVERIFY(tmp_.isValid());
  QVERIFY(apptest::isolateSettings(tmp_.filePath("settings"), "muonscope-inspect-test", runsDir()));
  // The probe: 4000 raw uint16 little-endian token ids below the vocabulary size 64.
  probe_ = tmp_.filePath(QStringLiteral("probe.bin"));
  QFile f(probe_);
  QVERIFY(f.open(QIODevice::WriteOnly));
  QByteArray bytes;
  for (int i = 0; i < 4000; ++i) {
    const uint16_t id = static_cast<uint16_t>((i * 7 + i / 13) % 64);
    bytes.append(char(id & 0xff)).append(char(id >> 8));
  }
  QCOMPARE(f.write(bytes), qint64(8000));
}

QString TestInspectGui::series() {
  if (series_.isEmpty()) {
    const QString root = tmp_.filePath(QStringLiteral("series"));
    for (const char* name : {"checkpoint-300", "checkpoint-100", "checkpoint-200"})
      if (!copyFolder(kFixtures + "/gpt2", QDir(root).filePath(QLatin1String(name))))
        return QString();
    series_ = root;
  }
  return series_;
}

bool TestInspectGui::inspectAndWait(MainWindow& w, InspectDialog* d, QList<QVariant>* result) {
  QSignalSpy done(&w, &MainWindow::inspectionFinished);
  d->setProbeFile(probe_);
  d->setBatch(4);
  d->setSeq(16);
  if (!d->inspectButton()->isEnabled()) {
    qWarning("Inspect disabled: %s", qPrintable(d->problem()));
    return false;
  }
  QTest::mouseClick(d->inspectButton(), Qt::LeftButton);
  if (!w.inspectController()->isActive() && done.isEmpty()) return false;
  if (done.isEmpty() && !done.wait(kInspectTimeoutMs)) return false;
  *result = done.takeFirst();
  return true;
}

// File > Inspect Checkpoints… (also Ctrl+I, also on the toolbar) opens the dialog with B = 8,
// T = 256, no probe (the dialog says that means weights-only) and Inspect disabled until a
// checkpoint is listed.
void TestInspectGui::menuOpensDialogWithDefaults() {
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QCOMPARE(w.inspectAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_I));
  auto* bar = w.findChild<QToolBar*>(QStringLiteral("runToolBar"));
  QVERIFY(bar && bar->widgetForAction(w.inspectAction()));
  QVERIFY(clickMenu(w, "File", "Inspect Checkpoints…"));
  QTRY_VERIFY(w.inspectDialog() != nullptr);
  InspectDialog* d = w.inspectDialog();
  QTRY_VERIFY(d->isVisible());
  QCOMPARE(d->batch(), 8);
  QCOMPARE(d->seq(), 256);
  QVERIFY(d->probeFile().isEmpty());
  auto* probe = d->findChild<QLineEdit*>(QStringLiteral("inspectProbe"));
  QVERIFY(probe->placeholderText().contains(QStringLiteral("weights-only")));
  QVERIFY(d->findChild<QLabel*>(QStringLiteral("inspectProbeNote"))
              ->text()
              .contains(QStringLiteral("only the weights")));
  QVERIFY(!d->inspectButton()->isEnabled());
  QVERIFY(d->outputFile().isEmpty());
  d->reject();
  QTRY_VERIFY(w.inspectDialog() == nullptr);
}

// Add Files… (file dialog, typed path) lists nanoGPT's ckpt.pt; the run file defaults to
// inspect-nanogpt.h5 in the run folder; Inspect writes it in the background (progress in the
// status bar) and the window shows it; the probe file, B and T are remembered, and the next
// default name does not overwrite the file.
void TestInspectGui::inspectFromDialogOpensRun() {
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  InspectDialog* d = w.showInspectDialog();
  QTRY_VERIFY(d->isVisible());
  const QString ckpt = kFixtures + "/nanogpt/ckpt.pt";
  answerFileDialog(ckpt);
  QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("inspectAddFiles")), Qt::LeftButton);
  QCOMPARE(d->checkpoints(), QStringList{QDir::cleanPath(ckpt)});
  QCOMPARE(d->checkpointCount(), 1);
  const QString out = QDir(runsDir()).filePath(QStringLiteral("inspect-nanogpt.h5"));
  QCOMPARE(d->outputFile(), out);

  QSignalSpy progress(w.inspectController(), &InspectController::progress);
  QList<QVariant> result;
  QVERIFY(inspectAndWait(w, d, &result));
  QCOMPARE(result.at(0).value<RunStatus>(), RunStatus::Finished);
  QCOMPARE(result.at(2).toString(), out);
  QVERIFY(!progress.isEmpty());
  QCOMPARE(progress.last().at(0).toInt(), 1);  // the last report: 1 of 1
  QCOMPARE(progress.last().at(1).toInt(), 1);
  QVERIFY(!w.inspectProgress()->isVisible());  // hidden again at the end
  QCOMPARE(snapshotsIn(out), 1);
  QCOMPARE(w.currentFile(), out);
  QCOMPARE(w.currentModel(), w.fileModel());
  QCOMPARE(w.fileModel()->snapshots().size(), size_t(1));
  QCOMPARE(w.fileModel()->vals().size(), size_t(1));  // the probe loss
  QVERIFY(std::isfinite(w.fileModel()->vals()[0].loss));
  QVERIFY2(w.windowTitle().contains(QStringLiteral("inspect-nanogpt")),
           qPrintable(w.windowTitle()));
  QCOMPARE(settings::recentFiles().value(0), out);

  // Remembered; the next default for the same checkpoint adds -2.
  QCOMPARE(settings::inspectProbeFile(), probe_);
  InspectDialog* again = w.showInspectDialog({ckpt});
  QCOMPARE(again->probeFile(), probe_);
  QCOMPARE(again->batch(), 4);
  QCOMPARE(again->seq(), 16);
  QCOMPARE(again->outputFile(), QDir(runsDir()).filePath(QStringLiteral("inspect-nanogpt-2.h5")));
  again->reject();
}

// Add Folder… with a folder of three checkpoints (checkpoint-300, -100, -200, no stored step):
// three snapshots in step order 100, 200, 300; the "step taken from the name" warnings reach
// the status bar (counted in the message, in full in its tooltip).
void TestInspectGui::folderOfThreeInStepOrder() {
  const QString folder = series();
  QVERIFY(!folder.isEmpty());
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QSignalSpy warnings(w.inspectController(), &InspectController::warning);
  InspectDialog* d = w.showInspectDialog();
  answerFileDialog(folder);
  QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("inspectAddFolder")), Qt::LeftButton);
  QCOMPARE(d->checkpoints(), QStringList{folder});
  QCOMPARE(d->checkpointCount(), 3);
  QCOMPARE(d->outputFile(), QDir(runsDir()).filePath(QStringLiteral("inspect-series.h5")));
  QList<QVariant> result;
  QVERIFY(inspectAndWait(w, d, &result));
  QCOMPARE(result.at(0).value<RunStatus>(), RunStatus::Finished);
  const QString out = result.at(2).toString();
  RunReader r(out.toStdString());
  QCOMPARE(r.num_snapshots(), 3);
  QCOMPARE(r.snapshot_steps(), (std::vector<int64_t>{100, 200, 300}));
  QCOMPARE(w.currentFile(), out);
  QCOMPARE(w.fileModel()->snapshots().size(), size_t(3));
  QCOMPARE(w.fileModel()->snapshots()[2].step, int64_t(300));
  QVERIFY(!warnings.isEmpty());
  QVERIFY(warnings.first().at(0).toString().contains(QStringLiteral("taken from the name")));
  QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("3 warning")),
           qPrintable(w.statusBar()->currentMessage()));
  QVERIFY2(w.statusBar()->toolTip().contains(QStringLiteral("taken from the name")),
           qPrintable(w.statusBar()->toolTip()));
}

// Cancel while the second of three checkpoints loads (set from the worker thread's report of
// checkpoint 1 of 3, so it is exact): the run file keeps the one snapshot measured, its status
// is "stopped", and it opens in the window. The status bar's Cancel button does the same.
void TestInspectGui::cancelKeepsMeasuredSnapshots() {
  const QString folder = series();
  QVERIFY(!folder.isEmpty());
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  InspectController* ic = w.inspectController();
  std::atomic<bool> sawOne{false};
  ic->setProgressHook([ic, &sawOne](int done, int total) {
    if (done == 1 && total == 3) {
      sawOne = true;
      ic->cancel();  // thread-safe: only the atomic flag
    }
  });
  InspectDialog* d = w.showInspectDialog({folder});
  d->setOutputFile(QDir(runsDir()).filePath(QStringLiteral("cancelled.h5")));
  QList<QVariant> result;
  QVERIFY(inspectAndWait(w, d, &result));
  ic->setProgressHook({});
  QVERIFY(sawOne);
  QCOMPARE(result.at(0).value<RunStatus>(), RunStatus::Stopped);
  const QString out = result.at(2).toString();
  RunReader r(out.toStdString());
  QVERIFY(r.num_snapshots() < 3);
  QCOMPARE(r.num_snapshots(), 1);
  QCOMPARE(QString::fromStdString(status_name(r.stored_status())), QStringLiteral("stopped"));
  QCOMPARE(w.currentFile(), out);
  QCOMPARE(w.fileModel()->status(), RunStatus::Stopped);

  // The Cancel button of the status bar: pressed while the inspection runs, it stops too
  // (the exact count depends on timing; the status does not).
  ic->setProgressHook([](int, int) {});
  QSignalSpy done(&w, &MainWindow::inspectionFinished);
  QSignalSpy progress(ic, &InspectController::progress);
  QVERIFY(w.startInspection([&] {
    InspectOptions o;
    o.inputs = {folder.toStdString()};
    o.out = QDir(runsDir()).filePath(QStringLiteral("cancelled-button.h5")).toStdString();
    o.probe = probe_.toStdString();
    o.batch = 4;
    o.seq = 16;
    return o;
  }()));
  QVERIFY(w.inspectProgress()->isVisible());
  QVERIFY(!w.inspectAction()->isEnabled());  // one inspection at a time
  QVERIFY(!w.startAction()->isEnabled());
  QToolButton* cancel = w.inspectProgress()->cancelButton();
  QVERIFY(cancel->isVisible() && cancel->isEnabled());
  QTest::mouseClick(cancel, Qt::LeftButton);
  QVERIFY(ic->isCancelling() || !done.isEmpty());
  QVERIFY(!cancel->isEnabled() || !done.isEmpty());
  QVERIFY(done.wait(kInspectTimeoutMs) || !done.isEmpty());
  // Stopped, unless all three were measured before the click reached the worker.
  const RunStatus st = done.first().at(0).value<RunStatus>();
  QVERIFY(st == RunStatus::Stopped || st == RunStatus::Finished);
  QVERIFY(w.inspectAction()->isEnabled());
  ic->setProgressHook({});
}

// A text file named bad.pt: the inspection fails, an error box names the file, and the window
// keeps working (the next inspection succeeds).
void TestInspectGui::badCheckpointShowsError() {
  const QString bad = tmp_.filePath(QStringLiteral("bad.pt"));
  {
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a checkpoint\n");
  }
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  InspectDialog* d = w.showInspectDialog({bad});
  QCOMPARE(d->checkpointCount(), 1);  // a .pt file: only loading it tells
  QList<QVariant> result;
  QVERIFY(inspectAndWait(w, d, &result));
  QCOMPARE(result.at(0).value<RunStatus>(), RunStatus::Failed);
  QVERIFY2(result.at(1).toString().contains(QStringLiteral("bad.pt")),
           qPrintable(result.at(1).toString()));
  QMessageBox* box = nullptr;
  QTRY_VERIFY((box = w.findChild<QMessageBox*>()) != nullptr);
  QTRY_VERIFY(box->isVisible());
  QVERIFY2(box->text().contains(QStringLiteral("bad.pt")), qPrintable(box->text()));
  box->button(QMessageBox::Ok)->click();
  QTRY_VERIFY(w.findChild<QMessageBox*>() == nullptr);

  QVERIFY(w.inspectAction()->isEnabled());
  InspectDialog* next = w.showInspectDialog({kFixtures + "/nanogpt/ckpt.pt"});
  next->setOutputFile(QDir(runsDir()).filePath(QStringLiteral("after-error.h5")));
  QVERIFY(inspectAndWait(w, next, &result));
  QCOMPARE(result.at(0).value<RunStatus>(), RunStatus::Finished);
  QCOMPARE(w.currentFile(), result.at(2).toString());
}

// Checkpoint files and folders dropped on the window open the dialog with them listed (a web
// URL is ignored), and more dropped on the open dialog are added; a dropped run file opens as
// a run.
void TestInspectGui::dropOpensPrefilledDialog() {
  ShownWindow sw;
  MainWindow& w = sw.w;
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  const QString gpt2 = kFixtures + "/gpt2", llama = kFixtures + "/llama";
  const QString nano = kFixtures + "/nanogpt/ckpt.pt";
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(gpt2), QUrl::fromLocalFile(nano),
                QUrl(QStringLiteral("https://example.org/model.safetensors"))});
  const QPoint at = w.rect().center();
  QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &enter);
  QVERIFY(enter.isAccepted());
  QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &drop);
  QVERIFY(drop.isAccepted());
  QTRY_VERIFY(w.inspectDialog() != nullptr);
  InspectDialog* d = w.inspectDialog();
  QTRY_VERIFY(d->isVisible());
  QCOMPARE(d->checkpoints(), (QStringList{QDir::cleanPath(gpt2), QDir::cleanPath(nano)}));
  QCOMPARE(d->outputFile(), QDir(runsDir()).filePath(QStringLiteral("inspect-gpt2.h5")));
  QCOMPARE(d->checkpointCount(), 2);

  // While it is open (the window is blocked), drops on the dialog add to its list.
  QMimeData more;
  more.setUrls({QUrl::fromLocalFile(llama), QUrl::fromLocalFile(nano)});
  QDragEnterEvent enter2(d->rect().center(), Qt::CopyAction, &more, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(d, &enter2);
  QVERIFY(enter2.isAccepted());
  QDropEvent drop2(d->rect().center(), Qt::CopyAction, &more, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(d, &drop2);
  QVERIFY(drop2.isAccepted());
  QCOMPARE(d->checkpoints().size(), 3);  // nanoGPT was listed already
  QCOMPARE(d->checkpoints().last(), QDir::cleanPath(llama));
  d->reject();
  QTRY_VERIFY(w.inspectDialog() == nullptr);

  // Only web URLs: not accepted.
  QMimeData web;
  web.setUrls({QUrl(QStringLiteral("https://example.org/ckpt.pt"))});
  QDragEnterEvent webEnter(at, Qt::CopyAction, &web, Qt::LeftButton, Qt::NoModifier);
  webEnter.setAccepted(false);
  QApplication::sendEvent(&w, &webEnter);
  QVERIFY(!webEnter.isAccepted());

  // A run file opens as a run: one inspected here without a probe (weights-only: a snapshot,
  // no probe loss), then the views switched to the live run before the drop.
  const QString weightsOnly = QDir(runsDir()).filePath(QStringLiteral("weights-only.h5"));
  QSignalSpy done(&w, &MainWindow::inspectionFinished);
  InspectOptions o;
  o.inputs = {nano.toStdString()};
  o.out = weightsOnly.toStdString();
  o.seq = 16;
  QVERIFY(w.startInspection(o));
  QVERIFY(done.wait(kInspectTimeoutMs));
  QCOMPARE(done.first().at(0).value<RunStatus>(), RunStatus::Finished);
  QCOMPARE(w.fileModel()->snapshots().size(), size_t(1));
  QVERIFY(w.fileModel()->vals().empty());
  w.showLiveRun();
  QVERIFY(w.currentFile() != weightsOnly);
  QMimeData run;
  run.setUrls({QUrl::fromLocalFile(weightsOnly)});
  // (Qt delivers a drop only to the widget its drag entered.)
  QDragEnterEvent runEnter(at, Qt::CopyAction, &run, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &runEnter);
  QVERIFY(runEnter.isAccepted());
  QDropEvent runDrop(at, Qt::CopyAction, &run, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &runDrop);
  QVERIFY(runDrop.isAccepted());
  QCOMPARE(w.currentFile(), weightsOnly);
  QVERIFY(w.inspectDialog() == nullptr);
}

QTEST_MAIN(TestInspectGui)
#include "test_inspect_gui.moc"
