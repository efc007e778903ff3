// GPT: the decoder-only transformer of ../shared/DESIGN.md section 2 (NanoGPT layout, pre-norm):
//   x = embed(idx) [+ pos];  per block: x += attn(norm1(x)); x += mlp(norm2(x));
//   logits = head(norm_f(x))   (head tied to the embedding when tie_embeddings).
// Attention has separate Q, K, V, O matrices (biases optional), optional grouped-query attention
// (kv_heads K/V heads, each shared by heads / kv_heads query heads), optional QK-norm (RMSNorm
// over head_dim, before RoPE) and RoPE (rotate-half convention, base rope_theta) or learned
// positions. The options beyond the trained toy (biases, LayerNorm without bias, tanh-GELU, GQA,
// rope_theta, norm epsilon) are what GPT-2, nanoGPT and Llama-family checkpoints need (ckpt/).
// The capture path runs the manual attention so that the max logit comes from the very scores
// it softmaxes.
// kv_quant_causal_attention: attention over a KIVI-style streaming quantized K/V cache.
#include "model/GPT.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "common/Compat.h"

namespace ms {
namespace {

constexpr double kRmsEps = 1e-6;  // RMSNorm epsilon (model.norm_eps = 0)
constexpr double kLnEps = 1e-5;   // LayerNorm epsilon (torch default; model.norm_eps = 0)

// RMSNorm (Zhang & Sennrich 2019): y = x / sqrt(mean(x^2) + eps) * w over the last dim, weight
// only (HF LlamaRMSNorm: statistics in fp32, cast back, then the weight). LayerNorm (Ba et al.
// 2016): weight and, unless bias = false, bias. The statistics run in at least fp32.
class NormImpl : public torch::nn::Module {
 public:
  NormImpl(int64_t dim, bool layer_norm, bool bias = true, double eps = 0.0)
      : layer_norm_(layer_norm), dim_(dim), eps_(eps > 0 ? eps : (layer_norm ? kLnEps : kRmsEps)) {
    weight = register_parameter("weight", torch::ones({dim}));
    if (layer_norm_ && bias) this->bias = register_parameter("bias", torch::zeros({dim}));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    if (layer_norm_) return torch::layer_norm(x, {dim_}, weight, bias, eps_);
    const torch::Tensor xf = x.scalar_type() == torch::kDouble ? x : x.to(torch::kFloat);
    const torch::Tensor y = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps_);
    return y.to(x.scalar_type()) * weight.to(x.scalar_type());
  }
  torch::Tensor weight, bias;

 private:
  bool layer_norm_;
  int64_t dim_;
  double eps_;
};
TORCH_MODULE(Norm);

Norm make_norm(const ModelConfig& cfg, int64_t dim) {
  return Norm(dim, cfg.norm == "layernorm", cfg.norm_bias, cfg.norm_eps);
}

torch::nn::Linear make_linear(int64_t in, int64_t out, bool bias = false) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// Grouped-query attention: (B, Hkv, T, hd) -> (B, H, T, hd), K/V head g serving query heads
// g * n_rep .. (g + 1) * n_rep - 1 (HF Llama repeat_kv; n_rep = H / Hkv).
torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  return n_rep == 1 ? x : x.repeat_interleave(n_rep, /*dim=*/1);
}

