// RunReader (see RunReader.h): opens a run file read-only (SWMR read, else plain), validates the
// root attributes into a RunInfo, opens every dataset of the shared schema (RunSchema.h) and
// checks its dtype class and shape, and then reads rows on request. Dataset problems become
// warnings and NaN values; only an unusable file throws.
#include "store/RunReader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <set>

#include "store/H5Util.h"
#include "store/RunSchema.h"

namespace ms {

using h5::Hid;
using store::Column;

namespace {

bool parse_status(const std::string& s, RunStatus* out) {
  for (RunStatus st : {RunStatus::Running, RunStatus::Finished, RunStatus::Stopped,
                       RunStatus::Failed, RunStatus::Interrupted}) {
    if (s == status_name(st)) {
      *out = st;
      return true;
    }
  }
  return false;
}

std::string dims_text(const std::vector<hsize_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + ")";
}

// The datasets of one row group (/steps, /val or /snapshots) and their current extents.
template <class Rec>
struct Group {
  std::vector<Column<Rec>> cols;
  std::vector<Hid> ds;        // invalid where the dataset is missing or unusable
  std::vector<hsize_t> rows;  // first-axis extent of each
  int64_t count = 0;          // rows present in every usable dataset
};

}  // namespace

struct RunReader::Impl {
  std::string path;
  Hid file;
  bool swmr = false;
  uint64_t file_bytes = 0;
  bool final_state = false;  // nothing more can change (not running, or its writer is gone)

  RunInfo info;
  int version = 0;
  std::string host, start_time, end_time, message;
  RunStatus stored = RunStatus::Interrupted;

  Group<StepRecord> steps;
  Group<ValRecord> vals;
  Group<Snapshot> snaps;

  std::vector<std::string> warnings;
  std::set<std::string> warned;

  void warn(const std::string& w) {
    if (warned.insert(w).second) warnings.push_back(w);
  }

  void close() {
    steps = {};
    vals = {};
    snaps = {};
    file.reset();
  }

  int64_t required_int(const char* name) {
    if (!h5::has_attr(file.get(), name))
      throw StoreError(path + ": corrupt run file: missing attribute '" + name + "'");
    const std::vector<int64_t> v = h5::read_i64_attr(file.get(), path, name);
    if (v.size() != 1)
      throw StoreError(path + ": corrupt run file: attribute '" + name + "' is not one number");
    return v[0];
  }

  int required_int32(const char* name) {
    const int64_t v = required_int(name);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      throw StoreError(path + ": corrupt run file: attribute '" + name +
                       "' = " + std::to_string(v));
    return int(v);
  }

  std::string optional_str(const char* name) {
    try {
      if (h5::has_attr(file.get(), name)) return h5::read_str_attr(file.get(), path, name);
      warn("missing attribute '" + std::string(name) + "'");
    } catch (const StoreError& e) {
      warn(e.what());
    }
    return "";
  }

  void open() {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      throw StoreError(path + ": cannot open run file (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode)) throw StoreError(path + ": is a directory, not a run file");
    file_bytes = uint64_t(st.st_size);

    // A SWMR reader retries metadata whose checksum fails (the writer may be mid-write), with
    // growing sleeps, up to 100 times. Without a live writer a bad checksum is damage: fail now.
    const bool alive = run_writer_alive(path);
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    if (!fapl.valid() || (!alive && H5Pset_metadata_read_attempts(fapl.get(), 1) < 0))
      h5::fail(path, "cannot set up file access properties");
    file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()));
    swmr = file.valid();
    if (!swmr) {
      const std::string e1 = h5::error_text();
      file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
      if (!file.valid()) {
        const std::string e2 = h5::error_text();
        if (alive)  // between RunWriter's constructor and begin(), HDF5 holds an exclusive lock
          throw StoreError(path + ": is being created by a running training; not readable yet (" +
                           e1 + ")");
        throw StoreError(path + ": cannot open as an HDF5 run file (" +
                         (e1 == e2 || e2.empty() ? e1 : e1 + " / " + e2) + ")");
      }
    }
    read_attributes();
    open_group(steps, store::step_columns());
    open_group(vals, store::val_columns());
    open_group(snaps, store::snapshot_columns(info));
    final_state = stored != RunStatus::Running || !alive;
  }

