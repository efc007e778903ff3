// test_snapshot_assembly: pins how SnapshotBuilder::compute assembles a Snapshot. A tiny float64
// GPT (2 layers, d_model 16, 2 heads, seq_len 40, vocab 50, RoPE) on random tokens is recomputed
// here by a plain reference that shares no code with GPT.cpp, SnapshotBuilder.cpp or
// Metrics.cpp: its own forward over the model's weights (explicit loops for RoPE, attention and
// the streaming KIVI cache), its own PR_sv (eigenvalues of the Gram matrix), PR_cov (of the
// centered covariance), max attention logit, magnitudes, spikiness and quantization. Compared:
// PR_sv and PR_cov per activation (q, k post-RoPE, v, head_out) and head, the max logit per head,
// K pre-RoPE / post-RoPE / V channel and token magnitudes with their spikiness and asymmetry,
// the probe loss, and the KIVI deltas of both schemes at 2 and 4 bits. A swap of q and k, of pre
// and post RoPE, or of per-channel and per-token fails it. Last, the Python snippet of
// docs/run-format.md recomputes the K/V spikiness from a written run file (skipped without
// python3 + h5py + numpy).
// torch before Qt: Qt's `slots` macro breaks torch's headers.
#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "MetricsReference.h"
#include "data/DataSource.h"
#include "metrics/SnapshotBuilder.h"
#include "model/GPT.h"
#include "store/RunWriter.h"

using namespace ms;

namespace {

const auto f64 = torch::TensorOptions().dtype(torch::kDouble);

// Uniform random tokens in both splits; no QA (FTA off).
class RandomTokens : public DataSource {
 public:
  RandomTokens(int vocab, int64_t n, uint64_t seed) : vocab_(vocab) {
    std::mt19937_64 g(seed);
    for (auto* s : {&train_, &val_})
      for (int64_t i = 0; i < n; ++i) s->push_back(int64_t(g() % uint64_t(vocab)));
  }
  std::string kind() const override { return "tokens"; }
  std::string description() const override { return "random tokens"; }
  int vocab_size() const override { return vocab_; }
  int64_t size(Split) const override { return int64_t(val_.size()); }
  void copy(Split s, int64_t a, int64_t n, int64_t* out) const override {
    const auto& v = s == Split::Train ? train_ : val_;
    std::copy(v.begin() + a, v.begin() + a + n, out);
  }
  std::string decode(const std::vector<int32_t>&) const override { return ""; }

 private:
  int vocab_;
  std::vector<int64_t> train_, val_;
};

// Reference quantization (KIVI, Liu et al. 2024): msref::ref_kivi_cache in MetricsReference.h.

struct RefActs {
  torch::Tensor q, k_pre, k, v, out;  // (B, H, T, hd) float64; q, k after RoPE
};

struct RefKivi {
  int64_t group = 0;  // 0 = full precision
  int bits = 2;
  bool k_per_channel = true;  // KIVI's scheme; false = K per-token, V per-channel
};

class RefGPT {
 public:
  RefGPT(const GPTImpl& m) : c_(m.config()) {
    for (const NamedParam& p : m.named_params()) w_[p.name] = p.param.detach().to(torch::kDouble);
  }

