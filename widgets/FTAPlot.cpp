// FTAPlot: first-token accuracy per frequency group of 1..N runs (see FTAPlot.h).
#include "FTAPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "FlowLayout.h"
#include "PlotUtil.h"
#include "SeedBand.h"
#include "StepSlider.h"

namespace ms {

namespace {
// Index of the snapshot with FTA whose step is nearest to `step` (ties: the earlier; step < 0:
// the latest with FTA); -1 when no snapshot has FTA.
int nearestWithFta(const std::vector<Snapshot>& snaps, qint64 step) {
  int best = -1;
  for (int i = 0; i < static_cast<int>(snaps.size()); ++i) {
    if (snaps[i].fta.empty()) continue;
    if (best < 0 ||
        (step < 0 ? snaps[i].step >= snaps[best].step
                  : std::llabs(snaps[i].step - step) < std::llabs(snaps[best].step - step)))
      best = i;
  }
  return best;
}
}  // namespace

FTAPlot::FTAPlot(RunModel* model, QWidget* parent) : PlotBase(model, parent) {
  init();
}

FTAPlot::FTAPlot(const QVector<RunModel*>& runs, QWidget* parent) : PlotBase(runs, parent) {
  init();
}

void FTAPlot::init() {
  setObjectName(QStringLiteral("fta"));
  setInterest(kInfo | kSnapshots);
  setTitle(tr("First-token accuracy per frequency group"));

  auto* ctl = controlsLayout();
  ctl->addWidget(new QLabel(tr("Groups:"), this));
  choiceCombo_ = new QComboBox(this);
  ctl->addWidget(choiceCombo_);
  auto* xText = new QLabel(tr("X axis:"), this);
  ctl->addWidget(xText);
  xCombo_ = newXAxisCombo();
  ctl->addWidget(xCombo_);
  shared_ << xText << xCombo_;
  slider_ = new StepSlider(this);
  ctl->addWidget(slider_);
  connect(choiceCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setFtaChoice(choiceCombo_->itemData(i).toInt()); });
  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(slider_, &StepSlider::stepChanged, this,
          [this](qint64 s) { setStep(slider_->followsLatest() ? -1 : s); });

  QCustomPlot* p = plot();
  timeRect_ = p->axisRect();
  barRect_ = new QCPAxisRect(p);
  body()->addElement(0, 1, barRect_);
  body()->setColumnStretchFactor(0, 2.0);
  body()->setColumnStretchFactor(1, 1.0);
  auto* group = new QCPMarginGroup(p);
  timeRect_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  barRect_->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  timeRect_->axis(QCPAxis::atBottom)->setLabel(xLabel(xMode_));
  timeRect_->axis(QCPAxis::atLeft)->setLabel(tr("FTA"));
  barRect_->axis(QCPAxis::atBottom)->setLabel(tr("Group (0 = head … tail)"));
  barRect_->axis(QCPAxis::atBottom)->setTicker(plotutil::integerTicker());
  barRect_->axis(QCPAxis::atBottom)->setSubTicks(false);
  barRect_->axis(QCPAxis::atBottom)->grid()->setVisible(false);
  barRect_->axis(QCPAxis::atLeft)->setLabel(tr("FTA at the latest snapshot"));
  placeLegendBelow(timeRect_);  // a row under both panels, never over the curves
  syncControls();
  applyPalette();
}

void FTAPlot::setSharedControlsVisible(bool visible) {
  for (QWidget* w : shared_) w->setVisible(visible);
}

void FTAPlot::setStepControlVisible(bool visible) {
  slider_->setVisible(visible);
}

QColor FTAPlot::groupColor(int g, int n) const {
  const double t = n > 1 ? double(g) / (n - 1) : 0.0;
  QColor c = QColor::fromHsvF(float((1.0 - t) * 0.62), 0.85f, isDark() ? 1.0f : 0.85f);
  return c;
}

QCPGraph* FTAPlot::groupGraph(int g, int run) const {
  for (int i = 0; i < series_.size(); ++i)
    if (series_[i].run == run && seriesGroup_[i] == g) return graphs_[i];
  return nullptr;
}

QCPBars* FTAPlot::groupBars(int g, int run) const {
  if (run < 0 || run >= bars_.size()) return nullptr;
  return g >= 0 && g < bars_[run].size() ? bars_[run][g] : nullptr;
}

