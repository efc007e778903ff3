// DistEnv: where this process sits in a data-parallel job (rank, world size, local rank, the
// rendezvous address), read from the variables its launcher set: torchrun (RANK, WORLD_SIZE,
// LOCAL_RANK, MASTER_ADDR, MASTER_PORT), srun (SLURM_PROCID, SLURM_NTASKS, ...) or
// `muonscope-cli train --nproc N` (core/dist/LocalLauncher, torchrun's variables plus
// MUONSCOPE_LAUNCHER=local). Torch-free, so the launcher and the CLI can use it without LibTorch.
#pragma once

#include <functional>
#include <string>

namespace ms {

struct DistEnv {
  int rank = 0, world = 1, local_rank = 0;
  std::string master_addr;  // host of the rendezvous store (rank 0); empty when world == 1
  std::string launcher;     // "local", "torchrun", "env", "slurm"; "" for a plain single process
  int master_port = 0;      // 0 when world == 1 and nothing was set
  bool distributed() const { return world > 1; }
  // "rank 1 of 4 (local 1) via torchrun, store 10.0.0.1:29500"; "single process" when world 1.
  std::string describe() const;
};

// The environment as `getenv` reports it (nullptr = unset). Pure: tests pass a table.
//
// torchrun / env:// (wins when RANK or WORLD_SIZE is set): both must be set; LOCAL_RANK
// defaults to RANK when unset; MASTER_ADDR and MASTER_PORT are required when WORLD_SIZE > 1.
// launcher = MUONSCOPE_LAUNCHER if set (the local launcher sets "local"), else "torchrun" when
// TORCHELASTIC_RUN_ID is set, else "env".
//
// Slurm (srun): used when SLURM_PROCID is set together with SLURM_STEP_ID (or SLURM_STEPID),
// i.e. inside an srun step. A batch script or an salloc shell also has SLURM_PROCID=0 and
// SLURM_NTASKS=N but only one process, so without a step id it is a single process.
//   rank = SLURM_PROCID, world = SLURM_NTASKS (SLURM_STEP_NUM_TASKS when SLURM_NTASKS is
//   unset), local_rank = SLURM_LOCALID (0 when unset),
//   master_addr = MASTER_ADDR, else the first host of SLURM_STEP_NODELIST, else of
//   SLURM_NODELIST ("node[01-04,07]" -> "node01", "a01,b02" -> "a01", "gpu-[3-5]" -> "gpu-3"),
//   master_port = MASTER_PORT, else 29500 + SLURM_JOB_ID % 1000 (SLURM_JOBID when
//   SLURM_JOB_ID is unset; 29500 when neither), so that two jobs sharing a node differ.
//
// Neither: a single process (rank 0, world 1, launcher "").
//
// Throws std::invalid_argument naming the variable and its value for a value that is not a
// number, out of range (RANK >= WORLD_SIZE, WORLD_SIZE < 1, a port outside 1..65535), a
// torchrun job of several processes without MASTER_ADDR or MASTER_PORT, or a Slurm job of
// several tasks without a node list to take the address from.
DistEnv dist_env_from(const std::function<const char*(const char*)>& getenv);

// dist_env_from(std::getenv).
DistEnv dist_env();

// The first host name of a Slurm node list: "node[01-04,07]" -> "node01",
// "a01,b02" -> "a01", "gpu-[3-5]" -> "gpu-3", "rack[1-2]-n[07-09]" -> "rack1-n07".
// Throws std::invalid_argument (naming `variable`) for an empty list or unbalanced brackets.
std::string slurm_first_host(const std::string& nodelist,
                             const std::string& variable = "SLURM_NODELIST");

// A TCP port that was free a moment ago: binds port 0 on 127.0.0.1, reads the port the kernel
// chose, closes the socket. Throws std::runtime_error when no socket can be bound.
int free_tcp_port();

}  // namespace ms
