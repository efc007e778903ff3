// GUI test of the desktop app through its real controls, offscreen: toolbar buttons and menu
// entries are clicked with the mouse, the dialogs they open are filled and their OK buttons
// pressed, and the test checks what changed. Covered: Start, Open Run… (file dialog), Show Live
// Run, File > Open Study…, View > (hide a view) and Reset Layout, Studies > Run Study… (dialog
// OK) and Stop Study, Studies > Associative Memory…, a view's context menu > Export data / image
// (file dialog), and File > Preferences… (change, OK, reopen: it stuck, a new window uses it).
// Modal dialogs and popup menus are answered by a polling timer set up before the click, since
// the click returns only once the dialog has closed.
#include <qcustomplot.h>

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>
#include <functional>

#include <QTreeWidget>
#include "AppSettings.h"
#include "AppTestSupport.h"
#include "AssocMemoryPanel.h"
#include "IsotropyPlot.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "PRHeatmap.h"
#include "PreferencesDialog.h"
#include "RunBrowser.h"
#include "RunModel.h"
#include "RunSet.h"
#include "RunTable.h"
#include "SetupPanel.h"
#include "StudyDialog.h"
#include "StudyRunner.h"
#include "TrainingController.h"
#include "store/RunReader.h"
#include "train/Studies.h"

using namespace ms;

namespace {

constexpr int kRunTimeoutMs = 60000;

using apptest::answerFileDialog;
using apptest::clickAccept;
using apptest::clickMenu;
using apptest::itemOf;
using apptest::menuOf;
using apptest::plain;
using apptest::whenActive;

bool clickReject(QWidget* dialog) {
  for (auto* box : dialog->findChildren<QDialogButtonBox*>())
    for (QAbstractButton* b : box->buttons())
      if (box->buttonRole(b) == QDialogButtonBox::RejectRole && b->isVisible()) {
        QTest::mouseClick(b, Qt::LeftButton);
        return true;
      }
  return false;
}

using apptest::clickToolbar;

using apptest::fieldAs;

// 1 layer x 32, 2 heads, batch 4: the smallest run that fills every view.
void setTinyRun(SetupPanel* p, int steps, int every) {
  apptest::setTinyRun(p, steps, every, {1, 32, 2, 4});
}

QString readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class TestUiActions : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void toolbarStartOpenAndShowLive();
  void openStudyFromMenu();
  void resetLayoutFromMenu();
  void runStudyFromDialogAndStop();
  void windowDeletedDuringStudy();
  void assocMemoryFromMenu();
  void viewExportFromContextMenu();
  void preferencesStick();  // last: it changes the run folder and the default device

 private:
  QString runsDir() const { return tmp_.filePath(QStringLiteral("runs")); }
  QTemporaryDir tmp_;
  QString liveRun_, copyRun_;
};

void TestUiActions::initTestCase() {
  QVERIFY(tmp_.isValid());
  QVERIFY(apptest::isolateSettings(tmp_.filePath("settings"), "muonscope-ui-test", runsDir()));
}

