// RunFollower: run file -> RunModel, with live tailing (see RunFollower.h).
#include "RunFollower.h"

#include <QFileInfo>

#include "RunModel.h"
#include "store/RunReader.h"

namespace ms {

RunFollower::RunFollower(RunModel* model, QObject* parent) : QObject(parent), model_(model) {
  timer_.setInterval(kPollMs);
  connect(&timer_, &QTimer::timeout, this, &RunFollower::poll);
  loadTimer_.setInterval(0);
  connect(&loadTimer_, &QTimer::timeout, this, &RunFollower::loadMore);
}

RunFollower::~RunFollower() = default;

bool RunFollower::open(const QString& path, QString* error, Loading loading) {
  close();
  streamed_ = loading == Streamed;
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
  if (snapshots_ < reader_->num_snapshots())
    loadTimer_.start();  // the rest of a streamed load; following starts after it
  else
    startFollowing();
  return true;
}

void RunFollower::startFollowing() {
  if (reader_ && reader_->status() == RunStatus::Running && !timer_.isActive()) {
    timer_.start();
    emit followingChanged(true);
  }
}

void RunFollower::loadMore() {
  if (!reader_) {
    loadTimer_.stop();
    return;
  }
  try {
    appendNew();
  } catch (const std::exception& e) {
    loadTimer_.stop();
    emit readFailed(QString::fromUtf8(e.what()));
    return;
  }
  emit updated();
  if (snapshots_ >= reader_->num_snapshots()) {
    loadTimer_.stop();
    emit loaded();
    startFollowing();
  }
}

void RunFollower::close() {
  const bool was = timer_.isActive();
  timer_.stop();
  loadTimer_.stop();
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
  // Streamed: a chunk at a time, in step order (the views show what has arrived).
  const int target =
      streamed_ ? std::min(r.num_snapshots(), snapshots_ + kSnapshotChunk) : r.num_snapshots();
  if (target > snapshots_)
    for (Snapshot& s : r.snapshots(snapshots_, target)) model_->appendSnapshot(s);
  snapshots_ = std::max(snapshots_, target);
  const RunStatus st = r.status();
  const QString msg = QString::fromStdString(r.status_message());
  if (st != model_->status() || msg != model_->statusMessage()) model_->setStatus(st, msg);
}

void RunFollower::poll() {
  if (!reader_) return;
  try {
    if (reader_->refresh() || snapshots_ < reader_->num_snapshots()) {
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