// RoPE, rotate-half convention (Su et al. 2021; GPT-NeoX / Llama code):
//   rope(x) = x * cos + rotate_half(x) * sin,  rotate_half([x1, x2]) = [-x2, x1],
// with angle(t, i) = t * base^(-2i/hd) for i < hd/2, repeated over both halves.
// x (B, H, T, hd); cos, sin (T_max, hd).
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos,
                         const torch::Tensor& sin) {
  const int64_t T = x.size(2), half = x.size(3) / 2;
  const torch::Tensor c = cos.slice(0, 0, T).to(x.scalar_type());  // (T, hd)
  const torch::Tensor s = sin.slice(0, 0, T).to(x.scalar_type());  // (T, hd)
  const torch::Tensor rot = torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
  return x * c + rot * s;  // (B, H, T, hd)
}

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& cfg)
      : heads_(cfg.heads), kv_heads_(cfg.kv_head_count()), hd_(cfg.head_dim()) {
    const bool qkv_bias = cfg.attn_bias != "none", o_bias = cfg.attn_bias == "all";
    const int64_t kv = kv_heads_ * hd_;
    q = register_module("q", make_linear(cfg.d_model, cfg.d_model, qkv_bias));
    k = register_module("k", make_linear(cfg.d_model, kv, qkv_bias));
    v = register_module("v", make_linear(cfg.d_model, kv, qkv_bias));
    o = register_module("o", make_linear(cfg.d_model, cfg.d_model, o_bias));
    if (cfg.qk_norm) {
      q_norm = register_module("q_norm", Norm(hd_, /*layer_norm=*/false));
      k_norm = register_module("k_norm", Norm(hd_, /*layer_norm=*/false));
    }
  }

  // x (B, T, d) -> (B, T, d). cos/sin undefined = no RoPE. capture: the slot of this layer.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const ForwardOptions& opt, LayerCapture* cap) {
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2);
    auto split = [&](const torch::Tensor& t, int64_t h) {  // (B, T, h*hd) -> (B, h, T, hd)
      return t.view({B, T, h, hd_}).transpose(1, 2);
    };
    torch::Tensor qh = split(q->forward(x), heads_);     // (B, H, T, hd)
    torch::Tensor kh = split(k->forward(x), kv_heads_);  // (B, Hkv, T, hd)
    torch::Tensor vh = split(v->forward(x), kv_heads_);  // (B, Hkv, T, hd)
    if (!q_norm.is_empty()) {
      qh = q_norm->forward(qh);
      kh = k_norm->forward(kh);
    }
    torch::Tensor k_pre = kh;
    if (cos.defined()) {
      qh = apply_rope(qh, cos, sin);
      kh = apply_rope(kh, cos, sin);
    }
    // GQA: every query head from here on sees its group's K/V head, so the capture, the KIVI
    // cache and the metrics are per query head (a repeated head has the same values; KIVI's
    // per-channel and per-token min/max are unchanged by repetition).
    const int64_t n_rep = heads_ / kv_heads_;
    kh = repeat_kv(kh, n_rep);        // (B, H, T, hd)
    vh = repeat_kv(vh, n_rep);        // (B, H, T, hd)
    k_pre = repeat_kv(k_pre, n_rep);  // (B, H, T, hd)

    torch::Tensor y;  // (B, H, T, hd)
    if (cap) {
      torch::Tensor scores;  // (B, H, T, T), fp32 or fp64
      y = opt.kv_quant.enabled() ? kv_quant_causal_attention(qh, kh, vh, opt.kv_quant, &scores)
                                 : manual_causal_attention(qh, kh, vh, &scores);
      // max over batch and causal pairs i >= j: future entries masked to -inf first
      const torch::Tensor future =
          torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device()))
              .triu(1);
      cap->max_logit = scores.detach()
                           .masked_fill(future, -std::numeric_limits<double>::infinity())
                           .amax({0, 2, 3});  // (H)
      if (!opt.max_logit_only) {
        cap->q = qh.detach();
        cap->k_pre = k_pre.detach();
        cap->k = kh.detach();
        cap->v = vh.detach();
        cap->head_out = y.detach();
      }
    } else if (opt.kv_quant.enabled()) {
      y = kv_quant_causal_attention(qh, kh, vh, opt.kv_quant);
    } else {
      y = causal_attention(qh, kh, vh);
    }
    return o->forward(y.transpose(1, 2).reshape({B, T, d}));  // (B, T, d)
  }

  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  Norm q_norm{nullptr}, k_norm{nullptr};

 private:
  int64_t heads_, kv_heads_, hd_;
};
TORCH_MODULE(Attention);

