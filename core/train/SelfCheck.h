// Self-check: the model forward, a Muon step and every metric computed on a device (cpu or
// cuda) against CPU float64 references of the same math. `muonscope-cli selfcheck` prints the
// table and exits non-zero on a mismatch; it is how a GPU host is verified (scripts/gpu-check.sh).
#pragma once

#include <ostream>
#include <string>

namespace ms {

// Runs every check on `device` ("cpu", "cuda" or "auto"), prints one line per check and a
// verdict to `out`. Returns the number of failed checks (0 = all passed). Throws
// std::runtime_error when the device is not available.
int run_selfcheck(const std::string& device, std::ostream& out);

}  // namespace ms
