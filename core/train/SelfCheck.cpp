// Self-check implementation. Each check computes a quantity on the device in the dtype the
// app uses there (fp32; Muon's Newton-Schulz in bf16 on CUDA, as in training) and the same
// quantity on the CPU in float64, and compares the maximum relative error with a tolerance
// that reflects that dtype (fp32: 1e-4; bf16 matmuls: 3e-2).
#include "train/SelfCheck.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <vector>

#include "metrics/Metrics.h"
#include "model/GPT.h"
#include "optim/Muon.h"

namespace ms {
namespace {

// max |a - b| / max(|b|, floor) over all entries (a on any device, b the fp64 reference).
double rel_err(const torch::Tensor& a, const torch::Tensor& b, double floor = 1e-6) {
  auto x = a.detach().to(torch::kCPU, torch::kDouble),
       y = b.detach().to(torch::kCPU, torch::kDouble);
  auto denom = y.abs().max().item<double>();
  return (x - y).abs().max().item<double>() / std::max(denom, floor);
}

double rel_err(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-12);
}

// Reference NS5 in float64 written out step by step (DESIGN.md section 3).
torch::Tensor ns5_reference(torch::Tensor G, int steps) {
  const double a = 3.4445, b = -4.7750, c = 2.0315;
  auto X = G.to(torch::kDouble);
  const bool tall = X.size(0) > X.size(1);
  if (tall) X = X.t();
  X = X / (X.norm() + 1e-7);
  for (int i = 0; i < steps; ++i) {
    auto A = X.mm(X.t());
    auto B = b * A + c * A.mm(A);
    X = a * X + B.mm(X);
  }
  return tall ? X.t() : X;
}

struct Row {
  std::string name;
  double err, tol;
};

}  // namespace

