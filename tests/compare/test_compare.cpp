// Comparison suite (offscreen): run files written with RunWriter from closed-form synthetic data
// (CompareTestData.h), read back through RunFollower/RunReader. Checks the legend labels from
// differing configs, loading runs and study indexes, the final-metrics table against the closed
// forms and the file (sorting, Ctrl+C TSV), every plot kind exported headless through the views
// of the main window to PNG/SVG/PDF/CSV (sizes, validity, CSV rows), the report (PNG folder +
// index.md + a multi-page PDF) and the exit codes of the headless mode. The views themselves,
// with one and several runs, are tested in tests/widgets.
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <array>
#include <cmath>

#include <qcustomplot.h>

#include "CompareTestData.h"
#include "HeadlessExport.h"
#include "MetricsTable.h"
#include "RunFollower.h"
#include "RunLabels.h"
#include "RunModel.h"
#include "StepSlider.h"
#include "store/RunReader.h"
#include "train/Studies.h"

using namespace ms;

namespace {

bool near(double a, double b, double tol = 1e-9) {
  return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Lines of a CSV file (without the trailing empty line).
QStringList csvLines(const QString& path) {
  QStringList lines = QString::fromUtf8(readAll(path)).split(QLatin1Char('\n'));
  while (!lines.isEmpty() && lines.back().isEmpty()) lines.removeLast();
  return lines;
}

}  // namespace

class TestCompare : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void labelsFromDifferingConfigs();
  void loadRunsAndStudy();
  void metricsTable();
  void exportEveryPlotKind();
  void headlessExitCodes();
  void exportBinaryAsProcess();
  void report();

 private:
  QStringList exportArgs(const QString& out, const QString& plot, const QStringList& runs) const;
  QTemporaryDir tmp_;
  ctest::RunSpec A_, B_, C_, D_, E_;
  QString a_, b_, c_, d_, e_, study_;
};

void TestCompare::initTestCase() {
  QVERIFY(tmp_.isValid());
  A_ = {0, "adamw", 16, 2, 4, 60, 20, 4, false};
  B_ = {1, "muon", 8, 2, 4, 60, 20, 4, false};
  C_ = {2, "muon", 8, 3, 4, 60, 20, 4, true};     // 3 layers: a different shape
  D_ = {4, "adamw", 16, 2, 4, 40, 20, 0, false};  // no tail-QA data
  E_ = {3, "muon", 16, 2, 4, 60, 15, 4, false};   // snapshots at 15, 30, 45, 60
  a_ = tmp_.filePath("adamw.h5");
  b_ = tmp_.filePath("muon.h5");
  c_ = tmp_.filePath("muon-qknorm.h5");
  d_ = tmp_.filePath("nofta.h5");
  e_ = tmp_.filePath("muon15.h5");
  ctest::writeRun(a_.toStdString(), A_);
  ctest::writeRun(b_.toStdString(), B_);
  ctest::writeRun(c_.toStdString(), C_);
  ctest::writeRun(d_.toStdString(), D_);
  ctest::writeRun(e_.toStdString(), E_);
  StudyIndex idx;
  idx.study = "kv-asymmetry";
  idx.members = {{"AdamW", "adamw.h5", "finished", "", "AdamW", 0},
                 {"Muon", "muon.h5", "finished", "", "Muon", 0},
                 {"Muon (VO+FFN)", "never-run.h5", "pending", "", "Muon (VO+FFN)", 0}};
  study_ = tmp_.filePath("study.json");
  QFile f(study_);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray::fromStdString(study_index_to_json(idx)));
}

QStringList TestCompare::exportArgs(const QString& out, const QString& plot,
                                    const QStringList& runs) const {
  return QStringList{"muonscope", "--export", out,     "--plot", plot,
                     "--size",    "640x400",  "--dpi", "96"} +
         runs;
}