// FFN: gelu  out(gelu(in(x)))  (exact erf GELU, or GPT-2's tanh approximation "gelu_new",
// Hendrycks & Gimpel 2016 eq. 2);  swiglu (Shazeer 2020)  out(silu(gate(x)) * in(x)).
class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const ModelConfig& cfg) : tanh_(cfg.ffn == "gelu_tanh") {
    const int64_t h = cfg.ffn_hidden();
    in = register_module("in", make_linear(cfg.d_model, h, cfg.mlp_bias));
    if (cfg.ffn == "swiglu")
      gate = register_module("gate", make_linear(cfg.d_model, h, cfg.mlp_bias));
    out = register_module("out", make_linear(h, cfg.d_model, cfg.mlp_bias));
  }
  torch::Tensor forward(const torch::Tensor& x) {  // (B, T, d) -> (B, T, d)
    if (gate.is_empty()) return out->forward(torch::gelu(in->forward(x), tanh_ ? "tanh" : "none"));
    return out->forward(torch::silu(gate->forward(x)) * in->forward(x));
  }
  torch::nn::Linear in{nullptr}, gate{nullptr}, out{nullptr};

 private:
  bool tanh_;
};
TORCH_MODULE(MLP);

class BlockImpl : public torch::nn::Module {
 public:
  explicit BlockImpl(const ModelConfig& cfg) {
    norm1 = register_module("norm1", make_norm(cfg, cfg.d_model));
    attn = register_module("attn", Attention(cfg));
    norm2 = register_module("norm2", make_norm(cfg, cfg.d_model));
    mlp = register_module("mlp", MLP(cfg));
  }
  Norm norm1{nullptr}, norm2{nullptr};
  Attention attn{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(Block);

void check_config(const ModelConfig& c) {
  auto fail = [](const std::string& key, const std::string& value, const std::string& why) {
    throw ConfigError("GPT: model." + key + " = " + value + ": " + why);
  };
  if (c.vocab_size <= 0) fail("vocab_size", std::to_string(c.vocab_size), "must be > 0");
  if (c.seq_len <= 0) fail("seq_len", std::to_string(c.seq_len), "must be > 0");
  if (c.layers <= 0) fail("layers", std::to_string(c.layers), "must be > 0");
  if (c.heads <= 0) fail("heads", std::to_string(c.heads), "must be > 0");
  if (c.d_model <= 0 || c.d_model % c.heads != 0)
    fail("d_model", std::to_string(c.d_model), "must be a positive multiple of model.heads");
  if (c.ffn_mult <= 0) fail("ffn_mult", std::to_string(c.ffn_mult), "must be > 0");
  if (c.kv_heads < 0 || (c.kv_heads > 0 && c.heads % c.kv_heads != 0))
    fail("kv_heads", std::to_string(c.kv_heads), "must be 0 or divide model.heads");
  if (c.ffn != "gelu" && c.ffn != "gelu_tanh" && c.ffn != "swiglu")
    fail("ffn", c.ffn, "expected gelu, gelu_tanh or swiglu");
  if (c.attn_bias != "none" && c.attn_bias != "qkv" && c.attn_bias != "all")
    fail("attn_bias", c.attn_bias, "expected none, qkv or all");
  if (!(c.rope_theta > 0.0)) fail("rope_theta", std::to_string(c.rope_theta), "must be > 0");
  if (c.norm != "rmsnorm" && c.norm != "layernorm")
    fail("norm", c.norm, "expected rmsnorm or layernorm");
  if (c.pos != "rope" && c.pos != "learned") fail("pos", c.pos, "expected rope or learned");
  if (c.pos == "rope" && c.head_dim() % 2 != 0)
    fail("d_model", std::to_string(c.d_model), "RoPE needs an even head_dim");
  if (!(c.init_std > 0.0)) fail("init_std", std::to_string(c.init_std), "must be > 0");
}

}  // namespace

torch::Tensor kv_quant_causal_attention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, const KvQuantization& kq,
                                        torch::Tensor* scores_out) {
  if (!kq.enabled())
    throw std::invalid_argument("kv_quant_causal_attention: need group >= 1 and a quantizer");
  const int64_t B = k.size(0), H = k.size(1), T = k.size(2), hd = k.size(3), G = kq.group;
  const int64_t n = T / G, Tq = n * G;  // completed groups of the whole sequence, their tokens
  // Quantized cache: the first Tq tokens quantized group by group, the ragged tail (never a
  // completed group for any query i < T) left as is. x (B, H, T, hd) -> (B, H, T, hd).
  auto quantize = [&](const torch::Tensor& x,
                      const std::function<torch::Tensor(const torch::Tensor&)>& f) {
    if (!f || n == 0) return x;
    const torch::Tensor groups = x.narrow(2, 0, Tq)
                                     .reshape({B, H, n, G, hd})
                                     .permute({0, 2, 1, 3, 4})
                                     .reshape({B * n, H, G, hd});  // (B*n, H, G, hd)
    const torch::Tensor qg = f(groups);
    if (qg.sizes() != groups.sizes())
      throw std::invalid_argument("kv_quant_causal_attention: a quantizer changed the shape");
    const torch::Tensor back = qg.reshape({B, n, H, G, hd})
                                   .permute({0, 2, 1, 3, 4})
                                   .reshape({B, H, Tq, hd});                    // (B, H, Tq, hd)
    return torch::cat({back.to(x.scalar_type()), x.narrow(2, Tq, T - Tq)}, 2);  // (B, H, T, hd)
  };
  const torch::Tensor kq_c = quantize(k, kq.k), vq_c = quantize(v, kq.v);  // (B, H, T, hd)

  // quant(i, j) = j < c(i) = floor((i + 1) / G) * G: token j sits in a group completed by i.
  const auto lopt = torch::TensorOptions().dtype(torch::kLong).device(q.device());
  const torch::Tensor pos = torch::arange(T, lopt);                    // (T)
  const torch::Tensor c = torch::div(pos + 1, G, "floor") * G;         // (T): c(i)
  const torch::Tensor quant = pos.view({1, T}).lt(c.view({T, 1}));     // (T, T) bool
  const torch::Tensor future = pos.view({1, T}).gt(pos.view({T, 1}));  // (T, T) j > i
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  auto raw_scores = [&](const torch::Tensor& keys) {  // (B, H, T, T) in the softmax dtype
    torch::Tensor s = at::matmul(q, keys.transpose(-2, -1));
    return s.scalar_type() == torch::kDouble ? s : s.to(torch::kFloat);
  };
  const torch::Tensor s_fp = raw_scores(k);
  const torch::Tensor scores =
      (kq.k ? torch::where(quant, raw_scores(kq_c), s_fp) : s_fp) * scale;  // (B, H, T, T)
  if (scores_out) *scores_out = scores;
  const torch::Tensor probs =
      torch::softmax(scores.masked_fill(future, -std::numeric_limits<double>::infinity()), -1);
  const torch::Tensor mq = quant.to(probs.scalar_type());               // (T, T) 1 where quantized
  const torch::Tensor p_q = (probs * mq).to(v.scalar_type());           // (B, H, T, T)
  const torch::Tensor p_fp = (probs * (1.0 - mq)).to(v.scalar_type());  // (B, H, T, T)
  return at::matmul(p_q, vq_c) + at::matmul(p_fp, v);                   // (B, H, T, hd)
}

