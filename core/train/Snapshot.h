// Plain data that flows from the Trainer to the run file (RunWriter) and to the GUI.
// No torch, no Qt: widgets, the store and the app include this header cheaply, and a run
// reopened from disk (RunReader) yields exactly these structs, so live and reopened runs are
// drawn by one code path. Metric definitions: ../shared/DESIGN.md section 4.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ms {

// Activation tensors whose participation ratio is measured, per layer and head.
enum Act : int { kActQ = 0, kActK = 1, kActV = 2, kActOut = 3 };
inline constexpr int kNumActs = 4;
inline const char* act_name(int a) {
  static const char* names[kNumActs] = {"q", "k", "v", "out"};
  return (a >= 0 && a < kNumActs) ? names[a] : "?";
}

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One optimizer step's scalars (every step).
struct StepRecord {
  int64_t step = 0;           // 1-based: the number of optimizer steps taken so far
  double loss = kNaN;         // training loss of this step's batch
  double lr_adamw = kNaN;     // scheduled lr of the base optimizer (AdamW or SGD) this step
  double lr_muon = kNaN;      // scheduled lr of Muon this step (NaN when no Muon)
  double grad_norm = kNaN;    // global L2 norm of all gradients before clipping
  int64_t clipped_heads = 0;  // heads MuonClip rescaled after this step (0 when it is off)
  int64_t tokens = 0;         // tokens seen after this step
  double wall_s = 0;          // seconds since training started (pauses excluded)
  double tokens_per_s = 0;    // throughput of this step
  int64_t threads = 0;        // intra-op CPU threads of this step (0 = unknown: format < 4)
};

// Validation loss (every train.val_every steps and at the end).
struct ValRecord {
  int64_t step = 0;
  int64_t tokens = 0;
  double wall_s = 0;
  double loss = kNaN;
};

// Spectrum of one weight matrix (or composite W_QK / W_VO, summed over heads, or one head's
// W_QK^h / W_OV^h) with its isotropy metrics.
struct SpectrumMetrics {
  std::vector<float> sv;      // singular values, descending, length min(rows, cols)
  double entropy = kNaN;      // normalized SVD entropy H in [0, 1]
  double erank = kNaN;        // exp(entropy before normalization)
  double top10 = kNaN;        // TopE_10: energy share of the 10 largest
  double q75_q25 = kNaN;      // Q3/Q1 of sigma^2 (numpy linear quartiles)
  double stable_rank = kNaN;  // sum sigma^2 / sigma_max^2
  // The last step's update (NaN before the first update is known; docs/run-format.md):
  double update_cosine = kNaN;     // |<u1(D), u1(W)>|, D = the optimizer's input direction
  double update_top_share = kNaN;  // ||U_10(W)^T dW||_F^2 / ||dW||_F^2 (chance 10 / rows)
  // WeightWatcher's power-law fit of the ESD lambda = sigma^2 (core/metrics/PowerLaw.h,
  // docs/metrics.md): the continuous MLE exponent of the tail lambda >= alpha_xmin, with
  // alpha_xmin chosen by the smallest KS distance (Clauset, Shalizi & Newman 2009). NaN when not
  // fitted: the per-head composites (rank <= head_dim, too few eigenvalues) are never fitted.
  double alpha = kNaN;           // power-law exponent of the ESD tail
  double alpha_weighted = kNaN;  // alpha * log10(lambda_max), lambda_max = sigma_max^2
  double alpha_ks = kNaN;        // KS distance of the fit at alpha_xmin
  double alpha_xmin = kNaN;      // lower end of the fitted tail (an eigenvalue, sigma^2 units)
};

// Spikiness of a non-negative magnitude vector.
struct Spikiness {
  double max_mean = kNaN;   // max / mean
  double p99_p50 = kNaN;    // 99th / 50th percentile (linear interpolation)
  double top1_mass = kNaN;  // sum of the ceil(1%) largest / sum
};