void TestCompare::labelsFromDifferingConfigs() {
  auto cfg = [](const char* name, const std::vector<std::string>& set = {}) {
    RunConfig c = preset(name);
    for (const auto& s : set) apply_setting(c, s);
    return config_to_json(c);
  };
  // The source studies' naming.
  QCOMPARE(run_labels({cfg("adamw"), cfg("muon"), cfg("muon-qknorm")}, {}),
           (QStringList{"AdamW", "Muon", "Muon + QK-norm"}));
  QCOMPARE(run_labels({cfg("muon-vo-ffn"), cfg("muon-qk"), cfg("sgd")}, {}),
           (QStringList{"Muon (VO+FFN)", "Muon (QK)", "SGD"}));
  // A hyperparameter difference is named key=value; a Muon-only one is not shown for AdamW.
  QCOMPARE(run_labels({cfg("muon", {"optim.lr_muon=0.01"}), cfg("muon")}, {}),
           (QStringList{"lr_muon=0.01", "lr_muon=0.02"}));
  QCOMPARE(run_labels({cfg("adamw", {"optim.lr_muon=0.05"}), cfg("muon")}, {}),
           (QStringList{"AdamW", "Muon · lr_muon=0.02"}));
  // Only a switch differs: the run without it is named by its absence.
  QCOMPARE(run_labels({cfg("muon"), cfg("muon-qknorm")}, {}),
           (QStringList{"no QK-norm", "QK-norm"}));
  // Identical configs (names and presets are bookkeeping) fall back to the given names.
  QCOMPARE(run_labels({cfg("muon"), cfg("quick")}, {"first", "second"}),
           (QStringList{"first", "second"}));
  // The same config twice: told apart by the fallback, and by position when that is equal too.
  QCOMPARE(run_labels({cfg("adamw"), cfg("muon"), cfg("adamw")}, {"a", "b", "c"}),
           (QStringList{"AdamW (a)", "Muon", "AdamW (c)"}));
  QCOMPARE(run_labels({cfg("adamw"), cfg("muon"), cfg("adamw")}, {"a", "b", "a"}),
           (QStringList{"AdamW (a) #1", "Muon", "AdamW (a) #3"}));
  // Short optimizer names.
  QCOMPARE(optimizer_short_name({"attn.v", "mlp.in"}, "adamw", "gelu"),
           std::string("Muon (V+W_in)"));
  QCOMPARE(optimizer_short_name({"attn.v", "attn.o", "mlp.in", "mlp.out"}, "adamw", "swiglu"),
           std::string("Muon (VO+W_in+W_out)"));
  QCOMPARE(optimizer_short_name(block_matrix_roles(), "adamw", "swiglu"), std::string("Muon"));
  QCOMPARE(optimizer_short_name({}, "sgd", "gelu"), std::string("SGD"));
  // The differing keys, bookkeeping skipped.
  const auto diffs = config_differences({cfg("adamw", {"train.batch_size=8"}), cfg("muon")});
  QStringList keys;
  for (const auto& d : diffs) keys << QString::fromStdString(d.key);
  QVERIFY2(keys.contains("optim.muon") && keys.contains("train.batch_size"),
           qPrintable(keys.join(' ')));
  QVERIFY(!keys.contains("name") && !keys.contains("preset"));
  for (const auto& d : diffs)
    if (d.key == "train.batch_size") QCOMPARE(d.values, (std::vector<std::string>{"8", "16"}));
  QVERIFY(flatten_config_json("not json").empty());
}

void TestCompare::loadRunsAndStudy() {
  QObject holder;
  LoadedRuns r = load_runs({a_, b_}, &holder);
  QCOMPARE(r.models.size(), 2);
  QCOMPARE(r.labels, (QStringList{"AdamW · batch_size=16", "Muon · batch_size=8"}));
  QCOMPARE(r.models[0]->displayName(), r.labels[0]);
  QCOMPARE(r.models[1]->steps().size(), size_t(60));
  QCOMPARE(r.models[1]->snapshots().size(), size_t(3));
  // A study index brings its labels; the member without a file is skipped with a warning.
  LoadedRuns s = load_runs({study_}, &holder);
  QCOMPARE(s.labels, (QStringList{"AdamW", "Muon"}));
  QCOMPARE(s.warnings.size(), 1);
  QVERIFY(s.warnings[0].contains("never-run.h5"));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_runs({tmp_.filePath("missing.h5")}, &holder));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_runs({study_ + ".nope"}, &holder));
  QVERIFY(is_study_index(study_));
  QVERIFY(!is_study_index(a_));
}

