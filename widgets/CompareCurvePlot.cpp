// CompareCurvePlot: curves of several runs overlaid (see CompareCurvePlot.h).
#include "CompareCurvePlot.h"
#include "PlotUtil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "LossPlot.h"

namespace ms {

namespace {

// Mean over the finite values of f(layer) for layer in [0, L), or f(layer) for one layer.
template <typename F>
double layerValue(const Snapshot& s, int layer, F f) {
  const int L = static_cast<int>(s.layers.size());
  if (layer >= 0) return layer < L ? f(s.layers[layer]) : kNaN;
  double sum = 0;
  int n = 0;
  for (const LayerMetrics& lm : s.layers) {
    const double v = f(lm);
    if (std::isfinite(v)) sum += v, ++n;
  }
  return n > 0 ? sum / n : kNaN;
}

int matrixIndex(const Snapshot& s, const QString& name) {
  for (size_t i = 0; i < s.matrix_names.size(); ++i)
    if (QString::fromStdString(s.matrix_names[i]) == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

CompareCurvePlot::CompareCurvePlot(Kind kind, const QVector<RunModel*>& runs, QWidget* parent)
    : CompareBase(runs, parent), kind_(kind) {
  setObjectName(QStringLiteral("compare_") + kindName(kind));
  auto* ctl = controlsLayout();
  auto* xLabel = new QLabel(tr("X axis:"), this);
  ctl->addWidget(xLabel);
  xCombo_ = new QComboBox(this);
  xCombo_->addItem(tr("Step"), XStep);
  xCombo_->addItem(tr("Tokens"), XTokens);
  xCombo_->addItem(tr("Wall time"), XWallTime);
  ctl->addWidget(xCombo_);
  logCheck_ = new QCheckBox(tr("Log scale"), this);
  ctl->addWidget(logCheck_);
  shared_ << xLabel << xCombo_ << logCheck_;
  connect(xCombo_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxis>(xCombo_->itemData(i).toInt())); });
  connect(logCheck_, &QCheckBox::toggled, this, &CompareCurvePlot::setLogY);

  if (kind_ == Loss) {
    auto* smoothText = new QLabel(tr("Smoothing:"), this);
    ctl->addWidget(smoothText);
    smoothSlider_ = new QSlider(Qt::Horizontal, this);
    smoothSlider_->setRange(0, 999);
    smoothSlider_->setValue(qRound(smoothing_ * 1000));
    smoothSlider_->setToolTip(tr("Exponential moving average weight b (debiased), every run"));
    ctl->addWidget(smoothSlider_, 1);
    smoothLabel_ = new QLabel(QString::number(smoothing_, 'f', 3), this);
    ctl->addWidget(smoothLabel_);
    rawCheck_ = new QCheckBox(tr("Raw"), this);
    rawCheck_->setToolTip(tr("Also draw the unsmoothed training loss, faded"));
    ctl->addWidget(rawCheck_);
    shared_ << smoothText << smoothSlider_ << smoothLabel_;
    connect(smoothSlider_, &QSlider::valueChanged, this,
            [this](int v) { setSmoothing(v / 1000.0); });
    connect(rawCheck_, &QCheckBox::toggled, this, &CompareCurvePlot::setShowRaw);
  } else {
    if (kind_ == Isotropy || kind_ == Spikiness) {
      ctl->addWidget(new QLabel(tr("Layer:"), this));
      layerCombo_ = new QComboBox(this);
      ctl->addWidget(layerCombo_);
      connect(layerCombo_, &QComboBox::currentIndexChanged, this,
              [this](int i) { setLayer(layerCombo_->itemData(i).toInt()); });
    }
    if (kind_ == Isotropy) {
      matrixCombo_ = new QComboBox(this);
      ctl->addWidget(matrixCombo_);
      connect(matrixCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
        setMatrices(matrixCombo_->itemData(i).toString().split(QLatin1Char(',')));
      });
    }
    choiceCombo_ = new QComboBox(this);
    ctl->addWidget(choiceCombo_);
    ctl->addStretch(1);
    if (kind_ == Isotropy) {
      for (int m = IsotropyPlot::ERank; m <= IsotropyPlot::kLastMetric; ++m)
        choiceCombo_->addItem(IsotropyPlot::metricName(static_cast<IsotropyPlot::Metric>(m)), m);
    } else if (kind_ == Spikiness) {
      for (int m = KVPlot::Asymmetry; m <= KVPlot::TokenTop1; ++m)
        choiceCombo_->addItem(KVPlot::spikinessName(static_cast<KVPlot::Spikiness>(m)), m);
    } else if (kind_ == Kivi) {
      choiceCombo_->addItem(tr("2-bit"), 2);
      choiceCombo_->addItem(tr("4-bit"), 4);
    }
    connect(choiceCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
      const int v = choiceCombo_->itemData(i).toInt();
      switch (kind_) {
        case Isotropy:
          return setIsotropyMetric(static_cast<IsotropyPlot::Metric>(v));
        case Spikiness:
          return setSpikinessMetric(static_cast<KVPlot::Spikiness>(v));
        case FTA:
          return setFtaChoice(v);
        case Kivi:
          return setKiviBits(v);
        default:
          return;
      }
    });
  }

