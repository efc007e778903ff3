// The run table model and widget (offscreen): RunSet opens run files and study members, labels
// them by what differs in their configs, keeps each run's colour while others come and go, and
// reports the checked runs in row order; RunTable's checkboxes, Space and Delete change the set,
// and a view given the checked runs draws exactly them. Run files are written with known values
// (CompareTestData.h).
#include <QFile>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>
#include <cmath>

#include "CompareTestData.h"
#include "LossPlot.h"
#include "MetricsTable.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "RunSet.h"
#include "RunTable.h"
#include "train/Studies.h"

using namespace ms;

class TestRunSet : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase();
  void openLabelAndColours();
  void studyMembersAndErrors();
  void tableCheckboxesDriveTheSet();
  void tooltipSaysProcessesAndResumes();
  void liveRunBesideFinishedRuns();
  void seedGroupIsMeanWithMembers();
  void largeRunStreamsIn();
  void seedGroupOfStreamedRuns();

 private:
  QTemporaryDir tmp_;
  QString a_, b_, c_, study_;
};

void TestRunSet::initTestCase() {
  QVERIFY(tmp_.isValid());
  a_ = tmp_.filePath("adamw.h5");
  b_ = tmp_.filePath("muon.h5");
  c_ = tmp_.filePath("muon-qknorm.h5");
  ctest::writeRun(a_.toStdString(), {0, "adamw", 16, 2, 4, 60, 20, 4, false});
  ctest::writeRun(b_.toStdString(), {1, "muon", 16, 2, 4, 60, 20, 4, false});
  ctest::writeRun(c_.toStdString(), {2, "muon", 16, 2, 4, 60, 20, 4, true});
  StudyIndex idx;
  idx.study = "kv-asymmetry";
  idx.members = {{"First", "adamw.h5", "finished", "", "AdamW", 0},
                 {"Second", "muon.h5", "finished", "", "Muon", 0},
                 {"Third", "never-run.h5", "pending", "", "Muon", 0}};
  study_ = tmp_.filePath("study.json");
  QFile f(study_);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray::fromStdString(study_index_to_json(idx)));
}

void TestRunSet::openLabelAndColours() {
  RunSet set;
  QSignalSpy checked(&set, &RunSet::checkedChanged);
  QString err;
  const int ra = set.openFile(a_, RunSet::File, QString(), &err);
  QVERIFY2(ra == 0, qPrintable(err));
  const int rb = set.openFile(b_);
  QCOMPARE(rb, 1);
  QCOMPARE(checked.count(), 2);
  // Opening a listed file again finds its row and adds nothing.
  QCOMPARE(set.openFile(a_), 0);
  QCOMPARE(set.count(), 2);
  // Labels from the differing config (the optimizer), the display names follow.
  QCOMPARE(set.label(0), QStringLiteral("AdamW"));
  QCOMPARE(set.label(1), QStringLiteral("Muon"));
  QCOMPARE(set.entry(1).model->displayName(), QStringLiteral("Muon"));
  QCOMPARE(set.statusText(0), QStringLiteral("finished"));
  QCOMPARE(set.lastStep(1), int64_t(60));
  QVERIFY(set.differingKeys(0).join(',').contains(QStringLiteral("optim.muon")));
  // A third run with QK-norm: it is named by it, and the labels of the first two stay apart.
  QCOMPARE(set.openFile(c_), 2);
  QVERIFY2(set.label(2).contains(QStringLiteral("QK-norm")), qPrintable(set.label(2)));
  QCOMPARE(set.checkedColors(), (QVector<int>{0, 1, 2}));
  // Unchecking keeps the colours of the others; removing frees a colour for the next run.
  set.setChecked(1, false);
  QCOMPARE(set.checkedModels(), (QVector<RunModel*>{set.entry(0).model, set.entry(2).model}));
  QCOMPARE(set.checkedColors(), (QVector<int>{0, 2}));
  set.remove(0);
  QCOMPARE(set.count(), 2);
  QCOMPARE(set.checkedColors(), (QVector<int>{2}));
  QCOMPARE(set.openFile(a_), 2);
  QCOMPARE(set.entry(2).colorIndex, 0);
  // checkOnly checks exactly the given rows, in one change.
  checked.clear();
  set.checkOnly({0});
  QCOMPARE(checked.count(), 1);
  QCOMPARE(set.checkedModels(), QVector<RunModel*>{set.entry(0).model});
}

