// MainWindow: docks, actions and wiring of the Muonscope window (see MainWindow.h).
#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>

#include "AppSettings.h"
#include "AssocMemoryPanel.h"
#include "CompareReport.h"
#include "FTAPlot.h"
#include "InspectController.h"
#include "InspectDialog.h"
#include "InspectProgress.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LossPlot.h"
#include "MetricsTable.h"
#include "PRHeatmap.h"
#include "PreferencesDialog.h"
#include "RunBrowser.h"
#include "RunFollower.h"
#include "RunLabels.h"
#include "RunModel.h"
#include "RunSet.h"
#include "RunTable.h"
#include "SetupPanel.h"
#include "SpectrumPlot.h"
#include "StatusPanel.h"
#include "StudyDialog.h"
#include "StudyRunner.h"
#include "TrainingController.h"
#include "store/RunFile.h"
#include "train/TrainState.h"  // torch-free: latest_resumable_step
#include "train/Trainer.h"     // torch-free pimpl header: checkpoint_dir_for

// Q_INIT_RESOURCE must be used outside any namespace; muonscope_gui is a static library, so the
// icons are registered explicitly.
static void initMuonscopeResources() {
  Q_INIT_RESOURCE(muonscope);
}

namespace ms {

namespace {

bool isRunFile(const QString& path) {
  const QString s = QFileInfo(path).suffix().toLower();
  return s == QLatin1String("h5") || s == QLatin1String("hdf5") || is_study_index(path);
}

// The local files of a drag, split into run files and checkpoint inputs (others are ignored).
void splitDrop(const QMimeData* mime, QStringList* runs, QStringList* checkpoints) {
  if (!mime || !mime->hasUrls()) return;
  for (const QUrl& u : mime->urls()) {
    if (!u.isLocalFile()) continue;
    const QString p = u.toLocalFile();
    if (isRunFile(p))
      runs->append(p);
    else if (InspectDialog::isCheckpointInput(p))
      checkpoints->append(p);
  }
}

// Shows a message box without blocking the event loop (training data keeps flowing).
void showMessage(QWidget* parent, QMessageBox::Icon icon, const QString& title,
                 const QString& text) {
  auto* box = new QMessageBox(icon, title, text, QMessageBox::Ok, parent);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  initMuonscopeResources();
  setWindowIcon(QIcon(QStringLiteral(":/icons/muonscope.svg")));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks |
                 QMainWindow::AllowTabbedDocks);

  controller_ = new TrainingController(this);
  liveModel_ = new RunModel(this);
  runSet_ = new RunSet(this);
  runSet_->setLiveModel(liveModel_);
  focus_ = liveModel_;
  status_ = new StatusPanel;
  statusBar()->addPermanentWidget(status_);

  buildDocks();
  buildActions();
  buildInspect();

  // Training -> live model -> views.
  connect(controller_, &TrainingController::infoReady, liveModel_, &RunModel::setInfo);
  connect(controller_, &TrainingController::stepsReady, liveModel_, &RunModel::appendSteps);
  connect(controller_, &TrainingController::valReady, liveModel_, &RunModel::appendVal);
  connect(controller_, &TrainingController::snapshotReady, liveModel_, &RunModel::appendSnapshot);
  connect(controller_, &TrainingController::stepsReady, status_, &StatusPanel::addSteps);
  connect(controller_, &TrainingController::infoReady, this, [this] {
    browser_->setActiveFile(controller_->runFile());
    runSet_->setLiveFile(controller_->runFile());
  });
  connect(controller_, &TrainingController::stateChanged, this, &MainWindow::onStateChanged);
  connect(controller_, &TrainingController::finished, this, &MainWindow::onRunFinished);
  connect(controller_, &TrainingController::resumed, this, &MainWindow::onResumed);

  // Views: a click on a heatmap layer selects it for the spectra and the K/V caches, and the
  // heatmap's step slider moves every snapshot view (and every run in it) to the same step
  // (theirs are hidden).
  spectrum_->setStepControlVisible(false);
  kv_->setStepControlVisible(false);
  fta_->setStepControlVisible(false);
  connect(pr_, &PRHeatmap::layerClicked, spectrum_, &SpectrumPlot::setLayer);
  connect(pr_, &PRHeatmap::layerClicked, kv_, &KVPlot::setLayer);
  connect(pr_, &PRHeatmap::stepChanged, spectrum_, &SpectrumPlot::setStep);
  connect(pr_, &PRHeatmap::stepChanged, kv_, &KVPlot::setStep);
  connect(pr_, &PRHeatmap::stepChanged, fta_, &FTAPlot::setStep);

  connect(setup_, &SetupPanel::validityChanged, this, &MainWindow::updateActions);
  connect(browser_, &RunBrowser::openRequested, this, [this](const QString& p) { openRunFile(p); });
  connect(runSet_, &RunSet::followFailed, this, [this](const QString& file, const QString& msg) {
    statusBar()->showMessage(tr("Stopped following %1: %2").arg(QFileInfo(file).fileName(), msg));
  });
  connect(runSet_, &RunSet::rowUpdated, this, &MainWindow::updateTitle);
  connect(runSet_, &RunSet::rowsChanged, this, &MainWindow::updateTitle);
  connect(runSet_, &RunSet::checkedChanged, this, &MainWindow::applyCheckedRuns);
  connect(runSet_, &RunSet::checkedChanged, this, &MainWindow::updateActions);
  // Resume Training follows the selected run and what happens to it (a followed file ends,
  // a status changes); the live run's steps do not concern it.
  connect(runTable_, &RunTable::currentRowChanged, this, &MainWindow::updateResumeAction);
  connect(runSet_, &RunSet::rowsChanged, this, &MainWindow::updateResumeAction);
  connect(runSet_, &RunSet::rowUpdated, this, [this](int row) {
    if (row == resumeTargetRow()) updateResumeAction();
  });
  connect(runTable_, &RunTable::rowActivated, this, [this](int row) {
    if (row < 0 || row >= runSet_->count()) return;
    runSet_->setChecked(row, true);
    setCurrentModel(runSet_->entry(row).model);
  });

  setup_->setRunFolder(settings::runFolder());
  const QString last = settings::lastConfigJson();
  if (!last.isEmpty()) {
    try {
      setup_->setConfig(config_from_json(last.toStdString()));
    } catch (const std::exception&) {
    }
  }
  setup_->setDevice(settings::defaultDevice());
  settings::applySeedBand();
  browser_->setFolder(settings::runFolder());
  browser_->setRecentFiles(settings::recentFiles());

