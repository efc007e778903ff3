// The app's two threaded/streaming pieces without a window: TrainingController (a run on a
// worker QThread, pause/resume/stop from this thread) and RunFollower (a run file tailed while
// another process writes it). The soak test drives 100 start/pause/resume/stop cycles through
// every interleaving the UI allows (pause while preparing, stop while paused, stop before the
// first step, repeated pause/resume) and checks after each that the run ended "stopped", that
// the thread is gone and that the file holds exactly the steps delivered. Every wait is on a
// condition with a timeout, so a deadlock fails with the cycle and state instead of hanging.
// The ThreadSanitizer build of scripts/run-tests.sh runs this suite too (MUONSCOPE_SOAK_CYCLES
// sets the cycle count there).
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "AppTestSupport.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "StudyRunner.h"
#include "TrainingController.h"
#include "store/RunReader.h"
#include "train/RunConfig.h"
#include "train/Studies.h"

using namespace ms;

namespace {

constexpr int kTimeoutMs = 60000;

// Tiny and long: a run ends only when it is stopped.
RunConfig tinyEndless() {
  RunConfig c = preset("quick");
  c.model.layers = 1;
  c.model.d_model = 32;
  c.model.heads = 2;
  c.model.seq_len = 32;
  c.train.batch_size = 4;
  c.train.steps = 1000000;
  c.train.threads = 1;
  c.train.val_every = 1000000;
  c.metrics.every = 50;
  c.metrics.kivi_every = 0;
  c.device = "cpu";
  return c;
}

QString stateName(TrainingController::State s) {
  return QString::fromLatin1(QMetaEnum::fromType<TrainingController::State>().valueToKey(int(s)));
}

}  // namespace

class TestController : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void soakPauseResumeStop();
  void refusesSecondRunAndExistingFile();
  void followerTailsAWriterProcess();
  void studyIndexKeepsOtherProcessEntries();
};

void TestController::soakPauseResumeStop() {
  const int cycles = qEnvironmentVariableIsSet("MUONSCOPE_SOAK_CYCLES")
                         ? qEnvironmentVariableIntValue("MUONSCOPE_SOAK_CYCLES")
                         : 100;
  QVERIFY(cycles > 0);
  TrainingController c;
  using S = TrainingController::State;
  int64_t delivered = 0;
  connect(&c, &TrainingController::stepsReady, this,
          [&](const std::vector<StepRecord>& s) { delivered += static_cast<int64_t>(s.size()); });
  QSignalSpy finished(&c, &TrainingController::finished);
  const RunConfig cfg = tinyEndless();
  int stoppedWhilePaused = 0, stoppedBeforeFirstStep = 0;
  for (int k = 0; k < cycles; ++k) {
    const QString ctx = QStringLiteral("cycle %1 (kind %2)").arg(k).arg(k % 4);
    const QString file = dir_.filePath(QStringLiteral("soak-%1.h5").arg(k));
    delivered = 0;
    finished.clear();
    QString err;
    QVERIFY2(c.start(cfg, file, &err), qPrintable(ctx + ": " + err));
    QCOMPARE(c.state(), S::Preparing);
    auto waitSteps = [&](int64_t beyond) {
      return QTest::qWaitFor([&] { return c.lastStep() > beyond; }, kTimeoutMs);
    };
    switch (k % 4) {
      case 0:  // pause while preparing, resume, run, stop
        c.pause();
        QCOMPARE(c.state(), S::Paused);
        c.resume();
        QVERIFY2(waitSteps(0), qPrintable(ctx + " state " + stateName(c.state())));
        break;
      case 1: {  // run, pause (the step in flight ends), stop while paused
        QVERIFY2(waitSteps(0), qPrintable(ctx));
        c.pause();
        QVERIFY2(QTest::qWaitFor([&] { return c.pausedAtStep() > 0; }, kTimeoutMs),
                 qPrintable(ctx));
        const int64_t at = c.pausedAtStep();
        QVERIFY2(QTest::qWaitFor([&] { return c.lastStep() == at; }, kTimeoutMs), qPrintable(ctx));
        QCOMPARE(c.pausedAtStep(), at);  // still waiting: no step was made while paused
        ++stoppedWhilePaused;
        break;
      }
      case 2:  // stop at once, before the first step
        ++stoppedBeforeFirstStep;
        break;
      case 3:  // pause and resume twice while running, then stop
        for (int i = 0; i < 2; ++i) {
          QVERIFY2(waitSteps(c.lastStep()), qPrintable(ctx));
          c.togglePause();
          QCOMPARE(c.state(), S::Paused);
          c.togglePause();
          QCOMPARE(c.state(), S::Running);
        }
        QVERIFY2(waitSteps(c.lastStep()), qPrintable(ctx));
        break;
    }
    c.stop();
    QCOMPARE(c.state(), S::Stopping);
    QVERIFY2(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs),
             qPrintable(ctx + ": no finished() in 60 s, state " + stateName(c.state())));
    QCOMPARE(c.state(), S::Idle);
    QVERIFY(c.waitForThread(kTimeoutMs));
    QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Stopped);
    // The file exists once the worker prepared (a stop before that may leave none) and holds
    // exactly the steps that reached this thread, numbered 1..n.
    if (c.fileCreated()) {
      RunReader r(file.toStdString());
      QCOMPARE(r.status(), RunStatus::Stopped);
      QVERIFY2(r.num_steps() == delivered,
               qPrintable(QStringLiteral("%1: file %2 steps, delivered %3")
                              .arg(ctx)
                              .arg(r.num_steps())
                              .arg(delivered)));
      if (delivered > 0) QCOMPARE(r.steps(delivered - 1, delivered).front().step, delivered);
    } else {
      QCOMPARE(delivered, int64_t(0));
    }
    if (k % 4 != 2) QVERIFY(delivered > 0);
  }
  qInfo("%d cycles: %d stopped while paused, %d stopped before the first step", cycles,
        stoppedWhilePaused, stoppedBeforeFirstStep);
}

