// CompareWindow: the comparison window (see CompareWindow.h).
#include "CompareWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "CompareCurvePlot.h"
#include "ComparePRHeatmap.h"
#include "CompareReport.h"
#include "CompareSpectrum.h"
#include "MetricsTable.h"
#include "RunFollower.h"
#include "RunModel.h"
#include "StepSlider.h"

namespace ms {

namespace {
QString lastExportDir;  // remembered between exports of this session
}

CompareWindow::CompareWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowFlag(Qt::Window);  // a window of its own even when parented to the main window
  setObjectName(QStringLiteral("CompareWindow"));
  setWindowTitle(tr("Compare runs"));
  resize(1500, 950);
  buildUi();
}

CompareWindow::~CompareWindow() = default;

QVector<CompareCurvePlot*> CompareWindow::curvePlots() const {
  return {loss_, kv_, iso_, kivi_, fta_};
}

void CompareWindow::buildUi() {
  const QVector<RunModel*> none;
  loss_ = new CompareCurvePlot(CompareCurvePlot::Loss, none);
  pr_ = new ComparePRHeatmap(none);
  kv_ = new CompareCurvePlot(CompareCurvePlot::Spikiness, none);
  iso_ = new CompareCurvePlot(CompareCurvePlot::Isotropy, none);
  kivi_ = new CompareCurvePlot(CompareCurvePlot::Kivi, none);
  fta_ = new CompareCurvePlot(CompareCurvePlot::FTA, none);
  spectrum_ = new CompareSpectrum(none);
  table_ = new MetricsTable(none);
  for (CompareCurvePlot* c : curvePlots()) c->setSharedControlsVisible(false);  // toolbar's
  pr_->setStepControlVisible(false);  // the toolbar's step slider moves every view
  spectrum_->setStepControlVisible(false);

  // Toolbar: settings shared by every view.
  QToolBar* bar = addToolBar(tr("Comparison"));
  bar->setObjectName(QStringLiteral("compareToolbar"));
  bar->addWidget(new QLabel(tr(" X axis: "), this));
  xCombo_ = new QComboBox(this);
  xCombo_->addItem(tr("Step"), CompareBase::XStep);
  xCombo_->addItem(tr("Tokens"), CompareBase::XTokens);
  xCombo_->addItem(tr("Wall time"), CompareBase::XWallTime);
  xCombo_->setToolTip(tr("Align the runs by optimizer step, tokens seen or training time"));
  bar->addWidget(xCombo_);
  logCheck_ = new QCheckBox(tr("Log y"), this);
  bar->addWidget(logCheck_);
  bar->addWidget(new QLabel(tr("  Smoothing: "), this));
  smoothSlider_ = new QSlider(Qt::Horizontal, this);
  smoothSlider_->setRange(0, 999);
  smoothSlider_->setValue(qRound(loss_->smoothing() * 1000));
  smoothSlider_->setMaximumWidth(160);
  bar->addWidget(smoothSlider_);
  smoothLabel_ = new QLabel(QString::number(loss_->smoothing(), 'f', 3), this);
  bar->addWidget(smoothLabel_);
  bar->addWidget(new QLabel(tr("  Layer: "), this));
  layerCombo_ = new QComboBox(this);
  bar->addWidget(layerCombo_);
  bar->addWidget(new QLabel(tr("  "), this));
  stepSlider_ = new StepSlider(this);
  stepSlider_->setMinimumWidth(260);
  bar->addWidget(stepSlider_);

  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(xCombo_->itemData(i).toInt()); });
  connect(logCheck_, &QCheckBox::toggled, this, &CompareWindow::setLogY);
  connect(smoothSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
  connect(layerCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
  connect(stepSlider_, &StepSlider::stepChanged, this, [this](qint64 s) {
    const qint64 want = stepSlider_->followsLatest() ? -1 : s;
    pr_->setStep(want);
    spectrum_->setStep(want);
  });

  // Tabs.
  tabs_ = new QTabWidget(this);
  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(loss_);
  top->addWidget(pr_);
  top->setStretchFactor(0, 1);
  top->setStretchFactor(1, 1);
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(kv_);
  bottom->addWidget(table_);
  bottom->setStretchFactor(0, 1);
  bottom->setStretchFactor(1, 1);
  auto* overview = new QSplitter(Qt::Vertical);
  overview->addWidget(top);
  overview->addWidget(bottom);
  overview->setStretchFactor(0, 3);
  overview->setStretchFactor(1, 2);
  top->setSizes({700, 800});  // the heatmaps need the width
  bottom->setSizes({800, 700});
  overview->setSizes({600, 400});
  tabs_->addTab(overview, tr("Overview"));
  tabs_->addTab(iso_, tr("Isotropy"));
  tabs_->addTab(kivi_, tr("KIVI"));
  tabs_->addTab(fta_, tr("Tail QA"));
  tabs_->addTab(spectrum_, tr("Spectra"));
  auto* configs = new QSplitter(Qt::Vertical);
  configTable_ = new QTableWidget(configs);
  configTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  configTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  configText_ = new QPlainTextEdit(configs);
  configText_->setReadOnly(true);
  configText_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  configText_->setLineWrapMode(QPlainTextEdit::NoWrap);
  configs->setSizes({200, 700});
  tabs_->addTab(configs, tr("Configs"));

  auto* central = new QWidget(this);
  auto* lay = new QVBoxLayout(central);
  lay->setContentsMargins(0, 0, 0, 0);
  warningLabel_ = new QLabel(central);
  warningLabel_->setWordWrap(true);
  warningLabel_->setVisible(false);
  lay->addWidget(warningLabel_);
  lay->addWidget(tabs_, 1);
  setCentralWidget(central);

  // Menus.
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open runs or study…"), this, [this] {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Compare runs"), lastExportDir,
        tr("Runs and studies (*.h5 study.json *.json);;All files (*)"));
    if (files.isEmpty()) return;
    QString error;
    if (!openRuns(files, &error)) QMessageBox::warning(this, tr("Compare runs"), error);
  });
  file->addSeparator();
  file->addAction(tr("Close"), QKeySequence::Close, this, &QWidget::close);
  QMenu* exp = menuBar()->addMenu(tr("&Export"));
  const QList<QPair<QString, QWidget*>> views = {
      {tr("Loss…"), loss_},        {tr("Participation ratio…"), pr_},
      {tr("K/V spikiness…"), kv_}, {tr("Isotropy…"), iso_},
      {tr("KIVI…"), kivi_},        {tr("Tail QA (FTA)…"), fta_},
      {tr("Spectra…"), spectrum_}, {tr("Final metrics table…"), table_}};
  for (const auto& v : views) {
    QWidget* w = v.second;
    exp->addAction(v.first, this, [this, w] { exportViewInteractive(w); });
  }
  exp->addSeparator();
  exp->addAction(tr("Export report…"), this, &CompareWindow::exportReportInteractive);
  bar->addSeparator();
  bar->addAction(tr("Export report…"), this, &CompareWindow::exportReportInteractive);
  syncToolbar();
}

