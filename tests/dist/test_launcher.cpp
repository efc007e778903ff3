// launch_local (core/dist/LocalLauncher): dist_worker in its "launch" scenario starts itself as
// two ranks. Checked: every rank's variables (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR/PORT,
// MUONSCOPE_LAUNCHER, OMP_NUM_THREADS shared out or kept), exit codes passed up, a rank killed by
// SIGKILL reported with its rank and pid while the other is terminated (SIGTERM, then SIGKILL
// when it ignores SIGTERM), SIGINT/SIGTERM sent to the launcher forwarded (exit 130), two ranks
// that really rendezvous, a program that cannot be executed. Waits are on files appearing and on
// process exits, never fixed sleeps.
#include <QtTest>

#include <signal.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "dist/LocalLauncher.h"
#include "train/CpuCores.h"

using namespace ms;

namespace {

struct Launch {
  int code = -1;
  bool finished = false;
  QString out, err;
  QString dump() const {
    return QString("launcher code %1%2\n--- stdout\n%3--- stderr\n%4")
        .arg(code)
        .arg(finished ? "" : " (did not finish in time)")
        .arg(out, err);
  }
};

QProcessEnvironment clean_env() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* k : {"OMP_NUM_THREADS", "MUONSCOPE_LAUNCHER", "SLURM_PROCID", "SLURM_STEP_ID"})
    env.remove(k);
  env.insert("RANK", "5");  // stale values the launcher must replace
  env.insert("WORLD_SIZE", "9");
  env.insert("MASTER_PORT", "1");
  return env;
}

void start(QProcess& p, const QStringList& args, const QProcessEnvironment& env = clean_env()) {
  p.setProcessEnvironment(env);
  p.start(DIST_WORKER, QStringList{"launch"} + args);
  QVERIFY2(p.waitForStarted(5000), qPrintable(p.errorString()));
}

Launch finish(QProcess& p, int timeout_ms = 20000) {
  Launch l;
  l.finished = p.waitForFinished(timeout_ms);
  if (!l.finished) {
    p.kill();
    p.waitForFinished(5000);
  }
  l.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  l.out = QString::fromUtf8(p.readAllStandardOutput());
  l.err = QString::fromUtf8(p.readAllStandardError());
  return l;
}

Launch run(const QStringList& args, const QProcessEnvironment& env = clean_env()) {
  QProcess p;
  start(p, args, env);
  return finish(p);
}

QString read(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

std::map<QString, QString> vars(const QString& path) {
  std::map<QString, QString> m;
  for (const QString& l : read(path).split('\n', Qt::SkipEmptyParts))
    m[l.section('=', 0, 0)] = l.section('=', 1);
  return m;
}

}  // namespace

class TestLauncher : public QObject {
  Q_OBJECT

 private slots:
  void ranks_get_their_variables() {
    QTemporaryDir dir;
    const Launch l = run({"2", "5000", "1000", "env", dir.path(), "0"});
    QVERIFY2(l.finished && l.code == 0, qPrintable(l.dump()));
    const auto r0 = vars(dir.path() + "/rank0.txt"), r1 = vars(dir.path() + "/rank1.txt");
    QVERIFY2(!r0.empty() && !r1.empty(), qPrintable(l.dump()));
    const QString omp = QString::number(std::max(1, usable_cores() / 2));
    int rank = 0;
    for (const auto& r : {r0, r1}) {
      QCOMPARE(r.at("RANK"), QString::number(rank));
      QCOMPARE(r.at("LOCAL_RANK"), QString::number(rank));
      QCOMPARE(r.at("WORLD_SIZE"), QString("2"));
      QCOMPARE(r.at("LOCAL_WORLD_SIZE"), QString("2"));
      QCOMPARE(r.at("MASTER_ADDR"), QString("127.0.0.1"));
      QCOMPARE(r.at("MUONSCOPE_LAUNCHER"), QString("local"));
      QCOMPARE(r.at("OMP_NUM_THREADS"), omp);
      QCOMPARE(r.at("DESCRIBE"), QString("rank %1 of 2 (local %1) via local, store 127.0.0.1:%2")
                                     .arg(rank)
                                     .arg(r.at("MASTER_PORT")));
      ++rank;
    }
    QCOMPARE(r0.at("MASTER_PORT"), r1.at("MASTER_PORT"));
    const int port = r0.at("MASTER_PORT").toInt();
    QVERIFY2(port >= 1024 && port <= 65535, qPrintable(r0.at("MASTER_PORT")));
    QVERIFY2(l.err.startsWith(QString("launch: starting 2 ranks on this machine (rendezvous "
                                      "127.0.0.1:%1, OMP_NUM_THREADS=%2 each)\n")
                                  .arg(port)
                                  .arg(omp)),
             qPrintable(l.err));
  }

  void user_omp_threads_kept() {
    QTemporaryDir dir;
    QProcessEnvironment env = clean_env();
    env.insert("OMP_NUM_THREADS", "3");
    const Launch l = run({"2", "5000", "1000", "env", dir.path(), "0"}, env);
    QVERIFY2(l.finished && l.code == 0, qPrintable(l.dump()));
    QCOMPARE(vars(dir.path() + "/rank0.txt").at("OMP_NUM_THREADS"), QString("3"));
    QCOMPARE(vars(dir.path() + "/rank1.txt").at("OMP_NUM_THREADS"), QString("3"));
  }

