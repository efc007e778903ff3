// PlotBase: coalesced refresh, interaction, export and palette styling shared by all views
// (see PlotBase.h).
#include "PlotBase.h"

#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QStackedWidget>
#include <QSvgGenerator>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <qcustomplot.h>

#include "FlowLayout.h"

#include "common/MatrixLabel.h"

namespace ms {

namespace {
QString lastExportDir;  // remembered between interactive exports of any view

std::runtime_error exportError(const QString& what, const QString& path) {
  return std::runtime_error(QStringLiteral("%1: %2").arg(what, path).toStdString());
}
}  // namespace

PlotBase::PlotBase(RunModel* model, QWidget* parent)
    : PlotBase(model ? QVector<RunModel*>{model} : QVector<RunModel*>{}, parent) {}

PlotBase::PlotBase(const QVector<RunModel*>& runs, QWidget* parent) : QWidget(parent) {
  for (RunModel* m : runs) {
    runs_.push_back(m);
    colorIndices_.push_back(colorIndices_.size());
  }
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  lay->setSpacing(2);
  controls_ = new FlowLayout;
  controls_->setContentsMargins(4, 0, 4, 0);
  lay->addLayout(controls_);

  stack_ = new QStackedWidget(this);
  plot_ = new QCustomPlot(stack_);
  plot_->setMinimumSize(200, 150);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setContextMenuPolicy(Qt::CustomContextMenu);
  plot_->installEventFilter(this);
  placeholder_ = new QLabel(stack_);
  placeholder_->setAlignment(Qt::AlignCenter);
  placeholder_->setWordWrap(true);
  stack_->addWidget(plot_);
  stack_->addWidget(placeholder_);
  lay->addWidget(stack_, 1);

  // Layout: a title row, then the body grid whose cell (0, 0) is the default axis rect.
  QCPAxisRect* main = plot_->axisRect();
  plot_->plotLayout()->take(main);
  plot_->plotLayout()->simplify();
  title_ = new QCPTextElement(plot_, QString(),
                              QFont(font().family(), font().pointSize() + 1, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, title_);
  body_ = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(1, 0, body_);
  body_->addElement(0, 0, main);

  timer_ = new QTimer(this);
  timer_->setSingleShot(true);
  timer_->setInterval(kRefreshIntervalMs);
  connect(timer_, &QTimer::timeout, this, &PlotBase::onTimer);
  connect(plot_, &QCustomPlot::afterReplot, this, [this] { ++replotCount_; });
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) resetView();
  });
  connect(plot_, &QWidget::customContextMenuRequested, this, &PlotBase::showContextMenu);
  connect(plot_->selectionRect(), &QCPSelectionRect::accepted, this,
          [this] { userZoomed_ = true; });
  connectRuns();
  dirty_ = true;
  timer_->start();
}

PlotBase::~PlotBase() = default;

void PlotBase::setModel(RunModel* model) {
  setRuns(model ? QVector<RunModel*>{model} : QVector<RunModel*>{});
}

void PlotBase::setRuns(const QVector<RunModel*>& runs, const QVector<int>& colorIndices,
                       const QVector<QVector<RunModel*>>& members) {
  QVector<int> colors = colorIndices;
  if (colors.size() != runs.size()) {
    colors.clear();
    for (int i = 0; i < runs.size(); ++i) colors.push_back(i);
  }
  QVector<QVector<RunModel*>> groups = members;
  groups.resize(runs.size());
  bool sameMembers = true;
  for (int i = 0; i < runs.size() && sameMembers; ++i) sameMembers = groups[i] == runMembers(i);
  if (colors == colorIndices_ && runs == this->runs() && sameMembers) return;
  runs_.clear();
  for (RunModel* m : runs) runs_.push_back(m);
  colorIndices_ = colors;
  members_.clear();
  for (const auto& g : groups) {
    QVector<QPointer<RunModel>> p;
    for (RunModel* m : g) p.push_back(m);
    members_.push_back(p);
  }
  connectRuns();
  runsReset();
  emit runsChanged();
  updateTitle();
  scheduleReset();
}

