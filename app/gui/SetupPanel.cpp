// SetupPanel: the run setup form (see SetupPanel.h). Validation is the engine's own
// ms::validate(); since it stops at the first problem, the panel validates a copy, records the
// key named in the error, resets that key to a neutral value and validates again, so several
// invalid fields can be marked at once.
#include "SetupPanel.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace ms {

namespace {

// Display names of the block matrix roles (DESIGN.md section 2).
QString roleLabel(const std::string& role) {
  if (role == "attn.q") return QStringLiteral("Q");
  if (role == "attn.k") return QStringLiteral("K");
  if (role == "attn.v") return QStringLiteral("V");
  if (role == "attn.o") return QStringLiteral("O");
  if (role == "mlp.in") return QStringLiteral("W_in");
  if (role == "mlp.gate") return QStringLiteral("W_gate");
  if (role == "mlp.out") return QStringLiteral("W_out");
  return QString::fromStdString(role);
}

QString numberText(double v) {
  return QString::number(v, 'g', 6);
}

// "config key 'model.heads' = 3: must divide ..." -> ("model.heads", "must divide ...").
std::pair<QString, QString> splitConfigError(const QString& what) {
  static const QRegularExpression re(QStringLiteral("config key '([^']+)'(?: = .*?)?: (.*)$"),
                                     QRegularExpression::DotMatchesEverythingOption);
  const auto m = re.match(what);
  if (m.hasMatch()) return {m.captured(1), m.captured(2)};
  static const QRegularExpression unknown(QStringLiteral("unknown config key '([^']+)'"));
  const auto u = unknown.match(what);
  if (u.hasMatch()) return {u.captured(1), what};
  return {QString(), what};
}

// Colour of error frames and texts: the one semantic colour of the app, lighter on dark themes.
QString errorColor(const QWidget* w) {
  return w->palette().color(QPalette::Window).lightness() < 128 ? QStringLiteral("#ff7b7b")
                                                                : QStringLiteral("#c62828");
}

QSpinBox* makeSpin(int lo, int hi, int step = 1) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setAccelerated(true);
  s->setKeyboardTracking(true);
  return s;
}

}  // namespace

SetupPanel::SetupPanel(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->addWidget(buildPresetBox());
  lay->addWidget(buildModelBox());
  lay->addWidget(buildOptimBox());
  lay->addWidget(buildTrainBox());
  lay->addWidget(buildDataBox());
  lay->addWidget(buildOutputBox());
  summaryLabel_ = new QLabel;
  summaryLabel_->setWordWrap(true);
  summaryLabel_->setObjectName(QStringLiteral("setupSummary"));
  lay->addWidget(summaryLabel_);
  errorLabel_ = new QLabel;
  errorLabel_->setWordWrap(true);
  errorLabel_->setObjectName(QStringLiteral("setupErrors"));
  errorLabel_->setTextFormat(Qt::PlainText);
  lay->addWidget(errorLabel_);
  lay->addStretch(1);

  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    QString name = it.key();
    name.replace('.', '_');
    it.value()->setObjectName(QStringLiteral("field_") + name);
    it.value()->setProperty("ms_tooltip", it.value()->toolTip());
  }
  applyPreset(QStringLiteral("quick"));
}

QWidget* SetupPanel::buildPresetBox() {
  auto* box = new QGroupBox(tr("Preset"));
  auto* form = new QFormLayout(box);
  presetCombo_ = new QComboBox;
  for (const auto& p : presets()) {
    const QString name = QString::fromStdString(p.name);
    presetCombo_->addItem(name, name);
    presetCombo_->setItemData(presetCombo_->count() - 1, QString::fromStdString(p.description),
                              Qt::ToolTipRole);
  }
  presetCombo_->setToolTip(tr("Start from a preset of the engine; the fields below modify it."));
  form->addRow(tr("Preset:"), presetCombo_);
  presetDescription_ = new QLabel;
  presetDescription_->setWordWrap(true);
  form->addRow(presetDescription_);
  nameEdit_ = new QLineEdit;
  nameEdit_->setToolTip(tr("Free label of the run; it also starts the run file's name."));
  form->addRow(tr("Run name:"), nameEdit_);
  fields_["name"] = nameEdit_;
  labels_["name"] = tr("Run name");
  connect(presetCombo_, &QComboBox::activated, this,
          [this](int i) { applyPreset(presetCombo_->itemData(i).toString()); });
  connect(nameEdit_, &QLineEdit::textChanged, this, &SetupPanel::onEdited);
  return box;
}

