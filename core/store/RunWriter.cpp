// RunWriter (see RunWriter.h): creates the run file with the HDF5 C API, every dataset chunked
// with an unlimited first axis and a Fletcher-32 checksum per chunk, root attributes describing
// the run, then SWMR writing. Storage policy (see chunk_plan): a compressed chunk that is
// rewritten (a partly filled chunk at each flush) moves to new file space, and a SWMR writer
// never reuses the old space (measured: 4000 steps flushed every 10 steps made 7.5 MB instead
// of 0.2 MB). So only chunks written exactly once are compressed: the large per-snapshot arrays,
// one snapshot per chunk. Step/val series and small per-snapshot rows use uncompressed
// multi-row chunks, which HDF5 rewrites in place. Status, status message and end time are
// fixed-size attributes created before H5Fstart_swmr_write and overwritten in place at finish()
// (HDF5 1.10 allows that; a reader that was already tailing sees the new value after reopening,
// which RunReader::refresh() does once the writer has gone).
#include "store/RunWriter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "store/H5Util.h"
#include "store/RunReader.h"
#include "store/RunSchema.h"

#ifndef MUONSCOPE_VERSION
#define MUONSCOPE_VERSION "unknown"
#endif

namespace ms {

using h5::Hid;
using store::Column;
using store::ColumnSpec;

namespace {

constexpr size_t kStatusSize = 16;  // fixed sizes of the attributes rewritten at finish()
constexpr size_t kMessageSize = 1024;
constexpr size_t kTimeSize = 32;
constexpr unsigned kDeflateLevel = 4;
constexpr unsigned kLinkMaxCompact = 64;  // keep links/attributes in the checksummed header
constexpr unsigned kLinkMinDense = 48;

std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

enum class RowGroup { Steps, Vals, Snapshots };

// Rows per chunk and whether to compress (shuffle + deflate), by group and row size.
struct ChunkPlan {
  hsize_t rows = 1;
  bool compress = false;
};
ChunkPlan chunk_plan(RowGroup g, size_t row_bytes) {
  switch (g) {
    case RowGroup::Steps:
      return {512, false};  // 4 KiB chunks of float64/int64
    case RowGroup::Vals:
      return {64, false};
    case RowGroup::Snapshots:
      if (row_bytes >= 256) return {1, true};  // written once: worth compressing
      return {std::clamp<hsize_t>(512 / std::max<size_t>(1, row_bytes), 1, 16), false};
  }
  return {};
}

}  // namespace

struct RunWriter::Impl {
  std::string path;
  Hid file;
  int lock_fd = -1;
  bool open = false, begun = false;
  RunInfo info;

  std::vector<Column<StepRecord>> step_cols;
  std::vector<Hid> step_ds;
  std::vector<StepRecord> step_buf;
  int64_t steps_written = 0;

  std::vector<Column<ValRecord>> val_cols;
  std::vector<Hid> val_ds;
  std::vector<ValRecord> val_buf;
  int64_t vals_written = 0;

  std::vector<Column<Snapshot>> snap_cols;
  std::vector<Hid> snap_ds;
  int64_t snaps_written = 0;

  std::chrono::steady_clock::time_point last_flush;

  void require_begun(const char* what) const {
    if (!open) throw StoreError(path + ": " + what + " after finish()");
    if (!begun) throw StoreError(path + ": " + what + " before begin()");
  }

