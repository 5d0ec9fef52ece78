// quanta-cli download without -o saves into the models folder chosen in the
// app's Settings (library/modelsFolder in settings.ini), and into the
// per-user default when none is chosen. The command runs with HOME and the
// XDG folders in a temporary folder, against nginx on 127.0.0.1.
#include "nginx_server.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using quanta::test::NginxServer;

namespace {

constexpr int kTimeoutMs = 120000;

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs quanta-cli with `home` as HOME, XDG_CONFIG_HOME=home/config and
// XDG_DATA_HOME=home/data.
Result runCli(const QString& home, const QStringList& arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home);
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    Result result;
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out");
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace

class TestDownloadFolderSetting : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void savedFolderIsDefault();
    void defaultFolderWithoutSetting();
    void outputOptionWins();

private:
    QUrl modelUrl() const { return server_->url(QStringLiteral("/files/stories260K.gguf")); }

    std::unique_ptr<NginxServer> server_;
};

void TestDownloadFolderSetting::initTestCase()
{
    if (!NginxServer::available())
        QSKIP("nginx is not installed at /usr/sbin/nginx (Debian package nginx; scripts/setup.sh installs it)");
    if (!quanta::test::shared_available())
        QSKIP("the shared models folder is missing");
    server_ = std::make_unique<NginxServer>();
    QVERIFY(QFile::copy(QString::fromStdString(quanta::test::shared_path("models/stories260K.gguf")),
                        server_->documentRoot() + QStringLiteral("/stories260K.gguf")));
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestDownloadFolderSetting::savedFolderIsDefault()
{
    QTemporaryDir home;
    const QString chosen = home.filePath(QStringLiteral("my models"));
    {
        QSettings settings(home.filePath(QStringLiteral("config/Quanta/settings.ini")), QSettings::IniFormat);
        settings.setValue(QStringLiteral("library/modelsFolder"), chosen);
    }
    const Result result = runCli(home.path(), {QStringLiteral("download"), modelUrl().toString()});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out, chosen + QStringLiteral("/stories260K.gguf"));
    QVERIFY(QFileInfo(result.out).isFile());
    QVERIFY(!QFileInfo::exists(home.filePath(QStringLiteral("data/Quanta/models/stories260K.gguf"))));
}

void TestDownloadFolderSetting::defaultFolderWithoutSetting()
{
    QTemporaryDir home;
    const Result result = runCli(home.path(), {QStringLiteral("download"), modelUrl().toString()});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out, home.filePath(QStringLiteral("data/Quanta/models/stories260K.gguf")));
    QVERIFY(QFileInfo(result.out).isFile());
}

void TestDownloadFolderSetting::outputOptionWins()
{
    QTemporaryDir home;
    {
        QSettings settings(home.filePath(QStringLiteral("config/Quanta/settings.ini")), QSettings::IniFormat);
        settings.setValue(QStringLiteral("library/modelsFolder"), home.filePath(QStringLiteral("chosen")));
    }
    const QString output = home.filePath(QStringLiteral("elsewhere"));
    const Result result =
        runCli(home.path(), {QStringLiteral("download"), modelUrl().toString(), QStringLiteral("-o"), output});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out, output + QStringLiteral("/stories260K.gguf"));
    QVERIFY(!QFileInfo::exists(home.filePath(QStringLiteral("chosen/stories260K.gguf"))));
}

QTEST_MAIN(TestDownloadFolderSetting)
#include "test_download_folder_setting.moc"
