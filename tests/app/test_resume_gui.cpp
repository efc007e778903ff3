// Resume Training in the window (Run menu, toolbar, the Shown-runs table's context menu): a run
// file killed by SIGKILL (muonscope-cli, its file holding rows after the newest checkpoint) or
// stopped in this process is continued from its newest checkpoint as the live run; the views
// hold each step once (no stale rows after the checkpoint), the status bar says where it
// resumed, and the file ends finished with the uninterrupted run's losses (1e-6), each step
// once and resumed_at naming the checkpoint. Pause and Stop work on a resumed run, which can be
// resumed again. The action is disabled, its tooltip saying why, for a finished run, a run
// without checkpoints and while a training runs. A refused resume (a damaged state file, a
// state of another config) shows a message box naming the file and the problem, leaves the
// file byte for byte as it was and gives its row back.
#include <qcustomplot.h>

#include <QAbstractButton>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolBar>
#include <QTreeWidget>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>

#include "../cli/CliTestSupport.h"
#include "AppTestSupport.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "RunSet.h"
#include "RunTable.h"
#include "TrainingController.h"
#include "store/RunReader.h"
#include "train/RunConfig.h"

using namespace ms;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 120000;
constexpr int64_t kSteps = 600;

// A hybrid (Muon on V, O, FFN; AdamW on the rest) with a cosine schedule, KIVI every 3rd
// snapshot and one thread, so the resumed run must repeat the uninterrupted one bit for bit.
// A checkpoint every 20 steps, a snapshot every 10: between a snapshot at 20k + 10 (which writes
// the rows up to it) and the next checkpoint the file holds rows after the newest checkpoint.
QStringList runSettings(int checkpointEvery = 20) {
  QStringList sets = {"model.layers=1",
                      "model.d_model=32",
                      "model.heads=2",
                      "model.seq_len=32",
                      "train.batch_size=4",
                      "metrics.every=10",
                      "metrics.kivi_every=3",
                      "train.val_every=10",
                      "train.threads=1",
                      QStringLiteral("train.checkpoint_every=%1").arg(checkpointEvery),
                      "optim.muon=attn.v,attn.o,mlp.in,mlp.out",
                      "optim.schedule=cosine"};
  QStringList args;
  for (const QString& s : sets) args << QStringLiteral("--set") << s;
  return args;
}

QStringList trainArgs(const QString& out, int64_t steps = kSteps, int checkpointEvery = 20,
                      const QStringList& extra = {}) {
  return QStringList{"train",    "--out", out,      "--steps", QString::number(steps),
                     "--device", "cpu",   "--quiet"} +
         runSettings(checkpointEvery) + extra;
}

int runCli(const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::ForwardedChannels);
  p.start(QStringLiteral(MUONSCOPE_CLI), args);
  if (!p.waitForFinished(kTimeoutMs)) {
    p.kill();
    p.waitForFinished();
    return -1;
  }
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

QByteArray digest(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

using apptest::clickToolbar;

// Opens the run table's context menu on `file`'s row (as a right-click there does) and hands
// the menu to `f`, which must close it or trigger an entry. Returns false when the row is missing.
bool contextMenuOn(MainWindow& w, const QString& file, std::function<void(QMenu*)> f) {
  RunTable* table = w.runTable();
  QTreeWidgetItem* item = table->itemOfRow(w.runSet()->rowOfFile(file));
  if (!item) return false;
  QTreeWidget* tree = table->tree();
  tree->scrollToItem(item);
  const QPoint at = tree->visualItemRect(item).center();
  apptest::whenActive<QMenu>(std::move(f), true);
  QContextMenuEvent event(QContextMenuEvent::Mouse, at, tree->viewport()->mapToGlobal(at));
  QApplication::sendEvent(tree->viewport(), &event);  // returns once the menu has closed
  return true;
}

// The entry `text` of a menu, or nullptr.
QAction* entry(QMenu* menu, const QString& text) {
  return apptest::itemOf(menu, text);
}

}  // namespace

