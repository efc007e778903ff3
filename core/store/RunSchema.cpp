// The run file's dataset table (see RunSchema.h and docs/run-format.md). Each column packs one
// row (one step, one validation, one snapshot) into a flat C-order buffer and unpacks it again.
#include "store/RunSchema.h"

#include <set>

#include "store/RunFile.h"

namespace ms::store {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F64:
      return 8;
    case DType::F32:
      return 4;
    case DType::I64:
      return 8;
    case DType::U8:
      return 1;
  }
  return 8;
}

hid_t dtype_file(DType t) {
  switch (t) {
    case DType::F64:
      return H5T_IEEE_F64LE;
    case DType::F32:
      return H5T_IEEE_F32LE;
    case DType::I64:
      return H5T_STD_I64LE;
    case DType::U8:
      return H5T_STD_U8LE;
  }
  return H5T_IEEE_F64LE;
}

hid_t dtype_mem(DType t) {
  switch (t) {
    case DType::F64:
      return H5T_NATIVE_DOUBLE;
    case DType::F32:
      return H5T_NATIVE_FLOAT;
    case DType::I64:
      return H5T_NATIVE_INT64;
    case DType::U8:
      return H5T_NATIVE_UINT8;
  }
  return H5T_NATIVE_DOUBLE;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F64:
      return "float64";
    case DType::F32:
      return "float32";
    case DType::I64:
      return "int64";
    case DType::U8:
      return "uint8";
  }
  return "?";
}

size_t ColumnSpec::row_elems() const {
  size_t n = 1;
  for (hsize_t d : inner) n *= static_cast<size_t>(d);
  return n;
}

const std::vector<std::string>& kv_cache_names() {
  static const std::vector<std::string> names = {"k_pre", "k_post", "v"};
  return names;
}

int sv_count(const std::array<int, 2>& shape) {
  return std::min(shape[0], shape[1]);
}

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

// Copies `src` (n values) to `dst`, or fills with `fill` when src is empty ("not computed").
template <class Dst, class Src>
void put(Dst* dst, const std::vector<Src>& src, size_t n, Dst fill) {
  if (src.size() == n) {
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = fill;
  }
}

template <class Dst, class Src>
void get(std::vector<Dst>& dst, const Src* src, size_t n) {
  dst.resize(n);
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]);
}

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, double>) return DType::F64;
  if constexpr (std::is_same_v<T, float>) return DType::F32;
  if constexpr (std::is_same_v<T, int64_t>) return DType::I64;
  return DType::U8;
}

// One value per row, a field of the record.
template <class Rec, class T>
Column<Rec> scalar(const std::string& path, T Rec::*m) {
  Column<Rec> c;
  c.path = path;
  c.type = dtype_of<T>();
  c.pack = [m](const Rec& r, void* row) { *static_cast<T*>(row) = r.*m; };
  c.unpack = [m](const void* row, Rec& r) { r.*m = *static_cast<const T*>(row); };
  return c;
}

using Layers = std::vector<LayerMetrics>;

// (L, n) of type T from a per-layer vector chosen by `pick` (nullptr when absent). `pick` is a
// generic lambda, called with const layers when packing and mutable ones when unpacking.
template <class T, class Pick>
Column<Snapshot> per_layer_vec(const std::string& path, int L, int n, T fill, Pick pick) {
  Column<Snapshot> c;
  c.path = path;
  c.type = dtype_of<T>();
  c.inner = {hsize_t(L), hsize_t(n)};
  c.pack = [L, n, fill, pick](const Snapshot& s, void* row) {
    T* dst = static_cast<T*>(row);
    for (int l = 0; l < L; ++l) {
      const auto* v = s.layers.size() == size_t(L) ? pick(s.layers[l]) : nullptr;
      if (v)
        put(dst + size_t(l) * n, *v, size_t(n), fill);
      else
        for (int i = 0; i < n; ++i) dst[size_t(l) * n + i] = fill;
    }
  };
  c.unpack = [L, n, pick](const void* row, Snapshot& s) {
    const T* src = static_cast<const T*>(row);
    for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l) {
      auto* v = pick(s.layers[l]);  // the generic `pick` returns a mutable pointer here
      if (v) get(*v, src + size_t(l) * n, size_t(n));
    }
  };
  return c;
}

