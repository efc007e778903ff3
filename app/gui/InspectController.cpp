// InspectController: thread ownership and ETA of one checkpoint inspection (see the header).
#include "InspectController.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <cmath>

#include "InspectWorker.h"
#include "RunModel.h"
#include "TsanSync.h"

namespace ms {

InspectController::InspectController(QObject* parent) : QObject(parent) {
  RunModel::registerMetaTypes();  // ms::RunStatus in queued connections
}

InspectController::~InspectController() {
  cancel();
  reclaimThread();
}

void InspectController::reclaimThread() {
  if (!thread_) return;
  thread_->wait();         // the inspector finishes its checkpoint and closes the run file
  tsan::acquire(worker_);  // pairs with the release at the end of InspectWorker::run()
  // Deleted here, on the thread that delivers the worker's queued signals, once its own thread
  // has ended (as TrainingController does).
  delete worker_;
  worker_ = nullptr;
  delete thread_;
  thread_ = nullptr;
}

void InspectController::cancel() {
  if (cancel_) cancel_->store(true);
}

bool InspectController::start(const InspectOptions& options, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = why;
    return false;
  };
  if (isActive()) return fail(tr("An inspection is already in progress."));
  if (options.inputs.empty()) return fail(tr("No checkpoints to inspect."));
  const QString out = QString::fromStdString(options.out);
  if (out.isEmpty()) return fail(tr("No run file to write."));
  if (!options.overwrite && QFileInfo::exists(out))
    return fail(tr("The run file %1 already exists.").arg(QDir::toNativeSeparators(out)));
  const QString dir = QFileInfo(out).absolutePath();
  if (!QDir().mkpath(dir)) return fail(tr("Cannot create the folder %1.").arg(dir));

  runFile_ = QFileInfo(out).absoluteFilePath();
  done_ = 0;
  total_ = 0;
  clock_.start();
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  InspectOptions opt = options;
  opt.out = runFile_.toStdString();

  thread_ = new QThread;
  thread_->setObjectName(QStringLiteral("muonscope-inspect"));
  auto* worker = worker_ = new InspectWorker(opt, cancel_, hook_);
  worker->moveToThread(thread_);
  connect(thread_, &QThread::started, worker, &InspectWorker::run);
  connect(worker, &InspectWorker::progress, this, &InspectController::onWorkerProgress,
          Qt::QueuedConnection);
  connect(worker, &InspectWorker::warning, this, &InspectController::warning, Qt::QueuedConnection);
  connect(worker, &InspectWorker::done, this, &InspectController::onWorkerDone,
          Qt::QueuedConnection);
  connect(worker, &InspectWorker::done, thread_, &QThread::quit, Qt::DirectConnection);
  thread_->start();
  emit started(runFile_);
  return true;
}

void InspectController::onWorkerProgress(int done, int total, const QString& what) {
  done_ = done;
  total_ = total;
  const double elapsed = clock_.elapsed() / 1000.0;
  const double eta = done > 0 && done < total ? elapsed / done * (total - done) : kNaN;
  emit progress(done, total, what, done >= total ? 0.0 : eta);
}

void InspectController::onWorkerDone(RunStatus status, const QString& message, int snapshots) {
  reclaimThread();  // done was the worker's last signal; its thread is ending now
  cancel_.reset();
  emit finished(status, message, runFile_, snapshots);
}

}  // namespace ms
