// SetupPanel: the run setup form. A preset chooser (every preset of the engine) and the fields
// a researcher changes most: model size, QK-norm, FFN kind, the optimizer of each block matrix
// (Muon or the base optimizer, with "all AdamW" / "all Muon" / "Muon on VO+FFN" shortcuts),
// learning rates, steps, batch, seed, data source, device, metrics cadence and the run folder.
// config() is the selected preset with these fields applied. Every edit re-runs ms::validate;
// the config key named in a ConfigError is mapped back to its field, which gets a red frame and
// the reason as tooltip, and the reasons are listed under the form. isValid() gates Start.
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>
#include <QWidget>

#include "train/RunConfig.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ms {

class SetupPanel : public QWidget {
  Q_OBJECT
 public:
  // Key of the run-folder field in fieldError()/field() (it is not a config key).
  static inline const QString kRunFolderKey = QStringLiteral("run_folder");

  explicit SetupPanel(QWidget* parent = nullptr);

  // The selected preset with the panel's fields applied (possibly invalid; see isValid()).
  RunConfig config() const;
  // Shows `c`: selects its preset (when it names a known one) and fills every field.
  void setConfig(const RunConfig& c);
  QString presetName() const;

  QString runFolder() const;
  void setRunFolder(const QString& folder);
  void setDevice(const QString& device);  // "auto" | "cpu" | "cuda"

  bool isValid() const { return errors_.isEmpty(); }
  // Reason a field is invalid ("" when valid), by config key ("model.heads") or kRunFolderKey.
  QString fieldError(const QString& key) const { return errors_.value(key); }
  QStringList invalidKeys() const { return errors_.keys(); }
  // One line per problem, "Field: reason".
  QStringList errorMessages() const;
  // The editor of a config key (or kRunFolderKey); nullptr for keys the panel does not show.
  QWidget* field(const QString& key) const { return fields_.value(key); }
  // False while a run is active: the fields are shown but cannot be edited.
  void setEditable(bool editable);

 public slots:
  void applyPreset(const QString& name);
  void routeAllBase();    // every block matrix on AdamW (the base optimizer)
  void routeAllMuon();    // every block matrix on Muon
  void routeMuonVoFfn();  // Muon on V, O, W_in, W_gate, W_out; Q, K on the base optimizer
  void revalidate();

 signals:
  void configChanged();
  void validityChanged(bool valid);

 private:
  struct Built {
    RunConfig cfg;
    QMap<QString, QString> parseErrors;  // fields whose text did not parse
  };
  Built build() const;
  void fillFields(const RunConfig& c);
  void setMuonRoles(const std::vector<std::string>& roles);
  void onEdited();
  void updateEnabled();
  void updateBaseNames();
  void markFields();
  void chooseDataPath();
  void chooseRunFolder();
  QString fieldLabel(const QString& key) const;
  QWidget* buildPresetBox();
  QWidget* buildModelBox();
  QWidget* buildOptimBox();
  QWidget* buildTrainBox();
  QWidget* buildDataBox();
  QWidget* buildOutputBox();

  RunConfig base_;  // the selected preset: keys the panel does not show come from here
  bool updating_ = false;
  bool editable_ = true;
  QMap<QString, QString> errors_;   // key -> reason
  QMap<QString, QWidget*> fields_;  // key -> editor
  QMap<QString, QString> labels_;   // key -> field label (for messages)

  QComboBox* presetCombo_ = nullptr;
  QLabel* presetDescription_ = nullptr;
  QLineEdit* nameEdit_ = nullptr;
  QSpinBox* layersSpin_ = nullptr;
  QSpinBox* dModelSpin_ = nullptr;
  QSpinBox* headsSpin_ = nullptr;
  QSpinBox* seqLenSpin_ = nullptr;
  QCheckBox* qkNormCheck_ = nullptr;
  QComboBox* ffnCombo_ = nullptr;
  QComboBox* baseCombo_ = nullptr;
  QMap<QString, QComboBox*> roleCombos_;  // role ("attn.q") -> Muon / base
  QLineEdit* lrAdamwEdit_ = nullptr;
  QLineEdit* lrMuonEdit_ = nullptr;
  QSpinBox* stepsSpin_ = nullptr;
  QSpinBox* batchSpin_ = nullptr;
  QSpinBox* seedSpin_ = nullptr;
  QComboBox* sourceCombo_ = nullptr;
  QLineEdit* pathEdit_ = nullptr;
  QPushButton* pathButton_ = nullptr;
  QComboBox* deviceCombo_ = nullptr;
  QSpinBox* metricsSpin_ = nullptr;
  QLineEdit* folderEdit_ = nullptr;
  QPushButton* folderButton_ = nullptr;
  QLabel* errorLabel_ = nullptr;
  QLabel* summaryLabel_ = nullptr;
};

}  // namespace ms
