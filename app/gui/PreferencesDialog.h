// PreferencesDialog: the app's preferences (QSettings through AppSettings): run folder,
// default device, UI language (System / English / Deutsch; applies after a restart), the seed
// band (min-max or mean ± sd around a seed group's mean; applies at once). The
// theme always follows the system palette, which the dialog states.
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace ms {

class PreferencesDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PreferencesDialog(QWidget* parent = nullptr);

  QString runFolder() const;
  QString defaultDevice() const;  // "auto" | "cpu" | "cuda"
  QString language() const;       // "" (system) | "en" | "de"
  QString seedBand() const;       // "minmax" | "std"
  void setRunFolder(const QString& folder);
  void setDefaultDevice(const QString& device);
  void setLanguage(const QString& code);
  void setSeedBand(const QString& mode);
  // True when the chosen language differs from the stored one (a restart applies it).
  bool languageChanged() const;

 public slots:
  void accept() override;  // writes the settings, then closes
  void restoreDefaults();

 private:
  void chooseFolder();

  QLineEdit* folderEdit_ = nullptr;
  QComboBox* deviceCombo_ = nullptr;
  QComboBox* languageCombo_ = nullptr;
  QComboBox* bandCombo_ = nullptr;
  QLabel* restartLabel_ = nullptr;
  QString storedLanguage_;
};

}  // namespace ms
