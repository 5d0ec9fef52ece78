// The command line of the `quanta` executable.

#include "app_options.h"

#include <QDir>
#include <QTest>

using quanta::AppOptions;
using quanta::parseCommandLine;

class TestAppOptions : public QObject {
    Q_OBJECT

private slots:
    void defaultsUseDataFolder();
    void modelAndFoldersMadeAbsolute();
    void noArgumentsKeepsDefaults();
    void unknownOptionRejected();
    void positionalArgumentRejected();
    void missingValueRejected();
};

void TestAppOptions::defaultsUseDataFolder()
{
    const AppOptions options = AppOptions::defaults();
    QVERIFY(options.databasePath.endsWith(QStringLiteral("/chats.sqlite")));
    QVERIFY(options.modelsFolder.endsWith(QStringLiteral("/models")));
    QVERIFY(options.settingsPath.endsWith(QStringLiteral("/settings.ini")));
    QVERIFY(options.modelPath.isEmpty());
}

void TestAppOptions::modelAndFoldersMadeAbsolute()
{
    AppOptions options = AppOptions::defaults();
    const auto error = parseCommandLine({QStringLiteral("quanta"), QStringLiteral("--model"), QStringLiteral("m/x.gguf"),
                                         QStringLiteral("--models-dir"), QStringLiteral("folder"),
                                         QStringLiteral("--database"), QStringLiteral("/tmp/c.sqlite")},
                                        options);
    QVERIFY2(!error.has_value(), qPrintable(error.value_or(QString())));
    QCOMPARE(options.modelPath, QDir::current().absoluteFilePath(QStringLiteral("m/x.gguf")));
    QCOMPARE(options.modelsFolder, QDir::current().absoluteFilePath(QStringLiteral("folder")));
    QCOMPARE(options.databasePath, QStringLiteral("/tmp/c.sqlite"));
}

void TestAppOptions::noArgumentsKeepsDefaults()
{
    const AppOptions defaults = AppOptions::defaults();
    AppOptions options = defaults;
    QVERIFY(!parseCommandLine({QStringLiteral("quanta")}, options).has_value());
    QCOMPARE(options.databasePath, defaults.databasePath);
    QCOMPARE(options.modelsFolder, defaults.modelsFolder);
    QVERIFY(options.modelPath.isEmpty());
}

void TestAppOptions::unknownOptionRejected()
{
    AppOptions options;
    const auto error = parseCommandLine({QStringLiteral("quanta"), QStringLiteral("--no-such-option")}, options);
    QVERIFY(error.has_value());
    QVERIFY2(error->contains(QStringLiteral("no-such-option")), qPrintable(*error));
}

void TestAppOptions::positionalArgumentRejected()
{
    AppOptions options;
    const auto error = parseCommandLine({QStringLiteral("quanta"), QStringLiteral("stray.gguf")}, options);
    QVERIFY(error.has_value());
    QVERIFY2(error->contains(QStringLiteral("stray.gguf")), qPrintable(*error));
    QVERIFY(options.modelPath.isEmpty());
}

void TestAppOptions::missingValueRejected()
{
    AppOptions options;
    const auto error = parseCommandLine({QStringLiteral("quanta"), QStringLiteral("--model")}, options);
    QVERIFY(error.has_value());
    QVERIFY2(error->contains(QStringLiteral("model")), qPrintable(*error));
}

QTEST_GUILESS_MAIN(TestAppOptions)
#include "test_app_options.moc"
