// PreferencesDialog: edits the preferences kept by AppSettings (see PreferencesDialog.h).
#include "PreferencesDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "AppSettings.h"

namespace ms {

PreferencesDialog::PreferencesDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  auto* lay = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  folderEdit_ = new QLineEdit;
  folderEdit_->setObjectName(QStringLiteral("prefRunFolder"));
  folderEdit_->setToolTip(tr("Where new runs are written and where the run browser looks"));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* row = new QHBoxLayout;
  row->addWidget(folderEdit_, 1);
  row->addWidget(browse);
  form->addRow(tr("Run folder:"), row);

  deviceCombo_ = new QComboBox;
  deviceCombo_->setObjectName(QStringLiteral("prefDevice"));
  deviceCombo_->addItem(tr("Automatic"), QStringLiteral("auto"));
  deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
  deviceCombo_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  form->addRow(tr("Default device:"), deviceCombo_);

  languageCombo_ = new QComboBox;
  languageCombo_->setObjectName(QStringLiteral("prefLanguage"));
  languageCombo_->addItem(tr("System"), QString());
  languageCombo_->addItem(QStringLiteral("English"), QStringLiteral("en"));
  languageCombo_->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
  form->addRow(tr("Language:"), languageCombo_);
  restartLabel_ = new QLabel(tr("The new language applies when Muonscope starts next time."));
  restartLabel_->setWordWrap(true);
  restartLabel_->hide();
  form->addRow(QString(), restartLabel_);

  bandCombo_ = new QComboBox;
  bandCombo_->setObjectName(QStringLiteral("prefSeedBand"));
  bandCombo_->addItem(tr("Minimum to maximum"), QStringLiteral("minmax"));
  bandCombo_->addItem(tr("Mean ± standard deviation"), QStringLiteral("std"));
  bandCombo_->setToolTip(
      tr("The band drawn around a seed group's mean curve (runs that differ only in train.seed)"));
  form->addRow(tr("Seed band:"), bandCombo_);

  auto* theme = new QLabel(tr("Colours follow the system theme (light or dark)."));
  theme->setWordWrap(true);
  form->addRow(tr("Theme:"), theme);
  lay->addLayout(form);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                       QDialogButtonBox::RestoreDefaults);
  lay->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &PreferencesDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &PreferencesDialog::reject);
  connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
          &PreferencesDialog::restoreDefaults);
  connect(browse, &QPushButton::clicked, this, &PreferencesDialog::chooseFolder);
  connect(languageCombo_, &QComboBox::currentIndexChanged, this,
          [this] { restartLabel_->setVisible(languageChanged()); });

  storedLanguage_ = settings::language();
  setRunFolder(settings::runFolder());
  setDefaultDevice(settings::defaultDevice());
  setLanguage(storedLanguage_);
  setSeedBand(settings::seedBand());
  resize(520, sizeHint().height());
}

QString PreferencesDialog::runFolder() const {
  return folderEdit_->text().trimmed();
}
QString PreferencesDialog::defaultDevice() const {
  return deviceCombo_->currentData().toString();
}
QString PreferencesDialog::language() const {
  return languageCombo_->currentData().toString();
}

QString PreferencesDialog::seedBand() const {
  return bandCombo_->currentData().toString();
}

void PreferencesDialog::setSeedBand(const QString& mode) {
  bandCombo_->setCurrentIndex(std::max(0, bandCombo_->findData(mode)));
}

void PreferencesDialog::setRunFolder(const QString& folder) {
  folderEdit_->setText(folder);
}

void PreferencesDialog::setDefaultDevice(const QString& device) {
  deviceCombo_->setCurrentIndex(std::max(0, deviceCombo_->findData(device)));
}

void PreferencesDialog::setLanguage(const QString& code) {
  languageCombo_->setCurrentIndex(std::max(0, languageCombo_->findData(code)));
}

bool PreferencesDialog::languageChanged() const {
  return language() != storedLanguage_;
}

void PreferencesDialog::restoreDefaults() {
  setRunFolder(settings::defaultRunFolder());
  setDefaultDevice(QStringLiteral("auto"));
  setLanguage(QString());
  setSeedBand(QStringLiteral("minmax"));
}

void PreferencesDialog::accept() {
  settings::setRunFolder(runFolder().isEmpty() ? settings::defaultRunFolder() : runFolder());
  settings::setDefaultDevice(defaultDevice());
  settings::setLanguage(language());
  settings::setSeedBand(seedBand());
  QDialog::accept();
}

void PreferencesDialog::chooseFolder() {
  const QString d =
      QFileDialog::getExistingDirectory(this, tr("Choose the run folder"), runFolder());
  if (!d.isEmpty()) setRunFolder(d);
}

}  // namespace ms
