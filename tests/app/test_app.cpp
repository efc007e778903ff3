// GUI test of the muonscope desktop app, offscreen. It drives MainWindow through real, tiny
// training runs (2 layers x 64, 4 heads, tail-QA data): Start from the toolbar action, live
// views filled from the first snapshot, a click on a PR heatmap cell selecting that layer for
// the spectra and K/V, pause (no new steps) / resume / stop, the run file's final status read
// back with RunReader; a finished run reopened and compared with the file's values; invalid
// setup fields marked and Start disabled; closing mid-run finalizing the file as "stopped"; a
// failing run keeping its file; preferences and the German translation. Settings and run files
// live in a temporary folder. The UI thread's longest event-loop stall during the live run is
// printed (LatencyProbe), not asserted.
#include <qcustomplot.h>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <memory>

#include "AppSettings.h"
#include "AppTestSupport.h"
#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LatencyProbe.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "MetricsTable.h"
#include "PRHeatmap.h"
#include "PreferencesDialog.h"
#include "RunBrowser.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "RunSet.h"
#include "SeedBand.h"
#include "SetupPanel.h"
#include "SpectrumPlot.h"
#include "StatusPanel.h"
#include "StudyRunner.h"
#include "TrainingController.h"
#include "store/RunReader.h"
#include "train/Studies.h"

using namespace ms;

namespace {

constexpr int kRunTimeoutMs = 60000;

using apptest::fieldAs;
using apptest::setTinyRun;

// Clicks "Yes" in the next modal question box (closing during a run asks first).
void answerNextQuestionYes() {
  apptest::whenActive<QMessageBox>(
      [](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
}

}  // namespace

class TestApp : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void setupPanelMarksInvalidFields();
  void routingShortcutsAndPreset();
  void liveRunPauseResumeStop();
  void reopenFinishedRun();
  void closeMidRunFinalizesFile();
  void failedRunKeepsFile();
  void followFileBeingWritten();
  void compareSelectedRuns();
  void studyFromTheWindow();
  void preferencesAndTranslation();
  void germanTranslationComplete();

 private:
  QString runsDir() const { return tmp_.filePath(QStringLiteral("runs")); }
  QTemporaryDir tmp_;
  QString finishedRun_;
};

void TestApp::initTestCase() {
  QVERIFY(tmp_.isValid());
  QVERIFY(apptest::isolateSettings(tmp_.filePath("settings"), "muonscope-test", runsDir()));
}

void TestApp::setupPanelMarksInvalidFields() {
  MainWindow w;
  w.setConfirmClose(false);
  SetupPanel* p = w.setupPanel();
  setTinyRun(p, 30, 10);
  QVERIFY2(p->isValid(), qPrintable(p->errorMessages().join("; ")));
  QVERIFY(w.startAction()->isEnabled());
  QCOMPARE(p->runFolder(), runsDir());

  // heads = 3 does not divide d_model = 64: the heads field is marked, Start is disabled.
  fieldAs<QSpinBox>(p, "model.d_model")->setValue(64);
  fieldAs<QSpinBox>(p, "model.heads")->setValue(3);
  QVERIFY(!p->isValid());
  QVERIFY(p->fieldError("model.heads").contains("64"));
  QWidget* heads = p->field("model.heads");
  QCOMPARE(heads->property("invalid").toBool(), true);
  QVERIFY(heads->styleSheet().contains("border"));
  QVERIFY(heads->toolTip().contains("64"));
  QVERIFY(p->field("model.d_model")->styleSheet().isEmpty());
  auto* errors = p->findChild<QLabel*>(QStringLiteral("setupErrors"));
  QVERIFY(errors && errors->isVisibleTo(p) && errors->text().contains("Heads"));
  QVERIFY(!w.startAction()->isEnabled());
  QString why;
  QVERIFY(!w.startRun(&why));
  QVERIFY(why.contains("64"));
  QVERIFY(!w.controller()->isActive());

  // A second invalid field at the same time: a learning rate that is not a number.
  fieldAs<QLineEdit>(p, "optim.lr_muon")->setText(QStringLiteral("fast"));
  QVERIFY(!p->fieldError("optim.lr_muon").isEmpty());
  QVERIFY(!p->fieldError("model.heads").isEmpty());
  QCOMPARE(p->invalidKeys().size(), 2);

  // Fixing both makes the setup valid again and re-enables Start.
  fieldAs<QSpinBox>(p, "model.heads")->setValue(4);
  fieldAs<QLineEdit>(p, "optim.lr_muon")->setText(QStringLiteral("0.02"));
  QVERIFY2(p->isValid(), qPrintable(p->errorMessages().join("; ")));
  QVERIFY(heads->styleSheet().isEmpty());
  QVERIFY(w.startAction()->isEnabled());

  // A text data source needs a file that exists.
  auto* source = fieldAs<QComboBox>(p, "data.source");
  source->setCurrentIndex(source->findData(QStringLiteral("text")));
  QVERIFY(!p->fieldError("data.path").isEmpty());
  fieldAs<QLineEdit>(p, "data.path")->setText(tmp_.filePath("missing.txt"));
  QVERIFY(p->fieldError("data.path").contains("missing.txt"));
  QFile f(tmp_.filePath("corpus.txt"));
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray(4096, 'a'));
  f.close();
  fieldAs<QLineEdit>(p, "data.path")->setText(f.fileName());
  QVERIFY2(p->isValid(), qPrintable(p->errorMessages().join("; ")));
  QCOMPARE(p->config().data.source, std::string("text"));
  QCOMPARE(QString::fromStdString(p->config().data.path), f.fileName());

