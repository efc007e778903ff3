// run_jobs implementation (see RunQueue.h): in-process for one job at a time, else a pool of
// child processes of this executable, polled with waitpid; outcomes are read back from the
// run files the children wrote.
#include "RunQueue.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "TrainRun.h"
#include "common/Duration.h"
#include "store/RunReader.h"
#include "train/CpuCores.h"

extern char** environ;

namespace ms {
namespace {

std::atomic<int> g_stop{0};

void on_stop_signal(int) {
  ++g_stop;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot find this executable (/proc/self/exe)");
  buf[n] = 0;
  return buf;
}

// What a finished child left in its run file.
RunOutcome outcome_from_file(const std::string& path, int exit_code) {
  RunOutcome o;
  try {
    RunReader r(path);
    o.status = r.status();
    o.message = r.status_message();
    const int64_t n = r.num_steps();
    if (n > 0) o.final_loss = r.steps(n - 1, n).at(0).loss;
    const auto v = r.vals();
    if (!v.empty()) o.final_val = v.back().loss;
  } catch (const std::exception& e) {
    o.status = RunStatus::Failed;
    o.message =
        "exit code " + std::to_string(exit_code) + ", no readable run file (" + e.what() + ")";
  }
  return o;
}

struct Child {
  pid_t pid = -1;
  size_t job = 0;
  std::string config_path;
  std::chrono::steady_clock::time_point start;
};

}  // namespace

int default_jobs() {
  return usable_cores();
}

bool run_jobs(const std::vector<RunJob>& jobs, const RunQueueOptions& opt) {
  if (opt.jobs < 1) throw std::invalid_argument("--jobs must be at least 1");
  if (opt.jobs == 1 || jobs.size() <= 1) {
    double done_s = 0;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (opt.on_start) opt.on_start(i);
      TrainOptions o;
      o.force = true;
      o.quiet = opt.quiet;
      o.prefix = "[" + std::to_string(i + 1) + "/" + std::to_string(jobs.size()) + "] ";
      // Jobs of a study are about equal in size: the average so far predicts the rest.
      o.extra_eta_s = i > 0 ? done_s / double(i) * double(jobs.size() - i - 1) : 0;
      const TrainResult r = train_to_file(jobs[i].config, jobs[i].path, o);
      done_s += r.wall_s;
      RunOutcome out{r.status, r.message, r.wall_s, r.final_loss, r.final_val};
      if (opt.on_done) opt.on_done(i, out);
      if (r.interrupted) return false;
    }
    return true;
  }

  const std::string exe = self_exe();
  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  // The cores shared out: each child's automatic thread count (CpuCores.h) is capped by
  // OMP_NUM_THREADS = cores / jobs, so J runs on C cores do not each try C threads.
  std::string omp_threads =
      "OMP_NUM_THREADS=" + std::to_string(std::max(1, usable_cores() / opt.jobs));
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "OMP_NUM_THREADS=", 16) != 0) envp.push_back(*e);
  envp.push_back(omp_threads.data());
  envp.push_back(nullptr);
  std::vector<Child> running;
  size_t next = 0, finished = 0;
  double done_s = 0;
  bool forwarded = false;
  const auto t0 = std::chrono::steady_clock::now();
  auto launch = [&](size_t i) {
    const RunJob& j = jobs[i];
    char tmpl[] = "/tmp/muonscope-job-XXXXXX.json";
    const int fd = mkstemps(tmpl, 5);
    if (fd < 0)
      throw std::runtime_error(std::string("cannot create a temporary config file: ") +
                               std::strerror(errno));
    close(fd);
    {
      std::ofstream f(tmpl);
      f << config_to_json(j.config) << "\n";
      if (!f) throw std::runtime_error(std::string("cannot write ") + tmpl);
    }
    std::vector<std::string> args = {exe,     "train", "--config", tmpl,
                                     "--out", j.path,  "--force",  "--quiet"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (opt.on_start) opt.on_start(i);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), envp.data());
    if (rc != 0) {
      std::remove(tmpl);
      throw std::runtime_error("cannot start '" + exe + " train': " + std::strerror(rc));
    }
    std::cerr << "[" << i + 1 << "/" << jobs.size() << "] started " << j.label << " -> " << j.path
              << "\n";
    running.push_back({pid, i, tmpl, std::chrono::steady_clock::now()});
  };

  while (finished < jobs.size()) {
    while (!g_stop && running.size() < size_t(opt.jobs) && next < jobs.size()) launch(next++);
    if (g_stop && !forwarded) {
      // A terminal Ctrl-C reaches the children too; a kill of this process alone does not.
      for (const auto& c : running) kill(c.pid, SIGINT);
      forwarded = true;
    }
    if (running.empty()) break;  // stopped before the rest started
    int st = 0;
    const pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    auto it =
        std::find_if(running.begin(), running.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == running.end()) continue;
    const Child c = *it;
    running.erase(it);
    std::remove(c.config_path.c_str());
    const int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    RunOutcome out = outcome_from_file(jobs[c.job].path, code);
    out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count();
    done_s += out.wall_s;
    ++finished;
    const size_t left = jobs.size() - finished;
    const double eta = done_s / double(finished) * double(left) / double(opt.jobs);
    std::cerr << "[" << c.job + 1 << "/" << jobs.size() << "] " << status_name(out.status) << " "
              << jobs[c.job].label << " in " << format_duration(out.wall_s) << " (" << finished
              << " of " << jobs.size() << " done, "
              << format_duration(
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
              << " elapsed";
    if (left > 0 && !g_stop) std::cerr << ", ETA " << format_duration(eta);
    std::cerr << ")\n";
    if (opt.on_done) opt.on_done(c.job, out);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return g_stop == 0;
}

}  // namespace ms
