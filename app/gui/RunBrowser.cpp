// RunBrowser: list of run files with their summaries (see RunBrowser.h).
#include "RunBrowser.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>
#include <cmath>

#include "store/RunReader.h"
#include "train/RunConfig.h"

namespace ms {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kSortRole = Qt::UserRole + 2;

QString lossText(double v) {
  return std::isfinite(v) ? QString::number(v, 'f', 4) : QString();
}
}  // namespace

QString RunBrowser::statusText(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return tr("running");
    case RunStatus::Finished:
      return tr("finished");
    case RunStatus::Stopped:
      return tr("stopped");
    case RunStatus::Failed:
      return tr("failed");
    case RunStatus::Interrupted:
      return tr("interrupted");
  }
  return QString();
}

RunBrowser::Summary RunBrowser::summarize(const QString& path) {
  Summary s;
  s.path = QFileInfo(path).absoluteFilePath();
  const QFileInfo fi(path);
  s.modified = fi.lastModified();
  s.size = fi.size();
  try {
    RunReader r(path.toStdString());
    const RunInfo& info = r.info();
    s.status = r.status();
    s.message = QString::fromStdString(r.status_message());
    s.optimizers = QString::fromStdString(info.optimizer_summary);
    s.totalSteps = info.total_steps;
    s.steps = r.num_steps();
    try {
      const RunConfig c = config_from_json(info.config_json);
      s.name = QString::fromStdString(c.name);
      s.preset = QString::fromStdString(c.preset);
      if (s.totalSteps <= 0) s.totalSteps = c.train.steps;
    } catch (const std::exception&) {
    }
    if (s.steps > 0) {
      const auto loss = r.step_series("loss", s.steps - 1, s.steps);
      if (!loss.empty()) s.finalLoss = loss.back();
    }
    if (r.num_vals() > 0) {
      const auto vals = r.vals();
      if (!vals.empty()) s.finalValLoss = vals.back().loss;
    }
    s.readable = true;
  } catch (const std::exception& e) {
    s.error = QString::fromUtf8(e.what());
  }
  return s;
}

RunBrowser::RunBrowser(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  auto* top = new QHBoxLayout;
  folderLabel_ = new QLabel;
  folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  folderLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  auto* refreshButton = new QPushButton(tr("Refresh"));
  refreshButton->setToolTip(tr("Read the run folder again"));
  top->addWidget(folderLabel_, 1);
  top->addWidget(refreshButton);
  lay->addLayout(top);

  model_ = new QStandardItemModel(0, ColCount, this);
  model_->setHorizontalHeaderLabels({tr("Run"), tr("Status"), tr("Preset"), tr("Steps"), tr("Loss"),
                                     tr("Val loss"), tr("Modified")});
  model_->setSortRole(kSortRole);
  view_ = new QTreeView;
  view_->setModel(model_);
  view_->setRootIsDecorated(false);
  view_->setAlternatingRowColors(true);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->setSortingEnabled(true);
  view_->sortByColumn(ColTime, Qt::DescendingOrder);
  view_->setUniformRowHeights(true);
  view_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  view_->header()->setStretchLastSection(false);
  view_->setToolTip(tr("Double-click a run to open it. Tick runs to select them for comparison."));
  lay->addWidget(view_, 1);

  watcher_ = new QFileSystemWatcher(this);
  rescan_.setSingleShot(true);
  rescan_.setInterval(300);
  live_.setInterval(kLiveRefreshMs);
  connect(refreshButton, &QPushButton::clicked, this, &RunBrowser::refresh);
  connect(watcher_, &QFileSystemWatcher::directoryChanged, &rescan_, qOverload<>(&QTimer::start));
  connect(&rescan_, &QTimer::timeout, this, &RunBrowser::refresh);
  connect(&live_, &QTimer::timeout, this, &RunBrowser::refreshLive);
  connect(view_, &QTreeView::activated, this, &RunBrowser::activate);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunBrowser::selectionChanged);
  connect(model_, &QStandardItemModel::itemChanged, this, [this](QStandardItem* item) {
    if (item->column() == ColRun) emit selectionChanged();
  });
}

void RunBrowser::setFolder(const QString& folder) {
  if (!folder_.isEmpty() && watcher_->directories().contains(folder_))
    watcher_->removePath(folder_);
  folder_ = QDir::cleanPath(folder);
  folderLabel_->setText(folder_);
  folderLabel_->setToolTip(folder_);
  if (QFileInfo(folder_).isDir()) watcher_->addPath(folder_);
  refresh();
}

void RunBrowser::setRecentFiles(const QStringList& files) {
  recent_ = files;
  refresh();
}

void RunBrowser::setActiveFile(const QString& path) {
  const QString old = active_;
  active_ = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
  if (!old.isEmpty() && old != active_) {
    cache_.remove(old);
    refreshFile(old);
  }
  if (!active_.isEmpty()) refreshFile(active_);
}

RunBrowser::Summary RunBrowser::cachedSummary(const QString& path) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  if (abs == active_) {  // being written by this process: do not open it with HDF5 here
    Summary s;
    s.path = abs;
    s.readable = true;
    s.status = RunStatus::Running;
    s.modified = QFileInfo(abs).lastModified();
    s.name = QFileInfo(abs).completeBaseName();
    return s;
  }
  const QFileInfo fi(abs);
  auto it = cache_.find(abs);
  if (it != cache_.end() && it->modified == fi.lastModified() && it->size == fi.size() &&
      it->status != RunStatus::Running)
    return *it;
  Summary s = summarize(abs);
  cache_.insert(abs, s);
  return s;
}