struct GPTImpl::Impl {
  torch::nn::Embedding embed{nullptr};
  torch::nn::Embedding pos{nullptr};  // learned positions only
  std::vector<Block> blocks;
  Norm norm_f{nullptr};
  torch::nn::Linear head{nullptr};   // untied head only
  torch::Tensor rope_cos, rope_sin;  // (seq_len, hd), RoPE only (buffers)
};

GPTImpl::GPTImpl(const ModelConfig& cfg) : cfg_(cfg), impl_(std::make_shared<Impl>()) {
  check_config(cfg_);
  Impl& m = *impl_;
  const int64_t d = cfg_.d_model, hd = cfg_.head_dim();
  m.embed = register_module("embed", torch::nn::Embedding(cfg_.vocab_size, d));
  if (cfg_.pos == "learned") m.pos = register_module("pos", torch::nn::Embedding(cfg_.seq_len, d));
  auto list = register_module("blocks", torch::nn::ModuleList());
  for (int l = 0; l < cfg_.layers; ++l) {
    m.blocks.emplace_back(cfg_);
    list->push_back(m.blocks.back());
  }
  m.norm_f = register_module("norm_f", make_norm(cfg_, d));
  if (!cfg_.tie_embeddings) m.head = register_module("head", make_linear(d, cfg_.vocab_size));
  if (cfg_.pos == "rope") {
    // angle(t, i) = t * theta^(-2i/hd). Kept in fp64 (tiny tables) so that a float64 model is
    // exact; apply_rope casts them to the activation dtype.
    const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
    const torch::Tensor inv_freq = torch::pow(
        cfg_.rope_theta, -torch::arange(0, hd, 2, f64) / static_cast<double>(hd));  // (hd/2)
    const torch::Tensor ang = torch::outer(torch::arange(cfg_.seq_len, f64), inv_freq);
    const torch::Tensor full = torch::cat({ang, ang}, -1);  // (seq_len, hd)
    m.rope_cos = register_buffer("rope_cos", full.cos());
    m.rope_sin = register_buffer("rope_sin", full.sin());
  }

  // Init (GPT-2 / NanoGPT): every matrix and embedding ~ N(0, init_std); the residual output
  // projections (attn.o, mlp.out) with init_std / sqrt(2 * layers); norms ones, biases zero.
  torch::NoGradGuard ng;
  const double std_res = cfg_.init_std / std::sqrt(2.0 * cfg_.layers);
  for (const NamedParam& p : named_params()) {
    if (p.role == "norm") continue;
    if (p.role == "bias") {
      p.param.zero_();
      continue;
    }
    const bool residual = p.role == "attn.o" || p.role == "mlp.out";
    p.param.normal_(0.0, residual ? std_res : cfg_.init_std);
  }
}