class TestResumeGui : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString ref_;
  std::vector<StepRecord> refSteps_;
  std::vector<ValRecord> refVals_;

  QString runsDir() const { return tmp_.filePath(QStringLiteral("runs")); }
  QString runPath(const QString& name) const { return QDir(runsDir()).filePath(name); }

  // The run file ended finished with every step once, in order, and the uninterrupted run's
  // losses, gradient norms and validation losses (1e-6); its snapshots at the same steps.
  void checkLikeReference(const QString& run) {
    RunReader r(run.toStdString());
    QCOMPARE(r.status(), RunStatus::Finished);
    const std::vector<StepRecord> s = r.steps();
    QCOMPARE(int64_t(s.size()), kSteps);
    for (int64_t i = 0; i < kSteps; ++i) {
      const StepRecord &a = refSteps_[size_t(i)], &b = s[size_t(i)];
      QCOMPARE(b.step, i + 1);
      QVERIFY2(std::abs(a.loss - b.loss) <= 1e-6,
               qPrintable(QStringLiteral("step %1: loss %2 vs %3")
                              .arg(i + 1)
                              .arg(a.loss, 0, 'g', 17)
                              .arg(b.loss, 0, 'g', 17)));
      QVERIFY(std::abs(a.grad_norm - b.grad_norm) <= 1e-6);
    }
    const std::vector<ValRecord> v = r.vals();
    QCOMPARE(v.size(), refVals_.size());
    for (size_t i = 0; i < v.size(); ++i) {
      QCOMPARE(v[i].step, refVals_[i].step);
      QVERIFY(std::abs(v[i].loss - refVals_[i].loss) <= 1e-6);
    }
    RunReader ref(ref_.toStdString());
    QCOMPARE(r.snapshot_steps(), ref.snapshot_steps());
  }

  // The live run holds exactly the file's rows: each step once, none past the last.
  void checkLiveEqualsFile(MainWindow& w, const QString& run) {
    RunReader r(run.toStdString());
    const std::vector<StepRecord> file = r.steps();
    const std::vector<StepRecord>& live = w.liveModel()->steps();
    QCOMPARE(live.size(), file.size());
    for (size_t i = 0; i < live.size(); ++i) {
      QCOMPARE(live[i].step, int64_t(i) + 1);
      QCOMPARE(live[i].loss, file[i].loss);
    }
    QCOMPARE(w.liveModel()->vals().size(), r.vals().size());
    QCOMPARE(w.liveModel()->snapshots().size(), size_t(r.num_snapshots()));
    w.lossPlot()->refreshNow();
    const int shown = static_cast<int>(w.lossPlot()->runs().indexOf(w.liveModel()));
    QVERIFY(shown >= 0);
    QCOMPARE(w.lossPlot()->trainGraph(shown)->data()->size(), int(file.size()));
  }

 private slots:
  void initTestCase();
  void killedRunResumesFromContextMenu();
  void stoppedRunResumesPausesStopsAndResumesAgain();
  void disabledWithReasons();
  void refusedResumeShowsErrorAndKeepsFile();
};

void TestResumeGui::initTestCase() {
  QVERIFY(tmp_.isValid());
  QVERIFY(apptest::isolateSettings(tmp_.filePath(QStringLiteral("settings")),
                                   QStringLiteral("muonscope-resume-test"), runsDir()));
  ref_ = runPath(QStringLiteral("ref.h5"));
  QCOMPARE(runCli(trainArgs(ref_)), 0);
  RunReader r(ref_.toStdString());
  QCOMPARE(r.status(), RunStatus::Finished);
  refSteps_ = r.steps();
  refVals_ = r.vals();
}

