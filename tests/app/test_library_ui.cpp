// The library screen in the real window, opened by "Models" in the top bar.
// My models lists the linked shared models with their format and fit, loads
// one, and deletes another after confirmation. Recommended lists the
// catalog. Search Hugging Face finds repositories and lists their files from
// recorded API responses on nginx (127.0.0.1). A file downloaded from there
// shows in Downloads and then in My models, and a download whose bytes do
// not match the catalog shows its error. Saves library.png, catalog.png,
// hf-search.png and downloads.png.

#include "generation/inference_service.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "nginx_server.h"
#include "settings/library_settings.h"
#include "test_support.h"
#include "ui_test_base.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QQmlProperty>

using namespace quanta;
using quanta::test::NginxServer;

namespace {

const QString kFixtures = QStringLiteral(QUANTA_SOURCE_DIR "/tests/data/hf-api");
const QString kGgufRepository = QStringLiteral("quanta-test/stories260K-GGUF");

QString shared(const QString& relative)
{
    return QString::fromStdString(test::shared_path("models/" + relative.toStdString()));
}

bool copyTree(const QString& source, const QString& destination)
{
    QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = destination + QLatin1Char('/') + QDir(source).relativeFilePath(file);
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFile::copy(file, target))
            return false;
    }
    return true;
}

bool serve(const NginxServer& server, const QString& repository, const QString& name, const QString& source)
{
    const QString target = server.documentRoot() + QStringLiteral("/%1/resolve/main/%2").arg(repository, name);
    QDir().mkpath(QFileInfo(target).absolutePath());
    return QFile::copy(source, target);
}

} // namespace

class TestLibraryUi : public test::UiTestBase {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void myModelsListLoadAndDelete();
    void catalogIsListed();
    void hubSearchAndDownload();
    void settingsShowModelsFolder();

private:
    void startWithModels();
    void openLibrary(const char* tabName, const char* pageName);
    QList<QQuickItem*> visibleItems(const QString& objectName) const;
    // A Popup or Dialog, which is no QQuickItem.
    QObject* popup(const char* objectName) const;

    std::unique_ptr<NginxServer> server_;
};

