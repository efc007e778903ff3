// Muon optimizer and its quintic Newton-Schulz orthogonalization (see Muon.h). Follows
// Keller Jordan's muon.py (github.com/KellerJordan/Muon) and torch.optim.Muon (PyTorch 2.9),
// with the structure of LibTorch's torch/csrc/api/src/optim/adamw.cpp.
#include "optim/Muon.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>

namespace ms {

MuonOptions::MuonOptions(double lr) : lr_(lr) {}

double MuonOptions::get_lr() const {
  return lr();
}

void MuonOptions::set_lr(const double lr) {
  this->lr(lr);
}

void check_muon_options(const MuonOptions& o) {
  TORCH_CHECK(std::isfinite(o.lr()) && o.lr() > 0, "Muon: invalid lr ", o.lr(), " (must be > 0)");
  TORCH_CHECK(o.momentum() >= 0 && o.momentum() < 1, "Muon: invalid momentum ", o.momentum(),
              " (must be in [0, 1))");
  TORCH_CHECK(std::isfinite(o.weight_decay()) && o.weight_decay() >= 0,
              "Muon: invalid weight_decay ", o.weight_decay(), " (must be >= 0)");
  TORCH_CHECK(o.ns_steps() >= 1, "Muon: invalid ns_steps ", o.ns_steps(), " (must be >= 1)");
  TORCH_CHECK(o.scale() == "original" || o.scale() == "match_rms_adamw", "Muon: invalid scale '",
              o.scale(), "' (original | match_rms_adamw)");
}

double muon_adjusted_lr(double lr, int64_t rows, int64_t cols, const std::string& scale) {
  const double r = static_cast<double>(rows), c = static_cast<double>(cols);
  if (scale == "original") return lr * std::sqrt(std::max(1.0, r / c));
  TORCH_CHECK(scale == "match_rms_adamw", "Muon: invalid scale '", scale, "'");
  return lr * 0.2 * std::sqrt(std::max(r, c));
}

torch::Tensor newton_schulz5(const torch::Tensor& G, int steps) {
  TORCH_CHECK(G.dim() == 2 || G.dim() == 3, "newton_schulz5: expected (r, c) or (N, r, c), got ",
              G.sizes());
  TORCH_CHECK(steps >= 1, "newton_schulz5: steps must be >= 1, got ", steps);
  // Coefficients of the quintic, chosen in muon.py to maximize the slope at 0.
  const double a = 3.4445, b = -4.7750, c = 2.0315;
  const auto dtype = G.is_cuda()                         ? torch::kBFloat16
                     : G.scalar_type() == torch::kDouble ? torch::kDouble
                                                         : torch::kFloat;
  torch::Tensor X = G.to(dtype);
  const bool batched = G.dim() == 3;
  if (!batched) X = X.unsqueeze(0);  // (N, r, c)
  const bool tall = X.size(1) > X.size(2);
  if (tall) X = X.transpose(1, 2);  // (N, m, n) with m <= n: the Gram matrix is the small one
  // Spectral norm <= Frobenius norm <= 1 after this, per matrix.
  X = X / (X.norm(2, {1, 2}, /*keepdim=*/true) + 1e-7);
  for (int i = 0; i < steps; ++i) {
    torch::Tensor A = torch::bmm(X, X.transpose(1, 2));                  // (N, m, m)
    torch::Tensor B = torch::baddbmm(A, A, A, /*beta=*/b, /*alpha=*/c);  // b A + c A A
    X = torch::baddbmm(X, B, X, /*beta=*/a, /*alpha=*/1.0);              // a X + B X, (N, m, n)
  }
  if (tall) X = X.transpose(1, 2);
  if (!batched) X = X.squeeze(0);
  return X.to(G.scalar_type()).contiguous();
}

Muon::Muon(std::vector<torch::optim::OptimizerParamGroup> param_groups, MuonOptions defaults)
    : torch::optim::Optimizer(std::move(param_groups), std::make_unique<MuonOptions>(defaults)) {
  check_muon_options(defaults);
  for (const auto& group : param_groups_) {
    check_muon_options(static_cast<const MuonOptions&>(group.options()));
    for (const auto& p : group.params())
      TORCH_CHECK(p.dim() == 2,
                  "Muon: only 2-D parameters are supported, got a parameter of shape ", p.sizes(),
                  " (route it to AdamW)");
  }
}

Muon::Muon(std::vector<torch::Tensor> params, MuonOptions defaults)
    : Muon({torch::optim::OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

torch::Tensor Muon::momentum_buffer(const torch::Tensor& p) const {
  auto it = momentum_.find(p.unsafeGetTensorImpl());
  return it == momentum_.end() ? torch::Tensor() : it->second;
}

namespace {
std::string momentum_key(size_t group, size_t index) {
  return "momentum_" + std::to_string(group) + "_" + std::to_string(index);
}
}  // namespace

void Muon::save(torch::serialize::OutputArchive& archive) const {
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const auto& params = param_groups_[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      const torch::Tensor buf = momentum_buffer(params[i]);
      if (buf.defined()) archive.write(momentum_key(g, i), buf, /*is_buffer=*/true);
    }
  }
}

void Muon::load(torch::serialize::InputArchive& archive) {
  torch::NoGradGuard no_grad;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const auto& params = param_groups_[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      torch::Tensor buf;
      if (!archive.try_read(momentum_key(g, i), buf, /*is_buffer=*/true)) continue;
      TORCH_CHECK(buf.sizes() == params[i].sizes(), "Muon: saved ", momentum_key(g, i),
                  " has shape ", buf.sizes(), ", the parameter ", params[i].sizes());
      momentum_[params[i].unsafeGetTensorImpl()] =
          buf.to(params[i].device(), params[i].scalar_type()).clone();
    }
  }
}

void Muon::set_distributed(int rank, int world, std::function<void(torch::Tensor&)> sum) {
  TORCH_CHECK(world >= 1 && rank >= 0 && rank < world, "Muon: invalid rank ", rank, " of ", world);
  TORCH_CHECK(world == 1 || sum, "Muon: a distributed Muon needs the sum over ranks");
  rank_ = rank;
  world_ = world;
  sum_ = std::move(sum);
}

void Muon::record_inputs(bool on) {
  record_inputs_ = on;
  if (!on) inputs_.clear();
}

torch::Tensor Muon::last_input(const torch::Tensor& p) const {
  auto it = inputs_.find(p.unsafeGetTensorImpl());
  return it == inputs_.end() ? torch::Tensor() : it->second;
}

torch::Tensor Muon::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const MuonOptions&>(group.options());
    check_muon_options(o);  // options may have been changed since construction
    const double mu = o.momentum();

