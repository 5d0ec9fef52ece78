// The Hugging Face search against recorded API responses that nginx serves
// on 127.0.0.1 (tests/data/hf-api). Covered: repositories found by format;
// a repository's files with the quantization guessed from their names,
// sizes, LFS checksums and the memory fit; downloads of one GGUF file and of
// a whole GPTQ folder into the library. Also the errors a user can meet: a
// response that is not JSON, a listing that is not a list, 404, 429 and no
// server at all. Nothing leaves 127.0.0.1.

#include "generation/inference_service.h"
#include "model_library/hf_api.h"
#include "model_library/hf_search.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "nginx_server.h"
#include "settings/library_settings.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace quanta;
using quanta::test::NginxServer;

namespace {

constexpr int kTimeoutMs = 60000;
const QString kFixtures = QStringLiteral(QUANTA_SOURCE_DIR "/tests/data/hf-api");
const QString kGgufRepository = QStringLiteral("quanta-test/stories260K-GGUF");
const QString kGptqRepository = QStringLiteral("quanta-test/stories260K-wide-GPTQ");
const QString kGptqFolder = QStringLiteral("hf/stories260K-wide-gptq-4bit-g128");

QString shared(const QString& relative)
{
    return QString::fromStdString(test::shared_path("models/" + relative.toStdString()));
}

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
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

// A port on 127.0.0.1 where nothing listens.
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 9; // discard; nothing listens there on a test machine
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

bool searchAndWait(HuggingFaceSearch& search, const QString& query, const QString& format)
{
    QSignalSpy finished(&search, &HuggingFaceSearch::searchFinished);
    search.search(query, format);
    return finished.count() > 0 || finished.wait(kTimeoutMs);
}

bool listAndWait(HuggingFaceSearch& search, const QString& repository, const QString& format = {})
{
    QSignalSpy finished(&search, &HuggingFaceSearch::listFinished);
    search.listFiles(repository, format);
    return finished.count() > 0 || finished.wait(kTimeoutMs);
}

QStringList repositoryIds(const HubRepositoryListModel& results)
{
    QStringList ids;
    for (int row = 0; row < results.rowCount(); ++row)
        ids.append(results.data(results.index(row), HubRepositoryListModel::RepositoryRole).toString());
    return ids;
}

int fileRow(const HubFileListModel& files, const QString& path)
{
    for (int row = 0; row < files.rowCount(); ++row) {
        if (files.data(files.index(row), HubFileListModel::PathRole).toString() == path)
            return row;
    }
    return -1;
}

QVariant fileRole(const HubFileListModel& files, const QString& path, int role)
{
    const int row = fileRow(files, path);
    return row < 0 ? QVariant() : files.data(files.index(row), role);
}

} // namespace

class TestHfSearch : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void quantizationFromFileName_data();
    void quantizationFromFileName();
    void splitPartsAreRecognized();
    void formatFromTagsAndName();
    void searchUrlHasTheApiParameters();

    void searchListsRepositories();
    void searchFindsFolderFormats();
    void emptySearchHasNoResults();
    void listingShowsFilesAndFit();
    void splitFilesAreNotDownloadable();
    void folderRepositoryIsOneDownload();
    void fileDownloadsIntoLibrary();
    void repositoryDownloadsIntoLibrary();

    void badJsonIsReported();
    void listingThatIsNoListIsReported();
    void notFoundIsReported();
    void tooManyRequestsIsReported();
    void unreachableServerIsReported();
    void invalidRepositoryIsNotRequested();

private:
    QUrl hub() const { return server_->url(QStringLiteral("/")); }

    std::unique_ptr<NginxServer> server_;
};

