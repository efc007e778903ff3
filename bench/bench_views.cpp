// bench_views: how the views of the main window keep up with many runs (issue: one set of views
// for any number of runs). Prints, on this machine:
//  1. opening a run of 1000 snapshots and 100k steps (the `quick` model's shapes) until every
//     visible view has painted it: wall time and the UI thread's longest stall meanwhile;
//  2. checking a 10th run beside 9 shown ones: the UI-thread work until every visible view has
//     redrawn (setChecked + rebuild + replot, measured synchronously);
//  3. training the `quick` preset live with 4 finished runs overlaid in every view; the last
//     line is the longest UI-thread stall of the whole run (LatencyProbe): `max stall: N ms`.
// Finished runs are synthetic (RunWriter) with the real RunInfo of the preset (Trainer::prepare)
// and random values in every snapshot column, so the views draw what a real run of that shape
// would give them. Run offscreen (QT_QPA_PLATFORM=offscreen) or under Xvfb:
//   build/bench/bench_views [--steps N] [--finished N] [--big-snapshots N] [--big-steps N]
#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QMap>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <random>

#include <qcustomplot.h>

#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LatencyProbe.h"
#include "LossPlot.h"
#include "MainWindow.h"
#include "PRHeatmap.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "RunSet.h"
#include "SetupPanel.h"
#include "SpectrumPlot.h"
#include "store/RunReader.h"
#include "store/RunSchema.h"
#include "store/RunWriter.h"
#include "train/RunConfig.h"
#include "train/Trainer.h"

using namespace ms;

namespace {

// A snapshot of `info`'s shape with every column random (singular values sorted descending).
Snapshot randomSnapshot(const RunInfo& info, int64_t step, int64_t tokensPerStep,
                        std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.05, 4.0);
  Snapshot s = store::blank_snapshot(info);
  for (const auto& c : store::snapshot_columns(info)) {
    std::vector<char> row(c.row_bytes());
    for (size_t i = 0; i < c.row_elems(); ++i) {
      const double v = u(rng);
      switch (c.type) {
        case store::DType::F64:
          reinterpret_cast<double*>(row.data())[i] = v;
          break;
        case store::DType::F32:
          reinterpret_cast<float*>(row.data())[i] = static_cast<float>(v);
          break;
        case store::DType::I64:
          reinterpret_cast<int64_t*>(row.data())[i] = static_cast<int64_t>(v * 10);
          break;
        case store::DType::U8:
          reinterpret_cast<uint8_t*>(row.data())[i] = v > 3.8 ? 1 : 0;
          break;
      }
    }
    c.unpack(row.data(), s);
  }
  for (LayerMetrics& lm : s.layers) {
    for (SpectrumMetrics& m : lm.matrices) std::sort(m.sv.rbegin(), m.sv.rend());
    for (auto* heads : {&lm.qk_heads, &lm.ov_heads})
      for (SpectrumMetrics& m : *heads) std::sort(m.sv.rbegin(), m.sv.rend());
  }
  s.step = step;
  s.tokens = step * tokensPerStep;
  s.wall_s = 0.25 * double(step);
  return s;
}

// Writes a finished run of `steps` steps with a snapshot every `every` and validation every 50.
void writeRun(const QString& path, RunInfo info, int64_t steps, int64_t every, uint32_t seed,
              int64_t tokensPerStep) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.05);
  info.total_steps = steps;
  RunWriter w(path.toStdString(), true);
  w.begin(info);
  for (int64_t t = 1; t <= steps; ++t) {
    StepRecord r;
    r.step = t;
    r.loss = 2.0 + 3.0 * std::exp(-double(t) / (0.2 * double(steps))) + noise(rng);
    r.lr_adamw = 1e-3;
    r.grad_norm = 1.0;
    r.tokens = t * tokensPerStep;
    r.wall_s = 0.25 * double(t);
    r.tokens_per_s = 4000;
    w.append_step(r);
    if (t % 50 == 0) w.append_val({t, r.tokens, r.wall_s, r.loss + 0.1});
    if (t % every == 0) w.append_snapshot(randomSnapshot(info, t, tokensPerStep, rng));
  }
  w.finish(RunStatus::Finished);
}

