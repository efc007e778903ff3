// CompareReport: the comparison report as PNG folder + index.md and/or one PDF (see
// CompareReport.h).
#include "CompareReport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTableWidget>
#include <functional>
#include <memory>
#include <stdexcept>

#include <qcustomplot.h>

#include "FTAPlot.h"
#include "IsotropyPlot.h"
#include "KVPlot.h"
#include "LossPlot.h"
#include "MetricsTable.h"
#include "PRHeatmap.h"
#include "SpectrumPlot.h"

namespace ms {

namespace {

QString tr(const char* s) {
  return QCoreApplication::translate("ms::CompareReport", s);
}

std::runtime_error fileError(const QString& what, const QString& path) {
  return std::runtime_error(QStringLiteral("%1: %2").arg(what, path).toStdString());
}

void writeText(const QString& path, const QString& text) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
    throw fileError(QStringLiteral("could not open for writing (%1)").arg(f.errorString()), path);
  const QByteArray bytes = text.toUtf8();
  if (f.write(bytes) != bytes.size())
    throw fileError(QStringLiteral("could not write (%1)").arg(f.errorString()), path);
}

QString mdCell(QString s) {
  s.replace(QLatin1Char('|'), QStringLiteral("\\|"));
  s.replace(QLatin1Char('\n'), QLatin1Char(' '));
  return s;
}

// One figure of the report: a view (a PlotBase or the metrics table) and how to name it.
struct Figure {
  QString name;   // file stem: loss, pr, ...
  QString title;  // heading in the index / PDF
  PlotBase* plot = nullptr;
  MetricsTable* table = nullptr;
  QString note;  // shown under the figure (e.g. why the difference is missing)
};

}  // namespace

