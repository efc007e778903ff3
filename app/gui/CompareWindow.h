// CompareWindow: a separate window that compares runs side by side. It loads run files and/or
// a study index (study.json) into RunModels (RunFollower, so runs still being written keep
// updating), names each run by its differing config (RunLabels) and shows the comparison views:
//  - Overview: loss curves, PR heatmaps with the B - A difference, K/V asymmetry, final metrics;
//  - Isotropy, KIVI, Tail QA (FTA): curves overlaid; Spectra: one layer's spectra overlaid;
//  - Configs: the keys that differ (a table) and each run's full config.
// A toolbar applies to every view at once: x axis (step / tokens / wall time), log y,
// smoothing, layer and the snapshot step (each run shows its snapshot nearest to that step).
// The Export menu writes any view to PNG (chosen size and DPI), SVG or PDF, curves and the table
// also to CSV, and the whole report (PDF, or a folder of PNGs with index.md).
#pragma once

#include <QMainWindow>
#include <QStringList>
#include <QVector>

#include "RunLabels.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSlider;
class QTabWidget;
class QTableWidget;

namespace ms {

class CompareCurvePlot;
class MetricsTable;
class ComparePRHeatmap;
class CompareSpectrum;
class StepSlider;
class PlotBase;
class RunFollower;
class RunModel;

class CompareWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit CompareWindow(QWidget* parent = nullptr);
  ~CompareWindow() override;

  // Loads run files and/or study indexes (replacing what the window showed). Returns false with
  // *error (missing file, unreadable run, malformed study) and leaves the window unchanged.
  bool openRuns(const QStringList& inputs, QString* error = nullptr);

  QVector<RunModel*> runs() const { return loaded_.models; }
  QStringList files() const { return loaded_.files; }
  QStringList labels() const { return loaded_.labels; }
  QStringList warnings() const { return loaded_.warnings; }

  QTabWidget* tabs() const { return tabs_; }
  CompareCurvePlot* lossPlot() const { return loss_; }
  ComparePRHeatmap* prHeatmap() const { return pr_; }
  CompareCurvePlot* kvPlot() const { return kv_; }
  CompareCurvePlot* isotropyPlot() const { return iso_; }
  CompareCurvePlot* kiviPlot() const { return kivi_; }
  CompareCurvePlot* ftaPlot() const { return fta_; }
  CompareSpectrum* spectrumPlot() const { return spectrum_; }
  MetricsTable* metricsTable() const { return table_; }
  QTableWidget* configTable() const { return configTable_; }
  StepSlider* stepSlider() const { return stepSlider_; }
  QVector<CompareCurvePlot*> curvePlots() const;

  // Writes the report (as write_compare_report) for the loaded runs: a folder of PNGs + CSVs +
  // index.md and report.pdf in `dir`. Returns false with *error on failure.
  bool exportReport(const QString& dir, bool pngFolder, bool pdf, QString* error = nullptr);

 public slots:
  // Toolbar settings, applied to every view.
  void setXAxisMode(int mode);  // CompareBase::XAxis
  void setLogY(bool on);
  void setSmoothing(double b);
  void setLayer(int layer);   // -1: curves average over layers, the spectra keep their layer
  void setStep(qint64 step);  // -1: latest
  void exportReportInteractive();
  // Asks for a file, size and DPI, then exports `view` (a PlotBase or the metrics table).
  void exportViewInteractive(QWidget* view);

 private:
  void buildUi();
  void applyRuns();
  void fillConfigs();
  void syncToolbar();

  LoadedRuns loaded_;
  QTabWidget* tabs_ = nullptr;
  CompareCurvePlot *loss_ = nullptr, *kv_ = nullptr, *iso_ = nullptr, *kivi_ = nullptr,
                   *fta_ = nullptr;
  ComparePRHeatmap* pr_ = nullptr;
  CompareSpectrum* spectrum_ = nullptr;
  MetricsTable* table_ = nullptr;
  QTableWidget* configTable_ = nullptr;
  QPlainTextEdit* configText_ = nullptr;
  QComboBox* xCombo_ = nullptr;
  QCheckBox* logCheck_ = nullptr;
  QSlider* smoothSlider_ = nullptr;
  QLabel* smoothLabel_ = nullptr;
  QComboBox* layerCombo_ = nullptr;
  StepSlider* stepSlider_ = nullptr;
  QLabel* warningLabel_ = nullptr;
};

}  // namespace ms