void TestRunSet::studyMembersAndErrors() {
  RunSet set;
  QString err;
  QStringList warnings;
  const QVector<int> rows = set.openStudy(study_, &err, &warnings);
  QCOMPARE(rows, (QVector<int>{0, 1}));
  QCOMPARE(set.label(0), QStringLiteral("First"));  // the study's labels win
  QCOMPARE(set.label(1), QStringLiteral("Second"));
  QCOMPARE(set.entry(0).kind, RunSet::StudyMember);
  QCOMPARE(warnings.size(), 1);
  QVERIFY2(warnings[0].contains(QStringLiteral("never-run.h5")), qPrintable(warnings[0]));
  // A missing file and a file that is not a run: -1, the set unchanged, the message names it.
  QCOMPARE(set.openFile(tmp_.filePath("gone.h5"), RunSet::File, QString(), &err), -1);
  QVERIFY2(err.contains(QStringLiteral("gone.h5")), qPrintable(err));
  const QString junk = tmp_.filePath("junk.h5");
  {
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not an HDF5 file");
  }
  err.clear();
  QCOMPARE(set.openFile(junk, RunSet::File, QString(), &err), -1);
  QVERIFY2(err.contains(QStringLiteral("junk.h5")), qPrintable(err));
  QCOMPARE(set.count(), 2);
}

// A run trained by 2 processes and resumed after step 30 says so in its row's tooltip.
void TestRunSet::tooltipSaysProcessesAndResumes() {
  const QString path = tmp_.filePath("ddp-resumed.h5");
  ctest::RunSpec s;
  s.world_size = 2;
  ctest::writeRun(path.toStdString(), s);
  RunWriter::reopen(path.toStdString(), ctest::info(s), 30)->finish(RunStatus::Finished, "");
  RunSet set;
  QVERIFY(set.openFile(path) >= 0);
  QCOMPARE(set.entry(0).model->info().world_size, 2);
  RunTable table(&set);
  const QString tip = table.tree()->topLevelItem(0)->toolTip(RunTable::ColStatus);
  QVERIFY2(tip.contains(QStringLiteral("Trained by 2 processes")), qPrintable(tip));
  QVERIFY2(tip.contains(QStringLiteral("Resumed after step 30")), qPrintable(tip));
  RunSet single;
  QVERIFY(single.openFile(a_) >= 0);
  RunTable plain(&single);
  QVERIFY(!plain.tree()
               ->topLevelItem(0)
               ->toolTip(RunTable::ColStatus)
               .contains(QStringLiteral("Resumed")));
}

void TestRunSet::tableCheckboxesDriveTheSet() {
  RunSet set;
  QVERIFY(set.openFile(a_) >= 0);
  QVERIFY(set.openFile(b_) >= 0);
  RunTable table(&set);
  table.resize(600, 300);
  table.show();
  QVERIFY(QTest::qWaitForWindowExposed(&table));
  QTreeWidget* tree = table.tree();
  QCOMPARE(tree->topLevelItemCount(), 2);
  QCOMPARE(tree->topLevelItem(1)->text(RunTable::ColRun), QStringLiteral("Muon"));
  QCOMPARE(tree->topLevelItem(1)->text(RunTable::ColSteps), QStringLiteral("60 / 60"));
  QCOMPARE(tree->topLevelItem(0)->text(RunTable::ColFile), QStringLiteral("adamw.h5"));
  LossPlot view(static_cast<RunModel*>(nullptr));
  connect(&set, &RunSet::checkedChanged, &view,
          [&] { view.setRuns(set.checkedModels(), set.checkedColors()); });
  view.setRuns(set.checkedModels(), set.checkedColors());
  QCOMPARE(view.runCount(), 2);

  // Click the checkbox of row 0: the run leaves the set's checked runs and the view.
  const QModelIndex idx = tree->model()->index(0, RunTable::ColRun);
  const QRect rect = tree->visualRect(idx);
  QStyleOptionViewItem opt;
  opt.initFrom(tree);
  opt.rect = rect;
  opt.features = QStyleOptionViewItem::HasCheckIndicator;
  const QRect box =
      tree->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &opt, tree);
  QTest::mouseClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, box.center());
  QTRY_VERIFY(!set.isChecked(0));
  QCOMPARE(tree->topLevelItem(0)->checkState(RunTable::ColRun), Qt::Unchecked);
  QCOMPARE(view.runCount(), 1);
  QCOMPARE(view.run(0), set.entry(1).model);
  QCOMPARE(view.runColorIndex(0), 1);  // Muon keeps its colour
  // Space on the current row checks it again.
  tree->setCurrentItem(tree->topLevelItem(0));
  tree->setFocus();
  QTest::keyClick(tree, Qt::Key_Space);
  QVERIFY(set.isChecked(0));
  QCOMPARE(view.runCount(), 2);
  // Delete removes the current row (the file stays on disk).
  tree->setCurrentItem(tree->topLevelItem(1));
  QTest::keyClick(tree, Qt::Key_Delete);
  QCOMPARE(set.count(), 1);
  QCOMPARE(tree->topLevelItemCount(), 1);
  QCOMPARE(view.runCount(), 1);
  QVERIFY(QFile::exists(b_));
}

