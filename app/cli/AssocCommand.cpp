// `muonscope-cli study assoc-memory`: the one-layer associative-memory model (DESIGN.md section
// 6 item 6) for GD, SignGD and Muon, with one-hot and random-orthogonal embeddings, printed as a
// table of per-class correct probabilities (min, max, gap) at the moment the best class reaches
// 1 - eps. Settings: --set K=256 --set alpha=0.9 --set beta=0.1 --set eps=0.01 --set seed=1.
#include <cstdio>
#include <iostream>

#include "CliArgs.h"
#include "assoc/Assoc.h"

namespace ms {

int cmd_assoc(const cli::Args& a) {
  AssocConfig base;
  for (const auto& kv : a.all("--set")) {
    const auto eq = kv.find('=');
    const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    try {
      if (k == "K")
        base.K = std::stoi(v);
      else if (k == "alpha")
        base.alpha = std::stod(v);
      else if (k == "beta")
        base.beta = std::stod(v);
      else if (k == "eps")
        base.eps = std::stod(v);
      else if (k == "seed")
        base.seed = std::stoull(v);
      else if (k == "max_steps")
        base.max_steps = std::stoi(v);
      else
        throw cli::UsageError("assoc-memory: unknown setting '" + k +
                              "' (K, alpha, beta, eps, seed, max_steps)");
    } catch (const std::logic_error&) {
      throw cli::UsageError("assoc-memory: setting '" + kv + "' needs a number");
    }
  }
  std::printf("assoc-memory: K = %d, alpha = %g, beta = %g, eps = %g\n", base.K, base.alpha,
              base.beta, base.eps);
  std::printf("%-11s %-7s %7s %10s %10s %10s %6s\n", "embedding", "optim", "steps", "min p",
              "max p", "gap", "conv");
  for (const char* emb : {"onehot", "orthogonal"}) {
    AssocConfig c = base;
    c.embedding = emb;
    try {
      for (const auto& r : run_assoc_all(c))
        std::printf("%-11s %-7s %7d %10.4f %10.4f %10.4f %6s\n", emb, r.optimizer.c_str(), r.steps,
                    r.min_prob, r.max_prob, r.gap, r.converged ? "yes" : "no");
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(e.what());
    }
  }
  std::printf(
      "finding to look for: Muon's gap small for both embeddings; GD's large; SignGD small "
      "with one-hot, large with orthogonal.\n");
  return 0;
}

}  // namespace ms
