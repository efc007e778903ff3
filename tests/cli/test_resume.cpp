// Resuming a run (muonscope-cli train --resume): a run killed with SIGKILL at a random step, or
// stopped with SIGINT, and resumed from its newest checkpoint ends with the same loss curve,
// validation losses, snapshots and final weights as the same run trained in one go; the file
// records where it resumed and has each step once. Refusals leave the file as it was: a changed
// config (the differing keys are named), a finished run, a damaged state file (named), a run
// without checkpoints.
#include <QtTest>

#include <cmath>
#include <csignal>
#include <fstream>

#include "CliTestSupport.h"
#include "ckpt/Safetensors.h"
#include "store/RunReader.h"

using namespace ms;

namespace {

constexpr int kSteps = 800;
// A hybrid (Muon on V, O, FFN; AdamW on the rest) so both optimizers' states must come back;
// KIVI every 3rd snapshot so the snapshot count must come back too; one thread so the run is
// bit-reproducible.
const QStringList kRun = {
    "--steps", QString::number(kSteps),    "--set",    "model.layers=1",
    "--set",   "model.d_model=32",         "--set",    "model.heads=2",
    "--set",   "model.seq_len=32",         "--set",    "train.batch_size=4",
    "--set",   "metrics.every=10",         "--set",    "metrics.kivi_every=3",
    "--set",   "train.val_every=10",       "--set",    "train.threads=1",
    "--set",   "train.checkpoint_every=7", "--set",    "optim.muon=attn.v,attn.o,mlp.in,mlp.out",
    "--set",   "optim.schedule=cosine",    "--device", "cpu",
    "--quiet"};

}  // namespace

