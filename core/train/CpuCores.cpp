// count_cores (see CpuCores.h): affinity mask -> physical cores via the sysfs sibling lists ->
// cgroup quota and OMP_NUM_THREADS caps. Linux interfaces; on anything else the logical CPU
// count of std::thread::hardware_concurrency.
#include "train/CpuCores.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <chrono>
#include <ctime>
#include <limits>

#ifdef __linux__
#include <sched.h>
#include <unistd.h>
#endif

namespace ms {
namespace {

bool read_line(const std::string& path, std::string& out) {
  std::ifstream f(path);
  return static_cast<bool>(std::getline(f, out));
}

// ceil(quota / period) of the cgroup v2 file "cpu.max" ("max 100000" or "200000 100000") or of
// cgroup v1's cfs_quota_us / cfs_period_us; 0 when unlimited or unreadable.
int cgroup_quota() {
  std::string line;
  double quota = -1, period = 0;
  if (read_line("/sys/fs/cgroup/cpu.max", line)) {
    std::istringstream s(line);
    std::string q;
    s >> q >> period;
    if (q != "max") quota = std::atof(q.c_str());
  } else if (read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", line)) {
    quota = std::atof(line.c_str());
    if (read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", line)) period = std::atof(line.c_str());
  }
  if (quota <= 0 || period <= 0) return 0;
  return std::max(1, static_cast<int>(std::ceil(quota / period - 1e-9)));
}

}  // namespace

std::string CoreCount::describe() const {
  std::string s = std::to_string(cores) + (cores == 1 ? " core (" : " cores (") +
                  std::to_string(logical) + (logical == 1 ? " CPU" : " CPUs");
  if (quota > 0 && quota < physical) s += ", cgroup quota " + std::to_string(quota);
  if (omp_limit > 0) s += ", OMP_NUM_THREADS=" + std::to_string(omp_limit);
  return s + ")";
}

CoreCount count_cores() {
  CoreCount c;
  const unsigned hc = std::thread::hardware_concurrency();
  c.logical = c.physical = hc > 0 ? static_cast<int>(hc) : 1;
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    std::set<std::string> cores;  // one sibling list per physical core
    int logical = 0;
    bool topology = true;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &set)) continue;
      ++logical;
      std::string siblings;
      if (read_line("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                        "/topology/thread_siblings_list",
                    siblings))
        cores.insert(siblings);
      else
        topology = false;
    }
    if (logical > 0) {
      c.logical = logical;
      c.physical = topology ? std::max(1, static_cast<int>(cores.size())) : logical;
    }
  }
  c.quota = cgroup_quota();
#endif
  if (const char* omp = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(omp);  // "4" or "4,2" (nested levels): the first level
    if (n > 0) c.omp_limit = n;
  }
  c.cores = c.physical;
  if (c.quota > 0) c.cores = std::min(c.cores, c.quota);
  if (c.omp_limit > 0) c.cores = std::min(c.cores, c.omp_limit);
  c.cores = std::max(1, c.cores);
  return c;
}

int usable_cores() {
  static const int n = count_cores().cores;
  return n;
}

OtherLoad::OtherLoad() {
  ok_ = read(busy_s_, own_s_, wall_s_);
}

bool OtherLoad::read(double& busy_s, double& own_s, double& wall_s) const {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
  std::ifstream f("/proc/stat");
  const long tick = sysconf(_SC_CLK_TCK);
  if (!f || tick <= 0) return false;
  double busy = 0;
  int cpus = 0;
  for (std::string line; std::getline(f, line);) {
    // "cpuN user nice system idle iowait irq softirq steal guest guest_nice" (guest time is
    // already in user); the first line, "cpu ", is the sum over all CPUs and is skipped.
    if (line.compare(0, 3, "cpu") != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9')
      continue;
    std::istringstream s(line.substr(3));
    int cpu = -1;
    double v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    s >> cpu;
    for (double& x : v) s >> x;
    if (!s || cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set)) continue;
    busy += v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    ++cpus;
  }
  if (cpus == 0) return false;
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return false;
  busy_s = busy / static_cast<double>(tick);
  own_s = static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return true;
#else
  (void)busy_s;
  (void)own_s;
  (void)wall_s;
  return false;
#endif
}

double OtherLoad::sample() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double busy = 0, own = 0, wall = 0;
  if (!read(busy, own, wall)) return ok_ = false, nan;
  const bool had = ok_;
  const double d_busy = busy - busy_s_, d_own = own - own_s_, d_wall = wall - wall_s_;
  busy_s_ = busy, own_s_ = own, wall_s_ = wall, ok_ = true;
  if (!had || !(d_wall > 0)) return nan;
  return std::max(0.0, (d_busy - d_own) / d_wall);
}

}  // namespace ms
