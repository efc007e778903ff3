// HeadlessExport: `muonscope --export ...` / `--report DIR ...` (see HeadlessExport.h).
#include "HeadlessExport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>
#include <cstdio>
#include <cstring>
#include <memory>

#include "CompareReport.h"
#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LossPlot.h"
#include "MetricsTable.h"
#include "PRHeatmap.h"
#include "RunFollower.h"
#include "RunLabels.h"
#include "RunModel.h"
#include "SpectrumPlot.h"

namespace ms {

namespace {

const QStringList& plotNames() {
  static const QStringList names = {
      QStringLiteral("loss"),     QStringLiteral("pr"),       QStringLiteral("pr-diff"),
      QStringLiteral("spectrum"), QStringLiteral("isotropy"), QStringLiteral("kv"),
      QStringLiteral("fta"),      QStringLiteral("kivi"),     QStringLiteral("metrics")};
  return names;
}

}  // namespace

bool is_headless_invocation(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--export") == 0 || std::strcmp(argv[i], "--report") == 0 ||
        std::strncmp(argv[i], "--export=", 9) == 0 || std::strncmp(argv[i], "--report=", 9) == 0)
      return true;
  return false;
}

int headless_main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
      qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Muonscope"));
  QCoreApplication::setApplicationName(QStringLiteral("muonscope"));
  return run_headless_export(app.arguments());
}

