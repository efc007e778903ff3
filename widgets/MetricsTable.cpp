// MetricsTable: final metrics per run, sortable, copyable, exportable (see
// MetricsTable.h).
#include "MetricsTable.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QKeyEvent>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "PlotBase.h"
#include "train/SeedStats.h"

namespace ms {

namespace {

// Numeric cells sort by value (UserRole), missing values after every number.
class NumberItem : public QTableWidgetItem {
 public:
  using QTableWidgetItem::QTableWidgetItem;
  bool operator<(const QTableWidgetItem& other) const override {
    const double a = data(Qt::UserRole).toDouble(), b = other.data(Qt::UserRole).toDouble();
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return a < b;
  }
};

double meanOverLayers(const Snapshot& s, double (*f)(const LayerMetrics&, int), int arg) {
  double sum = 0;
  int n = 0;
  for (const LayerMetrics& lm : s.layers) {
    const double v = f(lm, arg);
    if (std::isfinite(v)) sum += v, ++n;
  }
  return n > 0 ? sum / n : kNaN;
}

int matrixIndex(const Snapshot& s, const char* name) {
  for (size_t i = 0; i < s.matrix_names.size(); ++i)
    if (s.matrix_names[i] == name) return static_cast<int>(i);
  return -1;
}

QString formatValue(int column, double v) {
  if (!std::isfinite(v)) return QStringLiteral("–");
  switch (column) {
    case MetricsTable::ColSteps:
      return QString::number(qint64(v));
    case MetricsTable::ColFinalVal:
    case MetricsTable::ColBestVal:
    case MetricsTable::ColTrainTail:
      return QString::number(v, 'f', 4);
    case MetricsTable::ColMeanPR:
    case MetricsTable::ColERankVO:
    case MetricsTable::ColERankWout:
      return QString::number(v, 'f', 2);
    default:
      return QString::number(v, 'f', 3);
  }
}

std::runtime_error fileError(const QString& what, const QString& path) {
  return std::runtime_error(QStringLiteral("%1: %2").arg(what, path).toStdString());
}

}  // namespace

MetricsTable::MetricsTable(const QVector<RunModel*>& runs, QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("compare_metrics"));
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  table_ = new QTableWidget(0, ColCount, this);
  QStringList headers;
  for (int c = 0; c < ColCount; ++c) headers << columnName(c);
  table_->setHorizontalHeaderLabels(headers);
  static const char* tips[ColCount] = {
      QT_TR_NOOP("Run, named by what differs in its config"),
      QT_TR_NOOP("Last optimizer step recorded"),
      QT_TR_NOOP("Validation loss of the last validation row"),
      QT_TR_NOOP("Lowest validation loss"),
      QT_TR_NOOP("Training loss averaged over the last 10% of steps"),
      QT_TR_NOOP("PR_sv of k (post-RoPE), mean over layers and heads, last snapshot"),
      QT_TR_NOOP("Effective rank of W_VO = W_o W_v (sum over heads), mean over layers, last "
                 "snapshot"),
      QT_TR_NOOP("Effective rank of the FFN output matrix, mean over layers, last snapshot"),
      QT_TR_NOOP("K (post-RoPE) channel/token max-mean ratio, mean over layers, last snapshot"),
      QT_TR_NOOP("V channel/token max-mean ratio, mean over layers, last snapshot"),
      QT_TR_NOOP("First-token accuracy of the rarest group, last snapshot with FTA")};
  for (int c = 0; c < ColCount; ++c) table_->horizontalHeaderItem(c)->setToolTip(tr(tips[c]));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // run order first
  table_->setSortingEnabled(true);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->installEventFilter(this);
  table_->setContextMenuPolicy(Qt::ActionsContextMenu);
  auto* copy = new QAction(tr("Copy (TSV)"), table_);
  copy->setShortcut(QKeySequence::Copy);
  copy->setShortcutContext(Qt::WidgetShortcut);
  connect(copy, &QAction::triggered, this, &MetricsTable::copySelection);
  table_->addAction(copy);
  lay->addWidget(table_);

  timer_ = new QTimer(this);
  timer_->setSingleShot(true);
  timer_->setInterval(200);
  connect(timer_, &QTimer::timeout, this, &MetricsTable::refreshNow);
  setRuns(runs);
}

