// AssocMemoryPanel: controls, coalesced background computation and views of the one-layer
// associative-memory model (see AssocMemoryPanel.h).
#include "AssocMemoryPanel.h"

#include "FlowLayout.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <mutex>

#include <qcustomplot.h>

namespace ms {
namespace {

QString optimizerName(const std::string& opt) {
  if (opt == "gd") return QStringLiteral("GD");
  if (opt == "signgd") return QStringLiteral("SignGD");
  if (opt == "muon") return QStringLiteral("Muon");
  return QString::fromStdString(opt);
}

// Line width of optimizer i: Muon (drawn last) thinner, so an identical SignGD curve under it
// stays visible.
double penWidth(size_t i) {
  return i == 2 ? 1.5 : 2.5;
}

// L = round(beta K), as Assoc.cpp counts the head facts.
int headCount(const AssocConfig& c) {
  return static_cast<int>(std::lround(c.beta * c.K));
}

QString errorColor(const QWidget* w) {
  return w->palette().color(QPalette::Window).lightness() < 128 ? QStringLiteral("#ff7b7b")
                                                                : QStringLiteral("#c62828");
}

}  // namespace

// ---- AssocTrajectoryPlot ----

AssocTrajectoryPlot::AssocTrajectoryPlot(QWidget* parent) : PlotBase(nullptr, parent) {
  setObjectName(QStringLiteral("assoc-trajectories"));
  setTitle(tr("Correct-class probability over steps (solid: min over classes, dashed: max)"));
  auto* logCheck = new QCheckBox(tr("Log step axis"), this);
  logCheck->setChecked(logX_);
  controlsLayout()->addWidget(logCheck);
  connect(logCheck, &QCheckBox::toggled, this, &AssocTrajectoryPlot::setLogX);
  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("Step"));
  p->yAxis->setLabel(tr("Correct-class probability f_k"));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  setLogX(logX_);
  applyPalette();
}

void AssocTrajectoryPlot::setResults(const std::vector<AssocResult>& results) {
  results_ = results;
  scheduleReset();
}

void AssocTrajectoryPlot::setLogX(bool on) {
  logX_ = on;
  QCPAxis* x = plot()->xAxis;
  x->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (on)
    x->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  else
    x->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  scheduleReset();
}

void AssocTrajectoryPlot::rebuild() {
  QCustomPlot* p = plot();
  p->clearGraphs();
  for (size_t i = 0; i < results_.size(); ++i) {
    const AssocResult& r = results_[i];
    const QColor color = seriesColor(static_cast<int>(i));
    // Step t = 0 is the zero init; a log axis cannot show it.
    QVector<double> t, mn, mx;
    for (size_t s = logX_ ? 1 : 0; s < r.traj_min.size(); ++s) {
      t.push_back(double(s));
      mn.push_back(r.traj_min[s]);
      mx.push_back(s < r.traj_max.size() ? r.traj_max[s] : kNaN);
    }
    QCPGraph* gmin = p->addGraph();
    gmin->setName(optimizerName(r.optimizer));
    gmin->setPen(QPen(color, penWidth(i)));
    gmin->setData(t, mn, true);
    QCPGraph* gmax = p->addGraph();
    gmax->setName(tr("%1 (max)").arg(optimizerName(r.optimizer)));
    gmax->setPen(QPen(color, penWidth(i) * 0.7, Qt::DashLine));
    gmax->setData(t, mx, true);
    gmax->removeFromLegend();
  }
}

void AssocTrajectoryPlot::resetRanges() {
  QCustomPlot* p = plot();
  p->xAxis->rescale();
  QCPRange x = p->xAxis->range();
  if (logX_)
    x = QCPRange(std::max(1.0, x.lower), std::max(10.0, x.upper * 1.2));
  else
    x = QCPRange(0, std::max(1.0, x.upper));
  p->xAxis->setRange(x);
  p->yAxis->setRange(0, 1.02);
}