  // MuonClip (from a loaded config) and a click on QK-norm: refused, naming both keys, Start
  // disabled; a second click makes the setup valid again.
  RunConfig clip = p->config();
  clip.optim.muon_clip = true;
  clip.model.qk_norm = false;
  p->setConfig(clip);
  QVERIFY2(p->isValid(), qPrintable(p->errorMessages().join("; ")));
  QVERIFY(p->config().optim.muon_clip);
  auto* qk = fieldAs<QCheckBox>(p, "model.qk_norm");
  qk->click();  // as a mouse click does: toggles and emits clicked()
  QVERIFY(qk->isChecked());
  QVERIFY(!p->isValid());
  QVERIFY2(p->fieldError("optim.muon_clip").contains("model.qk_norm"),
           qPrintable(p->errorMessages().join("; ")));
  QVERIFY(errors->text().contains("QK-norm rescales"));
  QVERIFY(!w.startAction()->isEnabled());
  qk->click();  // as a mouse click does: toggles and emits clicked()
  QVERIFY2(p->isValid(), qPrintable(p->errorMessages().join("; ")));
  QVERIFY(w.startAction()->isEnabled());

  // An empty run folder cannot be started into.
  p->setRunFolder(QString());
  QVERIFY(!p->fieldError(SetupPanel::kRunFolderKey).isEmpty());
  QVERIFY(!w.startAction()->isEnabled());
}

void TestApp::routingShortcutsAndPreset() {
  SetupPanel p;
  p.setRunFolder(runsDir());
  // Every engine preset is offered.
  auto* presetCombo = p.findChild<QComboBox*>();
  QVERIFY(presetCombo);
  QCOMPARE(presetCombo->count(), static_cast<int>(presets().size()));
  p.applyPreset(QStringLiteral("adamw-qknorm"));
  RunConfig c = p.config();
  QCOMPARE(c.preset, std::string("adamw-qknorm"));
  QVERIFY(c.model.qk_norm);
  QVERIFY(c.optim.muon.empty());
  p.findChild<QPushButton*>(QStringLiteral("routeMuonVoFfn"))->click();
  c = p.config();
  const std::vector<std::string> voFfn = {"attn.v", "attn.o", "mlp.in", "mlp.gate", "mlp.out"};
  QCOMPARE(c.optim.muon, voFfn);
  QVERIFY(c.model.qk_norm);  // the shortcut changes only the routing
  p.findChild<QPushButton*>(QStringLiteral("routeAllMuon"))->click();
  QCOMPARE(p.config().optim.muon, block_matrix_roles());
  p.findChild<QPushButton*>(QStringLiteral("routeAllBase"))->click();
  QVERIFY(p.config().optim.muon.empty());
  // Fields go into the config; keys the panel does not show come from the preset.
  fieldAs<QSpinBox>(&p, "model.layers")->setValue(3);
  fieldAs<QCheckBox>(&p, "model.qk_norm")->setChecked(false);
  auto* ffn = fieldAs<QComboBox>(&p, "model.ffn");
  ffn->setCurrentIndex(ffn->findData(QStringLiteral("swiglu")));
  fieldAs<QLineEdit>(&p, "optim.lr_adamw")->setText(QStringLiteral("1e-3"));
  c = p.config();
  QCOMPARE(c.model.layers, 3);
  QVERIFY(!c.model.qk_norm);
  QCOMPARE(c.model.ffn, std::string("swiglu"));
  QCOMPARE(c.optim.lr_adamw, 1e-3);
  QCOMPARE(c.optim.warmup_steps, preset("adamw-qknorm").optim.warmup_steps);
  QVERIFY(p.isValid());
  // setConfig round trip.
  RunConfig d = preset("muon-qk");
  d.train.steps = 77;
  d.model.heads = 8;
  p.setConfig(d);
  QCOMPARE(p.config().train.steps, int64_t(77));
  QCOMPARE(p.config().model.heads, 8);
  QCOMPARE(p.config().optim.muon, d.optim.muon);
  QCOMPARE(p.presetName(), QStringLiteral("muon-qk"));
}