// (L) float64 from a per-layer scalar chosen by the generic `pick` (nullptr when absent).
template <class Pick>
Column<Snapshot> per_layer_scalar(const std::string& path, int L, Pick pick) {
  Column<Snapshot> c;
  c.path = path;
  c.type = DType::F64;
  c.inner = {hsize_t(L)};
  c.pack = [L, pick](const Snapshot& s, void* row) {
    double* dst = static_cast<double*>(row);
    for (int l = 0; l < L; ++l) {
      const double* v = s.layers.size() == size_t(L) ? pick(s.layers[l]) : nullptr;
      dst[l] = v ? *v : kNaN;
    }
  };
  c.unpack = [L, pick](const void* row, Snapshot& s) {
    const double* src = static_cast<const double*>(row);
    for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l) {
      double* v = pick(s.layers[l]);
      if (v) *v = src[l];
    }
  };
  return c;
}

// (L, 3) spikiness triples: max_mean, p99_p50, top1_mass.
Column<Snapshot> spikiness(const std::string& path, int L, Magnitudes LayerMetrics::*cache,
                           Spikiness Magnitudes::*which) {
  Column<Snapshot> c;
  c.path = path;
  c.type = DType::F64;
  c.inner = {hsize_t(L), 3};
  c.pack = [L, cache, which](const Snapshot& s, void* row) {
    double* dst = static_cast<double*>(row);
    for (int l = 0; l < L; ++l) {
      Spikiness k;
      if (s.layers.size() == size_t(L)) k = (s.layers[l].*cache).*which;
      dst[3 * l + 0] = k.max_mean;
      dst[3 * l + 1] = k.p99_p50;
      dst[3 * l + 2] = k.top1_mass;
    }
  };
  c.unpack = [L, cache, which](const void* row, Snapshot& s) {
    const double* src = static_cast<const double*>(row);
    for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l) {
      Spikiness& k = (s.layers[l].*cache).*which;
      k.max_mean = src[3 * l + 0];
      k.p99_p50 = src[3 * l + 1];
      k.top1_mass = src[3 * l + 2];
    }
  };
  return c;
}

// (L, 4, H) participation ratios of the four activations.
Column<Snapshot> pr_column(const std::string& path, int L, int H,
                           std::array<std::vector<double>, kNumActs> LayerMetrics::*arr) {
  Column<Snapshot> c;
  c.path = path;
  c.type = DType::F64;
  c.inner = {hsize_t(L), hsize_t(kNumActs), hsize_t(H)};
  c.pack = [L, H, arr](const Snapshot& s, void* row) {
    double* dst = static_cast<double*>(row);
    for (int l = 0; l < L; ++l)
      for (int a = 0; a < kNumActs; ++a) {
        double* d = dst + (size_t(l) * kNumActs + a) * H;
        if (s.layers.size() == size_t(L))
          put(d, (s.layers[l].*arr)[a], size_t(H), kNaN);
        else
          for (int h = 0; h < H; ++h) d[h] = kNaN;
      }
  };
  c.unpack = [L, H, arr](const void* row, Snapshot& s) {
    const double* src = static_cast<const double*>(row);
    for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l)
      for (int a = 0; a < kNumActs; ++a)
        get((s.layers[l].*arr)[a], src + (size_t(l) * kNumActs + a) * H, size_t(H));
  };
  return c;
}

