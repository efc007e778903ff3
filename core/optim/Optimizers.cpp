// OptimizerSet: routes a model's parameters to Muon or to the base optimizer (LibTorch AdamW or
// SGD with momentum) per OptimConfig (DESIGN.md section 3), applies the lr schedule each step,
// and describes the routing in one line. lr_multiplier is the schedule itself.
#include "optim/Optimizers.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "optim/Muon.h"

namespace ms {

namespace {

constexpr double kPi = 3.14159265358979323846;

bool is_block_matrix_role(const std::string& role) {
  const auto& r = block_matrix_roles();
  return std::find(r.begin(), r.end(), role) != r.end();
}

// Short display names of the block roles (DESIGN.md: "Muon: V,O,FFN · AdamW: Q,K").
std::string short_role(const std::string& role) {
  if (role == "attn.q") return "Q";
  if (role == "attn.k") return "K";
  if (role == "attn.v") return "V";
  if (role == "attn.o") return "O";
  if (role == "mlp.in") return "W_in";
  if (role == "mlp.gate") return "W_gate";
  if (role == "mlp.out") return "W_out";
  if (role == "norm") return "norms";
  return role;  // embed, head, pos
}

void check_config(const OptimConfig& cfg) {
  for (const auto& r : cfg.muon)
    if (!is_block_matrix_role(r))
      throw ConfigError("optim.muon: unknown role '" + r +
                        "' (attn.q|attn.k|attn.v|attn.o|mlp.in|mlp.gate|mlp.out)");
  if (cfg.base != "adamw" && cfg.base != "sgd")
    throw ConfigError("optim.base: unknown value '" + cfg.base + "' (adamw | sgd)");
  if (cfg.schedule != "constant" && cfg.schedule != "cosine" && cfg.schedule != "wsd")
    throw ConfigError("optim.schedule: unknown value '" + cfg.schedule +
                      "' (constant | cosine | wsd)");
  auto num = [](double v) { return std::to_string(v); };
  if (!(cfg.lr_muon > 0)) throw ConfigError("optim.lr_muon: must be > 0, got " + num(cfg.lr_muon));
  if (!(cfg.wd_muon >= 0))
    throw ConfigError("optim.wd_muon: must be >= 0, got " + num(cfg.wd_muon));
  if (!(cfg.momentum >= 0 && cfg.momentum < 1))
    throw ConfigError("optim.momentum: must be in [0, 1), got " + num(cfg.momentum));
  if (cfg.ns_steps < 1)
    throw ConfigError("optim.ns_steps: must be >= 1, got " + std::to_string(cfg.ns_steps));
  if (cfg.muon_scale != "original" && cfg.muon_scale != "match_rms_adamw")
    throw ConfigError("optim.muon_scale: unknown value '" + cfg.muon_scale +
                      "' (original | match_rms_adamw)");
  if (!(cfg.beta1 >= 0 && cfg.beta1 < 1))
    throw ConfigError("optim.beta1: must be in [0, 1), got " + num(cfg.beta1));
  if (!(cfg.beta2 >= 0 && cfg.beta2 < 1))
    throw ConfigError("optim.beta2: must be in [0, 1), got " + num(cfg.beta2));
  if (!(cfg.eps >= 0)) throw ConfigError("optim.eps: must be >= 0, got " + num(cfg.eps));
  if (!(cfg.lr_adamw > 0))
    throw ConfigError("optim.lr_adamw: must be > 0, got " + std::to_string(cfg.lr_adamw));
  if (!(cfg.wd_adamw >= 0))
    throw ConfigError("optim.wd_adamw: must be >= 0, got " + std::to_string(cfg.wd_adamw));
  if (!(cfg.sgd_momentum >= 0 && cfg.sgd_momentum < 1))
    throw ConfigError("optim.sgd_momentum: must be in [0, 1), got " +
                      std::to_string(cfg.sgd_momentum));
  if (cfg.warmup_steps < 0)
    throw ConfigError("optim.warmup_steps: must be >= 0, got " + std::to_string(cfg.warmup_steps));
  if (!(cfg.min_lr_frac >= 0 && cfg.min_lr_frac <= 1))
    throw ConfigError("optim.min_lr_frac: must be in [0, 1], got " +
                      std::to_string(cfg.min_lr_frac));
  if (!(cfg.decay_frac >= 0 && cfg.decay_frac <= 1))
    throw ConfigError("optim.decay_frac: must be in [0, 1], got " + std::to_string(cfg.decay_frac));
}

}  // namespace

double lr_multiplier(const OptimConfig& cfg, int64_t step, int64_t total) {
  total = std::max<int64_t>(total, 1);
  step = std::clamp<int64_t>(step, 0, total - 1);
  const int64_t warmup = cfg.warmup_steps;
  if (step < warmup) return static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double lo = cfg.min_lr_frac;
  if (cfg.schedule == "constant") return 1.0;
  if (cfg.schedule == "cosine") {
    // Progress 0 at the first step after warmup, 1 at the last step.
    const int64_t span = total - 1 - warmup;
    const double p =
        span > 0 ? static_cast<double>(step - warmup) / static_cast<double>(span) : 1.0;
    return lo + (1.0 - lo) * 0.5 * (1.0 + std::cos(kPi * p));
  }
  if (cfg.schedule == "wsd") {
    // Stable at 1, then the last ceil(decay_frac * total) steps (never inside the warmup) fall
    // linearly so that the last step is at min_lr_frac.
    const int64_t decay =
        static_cast<int64_t>(std::ceil(cfg.decay_frac * static_cast<double>(total)));
    const int64_t start = std::max<int64_t>(warmup, total - decay);
    if (decay <= 0 || step < start) return 1.0;
    const double p = static_cast<double>(step - start + 1) / static_cast<double>(total - start);
    return 1.0 + (lo - 1.0) * p;
  }
  throw ConfigError("optim.schedule: unknown value '" + cfg.schedule +
                    "' (constant | cosine | wsd)");
}

struct OptimizerSet::Impl {
  OptimConfig cfg;
  std::unique_ptr<Muon> muon;
  std::unique_ptr<torch::optim::Optimizer> base;
  std::vector<std::pair<std::string, std::string>> routing;
  std::vector<torch::Tensor> params, base_params;
  std::string summary;
};

OptimizerSet::OptimizerSet(const std::vector<NamedParam>& params, const OptimConfig& cfg)
    : impl_(std::make_unique<Impl>()) {
  check_config(cfg);
  impl_->cfg = cfg;
  const std::string base_name = cfg.base;  // "adamw" | "sgd"
  std::vector<torch::Tensor> muon_params, decay_params, no_decay_params;
  std::unordered_set<const c10::TensorImpl*> seen;  // tied weights appear once
  std::vector<std::string> muon_roles, base_roles;  // in order of first appearance
  std::vector<std::string> ffn_present;
  for (const auto& np : params) {
    if (!np.param.defined())
      throw std::invalid_argument("OptimizerSet: parameter '" + np.name + "' is undefined");
    if (!seen.insert(np.param.unsafeGetTensorImpl()).second) continue;
    impl_->params.push_back(np.param);
    const bool to_muon = np.param.dim() == 2 && is_block_matrix_role(np.role) &&
                         std::find(cfg.muon.begin(), cfg.muon.end(), np.role) != cfg.muon.end();
    auto& roles = to_muon ? muon_roles : base_roles;
    if (std::find(roles.begin(), roles.end(), np.role) == roles.end()) roles.push_back(np.role);
    if (np.role.rfind("mlp.", 0) == 0 &&
        std::find(ffn_present.begin(), ffn_present.end(), np.role) == ffn_present.end())
      ffn_present.push_back(np.role);
    if (!to_muon) impl_->base_params.push_back(np.param);
    if (to_muon)
      muon_params.push_back(np.param);
    else if (np.param.dim() >= 2)
      decay_params.push_back(np.param);
    else
      no_decay_params.push_back(np.param);
    impl_->routing.emplace_back(np.name, to_muon ? "muon" : base_name);
  }

  if (!muon_params.empty()) {
    impl_->muon = std::make_unique<Muon>(muon_params, MuonOptions(cfg.lr_muon)
                                                          .momentum(cfg.momentum)
                                                          .nesterov(cfg.nesterov)
                                                          .weight_decay(cfg.wd_muon)
                                                          .ns_steps(cfg.ns_steps)
                                                          .scale(cfg.muon_scale));
  }
  if (!decay_params.empty() || !no_decay_params.empty()) {
    // Two groups: matrices (embeddings, head, non-Muon block matrices) with weight decay, and
    // 1-D gains/biases without (the usual nanoGPT split).
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (cfg.base == "adamw") {
      auto opts = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(cfg.lr_adamw)
                .betas(std::make_tuple(cfg.beta1, cfg.beta2))
                .eps(cfg.eps)
                .weight_decay(wd));
      };
      if (!decay_params.empty()) groups.emplace_back(decay_params, opts(cfg.wd_adamw));
      if (!no_decay_params.empty()) groups.emplace_back(no_decay_params, opts(0.0));
      impl_->base = std::make_unique<torch::optim::AdamW>(groups, *opts(cfg.wd_adamw));
    } else {
      auto opts = [&](double wd) {
        return std::make_unique<torch::optim::SGDOptions>(
            torch::optim::SGDOptions(cfg.lr_adamw).momentum(cfg.sgd_momentum).weight_decay(wd));
      };
      if (!decay_params.empty()) groups.emplace_back(decay_params, opts(cfg.wd_adamw));
      if (!no_decay_params.empty()) groups.emplace_back(no_decay_params, opts(0.0));
      impl_->base = std::make_unique<torch::optim::SGD>(groups, *opts(cfg.wd_adamw));
    }
  }

  // Summary: block roles in canonical order (FFN when every FFN role of the model is on one
  // side), then embed, pos, head, norms on the base side.
  auto describe = [&](const std::vector<std::string>& roles) {
    const bool all_ffn =
        !ffn_present.empty() && std::all_of(ffn_present.begin(), ffn_present.end(), [&](auto& r) {
          return std::find(roles.begin(), roles.end(), r) != roles.end();
        });
    std::vector<std::string> names;
    bool ffn_done = false;
    for (const auto& r : block_matrix_roles()) {
      if (std::find(roles.begin(), roles.end(), r) == roles.end()) continue;
      if (all_ffn && r.rfind("mlp.", 0) == 0) {
        if (!ffn_done) names.push_back("FFN");
        ffn_done = true;
      } else {
        names.push_back(short_role(r));
      }
    }
    for (const char* r : {"embed", "pos", "head", "norm"})
      if (std::find(roles.begin(), roles.end(), r) != roles.end()) names.push_back(short_role(r));
    for (const auto& r : roles)  // any role this list does not know, as is
      if (!is_block_matrix_role(r) && r != "embed" && r != "pos" && r != "head" && r != "norm")
        names.push_back(r);
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) s += (i ? "," : "") + names[i];
    return s;
  };
  const std::string base_label = cfg.base == "adamw" ? "AdamW" : "SGD";
  std::string sum;
  if (!muon_roles.empty()) sum += "Muon: " + describe(muon_roles);
  if (!base_roles.empty()) {
    if (!sum.empty()) sum += " \xC2\xB7 ";  // U+00B7 middle dot
    sum += base_label + ": " + describe(base_roles);
  }
  impl_->summary = sum.empty() ? "(no parameters)" : sum;
}

