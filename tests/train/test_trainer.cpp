// Trainer: a tiny run trains (loss falls) and delivers every callback with complete snapshots;
// runs are reproducible from the seed; pause/resume/stop work from another thread; a diverging
// run fails with a message naming the step; bad data or configs fail before training.
#include <QtTest>

#include <atomic>
#include <set>
#include <thread>

#include "data/DataSource.h"
#include "train/CpuCores.h"
#include "train/Trainer.h"

using namespace ms;

namespace {

RunConfig tiny() {
  RunConfig c = preset("quick");
  c.model.layers = 1;
  c.model.d_model = 32;
  c.model.heads = 2;
  c.model.seq_len = 32;
  c.train.batch_size = 8;
  c.train.steps = 40;
  c.train.val_every = 20;
  c.train.threads = 1;
  c.metrics.every = 20;
  c.metrics.probe_batch = 4;
  c.metrics.fta_max_questions = 64;
  c.optim.warmup_steps = 5;
  c.device = "cpu";
  return c;
}

struct Recorded {
  std::vector<StepRecord> steps;
  std::vector<ValRecord> vals;
  std::vector<Snapshot> snaps;
  Trainer::Callbacks callbacks() {
    Trainer::Callbacks cb;
    cb.on_step = [this](const StepRecord& r) { steps.push_back(r); };
    cb.on_val = [this](const ValRecord& v) { vals.push_back(v); };
    cb.on_snapshot = [this](const Snapshot& s) { snaps.push_back(s); };
    return cb;
  }
};

// Ends a training thread when a test returns early (a failed check): stop, wake, join, so the
// failure is reported instead of std::thread's destructor terminating the suite.
struct JoinOnExit {
  Trainer& t;
  std::thread& th;
  ~JoinOnExit() {
    if (!th.joinable()) return;
    t.stop();
    t.resume();  // wakes a paused run() even if stop() did not
    th.join();
  }
};

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private slots:
  void trainsAndReportsEverything() {
    Trainer t(tiny());
    const RunInfo& info = t.prepare();
    QCOMPARE(info.n_layer, 1);
    QCOMPARE(info.n_head, 2);
    QCOMPARE(info.head_dim, 16);
    QCOMPARE(info.matrix_names.size(), info.matrix_shapes.size());
    QVERIFY(info.fta_groups > 0);
    Recorded r;
    QCOMPARE(t.run(r.callbacks()), RunStatus::Finished);
    QCOMPARE(r.steps.size(), size_t(40));
    QCOMPARE(r.steps.back().step, int64_t(40));
    QCOMPARE(r.steps.back().tokens, int64_t(40 * 8 * 32));
    QVERIFY(r.steps.back().loss < r.steps.front().loss * 0.8);
    QCOMPARE(r.vals.size(), size_t(2));
    QCOMPARE(r.snaps.size(), size_t(2));
    const Snapshot& s = r.snaps.back();
    QCOMPARE(s.step, int64_t(40));
    QCOMPARE(s.layers.size(), size_t(1));
    QCOMPARE(s.matrix_names, info.matrix_names);
    const LayerMetrics& L = s.layers[0];
    QCOMPARE(L.matrices.size(), info.matrix_names.size());
    for (int a = 0; a < kNumActs; ++a) QCOMPARE(L.pr_sv[a].size(), size_t(2));
    QCOMPARE(L.k_post.channel.size(), size_t(32));
    QCOMPARE(L.k_post.token.size(), size_t(32));
    QVERIFY(std::isfinite(L.matrices[0].update_cosine));  // before_step ran before the step
    QVERIFY(std::isfinite(L.matrices[0].update_top_share));
    QCOMPARE(int(s.fta.size()), info.fta_groups);
    QVERIFY(s.kivi.valid);  // the last snapshot always has KIVI
    // Scheduled lr: warmup reaches the peak at step 5, cosine ends at min_lr_frac.
    QVERIFY(qAbs(r.steps[4].lr_muon - tiny().optim.lr_muon) < 1e-12);
    QVERIFY(r.steps.back().lr_adamw < r.steps[4].lr_adamw);
  }
  // Threads: a fixed train.threads is what every step records; 0 (automatic) stays within
  // usable_cores() and, with more than one core, tries more than one count. The phase times
  // cover the steps: each phase ran, Newton-Schulz is a part of the optimizer's time, and
  // together they do not exceed the training wall time plus validation and snapshots.
  void threadsAndPhasesRecorded() {
    Recorded fixed;
    Trainer tf(tiny());  // train.threads = 1
    QCOMPARE(tf.run(fixed.callbacks()), RunStatus::Finished);
    for (const auto& r : fixed.steps) QCOMPARE(r.threads, int64_t(1));
    QCOMPARE(tf.threads(), 1);

    RunConfig c = tiny();
    c.train.threads = 0;
    c.train.steps = 60;
    QVERIFY(adaptive_threads(c));
    Recorded a;
    Trainer ta(c);
    ta.set_other_load([] { return 0.0; });  // as on an idle machine, whatever ctest -j runs
    QCOMPARE(ta.run(a.callbacks()), RunStatus::Finished);
    std::set<int64_t> used;
    for (const auto& r : a.steps) {
      QVERIFY(r.threads >= 1 && r.threads <= usable_cores());
      used.insert(r.threads);
    }
    if (usable_cores() > 1) QVERIFY(used.size() >= 2);  // the first trial tries 1 and more
    QCOMPARE(a.steps.front().threads, int64_t(1));      // the warm-up runs at one thread

    const PhaseSeconds& p = ta.phase_seconds();
    QCOMPARE(p.steps, int64_t(60));
    QCOMPARE(p.snapshots, int64_t(a.snaps.size()));
    for (double v : {p.sample, p.forward, p.backward, p.clip, p.optimizer, p.newton_schulz,
                     p.snapshot, p.validation})
      QVERIFY(v > 0);
    QVERIFY(p.newton_schulz <= p.optimizer);
    const double in_steps = p.sample + p.forward + p.backward + p.clip + p.optimizer;
    QVERIFY(in_steps <= a.steps.back().wall_s);
    QVERIFY(in_steps > 0.5 * a.steps.back().wall_s);  // the phases are most of a step
  }
  void reproducibleFromSeed() {
    Recorded a, b;
    Trainer ta(tiny()), tb(tiny());
    ta.run(a.callbacks());
    tb.run(b.callbacks());
    for (size_t i = 0; i < a.steps.size(); ++i) QCOMPARE(a.steps[i].loss, b.steps[i].loss);
    QCOMPARE(a.snaps.back().layers[0].pr_sv[kActK], b.snaps.back().layers[0].pr_sv[kActK]);
    RunConfig c = tiny();
    c.train.seed = 99;
    Recorded d;
    Trainer td(c);
    td.run(d.callbacks());
    QVERIFY(d.steps[5].loss != a.steps[5].loss);
  }
  // Pause, resume and stop from the test thread while run() trains on another. No sleeps: the
  // test waits on the trainer's state (is_waiting_in_pause: the step in flight has ended).
  void pauseResumeStopFromAnotherThread() {
    RunConfig c = tiny();
    c.train.steps = 100000;
    Trainer t(c);
    t.prepare();
    std::atomic<int64_t> seen{0};
    std::atomic<bool> resumed{false}, step_while_paused{false};
    std::atomic<double> step_s{0};  // measured seconds per step
    Trainer::Callbacks cb;
    cb.on_step = [&](const StepRecord& r) {
      if (t.is_paused() && !resumed) step_while_paused = true;  // a step after the pause settled
      step_s = r.wall_s / double(r.step);
      seen = r.step;
    };
    RunStatus st = RunStatus::Running;
    std::atomic<bool> done{false};
    std::thread th([&] {
      st = t.run(cb);
      done = true;
    });
    JoinOnExit join{t, th};
    QTRY_VERIFY_WITH_TIMEOUT(seen >= 3, 20000);
    t.pause();
    QVERIFY(t.is_paused());
    // The step in flight ends (its record arrives), then run() blocks.
    QTRY_VERIFY_WITH_TIMEOUT(t.is_waiting_in_pause(), 20000);
    const int64_t at_pause = seen;
    QCOMPARE(t.current_step(), at_pause);
    step_while_paused = false;
    // While it waits, no step runs: watch for one for as long as 5 steps take.
    const int window_ms = std::max(100, int(5000 * step_s));
    QVERIFY2(!QTest::qWaitFor([&] { return seen != at_pause || step_while_paused; }, window_ms),
             qPrintable(QString("step %1 ran while paused at %2").arg(seen).arg(at_pause)));
    QVERIFY(t.is_waiting_in_pause());
    resumed = true;
    t.resume();
    QTRY_VERIFY_WITH_TIMEOUT(seen > at_pause + 2, 20000);
    QVERIFY(!t.is_waiting_in_pause());
    t.stop();
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    th.join();
    QCOMPARE(st, RunStatus::Stopped);
    QVERIFY(QString::fromStdString(t.message()).contains("stopped"));
    QCOMPARE(t.current_step(), int64_t(seen));
  }
  // stop() wakes a trainer that waits in a pause: run() returns Stopped without a step.
  void stopWhilePausedReturns() {
    RunConfig c = tiny();
    c.train.steps = 100000;
    Trainer t(c);
    t.prepare();
    t.pause();
    RunStatus st = RunStatus::Running;
    std::atomic<bool> done{false};
    std::thread th([&] {
      st = t.run({});
      done = true;
    });
    JoinOnExit join{t, th};
    QTRY_VERIFY_WITH_TIMEOUT(t.is_waiting_in_pause(), 20000);
    QVERIFY(!done);
    t.stop();
    const bool woke = QTest::qWaitFor([&] { return bool(done); }, 20000);
    if (!woke) t.resume();  // let the thread end so the test can fail instead of hanging
    th.join();
    QVERIFY2(woke, "stop() did not wake the paused trainer");
    QCOMPARE(st, RunStatus::Stopped);
    QCOMPARE(t.current_step(), int64_t(0));
    QCOMPARE(QString::fromStdString(t.message()), QString("stopped by the user after step 0"));
  }
  void divergingRunFailsNamingTheStep() {
    RunConfig c = tiny();
    c.optim.muon.clear();
    c.optim.lr_adamw = 1e30;
    c.optim.warmup_steps = 0;
    c.optim.schedule = "constant";
    Recorded r;
    Trainer t(c);
    QCOMPARE(t.run(r.callbacks()), RunStatus::Failed);
    const QString msg = QString::fromStdString(t.message());
    QVERIFY2(msg.contains("step") &&
                 (msg.contains("NaN") || msg.contains("infinite") || msg.contains("not finite")),
             qPrintable(msg));
    QVERIFY(r.steps.size() < 40);  // the steps before the failure were delivered
  }
  void badInputFailsBeforeTraining() {
    RunConfig c = tiny();
    c.data.source = "text";
    c.data.path = "/nonexistent/muonscope.txt";
    Trainer t(c);
    try {
      t.prepare();
      QFAIL("expected DataError");
    } catch (const DataError& e) {
      QVERIFY(QString(e.what()).contains("/nonexistent/muonscope.txt"));
    }
    RunConfig c2 = tiny();
    c2.model.seq_len = 5000000;
    Trainer t2(c2);
    try {
      t2.prepare();
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).contains("model.seq_len"));
    }
    RunConfig c3 = tiny();
    c3.model.heads = 3;
    QVERIFY_EXCEPTION_THROWN(Trainer{c3}, ConfigError);
  }
  // A large init makes logits of ~30 (q, k entries ~ N(0, 8) after the RMSNorm'd input):
  // MuonClip with tau = 0.5 must clip at the first step, record how many heads it clipped, and
  // bring the probe batch's max logit near tau, while the same run without it stays large.
  void muonClipRuns() {
    RunConfig c = tiny();
    c.model.init_std = 0.5;
    c.optim.clip_tau = 0.5;
    c.train.steps = 10;
    c.metrics.every = 10;
    c.metrics.kivi_every = 0;
    double clipped_max = 0, unclipped_max = 0;
    for (bool clip : {true, false}) {
      c.optim.muon_clip = clip;
      Recorded r;
      Trainer t(c);
      QCOMPARE(t.run(r.callbacks()), RunStatus::Finished);
      QCOMPARE(r.steps.size(), size_t(10));
      if (clip) {
        QCOMPARE(r.steps[0].clipped_heads, int64_t(c.model.heads));  // both heads at step 1
        for (const auto& st : r.steps) QVERIFY(st.clipped_heads >= 0 && st.clipped_heads <= 2);
      } else {
        for (const auto& st : r.steps) QCOMPARE(st.clipped_heads, int64_t(0));
      }
      double mx = 0;
      for (double m : r.snaps.back().layers[0].max_logit) mx = std::max(mx, m);
      (clip ? clipped_max : unclipped_max) = mx;
    }
    QVERIFY2(unclipped_max > 10, qPrintable(QString("without MuonClip: %1").arg(unclipped_max)));
    QVERIFY2(clipped_max < 2, qPrintable(QString("with MuonClip: %1").arg(clipped_max)));
  }
  // The refusal reaches the Trainer too (config check before anything runs).
  void muonClipWithQkNormRefused() {
    RunConfig c = tiny();
    c.optim.muon_clip = true;
    c.model.qk_norm = true;
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer{c});
  }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