torch::Tensor GPTImpl::forward(const torch::Tensor& idx, const ForwardOptions& opt) {
  if (idx.dim() != 2 || idx.scalar_type() != torch::kLong) {
    std::ostringstream s;
    s << "GPT::forward: idx must be a (B, T) int64 tensor, got sizes " << idx.sizes() << " dtype "
      << idx.scalar_type();
    throw std::invalid_argument(s.str());
  }
  const int64_t T = idx.size(1);
  if (T < 1 || T > cfg_.seq_len)
    throw std::invalid_argument("GPT::forward: sequence length " + std::to_string(T) +
                                " outside [1, model.seq_len = " + std::to_string(cfg_.seq_len) +
                                "]");
  if (idx.device().is_cpu() && idx.numel() > 0) {  // on CUDA a bad index is a device assert
    const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    if (lo < 0 || hi >= cfg_.vocab_size)
      throw std::invalid_argument(
          "GPT::forward: token id " + std::to_string(lo < 0 ? lo : hi) +
          " outside [0, model.vocab_size = " + std::to_string(cfg_.vocab_size) + ")");
  }
  Impl& m = *impl_;
  if (opt.capture) opt.capture->assign(m.blocks.size(), LayerCapture{});

  torch::Tensor x = m.embed->forward(idx);  // (B, T, d)
  if (!m.pos.is_empty()) x = x + m.pos->weight.slice(0, 0, T);
  for (size_t l = 0; l < m.blocks.size(); ++l) {
    Block& b = m.blocks[l];
    LayerCapture* cap = opt.capture ? &(*opt.capture)[l] : nullptr;
    x = x + b->attn->forward(b->norm1->forward(x), m.rope_cos, m.rope_sin, opt, cap);
    x = x + b->mlp->forward(b->norm2->forward(x));
  }
  x = m.norm_f->forward(x);
  if (m.head.is_empty()) return torch::matmul(x, m.embed->weight.t());  // (B, T, V), tied
  return m.head->forward(x);                                            // (B, T, V)
}

torch::Tensor GPTImpl::loss(const torch::Tensor& idx, const torch::Tensor& targets,
                            const ForwardOptions& opt) {
  if (!targets.defined() || targets.sizes() != idx.sizes() ||
      targets.scalar_type() != torch::kLong) {
    std::ostringstream s;
    s << "GPT::loss: targets must be int64 with the sizes of idx " << idx.sizes();
    if (targets.defined()) s << ", got " << targets.sizes() << " " << targets.scalar_type();
    throw std::invalid_argument(s.str());
  }
  torch::Tensor logits = forward(idx, opt);  // (B, T, V)
  if (logits.scalar_type() != torch::kDouble) logits = logits.to(torch::kFloat);
  if (targets.device().is_cpu() && targets.numel() > 0) {
    const int64_t lo = targets.min().item<int64_t>(), hi = targets.max().item<int64_t>();
    if (lo < 0 || hi >= cfg_.vocab_size)
      throw std::invalid_argument(
          "GPT::loss: target id " + std::to_string(lo < 0 ? lo : hi) +
          " outside [0, model.vocab_size = " + std::to_string(cfg_.vocab_size) + ")");
  }
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                              targets.reshape({-1}));
}