QWidget* SetupPanel::buildModelBox() {
  auto* box = new QGroupBox(tr("Model"));
  auto* form = new QFormLayout(box);
  layersSpin_ = makeSpin(1, 96);
  dModelSpin_ = makeSpin(1, 8192, 8);
  headsSpin_ = makeSpin(1, 128);
  seqLenSpin_ = makeSpin(2, 16384, 8);
  qkNormCheck_ = new QCheckBox(tr("RMSNorm on q and k per head"));
  ffnCombo_ = new QComboBox;
  ffnCombo_->addItem(tr("GELU (W_in, W_out)"), QStringLiteral("gelu"));
  ffnCombo_->addItem(tr("SwiGLU, gated (W_in, W_gate, W_out)"), QStringLiteral("swiglu"));
  layersSpin_->setToolTip(tr("Number of transformer blocks"));
  dModelSpin_->setToolTip(tr("Residual width; head_dim = d_model / heads"));
  headsSpin_->setToolTip(tr("Attention heads per layer; must divide d_model"));
  seqLenSpin_->setToolTip(tr("Context length in tokens"));
  qkNormCheck_->setToolTip(tr("QK-norm: RMSNorm over head_dim on q and k, before RoPE"));
  ffnCombo_->setToolTip(tr("Feed-forward kind"));
  form->addRow(tr("Layers:"), layersSpin_);
  form->addRow(tr("d_model:"), dModelSpin_);
  form->addRow(tr("Heads:"), headsSpin_);
  form->addRow(tr("Sequence length:"), seqLenSpin_);
  form->addRow(tr("QK-norm:"), qkNormCheck_);
  form->addRow(tr("FFN:"), ffnCombo_);
  fields_["model.layers"] = layersSpin_;
  fields_["model.d_model"] = dModelSpin_;
  fields_["model.heads"] = headsSpin_;
  fields_["model.seq_len"] = seqLenSpin_;
  fields_["model.qk_norm"] = qkNormCheck_;
  fields_["model.ffn"] = ffnCombo_;
  labels_["model.layers"] = tr("Layers");
  labels_["model.d_model"] = tr("d_model");
  labels_["model.heads"] = tr("Heads");
  labels_["model.seq_len"] = tr("Sequence length");
  labels_["model.qk_norm"] = tr("QK-norm");
  labels_["model.ffn"] = tr("FFN");
  for (QSpinBox* s : {layersSpin_, dModelSpin_, headsSpin_, seqLenSpin_})
    connect(s, &QSpinBox::valueChanged, this, &SetupPanel::onEdited);
  connect(qkNormCheck_, &QCheckBox::toggled, this, &SetupPanel::onEdited);
  connect(ffnCombo_, &QComboBox::currentIndexChanged, this, &SetupPanel::onEdited);
  return box;
}