void FTAPlot::setFtaChoice(int choice) {
  choice = std::max(int(FtaAll), choice);
  if (choice == choice_) return;
  choice_ = choice;
  syncControls();
  scheduleReset();
}

void FTAPlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  syncControls();
  scheduleReset();
}

void FTAPlot::setStep(qint64 step) {
  step = step < 0 ? -1 : step;
  if (step == step_) return;
  step_ = step;
  {
    const QSignalBlocker b(slider_);
    slider_->setStep(step);
  }
  scheduleRefresh();
  emit stepChanged(step);
}

void FTAPlot::runsReset() {
  syncControls();
}

void FTAPlot::syncControls() {
  int maxGroups = 0;
  for (int i = 0; i < runCount(); ++i) {
    RunModel* m = run(i);
    if (!m) continue;
    maxGroups = std::max(maxGroups, m->info().fta_groups);
    for (const Snapshot& s : m->snapshots())
      maxGroups = std::max(maxGroups, static_cast<int>(s.fta.size()));
  }
  {
    const QSignalBlocker b(choiceCombo_);
    choiceCombo_->clear();
    choiceCombo_->addItem(tr("all groups"), FtaAll);
    choiceCombo_->addItem(tr("head and tail group"), FtaHeadTail);
    choiceCombo_->addItem(tr("mean over groups"), FtaMean);
    for (int g = 0; g < std::max(maxGroups, choice_ + 1); ++g)
      choiceCombo_->addItem(tr("group %1").arg(g), g);
    choiceCombo_->setCurrentIndex(choiceCombo_->findData(choice_));
  }
  {
    const QSignalBlocker b(xCombo_);
    xCombo_->setCurrentIndex(xCombo_->findData(int(xMode_)));
  }
  {
    const QSignalBlocker b(slider_);
    slider_->setSteps(unionSnapshotSteps());
    slider_->setStep(step_);
  }
}