  // 92 % of the screen's free area, at least 1500 x 950 where the screen has it (a 1366 x 768
  // laptop gets its whole free area).
  const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1500, 950);
  resize(std::min(avail.width(), std::max(1500, avail.width() * 92 / 100)),
         std::min(avail.height(), std::max(950, avail.height() * 92 / 100)));
  defaultState_ = saveState(kLayoutVersion);
  QSettings s;
  restoreGeometry(s.value(QStringLiteral("ui/geometry")).toByteArray());
  layoutRestored_ = restoreState(s.value(QStringLiteral("ui/state")).toByteArray(), kLayoutVersion);
  updateActions();
  updateTitle();
  onStateChanged();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
  auto icon = [](const char* name) {
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
  };
  openAct_ = new QAction(icon("open"), tr("&Open Run…"), this);
  openAct_->setShortcut(QKeySequence::Open);
  openAct_->setToolTip(tr("Open a run file (.h5)"));
  startAct_ = new QAction(icon("start"), tr("&Start"), this);
  startAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  startAct_->setToolTip(tr("Start a run with the current setup (Ctrl+R)"));
  pauseAct_ = new QAction(icon("pause"), tr("&Pause"), this);
  pauseAct_->setShortcuts({QKeySequence(Qt::Key_Space), QKeySequence(Qt::CTRL | Qt::Key_P)});
  stopAct_ = new QAction(icon("stop"), tr("S&top"), this);
  stopAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
  stopAct_->setToolTip(tr("Stop the run after the current step (Ctrl+.)"));
  resumeAct_ = new QAction(icon("resume"), tr("Res&ume Training"), this);
  resumeAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  resumeAct_->setObjectName(QStringLiteral("actionResumeTraining"));
  resumeAct_->setEnabled(false);
  liveAct_ = new QAction(tr("Show &Live Run"), this);
  liveAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  liveAct_->setToolTip(tr("Show the run being trained in the views"));
  compareAct_ = new QAction(icon("compare"), tr("&Compare Selected Runs"), this);
  compareAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  compareAct_->setToolTip(tr("Compare the runs ticked or selected in the run browser (Ctrl+K)"));
  compareAct_->setObjectName(QStringLiteral("actionCompare"));
  compareAct_->setEnabled(false);
  inspectAct_ = new QAction(icon("inspect"), tr("&Inspect Checkpoints…"), this);
  inspectAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
  inspectAct_->setToolTip(
      tr("Measure checkpoints trained elsewhere into a run file (Ctrl+I; or drop them here)"));
  inspectAct_->setObjectName(QStringLiteral("actionInspect"));
  connect(inspectAct_, &QAction::triggered, this, [this] { showInspectDialog(); });
  auto* openStudyAct = new QAction(tr("Open &Study…"), this);
  openStudyAct->setToolTip(tr("Open a study index (study.json) as a comparison"));
  connect(compareAct_, &QAction::triggered, this, [this] {
    QString err;
    if (!openComparison(browser_->selectedRunFiles(), &err))
      showMessage(this, QMessageBox::Warning, tr("Cannot compare"), err);
  });
  connect(browser_, &RunBrowser::selectionChanged, this,
          [this] { compareAct_->setEnabled(browser_->selectedRunFiles().size() >= 2); });
  connect(openStudyAct, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Study"), browser_->folder(),
                                                      tr("Study index (study.json *.json)"));
    if (path.isEmpty()) return;
    QString err;
    if (!openComparison({path}, &err))
      showMessage(this, QMessageBox::Warning, tr("Cannot open study"), err);
  });
  reportAct_ = new QAction(tr("Export &Report…"), this);
  reportAct_->setObjectName(QStringLiteral("actionReport"));
  reportAct_->setToolTip(
      tr("Write the shown runs' figures as a PDF and a folder of PNGs with a Markdown index"));
  connect(reportAct_, &QAction::triggered, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export report into"), browser_->folder());
    if (dir.isEmpty()) return;
    QString err;
    if (!exportReport(dir, &err)) showMessage(this, QMessageBox::Warning, tr("Export report"), err);
  });
  auto* prefsAct = new QAction(tr("&Preferences…"), this);
  prefsAct->setShortcuts({QKeySequence::Preferences, QKeySequence(Qt::CTRL | Qt::Key_Comma)});
  auto* quitAct = new QAction(tr("&Quit"), this);
  quitAct->setShortcut(QKeySequence::Quit);
  quitAct->setMenuRole(QAction::QuitRole);
  auto* resetAct = new QAction(tr("&Reset Layout"), this);
  auto* aboutAct = new QAction(tr("&About Muonscope"), this);
  startAct_->setObjectName(QStringLiteral("actionStart"));
  pauseAct_->setObjectName(QStringLiteral("actionPause"));
  stopAct_->setObjectName(QStringLiteral("actionStop"));
  openAct_->setObjectName(QStringLiteral("actionOpen"));
  liveAct_->setObjectName(QStringLiteral("actionLive"));

  connect(openAct_, &QAction::triggered, this, &MainWindow::openFileDialog);
  connect(startAct_, &QAction::triggered, this, [this] { startRun(); });
  connect(pauseAct_, &QAction::triggered, controller_, &TrainingController::togglePause);
  connect(stopAct_, &QAction::triggered, controller_, &TrainingController::stop);
  connect(resumeAct_, &QAction::triggered, this, [this] {
    QString err;
    if (!resumeRun(&err) && !err.isEmpty())
      showMessage(this, QMessageBox::Warning, tr("Cannot resume"), err);
  });
  runTable_->addFileAction(resumeAct_);
  connect(liveAct_, &QAction::triggered, this, &MainWindow::showLiveRun);
  connect(prefsAct, &QAction::triggered, this, &MainWindow::showPreferences);
  connect(quitAct, &QAction::triggered, this, &QWidget::close);
  connect(resetAct, &QAction::triggered, this, &MainWindow::resetLayout);
  connect(aboutAct, &QAction::triggered, this, [this] {
    QMessageBox::about(
        this, tr("About Muonscope"),
        tr("<b>Muonscope %1</b><p>Trains small GPTs and shows what AdamW and Muon do inside: "
           "loss, participation ratios, spectra, isotropy, K/V-cache magnitudes and tail-QA "
           "accuracy.</p>")
            .arg(QCoreApplication::applicationVersion()));
  });

  auto* tb = addToolBar(tr("Run"));
  tb->setObjectName(QStringLiteral("runToolBar"));
  tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  tb->addAction(openAct_);
  tb->addAction(inspectAct_);
  tb->addSeparator();
  tb->addAction(startAct_);
  tb->addAction(pauseAct_);
  tb->addAction(stopAct_);
  tb->addAction(resumeAct_);
  tb->addSeparator();
  tb->addAction(liveAct_);
  tb->addAction(compareAct_);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(openAct_);
  file->addAction(inspectAct_);
  file->addAction(openStudyAct);
  file->addAction(compareAct_);
  file->addAction(reportAct_);
  file->addSeparator();
  file->addAction(prefsAct);
  file->addSeparator();
  file->addAction(quitAct);
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(startAct_);
  run->addAction(pauseAct_);
  run->addAction(stopAct_);
  run->addAction(resumeAct_);
  run->setToolTipsVisible(true);  // a disabled Resume Training says why
  run->addSeparator();
  run->addAction(liveAct_);
  viewMenu_ = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* d : findChildren<QDockWidget*>()) viewMenu_->addAction(d->toggleViewAction());
  viewMenu_->addSeparator();
  viewMenu_->addAction(resetAct);
  buildStudiesMenu();
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(aboutAct);
}