void TestRunSet::liveRunBesideFinishedRuns() {
  RunSet set;
  RunModel live;
  set.setLiveModel(&live);
  QCOMPARE(set.count(), 1);
  QVERIFY(!set.isChecked(0));  // nothing trained yet
  QCOMPARE(set.statusText(0), QStringLiteral("idle"));
  QVERIFY(set.openFile(a_) == 1);
  set.remove(0);  // the live run cannot be removed
  QCOMPARE(set.count(), 2);
  // The live run starts (config from run B's spec): it is labelled beside the finished AdamW run
  // and its steps arrive while the finished run stays as it is.
  RunInfo info = ctest::info({1, "muon", 16, 2, 4, 60, 20, 4, false});
  live.setInfo(info);
  set.setChecked(0, true);
  QCOMPARE(set.statusText(0), QStringLiteral("live"));
  QCOMPARE(set.label(0), QStringLiteral("Muon"));
  QCOMPARE(set.label(1), QStringLiteral("AdamW"));
  LossPlot view(set.checkedModels());
  QCOMPARE(view.runCount(), 2);
  QSignalSpy updated(&set, &RunSet::rowUpdated);
  StepRecord s;
  s.step = 1;
  s.loss = 3.0;
  live.appendStep(s);
  QVERIFY(updated.count() >= 1);
  QCOMPARE(updated.at(0).at(0).toInt(), 0);
  QCOMPARE(set.lastStep(0), int64_t(1));
  QCOMPARE(set.lastStep(1), int64_t(60));
  live.setStatus(RunStatus::Finished);
  QCOMPARE(set.statusText(0), QStringLiteral("finished"));
}

