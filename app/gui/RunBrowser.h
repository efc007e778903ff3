// RunBrowser: the runs in the run folder and the recently opened run files, one row each with
// status, preset, steps (done / planned), final training and validation loss and the file's
// time, read with RunReader (cached by path, size and modification time). Double-click (or
// Enter) asks to open a run. Rows have checkboxes and the view allows multi-selection; a later
// "Compare" feature takes selectedRunFiles(). The folder is watched for new files, and runs
// that are still being written are re-read every few seconds.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include "train/Snapshot.h"

class QFileSystemWatcher;
class QLabel;
class QStandardItemModel;
class QTreeView;

namespace ms {

class RunBrowser : public QWidget {
  Q_OBJECT
 public:
  enum Column {
    ColRun = 0,
    ColStatus,
    ColPreset,
    ColSteps,
    ColLoss,
    ColValLoss,
    ColTime,
    ColCount
  };
  static constexpr int kLiveRefreshMs = 3000;

  // What the browser shows of one run file.
  struct Summary {
    QString path;
    bool readable = false;
    QString error;  // why it is not readable
    RunStatus status = RunStatus::Interrupted;
    QString message;
    QString name, preset, optimizers;
    qint64 steps = 0, totalSteps = 0;
    double finalLoss = kNaN, finalValLoss = kNaN;
    QDateTime modified;
    qint64 size = -1;
  };
  // Reads a run file's summary (never throws; an unreadable file gives readable = false).
  static Summary summarize(const QString& path);
  static QString statusText(RunStatus status);  // translated "finished", "running", ...

  explicit RunBrowser(QWidget* parent = nullptr);

  void setFolder(const QString& folder);
  QString folder() const { return folder_; }
  void setRecentFiles(const QStringList& files);
  QStringList recentFiles() const { return recent_; }
  // The file of the run this app is training now: shown as "training" without reading it.
  void setActiveFile(const QString& path);

  QStringList files() const;                   // every listed file, in row order
  int rowOf(const QString& path) const;        // -1 when not listed
  Summary summary(const QString& path) const;  // cached summary of a listed file
  // Checked runs; when none is checked, the selected rows. Absolute paths, row order.
  QStringList selectedRunFiles() const;
  void setChecked(const QString& path, bool checked);
  QTreeView* view() const { return view_; }
  QStandardItemModel* model() const { return model_; }

 public slots:
  void refresh();                         // rescans the folder and the recent files
  void refreshFile(const QString& path);  // re-reads one file (and lists it if new)

 signals:
  void openRequested(const QString& path);
  void selectionChanged();

 private:
  void setRow(int row, const Summary& s);
  Summary cachedSummary(const QString& path);
  void activate(const QModelIndex& index);
  void refreshLive();

  QString folder_;
  QStringList recent_;
  QString active_;
  QTreeView* view_ = nullptr;
  QStandardItemModel* model_ = nullptr;
  QLabel* folderLabel_ = nullptr;
  QFileSystemWatcher* watcher_ = nullptr;
  QTimer rescan_;  // debounces directory change notifications
  QTimer live_;    // re-reads runs that are being written
  QHash<QString, Summary> cache_;
};

}  // namespace ms