QString MetricsTable::columnName(int column) {
  static const char* names[ColCount] = {QT_TR_NOOP("Run"),
                                        QT_TR_NOOP("Steps"),
                                        QT_TR_NOOP("Final val loss"),
                                        QT_TR_NOOP("Best val loss"),
                                        QT_TR_NOOP("Train loss (last 10%)"),
                                        QT_TR_NOOP("Mean PR_sv(k)"),
                                        QT_TR_NOOP("eRank VO (sum over heads)"),
                                        QT_TR_NOOP("eRank W_out"),
                                        QT_TR_NOOP("K asymmetry"),
                                        QT_TR_NOOP("V asymmetry"),
                                        QT_TR_NOOP("Tail FTA")};
  return column >= 0 && column < ColCount ? tr(names[column]) : QString();
}

QString MetricsTable::columnKey(int column) {
  static const char* keys[ColCount] = {
      "run",          "steps",    "final_val_loss", "best_val_loss", "train_loss_last10pct",
      "mean_pr_sv_k", "erank_vo", "erank_w_out",    "asymmetry_k",   "asymmetry_v",
      "tail_fta"};
  return column >= 0 && column < ColCount ? QString::fromLatin1(keys[column]) : QString();
}

double MetricsTable::columnValue(const FinalMetrics& m, int column) {
  switch (column) {
    case ColSteps:
      return m.steps > 0 ? double(m.steps) : kNaN;
    case ColFinalVal:
      return m.final_val;
    case ColBestVal:
      return m.best_val;
    case ColTrainTail:
      return m.train_tail;
    case ColMeanPR:
      return m.mean_pr;
    case ColERankVO:
      return m.erank_vo;
    case ColERankWout:
      return m.erank_wout;
    case ColAsymK:
      return m.asym_k;
    case ColAsymV:
      return m.asym_v;
    case ColTailFTA:
      return m.tail_fta;
    default:
      return kNaN;
  }
}

FinalMetrics MetricsTable::compute(const std::vector<StepRecord>& steps,
                                   const std::vector<ValRecord>& vals,
                                   const std::vector<Snapshot>& snapshots) {
  FinalMetrics m;
  if (!steps.empty()) {
    m.steps = steps.back().step;
    const size_t n = steps.size(), k = std::max<size_t>(1, (n + 9) / 10);  // ceil(10%)
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = n - k; i < n; ++i)
      if (std::isfinite(steps[i].loss)) sum += steps[i].loss, ++cnt;
    if (cnt > 0) m.train_tail = sum / double(cnt);
  }
  for (const ValRecord& v : vals) {
    if (!std::isfinite(v.loss)) continue;
    m.final_val = v.loss;
    if (!(v.loss >= m.best_val)) m.best_val = v.loss;  // also when best_val is NaN
  }
  if (!snapshots.empty()) {
    const Snapshot& s = snapshots.back();
    m.snapshot_step = s.step;
    double sum = 0;
    int n = 0;
    for (const LayerMetrics& lm : s.layers)
      for (double v : lm.pr_sv[kActK])
        if (std::isfinite(v)) sum += v, ++n;
    if (n > 0) m.mean_pr = sum / n;
    auto erank = [](const LayerMetrics& lm, int mi) {
      return mi >= 0 && mi < static_cast<int>(lm.matrices.size()) ? lm.matrices[mi].erank : kNaN;
    };
    m.erank_vo = meanOverLayers(s, erank, matrixIndex(s, "vo"));
    m.erank_wout = meanOverLayers(s, erank, matrixIndex(s, "mlp.out"));
    m.asym_k = meanOverLayers(
        s, [](const LayerMetrics& lm, int) { return lm.k_post.asymmetry; }, 0);
    m.asym_v = meanOverLayers(
        s, [](const LayerMetrics& lm, int) { return lm.v.asymmetry; }, 0);
    for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it)
      if (!it->fta.empty()) {
        m.tail_fta = it->fta.back();
        break;
      }
  }
  return m;
}

FinalMetrics MetricsTable::compute(const RunModel& run) {
  return compute(run.steps(), run.vals(), run.snapshots());
}

