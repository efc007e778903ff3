// MetricsTable: the final metrics of each compared run in a sortable table (click a
// header) that copies as TSV (Ctrl+C: the selected cells, or the whole table with nothing
// selected) and exports to CSV and, drawn as a figure, to PNG/SVG/PDF. Columns (DESIGN.md
// section 4 for the definitions): steps done; final and best validation loss; training loss
// averaged over the last 10% of steps; at the last snapshot the mean PR_sv of k over layers and
// heads, the eRank of W_VO and W_out (mean over layers) and the K (post-RoPE) and V asymmetry
// ratios (mean over layers); the tail group's first-token accuracy at the last snapshot that
// has FTA. Missing values show as "–" and sort last. A seed group (a run given with its seed
// members) is one row of "mean ± sd" over its members (sample sd, n - 1; SeedStats.h), sorted by
// the mean; the CSV and TSV then carry a <column>_sd column after each numeric column.
#pragma once

#include <QPointer>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "RunModel.h"

class QPainter;
class QRectF;
class QTableWidget;
class QTimer;

namespace ms {

struct FinalMetrics {
  qint64 steps = 0;           // last step recorded
  double final_val = kNaN;    // loss of the last validation row
  double best_val = kNaN;     // lowest validation loss
  double train_tail = kNaN;   // mean training loss over the last ceil(10%) of steps
  qint64 snapshot_step = -1;  // step of the last snapshot (-1: none)
  double mean_pr = kNaN;      // PR_sv(k), mean over layers and heads, last snapshot
  double erank_vo = kNaN;     // eRank of vo, mean over layers, last snapshot
  double erank_wout = kNaN;   // eRank of mlp.out, mean over layers, last snapshot
  double asym_k = kNaN;       // k_post asymmetry, mean over layers, last snapshot
  double asym_v = kNaN;       // v asymmetry, mean over layers, last snapshot
  double tail_fta = kNaN;     // FTA of the last group, last snapshot with FTA
};

class MetricsTable : public QWidget {
  Q_OBJECT
 public:
  enum Column {
    ColRun = 0,
    ColSteps,
    ColFinalVal,
    ColBestVal,
    ColTrainTail,
    ColMeanPR,
    ColERankVO,
    ColERankWout,
    ColAsymK,
    ColAsymV,
    ColTailFTA,
    ColCount
  };

  explicit MetricsTable(const QVector<RunModel*>& runs, QWidget* parent = nullptr);

  static FinalMetrics compute(const std::vector<StepRecord>& steps,
                              const std::vector<ValRecord>& vals,
                              const std::vector<Snapshot>& snapshots);
  static FinalMetrics compute(const RunModel& run);
  static QString columnName(int column);  // header text
  static QString columnKey(int column);   // CSV header: run, steps, final_val_loss, ...
  static double columnValue(const FinalMetrics& m, int column);  // NaN for ColRun

  // The runs, their colour indices (PlotBase::categoricalColor; empty: i) and seed members
  // (as PlotBase::setRuns).
  void setRuns(const QVector<RunModel*>& runs, const QVector<int>& colorIndices = {},
               const QVector<QVector<RunModel*>>& members = {});
  // Whether any row is a seed group (the CSV/TSV then have the _sd columns).
  bool hasSeedGroups() const;
  int runCount() const { return runs_.size(); }
  QTableWidget* table() const { return table_; }
  // Rebuilds the rows now if the runs changed (the view otherwise coalesces updates).
  void refreshNow();

  // The table in its current (sorted) row order: header line, then one line per run.
  QString tsv(bool selectionOnly = false) const;
  QString csv() const;
  // Copies the selected cells (or everything when nothing is selected) as TSV.
  void copySelection() const;

  // Draws the table (title, header, rows in display order) into `rect` of `painter`.
  void paint(QPainter* painter, const QRectF& rect) const;
  // PNG, SVG or PDF by suffix, width x height pixels at dpi (as PlotBase::exportImage).
  // Throws std::runtime_error naming the file on failure.
  void exportImage(const QString& path, int width, int height, double dpi = 96.0);
  void exportCsv(const QString& path);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void scheduleRefresh();
  QString cellText(int row, int column) const;
  QString sdText(int row, int column) const;  // the seed sd of a cell ("" when none)

  QVector<QPointer<RunModel>> runs_;
  QVector<int> colors_;
  QVector<QVector<QPointer<RunModel>>> members_;
  std::vector<QMetaObject::Connection> connections_;
  QTableWidget* table_ = nullptr;
  QTimer* timer_ = nullptr;
  bool dirty_ = true;
};

}  // namespace ms