QVector<RunModel*> PlotBase::runs() const {
  QVector<RunModel*> out;
  out.reserve(runs_.size());
  for (const auto& p : runs_) out.push_back(p.data());
  return out;
}

RunModel* PlotBase::run(int i) const {
  return i >= 0 && i < runs_.size() ? runs_[i].data() : nullptr;
}

QString PlotBase::runLabel(int i) const {
  RunModel* m = run(i);
  const QString name = m ? m->displayName() : QString();
  return name.isEmpty() ? tr("run %1").arg(i + 1) : name;
}

QVector<RunModel*> PlotBase::runMembers(int i) const {
  QVector<RunModel*> out;
  if (i < 0 || i >= members_.size()) return out;
  for (const auto& p : members_[i])
    if (p) out.push_back(p.data());
  return out;
}

int PlotBase::runColorIndex(int i) const {
  return i >= 0 && i < colorIndices_.size() ? colorIndices_[i] : i;
}

QColor PlotBase::runColor(int i) const {
  return seriesColor(runColorIndex(i));
}

void PlotBase::connectRuns() {
  for (const auto& c : modelConnections_) disconnect(c);
  modelConnections_.clear();
  auto on = [this](int kind) { return [this, kind] { onModelSignal(kind); }; };
  for (const auto& p : runs_) {
    RunModel* m = p.data();
    if (!m) continue;
    modelConnections_.push_back(connect(m, &RunModel::infoChanged, this, [this] {
      runsReset();
      emit runsChanged();
      onModelSignal(kInfo);
    }));
    modelConnections_.push_back(connect(m, &RunModel::stepsAppended, this, on(kSteps)));
    modelConnections_.push_back(connect(m, &RunModel::valsAppended, this, on(kVals)));
    modelConnections_.push_back(connect(m, &RunModel::snapshotAppended, this, on(kSnapshots)));
    modelConnections_.push_back(connect(m, &RunModel::statusChanged, this, on(kStatus)));
    modelConnections_.push_back(connect(m, &RunModel::cleared, this, [this] {
      runsReset();
      scheduleReset();
    }));
    modelConnections_.push_back(connect(m, &RunModel::displayNameChanged, this, [this] {
      updateTitle();
      scheduleRefresh();
    }));
    modelConnections_.push_back(connect(m, &QObject::destroyed, this, [this] {
      runsReset();
      scheduleRefresh();
    }));
  }
}

void PlotBase::onModelSignal(int kind) {
  if (interest_ & kind) scheduleRefresh();
}

void PlotBase::scheduleRefresh() {
  dirty_ = true;
  if (!timer_->isActive()) timer_->start();
}

void PlotBase::scheduleReset() {
  userZoomed_ = false;
  scheduleRefresh();
}

bool PlotBase::refreshPending() const {
  return dirty_;
}

void PlotBase::onTimer() {
  // A view nobody can see (a dock tabbed behind another, a closed window) stays dirty and
  // rebuilds when it is shown: live steps then cost nothing in hidden views.
  if (!isVisible()) {
    emit refreshDeferred();
    return;
  }
  refreshNow();
}

void PlotBase::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // Titles and legend rows are fitted to the width at rebuild: a new width rebuilds (coalesced).
  if (std::abs(event->size().width() - fittedWidth_) >= 24) {
    fittedWidth_ = event->size().width();
    scheduleRefresh();
  }
}

void PlotBase::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (dirty_ && !timer_->isActive()) timer_->start();
}

void PlotBase::refreshNow() {
  timer_->stop();
  if (!dirty_) return;
  dirty_ = false;
  ++rebuildCount_;
  updateTitle();
  rebuild();
  if (!userZoomed_) resetRanges();
  plot_->replot();
}

void PlotBase::resetRanges() {
  plot_->rescaleAxes();
}