  Hid create_dataset(const ColumnSpec& c, RowGroup group) {
    const ChunkPlan plan = chunk_plan(group, c.row_bytes());
    const int rank = 1 + int(c.inner.size());
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{plan.rows};
    for (hsize_t d : c.inner) {
      dims.push_back(d);
      maxdims.push_back(d);
      chunk.push_back(d);
    }
    Hid space(H5Screate_simple(rank, dims.data(), maxdims.data()));
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (!space.valid() || !dcpl.valid()) h5::fail(path, "cannot prepare dataset " + c.path);
    bool ok = H5Pset_chunk(dcpl.get(), rank, chunk.data()) >= 0 &&
              H5Pset_obj_track_times(dcpl.get(), false) >= 0;
    if (c.type == store::DType::F64) {
      const double nan = kNaN;
      ok = ok && H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan) >= 0;
    } else if (c.type == store::DType::F32) {
      const float nan = std::numeric_limits<float>::quiet_NaN();
      ok = ok && H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &nan) >= 0;
    }
    if (plan.compress && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
      if (store::dtype_size(c.type) > 1) ok = ok && H5Pset_shuffle(dcpl.get()) >= 0;
      ok = ok && H5Pset_deflate(dcpl.get(), kDeflateLevel) >= 0;
    }
    // Last in the pipeline: the checksum covers the stored (compressed) bytes.
    ok = ok && H5Pset_fletcher32(dcpl.get()) >= 0;
    if (!ok) h5::fail(path, "cannot set up storage of dataset " + c.path);
    Hid ds(H5Dcreate2(file.get(), c.path.c_str(), store::dtype_file(c.type), space.get(),
                      H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
    if (!ds.valid()) h5::fail(path, "cannot create dataset " + c.path);
    return ds;
  }

  template <class Rec>
  std::vector<Hid> open_all(const std::vector<Column<Rec>>& cols) {
    std::vector<Hid> out;
    for (const auto& c : cols) {
      Hid ds(H5Dopen2(file.get(), c.path.c_str(), H5P_DEFAULT));
      if (!ds.valid()) h5::fail(path, "cannot open dataset " + c.path);
      out.push_back(std::move(ds));
    }
    return out;
  }

  // Shrinks every dataset of a group to the rows whose step (the first column) is <= keep.
  // Returns the rows kept.
  template <class Rec>
  int64_t truncate_after(const std::vector<Column<Rec>>& cols, std::vector<Hid>& ds, int64_t keep) {
    Hid sp(H5Dget_space(ds[0].get()));
    hsize_t rows = 0;
    if (!sp.valid() || H5Sget_simple_extent_dims(sp.get(), &rows, nullptr) != 1)
      h5::fail(path, "cannot read the shape of dataset " + cols[0].path);
    std::vector<int64_t> steps(rows);
    if (rows > 0 &&
        H5Dread(ds[0].get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data()) < 0)
      h5::fail(path, "cannot read dataset " + cols[0].path);
    const int64_t n =
        std::find_if(steps.begin(), steps.end(), [&](int64_t s) { return s > keep; }) -
        steps.begin();
    for (size_t ci = 0; ci < cols.size(); ++ci) {
      Hid cs(H5Dget_space(ds[ci].get()));
      const int rank = cs.valid() ? H5Sget_simple_extent_ndims(cs.get()) : -1;
      if (rank < 1) h5::fail(path, "cannot read the shape of dataset " + cols[ci].path);
      std::vector<hsize_t> dims(size_t(rank), 0);
      H5Sget_simple_extent_dims(cs.get(), dims.data(), nullptr);
      if (dims[0] == hsize_t(n)) continue;
      dims[0] = hsize_t(std::min<int64_t>(n, int64_t(dims[0])));
      if (H5Dset_extent(ds[ci].get(), dims.data()) < 0)
        h5::fail(path, "cannot truncate dataset " + cols[ci].path);
    }
    return n;
  }

  template <class Rec>
  std::vector<Hid> create_all(const std::vector<Column<Rec>>& cols, RowGroup group) {
    std::vector<Hid> out;
    for (const auto& c : cols) out.push_back(create_dataset(c, group));
    return out;
  }

  // Appends k records to every column of a group, growing each dataset by k rows.
  template <class Rec>
  void append_rows(const std::vector<Column<Rec>>& cols, std::vector<Hid>& ds, const Rec* rows,
                   size_t k, int64_t& written) {
    if (k == 0) return;
    for (size_t ci = 0; ci < cols.size(); ++ci) {
      const Column<Rec>& c = cols[ci];
      std::vector<hsize_t> start{hsize_t(written)}, count{hsize_t(k)}, dims{hsize_t(written) + k};
      for (hsize_t d : c.inner) {
        start.push_back(0);
        count.push_back(d);
        dims.push_back(d);
      }
      if (H5Dset_extent(ds[ci].get(), dims.data()) < 0)
        h5::fail(path, "cannot extend dataset " + c.path);
      Hid fs(H5Dget_space(ds[ci].get()));
      Hid ms(H5Screate_simple(int(count.size()), count.data(), nullptr));
      if (!fs.valid() || !ms.valid() ||
          H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr) < 0)
        h5::fail(path, "cannot select rows of dataset " + c.path);
      const size_t rb = c.row_bytes();
      std::vector<double> buf((k * rb + 7) / 8);  // double storage: aligned for every dtype
      auto* bytes = reinterpret_cast<unsigned char*>(buf.data());
      for (size_t i = 0; i < k; ++i) c.pack(rows[i], bytes + i * rb);
      if (H5Dwrite(ds[ci].get(), store::dtype_mem(c.type), ms.get(), fs.get(), H5P_DEFAULT,
                   buf.data()) < 0)
        h5::fail(path, "cannot write dataset " + c.path);
    }
    written += int64_t(k);
  }

