// launch_local (see LocalLauncher.h): fork + execve of N ranks, then one event loop that wakes
// on SIGCHLD / SIGINT / SIGTERM (a self-pipe written by the handlers) or at the next deadline of
// the grace -> SIGTERM -> SIGKILL sequence that follows a failed rank. Every string a child needs
// is built before fork(), so the child only calls async-signal-safe functions before execve.
#include "dist/LocalLauncher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "dist/DistEnv.h"
#include "train/CpuCores.h"

extern char** environ;

namespace ms {
namespace {

int g_wake_fd = -1;                       // write end of the self-pipe
volatile sig_atomic_t g_stop_sig = 0;     // last SIGINT/SIGTERM received
volatile sig_atomic_t g_forward_sig = 0;  // a signal to pass on to the ranks (0 = none)

void wake() {
  if (g_wake_fd >= 0) {
    const char b = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_wake_fd, &b, 1);  // full pipe: already awake
  }
}

void on_stop(int sig, siginfo_t* info, void*) {
  const int saved = errno;
  g_stop_sig = sig;
  // The terminal's Ctrl-C (SI_KERNEL) went to the whole foreground process group, ranks
  // included; a kill() of this process alone (SI_USER, SI_QUEUE, ...) did not.
  if (!info || info->si_code != SI_KERNEL) g_forward_sig = sig;
  wake();
  errno = saved;
}

void on_child(int) {
  const int saved = errno;
  wake();
  errno = saved;
}

struct Child {
  pid_t pid = -1;
  int rank = 0;
  bool alive = true;
  bool terminated = false;  // we sent SIGTERM/SIGKILL
};

std::string signal_text(int sig) {
  const char* name = strsignal(sig);
  return std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
}

// Installs the handlers, restores the previous ones (and closes the pipe) on destruction.
class SignalScope {
 public:
  SignalScope() {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::runtime_error(std::string("launch_local: pipe: ") + std::strerror(errno));
    g_stop_sig = 0;
    g_forward_sig = 0;
    g_wake_fd = pipe_[1];
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_stop;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    struct sigaction sc {};
    sigemptyset(&sc.sa_mask);
    sc.sa_handler = on_child;
    sc.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sc, &old_chld_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGCHLD, &old_chld_, nullptr);
    g_wake_fd = -1;
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

  // Waits until a handler wrote to the pipe or `timeout_ms` passed (-1: no limit).
  void wait(int timeout_ms) {
    pollfd p{pipe_[0], POLLIN, 0};
    ::poll(&p, 1, timeout_ms);  // EINTR: a handler ran, which is a reason to look again
    char buf[64];
    while (::read(pipe_[0], buf, sizeof buf) > 0) {
    }
  }

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {
  }, old_term_{}, old_chld_{};
};

// The variables every rank gets from the launcher (replaced when the caller has them).
const std::set<std::string> kReplaced = {
    "RANK",        "LOCAL_RANK",  "WORLD_SIZE",        "LOCAL_WORLD_SIZE",
    "MASTER_ADDR", "MASTER_PORT", "MUONSCOPE_LAUNCHER"};

}  // namespace