  // idx (B, T) -> logits (B, T, V); acts: per-layer activations when set.
  torch::Tensor forward(const torch::Tensor& idx, const RefKivi& kv,
                        std::vector<RefActs>* acts = nullptr) const {
    const int64_t B = idx.size(0), T = idx.size(1), d = c_.d_model, H = c_.heads, hd = d / H;
    torch::Tensor x = W("embed.weight").index_select(0, idx.reshape({-1})).view({B, T, d});
    for (int l = 0; l < c_.layers; ++l) {
      const std::string p = "blocks." + std::to_string(l) + ".";
      const torch::Tensor h = rms(x, W(p + "norm1.weight"));  // (B, T, d)
      auto heads = [&](const char* role) {                    // (B, T, d) -> (B, H, T, hd)
        return h.matmul(W(p + "attn." + role + ".weight").t())
            .view({B, T, H, hd})
            .permute({0, 2, 1, 3})
            .contiguous();
      };
      RefActs a;
      a.k_pre = heads("k");
      a.q = rope(heads("q"));
      a.k = rope(a.k_pre);
      a.v = heads("v");
      a.out = attention(a.q, a.k, a.v, kv);
      const torch::Tensor y = a.out.permute({0, 2, 1, 3}).reshape({B, T, d});
      x = x + y.matmul(W(p + "attn.o.weight").t());
      const torch::Tensor u = rms(x, W(p + "norm2.weight")).matmul(W(p + "mlp.in.weight").t());
      const torch::Tensor gelu = 0.5 * u * (1.0 + torch::erf(u / std::sqrt(2.0)));
      x = x + gelu.matmul(W(p + "mlp.out.weight").t());
      if (acts) acts->push_back(a);
    }
    return rms(x, W("norm_f.weight")).matmul(W("head.weight").t());  // (B, T, V)
  }

  // Mean next-token cross-entropy: logsumexp - logit of the target, over every (b, t).
  double loss(const torch::Tensor& idx, const torch::Tensor& tgt, const RefKivi& kv) const {
    const torch::Tensor z = forward(idx, kv).contiguous();
    const int64_t B = z.size(0), T = z.size(1), V = z.size(2);
    auto Z = z.accessor<double, 3>();
    auto Y = tgt.accessor<int64_t, 2>();
    double sum = 0;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t) {
        double mx = -1e300, e = 0;
        for (int64_t v = 0; v < V; ++v) mx = std::max(mx, Z[b][t][v]);
        for (int64_t v = 0; v < V; ++v) e += std::exp(Z[b][t][v] - mx);
        sum += mx + std::log(e) - Z[b][t][Y[b][t]];
      }
    return sum / double(B * T);
  }

 private:
  torch::Tensor W(const std::string& n) const { return w_.at(n); }

  static torch::Tensor rms(const torch::Tensor& x, const torch::Tensor& w) {  // RMSNorm, eps 1e-6
    return x / (x.square().mean(-1, true) + 1e-6).sqrt() * w;
  }

  // RoPE by loops: pair (i, i + hd/2) at position t rotated by t * 10000^(-2i/hd).
  static torch::Tensor rope(const torch::Tensor& x) {
    const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3), half = hd / 2;
    torch::Tensor out = x.clone();
    auto X = x.accessor<double, 4>();
    auto O = out.accessor<double, 4>();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t)
          for (int64_t i = 0; i < half; ++i) {
            const double a = double(t) * std::pow(10000.0, -2.0 * double(i) / double(hd));
            const double x1 = X[b][h][t][i], x2 = X[b][h][t][i + half];
            O[b][h][t][i] = x1 * std::cos(a) - x2 * std::sin(a);
            O[b][h][t][i + half] = x2 * std::cos(a) + x1 * std::sin(a);
          }
    return out;
  }

  // Causal softmax attention by loops; with KIVI, query i reads the quantized K_j / V_j for
  // j < floor((i + 1)/G) * G (completed groups) and the full-precision ones otherwise.
  static torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, const RefKivi& kv) {
    const int64_t B = q.size(0), H = q.size(1), T = q.size(2), hd = q.size(3);
    const double* K = k.data_ptr<double>();
    const double* V = v.data_ptr<double>();
    std::vector<double> kq(K, K + k.numel()), vq(V, V + v.numel());
    if (kv.group > 0) {
      kq = msref::ref_kivi_cache(k, kv.bits, kv.group, kv.k_per_channel);
      vq = msref::ref_kivi_cache(v, kv.bits, kv.group, !kv.k_per_channel);
    }
    const double* Q = q.data_ptr<double>();
    torch::Tensor out = torch::zeros({B, H, T, hd}, f64);
    double* O = out.data_ptr<double>();
    for (int64_t bh = 0; bh < B * H; ++bh)
      for (int64_t i = 0; i < T; ++i) {
        const int64_t ci = kv.group > 0 ? (i + 1) / kv.group * kv.group : 0;
        std::vector<double> p(size_t(i + 1));
        double mx = -1e300, z = 0;
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0;
          for (int64_t e = 0; e < hd; ++e) {
            const size_t kj = size_t((bh * T + j) * hd + e);
            dot += Q[(bh * T + i) * hd + e] * (j < ci ? kq[kj] : K[kj]);
          }
          p[size_t(j)] = dot / std::sqrt(double(hd));
          mx = std::max(mx, p[size_t(j)]);
        }
        for (double& e : p) z += (e = std::exp(e - mx));
        for (int64_t j = 0; j <= i; ++j)
          for (int64_t e = 0; e < hd; ++e) {
            const size_t vj = size_t((bh * T + j) * hd + e);
            O[(bh * T + i) * hd + e] += p[size_t(j)] / z * (j < ci ? vq[vj] : V[vj]);
          }
      }
    return out;
  }

  ModelConfig c_;
  std::map<std::string, torch::Tensor> w_;
};

