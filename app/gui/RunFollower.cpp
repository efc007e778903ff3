// RunFollower: run file -> RunModel, with live tailing (see RunFollower.h).
#include "RunFollower.h"

#include <QFileInfo>

#include "RunModel.h"
#include "store/RunReader.h"

namespace ms {

RunFollower::RunFollower(RunModel* model, QObject* parent) : QObject(parent), model_(model) {
  timer_.setInterval(kPollMs);
  connect(&timer_, &QTimer::timeout, this, &RunFollower::poll);
}

RunFollower::~RunFollower() = default;

bool RunFollower::open(const QString& path, QString* error) {
  close();
  model_->clear();
  try {
    reader_ = std::make_unique<RunReader>(path.toStdString());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  path_ = QFileInfo(path).absoluteFilePath();
  model_->setDisplayName(QFileInfo(path).completeBaseName());
  model_->setInfo(reader_->info());
  steps_ = vals_ = 0;
  snapshots_ = 0;
  try {
    appendNew();
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    reader_.reset();
    model_->clear();
    return false;
  }
  if (reader_->status() == RunStatus::Running) {
    timer_.start();
    emit followingChanged(true);
  }
  return true;
}

void RunFollower::close() {
  const bool was = timer_.isActive();
  timer_.stop();
  reader_.reset();
  path_.clear();
  if (was) emit followingChanged(false);
}

void RunFollower::appendNew() {
  RunReader& r = *reader_;
  const int64_t ns = r.num_steps();
  if (ns > steps_) {
    model_->appendSteps(r.steps(steps_, ns));
    steps_ = ns;
  }
  if (r.num_vals() > vals_) {
    const std::vector<ValRecord> all = r.vals();
    if (static_cast<int64_t>(all.size()) > vals_) {
      model_->appendVals(std::vector<ValRecord>(all.begin() + vals_, all.end()));
      vals_ = static_cast<int64_t>(all.size());
    }
  }
  if (r.num_snapshots() > snapshots_)
    for (Snapshot& s : r.snapshots(snapshots_, r.num_snapshots())) model_->appendSnapshot(s);
  snapshots_ = std::max(snapshots_, r.num_snapshots());
  const RunStatus st = r.status();
  const QString msg = QString::fromStdString(r.status_message());
  if (st != model_->status() || msg != model_->statusMessage()) model_->setStatus(st, msg);
}

void RunFollower::poll() {
  if (!reader_) return;
  try {
    if (reader_->refresh()) {
      appendNew();
      emit updated();
    }
  } catch (const std::exception& e) {
    timer_.stop();
    emit followingChanged(false);
    emit readFailed(QString::fromUtf8(e.what()));
    return;
  }
  if (reader_->status() != RunStatus::Running) {
    timer_.stop();
    emit followingChanged(false);
  }
}

}  // namespace ms
