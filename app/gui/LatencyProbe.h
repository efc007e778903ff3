// LatencyProbe: measures how long the GUI thread's event loop is blocked. A precise timer
// fires every `intervalMs`; the lateness of each tick (gap to the previous tick minus the
// interval) is how long the loop could not react. maxStallMs() is the worst one since start()
// or reset(). Used by the --screenshot mode and the GUI test to report the longest stall.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace ms {

class LatencyProbe : public QObject {
  Q_OBJECT
 public:
  explicit LatencyProbe(int intervalMs = 5, QObject* parent = nullptr);

  void start();
  void stop();
  void reset();
  bool isRunning() const { return timer_.isActive(); }

  double maxStallMs() const { return maxStallMs_; }
  double meanStallMs() const { return ticks_ ? sumStallMs_ / ticks_ : 0; }
  int ticks() const { return ticks_; }
  // Ticks that were later than `ms` (counted since start/reset) for a few thresholds.
  int stallsOver50Ms() const { return over50_; }
  int stallsOver100Ms() const { return over100_; }
  QString report() const;  // one line with the numbers above

 private:
  void tick();

  QTimer timer_;
  QElapsedTimer clock_;
  qint64 lastNs_ = -1;
  int intervalMs_;
  double maxStallMs_ = 0, sumStallMs_ = 0;
  int ticks_ = 0, over50_ = 0, over100_ = 0;
};

}  // namespace ms