  void write_pending() {
    append_rows(step_cols, step_ds, step_buf.data(), step_buf.size(), steps_written);
    step_buf.clear();
    append_rows(val_cols, val_ds, val_buf.data(), val_buf.size(), vals_written);
    val_buf.clear();
  }

  void flush_file() {
    if (H5Fflush(file.get(), H5F_SCOPE_LOCAL) < 0) h5::fail(path, "cannot flush the run file");
    last_flush = std::chrono::steady_clock::now();
  }

  // Closes every HDF5 object and the file, then releases the writer lock. Returns an error
  // message or "".
  std::string close_all() {
    step_ds.clear();
    val_ds.clear();
    snap_ds.clear();
    std::string err;
    if (file.valid()) {
      const hid_t f = file.release();
      if (H5Fclose(f) < 0) err = path + ": cannot close the run file (" + h5::error_text() + ")";
    }
    h5::release_writer_lock(lock_fd);
    lock_fd = -1;
    open = false;
    return err;
  }
};

RunWriter::RunWriter(const std::string& path, bool overwrite) : d_(std::make_unique<Impl>()) {
  h5::QuietErrors quiet;
  d_->path = path;
  if (path.empty()) throw StoreError("run file path is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw StoreError(path + ": is a directory, not a run file");
    if (!overwrite)
      throw StoreError(path + ": file exists (choose another name or allow overwriting)");
    if (run_writer_alive(path))
      throw StoreError(path + ": is being written by another running training");
  } else if (errno != ENOENT) {
    throw StoreError(path + ": cannot create the run file (" + std::strerror(errno) + ")");
  }
  const std::string dir = parent_dir(path);
  if (::stat(dir.c_str(), &st) != 0)
    throw StoreError(path + ": cannot create the run file: directory '" + dir + "' does not exist");
  if (!S_ISDIR(st.st_mode))
    throw StoreError(path + ": cannot create the run file: '" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK) != 0)
    throw StoreError(path + ": cannot create the run file: directory '" + dir +
                     "' is not writable");

  Hid fcpl(H5Pcreate(H5P_FILE_CREATE));
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fcpl.valid() || !fapl.valid() ||
      H5Pset_link_phase_change(fcpl.get(), kLinkMaxCompact, kLinkMinDense) < 0 ||
      H5Pset_attr_phase_change(fcpl.get(), kLinkMaxCompact, kLinkMinDense) < 0 ||
      H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110) < 0)
    h5::fail(path, "cannot set up file properties");
  d_->file = Hid(
      H5Fcreate(path.c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, fcpl.get(), fapl.get()));
  if (!d_->file.valid()) h5::fail(path, "cannot create the run file");
  d_->open = true;
  d_->lock_fd = h5::take_writer_lock(path);
  if (d_->lock_fd < 0) {
    d_->close_all();
    throw StoreError(path + (d_->lock_fd == -1 ? ": is being written by another running training"
                                               : ": cannot reopen the new run file"));
  }
}

