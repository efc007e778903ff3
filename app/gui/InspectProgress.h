// InspectProgress: the status-bar read-out of a checkpoint inspection running in the
// background: "Inspecting 2/5: <checkpoint>", a progress bar (checkpoints done of total), the
// ETA and a Cancel button. Hidden while no inspection runs; it sits beside the training
// read-out (StatusPanel), which keeps showing the run in the views.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace ms {

class InspectProgress : public QWidget {
  Q_OBJECT
 public:
  explicit InspectProgress(QWidget* parent = nullptr);

  // An inspection began (shows the widget, clears the read-out).
  void begin();
  // done of total checkpoints; `what` is the inspector's "loading <path>" / "measuring <path>";
  // etaSeconds NaN while unknown.
  void setProgress(int done, int total, const QString& what, double etaSeconds);
  // Cancel was pressed: the button is disabled until the inspection ends.
  void setCancelling();
  // The inspection ended (hides the widget).
  void end();

  QProgressBar* progressBar() const { return bar_; }
  QLabel* label() const { return label_; }
  QToolButton* cancelButton() const { return cancel_; }

 signals:
  void cancelRequested();

 private:
  QLabel* label_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* eta_ = nullptr;
  QToolButton* cancel_ = nullptr;
};

}  // namespace ms