  void read_attributes() {
    const hid_t f = file.get();
    if (!h5::has_attr(f, "format"))
      throw StoreError(path + ": not a Muonscope run file (no 'format' attribute)");
    const std::string format = h5::read_str_attr(f, path, "format");
    if (format != kRunFormatName)
      throw StoreError(path + ": not a Muonscope run file (format is '" + format + "')");
    const int64_t v = required_int("format_version");
    if (v > kRunFormatVersion)
      throw StoreError(path + ": written by a newer Muonscope (run format version " +
                       std::to_string(v) + "; this build reads up to version " +
                       std::to_string(kRunFormatVersion) + ")");
    if (v < 1) throw StoreError(path + ": corrupt run file: format_version = " + std::to_string(v));
    version = int(v);

    RunInfo in;
    in.n_layer = required_int32("n_layer");
    in.n_head = required_int32("n_head");
    in.head_dim = required_int32("head_dim");
    in.seq_len = required_int32("seq_len");
    in.vocab_size = required_int32("vocab_size");
    in.fta_groups = required_int32("fta_groups");
    in.total_steps = required_int("total_steps");
    in.n_params = required_int("n_params");
    // Files written before token_all have no probe_batch (then no token_all is read).
    if (h5::has_attr(f, "probe_batch")) in.probe_batch = required_int32("probe_batch");
    if (!h5::has_attr(f, "matrix_names") || !h5::has_attr(f, "matrix_shapes"))
      throw StoreError(path + ": corrupt run file: missing attribute matrix_names/matrix_shapes");
    in.matrix_names = h5::read_str_list_attr(f, path, "matrix_names");
    const std::vector<int64_t> shapes = h5::read_i64_attr(f, path, "matrix_shapes");
    if (shapes.size() != 2 * in.matrix_names.size())
      throw StoreError(path + ": corrupt run file: " + std::to_string(in.matrix_names.size()) +
                       " matrix names but " + std::to_string(shapes.size()) +
                       " values in matrix_shapes");
    for (size_t i = 0; i < in.matrix_names.size(); ++i) {
      const int64_t r = shapes[2 * i], c = shapes[2 * i + 1];
      if (r < 1 || c < 1 || r > (1 << 20) || c > (1 << 20))
        throw StoreError(path + ": corrupt run file: matrix_shapes[" + std::to_string(i) +
                         "] = " + std::to_string(r) + " x " + std::to_string(c));
      in.matrix_shapes.push_back({int(r), int(c)});
    }
    store::check_info(in, path, "corrupt run file");
    in.config_json = optional_str("config_json");
    in.device = optional_str("device");
    in.torch_version = optional_str("torch_version");
    in.app_version = optional_str("app_version");
    in.optimizer_summary = optional_str("optimizer_summary");
    if (h5::has_attr(f, "world_size")) in.world_size = required_int32("world_size");
    if (h5::has_attr(f, "resumed_at_steps"))
      in.resumed_at = h5::read_i64_attr(f, path, "resumed_at_steps");
    if (h5::has_attr(f, "resume_times"))
      in.resume_times = h5::read_str_list_attr(f, path, "resume_times");
    info = std::move(in);
    host = optional_str("host");
    start_time = optional_str("start_time");
    end_time = optional_str("end_time");
    message = optional_str("status_message");
    const std::string s = optional_str("status");
    if (!parse_status(s, &stored)) {
      if (!s.empty()) warn("unknown status '" + s + "', reported as interrupted");
      stored = RunStatus::Interrupted;
    }
  }

