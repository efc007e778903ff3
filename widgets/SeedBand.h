// SeedBand: the band a seed group draws around its mean curve. Each member run gives a curve
// (x, y); at every x that all members have (matched exactly: runs of one group share their step
// grid), the band spans the members' minimum to maximum, or mean - sd to mean + sd (sample sd,
// n - 1), the user's preference (Preferences > Seed band). Non-finite member values are left
// out of that x; an x where fewer than two finite values remain gets no band point.
#pragma once

#include <QVector>

class QCPAxis;
class QCPGraph;
class QColor;

namespace ms {

enum class SeedBandMode { MinMax = 0, MeanStd = 1 };

// The mode every view uses; set from the app's preferences (default MinMax).
SeedBandMode seed_band_mode();
void set_seed_band_mode(SeedBandMode mode);

struct SeedBand {
  QVector<double> x, lo, hi;
};

// xs[k], ys[k]: member k's curve, x ascending.
SeedBand seed_band(const QVector<QVector<double>>& xs, const QVector<QVector<double>>& ys,
                   SeedBandMode mode);

// Draws the band as two invisible-edged graphs on (keyAxis, valueAxis), the upper filled down to
// the lower in `color` at low alpha, on the grid layer (under every curve), named "<name> band"
// and left out of the legend. Returns the
// upper graph (its channelFillGraph() is the lower), nullptr when the band is empty.
QCPGraph* draw_seed_band(QCPAxis* keyAxis, QCPAxis* valueAxis, const SeedBand& band,
                         const QColor& color, const QString& name);

}  // namespace ms