QWidget* SetupPanel::buildOptimBox() {
  auto* box = new QGroupBox(tr("Optimizers"));
  auto* form = new QFormLayout(box);
  baseCombo_ = new QComboBox;
  baseCombo_->addItem(tr("AdamW"), QStringLiteral("adamw"));
  baseCombo_->addItem(tr("SGD with momentum"), QStringLiteral("sgd"));
  baseCombo_->setToolTip(
      tr("Optimizer of everything not on Muon: embeddings, head, norms and the matrices below "
         "that are not set to Muon"));
  form->addRow(tr("Base optimizer:"), baseCombo_);
  fields_["optim.base"] = baseCombo_;
  labels_["optim.base"] = tr("Base optimizer");

  auto* routing = new QFrame;
  routing->setToolTip(tr("Optimizer of each block matrix"));
  auto* grid = new QGridLayout(routing);
  grid->setContentsMargins(2, 2, 2, 2);
  int i = 0;
  for (const auto& role : block_matrix_roles()) {
    auto* combo = new QComboBox;
    combo->addItem(tr("Muon"), true);
    combo->addItem(tr("AdamW"), false);
    combo->setToolTip(tr("Optimizer of %1 in every block").arg(roleLabel(role)));
    roleCombos_[QString::fromStdString(role)] = combo;
    auto* label = new QLabel(roleLabel(role));
    label->setBuddy(combo);
    const int row = i % 4, col = (i / 4) * 2;
    grid->addWidget(label, row, col);
    grid->addWidget(combo, row, col + 1);
    connect(combo, &QComboBox::currentIndexChanged, this, &SetupPanel::onEdited);
    ++i;
  }
  // The routing grid and its shortcut buttons span the whole row, so the panel stays narrow.
  form->addRow(new QLabel(tr("Block matrices:")));
  form->addRow(routing);
  fields_["optim.muon"] = routing;
  labels_["optim.muon"] = tr("Optimizer routing");

  auto* buttons = new QHBoxLayout;
  auto* allBase = new QPushButton(tr("All AdamW"));
  auto* allMuon = new QPushButton(tr("All Muon"));
  auto* voFfn = new QPushButton(tr("Muon on VO+FFN"));
  allBase->setObjectName(QStringLiteral("routeAllBase"));
  allMuon->setObjectName(QStringLiteral("routeAllMuon"));
  voFfn->setObjectName(QStringLiteral("routeMuonVoFfn"));
  allBase->setToolTip(tr("Every block matrix on the base optimizer"));
  allMuon->setToolTip(tr("Every block matrix on Muon"));
  voFfn->setToolTip(tr("Muon on V, O and the FFN matrices; Q and K on the base optimizer"));
  buttons->addWidget(allBase);
  buttons->addWidget(allMuon);
  buttons->addWidget(voFfn);
  form->addRow(buttons);
  connect(allBase, &QPushButton::clicked, this, &SetupPanel::routeAllBase);
  connect(allMuon, &QPushButton::clicked, this, &SetupPanel::routeAllMuon);
  connect(voFfn, &QPushButton::clicked, this, &SetupPanel::routeMuonVoFfn);

  lrAdamwEdit_ = new QLineEdit;
  lrMuonEdit_ = new QLineEdit;
  lrAdamwEdit_->setToolTip(tr("Peak learning rate of the base optimizer, e.g. 3e-3"));
  lrMuonEdit_->setToolTip(tr("Peak learning rate of Muon, e.g. 0.02"));
  form->addRow(tr("Learning rate (base):"), lrAdamwEdit_);
  form->addRow(tr("Learning rate (Muon):"), lrMuonEdit_);
  fields_["optim.lr_adamw"] = lrAdamwEdit_;
  fields_["optim.lr_muon"] = lrMuonEdit_;
  labels_["optim.lr_adamw"] = tr("Learning rate (base)");
  labels_["optim.lr_muon"] = tr("Learning rate (Muon)");
  connect(baseCombo_, &QComboBox::currentIndexChanged, this, &SetupPanel::onEdited);
  connect(lrAdamwEdit_, &QLineEdit::textChanged, this, &SetupPanel::onEdited);
  connect(lrMuonEdit_, &QLineEdit::textChanged, this, &SetupPanel::onEdited);
  return box;
}

