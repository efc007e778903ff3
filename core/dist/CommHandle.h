// Comm for callers that stay torch-free (muonscope-cli's main.cpp): joining a data-parallel job
// and its closing barrier, with Comm only declared. Comm.h itself includes <torch/types.h>.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "dist/DistEnv.h"

namespace ms {

class Comm;

// Comm::connect(env, backend, timeout), owned by a shared_ptr whose deleter lives in Comm.cpp.
std::shared_ptr<Comm> connect_comm(const DistEnv& env, const std::string& backend,
                                   std::chrono::seconds timeout);
// Comm::barrier() (throws as it does).
void comm_barrier(Comm& comm);

}  // namespace ms
