// The recommended models of resources/catalog.json. The file parses and has
// at least 12 models covering GGUF Q4_K_M and Q8_0, GPTQ and AWQ. Every
// field is valid, every architecture is one the engine runs, and each stored
// memory figure is the estimate of its shape. The parser rejects each kind
// of broken entry with a message naming the field. A catalog download
// from nginx on 127.0.0.1 (files served under the catalog's repository and
// file names) lands in the library as a model; a download whose bytes do
// not match the catalog never does.

#include "model/model_graph.h"
#include "generation/inference_service.h"
#include "model_library/catalog.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "nginx_server.h"
#include "settings/library_settings.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace quanta;
using quanta::test::NginxServer;

namespace {

constexpr int kTimeoutMs = 60000;
const QString kTestRepository = QStringLiteral("quanta-test/stories260K-GGUF");
const QString kTestFolderRepository = QStringLiteral("quanta-test/stories260K-wide-GPTQ");
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

QByteArray sha256Hex(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray builtInJson()
{
    return readBytes(QStringLiteral(":/catalog/catalog.json"));
}

// Copies `source` to where nginx serves {repository}/resolve/main/{name}.
bool serve(const NginxServer& server, const QString& repository, const QString& name, const QString& source)
{
    const QString target = server.documentRoot() + QStringLiteral("/%1/resolve/main/%2").arg(repository, name);
    QDir().mkpath(QFileInfo(target).absolutePath());
    return QFile::copy(source, target);
}

// A valid GGUF entry, for the parser tests to break one field at a time.
QJsonObject validEntry()
{
    return QJsonObject{
        {QStringLiteral("id"), QStringLiteral("tiny-q8_0")},
        {QStringLiteral("name"), QStringLiteral("Tiny")},
        {QStringLiteral("repository"), QStringLiteral("owner/Tiny-GGUF")},
        {QStringLiteral("format"), QStringLiteral("GGUF")},
        {QStringLiteral("quantization"), QStringLiteral("Q8_0")},
        {QStringLiteral("architecture"), QStringLiteral("llama")},
        {QStringLiteral("parameters"), 1000000},
        {QStringLiteral("context_length"), 2048},
        {QStringLiteral("license"), QStringLiteral("mit")},
        {QStringLiteral("layers"), 2},
        {QStringLiteral("kv_heads"), 2},
        {QStringLiteral("head_dim"), 8},
        {QStringLiteral("size_bytes"), 1000},
        {QStringLiteral("memory_bytes"), 1000 + 2 * 2 * 16 * 2 * 2048},
        {QStringLiteral("files"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("tiny-q8_0.gguf")}, {QStringLiteral("size"), 1000}}}},
    };
}

QByteArray catalogJson(const QJsonArray& models)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("models"), models}}).toJson();
}

} // namespace

class TestCatalog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void builtInCatalogIsValid();
    void builtInCatalogCoversFormats();
    void builtInArchitecturesAreSupported();
    void memoryIsTheEstimate();
    void downloadRequestUsesRepositoryLayout();
    void parserRejectsBrokenEntries_data();
    void parserRejectsBrokenEntries();
    void parserRejectsDuplicates();

    void catalogFileDownloadsIntoLibrary();
    void catalogFolderDownloadsIntoLibrary();
    void mismatchedDownloadNeverListed();

private:
    struct Library {
        QTemporaryDir dir;
        std::unique_ptr<QSettings> settings;
        std::unique_ptr<LibrarySettings> librarySettings;
        std::unique_ptr<ModelListModel> models;
        std::unique_ptr<InferenceService> inference;
        std::unique_ptr<ModelLibrary> library;
    };
    std::unique_ptr<Library> makeLibrary(const QList<CatalogEntry>& entries) const;
    bool waitForDownload(ModelLibrary& library, const QString& id, QString* path) const;

    QList<CatalogEntry> builtIn_;
    std::unique_ptr<NginxServer> server_;
};

