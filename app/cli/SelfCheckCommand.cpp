// `muonscope-cli selfcheck [--device cpu|cuda|auto]`: prints the self-check table (model
// forward, Newton-Schulz, Muon steps, every metric vs CPU float64) and exits 1 on a mismatch.
#include <iostream>

#include "CliArgs.h"
#include "Commands.h"
#include "train/SelfCheck.h"

namespace ms {

int cmd_selfcheck(int argc, char** argv) {
  cli::Args a("selfcheck", "selfcheck [--device cpu|cuda|auto]",
              {{"--device", "D", "device to check against CPU float64 (default cpu)"}});
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  return run_selfcheck(a.get("--device", "cpu"), std::cout) == 0 ? 0 : 1;
}

}  // namespace ms
