// GUI test of the Studies menu's parts, offscreen:
//  - StudyRunner runs the kv-asymmetry study (two tiny real runs) through a TrainingController:
//    memberStarted for both members, study.json written before and after each member (running,
//    then finished with the CLI's summary line), both run files finalized as finished, progress
//    non-decreasing up to exactly 1; stop() during the second member of qk-norm marks it stopped
//    and leaves the third pending; a member that fails (missing data file) is recorded and the
//    study goes on; invalid input is refused before anything is written.
//  - StudyDialog shows the ConfigError of a bad setting (model.heads=3) at the field and
//    disables OK; the run count follows the settings (gated ablation has one more member).
//  - AssocMemoryPanel: K = 32 gives exactly run_assoc_all's numbers in its table (Muon's gap
//    below GD's, as the tail-learning paper finds), a burst of changes makes one computation,
//    and an invalid config shows the model's error instead of stale numbers.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <qcustomplot.h>

#include "AppSettings.h"
#include "AssocMemoryPanel.h"
#include "StudyDialog.h"
#include "StudyRunner.h"
#include "TrainingController.h"
#include "assoc/Assoc.h"
#include "store/RunReader.h"
#include "train/Studies.h"

using namespace ms;

namespace {

constexpr int kStudyTimeoutMs = 90000;

// A tiny model and a few steps: each member trains in about a second on one core.
const QStringList kTiny = {"model.layers=1",     "model.d_model=32", "model.heads=2",
                           "model.seq_len=32",   "train.steps=6",    "metrics.every=3",
                           "train.batch_size=4", "train.threads=1"};

StudyIndex readIndex(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return study_index_from_json(f.readAll().toStdString());
}

}  // namespace

class TestStudiesGui : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void runnerRunsEveryMember();
  void runnerStopMidStudy();
  void runnerRecordsFailedMemberAndContinues();
  void runnerRefusesBadInput();
  void dialogValidatesSettings();
  void dialogOutputFolder();
  void dialogSeedsMultiplyRuns();
  void runnerRunsSeeds();
  void assocPanelMatchesModel();
  void assocPanelCoalescesAndShowsErrors();
  void assocPanelDeletedWhileComputing();

 private:
  QTemporaryDir tmp_;
};

void TestStudiesGui::initTestCase() {
  QVERIFY(tmp_.isValid());
  QStandardPaths::setTestModeEnabled(true);
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, tmp_.filePath("settings"));
  QCoreApplication::setOrganizationName(QStringLiteral("MuonscopeTest"));
  QCoreApplication::setApplicationName(QStringLiteral("muonscope-studies-test"));
  QSettings().clear();
  settings::setRunFolder(tmp_.filePath("runs"));
}

