// StatusPanel: the training read-out in the status bar: state, a progress bar, "step i / n",
// training throughput (tokens/s of the last steps, as the trainer measured them) and the ETA.
// The ETA uses wall-clock time between the updates that reach the GUI over the last ~30 s, so
// it includes snapshot and validation time; a pause restarts that window.
#pragma once

#include <QElapsedTimer>
#include <QWidget>
#include <cstdint>
#include <deque>
#include <vector>

#include "train/Snapshot.h"

class QLabel;
class QProgressBar;

namespace ms {

class StatusPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StatusPanel(QWidget* parent = nullptr);

  // A new run of `totalSteps` steps begins (clears the read-out); a resumed run continues after
  // `fromStep` (the progress starts there, the ETA counts only the steps trained from now).
  void startRun(int64_t totalSteps, int64_t fromStep = 0);
  // Steps arrived (in order). Updates progress, step, tokens/s and ETA.
  void addSteps(const std::vector<StepRecord>& steps);
  // Shows a finished/reopened run: progress at `step` of `totalSteps`, no throughput or ETA.
  void showStatic(int64_t step, int64_t totalSteps);
  void setStateText(const QString& text);
  // Restart the ETA window (after a pause: the paused time is not training time).
  void restartRateWindow();
  void clear();

  int64_t step() const { return step_; }
  int64_t totalSteps() const { return total_; }
  double tokensPerSecond() const { return tokensPerS_; }
  int threads() const { return threads_; }    // intra-op threads of the last step, 0 = unknown
  double etaSeconds() const { return eta_; }  // NaN when unknown
  QProgressBar* progressBar() const { return progress_; }
  QLabel* stepLabel() const { return stepLabel_; }

  // "m:ss" or "h:mm:ss"; "--:--" for a negative or non-finite value.
  static QString formatDuration(double seconds);
  // "850 tok/s", "12.3k tok/s", "1.20M tok/s".
  static QString formatRate(double tokensPerSecond);

 private:
  void updateLabels();

  QLabel* stateLabel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* stepLabel_ = nullptr;
  QLabel* rateLabel_ = nullptr;
  QLabel* etaLabel_ = nullptr;
  QLabel* threadsLabel_ = nullptr;
  int64_t step_ = 0, total_ = 0;
  int threads_ = 0;
  double tokensPerS_ = 0;
  double eta_ = kNaN;
  QElapsedTimer clock_;
  std::deque<std::pair<qint64, int64_t>> window_;  // (ms since start, step)
  std::deque<double> recentRates_;                 // tokens/s of the last steps
};

}  // namespace ms