// Start (toolbar) trains a run; Open Run… (toolbar, file dialog starting in the run folder)
// shows another file; Show Live Run (toolbar) brings the trained run back into the views.
void TestUiActions::toolbarStartOpenAndShowLive() {
  MainWindow w;
  w.setConfirmClose(false);
  // Wide enough for the whole Run toolbar: at the offscreen screen's 800 px its last buttons
  // (Show Live Run, Compare) move into the toolbar's overflow menu.
  w.resize(1280, 800);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  setTinyRun(w.setupPanel(), 30, 10);
  QSignalSpy finished(&w, &MainWindow::runFinished);
  QVERIFY(clickToolbar(w, w.startAction()));
  QVERIFY(w.controller()->isActive());
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kRunTimeoutMs);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Finished);
  liveRun_ = QFileInfo(w.controller()->runFile()).absoluteFilePath();
  QCOMPARE(w.liveModel()->steps().size(), size_t(30));

  // A copy is another run file: opening it draws it beside the finished live run, in focus.
  copyRun_ = QDir(runsDir()).filePath(QStringLiteral("copy.h5"));
  QVERIFY(QFile::copy(liveRun_, copyRun_));
  QString shownDir;
  answerFileDialog(copyRun_, &shownDir);
  QVERIFY(clickToolbar(w, w.openAction()));
  QCOMPARE(shownDir, QFileInfo(runsDir()).absoluteFilePath());
  QCOMPARE(w.currentFile(), copyRun_);
  QCOMPARE(w.currentModel(), w.fileModel());
  QCOMPARE(w.fileModel()->steps().size(), size_t(30));
  QCOMPARE(w.fileModel()->snapshots().size(), size_t(3));
  QVERIFY(w.windowTitle().contains(QStringLiteral("copy")));
  QVERIFY(w.showsLiveRun());
  QCOMPARE(w.lossPlot()->runs(), (QVector<RunModel*>{w.liveModel(), w.fileModel()}));

  // Unticking the live run in the run table removes it from every view.
  RunTable* table = w.runTable();
  QTreeWidgetItem* liveItem = table->itemOfRow(w.runSet()->rowOf(w.liveModel()));
  QVERIFY(liveItem);
  QTreeWidget* tree = table->tree();
  tree->scrollToItem(liveItem);
  QStyleOptionViewItem opt;
  opt.initFrom(tree);
  opt.rect = tree->visualItemRect(liveItem);
  opt.features = QStyleOptionViewItem::HasCheckIndicator;
  const QRect box =
      tree->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &opt, tree);
  QTest::mouseClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, box.center());
  QTRY_VERIFY(!w.showsLiveRun());
  QCOMPARE(w.lossPlot()->runs(), QVector<RunModel*>{w.fileModel()});
  QCOMPARE(w.prHeatmap()->runs(), QVector<RunModel*>{w.fileModel()});

  // Show Live Run: the views draw the trained run again, beside the copy.
  QVERIFY(clickToolbar(w, w.liveAction()));
  QVERIFY(w.showsLiveRun());
  QCOMPARE(w.currentModel(), w.liveModel());
  QCOMPARE(w.currentFile(), liveRun_);
  w.lossPlot()->refreshNow();
  QCOMPARE(w.lossPlot()->runCount(), 2);
  QCOMPARE(w.lossPlot()->trainGraph(0)->data()->size(), 30);
  QCOMPARE(w.lossPlot()->trainGraph(0)->data()->at(29)->value, w.liveModel()->steps()[29].loss);
  QVERIFY(!w.windowTitle().contains(QStringLiteral("copy")));
}

// File > Open Study… with a study.json: its members are checked in the run table, under the
// study's labels, and drawn in every view.
void TestUiActions::openStudyFromMenu() {
  QVERIFY(!copyRun_.isEmpty());
  StudyIndex idx;
  idx.study = "kv-asymmetry";
  idx.members.push_back(
      {"First", QFileInfo(liveRun_).fileName().toStdString(), "finished", "", "", 0});
  idx.members.push_back(
      {"Second", QFileInfo(copyRun_).fileName().toStdString(), "finished", "", "", 0});
  const QString index = QDir(runsDir()).filePath(QStringLiteral("study.json"));
  {
    QFile f(index);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(study_index_to_json(idx)));
  }
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  answerFileDialog(index);
  QVERIFY(clickMenu(w, "File", "Open Study…"));
  QTRY_COMPARE(w.runSet()->checkedModels().size(), 2);
  QStringList labels;
  for (RunModel* m : w.runSet()->checkedModels()) labels << m->displayName();
  QCOMPARE(labels, (QStringList{QStringLiteral("First"), QStringLiteral("Second")}));
  QVERIFY(w.runSet()->rowOfFile(liveRun_) >= 0 && w.runSet()->rowOfFile(copyRun_) >= 0);
  QCOMPARE(w.isotropyPlot()->runCount(), 2);
  // File > Export Report… writes the shown runs' report (PDF, PNGs, index.md naming them).
  const QString reportDir = QDir(runsDir()).filePath(QStringLiteral("report"));
  QString err;
  QVERIFY2(w.exportReport(reportDir, &err), qPrintable(err));
  QVERIFY(QFileInfo(QDir(reportDir).filePath("report.pdf")).size() > 0);
  QFile md(QDir(reportDir).filePath("index.md"));
  QVERIFY(md.open(QIODevice::ReadOnly));
  const QString indexMd = QString::fromUtf8(md.readAll());
  QVERIFY(indexMd.contains(QStringLiteral("First")) && indexMd.contains(QStringLiteral("Second")));
  QVERIFY(w.reportAction()->isEnabled());
  w.runSet()->checkOnly({});
  QVERIFY(!w.exportReport(reportDir, &err));
  QVERIFY2(err.contains(QStringLiteral("no run is shown")), qPrintable(err));
  QFile::remove(index);
}