void TestCompare::metricsTable() {
  QObject holder;
  LoadedRuns r = load_runs({a_, b_}, &holder);
  MetricsTable t(r.models);
  QTableWidget* tw = t.table();
  QCOMPARE(tw->rowCount(), 2);
  QCOMPARE(tw->item(0, 0)->text(), r.labels[0]);  // run order until the user sorts
  for (int row = 0; row < 2; ++row) {
    const int run = tw->item(row, MetricsTable::ColRun)->data(Qt::UserRole + 1).toInt();
    const ctest::RunSpec& s = run == 0 ? A_ : B_;
    const int K = ctest::snapshotCount(s) - 1, V = ctest::valCount(s);
    auto value = [&](int col) { return tw->item(row, col)->data(Qt::UserRole).toDouble(); };
    // Closed forms.
    double tail = 0;
    for (int st = 55; st <= 60; ++st) tail += ctest::trainLoss(s.id, st);
    double pr = 0, voR = 0, woR = 0, ak = 0, av = 0;
    for (int l = 0; l < s.layers; ++l) {
      for (int h = 0; h < s.heads; ++h) pr += ctest::prSv(s.id, K, l, h, kActK);
      voR += ctest::erank(s.id, K, l, 7);
      woR += ctest::erank(s.id, K, l, 5);
      ak += ctest::asymK(s.id, K, l);
      av += ctest::asymV(s.id, K, l);
    }
    QCOMPARE(tw->item(row, 0)->text(), r.labels[run]);
    QCOMPARE(value(MetricsTable::ColSteps), 60.0);
    QCOMPARE(value(MetricsTable::ColFinalVal), ctest::valLoss(s.id, V - 1));
    QCOMPARE(value(MetricsTable::ColBestVal), ctest::valLoss(s.id, 1));
    QVERIFY(near(value(MetricsTable::ColTrainTail), tail / 6));
    QVERIFY(near(value(MetricsTable::ColMeanPR), pr / (s.layers * s.heads)));
    QVERIFY(near(value(MetricsTable::ColERankVO), voR / s.layers));
    QVERIFY(near(value(MetricsTable::ColERankWout), woR / s.layers));
    QVERIFY(near(value(MetricsTable::ColAsymK), ak / s.layers));
    QVERIFY(near(value(MetricsTable::ColAsymV), av / s.layers));
    QCOMPARE(value(MetricsTable::ColTailFTA), ctest::fta(s.id, K, s.fta_groups - 1));
    // And what the file itself says.
    RunReader reader((run == 0 ? a_ : b_).toStdString());
    QCOMPARE(value(MetricsTable::ColFinalVal), reader.vals().back().loss);
    const Snapshot last = reader.snapshot(reader.num_snapshots() - 1);
    QCOMPARE(value(MetricsTable::ColTailFTA), last.fta.back());
  }
  // Sortable: by final val loss, descending, Muon (higher loss here) first.
  tw->sortByColumn(MetricsTable::ColFinalVal, Qt::DescendingOrder);
  QCOMPARE(tw->item(0, 0)->text(), r.labels[1]);
  tw->sortByColumn(MetricsTable::ColFinalVal, Qt::AscendingOrder);
  QCOMPARE(tw->item(0, 0)->text(), r.labels[0]);
  // Ctrl+C: the whole table as TSV without a selection, the selected cells with one.
  QApplication::clipboard()->clear();
  QTest::keyClick(tw, Qt::Key_C, Qt::ControlModifier);
  QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 3);
  QCOMPARE(lines[0].split('\t').size(), int(MetricsTable::ColCount));
  QVERIFY(lines[0].startsWith("Run\tSteps\tFinal val loss"));
  QCOMPARE(lines[1].split('\t')[0], r.labels[0]);
  QCOMPARE(lines[1].split('\t')[MetricsTable::ColBestVal].toDouble(), ctest::valLoss(0, 1));
  tw->setRangeSelected(
      QTableWidgetSelectionRange(1, MetricsTable::ColBestVal, 1, MetricsTable::ColBestVal), true);
  QTest::keyClick(tw, Qt::Key_C, Qt::ControlModifier);
  lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines, (QStringList{"Best val loss", QString::number(ctest::valLoss(1, 1), 'g', 10)}));
  // CSV: a header of keys, one row per run.
  const QStringList csv = t.csv().split('\n', Qt::SkipEmptyParts);
  QCOMPARE(csv.size(), 3);
  QVERIFY(csv[0].startsWith("run,steps,final_val_loss,best_val_loss"));
}

