// FlowLayout: a wrapping row of controls (see FlowLayout.h).
#include "FlowLayout.h"

#include <QWidget>
#include <algorithm>

namespace ms {

FlowLayout::FlowLayout(QWidget* parent, int hSpacing, int vSpacing)
    : QLayout(parent), hSpacing_(hSpacing), vSpacing_(vSpacing) {
  setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout() {
  while (QLayoutItem* item = takeAt(0)) delete item;
}

void FlowLayout::addItem(QLayoutItem* item) {
  items_.append(item);
}

QLayoutItem* FlowLayout::takeAt(int index) {
  return index >= 0 && index < items_.size() ? items_.takeAt(index) : nullptr;
}

QSize FlowLayout::minimumSize() const {
  QSize size;
  for (const QLayoutItem* item : items_)
    if (!item->isEmpty()) size = size.expandedTo(item->minimumSize());
  const QMargins m = contentsMargins();
  return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const {
  int w = 0, h = 0, n = 0;
  for (const QLayoutItem* item : items_) {
    if (item->isEmpty()) continue;
    w += item->sizeHint().width() + (n++ ? hSpacing_ : 0);
    h = std::max(h, item->sizeHint().height());
  }
  const QMargins m = contentsMargins();
  return QSize(w + m.left() + m.right(), h + m.top() + m.bottom());
}

void FlowLayout::setGeometry(const QRect& rect) {
  QLayout::setGeometry(rect);
  arrange(rect, true);
}

int FlowLayout::arrange(const QRect& rect, bool apply) const {
  const QRect r = rect.marginsRemoved(contentsMargins());
  const int width = std::max(1, r.width());
  // Break the visible items into lines by their size hints (an item wider than the line gets
  // a line of its own, shrunk to the width).
  QList<QList<QLayoutItem*>> lines(1);
  int used = 0;
  for (QLayoutItem* item : items_) {
    if (item->isEmpty()) continue;
    const int w = std::min(item->sizeHint().width(), width);
    const int need = lines.back().isEmpty() ? w : used + hSpacing_ + w;
    if (!lines.back().isEmpty() && need > width) {
      lines.append(QList<QLayoutItem*>());
      used = w;
    } else {
      used = need;
    }
    lines.back().append(item);
  }
  int y = r.y();
  for (const QList<QLayoutItem*>& line : lines) {
    if (line.isEmpty()) continue;
    int natural = 0, height = 0, expanding = 0;
    for (QLayoutItem* item : line) {
      natural += std::min(item->sizeHint().width(), width);
      height = std::max(height, item->sizeHint().height());
      if (item->expandingDirections() & Qt::Horizontal) ++expanding;
    }
    natural += hSpacing_ * (static_cast<int>(line.size()) - 1);
    const int spare = std::max(0, width - natural);
    int x = r.x(), given = 0;
    if (apply) {
      for (QLayoutItem* item : line) {
        int w = std::min(item->sizeHint().width(), width);
        if (expanding > 0 && (item->expandingDirections() & Qt::Horizontal)) {
          const int share = spare / expanding + (given++ < spare % expanding ? 1 : 0);
          w += share;
        }
        const int h =
            std::min(height, std::max(item->sizeHint().height(), item->minimumSize().height()));
        item->setGeometry(QRect(x, y + (height - h) / 2, w, h));
        x += w + hSpacing_;
      }
    }
    y += height + vSpacing_;
  }
  return y - vSpacing_ - r.y() + contentsMargins().top() + contentsMargins().bottom();
}

}  // namespace ms
