// TrainingController: thread ownership and state machine of one training run (see the header).
#include "TrainingController.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>

#include "RunModel.h"
#include "TrainingWorker.h"
#include "TsanSync.h"
#include "store/RunReader.h"
#include "train/Trainer.h"

namespace ms {

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
  RunModel::registerMetaTypes();
  qRegisterMetaType<ms::TrainingController::State>();
  qRegisterMetaType<ms::RunHistory>("ms::RunHistory");
  drainTimer_.setInterval(100);
  connect(&drainTimer_, &QTimer::timeout, this, &TrainingController::drainPendingSteps);
}

TrainingController::~TrainingController() {
  if (trainer_) trainer_->stop();
  reclaimThread();
}

void TrainingController::reclaimThread() {
  if (!thread_) return;
  thread_->wait();         // the worker finishes its step and closes the run file
  tsan::acquire(worker_);  // pairs with the release at the end of TrainingWorker::run()
  // The worker is deleted here, on this thread, once its own thread has ended: its connections
  // (and the slot objects queued calls still hold) die on the thread that delivers them.
  delete worker_;
  worker_ = nullptr;
  delete thread_;
  thread_ = nullptr;
}

bool TrainingController::start(const RunConfig& cfg, const QString& runFile, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = why;
    return false;
  };
  if (isActive()) return fail(tr("A run is already in progress."));
  if (QFileInfo::exists(runFile)) return fail(tr("The run file %1 already exists.").arg(runFile));
  const QString dir = QFileInfo(runFile).absolutePath();
  if (!QDir().mkpath(dir)) return fail(tr("Cannot create the run folder %1.").arg(dir));
  return launch(cfg, runFile, false, error);
}

bool TrainingController::resumeRun(const QString& runFile, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = why;
    return false;
  };
  if (isActive()) return fail(tr("A run is already in progress."));
  const QString abs = QFileInfo(runFile).absoluteFilePath();
  RunConfig cfg;
  try {  // the checks of muonscope-cli train --resume; the checkpoint is the worker's
    RunReader r(abs.toStdString());
    if (r.writer_alive()) return fail(tr("%1 is being written by a running training.").arg(abs));
    if (r.status() == RunStatus::Finished)
      return fail(tr("%1 finished all %2 steps; there is nothing to resume.")
                      .arg(abs)
                      .arg(r.info().total_steps));
    try {
      cfg = config_from_json(r.info().config_json);
    } catch (const std::exception& e) {
      return fail(tr("%1: its config: %2").arg(abs, QString::fromUtf8(e.what())));
    }
  } catch (const std::exception& e) {
    return fail(QString::fromUtf8(e.what()));
  }
  return launch(cfg, abs, true, error);
}

bool TrainingController::launch(const RunConfig& cfg, const QString& runFile, bool resume,
                                QString* error) {
  std::shared_ptr<Trainer> trainer;
  try {
    trainer = std::make_shared<Trainer>(cfg);  // validates only; the heavy work is on the worker
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  reclaimThread();  // a previous run's thread has ended (state is Idle)
  cfg_ = cfg;
  runFile_ = QFileInfo(runFile).absoluteFilePath();
  lastStep_ = 0;
  fileCreated_ = false;
  infoReceived_ = false;
  resume_ = resume;
  resumedFrom_ = -1;
  trainer_ = trainer;
  pending_ = std::make_shared<PendingSteps>();

  thread_ = new QThread;
  thread_->setObjectName(QStringLiteral("muonscope-training"));
  auto* worker = worker_ = new TrainingWorker(trainer_, pending_, runFile_, kStepBatchMs, resume);
  worker->moveToThread(thread_);
  connect(thread_, &QThread::started, worker, &TrainingWorker::run);
  connect(worker, &TrainingWorker::info, this, &TrainingController::onWorkerInfo,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::history, this, &TrainingController::onWorkerHistory,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::steps, this, &TrainingController::onWorkerSteps,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::val, this, &TrainingController::onWorkerVal,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::snapshot, this, &TrainingController::onWorkerSnapshot,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::done, this, &TrainingController::onWorkerDone,
          Qt::QueuedConnection);
  connect(worker, &TrainingWorker::done, thread_, &QThread::quit, Qt::DirectConnection);
  setState(State::Preparing);
  thread_->start();
  emit started(runFile_);
  return true;
}

bool TrainingController::waitForThread(int timeoutMs) {
  if (!thread_) return true;
  return thread_->wait(QDeadlineTimer(timeoutMs));
}

int64_t TrainingController::pausedAtStep() const {
  if (!trainer_ || state_ != State::Paused || !trainer_->is_waiting_in_pause()) return -1;
  return trainer_->current_step();
}

void TrainingController::pause() {
  if (!trainer_ || (state_ != State::Running && state_ != State::Preparing)) return;
  trainer_->pause();
  setState(State::Paused);
}

void TrainingController::resume() {
  if (!trainer_ || state_ != State::Paused) return;
  trainer_->resume();
  setState(infoReceived_ ? State::Running : State::Preparing);
}

void TrainingController::togglePause() {
  if (state_ == State::Paused)
    resume();
  else
    pause();
}

void TrainingController::stop() {
  if (!trainer_ || state_ == State::Idle || state_ == State::Stopping) return;
  trainer_->stop();  // also wakes a paused trainer
  setState(State::Stopping);
}

void TrainingController::drainPendingSteps() {
  if (!pending_) return;
  std::lock_guard<std::mutex> lk(pending_->mu);
  if (pending_->steps.empty()) return;
  std::vector<StepRecord> batch;
  batch.swap(pending_->steps);
  // Through the event queue, behind any batch the worker posted before it released the lock.
  QMetaObject::invokeMethod(
      this, [this, batch = std::move(batch)] { onWorkerSteps(batch); }, Qt::QueuedConnection);
}

void TrainingController::syncWithWorker() {
  if (!pending_) return;
  std::lock_guard<std::mutex> lk(pending_->mu);  // released at once; see PendingSteps
}

void TrainingController::onWorkerInfo(const RunInfo& info) {
  syncWithWorker();
  fileCreated_ = true;
  infoReceived_ = true;
  if (state_ == State::Preparing) setState(State::Running);
  emit infoReady(info);
}

void TrainingController::onWorkerHistory(const RunHistory& history) {
  syncWithWorker();
  resumedFrom_ = history.step;
  lastStep_ = history.step;
  emit resumed(history);
}

void TrainingController::onWorkerSteps(const std::vector<StepRecord>& steps) {
  syncWithWorker();
  if (steps.empty()) return;
  lastStep_ = steps.back().step;
  emit stepsReady(steps);
}

void TrainingController::onWorkerVal(const ValRecord& val) {
  syncWithWorker();
  emit valReady(val);
}

void TrainingController::onWorkerSnapshot(const Snapshot& snapshot) {
  syncWithWorker();
  emit snapshotReady(snapshot);
}

void TrainingController::onWorkerDone(RunStatus status, const QString& message, bool fileCreated) {
  syncWithWorker();
  fileCreated_ = fileCreated;
  trainer_.reset();
  pending_.reset();
  reclaimThread();  // done was the worker's last signal; its thread is ending now
  setState(State::Idle);
  emit finished(status, message, runFile_);
}

void TrainingController::setState(State s) {
  if (s == state_) return;
  state_ = s;
  if (s == State::Paused || s == State::Stopping)
    drainTimer_.start();
  else
    drainTimer_.stop();
  emit stateChanged(s);
}

}  // namespace ms
