// The muonscope-cli commands beyond train/config/presets, and the snapshot summary line they
// share. Each cmd_* parses argv from index 2 and returns the process exit code.
#pragma once

#include <string>

#include "train/Snapshot.h"

namespace ms {

// Mean of the finite entries of v (NaN when there are none).
double mean_finite(const std::vector<double>& v);

// One line: mean PR_sv of k, collapsed heads, mean eRank of VO (sum over heads) and W_out, K/V
// asymmetry, FTA.
std::string snapshot_summary(const Snapshot& s, const RunInfo& info);

int cmd_info(int argc, char** argv);
int cmd_study(int argc, char** argv);
int cmd_selfcheck(int argc, char** argv);
int cmd_reproduce(int argc, char** argv);
int cmd_inspect(int argc, char** argv);

}  // namespace ms
