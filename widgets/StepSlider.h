// StepSlider: one slider over the snapshot steps of several runs (the sorted union of
// their steps), so a single handle moves every compared run to the same training step; each
// view then shows, per run, the snapshot nearest to that step. At the right end it follows the
// latest step as runs that are still being written add snapshots.
#pragma once

#include <QWidget>
#include <cstdint>
#include <vector>

class QLabel;
class QSlider;

namespace ms {

class StepSlider : public QWidget {
  Q_OBJECT
 public:
  explicit StepSlider(QWidget* parent = nullptr);

  // Takes the selectable steps (sorted, distinct). Keeps following the latest when it was.
  // Emits stepChanged when the resolved step changes.
  void setSteps(const std::vector<int64_t>& steps);
  const std::vector<int64_t>& steps() const { return steps_; }
  // The selected step; -1 when there are no steps.
  int64_t step() const;
  bool followsLatest() const { return follow_; }
  QSlider* slider() const { return slider_; }

 public slots:
  // Selects the listed step nearest to `step`; step < 0 (or the last step) follows the latest.
  void setStep(qint64 step);

 signals:
  void stepChanged(qint64 step);

 private:
  void updateLabel();

  QSlider* slider_ = nullptr;
  QLabel* label_ = nullptr;
  std::vector<int64_t> steps_;
  bool follow_ = true;
  int64_t fixed_ = 0;  // the wanted step when not following
};

}  // namespace ms