// muonscope-cli killed (SIGKILL) while its file holds rows after the newest checkpoint; opened
// in the window beside a finished run, whose Resume Training is disabled; the killed run's
// context menu > Resume Training continues it as the live run from the checkpoint.
void TestResumeGui::killedRunResumesFromContextMenu() {
  const QString run = runPath(QStringLiteral("killed.h5"));
  QProcess p;
  p.setProcessChannelMode(QProcess::ForwardedChannels);
  p.start(QStringLiteral(MUONSCOPE_CLI), trainArgs(run));
  QVERIFY(p.waitForStarted());
  // Frozen (SIGSTOP) once the file holds rows after a checkpoint of step >= 60 (checked again
  // while frozen), then killed: the resume must drop those rows.
  int64_t from = -1, rows = -1;
  auto frozenAfterCheckpoint = [&] {
    if (p.state() != QProcess::Running) return true;  // ended too early: reported below
    if (newest_state(run) < 60 || last_step_row(run) <= newest_state(run)) return false;
    ::kill(pid_t(p.processId()), SIGSTOP);
    from = newest_state(run);
    rows = last_step_row(run);
    if (rows > from) return true;
    ::kill(pid_t(p.processId()), SIGCONT);
    return false;
  };
  QTRY_VERIFY_WITH_TIMEOUT(frozenAfterCheckpoint(), kTimeoutMs);
  QVERIFY2(p.state() == QProcess::Running, "the run ended before it could be killed");
  ::kill(pid_t(p.processId()), SIGKILL);
  QVERIFY(p.waitForFinished(30000));
  qInfo("killed with rows up to step %lld, newest checkpoint at step %lld",
        static_cast<long long>(rows), static_cast<long long>(from));
  QVERIFY(from >= 60 && rows > from && from < kSteps);
  {
    RunReader r(run.toStdString());
    QCOMPARE(r.status(), RunStatus::Interrupted);
  }

  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QString err;
  QVERIFY2(w.openRunFile(run, &err), qPrintable(err));
  QVERIFY2(w.openRunFile(ref_, &err), qPrintable(err));
  // The finished run is in focus: nothing to resume.
  QCOMPARE(w.resumeTargetRow(), w.runSet()->rowOfFile(ref_));
  QVERIFY(!w.resumeAction()->isEnabled());
  QVERIFY2(w.resumeAction()->toolTip().contains(QStringLiteral("finished all 600 steps")),
           qPrintable(w.resumeAction()->toolTip()));
  // The killed run's file shows its rows after the checkpoint before the resume.
  QTRY_VERIFY(!w.runSet()->entry(w.runSet()->rowOfFile(run)).follower->isLoading());
  QCOMPARE(w.runSet()->lastStep(w.runSet()->rowOfFile(run)), rows);

  // What the window shows the moment the resume has loaded the checkpoint.
  QString message;
  std::vector<int64_t> liveStepsAtResume;
  bool fileRowGone = false;
  connect(w.controller(), &TrainingController::resumed, this, [&] {
    message = w.statusBar()->currentMessage();
    for (const StepRecord& s : w.liveModel()->steps()) liveStepsAtResume.push_back(s.step);
    fileRowGone = w.runSet()->rowOfFile(run) < 0;
  });
  QSignalSpy finished(w.controller(), &TrainingController::finished);
  bool enabled = false;
  QString tip;
  QVERIFY(contextMenuOn(w, run, [&](QMenu* menu) {
    QAction* a = entry(menu, QStringLiteral("Resume Training"));
    if (!a) {
      qWarning("the context menu has no Resume Training");
      menu->close();
      return;
    }
    enabled = a->isEnabled();
    tip = a->toolTip();
    if (!enabled) {
      menu->close();
      return;
    }
    QTest::mouseClick(menu, Qt::LeftButton, Qt::NoModifier, menu->actionGeometry(a).center());
  }));
  QVERIFY2(enabled, qPrintable(tip));
  QVERIFY2(tip.contains(QStringLiteral("step %1").arg(from)), qPrintable(tip));
  QVERIFY(w.controller()->isActive());
  QVERIFY(w.controller()->isResume());
  // While it trains, nothing else can be resumed.
  QVERIFY(!w.resumeAction()->isEnabled());
  QVERIFY(w.resumeAction()->toolTip().contains(QStringLiteral("in progress")));

  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Finished);
  QCOMPARE(w.controller()->resumedFrom(), from);
  QVERIFY(fileRowGone);
  QCOMPARE(message, QStringLiteral("Resumed killed.h5 after step %1").arg(from));
  // The views held the steps up to the checkpoint only: the rows the resume dropped are gone.
  QCOMPARE(int64_t(liveStepsAtResume.size()), from);
  QCOMPARE(liveStepsAtResume.back(), from);
  checkLikeReference(run);
  RunReader r(run.toStdString());
  QCOMPARE(r.info().resumed_at, std::vector<int64_t>{from});
  checkLiveEqualsFile(w, run);
  QCOMPARE(w.currentModel(), w.liveModel());
  QCOMPARE(w.currentFile(), QFileInfo(run).absoluteFilePath());
  QCOMPARE(w.liveModel()->status(), RunStatus::Finished);
  // Finished now: no second resume.
  QVERIFY(!w.resumeAction()->isEnabled());
}