// View > Loss hides the loss view, a view is floated; View > Reset Layout brings back the
// default: every view docked and visible, the loss view at its default size.
void TestUiActions::resetLayoutFromMenu() {
  QSettings().remove(QStringLiteral("ui/state"));  // no saved layout: the default is taken
  QSettings().remove(QStringLiteral("ui/geometry"));
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QTRY_VERIFY(w.defaultLayoutSized());
  auto* loss = w.findChild<QDockWidget*>(QStringLiteral("dockLoss"));
  auto* pr = w.findChild<QDockWidget*>(QStringLiteral("dockPR"));
  QVERIFY(loss && pr);
  QTRY_VERIFY(loss->isVisible() && pr->isVisible());
  // The sizes reach the docks' geometry with the next layout pass.
  QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  const QSize lossSize = loss->size();
  QVERIFY(lossSize.width() > 100 && lossSize.height() > 100);
  auto* setup = w.findChild<QDockWidget*>(QStringLiteral("dockSetup"));
  const int setupWidth = setup->width();

  QVERIFY(clickMenu(w, "View", plain(loss->windowTitle())));
  QTRY_VERIFY(!loss->isVisible());
  QVERIFY(!loss->toggleViewAction()->isChecked());
  pr->setFloating(true);
  QTRY_VERIFY(pr->isFloating());

  QVERIFY(clickMenu(w, "View", "Reset Layout"));
  QTRY_VERIFY(loss->isVisible());
  QVERIFY(loss->toggleViewAction()->isChecked());
  QVERIFY(!pr->isFloating());
  QCOMPARE(w.dockWidgetArea(loss), Qt::RightDockWidgetArea);
  QCOMPARE(w.dockWidgetArea(pr), Qt::RightDockWidgetArea);
  QTRY_COMPARE(loss->size(), lossSize);
  QCOMPARE(setup->width(), setupWidth);
}

// Studies > Run Study…: the dialog is filled (study, scale, settings, output folder) and Run
// pressed; the study starts with those settings; Studies > Stop Study ends it, the member's
// file says "stopped" and study.json records it.
void TestUiActions::runStudyFromDialogAndStop() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  StudyRunner* runner = w.studyRunner();
  QSignalSpy started(runner, &StudyRunner::memberStarted);
  QSignalSpy done(runner, &StudyRunner::finished);
  const QString out = tmp_.filePath(QStringLiteral("study-ui"));
  QString countText;
  bool filled = false;
  whenActive<StudyDialog>([&](StudyDialog* d) {
    auto* study = d->findChild<QComboBox*>(QStringLiteral("studyCombo"));
    auto* scale = d->findChild<QComboBox*>(QStringLiteral("scaleCombo"));
    auto* sets = d->findChild<QLineEdit*>(QStringLiteral("studySettings"));
    auto* outEdit = d->findChild<QLineEdit*>(QStringLiteral("studyOutput"));
    auto* seeds = d->findChild<QSpinBox*>(QStringLiteral("seedsSpin"));
    if (!study || !scale || !sets || !outEdit || !seeds) {
      d->reject();
      return;
    }
    study->setCurrentIndex(study->findData(QStringLiteral("kv-asymmetry")));
    scale->setCurrentIndex(scale->findData(QStringLiteral("cpu")));
    seeds->setValue(1);
    // Long enough that it is still running when Stop Study is clicked.
    QTest::keyClicks(sets,
                     "model.layers=1 model.d_model=32 model.heads=2 model.seq_len=32 "
                     "train.steps=100000 metrics.every=5 metrics.kivi_every=0 "
                     "train.batch_size=4 train.threads=1");
    outEdit->selectAll();
    QTest::keyClicks(outEdit, out);
    countText = d->findChild<QLabel*>(QStringLiteral("studyRunCount"))->text();
    filled = true;
    if (!clickAccept(d)) d->reject();
  });
  QVERIFY(clickMenu(w, "Studies", "Run Study…"));
  QVERIFY(filled);
  QVERIFY2(countText.contains(QStringLiteral("2 runs")), qPrintable(countText));
  QVERIFY(runner->isActive());
  QCOMPARE(runner->study(), QStringLiteral("kv-asymmetry"));
  QVERIFY(!w.startAction()->isEnabled());
  QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, kRunTimeoutMs);
  const QString memberFile = started.at(0).at(3).toString();
  QVERIFY2(memberFile.startsWith(out), qPrintable(memberFile));
  QTRY_VERIFY_WITH_TIMEOUT(w.liveModel()->steps().size() >= 3, kRunTimeoutMs);
  QCOMPARE(w.liveModel()->info().n_head, 2);  // the settings typed in the dialog were used
  QCOMPARE(w.liveModel()->info().n_layer, 1);

  QVERIFY(clickMenu(w, "Studies", "Stop Study"));
  QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kRunTimeoutMs);
  QCOMPARE(done.at(0).at(0).toBool(), false);
  QCOMPARE(started.count(), 1);  // the second member never started
  QVERIFY(!runner->isActive());
  QVERIFY(w.startAction()->isEnabled());
  QVERIFY(!itemOf(menuOf(w, "Studies"), "Stop Study")->isEnabled());
  {
    RunReader r(memberFile.toStdString());
    QCOMPARE(r.status(), RunStatus::Stopped);
    QVERIFY(r.num_steps() >= 3 && r.num_steps() < 100000);
    QCOMPARE(r.info().n_head, 2);
  }
  const QString index = done.at(0).at(1).toString();
  QVERIFY2(QFileInfo(index).absolutePath() == QFileInfo(out).absoluteFilePath(), qPrintable(index));
  const StudyIndex idx = study_index_from_json(readAll(index).toStdString());
  QVERIFY(!idx.members.empty());
  QCOMPARE(QString::fromStdString(idx.members.front().status), QStringLiteral("stopped"));
}

