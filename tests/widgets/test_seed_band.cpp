// SeedBand (offscreen): the band around a seed group's mean curve, checked against hand values:
// min-max and mean +- sample sd at each x all members share, NaN members left out, x missing in
// one member skipped; the drawn band is two graphs filled between, out of the legend.
#include <QtTest>
#include <cmath>

#include <qcustomplot.h>

#include "SeedBand.h"

using namespace ms;

class TestSeedBand : public QObject {
  Q_OBJECT
 private slots:
  void minMaxAndStd();
  void drawnAsFilledPair();
};

void TestSeedBand::minMaxAndStd() {
  const double nan = std::nan("");
  const QVector<QVector<double>> xs = {{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 4}};
  const QVector<QVector<double>> ys = {{1.0, 5.0, 7.0, 2.0}, {3.0, nan, 9.0, 4.0}, {2.0, 8.0, 9.0}};
  const SeedBand mm = seed_band(xs, ys, SeedBandMode::MinMax);
  // x = 3 is missing in the third member: no point there.
  QCOMPARE(mm.x, (QVector<double>{1, 2, 4}));
  QCOMPARE(mm.lo, (QVector<double>{1.0, 5.0, 2.0}));  // x = 2: the NaN is left out
  QCOMPARE(mm.hi, (QVector<double>{3.0, 8.0, 9.0}));
  const SeedBand sd = seed_band(xs, ys, SeedBandMode::MeanStd);
  // x = 1: values 1, 3, 2: mean 2, sample sd 1. x = 2: 5, 8: mean 6.5, sd sqrt(4.5).
  QCOMPARE(sd.lo[0], 1.0);
  QCOMPARE(sd.hi[0], 3.0);
  QVERIFY(std::abs(sd.lo[1] - (6.5 - std::sqrt(4.5))) < 1e-12);
  QVERIFY(std::abs(sd.hi[1] - (6.5 + std::sqrt(4.5))) < 1e-12);
  // x = 4: 2, 4, 9: mean 5, sd sqrt((9 + 1 + 16) / 2) = sqrt(13).
  QVERIFY(std::abs(sd.hi[2] - (5 + std::sqrt(13.0))) < 1e-12);
  // One finite value is no band.
  QVERIFY(seed_band({{1}, {1}}, {{1.0}, {nan}}, SeedBandMode::MinMax).x.isEmpty());
  QVERIFY(seed_band({}, {}, SeedBandMode::MinMax).x.isEmpty());
}

void TestSeedBand::drawnAsFilledPair() {
  QCustomPlot plot;
  plot.legend->setVisible(true);
  SeedBand b;
  b.x = {1, 2};
  b.lo = {0.5, 1.5};
  b.hi = {1.5, 2.5};
  QCPGraph* hi = draw_seed_band(plot.xAxis, plot.yAxis, b, Qt::red, QStringLiteral("AdamW"));
  QVERIFY(hi);
  QCOMPARE(plot.graphCount(), 2);
  QVERIFY(hi->channelFillGraph());
  QCOMPARE(hi->channelFillGraph()->data()->at(1)->value, 1.5);
  QCOMPARE(hi->data()->at(0)->value, 1.5);
  QCOMPARE(hi->brush().color().alpha(), 50);
  QCOMPARE(plot.legend->itemCount(), 0);
  QVERIFY(!draw_seed_band(plot.xAxis, plot.yAxis, SeedBand{}, Qt::red, QString()));
  QCOMPARE(seed_band_mode(), SeedBandMode::MinMax);
  set_seed_band_mode(SeedBandMode::MeanStd);
  QCOMPARE(seed_band_mode(), SeedBandMode::MeanStd);
}

QTEST_MAIN(TestSeedBand)
#include "test_seed_band.moc"