// A run trained in the window (Start, then Stop: a checkpoint at the stop) is resumed where it
// is shown, from Run > Resume Training; Pause and Stop work on it; opened as a file, the
// toolbar's Resume Training continues it again to the end.
void TestResumeGui::stoppedRunResumesPausesStopsAndResumesAgain() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  // The reference's config through the setup panel, started with Start, stopped with Stop.
  w.setupPanel()->setConfig(config_from_json(RunReader(ref_.toStdString()).info().config_json));
  QSignalSpy finished(w.controller(), &TrainingController::finished);
  QVERIFY(clickToolbar(w, w.startAction()));
  const QString run = w.controller()->runFile();
  QVERIFY(run.startsWith(QFileInfo(runsDir()).absoluteFilePath()));
  QTRY_VERIFY_WITH_TIMEOUT(w.controller()->lastStep() >= 45, kTimeoutMs);
  QVERIFY(clickToolbar(w, w.stopAction()));
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Stopped);
  const int64_t stoppedAt = last_step_row(run);
  QCOMPARE(newest_state(run), stoppedAt);  // the stop wrote a checkpoint at its last step
  QCOMPARE(RunReader(run.toStdString()).info().config_json,
           RunReader(ref_.toStdString()).info().config_json);

  // The stopped live run is the target: Run > Resume Training continues it where it is shown.
  QCOMPARE(w.currentModel(), w.liveModel());
  QCOMPARE(w.resumeTargetRow(), w.runSet()->rowOf(w.liveModel()));
  QVERIFY2(w.resumeAction()->isEnabled(), qPrintable(w.resumeAction()->toolTip()));
  std::vector<int64_t> liveStepsAtResume;
  connect(w.controller(), &TrainingController::resumed, this, [&] {
    liveStepsAtResume.clear();
    for (const StepRecord& s : w.liveModel()->steps()) liveStepsAtResume.push_back(s.step);
  });
  QVERIFY(apptest::clickMenu(w, QStringLiteral("Run"), QStringLiteral("Resume Training")));
  QVERIFY(w.controller()->isActive());
  QTRY_VERIFY_WITH_TIMEOUT(w.liveModel()->steps().size() > size_t(stoppedAt) + 5, kTimeoutMs);
  QCOMPARE(int64_t(liveStepsAtResume.size()), stoppedAt);

  // Pause: the trainer halts after its step; Stop ends the resumed run "stopped".
  QVERIFY(w.pauseAction()->isEnabled());
  QVERIFY(clickToolbar(w, w.pauseAction()));
  QCOMPARE(w.controller()->state(), TrainingController::State::Paused);
  QTRY_VERIFY_WITH_TIMEOUT(w.controller()->pausedAtStep() > stoppedAt, kTimeoutMs);
  const int64_t pausedAt = w.controller()->pausedAtStep();
  QTRY_COMPARE(int64_t(w.liveModel()->steps().size()), pausedAt);
  QVERIFY(clickToolbar(w, w.stopAction()));
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, kTimeoutMs);
  QCOMPARE(finished.at(1).at(0).value<RunStatus>(), RunStatus::Stopped);
  {
    RunReader r(run.toStdString());
    QCOMPARE(r.status(), RunStatus::Stopped);
    QCOMPARE(r.info().resumed_at, std::vector<int64_t>{stoppedAt});
    QCOMPARE(r.num_steps(), pausedAt);
  }
  QCOMPARE(newest_state(run), pausedAt);
  checkLiveEqualsFile(w, run);

  // Opened as a file beside the live run, its row is the target; the toolbar continues it.
  QString err;
  QVERIFY2(w.openRunFile(run, &err), qPrintable(err));
  QCOMPARE(w.resumeTargetRow(), w.runSet()->rowOfFile(run));
  QVERIFY(w.resumeAction()->isEnabled());
  QVERIFY(clickToolbar(w, w.resumeAction()));
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 3, kTimeoutMs);
  QCOMPARE(finished.at(2).at(0).value<RunStatus>(), RunStatus::Finished);
  QCOMPARE(int64_t(liveStepsAtResume.size()), pausedAt);
  QCOMPARE(w.runSet()->rowOfFile(run), -1);  // the file's row made way for the live run
  checkLikeReference(run);
  RunReader r(run.toStdString());
  QCOMPARE(r.info().resumed_at, (std::vector<int64_t>{stoppedAt, pausedAt}));
  QCOMPARE(r.info().resume_times.size(), size_t(2));
  checkLiveEqualsFile(w, run);
}

