// Comm (core/dist) over Gloo with real processes on loopback: two dist_worker ranks rendezvous
// through a free port and check allreduce_mean (mixed sizes and dtypes, several buckets, one
// tensor larger than a bucket, a non-contiguous one), sum, max and broadcast against
// hand-computed float64 values; a rank that dies makes the other's collectives throw (not hang)
// and the store names the living rank; when the store's host dies, store calls throw at once;
// a rendezvous nobody answers fails in time with the address in the message; a single process
// needs no network; unknown or missing backends are refused. Every wait is on a process exit,
// bounded by a timeout.
#include <QtTest>

#include <map>
#include <memory>
#include <vector>

#include "dist/DistEnv.h"

using namespace ms;

namespace {

struct RankResult {
  int code = -1;
  bool finished = false;
  QString out, err;
  // "KEY rest" lines of stdout, by KEY.
  std::map<QString, QString> lines() const {
    std::map<QString, QString> m;
    for (const QString& l : out.split('\n', Qt::SkipEmptyParts)) {
      const int sp = l.indexOf(' ');
      m[sp < 0 ? l : l.left(sp)] = sp < 0 ? QString() : l.mid(sp + 1);
    }
    return m;
  }
  std::vector<double> numbers(const QString& key) const {
    std::vector<double> v;
    const auto m = lines();
    auto it = m.find(key);
    if (it == m.end()) return {-12345};
    for (const QString& s : it->second.split(' ', Qt::SkipEmptyParts)) v.push_back(s.toDouble());
    return v;
  }
  QString dump(int rank) const {
    return QString("rank %1: code %2%3\n--- stdout\n%4--- stderr\n%5")
        .arg(rank)
        .arg(code)
        .arg(finished ? "" : " (did not finish in time)")
        .arg(out, err);
  }
};

// Starts dist_worker `args` once per entry of `ranks` (world = `world`, rendezvous on
// 127.0.0.1:port) and waits for every process to exit, at most timeout_ms in all.
std::vector<RankResult> run_ranks(const QStringList& args, const std::vector<int>& ranks, int world,
                                  int port, int timeout_ms = 20000) {
  std::vector<std::unique_ptr<QProcess>> ps;
  for (int r : ranks) {
    auto p = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* k : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                          "MUONSCOPE_LAUNCHER", "SLURM_PROCID", "SLURM_STEP_ID"})
      env.remove(k);
    if (world > 0) {
      env.insert("RANK", QString::number(r));
      env.insert("LOCAL_RANK", QString::number(r));
      env.insert("WORLD_SIZE", QString::number(world));
      env.insert("MASTER_ADDR", "127.0.0.1");
      env.insert("MASTER_PORT", QString::number(port));
    }
    env.insert("OMP_NUM_THREADS", "1");
    p->setProcessEnvironment(env);
    p->start(DIST_WORKER, args);
    ps.push_back(std::move(p));
  }
  QElapsedTimer clock;
  clock.start();
  std::vector<RankResult> res(ps.size());
  for (size_t i = 0; i < ps.size(); ++i) {
    QProcess& p = *ps[i];
    res[i].finished = p.waitForFinished(std::max<qint64>(1, timeout_ms - clock.elapsed()));
    if (!res[i].finished) {
      p.kill();
      p.waitForFinished(5000);
    }
    res[i].code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    res[i].out = QString::fromUtf8(p.readAllStandardOutput());
    res[i].err = QString::fromUtf8(p.readAllStandardError());
  }
  return res;
}

QString dump(const std::vector<RankResult>& rs) {
  QString s;
  for (size_t i = 0; i < rs.size(); ++i) s += rs[i].dump(int(i)) + "\n";
  return s;
}

std::vector<double> range_plus(int n, double add) {
  std::vector<double> v;
  for (int j = 0; j < n; ++j) v.push_back(j + add);
  return v;
}

}  // namespace

class TestComm : public QObject {
  Q_OBJECT

 private slots:
  void collectives_over_gloo() {
    const auto rs = run_ranks({"collectives"}, {0, 1}, 2, free_tcp_port());
    for (int r = 0; r < 2; ++r) {
      const RankResult& x = rs[r];
      QVERIFY2(x.finished && x.code == 0, qPrintable(dump(rs)));
      const auto l = x.lines();
      // bucket_bytes 64: a+b (56 B), c (would make 72 B), d alone (320 B > 64), e (float32),
      // f+g (56 B); the undefined and the empty tensor are left out.
      QCOMPARE(l.at("BUCKETS"), QString("0,1 3 4 5 6,7"));
      // Means of rank 0's and rank 1's values (dist_worker.cpp), by hand:
      QCOMPARE(x.numbers("MEAN_a"), (std::vector<double>{3, 4, 5}));           // [1 2 3], [5 6 7]
      QCOMPARE(x.numbers("MEAN_b"), (std::vector<double>{15, 30, 45, 60}));    // b, 2b
      QCOMPARE(x.numbers("MEAN_c"), (std::vector<double>{0.5, -2}));           // [.25 -1] [.75 -3]
      QCOMPARE(x.numbers("MEAN_d"), range_plus(40, 50));                       // j, j + 100
      QCOMPARE(x.numbers("MEAN_e"), (std::vector<double>{1.5, 3, 4.5}));       // e, 2e (float32)
      QCOMPARE(x.numbers("MEAN_f"), (std::vector<double>{4, 7, 5, 8, 6, 9}));  // f^T, f^T + 6
      QCOMPARE(x.numbers("MEAN_g"), (std::vector<double>{8}));                 // 7, 9
      QCOMPARE(l.at("F_SAME_STORAGE"), QString("1"));  // written back into the caller's tensor
      QCOMPARE(l.at("F_CONTIGUOUS"), QString("0"));
      QCOMPARE(l.at("E_DTYPE"), QString("Float"));
      QCOMPARE(l.at("UNDEFINED_STAYS"), QString("1"));
      QCOMPARE(x.numbers("SUM"), (std::vector<double>{3.75, 1}));      // [1.5 2] + [2.25 -1]
      QCOMPARE(x.numbers("MAX"), (std::vector<double>{4, 7, -3}));     // [1 7 -3], [4 2 -5]
      QCOMPARE(x.numbers("BCAST1"), (std::vector<double>{1, 2, 43}));  // rank 1's [r 2r 42+r]
      QCOMPARE(x.numbers("BCAST0"), (std::vector<double>{10, 20, 10, 20}));
      QCOMPARE(l.at("DONE"), QString::number(r));
    }
  }

