// InspectController: runs one checkpoint inspection (checkpoints -> run file, see
// core/ckpt/Inspector.h) at a time on a background QThread, like TrainingController does for
// training: the worker object lives on that thread, its signals reach this object as queued
// calls, and the worker and its thread are deleted here, on the GUI thread, once the thread has
// ended. Progress arrives with an ETA measured on the GUI thread. cancel() only sets an atomic
// flag that the inspector polls between checkpoints: the run file keeps what was measured and
// ends with status "stopped". Torch-free header.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "ckpt/Inspector.h"
#include "train/Snapshot.h"

class QThread;

namespace ms {

class InspectWorker;

class InspectController : public QObject {
  Q_OBJECT
 public:
  explicit InspectController(QObject* parent = nullptr);
  // Cancels an inspection still in progress and waits for its thread (the file is finalized).
  ~InspectController() override;

  // Starts writing options.out from options.inputs on a worker thread. Returns false with
  // *error when an inspection is already active, there is nothing to inspect, or the run file
  // exists (and options.overwrite is off). Checkpoint errors arrive through finished(Failed).
  bool start(const InspectOptions& options, QString* error = nullptr);

  bool isActive() const { return thread_ != nullptr; }
  // Thread-safe (it only sets an atomic flag): the inspection stops before the next checkpoint
  // or phase, and finished(Stopped, ...) follows.
  void cancel();
  bool isCancelling() const { return cancel_ && cancel_->load(); }
  QString runFile() const { return runFile_; }
  int done() const { return done_; }
  int total() const { return total_; }

  // For tests: called on the worker thread at every progress report (done of total) before
  // the report is posted, e.g. to cancel at an exact checkpoint. Applies to the next start().
  void setProgressHook(std::function<void(int done, int total)> hook) { hook_ = std::move(hook); }

 signals:
  void started(const QString& runFile);
  // Before each checkpoint (done of total, `what` = "loading <path>" / "measuring <path>") and
  // once at the end; etaSeconds is NaN until a checkpoint has been measured.
  void progress(int done, int total, const QString& what, double etaSeconds);
  void warning(const QString& text);
  // The inspection ended and the file is closed; `snapshots` = checkpoints measured into it.
  void finished(ms::RunStatus status, const QString& message, const QString& runFile,
                int snapshots);

 private slots:
  void onWorkerProgress(int done, int total, const QString& what);
  void onWorkerDone(ms::RunStatus status, const QString& message, int snapshots);

 private:
  // Waits for the worker thread (if any), then deletes the worker and the thread.
  void reclaimThread();

  QString runFile_;
  int done_ = 0, total_ = 0;
  QElapsedTimer clock_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::function<void(int, int)> hook_;
  QThread* thread_ = nullptr;
  InspectWorker* worker_ = nullptr;  // lives on thread_; deleted by reclaimThread()
};

}  // namespace ms