void TestStudiesGui::runnerRunsEveryMember() {
  TrainingController controller;  // as the main window passes its own
  StudyRunner runner(&controller);
  QCOMPARE(runner.controller(), &controller);
  QSignalSpy started(&runner, &StudyRunner::memberStarted);
  QSignalSpy memberDone(&runner, &StudyRunner::memberFinished);
  QSignalSpy progress(&runner, &StudyRunner::progress);
  QSignalSpy finished(&runner, &StudyRunner::finished);
  QSignalSpy runsFinished(&controller, &TrainingController::finished);

  // study.json as it stands when each member starts.
  std::vector<StudyIndex> atStart;
  connect(&runner, &StudyRunner::memberStarted, this,
          [&](int, int, const QString&, const QString&) {
            atStart.push_back(readIndex(runner.indexPath()));
          });

  const QString dir = tmp_.filePath("kv");
  QString error;
  QVERIFY2(runner.start("kv-asymmetry", "cpu", kTiny, dir, &error), qPrintable(error));
  QVERIFY(runner.isActive());
  QCOMPARE(runner.count(), 2);
  QCOMPARE(runner.currentIndex(), 0);
  QCOMPARE(runner.indexPath(), QDir(dir).absoluteFilePath("study.json"));
  QString again;
  QVERIFY(!runner.start("kv-asymmetry", "cpu", kTiny, tmp_.filePath("kv2"), &again));
  QVERIFY(!again.isEmpty());

  QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kStudyTimeoutMs);
  QVERIFY(!runner.isActive());
  QCOMPARE(runner.currentIndex(), -1);
  QCOMPARE(finished.at(0).at(0).toBool(), true);
  QCOMPARE(finished.at(0).at(1).toString(), runner.indexPath());
  QCOMPARE(runsFinished.count(), 2);

  // memberStarted for both, in order, with the study's labels and files.
  QCOMPARE(started.count(), 2);
  const auto members = study_members("kv-asymmetry");  // labels and files
  for (int i = 0; i < 2; ++i) {
    QCOMPARE(started.at(i).at(0).toInt(), i);
    QCOMPARE(started.at(i).at(1).toInt(), 2);
    QCOMPARE(started.at(i).at(2).toString(), QString::fromStdString(members[i].label));
    QCOMPARE(started.at(i).at(3).toString(),
             QDir(dir).absoluteFilePath(QString::fromStdString(members[i].file)));
    QCOMPARE(memberDone.at(i).at(0).toInt(), i);
    QCOMPARE(memberDone.at(i).at(1).toString(), QStringLiteral("finished"));
  }

  // The index before each member: the running one, finished ones before it, pending after.
  QCOMPARE(int(atStart.size()), 2);
  QCOMPARE(atStart[0].members.at(0).status, std::string("running"));
  QCOMPARE(atStart[0].members.at(1).status, std::string("pending"));
  QCOMPARE(atStart[1].members.at(0).status, std::string("finished"));
  QCOMPARE(atStart[1].members.at(1).status, std::string("running"));

  // The final index: both finished, with the CLI's summary line.
  const StudyIndex idx = readIndex(runner.indexPath());
  QCOMPARE(idx.study, std::string("kv-asymmetry"));
  QCOMPARE(idx.scale, std::string("cpu"));
  QCOMPARE(idx.description, studies().front().description);
  QVERIFY(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d$")
              .match(QString::fromStdString(idx.created))
              .hasMatch());
  QCOMPARE(int(idx.members.size()), 2);
  const QRegularExpression summary("^final loss \\d+\\.\\d{4}, val \\d+\\.\\d{4}, \\d+:\\d\\d$");
  for (int i = 0; i < 2; ++i) {
    const auto& e = idx.members[i];
    QCOMPARE(e.label, members[i].label);
    QCOMPARE(e.file, members[i].file);
    QCOMPARE(e.status, std::string("finished"));
    QVERIFY2(summary.match(QString::fromStdString(e.summary)).hasMatch(), e.summary.c_str());
    qInfo("%s: %s", e.label.c_str(), e.summary.c_str());
    // The run file exists and was finalized as finished with all 6 steps.
    const QString file = QDir(dir).absoluteFilePath(QString::fromStdString(e.file));
    QVERIFY(QFileInfo::exists(file));
    RunReader reader(file.toStdString());
    QCOMPARE(reader.stored_status(), RunStatus::Finished);
    QCOMPARE(reader.num_steps(), int64_t(6));
  }
  // The second member ran Muon, the first AdamW only (the study's one difference).
  QVERIFY(atStart[1].members.at(1).label != atStart[1].members.at(0).label);

  // Progress: non-decreasing fractions in [0, 1], ending at exactly 1 with no time left.
  QVERIFY(progress.count() >= 4);
  double last = -1;
  for (const auto& args : progress) {
    const double f = args.at(0).toDouble();
    QVERIFY(f >= last && f >= 0 && f <= 1);
    last = f;
  }
  QCOMPARE(last, 1.0);
  QCOMPARE(progress.last().at(1).toDouble(), 0.0);
  QCOMPARE(runner.fraction(), 1.0);
}

