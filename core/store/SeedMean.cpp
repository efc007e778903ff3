// SeedMean: elementwise means over a seed group's runs via the run-file columns (see SeedMean.h).
#include "store/SeedMean.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>

#include "store/RunSchema.h"

namespace ms {

namespace {
using store::DType;

double get(const void* row, DType t, size_t i) {
  switch (t) {
    case DType::F64:
      return static_cast<const double*>(row)[i];
    case DType::F32:
      return static_cast<const float*>(row)[i];
    case DType::I64:
      return double(static_cast<const int64_t*>(row)[i]);
    case DType::U8:
      return static_cast<const uint8_t*>(row)[i];
  }
  return std::nan("");
}

void put(void* row, DType t, size_t i, double v) {
  switch (t) {
    case DType::F64:
      static_cast<double*>(row)[i] = v;
      break;
    case DType::F32:
      static_cast<float*>(row)[i] = static_cast<float>(v);
      break;
    case DType::I64:
      static_cast<int64_t*>(row)[i] = std::isfinite(v) ? std::llround(v) : 0;
      break;
    case DType::U8:  // flags: the majority (ties: set)
      static_cast<uint8_t*>(row)[i] = std::isfinite(v) && v >= 0.5 ? 1 : 0;
      break;
  }
}

// Packs every member's record with each column, averages, and unpacks into `out`.
template <class Rec>
void average(const std::vector<store::Column<Rec>>& cols, const std::vector<const Rec*>& members,
             Rec& out) {
  std::vector<std::vector<char>> rows(members.size());
  std::vector<char> result;
  for (const auto& c : cols) {
    const size_t n = c.row_elems();
    for (size_t k = 0; k < members.size(); ++k) {
      rows[k].assign(c.row_bytes(), 0);
      c.pack(*members[k], rows[k].data());
    }
    result.assign(c.row_bytes(), 0);
    for (size_t i = 0; i < n; ++i) {
      double sum = 0;
      int finite = 0;
      for (const auto& r : rows) {
        const double v = get(r.data(), c.type, i);
        if (std::isfinite(v)) sum += v, ++finite;
      }
      put(result.data(), c.type, i, finite > 0 ? sum / finite : std::nan(""));
    }
    c.unpack(result.data(), out);
  }
}

// Rows of each member keyed by step; the steps of the first member that all members have.
template <class Rec>
std::vector<std::vector<const Rec*>> aligned(const std::vector<const std::vector<Rec>*>& members) {
  std::vector<std::vector<const Rec*>> out;
  if (members.empty() || !members[0]) return out;
  std::vector<std::map<int64_t, const Rec*>> byStep(members.size());
  for (size_t k = 0; k < members.size(); ++k)
    if (members[k])
      for (const Rec& r : *members[k]) byStep[k].emplace(r.step, &r);
  for (const Rec& r : *members[0]) {
    std::vector<const Rec*> row{&r};
    for (size_t k = 1; k < members.size(); ++k) {
      const auto it = byStep[k].find(r.step);
      if (it == byStep[k].end()) break;
      row.push_back(it->second);
    }
    if (row.size() == members.size()) out.push_back(std::move(row));
  }
  return out;
}
}  // namespace

Snapshot mean_snapshot(const std::vector<const Snapshot*>& members, const RunInfo& info) {
  Snapshot out = store::blank_snapshot(info);
  if (members.empty()) return out;
  average(store::snapshot_columns(info), members, out);
  return out;
}

std::vector<StepRecord> mean_steps(const std::vector<const std::vector<StepRecord>*>& members) {
  const auto cols = store::step_columns();
  std::vector<StepRecord> out;
  for (const auto& row : aligned(members)) {
    StepRecord r;
    average(cols, row, r);
    out.push_back(r);
  }
  return out;
}

std::vector<ValRecord> mean_vals(const std::vector<const std::vector<ValRecord>*>& members) {
  const auto cols = store::val_columns();
  std::vector<ValRecord> out;
  for (const auto& row : aligned(members)) {
    ValRecord r;
    average(cols, row, r);
    out.push_back(r);
  }
  return out;
}

std::vector<Snapshot> mean_snapshots(const std::vector<const std::vector<Snapshot>*>& members,
                                     const RunInfo& info) {
  const auto cols = store::snapshot_columns(info);
  std::vector<Snapshot> out;
  for (const auto& row : aligned(members)) {
    Snapshot s = store::blank_snapshot(info);
    average(cols, row, s);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ms