// Studies: run a named study member by member through the app's own controller (so the live
// views follow each member), show member and overall progress, open the comparison at the end;
// and the interactive one-layer associative-memory model.
void MainWindow::buildStudiesMenu() {
  studyRunner_ = new StudyRunner(controller_, this);
  QMenu* m = menuBar()->addMenu(tr("&Studies"));
  studyAct_ = m->addAction(tr("&Run Study…"), this, [this] {
    StudyDialog d(this);
    if (d.exec() != QDialog::Accepted) return;
    QString err;
    if (!studyRunner_->start(d.study(), d.scale(), d.settings(), d.outputDir(), &err, d.seeds()))
      showMessage(this, QMessageBox::Warning, tr("Run study"), err);
    updateActions();
  });
  studyAct_->setObjectName(QStringLiteral("actionRunStudy"));
  stopStudyAct_ = m->addAction(tr("S&top Study"), studyRunner_, &StudyRunner::stop);
  stopStudyAct_->setEnabled(false);
  m->addSeparator();
  m->addAction(tr("&Associative Memory…"), this, [this] {
    auto* p = new AssocMemoryPanel(this);
    p->setWindowFlag(Qt::Window);
    p->setAttribute(Qt::WA_DeleteOnClose);
    p->setWindowTitle(tr("Associative memory: GD vs SignGD vs Muon"));
    p->resize(1200, 750);
    p->show();
  });
  connect(
      studyRunner_, &StudyRunner::memberStarted, this,
      [this](int i, int n, const QString& label, const QString& runFile) {
        liveModel_->clear();
        runSet_->setFixedLabel(runSet_->rowOf(liveModel_), label);
        runSet_->setLiveFile(runFile);
        runSet_->setChecked(runSet_->rowOf(liveModel_), true);
        setCurrentModel(liveModel_);
        browser_->setActiveFile(runFile);
        status_->startRun(controller_->totalSteps());
        statusBar()->showMessage(
            tr("Study %1: run %2/%3 — %4").arg(studyRunner_->study()).arg(i + 1).arg(n).arg(label));
        onStateChanged();
      });
  connect(studyRunner_, &StudyRunner::progress, this, [this](double f, double eta) {
    status_->setStateText(tr("Study %1% · ETA %2")
                              .arg(qRound(100 * f))
                              .arg(eta < 0 ? QStringLiteral("--:--")
                                           : QStringLiteral("%1:%2")
                                                 .arg(qint64(eta) / 60)
                                                 .arg(qint64(eta) % 60, 2, 10, QLatin1Char('0'))));
  });
  connect(studyRunner_, &StudyRunner::finished, this, [this](bool ok, const QString& index) {
    updateActions();
    if (closeRequested_) return;
    statusBar()->showMessage(ok ? tr("Study finished: %1").arg(QDir::toNativeSeparators(index))
                                : tr("Study ended early: %1").arg(QDir::toNativeSeparators(index)),
                             15000);
    QString err;
    if (!openComparison({index}, &err) && !closeRequested_)
      showMessage(this, QMessageBox::Warning, tr("Study"), err);
  });
}

// Inspect Checkpoints: the controller on its background thread, its progress and Cancel in the
// status bar, its warnings as status messages, its run opened at the end.
void MainWindow::buildInspect() {
  inspector_ = new InspectController(this);
  inspectProgress_ = new InspectProgress;
  statusBar()->addPermanentWidget(inspectProgress_);
  connect(inspectProgress_, &InspectProgress::cancelRequested, this, [this] {
    inspector_->cancel();
    inspectProgress_->setCancelling();
  });
  connect(inspector_, &InspectController::progress, inspectProgress_,
          &InspectProgress::setProgress);
  connect(inspector_, &InspectController::warning, this, [this](const QString& w) {
    inspectWarnings_ << w;
    qWarning("inspect: %s", qPrintable(w));
    statusBar()->showMessage(tr("Inspect warning: %1").arg(w), 15000);
  });
  connect(inspector_, &InspectController::finished, this, &MainWindow::onInspectFinished);
}

InspectDialog* MainWindow::inspectDialog() const {
  return inspectDialog_;
}

