// One-layer associative memory (Assoc.h): the literal d x d simulation with ATen in float64, and
// an exact symmetry-reduced simulation that makes GD, Muon and one-hot SignGD O(1) per step.
//
// Why the reduction is exact (paper Section 5, Assumptions 5.1-5.2; zero init):
//  1. Logit space. With d = K and orthonormal E, E~ the map W -> M = E~^T W E is orthogonal
//     (W = E~ M E^T). The logits of input k are column k of M, and
//     dloss/dW = E~ G E^T with G = dloss/dM = (S - I) diag(p), S(:, k) = softmax(M(:, k)).
//     GD: M -= lr G. Muon: polar(E~ G E^T) = E~ polar(G) E^T (the SVD rotates along), so
//     M -= lr polar(G). Both are independent of the embeddings. SignGD is not (sign does not
//     commute with rotations), except that with one-hot embeddings M = W.
//  2. Two groups. p is constant on the head (k < L) and on the tail. Relabelling facts inside a
//     group maps the problem onto itself, so from M = 0 the state stays invariant:
//       M(k, k) = d[g(k)],   M(i, k) = c[g(i)][g(k)] (i != k),
//     and so do G, sign(G) and polar(G) (equivariant maps of an invariant matrix).
//  3. Polar of an invariant A (diagonal a[g], off-diagonal b[h][g]). With u_g the normalised
//     indicator of group g, A = diag(lambda_{g(i)}) + sum_{h,g} C[h][g] u_h u_g^T where
//     lambda_g = a[g] - b[g][g] and C[h][g] = b[h][g] sqrt(n_h n_g). On V_g = {x on group g,
//     sum x = 0} A is lambda_g times the identity; on span(u) it is the G x G matrix
//     T = diag(lambda) + C. These subspaces are orthogonal and invariant under A and A^T, so
//       polar(A) = sum_g sign(lambda_g) (I_g - u_g u_g^T) + sum_{h,g} polar(T)[h][g] u_h u_g^T,
//     i.e. diagonal  s_g (1 - 1/n_g) + Q[g][g] / n_g,  same-group off-diagonal
//     (Q[g][g] - s_g) / n_g,  cross-group  Q[h][g] / sqrt(n_h n_g)  (s = sign(lambda), Q =
//     polar(T)), with the same relative singular-value cut-off as the dense SVD.
// The test suite checks the reduced runs against the dense ones, step for step.
#include "assoc/Assoc.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace ms {
namespace {

// Increase of the fastest class's correct-class margin per step for SignGD / Muon (Assoc.h).
constexpr double kMarginPerStep = 0.2;

constexpr double kPi = 3.14159265358979323846;

const at::TensorOptions kF64 = at::TensorOptions().dtype(at::kDouble);

template <typename T>
[[noreturn]] void bad(const char* key, const T& value, const char* why) {
  std::ostringstream s;
  s << "assoc: " << key << " = " << value << ": " << why;
  throw std::invalid_argument(s.str());
}

int head_count(const AssocConfig& c) {
  return static_cast<int>(std::lround(c.beta * c.K));
}

void validate(const AssocConfig& c) {
  if (c.K < 2 || c.K > 1024) bad("K", c.K, "must be in [2, 1024]");
  if (!(c.alpha > 0 && c.alpha < 1)) bad("alpha", c.alpha, "must be in (0, 1)");
  if (!(c.beta > 0 && c.beta < 1)) bad("beta", c.beta, "must be in (0, 1)");
  const int L = head_count(c);
  if (L < 1 || L > c.K - 1) bad("beta", c.beta, "gives L = round(beta K) outside [1, K - 1]");
  if (!(c.eps > 0 && 1 - c.eps > 1.0 / c.K))
    bad("eps", c.eps, "must be in (0, 1 - 1/K) (every class starts at 1/K)");
  if (c.embedding != "onehot" && c.embedding != "orthogonal")
    bad("embedding", c.embedding, "must be onehot or orthogonal");
  if (c.optimizer != "gd" && c.optimizer != "signgd" && c.optimizer != "muon")
    bad("optimizer", c.optimizer, "must be gd, signgd or muon");
  if (!std::isfinite(c.lr)) bad("lr", c.lr, "must be finite");
  if (c.max_steps < 1) bad("max_steps", c.max_steps, "must be >= 1");
}

at::Tensor to_tensor(const std::vector<double>& v, int64_t rows, int64_t cols) {
  if (static_cast<int64_t>(v.size()) != rows * cols) {
    std::ostringstream s;
    s << "assoc: matrix has " << v.size() << " elements, expected " << rows << " x " << cols;
    throw std::invalid_argument(s.str());
  }
  return at::from_blob(const_cast<double*>(v.data()), {rows, cols}, kF64).clone();
}

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// U V^T over singular values > kAssocSvdRelTol * sigma_max (exact SVD). a: (m, n).
at::Tensor polar_factor(const at::Tensor& a) {
  auto [U, S, Vh] = at::linalg_svd(a, /*full_matrices=*/false);  // (m, r) (r) (r, n)
  const double smax = S.numel() ? S.max().item<double>() : 0.0;
  const int64_t r = (S > kAssocSvdRelTol * smax).sum().item<int64_t>();  // S is descending
  if (smax <= 0 || r == 0) return at::zeros_like(a);
  return at::matmul(U.narrow(1, 0, r), Vh.narrow(0, 0, r));  // (m, n)
}

// D(G) for the three optimizers. g: (K, K).
at::Tensor direction(const at::Tensor& g, const std::string& opt) {
  if (opt == "gd") return g;
  if (opt == "signgd") return at::sign(g);
  return polar_factor(g);
}

// Per-step bookkeeping shared by both simulations.
struct Recorder {
  AssocResult r;
  void record(const std::vector<double>& f) {
    const auto [mn, mx] = std::minmax_element(f.begin(), f.end());
    double sum = 0;
    for (double v : f) sum += v;
    r.traj_min.push_back(*mn);
    r.traj_max.push_back(*mx);
    r.traj_mean.push_back(sum / f.size());
  }
  void finish(const std::vector<double>& f, int steps, bool converged) {
    r.final_prob = f;
    r.min_prob = r.traj_min.back();
    r.max_prob = r.traj_max.back();
    r.gap = r.max_prob - r.min_prob;
    r.steps = steps;
    r.converged = converged;
  }
};

// Largest over classes of the margin change z_kk - mean_{i != k} z_ik for a logit-space step
// -dm (dm: (K, K)).
double max_margin_gain(const at::Tensor& dm) {
  const int64_t K = dm.size(0);
  const at::Tensor diag = dm.diagonal();                           // (K)
  const at::Tensor off_mean = (dm.sum(0) - diag) / double(K - 1);  // (K), column means
  return (off_mean - diag).max().item<double>();
}

// ---------------------------------------------------------------------------------------------
// Dense simulation: the paper's model literally, W (d, d) with d = K.
class Dense {
 public:
  Dense(const AssocConfig& c, const std::vector<double>& p)
      : K_(c.K), opt_(c.optimizer), onehot_(c.embedding == "onehot") {
    const AssocEmbeddings emb = assoc_embeddings(c);
    E_ = to_tensor(emb.E, K_, K_);    // (d, K)
    Et_ = to_tensor(emb.Et, K_, K_);  // (d, K)
    p_ = to_tensor(p, 1, K_);         // (1, K), scales columns
    W_ = at::zeros({K_, K_}, kF64);   // (d, d)
    forward();
  }
  // Logits M = E~^T W E (K, K), column k = input k; S = column softmax; f = diag(S).
  void forward() {
    M_ = onehot_ ? W_ : at::matmul(Et_.t(), at::matmul(W_, E_));  // (K, K)
    S_ = at::softmax(M_, 0);                                      // (K, K)
  }
  std::vector<double> probs() const { return to_vector(S_.diagonal()); }
  // dloss/dW = E~ (S - I) diag(p) E^T, (d, d).
  at::Tensor grad() const {
    at::Tensor gm = S_ * p_;  // (K, K)
    gm.diagonal().sub_(p_.squeeze(0));
    return onehot_ ? gm : at::matmul(Et_, at::matmul(gm, E_.t()));
  }
  // Update direction in logit space, E~^T D E (K, K), for the lr calibration.
  at::Tensor logit_direction() const {
    const at::Tensor d = direction(grad(), opt_);
    return onehot_ ? d : at::matmul(Et_.t(), at::matmul(d, E_));
  }
  double max_margin_gain() const { return ms::max_margin_gain(logit_direction()); }
  void step(double lr) {
    W_.sub_(direction(grad(), opt_), lr);
    forward();
  }