void TestApp::liveRunPauseResumeStop() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  setTinyRun(w.setupPanel(), 5000, 10);  // long enough to pause and stop mid-run
  LatencyProbe probe(5);
  probe.start();
  QVERIFY(w.startAction()->isEnabled());
  w.startAction()->trigger();
  QVERIFY(w.controller()->isActive());
  QVERIFY(!w.startAction()->isEnabled());
  QVERIFY(!w.setupPanel()->field("model.layers")->isEnabled());  // locked while running
  const QString file = w.controller()->runFile();
  QVERIFY(file.startsWith(runsDir()));

  // First snapshot: the PR heatmap shows layers x heads cells with the snapshot's values.
  RunModel* m = w.liveModel();
  QTRY_VERIFY_WITH_TIMEOUT(!m->snapshots().empty(), kRunTimeoutMs);
  QCOMPARE(w.controller()->state(), TrainingController::State::Running);
  PRHeatmap* pr = w.prHeatmap();
  pr->refreshNow();
  const int L = m->info().n_layer, H = m->info().n_head;
  QCOMPARE(L, 2);
  QCOMPARE(H, 4);
  const int si = pr->snapshotIndexOf(0);
  QVERIFY(si >= 0 && si < static_cast<int>(m->snapshots().size()));
  const Snapshot& snap = m->snapshots()[si];
  QCPColorMapData* cells = pr->map(0)->data();
  QCOMPARE(cells->keySize(), H);
  QCOMPARE(cells->valueSize(), L);
  for (int l = 0; l < L; ++l)
    for (int h = 0; h < H; ++h) QCOMPARE(cells->cell(h, l), snap.layers[l].pr_sv[kActK][h]);
  QVERIFY(!w.lossPlot()->trainGraph()->data()->isEmpty());
  QVERIFY(w.statusPanel()->step() > 0);
  QVERIFY(w.statusPanel()->stepLabel()->text().contains("5000"));
  // The thread count of the last step (the governor's choice: train.threads is 0 here).
  const int threads = static_cast<int>(m->steps().back().threads);
  QVERIFY(threads >= 1);
  QCOMPARE(w.statusPanel()->threads(), threads);
  QCOMPARE(w.statusPanel()->findChild<QLabel*>("statusThreads")->text(),
           threads == 1 ? QStringLiteral("1 thread") : QStringLiteral("%1 threads").arg(threads));

  // Click the cell of layer 1, head 2: spectra and K/V now show layer 1.
  QCPAxisRect* rect = pr->mapRect(0);
  const QPoint cell(qRound(rect->axis(QCPAxis::atBottom)->coordToPixel(2)),
                    qRound(rect->axis(QCPAxis::atLeft)->coordToPixel(1)));
  QSignalSpy clicked(pr, &PRHeatmap::layerClicked);
  QTest::mouseClick(pr->plot(), Qt::LeftButton, Qt::NoModifier, cell);
  QCOMPARE(clicked.count(), 1);
  QCOMPARE(clicked.at(0).at(0).toInt(), 1);
  SpectrumPlot* sp = w.spectrumPlot();
  QCOMPARE(sp->layer(), 1);
  QCOMPARE(w.kvPlot()->layer(), 1);
  sp->refreshNow();
  const int ssi = sp->snapshotIndexOf(0);
  QVERIFY(ssi >= 0);
  const Snapshot& ss = m->snapshots()[ssi];
  const auto graphs = sp->currentGraphs();
  QCOMPARE(graphs.size(), static_cast<int>(ss.matrix_names.size()));
  const std::vector<float>& sv = ss.layers[1].matrices[0].sv;
  QCOMPARE(graphs[0]->data()->size(), static_cast<int>(sv.size()));
  for (int i = 0; i < static_cast<int>(sv.size()); ++i)
    QCOMPARE(graphs[0]->data()->at(i)->value, static_cast<double>(sv[i]));

  // Pause: the step in flight ends, the trainer waits, and every step it made reaches the views
  // (the steps still batched in the worker included); then the count stands still.
  w.pauseAction()->trigger();
  QCOMPARE(w.controller()->state(), TrainingController::State::Paused);
  QCOMPARE(w.pauseAction()->text(), QStringLiteral("&Resume"));
  QTRY_VERIFY_WITH_TIMEOUT(w.controller()->pausedAtStep() > 0, kRunTimeoutMs);
  const int64_t pausedAt = w.controller()->pausedAtStep();
  QTRY_COMPARE_WITH_TIMEOUT(m->steps().back().step, pausedAt, kRunTimeoutMs);
  QCOMPARE(w.controller()->lastStep(), pausedAt);
  QCOMPARE(w.statusPanel()->step(), pausedAt);
  QCOMPARE(w.controller()->pausedAtStep(), pausedAt);  // still waiting

  // Resume: steps advance again.
  w.pauseAction()->trigger();
  QCOMPARE(w.controller()->state(), TrainingController::State::Running);
  QTRY_VERIFY_WITH_TIMEOUT(m->steps().back().step > pausedAt + 2, kRunTimeoutMs);

  // Stop: the run ends, the file says "stopped" and holds exactly what the views got.
  QSignalSpy finished(&w, &MainWindow::runFinished);
  w.stopAction()->trigger();
  QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isActive(), kRunTimeoutMs);
  probe.stop();
  QCOMPARE(finished.count(), 1);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Stopped);
  QCOMPARE(m->status(), RunStatus::Stopped);
  QVERIFY(w.startAction()->isEnabled());
  QVERIFY(w.setupPanel()->field("model.layers")->isEnabled());
  {
    RunReader r(file.toStdString());
    QCOMPARE(r.status(), RunStatus::Stopped);
    QCOMPARE(r.num_steps(), static_cast<int64_t>(m->steps().size()));
    QCOMPARE(r.num_snapshots(), static_cast<int>(m->snapshots().size()));
    QVERIFY(r.num_steps() < 5000);
    QCOMPARE(r.steps(r.num_steps() - 1).front().loss, m->steps().back().loss);
  }
  // The browser lists the run with its status.
  const int row = w.runBrowser()->rowOf(file);
  QVERIFY(row >= 0);
  QCOMPARE(w.runBrowser()->model()->item(row, RunBrowser::ColStatus)->text(),
           RunBrowser::statusText(RunStatus::Stopped));
  qInfo("live run: %lld steps, %zu snapshots; %s", static_cast<long long>(m->steps().back().step),
        m->snapshots().size(), qPrintable(probe.report()));
}