void TestCatalog::initTestCase()
{
    QString error;
    const auto entries = parseCatalog(builtInJson(), &error);
    QVERIFY2(entries.has_value(), qPrintable(error));
    builtIn_ = *entries;

    if (!test::shared_available())
        return;
    if (!NginxServer::available())
        return;
    server_ = std::make_unique<NginxServer>();
    QVERIFY(serve(*server_, kTestRepository, QStringLiteral("stories260K.gguf"), shared(QStringLiteral("stories260K.gguf"))));
    const QDir folder(shared(kGptqFolder));
    for (const QString& name : folder.entryList(QDir::Files))
        QVERIFY(serve(*server_, kTestFolderRepository, name, folder.filePath(name)));
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestCatalog::builtInCatalogIsValid()
{
    QVERIFY(builtIn_.size() >= 12);
    QCOMPARE(builtInCatalog().size(), builtIn_.size());
    for (const CatalogEntry& entry : builtIn_) {
        QVERIFY2(!entry.name.isEmpty(), qPrintable(entry.id));
        QVERIFY2(entry.repository.count(QLatin1Char('/')) == 1, qPrintable(entry.id));
        QVERIFY2(entry.parameters >= 100'000'000, qPrintable(entry.id));
        QVERIFY2(entry.contextLength >= 2048, qPrintable(entry.id));
        QVERIFY2(!entry.license.isEmpty(), qPrintable(entry.id));
        QVERIFY2(entry.memoryBytes > entry.sizeBytes, qPrintable(entry.id));

        // A GGUF model is one file with its exact size. The folder formats
        // list config.json and weights.
        if (entry.format == QLatin1String("GGUF")) {
            QCOMPARE(entry.files.size(), 1);
            QVERIFY2(entry.files.first().name.endsWith(QLatin1String(".gguf")), qPrintable(entry.id));
            QCOMPARE(entry.files.first().size, entry.sizeBytes);
            QVERIFY2(!entry.sizeIsEstimate, qPrintable(entry.id));
        } else {
            QStringList names;
            for (const CatalogFile& file : entry.files)
                names.append(file.name);
            QVERIFY2(names.contains(QStringLiteral("config.json")), qPrintable(entry.id));
            QVERIFY2(names.contains(QStringLiteral("tokenizer.json")), qPrintable(entry.id));
            QVERIFY2(names.filter(QStringLiteral(".safetensors")).size() >= 1, qPrintable(entry.id));
        }
        for (const CatalogFile& file : entry.files) {
            if (!file.sha256.isEmpty())
                QCOMPARE(file.sha256.size(), 64);
        }
    }
}

void TestCatalog::builtInCatalogCoversFormats()
{
    QSet<QString> kinds;
    qint64 smallest = std::numeric_limits<qint64>::max();
    qint64 largest = 0;
    for (const CatalogEntry& entry : builtIn_) {
        kinds.insert(entry.format == QLatin1String("GGUF") ? entry.quantization : entry.format);
        smallest = std::min(smallest, entry.parameters);
        largest = std::max(largest, entry.parameters);
    }
    for (const char* kind : {"Q4_K_M", "Q8_0", "GPTQ", "AWQ"})
        QVERIFY2(kinds.contains(QLatin1String(kind)), kind);
    // Sizes from under 1B to 7B parameters.
    QVERIFY(smallest < 1'000'000'000);
    QVERIFY(largest >= 7'000'000'000);
}

void TestCatalog::builtInArchitecturesAreSupported()
{
    QStringList engine;
    for (const std::string& name : ModelGraph::supported_architectures())
        engine.append(QString::fromStdString(name));
    for (const CatalogEntry& entry : builtIn_) {
        if (entry.isFolder()) {
            const bool folderArchitecture =
                entry.architecture == QLatin1String("llama") || entry.architecture == QLatin1String("qwen2");
            QVERIFY2(folderArchitecture, qPrintable(entry.id + QStringLiteral(": ") + entry.architecture));
        } else {
            QVERIFY2(engine.contains(entry.architecture), qPrintable(entry.id + QStringLiteral(": ") + entry.architecture));
        }
    }
}

void TestCatalog::memoryIsTheEstimate()
{
    for (const CatalogEntry& entry : builtIn_) {
        const MemoryEstimate estimate = estimateModelMemory(entry.shape());
        QVERIFY2(estimate.kvCacheKnown, qPrintable(entry.id));
        QCOMPARE(entry.memoryBytes, estimate.totalBytes());
    }
}

void TestCatalog::downloadRequestUsesRepositoryLayout()
{
    const QUrl hub(QStringLiteral("https://huggingface.co"));
    for (const CatalogEntry& entry : builtIn_) {
        const DownloadRequest request = entry.downloadRequest(hub);
        QCOMPARE(request.files.size(), entry.files.size());
        QCOMPARE(request.folder, entry.isFolder());
        QCOMPARE(request.destinationName, entry.destinationName());
        for (qsizetype i = 0; i < entry.files.size(); ++i) {
            const QString expected =
                QStringLiteral("https://huggingface.co/%1/resolve/main/%2").arg(entry.repository, entry.files[i].name);
            QCOMPARE(request.files[i].url.toString(), expected);
            QCOMPARE(request.files[i].expectedSize, entry.files[i].size);
            QCOMPARE(request.files[i].expectedSha256, entry.files[i].sha256);
        }
    }
    // A test server's address with a path keeps it.
    const DownloadRequest local = builtIn_.first().downloadRequest(QUrl(QStringLiteral("http://127.0.0.1:8080/hub/")));
    QVERIFY(local.files.first().url.toString().startsWith(QStringLiteral("http://127.0.0.1:8080/hub/") +
                                                          builtIn_.first().repository + QStringLiteral("/resolve/main/")));
}

void TestCatalog::parserRejectsBrokenEntries_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("message");

    QTest::newRow("id missing") << "id" << QJsonValue(QJsonValue::Undefined) << "\"id\" must be a non-empty string";
    QTest::newRow("id with spaces") << "id" << QJsonValue(QStringLiteral("Tiny model")) << "\"id\" must use";
    QTest::newRow("repository without owner") << "repository" << QJsonValue(QStringLiteral("Tiny-GGUF"))
                                              << "\"repository\" must be owner/name";
    QTest::newRow("repository escaping") << "repository" << QJsonValue(QStringLiteral("../x")) << "\"repository\"";
    QTest::newRow("unknown format") << "format" << QJsonValue(QStringLiteral("EXL2")) << "\"format\" must be GGUF, GPTQ or AWQ";
    QTest::newRow("unsupported architecture") << "architecture" << QJsonValue(QStringLiteral("mamba"))
                                              << "architecture \"mamba\" is not one Quanta runs";
    QTest::newRow("parameters a string") << "parameters" << QJsonValue(QStringLiteral("1B")) << "\"parameters\" must be a whole number";
    QTest::newRow("parameters fractional") << "parameters" << QJsonValue(1.5) << "\"parameters\" must be a whole number";
    QTest::newRow("context zero") << "context_length" << QJsonValue(0) << "\"context_length\"";
    QTest::newRow("licence empty") << "license" << QJsonValue(QStringLiteral("")) << "\"license\"";
    QTest::newRow("negative size") << "size_bytes" << QJsonValue(-1) << "\"size_bytes\"";
    QTest::newRow("size not the sum") << "size_bytes" << QJsonValue(999) << "the files add up to 1000";
    QTest::newRow("memory below size") << "memory_bytes" << QJsonValue(10) << "\"memory_bytes\" 10 is less";
    QTest::newRow("estimate not a boolean") << "size_is_estimate" << QJsonValue(QStringLiteral("yes")) << "true or false";
    QTest::newRow("no files") << "files" << QJsonValue(QJsonArray{}) << "\"files\" must be a non-empty array";
    QTest::newRow("file escaping") << "files"
                                   << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("../x.gguf")},
                                                                        {QStringLiteral("size"), 1000}}})
                                   << "invalid file name";
    QTest::newRow("bad sha256") << "files"
                                << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("tiny-q8_0.gguf")},
                                                                     {QStringLiteral("size"), 1000},
                                                                     {QStringLiteral("sha256"), QStringLiteral("abc")}}})
                                << "\"sha256\" must be 64 lowercase hexadecimal digits";
    QTest::newRow("gguf without size") << "files"
                                       << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("tiny-q8_0.gguf")}}})
                                       << "needs its \"size\"";
    QTest::newRow("two gguf files")
        << "files"
        << QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("a.gguf")}, {QStringLiteral("size"), 500}},
                                 QJsonObject{{QStringLiteral("name"), QStringLiteral("b.gguf")}, {QStringLiteral("size"), 500}}})
        << "exactly one .gguf file";
}