void TestController::refusesSecondRunAndExistingFile() {
  TrainingController c;
  QSignalSpy finished(&c, &TrainingController::finished);
  const QString file = dir_.filePath(QStringLiteral("once.h5"));
  QString err;
  QVERIFY(c.start(tinyEndless(), file, &err));
  QVERIFY(!c.start(tinyEndless(), dir_.filePath(QStringLiteral("twice.h5")), &err));
  QVERIFY(err.contains(QStringLiteral("already in progress")));
  QVERIFY(!QFileInfo::exists(dir_.filePath(QStringLiteral("twice.h5"))));
  c.stop();
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
  err.clear();
  QVERIFY(!c.start(tinyEndless(), file, &err));  // the file exists: never overwritten
  QVERIFY2(err.contains(file), qPrintable(err));
  RunConfig bad = tinyEndless();
  bad.model.heads = 3;  // does not divide d_model = 32
  err.clear();
  QVERIFY(!c.start(bad, dir_.filePath(QStringLiteral("bad.h5")), &err));
  QVERIFY2(err.contains(QStringLiteral("model.heads")), qPrintable(err));
  QVERIFY(!c.isActive());
}

// muonscope-cli writes a run in another process; RunFollower reads it while it grows, emits
// updated() as rows arrive, and stops following once the writer has finalized the file.
void TestController::followerTailsAWriterProcess() {
#ifndef MUONSCOPE_CLI
  QSKIP("muonscope-cli is not built");
#else
  const QString file = dir_.filePath(QStringLiteral("tailed.h5"));
  QProcess cli;
  apptest::startEndlessCliRun(cli, QStringLiteral(MUONSCOPE_CLI), file, 10, {1, 32, 2, 4});
  QVERIFY2(cli.waitForStarted(10000), qPrintable(cli.errorString()));
  QTRY_VERIFY_WITH_TIMEOUT(apptest::stepsOnDisk(file) >= 1, kTimeoutMs);
  RunModel model;
  RunFollower f(&model);
  QSignalSpy updated(&f, &RunFollower::updated);
  QSignalSpy following(&f, &RunFollower::followingChanged);
  QString err;
  QVERIFY2(f.open(file, &err), qPrintable(err));
  QVERIFY(f.isFollowing());
  QCOMPARE(model.status(), RunStatus::Running);
  const size_t atOpen = model.steps().size();
  QVERIFY(atOpen >= 1);
  QTRY_VERIFY_WITH_TIMEOUT(model.steps().size() > atOpen + 10 && model.snapshots().size() >= 2,
                           kTimeoutMs);
  QVERIFY(updated.count() >= 1);
  QCOMPARE(cli.state(), QProcess::Running);  // what arrived came from a file being written
  // Rows arrive in order, without gaps or repeats.
  for (size_t i = 0; i < model.steps().size(); ++i)
    QCOMPARE(model.steps()[i].step, static_cast<int64_t>(i + 1));
  cli.terminate();  // SIGTERM: the CLI stops after its step and finalizes the file
  QVERIFY(cli.waitForFinished(kTimeoutMs));
  QCOMPARE(cli.exitCode(), 130);
  QTRY_VERIFY_WITH_TIMEOUT(!f.isFollowing(), 5 * RunFollower::kPollMs);
  QVERIFY(!following.isEmpty() && !following.last().at(0).toBool());
  QCOMPARE(model.status(), RunStatus::Stopped);
  RunReader r(file.toStdString());
  QCOMPARE(static_cast<int64_t>(model.steps().size()), r.num_steps());
  QCOMPARE(static_cast<int>(model.snapshots().size()), r.num_snapshots());
  QCOMPARE(model.steps().back().loss, r.steps(r.num_steps() - 1).front().loss);
#endif
}

