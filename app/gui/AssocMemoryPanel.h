// AssocMemoryPanel: the one-layer associative-memory model (core/assoc/Assoc.h; tail-learning
// paper arXiv 2509.26030 Section 5, DESIGN.md section 6 item 6) as an interactive instrument.
// Controls: K facts (2..512), head mass alpha, head fraction beta, stopping eps, embedding
// (one-hot = support-decoupled, random orthogonal = support-coupled) and the embedding seed.
// Views: the min (solid) and max (dashed) correct-class probability over steps for GD, SignGD
// and Muon; the final correct probability of every class per optimizer; and a table of steps,
// min p, max p, the gap Delta = max_i f_i - min_j f_j and convergence.
// Every change restarts a 50 ms single-shot timer; when it fires, run_assoc_all runs on a
// thread-pool thread (dense SignGD at K = 512 takes seconds) and the UI thread never waits.
// While one computation runs, only the latest further request is kept and started after it.
#pragma once

#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "PlotBase.h"
#include "assoc/Assoc.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace ms {

// Min/max correct-class probability over steps for the three optimizers (PlotBase without a
// run model: export menu, zoom and palette styling).
class AssocTrajectoryPlot : public PlotBase {
  Q_OBJECT
 public:
  explicit AssocTrajectoryPlot(QWidget* parent = nullptr);
  void setResults(const std::vector<AssocResult>& results);
  bool logX() const { return logX_; }
  void setLogX(bool on);
  QString csv() const override;

 protected:
  void rebuild() override;
  void resetRanges() override;

 private:
  std::vector<AssocResult> results_;
  bool logX_ = false;
};

// Final correct probability of each class (x: class index, head classes k < L first).
class AssocClassPlot : public PlotBase {
  Q_OBJECT
 public:
  explicit AssocClassPlot(QWidget* parent = nullptr);
  void setResults(const std::vector<AssocResult>& results, const AssocConfig& config);
  QString csv() const override;

 protected:
  void rebuild() override;
  void resetRanges() override;

 private:
  std::vector<AssocResult> results_;
  AssocConfig config_;
};

class AssocMemoryPanel : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kCoalesceMs = 50;  // changes within this window make one computation
  static constexpr int kMaxK = 512;

  explicit AssocMemoryPanel(QWidget* parent = nullptr);
  // Returns at once: a computation still running finishes on its pool thread, unreported.
  ~AssocMemoryPanel() override;

  AssocConfig config() const;  // what the controls say now
  // Sets every control (one recomputation follows). Out-of-range values are clamped.
  void setConfig(const AssocConfig& c);

  // The results shown now (GD, SignGD, Muon) and the config they were computed for; empty
  // before the first result and after an invalid config (errorText() says why).
  const std::vector<AssocResult>& results() const { return results_; }
  AssocConfig resultConfig() const { return resultConfig_; }
  QString errorText() const { return error_; }
  // True while a computation is running or a change waits for the coalescing timer.
  bool isBusy() const;
  int computeCount() const { return computeCount_; }  // computations started so far

  QTableWidget* table() const { return table_; }  // rows GD, SignGD, Muon
  AssocTrajectoryPlot* trajectoryPlot() const { return trajectory_; }
  AssocClassPlot* classPlot() const { return classes_; }

  // Table columns; each cell holds the exact value in Qt::UserRole.
  enum Column { ColSteps = 0, ColMin, ColMax, ColGap, ColConverged, ColLr, ColCount };

 public slots:
  void setK(int K);
  void setAlpha(double alpha);
  void setBeta(double beta);
  void setEps(double eps);
  void setEmbedding(const QString& embedding);  // "onehot" | "orthogonal"
  void setSeed(int seed);
  void recomputeNow();  // skip the coalescing wait

 signals:
  // results() (or errorText()) changed.
  void resultsReady();

 private:
  struct Shared;  // what the pool thread may touch after the panel is gone
  void scheduleRecompute();
  void launch(const AssocConfig& c);
  void onComputed(const AssocConfig& c, std::vector<AssocResult> results, const QString& error);
  void fillTable();
  void updateStatus();

  QSpinBox* kSpin_ = nullptr;
  QSlider* kSlider_ = nullptr;
  QDoubleSpinBox* alphaSpin_ = nullptr;
  QDoubleSpinBox* betaSpin_ = nullptr;
  QDoubleSpinBox* epsSpin_ = nullptr;
  QComboBox* embeddingCombo_ = nullptr;
  QSpinBox* seedSpin_ = nullptr;
  QLabel* headLabel_ = nullptr;
  QLabel* statusLabel_ = nullptr;
  QTableWidget* table_ = nullptr;
  AssocTrajectoryPlot* trajectory_ = nullptr;
  AssocClassPlot* classes_ = nullptr;
  QTimer* timer_ = nullptr;

  std::shared_ptr<Shared> shared_;
  bool running_ = false;
  bool hasPending_ = false;
  AssocConfig pending_;
  std::vector<AssocResult> results_;
  AssocConfig resultConfig_;
  QString error_;
  int computeCount_ = 0;
};

}  // namespace ms