void TestHfSearch::initTestCase()
{
    if (!NginxServer::available())
        QSKIP("nginx is not installed at /usr/sbin/nginx (Debian package nginx; scripts/setup.sh installs it)");
    if (!test::shared_available())
        QSKIP("the shared models folder is missing");
    server_ = std::make_unique<NginxServer>();
    QVERIFY(copyTree(kFixtures, server_->apiFolder()));
    QVERIFY(serve(*server_, kGgufRepository, QStringLiteral("stories260K.gguf"), shared(QStringLiteral("stories260K.gguf"))));
    const QDir folder(shared(kGptqFolder));
    for (const QString& name : folder.entryList(QDir::Files))
        QVERIFY(serve(*server_, kGptqRepository, name, folder.filePath(name)));
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestHfSearch::quantizationFromFileName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("quantization");
    QTest::newRow("lower case") << "qwen2.5-0.5b-instruct-q4_k_m.gguf" << "Q4_K_M";
    QTest::newRow("upper case") << "Llama-3.2-1B-Instruct-Q4_K_M.gguf" << "Q4_K_M";
    QTest::newRow("dot separated") << "tinyllama-1.1b-chat-v1.0.Q8_0.gguf" << "Q8_0";
    QTest::newRow("i-quant") << "Qwen2.5-7B-Instruct-IQ4_XS.gguf" << "IQ4_XS";
    QTest::newRow("k-quant small") << "model-Q3_K_S.gguf" << "Q3_K_S";
    QTest::newRow("k-quant xl") << "model-Q6_K_XL.gguf" << "Q6_K_XL";
    QTest::newRow("plain k") << "model.Q6_K.gguf" << "Q6_K";
    QTest::newRow("f16") << "model-f16.gguf" << "F16";
    QTest::newRow("bf16") << "model-BF16.gguf" << "BF16";
    QTest::newRow("fp16 spelling") << "model-fp16.gguf" << "F16";
    QTest::newRow("in a folder") << "Q4_K_M/model-Q4_K_M.gguf" << "Q4_K_M";
    QTest::newRow("split part") << "qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf" << "Q4_K_M";
    QTest::newRow("no type") << "Phi-3-mini-4k-instruct-q4.gguf" << "";
    QTest::newRow("type inside a word") << "modelq4_0x.gguf" << "";
}

void TestHfSearch::quantizationFromFileName()
{
    QFETCH(QString, name);
    QFETCH(QString, quantization);
    QCOMPARE(guessQuantization(name), quantization);
}

void TestHfSearch::splitPartsAreRecognized()
{
    QVERIFY(isSplitGgufPart(QStringLiteral("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf")));
    QVERIFY(!isSplitGgufPart(QStringLiteral("qwen2.5-0.5b-instruct-q4_k_m.gguf")));
    QVERIFY(isFolderModelFile(QStringLiteral("model-00001-of-00002.safetensors")));
    QVERIFY(isFolderModelFile(QStringLiteral("config.json")));
    QVERIFY(isFolderModelFile(QStringLiteral("tokenizer.model")));
    QVERIFY(!isFolderModelFile(QStringLiteral("README.md")));
    QVERIFY(!isFolderModelFile(QStringLiteral("pytorch_model.bin")));
    QVERIFY(!isFolderModelFile(QStringLiteral("onnx/model.safetensors")));
}

void TestHfSearch::formatFromTagsAndName()
{
    QCOMPARE(guessRepositoryFormat(QStringLiteral("a/b"), {QStringLiteral("gguf")}), QStringLiteral("GGUF"));
    QCOMPARE(guessRepositoryFormat(QStringLiteral("a/b"), {QStringLiteral("4-bit"), QStringLiteral("gptq")}),
             QStringLiteral("GPTQ"));
    QCOMPARE(guessRepositoryFormat(QStringLiteral("TheBloke/Mistral-7B-Instruct-v0.2-AWQ"), {}), QStringLiteral("AWQ"));
    QCOMPARE(guessRepositoryFormat(QStringLiteral("Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int4"), {}), QStringLiteral("GPTQ"));
    QCOMPARE(guessRepositoryFormat(QStringLiteral("someone/ggufish-model"), {}), QString());
}

