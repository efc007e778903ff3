// usable_cores: how many cores this process may compute on, the ceiling of automatic thread
// counts (train.threads = 0, inspect, study --jobs). Physical cores, not hyperthreads (two
// hyperthreads of one core share its FMA units, and a second OpenMP thread on a sibling mostly
// adds barrier time), counted inside the CPU affinity mask (taskset, Slurm's cgroups), capped by
// a cgroup CPU quota (docker --cpus) and by OMP_NUM_THREADS when the user set it. Torch-free.
#pragma once

#include <string>

namespace ms {

struct CoreCount {
  int cores = 1;      // what automatic thread counts use: >= 1
  int logical = 1;    // CPUs in the affinity mask
  int physical = 1;   // distinct physical cores among them (= logical when sysfs is unreadable)
  int quota = 0;      // ceil(cgroup CPU quota / period); 0 = no quota
  int omp_limit = 0;  // OMP_NUM_THREADS when set to a positive number; 0 = unset
  std::string describe() const;  // "2 cores (2 CPUs)", "8 cores (16 CPUs, OMP_NUM_THREADS=8)"
};

// Reads the affinity mask, /sys/devices/system/cpu/cpu*/topology/thread_siblings_list,
// /sys/fs/cgroup/cpu.max (v2) or cpu/cpu.cfs_quota_us (v1) and OMP_NUM_THREADS. Never throws;
// whatever cannot be read is left out of the count.
CoreCount count_cores();

// count_cores().cores, read once per process.
int usable_cores();

// How many of this process's CPUs other processes kept busy: the busy time of the CPUs in the
// affinity mask (/proc/stat: user, nice, system, irq, softirq, steal) less this process's own
// CPU time, per second of wall time, between one sample() and the one before (the first
// sample() measures from construction). The ThreadGovernor does not try more threads than the
// cores left free. NaN where /proc/stat cannot be read (not Linux) or no time has passed.
class OtherLoad {
 public:
  OtherLoad();
  double sample();

 private:
  bool read(double& busy_s, double& own_s, double& wall_s) const;
  double busy_s_ = 0, own_s_ = 0, wall_s_ = 0;
  bool ok_ = false;
};

}  // namespace ms
