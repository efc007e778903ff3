// muonscope: the desktop app. Sets the organisation/app names QSettings uses, installs the
// translation the preferences or the system locale ask for, shows the main window and opens
// the run files given on the command line. Hidden options drive a scripted run for the docs'
// screenshot: --screenshot FILE [--screenshot-after-steps N] [--preset NAME] [--set KEY=VALUE]
// [--run-folder DIR].
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <cstdio>

#include "AppSettings.h"
#include "HeadlessExport.h"
#include "MainWindow.h"
#include "ScreenshotDriver.h"
#include "SetupPanel.h"
#include "train/RunConfig.h"

int main(int argc, char** argv) {
  // `muonscope --export ...` / `--report DIR ...`: render comparison figures without a window.
  if (ms::is_headless_invocation(argc, argv)) return ms::headless_main(argc, argv);
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Muonscope"));
  QCoreApplication::setApplicationName(QStringLiteral("muonscope"));
  QCoreApplication::setApplicationVersion(QStringLiteral(MUONSCOPE_VERSION));
  QGuiApplication::setApplicationDisplayName(QStringLiteral("Muonscope"));
  ms::settings::installTranslator(&app);

  QCommandLineParser parser;
  parser.setApplicationDescription(QCoreApplication::translate(
      "main", "Trains small GPTs and shows what AdamW and Muon do inside them."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("files"),
                               QCoreApplication::translate("main", "Run files (.h5) to open."),
                               QStringLiteral("[RUN.h5...]"));
  QCommandLineOption shot(QStringLiteral("screenshot"), QString(), QStringLiteral("FILE"));
  QCommandLineOption shotSteps(QStringLiteral("screenshot-after-steps"), QString(),
                               QStringLiteral("N"), QStringLiteral("100"));
  QCommandLineOption presetOpt(QStringLiteral("preset"), QString(), QStringLiteral("NAME"));
  QCommandLineOption setOpt(QStringLiteral("set"), QString(), QStringLiteral("KEY=VALUE"));
  QCommandLineOption folderOpt(QStringLiteral("run-folder"), QString(), QStringLiteral("DIR"));
  for (QCommandLineOption* o : {&shot, &shotSteps, &presetOpt, &setOpt, &folderOpt}) {
    o->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(*o);
  }
  parser.process(app);

  ms::MainWindow window;
  ms::SetupPanel* setup = window.setupPanel();
  if (parser.isSet(presetOpt)) setup->applyPreset(parser.value(presetOpt));
  if (parser.isSet(setOpt)) {
    ms::RunConfig c = setup->config();
    try {
      for (const QString& kv : parser.values(setOpt)) ms::apply_setting(c, kv.toStdString());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "muonscope: %s\n", e.what());
      return 2;
    }
    setup->setConfig(c);
  }
  if (parser.isSet(folderOpt)) setup->setRunFolder(parser.value(folderOpt));
  window.show();
  for (const QString& f : parser.positionalArguments()) window.openRunFile(f);

  ms::ScreenshotDriver* driver = nullptr;
  if (parser.isSet(shot)) {
    window.setConfirmClose(false);
    driver = new ms::ScreenshotDriver(&window, parser.value(shot), parser.value(shotSteps).toInt(),
                                      &window);
    if (!driver->start()) return 1;
  }
  return app.exec();
}
