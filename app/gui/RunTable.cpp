// RunTable: checkboxes, colours, labels and status of the window's runs (see RunTable.h).
#include "RunTable.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "PlotBase.h"
#include "RunModel.h"
#include "RunSet.h"

namespace ms {

namespace {
QIcon swatch(const QColor& c) {
  QPixmap pm(14, 14);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(Qt::NoPen);
  p.setBrush(c);
  p.drawRoundedRect(QRectF(1, 3, 12, 8), 2, 2);
  return QIcon(pm);
}
}  // namespace

RunTable::RunTable(RunSet* runs, QWidget* parent) : QWidget(parent), runs_(runs) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  tree_ = new QTreeWidget(this);
  tree_->setObjectName(QStringLiteral("runTable"));
  tree_->setColumnCount(ColCount);
  tree_->setHeaderLabels({tr("Run"), tr("Status"), tr("Steps"), tr("File")});
  tree_->setRootIsDecorated(false);
  tree_->setUniformRowHeights(true);
  tree_->setSelectionMode(QAbstractItemView::SingleSelection);
  tree_->setContextMenuPolicy(Qt::CustomContextMenu);
  tree_->header()->setStretchLastSection(true);
  tree_->header()->setSectionResizeMode(ColRun, QHeaderView::Interactive);
  tree_->setColumnWidth(ColRun, 200);
  tree_->installEventFilter(this);
  lay->addWidget(tree_);

  connect(tree_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
    if (updating_ || column != ColRun) return;
    runs_->setChecked(rowOfItem(item), item->checkState(ColRun) == Qt::Checked);
  });
  connect(tree_, &QTreeWidget::itemActivated, this,
          [this](QTreeWidgetItem* item) { emit rowActivated(tree_->indexOfTopLevelItem(item)); });
  connect(tree_, &QWidget::customContextMenuRequested, this, &RunTable::showContextMenu);
  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (!updating_) emit currentRowChanged(rowOfItem(item));
  });
  connect(tree_, &QTreeWidget::itemExpanded, this, [this](QTreeWidgetItem* item) {
    if (!updating_) expanded_ << runs_->entry(rowOfItem(item)).model;
  });
  connect(tree_, &QTreeWidget::itemCollapsed, this, [this](QTreeWidgetItem* item) {
    if (!updating_) expanded_.remove(runs_->entry(rowOfItem(item)).model);
  });
  connect(runs_, &RunSet::rowsChanged, this, &RunTable::rebuildRows);
  connect(runs_, &RunSet::rowUpdated, this, &RunTable::updateRow);
  rebuildRows();
}

int RunTable::currentRow() const {
  return rowOfItem(tree_->currentItem());
}

int RunTable::rowOfItem(const QTreeWidgetItem* item) const {
  return item ? item->data(ColRun, Qt::UserRole).toInt() : -1;
}

QTreeWidgetItem* RunTable::itemOfRow(int row) const {
  return items_.value(row, nullptr);
}

void RunTable::addFileAction(QAction* action) {
  if (action && !fileActions_.contains(action)) fileActions_ << action;
}

void RunTable::rebuildRows() {
  // Top level in row order; a seed group at its first member's place, its members under it.
  updating_ = true;
  const int current = currentRow();
  tree_->clear();
  items_.clear();
  auto make = [this](int row, QTreeWidgetItem* parent) {
    auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree_);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    item->setTextAlignment(ColSteps, Qt::AlignRight | Qt::AlignVCenter);
    item->setData(ColRun, Qt::UserRole, row);
    items_.insert(row, item);
    return item;
  };
  for (int i = 0; i < runs_->count(); ++i) {
    const RunSet::Entry& e = runs_->entry(i);
    if (e.kind == RunSet::SeedGroup) continue;
    const int g = runs_->groupRowOf(i);
    if (g < 0) {
      make(i, nullptr);
      continue;
    }
    if (runs_->entry(g).members.front() != e.model) continue;
    QTreeWidgetItem* group = make(g, nullptr);
    for (RunModel* m : runs_->entry(g).members) make(runs_->rowOf(m), group);
    group->setExpanded(expanded_.contains(runs_->entry(g).model));
  }
  tree_->setRootIsDecorated(std::any_of(
      items_.cbegin(), items_.cend(), [](const QTreeWidgetItem* it) { return it->childCount(); }));
  updating_ = false;
  for (int i = 0; i < runs_->count(); ++i) updateRow(i);
  if (QTreeWidgetItem* item = itemOfRow(current)) tree_->setCurrentItem(item);
  emit currentRowChanged(currentRow());  // rows may have moved or gone
}

