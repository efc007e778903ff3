// InspectDialog: the options of File > Inspect Checkpoints… (see InspectDialog.h).
#include "InspectDialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <exception>

#include "AppSettings.h"
#include "RunLabels.h"

namespace ms {

namespace {

// A row of a line edit and its Browse… button.
QWidget* withBrowse(QLineEdit* edit, QPushButton* browse) {
  auto* row = new QWidget;
  auto* lay = new QHBoxLayout(row);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(edit, 1);
  lay->addWidget(browse);
  return row;
}

}  // namespace

InspectDialog::InspectDialog(QWidget* parent) : QDialog(parent) {
  setObjectName(QStringLiteral("inspectDialog"));
  setWindowTitle(tr("Inspect Checkpoints"));
  auto* top = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("Measures checkpoints trained elsewhere (nanoGPT ckpt.pt, Hugging Face GPT-2 / Llama / "
         "Mistral / Qwen2 folders) into a run file: one snapshot per checkpoint, in step order."));
  intro->setWordWrap(true);
  top->addWidget(intro);

  auto* ckBox = new QGroupBox(tr("Checkpoints"));
  auto* ckLay = new QVBoxLayout(ckBox);
  list_ = new QListWidget;
  list_->setObjectName(QStringLiteral("inspectCheckpoints"));
  list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  ckLay->addWidget(list_);
  auto* ckButtons = new QHBoxLayout;
  auto* addFilesButton = new QPushButton(tr("Add &Files…"));
  addFilesButton->setObjectName(QStringLiteral("inspectAddFiles"));
  auto* addFolderButton = new QPushButton(tr("Add F&older…"));
  addFolderButton->setObjectName(QStringLiteral("inspectAddFolder"));
  addFolderButton->setToolTip(
      tr("A model folder is one checkpoint; a folder of checkpoint folders or files adds each"));
  removeButton_ = new QPushButton(tr("&Remove"));
  removeButton_->setObjectName(QStringLiteral("inspectRemove"));
  ckButtons->addWidget(addFilesButton);
  ckButtons->addWidget(addFolderButton);
  ckButtons->addWidget(removeButton_);
  ckButtons->addStretch(1);
  foundLabel_ = new QLabel;
  foundLabel_->setObjectName(QStringLiteral("inspectFound"));
  ckButtons->addWidget(foundLabel_);
  ckLay->addLayout(ckButtons);
  top->addWidget(ckBox, 1);

  auto* form = new QFormLayout;
  probe_ = new QLineEdit;
  probe_->setObjectName(QStringLiteral("inspectProbe"));
  probe_->setPlaceholderText(tr("none: weights-only metrics"));
  auto* probeBrowse = new QPushButton(tr("&Browse…"));
  probeBrowse->setObjectName(QStringLiteral("inspectProbeBrowse"));
  form->addRow(tr("&Probe file:"), withBrowse(probe_, probeBrowse));
  auto* probeNote = new QLabel(
      tr("Token file (.bin: nanoGPT uint16 or a modded-nanogpt shard) or text, tokenized with "
         "the model folder's tokenizer. Without a probe file only the weights are measured; the "
         "probe loss and the activation metrics (participation ratios, K/V, logits) need one."));
  probeNote->setWordWrap(true);
  probeNote->setObjectName(QStringLiteral("inspectProbeNote"));
  form->addRow(QString(), probeNote);
  batch_ = new QSpinBox;
  batch_->setObjectName(QStringLiteral("inspectBatch"));
  batch_->setRange(1, 4096);
  batch_->setToolTip(tr("Probe windows B: window b holds tokens [b·T, (b+1)·T) of the probe"));
  seq_ = new QSpinBox;
  seq_->setObjectName(QStringLiteral("inspectSeq"));
  seq_->setRange(2, 1 << 20);
  seq_->setToolTip(tr("Tokens per window T (capped at the model's context length)"));
  form->addRow(tr("Probe &windows (B):"), batch_);
  form->addRow(tr("&Tokens per window (T):"), seq_);
  out_ = new QLineEdit;
  out_->setObjectName(QStringLiteral("inspectOutput"));
  auto* outBrowse = new QPushButton(tr("B&rowse…"));
  outBrowse->setObjectName(QStringLiteral("inspectOutputBrowse"));
  form->addRow(tr("Run &file:"), withBrowse(out_, outBrowse));
  top->addLayout(form);