QVector<PlotBase*> viewsOf(MainWindow& w) {
  return {w.lossPlot(), w.prHeatmap(), w.spectrumPlot(), w.isotropyPlot(), w.kvPlot(), w.ftaPlot()};
}

// Waits (running the event loop) until no visible view has a refresh pending.
void waitPainted(MainWindow& w) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < 60000) {
    bool pending = false;
    for (PlotBase* v : viewsOf(w)) pending = pending || (v->isVisible() && v->refreshPending());
    if (!pending) return;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
  }
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("muonscope-bench"));
  QCommandLineParser p;
  p.addHelpOption();
  QCommandLineOption stepsOpt("steps", "steps of the live quick run", "N", "400");
  QCommandLineOption finishedOpt("finished", "finished runs overlaid on the live run", "N", "4");
  QCommandLineOption bigSnapOpt("big-snapshots", "snapshots of the large run", "N", "1000");
  QCommandLineOption bigStepsOpt("big-steps", "steps of the large run", "N", "100000");
  QCommandLineOption skipLiveOpt("skip-live", "stop before the live run (parts 1 and 2 only)");
  p.addOptions({stepsOpt, finishedOpt, bigSnapOpt, bigStepsOpt, skipLiveOpt});
  p.process(app);
  const int liveSteps = p.value(stepsOpt).toInt(), finished = p.value(finishedOpt).toInt();
  const int64_t bigSnaps = p.value(bigSnapOpt).toLongLong(),
                bigSteps = p.value(bigStepsOpt).toLongLong();

  QTemporaryDir dir;
  RunConfig cfg = preset("quick");
  cfg.train.steps = liveSteps;
  cfg.train.threads = 1;  // leave a core to the GUI thread on small machines
  std::printf("preparing the quick model's shapes...\n");
  std::fflush(stdout);
  const RunInfo info = Trainer(cfg).prepare();
  const int64_t tokensPerStep = int64_t(cfg.train.batch_size) * cfg.model.seq_len;
  const int64_t every = std::max<int64_t>(1, cfg.metrics.every);

  QElapsedTimer t;
  t.start();
  const QString big = dir.filePath("big.h5");
  writeRun(big, info, bigSteps, std::max<int64_t>(1, bigSteps / bigSnaps), 7, tokensPerStep);
  QStringList runs;
  for (int i = 0; i < std::max(finished, 9); ++i) {
    runs << dir.filePath(QStringLiteral("finished-%1.h5").arg(i));
    writeRun(runs.back(), info, liveSteps, every, 100 + i, tokensPerStep);
  }
  std::printf(
      "wrote %d finished runs of %d steps and one of %lld steps / %lld snapshots in %.1f s\n",
      int(runs.size()), liveSteps, (long long)bigSteps, (long long)bigSnaps, t.elapsed() / 1e3);

  MainWindow w;
  w.setConfirmClose(false);
  w.resize(1600, 1000);
  w.show();
  QCoreApplication::processEvents();
  LatencyProbe probe(5);

  // 1. A large run to first paint. First the file alone, by part (RunReader, no window).
  {
    QElapsedTimer tr;
    tr.start();
    RunReader reader(big.toStdString());
    const double openMs = tr.nsecsElapsed() / 1e6;
    tr.restart();
    const auto steps = reader.steps();
    const double stepsMs = tr.nsecsElapsed() / 1e6;
    tr.restart();
    const auto snaps = reader.snapshots();
    std::printf("  read alone: open %.0f ms, %zu steps %.0f ms, %zu snapshots %.0f ms\n", openMs,
                steps.size(), stepsMs, snaps.size(), tr.nsecsElapsed() / 1e6);
  }
  // In the window: open (steps, validation rows, the first chunk of snapshots), then the first
  // replot of every visible view, then the rest of the snapshots streaming in.
  QMap<PlotBase*, int> replots;
  for (PlotBase* v : viewsOf(w))
    if (v->isVisible()) replots[v] = v->replotCount();
  t.restart();
  QString err;
  if (!w.openRunFile(big, &err)) {
    std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(big), qPrintable(err));
    return 1;
  }
  const double openMs = t.nsecsElapsed() / 1e6;
  probe.start();
  auto painted = [&] {
    for (auto it = replots.cbegin(); it != replots.cend(); ++it)
      if (it.key()->replotCount() <= it.value()) return false;
    return true;
  };
  while (!painted() && t.elapsed() < 60000)
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
  const double paintMs = t.nsecsElapsed() / 1e6;
  RunFollower* follower = w.runSet()->entry(w.runSet()->rowOfFile(big)).follower;
  while (follower->isLoading() && t.elapsed() < 60000)
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
  waitPainted(w);
  std::printf(
      "open %lld steps / %lld snapshots in the window: open %.0f ms, first paint of every "
      "view %.0f ms, all snapshots drawn %.0f ms (longest UI stall while streaming %.0f ms)\n",
      (long long)bigSteps, (long long)bigSnaps, openMs, paintMs, t.nsecsElapsed() / 1e6,
      probe.maxStallMs());
  w.runSet()->remove(w.runSet()->rowOfFile(big));
  waitPainted(w);

  // 2. Checking a 10th run: the UI-thread work until every visible view has redrawn.
  if (!w.openComparison(runs.mid(0, 9), &err)) {
    std::fprintf(stderr, "cannot open runs: %s\n", qPrintable(err));
    return 1;
  }
  waitPainted(w);
  const int tenth = w.runSet()->rowOfFile(runs[0]);
  w.runSet()->setChecked(tenth, false);
  waitPainted(w);
  t.restart();
  w.runSet()->setChecked(tenth, true);
  const double checkMs = t.nsecsElapsed() / 1e6;  // the run table and setRuns of every view
  QString perView;
  double work = 0;  // the views' refreshNow (rebuild + replot), without the diagnostic replots
  for (PlotBase* v : viewsOf(w)) {
    if (!v->isVisible()) continue;
    QElapsedTimer tv;
    tv.start();
    v->refreshNow();
    const double all = tv.nsecsElapsed() / 1e6;
    work += all;
    tv.restart();
    v->plot()->replot();
    perView += QStringLiteral(" %1 %2 (replot %3)")
                   .arg(v->objectName())
                   .arg(all, 0, 'f', 0)
                   .arg(tv.nsecsElapsed() / 1e6, 0, 'f', 0);
  }
  std::printf(
      "check a 10th run beside 9: %.0f ms of UI-thread work (rebuild + replot of every "
      "visible view; ms:%s)\n",
      checkMs + work, qPrintable(perView));
  std::fflush(stdout);
  if (p.isSet(skipLiveOpt)) return 0;

  // 3. The quick preset live with `finished` finished runs overlaid.
  QVector<int> rows;
  for (int i = 0; i < finished; ++i) rows << w.runSet()->rowOfFile(runs[i]);
  w.runSet()->checkOnly(rows);
  waitPainted(w);
  w.setupPanel()->setRunFolder(dir.path());
  w.setupPanel()->setConfig(cfg);
  w.setupPanel()->setDevice(QStringLiteral("cpu"));
  QEventLoop loop;
  QObject::connect(&w, &MainWindow::runFinished, &loop, &QEventLoop::quit);
  t.restart();
  if (!w.startRun(&err)) {
    std::fprintf(stderr, "cannot start: %s\n", qPrintable(err));
    return 1;
  }
  probe.reset();
  loop.exec();
  probe.stop();
  std::printf("live quick run, %d steps beside %d finished runs: %.1f s, %d runs drawn per view\n",
              liveSteps, finished, t.elapsed() / 1e3, w.lossPlot()->runCount());
  std::printf("%s\n", qPrintable(probe.report()));
  std::printf("max stall: %.0f ms\n", probe.maxStallMs());
  return 0;
}
