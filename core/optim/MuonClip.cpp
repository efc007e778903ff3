// MuonClip / QK-clip (Kimi K2 technical report, 2025): after an optimizer step, every attention
// head whose max pre-softmax logit S_h = max q_i.k_j / sqrt(hd) exceeded tau gets its rows of
// W_q and W_k scaled by sqrt(tau / S_h), so that the head's logits shrink by tau / S_h.
// Kept in its own file so that code using only Muon/OptimizerSet does not link the model.
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "optim/Optimizers.h"

namespace ms {

int muon_clip(GPTImpl& model, const std::vector<torch::Tensor>& max_logit, double tau) {
  if (!(tau > 0))
    throw std::invalid_argument("muon_clip: tau must be > 0, got " + std::to_string(tau));
  const ModelConfig& mc = model.config();
  if (mc.qk_norm)
    throw std::invalid_argument(
        "muon_clip: the model has QK-norm, which undoes the W_q/W_k row scaling (refused)");
  const int64_t H = mc.heads, hd = mc.head_dim();
  if (static_cast<int64_t>(max_logit.size()) != mc.layers)
    throw std::invalid_argument("muon_clip: max_logit has " + std::to_string(max_logit.size()) +
                                " layers, the model " + std::to_string(mc.layers));
  torch::NoGradGuard no_grad;
  int clipped = 0;
  for (int layer = 0; layer < mc.layers; ++layer) {
    const torch::Tensor& s = max_logit[static_cast<size_t>(layer)];
    if (!s.defined() || s.numel() != H)
      throw std::invalid_argument("muon_clip: max_logit[" + std::to_string(layer) + "] must hold " +
                                  std::to_string(H) + " values (one per head)");
    const torch::Tensor S = s.detach().to(torch::kCPU, torch::kDouble).reshape({H});  // (H)
    const auto* Sp = S.data_ptr<double>();
    torch::Tensor wq = model.weight(layer, "attn.q");  // (H * hd, d_model), rows = heads' outputs
    torch::Tensor wk = model.weight(layer, "attn.k");  // (H * hd, d_model)
    for (int64_t h = 0; h < H; ++h) {
      // A non-finite logit means the run has diverged; scaling by 0 would not help, so skip.
      if (!std::isfinite(Sp[h]) || Sp[h] <= tau) continue;
      const double gamma = std::sqrt(tau / Sp[h]);
      wq.narrow(0, h * hd, hd).mul_(gamma);
      wk.narrow(0, h * hd, hd).mul_(gamma);
      ++clipped;
    }
  }
  return clipped;
}

}  // namespace ms