void MetricsTable::setRuns(const QVector<RunModel*>& runs, const QVector<int>& colorIndices,
                           const QVector<QVector<RunModel*>>& members) {
  for (const auto& c : connections_) disconnect(c);
  connections_.clear();
  runs_.clear();
  colors_ = colorIndices;
  members_.clear();
  for (int i = 0; i < runs.size(); ++i) {
    QVector<QPointer<RunModel>> g;
    if (i < members.size())
      for (RunModel* m : members[i]) g.push_back(m);
    members_.push_back(g);
  }
  for (RunModel* m : runs) {
    runs_.push_back(m);
    if (!m) continue;
    auto dirty = [this] { scheduleRefresh(); };
    connections_.push_back(connect(m, &RunModel::stepsAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::valsAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::snapshotAppended, this, dirty));
    connections_.push_back(connect(m, &RunModel::displayNameChanged, this, dirty));
    connections_.push_back(connect(m, &RunModel::cleared, this, dirty));
    connections_.push_back(connect(m, &QObject::destroyed, this, dirty));
  }
  dirty_ = true;
  refreshNow();
}

void MetricsTable::scheduleRefresh() {
  dirty_ = true;
  if (!timer_->isActive()) timer_->start();
}

void MetricsTable::refreshNow() {
  timer_->stop();
  if (!dirty_) return;
  dirty_ = false;
  const int sortColumn = table_->horizontalHeader()->sortIndicatorSection();
  const Qt::SortOrder order = table_->horizontalHeader()->sortIndicatorOrder();
  table_->setSortingEnabled(false);  // fill in run order, then sort once
  table_->setRowCount(0);
  for (int r = 0; r < runs_.size(); ++r) {
    RunModel* m = runs_[r].data();
    if (!m) continue;
    const FinalMetrics fm = compute(*m);
    // A seed group: each column's mean and sd over its members' own final metrics.
    std::vector<FinalMetrics> seeds;
    if (r < members_.size())
      for (const auto& p : members_[r])
        if (p) seeds.push_back(compute(*p));
    const int row = table_->rowCount();
    table_->insertRow(row);
    const QString label = m->displayName().isEmpty() ? tr("run %1").arg(r + 1) : m->displayName();
    auto* name = new QTableWidgetItem(label);
    const int colour = r < colors_.size() ? colors_[r] : r;
    name->setData(Qt::DecorationRole,
                  PlotBase::categoricalColor(colour, palette()));  // as in the plots
    name->setData(Qt::UserRole + 1, r);
    name->setToolTip(QString::fromStdString(m->info().optimizer_summary));
    table_->setItem(row, ColRun, name);
    for (int c = ColSteps; c < ColCount; ++c) {
      double v = columnValue(fm, c), sd = kNaN;
      QString text = formatValue(c, v);
      if (seeds.size() >= 2) {
        std::vector<double> xs;
        for (const FinalMetrics& f : seeds) xs.push_back(columnValue(f, c));
        const SeedStat st = seed_stat(xs);
        v = st.mean;
        sd = st.sd;
        text = formatValue(c, v);
        if (std::isfinite(sd) && c != ColSteps) text += QStringLiteral(" ± ") + formatValue(c, sd);
      }
      auto* item = new NumberItem(text);
      item->setData(Qt::UserRole, v);
      item->setData(Qt::UserRole + 2, sd);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(row, c, item);
    }
  }
  table_->setSortingEnabled(true);
  if (sortColumn >= 0 && sortColumn < ColCount) table_->sortByColumn(sortColumn, order);
}

bool MetricsTable::hasSeedGroups() const {
  for (const auto& g : members_)
    if (g.size() >= 2) return true;
  return false;
}

QString MetricsTable::cellText(int row, int column) const {
  const QTableWidgetItem* it = table_->item(row, column);
  if (!it) return QString();
  if (column == ColRun) return it->text();
  const double v = it->data(Qt::UserRole).toDouble();
  return std::isfinite(v) ? QString::number(v, 'g', 10) : QString();
}