QWidget* SetupPanel::buildTrainBox() {
  auto* box = new QGroupBox(tr("Training"));
  auto* form = new QFormLayout(box);
  stepsSpin_ = makeSpin(1, std::numeric_limits<int>::max(), 100);
  batchSpin_ = makeSpin(1, 65536);
  seedSpin_ = makeSpin(0, std::numeric_limits<int>::max());
  metricsSpin_ = makeSpin(1, std::numeric_limits<int>::max(), 10);
  stepsSpin_->setToolTip(tr("Optimizer steps"));
  batchSpin_->setToolTip(tr("Sequences per step"));
  seedSpin_->setToolTip(tr("Seed of the initialization, the batches and the generated data"));
  metricsSpin_->setToolTip(
      tr("A snapshot (spectra, participation ratios, K/V magnitudes) every N steps and at the "
         "last step"));
  form->addRow(tr("Steps:"), stepsSpin_);
  form->addRow(tr("Batch size:"), batchSpin_);
  form->addRow(tr("Seed:"), seedSpin_);
  form->addRow(tr("Snapshot every (steps):"), metricsSpin_);
  fields_["train.steps"] = stepsSpin_;
  fields_["train.batch_size"] = batchSpin_;
  fields_["train.seed"] = seedSpin_;
  fields_["metrics.every"] = metricsSpin_;
  labels_["train.steps"] = tr("Steps");
  labels_["train.batch_size"] = tr("Batch size");
  labels_["train.seed"] = tr("Seed");
  labels_["metrics.every"] = tr("Snapshot every");
  for (QSpinBox* s : {stepsSpin_, batchSpin_, seedSpin_, metricsSpin_})
    connect(s, &QSpinBox::valueChanged, this, &SetupPanel::onEdited);
  return box;
}

QWidget* SetupPanel::buildDataBox() {
  auto* box = new QGroupBox(tr("Data and device"));
  auto* form = new QFormLayout(box);
  sourceCombo_ = new QComboBox;
  sourceCombo_->addItem(tr("Tail QA (generated)"), QStringLiteral("tailqa"));
  sourceCombo_->addItem(tr("Text file (bytes)"), QStringLiteral("text"));
  sourceCombo_->addItem(tr("Token files (.bin shards)"), QStringLiteral("tokens"));
  sourceCombo_->setToolTip(tr("Where the training tokens come from"));
  pathEdit_ = new QLineEdit;
  pathEdit_->setToolTip(tr("Text file, or token file / folder / glob"));
  pathButton_ = new QPushButton(tr("Browse…"));
  pathButton_->setObjectName(QStringLiteral("browseData"));
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(pathEdit_, 1);
  pathRow->addWidget(pathButton_);
  deviceCombo_ = new QComboBox;
  deviceCombo_->addItem(tr("Automatic"), QStringLiteral("auto"));
  deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
  deviceCombo_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  deviceCombo_->setToolTip(tr("Automatic uses a CUDA GPU when LibTorch has one, else the CPU"));
  form->addRow(tr("Data source:"), sourceCombo_);
  form->addRow(tr("Data file:"), pathRow);
  form->addRow(tr("Device:"), deviceCombo_);
  fields_["data.source"] = sourceCombo_;
  fields_["data.path"] = pathEdit_;
  fields_["device"] = deviceCombo_;
  labels_["data.source"] = tr("Data source");
  labels_["data.path"] = tr("Data file");
  labels_["device"] = tr("Device");
  connect(sourceCombo_, &QComboBox::currentIndexChanged, this, &SetupPanel::onEdited);
  connect(pathEdit_, &QLineEdit::textChanged, this, &SetupPanel::onEdited);
  connect(deviceCombo_, &QComboBox::currentIndexChanged, this, &SetupPanel::onEdited);
  connect(pathButton_, &QPushButton::clicked, this, &SetupPanel::chooseDataPath);
  return box;
}