// Resume Training is disabled, its tooltip (also in the context menu) saying why, for a run
// stopped without checkpoints (train.checkpoint_every = 0) and for a finished run.
void TestResumeGui::disabledWithReasons() {
  const QString noCkpt = runPath(QStringLiteral("no-checkpoints.h5"));
  QProcess p;
  p.setProcessChannelMode(QProcess::ForwardedChannels);
  p.start(QStringLiteral(MUONSCOPE_CLI), trainArgs(noCkpt, 1000000, 0));
  QVERIFY(p.waitForStarted());
  QTRY_VERIFY_WITH_TIMEOUT(last_step_row(noCkpt) > 0, kTimeoutMs);
  ::kill(pid_t(p.processId()), SIGINT);
  QVERIFY(p.waitForFinished(60000));
  QCOMPARE(RunReader(noCkpt.toStdString()).status(), RunStatus::Stopped);

  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QString err;
  QVERIFY2(w.openRunFile(noCkpt, &err), qPrintable(err));
  QVERIFY(!w.resumeAction()->isEnabled());
  QVERIFY2(w.resumeAction()->toolTip().contains(QStringLiteral("train.checkpoint_every = 0")),
           qPrintable(w.resumeAction()->toolTip()));
  bool enabled = true;
  QString tip;
  QVERIFY(contextMenuOn(w, noCkpt, [&](QMenu* menu) {
    if (QAction* a = entry(menu, QStringLiteral("Resume Training"))) {
      enabled = a->isEnabled();
      tip = a->toolTip();
    }
    menu->close();
  }));
  QVERIFY(!enabled);
  QVERIFY2(tip.contains(QStringLiteral("no-checkpoints.h5")) &&
               tip.contains(QStringLiteral("train.checkpoint_every = 0")),
           qPrintable(tip));
  QVERIFY(!w.resumeRun(&err));
  QVERIFY2(err.contains(QStringLiteral("train.checkpoint_every = 0")), qPrintable(err));

  // A right-click on the finished run's row makes it the target.
  QVERIFY2(w.openRunFile(ref_, &err), qPrintable(err));
  QVERIFY(contextMenuOn(w, ref_, [&](QMenu* menu) {
    if (QAction* a = entry(menu, QStringLiteral("Resume Training"))) {
      enabled = a->isEnabled();
      tip = a->toolTip();
    }
    menu->close();
  }));
  QVERIFY(!enabled);
  QVERIFY2(tip.contains(QStringLiteral("ref.h5 finished all 600 steps")), qPrintable(tip));
  QVERIFY(!w.controller()->isActive());
  // The live row's context menu has no Resume Training: it is not a run file.
  bool liveHasEntry = true;
  {
    RunTable* table = w.runTable();
    QTreeWidgetItem* item = table->itemOfRow(w.runSet()->rowOf(w.liveModel()));
    QVERIFY(item);
    const QPoint at = table->tree()->visualItemRect(item).center();
    apptest::whenActive<QMenu>(
        [&](QMenu* menu) {
          liveHasEntry = entry(menu, QStringLiteral("Resume Training")) != nullptr;
          menu->close();
        },
        true);
    QContextMenuEvent event(QContextMenuEvent::Mouse, at,
                            table->tree()->viewport()->mapToGlobal(at));
    QApplication::sendEvent(table->tree()->viewport(), &event);
  }
  QVERIFY(!liveHasEntry);
}

