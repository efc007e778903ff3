// dist_worker: the rank side of tests/dist (test_comm, test_launcher). One process per rank,
// started by the tests (QProcess) or by launch_local; it reads its place from the environment
// (dist_env) and runs one scenario, printing results as "KEY v1 v2 ..." lines on stdout (doubles
// with 17 digits, so the tests compare exactly). Scenarios:
//   collectives          allreduce_mean of mixed tensors in several buckets, sum, max, broadcast
//   dead                 rank 1 leaves after a barrier; rank 0's collectives must throw and the
//                        store must tell which rank is alive
//   dead-host            rank 0 (the store's host) leaves after a barrier; rank 1's calls throw
//   connect <backend> <timeout_s>   only connect; prints CONNECTED or ERROR <message>
//   launch <nproc> <grace_ms> <kill_ms> <scenario...>   launch_local of this executable
//   env <dir> <rank1 exit code>     writes the launcher's variables to <dir>/rank<R>.txt
//   sigkill1 <dir> [ignore-term]    rank 1 kills itself with SIGKILL; rank 0 waits to be ended
//   wait-signal <dir>               each rank waits for SIGINT/SIGTERM, records it, exits 130
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "dist/Comm.h"
#include "dist/DistEnv.h"
#include "dist/LocalLauncher.h"

using namespace ms;

