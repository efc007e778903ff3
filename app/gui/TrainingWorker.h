// TrainingWorker: the object that lives on the training thread. run() does
// Trainer::prepare() -> RunWriter(path) -> begin(info) -> Trainer::run(callbacks) ->
// finish(status, message) and reports through signals, which reach the TrainingController in
// the GUI thread as queued calls. A resume (muonscope-cli train --resume's order) does
// Trainer::prepare() -> the file's last step row -> Trainer::resume_from(RUN.ckpt) -> the rows
// it keeps (history) -> RunWriter::reopen -> Trainer::run, so a refused resume (no checkpoint,
// a changed config, a damaged state) leaves the file untouched. Internal to TrainingController.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>
#include <mutex>
#include <vector>

#include "TrainingController.h"
#include "train/RunConfig.h"
#include "train/Snapshot.h"

namespace ms {

class RunWriter;
class Trainer;

// Step records not yet sent to the GUI. The worker appends and sends batches; the GUI thread
// drains the remainder while the trainer is paused. Whoever sends does so while holding `mu`,
// so batches enter the GUI thread's event queue in step order. The worker emits every signal
// while holding `mu`, and the controller takes `mu` once before it reads a signal's arguments:
// the copy of the arguments made inside the emit is then ordered before the read by a mutex
// of our own, not only by Qt's event-queue lock (which ThreadSanitizer cannot see).
struct PendingSteps {
  std::mutex mu;
  std::vector<StepRecord> steps;
};

class TrainingWorker : public QObject {
  Q_OBJECT
 public:
  // resume: continue the existing runFile from its newest checkpoint instead of creating it.
  TrainingWorker(std::shared_ptr<Trainer> trainer, std::shared_ptr<PendingSteps> pending,
                 QString runFile, int batchMs, bool resume = false);

 public slots:
  void run();

 signals:
  void info(const ms::RunInfo& info);
  // A resume: the rows the file keeps (up to the checkpoint's step), after info, before the
  // first new step.
  void history(const ms::RunHistory& history);
  void steps(const std::vector<ms::StepRecord>& steps);
  void val(const ms::ValRecord& val);
  void snapshot(const ms::Snapshot& snapshot);
  void done(ms::RunStatus status, const QString& message, bool fileCreated);

 private:
  void runAndReport();  // run()'s work: train, write the file, emit done
  // A resume's start: loads the checkpoint, reads the rows kept, reopens the file (see above),
  // then emits info and history. Throws what resume_from / RunReader / reopen throw; the file
  // is changed only by the reopen.
  std::unique_ptr<RunWriter> reopenForResume(const RunInfo& ri);
  // Sends the pending steps (if any). `force`: regardless of the batching interval.
  void flushSteps(bool force);

  std::shared_ptr<Trainer> trainer_;
  std::shared_ptr<PendingSteps> pending_;
  QString runFile_;
  int batchMs_;
  bool resume_ = false;
  QElapsedTimer sinceFlush_;
};

}  // namespace ms