void PlotBase::resetView() {
  userZoomed_ = false;
  dirty_ = true;
  refreshNow();
}

int PlotBase::layoutWidth() const {
  if (exportWidth_ > 0) return exportWidth_;
  // While shown: the widget's width (during a resize the plot inside has not followed yet).
  return isVisible() ? std::max(plot_->width(), width() - 4) : std::max(plot_->width(), 1000);
}

void PlotBase::fitLegendColumns(QCPLegend* legend, int maxColumns) const {
  if (!legend) return;
  int widest = 0;  // the widest entry as the legend lays it out (icon, text, margins)
  for (int i = 0; i < legend->itemCount(); ++i)
    if (QCPAbstractLegendItem* item = legend->item(i))
      widest = std::max(widest, item->minimumOuterSizeHint().width());
  const int entry = widest + legend->columnSpacing();
  const int room = layoutWidth() - legend->margins().left() - legend->margins().right() - 24;
  const int wrap = std::max(1, std::min(maxColumns, room / std::max(1, entry)));
  if (wrap == legend->wrap()) return;
  legend->setWrap(wrap);
  legend->setFillOrder(legend->fillOrder(), true);  // re-flow the entries already in it
}

void PlotBase::placeLegendBelow(QCPAxisRect* rect) {
  QCustomPlot* p = plot_;
  // Centred in a row of its own: empty cells either side take the spare width.
  p->legend->setVisible(true);
  rect->insetLayout()->take(p->legend);
  auto* legendRow = new QCPLayoutGrid;
  p->plotLayout()->addElement(2, 0, legendRow);
  p->plotLayout()->setRowStretchFactor(2, 0.001);
  legendRow->addElement(0, 0, new QCPLayoutElement(p));
  legendRow->addElement(0, 1, p->legend);
  legendRow->addElement(0, 2, new QCPLayoutElement(p));
  legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
  p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  p->legend->setWrap(4);
}

SeedBand PlotBase::snapshotSeedBand(int run, const std::function<double(const Snapshot&)>& value,
                                    XAxis mode) const {
  const QVector<RunModel*> seeds = runMembers(run);
  if (seeds.size() < 2) return {};
  QVector<QVector<double>> xs, ys;
  for (const RunModel* member : seeds) {
    QVector<double> x, y;
    for (const Snapshot& sn : member->snapshots()) {
      const double v = value(sn);
      if (!std::isfinite(v)) continue;
      x << xOf(sn, mode);
      y << v;
    }
    xs << x;
    ys << y;
  }
  return seed_band(xs, ys, seed_band_mode());
}

void PlotBase::invalidate() {
  runsReset();  // views that extend in place (the loss view) rebuild from scratch
  scheduleRefresh();
}

void PlotBase::setBoxZoomMode(bool on) {
  boxZoom_ = on;
  plot_->setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
}

void PlotBase::setPlaceholderText(const QString& text) {
  placeholder_->setText(text);
  stack_->setCurrentWidget(text.isEmpty() ? static_cast<QWidget*>(plot_) : placeholder_);
}

void PlotBase::setTitle(const QString& title) {
  titleText_ = title;
  updateTitle();
}

void PlotBase::updateTitle() {
  const QString name = runCount() == 1 && run(0) ? run(0)->displayName() : QString();
  title_->setText(name.isEmpty() ? titleText_ : tr("%1 — %2").arg(titleText_, name));
}