QString MetricsTable::tsv(bool selectionOnly) const {
  QList<int> rows, cols;
  if (selectionOnly && !table_->selectedRanges().isEmpty()) {
    for (const QTableWidgetSelectionRange& r : table_->selectedRanges()) {
      for (int i = r.topRow(); i <= r.bottomRow(); ++i)
        if (!rows.contains(i)) rows << i;
      for (int j = r.leftColumn(); j <= r.rightColumn(); ++j)
        if (!cols.contains(j)) cols << j;
    }
    std::sort(rows.begin(), rows.end());
    std::sort(cols.begin(), cols.end());
  } else {
    for (int i = 0; i < table_->rowCount(); ++i) rows << i;
    for (int j = 0; j < ColCount; ++j) cols << j;
  }
  const bool sd = hasSeedGroups();
  auto clean = [](QString s) { return s.replace(QLatin1Char('\t'), QLatin1Char(' ')); };
  QStringList header;
  for (int c : cols) {
    header << columnName(c);
    if (sd && c != ColRun) header << columnName(c) + QStringLiteral(" sd");
  }
  QString out = header.join(QLatin1Char('\t')) + QLatin1Char('\n');
  for (int r : rows) {
    QStringList line;
    for (int c : cols) {
      line << clean(cellText(r, c));
      if (sd && c != ColRun) line << sdText(r, c);
    }
    out += line.join(QLatin1Char('\t')) + QLatin1Char('\n');
  }
  return out;
}

QString MetricsTable::sdText(int row, int column) const {
  const QTableWidgetItem* it = table_->item(row, column);
  const double v = it ? it->data(Qt::UserRole + 2).toDouble() : kNaN;
  return std::isfinite(v) ? QString::number(v, 'g', 10) : QString();
}

QString MetricsTable::csv() const {
  const bool sd = hasSeedGroups();
  QStringList header;
  for (int c = 0; c < ColCount; ++c) {
    header << columnKey(c);
    if (sd && c != ColRun) header << columnKey(c) + QStringLiteral("_sd");
  }
  QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
  for (int r = 0; r < table_->rowCount(); ++r) {
    QStringList line;
    for (int c = 0; c < ColCount; ++c) {
      line << (c == ColRun ? PlotBase::csvField(cellText(r, c)) : cellText(r, c));
      if (sd && c != ColRun) line << sdText(r, c);
    }
    out += line.join(QLatin1Char(',')) + QLatin1Char('\n');
  }
  return out;
}

void MetricsTable::copySelection() const {
  if (QClipboard* cb = QGuiApplication::clipboard()) cb->setText(tsv(true));
}

