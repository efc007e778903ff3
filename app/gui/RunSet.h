// RunSet: the runs the main window knows, in the order its run table lists them: the live run
// (trained in this window), opened run files, study members and inspected checkpoints. Each
// entry has a checkbox state (checked runs are drawn by every view, like TensorBoard's and
// W&B's run selection), a colour index that stays with the run while others come and go, and a
// label from what differs in the configs of all entries ("Muon (VO+FFN)", "AdamW, seed 2";
// RunLabels), which becomes the RunModel's display name so every legend uses it. Files are read
// with a RunFollower each, so a run that another process is still writing keeps growing.
// Seeds: runs whose configs differ only in train.seed form a group, an extra row whose model is
// their elementwise mean (SeedMean) labelled "AdamW (3 seeds)"; the views draw it as the mean
// with a band over its members (PlotBase's run members), the metrics table as mean +- std. The
// group is checked and its members unchecked when it forms; the table lists the members under
// it ("AdamW, seed 2"), each with its own checkbox.
#pragma once

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include "train/Snapshot.h"

namespace ms {

class RunFollower;
class RunModel;

class RunSet : public QObject {
  Q_OBJECT
 public:
  enum Kind { Live = 0, File, StudyMember, Inspected, SeedGroup };

  struct Entry {
    RunModel* model = nullptr;
    RunFollower* follower = nullptr;  // nullptr for the live run
    Kind kind = File;
    QString file;        // absolute path ("" for the live run before it has a file)
    QString fixedLabel;  // a study's member label ("" = derive from the config)
    bool checked = true;
    int colorIndex = 0;
    QVector<RunModel*> members;  // SeedGroup: its runs, in row order
    RunModel* group = nullptr;   // a seed group's member: the group's (mean) model
  };

  explicit RunSet(QObject* parent = nullptr);
  ~RunSet() override;

  // Adds the live run (always row 0; not removable). Unchecked until it has a run.
  void setLiveModel(RunModel* model);
  RunModel* liveModel() const { return live_; }
  void setLiveFile(const QString& file);  // the file the live run is written to
  // A fixed label for a row (a study member's, also while it trains as the live run); "" goes
  // back to the label derived from the configs.
  void setFixedLabel(int row, const QString& label);

  // Opens a run file (or finds it when already listed) and checks it. Returns its row, or -1
  // with *error naming the file and the problem (the set is unchanged then).
  int openFile(const QString& path, Kind kind = File, const QString& label = QString(),
               QString* error = nullptr);
  // Opens a study index's members (checked; a study label each). Members whose file is missing
  // are skipped with a line in *warnings. Returns their rows; empty with *error when nothing
  // could be opened.
  QVector<int> openStudy(const QString& index, QString* error = nullptr,
                         QStringList* warnings = nullptr);
  // Removes a row (not the live run). Its model is deleted later (deleteLater).
  void remove(int row);
  // Stops reading a file row's run file (closes its RunReader: a resume in this process opens
  // it for writing next); the row keeps the data it holds. reloadFile() reads the file again
  // into the same row (its colour, check and label stay); false with *error when it cannot.
  void releaseFile(int row);
  bool reloadFile(int row, QString* error = nullptr);

  int count() const { return static_cast<int>(entries_.size()); }
  const Entry& entry(int row) const { return entries_[row]; }
  int rowOf(const RunModel* model) const;
  int rowOfFile(const QString& path) const;  // -1 when not listed
  QString label(int row) const;
  // "live" (training here), "running" (another process writes it), "finished", "stopped",
  // "failed", "interrupted" — translated.
  QString statusText(int row) const;
  int64_t lastStep(int row) const;  // last step or snapshot step recorded, 0 when none

  bool isChecked(int row) const { return entries_[row].checked; }
  void setChecked(int row, bool on);
  // Checks exactly these rows (the others are unchecked) in one change.
  void checkOnly(const QVector<int>& rows);
  // Checked runs in row order, their colour indices and seed-group members (empty for a plain
  // run): PlotBase::setRuns's arguments.
  QVector<RunModel*> checkedModels() const;
  QVector<int> checkedColors() const;
  QVector<QVector<RunModel*>> checkedMembers() const;
  // The group row of a member's model (-1 when it is in none).
  int groupRowOf(int row) const;
  // The config keys that differ across all entries, as "key=value" per row (for tooltips).
  QStringList differingKeys(int row) const;

 signals:
  void rowsChanged();     // rows added or removed, labels or status changed
  void checkedChanged();  // the checked runs (or their colours) changed
  void rowUpdated(int row);
  // A followed file could not be read any more (its model keeps what was read).
  void followFailed(const QString& file, const QString& message);

 private:
  void relabel();
  void regroup();           // forms, updates and dissolves seed groups (called by relabel)
  void updateGroupMeans();  // recomputes the mean model of every group whose members changed
  int nextColor() const;
  void watch(int row);

  std::vector<Entry> entries_;
  RunModel* live_ = nullptr;
  QStringList labels_;
  std::vector<QStringList> differing_;
  QTimer* meanTimer_ = nullptr;  // coalesces members' updates into one mean recomputation
  QSet<RunModel*> staleGroups_;  // group models whose members changed since the last mean
};

}  // namespace ms