QStringList RunBrowser::files() const {
  QStringList out;
  for (int r = 0; r < model_->rowCount(); ++r)
    out << model_->item(r, ColRun)->data(kPathRole).toString();
  return out;
}

int RunBrowser::rowOf(const QString& path) const {
  const QString abs = QFileInfo(path).absoluteFilePath();
  for (int r = 0; r < model_->rowCount(); ++r)
    if (model_->item(r, ColRun)->data(kPathRole).toString() == abs) return r;
  return -1;
}

RunBrowser::Summary RunBrowser::summary(const QString& path) const {
  return cache_.value(QFileInfo(path).absoluteFilePath());
}

void RunBrowser::refresh() {
  QStringList paths;
  if (!folder_.isEmpty()) {
    const QDir dir(folder_);
    for (const QFileInfo& fi : dir.entryInfoList({QStringLiteral("*.h5"), QStringLiteral("*.hdf5")},
                                                 QDir::Files | QDir::Readable))
      paths << fi.absoluteFilePath();
    if (QFileInfo(folder_).isDir() && !watcher_->directories().contains(folder_))
      watcher_->addPath(folder_);
  }
  for (const QString& f : recent_) {
    const QString abs = QFileInfo(f).absoluteFilePath();
    if (QFileInfo::exists(abs) && !paths.contains(abs)) paths << abs;
  }
  if (!active_.isEmpty() && !paths.contains(active_) && QFileInfo::exists(active_))
    paths << active_;
  // Drop rows whose file disappeared, update or add the others.
  for (int r = model_->rowCount() - 1; r >= 0; --r)
    if (!paths.contains(model_->item(r, ColRun)->data(kPathRole).toString())) model_->removeRow(r);
  for (const QString& p : paths) refreshFile(p);
}

void RunBrowser::refreshFile(const QString& path) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  if (!QFileInfo::exists(abs)) return;
  const Summary s = cachedSummary(abs);
  int row = rowOf(abs);
  view_->setSortingEnabled(false);
  if (row < 0) {
    QList<QStandardItem*> items;
    for (int c = 0; c < ColCount; ++c) {
      auto* it = new QStandardItem;
      it->setEditable(false);
      items << it;
    }
    items[ColRun]->setCheckable(true);
    items[ColRun]->setData(abs, kPathRole);
    model_->appendRow(items);
    row = model_->rowCount() - 1;
  }
  setRow(row, s);
  view_->setSortingEnabled(true);
  bool anyLive = false;
  for (const Summary& c : std::as_const(cache_))
    anyLive = anyLive || (c.readable && c.status == RunStatus::Running);
  if (anyLive && !live_.isActive()) live_.start();
  if (!anyLive) live_.stop();
}

void RunBrowser::setRow(int row, const Summary& s) {
  auto set = [&](int col, const QString& text, const QVariant& sortKey) {
    QStandardItem* it = model_->item(row, col);
    it->setText(text);
    it->setData(sortKey, kSortRole);
  };
  const QString file = QFileInfo(s.path).fileName();
  set(ColRun, file, file.toLower());
  const QString tip =
      s.readable ? QStringLiteral("%1\n%2%3")
                       .arg(s.path, s.optimizers,
                            s.message.isEmpty() ? QString() : QStringLiteral("\n") + s.message)
                 : tr("%1\nCannot read this file: %2").arg(s.path, s.error);
  for (int c = 0; c < ColCount; ++c) model_->item(row, c)->setToolTip(tip);
  const bool active = s.path == active_;
  const QString status =
      !s.readable ? tr("unreadable") : (active ? tr("training") : statusText(s.status));
  set(ColStatus, status, status);
  set(ColPreset, s.preset, s.preset);
  set(ColSteps,
      active ? QString()
             : (s.totalSteps > 0 ? QStringLiteral("%1 / %2").arg(s.steps).arg(s.totalSteps)
                                 : QString::number(s.steps)),
      s.steps);
  set(ColLoss, lossText(s.finalLoss), std::isfinite(s.finalLoss) ? s.finalLoss : 1e300);
  set(ColValLoss, lossText(s.finalValLoss), std::isfinite(s.finalValLoss) ? s.finalValLoss : 1e300);
  set(ColTime, QLocale().toString(s.modified, QLocale::ShortFormat), s.modified);
}

void RunBrowser::refreshLive() {
  for (const Summary& c : cache_.values())
    if (c.readable && c.status == RunStatus::Running) refreshFile(c.path);
}

QStringList RunBrowser::selectedRunFiles() const {
  QStringList checked, selected;
  for (int r = 0; r < model_->rowCount(); ++r) {
    QStandardItem* it = model_->item(r, ColRun);
    if (it->checkState() == Qt::Checked) checked << it->data(kPathRole).toString();
    if (view_->selectionModel()->isRowSelected(r, QModelIndex()))
      selected << it->data(kPathRole).toString();
  }
  return checked.isEmpty() ? selected : checked;
}

void RunBrowser::setChecked(const QString& path, bool checked) {
  const int r = rowOf(path);
  if (r >= 0) model_->item(r, ColRun)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void RunBrowser::activate(const QModelIndex& index) {
  if (!index.isValid()) return;
  emit openRequested(model_->item(index.row(), ColRun)->data(kPathRole).toString());
}

}  // namespace ms