QWidget* SetupPanel::buildOutputBox() {
  auto* box = new QGroupBox(tr("Output"));
  auto* form = new QFormLayout(box);
  folderEdit_ = new QLineEdit;
  folderEdit_->setToolTip(tr("Folder for the run files (created when needed)"));
  folderButton_ = new QPushButton(tr("Browse…"));
  folderButton_->setObjectName(QStringLiteral("browseFolder"));
  auto* row = new QHBoxLayout;
  row->addWidget(folderEdit_, 1);
  row->addWidget(folderButton_);
  form->addRow(tr("Run folder:"), row);
  fields_[kRunFolderKey] = folderEdit_;
  labels_[kRunFolderKey] = tr("Run folder");
  connect(folderEdit_, &QLineEdit::textChanged, this, &SetupPanel::onEdited);
  connect(folderButton_, &QPushButton::clicked, this, &SetupPanel::chooseRunFolder);
  return box;
}

SetupPanel::Built SetupPanel::build() const {
  Built b;
  RunConfig& c = b.cfg;
  c = base_;
  c.name = nameEdit_->text().trimmed().toStdString();
  c.model.layers = layersSpin_->value();
  c.model.d_model = dModelSpin_->value();
  c.model.heads = headsSpin_->value();
  c.model.seq_len = seqLenSpin_->value();
  c.model.qk_norm = qkNormCheck_->isChecked();
  c.model.ffn = ffnCombo_->currentData().toString().toStdString();
  c.optim.base = baseCombo_->currentData().toString().toStdString();
  c.optim.muon.clear();
  for (const auto& role : block_matrix_roles())
    if (roleCombos_.value(QString::fromStdString(role))->currentData().toBool())
      c.optim.muon.push_back(role);
  const std::pair<const char*, QLineEdit*> lrs[] = {{"optim.lr_adamw", lrAdamwEdit_},
                                                    {"optim.lr_muon", lrMuonEdit_}};
  for (const auto& [key, edit] : lrs) {
    try {
      apply_setting(c, std::string(key) + "=" + edit->text().trimmed().toStdString());
    } catch (const ConfigError& e) {
      b.parseErrors[key] = tr("not a number: \"%1\"").arg(edit->text().trimmed());
    }
  }
  c.train.steps = stepsSpin_->value();
  c.train.batch_size = batchSpin_->value();
  c.train.seed = static_cast<uint64_t>(seedSpin_->value());
  c.metrics.every = metricsSpin_->value();
  c.data.source = sourceCombo_->currentData().toString().toStdString();
  c.data.path =
      c.data.source == "tailqa" ? std::string() : pathEdit_->text().trimmed().toStdString();
  c.device = deviceCombo_->currentData().toString().toStdString();
  return b;
}

RunConfig SetupPanel::config() const {
  return build().cfg;
}

QString SetupPanel::presetName() const {
  return QString::fromStdString(base_.preset);
}

void SetupPanel::applyPreset(const QString& name) {
  RunConfig c;
  try {
    c = preset(name.toStdString());
  } catch (const ConfigError&) {
    return;
  }
  // A preset is about the model, the optimizers and the schedule: data and device stay as set.
  if (!base_.preset.empty()) {
    const RunConfig cur = config();
    c.data = cur.data;
    c.device = cur.device;
  }
  setConfig(c);
}

void SetupPanel::setConfig(const RunConfig& c) {
  base_ = c;
  fillFields(c);
}

void SetupPanel::fillFields(const RunConfig& c) {
  updating_ = true;
  const int pi = presetCombo_->findData(QString::fromStdString(c.preset));
  presetCombo_->setCurrentIndex(std::max(pi, 0));
  if (pi < 0) base_.preset = presetCombo_->currentData().toString().toStdString();
  presetDescription_->setText(presetCombo_->currentData(Qt::ToolTipRole).toString());
  nameEdit_->setText(QString::fromStdString(c.name));
  layersSpin_->setValue(c.model.layers);
  dModelSpin_->setValue(c.model.d_model);
  headsSpin_->setValue(c.model.heads);
  seqLenSpin_->setValue(c.model.seq_len);
  qkNormCheck_->setChecked(c.model.qk_norm);
  ffnCombo_->setCurrentIndex(std::max(0, ffnCombo_->findData(QString::fromStdString(c.model.ffn))));
  baseCombo_->setCurrentIndex(
      std::max(0, baseCombo_->findData(QString::fromStdString(c.optim.base))));
  setMuonRoles(c.optim.muon);
  lrAdamwEdit_->setText(numberText(c.optim.lr_adamw));
  lrMuonEdit_->setText(numberText(c.optim.lr_muon));
  stepsSpin_->setValue(static_cast<int>(std::min<int64_t>(c.train.steps, stepsSpin_->maximum())));
  batchSpin_->setValue(c.train.batch_size);
  seedSpin_->setValue(static_cast<int>(std::min<uint64_t>(c.train.seed, seedSpin_->maximum())));
  metricsSpin_->setValue(c.metrics.every);
  sourceCombo_->setCurrentIndex(
      std::max(0, sourceCombo_->findData(QString::fromStdString(c.data.source))));
  pathEdit_->setText(QString::fromStdString(c.data.path));
  deviceCombo_->setCurrentIndex(
      std::max(0, deviceCombo_->findData(QString::fromStdString(c.device))));
  updating_ = false;
  onEdited();
}

