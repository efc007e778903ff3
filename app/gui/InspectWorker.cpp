// InspectWorker: one inspection on the inspection thread (see InspectWorker.h).
#include "InspectWorker.h"

#include <exception>

#include "TsanSync.h"

namespace ms {

InspectWorker::InspectWorker(InspectOptions options, std::shared_ptr<std::atomic<bool>> cancel,
                             std::function<void(int, int)> hook)
    : options_(std::move(options)), cancel_(std::move(cancel)), hook_(std::move(hook)) {}

void InspectWorker::run() {
  InspectCallbacks cb;
  cb.progress = [this](int done, int total, const std::string& what) {
    if (hook_) hook_(done, total);
    emit progress(done, total, QString::fromStdString(what));
  };
  cb.cancelled = [this] { return cancel_->load(); };
  cb.warning = [this](const std::string& w) { emit warning(QString::fromStdString(w)); };
  InspectResult r;
  try {
    r = inspect_checkpoints(options_, cb);  // never throws by contract; a callback might
  } catch (const std::exception& e) {
    r.status = RunStatus::Failed;
    r.message = e.what();
  }
  emit done(r.status, QString::fromStdString(r.message), static_cast<int>(r.checkpoints.size()));
  // Last on this thread: everything above precedes InspectController::reclaimThread()'s wait().
  tsan::release(this);
}

}  // namespace ms