// ---- Reference metrics ---------------------------------------------------------------------

// PR_sv = (sum sigma)^2 / sum sigma^2 of head h's (B*T, hd) rows, sigma^2 = eig(X^T X).
double ref_pr_sv(const torch::Tensor& x, int64_t h) {
  const torch::Tensor X = x.select(1, h).reshape({-1, x.size(3)});  // (B*T, hd)
  const torch::Tensor lam = at::linalg_eigvalsh(X.t().matmul(X)).clamp_min(0);
  return lam.sqrt().sum().square().item<double>() / lam.sum().item<double>();
}

// PR_cov = (sum lambda)^2 / sum lambda^2, lambda = eig of the covariance of the centered rows.
double ref_pr_cov(const torch::Tensor& x, int64_t h) {
  const torch::Tensor X = x.select(1, h).reshape({-1, x.size(3)});  // (B*T, hd)
  const torch::Tensor Xc = X - X.mean(0, true);
  const torch::Tensor lam = at::linalg_eigvalsh(Xc.t().matmul(Xc)).clamp_min(0);
  return lam.sum().square().item<double>() / lam.square().sum().item<double>();
}

// Largest attention logit q_i.k_j / sqrt(hd) of head h over the batch and causal pairs j <= i.
double ref_max_logit(const torch::Tensor& q, const torch::Tensor& k, int64_t h) {
  const int64_t B = q.size(0), T = q.size(2), hd = q.size(3);
  auto Q = q.accessor<double, 4>();
  auto K = k.accessor<double, 4>();
  double mx = -1e300;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j <= i; ++j) {
        double dot = 0;
        for (int64_t e = 0; e < hd; ++e) dot += Q[b][h][i][e] * K[b][h][j][e];
        mx = std::max(mx, dot / std::sqrt(double(hd)));
      }
  return mx;
}

struct RefSpk {
  double max_mean, p99_p50, top1_mass;
};
RefSpk ref_spk(std::vector<double> m) {
  const double sum = std::accumulate(m.begin(), m.end(), 0.0);
  const double mx = *std::max_element(m.begin(), m.end());
  const size_t k = (m.size() + 99) / 100;
  std::sort(m.begin(), m.end(), std::greater<double>());
  const double top = std::accumulate(m.begin(), m.begin() + long(k), 0.0);
  return {mx / (sum / double(m.size())), msref::ref_quantile(m, 0.99) / msref::ref_quantile(m, 0.5),
          top / sum};
}

struct RefMags {
  std::vector<double> channel, token, token_all;  // (C), (T), (B*T) row-major (b, t)
  RefSpk channel_spk, token_spk;
  double asymmetry;
};
RefMags ref_mags(const torch::Tensor& x) {
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3), C = H * hd;
  auto X = x.accessor<double, 4>();
  RefMags r;
  r.channel.assign(size_t(C), 0.0);
  r.token.assign(size_t(T), 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t) {
      double s = 0;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t j = 0; j < hd; ++j) {
          s += std::abs(X[b][h][t][j]);
          r.channel[size_t(h * hd + j)] += std::abs(X[b][h][t][j]) / double(B * T);
        }
      r.token_all.push_back(s / double(C));
      r.token[size_t(t)] += s / double(C) / double(B);
    }
  r.channel_spk = ref_spk(r.channel);
  r.token_spk = ref_spk(r.token_all);
  r.asymmetry = r.channel_spk.max_mean / r.token_spk.max_mean;
  return r;
}