std::vector<NamedParam> GPTImpl::named_params() const {
  const Impl& m = *impl_;
  std::vector<NamedParam> out;
  auto add = [&](const std::string& name, const std::string& role, int layer,
                 const torch::Tensor& t) {
    if (t.defined()) out.push_back({name, role, layer, t});
  };
  auto add_norm = [&](const std::string& prefix, int layer, const Norm& n) {
    add(prefix + ".weight", "norm", layer, n->weight);
    add(prefix + ".bias", "norm", layer, n->bias);
  };
  add("embed.weight", "embed", -1, m.embed->weight);
  if (!m.pos.is_empty()) add("pos.weight", "pos", -1, m.pos->weight);
  for (size_t i = 0; i < m.blocks.size(); ++i) {
    const int l = static_cast<int>(i);
    const std::string p = "blocks." + std::to_string(l) + ".";
    const Block& b = m.blocks[i];
    add_norm(p + "norm1", l, b->norm1);
    add(p + "attn.q.weight", "attn.q", l, b->attn->q->weight);
    add(p + "attn.k.weight", "attn.k", l, b->attn->k->weight);
    add(p + "attn.v.weight", "attn.v", l, b->attn->v->weight);
    add(p + "attn.o.weight", "attn.o", l, b->attn->o->weight);
    add(p + "attn.q.bias", "bias", l, b->attn->q->bias);
    add(p + "attn.k.bias", "bias", l, b->attn->k->bias);
    add(p + "attn.v.bias", "bias", l, b->attn->v->bias);
    add(p + "attn.o.bias", "bias", l, b->attn->o->bias);
    if (!b->attn->q_norm.is_empty()) {
      add_norm(p + "attn.q_norm", l, b->attn->q_norm);
      add_norm(p + "attn.k_norm", l, b->attn->k_norm);
    }
    add_norm(p + "norm2", l, b->norm2);
    add(p + "mlp.in.weight", "mlp.in", l, b->mlp->in->weight);
    if (!b->mlp->gate.is_empty()) add(p + "mlp.gate.weight", "mlp.gate", l, b->mlp->gate->weight);
    add(p + "mlp.out.weight", "mlp.out", l, b->mlp->out->weight);
    add(p + "mlp.in.bias", "bias", l, b->mlp->in->bias);
    if (!b->mlp->gate.is_empty()) add(p + "mlp.gate.bias", "bias", l, b->mlp->gate->bias);
    add(p + "mlp.out.bias", "bias", l, b->mlp->out->bias);
  }
  add_norm("norm_f", -1, m.norm_f);
  if (!m.head.is_empty()) add("head.weight", "head", -1, m.head->weight);
  return out;
}

torch::Tensor GPTImpl::weight(int layer, const std::string& role) const {
  const Impl& m = *impl_;
  if (layer < 0 || layer >= static_cast<int>(m.blocks.size()))
    throw std::out_of_range("GPT::weight: layer " + std::to_string(layer) + " outside [0, " +
                            std::to_string(m.blocks.size()) + ")");
  const Block& b = m.blocks[static_cast<size_t>(layer)];
  if (role == "attn.q") return b->attn->q->weight;
  if (role == "attn.k") return b->attn->k->weight;
  if (role == "attn.v") return b->attn->v->weight;
  if (role == "attn.o") return b->attn->o->weight;
  if (role == "mlp.in") return b->mlp->in->weight;
  if (role == "mlp.gate") return b->mlp->gate.is_empty() ? torch::Tensor() : b->mlp->gate->weight;
  if (role == "mlp.out") return b->mlp->out->weight;
  throw std::invalid_argument("GPT::weight: unknown block matrix role '" + role + "'");
}

int64_t GPTImpl::num_params() const {
  int64_t n = 0;
  for (const NamedParam& p : named_params()) n += p.param.numel();
  return n;
}

std::vector<std::string> spectrum_matrix_names(const ModelConfig& cfg) {
  std::vector<std::string> names = {"attn.q", "attn.k", "attn.v", "attn.o", "mlp.in"};
  if (cfg.ffn == "swiglu") names.push_back("mlp.gate");
  names.insert(names.end(), {"mlp.out", "qk", "vo"});
  return names;
}

}  // namespace ms