// A window deleted while its study trains (its children go in creation order: the training
// controller before the study runner) stops the run, finalizes the member's file as "stopped"
// and records that in study.json, without touching the deleted controller.
void TestUiActions::windowDeletedDuringStudy() {
  auto* w = new MainWindow;
  w->setConfirmClose(false);
  QSignalSpy started(w->studyRunner(), &StudyRunner::memberStarted);
  const QString out = tmp_.filePath(QStringLiteral("study-deleted"));
  QString err;
  QVERIFY2(
      w->studyRunner()->start(QStringLiteral("kv-asymmetry"), QStringLiteral("cpu"),
                              {"model.layers=1", "model.d_model=32", "model.heads=2",
                               "model.seq_len=32", "train.steps=100000", "metrics.every=5",
                               "metrics.kivi_every=0", "train.batch_size=4", "train.threads=1"},
                              out, &err),
      qPrintable(err));
  QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, kRunTimeoutMs);
  const QString memberFile = started.at(0).at(3).toString();
  QTRY_VERIFY_WITH_TIMEOUT(w->liveModel()->steps().size() >= 2, kRunTimeoutMs);
  delete w;
  RunReader r(memberFile.toStdString());
  QCOMPARE(r.status(), RunStatus::Stopped);
  QVERIFY(r.num_steps() >= 2);
  const StudyIndex idx = study_index_from_json(
      readAll(QDir(out).filePath(QStringLiteral("study.json"))).toStdString());
  QVERIFY(!idx.members.empty());
  QCOMPARE(QString::fromStdString(idx.members.front().status), QStringLiteral("stopped"));
}

// Studies > Associative Memory… opens the panel as its own window; it computes GD, SignGD and
// Muon for its default config and its table shows their gaps; closing deletes it.
void TestUiActions::assocMemoryFromMenu() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(clickMenu(w, "Studies", "Associative Memory…"));
  QPointer<AssocMemoryPanel> panel = w.findChild<AssocMemoryPanel*>();
  QVERIFY(panel);
  QVERIFY(panel->isWindow() && panel->isVisible());
  QVERIFY(panel->windowTitle().contains(QStringLiteral("Muon")));
  QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy() && panel->results().size() == 3, kRunTimeoutMs);
  QVERIFY2(panel->errorText().isEmpty(), qPrintable(panel->errorText()));
  QCOMPARE(panel->table()->rowCount(), 3);
  for (int r = 0; r < 3; ++r)
    QCOMPARE(panel->table()->item(r, AssocMemoryPanel::ColGap)->data(Qt::UserRole).toDouble(),
             panel->results()[r].gap);
  QCOMPARE(panel->resultConfig().K, panel->config().K);
  panel->close();
  QTRY_VERIFY(panel.isNull());
}

