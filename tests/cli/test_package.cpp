// The Debian package as a user receives it. CPack builds the .deb from this
// build folder and dpkg-deb unpacks it into a temporary root, which needs no
// root rights and installs nothing system-wide. The suite then checks the
// files, the control fields and that the unpacked binaries run.
#include "test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <memory>

namespace {

// CPack strips and compresses two binaries of several MB each.
constexpr int kPackTimeoutMs = 600000;
constexpr int kToolTimeoutMs = 120000;

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result run_tool(const QString& program, const QStringList& arguments, const QString& workingDirectory = {},
                const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment(),
                int timeoutMs = kToolTimeoutMs)
{
    QProcess process;
    process.setWorkingDirectory(workingDirectory);
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Result result;
    if (!process.waitForStarted()) {
        result.err = QStringLiteral("%1 failed to start: %2").arg(program, process.errorString());
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("%1 timed out after %2 ms").arg(program).arg(timeoutMs);
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// Package names in a Depends or Recommends field, without version
// constraints, where each alternative counts as a name:
// "libc6 (>= 2.34), a | b" gives {"libc6", "a", "b"}.
QStringList package_names(const QString& field)
{
    QStringList names;
    for (const QString& entry : field.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        for (const QString& alternative : entry.split(QLatin1Char('|'), Qt::SkipEmptyParts)) {
            const QString name = alternative.trimmed().section(QLatin1Char(' '), 0, 0);
            if (!name.isEmpty())
                names.append(name);
        }
    }
    return names;
}

// The Debian 12 packages that a QML import needs at run time, including the
// modules it imports in turn. QtQml imports QtQml.Models and
// QtQml.WorkerScript. The Fusion style of QtQuick.Controls imports
// QtQuick.Templates and QtQuick.Window. The file dialog of QtQuick.Dialogs
// imports Qt.labs.folderlistmodel.
const std::map<QString, QStringList>& qml_import_packages()
{
    static const std::map<QString, QStringList> packages{
        {QStringLiteral("QtQml"), {QStringLiteral("qml6-module-qtqml-models"),
                                   QStringLiteral("qml6-module-qtqml-workerscript")}},
        {QStringLiteral("QtQml.Models"), {QStringLiteral("qml6-module-qtqml-models")}},
        {QStringLiteral("QtQml.WorkerScript"), {QStringLiteral("qml6-module-qtqml-workerscript")}},
        {QStringLiteral("QtQuick"), {QStringLiteral("qml6-module-qtquick"), QStringLiteral("qml6-module-qtqml-models"),
                                     QStringLiteral("qml6-module-qtqml-workerscript")}},
        {QStringLiteral("QtQuick.Controls"), {QStringLiteral("qml6-module-qtquick-controls"),
                                              QStringLiteral("qml6-module-qtquick-templates"),
                                              QStringLiteral("qml6-module-qtquick-window")}},
        {QStringLiteral("QtQuick.Layouts"), {QStringLiteral("qml6-module-qtquick-layouts")}},
        {QStringLiteral("QtQuick.Window"), {QStringLiteral("qml6-module-qtquick-window")}},
        {QStringLiteral("QtQuick.Dialogs"), {QStringLiteral("qml6-module-qtquick-dialogs"),
                                             QStringLiteral("qml6-module-qt-labs-folderlistmodel")}},
        {QStringLiteral("QtCharts"), {QStringLiteral("qml6-module-qtcharts")}},
        {QStringLiteral("Qt.labs.settings"), {QStringLiteral("qml6-module-qt-labs-settings")}},
        {QStringLiteral("Qt.labs.platform"), {QStringLiteral("qml6-module-qt-labs-platform")}},
        {QStringLiteral("Qt.labs.folderlistmodel"), {QStringLiteral("qml6-module-qt-labs-folderlistmodel")}},
    };
    return packages;
}

// The module imports of every QML file in ui/, each with the first file that
// imports it. Imports of the app's own modules (Quanta, Quanta.Core) are left
// out because they are compiled into the binary.
std::map<QString, QString> ui_qml_imports()
{
    static const QRegularExpression importLine(QStringLiteral(R"(^\s*import\s+([A-Za-z][\w.]*))"),
                                               QRegularExpression::MultilineOption);
    std::map<QString, QString> imports;
    QDirIterator it(QStringLiteral(QUANTA_SOURCE_DIR "/ui"), {QStringLiteral("*.qml")}, QDir::Files);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning("Cannot read %s: %s", qPrintable(file.fileName()), qPrintable(file.errorString()));
            continue;
        }
        const QString text = QString::fromUtf8(file.readAll());
        for (auto match = importLine.globalMatch(text); match.hasNext();) {
            const QString module = match.next().captured(1);
            if (module == QLatin1String("Quanta") || module.startsWith(QLatin1String("Quanta.")))
                continue;
            imports.emplace(module, QFileInfo(file).fileName());
        }
    }
    return imports;
}

} // namespace

class PackageTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void fileListIsBinariesDesktopEntryIcons();
    void binariesAreExecutable();
    void desktopEntryMatchesSource();
    void desktopEntryIsValid();
    void controlNamesPackageAndVersion();
    void dependsListsLibraries();
    void dependsCoversUiQmlImports();
    void recommendsListsDriversAndFonts();
    void packagedCliPrintsVersion();
    void packagedAppPrintsVersion();

private:
    // Runs dpkg-deb --field on the package and returns the field's value.
    QString control_field(const QString& name);

    QString dpkgDeb_;
    std::unique_ptr<QTemporaryDir> outputDir_; // cpack -B: the .deb and CPack's staging folder
    std::unique_ptr<QTemporaryDir> rootDir_;   // the unpacked package, as if installed at /
    QString debPath_;
};

void PackageTest::initTestCase()
{
    // Step 1: the tools, from the Debian packages cmake and dpkg. Without
    // them there is no package to check.
    const QString cpack = QStandardPaths::findExecutable(QStringLiteral("cpack"));
    if (cpack.isEmpty())
        QSKIP("cpack is not installed (package cmake), so no .deb can be built");
    dpkgDeb_ = QStandardPaths::findExecutable(QStringLiteral("dpkg-deb"));
    if (dpkgDeb_.isEmpty())
        QSKIP("dpkg-deb is not installed (package dpkg), so the .deb cannot be unpacked");

    // Step 2: build the package from this build folder into a temporary
    // folder, so the build folder gets no .deb and no staging files.
    outputDir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(outputDir_->isValid(), qPrintable(outputDir_->errorString()));
    const QString buildDir = QStringLiteral(QUANTA_BINARY_DIR);
    const Result pack = run_tool(cpack,
                                 {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
                                  QDir(buildDir).filePath(QStringLiteral("CPackConfig.cmake")), QStringLiteral("-B"),
                                  outputDir_->path()},
                                 buildDir, QProcessEnvironment::systemEnvironment(), kPackTimeoutMs);
    QVERIFY2(pack.exitCode == 0, qPrintable(QStringLiteral("cpack failed with exit code %1:\n%2\n%3")
                                                .arg(pack.exitCode)
                                                .arg(pack.out, pack.err)));

    // Step 3: exactly one .deb, named package_version_architecture.deb.
    const QStringList debs = QDir(outputDir_->path()).entryList({QStringLiteral("*.deb")}, QDir::Files);
    QVERIFY2(debs.size() == 1, qPrintable(QStringLiteral("expected one .deb in %1, found: %2")
                                              .arg(outputDir_->path(), debs.join(QStringLiteral(", ")))));
    QVERIFY2(debs.first().startsWith(QStringLiteral("quanta_" QUANTA_VERSION "_")), qPrintable(debs.first()));
    debPath_ = QDir(outputDir_->path()).filePath(debs.first());

    // Step 4: unpack it the way dpkg would install it, under a temporary root.
    rootDir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(rootDir_->isValid(), qPrintable(rootDir_->errorString()));
    const Result extract = run_tool(dpkgDeb_, {QStringLiteral("-x"), debPath_, rootDir_->path()});
    QVERIFY2(extract.exitCode == 0, qPrintable(QStringLiteral("dpkg-deb -x %1 failed with exit code %2: %3")
                                                   .arg(debPath_)
                                                   .arg(extract.exitCode)
                                                   .arg(extract.err)));
    qInfo("Built %s (%lld bytes)", qPrintable(debs.first()), QFileInfo(debPath_).size());
}

