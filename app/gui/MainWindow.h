// MainWindow: the Muonscope desktop window. Thin: it builds the docks (setup panel, run
// folder browser, the run table, and the views Loss, Participation ratio, Spectra, Isotropy,
// K/V, Tail QA, Metrics), the toolbar/menu actions (Start Ctrl+R, Pause/Resume Space or Ctrl+P,
// Stop Ctrl+.), the status bar (StatusPanel), and wires them. Every view draws the runs checked
// in the run table (RunSet): the live run (TrainingController -> live RunModel), run files
// opened from the browser, the command line or a drop (a RunFollower each), study members
// (opening a study.json checks them) and inspected checkpoints. File > Inspect
// Checkpoints… (or checkpoints dropped on the window) -> InspectDialog -> InspectController
// (background thread, progress and Cancel in the status bar: InspectProgress) -> a run file
// opened like File > Open Run…. Run > Resume Training (Ctrl+Shift+R, also in the run table's
// context menu) continues the selected interrupted, stopped or failed run file from its newest
// checkpoint: it becomes the live run (its kept rows, then new steps). The dock
// layout and window geometry are saved in QSettings. Closing during a run asks, stops the run
// after its current step and closes once the run file is finalized.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QString>

#include "train/Snapshot.h"

class QAction;
class QDockWidget;
class QMenu;
class QMessageBox;

namespace ms {

class FTAPlot;
struct InspectOptions;
class InspectController;
class InspectDialog;
class InspectProgress;
class IsotropyPlot;
class KVPlot;
class LossPlot;
class MetricsTable;
class PRHeatmap;
class RunBrowser;
class RunFollower;
struct RunHistory;
class RunModel;
class RunSet;
class RunTable;
class SetupPanel;
class SpectrumPlot;
class StatusPanel;
class TrainingController;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  static constexpr int kLayoutVersion = 2;      // 2: run table and metrics docks
  static constexpr int kStopTimeoutMs = 20000;  // then the close shows a "still stopping" note

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts a run with the setup panel's config into a new file in its run folder. Returns
  // false (with *error; shown in the status bar too) when the setup is invalid or a run is active.
  bool startRun(QString* error = nullptr);
  // Adds a run file to the run table, checked, so every view draws it beside the runs already
  // checked, and follows it while another process writes it; a study index (study.json) adds
  // its members. The file of the run being trained here checks the live run instead. Returns
  // false with *error when it cannot be read (a message box tells the user when interactive).
  bool openRunFile(const QString& path, QString* error = nullptr);
  // Shows exactly these run files and/or study members (checked; every other run unchecked),
  // the comparison workflow of "Compare Selected Runs" and "Open Study". Returns false with
  // *error when none can be read.
  bool openComparison(const QStringList& inputs, QString* error = nullptr);
  // Run > Resume Training: continues the resume target (resumeTargetRow) from its newest
  // checkpoint (RUN.ckpt/, train.checkpoint_every) as the live run, like `muonscope-cli train
  // --resume`: a file's row makes way for the live run, which shows the rows the file keeps (up
  // to the checkpoint's step) and then trains on. Returns false with *error when it cannot start
  // (resumeBlocker's text, or the controller's refusal). A refusal once the checkpoint is
  // loaded (a changed config, a damaged state file) shows a message box naming the file; the
  // file is left untouched and its row comes back.
  bool resumeRun(QString* error = nullptr);
  // The run Resume Training acts on: the run table's current row when it is a run file's (or
  // the live run's once its training here has ended), else the run in focus when it is one of
  // those; -1 when neither is.
  int resumeTargetRow() const;
  // Why that row cannot be resumed now ("" when it can; then *checkpointStep is the step it
  // would continue after): a training, study or inspection in progress, no run file selected,
  // being written, finished, inspected checkpoints, no checkpoint with a training state.
  QString resumeBlocker(int row, int64_t* checkpointStep = nullptr) const;

  // File > Export Report…: the shown runs' report (write_compare_report: report.pdf, PNGs and
  // CSVs with index.md) into `dir`. False with *error when no run is shown or a file cannot be
  // written.
  bool exportReport(const QString& dir, QString* error = nullptr);

  // Opens File > Inspect Checkpoints… (window-modal, without blocking) with `checkpoints`
  // listed; Inspect starts the inspection. Returns the dialog (deleted on close).
  InspectDialog* showInspectDialog(const QStringList& checkpoints = {});
  // Starts inspecting checkpoints into a run file in the background; the run opens when it
  // finishes or is cancelled. Returns false with *error (also shown in the status bar) when
  // it cannot start (a run, study or inspection is active, the run file exists, ...).
  bool startInspection(const InspectOptions& options, QString* error = nullptr);

  // The run in focus (opened, started or activated last; the window title and status bar
  // describe it) and its file ("" when none).
  QString currentFile() const;
  // Whether the live run is checked (drawn by the views).
  bool showsLiveRun() const;
  // Whether the default layout that "Reset Layout" returns to has its dock sizes: taken once,
  // just after the window is first shown at its real size, unless a saved layout was restored.
  bool defaultLayoutSized() const { return defaultLayoutSized_; }