void TestHfSearch::searchUrlHasTheApiParameters()
{
    const QUrl url = hubSearchUrl(QUrl(QStringLiteral("https://huggingface.co")), QStringLiteral(" qwen 2.5 "),
                                  QStringLiteral("GGUF"), 30);
    QCOMPARE(url.path(), QStringLiteral("/api/models"));
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue(QStringLiteral("search")), QStringLiteral("qwen 2.5"));
    QCOMPARE(query.queryItemValue(QStringLiteral("filter")), QStringLiteral("gguf"));
    QCOMPARE(query.queryItemValue(QStringLiteral("sort")), QStringLiteral("downloads"));
    QCOMPARE(query.queryItemValue(QStringLiteral("direction")), QStringLiteral("-1"));
    QCOMPARE(query.queryItemValue(QStringLiteral("limit")), QStringLiteral("30"));
    QCOMPARE(hubTreeUrl(QUrl(QStringLiteral("http://127.0.0.1:8080/mirror/")), QStringLiteral("a/b"), QStringLiteral("main"))
                 .toString(),
             QStringLiteral("http://127.0.0.1:8080/mirror/api/models/a/b/tree/main"));
}

void TestHfSearch::searchListsRepositories()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(!search.searched());
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gguf")));
    QCOMPARE(search.searchError(), QString());
    QVERIFY(search.searched());
    QVERIFY(!search.searching());

    // The entry without an owner and the one that is no object are skipped.
    QCOMPARE(repositoryIds(*search.results()),
             QStringList({QStringLiteral("Qwen/Qwen2.5-0.5B-Instruct-GGUF"), QStringLiteral("Qwen/Qwen2.5-7B-Instruct-GGUF"),
                          QStringLiteral("bartowski/Qwen2.5-1.5B-Instruct-GGUF")}));
    const HubRepositoryListModel& results = *search.results();
    QCOMPARE(results.data(results.index(0), HubRepositoryListModel::DownloadsRole).toLongLong(), 84211);
    QCOMPARE(results.data(results.index(0), HubRepositoryListModel::LikesRole).toLongLong(), 161);
    for (int row = 0; row < results.rowCount(); ++row)
        QCOMPARE(results.data(results.index(row), HubRepositoryListModel::FormatRole).toString(), QStringLiteral("GGUF"));

    // The request the server saw.
    const QStringList requests = server_->accessLog().filter(QStringLiteral("/api/models?"));
    QVERIFY(!requests.isEmpty());
    for (const char* part : {"search=qwen", "filter=gguf", "sort=downloads", "direction=-1", "limit=30", " 200 "})
        QVERIFY2(requests.last().contains(QLatin1String(part)), qPrintable(requests.last()));
}

void TestHfSearch::searchFindsFolderFormats()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gptq")));
    QCOMPARE(repositoryIds(*search.results()), QStringList{QStringLiteral("Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int4")});
    QCOMPARE(search.results()->repositories().first().format, QStringLiteral("GPTQ"));

    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("awq")));
    QCOMPARE(repositoryIds(*search.results()), QStringList{QStringLiteral("Qwen/Qwen2.5-1.5B-Instruct-AWQ")});
    QCOMPARE(search.results()->repositories().first().format, QStringLiteral("AWQ"));
}

void TestHfSearch::emptySearchHasNoResults()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(searchAndWait(search, QStringLiteral("nothing"), QStringLiteral("gguf")));
    QCOMPARE(search.searchError(), QString());
    QVERIFY(search.searched());
    QCOMPARE(search.results()->rowCount(), 0);
}

