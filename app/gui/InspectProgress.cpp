// InspectProgress: status-bar progress and Cancel of an inspection (see InspectProgress.h).
#include "InspectProgress.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <cmath>

#include "StatusPanel.h"

namespace ms {

InspectProgress::InspectProgress(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("inspectProgress"));
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(0, 0, 8, 0);
  label_ = new QLabel;
  label_->setObjectName(QStringLiteral("inspectLabel"));
  bar_ = new QProgressBar;
  bar_->setObjectName(QStringLiteral("inspectBar"));
  bar_->setFixedWidth(140);
  bar_->setFormat(QStringLiteral("%v / %m"));
  eta_ = new QLabel;
  eta_->setObjectName(QStringLiteral("inspectEta"));
  cancel_ = new QToolButton;
  cancel_->setObjectName(QStringLiteral("inspectCancel"));
  cancel_->setText(tr("Cancel"));
  cancel_->setToolTip(
      tr("Stop after the current checkpoint; the run file keeps what was measured"));
  lay->addWidget(label_);
  lay->addWidget(bar_);
  lay->addWidget(eta_);
  lay->addWidget(cancel_);
  connect(cancel_, &QToolButton::clicked, this, &InspectProgress::cancelRequested);
  hide();
}

void InspectProgress::begin() {
  label_->setText(tr("Inspecting…"));
  label_->setToolTip(QString());
  bar_->setRange(0, 0);  // busy until the first report gives the total
  eta_->clear();
  cancel_->setEnabled(true);
  show();
}

void InspectProgress::setProgress(int done, int total, const QString& what, double etaSeconds) {
  bar_->setRange(0, std::max(total, 1));
  bar_->setValue(std::min(done, std::max(total, 1)));
  // "loading /a/b/checkpoint-100" -> "checkpoint-100"; the full text is in the tooltip.
  const int space = what.indexOf(QLatin1Char(' '));
  const QString path = space < 0 ? what : what.mid(space + 1);
  const QString name = QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName();
  label_->setText(done < total ? tr("Inspecting %1/%2: %3").arg(done + 1).arg(total).arg(name)
                               : tr("Inspection done"));
  label_->setToolTip(what);
  eta_->setText(std::isfinite(etaSeconds) && done < total
                    ? tr("ETA %1").arg(StatusPanel::formatDuration(etaSeconds))
                    : QString());
}

void InspectProgress::setCancelling() {
  cancel_->setEnabled(false);
  label_->setText(tr("Cancelling: finishing the current checkpoint…"));
}

void InspectProgress::end() {
  hide();
}

}  // namespace ms
