// bench_muon: cost of a Muon step vs a LibTorch AdamW step on the block matrices of a
// 4-layer, d_model 256 GPT (gelu FFN: per layer Q, K, V, O 256x256, W_in 1024x256,
// W_out 256x1024), and the share of the Muon step spent in the batched Newton-Schulz.
// Also times the same NS as a per-matrix loop to show what batching saves.
// Usage: bench_muon [steps=20] [threads=0 (all)]. Prints ms per step; not a test.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <vector>

#include "optim/Muon.h"

namespace {

constexpr int kLayers = 4;
constexpr int64_t kD = 256, kFfn = 4 * kD;

std::vector<std::vector<int64_t>> model_shapes() {
  std::vector<std::vector<int64_t>> s;
  for (int l = 0; l < kLayers; ++l) {
    for (int i = 0; i < 4; ++i) s.push_back({kD, kD});  // Q, K, V, O
    s.push_back({kFfn, kD});                            // W_in
    s.push_back({kD, kFfn});                            // W_out
  }
  return s;
}

std::vector<torch::Tensor> make_params(const torch::Device& dev) {
  std::vector<torch::Tensor> ps;
  for (const auto& s : model_shapes()) {
    auto p = (torch::randn(s, torch::TensorOptions().device(dev)) * 0.02).set_requires_grad(true);
    p.mutable_grad() = torch::randn(s, torch::TensorOptions().device(dev)) * 1e-3;
    ps.push_back(p);
  }
  return ps;
}

// Median-free simple timing: `warmup` untimed calls, then the mean over `n` calls, in ms.
double time_ms(const std::function<void()>& f, int n, bool cuda, int warmup = 3) {
  for (int i = 0; i < warmup; ++i) f();
  if (cuda) torch::cuda::synchronize();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  if (cuda) torch::cuda::synchronize();
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(t1 - t0).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  if (threads > 0) torch::set_num_threads(threads);
  const bool cuda = torch::cuda::is_available();
  const torch::Device dev = cuda ? torch::kCUDA : torch::kCPU;
  torch::manual_seed(0);
  torch::NoGradGuard ng;

  auto muon_params = make_params(dev);
  auto adam_params = make_params(dev);
  int64_t n_el = 0;
  for (const auto& p : muon_params) n_el += p.numel();
  std::printf(
      "bench_muon: %d layers, d_model %lld, %zu matrices, %.2f M weights, %s, %d threads, "
      "%d steps\n",
      kLayers, static_cast<long long>(kD), muon_params.size(), n_el / 1e6,
      cuda ? "CUDA (NS in bf16)" : "CPU (NS in fp32)", torch::get_num_threads(), steps);

  ms::Muon muon(muon_params, ms::MuonOptions(0.02));
  torch::optim::AdamW adamw(adam_params,
                            torch::optim::AdamWOptions(3e-3).betas(std::make_tuple(0.9, 0.95)));
  const double muon_ms = time_ms([&] { muon.step(); }, steps, cuda);
  const double adam_ms = time_ms([&] { adamw.step(); }, steps, cuda);

  // The NS part alone: one batched call per shape, as Muon::step does.
  std::map<std::vector<int64_t>, std::vector<torch::Tensor>> by_shape;
  for (const auto& p : muon_params) by_shape[p.sizes().vec()].push_back(p.grad());
  std::vector<torch::Tensor> stacks;
  for (auto& kv : by_shape) stacks.push_back(torch::stack(kv.second));  // (N, r, c)
  const double ns_ms = time_ms(
      [&] {
        for (const auto& s : stacks) ms::newton_schulz5(s, 5);
      },
      steps, cuda);
  const double ns_loop_ms = time_ms(
      [&] {
        for (const auto& p : muon_params) ms::newton_schulz5(p.grad(), 5);
      },
      steps, cuda);

  std::printf("  AdamW step             %8.3f ms\n", adam_ms);
  std::printf("  Muon step              %8.3f ms  (%.2fx AdamW)\n", muon_ms, muon_ms / adam_ms);
  std::printf("  NS5, batched (%zu calls) %8.3f ms  (%.0f%% of the Muon step)\n", stacks.size(),
              ns_ms, 100.0 * ns_ms / muon_ms);
  std::printf("  NS5, per-matrix loop   %8.3f ms  (batched saves %.0f%%)\n", ns_loop_ms,
              100.0 * (1.0 - ns_ms / ns_loop_ms));
  return 0;
}
