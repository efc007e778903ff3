// The training loop: sample windows from the data source, forward/backward (bf16 autocast on
// CUDA, fp32 master weights), clip, step the optimizer set, MuonClip, validation and metric
// snapshots on their cadences. Pause/stop are atomics checked between steps; a non-finite loss
// or gradient ends the run as Failed with the step named.
#include "train/Trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "ckpt/CheckpointLoader.h"
#include "ckpt/CheckpointWriter.h"
#include "common/Compat.h"
#include "common/Device.h"
#include "data/DataSource.h"
#include "dist/Comm.h"
#include "metrics/SnapshotBuilder.h"
#include "model/GPT.h"
#include "optim/Muon.h"
#include "optim/Optimizers.h"
#include "train/CpuCores.h"
#include "train/ThreadGovernor.h"
#include "train/TrainState.h"

namespace ms {

bool adaptive_threads(const RunConfig& c) {
  return c.train.threads == 0 && !resolve_device(c.device).is_cuda();
}

namespace {

using Clock = std::chrono::steady_clock;

// Seconds between marks, for PhaseSeconds; with `sync` it waits for CUDA's queue first.
class PhaseClock {
 public:
  explicit PhaseClock(bool sync) : sync_(sync), t_(Clock::now()) {}
  double lap() {
    if (sync_) torch::cuda::synchronize();
    const auto now = Clock::now();
    const double s = std::chrono::duration<double>(now - t_).count();
    t_ = now;
    return s;
  }

 private:
  bool sync_;
  Clock::time_point t_;
};

}  // namespace

struct Trainer::Impl {
  RunConfig cfg;
  RunInfo info;
  std::string message;
  bool prepared = false;

  std::unique_ptr<DataSource> data;
  torch::Device device{torch::kCPU};
  GPT model{nullptr};
  std::unique_ptr<OptimizerSet> opt;
  std::unique_ptr<SnapshotBuilder> builder;
  std::string checkpoint_dir;  // train.checkpoint_every writes here
  std::vector<torch::Tensor> params;
  std::vector<NamedParam> named;  // with layer and role, for the Muon inputs of a snapshot
  std::vector<std::pair<torch::Tensor, torch::Tensor>> val_batches;  // (x, y) each (B, T)
  std::mt19937_64 rng;  // the batch sampler: its state is the position in the data stream
  double wall = 0;      // training seconds, pauses excluded (continued by a resume)
  int64_t snapshot_count = 0;
  int64_t last_checkpoint = -1;  // step of the newest checkpoint written or resumed from
  PhaseSeconds phases;
  bool sync_timing = false;
  std::function<double()> other_load;  // empty = OtherLoad
  std::atomic<int> threads{0};

  Comm* comm = nullptr;  // data-parallel job (set_comm), null for one process
  int rank = 0, world = 1, local_rank = 0;
  bool agreed_stop = false;    // data-parallel: some rank asked to stop (exchanged every step)
  bool in_collective = false;  // an exception now comes from the exchange, not this rank