QString PackageTest::control_field(const QString& name)
{
    const Result result = run_tool(dpkgDeb_, {QStringLiteral("-f"), debPath_, name});
    if (result.exitCode != 0)
        qWarning("dpkg-deb -f %s %s failed: %s", qPrintable(debPath_), qPrintable(name), qPrintable(result.err));
    return result.out.trimmed();
}

void PackageTest::fileListIsBinariesDesktopEntryIcons()
{
    // The QML modules, translations and catalog are resources inside the
    // binaries, so these five are all the regular files. Another file means
    // an install() rule added it, and belongs in this list if intended.
    QStringList files;
    QDirIterator it(rootDir_->path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(rootDir_->path()).relativeFilePath(it.next()));
    files.sort();

    const QStringList expected{
        QStringLiteral("usr/bin/quanta"),
        QStringLiteral("usr/bin/quanta-cli"),
        QStringLiteral("usr/share/applications/quanta.desktop"),
        QStringLiteral("usr/share/icons/hicolor/256x256/apps/quanta.png"),
        QStringLiteral("usr/share/icons/hicolor/scalable/apps/quanta.svg"),
    };
    QCOMPARE(files, expected);
}

void PackageTest::binariesAreExecutable()
{
    for (const QString& name : {QStringLiteral("quanta"), QStringLiteral("quanta-cli")}) {
        const QFileInfo binary(QDir(rootDir_->path()).filePath(QStringLiteral("usr/bin/") + name));
        QVERIFY2(binary.isFile(), qPrintable(binary.filePath()));
        QVERIFY2(binary.isExecutable(), qPrintable(binary.filePath()));
    }
}

void PackageTest::desktopEntryMatchesSource()
{
    QFile packaged(QDir(rootDir_->path()).filePath(QStringLiteral("usr/share/applications/quanta.desktop")));
    QVERIFY2(packaged.open(QIODevice::ReadOnly), qPrintable(packaged.fileName()));
    QFile source(QStringLiteral(QUANTA_SOURCE_DIR "/resources/quanta.desktop"));
    QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(source.fileName()));
    const QByteArray entry = packaged.readAll();
    QCOMPARE(entry, source.readAll());

    // The menu entry runs quanta from PATH and shows the icon installed as quanta.
    QVERIFY(entry.contains("\nExec=quanta\n"));
    QVERIFY(entry.contains("\nIcon=quanta\n"));
}

void PackageTest::desktopEntryIsValid()
{
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    if (validator.isEmpty())
        QSKIP("desktop-file-validate is not installed (package desktop-file-utils)");
    const QString entry = QDir(rootDir_->path()).filePath(QStringLiteral("usr/share/applications/quanta.desktop"));
    const Result result = run_tool(validator, {entry});
    QVERIFY2(result.exitCode == 0, qPrintable(result.out + result.err));
    // The validator exits with 0 on hints and warnings, but they are still defects.
    QVERIFY2(result.out.trimmed().isEmpty(), qPrintable(result.out));
}

void PackageTest::controlNamesPackageAndVersion()
{
    QCOMPARE(control_field(QStringLiteral("Package")), QStringLiteral("quanta"));
    QCOMPARE(control_field(QStringLiteral("Version")), QStringLiteral(QUANTA_VERSION));
    QVERIFY(!control_field(QStringLiteral("Architecture")).isEmpty());
    QVERIFY(!control_field(QStringLiteral("Maintainer")).isEmpty());
    QVERIFY(!control_field(QStringLiteral("Section")).isEmpty());
    QVERIFY(!control_field(QStringLiteral("Description")).isEmpty());
}