void TestStudiesGui::runnerStopMidStudy() {
  StudyRunner runner;  // owns its controller
  QVERIFY(runner.controller() != nullptr);
  QSignalSpy started(&runner, &StudyRunner::memberStarted);
  QSignalSpy finished(&runner, &StudyRunner::finished);
  QSignalSpy progress(&runner, &StudyRunner::progress);
  // Stop as soon as the second of the three members has started.
  connect(&runner, &StudyRunner::memberStarted, this,
          [&](int i, int, const QString&, const QString&) {
            if (i == 1) runner.stop();
          });
  const QString dir = tmp_.filePath("qk");
  QString error;
  QVERIFY2(runner.start("qk-norm", "cpu", kTiny, dir, &error), qPrintable(error));
  QCOMPARE(runner.count(), 3);
  QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kStudyTimeoutMs);
  QCOMPARE(finished.at(0).at(0).toBool(), false);
  QCOMPARE(started.count(), 2);  // the third member never started
  QVERIFY(!runner.isActive());

  const StudyIndex idx = readIndex(dir + "/study.json");
  QCOMPARE(int(idx.members.size()), 3);
  QCOMPARE(idx.members[0].status, std::string("finished"));
  QCOMPARE(idx.members[1].status, std::string("stopped"));
  QCOMPARE(idx.members[2].status, std::string("pending"));
  QCOMPARE(idx.members[2].summary, std::string());
  QVERIFY(!QFileInfo::exists(runner.memberFile(2)));
  // The stopped member's file exists and is finalized as stopped.
  RunReader reader(runner.memberFile(1).toStdString());
  QCOMPARE(reader.stored_status(), RunStatus::Stopped);
  // Progress never claimed the study complete.
  for (const auto& args : progress) QVERIFY(args.at(0).toDouble() < 1.0);
  QVERIFY(runner.fraction() <= 2.0 / 3.0 + 1e-12);
}

void TestStudiesGui::runnerRecordsFailedMemberAndContinues() {
  StudyRunner runner;
  QSignalSpy started(&runner, &StudyRunner::memberStarted);
  QSignalSpy finished(&runner, &StudyRunner::finished);
  QSignalSpy progress(&runner, &StudyRunner::progress);
  // The data file is missing: each member fails while loading data, on the worker thread.
  QStringList sets = kTiny;
  const QString missing = tmp_.filePath("no-such-corpus.txt");
  sets << "data.source=text" << ("data.path=" + missing);
  const QString dir = tmp_.filePath("failing");
  QString error;
  QVERIFY2(runner.start("kv-asymmetry", "cpu", sets, dir, &error), qPrintable(error));
  QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kStudyTimeoutMs);
  QCOMPARE(finished.at(0).at(0).toBool(), false);
  QCOMPARE(started.count(), 2);  // the study went on after the first failure
  const StudyIndex idx = readIndex(dir + "/study.json");
  qInfo("failed member: %s", idx.members.at(0).summary.c_str());
  for (const auto& e : idx.members) {
    QCOMPARE(e.status, std::string("failed"));
    QVERIFY2(QString::fromStdString(e.summary).contains("no-such-corpus.txt"), e.summary.c_str());
  }
  QCOMPARE(progress.last().at(0).toDouble(), 1.0);  // every member was dealt with
}

void TestStudiesGui::runnerRefusesBadInput() {
  StudyRunner runner;
  QString error;
  QVERIFY(!runner.start("no-such-study", "cpu", {}, tmp_.filePath("bad1"), &error));
  QVERIFY2(error.contains("unknown study 'no-such-study'"), qPrintable(error));
  QVERIFY(!QFileInfo::exists(tmp_.filePath("bad1/study.json")));

  QVERIFY(!runner.start("kv-asymmetry", "tpu", {}, tmp_.filePath("bad2"), &error));
  QVERIFY2(error.contains("tpu"), qPrintable(error));

  QVERIFY(!runner.start("kv-asymmetry", "cpu", {"model.heads=3"}, tmp_.filePath("bad3"), &error));
  QVERIFY2(error.contains("model.heads"), qPrintable(error));

  // A member's run file already there: nothing is started or overwritten.
  const QString dir = tmp_.filePath("bad4");
  QVERIFY(QDir().mkpath(dir));
  QFile f(dir + "/muon.h5");
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("keep");
  f.close();
  QVERIFY(!runner.start("kv-asymmetry", "cpu", kTiny, dir, &error));
  QVERIFY2(error.contains("muon.h5"), qPrintable(error));
  QVERIFY(!QFileInfo::exists(dir + "/study.json"));
  QVERIFY(!runner.isActive());
  QCOMPARE(QFileInfo(dir + "/muon.h5").size(), qint64(4));
}