void RunTable::updateRow(int row) {
  QTreeWidgetItem* item = itemOfRow(row);
  if (!item || row >= runs_->count()) return;
  updating_ = true;
  const RunSet::Entry& e = runs_->entry(row);
  item->setCheckState(ColRun, e.checked ? Qt::Checked : Qt::Unchecked);
  item->setIcon(ColRun, swatch(PlotBase::categoricalColor(e.colorIndex, palette())));
  item->setText(ColRun, runs_->label(row));
  item->setText(ColStatus, runs_->statusText(row));
  const int64_t total = e.model->info().total_steps;
  const int64_t last = runs_->lastStep(row);
  item->setText(ColSteps,
                total > 0 ? QStringLiteral("%1 / %2").arg(last).arg(total) : QString::number(last));
  item->setText(ColFile, e.file.isEmpty() ? QString() : QFileInfo(e.file).fileName());
  QStringList tip{runs_->label(row)};
  if (!e.file.isEmpty()) tip << QDir::toNativeSeparators(e.file);
  const QStringList keys = runs_->differingKeys(row);
  if (!keys.isEmpty()) tip << tr("Differs: %1").arg(keys.join(QStringLiteral(", ")));
  const ms::RunInfo& info = e.model->info();
  if (info.world_size > 1)
    tip << tr("Trained by %n processes (data-parallel)", "", info.world_size);
  if (!info.resumed_at.empty()) {
    QStringList at;
    for (int64_t s : info.resumed_at) at << QString::number(s);
    tip << tr("Resumed after step %1").arg(at.join(QStringLiteral(", ")));
  }
  for (int c = 0; c < ColCount; ++c) item->setToolTip(c, tip.join(QLatin1Char('\n')));
  updating_ = false;
}

void RunTable::showContextMenu(const QPoint& pos) {
  QTreeWidgetItem* clicked = tree_->itemAt(pos);
  const int row = rowOfItem(clicked);
  // The file actions act on the current row: make it the clicked one (they update their state).
  if (clicked && tree_->currentItem() != clicked) tree_->setCurrentItem(clicked);
  QMenu menu(this);
  menu.setToolTipsVisible(true);  // a disabled file action's tooltip says why
  if (row >= 0) {
    menu.addAction(tr("Show only this run"), this, [this, row] { runs_->checkOnly({row}); });
    menu.addAction(tr("Show config…"), this, [this, row] { showConfig(row); });
    const RunSet::Entry& e = runs_->entry(row);
    if (e.kind != RunSet::SeedGroup && !e.file.isEmpty() && !fileActions_.isEmpty()) {
      menu.addSeparator();
      for (QAction* a : fileActions_) menu.addAction(a);
      menu.addSeparator();
    }
  }
  menu.addAction(tr("Show all"), this, [this] {
    QVector<int> all;
    for (int i = 0; i < runs_->count(); ++i)
      if (runs_->entry(i).kind != RunSet::Live || runs_->lastStep(i) > 0) all << i;
    runs_->checkOnly(all);
  });
  menu.addAction(tr("Show none"), this, [this] { runs_->checkOnly({}); });
  if (row >= 0 && runs_->entry(row).kind != RunSet::Live) {
    menu.addSeparator();
    QAction* rm = menu.addAction(tr("Remove from list"), this, [this, row] { runs_->remove(row); });
    rm->setShortcut(QKeySequence::Delete);
  }
  menu.exec(tree_->viewport()->mapToGlobal(pos));
}

void RunTable::showConfig(int row) {
  const RunSet::Entry& e = runs_->entry(row);
  auto* d = new QDialog(this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  d->setWindowTitle(tr("Config of %1").arg(runs_->label(row)));
  auto* lay = new QVBoxLayout(d);
  auto* text = new QPlainTextEdit(d);
  text->setReadOnly(true);
  const QByteArray json = QByteArray::fromStdString(e.model->info().config_json);
  const QJsonDocument doc = QJsonDocument::fromJson(json);
  text->setPlainText(doc.isNull() ? QString::fromUtf8(json)
                                  : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
  lay->addWidget(text);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, d);
  connect(buttons, &QDialogButtonBox::rejected, d, &QDialog::reject);
  lay->addWidget(buttons);
  d->resize(560, 640);
  d->open();
}

bool RunTable::eventFilter(QObject* watched, QEvent* event) {
  if (watched == tree_ && event->type() == QEvent::KeyPress) {
    const int row = currentRow();
    auto* ke = static_cast<QKeyEvent*>(event);
    if (row >= 0 && ke->key() == Qt::Key_Space) {
      runs_->setChecked(row, !runs_->isChecked(row));
      return true;
    }
    if (row >= 0 && ke->matches(QKeySequence::Delete)) {
      runs_->remove(row);
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace ms