CompareReportResult write_compare_report(const QVector<RunModel*>& runs, const QString& dir,
                                         const CompareReportOptions& o) {
  CompareReportResult result;
  if (!QDir().mkpath(dir)) throw fileError(QStringLiteral("could not create the folder"), dir);
  const QDir out(dir);
  const QString title = o.title.isEmpty() ? tr("Muonscope comparison") : o.title;
  auto label = [&](int i) {
    const QString n = runs[i] ? runs[i]->displayName() : QString();
    return n.isEmpty() ? QStringLiteral("run %1").arg(i + 1) : n;
  };

  // The views, parented to one hidden widget so they go away together.
  QWidget holder;
  holder.resize(o.size);
  std::vector<Figure> figs;
  auto* loss = new LossPlot(runs, &holder);
  loss->setShowRaw(false);  // the smoothed curves read better in print
  figs.push_back({QStringLiteral("loss"), tr("Loss"), loss, nullptr, QString()});

  auto* pr = new PRHeatmap(runs, &holder);
  pr->refreshNow();
  QString prNote;
  if (runs.size() >= 2 && !pr->differenceProblem().isEmpty()) {
    prNote = tr("Difference not drawn: ") + pr->differenceProblem();
    result.notes << prNote;
  }
  figs.push_back({QStringLiteral("pr"),
                  runs.size() >= 2 ? tr("Participation ratio (PR_sv of k) and difference")
                                   : tr("Participation ratio (PR_sv of k)"),
                  pr, nullptr, prNote});

  auto* iso = new IsotropyPlot(runs, &holder);
  iso->setMatrices({QStringLiteral("vo"), QStringLiteral("mlp.out")});
  figs.push_back({QStringLiteral("isotropy"),
                  tr("Isotropy: eRank of W_VO (sum over heads) and W_out"), iso, nullptr,
                  QString()});
  auto* kv = new KVPlot(runs, &holder);
  kv->setPanels(KVPlot::SpikinessOnly);
  kv->setSpikinessShowsKPre(false);
  kv->setLayer(-1);
  figs.push_back({QStringLiteral("kv"), tr("K/V asymmetry (channel / token max-mean ratio)"), kv,
                  nullptr, QString()});
  auto* kivi = new KVPlot(runs, &holder);
  kivi->setPanels(KVPlot::KiviOnly);
  kivi->refreshNow();
  if (!kivi->series().isEmpty())
    figs.push_back({QStringLiteral("kivi"), tr("KIVI quantized-cache loss (2-bit)"), kivi, nullptr,
                    QString()});
  auto* fta = new FTAPlot(runs, &holder);
  fta->setFtaChoice(FTAPlot::FtaHeadTail);
  fta->refreshNow();
  if (!fta->series().isEmpty())
    figs.push_back({QStringLiteral("fta"), tr("Tail QA: first-token accuracy (head and tail)"), fta,
                    nullptr, QString()});
  else
    result.notes << tr("No run has tail-QA data: the FTA figure is left out.");
  auto* spec = new SpectrumPlot(runs, &holder);
  spec->setLayer(o.layer);
  spec->refreshNow();
  QString specNote;
  if (!spec->missing().isEmpty()) {
    specNote = tr("Not drawn: ") + spec->missing().join(QStringLiteral("; "));
    result.notes << specNote;
  }
  figs.push_back({QStringLiteral("spectrum-layer%1").arg(o.layer),
                  tr("Singular values of layer %1").arg(o.layer), spec, nullptr, specNote});
  auto* table = new MetricsTable(runs, &holder);
  figs.push_back({QStringLiteral("metrics"), tr("Final metrics"), nullptr, table, QString()});

  // ---- PNG folder + index.md ----
  if (o.pngFolder) {
    QString md;
    md += QStringLiteral("# %1\n\n").arg(title);
    md += tr("Written by Muonscope on %1.\n\n")
              .arg(QDateTime::currentDateTime().toString(Qt::ISODate));
    md += QStringLiteral("| # | %1 | %2 | %3 |\n|---|---|---|---|\n")
              .arg(tr("Run"), tr("File"), tr("Optimizers"));
    for (int i = 0; i < runs.size(); ++i)
      md += QStringLiteral("| %1 | %2 | %3 | %4 |\n")
                .arg(i + 1)
                .arg(mdCell(label(i)),
                     mdCell(i < o.files.size() ? QFileInfo(o.files[i]).fileName() : QString()),
                     mdCell(runs[i] ? QString::fromStdString(runs[i]->info().optimizer_summary)
                                    : QString()));
    md += QLatin1Char('\n');
    for (const Figure& f : figs) {
      const QString png = out.filePath(f.name + QStringLiteral(".png"));
      const QString csv = out.filePath(f.name + QStringLiteral(".csv"));
      if (f.plot) {
        f.plot->exportImage(png, o.size.width(), o.size.height(), o.dpi);
        f.plot->exportCsv(csv);
      } else {
        const int rows = f.table->table()->rowCount();
        const int h = std::min(o.size.height(), qRound((rows + 4) * 40 * o.dpi / 96.0));
        f.table->exportImage(png, o.size.width(), h, o.dpi);
        f.table->exportCsv(csv);
      }
      result.files << png << csv;
      md += QStringLiteral("## %1\n\n![%1](%2)\n\n").arg(f.title, f.name + QStringLiteral(".png"));
      if (!f.note.isEmpty()) md += QStringLiteral("*%1*\n\n").arg(f.note);
      md += tr("Data: [%1](%1)\n\n").arg(f.name + QStringLiteral(".csv"));
      if (f.table) {
        QStringList head, rule;
        for (int c = 0; c < MetricsTable::ColCount; ++c) {
          head << mdCell(MetricsTable::columnName(c));
          rule << (c == 0 ? QStringLiteral("---") : QStringLiteral("---:"));
        }
        md += QStringLiteral("| %1 |\n|%2|\n")
                  .arg(head.join(QStringLiteral(" | ")), rule.join(QLatin1Char('|')));
        for (int r = 0; r < f.table->table()->rowCount(); ++r) {
          QStringList cells;
          for (int c = 0; c < MetricsTable::ColCount; ++c) {
            const QTableWidgetItem* it = f.table->table()->item(r, c);
            cells << mdCell(it ? it->text() : QString());
          }
          md += QStringLiteral("| %1 |\n").arg(cells.join(QStringLiteral(" | ")));
        }
        md += QLatin1Char('\n');
      }
    }
    md += QStringLiteral("## %1\n\n").arg(tr("Configuration"));
    if (!o.diffKeys.isEmpty()) {
      md += QStringLiteral("### %1\n\n| %2 |").arg(tr("What differs"), tr("Key"));
      for (int i = 0; i < runs.size(); ++i) md += QStringLiteral(" %1 |").arg(mdCell(label(i)));
      md += QStringLiteral("\n|---|");
      for (int i = 0; i < runs.size(); ++i) md += QStringLiteral("---|");
      md += QLatin1Char('\n');
      for (int k = 0; k < o.diffKeys.size(); ++k) {
        md += QStringLiteral("| `%1` |").arg(o.diffKeys[k]);
        for (int i = 0; i < runs.size(); ++i)
          md += QStringLiteral(" %1 |").arg(
              mdCell(k < o.diffValues.size() && i < o.diffValues[k].size() ? o.diffValues[k][i]
                                                                           : QString()));
        md += QLatin1Char('\n');
      }
      md += QLatin1Char('\n');
    }
    for (int i = 0; i < runs.size(); ++i) {
      md += QStringLiteral("### %1\n\n").arg(label(i));
      if (i < o.files.size() && !o.files[i].isEmpty())
        md += QStringLiteral("`%1`\n\n").arg(o.files[i]);
      QString cfg = i < o.configs.size() ? o.configs[i] : QString();
      if (cfg.isEmpty() && runs[i]) cfg = QString::fromStdString(runs[i]->info().config_json);
      md += QStringLiteral("```json\n%1\n```\n\n").arg(cfg.trimmed());
    }
    const QString index = out.filePath(QStringLiteral("index.md"));
    writeText(index, md);
    result.files << index;
  }

  // ---- one PDF: a page per figure, then the configs ----
  if (o.pdf) {
    const QString path =
        o.pdfPath.isEmpty() ? out.filePath(QStringLiteral("report.pdf")) : o.pdfPath;
    QPdfWriter writer(path);
    writer.setCreator(QStringLiteral("Muonscope"));
    writer.setTitle(title);
    writer.setResolution(96);  // point-size fonts resolve as on screen, where the layout is done
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter));
    QCPPainter painter;
    if (!painter.begin(&writer)) throw fileError(QStringLiteral("could not write the PDF"), path);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setMode(QCPPainter::pmNonCosmetic);
    const QRect page = writer.pageLayout().paintRectPixels(writer.resolution());
    // Lay figures out at a screen-like logical size, then scale to the page.
    const double lw = 1100.0, lh = lw * page.height() / page.width();
    const double s = page.width() / lw;
    QFont headFont = holder.font();
    headFont.setPixelSize(22);
    headFont.setBold(true);
    QFont noteFont = holder.font();
    noteFont.setPixelSize(13);
    for (size_t fi = 0; fi < figs.size(); ++fi) {
      const Figure& f = figs[fi];
      if (fi > 0) writer.newPage();
      painter.save();
      painter.scale(s, s);
      painter.setPen(Qt::black);
      painter.setFont(headFont);
      painter.drawText(QRectF(0, 0, lw, 34), Qt::AlignLeft | Qt::AlignVCenter,
                       fi == 0 ? title + QStringLiteral(" — ") + f.title : f.title);
      const double top = 40, bottom = f.note.isEmpty() ? 0 : 30;
      const QRectF area(0, top, lw, lh - top - bottom);
      if (f.plot) {
        f.plot->refreshNow();
        painter.translate(area.topLeft());
        f.plot->plot()->toPainter(&painter, int(area.width()), int(area.height()));
        painter.translate(-area.topLeft());
      } else {
        const int rows = f.table->table()->rowCount();
        QRectF r = area;
        r.setHeight(std::min(area.height(), (rows + 3) * 34.0));
        f.table->paint(&painter, r);
      }
      if (!f.note.isEmpty()) {
        painter.setFont(noteFont);
        painter.setPen(Qt::black);
        painter.drawText(QRectF(0, lh - bottom, lw, bottom), Qt::AlignLeft | Qt::AlignVCenter,
                         f.note);
      }
      painter.restore();
    }
    // Config pages: the differing keys, then each run's config flowed into columns.
    QStringList lines;
    if (!o.diffKeys.isEmpty()) {
      lines << QStringLiteral("# ") + tr("What differs");
      for (int k = 0; k < o.diffKeys.size(); ++k) {
        lines << o.diffKeys[k];
        for (int i = 0; i < runs.size(); ++i)
          lines << QStringLiteral("  %1: %2")
                       .arg(label(i), k < o.diffValues.size() && i < o.diffValues[k].size()
                                          ? o.diffValues[k][i]
                                          : QString());
      }
      lines << QString();
    }
    for (int i = 0; i < runs.size(); ++i) {
      lines << QStringLiteral("# %1").arg(label(i));
      if (i < o.files.size() && !o.files[i].isEmpty()) lines << o.files[i];
      QString cfg = i < o.configs.size() ? o.configs[i] : QString();
      if (cfg.isEmpty() && runs[i]) cfg = QString::fromStdString(runs[i]->info().config_json);
      lines << cfg.trimmed().split(QLatin1Char('\n')) << QString();
    }
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPixelSize(12);
    QFont monoBold = mono;
    monoBold.setBold(true);
    const double lineH = 15, colW = lw / 3.0, top = 40;
    const int perCol = int((lh - top) / lineH);
    int li = 0;
    while (li < lines.size()) {
      writer.newPage();
      painter.save();
      painter.scale(s, s);
      painter.setPen(Qt::black);
      painter.setFont(headFont);
      painter.drawText(QRectF(0, 0, lw, 34), Qt::AlignLeft | Qt::AlignVCenter, tr("Configuration"));
      for (int col = 0; col < 3 && li < lines.size(); ++col)
        for (int row = 0; row < perCol && li < lines.size(); ++row, ++li) {
          const QString& line = lines[li];
          const bool head = line.startsWith(QStringLiteral("# "));
          painter.setFont(head ? monoBold : mono);
          painter.drawText(QRectF(col * colW, top + row * lineH, colW - 8, lineH),
                           Qt::AlignLeft | Qt::AlignVCenter, head ? line.mid(2) : line);
        }
      painter.restore();
    }
    if (!painter.end()) throw fileError(QStringLiteral("could not finish the PDF"), path);
    if (QFileInfo(path).size() <= 0) throw fileError(QStringLiteral("could not write"), path);
    result.files << path;
  }
  return result;
}

}  // namespace ms
