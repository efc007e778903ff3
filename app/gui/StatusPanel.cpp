// StatusPanel: progress, step, throughput and ETA in the status bar (see StatusPanel.h).
#include "StatusPanel.h"
#include "common/Duration.h"
#include "train/CpuCores.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <cmath>
#include <numeric>

namespace ms {

namespace {
constexpr qint64 kWindowMs = 30000;
constexpr size_t kRateSteps = 20;
}  // namespace

StatusPanel::StatusPanel(QWidget* parent) : QWidget(parent) {
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  stateLabel_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setTextVisible(true);
  progress_->setFixedWidth(180);
  stepLabel_ = new QLabel;
  rateLabel_ = new QLabel;
  etaLabel_ = new QLabel;
  threadsLabel_ = new QLabel;
  threadsLabel_->setObjectName(QStringLiteral("statusThreads"));
  threadsLabel_->setToolTip(
      tr("CPU threads of the last step. With train.threads = 0 (the default) Muonscope picks "
         "between 1 and %1 from the measured step times: all cores on an idle machine, fewer "
         "when other programs compete for them.")
          .arg(QString::fromStdString(count_cores().describe())));
  stateLabel_->setObjectName(QStringLiteral("statusState"));
  stepLabel_->setObjectName(QStringLiteral("statusStep"));
  rateLabel_->setObjectName(QStringLiteral("statusRate"));
  etaLabel_->setObjectName(QStringLiteral("statusEta"));
  rateLabel_->setToolTip(tr("Training throughput of the last steps"));
  etaLabel_->setToolTip(tr("Estimated time to the last step, snapshots included"));
  lay->addWidget(stateLabel_);
  lay->addWidget(progress_);
  lay->addWidget(stepLabel_);
  lay->addWidget(rateLabel_);
  lay->addWidget(threadsLabel_);
  lay->addWidget(etaLabel_);
  clear();
}

void StatusPanel::clear() {
  step_ = total_ = 0;
  tokensPerS_ = 0;
  threads_ = 0;
  eta_ = kNaN;
  window_.clear();
  recentRates_.clear();
  stateLabel_->setText(tr("Idle"));
  progress_->setValue(0);
  updateLabels();
}

void StatusPanel::startRun(int64_t totalSteps, int64_t fromStep) {
  clear();
  total_ = totalSteps;
  step_ = fromStep;
  clock_.start();
  window_.emplace_back(0, fromStep);
  updateLabels();
}

void StatusPanel::restartRateWindow() {
  window_.clear();
  if (clock_.isValid()) window_.emplace_back(clock_.elapsed(), step_);
}

void StatusPanel::addSteps(const std::vector<StepRecord>& steps) {
  if (steps.empty()) return;
  if (!clock_.isValid()) clock_.start();
  for (const StepRecord& r : steps) {
    recentRates_.push_back(r.tokens_per_s);
    if (recentRates_.size() > kRateSteps) recentRates_.pop_front();
  }
  step_ = steps.back().step;
  threads_ = static_cast<int>(steps.back().threads);
  tokensPerS_ = recentRates_.empty()
                    ? 0
                    : std::accumulate(recentRates_.begin(), recentRates_.end(), 0.0) /
                          static_cast<double>(recentRates_.size());
  const qint64 now = clock_.elapsed();
  window_.emplace_back(now, step_);
  while (window_.size() > 2 && now - window_.front().first > kWindowMs) window_.pop_front();
  eta_ = kNaN;
  if (window_.size() >= 2) {
    const double dt = (window_.back().first - window_.front().first) / 1000.0;
    const double ds = static_cast<double>(window_.back().second - window_.front().second);
    if (ds > 0 && dt > 0) eta_ = static_cast<double>(total_ - step_) * dt / ds;
  }
  updateLabels();
}

void StatusPanel::showStatic(int64_t step, int64_t totalSteps) {
  clear();
  step_ = step;
  total_ = totalSteps;
  updateLabels();
}

void StatusPanel::setStateText(const QString& text) {
  stateLabel_->setText(text);
}

void StatusPanel::updateLabels() {
  const double frac = total_ > 0 ? static_cast<double>(step_) / static_cast<double>(total_) : 0;
  progress_->setValue(static_cast<int>(std::lround(1000 * std::min(1.0, std::max(0.0, frac)))));
  progress_->setFormat(QStringLiteral("%1%").arg(std::lround(100 * frac)));
  stepLabel_->setText(total_ > 0 ? tr("Step %1 / %2").arg(step_).arg(total_) : QString());
  rateLabel_->setText(tokensPerS_ > 0 ? formatRate(tokensPerS_) : QString());
  threadsLabel_->setText(threads_ <= 0   ? QString()
                         : threads_ == 1 ? tr("1 thread")
                                         : tr("%1 threads").arg(threads_));
  etaLabel_->setText(std::isfinite(eta_) ? tr("ETA %1").arg(formatDuration(eta_)) : QString());
}

QString StatusPanel::formatDuration(double s) {
  return QString::fromStdString(format_duration(s));
}

QString StatusPanel::formatRate(double v) {
  if (v >= 1e6) return tr("%1M tok/s").arg(v / 1e6, 0, 'f', 2);
  if (v >= 1e3) return tr("%1k tok/s").arg(v / 1e3, 0, 'f', 1);
  return tr("%1 tok/s").arg(v, 0, 'f', 0);
}

}  // namespace ms
