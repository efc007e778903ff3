// LatencyProbe: event-loop lateness of the GUI thread (see LatencyProbe.h).
#include "LatencyProbe.h"

#include <algorithm>

namespace ms {

LatencyProbe::LatencyProbe(int intervalMs, QObject* parent)
    : QObject(parent), intervalMs_(intervalMs) {
  timer_.setTimerType(Qt::PreciseTimer);
  timer_.setInterval(intervalMs_);
  connect(&timer_, &QTimer::timeout, this, &LatencyProbe::tick);
}

void LatencyProbe::start() {
  reset();
  timer_.start();
}

void LatencyProbe::stop() {
  timer_.stop();
}

void LatencyProbe::reset() {
  clock_.start();
  lastNs_ = -1;
  maxStallMs_ = sumStallMs_ = 0;
  ticks_ = over50_ = over100_ = 0;
}

void LatencyProbe::tick() {
  const qint64 now = clock_.nsecsElapsed();
  if (lastNs_ >= 0) {
    const double stall = std::max(0.0, (now - lastNs_) / 1e6 - intervalMs_);
    maxStallMs_ = std::max(maxStallMs_, stall);
    sumStallMs_ += stall;
    ++ticks_;
    if (stall > 50) ++over50_;
    if (stall > 100) ++over100_;
  }
  lastNs_ = now;
}

QString LatencyProbe::report() const {
  return QStringLiteral(
             "UI event loop: %1 ticks, longest stall %2 ms, mean %3 ms, "
             "%4 stalls > 50 ms, %5 > 100 ms")
      .arg(ticks_)
      .arg(maxStallMs_, 0, 'f', 1)
      .arg(meanStallMs(), 0, 'f', 2)
      .arg(over50_)
      .arg(over100_);
}

}  // namespace ms