void SetupPanel::setMuonRoles(const std::vector<std::string>& roles) {
  const bool wasUpdating = updating_;
  updating_ = true;
  for (auto it = roleCombos_.begin(); it != roleCombos_.end(); ++it) {
    const bool muon = std::find(roles.begin(), roles.end(), it.key().toStdString()) != roles.end();
    it.value()->setCurrentIndex(muon ? 0 : 1);
  }
  updating_ = wasUpdating;
  if (!updating_) onEdited();
}

void SetupPanel::routeAllBase() {
  setMuonRoles({});
}

void SetupPanel::routeAllMuon() {
  setMuonRoles(block_matrix_roles());
}

void SetupPanel::routeMuonVoFfn() {
  setMuonRoles({"attn.v", "attn.o", "mlp.in", "mlp.gate", "mlp.out"});
}

QString SetupPanel::runFolder() const {
  return folderEdit_->text().trimmed();
}

void SetupPanel::setRunFolder(const QString& folder) {
  folderEdit_->setText(folder);
}

void SetupPanel::setDevice(const QString& device) {
  deviceCombo_->setCurrentIndex(std::max(0, deviceCombo_->findData(device)));
}

void SetupPanel::setEditable(bool editable) {
  editable_ = editable;
  updateEnabled();
}

void SetupPanel::onEdited() {
  if (updating_) return;
  updateEnabled();
  updateBaseNames();
  revalidate();
  emit configChanged();
}

void SetupPanel::updateEnabled() {
  for (QWidget* w : findChildren<QWidget*>())
    if (qobject_cast<QAbstractButton*>(w) || qobject_cast<QComboBox*>(w) ||
        qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QLineEdit*>(w))
      w->setEnabled(editable_);
  if (!editable_) return;
  const bool file = sourceCombo_->currentData().toString() != QLatin1String("tailqa");
  pathEdit_->setEnabled(file);
  pathButton_->setEnabled(file);
  roleCombos_.value(QStringLiteral("mlp.gate"))
      ->setEnabled(ffnCombo_->currentData().toString() == QLatin1String("swiglu"));
}

void SetupPanel::updateBaseNames() {
  const QString base =
      baseCombo_->currentData().toString() == QLatin1String("sgd") ? tr("SGD") : tr("AdamW");
  for (QComboBox* c : roleCombos_) c->setItemText(1, base);
}

