// AppSettings: QSettings keys and defaults of the app (see AppSettings.h).
#include "AppSettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>
#include <QTranslator>

#include "SeedBand.h"

namespace ms::settings {

namespace {
const char* kRunFolder = "paths/runFolder";
const char* kDevice = "training/defaultDevice";
const char* kLanguage = "ui/language";
const char* kSeedBand = "ui/seedBand";
const char* kRecent = "paths/recentFiles";
const char* kLastConfig = "training/lastConfig";
const char* kInspectProbe = "inspect/probeFile";
const char* kInspectBatch = "inspect/batch";
const char* kInspectSeq = "inspect/seq";
}  // namespace

QString defaultRunFolder() {
  const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  if (!base.isEmpty()) return QDir(base).filePath(QStringLiteral("runs"));
  return QDir::home().filePath(QStringLiteral("muonscope-runs"));
}

QString runFolder() {
  const QString f = QSettings().value(kRunFolder).toString();
  return f.isEmpty() ? defaultRunFolder() : f;
}

void setRunFolder(const QString& folder) {
  QSettings().setValue(kRunFolder, folder);
}

QString defaultDevice() {
  const QString d = QSettings().value(kDevice, QStringLiteral("auto")).toString();
  return (d == "auto" || d == "cpu" || d == "cuda") ? d : QStringLiteral("auto");
}

void setDefaultDevice(const QString& device) {
  QSettings().setValue(kDevice, device);
}

QString language() {
  const QString l = QSettings().value(kLanguage).toString();
  return (l == "en" || l == "de") ? l : QString();
}

void setLanguage(const QString& code) {
  QSettings().setValue(kLanguage, code);
}

QString seedBand() {
  return QSettings().value(kSeedBand).toString() == QLatin1String("std") ? QStringLiteral("std")
                                                                         : QStringLiteral("minmax");
}

void setSeedBand(const QString& mode) {
  QSettings().setValue(kSeedBand, mode == QLatin1String("std") ? mode : QStringLiteral("minmax"));
  applySeedBand();
}

void applySeedBand() {
  set_seed_band_mode(seedBand() == QLatin1String("std") ? SeedBandMode::MeanStd
                                                        : SeedBandMode::MinMax);
}

QStringList recentFiles() {
  return QSettings().value(kRecent).toStringList();
}

void setRecentFiles(const QStringList& files) {
  QSettings().setValue(kRecent, files.mid(0, kMaxRecent));
}

void addRecentFile(const QString& path) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  QStringList r = recentFiles();
  r.removeAll(abs);
  r.prepend(abs);
  setRecentFiles(r);
}

QString lastConfigJson() {
  return QSettings().value(kLastConfig).toString();
}

void setLastConfigJson(const QString& json) {
  QSettings().setValue(kLastConfig, json);
}

QString inspectProbeFile() {
  return QSettings().value(kInspectProbe).toString();
}

void setInspectProbeFile(const QString& path) {
  QSettings().setValue(kInspectProbe, path);
}

int inspectBatch() {
  const int b = QSettings().value(kInspectBatch, 8).toInt();
  return b >= 1 ? b : 8;
}

void setInspectBatch(int batch) {
  QSettings().setValue(kInspectBatch, batch);
}

int inspectSeq() {
  const int t = QSettings().value(kInspectSeq, 256).toInt();
  return t >= 2 ? t : 256;
}

void setInspectSeq(int seq) {
  QSettings().setValue(kInspectSeq, seq);
}

QString uiLocaleName() {
  const QString l = language();
  if (l == "de") return QStringLiteral("de_DE");
  if (l == "en") return QStringLiteral("en_US");
  return QLocale::system().name();
}

QTranslator* installTranslator(QCoreApplication* app) {
  const QLocale locale(uiLocaleName());
  if (locale.language() == QLocale::English) return nullptr;  // the source language
  auto* tr = new QTranslator(app);
  // Tries muonscope_de_DE.qm, muonscope_de.qm, ... in the embedded translations.
  if (!tr->load(locale, QStringLiteral("muonscope"), QStringLiteral("_"),
                QStringLiteral(":/i18n"))) {
    delete tr;
    return nullptr;
  }
  QCoreApplication::installTranslator(tr);
  return tr;
}

}  // namespace ms::settings
