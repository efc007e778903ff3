// muonscope-cli end to end: exit codes (0 ok, 1 run failure, 2 usage/config error), messages
// that name the key and value, `train` writing a complete run file that `info` reads back,
// `config` printing parseable JSON, `presets` listing the required presets, SIGINT finalizing
// the file as stopped, `study` subsets (--member / --members) sharing one study.json, and
// `selfcheck` passing on the CPU.
#include <QtTest>

#include <cmath>
#include <csignal>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "CliTestSupport.h"
#include "assoc/Assoc.h"
#include "store/RunReader.h"
#include "train/RunConfig.h"
#include "train/Studies.h"

using namespace ms;

namespace {

using Result = CliResult;

const QStringList kTiny = {
    "--set", "model.layers=1",    "--set", "model.d_model=32",   "--set",    "model.heads=2",
    "--set", "model.seq_len=32",  "--set", "train.batch_size=4", "--set",    "metrics.every=5",
    "--set", "train.val_every=5", "--set", "train.threads=1",    "--device", "cpu"};

StudyIndex read_index(const QString& folder) {
  QFile f(folder + "/study.json");
  if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("no " + f.fileName().toStdString());
  return study_index_from_json(f.readAll().toStdString());
}

QStringList statuses(const StudyIndex& idx) {
  QStringList s;
  for (const auto& e : idx.members) s << QString::fromStdString(e.status);
  return s;
}

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
    // threads: train.threads=1 is the setting, and all 10 steps ran at 1
    QVERIFY(info.out.contains("threads    1 (train.threads)"));
    QCOMPARE(doc["threads"]["setting"].toInt(), 1);
    QCOMPARE(doc["threads"]["last"].toInt(), 1);
    QCOMPARE(doc["threads"]["steps_at"].toObject().size(), 1);
    QCOMPARE(doc["threads"]["steps_at"]["1"].toInt(), 10);
    {  // the latest snapshot's numbers are the file's: mean PR_sv / PR_cov of K over (layer, head)
      RunReader rr(out.toStdString());
      const Snapshot s = rr.snapshot(rr.num_snapshots() - 1);
      double pr = 0, pc = 0;
      int n = 0;
      for (const LayerMetrics& L : s.layers)
        for (size_t h = 0; h < L.pr_sv[kActK].size(); ++h, ++n)
          pr += L.pr_sv[kActK][h], pc += L.pr_cov[kActK][h];
      QCOMPARE(n, 2);  // 1 layer x 2 heads
      const QJsonValue latest = doc["latest_snapshot"];
      QCOMPARE(latest["step"].toInt(), 10);
      QVERIFY(std::abs(latest["mean_pr_sv_k"].toDouble() - pr / n) <= 1e-12 * pr / n);
      QVERIFY(std::abs(latest["mean_pr_cov_k"].toDouble() - pc / n) <= 1e-12 * pc / n);
      QVERIFY(latest["mean_pr_sv_k"].toDouble() >= 1.0);  // sanity: PR is at least 1
      QCOMPARE(doc["final_loss"].toDouble(), rr.steps(9, 10).front().loss);
    }
    // an existing file is not overwritten without --force
    auto again = cli(QStringList{"train", "--steps", "2", "--out", out} + kTiny);
    QCOMPARE(again.code, 1);
    QVERIFY(again.err.contains("exists"));
    auto forced = cli(QStringList{"train", "--steps", "2", "--force", "--out", out} + kTiny);
    QVERIFY2(forced.code == 0, qPrintable(forced.err));
  }
  // train.threads=0 (automatic): info names the choice and counts the steps at each thread
  // count; the counts add up to the steps, each within the usable cores.
  void infoReportsAutomaticThreads() {
    const QString out = dir_.filePath("auto-threads.h5");
    QStringList args = QStringList{"train", "--steps", "12", "--out", out} + kTiny;
    args.replace(args.indexOf("train.threads=1"), "train.threads=0");
    auto r = cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto info = cli({"info", out});
    QCOMPARE(info.code, 0);
    QVERIFY2(info.out.contains("(automatic; steps at "), qPrintable(info.out));
    const QJsonObject j =
        QJsonDocument::fromJson(cli({"info", out, "--json"}).out.toUtf8()).object();
    QCOMPARE(j["threads"]["setting"].toInt(), 0);
    const QJsonObject at = j["threads"]["steps_at"].toObject();
    int total = 0;
    for (auto it = at.begin(); it != at.end(); ++it) {
      QVERIFY(it.key().toInt() >= 1);
      total += it.value().toInt();
    }
    QCOMPARE(total, 12);
    QVERIFY(at.contains(QString::number(j["threads"]["last"].toInt())));
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
  // --config FILE over the preset, `config --keys`, `--version`, and a bad or missing file.
  void configFileKeysAndVersion() {
    const QString cfg = dir_.filePath("tiny.json");
    {
      QFile f(cfg);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(R"({"model": {"layers": 1, "d_model": 32, "heads": 2, "seq_len": 32},
                 "train": {"steps": 4, "batch_size": 4, "threads": 1},
                 "metrics": {"every": 2}, "device": "cpu"})");
    }
    auto c = cli({"config", "--config", cfg});
    QCOMPARE(c.code, 0);
    const auto doc = QJsonDocument::fromJson(c.out.toUtf8());
    QCOMPARE(doc["model"]["layers"].toInt(), 1);
    QCOMPARE(doc["train"]["steps"].toInt(), 4);
    QCOMPARE(doc["optim"]["lr_muon"].toDouble(), 0.02);  // the rest from the quick preset
    auto k = cli({"config", "--config", cfg, "--keys", "--set", "model.heads=4"});
    QCOMPARE(k.code, 0);
    QVERIFY2(k.out.contains(
                 QRegularExpression("^model\\.layers = 1$", QRegularExpression::MultilineOption)),
             qPrintable(k.out));
    QVERIFY(k.out.contains(
        QRegularExpression("^model\\.heads = 4$", QRegularExpression::MultilineOption)));
    QVERIFY(k.out.contains(
        QRegularExpression("^metrics\\.probe_seed = 0$", QRegularExpression::MultilineOption)));
    const QString out = dir_.filePath("fromfile.h5");
    auto t = cli({"train", "--config", cfg, "--out", out});
    QVERIFY2(t.code == 0, qPrintable(t.err));
    {
      RunReader rr(out.toStdString());
      QCOMPARE(rr.num_steps(), int64_t(4));
      QCOMPARE(rr.info().n_layer, 1);
    }
    auto v = cli({"--version"});
    QCOMPARE(v.code, 0);
    QVERIFY2(v.out.contains(QRegularExpression(R"(^muonscope-cli \d+\.\d+\.\d+\n$)")),
             qPrintable(v.out));
    const QString bad = dir_.filePath("bad.json");
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(R"({"model": {"layerz": 2}})");
    }
    auto b = cli({"config", "--config", bad});
    QCOMPARE(b.code, 2);
    QVERIFY(b.err.contains(bad) && b.err.contains("model.layerz"));
    auto m = cli({"train", "--config", dir_.filePath("nope.json"), "--out", dir_.filePath("n.h5")});
    QCOMPARE(m.code, 2);
    QVERIFY(m.err.contains("nope.json"));
  }
  // A run killed with SIGKILL: `info` says interrupted; `info --json` stays valid JSON with
  // null where a value is NaN (no validation row was written).
  void infoOnInterruptedFile() {
    const QString out = dir_.filePath("killed.h5");
    QProcess p;
    // train.val_every after kTiny: the last --set wins, so no validation row is ever written.
    p.start(MUONSCOPE_CLI, QStringList{"train", "--steps", "100000", "--out", out} + kTiny +
                               QStringList{"--set", "train.val_every=100000"});
    QVERIFY(p.waitForStarted());
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT(
        (err += QString::fromUtf8(p.readAllStandardError())).contains("step 1/"), 60000);
    p.kill();  // SIGKILL: no handler, no finish()
    QVERIFY(p.waitForFinished(30000));
    auto i = cli({"info", out});
    QCOMPARE(i.code, 0);
    QVERIFY2(i.out.contains("interrupted"), qPrintable(i.out));
    auto j = cli({"info", out, "--json"});
    QCOMPARE(j.code, 0);
    QJsonParseError pe;
    const auto doc = QJsonDocument::fromJson(j.out.toUtf8(), &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString() + ": " + j.out));
    QCOMPARE(doc["status"].toString(), QStringLiteral("interrupted"));
    QCOMPARE(doc["config"]["train"]["val_every"].toInt(), 100000);
    QVERIFY2(doc["final_val_loss"].isNull(), qPrintable(j.out));  // NaN -> null
  }
  // data.source=tokens end to end: a nanoGPT train.bin/val.bin pair (raw uint16) and a
  // modded-nanogpt shard (256 x int32 header: magic 20240520, version 1, count; then uint16).
  void trainsOnTokenFiles() {
    std::vector<uint16_t> toks(6000);
    for (size_t i = 0; i < toks.size(); ++i) toks[i] = uint16_t((i * 7 + i / 13) % 300);
    auto write = [&](const QString& path, size_t from, size_t n, bool header) {
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly));
      if (header) {
        std::vector<int32_t> h(256, 0);
        h[0] = 20240520;
        h[1] = 1;
        h[2] = int32_t(n);
        f.write(reinterpret_cast<const char*>(h.data()), qint64(h.size() * 4));
      }
      f.write(reinterpret_cast<const char*>(toks.data() + from), qint64(n * 2));
    };
    write(dir_.filePath("train.bin"), 0, 5000, false);
    write(dir_.filePath("val.bin"), 5000, 1000, false);
    write(dir_.filePath("shard_train_000001.bin"), 0, 5000, true);
    write(dir_.filePath("shard_val_000000.bin"), 5000, 1000, true);
    const QStringList common =
        QStringList{"--steps", "4", "--set", "data.source=tokens", "--set", "metrics.fta=false"} +
        kTiny;
    for (const auto& [train, val] :
         {std::pair<QString, QString>{"train.bin", "val.bin"},
          std::pair<QString, QString>{"shard_train_000001.bin", "shard_val_000000.bin"}}) {
      const QString out = dir_.filePath(train + ".h5");
      auto r = cli(QStringList{"train", "--out", out, "--set", "data.path=" + dir_.filePath(train),
                               "--set", "data.val_path=" + dir_.filePath(val)} +
                   common);
      QVERIFY2(r.code == 0, qPrintable(r.err));
      RunReader rr(out.toStdString());
      QCOMPARE(rr.status(), RunStatus::Finished);
      QCOMPARE(rr.num_steps(), int64_t(4));
      // The largest id is 299; a shard read as raw tokens would show its header (20240520 =
      // 0x0134 0x4D28 as uint16s) as ids up to 19752.
      QVERIFY2(rr.info().vocab_size >= 300 && rr.info().vocab_size < 1000,
               qPrintable(QString::number(rr.info().vocab_size)));
      QVERIFY(std::isfinite(rr.steps(3, 4).at(0).loss));
      QCOMPARE(config_from_json(rr.info().config_json).data.source, std::string("tokens"));
    }
    // A shard with a wrong magic is refused naming the file.
    QFile bad(dir_.filePath("bad_shard.bin"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    std::vector<int32_t> h(256, 0);
    h[0] = 12345;
    h[1] = 1;
    h[2] = 4;
    bad.write(reinterpret_cast<const char*>(h.data()), 1024);
    bad.write(QByteArray(8, 0));
    bad.close();
    auto b = cli(QStringList{"train", "--out", dir_.filePath("bad.h5"), "--set",
                             "data.path=" + bad.fileName()} +
                 common);
    QVERIFY(b.code != 0);
    QVERIFY2(b.err.contains("bad_shard.bin"), qPrintable(b.err));
  }
  void sigintStopsAndFinalizes() {
    const QString out = dir_.filePath("int.h5");
    QProcess p;
    p.start(MUONSCOPE_CLI, QStringList{"train", "--steps", "100000", "--out", out} + kTiny);
    QVERIFY(p.waitForStarted());
    // The handler is installed before the run file is created, and (stderr not a terminal) the
    // CLI prints "step 1/N" once step 1 is appended to the file: wait for that line.
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("step 1/100000"), 60000);
    QVERIFY(QFileInfo(out).size() > 0);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    RunReader rr(out.toStdString());
    QCOMPARE(rr.status(), RunStatus::Stopped);
    // Every step completed before the stop is in the file, and the message names the last one.
    const int64_t n = rr.num_steps();
    QVERIFY(n >= 1);
    QCOMPARE(QString::fromStdString(rr.status_message()),
             QString("stopped by the user after step %1").arg(n));
    QCOMPARE(rr.steps(n - 1, n).front().step, n);
    QVERIFY2(err.contains("stopped: stopped by the user after step " + QByteArray::number(n)),
             err.constData());
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
  // --list-members numbers the full member list (seed copies member-major); --members 0-1 and
  // then --member 2 into one folder: study.json lists every member, the second run keeps the
  // first run's entries as they were, and --force is checked for the members run only.
  void studyMemberSubsetsMerge() {
    const QString out = dir_.filePath("subsets");
    const QStringList base = QStringList{"study", "kv-asymmetry",  "--out",  out, "--seeds", "2",
                                         "--set", "train.steps=6", "--quiet"} +
                             kTiny;
    auto list = cli({"study", "kv-asymmetry", "--seeds", "2", "--list-members"});
    QCOMPARE(list.code, 0);
    QCOMPARE(list.out, QString("0\tAdamW · seed 1337\tadamw-seed1337.h5\n"
                               "1\tAdamW · seed 1338\tadamw-seed1338.h5\n"
                               "2\tMuon · seed 1337\tmuon-seed1337.h5\n"
                               "3\tMuon · seed 1338\tmuon-seed1338.h5\n"));

    auto r = cli(base + QStringList{"--members", "0-1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("(members 0-1 of 4): 2/2 runs finished"), qPrintable(r.err));
    const StudyIndex first = read_index(out);
    QCOMPARE(int(first.members.size()), 4);
    QCOMPARE(statuses(first), QStringList({"finished", "finished", "pending", "pending"}));
    QCOMPARE(first.members[2].file, std::string("muon-seed1337.h5"));
    QVERIFY(QString::fromStdString(first.members[0].summary).startsWith("final loss"));
    QVERIFY(!QFile::exists(out + "/muon-seed1337.h5"));

    auto r2 = cli(base + QStringList{"--member", "2"});
    QVERIFY2(r2.code == 0, qPrintable(r2.err));
    const StudyIndex second = read_index(out);
    QCOMPARE(statuses(second), QStringList({"finished", "finished", "finished", "pending"}));
    QCOMPARE(second.created, first.created);
    for (int i = 0; i < 2; ++i) QCOMPARE(second.members[i].summary, first.members[i].summary);
    QVERIFY(QString::fromStdString(second.members[2].summary).startsWith("final loss"));
    QCOMPARE(RunReader((out + "/muon-seed1337.h5").toStdString()).status(), RunStatus::Finished);
    QVERIFY(!QFile::exists(out + "/muon-seed1338.h5"));

    // Member 2's file exists: refused without --force, and the index is left as it was.
    auto again = cli(base + QStringList{"--member", "2"});
    QCOMPARE(again.code, 1);
    QVERIFY2(again.err.contains("muon-seed1337.h5' exists") && again.err.contains("--force"),
             qPrintable(again.err));
    QCOMPARE(statuses(read_index(out)), statuses(second));
  }
  // Four processes started together on disjoint, interleaved members of one folder (so their
  // updates of study.json alternate): the index ends with every member finished, whichever
  // process created it. Fails without the merge (a process writing its own copy of the index)
  // and, often, without the lock (updates lost between another process's read and rename).
  void studyMembersFromConcurrentProcesses() {
    const QString out = dir_.filePath("concurrent");
    const QStringList base = QStringList{"study", "kv-asymmetry",  "--out",  out, "--seeds", "6",
                                         "--set", "train.steps=2", "--quiet"} +
                             kTiny;
    const QStringList picks[] = {{"--members", "0,4,8"},
                                 {"--member", "1", "--members", "5,9-9"},
                                 {"--members", "2,6,10"},
                                 {"--members", "3,7,11"}};
    std::vector<std::unique_ptr<QProcess>> ps;
    for (const QStringList& p : picks) {
      ps.push_back(std::make_unique<QProcess>());
      ps.back()->start(MUONSCOPE_CLI, base + p);
    }
    for (auto& p : ps) {
      QVERIFY(p->waitForFinished(120000));
      QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    const StudyIndex idx = read_index(out);
    QCOMPARE(int(idx.members.size()), 12);
    QCOMPARE(statuses(idx), QStringList(12, "finished"));
    for (const auto& m : idx.members) {
      QVERIFY(QString::fromStdString(m.summary).startsWith("final loss"));
      QCOMPARE(RunReader((out + "/" + QString::fromStdString(m.file)).toStdString()).status(),
               RunStatus::Finished);
    }
  }
  // The member-list syntax itself: indices, ranges, lists, repeats; sorted and distinct.
  void memberSelectionSyntax() {
    using V = std::vector<size_t>;
    QCOMPARE(parse_member_selection("3", 4), V({3}));
    QCOMPARE(parse_member_selection("0,2,5-7", 8), V({0, 2, 5, 6, 7}));
    QCOMPARE(parse_member_selection("5-7, 0 ,6,2-2", 8), V({0, 2, 5, 6, 7}));
    QCOMPARE(format_member_selection({0, 1, 2, 5, 7, 8}), std::string("0-2,5,7-8"));
    for (const char* bad :
         {"8", "7-8", "a", "1-", "-", "+1", "1.0", "2-1", ",", "0,", "99999999999"})
      QVERIFY_THROWS_EXCEPTION(ConfigError, parse_member_selection(bad, 8));
    QVERIFY_THROWS_EXCEPTION(ConfigError, parse_member_selection("0", 0));
  }
  // Malformed or out-of-range member selections are usage errors naming the value and the
  // valid range, before anything is created.
  void studyBadMemberExits2() {
    const QString out = dir_.filePath("bad-member");
    const char* values[] = {"4", "-1", "0,,1", "0,9"};  // more syntax: memberSelectionSyntax
    for (int i = 0; i < 4; ++i) {
      const QString opt = i % 2 ? "--members" : "--member", v = values[i];
      auto r = cli({"study", "kv-asymmetry", "--seeds", "2", "--out", out, opt, v});
      QCOMPARE(r.code, 2);
      QVERIFY2(r.err.contains(opt + " ") && r.err.contains("'" + v + "'") &&
                   r.err.contains("valid member indices are 0-3 (4 members)"),
               qPrintable(r.err));
    }
    QVERIFY(!QFileInfo::exists(out));
  }
  // A subset run into a folder whose study.json is another study's, or the same study with
  // another member list, is refused (exit 2, the mismatch named, the index untouched); a full
  // run replaces it, as before.
  void studySubsetRefusesAnotherIndex() {
    const QString out = dir_.filePath("other");
    QVERIFY(QDir().mkpath(out));
    const QByteArray other = QByteArray::fromStdString(
        study_index_to_json(new_study_index("qk-norm", "cpu", study_members("qk-norm"))));
    {
      QFile f(out + "/study.json");
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(other);
    }
    auto r = cli(QStringList{"study", "kv-asymmetry", "--out", out, "--member", "0", "--set",
                             "train.steps=6", "--quiet"} +
                 kTiny);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("study 'qk-norm' at scale 'cpu' with 3 members") &&
                 r.err.contains("study 'kv-asymmetry' at scale 'cpu' with 2 members"),
             qPrintable(r.err));
    QVERIFY(!QFile::exists(out + "/adamw.h5"));
    auto seeded = cli(QStringList{"study", "qk-norm", "--out", out, "--seeds", "2", "--member", "5",
                                  "--set", "train.steps=6", "--quiet"} +
                      kTiny);
    QCOMPARE(seeded.code, 2);
    QVERIFY2(seeded.err.contains("with 3 members, this run is study 'qk-norm' at scale 'cpu' "
                                 "with 6 members"),
             qPrintable(seeded.err));
    {
      QFile f(out + "/study.json");
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCOMPARE(f.readAll(), other);
    }
    auto full = cli(
        QStringList{"study", "kv-asymmetry", "--out", out, "--set", "train.steps=6", "--quiet"} +
        kTiny);
    QVERIFY2(full.code == 0, qPrintable(full.err));
    QVERIFY2(full.err.contains("replaced"), qPrintable(full.err));
    const StudyIndex idx = read_index(out);
    QCOMPARE(idx.study, std::string("kv-asymmetry"));
    QCOMPARE(statuses(idx), QStringList({"finished", "finished"}));
  }
  // inspect: a nanoGPT fixture and a Llama folder into run files that info reads; usage and
  // checkpoint errors exit 2 and 1 with the file named.
  void inspectCheckpoints() {
    const QString fx = QStringLiteral(MUONSCOPE_SOURCE_DIR "/tests/fixtures/ckpt/");
    const QString probe = dir_.filePath("probe.bin");
    {
      QFile f(probe);
      QVERIFY(f.open(QIODevice::WriteOnly));
      for (int i = 0; i < 2000; ++i) {
        const quint16 t = quint16((i * 37) % 64);
        f.write(reinterpret_cast<const char*>(&t), 2);
      }
    }
    const QString out = dir_.filePath("nano-inspect.h5");
    Result r = cli({"inspect", fx + "nanogpt/ckpt.pt", "--out", out, "--probe", probe, "--batch",
                    "4", "--seq", "16", "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("step 250") && r.out.contains("probe loss"), qPrintable(r.out));
    QVERIFY2(r.err.contains("[1/1] done"), qPrintable(r.err));
    r = cli({"info", out, "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["snapshots"].toInt(), 1);
    QCOMPARE(j["latest_snapshot"].toObject()["step"].toInt(), 250);
    QVERIFY(j["optimizers"].toString().contains("not trained here"));
    // Weights only, a folder.
    r = cli({"inspect", fx + "llama", "--out", dir_.filePath("llama-w.h5")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // The same output again without --overwrite: refused, the file is kept.
    r = cli({"inspect", fx + "llama", "--out", dir_.filePath("llama-w.h5")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("llama-w.h5"), qPrintable(r.err));
    // Usage errors.
    QCOMPARE(cli({"inspect", "--out", out}).code, 2);
    QCOMPARE(cli({"inspect", fx + "llama"}).code, 2);
    QCOMPARE(cli({"inspect", fx + "llama", "--out", out, "--batch", "0"}).code, 2);
    // A file that is no checkpoint.
    const QString bad = dir_.filePath("bad.pt");
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("not a checkpoint");
    }
    r = cli({"inspect", bad, "--out", dir_.filePath("bad.h5")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(bad + ": not a torch.save zip archive"), qPrintable(r.err));
  }

  void selfcheckPasses() {
    auto r = cli({"selfcheck", "--device", "cpu"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("checks passed"));
    QCOMPARE(cli({"selfcheck", "--device", "tpu"}).code, 1);
  }
  // The table holds what the library computes for the settings given (K and seed reach it):
  // one row per embedding and optimizer, steps exact, probabilities and gap to the 4 decimals
  // printed; and the finding it is about: Muon's gap below GD's for both embeddings.
  void assocStudyPrintsTheTable() {
    auto r = cli({"study", "assoc-memory", "--set", "K=32", "--set", "seed=3"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.startsWith("assoc-memory: K = 32, alpha = 0.9, beta = 0.1, eps = 0.01\n"),
             qPrintable(r.out));
    const QRegularExpression row(
        R"(^(onehot|orthogonal) +(gd|signgd|muon) +(\d+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +(yes|no)$)",
        QRegularExpression::MultilineOption);
    std::map<std::pair<QString, QString>, QRegularExpressionMatch> rows;
    for (auto it = row.globalMatch(r.out); it.hasNext();) {
      const auto m = it.next();
      rows[{m.captured(1), m.captured(2)}] = m;
    }
    QCOMPARE(int(rows.size()), 6);
    std::map<QString, std::map<QString, double>> gap;
    for (const char* emb : {"onehot", "orthogonal"}) {
      AssocConfig c;
      c.K = 32;
      c.seed = 3;
      c.embedding = emb;
      for (const AssocResult& want : run_assoc_all(c)) {
        const QString what = QString("%1 %2").arg(emb, want.optimizer.c_str());
        const auto it = rows.find({emb, QString::fromStdString(want.optimizer)});
        QVERIFY2(it != rows.end(), qPrintable("no row for " + what));
        const QRegularExpressionMatch& m = it->second;
        QCOMPARE(m.captured(3).toInt(), want.steps);
        const double got[] = {m.captured(4).toDouble(), m.captured(5).toDouble(),
                              m.captured(6).toDouble()};
        const double ref[] = {want.min_prob, want.max_prob, want.gap};
        for (int k = 0; k < 3; ++k)
          QVERIFY2(std::abs(got[k] - ref[k]) <= 0.51e-4,
                   qPrintable(QString("%1 column %2: printed %3, library %4")
                                  .arg(what)
                                  .arg(k)
                                  .arg(got[k])
                                  .arg(ref[k], 0, 'g', 10)));
        QCOMPARE(m.captured(7), QString(want.converged ? "yes" : "no"));
        gap[emb][QString::fromStdString(want.optimizer)] = got[2];
      }
    }
    for (const char* emb : {"onehot", "orthogonal"})
      QVERIFY2(
          gap[emb]["muon"] < gap[emb]["gd"],
          qPrintable(
              QString("%1: muon %2, gd %3").arg(emb).arg(gap[emb]["muon"]).arg(gap[emb]["gd"])));
    QVERIFY(gap["orthogonal"]["signgd"] > gap["onehot"]["signgd"]);
    // A setting the command does not know is a usage error naming it.
    auto bad = cli({"study", "assoc-memory", "--set", "Q=1"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("'Q'"), qPrintable(bad.err));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