void TestCatalog::parserRejectsBrokenEntries()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);

    QJsonObject entry = validEntry();
    if (value.isUndefined())
        entry.remove(key);
    else
        entry.insert(key, value);
    QString error;
    QVERIFY(!parseCatalog(catalogJson({entry}), &error).has_value());
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(error.startsWith(QStringLiteral("model 1")), qPrintable(error));

    // The untouched entry parses, so the change above is what failed.
    QVERIFY2(parseCatalog(catalogJson({validEntry()}), &error).has_value(), qPrintable(error));
}

void TestCatalog::parserRejectsDuplicates()
{
    QString error;
    QVERIFY(!parseCatalog(catalogJson({validEntry(), validEntry()}), &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("is used twice")), qPrintable(error));

    QJsonObject other = validEntry();
    other.insert(QStringLiteral("id"), QStringLiteral("other"));
    QVERIFY(!parseCatalog(catalogJson({validEntry(), other}), &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("also saved as")), qPrintable(error));

    QVERIFY(!parseCatalog("{\"version\": 2, \"models\": []}", &error).has_value());
    QVERIFY(!parseCatalog("[1, 2", &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("invalid JSON")), qPrintable(error));
}

std::unique_ptr<TestCatalog::Library> TestCatalog::makeLibrary(const QList<CatalogEntry>& entries) const
{
    auto lib = std::make_unique<Library>();
    const QString folder = lib->dir.filePath(QStringLiteral("models"));
    QDir().mkpath(folder);
    lib->settings = std::make_unique<QSettings>(lib->dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    lib->librarySettings = std::make_unique<LibrarySettings>(*lib->settings, folder, folder);
    lib->librarySettings->setHubUrl(server_->url(QStringLiteral("/")));
    lib->models = std::make_unique<ModelListModel>(folder);
    lib->inference = std::make_unique<InferenceService>();
    lib->library = std::make_unique<ModelLibrary>(*lib->librarySettings, *lib->models, *lib->inference, nullptr,
                                                  ModelLibrary::Chats{});
    lib->library->catalog()->setEntries(entries);
    return lib;
}

bool TestCatalog::waitForDownload(ModelLibrary& library, const QString& id, QString* path) const
{
    const bool ended = QTest::qWaitFor(
        [&] {
            const DownloadJob* job = library.downloads()->job(id);
            return job && (job->state() == DownloadJob::State::Completed || job->state() == DownloadJob::State::Failed);
        },
        kTimeoutMs);
    const DownloadJob* job = library.downloads()->job(id);
    if (!ended || !job)
        return false;
    *path = job->state() == DownloadJob::State::Completed ? job->installedPath() : job->error();
    return job->state() == DownloadJob::State::Completed;
}

void TestCatalog::catalogFileDownloadsIntoLibrary()
{
    if (!server_)
        QSKIP("nginx or the shared models are missing");

    // The smallest GGUF entry of the real catalog, with the fixture's size
    // and checksum, served under the entry's own repository and file name.
    CatalogEntry entry = builtIn_.first();
    for (const CatalogEntry& candidate : builtIn_) {
        if (!candidate.isFolder() && candidate.sizeBytes < entry.sizeBytes)
            entry = candidate;
    }
    QVERIFY(!entry.isFolder());
    const QByteArray fixture = readBytes(shared(QStringLiteral("stories260K.gguf")));
    entry.files[0].size = fixture.size();
    entry.files[0].sha256 = sha256Hex(fixture);
    entry.sizeBytes = fixture.size();
    QVERIFY(serve(*server_, entry.repository, entry.files[0].name, shared(QStringLiteral("stories260K.gguf"))));

    auto lib = makeLibrary({entry});
    const CatalogModel& catalog = *lib->library->catalog();
    QCOMPARE(catalog.data(catalog.index(0), CatalogModel::InstalledRole).toBool(), false);

    // Step 1: download it through the library, as the Download button does.
    const QString id = lib->library->downloadCatalogModel(entry.id);
    QVERIFY2(!id.isEmpty(), qPrintable(lib->library->lastError()));
    QVERIFY(catalog.data(catalog.index(0), CatalogModel::DownloadingRole).toBool());
    QString path;
    QVERIFY2(waitForDownload(*lib->library, id, &path), qPrintable(path));
    QCOMPARE(QFileInfo(path).fileName(), entry.files[0].name);
    QCOMPARE(readBytes(path), fixture);
    const QStringList requests = server_->accessLog().filter(entry.repository + QStringLiteral("/resolve/main/") +
                                                             entry.files[0].name);
    QVERIFY2(!requests.isEmpty(), qPrintable(server_->accessLog().join(QLatin1Char('\n'))));

    // Step 2: the library lists it, read like any other model, and the
    // catalog shows it installed.
    QVERIFY(QTest::qWaitFor([&] { return lib->models->indexOfPath(path) >= 0 && !lib->models->scanning(); }, kTimeoutMs));
    const int row = lib->models->indexOfPath(path);
    QCOMPARE(lib->models->data(lib->models->index(row), ModelListModel::ArchitectureRole).toString(), QStringLiteral("llama"));
    QCOMPARE(lib->models->data(lib->models->index(row), ModelListModel::FormatRole).toString(), QStringLiteral("GGUF"));
    QCOMPARE(catalog.data(catalog.index(0), CatalogModel::InstalledRole).toBool(), true);
    QCOMPARE(catalog.data(catalog.index(0), CatalogModel::DownloadingRole).toBool(), false);

    // Step 3: a second download of the same model is refused.
    QVERIFY(lib->library->downloadCatalogModel(entry.id).isEmpty());
    QVERIFY(lib->library->lastError().contains(QStringLiteral("in the models folder already")));
}

void TestCatalog::catalogFolderDownloadsIntoLibrary()
{
    if (!server_)
        QSKIP("nginx or the shared models are missing");

    // A GPTQ entry for the shared folder, with every file's size and SHA-256.
    QString error;
    auto parsed = parseCatalog(catalogJson({validEntry()}), &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    CatalogEntry entry = parsed->first();
    entry.id = QStringLiteral("stories-gptq");
    entry.repository = kTestFolderRepository;
    entry.format = QStringLiteral("GPTQ");
    entry.quantization = QStringLiteral("4-bit, group 128");
    entry.files.clear();
    entry.sizeBytes = 0;
    const QDir folder(shared(kGptqFolder));
    for (const QString& name : folder.entryList(QDir::Files, QDir::Name)) {
        const QByteArray bytes = readBytes(folder.filePath(name));
        entry.files.append({name, bytes.size(), sha256Hex(bytes)});
        entry.sizeBytes += bytes.size();
    }

    auto lib = makeLibrary({entry});
    const QString id = lib->library->downloadCatalogModel(entry.id);
    QVERIFY2(!id.isEmpty(), qPrintable(lib->library->lastError()));
    QCOMPARE(lib->library->downloads()->job(id)->record().files.size(), entry.files.size());
    QString path;
    QVERIFY2(waitForDownload(*lib->library, id, &path), qPrintable(path));
    QCOMPARE(QFileInfo(path).fileName(), QStringLiteral("stories260K-wide-GPTQ"));
    QVERIFY(QFileInfo(path).isDir());

    QVERIFY(QTest::qWaitFor([&] { return lib->models->indexOfPath(path) >= 0 && !lib->models->scanning(); }, kTimeoutMs));
    const int row = lib->models->indexOfPath(path);
    QCOMPARE(lib->models->data(lib->models->index(row), ModelListModel::FormatRole).toString(), QStringLiteral("GPTQ"));
    QCOMPARE(lib->models->data(lib->models->index(row), ModelListModel::ProblemRole).toString(), QString());
}

void TestCatalog::mismatchedDownloadNeverListed()
{
    if (!server_)
        QSKIP("nginx or the shared models are missing");

    // The real entry expects its published size and checksum; the server
    // has the fixture under that name, so the download must fail.
    CatalogEntry entry;
    for (const CatalogEntry& candidate : builtIn_) {
        if (!candidate.isFolder() && !candidate.files.first().sha256.isEmpty()) {
            entry = candidate;
            break;
        }
    }
    QVERIFY(!entry.id.isEmpty());
    QVERIFY(serve(*server_, entry.repository, entry.files[0].name, shared(QStringLiteral("stories260K.gguf"))));
    auto lib = makeLibrary({entry});
    lib->library->downloads()->setDiskSpaceForTesting(qint64{1} << 40);
    const QString id = lib->library->downloadCatalogModel(entry.id);
    QVERIFY2(!id.isEmpty(), qPrintable(lib->library->lastError()));
    QString error;
    QVERIFY(!waitForDownload(*lib->library, id, &error));
    QVERIFY2(!error.isEmpty(), "the failed job has no error");

    lib->models->refresh();
    QVERIFY(QTest::qWaitFor([&] { return !lib->models->scanning(); }, kTimeoutMs));
    QCOMPARE(lib->models->rowCount(), 0);
    const CatalogModel& catalog = *lib->library->catalog();
    QCOMPARE(catalog.data(catalog.index(0), CatalogModel::InstalledRole).toBool(), false);
}

QTEST_MAIN(TestCatalog)
#include "test_catalog.moc"
