// Damaged run files: a real run file truncated at 40+ offsets and hit by 200 seeded random
// byte flips. Each case must end in a clean StoreError (message naming the file) or a clean
// read: every structure sized as the RunInfo says, and, when no warning was raised, data equal
// to the intact file's (all metadata and chunks are checksummed, so damage cannot pass as
// data). Run under AddressSanitizer in CI (-DMUONSCOPE_ASAN=ON).
#include <QTemporaryDir>
#include <QTest>

#include <hdf5.h>

#include <fstream>
#include <random>

#include "StoreTestData.h"

using namespace ms;
using namespace mstest;

// Under AddressSanitizer: HDF5 1.10.8 itself leaks a few blocks (allocated inside libhdf5)
// when an object header fails its checksum, which only a damaged file makes happen. Those are
// not ours to fix; leaks from any other module are still reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libhdf5\n";
}

namespace {

struct Contents {
  RunInfo info;
  RunStatus status = RunStatus::Running;
  std::vector<StepRecord> steps;
  std::vector<std::vector<double>> series;
  std::vector<ValRecord> vals;
  std::vector<int64_t> snapshot_steps;
  std::vector<Snapshot> snapshots;
  std::vector<std::string> warnings;
};

// Everything a viewer would read.
Contents read_all(const std::string& path) {
  Contents c;
  RunReader r(path);
  c.info = r.info();
  c.status = r.status();
  (void)r.status_message();
  c.steps = r.steps();
  for (const auto& col : RunReader::step_columns()) c.series.push_back(r.step_series(col));
  c.vals = r.vals();
  c.snapshot_steps = r.snapshot_steps();
  for (int i = 0; i < r.num_snapshots(); ++i) c.snapshots.push_back(r.snapshot(i));
  r.refresh();
  c.warnings = r.warnings();
  return c;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

bool shaped_like(const Snapshot& s, const RunInfo& in) {
  if (s.layers.size() != size_t(in.n_layer) || s.fta.size() != size_t(in.fta_groups)) return false;
  for (const auto& l : s.layers) {
    if (l.matrices.size() != in.matrix_names.size() || l.max_logit.size() != size_t(in.n_head))
      return false;
    for (size_t m = 0; m < l.matrices.size(); ++m)
      if (l.matrices[m].sv.size() !=
          size_t(std::min(in.matrix_shapes[m][0], in.matrix_shapes[m][1])))
        return false;
    if (l.k_post.channel.size() != size_t(in.n_head * in.head_dim) ||
        l.v.token.size() != size_t(in.seq_len))
      return false;
  }
  return true;
}

}  // namespace

class TestStoreCorrupt : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string original_;
  Contents ref_;
  int errors_ = 0, partial_ = 0, intact_ = 0;

  // Reads a damaged copy; returns "" when the outcome is clean, else what went wrong.
  std::string check(const std::string& bytes, const std::string& label) {
    const std::string path = (tmp_.path() + "/damaged.h5").toStdString();
    write_file(path, bytes);
    Contents c;
    try {
      c = read_all(path);
      const ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
      if (open_ids != 0) return label + ": " + std::to_string(open_ids) + " HDF5 ids left open";
    } catch (const StoreError& e) {
      const std::string m = e.what();
      if (m.find(path) == std::string::npos) return label + ": error without file name: " + m;
      const ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
      if (open_ids != 0)
        return label + ": " + std::to_string(open_ids) + " HDF5 ids left open after: " + m;
      ++errors_;
      return "";
    } catch (const std::exception& e) {
      return label + ": non-StoreError exception: " + e.what();
    }
    if (!same_info(c.info, ref_.info)) {
      // Only the root attributes define the info; they are checksummed.
      return label + ": RunInfo read without error but differs";
    }
    for (const auto& s : c.snapshots)
      if (!shaped_like(s, c.info)) return label + ": misshapen snapshot";
    if (c.steps.size() > ref_.steps.size() || c.snapshots.size() > ref_.snapshots.size() ||
        c.vals.size() > ref_.vals.size())
      return label + ": more rows than were written";
    if (!c.warnings.empty()) {
      ++partial_;
      return "";
    }
    // No warning: everything read must be the original data.
    for (size_t i = 0; i < c.steps.size(); ++i)
      if (!same_step(c.steps[i], ref_.steps[i])) return label + ": silently wrong step row";
    for (size_t k = 0; k < c.series.size(); ++k)
      for (size_t i = 0; i < c.series[k].size(); ++i)
        if (!same(c.series[k][i], ref_.series[k][i])) return label + ": silently wrong series";
    for (size_t i = 0; i < c.vals.size(); ++i)
      if (!same_val(c.vals[i], ref_.vals[i])) return label + ": silently wrong val row";
    for (size_t i = 0; i < c.snapshots.size(); ++i) {
      std::string why;
      if (!same_snapshot(c.snapshots[i], ref_.snapshots[i], &why))
        return label + ": silently wrong snapshot " + std::to_string(i) + " (" + why + ")";
    }
    ++intact_;
    return "";
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    // HDF5 1.10 leaks free-list blocks after an object header fails its checksum; at exit it
    // then reports "infinite loop closing library" unless automatic error printing is off.
    // Harmless (memory held until exit), but noisy: switch the printing off for this suite.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const std::string path = (tmp_.path() + "/intact.h5").toStdString();
    write_run(path, default_info(), 300, 100);
    original_ = read_file(path);
    ref_ = read_all(path);
    QCOMPARE(ref_.steps.size(), size_t(300));
    QCOMPARE(ref_.snapshots.size(), size_t(3));
    QVERIFY(ref_.warnings.empty());
    qInfo("intact file: %zu bytes", original_.size());
  }

  void truncated() {
    errors_ = partial_ = intact_ = 0;
    const size_t n = original_.size();
    std::vector<size_t> cuts = {0, 1, 7, 8, 48, 96, 512, n - 1, n - 8};
    for (int k = 1; k <= 40; ++k) cuts.push_back(n * size_t(k) / 41);
    for (size_t cut : cuts) {
      const std::string err =
          check(original_.substr(0, cut), "truncated at " + std::to_string(cut));
      QVERIFY2(err.empty(), err.c_str());
    }
    qInfo("truncations: %d errors, %d partial reads, %d intact", errors_, partial_, intact_);
    QVERIFY(errors_ > 0);
  }

  void flippedBytes() {
    errors_ = partial_ = intact_ = 0;
    for (int trial = 0; trial < 200; ++trial) {
      std::mt19937 rng(1000u + unsigned(trial));
      std::string bytes = original_;
      const int flips = 1 + int(rng() % 4);
      std::string label = "trial " + std::to_string(trial) + " flips";
      for (int i = 0; i < flips; ++i) {
        const size_t pos = rng() % bytes.size();
        const unsigned char mask = static_cast<unsigned char>(1 + rng() % 255);
        bytes[pos] = char(static_cast<unsigned char>(bytes[pos]) ^ mask);
        label += " " + std::to_string(pos);
      }
      const std::string err = check(bytes, label);
      QVERIFY2(err.empty(), err.c_str());
    }
    qInfo("byte flips: %d errors, %d partial reads, %d intact", errors_, partial_, intact_);
    QVERIFY(errors_ + partial_ > 0);
  }
};

QTEST_APPLESS_MAIN(TestStoreCorrupt)
#include "test_store_corrupt.moc"