namespace {

void print(const std::string& key, const torch::Tensor& t) {
  const torch::Tensor v = t.contiguous().to(torch::kFloat64).view({-1});
  std::printf("%s", key.c_str());
  for (int64_t i = 0; i < v.numel(); ++i) std::printf(" %.17g", v[i].item<double>());
  std::printf("\n");
}

torch::Tensor f64(std::vector<double> v) {
  return torch::tensor(v, torch::kFloat64);
}

int collectives() {
  const DistEnv env = dist_env();
  auto comm = Comm::connect(env, "gloo", std::chrono::seconds(20));
  const double r = comm->rank();
  const auto opt64 = torch::TensorOptions().dtype(torch::kFloat64);
  // bucket_bytes 64 = 8 doubles: [a b] [c] [d: larger than a bucket] [e: float32] [f g].
  std::vector<torch::Tensor> t(9);
  t[0] = f64({1, 2, 3}) + 4 * r;                                 // a
  t[1] = f64({10, 20, 30, 40}).view({2, 2}) * (r + 1);           // b
  /* t[2] undefined: skipped */                                  //
  t[3] = f64({r == 0 ? 0.25 : 0.75, -1 - 2 * r});                // c
  t[4] = torch::arange(40, opt64) + 100 * r;                     // d
  t[5] = torch::tensor({1.f, 2.f, 3.f}) * float(1 + r);          // e (float32)
  t[6] = (torch::arange(1, 7, opt64).view({2, 3}) + 6 * r).t();  // f (3, 2), not contiguous
  t[7] = f64({7 + 2 * r});                                       // g
  t[8] = torch::empty({0}, opt64);                               // empty: skipped
  std::printf("BUCKETS");
  for (const auto& b : Comm::buckets_for(t, 64)) {
    std::printf(" ");
    for (size_t k = 0; k < b.size(); ++k) std::printf("%s%zu", k ? "," : "", b[k]);
  }
  std::printf("\n");
  const void* f_data = t[6].data_ptr();
  comm->allreduce_mean(t, 64);
  const char* names[] = {"a", "b", "", "c", "d", "e", "f", "g"};
  for (int i : {0, 1, 3, 4, 5, 6, 7}) print(std::string("MEAN_") + names[i], t[i]);
  std::printf("F_SAME_STORAGE %d\nF_CONTIGUOUS %d\nE_DTYPE %s\nUNDEFINED_STAYS %d\n",
              int(t[6].data_ptr() == f_data), int(t[6].is_contiguous()),
              std::string(c10::toString(t[5].scalar_type())).c_str(), int(!t[2].defined()));

  torch::Tensor s = r == 0 ? f64({1.5, 2}) : f64({2.25, -1});
  comm->allreduce_sum(s);
  print("SUM", s);
  torch::Tensor m = r == 0 ? f64({1, 7, -3}) : f64({4, 2, -5});
  comm->allreduce_max(m);
  print("MAX", m);
  torch::Tensor b = f64({r, 2 * r, 42 + r});
  comm->broadcast(b, 1);
  print("BCAST1", b);
  torch::Tensor b0 = f64({10 + r, 20 + r}).view({2, 1}).expand({2, 2});  // not contiguous
  b0 = b0.clone().t();
  comm->broadcast(b0, 0);
  print("BCAST0", b0);
  comm->barrier();
  std::printf("DONE %d\n", comm->rank());
  std::fflush(stdout);
  return 0;
}

int dead() {
  const DistEnv env = dist_env();
  auto comm = Comm::connect(env, "gloo", std::chrono::seconds(20));
  comm->barrier();
  if (comm->rank() == 1) {
    std::fflush(stdout);
    std::_Exit(3);  // no destructors, no goodbye: as a crash
  }
  const auto t0 = std::chrono::steady_clock::now();
  torch::Tensor x = torch::ones({1000}, torch::kFloat64);
  try {
    comm->allreduce_sum(x);
    std::printf("NOTHROW\n");
    return 2;
  } catch (const std::exception& e) {
    std::printf("THREW %s\n", e.what());
  }
  std::printf("THREW_AFTER_S %.3f\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::vector<torch::Tensor> g{torch::ones({3}, torch::kFloat64)};
  try {
    comm->allreduce_mean(g);
    std::printf("NOTHROW2\n");
  } catch (const std::exception& e) {
    std::printf("THREW2 %s\n", e.what());
  }
  comm->store_set("alive/0", "yes");
  const auto a0 = comm->store_get("alive/0", std::chrono::milliseconds(2000));
  const auto w0 = std::chrono::steady_clock::now();
  const auto a1 = comm->store_get("alive/1", std::chrono::milliseconds(1500));
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  std::printf("ALIVE0 %s\nALIVE1 %s\nALIVE1_WAITED_S %.3f\n", a0 ? a0->c_str() : "none",
              a1 ? a1->c_str() : "none", waited);
  std::fflush(stdout);
  return 0;
}

// Rank 0, the store's host, leaves after a barrier: rank 1's collective and store calls throw.
int dead_host() {
  auto comm = Comm::connect(dist_env(), "gloo", std::chrono::seconds(20));
  comm->barrier();
  if (comm->rank() == 0) {
    std::fflush(stdout);
    std::_Exit(3);
  }
  torch::Tensor x = torch::ones({10}, torch::kFloat64);
  try {
    comm->allreduce_max(x);
    std::printf("NOTHROW\n");
  } catch (const std::exception& e) {
    std::printf("THREW %s\n", e.what());
  }
  const auto t0 = std::chrono::steady_clock::now();
  try {
    comm->store_set("alive/1", "yes");
    const auto a0 = comm->store_get("alive/0", std::chrono::milliseconds(1000));
    std::printf("STORE_ANSWERED %s\n", a0 ? a0->c_str() : "none");
  } catch (const std::exception& e) {
    std::printf("STORE_THREW %s\n", e.what());
  }
  std::printf("STORE_AFTER_S %.3f\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::fflush(stdout);
  return 0;
}

int connect_only(const std::string& backend, int timeout_s) {
  try {
    auto comm = Comm::connect(dist_env(), backend, std::chrono::seconds(timeout_s));
    std::printf("CONNECTED %d %d\n", comm->rank(), comm->world());
    torch::Tensor x = torch::full({2}, 3.0 + comm->rank(), torch::kFloat64);
    std::vector<torch::Tensor> v{x};
    comm->allreduce_mean(v);
    print("MEAN", x);
    comm->barrier();
    return 0;
  } catch (const std::exception& e) {
    std::printf("ERROR %s\n", e.what());
    return 1;
  }
}

// --- launcher scenarios (no torch) ---

int rank_from_env() {
  const char* r = std::getenv("RANK");
  return r ? std::atoi(r) : -1;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::rename((path + ".tmp").c_str(), path.c_str());  // appears complete or not at all
}

int env_scenario(const std::string& dir, int rank1_code) {
  std::string text;
  for (const char* name : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                           "MASTER_PORT", "MUONSCOPE_LAUNCHER", "OMP_NUM_THREADS"}) {
    const char* v = std::getenv(name);
    text += std::string(name) + "=" + (v ? v : "<unset>") + "\n";
  }
  const DistEnv e = dist_env();  // what the trainer will see
  text += "DESCRIBE=" + e.describe() + "\n";
  const int rank = rank_from_env();
  write_file(dir + "/rank" + std::to_string(rank) + ".txt", text);
  return rank == 1 ? rank1_code : 0;
}

int sigkill1(const std::string& dir, bool ignore_term) {
  const int rank = rank_from_env();
  // Rank 0 first shows it is up (its pid file, its SIGTERM handling set), so that the launcher's
  // SIGTERM finds it running: a FIFO handshake, rank 1 blocks until rank 0 writes a byte.
  const std::string fifo = dir + "/ready0.fifo";
  if (mkfifo(fifo.c_str(), 0600) != 0 && errno != EEXIST) return 3;
  if (rank == 1) {
    const int fd = open(fifo.c_str(), O_RDONLY);  // until rank 0 opens it for writing
    char c = 0;
    if (fd < 0 || read(fd, &c, 1) != 1) return 3;  // until rank 0 wrote
    close(fd);
    write_file(dir + "/ready1", std::to_string(getpid()));
    raise(SIGKILL);
  }
  if (ignore_term) signal(SIGTERM, SIG_IGN);
  write_file(dir + "/ready" + std::to_string(rank), std::to_string(getpid()));
  if (rank == 0) {
    const int fd = open(fifo.c_str(), O_WRONLY);  // until rank 1 opens it for reading
    if (fd < 0 || write(fd, "1", 1) != 1) return 3;
    close(fd);
  }
  while (true) pause();  // until the launcher ends it
}

volatile sig_atomic_t g_sig = 0;
void on_sig(int s) {
  g_sig = s;
}

int wait_signal(const std::string& dir) {
  struct sigaction sa {};
  sa.sa_handler = on_sig;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &old);  // no signal lost between the check and the wait
  const int rank = rank_from_env();
  write_file(dir + "/ready" + std::to_string(rank), std::to_string(getpid()));
  while (!g_sig) sigsuspend(&old);
  write_file(dir + "/got" + std::to_string(rank), std::to_string(int(g_sig)));
  return 130;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv, argv + argc);
  if (a.size() < 2) {
    std::cerr << "usage: dist_worker <scenario> ... (see the file's head)\n";
    return 64;
  }
  try {
    const std::string& s = a[1];
    if (s == "collectives") return collectives();
    if (s == "dead") return dead();
    if (s == "dead-host") return dead_host();
    if (s == "connect" && a.size() == 4) return connect_only(a[2], std::stoi(a[3]));
    if (s == "launch" && a.size() >= 6) {
      LaunchOptions o;
      if (const char* exe = std::getenv("DIST_WORKER_EXE")) o.exe = exe;  // a failing exec
      o.grace = std::chrono::milliseconds(std::stoi(a[3]));
      o.kill_after = std::chrono::milliseconds(std::stoi(a[4]));
      std::vector<std::string> args{a[0]};
      args.insert(args.end(), a.begin() + 5, a.end());
      return launch_local(std::stoi(a[2]), args, std::cerr, o);
    }
    if (s == "env" && a.size() == 4) return env_scenario(a[2], std::stoi(a[3]));
    if (s == "sigkill1" && a.size() >= 3) return sigkill1(a[2], a.size() > 3);
    if (s == "wait-signal" && a.size() == 3) return wait_signal(a[2]);
  } catch (const std::exception& e) {
    std::cerr << "dist_worker: " << e.what() << "\n";
    return 70;
  }
  std::cerr << "dist_worker: unknown scenario or arguments\n";
  return 64;
}