bool close(double got, double want, double rel, double abs_tol = 0) {
  return std::abs(got - want) <= rel * std::abs(want) + abs_tol;
}

std::string num(double x) {
  std::ostringstream s;
  s.precision(10);
  s << x;
  return s.str();
}

}  // namespace

class TestSnapshotAssembly : public QObject {
  Q_OBJECT
  RunConfig cfg_;
  std::unique_ptr<RandomTokens> data_;
  std::unique_ptr<SnapshotBuilder> builder_;
  GPT model_{nullptr};
  Snapshot snap_;
  QTemporaryDir tmp_;

  // Compares one field; the message names it with both values (the first failure only).
  double worst_rel_ = 0;  // largest relative difference seen by expect()
  void expect(bool ok, const std::string& what, double got, double want) {
    if (want != 0) worst_rel_ = std::max(worst_rel_, std::abs(got - want) / std::abs(want));
    if (!ok && !QTest::currentTestFailed())
      QFAIL((what + ": snapshot " + num(got) + ", reference " + num(want)).c_str());
  }

 private slots:
  void initTestCase() {
    torch::set_num_threads(1);
    QVERIFY(tmp_.isValid());
    cfg_.model.layers = 2;
    cfg_.model.d_model = 16;
    cfg_.model.heads = 2;
    cfg_.model.seq_len = 40;
    cfg_.model.vocab_size = 50;
    cfg_.model.pos = "rope";
    cfg_.model.init_std = 0.3;  // sharp attention and uneven channels: the schemes differ
    cfg_.train.batch_size = 3;
    cfg_.train.seed = 11;
    cfg_.metrics.probe_batch = 4;
    cfg_.metrics.kivi_batches = 2;
    cfg_.metrics.kivi_group = 12;  // T = 40: 3 completed groups + 4 tokens; C = 16: 12 + 4
    cfg_.metrics.fta = false;
    data_ = std::make_unique<RandomTokens>(50, 2000, 5);
    torch::manual_seed(3);
    model_ = GPT(cfg_.model);
    model_->to(torch::kDouble);
    builder_ = std::make_unique<SnapshotBuilder>(cfg_, *data_, torch::kCPU);
    snap_ = builder_->compute(*model_, 1, /*with_kivi=*/true);
    QCOMPARE(snap_.layers.size(), size_t(2));
    QVERIFY(snap_.kivi.valid);
  }