  setTitle(titleText());
  QCustomPlot* p = plot();
  p->legend->setVisible(true);
  p->axisRect()->insetLayout()->setInsetAlignment(
      0, kind_ == FTA ? (Qt::AlignVCenter | Qt::AlignRight) : (Qt::AlignTop | Qt::AlignRight));
  syncControls();
  applyPalette();
}

void CompareCurvePlot::setSharedControlsVisible(bool visible) {
  for (QWidget* w : shared_) w->setVisible(visible);
}

QString CompareCurvePlot::titleText() const {
  static const char* titles[] = {QT_TR_NOOP("Loss"), QT_TR_NOOP("Isotropy of the spectra"),
                                 QT_TR_NOOP("K/V spikiness (K post-RoPE, V)"),
                                 QT_TR_NOOP("First-token accuracy (tail QA)"),
                                 QT_TR_NOOP("KIVI quantized-cache loss")};
  QString t = tr(titles[kind_]);
  if (kind_ == Isotropy || kind_ == Spikiness)
    t += layer_ < 0 ? tr(" · mean over layers") : tr(" · layer %1").arg(layer_);
  return t;
}

QString CompareCurvePlot::kindName(Kind kind) {
  static const char* names[] = {"loss", "isotropy", "kv", "fta", "kivi"};
  return QString::fromLatin1(names[kind]);
}

void CompareCurvePlot::runsReset() {
  syncControls();
}

void CompareCurvePlot::syncControls() {
  {
    const QSignalBlocker b(xCombo_);
    xCombo_->setCurrentIndex(xCombo_->findData(xMode_));
  }
  {
    const QSignalBlocker b(logCheck_);
    logCheck_->setChecked(logY_);
  }
  int maxLayers = 0, maxGroups = 0;
  QStringList names;
  for (int i = 0; i < runCount(); ++i) {
    RunModel* m = run(i);
    if (!m) continue;
    maxLayers = std::max(maxLayers, m->layerCount());
    maxGroups = std::max(maxGroups, m->info().fta_groups);
    if (maxGroups == 0 && !m->snapshots().empty())
      maxGroups = static_cast<int>(m->snapshots().back().fta.size());
    for (const auto& n : m->matrixNames())
      if (!names.contains(QString::fromStdString(n))) names << QString::fromStdString(n);
  }
  if (layerCombo_) {
    const QSignalBlocker b(layerCombo_);
    if (layerCombo_->count() != maxLayers + 1) {
      layerCombo_->clear();
      layerCombo_->addItem(tr("mean over layers"), -1);
      for (int l = 0; l < maxLayers; ++l) layerCombo_->addItem(tr("layer %1").arg(l), l);
    }
    const int idx = layerCombo_->findData(layer_);
    if (idx < 0) {
      layerCombo_->addItem(tr("layer %1").arg(layer_), layer_);
      layerCombo_->setCurrentIndex(layerCombo_->count() - 1);
    } else {
      layerCombo_->setCurrentIndex(idx);
    }
  }
  if (matrixCombo_) {
    const QSignalBlocker b(matrixCombo_);
    matrixCombo_->clear();
    matrixCombo_->addItem(tr("W_VO (sum over heads) and W_out"), QStringLiteral("vo,mlp.out"));
    matrixCombo_->addItem(tr("W_QK and W_VO (sums over heads)"), QStringLiteral("qk,vo"));
    for (const QString& n : names) matrixCombo_->addItem(matrixLabel(n), n);
    const QString cur = matrices_.join(QLatin1Char(','));
    if (matrixCombo_->findData(cur) < 0) {
      QStringList labels;
      for (const QString& n : matrices_) labels << matrixLabel(n);
      matrixCombo_->addItem(labels.join(tr(" and ")), cur);
    }
    matrixCombo_->setCurrentIndex(matrixCombo_->findData(cur));
  }
  if (choiceCombo_) {
    const QSignalBlocker b(choiceCombo_);
    if (kind_ == FTA) {
      choiceCombo_->clear();
      choiceCombo_->addItem(tr("head and tail group"), FtaHeadTail);
      choiceCombo_->addItem(tr("mean over groups"), FtaMean);
      for (int g = 0; g < maxGroups; ++g) choiceCombo_->addItem(tr("group %1").arg(g), g);
      if (choiceCombo_->findData(fta_) < 0) choiceCombo_->addItem(tr("group %1").arg(fta_), fta_);
    }
    const int v = kind_ == Isotropy    ? int(isoMetric_)
                  : kind_ == Spikiness ? int(spkMetric_)
                  : kind_ == FTA       ? fta_
                                       : kiviBits_;
    choiceCombo_->setCurrentIndex(choiceCombo_->findData(v));
  }
}