void TestStudiesGui::dialogValidatesSettings() {
  StudyDialog d;
  d.show();
  QCOMPARE(d.study(), QString::fromStdString(studies().front().name));
  d.setStudy("kv-asymmetry");
  QCOMPARE(d.scale(), QStringLiteral("cpu"));
  QVERIFY(d.isValid());
  QCOMPARE(d.runCount(), 2);
  QVERIFY(d.okButton()->isEnabled());
  QVERIFY(!d.settingsErrorLabel()->isVisible());

  // 3 heads do not divide d_model = 128: the ConfigError is shown at the field, OK disabled.
  d.setSettingsText("model.heads=3");
  std::string expected;
  try {
    study_members("kv-asymmetry", "cpu", {"model.heads=3"});
  } catch (const ConfigError& e) {
    expected = e.what();
  }
  QVERIFY(!expected.empty());
  QCOMPARE(d.settingsError(), QString::fromStdString(expected));
  QVERIFY(d.settingsError().contains("model.heads"));
  QVERIFY(d.settingsErrorLabel()->isVisible());
  QCOMPARE(d.settingsErrorLabel()->text(), d.settingsError());
  QCOMPARE(d.settingsEdit()->toolTip(), d.settingsError());
  QVERIFY(!d.okButton()->isEnabled());
  QVERIFY(!d.isValid());
  QCOMPARE(d.runCount(), 0);

  // Fixed: the error goes away; the gated ablation has one member more than the plain one.
  d.setStudy("ablation");
  d.setSettingsText("model.ffn=swiglu   train.steps=50");
  QCOMPARE(d.settings(), QStringList({"model.ffn=swiglu", "train.steps=50"}));
  QVERIFY(d.isValid());
  QVERIFY(!d.settingsErrorLabel()->isVisible());
  QVERIFY(d.okButton()->isEnabled());
  const int gated = int(study_members("ablation", "cpu", {"model.ffn=swiglu"}).size());
  const int plain = int(study_members("ablation", "cpu").size());
  QCOMPARE(gated, plain + 1);
  QCOMPARE(d.runCount(), gated);
  d.setSettingsText(QString());
  QCOMPARE(d.runCount(), plain);

  // Unknown keys and malformed items are errors too; quotes keep spaces in one value.
  d.setSettingsText("model.nope=1");
  QVERIFY(d.settingsError().contains("model.nope"));
  d.setSettingsText("train.steps");
  QVERIFY(d.settingsError().contains("key=value"));
  QCOMPARE(StudyDialog::parseSettings("name=\"a b\" train.steps=3"),
           QStringList({"name=a b", "train.steps=3"}));
}

// The Seeds field, used as a user would (keyboard on the spin box): every member N times.
void TestStudiesGui::dialogSeedsMultiplyRuns() {
  StudyDialog d;
  d.show();
  QVERIFY(QTest::qWaitForWindowExposed(&d));
  d.setStudy("kv-asymmetry");
  QCOMPARE(d.runCount(), 2);
  auto* spin = d.findChild<QSpinBox*>("seedsSpin");
  QVERIFY(spin);
  QCOMPARE(spin->value(), 1);
  spin->setFocus();
  QTest::keyClick(spin, Qt::Key_Up);
  QTest::keyClick(spin, Qt::Key_Up);
  QCOMPARE(d.seeds(), 3);
  QCOMPARE(d.runCount(), 6);
  auto* count = d.findChild<QLabel*>("studyRunCount");
  QVERIFY(count && count->text().contains("6"));
  // The folder check looks at the seeded file names.
  const QString dir = tmp_.filePath("seeded-dialog");
  QVERIFY(QDir().mkpath(dir));
  QFile f(QDir(dir).filePath("muon-seed1338.h5"));
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.close();
  d.setOutputDir(dir);
  QVERIFY(d.outputError().contains("muon-seed1338.h5"));
  QVERIFY(!d.okButton()->isEnabled());
}

// StudyRunner with seeds: every member per seed, study.json records group and seed.
void TestStudiesGui::runnerRunsSeeds() {
  StudyRunner runner;
  QSignalSpy finished(&runner, &StudyRunner::finished);
  const QString dir = tmp_.filePath("kv-seeds");
  QString error;
  QVERIFY2(runner.start("kv-asymmetry", "cpu", kTiny, dir, &error, 2), qPrintable(error));
  QCOMPARE(runner.count(), 4);
  QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kStudyTimeoutMs);
  const StudyIndex idx = readIndex(runner.indexPath());
  QCOMPARE(int(idx.members.size()), 4);
  const char* files[] = {"adamw-seed1337.h5", "adamw-seed1338.h5", "muon-seed1337.h5",
                         "muon-seed1338.h5"};
  for (int i = 0; i < 4; ++i) {
    QCOMPARE(idx.members[i].file, std::string(files[i]));
    QCOMPARE(idx.members[i].group, std::string(i < 2 ? "AdamW" : "Muon"));
    QCOMPARE(idx.members[i].seed, uint64_t(1337 + i % 2));
    QCOMPARE(idx.members[i].status, std::string("finished"));
    RunReader r(QDir(dir).filePath(files[i]).toStdString());
    QCOMPARE(config_from_json(r.info().config_json).train.seed, uint64_t(1337 + i % 2));
  }
}