void TestCompare::exportEveryPlotKind() {
  const QDir out(tmp_.filePath("exports"));
  QVERIFY(QDir().mkpath(out.path()));
  // Expected CSV rows (beyond the header) and columns for runs A and B.
  struct Kind {
    QString plot;
    int rows, cols;
  };
  const int S = 3;  // snapshots per run
  const QList<Kind> kinds = {
      {"loss", 2 * (60 + 6), 9},   {"pr", 2 * 8 + 8, 7},       {"pr-diff", 8, 7},
      {"spectrum", 2 * 8 * 64, 7}, {"isotropy", 2 * 2 * S, 9}, {"kv", 2 * 2 * S, 9},
      {"fta", 2 * 2 * S, 9},       {"kivi", 2 * 2 * 2, 9},     {"metrics", 2, 11}};
  for (const Kind& k : kinds) {
    for (const QString fmt : {"png", "svg", "pdf", "csv"}) {
      const QString path = out.filePath(k.plot + "." + fmt);
      QString msg;
      const int rc = run_headless_export(exportArgs(path, k.plot, {a_, b_}), &msg);
      QVERIFY2(rc == 0, qPrintable(k.plot + "." + fmt + ": " + msg));
      QVERIFY2(QFileInfo(path).size() > 0, qPrintable(path));
      if (fmt == QLatin1String("png")) {
        QCOMPARE(QImage(path).size(), QSize(640, 400));
      } else if (fmt == QLatin1String("svg")) {
        QSvgRenderer svg(path);
        QVERIFY2(svg.isValid(), qPrintable(path));
        QXmlStreamReader xml(readAll(path));
        while (!xml.atEnd()) xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(path + ": " + xml.errorString()));
      } else if (fmt == QLatin1String("pdf")) {
        QVERIFY2(readAll(path).startsWith("%PDF"), qPrintable(path));
      } else {
        const QStringList lines = csvLines(path);
        QCOMPARE(lines.size() - 1, k.rows);
        for (const QString& line : lines) QCOMPARE(line.split(',').size(), k.cols);
      }
    }
  }
  // A higher DPI gives the same figure, sharper: 1280x800 at 192 dpi scaled down matches
  // 640x400 at 96 dpi (fonts must not grow with the DPI on top of the scale).
  const QString big = out.filePath("loss-192.png");
  QCOMPARE(run_headless_export({"muonscope", "--export", big, "--plot", "loss", "--size",
                                "1280x800", "--dpi", "192", a_, b_}),
           0);
  const QImage small = QImage(out.filePath("loss.png")).convertToFormat(QImage::Format_Grayscale8);
  const QImage down = QImage(big)
                          .scaled(640, 400, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                          .convertToFormat(QImage::Format_Grayscale8);
  QCOMPARE(QImage(big).dotsPerMeterX(), qRound(192 / 0.0254));
  double diff = 0;
  for (int y = 0; y < 400; ++y)
    for (int x = 0; x < 640; ++x)
      diff += std::abs(small.pixelColor(x, y).value() - down.pixelColor(x, y).value());
  diff /= 640.0 * 400.0;
  QVERIFY2(diff < 4.5, qPrintable(QString::number(diff)));
  // Loss CSV rows are the files' rows: run B's train rows carry its own steps and tokens.
  const QStringList loss = csvLines(out.filePath("loss.csv"));
  QCOMPARE(loss[0], QString("run,label,series,step,tokens,wall_s,x,value,smoothed"));
  const QStringList row = loss[1 + 66 + 9].split(',');  // run 1, train row 9 (step 10)
  QCOMPARE(row[0], QString("1"));
  QCOMPARE(row[2], QString("train"));
  QCOMPARE(row[3].toLongLong(), 10);
  QCOMPARE(row[4].toLongLong(), 10LL * 8 * ctest::kSeq);
  QVERIFY(near(row[7].toDouble(), ctest::trainLoss(1, 10)));
  // The x option aligns by tokens in the export too.
  const QString tok = out.filePath("loss-tokens.csv");
  QCOMPARE(run_headless_export(exportArgs(tok, "loss", {a_, b_}) + QStringList{"--x", "tokens"}),
           0);
  QCOMPARE(csvLines(tok)[1 + 66 + 9].split(',')[6].toDouble(), 10.0 * 8 * ctest::kSeq);
  // pr-diff CSV of a run with itself: all zeros.
  const QString selfDiff = out.filePath("self-diff.csv");
  QCOMPARE(run_headless_export(exportArgs(selfDiff, "pr-diff", {a_, a_})), 0);
  const QStringList sd = csvLines(selfDiff);
  QCOMPARE(sd.size(), 9);
  for (int i = 1; i < sd.size(); ++i) QCOMPARE(sd[i].split(',').back().toDouble(), 0.0);
}

