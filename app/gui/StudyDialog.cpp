// StudyDialog: study, scale, settings and output folder for a study run, validated on every
// change with ms::study_members (see StudyDialog.h).
#include "StudyDialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "AppSettings.h"
#include "train/Studies.h"

namespace ms {
namespace {

// The app's error colour (as SetupPanel): lighter on dark themes.
QString errorColor(const QWidget* w) {
  return w->palette().color(QPalette::Window).lightness() < 128 ? QStringLiteral("#ff7b7b")
                                                                : QStringLiteral("#c62828");
}

QLabel* makeErrorLabel(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setWordWrap(true);
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->hide();
  return l;
}

void showError(QWidget* field, QLabel* label, const QString& text) {
  const QString color = errorColor(field);
  if (text.isEmpty()) {
    field->setStyleSheet(QString());
    label->clear();
    label->hide();
  } else {
    field->setStyleSheet(QStringLiteral("#%1 { border: 2px solid %2; border-radius: 3px; }")
                             .arg(field->objectName(), color));
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, QColor(color));
    label->setPalette(p);
    label->setText(text);
    label->show();
  }
  field->setToolTip(text);
}

}  // namespace

StudyDialog::StudyDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Run study"));
  setObjectName(QStringLiteral("studyDialog"));

  studyCombo_ = new QComboBox(this);
  studyCombo_->setObjectName(QStringLiteral("studyCombo"));
  for (const auto& s : studies())
    studyCombo_->addItem(QString::fromStdString(s.name), QString::fromStdString(s.name));

  descriptionLabel_ = new QLabel(this);
  descriptionLabel_->setWordWrap(true);
  findingLabel_ = new QLabel(this);
  findingLabel_->setWordWrap(true);
  findingLabel_->setTextFormat(Qt::PlainText);

  seedsSpin_ = new QSpinBox(this);
  seedsSpin_->setObjectName(QStringLiteral("seedsSpin"));
  seedsSpin_->setRange(1, 32);
  seedsSpin_->setValue(1);
  seedsSpin_->setToolTip(
      tr("Run every member with this many seeds (model init and batch order vary; data and "
         "probe batch stay fixed), so the comparison can tell a difference from seed noise."));
  scaleCombo_ = new QComboBox(this);
  scaleCombo_->setObjectName(QStringLiteral("scaleCombo"));
  scaleCombo_->addItem(tr("cpu — small model, sized for 2 CPU cores"), QStringLiteral("cpu"));
  scaleCombo_->addItem(tr("gpu — 8 layers × 512, 5000 steps (needs CUDA)"), QStringLiteral("gpu"));

  settingsEdit_ = new QLineEdit(this);
  settingsEdit_->setObjectName(QStringLiteral("studySettings"));
  settingsEdit_->setPlaceholderText(tr("optional key=value settings, e.g. model.ffn=swiglu"));
  settingsEdit_->setClearButtonEnabled(true);
  settingsErrorLabel_ = makeErrorLabel(this);
  settingsErrorLabel_->setObjectName(QStringLiteral("studySettingsError"));

  outEdit_ = new QLineEdit(this);
  outEdit_->setObjectName(QStringLiteral("studyOutput"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  auto* outRow = new QHBoxLayout;
  outRow->addWidget(outEdit_, 1);
  outRow->addWidget(browse);
  outErrorLabel_ = makeErrorLabel(this);

  countLabel_ = new QLabel(this);
  countLabel_->setObjectName(QStringLiteral("studyRunCount"));

  auto* form = new QFormLayout;
  form->addRow(tr("Study:"), studyCombo_);
  form->addRow(QString(), descriptionLabel_);
  form->addRow(tr("Source finding:"), findingLabel_);
  form->addRow(tr("Scale:"), scaleCombo_);
  form->addRow(tr("Seeds per member:"), seedsSpin_);
  form->addRow(tr("Settings:"), settingsEdit_);
  form->addRow(QString(), settingsErrorLabel_);
  form->addRow(tr("Output folder:"), outRow);
  form->addRow(QString(), outErrorLabel_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  okButton_ = buttons->button(QDialogButtonBox::Ok);
  okButton_->setText(tr("Run"));

  auto* lay = new QVBoxLayout(this);
  lay->addLayout(form);
  lay->addWidget(countLabel_);
  lay->addStretch(1);
  lay->addWidget(buttons);
  setMinimumWidth(560);

  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    validate();
    if (isValid()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(studyCombo_, &QComboBox::currentIndexChanged, this, &StudyDialog::onStudyChanged);
  connect(scaleCombo_, &QComboBox::currentIndexChanged, this, &StudyDialog::validate);
  connect(seedsSpin_, &QSpinBox::valueChanged, this, &StudyDialog::validate);
  connect(settingsEdit_, &QLineEdit::textChanged, this, &StudyDialog::validate);
  connect(outEdit_, &QLineEdit::textEdited, this, [this] { outEdited_ = true; });
  connect(outEdit_, &QLineEdit::textChanged, this, &StudyDialog::validate);
  connect(browse, &QPushButton::clicked, this, &StudyDialog::chooseFolder);

  onStudyChanged();
}

int StudyDialog::seeds() const {
  return seedsSpin_->value();
}

void StudyDialog::setSeeds(int seeds) {
  seedsSpin_->setValue(seeds);
}

QString StudyDialog::study() const {
  return studyCombo_->currentData().toString();
}

QString StudyDialog::scale() const {
  return scaleCombo_->currentData().toString();
}

QStringList StudyDialog::settings() const {
  return parseSettings(settingsEdit_->text());
}

QString StudyDialog::outputDir() const {
  const QString t = outEdit_->text().trimmed();
  return t.isEmpty() ? QString() : QDir::cleanPath(QDir::fromNativeSeparators(t));
}

void StudyDialog::setStudy(const QString& name) {
  const int i = studyCombo_->findData(name);
  if (i >= 0) studyCombo_->setCurrentIndex(i);
}

void StudyDialog::setScale(const QString& scale) {
  const int i = scaleCombo_->findData(scale);
  if (i >= 0) scaleCombo_->setCurrentIndex(i);
}

void StudyDialog::setSettingsText(const QString& text) {
  settingsEdit_->setText(text);
}

void StudyDialog::setOutputDir(const QString& dir) {
  outEdited_ = true;
  outEdit_->setText(QDir::toNativeSeparators(dir));
}

QStringList StudyDialog::parseSettings(const QString& text) {
  return QProcess::splitCommand(text.trimmed());
}

QString StudyDialog::defaultOutputDir(const QString& runFolder, const QString& study) {
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  return QDir(runFolder).filePath(study + QLatin1Char('-') + stamp);
}

void StudyDialog::onStudyChanged() {
  const QString name = study();
  for (const auto& s : studies()) {
    if (QString::fromStdString(s.name) != name) continue;
    descriptionLabel_->setText(QString::fromStdString(s.description));
    findingLabel_->setText(QString::fromStdString(s.finding));
  }
  if (!outEdited_)
    outEdit_->setText(QDir::toNativeSeparators(defaultOutputDir(settings::runFolder(), name)));
  validate();
}

void StudyDialog::chooseFolder() {
  const QString start = outputDir().isEmpty() ? settings::runFolder() : outputDir();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Study output folder"),
                                                        QFileInfo(start).absolutePath());
  if (!dir.isEmpty()) setOutputDir(dir);
}

void StudyDialog::validate() {
  settingsError_.clear();
  outputError_.clear();
  runCount_ = 0;
  std::vector<StudyMember> members;
  std::vector<std::string> sets;
  for (const QString& s : settings()) sets.push_back(s.toStdString());
  try {
    members = study_members(study().toStdString(), scale().toStdString(), sets, seeds());
  } catch (const std::exception& e) {
    settingsError_ = QString::fromUtf8(e.what());
  }

  const QString dir = outputDir();
  if (dir.isEmpty()) {
    outputError_ = tr("Choose an output folder.");
  } else if (QFileInfo(dir).exists() && !QFileInfo(dir).isDir()) {
    outputError_ = tr("%1 is a file, not a folder.").arg(dir);
  } else {
    for (const auto& m : members) {
      const QString f = QString::fromStdString(m.file);
      if (QFileInfo::exists(QDir(dir).filePath(f))) {
        outputError_ = tr("The folder already holds %1: choose a new folder.").arg(f);
        break;
      }
    }
  }

  showError(settingsEdit_, settingsErrorLabel_, settingsError_);
  showError(outEdit_, outErrorLabel_, outputError_);
  if (settingsError_.isEmpty()) {
    runCount_ = static_cast<int>(members.size());
    countLabel_->setText(
        tr("This study makes %n runs, one after another, and a study.json that opens them as "
           "a comparison.",
           "", runCount_));
  } else {
    countLabel_->setText(tr("Fix the settings to see the runs this study makes."));
  }
  okButton_->setEnabled(isValid());
}

}  // namespace ms