void TestStudiesGui::dialogOutputFolder() {
  StudyDialog d;
  d.setStudy("qk-norm");
  // Default: <run folder>/<study>-<date-time>, following the study until the user picks one.
  const QRegularExpression def("^" + QRegularExpression::escape(settings::runFolder()) +
                               "/qk-norm-\\d{8}-\\d{6}$");
  QVERIFY2(def.match(d.outputDir()).hasMatch(), qPrintable(d.outputDir()));
  d.setStudy("tail-qa");
  QVERIFY(d.outputDir().contains("/tail-qa-"));

  // A folder that already holds one of the run files is refused.
  const QString dir = tmp_.filePath("taken");
  QVERIFY(QDir().mkpath(dir));
  QFile f(dir + "/sgd.h5");
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.close();
  d.setOutputDir(dir);
  QCOMPARE(d.outputDir(), dir);
  QVERIFY(d.outputError().contains("sgd.h5"));
  QVERIFY(!d.okButton()->isEnabled());
  d.setStudy("kv-asymmetry");  // no sgd.h5 in this study; the chosen folder is kept
  QCOMPARE(d.outputDir(), dir);
  QVERIFY(d.outputError().isEmpty());
  QVERIFY(d.okButton()->isEnabled());
  d.setOutputDir(QString());
  QVERIFY(!d.outputError().isEmpty());
  QVERIFY(!d.okButton()->isEnabled());
}

void TestStudiesGui::assocPanelMatchesModel() {
  AssocMemoryPanel panel;
  panel.resize(1100, 700);
  panel.show();
  QSignalSpy ready(&panel, &AssocMemoryPanel::resultsReady);
  panel.setK(32);
  QVERIFY(panel.isBusy());
  QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy() && panel.resultConfig().K == 32, 20000);
  QVERIFY(ready.count() >= 1);
  QVERIFY2(panel.errorText().isEmpty(), qPrintable(panel.errorText()));

  const AssocConfig c = panel.config();
  QCOMPARE(c.K, 32);
  QCOMPARE(c.embedding, std::string("onehot"));
  const std::vector<AssocResult> ref = run_assoc_all(c);
  QCOMPARE(int(ref.size()), 3);
  QCOMPARE(int(panel.results().size()), 3);
  QTableWidget* t = panel.table();
  for (int row = 0; row < 3; ++row) {
    const AssocResult& r = ref[row];
    auto item = [&](int col) { return t->item(row, col); };
    QVERIFY(item(AssocMemoryPanel::ColGap) != nullptr);
    QCOMPARE(item(AssocMemoryPanel::ColGap)->data(Qt::UserRole).toDouble(), r.gap);
    QCOMPARE(item(AssocMemoryPanel::ColGap)->text(), QString::number(r.gap, 'f', 4));
    QCOMPARE(item(AssocMemoryPanel::ColMin)->data(Qt::UserRole).toDouble(), r.min_prob);
    QCOMPARE(item(AssocMemoryPanel::ColMax)->data(Qt::UserRole).toDouble(), r.max_prob);
    QCOMPARE(item(AssocMemoryPanel::ColSteps)->data(Qt::UserRole).toInt(), r.steps);
    QCOMPARE(item(AssocMemoryPanel::ColConverged)->data(Qt::UserRole).toBool(), r.converged);
    QCOMPARE(panel.results()[row].final_prob, r.final_prob);
  }
  // The paper's finding: Muon balances head and tail, GD does not.
  const double gdGap = t->item(0, AssocMemoryPanel::ColGap)->data(Qt::UserRole).toDouble();
  const double muonGap = t->item(2, AssocMemoryPanel::ColGap)->data(Qt::UserRole).toDouble();
  QVERIFY2(muonGap < gdGap, qPrintable(QString("Muon %1, GD %2").arg(muonGap).arg(gdGap)));
  qInfo("K = 32 one-hot gaps: GD %.4f (%d steps), SignGD %.4f (%d), Muon %.4f (%d)", ref[0].gap,
        ref[0].steps, ref[1].gap, ref[1].steps, ref[2].gap, ref[2].steps);

  // The views show the same data: 3 min + 3 max curves over t = 0 .. steps, 3 class curves.
  panel.trajectoryPlot()->refreshNow();
  panel.classPlot()->refreshNow();
  QCustomPlot* tp = panel.trajectoryPlot()->plot();
  QCOMPARE(tp->graphCount(), 6);
  QCOMPARE(tp->graph(0)->data()->size(), ref[0].steps + 1);
  QCOMPARE(tp->graph(4)->data()->size(), ref[2].steps + 1);
  QCOMPARE(tp->graph(4)->data()->at(1)->value, ref[2].traj_min[1]);
  QCOMPARE(tp->graph(5)->data()->at(1)->value, ref[2].traj_max[1]);
  // A log step axis cannot show the zero init t = 0: that point is left out.
  panel.trajectoryPlot()->setLogX(true);
  panel.trajectoryPlot()->refreshNow();
  QCOMPARE(tp->graph(0)->data()->size(), ref[0].steps);
  QCOMPARE(tp->graph(0)->data()->at(0)->key, 1.0);
  QCustomPlot* cp = panel.classPlot()->plot();
  QCOMPARE(cp->graphCount(), 3);
  QCOMPARE(cp->graph(1)->data()->size(), 32);
  QCOMPARE(cp->graph(1)->data()->at(31)->value, ref[1].final_prob[31]);
  // CSV of the class plot: header, then one row per class with p_k and each optimizer's f_k.
  const QStringList rows = panel.classPlot()->csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(rows.size(), 33);
  QCOMPARE(rows[0], QStringLiteral("class,p_k,gd,signgd,muon"));
}

