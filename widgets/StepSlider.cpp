// StepSlider: a step scrubber shared by the compared runs (see StepSlider.h).
#include "StepSlider.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>
#include <cstdlib>

namespace ms {

StepSlider::StepSlider(QWidget* parent) : QWidget(parent) {
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(new QLabel(tr("Step:"), this));
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, 0);
  slider_->setEnabled(false);
  slider_->setToolTip(
      tr("Moves every run to the same step (each shows its nearest snapshot); at the right "
         "end it follows the latest"));
  lay->addWidget(slider_, 1);
  label_ = new QLabel(this);
  label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance(QStringLiteral("step 0000000")));
  lay->addWidget(label_);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) {
    if (v >= 0 && v < static_cast<int>(steps_.size())) setStep(steps_[v]);
  });
  updateLabel();
}

int64_t StepSlider::step() const {
  if (steps_.empty()) return -1;
  if (follow_) return steps_.back();
  // The listed step nearest to the wanted one.
  int64_t best = steps_.front();
  for (int64_t s : steps_)
    if (std::llabs(s - fixed_) < std::llabs(best - fixed_)) best = s;
  return best;
}

void StepSlider::setSteps(const std::vector<int64_t>& steps) {
  const int64_t before = step();
  steps_ = steps;
  {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max(0, static_cast<int>(steps_.size()) - 1));
    slider_->setEnabled(steps_.size() > 1);
    const auto it = std::find(steps_.begin(), steps_.end(), step());
    if (it != steps_.end()) slider_->setValue(static_cast<int>(it - steps_.begin()));
  }
  updateLabel();
  if (step() != before) emit stepChanged(step());
}

void StepSlider::setStep(qint64 step) {
  const int64_t before = this->step();
  follow_ = step < 0 || (!steps_.empty() && step >= steps_.back());
  if (!follow_) fixed_ = step;
  {
    const QSignalBlocker block(slider_);
    const auto it = std::find(steps_.begin(), steps_.end(), this->step());
    if (it != steps_.end()) slider_->setValue(static_cast<int>(it - steps_.begin()));
  }
  updateLabel();
  if (this->step() != before) emit stepChanged(this->step());
}

void StepSlider::updateLabel() {
  const int64_t s = step();
  label_->setText(s < 0 ? tr("none yet") : tr("step %1").arg(s));
}

}  // namespace ms