// A damaged state file, then a state of another config (optim.lr_adamw differs): each resume
// is refused with a message box naming the file and the problem; the run file stays byte for
// byte as it was and its row comes back with its rows; the live run stays empty.
void TestResumeGui::refusedResumeShowsErrorAndKeepsFile() {
  const QString run = runPath(QStringLiteral("refused.h5"));
  QProcess p;
  p.setProcessChannelMode(QProcess::ForwardedChannels);
  p.start(QStringLiteral(MUONSCOPE_CLI), trainArgs(run));
  QVERIFY(p.waitForStarted());
  QTRY_VERIFY_WITH_TIMEOUT(newest_state(run) >= 40 || p.state() == QProcess::NotRunning,
                           kTimeoutMs);
  QVERIFY(p.state() == QProcess::Running);
  ::kill(pid_t(p.processId()), SIGINT);
  QVERIFY(p.waitForFinished(60000));
  const int64_t n = newest_state(run);
  const QString state = checkpoint_folder(run) + QStringLiteral("/state-%1.pt").arg(n);
  QVERIFY(QFileInfo::exists(state));
  // A state written by a run of another learning rate, at the same step.
  const QString other = runPath(QStringLiteral("other-lr.h5"));
  QCOMPARE(runCli(trainArgs(other, n, 20, {"--set", "optim.lr_adamw=0.0123"})), 0);
  const QString otherState = checkpoint_folder(other) + QStringLiteral("/state-%1.pt").arg(n);
  QVERIFY(QFileInfo::exists(otherState));
  const QByteArray before = digest(run);
  const int64_t rows = last_step_row(run);

  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QString err;
  QVERIFY2(w.openRunFile(run, &err), qPrintable(err));

  auto refused = [&](const QString& expected) {
    QVERIFY(w.resumeAction()->isEnabled());
    QSignalSpy finished(w.controller(), &TrainingController::finished);
    QVERIFY(clickToolbar(w, w.resumeAction()));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Failed);
    QVERIFY(!w.controller()->fileCreated());
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = w.findChild<QMessageBox*>()) != nullptr);
    QTRY_VERIFY(box->isVisible());
    QVERIFY2(box->text().contains(QStringLiteral("refused.h5")) && box->text().contains(expected),
             qPrintable(box->text()));
    box->button(QMessageBox::Ok)->click();
    QTRY_VERIFY(w.findChild<QMessageBox*>() == nullptr);
    QCOMPARE(digest(run), before);
    // The row is back, with its rows; the live run holds nothing.
    const int row = w.runSet()->rowOfFile(run);
    QVERIFY(row >= 0);
    QTRY_VERIFY(!w.runSet()->entry(row).follower->isLoading());
    QCOMPARE(w.runSet()->lastStep(row), rows);
    QCOMPARE(w.currentFile(), QFileInfo(run).absoluteFilePath());
    QVERIFY(w.liveModel()->steps().empty());
    QVERIFY(!w.showsLiveRun());
    QVERIFY(w.resumeAction()->isEnabled());  // the file can be tried again once fixed
  };

  QVERIFY(QFile::rename(state, state + QStringLiteral(".good")));
  {
    std::ofstream f(state.toStdString(), std::ios::binary);
    f << "garbage, not a LibTorch archive";
  }
  refused(QFileInfo(state).fileName());
  if (QTest::currentTestFailed()) return;

  QVERIFY(QFile::remove(state));
  QVERIFY(QFile::copy(otherState, state));
  refused(QStringLiteral("optim.lr_adamw"));
  if (QTest::currentTestFailed()) return;

  // With its own state back it resumes and ends like the uninterrupted run.
  QVERIFY(QFile::remove(state));
  QVERIFY(QFile::rename(state + QStringLiteral(".good"), state));
  QSignalSpy finished(w.controller(), &TrainingController::finished);
  QVERIFY(clickToolbar(w, w.resumeAction()));
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Finished);
  checkLikeReference(run);
  QCOMPARE(RunReader(run.toStdString()).info().resumed_at, std::vector<int64_t>{n});
}

QTEST_MAIN(TestResumeGui)
#include "test_resume_gui.moc"
