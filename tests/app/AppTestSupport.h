// Helpers shared by the app's suites (test_app, test_ui_actions, test_controller): settings in a
// temporary folder, answering the next modal dialog or popup menu, the setup panel's fields by
// key, a tiny fast run set through those fields, and a muonscope-cli run in another process
// that trains until the test stops it, with its file's step count.
#pragma once

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStringList>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QWidget>
#include <cstdint>
#include <exception>
#include <functional>

#include "AppSettings.h"
#include "SetupPanel.h"
#include "store/RunReader.h"

namespace apptest {

constexpr int kDialogTimeoutMs = 60000;

// QSettings under `dir` (cleared) with `runs` as the run folder, so a suite never touches the
// user's settings or run files. Returns false when the run folder cannot be made.
inline bool isolateSettings(const QString& dir, const QString& appName, const QString& runs) {
  QStandardPaths::setTestModeEnabled(true);
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
  QCoreApplication::setOrganizationName(QStringLiteral("MuonscopeTest"));
  QCoreApplication::setApplicationName(appName);
  QSettings().clear();
  ms::settings::setRunFolder(runs);
  return QDir().mkpath(runs);
}

// Calls f(w) once a widget of type T is the active modal dialog (or, with popup = true, the
// active popup menu). Polls from a timer, so it also runs inside the dialog's own exec() loop:
// arm it before the click that opens the dialog. Gives up with a warning after 60 s (the
// test's own checks then fail).
template <class T>
void whenActive(std::function<void(T*)> f, bool popup = false) {
  auto* timer = new QTimer(qApp);
  const QDeadlineTimer deadline(kDialogTimeoutMs);
  timer->setInterval(10);
  QObject::connect(timer, &QTimer::timeout, qApp, [=] {
    QWidget* active = popup ? QApplication::activePopupWidget() : QApplication::activeModalWidget();
    T* target = qobject_cast<T*>(active);
    if (!target && !deadline.hasExpired()) return;
    timer->stop();
    timer->deleteLater();
    if (target)
      f(target);
    else
      qWarning("no %s appeared", T::staticMetaObject.className());
  });
  timer->start();
}

template <class T>
T* fieldAs(ms::SetupPanel* p, const QString& key) {
  T* w = qobject_cast<T*>(p->field(key));
  if (!w) qFatal("setup field %s missing or of another type", qPrintable(key));
  return w;
}

// The model and batch of a tiny run (the default: 2 layers x 64, 4 heads, batch 8).
struct TinySize {
  int layers = 2, d_model = 64, heads = 4, batch = 8;
};

// A tiny, fast run on the CPU through the setup panel's own fields.
inline void setTinyRun(ms::SetupPanel* p, int steps, int every, TinySize s = {}) {
  p->applyPreset(QStringLiteral("quick"));
  fieldAs<QSpinBox>(p, "train.steps")->setValue(steps);
  fieldAs<QSpinBox>(p, "metrics.every")->setValue(every);
  fieldAs<QSpinBox>(p, "model.layers")->setValue(s.layers);
  fieldAs<QSpinBox>(p, "model.d_model")->setValue(s.d_model);
  fieldAs<QSpinBox>(p, "model.heads")->setValue(s.heads);
  fieldAs<QSpinBox>(p, "train.batch_size")->setValue(s.batch);
  fieldAs<QSpinBox>(p, "model.seq_len")->setValue(32);
  auto* device = fieldAs<QComboBox>(p, "device");
  device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
}

// Starts `cli` (muonscope-cli at cliPath) training a tiny model for 1,000,000 steps into `file`,
// a snapshot every `every` steps: far longer than any test, which ends it with terminate()
// (SIGTERM, as Ctrl-C: the file is finalized as "stopped", exit code 130).
inline void startEndlessCliRun(QProcess& cli, const QString& cliPath, const QString& file,
                               int every, TinySize s = {}) {
  QStringList args = {"train",    "--preset", "quick",   "--steps", "1000000",
                      "--device", "cpu",      "--quiet", "--out",   file};
  for (const QString& set :
       {QStringLiteral("model.layers=%1").arg(s.layers),
        QStringLiteral("model.d_model=%1").arg(s.d_model),
        QStringLiteral("model.heads=%1").arg(s.heads), QStringLiteral("model.seq_len=32"),
        QStringLiteral("train.batch_size=%1").arg(s.batch),
        QStringLiteral("metrics.every=%1").arg(every), QStringLiteral("metrics.kivi_every=0"),
        QStringLiteral("train.threads=1")})
    args << QStringLiteral("--set") << set;
  cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  cli.start(cliPath, args);
}

// The steps a run file holds now; 0 while it is not created or not begun.
inline int64_t stepsOnDisk(const QString& file) {
  try {
    return ms::RunReader(file.toStdString()).num_steps();
  } catch (const std::exception&) {
    return 0;
  }
}

// Text of a menu entry without its mnemonic ampersand.
inline QString plain(QString text) {
  return text.remove(QLatin1Char('&'));
}

// Clicks the accept button (Open / Save / OK) of a dialog's button box.
inline bool clickAccept(QWidget* dialog) {
  for (auto* box : dialog->findChildren<QDialogButtonBox*>())
    for (QAbstractButton* b : box->buttons())
      if (box->buttonRole(b) == QDialogButtonBox::AcceptRole && b->isVisible()) {
        if (!b->isEnabled()) return false;
        QTest::mouseClick(b, Qt::LeftButton);
        return true;
      }
  return false;
}

// Answers the next (Qt, non-native) file dialog with `path` typed into its file name field.
inline void answerFileDialog(const QString& path, QString* shownDir = nullptr) {
  whenActive<QFileDialog>([=](QFileDialog* d) {
    if (shownDir) *shownDir = d->directory().absolutePath();
    auto* name = d->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    if (!name) {
      qWarning("file dialog without fileNameEdit");
      d->reject();
      return;
    }
    name->setText(path);
    if (!clickAccept(d)) {
      qWarning("file dialog: accept button missing or disabled");
      d->reject();
    }
  });
}

inline QMenu* menuOf(QMainWindow& w, const QString& title) {
  for (QAction* a : w.menuBar()->actions())
    if (a->menu() && plain(a->text()) == title) return a->menu();
  return nullptr;
}

inline QAction* itemOf(QMenu* menu, const QString& text) {
  for (QAction* a : menu->actions())
    if (plain(a->text()) == text) return a;
  return nullptr;
}

// Opens menu `title` by clicking it in the menu bar, then clicks its entry `item`.
inline bool clickMenu(QMainWindow& w, const QString& title, const QString& item) {
  QMenu* menu = menuOf(w, title);
  if (!menu) return false;
  QAction* a = itemOf(menu, item);
  if (!a || !a->isEnabled()) return false;
  QMenuBar* bar = w.menuBar();
  QTest::mouseClick(bar, Qt::LeftButton, Qt::NoModifier,
                    bar->actionGeometry(menu->menuAction()).center());
  if (!QTest::qWaitFor([&] { return menu->isVisible(); }, 5000)) return false;
  QTest::mouseClick(menu, Qt::LeftButton, Qt::NoModifier, menu->actionGeometry(a).center());
  return true;
}

// Clicks the toolbar button of `action` in the window's Run toolbar; false when the button is
// missing, hidden (in the toolbar's overflow) or disabled.
inline bool clickToolbar(QMainWindow& w, QAction* action) {
  auto* bar = w.findChild<QToolBar*>(QStringLiteral("runToolBar"));
  QWidget* button = bar ? bar->widgetForAction(action) : nullptr;
  if (!button || !button->isVisible() || !button->isEnabled()) return false;
  QTest::mouseClick(button, Qt::LeftButton);
  return true;
}

}  // namespace apptest