bool PlotBase::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_) {
    switch (event->type()) {
      case QEvent::MouseButtonPress: {
        // Box zoom with Shift/Ctrl or in box-zoom mode, otherwise a left drag pans. Set before
        // QCustomPlot sees the press, because it decides at press time.
        auto* me = static_cast<QMouseEvent*>(event);
        const bool box =
            me->button() == Qt::LeftButton &&
            (boxZoom_ || (me->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier)));
        plot_->setSelectionRectMode(box ? QCP::srmZoom : QCP::srmNone);
        break;
      }
      case QEvent::MouseMove:
        if ((static_cast<QMouseEvent*>(event)->buttons() & Qt::LeftButton) &&
            plot_->selectionRectMode() == QCP::srmNone)
          userZoomed_ = true;  // a pan
        break;
      case QEvent::Wheel:
        userZoomed_ = true;
        break;
      default:
        break;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void PlotBase::showContextMenu(const QPoint& pos) {
  QMenu menu(this);
  menu.addAction(tr("Export image…"), this, &PlotBase::exportImageInteractive);
  menu.addAction(tr("Export data (CSV)…"), this, &PlotBase::exportCsvInteractive);
  menu.addSeparator();
  menu.addAction(tr("Reset view"), this, &PlotBase::resetView);
  QAction* box = menu.addAction(tr("Box zoom mode"));
  box->setCheckable(true);
  box->setChecked(boxZoom_);
  box->setToolTip(tr("Drag to zoom into a rectangle (Shift+drag does this in any mode)"));
  connect(box, &QAction::toggled, this, &PlotBase::setBoxZoomMode);
  menu.exec(plot_->mapToGlobal(pos));
}

void PlotBase::exportImageInteractive() {
  QString filter;
  const QString pngF = tr("PNG image (*.png)"), svgF = tr("SVG image (*.svg)"),
                pdfF = tr("PDF document (*.pdf)");
  QString path = QFileDialog::getSaveFileName(
      this, tr("Export image"),
      QDir(lastExportDir.isEmpty() ? QDir::homePath() : lastExportDir)
          .filePath(objectName().isEmpty() ? QStringLiteral("plot.png") : objectName() + ".png"),
      pngF + ";;" + svgF + ";;" + pdfF, &filter);
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty())
    path += filter == svgF ? ".svg" : filter == pdfF ? ".pdf" : ".png";
  lastExportDir = QFileInfo(path).absolutePath();
  // PNG at twice the screen density for sharp figures; vector formats at screen size.
  const bool png = QFileInfo(path).suffix().compare("png", Qt::CaseInsensitive) == 0;
  const double dpi = png ? 192.0 : 96.0;
  try {
    exportImage(path, qRound(plot_->width() * dpi / 96.0), qRound(plot_->height() * dpi / 96.0),
                dpi);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export image"), QString::fromStdString(e.what()));
  }
}

void PlotBase::exportCsvInteractive() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export data (CSV)"),
      QDir(lastExportDir.isEmpty() ? QDir::homePath() : lastExportDir)
          .filePath(objectName().isEmpty() ? QStringLiteral("plot.csv") : objectName() + ".csv"),
      tr("CSV file (*.csv)"));
  if (path.isEmpty()) return;
  lastExportDir = QFileInfo(path).absolutePath();
  try {
    exportCsv(path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export data"), QString::fromStdString(e.what()));
  }
}