  // After a data-parallel run failed on this rank: leave this rank's reason in the store
  // ("C:" a collective failed, the consequence of another rank's end; "E:" an error of its
  // own), and on rank 0 find the rank to blame: ranks that left no reason within 5 s are gone
  // (killed, crashed); else a rank with an error of its own; else this rank's message.
  std::string post_mortem(const std::string& own) {
    const int64_t at = step + 1;
    try {
      comm->store_set("failed/" + std::to_string(rank), (in_collective ? "C:" : "E:") + own);
    } catch (const std::exception&) {  // rank 0 (the store) is gone
    }
    if (rank != 0) return own;
    std::vector<int> gone;
    std::string other;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    for (int r = 1; r < world; ++r) {
      const auto left =
          std::max(std::chrono::milliseconds(0),
                   std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      std::optional<std::string> why;
      try {
        why = comm->store_get("failed/" + std::to_string(r), left);
      } catch (const std::exception&) {
      }
      if (!why)
        gone.push_back(r);
      else if (other.empty() && why->rfind("E:", 0) == 0)
        other = "rank " + std::to_string(r) + " of " + std::to_string(world) +
                " failed: " + why->substr(2);
    }
    if (!gone.empty()) {
      std::string ranks;
      for (int r : gone) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
      return std::string(gone.size() == 1 ? "rank " : "ranks ") + ranks + " of " +
             std::to_string(world) + " stopped responding at step " + std::to_string(at) +
             " (process ended or lost its connection); " + own;
    }
    if (!in_collective) return own;
    return other.empty() ? own : other;
  }

  std::atomic<bool> stop_flag{false}, pause_flag{false};
  std::atomic<bool> waiting{false};  // run() is blocked in a pause (for tests and UIs)
  std::atomic<int64_t> step{0};
  std::mutex mu;
  std::condition_variable cv;

  // A batch of random windows of seq_len + 1 tokens from a split: x (R, T), y (R, T) with the
  // rows [row0, row0 + R) of the `batch` windows drawn (R = rows, all when -1). Every window
  // start is drawn, so the generator advances the same for every share.
  std::pair<torch::Tensor, torch::Tensor> sample(Split split, int batch, std::mt19937_64& g,
                                                 int row0 = 0, int rows = -1) {
    const int64_t T = cfg.model.seq_len;
    const int64_t n = data->size(split);
    if (rows < 0) rows = batch;
    std::uniform_int_distribution<int64_t> pick(0, n - T - 1);
    auto buf = torch::empty({rows, T + 1}, torch::kInt64);
    int64_t* p = buf.data_ptr<int64_t>();
    for (int b = 0; b < batch; ++b) {
      const int64_t start = pick(g);
      if (b >= row0 && b < row0 + rows) data->copy(split, start, T + 1, p + (b - row0) * (T + 1));
    }
    buf = buf.to(device);
    return {buf.narrow(1, 0, T), buf.narrow(1, 1, T)};
  }

  // Weights (step-N.safetensors) and training state (state-N.pt) of the current step.
  void save_checkpoint(int64_t step_no, const Callbacks& cb) {
    if (cb.on_checkpoint) cb.on_checkpoint(step_no);
    write_checkpoint(*model, cfg, step_no, checkpoint_dir);  // throws naming the file
    TrainState ts;
    ts.step = step_no;
    ts.wall_s = wall;
    ts.snapshots = snapshot_count;
    std::ostringstream r;
    r << rng;
    ts.data_rng = r.str();
    ts.config_json = info.config_json;
    write_train_state(checkpoint_dir, ts, *opt);
    last_checkpoint = step_no;
  }

  double val_loss() {
    torch::NoGradGuard ng;
    double sum = 0;
    for (const auto& [x, y] : val_batches) {
      auto l = autocast_loss(x, y, {});
      sum += l.item<double>();
    }
    return sum / static_cast<double>(val_batches.size());
  }

  torch::Tensor autocast_loss(const torch::Tensor& x, const torch::Tensor& y,
                              const ForwardOptions& fo) {
    AutocastGuard ac(device.is_cuda());
    return model->loss(x, y, fo);
  }
};

Trainer::Trainer(RunConfig cfg) : impl_(std::make_unique<Impl>()) {
  validate(cfg);
  impl_->cfg = std::move(cfg);
}

Trainer::~Trainer() = default;

const RunInfo& Trainer::prepare() {
  auto& d = *impl_;
  if (d.prepared) return d.info;
  RunConfig& c = d.cfg;
  const uint64_t data_seed = c.data.seed ? c.data.seed : c.train.seed;
  d.data = make_data_source(c.data, data_seed);
  const int data_vocab = d.data->vocab_size();
  if (c.model.vocab_size == 0) {
    c.model.vocab_size = data_vocab;
  } else if (c.model.vocab_size < data_vocab) {
    throw ConfigError("config key 'model.vocab_size' = " + std::to_string(c.model.vocab_size) +
                      ": the data (" + d.data->description() + ") has " +
                      std::to_string(data_vocab) + " token ids");
  }
  for (Split s : {Split::Train, Split::Val}) {
    const int64_t n = d.data->size(s);
    if (n < c.model.seq_len + 2)
      throw ConfigError("config key 'model.seq_len' = " + std::to_string(c.model.seq_len) +
                        ": too long for the " + (s == Split::Train ? "training" : "validation") +
                        " split of " + d.data->description() + " (" + std::to_string(n) +
                        " tokens)");
  }
  d.device = resolve_device(c.device);
  if (d.world > 1) {
    if (c.train.batch_size % d.world != 0)
      throw ConfigError("config key 'train.batch_size' = " + std::to_string(c.train.batch_size) +
                        ": the global batch must split evenly over the " + std::to_string(d.world) +
                        " processes");
    if (d.device.is_cuda()) d.device = torch::Device(torch::kCUDA, d.local_rank);
  }
  torch::manual_seed(c.train.seed);
  d.model = GPT(c.model);
  d.model->to(d.device);
  d.named = d.model->named_params();
  for (const auto& p : d.named) d.params.push_back(p.param);
  if (d.world > 1) {  // the same seed gives the same init; rank 0's makes sure of it
    torch::NoGradGuard ng;
    for (auto& p : d.params) d.comm->broadcast(p, 0);
  }
  d.opt = std::make_unique<OptimizerSet>(d.named, c.optim);
  if (d.world > 1)
    if (auto* muon = dynamic_cast<Muon*>(d.opt->muon_optimizer()))
      muon->set_distributed(d.rank, d.world,
                            [comm = d.comm](torch::Tensor& t) { comm->allreduce_sum(t); });
  d.builder = std::make_unique<SnapshotBuilder>(c, *d.data, d.device);
  d.rng.seed(c.train.seed);
  std::mt19937_64 vg(probe_seed(c) ^ 0x5eed5eedULL);  // fixed validation windows
  for (int i = 0; i < c.train.val_batches; ++i)
    d.val_batches.push_back(d.sample(Split::Val, c.train.batch_size, vg));

  RunInfo& info = d.info;
  info.config_json = config_to_json(c);
  info.device = device_name(d.device);
  info.torch_version = torch_version_string();
  info.app_version = MUONSCOPE_VERSION;
  info.n_layer = c.model.layers;
  info.n_head = c.model.heads;
  info.head_dim = c.model.head_dim();
  info.seq_len = c.model.seq_len;
  info.probe_batch = c.metrics.probe_batch;
  info.vocab_size = c.model.vocab_size;
  info.matrix_names = d.builder->matrix_names();
  info.matrix_shapes = d.builder->matrix_shapes();
  info.fta_groups = (c.metrics.fta && d.data->groups() > 0) ? d.data->groups() : 0;
  info.optimizer_summary = optimizer_summary(c);
  info.total_steps = c.train.steps;
  info.n_params = d.model->num_params();
  info.world_size = d.world;
  d.prepared = true;
  return info;
}

RunStatus Trainer::run(const Callbacks& cb) {
  auto& d = *impl_;
  prepare();
  const RunConfig& c = d.cfg;
  const bool adaptive = adaptive_threads(c);
  OtherLoad other_load;  // cores other processes keep busy, asked at each trial
  ThreadGovernorOptions go;
  go.max_threads = adaptive ? usable_cores() : 1;
  go.other_load = d.other_load ? d.other_load : [&other_load] { return other_load.sample(); };
  ThreadGovernor governor(go);
  int threads = c.train.threads > 0 ? c.train.threads
                : adaptive          ? governor.threads()
                                    : usable_cores();
  at::set_num_threads(threads);  // per calling thread (OpenMP ICV); OpenBLAS follows it
  Muon* muon = dynamic_cast<Muon*>(d.opt->muon_optimizer());
  if (muon) muon->sync_timing(d.sync_timing);
  const double ns_before = muon ? muon->newton_schulz_seconds() : 0;
  PhaseSeconds& ph = d.phases;
  const int64_t total = c.train.steps;
  const int64_t tokens_per_step = int64_t(c.train.batch_size) * c.model.seq_len;
  const int every = c.metrics.every;
  int64_t& snapshot_count = d.snapshot_count;
  double& wall = d.wall;
  const int ce = c.train.checkpoint_every;
  const bool lead = d.rank == 0;  // snapshots, validation, checkpoints, callbacks
  // With a Comm every step exchanges (a world of 1 too: bench_data_parallel --backend measures
  // the backend's cost on one GPU that way).
  const bool dist = d.comm != nullptr;
  const bool checkpoints = lead && ce > 0 && !d.checkpoint_dir.empty();
  const int rows = c.train.batch_size / d.world;  // this rank's share of the global batch
  d.model->train();

  try {
    for (int64_t s = d.step; s < total; ++s) {
      if (!dist && d.pause_flag) {  // (a data-parallel job does not pause)
        std::unique_lock<std::mutex> lk(d.mu);
        d.waiting = true;
        d.cv.wait(lk, [&] { return !d.pause_flag || d.stop_flag; });
        d.waiting = false;
      }
      if (dist ? d.agreed_stop : d.stop_flag.load()) {
        d.message = "stopped by the user after step " + std::to_string(s);
        if (checkpoints && s > d.last_checkpoint) d.save_checkpoint(s, cb);  // resumable from here
        return RunStatus::Stopped;
      }
      if (adaptive && governor.threads() != threads) {
        threads = governor.threads();
        at::set_num_threads(threads);
      }
      const auto t0 = Clock::now();
      PhaseClock clock(d.sync_timing && d.device.is_cuda());
      const int64_t step_no = s + 1;  // steps completed after this one
      const bool last = step_no == total;
      const bool snap = lead && (step_no % every == 0 || last);
      double snap_s = 0;  // of this step's time, the snapshot's share (not the governor's)
      if (snap) {
        d.builder->before_step(*d.model);
        d.opt->record_muon_inputs(true);
        snap_s += clock.lap();
      }

      auto [x, y] = d.sample(Split::Train, c.train.batch_size, d.rng, d.rank * rows, rows);
      ph.sample += clock.lap();
      std::vector<LayerCapture> cap;
      ForwardOptions fo;
      if (c.optim.muon_clip) {
        fo.capture = &cap;
        fo.max_logit_only = true;
      }
      d.opt->zero_grad();
      auto loss = d.autocast_loss(x, y, fo);
      double loss_v = loss.item<double>();
      if (dist) {  // the global batch's mean loss, and whether any rank was asked to stop
        ph.forward += clock.lap();
        auto v = torch::tensor({loss_v, d.stop_flag ? 1.0 : 0.0}, torch::kDouble).to(d.device);
        d.in_collective = true;
        d.comm->allreduce_sum(v);
        d.in_collective = false;
        loss_v = v[0].item<double>() / d.world;
        d.agreed_stop = v[1].item<double>() > 0;
        ph.exchange += clock.lap();
      }
      if (!std::isfinite(loss_v)) {
        d.message = "training loss is " + std::string(std::isnan(loss_v) ? "NaN" : "infinite") +
                    " at step " + std::to_string(step_no) +
                    " (try a lower learning rate: optim.lr_adamw / optim.lr_muon)";
        return RunStatus::Failed;
      }
      ph.forward += clock.lap();
      loss.backward();
      ph.backward += clock.lap();
      if (dist) {  // gradients of the global batch: the mean of the ranks' shares
        std::vector<torch::Tensor> grads;
        for (const auto& p : d.params) grads.push_back(p.grad());
        d.in_collective = true;
        d.comm->allreduce_mean(grads);
        if (c.optim.muon_clip && !cap.empty()) {  // the batch's max logit per layer and head
          std::vector<torch::Tensor> ml;
          for (const auto& lc : cap) ml.push_back(lc.max_logit.detach().to(torch::kFloat));
          torch::Tensor all = torch::stack(ml);  // (L, H)
          d.comm->allreduce_max(all);
          for (size_t l = 0; l < cap.size(); ++l) cap[l].max_logit = all[int64_t(l)];
        }
        d.in_collective = false;
        ph.exchange += clock.lap();
      }
      // The recorded norm is over every gradient; the clip (optim.grad_clip) acts on the base
      // optimizer's parameters only, unless optim.clip_muon (muon.py does not clip).
      const double gnorm = d.opt->clip_gradients(c.optim.grad_clip, c.optim.clip_muon);
      if (!std::isfinite(gnorm)) {
        d.message = "gradient norm is not finite at step " + std::to_string(step_no) +
                    " (try a lower learning rate or optim.grad_clip)";
        return RunStatus::Failed;
      }
      ph.clip += clock.lap();
      d.in_collective = dist && muon;  // Muon exchanges its Newton-Schulz shares
      d.opt->step(s, total);
      d.in_collective = false;
      ph.optimizer += clock.lap();
      if (snap) {  // what each Muon matrix was given, for update_cosine
        std::vector<std::vector<torch::Tensor>> in(
            static_cast<size_t>(c.model.layers),
            std::vector<torch::Tensor>(block_matrix_roles().size()));
        const auto& roles = block_matrix_roles();
        for (const auto& np : d.named) {
          const auto it = std::find(roles.begin(), roles.end(), np.role);
          if (np.layer >= 0 && it != roles.end())
            in[static_cast<size_t>(np.layer)][static_cast<size_t>(it - roles.begin())] =
                d.opt->muon_input(np.param);
        }
        d.opt->record_muon_inputs(false);
        d.builder->set_muon_inputs(std::move(in));
        snap_s += clock.lap();
      }
      int clipped_heads = 0;
      if (c.optim.muon_clip) {
        std::vector<torch::Tensor> ml;
        for (const auto& lc : cap) ml.push_back(lc.max_logit);
        clipped_heads = muon_clip(*d.model, ml, c.optim.clip_tau);
        ph.optimizer += clock.lap();
      }
      if (d.device.is_cuda()) torch::cuda::synchronize();
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      wall += dt;
      d.step = step_no;
      d.threads = threads;
      ph.snapshot += snap_s;
      ++ph.steps;
      if (muon) ph.newton_schulz = muon->newton_schulz_seconds() - ns_before;
      if (adaptive && !snap) governor.record(dt);

      StepRecord r;
      r.step = step_no;
      r.loss = loss_v;
      r.lr_adamw = d.opt->lr_base(s, total);
      r.lr_muon = d.opt->lr_muon(s, total);
      r.grad_norm = gnorm;
      r.clipped_heads = clipped_heads;
      r.tokens = step_no * tokens_per_step;
      r.wall_s = wall;
      r.tokens_per_s = dt > 0 ? tokens_per_step / dt : 0;
      r.threads = threads;
      if (cb.on_step) cb.on_step(r);

      if (lead && (step_no % c.train.val_every == 0 || last)) {
        clock.lap();
        ValRecord v{step_no, r.tokens, wall, d.val_loss()};
        ph.validation += clock.lap();
        if (cb.on_val) cb.on_val(v);
      }
      if (snap) {
        const int k = c.metrics.kivi_every;
        const bool kivi = k > 0 && (snapshot_count % k == 0 || last);
        clock.lap();
        Snapshot snapshot = d.builder->compute(*d.model, step_no, kivi);
        ph.snapshot += clock.lap();
        ++ph.snapshots;
        d.model->train();
        snapshot.tokens = r.tokens;
        snapshot.wall_s = wall;
        ++snapshot_count;
        if (cb.on_snapshot) cb.on_snapshot(snapshot);
      }
      if (checkpoints && (step_no % ce == 0 || last)) d.save_checkpoint(step_no, cb);
    }
  } catch (const c10::Error& e) {
    d.message =
        "LibTorch error at step " + std::to_string(d.step + 1) + ": " + e.what_without_backtrace();
    if (dist) d.message = d.post_mortem(d.message);
    return RunStatus::Failed;
  } catch (const std::exception& e) {
    d.message = "error at step " + std::to_string(d.step + 1) + ": " + e.what();
    if (dist) d.message = d.post_mortem(d.message);
    return RunStatus::Failed;
  }
  d.message = "finished " + std::to_string(total) + " steps";
  return RunStatus::Finished;
}

int64_t Trainer::resume_from(const std::string& folder, int64_t last_row) {
  auto& d = *impl_;
  prepare();
  const int64_t step = latest_resumable_step(folder);
  if (step < 0)
    throw CheckpointError(folder +
                          ": no checkpoint with a training state to resume from (a run resumes "
                          "from train.checkpoint_every's checkpoints, written every N steps and "
                          "at a stop)");
  if (step > d.cfg.train.steps)
    throw CheckpointError(weights_path(folder, step) + ": step " + std::to_string(step) +
                          " is past train.steps = " + std::to_string(d.cfg.train.steps));
  if (last_row >= 0 && step > last_row)
    throw CheckpointError(train_state_path(folder, step) + ": step " + std::to_string(step) +
                          " is newer than the run file's last step row (" +
                          std::to_string(last_row) + ")");
  TrainState ts = read_train_state(train_state_path(folder, step), *d.opt);
  if (ts.step != step)
    throw CheckpointError(train_state_path(folder, step) + ": holds step " +
                          std::to_string(ts.step));
  RunConfig stored;
  try {
    stored = config_from_json(ts.config_json);
  } catch (const ConfigError& e) {
    throw CheckpointError(train_state_path(folder, step) + ": its config: " + e.what());
  }
  const auto diff = resume_config_differences(stored, d.cfg);
  if (!diff.empty()) {
    std::string msg = "cannot resume: the config differs from the run's in " +
                      std::to_string(diff.size()) + " key(s):";
    for (const auto& k : diff) msg += "\n  " + k;
    throw ConfigError(msg);
  }
  {
    const LoadedCheckpoint lc = load_checkpoint(weights_path(folder, step), d.cfg.model.seq_len);
    torch::NoGradGuard ng;
    const auto src = lc.gpt->named_params();
    if (src.size() != d.named.size())
      throw CheckpointError(weights_path(folder, step) + ": " + std::to_string(src.size()) +
                            " parameters, the model has " + std::to_string(d.named.size()));
    for (size_t i = 0; i < src.size(); ++i) {
      if (src[i].name != d.named[i].name || !src[i].param.sizes().equals(d.named[i].param.sizes()))
        throw CheckpointError(weights_path(folder, step) + ": tensor '" + src[i].name +
                              "' does not fit parameter '" + d.named[i].name + "'");
      d.named[i].param.copy_(src[i].param);
    }
  }
  if (d.world > 1) {  // every rank resumes from rank 0's step (a shared file system)
    auto t = torch::tensor({double(step)}, torch::kDouble).to(d.device);
    d.comm->broadcast(t, 0);
    if (int64_t(t.item<double>()) != step)
      throw CheckpointError(folder + ": rank " + std::to_string(d.rank) + " found step " +
                            std::to_string(step) + ", rank 0 step " +
                            std::to_string(int64_t(t.item<double>())) +
                            " (do all ranks see the same checkpoint folder?)");
  }
  std::istringstream r(ts.data_rng);
  r >> d.rng;
  if (r.fail()) throw CheckpointError(train_state_path(folder, step) + ": damaged data_rng entry");
  d.step = step;
  d.wall = ts.wall_s;
  d.snapshot_count = ts.snapshots;
  d.last_checkpoint = step;
  return step;
}

void Trainer::set_comm(Comm* comm, int local_rank) {
  auto& d = *impl_;
  TORCH_CHECK(!d.prepared, "Trainer::set_comm after prepare()");
  d.comm = comm;
  d.rank = comm ? comm->rank() : 0;
  d.world = comm ? comm->world() : 1;
  d.local_rank = local_rank;
}

int Trainer::rank() const {
  return impl_->rank;
}

void Trainer::set_checkpoint_dir(const std::string& dir) {
  impl_->checkpoint_dir = dir;
}

std::string dist_backend_for(const RunConfig& c) {
  if (c.train.backend != "auto") return c.train.backend;
  return resolve_device(c.device).is_cuda() && Comm::have_nccl() ? "nccl" : "gloo";
}

std::string checkpoint_dir_for(const std::string& run_file) {
  const size_t dot = run_file.rfind('.'), slash = run_file.find_last_of('/');
  const bool ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (ext ? run_file.substr(0, dot) : run_file) + ".ckpt";
}

void Trainer::pause() {
  impl_->pause_flag = true;
}
void Trainer::resume() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->pause_flag = false;
  }
  impl_->cv.notify_all();
}
void Trainer::stop() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stop_flag = true;
  }
  impl_->cv.notify_all();
}
bool Trainer::is_paused() const {
  return impl_->pause_flag;
}
bool Trainer::is_waiting_in_pause() const {
  return impl_->waiting;
}
int64_t Trainer::current_step() const {
  return impl_->step;
}
const std::string& Trainer::message() const {
  return impl_->message;
}
const RunConfig& Trainer::config() const {
  return impl_->cfg;
}
const RunInfo& Trainer::info() const {
  return impl_->info;
}
const DataSource* Trainer::data() const {
  return impl_->data.get();
}
const PhaseSeconds& Trainer::phase_seconds() const {
  return impl_->phases;
}
void Trainer::sync_timing(bool on) {
  impl_->sync_timing = on;
}
void Trainer::set_other_load(std::function<double()> f) {
  impl_->other_load = std::move(f);
}
int Trainer::threads() const {
  return impl_->threads;
}

}  // namespace ms