void TestStudiesGui::assocPanelCoalescesAndShowsErrors() {
  AssocMemoryPanel panel;
  QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 20000);  // the initial K = 64 result
  const int before = panel.computeCount();
  // A burst of changes within the coalescing window: one computation, for the last values.
  panel.setK(20);
  panel.setK(21);
  panel.setAlpha(0.8);
  panel.setEmbedding("orthogonal");
  panel.setSeed(3);
  QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 20000);
  QCOMPARE(panel.computeCount(), before + 1);
  QCOMPARE(panel.resultConfig().K, 21);
  QCOMPARE(panel.resultConfig().alpha, 0.8);
  QCOMPARE(panel.resultConfig().embedding, std::string("orthogonal"));
  QCOMPARE(panel.resultConfig().seed, uint64_t(3));
  const auto ref = run_assoc_all(panel.resultConfig());
  QCOMPARE(panel.table()->item(1, AssocMemoryPanel::ColGap)->data(Qt::UserRole).toDouble(),
           ref[1].gap);

  // beta = 0.01 at K = 21 gives L = 0 head facts: the model's error, no stale numbers.
  panel.setBeta(0.01);
  QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy() && panel.resultConfig().beta == 0.01, 20000);
  QVERIFY2(panel.errorText().contains("beta"), qPrintable(panel.errorText()));
  QVERIFY(panel.results().empty());
  QCOMPARE(panel.table()->item(0, AssocMemoryPanel::ColGap), nullptr);
  panel.setBeta(0.2);
  QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy() && panel.resultConfig().beta == 0.2, 20000);
  QVERIFY(panel.errorText().isEmpty());
  QCOMPARE(int(panel.results().size()), 3);
}

void TestStudiesGui::assocPanelDeletedWhileComputing() {
  // The dense (orthogonal SignGD) computation is still running on its pool thread when the
  // panel goes: its result must be dropped, not delivered to the deleted panel.
  auto* panel = new AssocMemoryPanel;
  AssocConfig c = panel->config();
  c.K = 128;
  c.embedding = "orthogonal";
  panel->setConfig(c);
  panel->recomputeNow();
  QVERIFY(panel->isBusy());
  QCOMPARE(panel->computeCount(), 1);
  delete panel;
  QVERIFY(QThreadPool::globalInstance()->waitForDone(60000));
  QCoreApplication::processEvents();  // nothing queued for the deleted panel may run
}

QTEST_MAIN(TestStudiesGui)
#include "test_studiesgui.moc"