int run_selfcheck(const std::string& device_name, std::ostream& out) {
  torch::Device dev(torch::kCPU);
  if (device_name == "cuda" || (device_name == "auto" && torch::cuda::is_available())) {
    if (!torch::cuda::is_available())
      throw std::runtime_error(
          "selfcheck: device 'cuda' requested but this LibTorch has no CUDA device");
    dev = torch::Device(torch::kCUDA, 0);
  } else if (device_name != "cpu" && device_name != "auto") {
    throw std::runtime_error("selfcheck: unknown device '" + device_name + "' (cpu, cuda, auto)");
  }
  const bool cuda = dev.is_cuda();
  const double tol32 = 1e-4, tol_bf16 = 3e-2;
  std::vector<Row> rows;
  torch::manual_seed(7);
  torch::NoGradGuard ng;

  // 1. Model forward (both FFN kinds, QK-norm on): device fp32 vs CPU fp64 copy of the weights.
  for (const char* ffn : {"gelu", "swiglu"}) {
    ModelConfig mc;
    mc.vocab_size = 97;
    mc.seq_len = 32;
    mc.layers = 2;
    mc.heads = 4;
    mc.d_model = 64;
    mc.ffn = ffn;
    mc.qk_norm = true;
    GPT ref(mc);
    GPT m(mc);
    {
      auto src = ref->parameters(), dst = m->parameters();
      for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
    }
    ref->to(torch::kDouble);
    m->to(dev);
    auto idx = torch::randint(0, mc.vocab_size, {3, mc.seq_len}, torch::kInt64);
    auto want = ref->forward(idx);
    auto got = m->forward(idx.to(dev));
    // Default CUDA matmuls may use TF32-free cuBLAS fp32; allow a little more than on CPU.
    rows.push_back({std::string("model forward (") + ffn + ", qk-norm)", rel_err(got, want),
                    cuda ? 1e-3 : tol32});
  }

  // 2. Newton-Schulz and one Muon step (nesterov, wd, both scales).
  for (auto shape : {std::vector<int64_t>{48, 80}, std::vector<int64_t>{80, 48}}) {
    auto G = torch::randn(shape, torch::kDouble);
    auto got = newton_schulz5(G.to(dev, torch::kFloat), 5);
    auto want = ns5_reference(G, 5);
    rows.push_back({"NS5 " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]),
                    rel_err(got, want), cuda ? tol_bf16 : tol32});
    auto sv = at::linalg_svdvals(got.to(torch::kCPU, torch::kDouble));
    const double lo = sv.min().item<double>(), hi = sv.max().item<double>();
    rows.push_back(
        {"NS5 singular values in [0.6, 1.25]", (lo >= 0.6 && hi <= 1.25) ? 0.0 : 1.0, 0.5});
  }
  for (const std::string scale : {"original", "match_rms_adamw"}) {
    const double lr = 0.02, mu = 0.95, wd = 0.1;
    auto W0 = torch::randn({64, 128}, torch::kDouble) * 0.05;
    auto g1 = torch::randn({64, 128}, torch::kDouble), g2 = torch::randn({64, 128}, torch::kDouble);
    auto p = W0.to(dev, torch::kFloat).clone().set_requires_grad(true);
    Muon opt({p}, MuonOptions(lr).momentum(mu).nesterov(true).weight_decay(wd).scale(scale));
    // reference: two steps
    auto W = W0.clone(), buf = torch::zeros_like(W0);
    const double lr_adj = muon_adjusted_lr(lr, 64, 128, scale);
    for (const auto& g : {g1, g2}) {
      p.mutable_grad() = g.to(dev, torch::kFloat);
      opt.step();
      buf = buf + (g - buf) * (1 - mu);  // lerp(buf, g, 1 - mu)
      auto u = g + (buf - g) * mu;       // lerp(g, buf, mu)
      W = W * (1 - lr * wd) - lr_adj * ns5_reference(u, 5);
    }
    rows.push_back({"Muon 2 steps (" + scale + ")", rel_err(p, W), cuda ? tol_bf16 : tol32});
  }

  // 3. Metrics on a matrix with known structure and on random activations.
  {
    auto U = std::get<0>(at::linalg_qr(torch::randn({96, 64}, torch::kDouble)));
    auto V = std::get<0>(at::linalg_qr(torch::randn({64, 64}, torch::kDouble)));
    auto s = torch::linspace(3.0, 0.1, 64, torch::kDouble);
    auto A = U.mm(torch::diag(s)).mm(V.t());  // (96, 64) with singular values s
    auto sv_dev = svdvals_any(A.to(dev, torch::kFloat));
    rows.push_back({"singular values", rel_err(sv_dev, s), tol32});
    const auto got = spectrum_metrics(sv_dev.to(torch::kCPU));
    const auto want = spectrum_metrics(s);
    rows.push_back({"eRank", rel_err(got.erank, want.erank), tol32});
    rows.push_back({"SVD entropy", rel_err(got.entropy, want.entropy), tol32});
    rows.push_back({"TopE_10", rel_err(got.top10, want.top10), tol32});
    rows.push_back({"Q75/Q25", rel_err(got.q75_q25, want.q75_q25), tol32});
    rows.push_back({"stable rank", rel_err(got.stable_rank, want.stable_rank), tol32});
    auto dW = torch::randn({96, 64}, torch::kDouble) * 0.01 +
              0.02 * U.select(1, 0).unsqueeze(1) * V.select(1, 0).unsqueeze(0);
    rows.push_back({"update cosine",
                    rel_err(update_cosine(dW.to(dev, torch::kFloat), A.to(dev, torch::kFloat)),
                            update_cosine(dW, A)),
                    1e-3});
    rows.push_back(
        {"update top-10 share",
         rel_err(update_top_share(dW.to(dev, torch::kFloat), A.to(dev, torch::kFloat), kUpdateTopK),
                 update_top_share(dW, A, kUpdateTopK)),
         1e-3});
  }
  {
    auto x = torch::randn({2, 4, 64, 16}, torch::kDouble);
    x.select(3, 3).mul_(6.0);  // one spiky channel per head
    auto xd = x.to(dev, torch::kFloat);
    auto rows_d = heads_as_rows(xd), rows_r = heads_as_rows(x);
    rows.push_back({"PR_sv per head", rel_err(pr_sv(rows_d), pr_sv(rows_r)), 1e-4});
    rows.push_back({"PR_cov per head", rel_err(pr_cov(rows_d), pr_cov(rows_r)), 1e-4});
    const Magnitudes md = kv_magnitudes(xd), mr = kv_magnitudes(x);
    rows.push_back({"K/V channel magnitudes",
                    rel_err(torch::tensor(md.channel), torch::tensor(mr.channel)), tol32});
    rows.push_back(
        {"spikiness max/mean", rel_err(md.channel_spk.max_mean, mr.channel_spk.max_mean), tol32});
    rows.push_back(
        {"spikiness p99/p50", rel_err(md.channel_spk.p99_p50, mr.channel_spk.p99_p50), tol32});
    rows.push_back({"spikiness top-1% mass",
                    rel_err(md.channel_spk.top1_mass, mr.channel_spk.top1_mass), tol32});
    rows.push_back({"asymmetry ratio", rel_err(md.asymmetry, mr.asymmetry), tol32});
    // KIVI: quantized values agree up to rounding-boundary ties; compare the mean error instead.
    for (int bits : {2, 4}) {
      auto qd = kivi_per_channel(xd, bits, 32).to(torch::kCPU, torch::kDouble);
      auto qr = kivi_per_channel(x, bits, 32);
      const double mismatch = (qd - qr).abs().gt(1e-3).to(torch::kDouble).mean().item<double>();
      rows.push_back({"KIVI per-channel " + std::to_string(bits) + "-bit (share of entries off)",
                      mismatch, 1e-3});
      auto td = kivi_per_token(xd, bits, 32).to(torch::kCPU, torch::kDouble);
      auto tr = kivi_per_token(x, bits, 32);
      const double mism2 = (td - tr).abs().gt(1e-3).to(torch::kDouble).mean().item<double>();
      rows.push_back(
          {"KIVI per-token " + std::to_string(bits) + "-bit (share of entries off)", mism2, 1e-3});
    }
  }

  int failed = 0;
  char line[160];
  std::snprintf(line, sizeof line, "%-48s %12s %10s  %s\n", "check", "max rel err", "tolerance",
                "result");
  out << "selfcheck on " << (cuda ? "cuda" : "cpu") << " vs CPU float64\n" << line;
  for (const auto& r : rows) {
    const bool ok = std::isfinite(r.err) && r.err <= r.tol;
    failed += !ok;
    std::snprintf(line, sizeof line, "%-48s %12.3g %10.1g  %s\n", r.name.c_str(), r.err, r.tol,
                  ok ? "ok" : "MISMATCH");
    out << line;
  }
  out << (failed
              ? std::to_string(failed) + " of " + std::to_string(rows.size()) + " checks failed\n"
              : "all " + std::to_string(rows.size()) + " checks passed\n");
  return failed;
}

}  // namespace ms