int run_headless_export(const QStringList& args, QString* message) {
  QTextStream out(stdout), err(stderr);
  auto fail = [&](int code, const QString& msg) {
    err << "muonscope: " << msg << Qt::endl;
    if (message) *message = msg;
    return code;
  };

  QCommandLineParser p;
  p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
  const QCommandLineOption exportOpt(QStringLiteral("export"), QString(), QStringLiteral("OUT"));
  const QCommandLineOption reportOpt(QStringLiteral("report"), QString(), QStringLiteral("DIR"));
  const QCommandLineOption plotOpt(QStringLiteral("plot"), QString(), QStringLiteral("NAME"));
  const QCommandLineOption layerOpt(QStringLiteral("layer"), QString(), QStringLiteral("L"));
  const QCommandLineOption xOpt(QStringLiteral("x"), QString(), QStringLiteral("AXIS"));
  const QCommandLineOption sizeOpt(QStringLiteral("size"), QString(), QStringLiteral("WxH"));
  const QCommandLineOption dpiOpt(QStringLiteral("dpi"), QString(), QStringLiteral("D"));
  const QCommandLineOption matrixOpt(QStringLiteral("matrix"), QString(), QStringLiteral("NAME"));
  const QCommandLineOption tensorOpt(QStringLiteral("tensor"), QString(), QStringLiteral("T"));
  const QCommandLineOption stepOpt(QStringLiteral("step"), QString(), QStringLiteral("S"));
  const QCommandLineOption smoothOpt(QStringLiteral("smoothing"), QString(), QStringLiteral("B"));
  const QCommandLineOption logOpt(QStringLiteral("log-y"));
  p.addOptions({exportOpt, reportOpt, plotOpt, layerOpt, xOpt, sizeOpt, dpiOpt, matrixOpt,
                tensorOpt, stepOpt, smoothOpt, logOpt});
  if (!p.parse(args)) return fail(2, p.errorText());

  const bool isExport = p.isSet(exportOpt), isReport = p.isSet(reportOpt);
  if (isExport == isReport)
    return fail(2, QStringLiteral("give either --export OUT or --report DIR"));

  // Options.
  const QString plot = p.value(plotOpt);
  if (isExport) {
    if (plot.isEmpty())
      return fail(2, QStringLiteral("--export needs --plot (%1)").arg(plotNames().join(", ")));
    if (!plotNames().contains(plot))
      return fail(2,
                  QStringLiteral("unknown plot '%1' (use %2)").arg(plot, plotNames().join(", ")));
  }
  int layer = -1;
  if (p.isSet(layerOpt)) {
    bool ok = false;
    layer = p.value(layerOpt).toInt(&ok);
    if (!ok || layer < 0)
      return fail(
          2, QStringLiteral("--layer must be a layer index >= 0, got '%1'").arg(p.value(layerOpt)));
  }
  PlotBase::XAxis x = PlotBase::XStep;
  if (p.isSet(xOpt)) {
    const QString v = p.value(xOpt);
    if (v == "step")
      x = PlotBase::XStep;
    else if (v == "tokens")
      x = PlotBase::XTokens;
    else if (v == "time" || v == "wall")
      x = PlotBase::XWallTime;
    else
      return fail(2, QStringLiteral("--x must be step, tokens or time, got '%1'").arg(v));
  }
  int width = 1600, height = 1000;
  if (p.isSet(sizeOpt)) {
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("^(\\d{2,5})[xX](\\d{2,5})$")).match(p.value(sizeOpt));
    if (!m.hasMatch())
      return fail(2, QStringLiteral("--size must be WxH in pixels (e.g. 1600x1000), got '%1'")
                         .arg(p.value(sizeOpt)));
    width = m.captured(1).toInt();
    height = m.captured(2).toInt();
  }
  double dpi = 144.0;
  if (p.isSet(dpiOpt)) {
    bool ok = false;
    dpi = p.value(dpiOpt).toDouble(&ok);
    if (!ok || !(dpi >= 24 && dpi <= 2400))
      return fail(
          2, QStringLiteral("--dpi must be a number in [24, 2400], got '%1'").arg(p.value(dpiOpt)));
  }
  int tensor = kActK;
  if (p.isSet(tensorOpt)) {
    const QString v = p.value(tensorOpt);
    tensor = v == "q" ? kActQ : v == "k" ? kActK : v == "v" ? kActV : v == "out" ? kActOut : -1;
    if (tensor < 0)
      return fail(2, QStringLiteral("--tensor must be q, k, v or out, got '%1'").arg(v));
  }
  qint64 step = -1;
  if (p.isSet(stepOpt)) {
    bool ok = false;
    step = p.value(stepOpt).toLongLong(&ok);
    if (!ok || step < 0)
      return fail(2, QStringLiteral("--step must be a step >= 0, got '%1'").arg(p.value(stepOpt)));
  }
  double smoothing = 0.6;
  if (p.isSet(smoothOpt)) {
    bool ok = false;
    smoothing = p.value(smoothOpt).toDouble(&ok);
    if (!ok || !(smoothing >= 0 && smoothing < 1))
      return fail(
          2, QStringLiteral("--smoothing must be in [0, 1), got '%1'").arg(p.value(smoothOpt)));
  }
  QString outPath, suffix;
  if (isExport) {
    outPath = p.value(exportOpt);
    suffix = QFileInfo(outPath).suffix().toLower();
    if (suffix != "png" && suffix != "svg" && suffix != "pdf" && suffix != "csv")
      return fail(2, QStringLiteral("--export %1: the file must end in .png, .svg, .pdf or .csv")
                         .arg(outPath));
  }
  if (p.positionalArguments().isEmpty())
    return fail(2, QStringLiteral("no run files given (RUN.h5 ... or study.json)"));

  // Runs.
  QObject holder;
  LoadedRuns runs;
  try {
    runs = load_runs(p.positionalArguments(), &holder);
  } catch (const std::exception& e) {
    return fail(2, QString::fromUtf8(e.what()));
  }
  for (RunFollower* f : runs.followers) f->close();  // a snapshot in time: no tailing here
  for (const QString& w : runs.warnings) err << "muonscope: warning: " << w << Qt::endl;
  const QVector<RunModel*>& models = runs.models;

  if (isReport) {
    CompareReportOptions o;
    o.title =
        QStringLiteral("Muonscope comparison: %1").arg(runs.labels.join(QStringLiteral(" vs ")));
    o.layer = std::max(0, layer);
    o.size = QSize(width, height);
    o.dpi = dpi;
    o.files = runs.files;
    o.configs = runs.configs;
    for (const auto& d : runs.differences) {
      o.diffKeys << QString::fromStdString(d.key);
      QStringList v;
      for (const auto& s : d.values) v << QString::fromStdString(s);
      o.diffValues << v;
    }
    try {
      const CompareReportResult r = write_compare_report(models, p.value(reportOpt), o);
      for (const QString& n : r.notes) err << "muonscope: note: " << n << Qt::endl;
      for (const QString& f : r.files) out << f << Qt::endl;
    } catch (const std::exception& e) {
      return fail(1, QString::fromUtf8(e.what()));
    }
    return 0;
  }

  // One figure.
  std::unique_ptr<PlotBase> view;
  std::unique_ptr<MetricsTable> table;
  // A curve view: nothing drawn is an error naming why; runs left out are notes.
  auto checkCurves = [&](auto* c) -> bool {
    c->refreshNow();
    if (c->series().isEmpty()) {
      fail(2, QStringLiteral("nothing to draw for --plot %1: %2")
                  .arg(plot, c->missing().join(QStringLiteral("; "))));
      return false;
    }
    for (const QString& m : c->missing()) err << "muonscope: note: " << m << Qt::endl;
    return true;
  };
  if (plot == "loss") {
    auto* c = new LossPlot(models);
    view.reset(c);
    c->setXAxisMode(x);
    c->setSmoothing(smoothing);
    c->setLogY(p.isSet(logOpt));
    if (!checkCurves(c)) return 2;
  } else if (plot == "isotropy") {
    auto* c = new IsotropyPlot(models);
    view.reset(c);
    c->setXAxisMode(x);
    c->setLogY(p.isSet(logOpt));
    c->setLayer(layer);
    c->setMatrices(p.isSet(matrixOpt)
                       ? p.value(matrixOpt).split(QLatin1Char(','))
                       : QStringList{QStringLiteral("vo"), QStringLiteral("mlp.out")});
    if (!checkCurves(c)) return 2;
  } else if (plot == "fta") {
    auto* c = new FTAPlot(models);
    view.reset(c);
    c->setXAxisMode(x);
    c->setFtaChoice(FTAPlot::FtaHeadTail);
    if (!checkCurves(c)) return 2;
  } else if (plot == "kv" || plot == "kivi") {
    auto* c = new KVPlot(models);
    view.reset(c);
    c->setPanels(plot == "kv" ? KVPlot::SpikinessOnly : KVPlot::KiviOnly);
    c->setSpikinessShowsKPre(false);  // K after RoPE and V: the study's asymmetry
    c->setXAxisMode(x);
    c->setLogY(p.isSet(logOpt));
    c->setLayer(layer);
    if (!checkCurves(c)) return 2;
  } else if (plot == "pr" || plot == "pr-diff") {
    auto* h = new PRHeatmap(models);
    view.reset(h);
    h->setTensor(tensor);
    h->setStep(step);
    h->setPanels(plot == "pr" ? PRHeatmap::MapsAndDifference : PRHeatmap::DifferenceOnly);
    bool any = false;
    for (int r = 0; r < models.size(); ++r) any = any || h->snapshotIndexOf(r) >= 0;
    if (!any)
      return fail(2,
                  QStringLiteral("no run has snapshots: nothing to draw for --plot %1").arg(plot));
    if (plot == "pr-diff") {
      if (models.size() != 2)
        err << "muonscope: note: pr-diff subtracts the first run from the second" << Qt::endl;
      const QString problem = h->differenceProblem();
      if (!problem.isEmpty())
        return fail(2, QStringLiteral("incompatible runs for pr-diff: %1").arg(problem));
    }
    h->refreshNow();
  } else if (plot == "spectrum") {
    auto* s = new SpectrumPlot(models);
    view.reset(s);
    s->setLayer(std::max(0, layer));
    s->setStep(step);
    if (p.isSet(matrixOpt)) s->setMatrixName(p.value(matrixOpt));
    if (std::max(0, layer) >= s->maxLayers())
      return fail(2, QStringLiteral("--layer %1: the runs have %2 layer(s)")
                         .arg(std::max(0, layer))
                         .arg(s->maxLayers()));
    s->refreshNow();
    if (s->curves().isEmpty())
      return fail(2, QStringLiteral("nothing to draw for --plot spectrum: %1")
                         .arg(s->missing().join(QStringLiteral("; "))));
    for (const QString& m : s->missing()) err << "muonscope: note: " << m << Qt::endl;
  } else {  // metrics
    table.reset(new MetricsTable(models));
  }

  try {
    if (suffix == "csv") {
      if (view)
        view->exportCsv(outPath);
      else
        table->exportCsv(outPath);
    } else if (view) {
      view->exportImage(outPath, width, height, dpi);
    } else {
      table->exportImage(outPath, width, height, dpi);
    }
  } catch (const std::exception& e) {
    return fail(1, QString::fromUtf8(e.what()));
  }
  out << outPath << Qt::endl;
  return 0;
}

}  // namespace ms