void TestHfSearch::listingShowsFilesAndFit()
{
    HuggingFaceSearch search([this] { return hub(); });
    search.setBudget(DeviceBudget{QString(), 0, 400'000'000});
    QVERIFY(listAndWait(search, QStringLiteral("Qwen/Qwen2.5-0.5B-Instruct-GGUF"), QStringLiteral("GGUF")));
    QCOMPARE(search.listError(), QString());
    const HubFileListModel& files = *search.files();
    QCOMPARE(files.repository(), QStringLiteral("Qwen/Qwen2.5-0.5B-Instruct-GGUF"));
    QCOMPARE(files.format(), QStringLiteral("GGUF"));
    QVERIFY(!files.isFolderModel());
    // Five files; the "examples" directory is not one.
    QCOMPARE(files.rowCount(), 5);
    QCOMPARE(fileRow(files, QStringLiteral("examples")), -1);

    // The Q4_K_M file: the LFS size and SHA-256, not Git's object id.
    const QString q4 = QStringLiteral("qwen2.5-0.5b-instruct-q4_k_m.gguf");
    QCOMPARE(fileRole(files, q4, HubFileListModel::SizeBytesRole).toLongLong(), 491400032);
    QCOMPARE(fileRole(files, q4, HubFileListModel::Sha256Role).toString(),
             QStringLiteral("74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db"));
    QCOMPARE(fileRole(files, q4, HubFileListModel::QuantizationRole).toString(), QStringLiteral("Q4_K_M"));
    QVERIFY(fileRole(files, q4, HubFileListModel::DownloadableRole).toBool());
    const qint64 memory = fileRole(files, q4, HubFileListModel::MemoryBytesRole).toLongLong();
    QCOMPARE(memory, estimateModelMemory(ModelShape{491400032}).totalBytes());

    // The fit before downloading: too large for 400 MB, fine for 8 GB.
    QCOMPARE(fileRole(files, q4, HubFileListModel::FitRole).toInt(), static_cast<int>(Fit::TooLarge));
    search.setBudget(DeviceBudget{QString(), 0, qint64{8} << 30});
    QCOMPARE(fileRole(files, q4, HubFileListModel::FitRole).toInt(), static_cast<int>(Fit::Fits));
    QVERIFY(!fileRole(files, q4, HubFileListModel::FitDetailsRole).toString().isEmpty());

    // The Q8_0 file has no usable LFS id, so no checksum; the server's
    // X-Linked-Etag is checked on download instead.
    const QString q8 = QStringLiteral("qwen2.5-0.5b-instruct-q8_0.gguf");
    QCOMPARE(fileRole(files, q8, HubFileListModel::QuantizationRole).toString(), QStringLiteral("Q8_0"));
    QCOMPARE(fileRole(files, q8, HubFileListModel::Sha256Role).toString(), QString());

    // Other files are listed without a Download button.
    QVERIFY(!fileRole(files, QStringLiteral("README.md"), HubFileListModel::IsModelFileRole).toBool());
    QVERIFY(!fileRole(files, QStringLiteral("README.md"), HubFileListModel::DownloadableRole).toBool());
}

void TestHfSearch::splitFilesAreNotDownloadable()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(listAndWait(search, QStringLiteral("Qwen/Qwen2.5-7B-Instruct-GGUF"), QStringLiteral("GGUF")));
    const HubFileListModel& files = *search.files();
    const QString part = QStringLiteral("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf");
    QVERIFY(fileRole(files, part, HubFileListModel::IsModelFileRole).toBool());
    QVERIFY(!fileRole(files, part, HubFileListModel::DownloadableRole).toBool());
    QVERIFY(fileRole(files, part, HubFileListModel::NoteRole).toString().contains(QStringLiteral("cannot load")));
}

void TestHfSearch::folderRepositoryIsOneDownload()
{
    HuggingFaceSearch search([this] { return hub(); });
    search.setBudget(DeviceBudget{QString(), 0, qint64{8} << 30});
    QVERIFY(listAndWait(search, kGptqRepository, QStringLiteral("GPTQ")));
    const HubFileListModel& files = *search.files();
    QVERIFY(files.isFolderModel());
    QCOMPARE(files.format(), QStringLiteral("GPTQ"));

    // Every file of the shared folder, and not the README.
    const QDir folder(shared(kGptqFolder));
    QStringList expected = folder.entryList(QDir::Files, QDir::Name);
    QStringList names;
    qint64 bytes = 0;
    for (const HubFile& file : files.folderFiles()) {
        names.append(file.path);
        QCOMPARE(file.size, QFileInfo(folder.filePath(file.path)).size());
        bytes += file.size;
    }
    names.sort();
    QCOMPARE(names, expected);
    QCOMPARE(files.folderFileCount(), expected.size());
    QCOMPARE(files.folderBytes(), bytes);
    QCOMPARE(files.folderFit(), static_cast<int>(Fit::Fits));
    QVERIFY(!files.folderFitText().isEmpty());
}