// (2) KIVI deltas for bits {2, 4}.
Column<Snapshot> kivi_pair(const std::string& path, std::array<double, 2> KiviMetrics::*m) {
  Column<Snapshot> c;
  c.path = path;
  c.type = DType::F64;
  c.inner = {hsize_t(kKiviBits.size())};
  c.pack = [m](const Snapshot& s, void* row) {
    double* dst = static_cast<double*>(row);
    for (size_t b = 0; b < kKiviBits.size(); ++b) dst[b] = (s.kivi.*m)[b];
  };
  c.unpack = [m](const void* row, Snapshot& s) {
    const double* src = static_cast<const double*>(row);
    for (size_t b = 0; b < kKiviBits.size(); ++b) (s.kivi.*m)[b] = src[b];
  };
  return c;
}

// The per-head composites of one kind (LayerMetrics::qk_heads or ov_heads) under `g`:
// sv (L, H, hd) float32 and the spectrum metrics (L, H) float64. A layer whose vector is empty
// ("not computed") is stored as NaN, as is a head whose sv has the wrong length.
void head_spectra_columns(std::vector<Column<Snapshot>>& cols, const std::string& g, int L, int H,
                          int hd, std::vector<SpectrumMetrics> LayerMetrics::*heads) {
  Column<Snapshot> sv;
  sv.path = g + "sv";
  sv.type = DType::F32;
  sv.inner = {hsize_t(L), hsize_t(H), hsize_t(hd)};
  sv.since = 2;  // per-head composites are new in format 2
  sv.pack = [L, H, hd, heads](const Snapshot& s, void* row) {
    float* dst = static_cast<float*>(row);
    for (int l = 0; l < L; ++l)
      for (int h = 0; h < H; ++h) {
        float* d = dst + (size_t(l) * H + h) * hd;
        const auto* v = s.layers.size() == size_t(L) && (s.layers[l].*heads).size() == size_t(H)
                            ? &(s.layers[l].*heads)[h].sv
                            : nullptr;
        if (v)
          put(d, *v, size_t(hd), kNaNf);
        else
          for (int i = 0; i < hd; ++i) d[i] = kNaNf;
      }
  };
  sv.unpack = [L, H, hd, heads](const void* row, Snapshot& s) {
    const float* src = static_cast<const float*>(row);
    for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l) {
      auto& v = s.layers[l].*heads;
      v.resize(size_t(H));
      for (int h = 0; h < H; ++h) get(v[h].sv, src + (size_t(l) * H + h) * hd, size_t(hd));
    }
  };
  cols.push_back(sv);
  const std::pair<const char*, double SpectrumMetrics::*> fields[] = {
      {"entropy", &SpectrumMetrics::entropy},
      {"erank", &SpectrumMetrics::erank},
      {"top10", &SpectrumMetrics::top10},
      {"q75_q25", &SpectrumMetrics::q75_q25},
      {"stable_rank", &SpectrumMetrics::stable_rank}};
  for (const auto& [name, field] : fields) {
    Column<Snapshot> c;
    c.path = g + name;
    c.type = DType::F64;
    c.inner = {hsize_t(L), hsize_t(H)};
    c.since = 2;
    c.pack = [L, H, heads, f = field](const Snapshot& s, void* row) {
      double* dst = static_cast<double*>(row);
      for (int l = 0; l < L; ++l) {
        const bool have = s.layers.size() == size_t(L) && (s.layers[l].*heads).size() == size_t(H);
        for (int h = 0; h < H; ++h)
          dst[size_t(l) * H + h] = have ? (s.layers[l].*heads)[h].*f : kNaN;
      }
    };
    c.unpack = [L, H, heads, f = field](const void* row, Snapshot& s) {
      const double* src = static_cast<const double*>(row);
      for (int l = 0; l < L && size_t(l) < s.layers.size(); ++l) {
        auto& v = s.layers[l].*heads;
        v.resize(size_t(H));
        for (int h = 0; h < H; ++h) v[h].*f = src[size_t(l) * H + h];
      }
    };
    cols.push_back(c);
  }
}

template <class Rec>
Column<Rec> since(int version, Column<Rec> c) {
  c.since = version;
  return c;
}

