// TrainingWorker: one run on the training thread (see TrainingWorker.h). The run file is
// created only after prepare() succeeded, exactly like muonscope-cli: a config or data error
// leaves no file behind, while a run that fails later (NaN loss, LibTorch error) keeps its file
// with status "failed" and the message. A resume changes the file only once the checkpoint has
// been loaded (RunWriter::reopen); every refusal before that leaves it as it was.
#include "TrainingWorker.h"

#include <QDateTime>
#include <algorithm>
#include <exception>
#include <memory>

#include "TsanSync.h"
#include "store/RunReader.h"
#include "store/RunWriter.h"
#include "train/Trainer.h"

namespace ms {

TrainingWorker::TrainingWorker(std::shared_ptr<Trainer> trainer,
                               std::shared_ptr<PendingSteps> pending, QString runFile, int batchMs,
                               bool resume)
    : trainer_(std::move(trainer)),
      pending_(std::move(pending)),
      runFile_(std::move(runFile)),
      batchMs_(batchMs),
      resume_(resume) {}

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

std::unique_ptr<RunWriter> TrainingWorker::reopenForResume(const RunInfo& ri) {
  const std::string path = runFile_.toStdString();
  const std::string folder = checkpoint_dir_for(path);
  int64_t lastRow = 0;  // the newest checkpoint must not be newer than the file's rows
  {
    RunReader r(path);
    if (r.writer_alive()) throw StoreError(path + ": is being written by a running training");
    const int64_t n = r.num_steps();
    if (n > 0) lastRow = r.steps(n - 1, n).at(0).step;
  }
  const int64_t from = trainer_->resume_from(folder, lastRow);  // before the file changes
  RunInfo stored;
  RunHistory kept;
  {
    // The rows RunWriter::reopen keeps (every row group's step <= the checkpoint's step), read
    // before it opens the file for writing.
    RunReader r(path);
    stored = r.info();
    kept.step = from;
    kept.steps = r.steps();
    kept.steps.erase(std::remove_if(kept.steps.begin(), kept.steps.end(),
                                    [from](const StepRecord& s) { return s.step > from; }),
                     kept.steps.end());
    kept.vals = r.vals();
    kept.vals.erase(std::remove_if(kept.vals.begin(), kept.vals.end(),
                                   [from](const ValRecord& v) { return v.step > from; }),
                    kept.vals.end());
    const std::vector<int64_t> at = r.snapshot_steps();
    const int keep = static_cast<int>(
        std::count_if(at.begin(), at.end(), [from](int64_t s) { return s <= from; }));
    if (keep > 0) kept.snapshots = r.snapshots(0, keep);
  }
  std::unique_ptr<RunWriter> writer = RunWriter::reopen(path, ri, from);
  RunInfo shown = ri;  // what the file's attributes say now
  shown.resumed_at = stored.resumed_at;
  shown.resumed_at.push_back(from);
  shown.resume_times = stored.resume_times;
  shown.resume_times.resize(stored.resumed_at.size());
  shown.resume_times.push_back(QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString());
  {
    std::lock_guard<std::mutex> lk(pending_->mu);
    emit info(shown);
    emit history(kept);
  }
  return writer;
}

void TrainingWorker::runAndReport() {
  std::unique_ptr<RunWriter> writer;
  bool begun = false;  // the file holds a run (a writer that never began removes its file)
  RunStatus status = RunStatus::Failed;
  QString message;
  try {
    const RunInfo& ri = trainer_->prepare();  // data and shapes: errors before any file changes
    trainer_->set_checkpoint_dir(checkpoint_dir_for(runFile_.toStdString()));
    if (resume_) {
      writer = reopenForResume(ri);
      begun = true;
    } else {
      writer = std::make_unique<RunWriter>(runFile_.toStdString(), false);
      writer->begin(ri);
      begun = true;
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
    // A checkpoint is never newer than the file's rows (so a resume finds them all).
    cb.on_checkpoint = [&](int64_t) { writer->flush(); };
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