void TestApp::reopenFinishedRun() {
  QString file;
  {
    MainWindow w;
    w.setConfirmClose(false);
    setTinyRun(w.setupPanel(), 30, 10);
    QSignalSpy finished(&w, &MainWindow::runFinished);
    QVERIFY(w.startRun());
    file = w.controller()->runFile();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kRunTimeoutMs);
    QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Finished);
    QCOMPARE(w.liveModel()->snapshots().size(), size_t(3));  // steps 10, 20, 30
  }
  finishedRun_ = file;

  // A fresh window opens the file by double-clicking it in the run browser.
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  RunBrowser* b = w.runBrowser();
  const int row = b->rowOf(file);
  QVERIFY(row >= 0);
  QCOMPARE(b->model()->item(row, RunBrowser::ColStatus)->text(),
           RunBrowser::statusText(RunStatus::Finished));
  QCOMPARE(b->model()->item(row, RunBrowser::ColSteps)->text(), QStringLiteral("30 / 30"));
  QCOMPARE(b->model()->item(row, RunBrowser::ColPreset)->text(), QStringLiteral("quick"));
  QVERIFY(!b->model()->item(row, RunBrowser::ColLoss)->text().isEmpty());
  b->parentWidget()->show();
  QDockWidget* runsDock = w.findChild<QDockWidget*>(QStringLiteral("dockRuns"));
  runsDock->raise();
  QTRY_VERIFY(b->view()->viewport()->isVisible());
  const QModelIndex idx = b->model()->index(b->rowOf(file), RunBrowser::ColRun);
  b->view()->scrollTo(idx);
  // Laid out and scrolled: the row's cell lies inside the viewport.
  QTRY_VERIFY(b->view()->visualRect(idx).isValid() &&
              b->view()->viewport()->rect().contains(b->view()->visualRect(idx).center()));
  const QRect r = b->view()->visualRect(idx);
  // A real double-click: press, release, then the double-click event (QTest sends only that).
  QTest::mouseClick(b->view()->viewport(), Qt::LeftButton, Qt::NoModifier, r.center());
  QTest::mouseDClick(b->view()->viewport(), Qt::LeftButton, Qt::NoModifier, r.center());
  QTRY_COMPARE(w.currentFile(), QFileInfo(file).absoluteFilePath());
  QVERIFY(!w.showsLiveRun());
  // selectedRunFiles(): checked rows win over the selection.
  b->setChecked(file, true);
  QCOMPARE(b->selectedRunFiles(), QStringList{QFileInfo(file).absoluteFilePath()});

  // What is drawn equals the file's values.
  RunReader rd(file.toStdString());
  RunModel* m = w.currentModel();
  QCOMPARE(m, w.fileModel());
  QCOMPARE(m->status(), RunStatus::Finished);
  LossPlot* loss = w.lossPlot();
  loss->refreshNow();
  const auto steps = rd.steps();
  QCOMPARE(loss->trainGraph()->data()->size(), static_cast<int>(steps.size()));
  for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
    QCOMPARE(loss->trainGraph()->data()->at(i)->key, static_cast<double>(steps[i].step));
    QCOMPARE(loss->trainGraph()->data()->at(i)->value, steps[i].loss);
  }
  const auto vals = rd.vals();
  QCOMPARE(loss->valGraph()->data()->size(), static_cast<int>(vals.size()));
  QCOMPARE(loss->valGraph()->data()->at(vals.size() - 1)->value, vals.back().loss);

  PRHeatmap* pr = w.prHeatmap();
  pr->refreshNow();
  QCOMPARE(pr->snapshotIndexOf(0), rd.num_snapshots() - 1);
  const Snapshot last = rd.snapshot(rd.num_snapshots() - 1);
  QCPColorMapData* cells = pr->map(0)->data();
  for (int l = 0; l < rd.info().n_layer; ++l)
    for (int h = 0; h < rd.info().n_head; ++h)
      QCOMPARE(cells->cell(h, l), last.layers[l].pr_sv[kActK][h]);

  SpectrumPlot* sp = w.spectrumPlot();
  sp->setLayer(0);
  sp->refreshNow();
  const auto graphs = sp->currentGraphs();
  QCOMPARE(graphs.size(), static_cast<int>(last.matrix_names.size()));
  const auto& sv = last.layers[0].matrices.back().sv;
  for (int i = 0; i < static_cast<int>(sv.size()); ++i)
    QCOMPARE(graphs.back()->data()->at(i)->value, static_cast<double>(sv[i]));

  FTAPlot* fta = w.ftaPlot();
  fta->refreshNow();
  QVERIFY(fta->hasData());
  QCOMPARE(fta->groupCount(), static_cast<int>(last.fta.size()));
  for (int g = 0; g < fta->groupCount(); ++g)
    QCOMPARE(fta->groupBars(g)->data()->at(0)->value, last.fta[g]);
  QCOMPARE(w.statusPanel()->step(), int64_t(30));
  QVERIFY(w.windowTitle().contains(QFileInfo(file).completeBaseName()));

  // Dropping the .h5 file on a window opens it there; other files are not accepted.
  {
    MainWindow w2;
    w2.setConfirmClose(false);
    auto* mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(file)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w2, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w2, &drop);
    QCOMPARE(w2.currentFile(), QFileInfo(file).absoluteFilePath());
    QCOMPARE(w2.fileModel()->snapshots().size(), size_t(3));
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(tmp_.filePath("corpus.txt"))});
    QDragEnterEvent enterText(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton,
                              Qt::NoModifier);
    enterText.setAccepted(false);
    QApplication::sendEvent(&w2, &enterText);
    QVERIFY(!enterText.isAccepted());
    delete mime;
  }

  // A file that is not a run is refused with the reader's message, nothing crashes.
  QFile junk(tmp_.filePath("junk.h5"));
  QVERIFY(junk.open(QIODevice::WriteOnly));
  junk.write("not an hdf5 file");
  junk.close();
  QString why;
  QVERIFY(!w.openRunFile(junk.fileName(), &why));
  QVERIFY(why.contains("junk.h5"));
}

