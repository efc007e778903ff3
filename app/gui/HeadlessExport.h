// HeadlessExport: `muonscope --export` / `--report`, the command-line mode that renders the
// comparison figures without opening a window (offscreen Qt platform when there is no display):
//
//   muonscope --export OUT.{png,svg,pdf,csv} --plot loss|pr|pr-diff|spectrum|isotropy|kv|fta|
//             kivi|metrics [--layer L] [--x step|tokens|time] [--size WxH] [--dpi D]
//             [--matrix NAME] [--tensor q|k|v|out] [--step S] [--smoothing B] [--log-y]
//             RUN.h5|study.json [RUN2.h5 ...]
//   muonscope --report DIR [--layer L] [--size WxH] [--dpi D] RUN.h5|study.json [...]
//
// --export writes one figure (the same views as the comparison window) or its CSV; --report
// writes DIR/*.png + *.csv + index.md and DIR/report.pdf. Exit codes: 0 written; 2 bad usage
// (unknown plot or option, missing or unreadable file, incompatible runs such as pr-diff of runs
// with different layers x heads, nothing to draw); 1 when writing the output fails.
#pragma once

#include <QString>
#include <QStringList>

namespace ms {

// True when argv holds --export or --report (main() then runs the headless mode).
bool is_headless_invocation(int argc, char** argv);

// The headless mode for main(): selects the offscreen platform when no display is available
// (and QT_QPA_PLATFORM is unset), creates the QApplication and returns run_headless_export().
int headless_main(int argc, char** argv);

// Runs the mode on `args` (args[0] is the program; a QApplication must exist). Messages go to
// stderr (and to *message when given); the paths written go to stdout. Returns the exit code.
int run_headless_export(const QStringList& args, QString* message = nullptr);

}  // namespace ms
