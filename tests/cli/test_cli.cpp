// muonscope-cli end to end: exit codes (0 ok, 1 run failure, 2 usage/config error), messages
// that name the key and value, `train` writing a complete run file that `info` reads back,
// `config` printing parseable JSON, `presets` listing the required presets, SIGINT finalizing
// the file as stopped, and `selfcheck` passing on the CPU.
#include <QtTest>

#include <csignal>

#include "store/RunReader.h"
#include "train/RunConfig.h"
#include "train/Studies.h"

using namespace ms;

namespace {

struct Result {
  int code;
  QString out, err;
};

Result cli(const QStringList& args, int timeout_ms = 120000) {
  QProcess p;
  p.start(MUONSCOPE_CLI, args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    return {-1, {}, "timeout"};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
          QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

const QStringList kTiny = {
    "--set", "model.layers=1",    "--set", "model.d_model=32",   "--set",    "model.heads=2",
    "--set", "model.seq_len=32",  "--set", "train.batch_size=4", "--set",    "metrics.every=5",
    "--set", "train.val_every=5", "--set", "train.threads=1",    "--device", "cpu"};

}  // namespace

class TestCli : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void trainWritesARunFileThatInfoReads() {
    const QString out = dir_.filePath("t.h5");
    auto r = cli(QStringList{"train", "--steps", "10", "--out", out} + kTiny);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.err.contains("finished"));
    {
      RunReader rr(out.toStdString());
      QCOMPARE(rr.status(), RunStatus::Finished);
      QCOMPARE(rr.num_steps(), int64_t(10));
      QCOMPARE(rr.num_snapshots(), 2);
    }
    auto info = cli({"info", out});
    QCOMPARE(info.code, 0);
    QVERIFY(info.out.contains("finished"));
    QVERIFY(info.out.contains("10/10"));
    auto js = cli({"info", out, "--json"});
    QCOMPARE(js.code, 0);
    const auto doc = QJsonDocument::fromJson(js.out.toUtf8());
    QVERIFY(doc.isObject());
    QCOMPARE(doc["steps"].toInt(), 10);
    QCOMPARE(doc["status"].toString(), QString("finished"));
    QVERIFY(doc["latest_snapshot"]["mean_pr_sv_k"].toDouble() >= 1.0);
    // an existing file is not overwritten without --force
    auto again = cli(QStringList{"train", "--steps", "2", "--out", out} + kTiny);
    QCOMPARE(again.code, 1);
    QVERIFY(again.err.contains("exists"));
    auto forced = cli(QStringList{"train", "--steps", "2", "--force", "--out", out} + kTiny);
    QVERIFY2(forced.code == 0, qPrintable(forced.err));
  }
  void usageAndConfigErrorsExit2() {
    auto r = cli({"train", "--set", "model.heads=3", "--out", dir_.filePath("x.h5")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("model.heads") && r.err.contains("3"));
    QCOMPARE(cli({"train", "--bogus"}).code, 2);
    QCOMPARE(cli({"nonsense"}).code, 2);
    QCOMPARE(cli({}).code, 2);
    auto u = cli({"train", "--set", "optim.lr_muon=-1", "--out", dir_.filePath("y.h5")});
    QCOMPARE(u.code, 2);
    QVERIFY(u.err.contains("optim.lr_muon"));
    QVERIFY(!QFile::exists(dir_.filePath("x.h5")));  // nothing written on a config error
    auto unknown = cli({"config", "--set", "model.layerz=2"});
    QCOMPARE(unknown.code, 2);
    QVERIFY(unknown.err.contains("model.layerz"));
  }
  void missingDataExits1NamingTheFile() {
    auto r = cli(QStringList{"train", "--set", "data.source=text", "--set",
                             "data.path=/nonexistent/corpus.txt", "--out", dir_.filePath("d.h5")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("/nonexistent/corpus.txt"));
  }
  void configAndPresets() {
    auto c = cli({"config", "--preset", "muon-qknorm", "--set", "model.layers=3"});
    QCOMPARE(c.code, 0);
    const auto doc = QJsonDocument::fromJson(c.out.toUtf8());
    QVERIFY(doc.isObject());
    QCOMPARE(doc["model"]["layers"].toInt(), 3);
    QCOMPARE(doc["model"]["qk_norm"].toBool(), true);
    auto p = cli({"presets"});
    QCOMPARE(p.code, 0);
    for (const char* name : {"quick", "adamw", "muon", "muon-qknorm"})
      QVERIFY2(p.out.contains(QRegularExpression(QString("^%1 ").arg(name),
                                                 QRegularExpression::MultilineOption)),
               name);
    for (const char* cmd : {"train", "config", "presets", "info", "study", "selfcheck"}) {
      auto h = cli({cmd, "--help"});
      QCOMPARE(h.code, 0);
      QVERIFY(h.out.contains("usage"));
    }
  }
  void sigintStopsAndFinalizes() {
    const QString out = dir_.filePath("int.h5");
    QProcess p;
    p.start(MUONSCOPE_CLI, QStringList{"train", "--steps", "100000", "--out", out} + kTiny);
    QVERIFY(p.waitForStarted());
    // wait until it has written a snapshot
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out) && QFileInfo(out).size() > 0, 60000);
    QTest::qWait(1500);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    RunReader rr(out.toStdString());
    QCOMPARE(rr.status(), RunStatus::Stopped);
    QVERIFY(rr.num_steps() > 0);
  }
  // study --seeds 2 --jobs 2: four member runs as two child processes at a time; study.json
  // groups them by member with their seed.
  void studySeedsInParallel() {
    const QString out = dir_.filePath("seeded");
    auto r = cli(QStringList{"study", "kv-asymmetry", "--out", out, "--seeds", "2", "--jobs", "2",
                             "--set", "train.steps=6"} +
                 kTiny);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.err.count("started"), 4);
    QFile f(out + "/study.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const StudyIndex idx = study_index_from_json(f.readAll().toStdString());
    QCOMPARE(int(idx.members.size()), 4);
    for (int i = 0; i < 4; ++i) {
      QCOMPARE(idx.members[i].status, std::string("finished"));
      QCOMPARE(idx.members[i].seed, uint64_t(1337 + i % 2));
      RunReader rr((out + "/" + QString::fromStdString(idx.members[i].file)).toStdString());
      QCOMPARE(rr.status(), RunStatus::Finished);
      QCOMPARE(rr.num_steps(), int64_t(6));
      const RunConfig c = config_from_json(rr.info().config_json);
      QCOMPARE(c.train.seed, idx.members[i].seed);
      QCOMPARE(c.metrics.probe_seed, uint64_t(1337));
    }
    // Existing files are not overwritten without --force; bad --seeds / --jobs are usage errors.
    auto again = cli(QStringList{"study", "kv-asymmetry", "--out", out, "--seeds", "2"} + kTiny);
    QCOMPARE(again.code, 1);
    QVERIFY2(again.err.contains("--force"), qPrintable(again.err));
    QCOMPARE(cli({"study", "kv-asymmetry", "--out", out, "--seeds", "0"}).code, 2);
    QCOMPARE(cli({"study", "kv-asymmetry", "--out", out, "--jobs", "x"}).code, 2);
  }
  // reproduce with seeds: mean +- std and a verdict per row; a second call reuses every file.
  void reproduceSeededAndReuses() {
    const QString out = dir_.filePath("repro");
    const QStringList args = {"reproduce",
                              "--out",
                              out,
                              "--only",
                              "kv-asymmetry",
                              "--seeds",
                              "2",
                              "--jobs",
                              "2",
                              "--set",
                              "train.steps=6",
                              "--set",
                              "device=cpu",
                              "--set",
                              "model.layers=1",
                              "--set",
                              "train.threads=1",
                              "--set",
                              "metrics.every=3"};
    auto r = cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("4 to train"), qPrintable(r.err));
    QVERIFY(r.out.contains("mean ± std, 2 seeds"));
    QVERIFY(r.out.contains(" ± "));
    QVERIFY(r.out.contains("| stable rank attn.v |"));
    QVERIFY(r.out.contains(
        QRegularExpression(R"(\d+ of \d+ directions hold, \d+ reversed, \d+ unclear)")));
    auto again = cli(args);
    QCOMPARE(again.code, 0);
    QVERIFY2(again.err.contains("4 reused, 0 to train"), qPrintable(again.err));
    QCOMPARE(again.out, r.out.replace(QRegularExpression(R"(\d+ runs trained in [0-9:]+)"),
                                      "0 runs trained in 0:00"));
  }
  // Ctrl-C on a parallel study: the parent forwards it, each child finalizes its file as
  // stopped, exit 130. Waits on the files the children create after their handler is in place.
  void sigintStopsParallelStudy() {
    const QString out = dir_.filePath("seeded-int");
    QProcess p;
    p.start(MUONSCOPE_CLI, QStringList{"study", "kv-asymmetry", "--out", out, "--seeds", "2",
                                       "--jobs", "2", "--set", "train.steps=100000"} +
                               kTiny);
    QVERIFY(p.waitForStarted());
    const QString a = out + "/adamw-seed1337.h5", b = out + "/adamw-seed1338.h5";
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(a).size() > 0 && QFileInfo(b).size() > 0, 60000);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    for (const QString& f : {a, b}) {
      RunReader rr(f.toStdString());
      QCOMPARE(rr.status(), RunStatus::Stopped);
    }
    QVERIFY(!QFile::exists(out + "/muon-seed1337.h5"));  // never started
  }
  void selfcheckPasses() {
    auto r = cli({"selfcheck", "--device", "cpu"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("checks passed"));
    QCOMPARE(cli({"selfcheck", "--device", "tpu"}).code, 1);
  }
  void assocStudyPrintsTheTable() {
    auto r = cli({"study", "assoc-memory", "--set", "K=32"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("muon") && r.out.contains("signgd") && r.out.contains("orthogonal"));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
