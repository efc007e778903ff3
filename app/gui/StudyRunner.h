// StudyRunner: runs a study's members (core/train/Studies.h) one after another through a
// TrainingController, the app's counterpart of `muonscope-cli study` (app/cli/StudyCommand.cpp).
// It writes <outDir>/study.json (StudyIndex) before the first member and before and after each
// member, with the member statuses pending / running / finished / stopped / failed and the same
// one-line summary as the CLI ("final loss 2.1234, val 2.3456, 1:23"). Every write is the CLI's
// locked read-modify-write of the file on disk (update_study_index) that changes only the
// member concerned, so `muonscope-cli study --member` processes running into the same folder
// keep their entries. A failed member (start
// refused, or finished(Failed)) is recorded and the study goes on with the next one; a stopped
// member (stop(), or the controller stopped by someone else, e.g. the main window's Stop) ends
// the study and leaves the remaining members pending. The next member is started from the event
// loop, after every receiver of the controller's finished() has seen the previous run end.
// The controller is either the app's own (so its live views follow each member) or, when none
// is given, one the runner owns.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

#include "train/Snapshot.h"
#include "train/Studies.h"

namespace ms {

class TrainingController;

class StudyRunner : public QObject {
  Q_OBJECT
 public:
  // controller: runs the members (not owned; must outlive the runner). nullptr: the runner
  // creates and owns one.
  explicit StudyRunner(TrainingController* controller = nullptr, QObject* parent = nullptr);
  // A study still running is stopped: its current member is marked stopped in study.json.
  ~StudyRunner() override;

  // Starts `study` at `scale` ("cpu" | "gpu") with `settings` (key=value, applied to every
  // member) into the folder `outDir` (created if needed). Returns false and sets *error when a
  // study or run is already active, the study/scale/settings are invalid (ConfigError text),
  // the folder cannot be created, a member's run file already exists there or study.json
  // cannot be written. A member whose start the controller refuses later is recorded as failed
  // and the study goes on. The first member starts before start() returns.
  // seeds > 1 runs every member that many times (ms::study_members).
  bool start(const QString& study, const QString& scale, const QStringList& settings,
             const QString& outDir, QString* error = nullptr, int seeds = 1);

  bool isActive() const { return active_; }
  int currentIndex() const { return current_; }  // member running now, -1 when none
  int count() const { return static_cast<int>(members_.size()); }
  QString indexPath() const { return indexPath_; }  // <outDir>/study.json (absolute)
  QString outputDir() const { return outDir_; }
  QString study() const { return QString::fromStdString(index_.study); }
  // As last written to study.json (other processes' entries included, as they were then).
  const StudyIndex& index() const { return index_; }
  QString memberLabel(int i) const;
  QString memberFile(int i) const;               // absolute path of member i's run file
  double fraction() const { return fraction_; }  // last progress() fraction
  TrainingController* controller() const { return controller_; }
  // Why the last index write failed ("" when fine). Later write failures do not stop the study.
  QString lastError() const { return lastError_; }

 public slots:
  // Stops the current member (its run file is finalized as stopped) and starts no other.
  void stop();

 signals:
  void memberStarted(int index, int count, const QString& label, const QString& runFile);
  // Member `index` ended: status "finished" | "stopped" | "failed" and its summary line.
  void memberFinished(int index, const QString& status, const QString& summary);
  // Overall progress in [0, 1]: (members done + current member's step fraction) / count, and
  // the estimated seconds left (elapsed * (1 - f) / f; -1 while unknown).
  void progress(double fraction, double etaSeconds);
  // The study ended. ok: every member finished. indexPath: study.json.
  void finished(bool ok, const QString& indexPath);

 private slots:
  void onSteps(const std::vector<ms::StepRecord>& steps);
  void onVal(const ms::ValRecord& val);
  void onRunFinished(ms::RunStatus status, const QString& message, const QString& runFile);

 private:
  void startMember(int i);
  void endMember(const std::string& status, const std::string& summary);
  void finishStudy();
  // Applies `change` to study.json on disk under its lock (update_study_index; an index of
  // another study there is replaced, as a full CLI run does); index_ becomes what was written.
  // When that fails, index_ still gets the change, lastError_ says why and false returns.
  bool updateIndex(const std::function<void(StudyIndex&)>& change, QString* error = nullptr);
  void emitProgress(double memberFraction);

  // Guarded: a window deletes its children in creation order, so a controller made before this
  // runner is gone when the runner's destructor runs.
  QPointer<TrainingController> controller_;
  std::vector<StudyMember> members_;
  StudyIndex index_;
  StudyIndex fresh_;  // this study's index with every member pending (update_study_index)
  QString outDir_, indexPath_, lastError_;
  bool active_ = false;
  bool memberRunning_ = false;  // the controller is running members_[current_]
  bool stopRequested_ = false;
  bool warnedUnlocked_ = false;
  int current_ = -1;
  double fraction_ = 0;
  double lastLoss_ = kNaN, lastVal_ = kNaN;
  QElapsedTimer studyClock_, memberClock_;
};

}  // namespace ms