void TestApp::closeMidRunFinalizesFile() {
  auto* w = new MainWindow;
  w->show();
  QVERIFY(QTest::qWaitForWindowExposed(w));
  setTinyRun(w->setupPanel(), 5000, 10);
  QVERIFY(w->startRun());
  const QString file = w->controller()->runFile();
  QTRY_VERIFY_WITH_TIMEOUT(w->liveModel()->steps().size() >= 5, kRunTimeoutMs);
  answerNextQuestionYes();  // "A run is in progress. Stop it and close?"
  w->close();               // returns after the question; the window waits for the run to stop
  QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), kRunTimeoutMs);
  QVERIFY(!w->controller()->isActive());
  delete w;
  RunReader r(file.toStdString());
  QCOMPARE(r.status(), RunStatus::Stopped);
  QVERIFY(r.num_steps() >= 5 && r.num_steps() < 5000);
  QVERIFY(r.end_time().size() > 0);
  // The layout was saved for the next session.
  QVERIFY(!QSettings().value("ui/state").toByteArray().isEmpty());
}

void TestApp::failedRunKeepsFile() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  setTinyRun(w.setupPanel(), 200, 100);
  // Learning rates this large blow the weights up within a few steps: NaN/inf loss.
  fieldAs<QLineEdit>(w.setupPanel(), "optim.lr_adamw")->setText(QStringLiteral("1e30"));
  fieldAs<QLineEdit>(w.setupPanel(), "optim.lr_muon")->setText(QStringLiteral("1e30"));
  QVERIFY(w.setupPanel()->isValid());
  QSignalSpy finished(&w, &MainWindow::runFinished);
  QVERIFY(w.startRun());
  const QString file = w.controller()->runFile();
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kRunTimeoutMs);
  QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Failed);
  const QString message = finished.at(0).at(1).toString();
  QVERIFY2(message.contains("NaN") || message.contains("infinite") || message.contains("finite"),
           qPrintable(message));
  // The message is shown (non-modal box) and the file keeps the run with status "failed".
  QMessageBox* box = nullptr;
  QTRY_VERIFY((box = w.findChild<QMessageBox*>()) != nullptr);
  QVERIFY(box->text().contains(message));
  box->close();
  QVERIFY(QFileInfo::exists(file));
  RunReader r(file.toStdString());
  QCOMPARE(r.status(), RunStatus::Failed);
  QCOMPARE(QString::fromStdString(r.status_message()), message);
}