// StudyRunner changes study.json with the CLI's locked read-modify-write (update_study_index):
// an entry another process wrote between two members (as `muonscope-cli study --member 2`
// does) survives the runner's next updates (member 1 running, then stopped).
void TestController::studyIndexKeepsOtherProcessEntries() {
  const QString out = dir_.filePath(QStringLiteral("study-shared"));
  const QStringList settings = {"model.layers=1",       "model.d_model=32",   "model.heads=2",
                                "model.seq_len=32",     "train.steps=20",     "metrics.every=10",
                                "metrics.kivi_every=0", "train.batch_size=4", "train.threads=1",
                                "device=\"cpu\""};
  std::vector<std::string> sets;
  for (const QString& kv : settings) sets.push_back(kv.toStdString());
  const std::vector<StudyMember> members = study_members("qk-norm", "cpu", sets);
  QCOMPARE(members.size(), size_t(3));
  const StudyIndex fresh = new_study_index("qk-norm", "cpu", members);
  auto onDisk = [&] {
    QFile f(QDir(out).filePath(QStringLiteral("study.json")));
    return f.open(QIODevice::ReadOnly) ? study_index_from_json(f.readAll().toStdString())
                                       : StudyIndex();
  };

  StudyRunner runner;
  // Between member 0 and member 1 another process takes member 2.
  connect(&runner, &StudyRunner::memberFinished, this, [&](int i) {
    if (i != 0) return;
    update_study_index(out.toStdString(), fresh, [](StudyIndex& idx) {
      idx.members[2].status = "running";
      idx.members[2].summary = "another process";
    });
  });
  StudyIndex atMember1;
  connect(&runner, &StudyRunner::memberStarted, this, [&](int i) {
    if (i != 1) return;
    atMember1 = onDisk();  // after the runner's update for member 1
    runner.stop();
  });
  QSignalSpy done(&runner, &StudyRunner::finished);
  QString err;
  QVERIFY2(runner.start(QStringLiteral("qk-norm"), QStringLiteral("cpu"), settings, out, &err),
           qPrintable(err));
  QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kTimeoutMs);

  QCOMPARE(atMember1.members.size(), size_t(3));
  QCOMPARE(atMember1.members[0].status, std::string("finished"));
  QCOMPARE(atMember1.members[1].status, std::string("running"));
  QCOMPARE(atMember1.members[2].status, std::string("running"));
  QCOMPARE(atMember1.members[2].summary, std::string("another process"));
  const StudyIndex end = onDisk();
  QCOMPARE(end.members[0].status, std::string("finished"));
  QCOMPARE(end.members[1].status, std::string("stopped"));
  QCOMPARE(end.members[2].status, std::string("running"));
  QCOMPARE(end.members[2].summary, std::string("another process"));
  QCOMPARE(runner.index().members[2].summary, std::string("another process"));
  QVERIFY(runner.lastError().isEmpty());
}

QTEST_GUILESS_MAIN(TestController)
#include "test_controller.moc"
