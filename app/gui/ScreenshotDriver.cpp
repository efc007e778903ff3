// ScreenshotDriver: scripted run + window grab for the docs (see ScreenshotDriver.h).
#include "ScreenshotDriver.h"

#include <qcustomplot.h>

#include <QCoreApplication>
#include <QPixmap>
#include <QTimer>
#include <cstdio>

#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "PRHeatmap.h"
#include "RunModel.h"
#include "SpectrumPlot.h"
#include "TrainingController.h"

namespace ms {

ScreenshotDriver::ScreenshotDriver(MainWindow* window, QString file, int afterSteps,
                                   QObject* parent)
    : QObject(parent), window_(window), file_(std::move(file)), afterSteps_(afterSteps) {}

bool ScreenshotDriver::start() {
  QString error;
  watchReplots();
  probe_.start();
  if (!window_->startRun(&error)) {
    std::fprintf(stderr, "muonscope: --screenshot: cannot start a run: %s\n", qPrintable(error));
    return false;
  }
  connect(window_->liveModel(), &RunModel::stepsAppended, this, &ScreenshotDriver::check);
  connect(window_->liveModel(), &RunModel::snapshotAppended, this, &ScreenshotDriver::check);
  connect(window_, &MainWindow::runFinished, this, [this](RunStatus st, const QString& msg) {
    std::printf("run ended: %s: %s\n%s\n", status_name(st), qPrintable(msg),
                qPrintable(probe_.report()));
    std::fflush(stdout);
    if (!done_) grab();  // a run shorter than N steps: grab what it drew
    QCoreApplication::exit(done_ ? 0 : 1);
  });
  return true;
}

void ScreenshotDriver::watchReplots() {
  const std::pair<const char*, PlotBase*> views[] = {{"loss", window_->lossPlot()},
                                                     {"pr", window_->prHeatmap()},
                                                     {"spectra", window_->spectrumPlot()},
                                                     {"isotropy", window_->isotropyPlot()},
                                                     {"kv", window_->kvPlot()},
                                                     {"fta", window_->ftaPlot()}};
  for (const auto& [name, view] : views) {
    const QString n = QString::fromLatin1(name);
    connect(view->plot(), &QCustomPlot::beforeReplot, this, [this, n] { replotClock_[n].start(); });
    connect(view->plot(), &QCustomPlot::afterReplot, this, [this, n] {
      const double ms = replotClock_[n].nsecsElapsed() / 1e6;
      slowestReplotMs_[n] = std::max(slowestReplotMs_.value(n), ms);
      ++replots_[n];
    });
  }
}

QString ScreenshotDriver::replotReport() const {
  QStringList parts;
  for (auto it = slowestReplotMs_.begin(); it != slowestReplotMs_.end(); ++it)
    parts << QStringLiteral("%1 %2 ms (%3 replots)")
                 .arg(it.key())
                 .arg(it.value(), 0, 'f', 1)
                 .arg(replots_.value(it.key()));
  return QStringLiteral("slowest replot per view: ") + parts.join(QStringLiteral(", "));
}

void ScreenshotDriver::check() {
  const RunModel* m = window_->liveModel();
  if (grabbing_ || m->steps().empty() || m->snapshots().empty()) return;
  if (m->steps().back().step < afterSteps_) return;
  grabbing_ = true;
  QTimer::singleShot(800, this, &ScreenshotDriver::grab);
}

void ScreenshotDriver::grab() {
  if (done_) return;
  for (PlotBase* v : std::initializer_list<PlotBase*>{
           window_->lossPlot(), window_->prHeatmap(), window_->spectrumPlot(),
           window_->isotropyPlot(), window_->kvPlot(), window_->ftaPlot()})
    v->refreshNow();
  const QPixmap shot = window_->grab();
  done_ = shot.save(file_);
  std::printf("screenshot %s: %s (%dx%d)\n%s\n%s\n", done_ ? "saved" : "FAILED", qPrintable(file_),
              shot.width(), shot.height(), qPrintable(probe_.report()), qPrintable(replotReport()));
  std::fflush(stdout);
  window_->controller()->stop();
}

}  // namespace ms