QString AssocTrajectoryPlot::csv() const {
  QString out = QStringLiteral("step");
  size_t n = 0;
  for (const auto& r : results_) {
    const QString o = QString::fromStdString(r.optimizer);
    out += QStringLiteral(",%1_min,%1_max").arg(o);
    n = std::max(n, r.traj_min.size());
  }
  out += QLatin1Char('\n');
  for (size_t s = 0; s < n; ++s) {
    out += QString::number(s);
    for (const auto& r : results_) {
      out += QLatin1Char(',') + (s < r.traj_min.size() ? csvNumber(r.traj_min[s]) : QString());
      out += QLatin1Char(',') + (s < r.traj_max.size() ? csvNumber(r.traj_max[s]) : QString());
    }
    out += QLatin1Char('\n');
  }
  return out;
}

// ---- AssocClassPlot ----

AssocClassPlot::AssocClassPlot(QWidget* parent) : PlotBase(nullptr, parent) {
  setObjectName(QStringLiteral("assoc-classes"));
  setTitle(tr("Final correct probability per class (head facts k < L on the left)"));
  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("Class k"));
  p->yAxis->setLabel(tr("Final f_k"));
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  applyPalette();
}

void AssocClassPlot::setResults(const std::vector<AssocResult>& results,
                                const AssocConfig& config) {
  results_ = results;
  config_ = config;
  scheduleReset();
}

void AssocClassPlot::rebuild() {
  QCustomPlot* p = plot();
  p->clearGraphs();
  p->clearItems();
  if (results_.empty()) return;
  const int K = static_cast<int>(results_.front().final_prob.size());
  const bool dots = K <= 64;
  for (size_t i = 0; i < results_.size(); ++i) {
    const AssocResult& r = results_[i];
    const QColor color = seriesColor(static_cast<int>(i));
    QVector<double> k, f;
    for (size_t c = 0; c < r.final_prob.size(); ++c) {
      k.push_back(double(c));
      f.push_back(r.final_prob[c]);
    }
    QCPGraph* g = p->addGraph();
    g->setName(optimizerName(r.optimizer));
    g->setPen(QPen(color, penWidth(i)));
    if (dots) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, i == 2 ? 4 : 6));
    g->setData(k, f, true);
  }
  // Head | tail boundary at L - 0.5.
  const int L = headCount(config_);
  if (L >= 1 && L < K) {
    auto* line = new QCPItemStraightLine(p);
    line->point1->setCoords(L - 0.5, 0);
    line->point2->setCoords(L - 0.5, 1);
    line->setPen(QPen(gridColor().darker(isDark() ? 70 : 130), 1, Qt::DashDotLine));
    auto* label = new QCPItemText(p);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);  // above the curves at f = 1
    label->position->setCoords(L - 0.5, 0.01);
    label->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
    label->setText(tr("head ← | → tail"));
    label->setColor(textColor());
    label->setClipToAxisRect(true);
  }
}

void AssocClassPlot::resetRanges() {
  QCustomPlot* p = plot();
  const int K = results_.empty() ? 2 : static_cast<int>(results_.front().final_prob.size());
  p->xAxis->setRange(-0.5, K - 0.5);
  p->yAxis->setRange(0, 1.12);  // room for the head | tail label
}

QString AssocClassPlot::csv() const {
  std::vector<double> pk;
  try {
    pk = assoc_class_probs(config_);
  } catch (const std::exception&) {
  }
  QString out = QStringLiteral("class,p_k");
  for (const auto& r : results_) out += QLatin1Char(',') + QString::fromStdString(r.optimizer);
  out += QLatin1Char('\n');
  const size_t K = results_.empty() ? 0 : results_.front().final_prob.size();
  for (size_t k = 0; k < K; ++k) {
    out += QString::number(k) + QLatin1Char(',') + (k < pk.size() ? csvNumber(pk[k]) : QString());
    for (const auto& r : results_)
      out += QLatin1Char(',') + (k < r.final_prob.size() ? csvNumber(r.final_prob[k]) : QString());
    out += QLatin1Char('\n');
  }
  return out;
}