void need(bool ok, const std::string& file, const std::string& what, const std::string& msg) {
  if (!ok) throw StoreError(file + ": " + what + ": " + msg);
}

}  // namespace

std::vector<Column<StepRecord>> step_columns() {
  return {scalar("/steps/step", &StepRecord::step),
          scalar("/steps/loss", &StepRecord::loss),
          scalar("/steps/lr_adamw", &StepRecord::lr_adamw),
          scalar("/steps/lr_muon", &StepRecord::lr_muon),
          scalar("/steps/grad_norm", &StepRecord::grad_norm),
          since(2, scalar("/steps/clipped_heads", &StepRecord::clipped_heads)),
          scalar("/steps/tokens", &StepRecord::tokens),
          scalar("/steps/wall_s", &StepRecord::wall_s),
          scalar("/steps/tokens_per_s", &StepRecord::tokens_per_s),
          since(4, scalar("/steps/threads", &StepRecord::threads))};
}

std::vector<Column<ValRecord>> val_columns() {
  return {scalar("/val/step", &ValRecord::step), scalar("/val/tokens", &ValRecord::tokens),
          scalar("/val/wall_s", &ValRecord::wall_s), scalar("/val/loss", &ValRecord::loss)};
}

std::vector<Column<Snapshot>> snapshot_columns(const RunInfo& info) {
  const int L = info.n_layer, H = info.n_head, C = info.n_head * info.head_dim, T = info.seq_len,
            G = info.fta_groups, PT = info.probe_batch * info.seq_len;
  std::vector<Column<Snapshot>> cols;
  cols.push_back(scalar("/snapshots/step", &Snapshot::step));
  cols.push_back(scalar("/snapshots/tokens", &Snapshot::tokens));
  cols.push_back(scalar("/snapshots/wall_s", &Snapshot::wall_s));
  cols.push_back(scalar("/snapshots/val_loss", &Snapshot::val_loss));
  cols.push_back(pr_column("/snapshots/pr_sv", L, H, &LayerMetrics::pr_sv));
  cols.push_back(pr_column("/snapshots/pr_cov", L, H, &LayerMetrics::pr_cov));
  cols.push_back(per_layer_vec<double>("/snapshots/max_logit", L, H, kNaN,
                                       [](auto& m) { return &m.max_logit; }));
  cols.push_back(per_layer_vec<uint8_t>("/snapshots/collapsed", L, H, uint8_t(0),
                                        [](auto& m) { return &m.collapsed; }));

  for (size_t mi = 0; mi < info.matrix_names.size(); ++mi) {
    const std::string g = "/snapshots/spectra/" + info.matrix_names[mi] + "/";
    const int n = sv_count(info.matrix_shapes[mi]);
    cols.push_back(
        per_layer_vec<float>(g + "sv", L, n, kNaNf, [mi](auto& m) -> decltype(&m.matrices[mi].sv) {
          return mi < m.matrices.size() ? &m.matrices[mi].sv : nullptr;
        }));
    const struct {
      const char* name;
      double SpectrumMetrics::*field;
      int since;
    } fields[] = {{"entropy", &SpectrumMetrics::entropy, 1},
                  {"erank", &SpectrumMetrics::erank, 1},
                  {"top10", &SpectrumMetrics::top10, 1},
                  {"q75_q25", &SpectrumMetrics::q75_q25, 1},
                  {"stable_rank", &SpectrumMetrics::stable_rank, 1},
                  {"update_cosine", &SpectrumMetrics::update_cosine, 2},
                  {"update_top_share", &SpectrumMetrics::update_top_share, 2},
                  // WeightWatcher's power-law fit (metrics/PowerLaw.h), new in format 3
                  {"alpha", &SpectrumMetrics::alpha, 3},
                  {"alpha_weighted", &SpectrumMetrics::alpha_weighted, 3},
                  {"alpha_ks", &SpectrumMetrics::alpha_ks, 3},
                  {"alpha_xmin", &SpectrumMetrics::alpha_xmin, 3}};
    for (const auto& fd : fields) {
      cols.push_back(
          since(fd.since,
                per_layer_scalar(g + fd.name, L,
                                 [mi, f = fd.field](auto& m) -> decltype(&m.matrices[mi].entropy) {
                                   return mi < m.matrices.size() ? &(m.matrices[mi].*f) : nullptr;
                                 })));
    }
  }

  // Per-head composites W_QK^h (qk) and W_OV^h (ov), head_dim singular values each.
  head_spectra_columns(cols, "/snapshots/heads/qk/", L, H, info.head_dim, &LayerMetrics::qk_heads);
  head_spectra_columns(cols, "/snapshots/heads/ov/", L, H, info.head_dim, &LayerMetrics::ov_heads);

  Magnitudes LayerMetrics::*caches[] = {&LayerMetrics::k_pre, &LayerMetrics::k_post,
                                        &LayerMetrics::v};
  for (size_t ci = 0; ci < kv_cache_names().size(); ++ci) {
    const std::string g = "/snapshots/kv/" + kv_cache_names()[ci] + "/";
    const auto cache = caches[ci];
    cols.push_back(per_layer_vec<float>(g + "channel", L, C, kNaNf,
                                        [cache](auto& m) { return &(m.*cache).channel; }));
    cols.push_back(per_layer_vec<float>(g + "token", L, T, kNaNf,
                                        [cache](auto& m) { return &(m.*cache).token; }));
    if (PT > 0)  // absent when the probe size is unknown (files written before token_all)
      cols.push_back(since(2, per_layer_vec<float>(g + "token_all", L, PT, kNaNf, [cache](auto& m) {
                             return &(m.*cache).token_all;
                           })));
    cols.push_back(spikiness(g + "channel_spk", L, cache, &Magnitudes::channel_spk));
    cols.push_back(spikiness(g + "token_spk", L, cache, &Magnitudes::token_spk));
    cols.push_back(
        per_layer_scalar(g + "asymmetry", L, [cache](auto& m) { return &(m.*cache).asymmetry; }));
  }

  Column<Snapshot> valid;
  valid.path = "/snapshots/kivi/valid";
  valid.type = DType::U8;
  valid.pack = [](const Snapshot& s, void* row) {
    *static_cast<uint8_t*>(row) = s.kivi.valid ? 1 : 0;
  };
  valid.unpack = [](const void* row, Snapshot& s) {
    s.kivi.valid = *static_cast<const uint8_t*>(row) != 0;
  };
  cols.push_back(valid);
  Column<Snapshot> loss_fp;
  loss_fp.path = "/snapshots/kivi/loss_fp";
  loss_fp.type = DType::F64;
  loss_fp.pack = [](const Snapshot& s, void* row) { *static_cast<double*>(row) = s.kivi.loss_fp; };
  loss_fp.unpack = [](const void* row, Snapshot& s) {
    s.kivi.loss_fp = *static_cast<const double*>(row);
  };
  cols.push_back(loss_fp);
  cols.push_back(kivi_pair("/snapshots/kivi/k_chan_v_tok", &KiviMetrics::k_chan_v_tok));
  cols.push_back(kivi_pair("/snapshots/kivi/k_tok_v_chan", &KiviMetrics::k_tok_v_chan));

  if (G > 0) {
    Column<Snapshot> fta;
    fta.path = "/snapshots/fta";
    fta.type = DType::F64;
    fta.inner = {hsize_t(G)};
    fta.pack = [G](const Snapshot& s, void* row) {
      put(static_cast<double*>(row), s.fta, size_t(G), kNaN);
    };
    fta.unpack = [G](const void* row, Snapshot& s) {
      get(s.fta, static_cast<const double*>(row), size_t(G));
    };
    cols.push_back(fta);
  }
  return cols;
}

