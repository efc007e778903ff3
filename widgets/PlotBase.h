// PlotBase: what every Muonscope plot view shares. Each view is a QWidget holding a row of
// controls above one QCustomPlot (several panels are axis rects of that one plot, so an image
// export contains all of them) and draws 1..N runs (RunModels): the runs checked in the main
// window's run table, the live one among them, or the runs given to a headless export. Each run
// has a colour index (stable while other runs come and go) and a label (its display name).
// PlotBase gives it:
//  - the run list: runs(), setRuns(), runColor(i), runLabel(i); every run's change signals
//    mark the view dirty; a deleted run is skipped (run(i) == nullptr);
//  - alignment helpers: x of a record by step, tokens or wall time; the snapshot of a run
//    nearest to a step (one step slider moves every run to the same step);
//  - coalesced refresh: model signals only mark the view dirty; a single-shot 40 ms timer then
//    rebuilds the plottables from the runs and replots once (at most 25 Hz, never per step); a
//    view that is not visible (a tabbed-away dock) stays dirty and rebuilds when shown;
//  - interaction: wheel zoom, left-drag pan, box zoom (Shift/Ctrl + drag, or "Box zoom" mode),
//    double-click to reset the view (rescale to the data), and a right-click menu with
//    "Export image…" (PNG/SVG/PDF) and "Export data (CSV)…";
//  - headless export: exportImage(path, w, h, dpi) and exportCsv(path), which throw
//    std::runtime_error naming the file on failure;
//  - colours from the widget palette (axes, text, grid, background), re-applied on
//    QEvent::PaletteChange, so dark mode stays readable.
#pragma once

#include <QColor>
#include <QPointer>
#include <QString>
#include <QVector>
#include <QWidget>
#include <cstdint>
#include <functional>
#include <vector>

#include "RunModel.h"
#include "SeedBand.h"

class QComboBox;
class QCustomPlot;
class QCPAxisRect;
class QCPColorGradient;
class QCPLayoutGrid;
class QCPLegend;
class QCPTextElement;
class QLabel;
class QStackedWidget;
class QTimer;

namespace ms {

class FlowLayout;

class PlotBase : public QWidget {
  Q_OBJECT
 public:
  // Which model signals make this view dirty (a view sets the ones it draws).
  enum Interest { kInfo = 1, kSteps = 2, kVals = 4, kSnapshots = 8, kStatus = 16 };
  static constexpr int kRefreshIntervalMs = 40;  // coalescing window: at most 25 replots/s

  // x axis of the curve views: training step, tokens seen, or seconds of training.
  enum XAxis { XStep = 0, XTokens = 1, XWallTime = 2 };

  explicit PlotBase(RunModel* model, QWidget* parent = nullptr);
  explicit PlotBase(const QVector<RunModel*>& runs, QWidget* parent = nullptr);
  ~PlotBase() override;

  // The runs drawn (a deleted model becomes nullptr and is skipped). colorIndices gives each
  // run's colour (seriesColor(index)); empty: run i gets colour i. members[i], when given and
  // not empty, makes run i a seed group: runs[i] is their mean (SeedMean) and curve views draw
  // a band over the members' curves around it. The view keeps its settings and redraws; the
  // zoom is reset.
  void setRuns(const QVector<RunModel*>& runs, const QVector<int>& colorIndices = {},
               const QVector<QVector<RunModel*>>& members = {});
  QVector<RunModel*> runs() const;
  int runCount() const { return static_cast<int>(runs_.size()); }
  RunModel* run(int i) const;
  // Legend name of run i: its display name, or "run i+1" when it has none.
  QString runLabel(int i) const;
  QColor runColor(int i) const;
  int runColorIndex(int i) const;
  // The seed-group members of run i (empty for a plain run; deleted members are left out).
  QVector<RunModel*> runMembers(int i) const;
  // The first run (nullptr when none): what a view showing one run draws.
  RunModel* model() const { return run(0); }
  // Shows one run (nullptr: nothing); as setRuns({model}).
  void setModel(RunModel* model);
  QCustomPlot* plot() const { return plot_; }

  // The plotted data as CSV (header line, then one row per point; NaN as an empty field).
  virtual QString csv() const = 0;
  // Renders the plot to PNG, SVG or PDF (chosen by the file suffix). width x height are the
  // output size in pixels at `dpi`; the layout is done at width*96/dpi x height*96/dpi logical
  // pixels, so fonts keep their size relative to the plot. PNG is exactly width x height pixels.
  // Throws std::runtime_error naming the file for an unknown suffix or a write failure.
  void exportImage(const QString& path, int width, int height, double dpi = 96.0);
  // Writes csv() to path (UTF-8). Throws std::runtime_error naming the file on failure.
  void exportCsv(const QString& path);

  // Rebuilds from the model and replots now if anything is pending (tests, headless export).
  void refreshNow();
  bool refreshPending() const;
  // Number of completed QCustomPlot::replot() calls (for the coalescing test).
  int replotCount() const { return replotCount_; }
  int rebuildCount() const { return rebuildCount_; }
  bool boxZoomMode() const { return boxZoom_; }
  // True once the user zoomed or panned; the view then stops auto-rescaling until reset.
  bool userZoomed() const { return userZoomed_; }