  problemLabel_ = new QLabel;
  problemLabel_->setObjectName(QStringLiteral("inspectProblem"));
  problemLabel_->setWordWrap(true);
  problemLabel_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  top->addWidget(problemLabel_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
  inspectButton_ = buttons->addButton(tr("&Inspect"), QDialogButtonBox::AcceptRole);
  inspectButton_->setObjectName(QStringLiteral("inspectStart"));
  inspectButton_->setDefault(true);
  top->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::accepted, this, &InspectDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(addFilesButton, &QPushButton::clicked, this, &InspectDialog::addFiles);
  connect(addFolderButton, &QPushButton::clicked, this, &InspectDialog::addFolder);
  connect(removeButton_, &QPushButton::clicked, this, &InspectDialog::removeSelected);
  connect(probeBrowse, &QPushButton::clicked, this, &InspectDialog::browseProbe);
  connect(outBrowse, &QPushButton::clicked, this, &InspectDialog::browseOutput);
  connect(list_, &QListWidget::itemSelectionChanged, this,
          [this] { removeButton_->setEnabled(!list_->selectedItems().isEmpty()); });
  connect(probe_, &QLineEdit::textChanged, this, &InspectDialog::revalidate);
  connect(out_, &QLineEdit::textChanged, this, &InspectDialog::revalidate);

  probe_->setText(settings::inspectProbeFile());
  batch_->setValue(settings::inspectBatch());
  seq_->setValue(settings::inspectSeq());
  lastDir_ = QDir::homePath();
  runFolder_ = settings::runFolder();
  removeButton_->setEnabled(false);
  setAcceptDrops(true);
  resize(640, 520);
  revalidate();
}

QString InspectDialog::defaultOutputFile(const QString& folder, const QString& firstCheckpoint) {
  const QFileInfo fi(QDir::cleanPath(firstCheckpoint));
  QString name = fi.completeBaseName();
  static const QRegularExpression generic(
      QStringLiteral("^(ckpt|model|pytorch_model|config|model\\.safetensors\\.index|"
                     "model-\\d+-of-\\d+|pytorch_model-\\d+-of-\\d+)$"));
  if (fi.isDir())
    name = fi.fileName();
  else if (generic.match(name).hasMatch())
    name = fi.absoluteDir().dirName();
  name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
  if (name.isEmpty() || name == QLatin1String(".")) name = QStringLiteral("checkpoints");
  const QDir dir(folder);
  QString path = dir.filePath(QStringLiteral("inspect-%1.h5").arg(name));
  for (int i = 2; QFileInfo::exists(path); ++i)
    path = dir.filePath(QStringLiteral("inspect-%1-%2.h5").arg(name).arg(i));
  return path;
}

bool InspectDialog::isCheckpointInput(const QString& path) {
  const QFileInfo fi(path);
  if (fi.isDir()) return true;
  static const QStringList kSuffixes = {"pt", "pth", "bin", "safetensors", "json"};
  return fi.isFile() && kSuffixes.contains(fi.suffix().toLower()) && !is_study_index(path);
}

QStringList InspectDialog::checkpointInputs(const QMimeData* mime) {
  QStringList out;
  if (!mime || !mime->hasUrls()) return out;
  for (const QUrl& u : mime->urls())
    if (u.isLocalFile() && isCheckpointInput(u.toLocalFile())) out << u.toLocalFile();
  return out;
}

void InspectDialog::dragEnterEvent(QDragEnterEvent* event) {
  if (!checkpointInputs(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void InspectDialog::dropEvent(QDropEvent* event) {
  const QStringList paths = checkpointInputs(event->mimeData());
  if (paths.isEmpty()) return;
  addCheckpoints(paths);
  event->acceptProposedAction();
}

void InspectDialog::addCheckpoints(const QStringList& paths) {
  const QStringList have = checkpoints();
  for (const QString& p : paths) {
    const QString abs = QDir::cleanPath(QFileInfo(p).absoluteFilePath());
    if (abs.isEmpty() || have.contains(abs) || !list_->findItems(abs, Qt::MatchExactly).isEmpty())
      continue;
    list_->addItem(QDir::toNativeSeparators(abs));
    lastDir_ = QFileInfo(abs).absolutePath();
  }
  updateDefaultOutput();
  revalidate();
}

QStringList InspectDialog::checkpoints() const {
  QStringList out;
  for (int i = 0; i < list_->count(); ++i)
    out << QDir::fromNativeSeparators(list_->item(i)->text());
  return out;
}

void InspectDialog::setProbeFile(const QString& path) {
  probe_->setText(path);
}

QString InspectDialog::probeFile() const {
  return probe_->text().trimmed();
}

void InspectDialog::setBatch(int b) {
  batch_->setValue(b);
}

int InspectDialog::batch() const {
  return batch_->value();
}

void InspectDialog::setSeq(int t) {
  seq_->setValue(t);
}

int InspectDialog::seq() const {
  return seq_->value();
}

void InspectDialog::setRunFolder(const QString& folder) {
  runFolder_ = folder;
  updateDefaultOutput();
  revalidate();
}

void InspectDialog::setOutputFile(const QString& path) {
  defaultOut_.clear();
  out_->setText(path);
}

QString InspectDialog::outputFile() const {
  return out_->text().trimmed();
}

InspectOptions InspectDialog::options() const {
  InspectOptions o;
  for (const QString& c : checkpoints()) o.inputs.push_back(c.toStdString());
  o.out = outputFile().toStdString();
  o.probe = probeFile().toStdString();
  o.batch = batch();
  o.seq = seq();
  o.device = settings::defaultDevice().toStdString();
  return o;
}

void InspectDialog::accept() {
  revalidate();
  if (!problem_.isEmpty()) return;
  settings::setInspectProbeFile(probeFile());
  settings::setInspectBatch(batch());
  settings::setInspectSeq(seq());
  QDialog::accept();
}

void InspectDialog::addFiles() {
  const QStringList files = QFileDialog::getOpenFileNames(
      this, tr("Add checkpoints"), lastDir_,
      tr("Checkpoints (*.pt *.pth *.bin *.safetensors *.json);;All files (*)"));
  addCheckpoints(files);
}

void InspectDialog::addFolder() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Add a checkpoint folder"), lastDir_);
  if (!dir.isEmpty()) addCheckpoints({dir});
}

void InspectDialog::removeSelected() {
  qDeleteAll(list_->selectedItems());
  updateDefaultOutput();
  revalidate();
}

void InspectDialog::browseProbe() {
  const QString start = probeFile().isEmpty() ? lastDir_ : QFileInfo(probeFile()).absolutePath();
  const QString f = QFileDialog::getOpenFileName(
      this, tr("Probe file"), start, tr("Token files (*.bin);;Text (*.txt);;All files (*)"));
  if (!f.isEmpty()) probe_->setText(f);
}

void InspectDialog::browseOutput() {
  const QString start = outputFile().isEmpty() ? runFolder_ : outputFile();
  const QString f =
      QFileDialog::getSaveFileName(this, tr("Run file"), start, tr("Run files (*.h5)"), nullptr,
                                   QFileDialog::DontConfirmOverwrite);
  if (!f.isEmpty()) setOutputFile(f);
}

void InspectDialog::updateDefaultOutput() {
  // The default follows the first checkpoint until the user types or picks a name of their own.
  const bool userChosen = !outputFile().isEmpty() && outputFile() != defaultOut_;
  if (userChosen) return;
  const QStringList c = checkpoints();
  defaultOut_ = c.isEmpty() ? QString() : defaultOutputFile(runFolder_, c.front());
  out_->setText(defaultOut_);
}

void InspectDialog::revalidate() {
  QStringList problems;
  found_ = 0;
  const QStringList c = checkpoints();
  if (c.isEmpty()) {
    problems << tr("Add checkpoint files or folders.");
    foundLabel_->clear();
  } else {
    std::vector<std::string> in;
    for (const QString& p : c) in.push_back(p.toStdString());
    try {
      found_ = static_cast<int>(expand_checkpoints(in).size());
      foundLabel_->setText(found_ == 1 ? tr("1 checkpoint") : tr("%1 checkpoints").arg(found_));
    } catch (const std::exception& e) {
      problems << QString::fromUtf8(e.what());
      foundLabel_->setText(tr("no checkpoints"));
    }
  }
  if (!probeFile().isEmpty() && !QFileInfo(probeFile()).isFile())
    problems << tr("The probe file %1 does not exist.").arg(probeFile());
  if (outputFile().isEmpty())
    problems << tr("Choose the run file to write.");
  else if (QFileInfo::exists(outputFile()))
    problems << tr("The run file %1 already exists.").arg(outputFile());
  problem_ = problems.join(QLatin1Char('\n'));
  // The empty list is the starting state, not an error worth red text.
  problemLabel_->setText(c.isEmpty() ? QString() : problem_);
  inspectButton_->setEnabled(problem_.isEmpty());
}

}  // namespace ms
