// RunModel: storage and change signals for one run (see RunModel.h).
#include "RunModel.h"

namespace ms {

RunModel::RunModel(QObject* parent) : QObject(parent) {
  registerMetaTypes();
}

void RunModel::registerMetaTypes() {
  qRegisterMetaType<ms::RunInfo>("ms::RunInfo");
  qRegisterMetaType<ms::StepRecord>("ms::StepRecord");
  qRegisterMetaType<ms::ValRecord>("ms::ValRecord");
  qRegisterMetaType<ms::Snapshot>("ms::Snapshot");
  qRegisterMetaType<ms::RunStatus>("ms::RunStatus");
  qRegisterMetaType<std::vector<ms::StepRecord>>("std::vector<ms::StepRecord>");
  qRegisterMetaType<std::vector<ms::ValRecord>>("std::vector<ms::ValRecord>");
}

int RunModel::layerCount() const {
  if (info_.n_layer > 0) return info_.n_layer;
  return snapshots_.empty() ? 0 : static_cast<int>(snapshots_.front().layers.size());
}

int RunModel::headCount() const {
  if (info_.n_head > 0) return info_.n_head;
  if (snapshots_.empty() || snapshots_.front().layers.empty()) return 0;
  return static_cast<int>(snapshots_.front().layers.front().pr_sv[kActK].size());
}

std::vector<std::string> RunModel::matrixNames() const {
  if (!info_.matrix_names.empty()) return info_.matrix_names;
  return snapshots_.empty() ? std::vector<std::string>{} : snapshots_.back().matrix_names;
}

void RunModel::setInfo(const RunInfo& info) {
  info_ = info;
  emit infoChanged();
}

void RunModel::appendSteps(const std::vector<StepRecord>& steps) {
  if (steps.empty()) return;
  const int first = static_cast<int>(steps_.size());
  steps_.insert(steps_.end(), steps.begin(), steps.end());
  emit stepsAppended(first, static_cast<int>(steps.size()));
}

void RunModel::appendStep(const StepRecord& step) {
  steps_.push_back(step);
  emit stepsAppended(static_cast<int>(steps_.size()) - 1, 1);
}

void RunModel::appendVal(const ValRecord& val) {
  vals_.push_back(val);
  emit valsAppended(static_cast<int>(vals_.size()) - 1, 1);
}

void RunModel::appendVals(const std::vector<ValRecord>& vals) {
  if (vals.empty()) return;
  const int first = static_cast<int>(vals_.size());
  vals_.insert(vals_.end(), vals.begin(), vals.end());
  emit valsAppended(first, static_cast<int>(vals.size()));
}

void RunModel::appendSnapshot(const Snapshot& snapshot) {
  snapshots_.push_back(snapshot);
  emit snapshotAppended(static_cast<int>(snapshots_.size()) - 1);
}

void RunModel::setStatus(RunStatus status, const QString& message) {
  if (status == status_ && message == statusMessage_) return;
  status_ = status;
  statusMessage_ = message;
  emit statusChanged(status_, statusMessage_);
}

void RunModel::setDisplayName(const QString& name) {
  if (name == displayName_) return;
  displayName_ = name;
  emit displayNameChanged(displayName_);
}

void RunModel::clear() {
  info_ = RunInfo{};
  steps_.clear();
  vals_.clear();
  snapshots_.clear();
  const bool statusDiffers = status_ != RunStatus::Running || !statusMessage_.isEmpty();
  status_ = RunStatus::Running;
  statusMessage_.clear();
  emit cleared();
  emit infoChanged();
  if (statusDiffers) emit statusChanged(status_, statusMessage_);
}

}  // namespace ms
