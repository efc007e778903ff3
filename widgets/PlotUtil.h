// Small QCustomPlot helpers shared by the views (internal to libmuonscope_widgets).
#pragma once

#include <QSharedPointer>
#include <QVector>
#include <functional>
#include <vector>

#include <qcustomplot.h>

#include <cmath>

#include "train/Snapshot.h"

namespace ms::plotutil {

// Whether a snapshot holds activation metrics (probe loss or any PR value). Runs of checkpoints
// inspected without a probe have weight metrics only; the activation views say so.
inline bool hasActivations(const Snapshot& s) {
  if (std::isfinite(s.val_loss)) return true;
  for (const LayerMetrics& l : s.layers)
    for (const auto& pr : l.pr_sv)
      for (double v : pr)
        if (std::isfinite(v)) return true;
  return false;
}

// Fills `map` with nx x ny cells, cell (ix, iy) centred on the integer coordinate (ix, iy) and
// valued f(ix, iy). QCustomPlot draws a 1-cell dimension with zero width, so such a dimension
// is stored as 2 identical cells at +-0.25, which it draws as one unit-wide cell.
inline void fillColorMap(QCPColorMap* map, int nx, int ny,
                         const std::function<double(int, int)>& f) {
  if (nx <= 0 || ny <= 0) {
    map->data()->clear();
    return;
  }
  const int sx = nx == 1 ? 2 : nx, sy = ny == 1 ? 2 : ny;
  map->data()->setSize(sx, sy);
  map->data()->setRange(nx == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, nx - 1),
                        ny == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, ny - 1));
  for (int ix = 0; ix < sx; ++ix)
    for (int iy = 0; iy < sy; ++iy)
      map->data()->setCell(ix, iy, f(nx == 1 ? 0 : ix, ny == 1 ? 0 : iy));
}

// Ticks on integers only (layers, heads, ranks, groups); set axis->setSubTicks(false) too.
inline QSharedPointer<QCPAxisTickerFixed> integerTicker() {
  QSharedPointer<QCPAxisTickerFixed> t(new QCPAxisTickerFixed);
  t->setTickStep(1.0);
  t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  return t;
}

template <typename T>
QVector<double> toQVector(const std::vector<T>& v) {
  QVector<double> out(static_cast<int>(v.size()));
  for (int i = 0; i < out.size(); ++i) out[i] = static_cast<double>(v[i]);
  return out;
}

// 0, 1, ..., n - 1 (or first, first + 1, ...).
inline QVector<double> iota(int n, double first = 0.0) {
  QVector<double> out(n);
  for (int i = 0; i < n; ++i) out[i] = first + i;
  return out;
}

// Switches an axis between logarithmic (with log ticks) and linear scale.
inline void setLogScale(QCPAxis* axis, bool on) {
  axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (on)
    axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  else
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

}  // namespace ms::plotutil
