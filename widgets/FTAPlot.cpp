// FTAPlot: first-token accuracy per frequency group (see FTAPlot.h).
#include "FTAPlot.h"

#include <QHBoxLayout>
#include <cmath>

#include "PlotUtil.h"

namespace ms {

FTAPlot::FTAPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  setObjectName(QStringLiteral("fta"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("First-token accuracy per frequency group"));

  QCustomPlot* p = plot();
  timeRect_ = p->axisRect();
  barRect_ = new QCPAxisRect(p);
  body()->addElement(0, 1, barRect_);
  body()->setColumnStretchFactor(0, 2.0);
  body()->setColumnStretchFactor(1, 1.0);
  auto* group = new QCPMarginGroup(p);
  timeRect_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  barRect_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  timeRect_->axis(QCPAxis::atBottom)->setLabel(tr("Step"));
  timeRect_->axis(QCPAxis::atLeft)->setLabel(tr("FTA"));
  barRect_->axis(QCPAxis::atBottom)->setLabel(tr("Group (0 = head … tail)"));
  barRect_->axis(QCPAxis::atBottom)->setTicker(plotutil::integerTicker());
  barRect_->axis(QCPAxis::atBottom)->setSubTicks(false);
  barRect_->axis(QCPAxis::atBottom)->grid()->setVisible(false);
  barRect_->axis(QCPAxis::atLeft)->setLabel(tr("FTA at the latest snapshot"));
  p->legend->setVisible(true);
  timeRect_->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
  applyPalette();
}

QColor FTAPlot::groupColor(int g, int n) const {
  const double t = n > 1 ? double(g) / (n - 1) : 0.0;
  QColor c = QColor::fromHsvF(float((1.0 - t) * 0.62), 0.85f, isDark() ? 1.0f : 0.85f);
  return c;
}

QCPGraph* FTAPlot::groupGraph(int g) const {
  return g >= 0 && g < graphs_.size() ? graphs_[g] : nullptr;
}

QCPBars* FTAPlot::groupBars(int g) const {
  return g >= 0 && g < bars_.size() ? bars_[g] : nullptr;
}

void FTAPlot::rebuild() {
  plot()->clearPlottables();
  graphs_.clear();
  bars_.clear();
  barSnapshot_ = -1;
  static const std::vector<Snapshot> kNone;
  const auto& snaps = model() ? model()->snapshots() : kNone;
  int groups = model() ? model()->info().fta_groups : 0;
  bool any = false;
  for (int i = 0; i < static_cast<int>(snaps.size()); ++i)
    if (!snaps[i].fta.empty()) {
      any = true;
      groups = std::max(groups, static_cast<int>(snaps[i].fta.size()));
      barSnapshot_ = i;
    }
  groups_ = any ? groups : 0;
  if (!any) {
    setPlaceholderText(model() && model()->info().fta_groups == 0 &&
                               !model()->info().config_json.empty()
                           ? tr("No first-token accuracy: this run's data has no QA questions "
                                "(FTA needs the tail-QA data source).")
                           : tr("No first-token accuracy yet: it appears at the first metrics "
                                "snapshot of a tail-QA run."));
    return;
  }
  setPlaceholderText(QString());
  QCPAxis* tx = timeRect_->axis(QCPAxis::atBottom);
  QCPAxis* ty = timeRect_->axis(QCPAxis::atLeft);
  QCPAxis* bx = barRect_->axis(QCPAxis::atBottom);
  QCPAxis* by = barRect_->axis(QCPAxis::atLeft);
  const Snapshot& last = snaps[barSnapshot_];
  for (int g = 0; g < groups_; ++g) {
    QVector<double> x, y;
    for (const Snapshot& s : snaps) {
      if (g >= static_cast<int>(s.fta.size())) continue;
      x.push_back(static_cast<double>(s.step));
      y.push_back(s.fta[g]);
    }
    const QColor c = groupColor(g, groups_);
    QCPGraph* gr = plot()->addGraph(tx, ty);
    gr->setData(x, y, true);
    gr->setPen(QPen(c, 2));
    gr->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    gr->setName(g == 0             ? tr("g%1 (head)").arg(g)
                : g == groups_ - 1 ? tr("g%1 (tail)").arg(g)
                                   : tr("g%1").arg(g));
    graphs_.push_back(gr);

    auto* bars = new QCPBars(bx, by);
    bars->removeFromLegend();
    bars->setWidth(0.7);
    QColor fill = c;
    fill.setAlpha(170);
    bars->setBrush(fill);
    bars->setPen(QPen(c, 1));
    bars->setName(gr->name());
    if (g < static_cast<int>(last.fta.size())) bars->addData(g, last.fta[g]);
    bars_.push_back(bars);
  }
  barRect_->axis(QCPAxis::atLeft)->setLabel(tr("FTA at step %1").arg(last.step));
}

void FTAPlot::resetRanges() {
  if (!hasData()) return;
  timeRect_->axis(QCPAxis::atBottom)->rescale(true);
  QCPRange x = timeRect_->axis(QCPAxis::atBottom)->range();
  if (x.size() <= 0) timeRect_->axis(QCPAxis::atBottom)->setRange(x.lower - 1, x.upper + 1);
  // FTA is a share: keep the full [0, 1] scale so runs compare at a glance.
  timeRect_->axis(QCPAxis::atLeft)->setRange(0.0, 1.02);
  barRect_->axis(QCPAxis::atLeft)->setRange(0.0, 1.02);
  barRect_->axis(QCPAxis::atBottom)->setRange(-0.6, groups_ - 0.4);
}

QString FTAPlot::csv() const {
  QString out = QStringLiteral("step");
  if (!model()) return out + "\n";
  const auto& snaps = model()->snapshots();
  for (int g = 0; g < groups_; ++g) out += QStringLiteral(",fta_g%1").arg(g);
  out += "\n";
  for (const Snapshot& s : snaps) {
    if (s.fta.empty()) continue;
    out += QString::number(s.step);
    for (int g = 0; g < groups_; ++g)
      out += "," + csvNumber(g < static_cast<int>(s.fta.size()) ? s.fta[g] : kNaN);
    out += "\n";
  }
  return out;
}

}  // namespace ms
