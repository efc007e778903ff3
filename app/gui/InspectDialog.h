// InspectDialog: File > Inspect Checkpoints… (and a drop of checkpoints on the window). The
// user lists checkpoints (files: .pt / .pth / .bin / .safetensors / .json; folders: one
// checkpoint or a folder of checkpoints, as ms::expand_checkpoints decides), picks an optional
// probe file (empty = weights-only metrics), the probe size B x T and the run file to write
// (default: inspect-<first checkpoint>.h5 in the run folder, never an existing file). Inspect
// is enabled while the list expands to at least one checkpoint and the run file is new; the
// last probe file, B and T are remembered (AppSettings). Checkpoints dropped on the dialog are
// added to the list. The dialog only collects the options:
// MainWindow runs them (InspectController).
#pragma once

#include <QDialog>
#include <QStringList>

#include "ckpt/Inspector.h"

class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QLineEdit;
class QListWidget;
class QMimeData;
class QPushButton;
class QSpinBox;

namespace ms {

class InspectDialog : public QDialog {
  Q_OBJECT
 public:
  explicit InspectDialog(QWidget* parent = nullptr);

  // Appends files / folders (duplicates skipped) and updates the default run file.
  void addCheckpoints(const QStringList& paths);
  QStringList checkpoints() const;  // as listed (folders not expanded)
  // The checkpoints the list expands to (0 while it is empty or invalid).
  int checkpointCount() const { return found_; }

  void setProbeFile(const QString& path);
  QString probeFile() const;
  void setBatch(int b);
  int batch() const;
  void setSeq(int t);
  int seq() const;
  // The folder of the default run file (initially AppSettings' run folder).
  void setRunFolder(const QString& folder);
  QString runFolder() const { return runFolder_; }
  // An explicit run file (the default then no longer follows the first checkpoint).
  void setOutputFile(const QString& path);
  QString outputFile() const;

  // Empty when the dialog can be accepted, else why not (also shown in the dialog).
  QString problem() const { return problem_; }
  // The options Inspect runs (device: the app's default device).
  InspectOptions options() const;
  QPushButton* inspectButton() const { return inspectButton_; }

  // `folder`/inspect-<name>.h5, with -2, -3, ... added until no such file exists. <name> is the
  // checkpoint's file name without extension, or its folder's name for a generic one (ckpt.pt,
  // model.safetensors, pytorch_model.bin, a shard) and for a folder.
  static QString defaultOutputFile(const QString& folder, const QString& firstCheckpoint);
  // What the list takes: a folder (a checkpoint or a folder of them) or a .pt / .pth / .bin /
  // .safetensors / .json file other than a study index (the loader decides the rest).
  static bool isCheckpointInput(const QString& path);
  // The local checkpoint inputs among a drag's URLs.
  static QStringList checkpointInputs(const QMimeData* mime);

 public slots:
  void accept() override;  // remembers the probe file, B and T, then closes

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void addFiles();
  void addFolder();
  void removeSelected();
  void browseProbe();
  void browseOutput();
  void updateDefaultOutput();
  void revalidate();

  QListWidget* list_ = nullptr;
  QLabel* foundLabel_ = nullptr;
  QLineEdit* probe_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* seq_ = nullptr;
  QLineEdit* out_ = nullptr;
  QLabel* problemLabel_ = nullptr;
  QPushButton* inspectButton_ = nullptr;
  QPushButton* removeButton_ = nullptr;
  QString lastDir_;
  QString runFolder_;
  QString defaultOut_;  // the last default put into out_ (replaced while the user keeps it)
  QString problem_;
  int found_ = 0;
};

}  // namespace ms
