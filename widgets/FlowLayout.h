// FlowLayout: lays widgets out left to right and wraps to a new line when the width runs out,
// so a view's row of controls never forces a dock (and the window) wider than the screen: at
// 1366 px the controls of a narrow dock take two lines instead of clipping or widening the
// window. The width left on a line goes to its horizontally expanding items (sliders), split
// evenly. After Qt's Flow Layout example (doc.qt.io/qt-6/qtwidgets-layouts-flowlayout-example),
// with the expanding items added.
#pragma once

#include <QLayout>
#include <QList>

namespace ms {

class FlowLayout : public QLayout {
  Q_OBJECT
 public:
  explicit FlowLayout(QWidget* parent = nullptr, int hSpacing = 6, int vSpacing = 3);
  ~FlowLayout() override;

  void addItem(QLayoutItem* item) override;
  int count() const override { return static_cast<int>(items_.size()); }
  QLayoutItem* itemAt(int index) const override { return items_.value(index); }
  QLayoutItem* takeAt(int index) override;
  Qt::Orientations expandingDirections() const override { return Qt::Horizontal; }
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override { return arrange(QRect(0, 0, width, 0), false); }
  QSize minimumSize() const override;  // the widest single item: lines wrap below that
  QSize sizeHint() const override;     // everything on one line
  void setGeometry(const QRect& rect) override;

 private:
  // Places the items in `rect` (when apply) and returns the height used.
  int arrange(const QRect& rect, bool apply) const;

  QList<QLayoutItem*> items_;
  int hSpacing_, vSpacing_;
};

}  // namespace ms
