// The layout of the run file as data (internal to core/store): every dataset the writer creates
// and the reader opens, with its dtype, its shape after the leading row axis, and how one row
// is packed from / unpacked into the plain structs of train/Snapshot.h. Writer and reader share
// this one table, so they cannot drift apart; docs/run-format.md documents it and
// tests/store/test_store_schema.cpp checks the two agree.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "train/Snapshot.h"

namespace ms::store {

enum class DType { F64, F32, I64, U8 };
size_t dtype_size(DType t);
hid_t dtype_file(DType t);  // little-endian file type
hid_t dtype_mem(DType t);   // native memory type
const char* dtype_name(DType t);

struct ColumnSpec {
  std::string path;  // absolute dataset path, e.g. /snapshots/pr_sv
  DType type = DType::F64;
  std::vector<hsize_t> inner;  // dims after the leading (row) axis, e.g. {L, 4, H}
  int since = 1;  // first format_version with this dataset: older files lack it without warning
  size_t row_elems() const;
  size_t row_bytes() const { return row_elems() * dtype_size(type); }
};

// A column of records of type Rec: pack writes row_elems() values of `type` to `row`,
// unpack reads them back into a record shaped by blank_snapshot() (or a default record).
template <class Rec>
struct Column : ColumnSpec {
  std::function<void(const Rec&, void* row)> pack;
  std::function<void(const void* row, Rec&)> unpack;
};

std::vector<Column<StepRecord>> step_columns();                       // /steps/*
std::vector<Column<ValRecord>> val_columns();                         // /val/*
std::vector<Column<Snapshot>> snapshot_columns(const RunInfo& info);  // /snapshots/...

// Names of the K/V cache groups under /snapshots/kv, in Magnitudes order of LayerMetrics.
const std::vector<std::string>& kv_cache_names();

// Shape limits and consistency of a RunInfo (names, shapes, sizes). Throws StoreError naming
// `file` and the offending field; `what` prefixes the message ("invalid RunInfo", "corrupt").
void check_info(const RunInfo& info, const std::string& file, const std::string& what);
// A snapshot's sizes must match the info; an empty vector means "not computed" (stored as NaN).
void check_snapshot(const Snapshot& s, const RunInfo& info, const std::string& file);
// A snapshot with every vector sized for `info` and every value NaN (0 for flags).
Snapshot blank_snapshot(const RunInfo& info);
// Singular-value count of a matrix: min(rows, cols).
int sv_count(const std::array<int, 2>& shape);

}  // namespace ms::store
