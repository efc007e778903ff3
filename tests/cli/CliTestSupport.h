// Helpers of the suites that run muonscope-cli as a user would (test_cli, test_resume,
// test_data_parallel, the app's test_resume_gui): run the command and wait for it, and look at
// what a run left on disk (its checkpoint folder, the newest training state, its step rows)
// without disturbing a writer that is still at work.
#pragma once

#include <QDir>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "store/RunReader.h"

struct CliResult {
  int code;  // exit code; -1 timed out (killed), -2 crashed
  QString out, err;
};

// Runs muonscope-cli (MUONSCOPE_CLI, defined by the suite's CMake target) with `args` and waits.
inline CliResult cli(const QStringList& args, int timeout_ms = 180000) {
  QProcess p;
  p.start(MUONSCOPE_CLI, args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    return {-1, {}, "timeout"};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
          QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

// RUN.h5 -> RUN.ckpt
inline QString checkpoint_folder(const QString& run) {
  return run.left(run.size() - 3) + QStringLiteral(".ckpt");
}

// Step of the newest state-N.pt beside `run` (-1 when none yet).
inline int64_t newest_state(const QString& run) {
  int64_t best = -1;
  std::error_code ec;
  const std::regex re("state-([0-9]+)\\.pt");
  for (std::filesystem::directory_iterator it(checkpoint_folder(run).toStdString(), ec), end;
       !ec && it != end; it.increment(ec)) {
    std::smatch m;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, m, re)) best = std::max<int64_t>(best, std::stoll(m[1].str()));
  }
  return best;
}

// The last step row `run` holds: 0 for none, -1 while the file cannot be read (being created).
inline int64_t last_step_row(const QString& run) {
  try {
    ms::RunReader r(run.toStdString());
    const int64_t n = r.num_steps();
    return n > 0 ? r.steps(n - 1, n).at(0).step : 0;
  } catch (const std::exception&) {
    return -1;
  }
}