int launch_local(int nproc, const std::vector<std::string>& argv, std::ostream& log,
                 const LaunchOptions& opt) {
  if (nproc < 1)
    throw std::invalid_argument("launch_local: nproc must be at least 1, not " +
                                std::to_string(nproc));
  if (argv.empty()) throw std::invalid_argument("launch_local: argv is empty (argv[0] missing)");

  const int port = free_tcp_port();
  std::vector<std::string> base_env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    if (!kReplaced.count(kv.substr(0, kv.find('=')))) base_env.push_back(kv);
  }
  base_env.push_back("WORLD_SIZE=" + std::to_string(nproc));
  base_env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(nproc));
  base_env.push_back("MASTER_ADDR=127.0.0.1");
  base_env.push_back("MASTER_PORT=" + std::to_string(port));
  base_env.push_back("MUONSCOPE_LAUNCHER=local");
  std::string omp = std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "";
  if (!std::getenv("OMP_NUM_THREADS")) {
    omp = std::to_string(std::max(1, usable_cores() / nproc));
    base_env.push_back("OMP_NUM_THREADS=" + omp);
  }

  // Everything the children need, built before the first fork().
  std::vector<std::vector<std::string>> env_strings(nproc, base_env);
  std::vector<std::vector<char*>> envps(nproc);
  for (int r = 0; r < nproc; ++r) {
    env_strings[r].push_back("RANK=" + std::to_string(r));
    env_strings[r].push_back("LOCAL_RANK=" + std::to_string(r));
    for (auto& s : env_strings[r]) envps[r].push_back(s.data());
    envps[r].push_back(nullptr);
  }
  std::vector<std::string> args = argv;
  std::vector<char*> argvp;
  for (auto& a : args) argvp.push_back(a.data());
  argvp.push_back(nullptr);
  const char* exe = opt.exe.c_str();

  log << "launch: starting " << nproc << (nproc == 1 ? " rank" : " ranks")
      << " on this machine (rendezvous 127.0.0.1:" << port << ", OMP_NUM_THREADS=" << omp
      << " each)\n"
      << std::flush;

  SignalScope signals;
  const pid_t parent = ::getpid();
  sigset_t empty;
  sigemptyset(&empty);
  std::vector<Child> children;
  std::string spawn_error;
  for (int r = 0; r < nproc && spawn_error.empty(); ++r) {
    int errpipe[2];
    if (::pipe2(errpipe, O_CLOEXEC) != 0) {
      spawn_error = std::string("pipe: ") + std::strerror(errno);
      break;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      // The child: default signal handling and an empty mask for the new program, SIGTERM when
      // the launcher dies, then exec; on failure the errno goes back through the pipe.
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::signal(SIGCHLD, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &empty, nullptr);
      ::close(errpipe[0]);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(143);  // the launcher is already gone
      ::execve(exe, argvp.data(), envps[r].data());
      const int err = errno;
      [[maybe_unused]] const ssize_t n = ::write(errpipe[1], &err, sizeof err);
      ::_exit(127);
    }
    ::close(errpipe[1]);
    if (pid < 0) {
      spawn_error = std::string("fork: ") + std::strerror(errno);
      ::close(errpipe[0]);
      break;
    }
    int err = 0;
    ssize_t n;
    while ((n = ::read(errpipe[0], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    ::close(errpipe[0]);
    if (n > 0) {
      ::waitpid(pid, nullptr, 0);
      spawn_error = "cannot execute " + opt.exe + ": " + std::strerror(err);
      break;
    }
    children.push_back({pid, r});
  }

  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> term_at, kill_at;
  if (!spawn_error.empty()) term_at = Clock::now();  // stop the ranks already started
  int first_fail_rank = -1, first_fail_code = 0;
  bool any130 = false, signalled = false, killed = false;
  const auto alive_count = [&] {
    return std::count_if(children.begin(), children.end(), [](const Child& c) { return c.alive; });
  };

  while (alive_count() > 0) {
    if (const int s = g_forward_sig) {
      g_forward_sig = 0;
      for (const Child& c : children)
        if (c.alive) ::kill(c.pid, s);
    }
    if (g_stop_sig) signalled = true;

    for (Child& c : children) {
      if (!c.alive) continue;
      int st = 0;
      const pid_t r = ::waitpid(c.pid, &st, WNOHANG);
      if (r == 0 || (r < 0 && errno == EINTR)) continue;
      c.alive = false;
      if (r < 0) {  // reaped elsewhere (ECHILD): nothing is known of how it ended
        log << "launch: rank " << c.rank << " (pid " << c.pid << ") ended, status unknown\n";
        continue;
      }
      bool abnormal = false;
      int code = 0;
      if (WIFEXITED(st)) {
        code = WEXITSTATUS(st);
        if (code == 130) any130 = true;
        abnormal = code != 0 && code != 130;
        if (abnormal || c.terminated)
          log << "launch: rank " << c.rank << " (pid " << c.pid << ") ended with exit code " << code
              << "\n";
      } else if (WIFSIGNALED(st)) {
        const int sig = WTERMSIG(st);
        // Ctrl-C reaches the ranks and this process at once: look at the flag itself.
        if (g_stop_sig) signalled = true;
        const bool asked = signalled && (sig == SIGINT || sig == SIGTERM);
        if (asked) any130 = true;
        abnormal = !c.terminated && !asked;
        code = 1;
        log << "launch: rank " << c.rank << " (pid " << c.pid << ") ended by signal "
            << signal_text(sig) << (c.terminated ? " (sent by the launcher)" : "") << "\n";
      }
      if (abnormal && first_fail_rank < 0) {
        first_fail_rank = c.rank;
        first_fail_code = code;
        if (!term_at && alive_count() > 0) {
          term_at = Clock::now() + opt.grace;
          log << "launch: giving the other ranks "
              << std::chrono::duration<double>(opt.grace).count()
              << " s to end on their own, then SIGTERM\n";
        }
      }
    }
    log << std::flush;
    if (alive_count() == 0) break;

    const auto now = Clock::now();
    if (term_at && !kill_at && now >= *term_at) {
      for (Child& c : children)
        if (c.alive) {
          log << "launch: sending SIGTERM to rank " << c.rank << " (pid " << c.pid << ")\n";
          ::kill(c.pid, SIGTERM);
          c.terminated = true;
        }
      kill_at = now + opt.kill_after;
    }
    if (kill_at && !killed && now >= *kill_at) {
      for (const Child& c : children)
        if (c.alive) {
          log << "launch: sending SIGKILL to rank " << c.rank << " (pid " << c.pid << ")\n";
          ::kill(c.pid, SIGKILL);
        }
      killed = true;
    }
    log << std::flush;

    int timeout_ms = -1;
    const auto next = kill_at && !killed ? kill_at : (!kill_at ? term_at : std::nullopt);
    if (next) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
      timeout_ms = int(std::clamp<long long>(left.count(), 0, 60'000));
    }
    signals.wait(timeout_ms);
  }

  if (!spawn_error.empty()) throw std::runtime_error("launch_local: " + spawn_error);
  if (first_fail_rank >= 0) return first_fail_code;
  return signalled || any130 ? 130 : 0;
}

}  // namespace ms
