// test_translations: every tr() string of the app and the views is in
// translations/muonscope_de.ts. lupdate runs over exactly the sources and include paths the
// build's muonscope_gui_lupdate target scans (the project file qt_add_translations generates),
// into a new .ts in a temporary folder; its (context, source, comment) set is compared with the
// committed file's, which the test reads but never writes. A missing string fails, named by
// file, line, context and text. A committed string no source uses any more is only reported
// (the lupdate target drops it). test_app's germanTranslationComplete checks that every
// committed string has a translation.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

struct Message {
  QString context, source, comment;
  QStringList locations;  // "file:line", relative to the source tree
};
using Key = std::tuple<QString, QString, QString>;  // context, source, comment

// The messages of a .ts file, with their locations (lupdate writes them relative to the .ts).
QMap<Key, Message> readTs(const QString& path, QString* error) {
  QMap<Key, Message> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = "cannot read " + path;
    return out;
  }
  const QDir base = QFileInfo(path).absoluteDir(), src(QStringLiteral(MUONSCOPE_SOURCE_DIR));
  QXmlStreamReader xml(&f);
  QString context;
  Message m;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
      m.context = context;
      out.insert({m.context, m.source, m.comment}, m);
      continue;
    }
    if (!xml.isStartElement()) continue;
    if (xml.name() == QLatin1String("name")) {
      context = xml.readElementText();
    } else if (xml.name() == QLatin1String("message")) {
      m = Message();
    } else if (xml.name() == QLatin1String("location")) {
      const QString file = QDir::cleanPath(
          base.absoluteFilePath(xml.attributes().value(QLatin1String("filename")).toString()));
      m.locations << src.relativeFilePath(file) + ':' +
                         xml.attributes().value(QLatin1String("line")).toString();
    } else if (xml.name() == QLatin1String("source")) {
      m.source = xml.readElementText();
    } else if (xml.name() == QLatin1String("comment")) {
      m.comment = xml.readElementText();
    }
  }
  if (xml.hasError()) *error = path + ": " + xml.errorString();
  return out;
}

QByteArray sha1(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly)
             ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1).toHex()
             : QByteArray();
}

// Runs a program; false with its output in *log when it fails.
bool run(const QString& program, const QStringList& args, QString* log) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  const bool ok =
      p.waitForFinished(90000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  *log = program + ' ' + args.join(' ') + ":\n" + QString::fromLocal8Bit(p.readAll());
  return ok;
}

}  // namespace

class TestTranslations : public QObject {
  Q_OBJECT

 private slots:
  void everySourceStringIsInTheTsFile() {
    const QString committed = QStringLiteral(MUONSCOPE_SOURCE_DIR "/translations/muonscope_de.ts");
    const QByteArray before = sha1(committed);
    QVERIFY2(!before.isEmpty(), qPrintable("cannot read " + committed));
    QVERIFY2(QFile::exists(MUONSCOPE_LUPDATE_PROJECT),
             "no lupdate project: configure with MUONSCOPE_GUI=ON");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString json = tmp.filePath("project.json"), scanned = tmp.filePath("sources.ts");
    QString log;
    QVERIFY2(run(MUONSCOPE_CMAKE,
                 {"-DIN_FILE=" MUONSCOPE_LUPDATE_PROJECT, "-DOUT_FILE=" + json, "-P",
                  MUONSCOPE_LUPDATE_GENERATOR},
                 &log),
             qPrintable(log));
    // -ts overrides the project's TRANSLATIONS: lupdate writes the temporary file only.
    QVERIFY2(
        run(MUONSCOPE_LUPDATE,
            {"-project", json, "-ts", scanned, "-no-obsolete", "-locations", "absolute"}, &log),
        qPrintable(log));
    QCOMPARE(sha1(committed), before);

    QString error;
    const auto found = readTs(scanned, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto have = readTs(committed, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // The scan saw both folders (an empty source list would find nothing missing).
    int inGui = 0, inWidgets = 0;
    for (const Message& m : found)
      for (const QString& loc : m.locations) {
        inGui += loc.startsWith("app/gui/");
        inWidgets += loc.startsWith("widgets/");
      }
    QVERIFY2(inGui > 0 && inWidgets > 0,
             qPrintable(QString("lupdate found %1 strings in app/gui/ and %2 in widgets/")
                            .arg(inGui)
                            .arg(inWidgets)));

    QStringList missing, unused;
    for (auto it = found.begin(); it != found.end(); ++it)
      if (!have.contains(it.key()))
        missing << QString("%1: %2: \"%3\"%4")
                       .arg(it->locations.join(", "), it->context,
                            QString(it->source).replace('\n', "\\n"),
                            it->comment.isEmpty() ? QString() : " (" + it->comment + ")");
    for (auto it = have.begin(); it != have.end(); ++it)
      if (!found.contains(it.key())) unused << QString("%1: \"%2\"").arg(it->context, it->source);
    if (!unused.isEmpty())
      qWarning("%lld strings of muonscope_de.ts are no longer in the sources:\n%s",
               static_cast<long long>(unused.size()), qPrintable(unused.join('\n')));
    qInfo("%lld strings in the sources, %lld in muonscope_de.ts",
          static_cast<long long>(found.size()), static_cast<long long>(have.size()));
    QVERIFY2(missing.isEmpty(),
             qPrintable(QString("%1 strings missing from translations/muonscope_de.ts (add them "
                                "with `cmake --build build --target muonscope_gui_lupdate` and "
                                "translate them):\n%2")
                            .arg(missing.size())
                            .arg(missing.join('\n'))));
  }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "test_translations.moc"