void TestCompare::headlessExitCodes() {
  const QString png = tmp_.filePath("codes.png");
  QString msg;
  QCOMPARE(run_headless_export(exportArgs(png, "loss", {a_, b_}), &msg), 0);
  QCOMPARE(run_headless_export(exportArgs(png, "bogus", {a_, b_}), &msg), 2);
  QVERIFY(msg.contains("unknown plot 'bogus'"));
  QCOMPARE(run_headless_export(exportArgs(png, "loss", {a_, tmp_.filePath("missing.h5")}), &msg),
           2);
  QVERIFY(msg.contains("missing.h5"));
  QCOMPARE(run_headless_export(exportArgs(png, "pr-diff", {a_, c_}), &msg), 2);
  QVERIFY(msg.contains("incompatible"));
  QCOMPARE(run_headless_export(exportArgs(png, "pr", {a_, c_}), &msg), 0);  // maps still drawn
  QCOMPARE(run_headless_export(exportArgs(png, "fta", {d_}), &msg), 2);     // no FTA data
  QCOMPARE(
      run_headless_export(exportArgs(png, "spectrum", {a_}) + QStringList{"--layer", "7"}, &msg),
      2);
  QCOMPARE(run_headless_export(exportArgs(png, "loss", {}), &msg), 2);
  QCOMPARE(run_headless_export(exportArgs(tmp_.filePath("x.txt"), "loss", {a_}), &msg), 2);
  QCOMPARE(run_headless_export(exportArgs(png, "loss", {a_}) + QStringList{"--frobnicate"}, &msg),
           2);
  QCOMPARE(run_headless_export(
               {"muonscope", "--export", png, "--plot", "loss", "--size", "big", a_}, &msg),
           2);
  QCOMPARE(run_headless_export({"muonscope", "--export", png, "--report", tmp_.path(), a_}, &msg),
           2);
  QCOMPARE(run_headless_export(exportArgs(png, "loss", {a_}) + QStringList{"--x", "epochs"}, &msg),
           2);
  QCOMPARE(run_headless_export(exportArgs("/nonexistent-dir/x.png", "loss", {a_}), &msg), 1);
  // A study index instead of run files: its labels name the runs.
  const QString csv = tmp_.filePath("study-loss.csv");
  QCOMPARE(run_headless_export(exportArgs(csv, "loss", {study_}), &msg), 0);
  const QStringList lines = csvLines(csv);
  QCOMPARE(lines[1].split(',')[1], QString("AdamW"));
  QCOMPARE(lines.back().split(',')[1], QString("Muon"));
  QVERIFY(is_headless_invocation(
      3, std::array<char*, 3>{(char*)"m", (char*)"--report", (char*)"d"}.data()));
  QVERIFY(!is_headless_invocation(2, std::array<char*, 2>{(char*)"m", (char*)"run.h5"}.data()));
}