void TestHfSearch::fileDownloadsIntoLibrary()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("models"));
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    LibrarySettings librarySettings(settings, folder, folder);
    librarySettings.setHubUrl(hub());
    ModelListModel models(folder);
    InferenceService inference;
    ModelLibrary library(librarySettings, models, inference, nullptr, ModelLibrary::Chats{});

    // Step 1: search, list the repository, download a file of it.
    HuggingFaceSearch& search = *library.hub();
    QVERIFY(searchAndWait(search, QStringLiteral("stories"), QStringLiteral("gguf")));
    QCOMPARE(repositoryIds(*search.results()), QStringList{kGgufRepository});
    QVERIFY(listAndWait(search, kGgufRepository, search.results()->repositories().first().format));
    const QString id = library.downloadHubFile(QStringLiteral("stories260K.gguf"));
    QVERIFY2(!id.isEmpty(), qPrintable(library.lastError()));

    // The job carries the listing's size and checksum.
    const DownloadFileState& file = library.downloads()->job(id)->record().files.first();
    const QByteArray bytes = readBytes(shared(QStringLiteral("stories260K.gguf")));
    QCOMPARE(file.expectedSize, bytes.size());
    QCOMPARE(file.expectedSha256, QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(file.url, hub().resolved(QUrl(kGgufRepository + QStringLiteral("/resolve/main/stories260K.gguf"))));

    // Step 2: it lands in the library.
    QSignalSpy downloaded(&library, &ModelLibrary::modelDownloaded);
    QVERIFY(downloaded.wait(kTimeoutMs));
    const QString path = downloaded.first().first().toString();
    QCOMPARE(QFileInfo(path).fileName(), QStringLiteral("stories260K.gguf"));
    QVERIFY(QTest::qWaitFor([&] { return models.indexOfPath(path) >= 0 && !models.scanning(); }, kTimeoutMs));

    // A file the listing does not have, or a split part, is refused.
    QVERIFY(library.downloadHubFile(QStringLiteral("missing.gguf")).isEmpty());
    QVERIFY(library.downloadHubFile(QStringLiteral("README.md")).isEmpty());
}

void TestHfSearch::repositoryDownloadsIntoLibrary()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("models"));
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    LibrarySettings librarySettings(settings, folder, folder);
    librarySettings.setHubUrl(hub());
    ModelListModel models(folder);
    InferenceService inference;
    ModelLibrary library(librarySettings, models, inference, nullptr, ModelLibrary::Chats{});

    HuggingFaceSearch& search = *library.hub();
    QVERIFY(searchAndWait(search, QStringLiteral("stories"), QStringLiteral("gptq")));
    QCOMPARE(repositoryIds(*search.results()), QStringList{kGptqRepository});
    QVERIFY(listAndWait(search, kGptqRepository, search.results()->repositories().first().format));
    QSignalSpy downloaded(&library, &ModelLibrary::modelDownloaded);
    const QString id = library.downloadHubRepository();
    QVERIFY2(!id.isEmpty(), qPrintable(library.lastError()));
    QCOMPARE(library.downloads()->job(id)->record().files.size(), search.files()->folderFileCount());
    QVERIFY(downloaded.wait(kTimeoutMs));

    const QString path = downloaded.first().first().toString();
    QCOMPARE(QFileInfo(path).fileName(), QStringLiteral("stories260K-wide-GPTQ"));
    QVERIFY(!QFileInfo::exists(path + QStringLiteral("/README.md")));
    QVERIFY(QTest::qWaitFor([&] { return models.indexOfPath(path) >= 0 && !models.scanning(); }, kTimeoutMs));
    QCOMPARE(models.data(models.index(models.indexOfPath(path)), ModelListModel::FormatRole).toString(),
             QStringLiteral("GPTQ"));

    // A GGUF listing is not a folder download.
    QVERIFY(listAndWait(search, kGgufRepository, QStringLiteral("GGUF")));
    QVERIFY(library.downloadHubRepository().isEmpty());
    QVERIFY(library.lastError().contains(QStringLiteral("not a GPTQ, AWQ or safetensors model folder")));
}

