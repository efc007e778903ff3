// Run store: write/read round trip, overwrite and path errors, foreign/newer/damaged files,
// files written before the per-head composites existed, kill -9 of a writing process (status
// interrupted, flushed data intact) and tailing a file that another process is writing. Child
// writers are this binary re-executed with --store-child.
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "StoreTestData.h"

using namespace ms;
using namespace mstest;

namespace {

// ---- child writer (runs in a separate process) -------------------------------------------

void send_byte(int fd, char c) {
  while (::write(fd, &c, 1) < 0 && errno == EINTR) {
  }
}

// One byte from fd within timeout_ms (the other side may be stuck or gone): false on timeout,
// end of file or error.
bool recv_byte(int fd, char* c, int timeout_ms = 60000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, int(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // timeout or error
    const ssize_t r = ::read(fd, c, 1);
    if (r == 1) return true;
    if (r < 0 && errno == EINTR) continue;
    return false;
  }
}

// kill: writes 37 steps + a snapshot per round and reports each flushed snapshot, until killed.
// tail: 3 rounds of 10 steps + a snapshot, each reported and then held until the parent says go;
//       then finish(Finished, "tail done") and report 'f'.
int run_child(int argc, char** argv) {
  if (argc < 6) return 2;
  const std::string mode = argv[2], path = argv[3];
  const int out = std::atoi(argv[4]), in = std::atoi(argv[5]);
  try {
    const RunInfo info = default_info();
    RunWriter w(path, false);
    w.begin(info);
    int64_t n = 0;
    if (mode == "kill") {
      for (int k = 0; k < 100000; ++k) {
        for (int i = 0; i < 37; ++i) w.append_step(make_step(n++));
        if (k % 2 == 1) w.append_val(make_val(k / 2));
        w.append_snapshot(make_snapshot(info, k));
        send_byte(out, 's');
      }
      return 3;  // the parent should have killed us long ago
    }
    for (int k = 0; k < 3; ++k) {
      for (int i = 0; i < 10; ++i) w.append_step(make_step(n++));
      w.append_snapshot(make_snapshot(info, k));
      send_byte(out, 's');
      char go;
      if (!recv_byte(in, &go, 600000)) return 4;  // the parent went away or is stuck
    }
    w.finish(RunStatus::Finished, "tail done");
    send_byte(out, 'f');
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child writer: %s\n", e.what());
    return 1;
  }
}

struct Child {
  pid_t pid = -1;
  int from_child = -1, to_child = -1;
};

Child spawn_child(const std::string& mode, const std::string& path) {
  int up[2], down[2];
  if (::pipe(up) != 0 || ::pipe(down) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(up[0]);
    ::close(down[1]);
    const std::string a4 = std::to_string(up[1]), a5 = std::to_string(down[0]);
    ::execl("/proc/self/exe", "test_store", "--store-child", mode.c_str(), path.c_str(), a4.c_str(),
            a5.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(up[1]);
  ::close(down[0]);
  return {pid, up[0], down[1]};
}

void close_child(Child& c) {
  if (c.from_child >= 0) ::close(c.from_child);
  if (c.to_child >= 0) ::close(c.to_child);
  c.from_child = c.to_child = -1;
}

// A test that fails half-way (a recv_byte timeout) leaves no child writing on: SIGKILL and reap
// it unless the test reaped it already (reaped()).
struct ChildGuard {
  Child& c;
  bool done = false;
  void reaped() { done = true; }
  ~ChildGuard() {
    if (!done && c.pid > 0) {
      ::kill(c.pid, SIGKILL);
      ::waitpid(c.pid, nullptr, 0);
    }
    close_child(c);
  }
};

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

class TestStore : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::string p(const char* name) { return (tmp_.path() + "/" + name).toStdString(); }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void roundTrip() {
    const std::string path = p("round.h5");
    const RunInfo info = default_info();
    std::vector<Snapshot> snaps;
    {
      RunWriter w(path, false);
      QVERIFY(w.is_open());
      w.begin(info);
      for (int64_t i = 0; i < 300; ++i) {
        w.append_step(make_step(i));
        if ((i + 1) % 50 == 0) w.append_val(make_val((i + 1) / 50 - 1));
        if ((i + 1) % 75 == 0) {
          snaps.push_back(make_snapshot(info, int(snaps.size())));
          w.append_snapshot(snaps.back());
        }
      }
      QCOMPARE(w.num_steps(), int64_t(300));
      QCOMPARE(w.num_snapshots(), int64_t(4));
      w.finish(RunStatus::Finished, "done \xE2\x9C\x93");
      QVERIFY(!w.is_open());
      w.finish(RunStatus::Failed, "ignored");  // second call does nothing
    }
    RunReader r(path);
    QVERIFY(r.opened_swmr());
    QVERIFY2(r.warnings().empty(), r.warnings().empty() ? "" : r.warnings()[0].c_str());
    QCOMPARE(r.format_version(), kRunFormatVersion);
    QVERIFY(same_info(r.info(), info));
    QCOMPARE(r.stored_status(), RunStatus::Finished);
    QCOMPARE(r.status(), RunStatus::Finished);
    QVERIFY(!r.writer_alive());
    QCOMPARE(r.status_message(), std::string("done \xE2\x9C\x93"));
    QCOMPARE(r.start_time().size(), size_t(20));  // 2025-01-31T12:34:56Z
    QCOMPARE(r.start_time()[10], 'T');
    QCOMPARE(r.end_time().size(), size_t(20));
    QVERIFY(!r.host().empty());

    QCOMPARE(r.num_steps(), int64_t(300));
    const auto steps = r.steps();
    QCOMPARE(steps.size(), size_t(300));
    for (int64_t i = 0; i < 300; ++i) QVERIFY2(same_step(steps[i], make_step(i)), "step row");
    const auto mid = r.steps(100, 110);
    QCOMPARE(mid.size(), size_t(10));
    QVERIFY(same_step(mid[0], make_step(100)));
    QCOMPARE(r.steps(-5, 100000).size(), size_t(300));  // clamped
    QVERIFY(r.steps(200, 100).empty());
    const auto loss = r.step_series("loss");
    const auto stepcol = r.step_series("step", 290);
    QCOMPARE(loss.size(), size_t(300));
    for (int64_t i = 0; i < 300; ++i) QVERIFY(same(loss[i], make_step(i).loss));
    QCOMPARE(stepcol.size(), size_t(10));
    QCOMPARE(stepcol[0], 291.0);
    QCOMPARE(RunReader::step_columns().size(), size_t(10));
    for (const auto& c : RunReader::step_columns()) QCOMPARE(r.step_series(c).size(), size_t(300));
    QVERIFY_THROWS_EXCEPTION(StoreError, r.step_series("nope"));

    QCOMPARE(r.num_vals(), int64_t(6));
    const auto vals = r.vals();
    QCOMPARE(vals.size(), size_t(6));
    for (int i = 0; i < 6; ++i) QVERIFY(same_val(vals[i], make_val(i)));

    QCOMPARE(r.num_snapshots(), 4);
    const auto ss = r.snapshot_steps();
    QCOMPARE(ss.size(), size_t(4));
    for (int i = 0; i < 4; ++i) {
      QCOMPARE(ss[i], snaps[i].step);
      std::string why;
      QVERIFY2(same_snapshot(r.snapshot(i), snaps[i], &why), why.c_str());
    }
    // The batch read gives the same snapshots, whole or in part.
    const std::vector<Snapshot> all = r.snapshots();
    QCOMPARE(all.size(), size_t(4));
    for (int i = 0; i < 4; ++i) {
      std::string why;
      QVERIFY2(same_snapshot(all[i], snaps[i], &why), why.c_str());
    }
    const std::vector<Snapshot> part = r.snapshots(1, 3);
    QCOMPARE(part.size(), size_t(2));
    std::string why;
    QVERIFY2(same_snapshot(part[1], snaps[2], &why), why.c_str());
    QVERIFY(r.snapshots(3, 2).empty());
    QCOMPARE(r.snapshots(2, 99).size(), size_t(2));
    QVERIFY_THROWS_EXCEPTION(StoreError, r.snapshot(4));
    QVERIFY_THROWS_EXCEPTION(StoreError, r.snapshot(-1));
    QVERIFY(!r.refresh());  // finished: nothing can change
    QVERIFY(r.warnings().empty());
  }

  // Empty vectors mean "not computed": stored as NaN (0 for flags) at the run's sizes.
  // A wrongly sized vector is refused before anything is written.
  void partialAndMisshapenSnapshots() {
    const std::string path = p("partial.h5");
    const RunInfo info = default_info(0);  // no FTA dataset at all
    {
      RunWriter w(path, false);
      w.begin(info);
      Snapshot s;
      s.step = 10;
      w.append_snapshot(s);  // no layers at all
      Snapshot bad = make_snapshot(info, 1);
      bad.layers[1].pr_sv[kActK].resize(3);
      try {
        w.append_snapshot(bad);
        QFAIL("misshapen snapshot accepted");
      } catch (const StoreError& e) {
        QVERIFY2(std::string(e.what()).find("pr_sv[k]") != std::string::npos, e.what());
      }
      Snapshot bad2 = make_snapshot(info, 1);
      bad2.layers.pop_back();
      QVERIFY_THROWS_EXCEPTION(StoreError, w.append_snapshot(bad2));
      Snapshot half = make_snapshot(info, 2);
      half.layers[0].matrices[3].sv.clear();
      half.layers[1].collapsed.clear();
      w.append_snapshot(half);
      w.finish(RunStatus::Stopped, "user stop");
    }
    RunReader r(path);
    QCOMPARE(r.num_snapshots(), 2);
    QCOMPARE(r.stored_status(), RunStatus::Stopped);
    const Snapshot s0 = r.snapshot(0);
    QCOMPARE(s0.step, int64_t(10));
    QCOMPARE(s0.layers.size(), size_t(2));
    QCOMPARE(s0.layers[1].matrices[4].sv.size(), size_t(64));
    QVERIFY(std::isnan(s0.layers[1].matrices[4].sv[0]));
    QVERIFY(std::isnan(s0.layers[0].pr_sv[kActOut][3]));
    QCOMPARE(s0.layers[0].k_post.token.size(), size_t(64));
    QCOMPARE(s0.layers[0].collapsed, std::vector<uint8_t>(4, 0));
    QVERIFY(s0.fta.empty());
    Snapshot expect = make_snapshot(info, 2);
    expect.layers[0].matrices[3].sv.assign(64, std::numeric_limits<float>::quiet_NaN());
    expect.layers[1].collapsed.assign(4, 0);
    std::string why;
    QVERIFY2(same_snapshot(r.snapshot(1), expect, &why), why.c_str());
  }

  // A file from before the per-head composites existed (no /snapshots/heads group at all):
  // it opens, every other value reads exactly, the per-head values read as NaN at the run's
  // sizes, and each missing dataset is named once in the warnings. A wrongly sized per-head
  // vector is refused at write time.
  void fileWithoutHeadComposites() {
    const std::string path = p("noheads.h5");
    const RunInfo info = default_info();
    write_run(path, info, 100, 50);
    {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      QVERIFY(f >= 0);
      QVERIFY(H5Ldelete(f, "/snapshots/heads", H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    RunReader r(path);
    QCOMPARE(r.num_snapshots(), 2);
    QCOMPARE(r.warnings().size(), size_t(12));  // (sv + 5 metrics) x (qk, ov)
    for (const std::string& w : r.warnings())
      QVERIFY2(w.find("missing dataset /snapshots/heads/") != std::string::npos, w.c_str());
    const Snapshot got = r.snapshot(1);
    Snapshot expect = make_snapshot(info, 1);
    for (LayerMetrics& l : expect.layers)
      for (auto* heads : {&l.qk_heads, &l.ov_heads})
        for (SpectrumMetrics& h : *heads) {
          h = SpectrumMetrics{};
          h.sv.assign(size_t(info.head_dim), std::nanf(""));
        }
    std::string why;
    QVERIFY2(same_snapshot(got, expect, &why), why.c_str());
    QCOMPARE(got.layers[1].ov_heads.size(), size_t(info.n_head));
    QVERIFY(std::isnan(got.layers[1].ov_heads[3].sv[0]) &&
            std::isnan(got.layers[1].ov_heads[3].erank));

    RunWriter w(p("badheads.h5"), false);
    w.begin(info);
    Snapshot bad = make_snapshot(info, 0);
    bad.layers[0].qk_heads[2].sv.resize(5);
    try {
      w.append_snapshot(bad);
      QFAIL("misshapen per-head spectrum accepted");
    } catch (const StoreError& e) {
      QVERIFY2(std::string(e.what()).find("qk_heads[2] sv") != std::string::npos, e.what());
    }
    Snapshot few = make_snapshot(info, 0);
    few.layers[1].ov_heads.pop_back();
    QVERIFY_THROWS_EXCEPTION(StoreError, w.append_snapshot(few));
    Snapshot none = make_snapshot(info, 0);  // empty = not computed: stored as NaN
    none.layers[0].qk_heads.clear();
    w.append_snapshot(none);
    w.finish(RunStatus::Finished, "");
    RunReader r2(p("badheads.h5"));
    QVERIFY(r2.warnings().empty());
    const Snapshot n0 = r2.snapshot(0);
    QCOMPARE(n0.layers[0].qk_heads.size(), size_t(info.n_head));
    QVERIFY(std::isnan(n0.layers[0].qk_heads[0].sv[0]) &&
            std::isnan(n0.layers[0].qk_heads[0].entropy));
    QVERIFY(same_spectrum(n0.layers[0].ov_heads[1], make_snapshot(info, 0).layers[0].ov_heads[1]));
  }

  void overwriteRefusedUnlessAllowed() {
    const std::string path = p("over.h5");
    const RunInfo info = default_info();
    write_run(path, info, 60, 30);
    const std::string before = file_bytes(path);
    try {
      RunWriter w(path, false);
      QFAIL("existing file overwritten");
    } catch (const StoreError& e) {
      const std::string m = e.what();
      QVERIFY2(m.find(path) != std::string::npos && m.find("exists") != std::string::npos,
               e.what());
    }
    QCOMPARE(file_bytes(path), before);  // untouched
    {
      RunWriter w(path, true);
      w.begin(info);
      for (int i = 0; i < 5; ++i) w.append_step(make_step(i));
      w.finish(RunStatus::Failed, "diverged");
    }
    RunReader r(path);
    QCOMPARE(r.num_steps(), int64_t(5));
    QCOMPARE(r.num_snapshots(), 0);
    QCOMPARE(r.status(), RunStatus::Failed);
    QCOMPARE(r.status_message(), std::string("diverged"));
  }

  void liveWriterBlocksOverwrite() {
    const std::string path = p("live.h5");
    RunWriter w(path, false);
    w.begin(default_info());
    w.append_step(make_step(0));
    w.flush();
    QVERIFY(run_writer_alive(path));
    try {
      RunWriter other(path, true);
      QFAIL("overwrote a file that is being written");
    } catch (const StoreError& e) {
      QVERIFY2(std::string(e.what()).find("being written") != std::string::npos, e.what());
    }
    // A reader in the writer's own process works too (HDF5 shares the open file).
    RunReader r(path);
    QCOMPARE(r.num_steps(), int64_t(1));
    QCOMPARE(r.status(), RunStatus::Running);
    w.append_step(make_step(1));
    w.flush();
    QVERIFY(r.refresh());
    QCOMPARE(r.num_steps(), int64_t(2));
    w.finish(RunStatus::Finished);
    QVERIFY(!run_writer_alive(path));
  }

  void unwritablePathFailsEarly() {
    const std::string plain = p("plain.txt");
    { std::ofstream(plain) << "not a directory"; }
    const std::string bad[] = {p("no-such-dir/run.h5"), plain + "/run.h5",
                               tmp_.path().toStdString(), ""};
    for (const auto& path : bad) {
      try {
        RunWriter w(path, false);
        QFAIL(("accepted unwritable path " + path).c_str());
      } catch (const StoreError& e) {
        QVERIFY2(path.empty() || std::string(e.what()).find(path) != std::string::npos, e.what());
      }
    }
    // The same with overwrite allowed.
    QVERIFY_THROWS_EXCEPTION(StoreError, RunWriter(p("no-such-dir/x.h5"), true));
    QVERIFY_THROWS_EXCEPTION(StoreError, RunWriter(tmp_.path().toStdString(), true));
  }

  void writerLifecycle() {
    // Never begun: the empty file is removed.
    const std::string a = p("never.h5");
    {
      RunWriter w(a, false);
      QVERIFY(QFile::exists(QString::fromStdString(a)));
    }
    QVERIFY(!QFile::exists(QString::fromStdString(a)));
    // Misuse is a StoreError, not a crash.
    const std::string b = p("misuse.h5");
    RunWriter w(b, false);
    QVERIFY_THROWS_EXCEPTION(StoreError, w.append_step(make_step(0)));
    RunInfo bad = default_info();
    bad.matrix_names[2] = "attn/v";
    QVERIFY_THROWS_EXCEPTION(StoreError, w.begin(bad));
    bad = default_info();
    bad.matrix_shapes.pop_back();
    QVERIFY_THROWS_EXCEPTION(StoreError, w.begin(bad));
    w.begin(default_info());
    QVERIFY_THROWS_EXCEPTION(StoreError, w.begin(default_info()));
    w.finish(RunStatus::Finished);
    QVERIFY_THROWS_EXCEPTION(StoreError, w.append_snapshot(Snapshot{}));
  }

  // Destroyed without finish(): buffered rows are kept, the status stays "running", and a
  // reader reports the run as interrupted.
  void destructorWithoutFinishIsInterrupted() {
    const std::string path = p("dropped.h5");
    {
      RunWriter w(path, false);
      w.begin(default_info());
      for (int i = 0; i < 10; ++i) w.append_step(make_step(i));
      w.append_val(make_val(0));
    }
    RunReader r(path);
    QCOMPARE(r.stored_status(), RunStatus::Running);
    QCOMPARE(r.status(), RunStatus::Interrupted);
    QCOMPARE(r.num_steps(), int64_t(10));
    QCOMPARE(r.num_vals(), int64_t(1));
    QVERIFY(r.end_time().empty());
  }

  void foreignNewerAndDamagedFiles() {
    const std::string text = p("text.h5");
    { std::ofstream(text) << "hello, not HDF5\n"; }
    QVERIFY_THROWS_EXCEPTION(StoreError, RunReader{text});
    QVERIFY_THROWS_EXCEPTION(StoreError, RunReader{p("missing.h5")});

    // An HDF5 file of someone else.
    const std::string other = p("other.h5");
    {
      hid_t f = H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      QVERIFY(f >= 0);
      H5Fclose(f);
    }
    try {
      RunReader r(other);
      QFAIL("opened a foreign file");
    } catch (const StoreError& e) {
      QVERIFY2(std::string(e.what()).find("not a Muonscope run") != std::string::npos, e.what());
    }

    // A newer format version, and a deleted dataset.
    const std::string path = p("edit.h5");
    write_run(path, default_info(), 100, 50);
    {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      QVERIFY(f >= 0);
      QVERIFY(H5Ldelete(f, "/steps/lr_muon", H5P_DEFAULT) >= 0);
      QVERIFY(H5Ldelete(f, "/snapshots/spectra/vo/sv", H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    {
      RunReader r(path);
      QCOMPARE(r.num_steps(), int64_t(100));
      QCOMPARE(r.warnings().size(), size_t(2));
      QVERIFY(r.warnings()[0].find("/steps/lr_muon") != std::string::npos);
      const auto steps = r.steps();
      QVERIFY(std::isnan(steps[1].lr_muon));
      QVERIFY(same(steps[1].loss, make_step(1).loss));
      QVERIFY(std::isnan(r.step_series("lr_muon")[1]));
      Snapshot expect = make_snapshot(r.info(), 1);
      for (auto& l : expect.layers) l.matrices[7].sv.assign(64, std::nanf(""));
      std::string why;
      QVERIFY2(same_snapshot(r.snapshot(1), expect, &why), why.c_str());
    }
    {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
      const int64_t v = kRunFormatVersion + 1;
      QVERIFY(H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0);
      H5Aclose(a);
      H5Fclose(f);
    }
    try {
      RunReader r(path);
      QFAIL("opened a newer format");
    } catch (const StoreError& e) {
      QVERIFY2(std::string(e.what()).find("newer") != std::string::npos, e.what());
    }
  }

  // A version-1 file (Muonscope 0.1) lacks the datasets added in versions 2, 3 and 4: it reads
  // without a warning for them, their values NaN (0 for the clip and thread counts); the same
  // file claiming version 2 warns about each but the version-3 power-law fit and the version-4
  // thread counts, claiming version 3 about each but the thread counts, claiming 4 about each.
  void version1FileReadsWithoutWarnings() {
    const std::string path = p("v1.h5");
    const RunInfo info = default_info();
    write_run(path, info, 100, 50);
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    QVERIFY(f >= 0);
    std::vector<std::string> gone = {"/steps/clipped_heads", "/steps/threads"};
    size_t v3 = 0;        // of them new in version 3
    const size_t v4 = 1;  // new in version 4: /steps/threads
    for (const auto& m : info.matrix_names) {
      for (const char* d : {"update_cosine", "update_top_share"})
        gone.push_back("/snapshots/spectra/" + m + "/" + d);
      for (const char* d : {"alpha", "alpha_weighted", "alpha_ks", "alpha_xmin"}) {
        gone.push_back("/snapshots/spectra/" + m + "/" + d);
        ++v3;
      }
    }
    for (const char* kind : {"qk", "ov"})
      for (const char* d : {"sv", "entropy", "erank", "top10", "q75_q25", "stable_rank"})
        gone.push_back(std::string("/snapshots/heads/") + kind + "/" + d);
    for (const char* c : {"k_pre", "k_post", "v"})
      gone.push_back(std::string("/snapshots/kv/") + c + "/token_all");
    for (const auto& g : gone) QVERIFY(H5Ldelete(f, g.c_str(), H5P_DEFAULT) >= 0);
    H5Fclose(f);
    for (const int64_t version : {int64_t(1), int64_t(2), int64_t(3), int64_t(4)}) {
      f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
      QVERIFY(H5Awrite(a, H5T_NATIVE_INT64, &version) >= 0);
      H5Aclose(a);
      H5Fclose(f);
      RunReader r(path);
      if (version == 1) {
        QVERIFY2(r.warnings().empty(), r.warnings().empty() ? "" : r.warnings()[0].c_str());
      } else {
        QCOMPARE(r.warnings().size(), version == 2   ? gone.size() - v3 - v4
                                      : version == 3 ? gone.size() - v4
                                                     : gone.size());
      }
      QCOMPARE(r.steps(5, 6).at(0).clipped_heads, int64_t(0));
      QCOMPARE(r.steps(5, 6).at(0).threads, int64_t(0));
      QVERIFY(std::isnan(r.snapshot(1).layers[0].matrices[0].update_cosine));
      QVERIFY(std::isnan(r.snapshot(1).layers[0].matrices[0].update_top_share));
      QVERIFY(std::isfinite(r.snapshot(1).layers[0].matrices[0].stable_rank));
      const Snapshot s1 = r.snapshot(1);                     // kept: m0 refers into it
      const SpectrumMetrics& m0 = s1.layers[1].matrices[2];  // no power-law fit
      QVERIFY(std::isnan(m0.alpha) && std::isnan(m0.alpha_weighted) && std::isnan(m0.alpha_ks) &&
              std::isnan(m0.alpha_xmin));
    }
  }

  // Files from before token_all: with probe_batch but without the dataset (read as NaN with a
  // warning), and without the probe_batch attribute too (no token_all at all, no warning).
  void olderFilesWithoutTokenAll() {
    const std::string path = p("old.h5");
    write_run(path, default_info(), 100, 50);
    {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      QVERIFY(f >= 0);
      for (const char* c : {"k_pre", "k_post", "v"})
        QVERIFY(H5Ldelete(f, (std::string("/snapshots/kv/") + c + "/token_all").c_str(),
                          H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    {
      RunReader r(path);
      QCOMPARE(r.info().probe_batch, 3);
      QCOMPARE(r.warnings().size(), size_t(3));
      QVERIFY(r.warnings()[0].find("token_all") != std::string::npos);
      QCOMPARE(r.num_snapshots(), 2);
      Snapshot expect = make_snapshot(r.info(), 1);
      for (auto& l : expect.layers)
        for (Magnitudes* m : {&l.k_pre, &l.k_post, &l.v})
          m->token_all.assign(m->token_all.size(), std::nanf(""));
      std::string why;
      QVERIFY2(same_snapshot(r.snapshot(1), expect, &why), why.c_str());
    }
    {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      QVERIFY(H5Adelete(f, "probe_batch") >= 0);
      H5Fclose(f);
    }
    RunReader r(path);
    QVERIFY2(r.warnings().empty(), r.warnings().empty() ? "" : r.warnings()[0].c_str());
    QCOMPARE(r.info().probe_batch, 0);
    Snapshot expect = make_snapshot(r.info(), 0);  // probe_batch 0: token_all empty
    std::string why;
    QVERIFY2(same_snapshot(r.snapshot(0), expect, &why), why.c_str());
    QVERIFY(r.snapshot(0).layers[1].v.token_all.empty());
    QCOMPARE(r.snapshot(0).layers[1].v.token.size(), size_t(64));
  }

  // SIGKILL a writing process after a few flushed snapshots: the file opens, says interrupted,
  // and holds at least those snapshots, every one of them intact.
  void killDuringWrite() {
    const std::string path = p("killed.h5");
    Child c = spawn_child("kill", path);
    QVERIFY(c.pid > 0);
    ChildGuard guard{c};
    char b;
    for (int i = 0; i < 3; ++i) QVERIFY(recv_byte(c.from_child, &b));
    ::kill(c.pid, SIGKILL);
    int st = 0;
    QCOMPARE(::waitpid(c.pid, &st, 0), c.pid);
    guard.reaped();
    QVERIFY(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    close_child(c);

    RunReader r(path);
    QCOMPARE(r.stored_status(), RunStatus::Running);
    QCOMPARE(r.status(), RunStatus::Interrupted);
    QVERIFY(r.num_snapshots() >= 3);
    QVERIFY(r.num_steps() >= 3 * 37);
    QVERIFY(r.num_vals() >= 1);
    const RunInfo info = default_info();
    QVERIFY(same_info(r.info(), info));
    for (int i = 0; i < r.num_snapshots(); ++i) {
      std::string why;
      QVERIFY2(same_snapshot(r.snapshot(i), make_snapshot(info, i), &why), why.c_str());
    }
    const auto steps = r.steps();
    for (size_t i = 0; i < steps.size(); ++i) QVERIFY(same_step(steps[i], make_step(i)));
    const auto vals = r.vals();
    for (size_t i = 0; i < vals.size(); ++i) QVERIFY(same_val(vals[i], make_val(i)));
    QVERIFY2(r.warnings().empty(), r.warnings().empty() ? "" : r.warnings()[0].c_str());
    QVERIFY(!r.refresh());
  }

  // A reader tails a file that a child process writes in rounds (handshake, no sleeps).
  void tailLiveWriter() {
    const std::string path = p("tail.h5");
    Child c = spawn_child("tail", path);
    QVERIFY(c.pid > 0);
    ChildGuard guard{c};
    const RunInfo info = default_info();
    char b = 0;
    QVERIFY(recv_byte(c.from_child, &b));
    RunReader r(path);
    QVERIFY(r.opened_swmr());
    QVERIFY(r.writer_alive());
    QCOMPARE(r.status(), RunStatus::Running);
    QCOMPARE(r.num_steps(), int64_t(10));
    QCOMPARE(r.num_snapshots(), 1);
    for (int round = 1; round < 3; ++round) {
      send_byte(c.to_child, 'g');
      QVERIFY(recv_byte(c.from_child, &b));
      QVERIFY(r.refresh());
      QCOMPARE(r.num_steps(), int64_t(10 * (round + 1)));
      QCOMPARE(r.num_snapshots(), round + 1);
      std::string why;
      QVERIFY2(same_snapshot(r.snapshot(round), make_snapshot(info, round), &why), why.c_str());
      QVERIFY(same_step(r.steps(10 * round, 10 * round + 1)[0], make_step(10 * round)));
      QVERIFY(!r.refresh());  // nothing new until the child goes on
    }
    send_byte(c.to_child, 'g');
    QVERIFY(recv_byte(c.from_child, &b));
    QCOMPARE(b, 'f');
    int st = 0;
    QCOMPARE(::waitpid(c.pid, &st, 0), c.pid);
    guard.reaped();
    QVERIFY(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close_child(c);
    QVERIFY(r.refresh());  // the writer is gone: final status
    QCOMPARE(r.stored_status(), RunStatus::Finished);
    QCOMPARE(r.status(), RunStatus::Finished);
    QCOMPARE(r.status_message(), std::string("tail done"));
    QCOMPARE(r.num_steps(), int64_t(30));
    QCOMPARE(r.num_snapshots(), 3);
    QVERIFY(!r.end_time().empty());
    QVERIFY(r.warnings().empty());
  }
};

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--store-child") == 0) return run_child(argc, argv);
  TestStore t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_store.moc"
