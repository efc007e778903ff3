// CompareBase: the comparison views' former base class; PlotBase now draws any number of runs.
// Kept as an alias until the last Compare* view is folded into its single view.
#pragma once

#include "PlotBase.h"

namespace ms {
using CompareBase = PlotBase;
}  // namespace ms