// ---- AssocMemoryPanel ----

struct AssocMemoryPanel::Shared {
  std::mutex mu;
  bool alive = true;  // false once the panel is being destroyed
};

AssocMemoryPanel::AssocMemoryPanel(QWidget* parent)
    : QWidget(parent), shared_(std::make_shared<Shared>()) {
  setObjectName(QStringLiteral("assocMemoryPanel"));
  setWindowTitle(tr("Associative memory"));
  const AssocConfig d;

  kSpin_ = new QSpinBox(this);
  kSpin_->setRange(2, kMaxK);
  kSpin_->setValue(d.K);
  kSpin_->setToolTip(tr("Number of facts K (= embedding dimension d)"));
  kSlider_ = new QSlider(Qt::Horizontal, this);
  kSlider_->setRange(2, kMaxK);
  kSlider_->setValue(d.K);
  auto* kRow = new QHBoxLayout;
  kRow->addWidget(kSlider_, 1);
  kRow->addWidget(kSpin_);

  auto makeDouble = [this](double lo, double hi, double step, int decimals, double v,
                           const QString& tip) {
    auto* s = new QDoubleSpinBox(this);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    s->setValue(v);
    s->setToolTip(tip);
    return s;
  };
  alphaSpin_ =
      makeDouble(0.01, 0.99, 0.01, 3, d.alpha,
                 tr("Probability mass alpha of the L head facts (the rest share 1 - alpha)"));
  betaSpin_ = makeDouble(0.001, 0.999, 0.01, 3, d.beta,
                         tr("Head fraction beta: L = round(beta K) frequent facts"));
  epsSpin_ = makeDouble(0.0001, 0.5, 0.001, 4, d.eps,
                        tr("Stop once the best class's correct probability reaches 1 - eps"));
  headLabel_ = new QLabel(this);

  embeddingCombo_ = new QComboBox(this);
  embeddingCombo_->addItem(tr("One-hot (support-decoupled)"), QStringLiteral("onehot"));
  embeddingCombo_->addItem(tr("Random orthogonal (support-coupled)"), QStringLiteral("orthogonal"));
  seedSpin_ = new QSpinBox(this);
  seedSpin_->setRange(0, 999999);
  seedSpin_->setValue(static_cast<int>(d.seed));
  seedSpin_->setToolTip(tr("Seed of the random orthogonal embeddings"));

  auto* box = new QGroupBox(tr("Model"), this);
  auto* form = new QFormLayout(box);
  form->addRow(tr("Facts K:"), kRow);
  form->addRow(tr("Head mass α:"), alphaSpin_);
  form->addRow(tr("Head fraction β:"), betaSpin_);
  form->addRow(QString(), headLabel_);
  form->addRow(tr("Stop at 1 − ε, ε:"), epsSpin_);
  form->addRow(tr("Embedding:"), embeddingCombo_);
  form->addRow(tr("Seed:"), seedSpin_);

  statusLabel_ = new QLabel(this);
  statusLabel_->setWordWrap(true);
  statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  table_ = new QTableWidget(3, ColCount, this);
  table_->setHorizontalHeaderLabels(
      {tr("Steps"), tr("min p"), tr("max p"), tr("Gap Δ"), tr("Converged"), tr("lr")});
  table_->setVerticalHeaderLabels(
      {QStringLiteral("GD"), QStringLiteral("SignGD"), QStringLiteral("Muon")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
  table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  auto* finding = new QLabel(
      tr("Finding to look for (tail-learning paper, Section 5): Muon's gap Δ is small for both "
         "embeddings; GD's is large; SignGD's is small with one-hot and large with orthogonal "
         "embeddings."),
      this);
  finding->setWordWrap(true);

  auto* left = new QWidget(this);
  auto* leftLay = new QVBoxLayout(left);
  leftLay->setContentsMargins(0, 0, 0, 0);
  leftLay->addWidget(box);
  leftLay->addWidget(statusLabel_);
  leftLay->addWidget(table_);
  leftLay->addWidget(finding);
  leftLay->addStretch(1);

  trajectory_ = new AssocTrajectoryPlot(this);
  classes_ = new AssocClassPlot(this);
  auto* plots = new QSplitter(Qt::Vertical, this);
  plots->addWidget(trajectory_);
  plots->addWidget(classes_);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(plots);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);
  lay->addWidget(split);

  timer_ = new QTimer(this);
  timer_->setSingleShot(true);
  timer_->setInterval(kCoalesceMs);
  connect(timer_, &QTimer::timeout, this, &AssocMemoryPanel::recomputeNow);

  connect(kSlider_, &QSlider::valueChanged, kSpin_, &QSpinBox::setValue);
  connect(kSpin_, &QSpinBox::valueChanged, this, [this](int v) {
    if (kSlider_->value() != v) {
      QSignalBlocker b(kSlider_);
      kSlider_->setValue(v);
    }
    scheduleRecompute();
  });
  for (QDoubleSpinBox* s : {alphaSpin_, betaSpin_, epsSpin_})
    connect(s, &QDoubleSpinBox::valueChanged, this, &AssocMemoryPanel::scheduleRecompute);
  connect(embeddingCombo_, &QComboBox::currentIndexChanged, this,
          &AssocMemoryPanel::scheduleRecompute);
  connect(seedSpin_, &QSpinBox::valueChanged, this, &AssocMemoryPanel::scheduleRecompute);

  scheduleRecompute();
}

AssocMemoryPanel::~AssocMemoryPanel() {
  // A computation still running finds alive == false and posts nothing; one already posted is
  // discarded with this object's pending events.
  std::lock_guard<std::mutex> lk(shared_->mu);
  shared_->alive = false;
}

AssocConfig AssocMemoryPanel::config() const {
  AssocConfig c;
  c.K = kSpin_->value();
  c.alpha = alphaSpin_->value();
  c.beta = betaSpin_->value();
  c.eps = epsSpin_->value();
  c.embedding = embeddingCombo_->currentData().toString().toStdString();
  c.seed = static_cast<uint64_t>(seedSpin_->value());
  return c;
}

void AssocMemoryPanel::setConfig(const AssocConfig& c) {
  {
    const QSignalBlocker b1(kSpin_), b2(kSlider_), b3(alphaSpin_), b4(betaSpin_), b5(epsSpin_),
        b6(embeddingCombo_), b7(seedSpin_);
    kSpin_->setValue(c.K);
    kSlider_->setValue(kSpin_->value());
    alphaSpin_->setValue(c.alpha);
    betaSpin_->setValue(c.beta);
    epsSpin_->setValue(c.eps);
    const int i = embeddingCombo_->findData(QString::fromStdString(c.embedding));
    if (i >= 0) embeddingCombo_->setCurrentIndex(i);
    seedSpin_->setValue(static_cast<int>(std::min<uint64_t>(c.seed, 999999)));
  }
  scheduleRecompute();
}

void AssocMemoryPanel::setK(int K) {
  kSpin_->setValue(K);
}
void AssocMemoryPanel::setAlpha(double alpha) {
  alphaSpin_->setValue(alpha);
}
void AssocMemoryPanel::setBeta(double beta) {
  betaSpin_->setValue(beta);
}
void AssocMemoryPanel::setEps(double eps) {
  epsSpin_->setValue(eps);
}
void AssocMemoryPanel::setEmbedding(const QString& embedding) {
  const int i = embeddingCombo_->findData(embedding);
  if (i >= 0) embeddingCombo_->setCurrentIndex(i);
}
void AssocMemoryPanel::setSeed(int seed) {
  seedSpin_->setValue(seed);
}

bool AssocMemoryPanel::isBusy() const {
  return running_ || hasPending_ || timer_->isActive();
}

void AssocMemoryPanel::scheduleRecompute() {
  const AssocConfig c = config();
  headLabel_->setText(
      tr("L = round(βK) = %1 head facts, %2 tail facts").arg(headCount(c)).arg(c.K - headCount(c)));
  timer_->start();  // restarts: a burst of changes makes one computation
  updateStatus();
}

void AssocMemoryPanel::recomputeNow() {
  timer_->stop();
  const AssocConfig c = config();
  if (running_) {
    pending_ = c;  // only the latest request waits
    hasPending_ = true;
  } else {
    launch(c);
  }
  updateStatus();
}

void AssocMemoryPanel::launch(const AssocConfig& c) {
  running_ = true;
  ++computeCount_;
  std::shared_ptr<Shared> shared = shared_;
  AssocMemoryPanel* self = this;
  QThreadPool::globalInstance()->start([shared, self, c] {
    std::vector<AssocResult> results;
    QString error;
    try {
      results = run_assoc_all(c);
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    } catch (...) {
      error = QStringLiteral("assoc: unknown error");
    }
    std::lock_guard<std::mutex> lk(shared->mu);
    if (!shared->alive) return;
    QMetaObject::invokeMethod(
        self,
        [self, c, results = std::move(results), error]() mutable {
          self->onComputed(c, std::move(results), error);
        },
        Qt::QueuedConnection);
  });
  updateStatus();
}

void AssocMemoryPanel::onComputed(const AssocConfig& c, std::vector<AssocResult> results,
                                  const QString& error) {
  running_ = false;
  results_ = error.isEmpty() ? std::move(results) : std::vector<AssocResult>();
  resultConfig_ = c;
  error_ = error;
  trajectory_->setResults(results_);
  classes_->setResults(results_, resultConfig_);
  fillTable();
  if (hasPending_) {
    hasPending_ = false;
    launch(pending_);
  }
  updateStatus();
  emit resultsReady();
}

void AssocMemoryPanel::fillTable() {
  auto cell = [this](int row, int col, const QString& text, const QVariant& value) {
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, col, item);
  };
  table_->clearContents();
  for (int row = 0; row < static_cast<int>(results_.size()) && row < 3; ++row) {
    const AssocResult& r = results_[row];
    cell(row, ColSteps, QString::number(r.steps), r.steps);
    cell(row, ColMin, QString::number(r.min_prob, 'f', 4), r.min_prob);
    cell(row, ColMax, QString::number(r.max_prob, 'f', 4), r.max_prob);
    cell(row, ColGap, QString::number(r.gap, 'f', 4), r.gap);
    cell(row, ColConverged, r.converged ? tr("yes") : tr("no"), r.converged);
    cell(row, ColLr, QString::number(r.lr, 'g', 4), r.lr);
  }
}

void AssocMemoryPanel::updateStatus() {
  QPalette p = statusLabel_->palette();
  p.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
  if (running_ || hasPending_ || timer_->isActive()) {
    statusLabel_->setText(tr("Computing…"));
  } else if (!error_.isEmpty()) {
    p.setColor(QPalette::WindowText, QColor(errorColor(this)));
    statusLabel_->setText(error_);
  } else if (!results_.empty()) {
    statusLabel_->setText(
        tr("K = %1, L = %2, α = %3, β = %4, ε = %5, %6 embeddings")
            .arg(resultConfig_.K)
            .arg(headCount(resultConfig_))
            .arg(resultConfig_.alpha)
            .arg(resultConfig_.beta)
            .arg(resultConfig_.eps)
            .arg(resultConfig_.embedding == "onehot" ? tr("one-hot") : tr("random orthogonal")));
  }
  statusLabel_->setPalette(p);
}

}  // namespace ms
