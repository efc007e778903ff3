// SeedMean (torch-free): the mean run of a seed group. Checked against float64 means computed
// here by hand on the store suites' snapshots (every value a distinct function of its indices):
// fields of every kind (double, float, int, flag; per layer, per head, per matrix, per channel,
// per group, KIVI), NaN entries skipped, the mean of a run with itself is the run bit for bit
// (so no column is lost or mixed up), and step/val rows matched by step.
#include <QtTest>
#include <cmath>

#include "StoreTestData.h"
#include "store/SeedMean.h"

using namespace ms;

class TestSeedMean : public QObject {
  Q_OBJECT
 private slots:
  void snapshotFieldsAreMeans();
  void meanOfIdenticalIsIdentity();
  void rowsMatchedByStep();
};

void TestSeedMean::snapshotFieldsAreMeans() {
  const RunInfo info = mstest::default_info(5);
  const Snapshot a = mstest::make_snapshot(info, 1), b = mstest::make_snapshot(info, 2),
                 c = mstest::make_snapshot(info, 4);
  const Snapshot m = mean_snapshot({&a, &b, &c}, info);
  auto mean3 = [](double x, double y, double z) { return (x + y + z) / 3.0; };
  auto near = [](double x, double y) {
    return std::abs(x - y) <= 1e-12 * std::max(1.0, std::abs(y));
  };
  QVERIFY(near(m.val_loss, mean3(a.val_loss, b.val_loss, c.val_loss)));
  QCOMPARE(m.step, int64_t(std::llround(mean3(a.step, b.step, c.step))));
  QVERIFY(near(m.layers[1].pr_sv[kActK][2],
               mean3(a.layers[1].pr_sv[kActK][2], b.layers[1].pr_sv[kActK][2],
                     c.layers[1].pr_sv[kActK][2])));
  QVERIFY(near(m.layers[0].pr_cov[kActOut][3],
               mean3(a.layers[0].pr_cov[kActOut][3], b.layers[0].pr_cov[kActOut][3],
                     c.layers[0].pr_cov[kActOut][3])));
  QVERIFY(near(m.layers[1].matrices[5].erank,
               mean3(a.layers[1].matrices[5].erank, b.layers[1].matrices[5].erank,
                     c.layers[1].matrices[5].erank)));
  // Singular values are float: the mean is taken in double and stored as float.
  QCOMPARE(m.layers[0].matrices[4].sv[17],
           float(mean3(a.layers[0].matrices[4].sv[17], b.layers[0].matrices[4].sv[17],
                       c.layers[0].matrices[4].sv[17])));
  QCOMPARE(m.layers[1].ov_heads[2].sv[3],
           float(mean3(a.layers[1].ov_heads[2].sv[3], b.layers[1].ov_heads[2].sv[3],
                       c.layers[1].ov_heads[2].sv[3])));
  QCOMPARE(m.layers[1].v.channel[40],
           float(mean3(a.layers[1].v.channel[40], b.layers[1].v.channel[40],
                       c.layers[1].v.channel[40])));
  QVERIFY(near(m.layers[0].k_post.asymmetry,
               mean3(a.layers[0].k_post.asymmetry, b.layers[0].k_post.asymmetry,
                     c.layers[0].k_post.asymmetry)));
  QVERIFY(near(m.fta[4], mean3(a.fta[4], b.fta[4], c.fta[4])));
  // Flags: the majority.
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 4; ++h) {
      const int votes =
          a.layers[l].collapsed[h] + b.layers[l].collapsed[h] + c.layers[l].collapsed[h];
      QCOMPARE(int(m.layers[l].collapsed[h]), votes >= 2 ? 1 : 0);
    }
  // KIVI is computed at even k only (a: k=1 not valid, its values NaN): the valid ones' mean,
  // and "valid" by majority (b and c valid).
  QVERIFY(m.kivi.valid);
  QVERIFY(near(m.kivi.k_chan_v_tok[1], (b.kivi.k_chan_v_tok[1] + c.kivi.k_chan_v_tok[1]) / 2));
  // NaN entries are skipped: update alignment is NaN at k = 0 only.
  const Snapshot z = mstest::make_snapshot(info, 0);
  const Snapshot m2 = mean_snapshot({&z, &b}, info);
  QCOMPARE(m2.layers[0].matrices[2].update_cosine, b.layers[0].matrices[2].update_cosine);
  const Snapshot m3 = mean_snapshot({&z, &z}, info);
  QVERIFY(std::isnan(m3.layers[0].matrices[2].update_cosine));
}

void TestSeedMean::meanOfIdenticalIsIdentity() {
  const RunInfo info = mstest::default_info(7);
  for (int k : {0, 3}) {
    const Snapshot s = mstest::make_snapshot(info, k);
    const Snapshot m = mean_snapshot({&s, &s}, info);
    std::string why;
    QVERIFY2(mstest::same_snapshot(m, s, &why), why.c_str());
  }
}

void TestSeedMean::rowsMatchedByStep() {
  std::vector<StepRecord> a, b;
  for (int i = 0; i < 10; ++i) a.push_back(mstest::make_step(i));       // steps 1..10
  for (int i = 1; i < 12; ++i) b.push_back(mstest::make_step(i + 50));  // rows shifted...
  for (int i = 0; i < 11; ++i) b[i].step = i + 2;                       // ...at steps 2..12
  const std::vector<StepRecord> m = mean_steps({&a, &b});
  QCOMPARE(m.size(), size_t(9));  // steps 2..10
  for (size_t i = 0; i < m.size(); ++i) {
    QCOMPARE(m[i].step, int64_t(i + 2));
    QCOMPARE(m[i].loss, (a[i + 1].loss + b[i].loss) / 2);
  }
  // lr_muon is NaN at every 5th row of a: then b's value alone.
  QCOMPARE(m[4].lr_muon, b[4].lr_muon);  // step 6 = a[5] (NaN) and b[4]
  std::vector<ValRecord> va{mstest::make_val(0), mstest::make_val(1)}, vb{mstest::make_val(1)};
  const std::vector<ValRecord> mv = mean_vals({&va, &vb});
  QCOMPARE(mv.size(), size_t(1));
  QCOMPARE(mv[0].step, int64_t(100));
  QCOMPARE(mv[0].loss, va[1].loss);
  QVERIFY(mean_steps({}).empty());
}

QTEST_APPLESS_MAIN(TestSeedMean)
#include "test_seed_mean.moc"
