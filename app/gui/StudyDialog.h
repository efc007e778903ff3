// StudyDialog: chooses what "Studies > Run study…" runs: a study from ms::studies() (its
// description and the source study's finding are shown), the scale (cpu: sized for 2 cores;
// gpu: larger and longer, needs CUDA), optional settings for every member (key=value pairs,
// space-separated, quotes allowed, e.g. `model.ffn=swiglu train.steps=200`) and the output
// folder (default <run folder>/<study>-<yyyyMMdd-HHmmss>). Every change is validated by building
// the members with ms::study_members: a ConfigError is shown under the settings field (which gets
// a red frame) and disables OK; so does an output folder that already holds one of the run
// files. The dialog also says how many runs the study will make.
#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

class QSpinBox;

namespace ms {

class StudyDialog : public QDialog {
  Q_OBJECT
 public:
  explicit StudyDialog(QWidget* parent = nullptr);

  // The choices (pass these to StudyRunner::start).
  QString study() const;
  QString scale() const;
  int seeds() const;             // seeds per member (1 = the study as defined)
  QStringList settings() const;  // parsed from the settings field
  QString outputDir() const;
  int runCount() const { return runCount_; }  // runs the choices make; 0 while invalid

  bool isValid() const { return settingsError_.isEmpty() && outputError_.isEmpty(); }
  QString settingsError() const { return settingsError_; }  // ConfigError text, "" when valid
  QString outputError() const { return outputError_; }

  // Programmatic setup (also used by the tests). Unknown study/scale names are ignored.
  void setStudy(const QString& name);
  void setScale(const QString& scale);
  void setSeeds(int seeds);
  void setSettingsText(const QString& text);
  void setOutputDir(const QString& dir);  // stops the folder following the study choice

  QLineEdit* settingsEdit() const { return settingsEdit_; }
  QLabel* settingsErrorLabel() const { return settingsErrorLabel_; }
  QPushButton* okButton() const { return okButton_; }

  // Splits the settings text into key=value items (whitespace-separated; "..." quotes keep
  // spaces inside one item).
  static QStringList parseSettings(const QString& text);
  // <runFolder>/<study>-<yyyyMMdd-HHmmss> for now.
  static QString defaultOutputDir(const QString& runFolder, const QString& study);

 private:
  void onStudyChanged();
  void chooseFolder();
  void validate();

  QComboBox* studyCombo_ = nullptr;
  QComboBox* scaleCombo_ = nullptr;
  QSpinBox* seedsSpin_ = nullptr;
  QLabel* descriptionLabel_ = nullptr;
  QLabel* findingLabel_ = nullptr;
  QLineEdit* settingsEdit_ = nullptr;
  QLabel* settingsErrorLabel_ = nullptr;
  QLineEdit* outEdit_ = nullptr;
  QLabel* outErrorLabel_ = nullptr;
  QLabel* countLabel_ = nullptr;
  QPushButton* okButton_ = nullptr;
  bool outEdited_ = false;  // the user chose a folder: keep it when the study changes
  int runCount_ = 0;
  QString settingsError_, outputError_;
};

}  // namespace ms