// Two seeds of AdamW form a group: one checked row "AdamW (2 seeds)" whose model is the mean of
// its members (loss and PR at every step), members "AdamW, seed N" unchecked under it; a third
// seed joins it; removing the group removes its members.
void TestRunSet::seedGroupIsMeanWithMembers() {
  const QString s1 = tmp_.filePath("adamw-s1.h5"), s2 = tmp_.filePath("adamw-s2.h5"),
                s3 = tmp_.filePath("adamw-s3.h5");
  ctest::writeRun(s1.toStdString(), {0, "adamw", 16, 2, 4, 60, 20, 4, false, 1});
  ctest::writeRun(s2.toStdString(), {5, "adamw", 16, 2, 4, 60, 20, 4, false, 2});
  ctest::writeRun(s3.toStdString(), {6, "adamw", 16, 2, 4, 60, 20, 4, false, 3});
  RunSet set;
  QVERIFY(set.openFile(b_) == 0);  // Muon, seed 1337
  QVERIFY(set.openFile(s1) == 1);
  QCOMPARE(set.count(), 2);  // AdamW seed 1 differs from Muon in more than the seed
  QVERIFY(set.openFile(s2) == 2);
  QCOMPARE(set.count(), 4);  // + the group row
  const int g = 3;
  QCOMPARE(set.entry(g).kind, RunSet::SeedGroup);
  QCOMPARE(set.label(g), QStringLiteral("AdamW (2 seeds)"));
  QCOMPARE(set.label(1), QStringLiteral("AdamW, seed 1"));
  QCOMPARE(set.label(2), QStringLiteral("AdamW, seed 2"));
  QCOMPARE(set.label(0), QStringLiteral("Muon"));
  QCOMPARE(set.groupRowOf(1), g);
  QVERIFY(set.isChecked(g) && !set.isChecked(1) && !set.isChecked(2) && set.isChecked(0));
  QCOMPARE(set.checkedModels(), (QVector<RunModel*>{set.entry(0).model, set.entry(g).model}));
  QCOMPARE(set.checkedMembers()[1], (QVector<RunModel*>{set.entry(1).model, set.entry(2).model}));
  QVERIFY(set.checkedMembers()[0].isEmpty());
  QVERIFY(set.entry(1).colorIndex != set.entry(g).colorIndex);
  // The group's model is the mean of the two files' known values.
  const RunModel* mean = set.entry(g).model;
  QCOMPARE(mean->steps().size(), size_t(60));
  QCOMPARE(mean->steps()[9].loss, (ctest::trainLoss(0, 10) + ctest::trainLoss(5, 10)) / 2);
  QCOMPARE(mean->snapshots().size(), size_t(3));
  QVERIFY(std::abs(mean->snapshots()[2].layers[1].pr_sv[kActK][3] -
                   (ctest::prSv(0, 2, 1, 3, kActK) + ctest::prSv(5, 2, 1, 3, kActK)) / 2) < 1e-12);
  QCOMPARE(mean->displayName(), QStringLiteral("AdamW (2 seeds)"));
  QCOMPARE(set.statusText(g), QStringLiteral("2 seeds"));
  // The table shows the group with its members as children.
  RunTable table(&set);
  QCOMPARE(table.tree()->topLevelItemCount(), 2);
  QTreeWidgetItem* groupItem = table.itemOfRow(g);
  QVERIFY(groupItem && !groupItem->parent());
  QCOMPARE(groupItem->childCount(), 2);
  QCOMPARE(groupItem->child(1)->text(RunTable::ColRun), QStringLiteral("AdamW, seed 2"));
  // A third seed joins the group (same row, same colour), the mean now over three.
  const int colour = set.entry(g).colorIndex;
  QVERIFY(set.openFile(s3) >= 0);
  const int g3 = set.groupRowOf(set.rowOfFile(s3));
  QVERIFY(g3 >= 0);
  QCOMPARE(set.entry(g3).members.size(), 3);
  QCOMPARE(set.entry(g3).colorIndex, colour);
  QCOMPARE(set.label(g3), QStringLiteral("AdamW (3 seeds)"));
  QVERIFY(!set.isChecked(set.rowOfFile(s3)));
  const RunModel* mean3 = set.entry(g3).model;
  QVERIFY(std::abs(mean3->steps()[9].loss -
                   (ctest::trainLoss(0, 10) + ctest::trainLoss(5, 10) + ctest::trainLoss(6, 10)) /
                       3) < 1e-12);
  QCOMPARE(table.itemOfRow(g3)->childCount(), 3);
  // The metrics table: one row for the group, mean ± sd over the three seeds' own metrics.
  MetricsTable metrics(set.checkedModels());
  metrics.setRuns(set.checkedModels(), set.checkedColors(), set.checkedMembers());
  QVERIFY(metrics.hasSeedGroups());
  QCOMPARE(metrics.table()->rowCount(), 2);
  const int last = ctest::valCount({}) - 1;
  const double v0 = ctest::valLoss(0, last), v5 = ctest::valLoss(5, last),
               v6 = ctest::valLoss(6, last);
  const double mv = (v0 + v5 + v6) / 3;
  const double sv =
      std::sqrt(((v0 - mv) * (v0 - mv) + (v5 - mv) * (v5 - mv) + (v6 - mv) * (v6 - mv)) / 2);
  const QStringList csv = metrics.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(csv.size(), 3);
  const QStringList header = csv[0].split(',');
  QCOMPARE(header.size(), 1 + 2 * (MetricsTable::ColCount - 1));
  QCOMPARE(header[3], QStringLiteral("final_val_loss"));
  QCOMPARE(header[4], QStringLiteral("final_val_loss_sd"));
  const QStringList group = csv[2].split(',');
  QCOMPARE(group[0], QStringLiteral("AdamW (3 seeds)"));
  QVERIFY2(std::abs(group[3].toDouble() - mv) < 1e-9, qPrintable(group[3]));
  QVERIFY2(std::abs(group[4].toDouble() - sv) < 1e-9, qPrintable(group[4]));
  QVERIFY(csv[1].split(',')[4].isEmpty());  // Muon: one run, no sd
  QVERIFY(
      metrics.table()->item(1, MetricsTable::ColFinalVal)->text().contains(QStringLiteral(" ± ")));

  // Removing the group removes its members; Muon stays (alone, named by its file).
  set.remove(g3);
  QCOMPARE(set.count(), 1);
  QCOMPARE(set.label(0), QStringLiteral("muon"));
  QCOMPARE(table.tree()->topLevelItemCount(), 1);
}