  void activationsAndMagnitudes() {
    torch::NoGradGuard ng;
    worst_rel_ = 0;
    const RefGPT ref(*model_);
    std::vector<RefActs> acts;
    const torch::Tensor x = builder_->probe_inputs(), y = builder_->probe_targets();
    ref.forward(x, {}, &acts);
    QVERIFY(close(snap_.val_loss, ref.loss(x, y, {}), 1e-12));
    const int H = cfg_.model.heads;
    for (int l = 0; l < cfg_.model.layers; ++l) {
      const LayerMetrics& lm = snap_.layers[size_t(l)];
      const RefActs& a = acts[size_t(l)];
      const std::string at = "layer " + std::to_string(l) + " ";
      const torch::Tensor* per_act[kNumActs] = {&a.q, &a.k, &a.v, &a.out};
      for (int act = 0; act < kNumActs; ++act)
        for (int h = 0; h < H; ++h) {
          const double want = ref_pr_sv(*per_act[act], h);
          expect(close(lm.pr_sv[act][size_t(h)], want, 1e-5),
                 at + "PR_sv " + act_name(act) + " head " + std::to_string(h),
                 lm.pr_sv[act][size_t(h)], want);
          const double want_cov = ref_pr_cov(*per_act[act], h);
          expect(close(lm.pr_cov[act][size_t(h)], want_cov, 1e-5),
                 at + "PR_cov " + act_name(act) + " head " + std::to_string(h),
                 lm.pr_cov[act][size_t(h)], want_cov);
        }
      // The swaps these comparisons must catch give other values here, well outside the
      // tolerance: q's PR_sv is not k's in some head, and the pre-RoPE channel magnitudes of K
      // are not the post-RoPE ones in some channel (else a swap would pass unnoticed).
      bool qk_apart = false;
      for (int h = 0; h < H; ++h) qk_apart |= !close(ref_pr_sv(a.q, h), ref_pr_sv(a.k, h), 1e-3);
      QVERIFY2(qk_apart, (at + "q and k have the same PR_sv: a swap would pass").c_str());
      const RefMags pre = ref_mags(a.k_pre), post = ref_mags(a.k);
      bool rope_apart = false;
      for (size_t i = 0; i < pre.channel.size(); ++i)
        rope_apart |= !close(pre.channel[i], post.channel[i], 1e-3);
      QVERIFY2(rope_apart, (at + "K pre and post RoPE agree: a swap would pass").c_str());
      QCOMPARE(lm.max_logit.size(), size_t(H));
      for (int h = 0; h < H; ++h) {
        const double want = ref_max_logit(a.q, a.k, h);
        expect(close(lm.max_logit[size_t(h)], want, 1e-9, 1e-12),
               at + "max logit head " + std::to_string(h), lm.max_logit[size_t(h)], want);
      }
      const std::pair<const char*, std::pair<const Magnitudes*, const torch::Tensor*>> caches[] = {
          {"k_pre", {&lm.k_pre, &a.k_pre}}, {"k_post", {&lm.k_post, &a.k}}, {"v", {&lm.v, &a.v}}};
      for (const auto& [name, pair] : caches) {
        const Magnitudes& m = *pair.first;
        const RefMags r = ref_mags(*pair.second);
        const std::string c = at + name + " ";
        QCOMPARE(m.channel.size(), r.channel.size());
        QCOMPARE(m.token.size(), r.token.size());
        QCOMPARE(m.token_all.size(), r.token_all.size());
        for (size_t i = 0; i < r.channel.size(); ++i)
          expect(close(m.channel[i], r.channel[i], 1e-5), c + "channel " + std::to_string(i),
                 m.channel[i], r.channel[i]);
        for (size_t i = 0; i < r.token.size(); ++i)
          expect(close(m.token[i], r.token[i], 1e-5), c + "token " + std::to_string(i), m.token[i],
                 r.token[i]);
        for (size_t i = 0; i < r.token_all.size(); ++i)
          expect(close(m.token_all[i], r.token_all[i], 1e-5), c + "token_all " + std::to_string(i),
                 m.token_all[i], r.token_all[i]);
        const std::pair<const Spikiness*, const RefSpk*> spk[] = {{&m.channel_spk, &r.channel_spk},
                                                                  {&m.token_spk, &r.token_spk}};
        for (int s = 0; s < 2; ++s) {
          const std::string sn = c + (s == 0 ? "channel_spk " : "token_spk ");
          expect(close(spk[s].first->max_mean, spk[s].second->max_mean, 1e-5), sn + "max/mean",
                 spk[s].first->max_mean, spk[s].second->max_mean);
          expect(close(spk[s].first->p99_p50, spk[s].second->p99_p50, 1e-5), sn + "p99/p50",
                 spk[s].first->p99_p50, spk[s].second->p99_p50);
          expect(close(spk[s].first->top1_mass, spk[s].second->top1_mass, 1e-5), sn + "top1",
                 spk[s].first->top1_mass, spk[s].second->top1_mass);
        }
        expect(close(m.asymmetry, r.asymmetry, 1e-5), c + "asymmetry", m.asymmetry, r.asymmetry);
      }
    }
    qInfo("PR_sv, PR_cov, max logit, magnitudes, spikiness: max relative difference %.3g",
          worst_rel_);
  }

