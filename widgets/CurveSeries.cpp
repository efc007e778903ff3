// CurveSeries: a drawn curve with its alignments, its long-format CSV and the per-series line
// styles (see CurveSeries.h).
#include "CurveSeries.h"

#include <cmath>

#include <qcustomplot.h>

#include "PlotBase.h"

namespace ms {

void CurveSeries::append(double xv, double value, qint64 stepv, qint64 tokensv, double wallv) {
  x << xv;
  y << value;
  smoothed << value;
  step << stepv;
  tokens << tokensv;
  wall << wallv;
}

QString CurveSeries::csvHeader() {
  return QStringLiteral("run,label,series,step,tokens,wall_s,x,value,smoothed\n");
}

QString CurveSeries::csv(const QVector<CurveSeries>& series,
                         const std::function<QString(int)>& label) {
  return csvHeader() + csvRows(series, label);
}

QString CurveSeries::csvRows(const QVector<CurveSeries>& series,
                             const std::function<QString(int)>& label) {
  QString out;
  for (const CurveSeries& s : series) {
    const QString head = QStringLiteral("%1,%2,%3,")
                             .arg(s.run)
                             .arg(PlotBase::csvField(label(s.run)), PlotBase::csvField(s.name));
    for (int i = 0; i < s.size(); ++i)
      out += head + QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                        .arg(s.step[i])
                        .arg(s.tokens[i])
                        .arg(PlotBase::csvNumber(s.wall[i]), PlotBase::csvNumber(s.x[i]),
                             PlotBase::csvNumber(s.y[i]), PlotBase::csvNumber(s.smoothed[i]));
  }
  return out;
}

Qt::PenStyle CurveSeries::lineStyle(int seriesIndex) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  return styles[((seriesIndex % 4) + 4) % 4];
}

int CurveSeries::markerShape(int seriesIndex) {
  static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc,
                                                         QCPScatterStyle::ssSquare,
                                                         QCPScatterStyle::ssTriangle,
                                                         QCPScatterStyle::ssDiamond,
                                                         QCPScatterStyle::ssCross,
                                                         QCPScatterStyle::ssPlus,
                                                         QCPScatterStyle::ssTriangleInverted,
                                                         QCPScatterStyle::ssStar};
  const int n = static_cast<int>(sizeof(shapes) / sizeof(shapes[0]));
  return shapes[((seriesIndex % n) + n) % n];
}

}  // namespace ms
