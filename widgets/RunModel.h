// RunModel: one run's data as the views see it (RunInfo, every StepRecord and ValRecord, every
// Snapshot, the run status). It lives in the GUI thread; the training controller fills it
// through queued signals and the run-file reader fills it directly, so a live run and a reopened
// one are drawn by the same views. Views only read it and listen to its change signals.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>
#include <vector>

#include "train/Snapshot.h"

namespace ms {

class RunModel : public QObject {
  Q_OBJECT
 public:
  explicit RunModel(QObject* parent = nullptr);

  const RunInfo& info() const { return info_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<ValRecord>& vals() const { return vals_; }
  const std::vector<Snapshot>& snapshots() const { return snapshots_; }
  RunStatus status() const { return status_; }
  QString statusMessage() const { return statusMessage_; }
  QString displayName() const { return displayName_; }

  // Layer / head counts from the RunInfo, or from the first snapshot when the info is not set.
  int layerCount() const;
  int headCount() const;
  // Matrix names from the RunInfo, or from the latest snapshot when the info has none.
  std::vector<std::string> matrixNames() const;

  // Registers the data types for queued signal/slot connections (idempotent; the constructor
  // calls it too).
  static void registerMetaTypes();

 public slots:
  void setInfo(const ms::RunInfo& info);
  void appendSteps(const std::vector<ms::StepRecord>& steps);
  void appendStep(const ms::StepRecord& step);
  void appendVal(const ms::ValRecord& val);
  void appendVals(const std::vector<ms::ValRecord>& vals);
  void appendSnapshot(const ms::Snapshot& snapshot);
  void setStatus(ms::RunStatus status, const QString& message = QString());
  void setDisplayName(const QString& name);
  // Drops all data (info, steps, vals, snapshots; status back to Running, message empty).
  void clear();

 signals:
  void infoChanged();
  void stepsAppended(int first, int count);  // indices into steps()
  void valsAppended(int first, int count);   // indices into vals()
  void snapshotAppended(int index);          // index into snapshots()
  void statusChanged(ms::RunStatus status, const QString& message);
  void displayNameChanged(const QString& name);
  void cleared();

 private:
  RunInfo info_;
  std::vector<StepRecord> steps_;
  std::vector<ValRecord> vals_;
  std::vector<Snapshot> snapshots_;
  RunStatus status_ = RunStatus::Running;
  QString statusMessage_;
  QString displayName_;
};

}  // namespace ms

Q_DECLARE_METATYPE(ms::RunInfo)
Q_DECLARE_METATYPE(ms::StepRecord)
Q_DECLARE_METATYPE(ms::ValRecord)
Q_DECLARE_METATYPE(ms::Snapshot)
Q_DECLARE_METATYPE(ms::RunStatus)
Q_DECLARE_METATYPE(std::vector<ms::StepRecord>)
Q_DECLARE_METATYPE(std::vector<ms::ValRecord>)