bool MetricsTable::eventFilter(QObject* watched, QEvent* event) {
  if (watched == table_ && event->type() == QEvent::KeyPress &&
      static_cast<QKeyEvent*>(event)->matches(QKeySequence::Copy)) {
    copySelection();
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

void MetricsTable::paint(QPainter* p, const QRectF& outer) const {
  const QRectF rect = outer.adjusted(8, 8, -8, -8);
  const QPalette pal = palette();
  const QColor text = pal.color(QPalette::Text), bg = pal.color(QPalette::Base),
               grid = pal.color(QPalette::Mid);
  p->save();
  p->fillRect(outer, bg);
  QFont f = font();
  const int rows = table_->rowCount();
  // Font size: fit the rows (title + header + rows) and the widest column set into the rect.
  const double lineH = std::min(rect.height() / (rows + 3.0), 28.0);
  f.setPixelSize(std::max(8, int(lineH * 0.5)));
  QFont bold = f;
  bold.setBold(true);
  QFontMetricsF fm(bold);
  // Column widths from the content, scaled to the rect's width.
  QVector<double> w(ColCount);
  for (int c = 0; c < ColCount; ++c) {
    w[c] = fm.horizontalAdvance(columnName(c)) + 16;
    for (int r = 0; r < rows; ++r)
      if (const QTableWidgetItem* it = table_->item(r, c))
        w[c] = std::max(w[c], fm.horizontalAdvance(it->text()) + 16 + (c == ColRun ? lineH : 0));
  }
  double total = 0;
  for (double x : w) total += x;
  const double scale = total > rect.width() ? rect.width() / total : 1.0;
  if (scale < 1.0) {
    f.setPixelSize(std::max(6, int(f.pixelSize() * scale)));
    bold.setPixelSize(f.pixelSize());
    for (double& x : w) x *= scale;
  }
  double y = rect.top();
  p->setPen(text);
  QFont title = bold;
  title.setPixelSize(int(bold.pixelSize() * 1.25));
  p->setFont(title);
  p->drawText(QRectF(rect.left(), y, rect.width(), lineH * 1.2), Qt::AlignLeft | Qt::AlignVCenter,
              tr("Final metrics"));
  y += lineH * 1.4;
  auto drawRow = [&](int r) {
    double x = rect.left();
    for (int c = 0; c < ColCount; ++c) {
      QRectF cell(x + 6, y, w[c] - 12, lineH);
      if (r < 0) {
        p->setFont(bold);
        p->drawText(cell, (c == ColRun ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                    columnName(c));
      } else if (const QTableWidgetItem* it = table_->item(r, c)) {
        p->setFont(f);
        if (c == ColRun) {
          const QColor chip = it->data(Qt::DecorationRole).value<QColor>();
          const double s = lineH * 0.5;
          p->fillRect(QRectF(cell.left(), y + (lineH - s) / 2, s, s), chip);
          cell.setLeft(cell.left() + s + 6);
        }
        p->drawText(cell, (c == ColRun ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                    it->text());
      }
      x += w[c];
    }
    y += lineH;
    p->setPen(QPen(grid, 0));
    p->drawLine(QPointF(rect.left(), y),
                QPointF(rect.left() + std::min(total * scale, rect.width()), y));
    p->setPen(text);
  };
  drawRow(-1);
  for (int r = 0; r < rows; ++r) drawRow(r);
  p->restore();
}

void MetricsTable::exportImage(const QString& path, int width, int height, double dpi) {
  if (width <= 0 || height <= 0 || !(dpi > 0) || !std::isfinite(dpi))
    throw fileError(
        QStringLiteral("invalid image size %1x%2 at %3 dpi for").arg(width).arg(height).arg(dpi),
        path);
  const QString suffix = QFileInfo(path).suffix().toLower();
  const_cast<MetricsTable*>(this)->refreshNow();
  const double scale = dpi / 96.0;
  const int lw = std::max(1, qRound(width / scale)), lh = std::max(1, qRound(height / scale));
  bool ok = false;
  if (suffix == "png") {
    QImage img(width, height, QImage::Format_ARGB32_Premultiplied);
    img.fill(palette().color(QPalette::Base));
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.scale(double(width) / lw, double(height) / lh);
    paint(&p, QRectF(0, 0, lw, lh));
    p.end();
    img.setDotsPerMeterX(qRound(dpi / 0.0254));  // after painting: metadata only
    img.setDotsPerMeterY(qRound(dpi / 0.0254));
    ok = img.save(path, "PNG");
  } else if (suffix == "svg") {
    QSvgGenerator gen;
    gen.setFileName(path);
    gen.setSize(QSize(lw, lh));
    gen.setViewBox(QRect(0, 0, lw, lh));
    gen.setResolution(96);
    gen.setTitle(tr("Final metrics"));
    QPainter p;
    if (p.begin(&gen)) {
      paint(&p, QRectF(0, 0, lw, lh));
      ok = p.end();
    }
    ok = ok && QFileInfo(path).size() > 0;
  } else if (suffix == "pdf") {
    QPdfWriter writer(path);
    writer.setResolution(96);
    writer.setPageSize(QPageSize(QSizeF(lw * 72.0 / 96.0, lh * 72.0 / 96.0), QPageSize::Point));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setCreator(QStringLiteral("Muonscope"));
    QPainter p;
    if (p.begin(&writer)) {
      const QRect page = writer.pageLayout().paintRectPixels(writer.resolution());
      p.scale(page.width() / double(lw), page.height() / double(lh));
      paint(&p, QRectF(0, 0, lw, lh));
      ok = p.end();
    }
    ok = ok && QFileInfo(path).size() > 0;
  } else {
    throw fileError(
        QStringLiteral("unknown image format '%1' (use .png, .svg or .pdf) in").arg(suffix), path);
  }
  if (!ok) throw fileError(QStringLiteral("could not write image"), path);
}

void MetricsTable::exportCsv(const QString& path) {
  refreshNow();
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
    throw fileError(QStringLiteral("could not open for writing (%1)").arg(f.errorString()), path);
  const QByteArray bytes = csv().toUtf8();
  if (f.write(bytes) != bytes.size())
    throw fileError(QStringLiteral("could not write (%1)").arg(f.errorString()), path);
}

}  // namespace ms