  // First-axis extent of an open dataset after checking its dtype class and inner shape.
  // Returns false (with a warning) when the dataset cannot be used.
  bool check_extent(hid_t ds, const store::ColumnSpec& c, hsize_t* rows) {
    Hid sp(H5Dget_space(ds));
    const int rank = sp.valid() ? H5Sget_simple_extent_ndims(sp.get()) : -1;
    if (rank != int(c.inner.size()) + 1) {
      warn("dataset " + c.path + " has rank " + std::to_string(rank) + ", expected " +
           std::to_string(c.inner.size() + 1) + " " + h5::error_text());
      return false;
    }
    std::vector<hsize_t> dims(size_t(rank), 0);
    if (H5Sget_simple_extent_dims(sp.get(), dims.data(), nullptr) < 0) {
      warn("cannot read the shape of dataset " + c.path + " (" + h5::error_text() + ")");
      return false;
    }
    for (size_t i = 0; i < c.inner.size(); ++i) {
      if (dims[i + 1] != c.inner[i]) {
        std::vector<hsize_t> want{dims[0]};
        want.insert(want.end(), c.inner.begin(), c.inner.end());
        warn("dataset " + c.path + " has shape " + dims_text(dims) + ", expected " +
             dims_text(want));
        return false;
      }
    }
    // Deflate compresses at most ~1000:1, so more rows than that could not fit in the file.
    const double bytes = double(dims[0]) * double(c.row_bytes());
    if (bytes > std::max(64.0 * (1 << 20), 2000.0 * double(file_bytes))) {
      warn("dataset " + c.path + " claims an implausible " + std::to_string(dims[0]) + " rows");
      return false;
    }
    *rows = dims[0];
    return true;
  }

  template <class Rec>
  void recount(Group<Rec>& g) {
    bool any = false;
    hsize_t n = 0;
    for (size_t i = 0; i < g.cols.size(); ++i) {
      if (!g.ds[i].valid()) continue;
      n = any ? std::min(n, g.rows[i]) : g.rows[i];
      any = true;
    }
    g.count = any ? int64_t(n) : 0;
  }

  template <class Rec>
  void open_group(Group<Rec>& g, std::vector<Column<Rec>> cols) {
    g.cols = std::move(cols);
    g.ds.clear();
    g.rows.assign(g.cols.size(), 0);
    for (size_t i = 0; i < g.cols.size(); ++i) {
      const auto& c = g.cols[i];
      Hid ds(H5Dopen2(file.get(), c.path.c_str(), H5P_DEFAULT));
      if (!ds.valid()) {
        if (version >= c.since)  // a dataset newer than the file is expected to be absent
          warn("missing dataset " + c.path + " (" + h5::error_text() + ")");
        g.ds.emplace_back();
        continue;
      }
      Hid t(H5Dget_type(ds.get()));
      const H5T_class_t cls = t.valid() ? H5Tget_class(t.get()) : H5T_NO_CLASS;
      const bool is_float = c.type == store::DType::F64 || c.type == store::DType::F32;
      if (cls != (is_float ? H5T_FLOAT : H5T_INTEGER)) {
        warn("dataset " + c.path + " is not " + (is_float ? "floating point" : "integer") + " " +
             h5::error_text());
        g.ds.emplace_back();
        continue;
      }
      if (!check_extent(ds.get(), c, &g.rows[i])) {
        g.ds.emplace_back();
        continue;
      }
      g.ds.push_back(std::move(ds));
    }
    recount(g);
  }

  template <class Rec>
  void refresh_group(Group<Rec>& g) {
    for (size_t i = 0; i < g.cols.size(); ++i) {
      if (!g.ds[i].valid()) continue;
      if (H5Drefresh(g.ds[i].get()) < 0) {
        warn("cannot refresh dataset " + g.cols[i].path + " (" + h5::error_text() + ")");
        continue;
      }
      hsize_t rows = 0;
      if (check_extent(g.ds[i].get(), g.cols[i], &rows)) g.rows[i] = rows;
    }
    recount(g);
  }

