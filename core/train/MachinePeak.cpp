// measure_sgemm (see MachinePeak.h): best single-call time of torch::mm over ~`seconds`.
#include "train/MachinePeak.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace ms {

SgemmRate measure_sgemm(int n, int threads, double seconds) {
  TORCH_CHECK(n >= 1, "measure_sgemm: n must be >= 1, got ", n);
  TORCH_CHECK(threads >= 1, "measure_sgemm: threads must be >= 1, got ", threads);
  torch::NoGradGuard ng;
  const int previous = at::get_num_threads();
  at::set_num_threads(threads);
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  torch::Tensor c = torch::mm(a, b);  // warm: thread pool, pages of c
  using Clock = std::chrono::steady_clock;
  double best = 1e30, spent = 0;
  int reps = 0;
  while (spent < seconds || reps < 3) {
    const auto t0 = Clock::now();
    torch::mm_out(c, a, b);
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::min(best, dt);
    spent += dt;
    ++reps;
  }
  at::set_num_threads(previous);
  SgemmRate r;
  r.n = n;
  r.threads = threads;
  r.repetitions = reps;
  r.gflops = 2.0 * double(n) * n * n / best / 1e9;
  return r;
}

}  // namespace ms