OptimizerSet::~OptimizerSet() = default;

void OptimizerSet::zero_grad() {
  if (impl_->muon) impl_->muon->zero_grad();
  if (impl_->base) impl_->base->zero_grad();
}

void OptimizerSet::step(int64_t step, int64_t total_steps) {
  const double mult = lr_multiplier(impl_->cfg, step, total_steps);
  if (impl_->muon)
    for (auto& g : impl_->muon->param_groups()) g.options().set_lr(impl_->cfg.lr_muon * mult);
  if (impl_->base)
    for (auto& g : impl_->base->param_groups()) g.options().set_lr(impl_->cfg.lr_adamw * mult);
  if (impl_->muon) impl_->muon->step();
  if (impl_->base) impl_->base->step();
}

double OptimizerSet::lr_base(int64_t step, int64_t total_steps) const {
  return impl_->cfg.lr_adamw * lr_multiplier(impl_->cfg, step, total_steps);
}

double OptimizerSet::lr_muon(int64_t step, int64_t total_steps) const {
  if (!impl_->muon) return std::numeric_limits<double>::quiet_NaN();
  return impl_->cfg.lr_muon * lr_multiplier(impl_->cfg, step, total_steps);
}

bool OptimizerSet::has_muon() const {
  return impl_->muon != nullptr;
}