void PackageTest::dependsListsLibraries()
{
    const QStringList depends = package_names(control_field(QStringLiteral("Depends")));

    // The engine opens the Vulkan loader with dlopen(), so the binaries do
    // not link it and the entry is written by hand.
    QVERIFY2(depends.contains(QStringLiteral("libvulkan1")), qPrintable(depends.join(QStringLiteral(", "))));

    // The linked libraries come from dpkg-shlibdeps, which the build uses
    // when dpkg-dev is installed.
    if (QStandardPaths::findExecutable(QStringLiteral("dpkg-shlibdeps")).isEmpty())
        QSKIP("dpkg-shlibdeps is not installed (package dpkg-dev), so Depends has no library packages");
    for (const QString& name :
         {QStringLiteral("libqt6core6"), QStringLiteral("libqt6qml6"), QStringLiteral("libsqlite3-0")})
        QVERIFY2(depends.contains(name), qPrintable(name + QStringLiteral(" missing from Depends: ") +
                                                    depends.join(QStringLiteral(", "))));
}

void PackageTest::dependsCoversUiQmlImports()
{
    // QML modules are loaded by import at run time, so no linked library
    // names them and each needs its own Depends entry.
    const QStringList depends = package_names(control_field(QStringLiteral("Depends")));
    const std::map<QString, QString> imports = ui_qml_imports();
    QVERIFY2(imports.count(QStringLiteral("QtQuick")) == 1, "no QML file in ui/ imports QtQuick");

    for (const auto& [module, file] : imports) {
        const auto packages = qml_import_packages().find(module);
        QVERIFY2(packages != qml_import_packages().end(),
                 qPrintable(QStringLiteral("ui/%1 imports %2, which this test cannot map to a Debian package: "
                                           "add it to qml_import_packages() and to Depends in "
                                           "installer/CMakeLists.txt")
                                .arg(file, module)));
        for (const QString& package : packages->second)
            QVERIFY2(depends.contains(package),
                     qPrintable(QStringLiteral("ui/%1 imports %2, but %3 is missing from Depends in "
                                               "installer/CMakeLists.txt")
                                    .arg(file, module, package)));
    }
}

void PackageTest::recommendsListsDriversAndFonts()
{
    const QStringList recommends = package_names(control_field(QStringLiteral("Recommends")));
    QVERIFY2(recommends.contains(QStringLiteral("mesa-vulkan-drivers")), qPrintable(recommends.join(QStringLiteral(", "))));
    QVERIFY2(recommends.contains(QStringLiteral("fonts-noto-cjk")), qPrintable(recommends.join(QStringLiteral(", "))));
}

void PackageTest::packagedCliPrintsVersion()
{
    const QString cli = QDir(rootDir_->path()).filePath(QStringLiteral("usr/bin/quanta-cli"));
    const Result result = run_tool(cli, {QStringLiteral("--version")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out.trimmed(), QStringLiteral("quanta-cli " QUANTA_VERSION));
}

void PackageTest::packagedAppPrintsVersion()
{
    // A home of its own, so the app cannot touch the user's settings or chats.
    QTemporaryDir home;
    QVERIFY2(home.isValid(), qPrintable(home.errorString()));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home.path());
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
    environment.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral(".cache")));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));

    const QString app = QDir(rootDir_->path()).filePath(QStringLiteral("usr/bin/quanta"));
    const Result result = run_tool(app, {QStringLiteral("--version")}, {}, environment);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.trimmed().endsWith(QStringLiteral(" " QUANTA_VERSION)), qPrintable(result.out));
}

QTEST_GUILESS_MAIN(PackageTest)
#include "test_package.moc"