void PlotBase::exportImage(const QString& path, int width, int height, double dpi) {
  if (width <= 0 || height <= 0 || !(dpi > 0) || !std::isfinite(dpi))
    throw exportError(
        QStringLiteral("invalid image size %1x%2 at %3 dpi for").arg(width).arg(height).arg(dpi),
        path);
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg" && suffix != "pdf")
    throw exportError(
        QStringLiteral("unknown image format '%1' (use .png, .svg or .pdf) in").arg(suffix), path);
  const double scale = dpi / 96.0;
  const int lw = std::max(1, qRound(width / scale)), lh = std::max(1, qRound(height / scale));
  exportWidth_ = lw;
  dirty_ = true;  // export what the model holds now, laid out for the export's width
  refreshNow();
  exportWidth_ = 0;
  bool ok = false;
  if (suffix == "png") {
    QImage img(width, height, QImage::Format_ARGB32_Premultiplied);
    img.fill(backgroundColor());
    {
      QCPPainter painter(&img);
      if (painter.isActive()) {
        if (scale > 1.0) painter.setMode(QCPPainter::pmNonCosmetic);
        painter.scale(double(width) / lw, double(height) / lh);
        plot_->toPainter(&painter, lw, lh);
        painter.end();
        // The DPI goes into the file only: set while painting, it would also scale point-size
        // fonts (on top of the painter scale), so the text would not fit the layout.
        img.setDotsPerMeterX(qRound(dpi / 0.0254));
        img.setDotsPerMeterY(qRound(dpi / 0.0254));
        ok = img.save(path, "PNG");
      }
    }
  } else if (suffix == "svg") {
    QSvgGenerator gen;
    gen.setFileName(path);
    gen.setSize(QSize(lw, lh));
    gen.setViewBox(QRect(0, 0, lw, lh));
    gen.setResolution(96);
    gen.setTitle(title_->text());
    gen.setDescription(tr("Exported by Muonscope"));
    QCPPainter painter;
    if (painter.begin(&gen)) {
      painter.setMode(QCPPainter::pmVectorized);
      painter.setMode(QCPPainter::pmNoCaching);
      painter.setMode(QCPPainter::pmNonCosmetic);
      plot_->toPainter(&painter, lw, lh);
      ok = painter.end();
    }
    ok = ok && QFileInfo(path).size() > 0;
  } else {
    ok = plot_->savePdf(path, lw, lh, QCP::epNoCosmetic, QStringLiteral("Muonscope"),
                        title_->text()) &&
         QFileInfo(path).size() > 0;
  }
  plot_->replot();  // the export laid the plot out at its own size; restore the widget layout
  if (!ok) throw exportError(QStringLiteral("could not write image"), path);
}

void PlotBase::exportCsv(const QString& path) {
  dirty_ = true;
  refreshNow();
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
    throw exportError(QStringLiteral("could not open for writing (%1)").arg(f.errorString()), path);
  const QByteArray bytes = csv().toUtf8();
  if (f.write(bytes) != bytes.size())
    throw exportError(QStringLiteral("could not write (%1)").arg(f.errorString()), path);
}

// ---- palette ----

bool PlotBase::isDark() const {
  return backgroundColor().lightness() < 128;  // as categoricalColor(i, palette)
}
QColor PlotBase::textColor() const {
  return palette().color(QPalette::Text);
}
QColor PlotBase::backgroundColor() const {
  return palette().color(QPalette::Base);
}

QColor PlotBase::gridColor() const {
  const QColor t = textColor(), b = backgroundColor();
  const double a = 0.22;  // a faint blend of text into background
  return QColor::fromRgbF(float(a * t.redF() + (1 - a) * b.redF()),
                          float(a * t.greenF() + (1 - a) * b.greenF()),
                          float(a * t.blueF() + (1 - a) * b.blueF()));
}

QColor PlotBase::seriesColor(int i) const {
  return categoricalColor(i, isDark());
}

QColor PlotBase::categoricalColor(int i, const QPalette& palette) {
  return categoricalColor(i, palette.color(QPalette::Base).lightness() < 128);
}

QColor PlotBase::categoricalColor(int i, bool dark) {
  // Tableau-10: distinguishable and colour-blind tolerant; lifted on dark backgrounds.
  static const QRgb tab10[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                               0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  QColor c(tab10[((i % 10) + 10) % 10]);
  return dark ? c.lighter(135) : c;
}

QComboBox* PlotBase::newXAxisCombo() {
  auto* c = new QComboBox(this);
  c->addItem(tr("Step"), XStep);
  c->addItem(tr("Tokens"), XTokens);
  c->addItem(tr("Wall time"), XWallTime);
  return c;
}

QCPColorGradient PlotBase::sequentialGradient() {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.0, QColor(0x44, 0x01, 0x54));
  g.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
  g.setColorStopAt(0.5, QColor(0x21, 0x91, 0x8c));
  g.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
  g.setColorStopAt(1.0, QColor(0xfd, 0xe7, 0x25));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(QColor(128, 128, 128, 90));
  return g;
}