InspectDialog* MainWindow::showInspectDialog(const QStringList& checkpoints) {
  if (inspectDialog_) {  // one at a time: a second request adds to the open one
    inspectDialog_->addCheckpoints(checkpoints);
    inspectDialog_->raise();
    inspectDialog_->activateWindow();
    return inspectDialog_;
  }
  auto* d = new InspectDialog(this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  d->setRunFolder(setup_->runFolder());  // where new runs go (--run-folder may override)
  d->addCheckpoints(checkpoints);
  connect(d, &QDialog::accepted, this, [this, d] {
    QString err;
    if (!startInspection(d->options(), &err))
      showMessage(this, QMessageBox::Warning, tr("Cannot inspect"), err);
  });
  inspectDialog_ = d;
  d->open();
  return d;
}

bool MainWindow::startInspection(const InspectOptions& options, QString* error) {
  auto fail = [&](const QString& why) {
    statusBar()->showMessage(tr("Cannot inspect: %1").arg(why), 10000);
    if (error) *error = why;
    return false;
  };
  // One heavy job at a time: the inspector sets LibTorch's (process-wide) thread count.
  if (controller_->isActive()) return fail(tr("a run is in progress"));
  if (studyRunner_ && studyRunner_->isActive()) return fail(tr("a study is in progress"));
  QString why;
  inspectWarnings_.clear();
  statusBar()->setToolTip(QString());
  if (!inspector_->start(options, &why)) return fail(why);
  inspectProgress_->begin();
  statusBar()->showMessage(
      tr("Inspecting into %1").arg(QDir::toNativeSeparators(inspector_->runFile())), 5000);
  updateActions();
  return true;
}

void MainWindow::onInspectFinished(RunStatus status, const QString& message, const QString& runFile,
                                   int snapshots) {
  inspectProgress_->end();
  updateActions();
  if (closeRequested_) {
    close();
    return;
  }
  const QString file = QDir::toNativeSeparators(runFile);
  if (status == RunStatus::Failed) {
    statusBar()->showMessage(tr("Inspection failed: %1").arg(message), 15000);
    const QString kept =
        snapshots > 0 ? tr("The run file keeps the %1 checkpoint(s) measured before the error:\n%2")
                            .arg(snapshots)
                            .arg(file)
                      : QString();
    showMessage(this, QMessageBox::Warning, tr("Inspection failed"),
                tr("The inspection failed:\n%1").arg(message) +
                    (kept.isEmpty() ? QString() : QStringLiteral("\n\n") + kept));
  } else {
    QString err;
    if (openRunFile(runFile, &err)) {
      // The file's name only (the status bar is narrow); the full path and any warnings sit in
      // the status bar's tooltip until the next inspection.
      const QString name = QFileInfo(runFile).fileName();
      QString text =
          status == RunStatus::Finished
              ? tr("Inspection finished: %1 (%2 snapshots)").arg(name).arg(snapshots)
              : tr("Inspection cancelled: %1 keeps %2 snapshots").arg(name).arg(snapshots);
      QStringList tip{file};
      if (!inspectWarnings_.isEmpty()) {
        text += tr(" — %1 warning(s), hover here to read them").arg(inspectWarnings_.size());
        tip += inspectWarnings_;
      }
      statusBar()->setToolTip(tip.join(QLatin1Char('\n')));
      statusBar()->showMessage(text, 20000);
    }
  }
  emit inspectionFinished(status, message, runFile);
}

QDockWidget* MainWindow::addView(QWidget* view, const QString& title, const QString& objectName) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(objectName);
  dock->setWidget(view);
  // Docks must be able to get narrow: combo boxes in the views' control rows may shrink below
  // the width of their longest item (the popup still shows it in full). An explicit minimum
  // width overrides QComboBox's cached minimumSizeHint in the layout.
  for (QComboBox* c : view->findChildren<QComboBox*>()) {
    c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    c->setMinimumContentsLength(8);
    c->setMinimumWidth(c->fontMetrics().horizontalAdvance(QLatin1Char('X')) * 8 + 24);
  }
  dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                    QDockWidget::DockWidgetFloatable);
  return dock;
}

void MainWindow::buildDocks() {
  setup_ = new SetupPanel;
  auto* scroll = new QScrollArea;
  scroll->setWidget(setup_);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  QDockWidget* setupDock = addView(scroll, tr("Setup"), QStringLiteral("dockSetup"));
  browser_ = new RunBrowser;
  QDockWidget* runsDock = addView(browser_, tr("Run folder"), QStringLiteral("dockRuns"));
  runTable_ = new RunTable(runSet_);
  QDockWidget* tableDock = addView(runTable_, tr("Shown runs"), QStringLiteral("dockRunTable"));
  tableDock->setToolTip(tr("Checked runs are drawn in every view"));

  loss_ = new LossPlot(static_cast<RunModel*>(nullptr));
  pr_ = new PRHeatmap(static_cast<RunModel*>(nullptr));
  spectrum_ = new SpectrumPlot(static_cast<RunModel*>(nullptr));
  isotropy_ = new IsotropyPlot(static_cast<RunModel*>(nullptr));
  kv_ = new KVPlot(static_cast<RunModel*>(nullptr));
  fta_ = new FTAPlot(static_cast<RunModel*>(nullptr));
  QDockWidget* lossDock = addView(loss_, tr("Loss"), QStringLiteral("dockLoss"));
  QDockWidget* prDock = addView(pr_, tr("Participation ratio"), QStringLiteral("dockPR"));
  QDockWidget* specDock = addView(spectrum_, tr("Spectra"), QStringLiteral("dockSpectra"));
  QDockWidget* isoDock = addView(isotropy_, tr("Isotropy"), QStringLiteral("dockIsotropy"));
  QDockWidget* kvDock = addView(kv_, tr("K/V"), QStringLiteral("dockKV"));
  QDockWidget* ftaDock = addView(fta_, tr("Tail QA"), QStringLiteral("dockTailQA"));
  metrics_ = new MetricsTable(QVector<RunModel*>{});
  QDockWidget* metricsDock = addView(metrics_, tr("Metrics"), QStringLiteral("dockMetrics"));
  metricsDock->setToolTip(tr("Final metrics of every shown run, a row each (Ctrl+C copies)"));
  ftaDock->setToolTip(tr("First-token accuracy per frequency group (tail-QA data only)"));

  // Default layout: setup, the run table and the run folder (tabs) on the left; a 2 x 2 grid of
  // views on the right, with Isotropy tabbed behind Loss, Tail QA behind Spectra and Metrics
  // behind K/V. On a small screen (under 1600 x 900, e.g. a 1366 x 768 laptop) two columns of
  // tabs instead, so each view keeps the whole column height: Loss, Isotropy, Spectra, Tail QA
  // on the left, Participation ratio, K/V, Metrics on the right.
  const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1920, 1080);
  compactLayout_ = avail.width() < 1600 || avail.height() < 900;
  addDockWidget(Qt::LeftDockWidgetArea, setupDock);
  addDockWidget(Qt::LeftDockWidgetArea, tableDock);
  addDockWidget(Qt::LeftDockWidgetArea, runsDock);
  tabifyDockWidget(setupDock, tableDock);
  tabifyDockWidget(setupDock, runsDock);
  setupDock->raise();
  addDockWidget(Qt::RightDockWidgetArea, lossDock);
  splitDockWidget(lossDock, prDock, Qt::Horizontal);
  if (compactLayout_) {
    for (QDockWidget* d : {isoDock, specDock, ftaDock}) tabifyDockWidget(lossDock, d);
    for (QDockWidget* d : {kvDock, metricsDock}) tabifyDockWidget(prDock, d);
    lossDock->raise();
    prDock->raise();
    return;
  }
  splitDockWidget(lossDock, specDock, Qt::Vertical);
  splitDockWidget(prDock, kvDock, Qt::Vertical);
  tabifyDockWidget(lossDock, isoDock);
  tabifyDockWidget(specDock, ftaDock);
  tabifyDockWidget(kvDock, metricsDock);
  lossDock->raise();
  specDock->raise();
  kvDock->raise();
}