void TestLibraryUi::initTestCase()
{
    if (!test::shared_available())
        QSKIP("the shared models folder is missing");
    if (!NginxServer::available())
        QSKIP("nginx is not installed at /usr/sbin/nginx (Debian package nginx; scripts/setup.sh installs it)");
    server_ = std::make_unique<NginxServer>();
    QVERIFY(copyTree(kFixtures, server_->apiFolder()));
    QVERIFY(serve(*server_, kGgufRepository, QStringLiteral("stories260K.gguf"), shared(QStringLiteral("stories260K.gguf"))));
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestLibraryUi::init()
{
    setUpApp();
}

void TestLibraryUi::cleanup()
{
    tearDownApp();
}

void TestLibraryUi::startWithModels()
{
    QVERIFY(QDir().mkpath(modelsFolder()));
    QVERIFY(QFile::link(shared(QStringLiteral("stories260K.gguf")), modelsFolder() + QStringLiteral("/stories260K.gguf")));
    QVERIFY(QFile::link(shared(QStringLiteral("stories260K-wide/stories260K-wide-Q4_K_M.gguf")),
                        modelsFolder() + QStringLiteral("/stories260K-wide-Q4_K_M.gguf")));
    QVERIFY(QFile::link(shared(QStringLiteral("hf/stories260K-wide-gptq-4bit-g128")),
                        modelsFolder() + QStringLiteral("/stories260K-wide-gptq")));
    CHECKED(startApp(QString(), QStringLiteral("en"),
                     {{LibrarySettings::kHubUrlKey, server_->url(QStringLiteral("/")).toString()}}));
    // A fixed budget, so the screenshots do not depend on this machine.
    context_->library().setBudgetForTesting(DeviceBudget{QString(), 0, qint64{8} << 30});
    QTRY_VERIFY_WITH_TIMEOUT(!context_->models().scanning() && context_->models().rowCount() == 3, test::kUiTimeoutMs);
}

QList<QQuickItem*> TestLibraryUi::visibleItems(const QString& objectName) const
{
    QList<QQuickItem*> visible;
    for (QQuickItem* found : test::findItems(window()->contentItem(), objectName)) {
        if (found->isVisible())
            visible.append(found);
    }
    return visible;
}

QObject* TestLibraryUi::popup(const char* objectName) const
{
    return window()->findChild<QObject*>(QString::fromLatin1(objectName));
}

void TestLibraryUi::openLibrary(const char* tabName, const char* pageName)
{
    QObject* screen = popup("libraryScreen");
    QVERIFY(screen != nullptr);
    if (!screen->property("opened").toBool()) {
        CHECKED(click(item("libraryButton")));
        QTRY_VERIFY(screen->property("opened").toBool());
    }
    // A click that arrives while the popup still lays out its tab bar is
    // lost, so the tab is clicked until its page shows.
    QQuickItem* tab = item(tabName);
    QVERIFY(tab != nullptr);
    const auto pageShown = [&] {
        QQuickItem* page = item(pageName);
        if (page && page->isVisible())
            return true;
        click(tab);
        return false;
    };
    QTRY_VERIFY(pageShown());
}

void TestLibraryUi::myModelsListLoadAndDelete()
{
    CHECKED(startWithModels());
    CHECKED(openLibrary("libraryModelsTab", "libraryModelsPage"));

    // Step 1: three rows with their formats.
    QTRY_COMPARE(visibleItems(QStringLiteral("libraryModelRow")).size(), 3);
    QStringList formats;
    for (QQuickItem* label : visibleItems(QStringLiteral("libraryModelFormat")))
        formats.append(label->property("text").toString());
    formats.sort();
    QCOMPARE(formats, QStringList({QStringLiteral("GGUF"), QStringLiteral("GGUF"), QStringLiteral("GPTQ")}));
    QTRY_VERIFY(!visibleItems(QStringLiteral("fitBadge")).isEmpty());
    QCOMPARE(visibleItems(QStringLiteral("fitBadge")).first()->property("text").toString(), QStringLiteral("Fits the memory"));
    CHECKED(saveScreenshot(QStringLiteral("library.png")));

    // Step 2: Load on the first row loads that model and closes the screen.
    QQuickItem* firstRow = visibleItems(QStringLiteral("libraryModelRow")).first();
    const QString firstPath = firstRow->property("path").toString();
    CHECKED(click(test::findItems(firstRow, QStringLiteral("libraryLoadButton")).first()));
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded() && context_->inference().modelPath() == firstPath,
                             test::kUiTimeoutMs);
    QTRY_VERIFY(!popup("libraryScreen")->property("visible").toBool());

    // Step 3: Delete on another row opens a confirmation, then removes only the link.
    CHECKED(openLibrary("libraryModelsTab", "libraryModelsPage"));
    QQuickItem* other = nullptr;
    for (QQuickItem* row : visibleItems(QStringLiteral("libraryModelRow"))) {
        if (row->property("path").toString().endsWith(QLatin1String("stories260K-wide-Q4_K_M.gguf")))
            other = row;
    }
    QVERIFY(other != nullptr);
    const QString otherPath = other->property("path").toString();
    CHECKED(click(test::findItems(other, QStringLiteral("libraryDeleteButton")).first()));
    QTRY_VERIFY(popup("deleteModelDialog")->property("opened").toBool());
    QVERIFY(QFileInfo(otherPath).isSymLink());
    CHECKED(click(item("confirmDeleteModelButton")));
    QTRY_VERIFY(!QFileInfo(otherPath).isSymLink());
    QVERIFY(QFileInfo::exists(shared(QStringLiteral("stories260K-wide/stories260K-wide-Q4_K_M.gguf"))));
    QTRY_COMPARE(visibleItems(QStringLiteral("libraryModelRow")).size(), 2);
}

void TestLibraryUi::catalogIsListed()
{
    CHECKED(startWithModels());
    CHECKED(openLibrary("libraryCatalogTab", "libraryCatalogPage"));
    QTRY_VERIFY(visibleItems(QStringLiteral("catalogRow")).size() >= 5);
    QCOMPARE(context_->library().catalog()->rowCount() >= 12, true);
    for (QQuickItem* button : visibleItems(QStringLiteral("catalogActionButton")))
        QCOMPARE(button->property("text").toString(), QStringLiteral("Download"));
    CHECKED(saveScreenshot(QStringLiteral("catalog.png")));
}