// The loss view's context menu: Export data (CSV)… and Export image… through the file dialog
// write exactly what the view holds.
void TestUiActions::viewExportFromContextMenu() {
  QVERIFY(!copyRun_.isEmpty());
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QVERIFY(w.openRunFile(copyRun_));
  LossPlot* loss = w.lossPlot();
  w.findChild<QDockWidget*>(QStringLiteral("dockLoss"))->raise();
  QTRY_VERIFY(loss->plot()->isVisible() && loss->plot()->width() > 100);
  loss->refreshNow();

  auto exportVia = [&](const QString& entry, const QString& path) {
    whenActive<QMenu>(
        [=](QMenu* menu) {
          QAction* a = itemOf(menu, entry);
          if (!a) {
            qWarning("context menu has no %s", qPrintable(entry));
            menu->close();
            return;
          }
          answerFileDialog(path);  // the entry opens a file dialog
          QTest::mouseClick(menu, Qt::LeftButton, Qt::NoModifier, menu->actionGeometry(a).center());
        },
        true);
    const QPoint at = loss->plot()->rect().center();
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, loss->plot()->mapToGlobal(at));
    QApplication::sendEvent(loss->plot(), &event);  // returns once the menu has closed
  };

  const QString csv = tmp_.filePath(QStringLiteral("loss.csv"));
  exportVia(QStringLiteral("Export data (CSV)…"), csv);
  QVERIFY(QFileInfo::exists(csv));
  const QString text = readAll(csv);
  QCOMPARE(text, loss->csv());
  // Header, 30 step rows and the validation rows.
  RunReader r(copyRun_.toStdString());
  QCOMPARE(text.trimmed().split(QLatin1Char('\n')).size(), 1 + 30 + static_cast<int>(r.num_vals()));

  const QString png = tmp_.filePath(QStringLiteral("loss.png"));
  exportVia(QStringLiteral("Export image…"), png);
  QImage image(png);
  QVERIFY2(!image.isNull(), qPrintable(png));
  QCOMPARE(image.width(), loss->plot()->width() * 2);  // PNG at 192 dpi
  QCOMPARE(image.height(), loss->plot()->height() * 2);
}

// File > Preferences…: default device and run folder changed and OK pressed; the window uses
// them at once; reopened, the dialog shows them; a new window starts with them.
void TestUiActions::preferencesStick() {
  const QString otherRuns = tmp_.filePath(QStringLiteral("runs2"));
  QVERIFY(QDir().mkpath(otherRuns));
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QCOMPARE(settings::defaultDevice(), QStringLiteral("auto"));
  QString deviceBefore;
  whenActive<PreferencesDialog>([&](PreferencesDialog* d) {
    auto* device = d->findChild<QComboBox*>(QStringLiteral("prefDevice"));
    auto* folder = d->findChild<QLineEdit*>(QStringLiteral("prefRunFolder"));
    if (!device || !folder) {
      d->reject();
      return;
    }
    deviceBefore = device->currentData().toString();
    device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
    folder->selectAll();
    QTest::keyClicks(folder, otherRuns);
    if (!clickAccept(d)) d->reject();
  });
  QVERIFY(clickMenu(w, "File", "Preferences…"));
  QCOMPARE(deviceBefore, QStringLiteral("auto"));
  QCOMPARE(settings::defaultDevice(), QStringLiteral("cpu"));
  QCOMPARE(settings::runFolder(), otherRuns);
  QCOMPARE(w.setupPanel()->config().device, std::string("cpu"));
  QCOMPARE(w.setupPanel()->runFolder(), otherRuns);
  QCOMPARE(w.runBrowser()->folder(), otherRuns);

  QString deviceShown, folderShown;
  whenActive<PreferencesDialog>([&](PreferencesDialog* d) {
    deviceShown = d->findChild<QComboBox*>(QStringLiteral("prefDevice"))->currentData().toString();
    folderShown = d->findChild<QLineEdit*>(QStringLiteral("prefRunFolder"))->text();
    if (!clickReject(d)) d->reject();
  });
  QVERIFY(clickMenu(w, "File", "Preferences…"));
  QCOMPARE(deviceShown, QStringLiteral("cpu"));
  QCOMPARE(folderShown, otherRuns);

  MainWindow fresh;
  QCOMPARE(fresh.setupPanel()->config().device, std::string("cpu"));
  QCOMPARE(fresh.runBrowser()->folder(), otherRuns);
}

QTEST_MAIN(TestUiActions)
#include "test_ui_actions.moc"