void TestApp::followFileBeingWritten() {
#ifndef MUONSCOPE_CLI
  QSKIP("muonscope-cli is not built");
#else
  // muonscope-cli writes a run in another process; the window opens it mid-run and follows it.
  const QString file = QDir(runsDir()).filePath(QStringLiteral("cli-live.h5"));
  QProcess cli;
  apptest::startEndlessCliRun(cli, QStringLiteral(MUONSCOPE_CLI), file, 20);
  QVERIFY2(cli.waitForStarted(10000), qPrintable(cli.errorString()));
  // The run is far longer than the test: it is still being written when the window opens it,
  // and it ends only when the test stops it (SIGTERM, as Ctrl-C: finalized as "stopped").
  QTRY_VERIFY_WITH_TIMEOUT(apptest::stepsOnDisk(file) >= 1, kRunTimeoutMs);
  QCOMPARE(cli.state(), QProcess::Running);

  MainWindow w;
  w.setConfirmClose(false);
  QVERIFY(w.openRunFile(file));
  RunModel* m = w.fileModel();
  QCOMPARE(w.currentModel(), m);
  QVERIFY(w.follower()->isFollowing());
  QCOMPARE(m->status(), RunStatus::Running);
  QVERIFY(w.windowTitle().contains(QStringLiteral("following")));
  const size_t stepsAtOpen = m->steps().size();
  // New rows and snapshots arrive through the 1 s poll while the writer runs.
  QTRY_VERIFY_WITH_TIMEOUT(m->steps().size() > stepsAtOpen + 20, kRunTimeoutMs);
  QTRY_VERIFY_WITH_TIMEOUT(m->snapshots().size() >= 2, kRunTimeoutMs);
  QCOMPARE(cli.state(), QProcess::Running);  // what arrived came from the file being written
  cli.terminate();
  QVERIFY(cli.waitForFinished(kRunTimeoutMs));
  QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
  QCOMPARE(cli.exitCode(), 130);  // stopped
  // After the writer finished, the next poll picks up the rest and the final status.
  QTRY_VERIFY_WITH_TIMEOUT(!w.follower()->isFollowing(), 5000);
  QTRY_COMPARE_WITH_TIMEOUT(m->status(), RunStatus::Stopped, 5000);
  QVERIFY(!w.windowTitle().contains(QStringLiteral("following")));
  RunReader r(file.toStdString());
  QCOMPARE(r.status(), RunStatus::Stopped);
  QCOMPARE(static_cast<int64_t>(m->steps().size()), r.num_steps());
  QCOMPARE(static_cast<int>(m->snapshots().size()), r.num_snapshots());
  QCOMPARE(static_cast<int64_t>(m->vals().size()), r.num_vals());
  QCOMPARE(m->steps().back().loss, r.steps(r.num_steps() - 1).front().loss);
  qInfo("followed a muonscope-cli run: opened at %zu steps, %zu at the end", stepsAtOpen,
        m->steps().size());
#endif
}

