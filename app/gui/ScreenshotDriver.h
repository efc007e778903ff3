// ScreenshotDriver: the hidden `--screenshot FILE --screenshot-after-steps N` mode of the app.
// It starts a run from the setup panel, waits until the run has passed step N and produced a
// snapshot, lets the views replot, grabs the main window (QWidget::grab) into FILE, prints the
// GUI thread's longest event-loop stall (LatencyProbe) and each view's slowest replot to
// stdout, stops the run and quits.
// Used to produce docs/img/main-window.png under Xvfb.
#pragma once

#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QString>

#include "LatencyProbe.h"
#include "train/Snapshot.h"

namespace ms {

class MainWindow;

class ScreenshotDriver : public QObject {
  Q_OBJECT
 public:
  ScreenshotDriver(MainWindow* window, QString file, int afterSteps, QObject* parent = nullptr);

  // Starts the run. Returns false (after printing why) when it cannot start.
  bool start();
  const LatencyProbe& probe() const { return probe_; }

 private:
  void check();
  void grab();
  void watchReplots();
  QString replotReport() const;

  MainWindow* window_;
  QString file_;
  int afterSteps_;
  bool grabbing_ = false;
  bool done_ = false;
  LatencyProbe probe_;
  QMap<QString, double> slowestReplotMs_;  // view title -> slowest QCustomPlot::replot()
  QMap<QString, int> replots_;
  QMap<QString, QElapsedTimer> replotClock_;
};

}  // namespace ms