  void dead_rank_makes_collectives_throw() {
    const auto rs = run_ranks({"dead"}, {0, 1}, 2, free_tcp_port());
    QVERIFY2(rs[1].finished && rs[1].code == 3, qPrintable(dump(rs)));
    QVERIFY2(rs[0].finished && rs[0].code == 0, qPrintable(dump(rs)));
    const auto l = rs[0].lines();
    QVERIFY2(l.count("THREW"), qPrintable(dump(rs)));
    QVERIFY2(l.at("THREW").startsWith("Comm::allreduce_sum failed (rank 0 of 2, gloo): "),
             qPrintable(l.at("THREW")));
    QVERIFY2(!l.at("THREW").contains("frame #"), qPrintable(l.at("THREW")));  // no backtrace
    // Gloo sees the closed socket at once; the 20 s timeout is not what ended it.
    QVERIFY2(rs[0].numbers("THREW_AFTER_S")[0] < 10, qPrintable(dump(rs)));
    QVERIFY2(l.count("THREW2") && l.at("THREW2").startsWith("Comm::allreduce_mean failed"),
             qPrintable(dump(rs)));
    QCOMPARE(l.at("ALIVE0"), QString("yes"));
    QCOMPARE(l.at("ALIVE1"), QString("none"));
    const double waited = rs[0].numbers("ALIVE1_WAITED_S")[0];
    QVERIFY2(waited >= 1.45 && waited < 5, qPrintable(QString::number(waited)));
  }

  void dead_store_host_fails_fast() {
    const auto rs = run_ranks({"dead-host"}, {0, 1}, 2, free_tcp_port());
    QVERIFY2(rs[0].finished && rs[0].code == 3, qPrintable(dump(rs)));
    QVERIFY2(rs[1].finished && rs[1].code == 0, qPrintable(dump(rs)));
    const auto l = rs[1].lines();
    QVERIFY2(l.count("THREW") && l.at("THREW").startsWith("Comm::allreduce_max failed (rank 1 of "
                                                          "2, gloo): "),
             qPrintable(dump(rs)));
    // No store without rank 0: an error, at once, not a wait for the 20 s timeout.
    QVERIFY2(l.count("STORE_THREW") && l.at("STORE_THREW").startsWith("Comm::store_"),
             qPrintable(dump(rs)));
    QVERIFY2(rs[1].numbers("STORE_AFTER_S")[0] < 5, qPrintable(dump(rs)));
  }

  void unreachable_store_fails_in_time() {
    const int port = free_tcp_port();  // nobody listens there
    QElapsedTimer t;
    t.start();
    const auto rs = run_ranks({"connect", "gloo", "2"}, {1}, 2, port);
    QVERIFY2(rs[0].finished && rs[0].code == 1, qPrintable(dump(rs)));
    QVERIFY2(t.elapsed() < 15000, qPrintable(QString::number(t.elapsed())));
    const QString err = rs[0].lines()["ERROR"];
    QVERIFY2(err.startsWith(QString("Comm: rank 1 could not reach the rendezvous store at "
                                    "127.0.0.1:%1 (hosted by rank 0) within 2 s: ")
                                .arg(port)),
             qPrintable(err));
  }

  void missing_ranks_fail_in_time() {
    const int port = free_tcp_port();
    const auto rs = run_ranks({"connect", "gloo", "2"}, {0}, 2, port);  // rank 1 never comes
    QVERIFY2(rs[0].finished && rs[0].code == 1, qPrintable(dump(rs)));
    const QString err = rs[0].lines()["ERROR"];
    QCOMPARE(err, QString("Comm: only 1 of 2 ranks reached the rendezvous store at "
                          "127.0.0.1:%1 within 2 s (missing: rank 1)")
                      .arg(port));
  }

  void single_process_needs_no_network() {
    const auto rs = run_ranks({"connect", "gloo", "5"}, {0}, 0, 0);
    QVERIFY2(rs[0].finished && rs[0].code == 0, qPrintable(dump(rs)));
    QCOMPARE(rs[0].lines()["CONNECTED"], QString("0 1"));
    QCOMPARE(rs[0].numbers("MEAN"), (std::vector<double>{3, 3}));
  }

  void refused_backends() {
    auto rs = run_ranks({"connect", "mpi", "2"}, {0}, 0, 0);
    QCOMPARE(rs[0].lines()["ERROR"], QString("Comm: unknown backend 'mpi' (gloo or nccl)"));
    // Debian's LibTorch is CPU-only: nccl is refused with a reason, not a crash.
    rs = run_ranks({"connect", "nccl", "2"}, {0}, 0, 0);
    QVERIFY2(rs[0].code == 1 &&
                 rs[0].lines()["ERROR"].startsWith("Comm: backend 'nccl' is not available in "
                                                   "this build: LibTorch "),
             qPrintable(dump(rs)));
  }
};

QTEST_GUILESS_MAIN(TestComm)
#include "test_comm.moc"
