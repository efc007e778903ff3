// SnapshotSlider: snapshot scrubber with follow-the-latest behaviour (see SnapshotSlider.h).
#include "SnapshotSlider.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

namespace ms {

SnapshotSlider::SnapshotSlider(QWidget* parent) : QWidget(parent) {
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(new QLabel(tr("Snapshot:"), this));
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, 0);
  slider_->setEnabled(false);
  slider_->setToolTip(tr("Scrub through the snapshots; at the right end it follows the latest"));
  lay->addWidget(slider_, 1);
  label_ = new QLabel(this);
  label_->setMinimumWidth(
      label_->fontMetrics().horizontalAdvance(QStringLiteral("00000/00000 · step 0000000")));
  lay->addWidget(label_);
  connect(slider_, &QSlider::valueChanged, this, &SnapshotSlider::onSliderMoved);
  updateLabel();
}

int SnapshotSlider::index() const {
  if (steps_.empty()) return -1;
  return follow_ ? count() - 1 : std::min(fixed_, count() - 1);
}

void SnapshotSlider::setSnapshots(const std::vector<Snapshot>& snapshots) {
  const int before = index();
  steps_.clear();
  steps_.reserve(snapshots.size());
  for (const auto& s : snapshots) steps_.push_back(s.step);
  {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max(0, count() - 1));
    slider_->setEnabled(count() > 1);
    if (index() >= 0) slider_->setValue(index());
  }
  updateLabel();
  if (index() != before) emit indexChanged(index());
}

void SnapshotSlider::setIndex(int index) {
  const int before = this->index();
  // Before any snapshot exists a non-negative index is kept as a fixed choice.
  follow_ = index < 0 || (count() > 0 && index >= count() - 1);
  if (!follow_) fixed_ = index;
  {
    const QSignalBlocker block(slider_);
    if (this->index() >= 0) slider_->setValue(this->index());
  }
  updateLabel();
  if (this->index() != before) emit indexChanged(this->index());
}

void SnapshotSlider::onSliderMoved(int value) {
  setIndex(value);
}

void SnapshotSlider::updateLabel() {
  const int i = index();
  if (i < 0) {
    label_->setText(tr("none yet"));
    return;
  }
  label_->setText(tr("%1/%2 · step %3").arg(i + 1).arg(count()).arg(steps_[i]));
}

}  // namespace ms