    // 1) Momentum and the matrix to orthogonalize, bucketed by (shape, dtype, device) so that
    //    same-shape matrices share one batched Newton-Schulz.
    struct Bucket {
      std::vector<int64_t> shape;
      torch::ScalarType dtype;
      torch::Device device;
      std::vector<torch::Tensor> params, updates;
    };
    std::vector<Bucket> buckets;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(p.dim() == 2, "Muon: only 2-D parameters are supported, got ", p.sizes());
      const torch::Tensor& g = p.grad();  // (rows, cols)
      TORCH_CHECK(!g.is_sparse(), "Muon does not support sparse gradients");
      torch::Tensor& buf = momentum_[p.unsafeGetTensorImpl()];
      if (!buf.defined()) buf = torch::zeros_like(p, torch::MemoryFormat::Preserve);
      buf.lerp_(g, 1.0 - mu);                                  // buf = mu buf + (1 - mu) g
      torch::Tensor u = o.nesterov() ? g.lerp(buf, mu) : buf;  // (1 - mu) g + mu buf
      if (record_inputs_) inputs_[p.unsafeGetTensorImpl()] = u.clone();
      auto it = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket& bk) {
        return bk.shape == p.sizes().vec() && bk.dtype == u.scalar_type() &&
               bk.device == u.device();
      });
      if (it == buckets.end()) {
        buckets.push_back(Bucket{p.sizes().vec(), u.scalar_type(), u.device(), {}, {}});
        it = buckets.end() - 1;
      }
      it->params.push_back(p);
      it->updates.push_back(u);
    }

    // 2) One batched NS per bucket (of this rank's share when distributed).
    std::vector<torch::Tensor> results;  // per bucket (N, r, c)
    int64_t matrix = 0;                  // index of a bucket's first matrix in the step
    for (auto& bk : buckets) {
      const bool sync = sync_timing_ && bk.device.is_cuda();
      if (sync) torch::cuda::synchronize();
      const auto t0 = std::chrono::steady_clock::now();
      if (world_ == 1) {
        results.push_back(newton_schulz5(torch::stack(bk.updates), o.ns_steps()));  // (N, r, c)
      } else {
        std::vector<int64_t> mine;  // matrices of this bucket that this rank orthogonalizes
        std::vector<torch::Tensor> in;
        for (size_t i = 0; i < bk.updates.size(); ++i)
          if ((matrix + int64_t(i)) % world_ == rank_) {
            mine.push_back(int64_t(i));
            in.push_back(bk.updates[i]);
          }
        torch::Tensor O = torch::zeros({int64_t(bk.updates.size()), bk.shape[0], bk.shape[1]},
                                       bk.updates[0].options());  // (N, r, c)
        if (!in.empty())
          O.index_copy_(0, torch::tensor(mine, torch::kLong).to(bk.device),
                        newton_schulz5(torch::stack(in), o.ns_steps()));
        results.push_back(O);
      }
      matrix += int64_t(bk.updates.size());
      if (sync) torch::cuda::synchronize();
      ns_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (world_ > 1 && !results.empty()) {  // every rank's share to every rank
      std::vector<torch::Tensor> flat;
      for (const auto& O : results) flat.push_back(O.reshape({-1}));
      torch::Tensor all = torch::cat(flat);
      sum_(all);
      int64_t at = 0;
      for (auto& O : results) {
        O = all.narrow(0, at, O.numel()).view(O.sizes());
        at += O.numel();
      }
    }

    // 3) Decoupled weight decay and the scaled update.
    for (size_t b = 0; b < buckets.size(); ++b) {
      auto& bk = buckets[b];
      const torch::Tensor& O = results[b];
      const double lr_adj = muon_adjusted_lr(o.lr(), bk.shape[0], bk.shape[1], o.scale());
      for (size_t i = 0; i < bk.params.size(); ++i) {
        torch::Tensor& p = bk.params[i];
        if (o.weight_decay() != 0) p.mul_(1.0 - o.lr() * o.weight_decay());
        p.add_(O[static_cast<int64_t>(i)], -lr_adj);
      }
    }
  }
  return loss;
}

}  // namespace ms
