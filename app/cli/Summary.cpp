// snapshot_summary: the one-line digest of a metric snapshot printed by `train` and `info`.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "Commands.h"

namespace ms {
double mean_finite(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / n : kNaN;
}

namespace {

int index_of(const std::vector<std::string>& names, const std::string& n) {
  auto it = std::find(names.begin(), names.end(), n);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace

std::string snapshot_summary(const Snapshot& s, const RunInfo& info) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(2);
  std::vector<double> pr, erank_vo, erank_out, asym_k, asym_v;
  int collapsed = 0, heads = 0;
  const int ivo = index_of(s.matrix_names, "vo"), iout = index_of(s.matrix_names, "mlp.out");
  for (const auto& L : s.layers) {
    for (double x : L.pr_sv[kActK]) pr.push_back(x);
    for (uint8_t c : L.collapsed) collapsed += c, ++heads;
    if (ivo >= 0 && ivo < int(L.matrices.size())) erank_vo.push_back(L.matrices[ivo].erank);
    if (iout >= 0 && iout < int(L.matrices.size())) erank_out.push_back(L.matrices[iout].erank);
    asym_k.push_back(L.k_post.asymmetry);
    asym_v.push_back(L.v.asymmetry);
  }
  o << "  [snapshot @" << s.step << "] probe loss " << s.val_loss << " · PR_sv(k) "
    << mean_finite(pr) << "/" << info.head_dim << " (" << collapsed << "/" << heads
    << " collapsed) · eRank VO (sum over heads) " << mean_finite(erank_vo) << " W_out "
    << mean_finite(erank_out) << " · K/V asym " << mean_finite(asym_k) << "/"
    << mean_finite(asym_v);
  if (s.kivi.valid)
    o << " · KIVI2 dloss " << s.kivi.k_chan_v_tok[0] << " (swapped " << s.kivi.k_tok_v_chan[0]
      << ")";
  if (!s.fta.empty()) {
    o << " · FTA head " << s.fta.front() << " tail " << s.fta.back();
  }
  return o.str();
}

}  // namespace ms