// Ticking two runs in the browser enables Compare; triggering it shows exactly those files in
// every view (checked in the run table, the others unchecked); a study index opened like a run
// file checks its members under the study's labels.
void TestApp::compareSelectedRuns() {
  QVERIFY(!finishedRun_.isEmpty());
  QStringList files;
  for (const QFileInfo& fi : QDir(runsDir()).entryInfoList({QStringLiteral("*.h5")}, QDir::Files))
    files << fi.absoluteFilePath();
  QVERIFY2(files.size() >= 2, qPrintable(files.join(", ")));
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  RunBrowser* b = w.runBrowser();
  b->refresh();
  QVERIFY(!w.compareAction()->isEnabled());
  b->setChecked(files[0], true);
  b->setChecked(files[1], true);
  QTRY_VERIFY(w.compareAction()->isEnabled());
  w.compareAction()->trigger();
  RunSet* set = w.runSet();
  const QVector<RunModel*> shown = set->checkedModels();
  QCOMPARE(shown.size(), 2);
  QCOMPARE(shown[0], set->entry(set->rowOfFile(files[0])).model);
  QCOMPARE(shown[1], set->entry(set->rowOfFile(files[1])).model);
  for (PlotBase* v : std::initializer_list<PlotBase*>{w.lossPlot(), w.prHeatmap(), w.spectrumPlot(),
                                                      w.isotropyPlot(), w.kvPlot(), w.ftaPlot()})
    QCOMPARE(v->runs(), shown);
  QCOMPARE(w.metricsTable()->runCount(), 2);
  // Two runs checked: the PR view adds their difference map.
  w.prHeatmap()->refreshNow();
  QVERIFY(w.prHeatmap()->map(0) && w.prHeatmap()->map(1));
  QVERIFY(w.prHeatmap()->differenceMap());
  // A study index (as written by `muonscope-cli study`) checks its members, named by the study.
  StudyIndex idx;
  idx.study = "kv-asymmetry";
  idx.members.push_back({"A", QFileInfo(files[0]).fileName().toStdString(), "finished", "", "", 0});
  idx.members.push_back({"B", QFileInfo(files[1]).fileName().toStdString(), "finished", "", "", 0});
  QFile f(QDir(runsDir()).filePath(QStringLiteral("study.json")));
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray::fromStdString(study_index_to_json(idx)));
  f.close();
  QString err;
  QVERIFY2(w.openRunFile(f.fileName(), &err), qPrintable(err));
  QStringList labels;
  for (RunModel* m : set->checkedModels()) labels << m->displayName();
  QCOMPARE(labels, (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
  w.lossPlot()->refreshNow();
  QCOMPARE(w.lossPlot()->smoothedGraph(1)->name(), QStringLiteral("B · train"));  // the legend
  QFile::remove(f.fileName());
}

// A study started from the window runs its members through the live views (the Start action
// is disabled meanwhile) and opens its comparison when done.
void TestApp::studyFromTheWindow() {
  MainWindow w;
  w.setConfirmClose(false);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QSignalSpy member(w.studyRunner(), &StudyRunner::memberStarted);
  QSignalSpy done(w.studyRunner(), &StudyRunner::finished);
  const QStringList tiny = {"model.layers=1",     "model.d_model=32", "model.heads=2",
                            "model.seq_len=32",   "train.steps=6",    "metrics.every=3",
                            "train.batch_size=4", "train.threads=1"};
  const QString out = tmp_.filePath(QStringLiteral("study-kv"));
  QString err;
  QVERIFY2(w.studyRunner()->start(QStringLiteral("kv-asymmetry"), QStringLiteral("cpu"), tiny, out,
                                  &err),
           qPrintable(err));
  QVERIFY(!w.startAction()->isEnabled());
  QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kRunTimeoutMs);
  QCOMPARE(member.count(), 2);
  QVERIFY(done.at(0).at(0).toBool());
  QCOMPARE(w.liveModel()->displayName(), QStringLiteral("Muon"));  // the live views followed
  // At the end the study's members are shown in every view, under the study's labels.
  QStringList labels;
  for (RunModel* m : w.runSet()->checkedModels()) labels << m->displayName();
  QCOMPARE(labels, (QStringList{QStringLiteral("AdamW"), QStringLiteral("Muon")}));
  QCOMPARE(w.lossPlot()->runCount(), 2);
}