 private:
  int64_t K_;
  std::string opt_;
  bool onehot_;
  at::Tensor E_, Et_, p_, W_, M_, S_;
};

// ---------------------------------------------------------------------------------------------
// Reduced simulation (see the top of this file): state d[g], c[h][g] for two groups.
class Reduced {
 public:
  Reduced(const AssocConfig& c, const std::vector<double>& p) : opt_(c.optimizer) {
    const int L = head_count(c);
    n_[0] = L;
    n_[1] = c.K - L;
    p_[0] = p[0];
    p_[1] = p[c.K - 1];
    forward();
  }
  // Column softmax of an input in group g: f[g] (correct class), s[h][g] (a wrong class in h).
  void forward() {
    for (int g = 0; g < 2; ++g) {
      double m = d_[g];
      for (int h = 0; h < 2; ++h)
        if (count(h, g) > 0) m = std::max(m, c_[h][g]);
      double z = std::exp(d_[g] - m);
      for (int h = 0; h < 2; ++h) z += count(h, g) * std::exp(c_[h][g] - m);
      f_[g] = std::exp(d_[g] - m) / z;
      for (int h = 0; h < 2; ++h) s_[h][g] = std::exp(c_[h][g] - m) / z;
    }
  }
  std::vector<double> probs() const {
    std::vector<double> f(n_[0], f_[0]);
    f.insert(f.end(), n_[1], f_[1]);
    return f;
  }
  // Logit-space direction (diagonal dd[g], off-diagonal dc[h][g]) of G = (S - I) diag(p).
  void logit_direction(double dd[2], double dc[2][2]) const {
    double a[2], b[2][2];
    for (int g = 0; g < 2; ++g) {
      a[g] = p_[g] * (f_[g] - 1);
      for (int h = 0; h < 2; ++h) b[h][g] = p_[g] * s_[h][g];
    }
    if (opt_ == "gd" || opt_ == "signgd") {
      const bool sg = opt_ == "signgd";
      for (int g = 0; g < 2; ++g) {
        dd[g] = sg ? sgn(a[g]) : a[g];
        for (int h = 0; h < 2; ++h) dc[h][g] = sg ? sgn(b[h][g]) : b[h][g];
      }
      return;
    }
    // Muon: polar(A) from lambda_g on V_g and polar(T) on span(u).
    double lambda[2];
    at::Tensor T = at::zeros({2, 2}, kF64);  // (G, G)
    auto Ta = T.accessor<double, 2>();
    for (int g = 0; g < 2; ++g) {
      lambda[g] = a[g] - b[g][g];
      for (int h = 0; h < 2; ++h)
        Ta[h][g] = (h == g ? lambda[g] : 0.0) + b[h][g] * std::sqrt(double(n_[h]) * n_[g]);
    }
    auto [U, S, Vh] = at::linalg_svd(T, /*full_matrices=*/false);  // (2, 2) (2) (2, 2)
    double smax = S.max().item<double>();
    for (int g = 0; g < 2; ++g)
      if (n_[g] >= 2) smax = std::max(smax, std::abs(lambda[g]));  // V_g is empty if n_g = 1
    const double tol = kAssocSvdRelTol * smax;
    const int64_t r = (S > tol).sum().item<int64_t>();
    const at::Tensor Q = r > 0 ? at::matmul(U.narrow(1, 0, r), Vh.narrow(0, 0, r))
                               : at::zeros({2, 2}, kF64);  // (2, 2)
    auto Qa = Q.accessor<double, 2>();
    for (int g = 0; g < 2; ++g) {
      const double s = std::abs(lambda[g]) > tol ? sgn(lambda[g]) : 0.0;
      dd[g] = s * (1 - 1.0 / n_[g]) + Qa[g][g] / n_[g];
      for (int h = 0; h < 2; ++h)
        dc[h][g] = h == g ? (Qa[g][g] - s) / n_[g] : Qa[h][g] / std::sqrt(double(n_[h]) * n_[g]);
    }
  }
  double max_margin_gain() const {
    double dd[2], dc[2][2];
    logit_direction(dd, dc);
    double best = -std::numeric_limits<double>::infinity();
    const int K = n_[0] + n_[1];
    for (int g = 0; g < 2; ++g) {
      double off = 0;
      for (int h = 0; h < 2; ++h) off += count(h, g) * dc[h][g];
      best = std::max(best, off / (K - 1) - dd[g]);
    }
    return best;
  }
  void step(double lr) {
    double dd[2], dc[2][2];
    logit_direction(dd, dc);
    for (int g = 0; g < 2; ++g) {
      d_[g] -= lr * dd[g];
      for (int h = 0; h < 2; ++h) c_[h][g] -= lr * dc[h][g];
    }
    forward();
  }