  SetupPanel* setupPanel() const { return setup_; }
  RunBrowser* runBrowser() const { return browser_; }
  TrainingController* controller() const { return controller_; }
  StatusPanel* statusPanel() const { return status_; }
  RunModel* liveModel() const { return liveModel_; }  // the run trained in this window
  RunModel* fileModel() const;                        // the run file opened last
  RunModel* currentModel() const;                     // the run in focus
  RunFollower* follower() const;                      // of the run file opened last
  RunSet* runSet() const { return runSet_; }
  RunTable* runTable() const { return runTable_; }
  LossPlot* lossPlot() const { return loss_; }
  PRHeatmap* prHeatmap() const { return pr_; }
  SpectrumPlot* spectrumPlot() const { return spectrum_; }
  IsotropyPlot* isotropyPlot() const { return isotropy_; }
  KVPlot* kvPlot() const { return kv_; }
  FTAPlot* ftaPlot() const { return fta_; }
  MetricsTable* metricsTable() const { return metrics_; }
  QAction* startAction() const { return startAct_; }
  QAction* pauseAction() const { return pauseAct_; }
  QAction* stopAction() const { return stopAct_; }
  QAction* resumeAction() const { return resumeAct_; }
  QAction* openAction() const { return openAct_; }
  QAction* liveAction() const { return liveAct_; }
  QAction* compareAction() const { return compareAct_; }
  QAction* reportAction() const { return reportAct_; }
  QAction* inspectAction() const { return inspectAct_; }
  class StudyRunner* studyRunner() const {
    return studyRunner_;
  }
  InspectController* inspectController() const { return inspector_; }
  InspectProgress* inspectProgress() const { return inspectProgress_; }
  InspectDialog* inspectDialog() const;  // while it is open, else nullptr
  // Whether closing during a run asks first (tests may switch it off; default on).
  void setConfirmClose(bool on) { confirmClose_ = on; }

 public slots:
  void showLiveRun();
  void openFileDialog();
  void showPreferences();
  void resetLayout();

 signals:
  // The run trained in this window ended (after the file was finalized).
  void runFinished(ms::RunStatus status, const QString& message, const QString& runFile);
  // An inspection ended (the file is finalized; a finished or stopped run is open by now).
  void inspectionFinished(ms::RunStatus status, const QString& message, const QString& runFile);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildActions();
  void buildStudiesMenu();
  void buildDocks();
  QDockWidget* addView(QWidget* view, const QString& title, const QString& objectName);
  void setCurrentModel(RunModel* model);  // the run in focus
  void applyCheckedRuns();                // the run table's checked runs -> every view
  void showRunTable();                    // raises the run table's dock
  void updateActions();
  void updateTitle();
  void onStateChanged();
  void onRunFinished(RunStatus status, const QString& message, const QString& runFile);
  // The live run's end in the views, status bar and (for a failure) a message box.
  void showRunOutcome(RunStatus status, const QString& message, const QString& runFile);
  void onResumed(const RunHistory& history);
  void onResumeRefused(const QString& message, const QString& runFile);
  void updateResumeAction();
  void buildInspect();
  void onInspectFinished(RunStatus status, const QString& message, const QString& runFile,
                         int snapshots);
  QString newRunFilePath() const;
  void saveLayout();
  void applyDefaultDockSizes();

  TrainingController* controller_ = nullptr;
  RunModel* liveModel_ = nullptr;
  RunSet* runSet_ = nullptr;
  RunTable* runTable_ = nullptr;
  QPointer<RunModel> focus_;
  QPointer<RunModel> lastFile_;
  // The run being resumed (a file row's model or the live one), until resumed() or a refusal,
  // and its status before (given back on a refusal).
  QPointer<RunModel> resumeSource_;
  RunStatus resumeSourceStatus_ = RunStatus::Stopped;
  QString resumeSourceMessage_;
  SetupPanel* setup_ = nullptr;
  RunBrowser* browser_ = nullptr;
  StatusPanel* status_ = nullptr;
  LossPlot* loss_ = nullptr;
  PRHeatmap* pr_ = nullptr;
  SpectrumPlot* spectrum_ = nullptr;
  IsotropyPlot* isotropy_ = nullptr;
  KVPlot* kv_ = nullptr;
  FTAPlot* fta_ = nullptr;
  MetricsTable* metrics_ = nullptr;
  QAction* startAct_ = nullptr;
  QAction* pauseAct_ = nullptr;
  QAction* stopAct_ = nullptr;
  QAction* resumeAct_ = nullptr;
  QAction* openAct_ = nullptr;
  QAction* liveAct_ = nullptr;
  QAction* compareAct_ = nullptr;
  QAction* reportAct_ = nullptr;
  QAction* inspectAct_ = nullptr;
  QAction* studyAct_ = nullptr;
  QAction* stopStudyAct_ = nullptr;
  class StudyRunner* studyRunner_ = nullptr;
  InspectController* inspector_ = nullptr;
  InspectProgress* inspectProgress_ = nullptr;
  QPointer<InspectDialog> inspectDialog_;
  QStringList inspectWarnings_;  // of the inspection in progress
  QMenu* viewMenu_ = nullptr;
  QByteArray defaultState_;
  bool defaultLayoutSized_ = false;
  bool compactLayout_ = false;   // small screen: the views in two columns of tabs
  bool layoutRestored_ = false;  // a saved layout was restored: keep its sizes
  bool shown_ = false;
  bool confirmClose_ = true;
  bool closeRequested_ = false;  // a close is waiting for the run to stop
  QPointer<QMessageBox> stoppingBox_;
};

}  // namespace ms