RunWriter::RunWriter() : d_(std::make_unique<Impl>()) {}

RunWriter::~RunWriter() {
  if (!d_->open) return;
  h5::QuietErrors quiet;
  if (d_->begun) {
    try {
      d_->write_pending();
      d_->flush_file();
    } catch (const StoreError&) {  // a destructor must not throw; the file keeps its last flush
    }
    d_->close_all();
  } else {
    d_->close_all();
    std::remove(d_->path.c_str());
  }
}

void RunWriter::begin(const RunInfo& info) {
  h5::QuietErrors quiet;
  if (!d_->open) throw StoreError(d_->path + ": begin() after finish()");
  if (d_->begun) throw StoreError(d_->path + ": begin() called twice");
  store::check_info(info, d_->path, "invalid RunInfo");
  d_->info = info;
  d_->step_cols = store::step_columns();
  d_->val_cols = store::val_columns();
  d_->snap_cols = store::snapshot_columns(info);

  // Groups first, parents before children, all with compact link storage.
  Hid gcpl(H5Pcreate(H5P_GROUP_CREATE));
  if (!gcpl.valid() || H5Pset_link_phase_change(gcpl.get(), kLinkMaxCompact, kLinkMinDense) < 0 ||
      H5Pset_obj_track_times(gcpl.get(), false) < 0)
    h5::fail(d_->path, "cannot set up group properties");
  std::vector<std::string> groups;
  std::set<std::string> seen;
  auto add_parents = [&](const std::string& p) {
    for (size_t pos = p.find('/', 1); pos != std::string::npos; pos = p.find('/', pos + 1)) {
      const std::string g = p.substr(0, pos);
      if (seen.insert(g).second) groups.push_back(g);
    }
  };
  for (const auto& c : d_->step_cols) add_parents(c.path);
  for (const auto& c : d_->val_cols) add_parents(c.path);
  for (const auto& c : d_->snap_cols) add_parents(c.path);
  for (const auto& g : groups) {
    Hid gid(H5Gcreate2(d_->file.get(), g.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
    if (!gid.valid()) h5::fail(d_->path, "cannot create group " + g);
  }
  d_->step_ds = d_->create_all(d_->step_cols, RowGroup::Steps);
  d_->val_ds = d_->create_all(d_->val_cols, RowGroup::Vals);
  d_->snap_ds = d_->create_all(d_->snap_cols, RowGroup::Snapshots);

  // Root attributes (all closed again before SWMR writing starts, as HDF5 requires).
  const hid_t f = d_->file.get();
  const std::string& p = d_->path;
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  h5::write_str_attr(f, p, "format", kRunFormatName);
  h5::write_i64_attr(f, p, "format_version", {kRunFormatVersion}, {});
  h5::write_str_attr(f, p, "app_version",
                     info.app_version.empty() ? MUONSCOPE_VERSION : info.app_version);
  h5::write_str_attr(f, p, "torch_version", info.torch_version);
  h5::write_str_attr(f, p, "device", info.device);
  h5::write_str_attr(f, p, "host", host);
  h5::write_str_attr(f, p, "start_time", h5::iso_now());
  h5::write_str_attr(f, p, "end_time", "", kTimeSize);
  h5::write_str_attr(f, p, "status", status_name(RunStatus::Running), kStatusSize);
  h5::write_str_attr(f, p, "status_message", "", kMessageSize);
  h5::write_str_attr(f, p, "config_json", info.config_json);
  h5::write_str_attr(f, p, "optimizer_summary", info.optimizer_summary);
  const std::pair<const char*, int64_t> ints[] = {
      {"n_layer", info.n_layer},         {"n_head", info.n_head},
      {"head_dim", info.head_dim},       {"seq_len", info.seq_len},
      {"vocab_size", info.vocab_size},   {"fta_groups", info.fta_groups},
      {"total_steps", info.total_steps}, {"n_params", info.n_params},
      {"probe_batch", info.probe_batch}, {"world_size", info.world_size}};
  for (const auto& [name, v] : ints) h5::write_i64_attr(f, p, name, {v}, {});
  h5::write_str_list_attr(f, p, "matrix_names", info.matrix_names);
  std::vector<int64_t> shapes;
  for (const auto& s : info.matrix_shapes) shapes.insert(shapes.end(), {s[0], s[1]});
  h5::write_i64_attr(f, p, "matrix_shapes", shapes, {hsize_t(info.matrix_shapes.size()), 2});

  if (H5Fstart_swmr_write(f) < 0) h5::fail(p, "cannot start SWMR writing");
  d_->begun = true;
  d_->last_flush = std::chrono::steady_clock::now();
}

std::unique_ptr<RunWriter> RunWriter::reopen(const std::string& path, const RunInfo& info,
                                             int64_t keep_step) {
  h5::QuietErrors quiet;
  if (run_writer_alive(path))
    throw StoreError(path + ": is being written by another running training");
  {  // a readable run file of this format whose shapes are the ones this run computes
    RunReader r(path);
    if (r.format_version() != kRunFormatVersion)
      throw StoreError(path + ": run format version " + std::to_string(r.format_version()) +
                       " (this build appends to version " + std::to_string(kRunFormatVersion) +
                       " only)");
    const RunInfo& o = r.info();
    const bool same = o.n_layer == info.n_layer && o.n_head == info.n_head &&
                      o.head_dim == info.head_dim && o.seq_len == info.seq_len &&
                      o.vocab_size == info.vocab_size && o.fta_groups == info.fta_groups &&
                      o.probe_batch == info.probe_batch && o.matrix_names == info.matrix_names &&
                      o.matrix_shapes == info.matrix_shapes && o.total_steps == info.total_steps;
    if (!same)
      throw StoreError(path +
                       ": its shapes (layers, heads, matrices, steps) differ from the "
                       "run being resumed");
  }
  std::unique_ptr<RunWriter> w(new RunWriter());
  Impl& d = *w->d_;
  d.path = path;
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid() || H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110) < 0)
    h5::fail(path, "cannot set up file properties");
  d.file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
  if (!d.file.valid()) {
    // A writer that was killed leaves the superblock marked "open for writing"; with no writer
    // alive (checked above) clear that mark as h5clear does (its property "clear_status_flags").
    hbool_t clear = true;
    h5::error_text();
    if (H5Pset(fapl.get(), "clear_status_flags", &clear) >= 0)
      d.file = Hid(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
  }
  if (!d.file.valid()) h5::fail(path, "cannot open the run file for writing");
  d.open = true;
  d.lock_fd = h5::take_writer_lock(path);
  if (d.lock_fd < 0) {
    d.close_all();
    throw StoreError(path + (d.lock_fd == -1 ? ": is being written by another running training"
                                             : ": cannot reopen the run file"));
  }
  d.info = info;
  d.step_cols = store::step_columns();
  d.val_cols = store::val_columns();
  d.snap_cols = store::snapshot_columns(info);
  try {
    d.step_ds = d.open_all(d.step_cols);
    d.val_ds = d.open_all(d.val_cols);
    d.snap_ds = d.open_all(d.snap_cols);
    // Every group's first column is its step: keep the rows up to keep_step.
    d.steps_written = d.truncate_after(d.step_cols, d.step_ds, keep_step);
    d.vals_written = d.truncate_after(d.val_cols, d.val_ds, keep_step);
    d.snaps_written = d.truncate_after(d.snap_cols, d.snap_ds, keep_step);

    const hid_t f = d.file.get();
    h5::overwrite_str_attr(f, path, "status", status_name(RunStatus::Running));
    h5::overwrite_str_attr(f, path, "status_message", "");
    h5::overwrite_str_attr(f, path, "end_time", "");
    std::vector<int64_t> at;
    std::vector<std::string> times;
    if (h5::has_attr(f, "resumed_at_steps")) at = h5::read_i64_attr(f, path, "resumed_at_steps");
    if (h5::has_attr(f, "resume_times")) times = h5::read_str_list_attr(f, path, "resume_times");
    at.push_back(keep_step);
    times.resize(at.size() - 1);
    times.push_back(h5::iso_now());
    for (const char* name : {"resumed_at_steps", "resume_times", "world_size"})
      if (h5::has_attr(f, name) && H5Adelete(f, name) < 0)
        h5::fail(path, std::string("cannot rewrite attribute ") + name);
    h5::write_i64_attr(f, path, "resumed_at_steps", at, {hsize_t(at.size())});
    h5::write_str_list_attr(f, path, "resume_times", times);
    h5::write_i64_attr(f, path, "world_size", {info.world_size}, {});
    d.flush_file();
    if (H5Fstart_swmr_write(f) < 0) h5::fail(path, "cannot start SWMR writing");
  } catch (...) {
    d.close_all();
    throw;
  }
  d.begun = true;
  d.last_flush = std::chrono::steady_clock::now();
  return w;
}

void RunWriter::append_step(const StepRecord& r) {
  d_->require_begun("append_step()");
  d_->step_buf.push_back(r);
  const double since =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - d_->last_flush).count();
  if (d_->step_buf.size() >= size_t(kStepBlock) || since >= kFlushSeconds) flush();
}

