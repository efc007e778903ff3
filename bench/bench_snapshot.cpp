// Metric overhead: how much a Snapshot (core/metrics/SnapshotBuilder.h) costs next to training.
// Builds the default config's model and data (RunConfig defaults), times N training steps
// (forward, backward, grad clip, OptimizerSet step) and M snapshot computes without KIVI, with
// KIVI and without FTA, then prints ms per step, ms per snapshot, and the overhead share at
// metrics.every (KIVI at every metrics.kivi_every-th snapshot). Medians of the timed repeats.
// Usage: bench_snapshot [--device cpu|cuda] [--steps N] [--snapshots M] [--set key=value]...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "data/DataSource.h"
#include "metrics/SnapshotBuilder.h"
#include "model/GPT.h"
#include "optim/Optimizers.h"
#include "train/CpuCores.h"
#include "train/RunConfig.h"
#include "train/Trainer.h"

using namespace ms;
using Clock = std::chrono::steady_clock;

namespace {

// Median wall time in ms of `reps` calls of f after one untimed warm-up call.
double median_ms(int reps, const std::function<void()>& f, bool cuda) {
  f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    f();
    if (cuda) torch::cuda::synchronize();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cpu";
  int steps = 30, snaps = 5;
  RunConfig c;  // the default config
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
        return argv[++i];
      };
      if (a == "--device")
        device = next();
      else if (a == "--steps")
        steps = std::max(1, std::stoi(next()));
      else if (a == "--snapshots")
        snaps = std::max(1, std::stoi(next()));
      else if (a == "--set")
        apply_setting(c, next());
      else {
        std::cerr << "usage: bench_snapshot [--device cpu|cuda] [--steps N] [--snapshots M] "
                     "[--set key=value]...\n";
        return a == "--help" ? 0 : 2;
      }
    }
    const torch::Device dev(device);
    const bool cuda = dev.is_cuda();
    at::set_num_threads(c.train.threads > 0 ? c.train.threads : usable_cores());
    const uint64_t data_seed = c.data.seed ? c.data.seed : c.train.seed;
    const auto data = make_data_source(c.data, data_seed);
    if (c.model.vocab_size == 0) c.model.vocab_size = data->vocab_size();
    validate(c);
    torch::manual_seed(c.train.seed);
    GPT model(c.model);
    model->to(dev);
    OptimizerSet opt(model->named_params(), c.optim);
    std::vector<torch::Tensor> params;
    for (const auto& p : model->named_params()) params.push_back(p.param);

    // Training batches: random windows of the train split, prepared up front.
    const int B = c.train.batch_size, T = c.model.seq_len;
    std::mt19937_64 gen(c.train.seed);
    auto batch = [&]() {
      torch::Tensor buf = torch::empty({B, T + 1}, torch::kLong);
      for (int r = 0; r < B; ++r)
        data->copy(Split::Train, int64_t(gen() % uint64_t(data->size(Split::Train) - T)), T + 1,
                   buf.data_ptr<int64_t>() + r * (T + 1));
      return std::make_pair(buf.narrow(1, 0, T).contiguous().to(dev),
                            buf.narrow(1, 1, T).contiguous().to(dev));
    };
    std::vector<std::pair<torch::Tensor, torch::Tensor>> batches;
    for (int i = 0; i < steps + 1; ++i) batches.push_back(batch());

    model->train();
    int64_t s = 0;
    size_t bi = 0;
    const double step_ms = median_ms(
        steps,
        [&] {
          const auto& [x, y] = batches[bi++ % batches.size()];
          opt.zero_grad();
          torch::Tensor loss = model->loss(x, y);
          loss.backward();
          if (c.optim.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, c.optim.grad_clip);
          opt.step(s++, c.train.steps);
        },
        cuda);

    SnapshotBuilder builder(c, *data, dev);
    auto snap = [&](bool kivi) {
      builder.before_step(*model);
      return builder.compute(*model, s, kivi);
    };
    const double plain_ms = median_ms(
        snaps, [&] { snap(false); }, cuda);
    const double kivi_ms = median_ms(
        snaps, [&] { snap(true); }, cuda);
    RunConfig nf = c;
    nf.metrics.fta = false;
    SnapshotBuilder builder_nf(nf, *data, dev);
    const double nofta_ms = median_ms(
        snaps,
        [&] {
          builder_nf.before_step(*model);
          builder_nf.compute(*model, s, false);
        },
        cuda);

    const int every = c.metrics.every, k = c.metrics.kivi_every;
    const double avg_snap = k > 0 ? ((k - 1) * plain_ms + kivi_ms) / k : plain_ms;
    const double train_ms = every * step_ms;
    std::printf(
        "# config: %d layers, d_model %d, %d heads, seq %d, batch %d, vocab %d, %lld params, "
        "%s, %d threads, %s\n",
        c.model.layers, c.model.d_model, c.model.heads, T, B, c.model.vocab_size,
        (long long)model->num_params(), optimizer_summary(c).c_str(), at::get_num_threads(),
        data->description().c_str());
    std::printf("# snapshot: probe %d x %d, KIVI %d x %d x %d, FTA %zu questions in %d groups\n",
                c.metrics.probe_batch, T, c.metrics.kivi_batches, B, T,
                builder.fta_questions().size(), builder.fta_groups());
    std::printf("%-34s %10.2f\n", "ms / training step", step_ms);
    std::printf("%-34s %10.2f\n", "ms / snapshot (no KIVI)", plain_ms);
    std::printf("%-34s %10.2f\n", "ms / snapshot (no KIVI, no FTA)", nofta_ms);
    std::printf("%-34s %10.2f\n", "ms / snapshot (with KIVI)", kivi_ms);
    std::printf("%-34s %10.2f\n", "ms / snapshot (average)", avg_snap);
    std::printf(
        "overhead at metrics.every = %d (KIVI every %d): %.2f%% of training time "
        "(snapshot / (snapshot + %d steps) = %.2f%%)\n",
        every, k, 100.0 * avg_snap / train_ms, every, 100.0 * avg_snap / (avg_snap + train_ms));
  } catch (const std::exception& e) {
    std::cerr << "bench_snapshot: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