void TestApp::preferencesAndTranslation() {
  {
    PreferencesDialog d;
    QCOMPARE(d.runFolder(), runsDir());
    QCOMPARE(d.defaultDevice(), QStringLiteral("auto"));
    QCOMPARE(d.language(), QString());
    QCOMPARE(d.seedBand(), QStringLiteral("minmax"));
    d.setDefaultDevice(QStringLiteral("cpu"));
    d.setLanguage(QStringLiteral("de"));
    d.setSeedBand(QStringLiteral("std"));
    QVERIFY(d.languageChanged());
    d.accept();
  }
  // The seed band applies at once to every view.
  QCOMPARE(settings::seedBand(), QStringLiteral("std"));
  QCOMPARE(seed_band_mode(), SeedBandMode::MeanStd);
  settings::setSeedBand(QStringLiteral("minmax"));
  QCOMPARE(seed_band_mode(), SeedBandMode::MinMax);
  QCOMPARE(settings::defaultDevice(), QStringLiteral("cpu"));
  QCOMPARE(settings::language(), QStringLiteral("de"));
  QCOMPARE(settings::uiLocaleName(), QStringLiteral("de_DE"));
  {
    MainWindow w;  // the default device reaches the setup panel
    QCOMPARE(w.setupPanel()->config().device, std::string("cpu"));
    if (!finishedRun_.isEmpty()) {  // reopenFinishedRun() opened it: a recent file now
      QVERIFY(settings::recentFiles().contains(QFileInfo(finishedRun_).absoluteFilePath()));
      QVERIFY(w.runBrowser()->files().contains(QFileInfo(finishedRun_).absoluteFilePath()));
    }
  }
  // The German translation is embedded and complete for the main actions.
  QTranslator* tr = settings::installTranslator(qApp);
  QVERIFY(tr);
  {
    MainWindow w;
    QCOMPARE(w.startAction()->text(), QStringLiteral("&Starten"));
    QCOMPARE(w.stopAction()->text(), QStringLiteral("S&toppen"));
    auto* dock = w.findChild<QDockWidget*>(QStringLiteral("dockPR"));
    QCOMPARE(dock->windowTitle(), QStringLiteral("Partizipationsverhältnis"));
  }
  QCoreApplication::removeTranslator(tr);
  delete tr;
  settings::setLanguage(QStringLiteral("en"));
  QCOMPARE(settings::installTranslator(qApp), nullptr);
  settings::setLanguage(QString());
}

void TestApp::germanTranslationComplete() {
  // Every message of translations/muonscope_de.ts has a finished, non-empty translation that
  // keeps the source's %1..%9 / %n placeholders.
  QFile f(QStringLiteral(MUONSCOPE_SOURCE_DIR "/translations/muonscope_de.ts"));
  QVERIFY(f.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&f);
  QString context, source;
  int messages = 0;
  QStringList problems;
  static const QRegularExpression placeholder(QStringLiteral("%[1-9n]"));
  auto placeholders = [](const QString& s) {
    QStringList out;
    for (auto it = placeholder.globalMatch(s); it.hasNext();) out << it.next().captured();
    out.sort();
    out.removeDuplicates();
    return out;
  };
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) continue;
    if (xml.name() == QLatin1String("name")) {
      context = xml.readElementText();
    } else if (xml.name() == QLatin1String("source")) {
      source = xml.readElementText();
    } else if (xml.name() == QLatin1String("translation")) {
      ++messages;
      const QString type = xml.attributes().value(QLatin1String("type")).toString();
      const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
      if (!type.isEmpty() || text.isEmpty())
        problems << QStringLiteral("%1: \"%2\" is not translated").arg(context, source);
      else if (placeholders(text) != placeholders(source))
        problems << QStringLiteral("%1: \"%2\" changes the placeholders").arg(context, source);
    }
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QVERIFY(messages > 200);
  QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

QTEST_MAIN(TestApp)
#include "test_app.moc"