void TestLibraryUi::hubSearchAndDownload()
{
    CHECKED(startWithModels());
    CHECKED(openLibrary("libraryHubTab", "libraryHubPage"));

    // Step 1: search GGUF repositories for "qwen" and open the first one.
    QQuickItem* field = item("hubSearchField");
    QVERIFY(field != nullptr);
    field->setProperty("text", QStringLiteral("qwen"));
    CHECKED(click(item("hubSearchButton")));
    QTRY_COMPARE_WITH_TIMEOUT(visibleItems(QStringLiteral("hubResultRow")).size(), 3, test::kUiTimeoutMs);
    CHECKED(click(visibleItems(QStringLiteral("hubResultRow")).first()));
    QTRY_COMPARE_WITH_TIMEOUT(visibleItems(QStringLiteral("hubFileRow")).size(), 5, test::kUiTimeoutMs);
    QCOMPARE(item("hubRepositoryTitle")->property("text").toString(), QStringLiteral("Qwen/Qwen2.5-0.5B-Instruct-GGUF"));
    QCOMPARE(visibleItems(QStringLiteral("hubDownloadFileButton")).size(), 2);
    CHECKED(saveScreenshot(QStringLiteral("hf-search.png")));

    // Step 2: the test repository's GGUF file downloads into the library.
    field->setProperty("text", QStringLiteral("stories"));
    CHECKED(click(item("hubSearchButton")));
    QTRY_COMPARE_WITH_TIMEOUT(visibleItems(QStringLiteral("hubResultRow")).size(), 1, test::kUiTimeoutMs);
    CHECKED(click(visibleItems(QStringLiteral("hubResultRow")).first()));
    QTRY_COMPARE_WITH_TIMEOUT(visibleItems(QStringLiteral("hubFileRow")).size(), 3, test::kUiTimeoutMs);
    QQuickItem* download = nullptr;
    for (QQuickItem* row : visibleItems(QStringLiteral("hubFileRow"))) {
        if (row->property("path").toString() == QLatin1String("stories260K.gguf"))
            download = test::findItems(row, QStringLiteral("hubDownloadFileButton")).first();
    }
    QVERIFY(download != nullptr);
    QTRY_VERIFY(download->isVisible());
    // The linked stories260K.gguf takes the name; remove it so the download can use it.
    QVERIFY(QFile::remove(modelsFolder() + QStringLiteral("/stories260K.gguf")));
    CHECKED(click(download));

    // Step 3: the Downloads tab shows it complete, and My models lists it.
    QTRY_VERIFY(item("downloadList") && item("downloadList")->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!visibleItems(QStringLiteral("downloadLoadButton")).isEmpty(), test::kUiTimeoutMs);
    const QString downloaded = modelsFolder() + QStringLiteral("/stories260K.gguf");
    QVERIFY(QFileInfo(downloaded).isFile());
    QVERIFY(!QFileInfo(downloaded).isSymLink());
    QTRY_VERIFY_WITH_TIMEOUT(context_->models().indexOfPath(downloaded) >= 0, test::kUiTimeoutMs);

    // Step 4: a catalog download whose bytes do not match shows its error.
    const CatalogModel& catalog = *context_->library().catalog();
    QString failingId;
    for (const CatalogEntry& entry : catalog.entries()) {
        if (!entry.isFolder() && !entry.files.first().sha256.isEmpty()) {
            failingId = entry.id;
            QVERIFY(serve(*server_, entry.repository, entry.files.first().name, shared(QStringLiteral("stories260K.gguf"))));
            break;
        }
    }
    QVERIFY(!context_->library().downloadCatalogModel(failingId).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(visibleItems(QStringLiteral("downloadRow")).size(), 2, test::kUiTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!visibleItems(QStringLiteral("downloadResumeButton")).isEmpty(), test::kUiTimeoutMs);
    bool errorShown = false;
    for (QQuickItem* details : visibleItems(QStringLiteral("downloadDetails")))
        errorShown = errorShown || details->property("text").toString().contains(QLatin1String("were expected"));
    QVERIFY(errorShown);
    CHECKED(saveScreenshot(QStringLiteral("downloads.png")));
}

void TestLibraryUi::settingsShowModelsFolder()
{
    CHECKED(startWithModels());
    QObject* dialog = popup("settingsDialog");
    QVERIFY(dialog != nullptr);
    QVERIFY(QMetaObject::invokeMethod(dialog, "open"));
    QTRY_VERIFY(dialog->property("opened").toBool());
    QTRY_VERIFY(item("modelsFolderPath") && item("modelsFolderPath")->isVisible());
    QCOMPARE(item("modelsFolderPath")->property("text").toString(), QDir::cleanPath(modelsFolder()));

    // A change made through the settings object reaches the label and the library.
    const QString other = dir_->filePath(QStringLiteral("other-models"));
    QVERIFY(context_->librarySettings().setModelsFolder(other));
    QTRY_COMPARE(item("modelsFolderPath")->property("text").toString(), other);
    QTRY_COMPARE(context_->models().rowCount(), 0);
    QCOMPARE(context_->library().downloads()->modelsFolder(), other);
}

QTEST_MAIN(TestLibraryUi)
#include "test_library_ui.moc"