// K or V cache magnitudes of one layer.
struct Magnitudes {
  std::vector<float> channel;  // (C = H * hd): mean over B*T of |x|
  std::vector<float> token;    // (T): mean over channels of |x|, averaged over batch
  // (P*T) mean over channels of |x| per token, row-major (batch, position); P = probe sequences.
  // token_spk is the spikiness of token_all (not of token).
  std::vector<float> token_all;
  Spikiness channel_spk, token_spk;
  double asymmetry = kNaN;  // channel_spk.max_mean / token_spk.max_mean
};

struct LayerMetrics {
  std::vector<SpectrumMetrics> matrices;             // parallel to Snapshot::matrix_names
  std::array<std::vector<double>, kNumActs> pr_sv;   // [act] -> (H): (sum s)^2 / sum s^2
  std::array<std::vector<double>, kNumActs> pr_cov;  // [act] -> (H): covariance-eigenvalue PR
  std::vector<double> max_logit;                     // (H): max q.k/sqrt(hd) over the probe batch
  std::vector<uint8_t> collapsed;                    // (H): PR_sv(k) < collapse_frac * head_dim
  Magnitudes k_pre, k_post, v;                       // K before/after RoPE, V
  // Per-head composites (DESIGN.md section 4), the maps head h applies (the associative
  // memories of the tail-learning paper, arXiv 2509.26030): W_QK^h = W_q^h^T W_k^h and
  // W_OV^h = W_o^h W_v^h, each d x d of rank <= head_dim. sv holds the head_dim leading singular
  // values (the rest are 0) and the metrics are over those, so entropy is normalized by
  // log(head_dim); the update fields stay NaN. Empty = not computed. The matrices "qk" / "vo"
  // above are the sums over heads of these.
  std::vector<SpectrumMetrics> qk_heads, ov_heads;  // (H) per-head composites
};

// KIVI-style quantized-cache loss deltas on the validation batches (loss_quant - loss_fp).
struct KiviMetrics {
  bool valid = false;  // computed at this snapshot (it has its own cadence)
  double loss_fp = kNaN;
  std::array<double, 2> k_chan_v_tok{kNaN, kNaN};  // bits {2, 4}: K per-channel, V per-token
  std::array<double, 2> k_tok_v_chan{kNaN, kNaN};  // bits {2, 4}: swapped scheme
};
inline constexpr std::array<int, 2> kKiviBits{2, 4};

struct Snapshot {
  int64_t step = 0;
  int64_t tokens = 0;
  double wall_s = 0;
  double val_loss = kNaN;            // loss on the probe batch
  std::vector<LayerMetrics> layers;  // (L)
  std::vector<std::string>
      matrix_names;  // e.g. attn.q attn.k attn.v attn.o mlp.in [mlp.gate] mlp.out qk vo
  KiviMetrics kivi;
  std::vector<double> fta;  // first-token accuracy per frequency group; empty without QA data
};

// What a run is, known once it starts (shapes fix the layout of the run file and the views).
struct RunInfo {
  std::string config_json;  // full resolved config
  std::string device;       // "cpu" or "cuda:0 (NVIDIA H100 ...)"
  std::string torch_version;
  std::string app_version;
  int n_layer = 0, n_head = 0, head_dim = 0, seq_len = 0, vocab_size = 0;
  int probe_batch = 0;  // P: probe sequences (token_all is P*T); 0 = unknown (older files)
  std::vector<std::string> matrix_names;          // as in Snapshot
  std::vector<std::array<int, 2>> matrix_shapes;  // (rows, cols) of each, same order
  int fta_groups = 0;                             // 0 when the data has no QA
  std::string optimizer_summary;                  // e.g. "Muon: V,O,FFN · AdamW: Q,K"
  int64_t total_steps = 0;
  int64_t n_params = 0;
  int world_size = 1;  // processes that trained it (data-parallel ranks); 1 in older files
  // Steps a resume continued from, in order (empty for a run trained in one go), and when.
  std::vector<int64_t> resumed_at;
  std::vector<std::string> resume_times;  // ISO 8601 UTC, one per resumed_at
};

enum class RunStatus { Running, Finished, Stopped, Failed, Interrupted };
inline const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Stopped:
      return "stopped";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  return "?";
}

}  // namespace ms
