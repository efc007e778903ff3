// RunTable: the main window's list of runs (RunSet), one row each: a checkbox that shows the run
// in every view, its colour, its label (what differs in its config), status (live, running,
// finished, stopped, failed, interrupted), steps and file. A seed group is one row (mean +-
// band in the views) that expands to its members. The tooltip lists the config keys that differ
// across the runs. Space toggles the current row, Delete removes it (not the live
// run); the context menu also offers "Show only this run", "Show all", "Show none",
// "Show config…" and, on a row with a run file, the window's file actions (Resume Training),
// which act on the current row: a right-click makes the clicked row current first.
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QWidget>

class QAction;
class QTreeWidget;
class QTreeWidgetItem;

namespace ms {

class RunModel;
class RunSet;

class RunTable : public QWidget {
  Q_OBJECT
 public:
  enum Column { ColRun = 0, ColStatus, ColSteps, ColFile, ColCount };

  explicit RunTable(RunSet* runs, QWidget* parent = nullptr);

  QTreeWidget* tree() const { return tree_; }
  RunSet* runSet() const { return runs_; }
  // The row under the keyboard focus (-1 when none).
  int currentRow() const;
  // The RunSet row of a tree item (-1 for none) and the item of a row (nullptr when none).
  int rowOfItem(const QTreeWidgetItem* item) const;
  QTreeWidgetItem* itemOfRow(int row) const;
  // Adds an action to the context menu of rows with a run file (the live run's once it has one;
  // not a seed group).
  // The action stays the caller's: it acts on currentRow() and keeps its enabled state and
  // tooltip (shown in the menu, so a disabled entry says why).
  void addFileAction(QAction* action);

 signals:
  // A row was activated (double-click / Enter): the window focuses that run.
  void rowActivated(int row);
  // The current row changed (selection, right-click, rows rebuilt); -1 when none.
  void currentRowChanged(int row);

 private:
  void rebuildRows();
  void updateRow(int row);
  void showContextMenu(const QPoint& pos);
  void showConfig(int row);
  bool eventFilter(QObject* watched, QEvent* event) override;

  RunSet* runs_ = nullptr;
  QTreeWidget* tree_ = nullptr;
  QHash<int, QTreeWidgetItem*> items_;  // RunSet row -> its item
  QSet<const RunModel*> expanded_;      // seed groups the user expanded
  QList<QAction*> fileActions_;         // addFileAction()
  bool updating_ = false;
};

}  // namespace ms