bool CompareWindow::openRuns(const QStringList& inputs, QString* error) {
  LoadedRuns loaded;
  try {
    loaded = load_runs(inputs, this);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  const LoadedRuns old = loaded_;
  loaded_ = loaded;
  applyRuns();
  for (RunFollower* f : old.followers) delete f;  // views hold the new models already
  for (RunModel* m : old.models) delete m;
  return true;
}

void CompareWindow::applyRuns() {
  const QVector<RunModel*>& runs = loaded_.models;
  for (CompareCurvePlot* c : curvePlots()) c->setRuns(runs);
  pr_->setRuns(runs);
  spectrum_->setRuns(runs);
  table_->setRuns(runs);
  for (RunModel* m : runs) connect(m, &RunModel::snapshotAppended, this, [this] { syncToolbar(); });
  const QString names = loaded_.labels.join(QStringLiteral(" vs "));
  setWindowTitle(
      tr("Compare: %1").arg(names.size() > 120 ? tr("%n runs", "", runs.size()) : names));
  warningLabel_->setText(loaded_.warnings.join(QLatin1Char('\n')));
  warningLabel_->setVisible(!loaded_.warnings.isEmpty());
  fillConfigs();
  syncToolbar();
}

void CompareWindow::fillConfigs() {
  const auto& diffs = loaded_.differences;
  configTable_->clear();
  configTable_->setRowCount(static_cast<int>(diffs.size()));
  configTable_->setColumnCount(loaded_.labels.size());
  configTable_->setHorizontalHeaderLabels(loaded_.labels);
  QStringList keys;
  for (int k = 0; k < static_cast<int>(diffs.size()); ++k) {
    keys << QString::fromStdString(diffs[k].key);
    for (int r = 0; r < static_cast<int>(diffs[k].values.size()); ++r)
      configTable_->setItem(k, r, new QTableWidgetItem(QString::fromStdString(diffs[k].values[r])));
  }
  configTable_->setVerticalHeaderLabels(keys);
  QString text;
  for (int i = 0; i < loaded_.models.size(); ++i)
    text += QStringLiteral("# %1\n# %2\n%3\n\n")
                .arg(loaded_.labels.value(i), loaded_.files.value(i), loaded_.configs.value(i));
  configText_->setPlainText(text);
}

void CompareWindow::syncToolbar() {
  int maxLayers = 0;
  for (RunModel* m : loaded_.models) maxLayers = std::max(maxLayers, m->layerCount());
  {
    const QSignalBlocker b(layerCombo_);
    const int cur = layerCombo_->currentIndex() >= 0 ? layerCombo_->currentData().toInt() : -1;
    if (layerCombo_->count() != maxLayers + 1) {
      layerCombo_->clear();
      layerCombo_->addItem(tr("mean over layers"), -1);
      for (int l = 0; l < maxLayers; ++l) layerCombo_->addItem(tr("layer %1").arg(l), l);
    }
    layerCombo_->setCurrentIndex(std::max(0, layerCombo_->findData(cur)));
  }
  stepSlider_->setSteps(pr_->unionSnapshotSteps());
}

void CompareWindow::setXAxisMode(int mode) {
  for (CompareCurvePlot* c : curvePlots()) c->setXAxisMode(static_cast<CompareBase::XAxis>(mode));
  const QSignalBlocker b(xCombo_);
  xCombo_->setCurrentIndex(std::max(0, xCombo_->findData(mode)));
}

void CompareWindow::setLogY(bool on) {
  for (CompareCurvePlot* c : curvePlots()) c->setLogY(on);
  const QSignalBlocker b(logCheck_);
  logCheck_->setChecked(on);
}

void CompareWindow::setSmoothing(double b) {
  for (CompareCurvePlot* c : curvePlots()) c->setSmoothing(b);
  const QSignalBlocker block(smoothSlider_);
  smoothSlider_->setValue(qRound(loss_->smoothing() * 1000));
  smoothLabel_->setText(QString::number(loss_->smoothing(), 'f', 3));
}

void CompareWindow::setLayer(int layer) {
  iso_->setLayer(layer);
  kv_->setLayer(layer);
  if (layer >= 0) spectrum_->setLayer(layer);
  const QSignalBlocker b(layerCombo_);
  const int i = layerCombo_->findData(layer);
  if (i >= 0) layerCombo_->setCurrentIndex(i);
}

void CompareWindow::setStep(qint64 step) {
  stepSlider_->setStep(step);
  pr_->setStep(step);
  spectrum_->setStep(step);
}

bool CompareWindow::exportReport(const QString& target, bool pngFolder, bool pdf, QString* error) {
  CompareReportOptions o;
  o.title = windowTitle();
  o.layer = std::max(0, spectrum_->layer());
  o.pngFolder = pngFolder;
  o.pdf = pdf;
  o.files = loaded_.files;
  o.configs = loaded_.configs;
  for (const auto& d : loaded_.differences) {
    o.diffKeys << QString::fromStdString(d.key);
    QStringList v;
    for (const auto& s : d.values) v << QString::fromStdString(s);
    o.diffValues << v;
  }
  QString dir = target;
  if (!pngFolder) {
    o.pdfPath = target;
    dir = QFileInfo(target).absolutePath();
  }
  try {
    const CompareReportResult r = write_compare_report(loaded_.models, dir, o);
    statusBar()->showMessage(tr("Report written: %n file(s) in %1", "", r.files.size()).arg(dir),
                             8000);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

void CompareWindow::exportReportInteractive() {
  QMessageBox box(this);
  box.setWindowTitle(tr("Export report"));
  box.setText(
      tr("Write the comparison report as one PDF, or as a folder of PNG figures with "
         "CSV data, an index.md and report.pdf?"));
  QPushButton* pdfButton = box.addButton(tr("PDF…"), QMessageBox::AcceptRole);
  QPushButton* folderButton = box.addButton(tr("Folder…"), QMessageBox::AcceptRole);
  box.addButton(QMessageBox::Cancel);
  box.exec();
  QString error;
  bool ok = true;
  const QString start = lastExportDir.isEmpty() ? QDir::homePath() : lastExportDir;
  if (box.clickedButton() == pdfButton) {
    QString path = QFileDialog::getSaveFileName(this, tr("Export report"),
                                                QDir(start).filePath(QStringLiteral("report.pdf")),
                                                tr("PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".pdf");
    lastExportDir = QFileInfo(path).absolutePath();
    ok = exportReport(path, false, true, &error);
  } else if (box.clickedButton() == folderButton) {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Report folder"), start);
    if (dir.isEmpty()) return;
    lastExportDir = dir;
    ok = exportReport(dir, true, true, &error);
  } else {
    return;
  }
  if (!ok) QMessageBox::warning(this, tr("Export report"), error);
}

void CompareWindow::exportViewInteractive(QWidget* view) {
  auto* plot = qobject_cast<PlotBase*>(view);
  auto* table = qobject_cast<MetricsTable*>(view);
  if (!plot && !table) return;
  QDialog dlg(this);
  dlg.setWindowTitle(tr("Export"));
  auto* form = new QFormLayout(&dlg);
  auto* pathEdit = new QLineEdit(QDir(lastExportDir.isEmpty() ? QDir::homePath() : lastExportDir)
                                     .filePath(view->objectName() + QStringLiteral(".png")),
                                 &dlg);
  auto* browse = new QPushButton(tr("Browse…"), &dlg);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(pathEdit, 1);
  pathRow->addWidget(browse);
  form->addRow(tr("File (.png, .svg, .pdf, .csv):"), pathRow);
  auto* w = new QSpinBox(&dlg);
  auto* h = new QSpinBox(&dlg);
  for (QSpinBox* s : {w, h}) s->setRange(100, 12000);
  w->setValue(qMax(800, view->width() * 2));
  h->setValue(qMax(500, view->height() * 2));
  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(w);
  sizeRow->addWidget(new QLabel(QStringLiteral("×"), &dlg));
  sizeRow->addWidget(h);
  sizeRow->addWidget(new QLabel(tr("pixels"), &dlg));
  form->addRow(tr("Size:"), sizeRow);
  auto* dpi = new QDoubleSpinBox(&dlg);
  dpi->setRange(48, 1200);
  dpi->setDecimals(0);
  dpi->setValue(192);
  form->addRow(tr("DPI:"), dpi);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dlg);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
  connect(browse, &QPushButton::clicked, &dlg, [&] {
    const QString p = QFileDialog::getSaveFileName(
        &dlg, tr("Export"), pathEdit->text(),
        tr("PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf);;CSV data (*.csv)"));
    if (!p.isEmpty()) pathEdit->setText(p);
  });
  if (dlg.exec() != QDialog::Accepted) return;
  const QString path = pathEdit->text();
  lastExportDir = QFileInfo(path).absolutePath();
  try {
    if (QFileInfo(path).suffix().compare(QStringLiteral("csv"), Qt::CaseInsensitive) == 0) {
      if (plot)
        plot->exportCsv(path);
      else
        table->exportCsv(path);
    } else if (plot) {
      plot->exportImage(path, w->value(), h->value(), dpi->value());
    } else {
      table->exportImage(path, w->value(), h->value(), dpi->value());
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 6000);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
  }
}

}  // namespace ms