  // Reads rows [from, from + k) of column ci into buf as `memtype`. False (+ warning) on error.
  template <class Rec>
  bool read_rows(Group<Rec>& g, size_t ci, int64_t from, int64_t k, hid_t memtype, void* buf) {
    const auto& c = g.cols[ci];
    if (!g.ds[ci].valid() || k <= 0) return false;
    std::vector<hsize_t> start{hsize_t(from)}, count{hsize_t(k)};
    for (hsize_t d : c.inner) {
      start.push_back(0);
      count.push_back(d);
    }
    Hid fs(H5Dget_space(g.ds[ci].get()));
    Hid ms(H5Screate_simple(int(count.size()), count.data(), nullptr));
    if (!fs.valid() || !ms.valid() ||
        H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr) < 0 ||
        H5Dread(g.ds[ci].get(), memtype, ms.get(), fs.get(), H5P_DEFAULT, buf) < 0) {
      warn("cannot read dataset " + c.path + " (" + h5::error_text() + ")");
      return false;
    }
    return true;
  }

  template <class Rec>
  std::vector<Rec> read_records(Group<Rec>& g, int64_t from, int64_t to) {
    if (to < 0 || to > g.count) to = g.count;
    from = std::max<int64_t>(0, from);
    if (from >= to) return {};
    const int64_t k = to - from;
    std::vector<Rec> out(static_cast<size_t>(k));
    for (size_t ci = 0; ci < g.cols.size(); ++ci) {
      const size_t rb = g.cols[ci].row_bytes();
      std::vector<double> buf((size_t(k) * rb + 7) / 8);  // aligned for every dtype
      const auto* bytes = reinterpret_cast<const unsigned char*>(buf.data());
      if (!read_rows(g, ci, from, k, store::dtype_mem(g.cols[ci].type), buf.data())) continue;
      for (int64_t i = 0; i < k; ++i) g.cols[ci].unpack(bytes + size_t(i) * rb, out[size_t(i)]);
    }
    return out;
  }

  [[noreturn]] void out_of_memory(const char* what) {
    throw StoreError(path + ": out of memory reading " + what);
  }
};

RunReader::RunReader(const std::string& path) : d_(std::make_unique<Impl>()) {
  h5::QuietErrors quiet;
  d_->path = path;
  try {
    d_->open();
  } catch (const std::bad_alloc&) {
    d_->close();
    d_->out_of_memory("the file structure");
  } catch (...) {
    d_->close();
    throw;
  }
}

RunReader::~RunReader() {
  h5::QuietErrors quiet;
  d_->close();
}

const std::string& RunReader::path() const {
  return d_->path;
}
const RunInfo& RunReader::info() const {
  return d_->info;
}
int RunReader::format_version() const {
  return d_->version;
}
const std::string& RunReader::host() const {
  return d_->host;
}
const std::string& RunReader::start_time() const {
  return d_->start_time;
}
const std::string& RunReader::end_time() const {
  return d_->end_time;
}
bool RunReader::opened_swmr() const {
  return d_->swmr;
}
RunStatus RunReader::stored_status() const {
  return d_->stored;
}
bool RunReader::writer_alive() const {
  return run_writer_alive(d_->path);
}
const std::string& RunReader::status_message() const {
  return d_->message;
}
const std::vector<std::string>& RunReader::warnings() const {
  return d_->warnings;
}

RunStatus RunReader::status() const {
  if (d_->stored != RunStatus::Running) return d_->stored;
  return writer_alive() ? RunStatus::Running : RunStatus::Interrupted;
}

int64_t RunReader::num_steps() const {
  return d_->steps.count;
}
int64_t RunReader::num_vals() const {
  return d_->vals.count;
}
int RunReader::num_snapshots() const {
  return int(d_->snaps.count);
}

const std::vector<std::string>& RunReader::step_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& c : store::step_columns()) n.push_back(c.path.substr(7));  // "/steps/"
    return n;
  }();
  return names;
}

std::vector<StepRecord> RunReader::steps(int64_t from, int64_t to) {
  h5::QuietErrors quiet;
  try {
    return d_->read_records(d_->steps, from, to);
  } catch (const std::bad_alloc&) {
    d_->out_of_memory("steps");
  }
}

std::vector<double> RunReader::step_series(const std::string& column, int64_t from, int64_t to) {
  h5::QuietErrors quiet;
  auto& g = d_->steps;
  size_t ci = 0;
  while (ci < g.cols.size() && g.cols[ci].path != "/steps/" + column) ++ci;
  if (ci == g.cols.size()) {
    std::string all;
    for (const auto& n : step_columns()) all += (all.empty() ? "" : ", ") + n;
    throw StoreError(d_->path + ": no step column '" + column + "' (columns: " + all + ")");
  }
  if (to < 0 || to > g.count) to = g.count;
  from = std::max<int64_t>(0, from);
  if (from >= to) return {};
  try {
    std::vector<double> out(size_t(to - from), kNaN);
    if (!d_->read_rows(g, ci, from, to - from, H5T_NATIVE_DOUBLE, out.data()))
      std::fill(out.begin(), out.end(), kNaN);
    return out;
  } catch (const std::bad_alloc&) {
    d_->out_of_memory(column.c_str());
  }
}

