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

#ifdef __linux__
#include <sched.h>
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

}  // namespace ms
