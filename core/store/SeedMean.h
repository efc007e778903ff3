// SeedMean: the mean run of a seed group, runs whose configs differ only in train.seed. Every
// number of a snapshot (spectra, PRs, magnitudes, FTA, KIVI, ...) and of the step and
// validation rows is averaged elementwise over the members, through the run file's own column
// table (RunSchema), so no field can be forgotten when Snapshot grows. NaN entries (not
// computed) are skipped: the mean of the finite values, NaN when none is finite. Integer
// columns take the rounded mean; flags (collapsed heads, KIVI valid) the majority. Rows are
// matched by step: only steps that every member recorded are kept. Torch-free.
#pragma once

#include <vector>

#include "train/Snapshot.h"

namespace ms {

// Elementwise mean of snapshots of runs with the same shape (`info`).
Snapshot mean_snapshot(const std::vector<const Snapshot*>& members, const RunInfo& info);
// The members' records at the steps every member has, averaged, in the first member's order.
std::vector<StepRecord> mean_steps(const std::vector<const std::vector<StepRecord>*>& members);
std::vector<ValRecord> mean_vals(const std::vector<const std::vector<ValRecord>*>& members);
std::vector<Snapshot> mean_snapshots(const std::vector<const std::vector<Snapshot>*>& members,
                                     const RunInfo& info);

}  // namespace ms
