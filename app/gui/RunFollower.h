// RunFollower: loads a run file into a RunModel (RunReader -> the same structs the live
// trainer produces) and, while another process (muonscope-cli) is still writing it, follows it:
// a 1 s timer calls RunReader::refresh() and appends the new steps, validation rows and
// snapshots, until the writer has finished or gone.
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

  explicit RunFollower(RunModel* model, QObject* parent = nullptr);
  ~RunFollower() override;

  // Reads the whole file into the model (replacing what it held). Returns false with *error
  // (the StoreError text) when the file cannot be read; the model is then left cleared.
  bool open(const QString& path, QString* error = nullptr);
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
  void readFailed(const QString& message);

 private:
  void appendNew();

  RunModel* model_;
  std::unique_ptr<RunReader> reader_;
  QString path_;
  QTimer timer_;
  int64_t steps_ = 0, vals_ = 0;
  int snapshots_ = 0;
};

}  // namespace ms