void SetupPanel::revalidate() {
  const bool wasValid = isValid();
  Built b = build();
  QMap<QString, QString> errors = b.parseErrors;
  RunConfig c = b.cfg;
  const RunConfig neutral;
  std::vector<std::pair<std::string, std::string>> defaults = config_keys(neutral);
  for (int round = 0; round < 32; ++round) {
    try {
      validate(c);
      break;
    } catch (const ConfigError& e) {
      auto [key, reason] = splitConfigError(QString::fromUtf8(e.what()));
      const QString k = key.isEmpty() ? QStringLiteral("config") : key;
      if (errors.contains(k)) break;  // no progress possible
      errors[k] = reason;
      // Reset the offending key to a value that cannot fail, then look for the next problem.
      if (key == QLatin1String("model.heads")) {
        c.model.heads = 1;
        continue;
      }
      if (key == QLatin1String("model.d_model")) {
        c.model.pos = "learned";
        continue;
      }
      bool reset = false;
      for (const auto& [dk, dv] : defaults) {
        if (QString::fromStdString(dk) != key) continue;
        try {
          apply_setting(c, dk + "=" + dv);
          reset = true;
        } catch (const ConfigError&) {
        }
      }
      if (!reset) break;
    }
  }
  // Checks that ms::validate cannot make: files and folders on this machine.
  const QString src = sourceCombo_->currentData().toString();
  const QString path = pathEdit_->text().trimmed();
  if (!errors.contains("data.path") && src == QLatin1String("text") && !path.isEmpty() &&
      !QFileInfo(path).isFile())
    errors["data.path"] = tr("no such file: %1").arg(path);
  if (!errors.contains("data.path") && src == QLatin1String("tokens") && !path.isEmpty() &&
      !path.contains('*') && !path.contains('?') && !QFileInfo::exists(path))
    errors["data.path"] = tr("no such file or folder: %1").arg(path);
  const QString folder = runFolder();
  if (folder.isEmpty())
    errors[kRunFolderKey] = tr("choose a folder for the run files");
  else if (QFileInfo::exists(folder) && !QFileInfo(folder).isDir())
    errors[kRunFolderKey] = tr("%1 exists and is not a folder").arg(folder);
  errors_ = errors;
  markFields();
  if (errors_.isEmpty()) {
    summaryLabel_->setText(
        tr("Optimizers: %1").arg(QString::fromStdString(optimizer_summary(b.cfg))));
  } else {
    summaryLabel_->clear();
  }
  if (wasValid != isValid()) emit validityChanged(isValid());
}

QString SetupPanel::fieldLabel(const QString& key) const {
  return labels_.contains(key) ? labels_.value(key) : key;
}

QStringList SetupPanel::errorMessages() const {
  QStringList out;
  for (auto it = errors_.begin(); it != errors_.end(); ++it)
    out << tr("%1: %2").arg(fieldLabel(it.key()), it.value());
  return out;
}

void SetupPanel::markFields() {
  const QString color = errorColor(this);
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    QWidget* w = it.value();
    const QString err = errors_.value(it.key());
    if (err.isEmpty()) {
      w->setStyleSheet(QString());
      w->setToolTip(w->property("ms_tooltip").toString());
    } else {
      w->setStyleSheet(QStringLiteral("#%1 { border: 2px solid %2; border-radius: 3px; }")
                           .arg(w->objectName(), color));
      w->setToolTip(tr("Invalid: %1").arg(err));
    }
    w->setProperty("invalid", !err.isEmpty());
  }
  if (errors_.isEmpty()) {
    errorLabel_->clear();
    errorLabel_->hide();
  } else {
    QPalette p = errorLabel_->palette();
    p.setColor(QPalette::WindowText, QColor(color));
    errorLabel_->setPalette(p);
    errorLabel_->setText(tr("Cannot start:") + "\n• " + errorMessages().join("\n• "));
    errorLabel_->show();
  }
}

void SetupPanel::chooseDataPath() {
  const bool tokens = sourceCombo_->currentData().toString() == QLatin1String("tokens");
  const QString filter = tokens ? tr("Token files (*.bin);;All files (*)")
                                : tr("Text files (*.txt *.md);;All files (*)");
  const QString f =
      QFileDialog::getOpenFileName(this, tr("Choose training data"), pathEdit_->text(), filter);
  if (!f.isEmpty()) pathEdit_->setText(f);
}

void SetupPanel::chooseRunFolder() {
  const QString d =
      QFileDialog::getExistingDirectory(this, tr("Choose the run folder"), folderEdit_->text());
  if (!d.isEmpty()) folderEdit_->setText(d);
}

}  // namespace ms
