// InspectWorker: the object that lives on the inspection thread. run() calls
// ms::inspect_checkpoints (core/ckpt/Inspector.h) and reports its progress, warnings and result
// through signals, which reach the InspectController in the GUI thread as queued calls. The
// cancel flag is shared with the controller: the GUI thread sets it, the inspector polls it
// between checkpoints and phases. Internal to InspectController.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "ckpt/Inspector.h"
#include "train/Snapshot.h"

namespace ms {

class InspectWorker : public QObject {
  Q_OBJECT
 public:
  // `hook`, when set, is called on this worker's thread at each progress report, before the
  // report is posted (see InspectController::setProgressHook).
  InspectWorker(InspectOptions options, std::shared_ptr<std::atomic<bool>> cancel,
                std::function<void(int done, int total)> hook);

 public slots:
  void run();

 signals:
  void progress(int done, int total, const QString& what);
  void warning(const QString& text);
  // The last signal: status Finished, Stopped or Failed; `snapshots` = checkpoints measured.
  void done(ms::RunStatus status, const QString& message, int snapshots);

 private:
  InspectOptions options_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::function<void(int, int)> hook_;
};

}  // namespace ms
