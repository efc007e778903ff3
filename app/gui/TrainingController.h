// TrainingController: runs one training run at a time on a background QThread and reports it to
// the GUI thread as plain structs through queued signals. The worker thread does everything
// heavy: Trainer::prepare(), writing the HDF5 run file (RunWriter), every training step and
// snapshot. The GUI thread only flips the Trainer's atomic pause/stop flags and receives data;
// it never waits on a step. Step records are batched (one signal per ~40 ms at most); val
// records and snapshots are sent as they come, always after the steps that precede them.
// resumeRun() continues an interrupted, stopped or failed run file from its newest checkpoint
// (train.checkpoint_every) like `muonscope-cli train --resume`: resumed() first delivers the rows
// the file keeps, then new steps follow as for a new run.
// Torch-free header: the GUI includes only Trainer.h's pimpl interface.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>
#include <vector>

#include "train/RunConfig.h"
#include "train/Snapshot.h"

class QThread;

namespace ms {

class Trainer;
class TrainingWorker;
struct PendingSteps;

// What a resumed run file keeps: its rows up to the checkpoint's step (later ones are dropped).
struct RunHistory {
  int64_t step = 0;  // the checkpoint's step: training continues after it
  std::vector<StepRecord> steps;
  std::vector<ValRecord> vals;
  std::vector<Snapshot> snapshots;
};

class TrainingController : public QObject {
  Q_OBJECT
 public:
  enum class State { Idle, Preparing, Running, Paused, Stopping };
  Q_ENUM(State)
  static constexpr int kStepBatchMs = 40;  // step records are sent at most this often

  explicit TrainingController(QObject* parent = nullptr);
  // Stops a run still in progress and waits for its thread (the run file is finalized).
  ~TrainingController() override;

  // Starts training `cfg` into the new file `runFile` on a worker thread. Returns false and
  // sets *error when a run is already active, the config is invalid (ConfigError text) or the
  // file already exists. Data loading and model building happen on the worker; their errors
  // arrive through finished(Failed, message, ...).
  bool start(const RunConfig& cfg, const QString& runFile, QString* error = nullptr);
  // Continues the existing run file `runFile` from its newest checkpoint (RUN.ckpt/) with the
  // config stored in the file. Returns false and sets *error when a run is active, the file
  // cannot be read, is being written, has finished, or its config is invalid. The checkpoint
  // is loaded on the worker: a refusal there (no checkpoint, a config that differs from the
  // checkpoint's, a damaged state file) arrives as finished(Failed, message, ...) with
  // fileCreated() false, and the file is left untouched. Otherwise infoReady and resumed()
  // (the rows kept) come before the first new step; the file records the resume.
  bool resumeRun(const QString& runFile, QString* error = nullptr);

  State state() const { return state_; }
  bool isActive() const { return state_ != State::Idle; }
  bool isPaused() const { return state_ == State::Paused; }
  QString runFile() const { return runFile_; }
  const RunConfig& config() const { return cfg_; }
  int64_t totalSteps() const { return cfg_.train.steps; }
  int64_t lastStep() const { return lastStep_; }  // last step delivered to the GUI thread
  // While paused: the step the trainer stopped after, once its step in flight has ended (its
  // record is then on the way to the GUI thread); -1 before that and when not paused. For tests.
  int64_t pausedAtStep() const;
  // True when the current (or last) run's file has been created on disk (for a resume: has been
  // reopened for writing, i.e. the checkpoint was accepted).
  bool fileCreated() const { return fileCreated_; }
  // The current (or last) run continues an existing file (resumeRun).
  bool isResume() const { return resume_; }
  // A resume's checkpoint step once resumed() has been sent; -1 before and for a new run.
  int64_t resumedFrom() const { return resumedFrom_; }

  // Blocks the calling thread up to timeoutMs until the worker thread has ended (used on
  // shutdown only). Queued results are delivered when the event loop runs next.
  bool waitForThread(int timeoutMs);

 public slots:
  void pause();
  void resume();
  void togglePause();
  // Asks the run to stop after the current step; finished(Stopped, ...) follows.
  void stop();

 signals:
  void stateChanged(ms::TrainingController::State state);
  void started(const QString& runFile);
  void infoReady(const ms::RunInfo& info);  // after prepare(), before the first step
  // A resume: the rows the file keeps, after infoReady, before the first new step.
  void resumed(const ms::RunHistory& history);
  void stepsReady(const std::vector<ms::StepRecord>& steps);
  void valReady(const ms::ValRecord& val);
  void snapshotReady(const ms::Snapshot& snapshot);
  // The run ended: Finished, Stopped or Failed; message says why; the file is closed.
  void finished(ms::RunStatus status, const QString& message, const QString& runFile);

 private slots:
  void onWorkerInfo(const ms::RunInfo& info);
  void onWorkerHistory(const ms::RunHistory& history);
  void onWorkerSteps(const std::vector<ms::StepRecord>& steps);
  void onWorkerVal(const ms::ValRecord& val);
  void onWorkerSnapshot(const ms::Snapshot& snapshot);
  void onWorkerDone(ms::RunStatus status, const QString& message, bool fileCreated);
  void drainPendingSteps();

 private:
  void setState(State s);
  // start() and resumeRun(): the trainer is built (config validated), the thread started.
  bool launch(const RunConfig& cfg, const QString& runFile, bool resume, QString* error);
  // Waits for the worker thread (if any), then deletes the worker and the thread.
  void reclaimThread();
  // Takes the worker's lock once before a slot reads its signal's arguments (see PendingSteps).
  void syncWithWorker();

  State state_ = State::Idle;
  RunConfig cfg_;
  QString runFile_;
  int64_t lastStep_ = 0;
  bool fileCreated_ = false;
  bool infoReceived_ = false;
  bool resume_ = false;
  int64_t resumedFrom_ = -1;
  std::shared_ptr<Trainer> trainer_;
  std::shared_ptr<PendingSteps> pending_;
  QThread* thread_ = nullptr;
  TrainingWorker* worker_ = nullptr;  // lives on thread_; deleted by reclaimThread()
  QTimer drainTimer_;  // while paused/stopping: delivers steps the worker still holds
};

}  // namespace ms

Q_DECLARE_METATYPE(ms::RunHistory)