void check_info(const RunInfo& info, const std::string& file, const std::string& what) {
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  need(in(info.n_layer, 1, 1024), file, what, "n_layer = " + std::to_string(info.n_layer));
  need(in(info.n_head, 1, 1024), file, what, "n_head = " + std::to_string(info.n_head));
  need(in(info.head_dim, 1, 1 << 16), file, what, "head_dim = " + std::to_string(info.head_dim));
  need(in(info.seq_len, 1, 1 << 20), file, what, "seq_len = " + std::to_string(info.seq_len));
  need(in(info.vocab_size, 0, 1 << 30), file, what,
       "vocab_size = " + std::to_string(info.vocab_size));
  need(in(info.fta_groups, 0, 4096), file, what, "fta_groups = " + std::to_string(info.fta_groups));
  need(in(info.probe_batch, 0, 1 << 20) &&
           int64_t(info.n_layer) * info.probe_batch * info.seq_len <= (1 << 26),
       file, what,
       "probe_batch = " + std::to_string(info.probe_batch) +
           " (n_layer * probe_batch * seq_len must be at most 2^26)");
  need(info.total_steps >= 0, file, what, "total_steps = " + std::to_string(info.total_steps));
  need(info.n_params >= 0, file, what, "n_params = " + std::to_string(info.n_params));
  const int64_t L = info.n_layer, C = int64_t(info.n_head) * info.head_dim;
  need(L * C <= (1 << 26) && L * info.seq_len <= (1 << 26), file, what,
       "K/V magnitude rows too large (n_layer * n_head * head_dim = " + std::to_string(L * C) +
           ", n_layer * seq_len = " + std::to_string(L * info.seq_len) + ")");
  need(info.matrix_names.size() <= 256, file, what,
       std::to_string(info.matrix_names.size()) + " matrices");
  need(info.matrix_names.size() == info.matrix_shapes.size(), file, what,
       std::to_string(info.matrix_names.size()) + " matrix names but " +
           std::to_string(info.matrix_shapes.size()) + " matrix shapes");
  std::set<std::string> seen;
  for (size_t i = 0; i < info.matrix_names.size(); ++i) {
    const std::string& n = info.matrix_names[i];
    need(!n.empty() && n.size() <= 128 && n.find('/') == std::string::npos && n != "." &&
             n != ".." && n.find('\0') == std::string::npos,
         file, what, "matrix name '" + n + "' (must be 1..128 characters without '/')");
    need(seen.insert(n).second, file, what, "matrix name '" + n + "' appears twice");
    const auto& s = info.matrix_shapes[i];
    need(in(s[0], 1, 1 << 20) && in(s[1], 1, 1 << 20) && L * sv_count(s) <= (1 << 26), file, what,
         "matrix '" + n + "' shape " + std::to_string(s[0]) + " x " + std::to_string(s[1]));
  }
}

