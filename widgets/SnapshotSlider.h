// SnapshotSlider: a slider over a run's snapshots with a "Snapshot i/n · step S" label. When the
// handle sits on the last snapshot it follows the latest one as new snapshots arrive, so a live
// run scrolls forward by itself while a user who scrubbed back stays where they are.
#pragma once

#include <QWidget>
#include <cstdint>
#include <vector>

#include "train/Snapshot.h"

class QLabel;
class QSlider;

namespace ms {

class SnapshotSlider : public QWidget {
  Q_OBJECT
 public:
  explicit SnapshotSlider(QWidget* parent = nullptr);

  // Takes the snapshot count and steps (for the label). Keeps following the latest snapshot
  // when the handle was at the end; otherwise keeps the index. Emits indexChanged when the
  // resolved index changes.
  void setSnapshots(const std::vector<Snapshot>& snapshots);
  int count() const { return static_cast<int>(steps_.size()); }
  int index() const;  // selected snapshot, -1 when there is none
  bool followsLatest() const { return follow_; }
  QSlider* slider() const { return slider_; }

 public slots:
  // Selects a snapshot; an index < 0, or >= count() - 1 once snapshots exist, follows the
  // latest. A fixed index beyond the current count shows the last one until it exists.
  void setIndex(int index);

 signals:
  void indexChanged(int index);

 private:
  void updateLabel();
  void onSliderMoved(int value);

  QSlider* slider_ = nullptr;
  QLabel* label_ = nullptr;
  std::vector<int64_t> steps_;
  bool follow_ = true;
  int fixed_ = 0;  // the index when not following
};

}  // namespace ms
