// CompareReport: writes the standard comparison figures of a set of runs as a report: a folder
// of PNGs (plus the CSV data of each figure) with a Markdown index (index.md), and/or one
// multi-page PDF (report.pdf). Figures: loss; PR heatmaps with the B - A difference; isotropy
// (eRank of VO and W_out); K/V asymmetry; KIVI deltas and tail-QA FTA when any run has them;
// the spectra of a chosen layer; the final-metrics table; then each run's config (and the keys
// that differ). The views are created offscreen for the export, so this works headless (the
// `muonscope --report` mode) and from the comparison window alike.
#pragma once

#include <QSize>
#include <QStringList>
#include <QVector>

#include "RunModel.h"

namespace ms {

struct CompareReportOptions {
  QString title;           // heading; empty: "Muonscope comparison"
  int layer = 0;           // layer of the spectra figure
  QSize size{1600, 1000};  // PNG size in pixels
  double dpi = 144.0;      // PNG resolution (fonts scale with it)
  bool pngFolder = true;   // figures as PNG + CSV + index.md
  bool pdf = true;         // report.pdf
  QString pdfPath;         // where the PDF goes; empty: <dir>/report.pdf
  QStringList files;       // per run: its file (listed in the index), may be empty
  QStringList configs;     // per run: its config JSON text, may be empty
  // Config keys whose values differ between the runs, with the value of each run.
  QStringList diffKeys;
  QVector<QStringList> diffValues;  // [key][run]
};

struct CompareReportResult {
  QStringList files;  // written paths
  QStringList notes;  // figures that were left out or drawn partly, and why
};

// Writes the report into `dir` (created if missing). Runs are named by their display names.
// Throws std::runtime_error naming the path when a file cannot be written.
CompareReportResult write_compare_report(const QVector<RunModel*>& runs, const QString& dir,
                                         const CompareReportOptions& options);

}  // namespace ms