void check_snapshot(const Snapshot& s, const RunInfo& info, const std::string& file) {
  const std::string what = "snapshot at step " + std::to_string(s.step) + " does not fit the run";
  auto size_ok = [](size_t got, int want) { return got == 0 || got == size_t(want); };
  auto sz = [](size_t got, int want) {
    return std::to_string(got) + " values, expected " + std::to_string(want);
  };
  need(size_ok(s.layers.size(), info.n_layer), file, what,
       "layers: " + sz(s.layers.size(), info.n_layer));
  need(s.matrix_names.empty() || s.matrix_names == info.matrix_names, file, what,
       "matrix_names differ from the run's");
  need(size_ok(s.fta.size(), info.fta_groups), file, what,
       "fta: " + sz(s.fta.size(), info.fta_groups));
  const int H = info.n_head, C = info.n_head * info.head_dim, T = info.seq_len,
            PT = info.probe_batch * info.seq_len;
  for (size_t l = 0; l < s.layers.size(); ++l) {
    const LayerMetrics& m = s.layers[l];
    const std::string at = "layer " + std::to_string(l) + " ";
    need(size_ok(m.matrices.size(), int(info.matrix_names.size())), file, what,
         at + "matrices: " + sz(m.matrices.size(), int(info.matrix_names.size())));
    for (size_t i = 0; i < m.matrices.size(); ++i)
      need(size_ok(m.matrices[i].sv.size(), sv_count(info.matrix_shapes[i])), file, what,
           at + info.matrix_names[i] +
               " sv: " + sz(m.matrices[i].sv.size(), sv_count(info.matrix_shapes[i])));
    for (int a = 0; a < kNumActs; ++a) {
      need(size_ok(m.pr_sv[a].size(), H), file, what,
           at + "pr_sv[" + act_name(a) + "]: " + sz(m.pr_sv[a].size(), H));
      need(size_ok(m.pr_cov[a].size(), H), file, what,
           at + "pr_cov[" + act_name(a) + "]: " + sz(m.pr_cov[a].size(), H));
    }
    const std::pair<const char*, const std::vector<SpectrumMetrics>*> heads[] = {
        {"qk_heads", &m.qk_heads}, {"ov_heads", &m.ov_heads}};
    for (const auto& [name, v] : heads) {
      need(size_ok(v->size(), H), file, what, at + name + ": " + sz(v->size(), H));
      for (size_t h = 0; h < v->size(); ++h)
        need(size_ok((*v)[h].sv.size(), info.head_dim), file, what,
             at + name + "[" + std::to_string(h) + "] sv: " + sz((*v)[h].sv.size(), info.head_dim));
    }
    need(size_ok(m.max_logit.size(), H), file, what,
         at + "max_logit: " + sz(m.max_logit.size(), H));
    need(size_ok(m.collapsed.size(), H), file, what,
         at + "collapsed: " + sz(m.collapsed.size(), H));
    const Magnitudes* mags[] = {&m.k_pre, &m.k_post, &m.v};
    for (size_t c = 0; c < 3; ++c) {
      need(size_ok(mags[c]->channel.size(), C), file, what,
           at + kv_cache_names()[c] + " channel: " + sz(mags[c]->channel.size(), C));
      need(size_ok(mags[c]->token.size(), T), file, what,
           at + kv_cache_names()[c] + " token: " + sz(mags[c]->token.size(), T));
      need(size_ok(mags[c]->token_all.size(), PT), file, what,
           at + kv_cache_names()[c] + " token_all: " + sz(mags[c]->token_all.size(), PT));
    }
  }
}