  void exit_code_passed_up() {
    QTemporaryDir dir;
    const Launch l = run({"2", "5000", "1000", "env", dir.path(), "3"});
    QVERIFY2(l.finished && l.code == 3, qPrintable(l.dump()));
    QVERIFY2(l.err.contains(QRegularExpression("launch: rank 1 \\(pid \\d+\\) ended with exit "
                                               "code 3\n")),
             qPrintable(l.err));
    QVERIFY2(!l.err.contains("rank 0 (pid"), qPrintable(l.err));  // rank 0 ended normally
  }

  void exit_130_is_a_stop() {
    QTemporaryDir dir;
    const Launch l = run({"2", "5000", "1000", "env", dir.path(), "130"});
    QVERIFY2(l.finished && l.code == 130, qPrintable(l.dump()));
    QVERIFY2(!l.err.contains("ended"), qPrintable(l.err));
  }

  void killed_rank_reported_others_terminated_data() {
    QTest::addColumn<bool>("ignore_term");
    QTest::newRow("rank 0 ends on SIGTERM") << false;
    QTest::newRow("rank 0 ignores SIGTERM: SIGKILL") << true;
  }
  void killed_rank_reported_others_terminated() {
    QFETCH(bool, ignore_term);
    QTemporaryDir dir;
    QStringList args{"2", "300", "300", "sigkill1", dir.path()};
    if (ignore_term) args << "ignore-term";
    const Launch l = run(args);
    QVERIFY2(l.finished && l.code == 1, qPrintable(l.dump()));
    const QString pid1 = read(dir.path() + "/ready1"), pid0 = read(dir.path() + "/ready0");
    QVERIFY2(!pid1.isEmpty() && !pid0.isEmpty(), qPrintable(l.dump()));
    QVERIFY2(l.err.contains(QString("launch: rank 1 (pid %1) ended by signal 9 (Killed)\n"
                                    "launch: giving the other ranks 0.3 s to end on their own, "
                                    "then SIGTERM\n")
                                .arg(pid1)),
             qPrintable(l.err));
    QVERIFY2(l.err.contains(QString("launch: sending SIGTERM to rank 0 (pid %1)\n").arg(pid0)),
             qPrintable(l.err));
    if (ignore_term) {
      QVERIFY2(l.err.contains(QString("launch: sending SIGKILL to rank 0 (pid %1)\n"
                                      "launch: rank 0 (pid %1) ended by signal 9 (Killed) (sent "
                                      "by the launcher)\n")
                                  .arg(pid0)),
               qPrintable(l.err));
    } else {
      QVERIFY2(l.err.contains(QString("launch: rank 0 (pid %1) ended by signal 15 (Terminated) "
                                      "(sent by the launcher)\n")
                                  .arg(pid0)),
               qPrintable(l.err));
      QVERIFY2(!l.err.contains("SIGKILL"), qPrintable(l.err));
    }
    QCOMPARE(::kill(pid0.toInt(), 0), -1);  // reaped: gone
  }

  void signal_to_launcher_forwarded_data() {
    QTest::addColumn<int>("sig");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
  }
  void signal_to_launcher_forwarded() {
    QFETCH(int, sig);
    QTemporaryDir dir;
    QProcess p;
    start(p, {"2", "5000", "1000", "wait-signal", dir.path()});
    QTRY_VERIFY_WITH_TIMEOUT(
        QFile::exists(dir.path() + "/ready0") && QFile::exists(dir.path() + "/ready1"), 15000);
    QCOMPARE(::kill(pid_t(p.processId()), sig), 0);
    const Launch l = finish(p);
    QVERIFY2(l.finished && l.code == 130, qPrintable(l.dump()));
    QCOMPARE(read(dir.path() + "/got0"), QString::number(sig));
    QCOMPARE(read(dir.path() + "/got1"), QString::number(sig));
  }

  void ranks_rendezvous() {
    QProcessEnvironment env = clean_env();
    env.insert("OMP_NUM_THREADS", "1");
    const Launch l = run({"2", "5000", "1000", "collectives"}, env);
    QVERIFY2(l.finished && l.code == 0, qPrintable(l.dump()));
    QVERIFY2(l.out.contains("DONE 0\n") && l.out.contains("DONE 1\n"), qPrintable(l.dump()));
  }

  void program_that_cannot_run() {
    QProcessEnvironment env = clean_env();
    env.insert("DIST_WORKER_EXE", "/nonexistent/muonscope");
    const Launch l = run({"2", "5000", "1000", "env", "/tmp", "0"}, env);
    QVERIFY2(l.finished && l.code == 70, qPrintable(l.dump()));
    QVERIFY2(l.err.contains("dist_worker: launch_local: cannot execute /nonexistent/muonscope: No "
                            "such file or directory"),
             qPrintable(l.err));
  }

  void bad_arguments() {
    std::ostringstream log;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, launch_local(0, {"x"}, log));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, launch_local(2, {}, log));
  }
};

QTEST_GUILESS_MAIN(TestLauncher)
#include "test_launcher.moc"