 private:
  static double sgn(double x) { return double((x > 0) - (x < 0)); }
  // Wrong classes of group h in the column of an input in group g.
  int count(int h, int g) const { return n_[h] - (h == g ? 1 : 0); }

  std::string opt_;
  int n_[2] = {0, 0};
  double p_[2] = {0, 0};
  double d_[2] = {0, 0}, c_[2][2] = {{0, 0}, {0, 0}};
  double f_[2] = {0, 0}, s_[2][2] = {{0, 0}, {0, 0}};
};

bool use_reduced(const AssocConfig& c) {
  return !c.dense && (c.optimizer != "signgd" || c.embedding == "onehot");
}

// assoc_default_lr (Assoc.h) for a freshly initialised simulation.
template <typename Sim>
double default_lr(const AssocConfig& c, const std::vector<double>& p, const Sim& sim) {
  if (c.optimizer == "gd") return 1.0 / *std::max_element(p.begin(), p.end());
  const double mu = sim.max_margin_gain();
  if (!(mu > 0)) bad("optimizer", c.optimizer, "first update does not raise any margin");
  return kMarginPerStep / mu;
}

template <typename Sim>
AssocResult simulate(Sim& sim, const AssocConfig& c, double lr) {
  Recorder rec;
  rec.r.optimizer = c.optimizer;
  rec.r.lr = lr;
  std::vector<double> f = sim.probs();
  rec.record(f);
  int t = 0;
  bool done = rec.r.traj_max.back() >= 1 - c.eps;
  while (!done && t < c.max_steps) {
    sim.step(lr);
    ++t;
    f = sim.probs();
    rec.record(f);
    done = rec.r.traj_max.back() >= 1 - c.eps;
  }
  rec.finish(f, t, done);
  return rec.r;
}

}  // namespace

