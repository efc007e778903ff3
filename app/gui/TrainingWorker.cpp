// TrainingWorker: one run on the training thread (see TrainingWorker.h). The run file is
// created only after prepare() succeeded, exactly like muonscope-cli: a config or data error
// leaves no file behind, while a run that fails later (NaN loss, LibTorch error) keeps its file
// with status "failed" and the message.
#include "TrainingWorker.h"

#include <exception>
#include <optional>

#include "TsanSync.h"
#include "store/RunWriter.h"
#include "train/Trainer.h"

namespace ms {

TrainingWorker::TrainingWorker(std::shared_ptr<Trainer> trainer,
                               std::shared_ptr<PendingSteps> pending, QString runFile, int batchMs)
    : trainer_(std::move(trainer)),
      pending_(std::move(pending)),
      runFile_(std::move(runFile)),
      batchMs_(batchMs) {}

void TrainingWorker::flushSteps(bool force) {
  std::lock_guard<std::mutex> lk(pending_->mu);
  if (pending_->steps.empty()) return;
  if (!force && sinceFlush_.isValid() && sinceFlush_.elapsed() < batchMs_) return;
  std::vector<StepRecord> batch;
  batch.swap(pending_->steps);
  emit steps(batch);  // queued: posted while holding the lock, so batches stay in order
  sinceFlush_.restart();
}

void TrainingWorker::run() {
  runAndReport();
  // Last on this thread: everything above (done's direct call to QThread::quit included)
  // precedes TrainingController::reclaimThread()'s wait() (see TsanSync.h).
  tsan::release(this);
}

void TrainingWorker::runAndReport() {
  std::optional<RunWriter> writer;
  bool begun = false;  // the file holds a run (a writer that never began removes its file)
  RunStatus status = RunStatus::Failed;
  QString message;
  try {
    const RunInfo& ri = trainer_->prepare();
    writer.emplace(runFile_.toStdString(), false);
    writer->begin(ri);
    begun = true;
    trainer_->set_checkpoint_dir(checkpoint_dir_for(runFile_.toStdString()));
    {
      std::lock_guard<std::mutex> lk(pending_->mu);
      emit info(ri);
    }
    sinceFlush_.start();

    const int64_t total = ri.total_steps;
    Trainer::Callbacks cb;
    cb.on_step = [&](const StepRecord& r) {
      writer->append_step(r);
      {
        std::lock_guard<std::mutex> lk(pending_->mu);
        pending_->steps.push_back(r);
      }
      // A pause takes effect before the next step: write and show everything up to it now.
      const bool paused = trainer_->is_paused();
      if (paused) writer->flush();
      flushSteps(r.step == total || paused);
    };
    cb.on_val = [&](const ValRecord& v) {
      writer->append_val(v);
      flushSteps(true);
      std::lock_guard<std::mutex> lk(pending_->mu);
      emit val(v);
    };
    cb.on_snapshot = [&](const Snapshot& s) {
      writer->append_snapshot(s);
      flushSteps(true);
      std::lock_guard<std::mutex> lk(pending_->mu);
      emit snapshot(s);
    };
    status = trainer_->run(cb);
    message = QString::fromStdString(trainer_->message());
  } catch (const std::exception& e) {
    status = RunStatus::Failed;
    message = QString::fromUtf8(e.what());
  } catch (...) {
    status = RunStatus::Failed;
    message = QStringLiteral("unknown error");
  }
  flushSteps(true);
  if (writer) {
    try {
      writer->finish(status, message.toStdString());
    } catch (const std::exception& e) {
      status = RunStatus::Failed;
      message += QStringLiteral("; finalizing the run file failed: ") + QString::fromUtf8(e.what());
    }
    writer.reset();
  }
  std::lock_guard<std::mutex> lk(pending_->mu);
  emit done(status, message, begun);
}

}  // namespace ms