// The installed entry point: the muonscope binary itself, run as a user would from a shell
// (offscreen, no display), writes the figure and exits 0; a bad plot name exits 2 with the
// message on stderr; without --export it would open a window, so is_headless_invocation above
// covers that path.
void TestCompare::exportBinaryAsProcess() {
  const QString png = tmp_.filePath("process-loss.png");
  auto run = [](const QStringList& args, QString* err) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    p.start(MUONSCOPE_GUI_BIN, args);
    if (!p.waitForFinished(120000)) {
      p.kill();
      return -1;
    }
    *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  };
  QString err;
  QCOMPARE(run({"--export", png, "--plot", "loss", "--size", "640x400", a_, b_}, &err), 0);
  const QImage img(png);
  QCOMPARE(img.size(), QSize(640, 400));
  QCOMPARE(run({"--export", png, "--plot", "bogus", a_}, &err), 2);
  QVERIFY2(err.contains("unknown plot 'bogus'"), qPrintable(err));
  QCOMPARE(run({"--export", tmp_.filePath("p.csv"), "--plot", "loss", a_, tmp_.filePath("gone.h5")},
               &err),
           2);
  QVERIFY2(err.contains("gone.h5"), qPrintable(err));
}

void TestCompare::report() {
  const QString dir = tmp_.filePath("report");
  QString msg;
  QCOMPARE(run_headless_export({"muonscope", "--report", dir, "--size", "800x500", "--dpi", "96",
                                "--layer", "1", a_, b_},
                               &msg),
           0);
  for (const char* f :
       {"loss", "pr", "isotropy", "kv", "kivi", "fta", "spectrum-layer1", "metrics"}) {
    QCOMPARE(QImage(QDir(dir).filePath(QString(f) + ".png")).width(), 800);
    QVERIFY(QFileInfo(QDir(dir).filePath(QString(f) + ".csv")).size() > 0);
  }
  const QString md = QString::fromUtf8(readAll(QDir(dir).filePath("index.md")));
  QVERIFY(md.startsWith("# Muonscope comparison: AdamW · batch_size=16 vs Muon · batch_size=8"));
  QVERIFY(md.contains("![Loss](loss.png)"));
  QVERIFY(md.contains("](spectrum-layer1.png)"));
  QVERIFY(md.contains("| `optim.muon` |"));
  QCOMPARE(md.count("```json"), 2);
  // Each run's section holds its own config as JSON, in the order of the runs.
  const QRegularExpression jsonBlock("```json\\n(.*?)\\n```",
                                     QRegularExpression::DotMatchesEverythingOption);
  std::vector<QJsonObject> configs;
  for (auto it = jsonBlock.globalMatch(md); it.hasNext();) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(it.next().captured(1).toUtf8(), &err);
    QVERIFY2(doc.isObject(), qPrintable(err.errorString()));
    configs.push_back(doc.object());
  }
  QCOMPARE(int(configs.size()), 2);
  const auto batch = [&](int i) {
    return configs[i].value("train").toObject().value("batch_size");
  };
  QCOMPARE(batch(0).toInt(), 16);
  QCOMPARE(batch(1).toInt(), 8);
  QCOMPARE(configs[0].value("name").toString(), QString("adamw"));
  QCOMPARE(configs[1].value("name").toString(), QString("muon"));
  QVERIFY(md.contains(QString::number(ctest::valLoss(0, 1), 'f', 4)));  // the metrics table
  const QByteArray pdf = readAll(QDir(dir).filePath("report.pdf"));
  QVERIFY(pdf.startsWith("%PDF"));
  // One page per figure (8) plus the config pages.
  const int pages = QString::fromLatin1(pdf).count(QRegularExpression("/Type\\s*/Page[^s]"));
  QVERIFY2(pages >= 9, qPrintable(QString::number(pages)));
  // Runs of different shapes: the report is written, the difference says why it is missing.
  const QString dir2 = tmp_.filePath("report2");
  QCOMPARE(run_headless_export({"muonscope", "--report", dir2, "--size", "640x400", a_, c_}, &msg),
           0);
  QVERIFY(
      QString::fromUtf8(readAll(QDir(dir2).filePath("index.md"))).contains("Difference not drawn"));
}

QTEST_MAIN(TestCompare)
#include "test_compare.moc"