class TestResume : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString ref_;

  // Every loss, validation loss and snapshot metric, and the final weights, equal to the
  // uninterrupted run's (1e-6).
  void compareWithReference(const QString& run) {
    RunReader a(ref_.toStdString()), b(run.toStdString());
    QCOMPARE(b.status(), RunStatus::Finished);
    QCOMPARE(b.num_steps(), int64_t(kSteps));
    const auto sa = a.steps(), sb = b.steps();
    for (int64_t i = 0; i < kSteps; ++i) {
      QCOMPARE(sb[size_t(i)].step, i + 1);  // each step once, in order
      QVERIFY2(std::abs(sa[size_t(i)].loss - sb[size_t(i)].loss) <= 1e-6,
               qPrintable(QString("step %1: loss %2 vs %3")
                              .arg(i + 1)
                              .arg(sa[size_t(i)].loss, 0, 'g', 17)
                              .arg(sb[size_t(i)].loss, 0, 'g', 17)));
      QVERIFY(std::abs(sa[size_t(i)].grad_norm - sb[size_t(i)].grad_norm) <= 1e-6);
      QCOMPARE(sb[size_t(i)].tokens, sa[size_t(i)].tokens);
    }
    const auto va = a.vals(), vb = b.vals();
    QCOMPARE(vb.size(), va.size());
    for (size_t i = 0; i < va.size(); ++i) {
      QCOMPARE(vb[i].step, va[i].step);
      QVERIFY(std::abs(va[i].loss - vb[i].loss) <= 1e-6);
    }
    QCOMPARE(b.num_snapshots(), a.num_snapshots());
    for (int i = 0; i < a.num_snapshots(); ++i) {
      const Snapshot x = a.snapshot(i), y = b.snapshot(i);
      QCOMPARE(y.step, x.step);
      QVERIFY(std::abs(x.val_loss - y.val_loss) <= 1e-6);
      QCOMPARE(y.kivi.valid, x.kivi.valid);  // the same KIVI cadence
      const auto &lx = x.layers.at(0), &ly = y.layers.at(0);
      for (size_t j = 0; j < lx.pr_sv[0].size(); ++j)
        QVERIFY(std::abs(lx.pr_sv[0][j] - ly.pr_sv[0][j]) <= 1e-6);
      for (size_t m = 0; m < lx.matrices.size(); ++m)
        QVERIFY(std::abs(lx.matrices[m].entropy - ly.matrices[m].entropy) <= 1e-6 ||
                (std::isnan(lx.matrices[m].entropy) && std::isnan(ly.matrices[m].entropy)));
    }
    const std::string last = "/step-" + std::to_string(kSteps) + ".safetensors";
    SafetensorsFile wa(checkpoint_folder(ref_).toStdString() + last),
        wb(checkpoint_folder(run).toStdString() + last);
    QCOMPARE(wb.entries().size(), wa.entries().size());
    for (const auto& e : wa.entries()) {
      const auto x = wa.read_float(e.name), y = wb.read_float(e.name);
      QCOMPARE(y.size(), x.size());
      for (size_t j = 0; j < x.size(); ++j)
        QVERIFY2(std::abs(x[j] - y[j]) <= 1e-6, qPrintable(QString::fromStdString(e.name)));
    }
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    ref_ = dir_.filePath("ref.h5");
    const auto r = cli(QStringList{"train", "--out", ref_} + kRun);
    QVERIFY2(r.code == 0, qPrintable(r.err));
  }

  void killedRunResumesToTheSameCurve() {
    const QString run = dir_.filePath("killed.h5");
    // A random checkpoint to kill after (printed so a failure can be replayed).
    const int after = 7 * QRandomGenerator::global()->bounded(2, 60);
    qInfo("killing after the checkpoint of step >= %d", after);
    QProcess p;
    p.start(MUONSCOPE_CLI, QStringList{"train", "--out", run} + kRun);
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(newest_state((run)) >= after || p.state() == QProcess::NotRunning,
                             120000);
    QVERIFY2(p.state() == QProcess::Running, "the run ended before it could be killed");
    ::kill(pid_t(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished(30000));
    int64_t rows = 0;
    {
      RunReader r(run.toStdString());
      QCOMPARE(r.status(), RunStatus::Interrupted);
      rows = r.num_steps();
    }
    const int64_t from = newest_state((run));
    QVERIFY(from >= after && from < kSteps);

    // A changed config is refused naming the key, and the file is left as it was.
    const auto refused = cli({"train", "--resume", run, "--set", "optim.lr_adamw=0.01"});
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.contains("optim.lr_adamw") && refused.err.contains("cannot resume"),
             qPrintable(refused.err));
    {
      RunReader r(run.toStdString());
      QCOMPARE(r.status(), RunStatus::Interrupted);
      QCOMPARE(r.num_steps(), rows);
    }

    const auto r = cli({"train", "--resume", run, "--quiet"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    compareWithReference(run);
    RunReader rr(run.toStdString());
    QCOMPARE(rr.info().resumed_at, std::vector<int64_t>{from});
    QCOMPARE(rr.info().resume_times.size(), size_t(1));
    const auto info = cli({"info", run});  // prints where it resumed
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("resumed    after step " + QString::number(from) + " ("),
             qPrintable(info.out));
  }

  void stoppedRunCheckpointsAtTheStopAndResumes() {
    const QString run = dir_.filePath("stopped.h5");
    QProcess p;
    p.start(MUONSCOPE_CLI, QStringList{"train", "--out", run} + kRun);
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(newest_state((run)) >= 70 || p.state() == QProcess::NotRunning,
                             120000);
    QVERIFY2(p.state() == QProcess::Running, "the run ended before it could be stopped");
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    int64_t last = 0;
    {
      RunReader r(run.toStdString());
      QCOMPARE(r.status(), RunStatus::Stopped);
      last = r.num_steps();
    }
    // The stop wrote a checkpoint at its last step, so nothing is recomputed.
    QCOMPARE(newest_state((run)), last);
    const auto r = cli({"train", "--resume", run, "--quiet"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    compareWithReference(run);
    RunReader rr(run.toStdString());
    QCOMPARE(rr.info().resumed_at, std::vector<int64_t>{last});
  }

  void refusals() {
    // A finished run has nothing to resume.
    auto r = cli({"train", "--resume", ref_});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("nothing to resume"), qPrintable(r.err));
    // --out / --preset do not go with --resume.
    r = cli({"train", "--resume", ref_, "--out", dir_.filePath("x.h5")});
    QCOMPARE(r.code, 2);

    // A run stopped without checkpoints (train.checkpoint_every = 0) cannot be resumed.
    const QString stopped = dir_.filePath("nockpt.h5");
    QProcess p;
    QStringList a2 = QStringList{"train", "--out", stopped} + kRun;
    a2 << "--set"
       << "train.checkpoint_every=0";
    p.start(MUONSCOPE_CLI, a2);
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(last_step_row(stopped) > 0, 60000);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    r = cli({"train", "--resume", stopped});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("no checkpoint") && r.err.contains("checkpoint_every"),
             qPrintable(r.err));

    // Damaged state file: named in the message, file untouched.
    const QString killed = dir_.filePath("damaged.h5");
    p.start(MUONSCOPE_CLI, QStringList{"train", "--out", killed} + kRun);
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(newest_state((killed)) >= 14 || p.state() == QProcess::NotRunning,
                             60000);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    const int64_t s = newest_state((killed));
    const QString state = checkpoint_folder(killed) + "/state-" + QString::number(s) + ".pt";
    int64_t rows = 0;
    {
      RunReader rr(killed.toStdString());
      rows = rr.num_steps();
    }
    {
      std::fstream f(state.toStdString(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(0);
      f.write("garbage!", 8);
    }
    r = cli({"train", "--resume", killed});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QFileInfo(state).fileName()), qPrintable(r.err));
    RunReader rr(killed.toStdString());
    QCOMPARE(rr.status(), RunStatus::Stopped);
    QCOMPARE(rr.num_steps(), rows);
  }
};

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
