// One-layer associative memory of the tail-learning theory (Muon Outperforms Adam in Tail-End
// Associative Memory Learning, arXiv 2509.26030, Section 5; DESIGN.md section 6 item 6).
// K facts, orthonormal input/output embeddings E, E~ (d = K), a d x d memory W from zero, the
// two-mass class imbalance, and GD / SignGD (Adam with beta1 = beta2 = 0) / Muon (mu = 0) run
// until the best class's correct probability reaches 1 - eps. Torch-free API (plain vectors) so
// the GUI can include it; the simulation itself lives in Assoc.cpp.
//
// Model:  f_k = softmax(E~^T W E_k)_k,   loss = -sum_k p_k log f_k,
//         p_k = alpha / L (k < L), (1 - alpha) / (K - L) (k >= L),   L = round(beta K).
// Matrices below are K x K, row-major (element (i, j) at i * K + j).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ms {

struct AssocConfig {
  int K = 64;                        // facts (classes) = embedding dimension d, in [2, 1024]
  double alpha = 0.9;                // probability mass of the L head facts
  double beta = 0.1;                 // head fraction: L = round(beta K), 1 <= L <= K - 1
  double eps = 0.01;                 // stop once max_k f_k >= 1 - eps
  std::string embedding = "onehot";  // onehot (support-decoupled) | orthogonal (support-coupled)
  std::string optimizer = "gd";      // gd | signgd | muon
  double lr = 0;                     // <= 0: assoc_default_lr(config)
  int max_steps = 20000;             // give up (converged = false) after this many updates
  uint64_t seed = 0;                 // random orthogonal embeddings
  // Force the literal d x d simulation. Off: GD, Muon (any embedding) and SignGD with one-hot
  // embeddings run on the exact symmetry-reduced state (Assoc.cpp explains why that is the same
  // math), SignGD with orthogonal embeddings runs dense. The tests check both agree.
  bool dense = false;
};

struct AssocResult {
  std::string optimizer;           // echo of the config
  double lr = 0;                   // the lr actually used (resolved default)
  std::vector<double> final_prob;  // f_k per class at the end, (K)
  double min_prob = 0, max_prob = 0;
  double gap = 0;          // Delta = max_i f_i - min_j f_j
  int steps = 0;           // updates taken
  bool converged = false;  // max_k f_k >= 1 - eps within max_steps
  // Per step t = 0 .. steps (t = 0 is the zero init): min, max, mean of f_k over classes.
  std::vector<double> traj_min, traj_max, traj_mean;
};

// Runs one optimizer. Throws std::invalid_argument naming the key and value on a bad config.
AssocResult run_assoc(const AssocConfig& config);

// GD, SignGD, Muon (in this order) on the same problem, each with its default lr (config.lr
// and config.optimizer are ignored: one lr cannot suit all three scales).
std::vector<AssocResult> run_assoc_all(AssocConfig config);

// Default lr when config.lr <= 0 (validated config):
//  - gd: 1 / max_k p_k. Column k of the logits sees loss p_k CE, whose Hessian has norm
//    <= p_k / 2, so this is half the 1/L-smooth step of the most frequent fact: a large but
//    safe step (GD's imbalance is then intrinsic, not a small-lr artefact).
//  - signgd, muon: lr = 0.2 / mu, where mu is the largest over classes of the first unit-lr
//    update's increase of the correct-class margin z_kk - mean_{i != k} z_ik. Both updates have
//    a fixed size whatever the loss, but their scale in logit space differs (one-hot sign:
//    mu = 2; random-orthogonal sign: mu ~ sqrt(K) for the head; Muon: mu ~ 1). Calibrating on
//    the fastest class (the one that decides convergence) gives every run ~5 steps per unit of
//    margin, i.e. ~log(K / eps) / 0.2 ~ 50 steps: enough points for a trajectory, few enough
//    for the dense 256 x 256 runs, and the measured gap hardly depends on it (x0.25 .. x4 lr
//    change the K = 64 gaps by < 0.005).
double assoc_default_lr(const AssocConfig& config);

// --- Building blocks (the literal model; exposed for tests) ---

// p_k, (K). Validates config.
std::vector<double> assoc_class_probs(const AssocConfig& config);

// Input and output embeddings E, E~ (K x K, orthonormal columns): identity for "onehot"; for
// "orthogonal", Q factors (sign-fixed, so Haar) of two seeded Gaussian matrices.
struct AssocEmbeddings {
  int K = 0;
  std::vector<double> E, Et;
};
AssocEmbeddings assoc_embeddings(const AssocConfig& config);

// f_k = softmax(E~^T W E_k)_k, (K).
std::vector<double> assoc_correct_probs(const std::vector<double>& W, const AssocEmbeddings& emb);
// -sum_k p_k log f_k.
double assoc_loss(const std::vector<double>& W, const AssocEmbeddings& emb,
                  const std::vector<double>& p);
// dloss/dW = E~ ((S - I) diag(p)) E^T, S(:, k) = softmax(E~^T W E_k).
std::vector<double> assoc_grad(const std::vector<double>& W, const AssocEmbeddings& emb,
                               const std::vector<double>& p);
// The update direction D (W -= lr D) of a K x K gradient G: gd: G; signgd: sign(G);
// muon: U V^T over the singular values > kAssocSvdRelTol * sigma_max of G (exact SVD).
std::vector<double> assoc_direction(const std::vector<double>& G, int K,
                                    const std::string& optimizer);

// Singular values at or below this fraction of the largest count as zero in the Muon update.
// The gradient always has one exactly-zero singular value (its columns sum to zero in logit
// space), which round-off turns into ~1e-16 K sigma_max; a spurious unit update along it would
// be wrong, while real singular values of this model stay many orders above 1e-10.
constexpr double kAssocSvdRelTol = 1e-10;

}  // namespace ms