std::vector<double> assoc_class_probs(const AssocConfig& c) {
  validate(c);
  const int L = head_count(c);
  std::vector<double> p(c.K, (1 - c.alpha) / (c.K - L));
  std::fill(p.begin(), p.begin() + L, c.alpha / L);
  return p;
}

AssocEmbeddings assoc_embeddings(const AssocConfig& c) {
  validate(c);
  AssocEmbeddings emb;
  emb.K = c.K;
  const int64_t K = c.K;
  if (c.embedding == "onehot") {
    emb.E = to_vector(at::eye(K, kF64));
    emb.Et = emb.E;
    return emb;
  }
  // Haar-random orthogonal matrices: QR of Gaussian matrices with R's diagonal made positive
  // (Mezzadri 2007). Gaussians by Box-Muller over a seeded splitmix64 stream so the embeddings
  // are the same on every platform and LibTorch version.
  uint64_t state = c.seed;
  auto next = [&state]() {  // splitmix64
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  auto uniform = [&next]() { return ((next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };
  auto haar = [&]() {
    std::vector<double> g(K * K);
    for (size_t i = 0; i < g.size(); i += 2) {
      const double r = std::sqrt(-2 * std::log(uniform())), th = 2 * kPi * uniform();
      g[i] = r * std::cos(th);
      if (i + 1 < g.size()) g[i + 1] = r * std::sin(th);
    }
    auto [Q, R] = at::linalg_qr(to_tensor(g, K, K));            // (K, K) (K, K)
    return to_vector(Q * at::sign(R.diagonal()).unsqueeze(0));  // column j * sign(R_jj)
  };
  emb.E = haar();
  emb.Et = haar();
  return emb;
}

std::vector<double> assoc_correct_probs(const std::vector<double>& W, const AssocEmbeddings& emb) {
  const at::Tensor E = to_tensor(emb.E, emb.K, emb.K), Et = to_tensor(emb.Et, emb.K, emb.K);
  const at::Tensor M = at::matmul(Et.t(), at::matmul(to_tensor(W, emb.K, emb.K), E));  // (K, K)
  return to_vector(at::softmax(M, 0).diagonal());
}

double assoc_loss(const std::vector<double>& W, const AssocEmbeddings& emb,
                  const std::vector<double>& p) {
  const at::Tensor E = to_tensor(emb.E, emb.K, emb.K), Et = to_tensor(emb.Et, emb.K, emb.K);
  const at::Tensor M = at::matmul(Et.t(), at::matmul(to_tensor(W, emb.K, emb.K), E));  // (K, K)
  return -(at::log_softmax(M, 0).diagonal() * to_tensor(p, 1, emb.K).squeeze(0))
              .sum()
              .item<double>();
}

std::vector<double> assoc_grad(const std::vector<double>& W, const AssocEmbeddings& emb,
                               const std::vector<double>& p) {
  const int64_t K = emb.K;
  const at::Tensor E = to_tensor(emb.E, K, K), Et = to_tensor(emb.Et, K, K);
  const at::Tensor M = at::matmul(Et.t(), at::matmul(to_tensor(W, K, K), E));  // (K, K)
  const at::Tensor pk = to_tensor(p, 1, K);                                    // (1, K)
  at::Tensor gm = at::softmax(M, 0) * pk;  // (K, K) = (S - I) diag(p)
  gm.diagonal().sub_(pk.squeeze(0));
  return to_vector(at::matmul(Et, at::matmul(gm, E.t())));  // (d, d)
}

std::vector<double> assoc_direction(const std::vector<double>& G, int K,
                                    const std::string& optimizer) {
  if (optimizer != "gd" && optimizer != "signgd" && optimizer != "muon")
    bad("optimizer", optimizer, "must be gd, signgd or muon");
  if (K < 1) bad("K", K, "must be >= 1");
  return to_vector(direction(to_tensor(G, K, K), optimizer));
}

double assoc_default_lr(const AssocConfig& c) {
  const std::vector<double> p = assoc_class_probs(c);  // validates
  if (use_reduced(c)) {
    const Reduced sim(c, p);
    return default_lr(c, p, sim);
  }
  const Dense sim(c, p);
  return default_lr(c, p, sim);
}

AssocResult run_assoc(const AssocConfig& c) {
  const std::vector<double> p = assoc_class_probs(c);  // validates
  if (use_reduced(c)) {
    Reduced sim(c, p);
    return simulate(sim, c, c.lr > 0 ? c.lr : default_lr(c, p, sim));
  }
  Dense sim(c, p);
  return simulate(sim, c, c.lr > 0 ? c.lr : default_lr(c, p, sim));
}

std::vector<AssocResult> run_assoc_all(AssocConfig c) {
  std::vector<AssocResult> out;
  c.lr = 0;
  for (const char* opt : {"gd", "signgd", "muon"}) {
    c.optimizer = opt;
    out.push_back(run_assoc(c));
  }
  return out;
}

}  // namespace ms