void MainWindow::applyDefaultDockSizes() {
  // Setup as wide as its form wants, the two view columns share the rest.
  auto* setupDock = findChild<QDockWidget*>(QStringLiteral("dockSetup"));
  auto* lossDock = findChild<QDockWidget*>(QStringLiteral("dockLoss"));
  auto* prDock = findChild<QDockWidget*>(QStringLiteral("dockPR"));
  auto* specDock = findChild<QDockWidget*>(QStringLiteral("dockSpectra"));
  // Setup as wide as its form wants, but never more than a quarter of the window.
  const int setupWidth =
      std::min(width() / 4,
               setup_->sizeHint().width() + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 8);
  const int rest = std::max(2 * 300, width() - setupWidth);
  resizeDocks({setupDock, lossDock, prDock}, {setupWidth, rest / 2, rest / 2}, Qt::Horizontal);
  if (compactLayout_) return;  // one row of tabbed views
  const int h = std::max(2 * 200, lossDock->height() + specDock->height());
  resizeDocks({lossDock, specDock}, {h / 2, h / 2}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (shown_) return;
  shown_ = true;
  // Dock sizes only mean something once the window has its real size.
  QTimer::singleShot(0, this, [this] {
    if (layoutRestored_) return;
    applyDefaultDockSizes();
    defaultState_ = saveState(kLayoutVersion);  // "Reset Layout" returns to this
    defaultLayoutSized_ = true;
  });
}

void MainWindow::resetLayout() {
  restoreState(defaultState_, kLayoutVersion);
}

void MainWindow::saveLayout() {
  QSettings s;
  s.setValue(QStringLiteral("ui/geometry"), saveGeometry());
  s.setValue(QStringLiteral("ui/state"), saveState(kLayoutVersion));
}

void MainWindow::setCurrentModel(RunModel* model) {
  focus_ = model;
  updateTitle();
  updateActions();
}

void MainWindow::applyCheckedRuns() {
  const QVector<RunModel*> runs = runSet_->checkedModels();
  const QVector<int> colors = runSet_->checkedColors();
  const QVector<QVector<RunModel*>> members = runSet_->checkedMembers();
  for (PlotBase* v : std::initializer_list<PlotBase*>{loss_, pr_, spectrum_, isotropy_, kv_, fta_})
    v->setRuns(runs, colors, members);
  metrics_->setRuns(runs, colors, members);
  updateTitle();
}

bool MainWindow::exportReport(const QString& dir, QString* error) {
  const QVector<RunModel*> runs = runSet_->checkedModels();
  if (runs.isEmpty()) {
    if (error) *error = tr("no run is shown: check the runs to report in the run table");
    return false;
  }
  CompareReportOptions o;
  QStringList labels;
  std::vector<std::string> configs;
  for (RunModel* m : runs) {
    labels << m->displayName();
    const int row = runSet_->rowOf(m);
    o.files << (row >= 0 ? runSet_->entry(row).file : QString());
    o.configs << QString::fromStdString(m->info().config_json);
    configs.push_back(m->info().config_json);
  }
  o.title = tr("Muonscope comparison: %1").arg(labels.join(QStringLiteral(" vs ")));
  o.layer = std::max(0, spectrum_->layer());
  for (const ConfigDifference& d : config_differences(configs)) {
    o.diffKeys << QString::fromStdString(d.key);
    QStringList v;
    for (const std::string& x : d.values) v << QString::fromStdString(x);
    o.diffValues << v;
  }
  try {
    const CompareReportResult r = write_compare_report(runs, dir, o);
    statusBar()->showMessage(
        tr("Report written: %1 (%2 files)").arg(QDir::toNativeSeparators(dir)).arg(r.files.size()),
        15000);
    for (const QString& n : r.notes) qWarning("report: %s", qPrintable(n));
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  return true;
}

void MainWindow::showRunTable() {
  // Opened runs land in the run table: bring its tab to the front (setup stays a click away).
  if (auto* d = findChild<QDockWidget*>(QStringLiteral("dockRunTable"))) d->raise();
}

RunModel* MainWindow::currentModel() const {
  return focus_;
}

RunModel* MainWindow::fileModel() const {
  return lastFile_;
}

RunFollower* MainWindow::follower() const {
  const int row = runSet_->rowOf(lastFile_);
  return row >= 0 ? runSet_->entry(row).follower : nullptr;
}

QString MainWindow::currentFile() const {
  if (!focus_) return QString();
  if (focus_ == liveModel_) return controller_->runFile();
  const int row = runSet_->rowOf(focus_);
  return row >= 0 ? runSet_->entry(row).file : QString();
}

bool MainWindow::showsLiveRun() const {
  return runSet_->isChecked(runSet_->rowOf(liveModel_));
}

void MainWindow::showLiveRun() {
  runSet_->setChecked(runSet_->rowOf(liveModel_), true);
  setCurrentModel(liveModel_);
  if (!controller_->isActive())
    status_->showStatic(liveModel_->steps().empty() ? 0 : liveModel_->steps().back().step,
                        controller_->totalSteps());
}

QString MainWindow::newRunFilePath() const {
  const RunConfig c = setup_->config();
  QString name = QString::fromStdString(c.name.empty() ? c.preset : c.name);
  name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
  if (name.isEmpty()) name = QStringLiteral("run");
  const QDir dir(setup_->runFolder());
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  QString path = dir.filePath(QStringLiteral("%1-%2.h5").arg(name, stamp));
  for (int i = 2; QFileInfo::exists(path); ++i)
    path = dir.filePath(QStringLiteral("%1-%2-%3.h5").arg(name, stamp).arg(i));
  return path;
}

bool MainWindow::startRun(QString* error) {
  auto fail = [&](const QString& why) {
    statusBar()->showMessage(tr("Cannot start: %1").arg(why), 10000);
    if (error) *error = why;
    return false;
  };
  if (controller_->isActive()) return fail(tr("a run is already in progress"));
  if (studyRunner_ && studyRunner_->isActive()) return fail(tr("a study is in progress"));
  if (inspector_->isActive()) return fail(tr("an inspection is in progress"));
  setup_->revalidate();
  if (!setup_->isValid()) return fail(setup_->errorMessages().join(QStringLiteral("; ")));
  const RunConfig cfg = setup_->config();
  const QString path = newRunFilePath();
  liveModel_->clear();
  liveModel_->setStatus(RunStatus::Running);
  runSet_->setFixedLabel(runSet_->rowOf(liveModel_), QString());
  runSet_->setLiveFile(path);
  runSet_->setChecked(runSet_->rowOf(liveModel_), true);
  setCurrentModel(liveModel_);
  QString why;
  // Before the worker creates the file: the browser must never open it with HDF5 while this
  // process writes it.
  browser_->setActiveFile(path);
  if (!controller_->start(cfg, path, &why)) {
    browser_->setActiveFile(QString());
    return fail(why);
  }
  settings::setLastConfigJson(QString::fromStdString(config_to_json(cfg)));
  status_->startRun(cfg.train.steps);
  onStateChanged();
  statusBar()->showMessage(tr("Training into %1").arg(QDir::toNativeSeparators(path)), 5000);
  return true;
}

bool MainWindow::openComparison(const QStringList& inputs, QString* error) {
  QVector<int> rows;
  QStringList problems;
  for (const QString& in : inputs) {
    QString why;
    if (is_study_index(in)) {
      QStringList warnings;
      const QVector<int> members = runSet_->openStudy(in, &why, &warnings);
      rows += members;
      problems += warnings;
      if (members.isEmpty()) problems << why;
    } else {
      const int row = runSet_->openFile(in, RunSet::File, QString(), &why);
      if (row >= 0)
        rows << row;
      else
        problems << why;
    }
  }
  if (rows.isEmpty()) {
    if (error) *error = problems.isEmpty() ? tr("nothing to compare") : problems.join('\n');
    return false;
  }
  runSet_->checkOnly(rows);
  showRunTable();
  lastFile_ = runSet_->entry(rows.back()).model;
  setCurrentModel(lastFile_);
  if (!problems.isEmpty())
    statusBar()->showMessage(tr("Skipped: %1").arg(problems.join(QStringLiteral("; "))), 15000);
  return true;
}

bool MainWindow::openRunFile(const QString& path, QString* error) {
  if (is_study_index(path)) return openComparison({path}, error);
  const QString abs = QFileInfo(path).absoluteFilePath();
  if (controller_->isActive() && abs == controller_->runFile()) {
    showLiveRun();
    return true;
  }
  QString why;
  const int row = runSet_->openFile(abs, RunSet::File, QString(), &why);
  if (row < 0) {
    statusBar()->showMessage(tr("Cannot open %1").arg(abs), 10000);
    if (isVisible())
      showMessage(this, QMessageBox::Warning, tr("Cannot open run"),
                  tr("Cannot open %1:\n%2").arg(QDir::toNativeSeparators(abs), why));
    if (error) *error = why;
    return false;
  }
  RunModel* m = runSet_->entry(row).model;
  lastFile_ = m;
  setCurrentModel(m);
  showRunTable();
  settings::addRecentFile(abs);
  browser_->setRecentFiles(settings::recentFiles());
  if (!controller_->isActive()) {
    // A run of inspected checkpoints has snapshots but no training steps.
    const auto& steps = m->steps();
    const auto& snaps = m->snapshots();
    const int64_t last = !steps.empty() ? steps.back().step : snaps.empty() ? 0 : snaps.back().step;
    status_->showStatic(last, m->info().total_steps);
    status_->setStateText(RunBrowser::statusText(m->status()));
  }
  updateTitle();
  return true;
}

void MainWindow::openFileDialog() {
  const QStringList files = QFileDialog::getOpenFileNames(
      this, tr("Open run"), browser_->folder(), tr("Run files (*.h5 *.hdf5);;All files (*)"));
  for (const QString& f : files) openRunFile(f);
}

void MainWindow::showPreferences() {
  PreferencesDialog dlg(this);
  if (dlg.exec() != QDialog::Accepted) return;
  setup_->setRunFolder(settings::runFolder());  // for the next run; a running one keeps its file
  setup_->setDevice(settings::defaultDevice());
  browser_->setFolder(settings::runFolder());
  // The seed band may have changed: every view redraws, keeping its zoom.
  for (PlotBase* v : std::initializer_list<PlotBase*>{loss_, pr_, spectrum_, isotropy_, kv_, fta_})
    v->invalidate();
  if (dlg.languageChanged())
    statusBar()->showMessage(tr("The language changes when Muonscope starts next time."), 8000);
}

void MainWindow::updateActions() {
  using S = TrainingController::State;
  const S st = controller_->state();
  const bool active = controller_->isActive();
  const bool study = studyRunner_ && studyRunner_->isActive();
  const bool inspecting = inspector_ && inspector_->isActive();
  startAct_->setEnabled(!active && !study && !inspecting && setup_->isValid());
  if (studyAct_) studyAct_->setEnabled(!active && !study && !inspecting);
  if (inspectAct_) inspectAct_->setEnabled(!active && !study && !inspecting);
  if (stopStudyAct_) stopStudyAct_->setEnabled(study);
  pauseAct_->setEnabled(st == S::Preparing || st == S::Running || st == S::Paused);
  const bool paused = st == S::Paused;
  pauseAct_->setText(paused ? tr("&Resume") : tr("&Pause"));
  pauseAct_->setIcon(
      QIcon(paused ? QStringLiteral(":/icons/resume.svg") : QStringLiteral(":/icons/pause.svg")));
  pauseAct_->setToolTip(paused ? tr("Resume the run (Space or Ctrl+P)")
                               : tr("Pause the run (Space or Ctrl+P)"));
  stopAct_->setEnabled(active && st != S::Stopping);
  liveAct_->setEnabled(focus_ != liveModel_ && (active || !liveModel_->steps().empty()));
  setup_->setEditable(!active);
  updateResumeAction();
}

int MainWindow::resumeTargetRow() const {
  // A run file's row, or the live run's once its training here has ended (a stopped run is
  // continued where it is shown).
  auto isTarget = [this](int row) {
    if (row < 0 || row >= runSet_->count()) return false;
    const RunSet::Entry& e = runSet_->entry(row);
    if (e.kind == RunSet::SeedGroup || e.file.isEmpty()) return false;
    return e.kind != RunSet::Live || (!controller_->isActive() && e.model->info().n_layer > 0);
  };
  const int current = runTable_->currentRow();
  if (isTarget(current)) return current;
  const int focused = runSet_->rowOf(focus_);
  return isTarget(focused) ? focused : -1;
}

QString MainWindow::resumeBlocker(int row, int64_t* checkpointStep) const {
  if (checkpointStep) *checkpointStep = -1;
  if (controller_->isActive())
    return tr("A training is in progress: another run can be resumed once it has ended.");
  if (studyRunner_ && studyRunner_->isActive()) return tr("A study is in progress.");
  if (inspector_ && inspector_->isActive()) return tr("An inspection is in progress.");
  if (row < 0 || row >= runSet_->count())
    return tr(
        "Select an interrupted, stopped or failed run in Shown runs to continue it from "
        "its newest checkpoint (Ctrl+Shift+R).");
  const RunSet::Entry& e = runSet_->entry(row);
  const QString name = QFileInfo(e.file).fileName();
  if ((e.follower && e.follower->isFollowing()) || run_writer_alive(e.file.toStdString()))
    return tr("%1 is being written by a running training.").arg(name);
  const RunModel* m = e.model;
  if (m->status() == RunStatus::Finished)
    return tr("%1 finished all %2 steps: there is nothing to resume.")
        .arg(name)
        .arg(m->info().total_steps);
  RunConfig cfg;
  bool haveConfig = false;
  try {
    cfg = config_from_json(m->info().config_json);
    haveConfig = true;
  } catch (const std::exception&) {
  }
  if (haveConfig && cfg.preset == "inspect")
    return tr("%1 holds inspected checkpoints, not a training run.").arg(name);
  const std::string folder = checkpoint_dir_for(e.file.toStdString());
  const int64_t step = latest_resumable_step(folder);
  if (step < 0) {
    if (haveConfig && cfg.train.checkpoint_every <= 0)
      return tr("%1 has no checkpoint to resume from: it was trained with "
                "train.checkpoint_every = 0.")
          .arg(name);
    return tr("%1 has no checkpoint to resume from: %2 holds none with a training state.")
        .arg(name, QFileInfo(QString::fromStdString(folder)).fileName());
  }
  if (checkpointStep) *checkpointStep = step;
  return QString();
}

void MainWindow::updateResumeAction() {
  if (!resumeAct_) return;
  const int row = resumeTargetRow();
  int64_t step = -1;
  const QString why = resumeBlocker(row, &step);
  resumeAct_->setEnabled(why.isEmpty());
  if (why.isEmpty())
    resumeAct_->setToolTip(tr("Continue %1 from its checkpoint at step %2 of %3 (Ctrl+Shift+R)")
                               .arg(QFileInfo(runSet_->entry(row).file).fileName())
                               .arg(step)
                               .arg(runSet_->entry(row).model->info().total_steps));
  else
    resumeAct_->setToolTip(why);
}

bool MainWindow::resumeRun(QString* error) {
  const int row = resumeTargetRow();
  const QString why = resumeBlocker(row);
  auto fail = [&](const QString& problem) {
    statusBar()->showMessage(tr("Cannot resume: %1").arg(problem), 10000);
    if (error) *error = problem;
    return false;
  };
  if (!why.isEmpty()) return fail(why);
  const RunSet::Entry& e = runSet_->entry(row);
  const QString file = e.file;
  const QString label = e.fixedLabel;
  RunModel* source = e.model;
  // The file's reader lets go before the worker opens it for writing; the browser must not
  // open it either. The source keeps showing the file until the worker has accepted the
  // checkpoint (onResumed) or refused it (onRunFinished gives it back).
  runSet_->releaseFile(row);
  browser_->setActiveFile(file);
  QString err;
  if (!controller_->resumeRun(file, &err)) {
    browser_->setActiveFile(QString());
    if (source != liveModel_) runSet_->reloadFile(runSet_->rowOf(source));
    return fail(err);
  }
  resumeSource_ = source;
  resumeSourceStatus_ = source->status();
  resumeSourceMessage_ = source->statusMessage();
  if (source != liveModel_) {  // the live run's previous data (another run) goes now
    liveModel_->clear();
    runSet_->setFixedLabel(runSet_->rowOf(liveModel_), label);
    runSet_->setLiveFile(file);
  }
  liveModel_->setStatus(RunStatus::Running);
  status_->startRun(controller_->totalSteps());
  onStateChanged();
  statusBar()->showMessage(
      tr("Resuming %1: loading its newest checkpoint…").arg(QFileInfo(file).fileName()));
  return true;
}

void MainWindow::onResumed(const RunHistory& h) {
  // The live run takes the file's place: the rows the file keeps now (the info came just
  // before), new steps as they come. A file row goes, with any rows after the checkpoint that
  // the resume dropped.
  const int fileRow = runSet_->rowOf(resumeSource_);
  if (fileRow >= 0 && resumeSource_ != liveModel_) runSet_->remove(fileRow);
  resumeSource_ = nullptr;
  const RunInfo info = liveModel_->info();
  liveModel_->clear();
  liveModel_->setInfo(info);
  liveModel_->appendSteps(h.steps);
  liveModel_->appendVals(h.vals);
  for (const Snapshot& s : h.snapshots) liveModel_->appendSnapshot(s);
  runSet_->setChecked(runSet_->rowOf(liveModel_), true);
  setCurrentModel(liveModel_);
  status_->startRun(controller_->totalSteps(), h.step);
  onStateChanged();
  statusBar()->showMessage(
      tr("Resumed %1 after step %2").arg(QFileInfo(controller_->runFile()).fileName()).arg(h.step),
      15000);
}

void MainWindow::onResumeRefused(const QString& message, const QString& runFile) {
  // Refused before the file changed (no checkpoint, a config that differs, a damaged state):
  // the source shows the file as it was again; a file row's live stand-in goes.
  browser_->setActiveFile(QString());
  RunModel* source = resumeSource_;
  resumeSource_ = nullptr;
  if (source == liveModel_) {
    liveModel_->setStatus(resumeSourceStatus_, resumeSourceMessage_);
  } else {
    liveModel_->clear();
    const int liveRow = runSet_->rowOf(liveModel_);
    runSet_->setFixedLabel(liveRow, QString());
    runSet_->setLiveFile(QString());
    runSet_->setChecked(liveRow, false);
    const int row = runSet_->rowOf(source);
    if (row >= 0) {
      QString why;
      if (!runSet_->reloadFile(row, &why))
        statusBar()->showMessage(tr("Cannot open %1: %2").arg(runFile, why), 10000);
    }
  }
  if (source) {
    setCurrentModel(source);
    const int64_t last = source->steps().empty() ? 0 : source->steps().back().step;
    status_->showStatic(last, source->info().total_steps);
    status_->setStateText(RunBrowser::statusText(
        resumeSourceStatus_ == RunStatus::Running ? RunStatus::Interrupted : resumeSourceStatus_));
  } else {
    status_->clear();
  }
  // The status bar is narrow: the file's name there, the path and the problem in the box.
  const QString file = QDir::toNativeSeparators(runFile);
  statusBar()->showMessage(
      tr("Cannot resume %1: the run file was not changed").arg(QFileInfo(runFile).fileName()),
      15000);
  if (!closeRequested_)
    showMessage(this, QMessageBox::Warning, tr("Cannot resume"),
                tr("Cannot resume %1:\n%2\n\nThe run file was not changed.").arg(file, message));
}

void MainWindow::updateTitle() {
  QString name = focus_ ? focus_->displayName() : QString();
  const int row = runSet_->rowOf(focus_);
  if (row >= 0 && runSet_->entry(row).follower && runSet_->entry(row).follower->isFollowing())
    name += tr(" (following)");
  if (focus_ == liveModel_ && controller_->isActive()) name += tr(" (training)");
  const int shown = static_cast<int>(runSet_->checkedModels().size());
  if (shown > 1) name += tr(" + %n more run(s)", nullptr, shown - 1);
  setWindowTitle(name.isEmpty() ? tr("Muonscope") : tr("%1 — Muonscope").arg(name));
}

void MainWindow::onStateChanged() {
  using S = TrainingController::State;
  switch (controller_->state()) {
    case S::Idle:
      break;
    case S::Preparing:
      status_->setStateText(tr("Preparing…"));
      break;
    case S::Running:
      status_->setStateText(tr("Training"));
      status_->restartRateWindow();
      break;
    case S::Paused:
      status_->setStateText(tr("Paused"));
      break;
    case S::Stopping:
      status_->setStateText(tr("Stopping…"));
      break;
  }
  updateActions();
  updateTitle();
}

void MainWindow::onRunFinished(RunStatus status, const QString& message, const QString& runFile) {
  if (controller_->isResume() && !controller_->fileCreated())
    onResumeRefused(message, runFile);  // the file was left as it was
  else
    showRunOutcome(status, message, runFile);
  updateActions();
  updateTitle();
  emit runFinished(status, message, runFile);
  if (closeRequested_) {
    if (stoppingBox_) stoppingBox_->close();
    close();
  }
}

void MainWindow::showRunOutcome(RunStatus status, const QString& message, const QString& runFile) {
  liveModel_->setStatus(status, message);
  status_->setStateText(RunBrowser::statusText(status));
  browser_->setActiveFile(QString());
  if (controller_->fileCreated()) {
    settings::addRecentFile(runFile);
    browser_->setRecentFiles(settings::recentFiles());
  }
  const QString file = QDir::toNativeSeparators(runFile);
  switch (status) {
    case RunStatus::Finished:
      statusBar()->showMessage(tr("Run finished: %1").arg(file), 10000);
      break;
    case RunStatus::Stopped:
      statusBar()->showMessage(tr("Run stopped: %1").arg(file), 10000);
      break;
    default: {
      const QString kept = controller_->fileCreated()
                               ? tr("The run file keeps everything recorded so far:\n%1").arg(file)
                               : tr("No run file was written.");
      statusBar()->showMessage(tr("Run failed: %1").arg(message), 15000);
      if (!closeRequested_ && !(studyRunner_ && studyRunner_->isActive()))
        showMessage(this, QMessageBox::Warning, tr("Run failed"),
                    tr("The run failed:\n%1\n\n%2").arg(message, kept));
      break;
    }
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (inspector_->isActive()) {  // closes from onInspectFinished once the file is finalized
    closeRequested_ = true;
    inspector_->cancel();
    inspectProgress_->setCancelling();
    event->ignore();
    return;
  }
  if (controller_->isActive() && !closeRequested_) {
    if (confirmClose_) {
      const auto answer =
          QMessageBox::question(this, tr("Stop the run?"),
                                tr("A run is in progress. Stop it and close Muonscope?\n"
                                   "The run file keeps everything recorded so far."),
                                QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
      if (answer != QMessageBox::Yes) {
        event->ignore();
        return;
      }
    }
    if (controller_->isActive()) {  // it may have ended while the question was open
      closeRequested_ = true;
      controller_->stop();
      statusBar()->showMessage(tr("Stopping the run: finishing the current step…"));
      QTimer::singleShot(kStopTimeoutMs, this, [this] {
        if (!controller_->isActive()) return;
        auto* box = new QMessageBox(
            QMessageBox::Information, tr("Still stopping"),
            tr("The run has not stopped yet: its current step is still computing. Muonscope "
               "closes as soon as the step ends and the run file is finalized."),
            QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        stoppingBox_ = box;
        box->open();
      });
    }
  }
  if (controller_->isActive()) {  // closes from onRunFinished once the file is finalized
    event->ignore();
    return;
  }
  saveLayout();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  QStringList runs, checkpoints;
  splitDrop(event->mimeData(), &runs, &checkpoints);
  if (!runs.isEmpty() || !checkpoints.isEmpty()) event->acceptProposedAction();
}

// Run files open as runs; checkpoint files and folders open File > Inspect Checkpoints… with
// them listed (after the drop has returned: the drag source must not wait on a dialog).
void MainWindow::dropEvent(QDropEvent* event) {
  QStringList runs, checkpoints;
  splitDrop(event->mimeData(), &runs, &checkpoints);
  bool any = false;
  for (const QString& r : runs) any = openRunFile(r) || any;
  if (!checkpoints.isEmpty()) {
    any = true;
    QTimer::singleShot(0, this, [this, checkpoints] { showInspectDialog(checkpoints); });
  }
  if (any) event->acceptProposedAction();
}

}  // namespace ms