void RunWriter::append_val(const ValRecord& r) {
  d_->require_begun("append_val()");
  d_->val_buf.push_back(r);
}

void RunWriter::append_snapshot(const Snapshot& s) {
  h5::QuietErrors quiet;
  d_->require_begun("append_snapshot()");
  store::check_snapshot(s, d_->info, d_->path);
  d_->write_pending();
  d_->append_rows(d_->snap_cols, d_->snap_ds, &s, 1, d_->snaps_written);
  d_->flush_file();
}

void RunWriter::flush() {
  h5::QuietErrors quiet;
  d_->require_begun("flush()");
  d_->write_pending();
  d_->flush_file();
}

void RunWriter::finish(RunStatus status, const std::string& message) {
  if (!d_->open) return;
  h5::QuietErrors quiet;
  if (!d_->begun) {
    d_->close_all();
    std::remove(d_->path.c_str());
    return;
  }
  std::string err;
  try {
    d_->write_pending();
  } catch (const StoreError& e) {
    err = e.what();
  }
  try {
    const hid_t f = d_->file.get();
    h5::overwrite_str_attr(f, d_->path, "status", status_name(status));
    h5::overwrite_str_attr(f, d_->path, "status_message", message);
    h5::overwrite_str_attr(f, d_->path, "end_time", h5::iso_now());
    d_->flush_file();
  } catch (const StoreError& e) {
    if (err.empty()) err = e.what();
  }
  const std::string close_err = d_->close_all();
  if (err.empty()) err = close_err;
  if (!err.empty()) throw StoreError(err);
}

const std::string& RunWriter::path() const {
  return d_->path;
}
int64_t RunWriter::num_steps() const {
  return d_->steps_written + int64_t(d_->step_buf.size());
}
int64_t RunWriter::num_snapshots() const {
  return d_->snaps_written;
}
bool RunWriter::is_open() const {
  return d_->open;
}

}  // namespace ms