double PlotBase::xOf(const StepRecord& s, XAxis mode) {
  return mode == XTokens ? double(s.tokens) : mode == XWallTime ? s.wall_s : double(s.step);
}
double PlotBase::xOf(const ValRecord& v, XAxis mode) {
  return mode == XTokens ? double(v.tokens) : mode == XWallTime ? v.wall_s : double(v.step);
}
double PlotBase::xOf(const Snapshot& s, XAxis mode) {
  return mode == XTokens ? double(s.tokens) : mode == XWallTime ? s.wall_s : double(s.step);
}

QString PlotBase::xLabel(XAxis mode) {
  switch (mode) {
    case XTokens:
      return tr("Tokens");
    case XWallTime:
      return tr("Wall time (s)");
    default:
      return tr("Step");
  }
}

int PlotBase::nearestSnapshot(const std::vector<Snapshot>& snapshots, int64_t step) {
  if (snapshots.empty()) return -1;
  if (step < 0) return static_cast<int>(snapshots.size()) - 1;
  // Linear: inspected checkpoints need not be in step order.
  int best = 0;
  for (int i = 1; i < static_cast<int>(snapshots.size()); ++i)
    if (std::llabs(snapshots[i].step - step) < std::llabs(snapshots[best].step - step)) best = i;
  return best;
}

std::vector<int64_t> PlotBase::unionSnapshotSteps() const {
  std::vector<int64_t> out;
  for (int i = 0; i < runCount(); ++i)
    if (RunModel* m = run(i))
      for (const Snapshot& s : m->snapshots()) out.push_back(s.step);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

QString PlotBase::matrixLabel(const QString& name) {
  return QString::fromStdString(matrix_label(name.toStdString()));
}

QString PlotBase::csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')))
    return text;
  QString q = text;
  q.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + q + QLatin1Char('"');
}

QString PlotBase::csvNumber(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 10) : QString();
}

void PlotBase::applyPalette() {
  const QColor text = textColor(), grid = gridColor(), bg = backgroundColor();
  plot_->setBackground(QBrush(bg));
  auto styleAxis = [&](QCPAxis* ax) {
    ax->setBasePen(QPen(text, 1));
    ax->setTickPen(QPen(text, 1));
    ax->setSubTickPen(QPen(text, 1));
    ax->setTickLabelColor(text);
    ax->setLabelColor(text);
    ax->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    ax->grid()->setSubGridPen(QPen(grid, 1, Qt::DotLine));
    ax->grid()->setZeroLinePen(QPen(grid, 1, Qt::SolidLine));
  };
  const QList<QCPLayoutElement*> elements = plot_->plotLayout()->elements(true);
  for (QCPLayoutElement* el : elements) {
    if (!el) continue;
    if (auto* rect = qobject_cast<QCPAxisRect*>(el)) {
      for (QCPAxis* ax : rect->axes()) styleAxis(ax);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(el)) {
      styleAxis(scale->axis());
    } else if (auto* t = qobject_cast<QCPTextElement*>(el)) {
      t->setTextColor(text);
    } else if (auto* legend = qobject_cast<QCPLegend*>(el)) {
      QColor lb = bg;
      lb.setAlpha(210);
      legend->setBrush(QBrush(lb));
      legend->setBorderPen(QPen(grid));
      legend->setTextColor(text);
    }
  }
  QColor sel = palette().color(QPalette::Highlight);
  plot_->selectionRect()->setPen(QPen(text, 1, Qt::DashLine));
  sel.setAlpha(50);
  plot_->selectionRect()->setBrush(QBrush(sel));
}

void PlotBase::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && !applyingPalette_) {
    applyingPalette_ = true;
    applyPalette();
    applyingPalette_ = false;
    dirty_ = true;  // series colours depend on the palette too
    scheduleRefresh();
  }
}

}  // namespace ms
