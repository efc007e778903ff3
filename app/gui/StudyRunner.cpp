// StudyRunner: member-by-member study runs through a TrainingController, with study.json kept
// current exactly as the CLI keeps it (see StudyRunner.h and app/cli/StudyCommand.cpp).
#include "StudyRunner.h"
#include "common/Duration.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "TrainingController.h"

namespace ms {
StudyRunner::StudyRunner(TrainingController* controller, QObject* parent)
    : QObject(parent), controller_(controller) {
  if (!controller_) controller_ = new TrainingController(this);
  connect(controller_, &TrainingController::stepsReady, this, &StudyRunner::onSteps);
  connect(controller_, &TrainingController::valReady, this, &StudyRunner::onVal);
  connect(controller_, &TrainingController::finished, this, &StudyRunner::onRunFinished);
}

StudyRunner::~StudyRunner() {
  if (!active_) return;
  // The controller's finished() will not reach this object any more: record the end here.
  if (memberRunning_ && current_ >= 0) {
    if (controller_) controller_->stop();  // else its destructor has stopped the run already
    const int i = current_;
    updateIndex([i](StudyIndex& idx) {
      idx.members[i].status = "stopped";
      idx.members[i].summary = "study closed while the run was in progress";
    });
  }
}

QString StudyRunner::memberLabel(int i) const {
  if (i < 0 || i >= count()) return {};
  return QString::fromStdString(members_[i].label);
}

QString StudyRunner::memberFile(int i) const {
  if (i < 0 || i >= count()) return {};
  return QDir(outDir_).absoluteFilePath(QString::fromStdString(members_[i].file));
}

bool StudyRunner::start(const QString& study, const QString& scale, const QStringList& settings,
                        const QString& outDir, QString* error, int seeds) {
  auto fail = [&](const QString& why) {
    if (error) *error = why;
    return false;
  };
  if (active_) return fail(tr("A study is already running."));
  if (controller_->isActive()) return fail(tr("A run is already in progress."));
  std::vector<std::string> sets;
  for (const QString& s : settings) sets.push_back(s.toStdString());
  std::vector<StudyMember> members;
  try {
    members = study_members(study.toStdString(), scale.toStdString(), sets, seeds);
  } catch (const std::exception& e) {
    return fail(QString::fromUtf8(e.what()));
  }
  if (members.empty()) return fail(tr("Study %1 has no runs.").arg(study));
  if (outDir.trimmed().isEmpty()) return fail(tr("No output folder given."));
  const QString dir = QFileInfo(outDir).absoluteFilePath();
  if (!QDir().mkpath(dir)) return fail(tr("Cannot create the study folder %1.").arg(dir));
  for (const auto& m : members) {
    const QString f = QDir(dir).absoluteFilePath(QString::fromStdString(m.file));
    if (QFileInfo::exists(f)) return fail(tr("The run file %1 already exists.").arg(f));
  }

  fresh_ = new_study_index(study.toStdString(), scale.toStdString(), members);
  members_ = std::move(members);
  index_ = fresh_;
  outDir_ = dir;
  indexPath_ = QDir(dir).absoluteFilePath(QStringLiteral("study.json"));
  QString werr;
  // Every member is run here: all pending (an index of another study in the folder is replaced).
  if (!updateIndex(
          [](StudyIndex& idx) {
            for (auto& e : idx.members) {
              e.status = "pending";
              e.summary.clear();
            }
          },
          &werr)) {
    members_.clear();
    index_ = fresh_ = StudyIndex();
    return fail(werr);
  }
  active_ = true;
  stopRequested_ = false;
  memberRunning_ = false;
  current_ = -1;
  fraction_ = 0;
  studyClock_.start();
  startMember(0);
  return true;
}

void StudyRunner::startMember(int i) {
  if (!active_) return;
  if (stopRequested_ || i >= count()) {
    finishStudy();
    return;
  }
  current_ = i;
  const StudyMember& m = members_[i];
  const QString file = memberFile(i);
  lastLoss_ = lastVal_ = kNaN;
  memberClock_.start();
  updateIndex([i](StudyIndex& idx) {
    idx.members[i].status = "running";
    idx.members[i].summary.clear();
  });
  QString err;
  if (!controller_->start(m.config, file, &err)) {
    // Recorded, and the study goes on (from the event loop, like after a finished run).
    endMember("failed", err.toStdString());
    QTimer::singleShot(0, this, [this, i] { startMember(i + 1); });
    return;
  }
  memberRunning_ = true;
  emit memberStarted(i, count(), QString::fromStdString(m.label), file);
  emitProgress(0.0);
}

void StudyRunner::onSteps(const std::vector<StepRecord>& steps) {
  if (!memberRunning_ || steps.empty()) return;
  lastLoss_ = steps.back().loss;
  const int64_t total = controller_->totalSteps();
  emitProgress(total > 0 ? std::min(1.0, double(steps.back().step) / double(total)) : 0.0);
}

void StudyRunner::onVal(const ValRecord& val) {
  if (memberRunning_) lastVal_ = val.loss;
}

void StudyRunner::onRunFinished(RunStatus status, const QString& message, const QString& runFile) {
  if (!memberRunning_ || QFileInfo(runFile).absoluteFilePath() != memberFile(current_)) return;
  memberRunning_ = false;
  std::string summary;
  if (status == RunStatus::Failed && !message.isEmpty()) {
    summary = message.toStdString();  // the CLI records the exception text
  } else {
    char sum[128];
    std::snprintf(sum, sizeof sum, "final loss %.4f, val %.4f, %s", lastLoss_, lastVal_,
                  format_duration(memberClock_.elapsed() / 1000.0).c_str());
    summary = sum;
  }
  endMember(status_name(status), summary);
  if (status == RunStatus::Stopped || status == RunStatus::Interrupted) stopRequested_ = true;
  const int next = current_ + 1;
  // From the event loop: every other receiver of finished() sees this run end first.
  QTimer::singleShot(0, this, [this, next] { startMember(next); });
}

void StudyRunner::endMember(const std::string& status, const std::string& summary) {
  const int i = current_;
  updateIndex([&](StudyIndex& idx) {
    idx.members[i].status = status;
    idx.members[i].summary = summary;
  });
  emit memberFinished(current_, QString::fromStdString(status), QString::fromStdString(summary));
  if (status != "stopped") emitProgress(1.0);  // this member is done (finished or failed)
}

void StudyRunner::finishStudy() {
  bool ok = true;
  for (const auto& e : index_.members) ok = ok && e.status == "finished";
  active_ = false;
  memberRunning_ = false;
  current_ = -1;
  emit finished(ok, indexPath_);
}

void StudyRunner::stop() {
  if (!active_) return;
  stopRequested_ = true;
  if (memberRunning_) controller_->stop();  // finished(Stopped) ends the study
}

void StudyRunner::emitProgress(double memberFraction) {
  if (count() == 0 || current_ < 0) return;
  const double f = std::clamp((current_ + memberFraction) / count(), 0.0, 1.0);
  fraction_ = f;
  const double elapsed = studyClock_.elapsed() / 1000.0;
  const double eta = f > 0 ? elapsed * (1.0 - f) / f : -1.0;
  emit progress(f, eta);
}

bool StudyRunner::updateIndex(const std::function<void(StudyIndex&)>& change, QString* error) {
  try {
    bool unlocked = false;
    std::string replaced;
    index_ = update_study_index(outDir_.toStdString(), fresh_, change, true, &replaced, &unlocked);
    if (!replaced.empty())
      qWarning("study: replaced %s (%s)", qPrintable(indexPath_), replaced.c_str());
    if (unlocked && !warnedUnlocked_) {
      warnedUnlocked_ = true;
      qWarning(
          "study: the file system of %s has no file locks; processes running members at "
          "once may lose each other's study.json updates",
          qPrintable(outDir_));
    }
  } catch (const std::exception& e) {
    if (change) change(index_);  // the study goes on; study.json lags behind
    lastError_ = tr("Cannot write %1: %2").arg(indexPath_, QString::fromUtf8(e.what()));
    if (error) *error = lastError_;
    return false;
  }
  lastError_.clear();
  return true;
}

}  // namespace ms