  void kiviDeltas() {
    torch::NoGradGuard ng;
    const RefGPT ref(*model_);
    const auto& batches = builder_->kivi_inputs();
    QCOMPARE(batches.size(), size_t(cfg_.metrics.kivi_batches));
    auto mean_loss = [&](const RefKivi& kv) {
      double s = 0;
      for (const auto& xy : batches) s += ref.loss(xy[0], xy[1], kv);
      return s / double(batches.size());
    };
    const double fp = mean_loss({});
    expect(close(snap_.kivi.loss_fp, fp, 1e-12), "KIVI loss_fp", snap_.kivi.loss_fp, fp);
    const int64_t G = cfg_.metrics.kivi_group;
    worst_rel_ = 0;
    for (size_t b = 0; b < kKiviBits.size(); ++b) {
      const int bits = kKiviBits[b];
      const double kivi = mean_loss({G, bits, true}) - fp,
                   swapped = mean_loss({G, bits, false}) - fp;
      // the deltas are far apart compared with the tolerance, so a swap cannot pass
      QVERIFY(std::abs(kivi - swapped) > 1e-6);
      QVERIFY(std::abs(kivi) > 1e-6);
      expect(close(snap_.kivi.k_chan_v_tok[b], kivi, 1e-7, 1e-10),
             "KIVI K per-channel / V per-token " + std::to_string(bits) + "-bit",
             snap_.kivi.k_chan_v_tok[b], kivi);
      expect(close(snap_.kivi.k_tok_v_chan[b], swapped, 1e-7, 1e-10),
             "KIVI K per-token / V per-channel " + std::to_string(bits) + "-bit",
             snap_.kivi.k_tok_v_chan[b], swapped);
      qInfo("KIVI %d-bit: K chan/V tok %.6g (ref %.6g), K tok/V chan %.6g (ref %.6g)", bits,
            snap_.kivi.k_chan_v_tok[b], kivi, snap_.kivi.k_tok_v_chan[b], swapped);
    }
    qInfo("KIVI loss_fp and deltas: max relative difference %.3g", worst_rel_);
  }

  // The snippet of docs/run-format.md that recomputes channel_spk, token_spk and asymmetry from
  // the stored magnitudes, run over a file holding this snapshot.
  void pythonSnippetRecomputesSpikiness() {
    QString python;
    for (const QString& cand : {QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")}) {
      QProcess p;
      p.start(cand, {"-c", "import h5py, numpy"});
      if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
        python = cand;
        break;
      }
    }
    if (python.isEmpty()) QSKIP("python3 with h5py and numpy not found");

    RunInfo info;
    info.n_layer = cfg_.model.layers;
    info.n_head = cfg_.model.heads;
    info.head_dim = cfg_.model.head_dim();
    info.seq_len = cfg_.model.seq_len;
    info.probe_batch = cfg_.metrics.probe_batch;
    info.vocab_size = cfg_.model.vocab_size;
    info.matrix_names = builder_->matrix_names();
    info.matrix_shapes = builder_->matrix_shapes();
    info.total_steps = 1;
    const std::string run = (tmp_.path() + "/snippet.h5").toStdString();
    {
      RunWriter w(run, false);
      w.begin(info);
      w.append_snapshot(snap_);
      w.finish(RunStatus::Finished, "");
    }
    // The code block that defines spikiness(), with the file name replaced.
    std::ifstream doc(MUONSCOPE_SOURCE_DIR "/docs/run-format.md");
    std::string line, block, code;
    bool in_code = false;
    while (std::getline(doc, line)) {
      if (line.rfind("```", 0) == 0) {
        if (in_code && block.find("def spikiness") != std::string::npos) code = block;
        in_code = !in_code && line == "```python";
        block.clear();
        continue;
      }
      if (in_code) block += line + "\n";
    }
    QVERIFY2(!code.empty(), "no spikiness snippet in docs/run-format.md");
    const size_t at = code.find("\"run.h5\"");
    QVERIFY(at != std::string::npos);
    code.replace(at, 8, "\"" + run + "\"");
    QProcess p;
    p.start(python, {"-c", QString::fromStdString(code)});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, out.constData());
    QVERIFY2(out.count("asymmetry") == 3, out.constData());
    qInfo("%s", out.constData());
  }
};

QTEST_APPLESS_MAIN(TestSnapshotAssembly)
#include "test_snapshot_assembly.moc"
