// RunFollower: loads a run file into a RunModel (RunReader -> the same structs the live
// trainer produces) and, while another process (muonscope-cli) is still writing it, follows it:
// a 1 s timer calls RunReader::refresh() and appends the new steps, validation rows and
// snapshots, until the writer has finished or gone. Streamed loading (the window) reads the
// steps, validation rows and the first kSnapshotChunk snapshots at once and the rest a chunk
// per event-loop turn, so a run of 1000 snapshots paints at once and the window stays
// responsive while the rest arrives; Whole loading (headless export) reads everything in open().
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

namespace ms {

class RunModel;
class RunReader;

class RunFollower : public QObject {
  Q_OBJECT
 public:
  static constexpr int kPollMs = 1000;
  static constexpr int kSnapshotChunk = 64;  // snapshots per step of a streamed load (~50 ms)
  enum Loading { Whole = 0, Streamed = 1 };

  explicit RunFollower(RunModel* model, QObject* parent = nullptr);
  ~RunFollower() override;

  // Reads the whole file into the model (replacing what it held). Returns false with *error
  // (the StoreError text) when the file cannot be read; the model is then left cleared.
  bool open(const QString& path, QString* error = nullptr, Loading loading = Whole);
  // A streamed load still has snapshots to read.
  bool isLoading() const { return loadTimer_.isActive(); }
  // Stops following and forgets the file (the model keeps its data).
  void close();

  QString path() const { return path_; }
  bool isFollowing() const { return timer_.isActive(); }
  RunModel* model() const { return model_; }

 public slots:
  // Re-reads the file's extents and appends what is new. Called by the timer.
  void poll();

 signals:
  void followingChanged(bool following);
  void updated();  // new rows or a new status arrived
  void loaded();   // a streamed load has read every snapshot
  void readFailed(const QString& message);

 private:
  void appendNew();
  void loadMore();        // the next chunk of a streamed load
  void startFollowing();  // polls while the file's writer runs

  RunModel* model_;
  std::unique_ptr<RunReader> reader_;
  QString path_;
  QTimer timer_;
  QTimer loadTimer_;  // a streamed load: the next chunk on the next event-loop turn
  bool streamed_ = false;
  int64_t steps_ = 0, vals_ = 0;
  int snapshots_ = 0;
};

}  // namespace ms
