// CurveSeries: one drawn curve of a curve view (LossPlot, IsotropyPlot, FTAPlot, KVPlot): the
// points of one run's series (x on the view's axis, value, what is drawn) with each point's step,
// tokens and wall time, so the CSV carries every alignment whatever the x axis. The views share its
// long-format CSV (run,label,series,step,tokens,wall_s,x,value,smoothed: one row per point) and
// the line styles and markers that tell several series of one run apart (the run has the colour).
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>
#include <functional>

namespace ms {

class CurveSeries {
 public:
  int run = 0;               // index into the view's run list
  QString name;              // e.g. "train", "val", "W_VO (sum over heads)", "tail g=3"
  QVector<double> x, y;      // x on the view's axis; y the value
  QVector<double> smoothed;  // what is drawn: == y except for the smoothed train loss
  QVector<qint64> step, tokens;
  QVector<double> wall;

  int size() const { return static_cast<int>(x.size()); }
  bool isEmpty() const { return x.isEmpty(); }
  // Appends one point whose drawn value is its value.
  void append(double xv, double value, qint64 stepv, qint64 tokensv, double wallv);

  static QString csvHeader();  // "run,label,series,step,tokens,wall_s,x,value,smoothed\n"
  // The header and one row per point of every series; label(run) names the run.
  static QString csv(const QVector<CurveSeries>& series, const std::function<QString(int)>& label);
  // The rows alone (no header), for a view that writes more rows of the same format.
  static QString csvRows(const QVector<CurveSeries>& series,
                         const std::function<QString(int)>& label);

  // Pen style and marker shape of the i-th series of a run (solid, dashed, dotted, dash-dot,
  // then the same with other markers).
  static Qt::PenStyle lineStyle(int seriesIndex);
  static int markerShape(int seriesIndex);  // a QCPScatterStyle::ScatterShape
};

}  // namespace ms
