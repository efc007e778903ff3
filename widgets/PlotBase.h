// PlotBase: what every Muonscope plot view shares. Each view is a QWidget holding a row of
// controls above one QCustomPlot (several panels are axis rects of that one plot, so an image
// export contains all of them). PlotBase gives it:
//  - coalesced refresh: model signals only mark the view dirty; a single-shot 40 ms timer then
//    rebuilds the plottables from the model and replots once (at most 25 Hz, never per step);
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
#include <QWidget>
#include <vector>

#include "RunModel.h"

class QCustomPlot;
class QCPAxisRect;
class QCPColorGradient;
class QCPLayoutGrid;
class QCPTextElement;
class QHBoxLayout;
class QLabel;
class QStackedWidget;
class QTimer;

namespace ms {

class PlotBase : public QWidget {
  Q_OBJECT
 public:
  // Which model signals make this view dirty (a view sets the ones it draws).
  enum Interest { kInfo = 1, kSteps = 2, kVals = 4, kSnapshots = 8, kStatus = 16 };
  static constexpr int kRefreshIntervalMs = 40;  // coalescing window: at most 25 replots/s

  explicit PlotBase(RunModel* model, QWidget* parent = nullptr);
  ~PlotBase() override;

  RunModel* model() const { return model_; }
  // Shows another run (nullptr: nothing). The view keeps its settings and redraws.
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

 public slots:
  void setBoxZoomMode(bool on);
  // Forgets the user's zoom, rescales to the data and replots (double-click does this).
  void resetView();
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

  void scheduleRefresh();  // mark dirty; the timer rebuilds and replots once
  void scheduleReset();    // as scheduleRefresh, and forget the user's zoom (new quantity shown)
  void setInterest(int mask) { interest_ = mask; }
  QHBoxLayout* controlsLayout() const { return controls_; }
  // The plot's layout below the title: cell (0, 0) holds plot()->axisRect(); views add panels
  // (more axis rects, colour scales, text elements) here.
  QCPLayoutGrid* body() const { return body_; }
  // Shows `text` instead of the plot (empty: show the plot). Exports still render the plot.
  void setPlaceholderText(const QString& text);
  // Title shown above the plot (and in exports), followed by the run's display name.
  void setTitle(const QString& title);

  // Palette-derived colours.
  bool isDark() const;
  QColor textColor() const;
  QColor backgroundColor() const;
  QColor gridColor() const;
  QColor seriesColor(int i) const;               // categorical colours, lightened in dark mode
  static QCPColorGradient sequentialGradient();  // viridis-like, readable light and dark
  static QString csvNumber(double v);            // NaN/inf -> empty field

  void changeEvent(QEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void connectModel();
  void onModelSignal(int kind);
  void showContextMenu(const QPoint& pos);
  void updateTitle();

  QPointer<RunModel> model_;
  QCustomPlot* plot_ = nullptr;
  QCPTextElement* title_ = nullptr;
  QCPLayoutGrid* body_ = nullptr;
  QString titleText_;
  QHBoxLayout* controls_ = nullptr;
  QStackedWidget* stack_ = nullptr;
  QLabel* placeholder_ = nullptr;
  QTimer* timer_ = nullptr;
  std::vector<QMetaObject::Connection> modelConnections_;
  int interest_ = kInfo | kSteps | kVals | kSnapshots | kStatus;
  bool dirty_ = false;
  bool boxZoom_ = false;
  bool userZoomed_ = false;
  bool applyingPalette_ = false;
  int replotCount_ = 0;
  int rebuildCount_ = 0;
};

}  // namespace ms