void FTAPlot::rebuild() {
  syncControls();
  QCustomPlot* p = plot();
  p->clearPlottables();
  series_.clear();
  graphs_.clear();
  bandGraphs_.clear();
  seriesGroup_.clear();
  bars_.clear();
  barSnapshot_.clear();
  missing_.clear();
  groups_ = 0;
  const bool one = runCount() == 1;
  QCPAxis* tx = timeRect_->axis(QCPAxis::atBottom);
  QCPAxis* ty = timeRect_->axis(QCPAxis::atLeft);
  QCPAxis* bx = barRect_->axis(QCPAxis::atBottom);
  QCPAxis* by = barRect_->axis(QCPAxis::atLeft);
  int drawnRuns = 0;
  for (int r = 0; r < runCount(); ++r)
    if (RunModel* m = run(r))
      for (const Snapshot& s : m->snapshots())
        if (!s.fta.empty()) {
          ++drawnRuns;
          break;
        }
  QVector<qint64> barSteps;
  int barRun = 0;  // index among the runs with FTA (the bar offset)
  for (int r = 0; r < runCount(); ++r) {
    bars_ << QVector<QCPBars*>();
    barSnapshot_ << -1;
    RunModel* m = run(r);
    if (!m) continue;
    const QString label = runLabel(r);
    const auto& snaps = m->snapshots();
    int n = 0;
    for (const Snapshot& s : snaps) n = std::max(n, static_cast<int>(s.fta.size()));
    if (n == 0) {
      missing_ << tr("%1: no tail-QA data (no FTA)").arg(label);
      continue;
    }
    groups_ = std::max(groups_, n);

    // Curves over training.
    auto add = [&](int group, const QString& name, int styleIndex, auto value) {
      CurveSeries s;
      s.run = r;
      s.name = name;
      for (const Snapshot& sn : snaps) {
        const double v = value(sn);
        if (!std::isfinite(v)) continue;
        s.append(xOf(sn, xMode_), v, sn.step, sn.tokens, sn.wall_s);
      }
      if (s.isEmpty()) return;
      const QColor c = one ? (group >= 0 ? groupColor(group, n) : runColor(r)) : runColor(r);
      // A seed group: the band over its members' curves of this series (SeedBand).
      QCPGraph* band = draw_seed_band(tx, ty, snapshotSeedBand(r, value, xMode_), c,
                                      tr("%1 · %2").arg(label, name));
      QCPGraph* g = p->addGraph(tx, ty);
      g->setData(s.x, s.y, std::is_sorted(s.x.begin(), s.x.end()));
      QPen pen(c, 2);
      if (!one) pen.setStyle(CurveSeries::lineStyle(styleIndex));
      g->setPen(pen);
      g->setScatterStyle(QCPScatterStyle(
          static_cast<QCPScatterStyle::ScatterShape>(one ? int(QCPScatterStyle::ssDisc)
                                                         : CurveSeries::markerShape(styleIndex)),
          c, 5));
      g->setName(one ? name : tr("%1 · %2").arg(label, name));
      series_ << s;
      graphs_ << g;
      bandGraphs_ << band;
      seriesGroup_ << group;
    };
    auto groupValue = [](int g) {
      return [g](const Snapshot& sn) {
        return g >= 0 && g < static_cast<int>(sn.fta.size()) ? sn.fta[g] : kNaN;
      };
    };
    const int before = series_.size();
    if (choice_ == FtaAll) {
      for (int g = 0; g < n; ++g)
        add(g,
            g == 0 && n > 1 ? tr("g%1 (head)").arg(g)
            : g == n - 1    ? tr("g%1 (tail)").arg(g)
                            : tr("g%1").arg(g),
            g, groupValue(g));
    } else if (choice_ == FtaHeadTail) {
      add(n - 1, tr("tail g=%1").arg(n - 1), 0, groupValue(n - 1));
      if (n > 1) add(0, tr("head g=0"), 1, groupValue(0));
    } else if (choice_ == FtaMean) {
      add(-1, tr("mean"), 0, [](const Snapshot& sn) {
        double sum = 0;
        int k = 0;
        for (double v : sn.fta)
          if (std::isfinite(v)) sum += v, ++k;
        return k > 0 ? sum / k : kNaN;
      });
    } else {
      add(choice_, tr("g=%1").arg(choice_), 0, groupValue(choice_));
    }
    if (series_.size() == before) missing_ << tr("%1: no FTA for group %2").arg(label).arg(choice_);

    // Bars at the snapshot nearest to the step: one per group, the runs side by side.
    const int si = nearestWithFta(snaps, step_);
    barSnapshot_[r] = si;
    const Snapshot& at = snaps[si];
    barSteps << at.step;
    const double width = 0.8 / std::max(1, drawnRuns);
    const double offset = (barRun - 0.5 * (drawnRuns - 1)) * width;
    for (int g = 0; g < static_cast<int>(at.fta.size()); ++g) {
      const QColor c = one ? groupColor(g, n) : runColor(r);
      auto* bars = new QCPBars(bx, by);
      bars->removeFromLegend();
      bars->setWidth(width * 0.9);
      QColor fill = c;
      fill.setAlpha(170);
      bars->setBrush(fill);
      bars->setPen(QPen(c, 1));
      bars->setName(tr("%1 · g%2").arg(label).arg(g));
      bars->addData(g + offset, at.fta[g]);
      bars_[r] << bars;
    }
    ++barRun;
  }
  tx->setLabel(xLabel(xMode_));
  bool sameStep = true;
  for (qint64 s : barSteps) sameStep = sameStep && s == barSteps.front();
  if (barSteps.isEmpty())
    by->setLabel(tr("FTA at the latest snapshot"));
  else if (sameStep)
    by->setLabel(tr("FTA at step %1").arg(barSteps.front()));
  else
    by->setLabel(tr("FTA at the snapshot nearest step %1")
                     .arg(step_ < 0 ? *std::max_element(barSteps.begin(), barSteps.end()) : step_));
  if (groups_ == 0) {
    RunModel* m = model();
    if (runCount() <= 1)
      setPlaceholderText(m && m->info().fta_groups == 0 && !m->info().config_json.empty()
                             ? tr("No first-token accuracy: this run's data has no QA questions "
                                  "(FTA needs the tail-QA data source).")
                             : tr("No first-token accuracy yet: it appears at the first metrics "
                                  "snapshot of a tail-QA run."));
    else
      setPlaceholderText(tr("No first-token accuracy in any run (FTA needs the tail-QA data "
                            "source):\n") +
                         missing_.join(QLatin1Char('\n')));
  } else {
    setPlaceholderText(QString());
  }
  PlotBase::applyPalette();  // style the new legend items
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
  return CurveSeries::csv(series_, [this](int r) { return runLabel(r); });
}

}  // namespace ms