void TestHfSearch::badJsonIsReported()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gguf")));
    QCOMPARE(search.results()->rowCount(), 3);

    // The cut-off response clears the earlier results.
    QVERIFY(searchAndWait(search, QStringLiteral("broken"), QStringLiteral("gguf")));
    QVERIFY2(search.searchError().contains(QStringLiteral("cannot be read")), qPrintable(search.searchError()));
    QVERIFY2(search.searchError().contains(QStringLiteral("not valid JSON")), qPrintable(search.searchError()));
    QCOMPARE(search.results()->rowCount(), 0);

    // Dismissing hides it.
    search.dismissErrors();
    QCOMPARE(search.searchError(), QString());
    QVERIFY(searchAndWait(search, QStringLiteral("broken"), QStringLiteral("gguf")));
    QVERIFY(!search.searchError().isEmpty());

    // The next good search clears the error.
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gguf")));
    QCOMPARE(search.searchError(), QString());
}

void TestHfSearch::listingThatIsNoListIsReported()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(listAndWait(search, QStringLiteral("quanta-test/broken-listing")));
    QVERIFY2(search.listError().contains(QStringLiteral("not a JSON array")), qPrintable(search.listError()));
    QCOMPARE(search.files()->rowCount(), 0);
}

void TestHfSearch::notFoundIsReported()
{
    HuggingFaceSearch search([this] { return hub(); });
    QVERIFY(listAndWait(search, QStringLiteral("quanta-test/no-such-model")));
    QVERIFY2(search.listError().contains(QStringLiteral("HTTP 404")), qPrintable(search.listError()));
    QVERIFY2(search.listError().contains(QStringLiteral("quanta-test/no-such-model")), qPrintable(search.listError()));
    QCOMPARE(search.files()->rowCount(), 0);
}

void TestHfSearch::tooManyRequestsIsReported()
{
    HuggingFaceSearch search([this] { return server_->url(QStringLiteral("/rate-limited")); });
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gguf")));
    QVERIFY2(search.searchError().contains(QStringLiteral("HTTP 429")), qPrintable(search.searchError()));
    QVERIFY2(search.searchError().contains(QStringLiteral("Wait a minute")), qPrintable(search.searchError()));
    QVERIFY(!server_->accessLog().filter(QStringLiteral("/rate-limited/api/models?")).isEmpty());
}

void TestHfSearch::unreachableServerIsReported()
{
    const QUrl offline(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort()));
    HuggingFaceSearch search([offline] { return offline; });
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("gguf")));
    QVERIFY2(search.searchError().contains(QStringLiteral("Cannot reach 127.0.0.1")), qPrintable(search.searchError()));
    QVERIFY2(search.searchError().contains(QStringLiteral("internet connection")), qPrintable(search.searchError()));

    QVERIFY(listAndWait(search, kGgufRepository));
    QVERIFY2(search.listError().contains(QStringLiteral("Cannot reach")), qPrintable(search.listError()));
}

void TestHfSearch::invalidRepositoryIsNotRequested()
{
    HuggingFaceSearch search([this] { return hub(); });
    const int before = static_cast<int>(server_->accessLog().size());
    for (const QString& name : {QStringLiteral("../../etc"), QStringLiteral("no-owner"), QStringLiteral("a/b/c")}) {
        QVERIFY(listAndWait(search, name));
        QVERIFY2(search.listError().contains(QStringLiteral("is not a Hugging Face repository name")),
                 qPrintable(search.listError()));
    }
    QVERIFY(searchAndWait(search, QStringLiteral("qwen"), QStringLiteral("exl2")));
    QVERIFY(search.searchError().contains(QStringLiteral("Unknown format")));
    QCOMPARE(static_cast<int>(server_->accessLog().size()), before);
}

QTEST_MAIN(TestHfSearch)
#include "test_hf_search.moc"
