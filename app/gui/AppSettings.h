// AppSettings: the app's persistent preferences in QSettings (organisation "Muonscope", app
// "muonscope"), with their defaults in one place: run folder, default device, UI language, the
// seed band (min-max or mean ± sd),
// recently opened run files, the last setup the user started, and the last probe file and probe
// size of File > Inspect Checkpoints…. Also loads the translator
// that the language preference (or the system locale) asks for.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;
class QTranslator;

namespace ms::settings {

// QStandardPaths AppDataLocation + "/runs", or ~/muonscope-runs when that location is unknown.
QString defaultRunFolder();
QString runFolder();  // the preference, else defaultRunFolder()
void setRunFolder(const QString& folder);

QString defaultDevice();  // "auto" | "cpu" | "cuda"; default "auto"
void setDefaultDevice(const QString& device);

// "" = follow the system locale, "en" = English (the source language), "de" = Deutsch.
QString language();
void setLanguage(const QString& code);

// The band a seed group draws around its mean: "minmax" (default) or "std" (mean ± sd).
QString seedBand();
void setSeedBand(const QString& mode);
// Applies seedBand() to the views (ms::set_seed_band_mode).
void applySeedBand();

// Most recently opened run files first (at most kMaxRecent, duplicates removed).
inline constexpr int kMaxRecent = 12;
QStringList recentFiles();
void addRecentFile(const QString& path);
void setRecentFiles(const QStringList& files);

// The JSON of the last configuration the user started (empty when none).
QString lastConfigJson();
void setLastConfigJson(const QString& json);

// File > Inspect Checkpoints…: the last probe file ("" = weights-only), probe windows B
// (default 8) and tokens per window T (default 256).
QString inspectProbeFile();
void setInspectProbeFile(const QString& path);
int inspectBatch();
void setInspectBatch(int batch);
int inspectSeq();
void setInspectSeq(int seq);

// Locale name the UI should use ("de_DE", "en_US", ...): the preference or the system's.
QString uiLocaleName();
// Loads ":/i18n/muonscope_<lang>.qm" for uiLocaleName() into a new translator owned by `app`
// and installs it. Returns the translator, or nullptr for English / no translation found.
QTranslator* installTranslator(QCoreApplication* app);

}  // namespace ms::settings
