// train_to_file implementation (see TrainRun.h).
#include "TrainRun.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "Commands.h"
#include "common/Duration.h"
#include "data/DataSource.h"
#include "store/RunReader.h"
#include "store/RunWriter.h"
#include "train/Trainer.h"

namespace ms {
namespace {

std::atomic<Trainer*> g_trainer{nullptr};
std::atomic<int> g_signals{0};

void on_signal(int) {
  ++g_signals;
  if (Trainer* t = g_trainer.load()) t->stop();  // atomics + notify only
  if (g_signals >= 3) std::_Exit(130);           // a third Ctrl-C: give up at once
}

std::string fmt(double v, int prec = 4) {
  if (!std::isfinite(v)) return "nan";
  std::ostringstream o;
  o.precision(prec);
  o << v;
  return o.str();
}

}  // namespace

TrainResult train_to_file(const RunConfig& c, const std::string& out, const TrainOptions& o) {
  TrainResult res;
  const bool tty = isatty(fileno(stderr));
  // The handler is in place before anything is written, so a Ctrl-C (or a study's forwarded
  // SIGINT) that arrives during set-up stops the run at its first step instead of killing the
  // process with a half-made file.
  g_signals = 0;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  struct RestoreSignals {
    ~RestoreSignals() {
      g_trainer = nullptr;
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
    }
  } restore;
  Trainer trainer(c);
  if (o.comm) trainer.set_comm(o.comm, o.local_rank);
  const RunInfo& info = trainer.prepare();  // data and shapes: errors before any file exists
  trainer.set_checkpoint_dir(checkpoint_dir_for(out));  // used when train.checkpoint_every > 0
  if (trainer.rank() != 0) {  // a data-parallel helper rank: train its share, write nothing
    if (o.resume) res.resumed_from = trainer.resume_from(checkpoint_dir_for(out));
    g_trainer = &trainer;
    if (g_signals > 0) trainer.stop();
    const auto t0 = std::chrono::steady_clock::now();
    res.status = trainer.run({});
    g_trainer = nullptr;
    res.message = trainer.message();
    res.interrupted = g_signals > 0;
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (res.status == RunStatus::Failed)
      std::cerr << o.prefix << "rank " << trainer.rank() << ": failed: " << res.message << "\n";
    return res;
  }
  std::unique_ptr<RunWriter> writer;
  int64_t from = 0;
  if (o.resume) {
    int64_t last_row = 0;  // the newest checkpoint must not be newer than the file's rows
    {
      RunReader r(out);
      const int64_t n = r.num_steps();
      if (n > 0) last_row = r.steps(n - 1, n).at(0).step;
    }
    from = trainer.resume_from(checkpoint_dir_for(out), last_row);  // before the file changes
    res.resumed_from = from;
    writer = RunWriter::reopen(out, info, from);
  } else {
    writer = std::make_unique<RunWriter>(out, o.force);
    writer->begin(info);
  }
  if (!o.quiet) {
    std::cerr << o.prefix << (c.name.empty() ? "run" : c.name) << " · " << info.optimizer_summary
              << " · " << info.n_params << " params · " << trainer.data()->description() << " · "
              << info.device << "\n";
    if (info.world_size > 1)
      std::cerr << o.prefix << "data-parallel: " << info.world_size << " processes ("
                << dist_backend_for(c) << "), " << c.train.batch_size / info.world_size
                << " of the batch's " << c.train.batch_size << " sequences each\n";
    if (o.resume)
      std::cerr << o.prefix << "resuming " << out << " after step " << from << " of "
                << c.train.steps << "\n";
    else
      std::cerr << o.prefix << "writing " << out << "\n";
  }

  g_trainer = &trainer;
  if (g_signals > 0) trainer.stop();  // asked before the trainer existed

  const int64_t total = c.train.steps;
  double last_print = -1;
  const auto t_start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  };
  Trainer::Callbacks cb;
  cb.on_step = [&](const StepRecord& r) {
    writer->append_step(r);
    res.final_loss = r.loss;
    if (o.quiet) return;
    const double el = elapsed();
    const double eta = el / double(r.step - from) * double(total - r.step) + o.extra_eta_s;
    const double tps = r.wall_s > 0 ? r.tokens / r.wall_s : 0;
    std::ostringstream line;
    line << o.prefix << "step " << r.step << "/" << total << "  loss " << fmt(r.loss) << "  val "
         << fmt(res.final_val) << "  " << fmt(tps / 1000, 3) << "k tok/s  ETA "
         << format_duration(eta);
    if (tty) {
      if (el - last_print >= 0.1 || r.step == total) {
        std::cerr << "\r\033[K" << line.str() << std::flush;
        last_print = el;
      }
    } else if (r.step == 1 || r.step % std::max<int64_t>(1, total / 10) == 0 || r.step == total) {
      std::cerr << line.str() << "\n";
    }
  };
  cb.on_val = [&](const ValRecord& v) {
    writer->append_val(v);
    res.final_val = v.loss;
  };
  cb.on_checkpoint = [&](int64_t) { writer->flush(); };
  cb.on_snapshot = [&](const Snapshot& s) {
    writer->append_snapshot(s);
    if (o.quiet) return;
    if (tty) std::cerr << "\r\033[K";
    std::cerr << o.prefix << snapshot_summary(s, info) << "\n";
  };
  res.status = trainer.run(cb);
  g_trainer = nullptr;
  res.message = trainer.message();
  res.interrupted = g_signals > 0;
  res.wall_s = elapsed();
  writer->finish(res.status, res.message);
  if (!o.quiet && tty) std::cerr << "\r\033[K";
  std::cerr << o.prefix << status_name(res.status) << ": " << res.message << " in "
            << format_duration(res.wall_s) << " -> " << out << "\n";
  return res;
}

}  // namespace ms
