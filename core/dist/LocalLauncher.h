// launch_local: `muonscope-cli train --nproc N` on one machine, like `torchrun --nproc-per-node N`
// without Python: starts N copies of this executable with torchrun's variables (RANK,
// LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT=a free port) plus
// MUONSCOPE_LAUNCHER=local, passes Ctrl-C / SIGTERM on, and ends the others when one rank dies.
// Torch-free (core/dist/DistEnv and the core count of core/train/CpuCores only).
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace ms {

struct LaunchOptions {
  // What each rank executes; argv[0] is passed as given. The default is this executable.
  std::string exe = "/proc/self/exe";
  // After a rank ended abnormally, how long the others get to end on their own (they see the
  // broken connection in their next collective) before they get SIGTERM ...
  std::chrono::milliseconds grace{std::chrono::seconds(30)};
  // ... and how long after SIGTERM before SIGKILL.
  std::chrono::milliseconds kill_after{std::chrono::seconds(10)};
};

// Starts `nproc` (>= 1) processes of opt.exe with `argv` (argv[0] first; the caller has removed
// `--nproc N`), in the caller's process group, with the caller's stdin/stdout/stderr: rank 0's
// output reaches the terminal unchanged, the other ranks' output passes through too (nothing is
// captured or prefixed). Environment: the caller's, with RANK, LOCAL_RANK, WORLD_SIZE,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and MUONSCOPE_LAUNCHER replaced, and
// OMP_NUM_THREADS = max(1, usable_cores() / nproc) unless the caller's environment sets it.
// Each child gets SIGTERM when the launching thread dies (PR_SET_PDEATHSIG).
//
// Signals: while it runs, SIGINT and SIGTERM sent to this process alone (kill, a job system) are
// forwarded to every rank still running; a terminal's Ctrl-C already reaches every rank (same
// process group) and is not sent a second time. SIGCHLD, SIGINT and SIGTERM handlers are
// restored on return. One launch at a time per process.
//
// When a rank ends abnormally (by a signal, or with an exit code other than 0 and 130) `log`
// gets "rank R (pid P) ended by signal S (name)" or "rank R (pid P) ended with exit code C"; the
// others get opt.grace to end on their own, then SIGTERM, then SIGKILL after opt.kill_after,
// each step logged.
//
// Returns once every rank has ended: the first abnormally ending rank's exit code (1 when it
// ended by a signal); else 130 when the launcher was signalled or a rank exited with 130; else
// 0. Throws std::invalid_argument for nproc < 1 or an empty argv, std::runtime_error when a
// process cannot be started (those already started are terminated first).
int launch_local(int nproc, const std::vector<std::string>& argv, std::ostream& log,
                 const LaunchOptions& opt = {});

}  // namespace ms