std::string OptimizerSet::summary() const {
  return impl_->summary;
}

const std::vector<std::pair<std::string, std::string>>& OptimizerSet::routing() const {
  return impl_->routing;
}

const std::vector<torch::Tensor>& OptimizerSet::parameters() const {
  return impl_->params;
}

double OptimizerSet::clip_gradients(double max_norm, bool include_muon) {
  const double total = torch::nn::utils::clip_grad_norm_(
      impl_->params, std::numeric_limits<double>::infinity());  // inf: measures only
  if (max_norm > 0 && std::isfinite(total)) {
    const auto& clipped = include_muon ? impl_->params : impl_->base_params;
    if (!clipped.empty()) torch::nn::utils::clip_grad_norm_(clipped, max_norm);
  }
  return total;
}

const std::vector<torch::Tensor>& OptimizerSet::base_parameters() const {
  return impl_->base_params;
}

void OptimizerSet::record_muon_inputs(bool on) {
  if (impl_->muon) impl_->muon->record_inputs(on);
}

torch::Tensor OptimizerSet::muon_input(const torch::Tensor& param) const {
  return impl_->muon ? impl_->muon->last_input(param) : torch::Tensor();
}

void OptimizerSet::save(torch::serialize::OutputArchive& archive) const {
  if (impl_->base) {
    torch::serialize::OutputArchive a;
    impl_->base->save(a);
    archive.write("base", a);
  }
  if (impl_->muon) {
    torch::serialize::OutputArchive a;
    impl_->muon->save(a);
    archive.write("muon", a);
  }
}

void OptimizerSet::load(torch::serialize::InputArchive& archive) {
  if (impl_->base) {
    torch::serialize::InputArchive a;
    archive.read("base", a);
    impl_->base->load(a);
  }
  if (impl_->muon) {
    torch::serialize::InputArchive a;
    archive.read("muon", a);
    impl_->muon->load(a);
  }
}

torch::optim::Optimizer* OptimizerSet::muon_optimizer() const {
  return impl_->muon.get();
}

torch::optim::Optimizer* OptimizerSet::base_optimizer() const {
  return impl_->base.get();
}

}  // namespace ms