  // x of a record on the chosen axis (step, tokens seen, seconds of training).
  static double xOf(const StepRecord& s, XAxis mode);
  static double xOf(const ValRecord& v, XAxis mode);
  static double xOf(const Snapshot& s, XAxis mode);
  static QString xLabel(XAxis mode);
  // Index of the snapshot whose step is nearest to `step` (ties: the earlier one); step < 0
  // means the latest. -1 when there are no snapshots.
  static int nearestSnapshot(const std::vector<Snapshot>& snapshots, int64_t step);
  // Sorted distinct snapshot steps over all runs (for the shared step slider).
  std::vector<int64_t> unionSnapshotSteps() const;
  // Short display name of a matrix kind (ms::matrix_label): attn.q -> W_Q, mlp.out -> W_out,
  // vo -> "W_VO (sum over heads)", ...
  static QString matrixLabel(const QString& name);
  // A CSV field, quoted when it holds a comma, quote or newline.
  static QString csvField(const QString& text);
  // A CSV number: 10 significant digits, NaN/inf as an empty field.
  static QString csvNumber(double v);
  // Categorical colour i (Tableau-10), lifted on dark backgrounds: what seriesColor(i) and
  // runColor() use, for swatches outside the views (the run table).
  static QColor categoricalColor(int i, bool dark);
  static QColor categoricalColor(int i, const QPalette& palette);  // dark: a dark Base colour

 signals:
  // The run list changed (setRuns, or a run's info changed).
  void runsChanged();
  // The refresh timer fired while the view was not visible: it stays dirty until shown.
  void refreshDeferred();

 public slots:
  void setBoxZoomMode(bool on);
  // Forgets the user's zoom, rescales to the data and replots (double-click does this).
  void resetView();
  // Redraws everything from the runs, keeping the zoom: for a setting outside the view that
  // changes what it draws (Preferences > Seed band). Coalesced; a hidden view waits until shown.
  void invalidate();
  void exportImageInteractive();  // file dialog, then exportImage at the widget's size
  void exportCsvInteractive();    // file dialog, then exportCsv

 protected:
  // Re-reads the model into the plottables. Called from the coalescing timer or refreshNow().
  virtual void rebuild() = 0;
  // Sets axis ranges to show all data; default rescales every axis rect. Called after rebuild()
  // unless the user zoomed, and on resetView().
  virtual void resetRanges();
  // Styles axes, grids, legends, text elements and background from palette(). Views override
  // to restyle their own items and must call the base.
  virtual void applyPalette();

  // Called after the run list changed or a run's info arrived (views update their combos);
  // default does nothing.
  virtual void runsReset() {}

  void scheduleRefresh();  // mark dirty; the timer rebuilds and replots once
  void scheduleReset();    // as scheduleRefresh, and forget the user's zoom (new quantity shown)
  void setInterest(int mask) { interest_ = mask; }
  // The row of controls above the plot: it wraps onto more lines when the view is narrow.
  FlowLayout* controlsLayout() const { return controls_; }
  // A new combo box of the curve views' x axes (Step, Tokens, Wall time; item data XAxis).
  QComboBox* newXAxisCombo();
  // The plot's layout below the title: cell (0, 0) holds plot()->axisRect(); views add panels
  // (more axis rects, colour scales, text elements) here.
  QCPLayoutGrid* body() const { return body_; }
  // Shows `text` instead of the plot (empty: show the plot). Exports still render the plot.
  void setPlaceholderText(const QString& text);
  // Title shown above the plot (and in exports), followed by the run's display name when one
  // run is shown.
  void setTitle(const QString& title);

  // The width the plot is laid out at: the export's (logical) width while exporting, the plot's
  // while shown, else 1000 px (a view not shown yet). Views that fit text to it (elided titles,
  // legend columns) use this.
  int layoutWidth() const;
  // A legend laid out in rows (fill order columns first): as many columns as its widest entry
  // allows in layoutWidth(), at most maxColumns, so no entry is clipped.
  void fitLegendColumns(QCPLegend* legend, int maxColumns = 6) const;
  // Moves plot()->legend out of `rect`'s inset into a centred row under the whole plot (never
  // over data), entries filled row by row; fitLegendColumns sets how many per row.
  void placeLegendBelow(QCPAxisRect* rect);
  // The seed band of run i's members for a per-snapshot quantity (value; NaN points left out)
  // on x axis `mode`: what a curve view draws around a seed group's mean. Empty for a plain run.
  SeedBand snapshotSeedBand(int run, const std::function<double(const Snapshot&)>& value,
                            XAxis mode) const;

  // Palette-derived colours.
  bool isDark() const;
  QColor textColor() const;
  QColor backgroundColor() const;
  QColor gridColor() const;
  QColor seriesColor(int i) const;               // categorical colours, lightened in dark mode
  static QCPColorGradient sequentialGradient();  // viridis-like, readable light and dark

  void changeEvent(QEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void connectRuns();
  void onModelSignal(int kind);
  void onTimer();
  void showContextMenu(const QPoint& pos);
  void updateTitle();

  QVector<QPointer<RunModel>> runs_;
  QVector<int> colorIndices_;                     // parallel to runs_
  QVector<QVector<QPointer<RunModel>>> members_;  // parallel to runs_ (seed groups)
  QCustomPlot* plot_ = nullptr;
  QCPTextElement* title_ = nullptr;
  QCPLayoutGrid* body_ = nullptr;
  QString titleText_;
  FlowLayout* controls_ = nullptr;
  QStackedWidget* stack_ = nullptr;
  QLabel* placeholder_ = nullptr;
  QTimer* timer_ = nullptr;
  std::vector<QMetaObject::Connection> modelConnections_;
  int interest_ = kInfo | kSteps | kVals | kSnapshots | kStatus;
  bool dirty_ = false;
  bool boxZoom_ = false;
  bool userZoomed_ = false;
  bool applyingPalette_ = false;
  int exportWidth_ = 0;  // logical width of the export in progress (0: none)
  int fittedWidth_ = 0;  // the widget width at the last width-triggered rebuild
  int replotCount_ = 0;
  int rebuildCount_ = 0;
};

}  // namespace ms