Snapshot blank_snapshot(const RunInfo& info) {
  Snapshot s;
  s.matrix_names = info.matrix_names;
  const size_t H = size_t(info.n_head), C = H * size_t(info.head_dim), T = size_t(info.seq_len),
               PT = size_t(info.probe_batch) * T;
  s.layers.resize(size_t(info.n_layer));
  for (LayerMetrics& m : s.layers) {
    m.matrices.resize(info.matrix_names.size());
    for (size_t i = 0; i < m.matrices.size(); ++i)
      m.matrices[i].sv.assign(size_t(sv_count(info.matrix_shapes[i])), kNaNf);
    for (int a = 0; a < kNumActs; ++a) {
      m.pr_sv[a].assign(H, kNaN);
      m.pr_cov[a].assign(H, kNaN);
    }
    SpectrumMetrics head;
    head.sv.assign(size_t(info.head_dim), kNaNf);
    m.qk_heads.assign(H, head);
    m.ov_heads.assign(H, head);
    m.max_logit.assign(H, kNaN);
    m.collapsed.assign(H, 0);
    for (Magnitudes* g : {&m.k_pre, &m.k_post, &m.v}) {
      g->channel.assign(C, kNaNf);
      g->token.assign(T, kNaNf);
      g->token_all.assign(PT, kNaNf);
    }
  }
  if (info.fta_groups > 0) s.fta.assign(size_t(info.fta_groups), kNaN);
  return s;
}

}  // namespace ms::store