std::vector<ValRecord> RunReader::vals() {
  h5::QuietErrors quiet;
  try {
    return d_->read_records(d_->vals, 0, -1);
  } catch (const std::bad_alloc&) {
    d_->out_of_memory("validation rows");
  }
}

std::vector<int64_t> RunReader::snapshot_steps() {
  h5::QuietErrors quiet;
  auto& g = d_->snaps;
  std::vector<int64_t> out(size_t(g.count), 0);
  if (g.count > 0 && !d_->read_rows(g, 0, 0, g.count, H5T_NATIVE_INT64, out.data()))
    std::fill(out.begin(), out.end(), 0);
  return out;
}

Snapshot RunReader::snapshot(int i) {
  h5::QuietErrors quiet;
  auto& g = d_->snaps;
  if (i < 0 || i >= g.count)
    throw StoreError(d_->path + ": snapshot " + std::to_string(i) + " out of range (" +
                     std::to_string(g.count) + " snapshots)");
  try {
    Snapshot s = store::blank_snapshot(d_->info);
    for (size_t ci = 0; ci < g.cols.size(); ++ci) {
      std::vector<double> buf((g.cols[ci].row_bytes() + 7) / 8);
      if (d_->read_rows(g, ci, i, 1, store::dtype_mem(g.cols[ci].type), buf.data()))
        g.cols[ci].unpack(buf.data(), s);
    }
    return s;
  } catch (const std::bad_alloc&) {
    d_->out_of_memory("a snapshot");
  }
}

std::vector<Snapshot> RunReader::snapshots(int from, int to) {
  h5::QuietErrors quiet;
  auto& g = d_->snaps;
  if (to < 0 || to > g.count) to = static_cast<int>(g.count);
  from = std::max(0, from);
  if (from >= to) return {};
  try {
    std::vector<Snapshot> out(size_t(to - from), store::blank_snapshot(d_->info));
    // In blocks of 256 snapshots: one block of the widest column stays a few MB.
    for (int b = from; b < to; b += 256) {
      const int k = std::min(256, to - b);
      for (size_t ci = 0; ci < g.cols.size(); ++ci) {
        const size_t rb = g.cols[ci].row_bytes();
        std::vector<double> buf((size_t(k) * rb + 7) / 8);  // aligned for every dtype
        if (!d_->read_rows(g, ci, b, k, store::dtype_mem(g.cols[ci].type), buf.data())) continue;
        const auto* bytes = reinterpret_cast<const unsigned char*>(buf.data());
        for (int i = 0; i < k; ++i)
          g.cols[ci].unpack(bytes + size_t(i) * rb, out[size_t(b - from + i)]);
      }
    }
    return out;
  } catch (const std::bad_alloc&) {
    d_->out_of_memory("snapshots");
  }
}

bool RunReader::refresh() {
  h5::QuietErrors quiet;
  if (d_->final_state) return false;
  const int64_t n0 = d_->steps.count, v0 = d_->vals.count, s0 = d_->snaps.count;
  const RunStatus st0 = d_->stored;
  if (d_->swmr && run_writer_alive(d_->path)) {
    d_->refresh_group(d_->steps);
    d_->refresh_group(d_->vals);
    d_->refresh_group(d_->snaps);
  } else {
    // The writer has gone (or we share its process without SWMR): reopen to see the final
    // attributes; an HDF5 reader does not see attribute rewrites of a SWMR writer otherwise.
    d_->close();
    try {
      d_->open();
    } catch (...) {
      d_->close();
      throw;
    }
  }
  return d_->steps.count != n0 || d_->vals.count != v0 || d_->snaps.count != s0 ||
         d_->stored != st0;
}

}  // namespace ms
