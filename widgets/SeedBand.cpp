// SeedBand: min-max or mean +- sd band over a seed group's member curves (see SeedBand.h).
#include "SeedBand.h"

#include <QColor>
#include <QMap>
#include <algorithm>
#include <atomic>
#include <cmath>

#include <qcustomplot.h>

namespace ms {

namespace {
std::atomic<int> g_mode{static_cast<int>(SeedBandMode::MinMax)};
}  // namespace

SeedBandMode seed_band_mode() {
  return static_cast<SeedBandMode>(g_mode.load());
}

void set_seed_band_mode(SeedBandMode mode) {
  g_mode.store(static_cast<int>(mode));
}

SeedBand seed_band(const QVector<QVector<double>>& xs, const QVector<QVector<double>>& ys,
                   SeedBandMode mode) {
  SeedBand out;
  const int n = std::min(xs.size(), ys.size());
  if (n == 0) return out;
  // The values of every member at each x (exact match), in x order.
  QMap<double, QVector<double>> at;
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < std::min(xs[k].size(), ys[k].size()); ++i) at[xs[k][i]].push_back(ys[k][i]);
  for (auto it = at.cbegin(); it != at.cend(); ++it) {
    if (it.value().size() != n) continue;  // not every member has this x
    QVector<double> v;
    for (double y : it.value())
      if (std::isfinite(y)) v.push_back(y);
    if (v.size() < 2) continue;
    double lo, hi;
    if (mode == SeedBandMode::MinMax) {
      lo = *std::min_element(v.begin(), v.end());
      hi = *std::max_element(v.begin(), v.end());
    } else {
      double mean = 0;
      for (double y : v) mean += y;
      mean /= v.size();
      double ss = 0;
      for (double y : v) ss += (y - mean) * (y - mean);
      const double sd = std::sqrt(ss / (v.size() - 1));
      lo = mean - sd;
      hi = mean + sd;
    }
    out.x.push_back(it.key());
    out.lo.push_back(lo);
    out.hi.push_back(hi);
  }
  return out;
}

QCPGraph* draw_seed_band(QCPAxis* keyAxis, QCPAxis* valueAxis, const SeedBand& band,
                         const QColor& color, const QString& name) {
  if (band.x.isEmpty() || !keyAxis || !valueAxis) return nullptr;
  QCustomPlot* plot = keyAxis->parentPlot();
  QCPGraph* lo = plot->addGraph(keyAxis, valueAxis);
  QCPGraph* hi = plot->addGraph(keyAxis, valueAxis);
  lo->setData(band.x, band.lo, true);
  hi->setData(band.x, band.hi, true);
  lo->setPen(Qt::NoPen);
  hi->setPen(Qt::NoPen);
  QColor fill = color;
  fill.setAlpha(50);
  hi->setBrush(fill);
  hi->setChannelFillGraph(lo);
  lo->setName(name + QStringLiteral(" band (lower)"));
  hi->setName(name + QStringLiteral(" band"));
  lo->removeFromLegend();
  hi->removeFromLegend();
  lo->setSelectable(QCP::stNone);
  hi->setSelectable(QCP::stNone);
  // Under every curve: the grid layer is drawn before the main one.
  if (plot->layer(QStringLiteral("grid"))) {
    lo->setLayer(QStringLiteral("grid"));
    hi->setLayer(QStringLiteral("grid"));
  }
  return hi;
}

}  // namespace ms