void CompareCurvePlot::setXAxisMode(XAxis mode) {
  if (mode == xMode_) return;
  xMode_ = mode;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setLogY(bool on) {
  if (on == logY_) return;
  logY_ = on;
  syncControls();
  plotutil::setLogScale(plot()->yAxis, on);
  scheduleReset();
}

void CompareCurvePlot::setSmoothing(double b) {
  b = std::clamp(std::isfinite(b) ? b : 0.0, 0.0, 0.999);
  if (b == smoothing_) return;
  smoothing_ = b;
  if (smoothSlider_) {
    const QSignalBlocker block(smoothSlider_);
    smoothSlider_->setValue(qRound(b * 1000));
    smoothLabel_->setText(QString::number(b, 'f', 3));
  }
  scheduleRefresh();
}

void CompareCurvePlot::setShowRaw(bool on) {
  if (on == showRaw_) return;
  showRaw_ = on;
  if (rawCheck_) {
    const QSignalBlocker block(rawCheck_);
    rawCheck_->setChecked(on);
  }
  scheduleRefresh();
}

void CompareCurvePlot::setLayer(int layer) {
  layer = std::max(-1, layer);
  if (layer == layer_) return;
  layer_ = layer;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setMatrices(const QStringList& names) {
  QStringList clean;
  for (const QString& n : names)
    if (!n.trimmed().isEmpty()) clean << n.trimmed();
  if (clean.isEmpty() || clean == matrices_) return;
  matrices_ = clean;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setIsotropyMetric(IsotropyPlot::Metric metric) {
  if (metric == isoMetric_) return;
  isoMetric_ = metric;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setSpikinessMetric(KVPlot::Spikiness metric) {
  if (metric == spkMetric_) return;
  spkMetric_ = metric;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setFtaChoice(int choice) {
  choice = std::max(int(FtaMean), choice);
  if (choice == fta_) return;
  fta_ = choice;
  syncControls();
  scheduleReset();
}

void CompareCurvePlot::setKiviBits(int bits) {
  if (bits != 2 && bits != 4) return;
  if (bits == kiviBits_) return;
  kiviBits_ = bits;
  syncControls();
  scheduleReset();
}

Qt::PenStyle CompareCurvePlot::styleOf(int seriesIndex) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  return styles[seriesIndex % 4];
}

void CompareCurvePlot::collect() {
  series_.clear();
  missing_.clear();
  for (int r = 0; r < runCount(); ++r) {
    RunModel* m = run(r);
    if (!m) continue;
    const QString label = runLabel(r);
    const auto& snaps = m->snapshots();

    // A snapshot series: value(snapshot) at each snapshot where it is finite.
    auto snapSeries = [&](const QString& name, auto value) {
      Series s;
      s.run = r;
      s.name = name;
      for (const Snapshot& sn : snaps) {
        const double v = value(sn);
        if (!std::isfinite(v)) continue;
        s.x << xOf(sn, xMode_);
        s.y << v;
        s.step << sn.step;
        s.tokens << sn.tokens;
        s.wall << sn.wall_s;
      }
      s.smoothed = s.y;
      return s;
    };

    const int before = series_.size();
    switch (kind_) {
      case Loss: {
        const auto& steps = m->steps();
        Series t;
        t.run = r;
        t.name = QStringLiteral("train");
        std::vector<double> loss;
        loss.reserve(steps.size());
        for (const StepRecord& st : steps) loss.push_back(st.loss);
        const std::vector<double> sm = LossPlot::emaDebiased(loss, smoothing_);
        for (size_t i = 0; i < steps.size(); ++i) {
          t.x << xOf(steps[i], xMode_);
          t.y << steps[i].loss;
          t.smoothed << sm[i];
          t.step << steps[i].step;
          t.tokens << steps[i].tokens;
          t.wall << steps[i].wall_s;
        }
        Series v;
        v.run = r;
        v.name = QStringLiteral("val");
        for (const ValRecord& vr : m->vals()) {
          v.x << xOf(vr, xMode_);
          v.y << vr.loss;
          v.step << vr.step;
          v.tokens << vr.tokens;
          v.wall << vr.wall_s;
        }
        v.smoothed = v.y;
        if (!t.x.isEmpty()) series_ << t;
        if (!v.x.isEmpty()) series_ << v;
        if (t.x.isEmpty() && v.x.isEmpty()) missing_ << tr("%1: no loss recorded").arg(label);
        break;
      }
      case Isotropy: {
        for (const QString& mat : matrices_) {
          Series s = snapSeries(matrixLabel(mat), [&](const Snapshot& sn) {
            const int mi = matrixIndex(sn, mat);
            if (mi < 0) return kNaN;
            return layerValue(sn, layer_, [&](const LayerMetrics& lm) {
              return mi < static_cast<int>(lm.matrices.size())
                         ? IsotropyPlot::metricValue(lm.matrices[mi], isoMetric_)
                         : kNaN;
            });
          });
          if (!s.x.isEmpty()) series_ << s;
        }
        if (series_.size() == before)
          missing_ << tr("%1: no %2 of %3 at %4")
                          .arg(label, IsotropyPlot::metricName(isoMetric_),
                               matrices_.join(QStringLiteral(", ")),
                               layer_ < 0 ? tr("any layer") : tr("layer %1").arg(layer_));
        break;
      }
      case Spikiness: {
        Series k = snapSeries(QStringLiteral("K"), [&](const Snapshot& sn) {
          return layerValue(sn, layer_, [&](const LayerMetrics& lm) {
            return KVPlot::spikinessValue(lm.k_post, spkMetric_);
          });
        });
        Series v = snapSeries(QStringLiteral("V"), [&](const Snapshot& sn) {
          return layerValue(sn, layer_, [&](const LayerMetrics& lm) {
            return KVPlot::spikinessValue(lm.v, spkMetric_);
          });
        });
        if (!k.x.isEmpty()) series_ << k;
        if (!v.x.isEmpty()) series_ << v;
        if (series_.size() == before)
          missing_ << tr("%1: no K/V magnitudes%2")
                          .arg(label, layer_ < 0 ? QString() : tr(" at layer %1").arg(layer_));
        break;
      }
      case FTA: {
        auto group = [&](int g) {
          return [g](const Snapshot& sn) {
            const int n = static_cast<int>(sn.fta.size());
            const int gi = g == FtaHeadTail ? n - 1 : g;  // FtaHeadTail here: the tail group
            return gi >= 0 && gi < n ? sn.fta[gi] : kNaN;
          };
        };
        int n = 0;
        for (const Snapshot& sn : snaps) n = std::max(n, static_cast<int>(sn.fta.size()));
        if (n == 0) {
          missing_ << tr("%1: no tail-QA data (no FTA)").arg(label);
          break;
        }
        if (fta_ == FtaHeadTail) {
          Series tail = snapSeries(tr("tail g=%1").arg(n - 1), group(FtaHeadTail));
          Series head = snapSeries(tr("head g=0"), group(0));
          if (!tail.x.isEmpty()) series_ << tail;
          if (!head.x.isEmpty() && n > 1) series_ << head;
        } else if (fta_ == FtaMean) {
          Series s = snapSeries(tr("mean"), [](const Snapshot& sn) {
            double sum = 0;
            int k = 0;
            for (double v : sn.fta)
              if (std::isfinite(v)) sum += v, ++k;
            return k > 0 ? sum / k : kNaN;
          });
          if (!s.x.isEmpty()) series_ << s;
        } else {
          Series s = snapSeries(tr("g=%1").arg(fta_), group(fta_));
          if (!s.x.isEmpty()) series_ << s;
        }
        if (series_.size() == before) missing_ << tr("%1: no FTA for this group").arg(label);
        break;
      }
      case Kivi: {
        const int bi = kiviBits_ == 4 ? 1 : 0;
        Series a = snapSeries(tr("K/chan V/tok"), [&](const Snapshot& sn) {
          return sn.kivi.valid ? sn.kivi.k_chan_v_tok[bi] : kNaN;
        });
        Series b = snapSeries(tr("K/tok V/chan"), [&](const Snapshot& sn) {
          return sn.kivi.valid ? sn.kivi.k_tok_v_chan[bi] : kNaN;
        });
        if (!a.x.isEmpty()) series_ << a;
        if (!b.x.isEmpty()) series_ << b;
        if (series_.size() == before) missing_ << tr("%1: no KIVI losses").arg(label);
        break;
      }
    }
  }
}

void CompareCurvePlot::rebuild() {
  QCustomPlot* p = plot();
  p->clearGraphs();
  graphs_.clear();
  collect();

  // Series names within a run, in order of first appearance, fix the line style.
  QStringList seriesNames;
  for (const Series& s : series_)
    if (!seriesNames.contains(s.name)) seriesNames << s.name;
  const bool oneSeries = seriesNames.size() <= 1;

  for (const Series& s : series_) {
    const QColor c = runColor(s.run);
    const int style = static_cast<int>(seriesNames.indexOf(s.name));
    const QString label = oneSeries ? runLabel(s.run) : tr("%1 · %2").arg(runLabel(s.run), s.name);
    const bool sorted = std::is_sorted(s.x.begin(), s.x.end());
    if (kind_ == Loss && s.name == QLatin1String("train") && showRaw_) {
      QCPGraph* raw = p->addGraph();
      QColor faded = c;
      faded.setAlpha(60);
      raw->setPen(QPen(faded, 1));
      raw->setData(s.x, s.y, sorted);
      raw->removeFromLegend();
    }
    QCPGraph* g = p->addGraph();
    g->setName(label);
    g->setData(s.x, s.smoothed, sorted);
    QPen pen(c, kind_ == Loss && s.name == QLatin1String("train") ? 2.0 : 1.8);
    pen.setStyle(styleOf(style));
    g->setPen(pen);
    const bool sparse = kind_ != Loss || s.name != QLatin1String("train");
    if (sparse)
      g->setScatterStyle(
          QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(c, 1.3), QBrush(backgroundColor()), 5));
    graphs_ << g;
  }

  p->xAxis->setLabel(xLabel(xMode_));
  QString y;
  switch (kind_) {
    case Loss:
      y = tr("Loss (nats/token)");
      break;
    case Isotropy:
      y = IsotropyPlot::metricName(isoMetric_);
      break;
    case Spikiness:
      y = KVPlot::spikinessName(spkMetric_);
      break;
    case FTA:
      y = tr("First-token accuracy");
      break;
    case Kivi:
      y = tr("Δ loss, %1-bit cache (quantized − fp)").arg(kiviBits_);
      break;
  }
  p->yAxis->setLabel(y);
  setTitle(titleText());
  if (runCount() == 0)
    setPlaceholderText(tr("No runs to compare."));
  else if (series_.isEmpty())
    setPlaceholderText(tr("Nothing to compare yet:\n") + missing_.join(QLatin1Char('\n')));
  else
    setPlaceholderText(QString());
  applyPalette();  // style the new legend items
}

void CompareCurvePlot::resetRanges() {
  if (series_.isEmpty()) return;
  QCustomPlot* p = plot();
  p->rescaleAxes(true);
  const QCPRange r = p->yAxis->range();
  if (logY_) {
    p->yAxis->setRange(r.lower / 1.1, r.upper * 1.1);
  } else {
    const double pad = std::max(0.05 * r.size(), 1e-9);
    p->yAxis->setRange(r.lower - pad, r.upper + pad);
  }
}

QString CompareCurvePlot::csv() const {
  QString out = QStringLiteral("run,label,series,step,tokens,wall_s,x,value,smoothed\n");
  for (const Series& s : series_) {
    const QString head =
        QStringLiteral("%1,%2,%3,").arg(s.run).arg(csvField(runLabel(s.run)), csvField(s.name));
    for (int i = 0; i < s.x.size(); ++i)
      out += head + QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                        .arg(s.step[i])
                        .arg(s.tokens[i])
                        .arg(csvNumber(s.wall[i]), csvNumber(s.x[i]), csvNumber(s.y[i]),
                             csvNumber(s.smoothed[i]));
  }
  return out;
}

}  // namespace ms