// A run of 200 snapshots opens with its steps and the first chunk of snapshots at once; the rest
// arrives a chunk per event-loop turn, in step order, and equals the file.
void TestRunSet::largeRunStreamsIn() {
  const QString path = tmp_.filePath("long.h5");
  ctest::RunSpec spec{9, "adamw", 16, 2, 4, 200, 1, 4, false};
  ctest::writeRun(path.toStdString(), spec);
  RunSet set;
  const int row = set.openFile(path);
  QVERIFY(row >= 0);
  RunModel* m = set.entry(row).model;
  RunFollower* f = set.entry(row).follower;
  QCOMPARE(m->steps().size(), size_t(200));
  QCOMPARE(static_cast<int>(m->snapshots().size()), RunFollower::kSnapshotChunk);
  QVERIFY(f->isLoading());
  QSignalSpy loaded(f, &RunFollower::loaded);
  QTRY_COMPARE(loaded.count(), 1);
  QCOMPARE(m->snapshots().size(), size_t(200));
  QVERIFY(!f->isLoading());
  for (int k : {0, 63, 64, 199}) {
    QCOMPARE(m->snapshots()[k].step, int64_t(k + 1));
    QCOMPARE(m->snapshots()[k].layers[1].pr_sv[kActK][2], ctest::prSv(9, k, 1, 2, kActK));
  }
  QCOMPARE(set.lastStep(row), int64_t(200));
}

// Two long seeds stream in: their group's mean is computed once, after both have loaded, not once
// per chunk (each recomputation clears and refills the mean run and redraws every view).
void TestRunSet::seedGroupOfStreamedRuns() {
  const QString a = tmp_.filePath("long-s1.h5"), b = tmp_.filePath("long-s2.h5");
  ctest::writeRun(a.toStdString(), {10, "adamw", 16, 2, 4, 200, 1, 4, false, 1});
  ctest::writeRun(b.toStdString(), {11, "adamw", 16, 2, 4, 200, 1, 4, false, 2});
  RunSet set;
  QVERIFY(set.openFile(a) >= 0);
  QVERIFY(set.openFile(b) >= 0);
  const int g = set.groupRowOf(set.rowOfFile(b));
  QVERIFY(g >= 0);
  RunModel* mean = set.entry(g).model;
  QSignalSpy cleared(mean, &RunModel::cleared);
  QVERIFY(set.entry(set.rowOfFile(b)).follower->isLoading());
  QVERIFY(mean->snapshots().empty());  // not built from a partly loaded member
  QTRY_COMPARE(mean->snapshots().size(), size_t(200));
  QCOMPARE(cleared.count(), 1);
  QCOMPARE(mean->snapshots()[150].layers[0].pr_sv[kActK][1],
           (ctest::prSv(10, 150, 0, 1, kActK) + ctest::prSv(11, 150, 0, 1, kActK)) / 2);
}

QTEST_MAIN(TestRunSet)
#include "test_run_set.moc"
