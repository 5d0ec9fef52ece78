// The model library on real files. Shared GGUF models and GPTQ/AWQ folders
// linked into a temporary models folder are listed with their format,
// quantization, parameters, context length and architecture. The memory
// estimate and the fit follow the device budget. Deleting removes the model
// and nothing else. The folder setting is saved, checked and followed by
// the list and the downloads, and unfinished downloads are never listed.

#include "downloads/download_state.h"
#include "engine/memory_plan.h"
#include "generation/inference_service.h"
#include "model_library/device_budget.h"
#include "model_library/memory_fit.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "settings/library_settings.h"
#include "test_support.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace quanta;

namespace {

constexpr int kTimeoutMs = 60000;

QString shared(const QString& relative)
{
    return QString::fromStdString(test::shared_path("models/" + relative.toStdString()));
}

// Links `relative` under shared/models into `folder` as `name`.
bool linkShared(const QString& folder, const QString& relative, const QString& name)
{
    return QFile::link(shared(relative), QDir(folder).filePath(name));
}

// Copies a shared Hugging Face folder, so that it can be deleted.
bool copySharedFolder(const QString& relative, const QString& destination)
{
    const QDir source(shared(relative));
    if (!QDir().mkpath(destination))
        return false;
    for (const QString& name : source.entryList(QDir::Files)) {
        if (!QFile::copy(source.filePath(name), QDir(destination).filePath(name)))
            return false;
    }
    return true;
}

bool waitForScan(const ModelListModel& models)
{
    return QTest::qWaitFor([&] { return !models.scanning(); }, kTimeoutMs);
}

QVariant role(const ModelListModel& models, const QString& path, int role)
{
    const int row = models.indexOfPath(path);
    return row < 0 ? QVariant() : models.data(models.index(row), role);
}

// What the memory estimate adds for an F16 KV cache: layers x KV heads x
// (key + value length) x 2 bytes per token, for min(context, 4096) tokens.
qint64 kvCacheBytes(qint64 layers, qint64 kvHeads, qint64 headSize, qint64 context)
{
    return layers * kvHeads * (headSize + headSize) * 2 * std::min<qint64>(context, kChatContextLimit);
}

struct Library {
    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<LibrarySettings> librarySettings;
    std::unique_ptr<ModelListModel> models;
    std::unique_ptr<InferenceService> inference;
    std::unique_ptr<ModelLibrary> library;

    QString folder() const { return dir.filePath(QStringLiteral("models")); }

    void create()
    {
        QDir().mkpath(folder());
        settings = std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        librarySettings = std::make_unique<LibrarySettings>(*settings, folder(), folder());
        models = std::make_unique<ModelListModel>(folder());
        inference = std::make_unique<InferenceService>();
        library = std::make_unique<ModelLibrary>(*librarySettings, *models, *inference, nullptr, ModelLibrary::Chats{});
    }
};

} // namespace

class TestLibrary : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void listsSharedModels();
    void memoryEstimateFromHeader();
    void fitFollowsBudget();
    void budgetFollowsDeviceChoice();
    void deleteRemovesOnlyTheModel();
    void deleteRejectsOtherPaths();
    void deleteRejectsLoadedModel();
    void folderSettingIsSaved();
    void folderSettingRejectsBadFolders();
    void libraryFollowsFolderSetting();
    void unfinishedDownloadIsNotListed();
};

void TestLibrary::initTestCase()
{
    // Numbers in the fit texts use the locale's digit grouping.
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    if (!test::shared_available())
        QSKIP("the shared models folder is missing");
}

void TestLibrary::listsSharedModels()
{
    Library lib;
    QVERIFY(lib.dir.isValid());
    QDir().mkpath(lib.folder());
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K-wide/stories260K-wide-Q4_K_M.gguf"),
                       QStringLiteral("stories260K-wide-Q4_K_M.gguf")));
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K-wide/stories260K-wide-Q8_0.gguf"),
                       QStringLiteral("stories260K-wide-Q8_0.gguf")));
    QVERIFY(linkShared(lib.folder(), QStringLiteral("hf/stories260K-wide-gptq-4bit-g128"),
                       QStringLiteral("stories260K-wide-gptq")));
    QVERIFY(linkShared(lib.folder(), QStringLiteral("hf/stories260K-wide-awq-gemm-4bit-g128"),
                       QStringLiteral("stories260K-wide-awq")));
    lib.create();
    QVERIFY(waitForScan(*lib.models));
    QCOMPARE(lib.models->rowCount(), 5);

    // stories260K has 48 F32 tensors of 292,800 elements, 5 blocks and a
    // 2048-token context. The widened model has 256-wide rows, so 2,231,040
    // elements.
    struct Expected {
        QString name;
        QString format;
        QString quantization;
        qint64 parameters;
        QString architecture;
        QString kind;
    };
    const QList<Expected> expected = {
        {QStringLiteral("stories260K.gguf"), QStringLiteral("GGUF"), QStringLiteral("F32"), 292800, QStringLiteral("llama"),
         QStringLiteral("GGUF file")},
        {QStringLiteral("stories260K-wide-Q4_K_M.gguf"), QStringLiteral("GGUF"), QStringLiteral("Q4_K_M"), 2231040,
         QStringLiteral("llama"), QStringLiteral("GGUF file")},
        {QStringLiteral("stories260K-wide-Q8_0.gguf"), QStringLiteral("GGUF"), QStringLiteral("Q8_0"), 2231040,
         QStringLiteral("llama"), QStringLiteral("GGUF file")},
        {QStringLiteral("stories260K-wide-gptq"), QStringLiteral("GPTQ"), QStringLiteral("GPTQ 4-bit, group 128"), 2231040,
         QStringLiteral("llama"), QStringLiteral("Hugging Face folder")},
        {QStringLiteral("stories260K-wide-awq"), QStringLiteral("AWQ"), QStringLiteral("AWQ 4-bit, group 128"), 2231040,
         QStringLiteral("llama"), QStringLiteral("Hugging Face folder")},
    };
    for (const Expected& model : expected) {
        const QString path = QDir(lib.folder()).filePath(model.name);
        QVERIFY2(lib.models->indexOfPath(path) >= 0, qPrintable(model.name));
        QCOMPARE(role(*lib.models, path, ModelListModel::ProblemRole).toString(), QString());
        QCOMPARE(role(*lib.models, path, ModelListModel::FormatRole).toString(), model.format);
        QCOMPARE(role(*lib.models, path, ModelListModel::QuantizationRole).toString(), model.quantization);
        QCOMPARE(role(*lib.models, path, ModelListModel::ParametersRole).toLongLong(), model.parameters);
        QCOMPARE(role(*lib.models, path, ModelListModel::ContextLengthRole).toInt(), 2048);
        QCOMPARE(role(*lib.models, path, ModelListModel::ArchitectureRole).toString(), model.architecture);
        QCOMPARE(role(*lib.models, path, ModelListModel::KindRole).toString(), model.kind);
        // Size on disk: the file, or the folder's safetensors, through the link.
        const QFileInfo target(QFileInfo(path).symLinkTarget());
        const qint64 size = target.isDir() ? QFileInfo(target.filePath() + QStringLiteral("/model.safetensors")).size()
                                           : target.size();
        QCOMPARE(role(*lib.models, path, ModelListModel::SizeBytesRole).toLongLong(), size);
    }
}

void TestLibrary::memoryEstimateFromHeader()
{
    Library lib;
    QDir().mkpath(lib.folder());
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    QVERIFY(linkShared(lib.folder(), QStringLiteral("hf/stories260K-wide-gptq-4bit-g128"),
                       QStringLiteral("stories260K-wide-gptq")));
    lib.create();
    QVERIFY(waitForScan(*lib.models));

    // stories260K: 5 blocks, 4 KV heads of 8 values, F32 weights of 292,800
    // elements, 2048 tokens of context.
    const QString gguf = QDir(lib.folder()).filePath(QStringLiteral("stories260K.gguf"));
    const auto ggufInfo = lib.models->info(gguf);
    QVERIFY(ggufInfo.has_value());
    QCOMPARE(ggufInfo->layerCount, 5);
    QCOMPARE(ggufInfo->kvHeadCount, 4);
    QCOMPARE(ggufInfo->keyLength, 8);
    QCOMPARE(ggufInfo->valueLength, 8);
    QCOMPARE(ggufInfo->weightBytes, qint64{292800} * 4);

    // The need is the engine's plan for the CPU at the chat context: the
    // weights, the F16 KV cache of 2048 tokens and the buffers.
    const MemoryPlan plan = plan_memory(describe_model_memory(gguf.toStdString()), MemoryPlanRequest{});
    QCOMPARE(plan.n_ctx, 2048);
    QCOMPARE(static_cast<qint64>(plan.kv_cache), kvCacheBytes(5, 4, 8, 2048));
    QCOMPARE(ggufInfo->plannedKvCacheBytes, kvCacheBytes(5, 4, 8, 2048));
    const qint64 planned = static_cast<qint64>(plan.weights_total + plan.kv_cache + plan.scratch);
    QCOMPARE(role(*lib.models, gguf, ModelListModel::MemoryBytesRole).toLongLong(), planned);
    QVERIFY(planned > qint64{292800} * 4 + kvCacheBytes(5, 4, 8, 2048));
    QVERIFY(role(*lib.models, gguf, ModelListModel::FitDetailsRole).toString().contains(QStringLiteral("2,048 tokens")));

    // Without a plan, the simple estimate: weights plus the F16 KV cache.
    ModelShape shape;
    shape.weightBytes = ggufInfo->weightBytes;
    shape.layerCount = 5;
    shape.kvHeadCount = 4;
    shape.keyLength = 8;
    shape.valueLength = 8;
    shape.contextLength = 2048;
    QCOMPARE(estimateModelMemory(shape).totalBytes(), qint64{292800} * 4 + kvCacheBytes(5, 4, 8, 2048));
    shape.contextLength = 131072;
    QCOMPARE(estimateModelMemory(shape).contextTokens, kChatContextLimit);
    shape.layerCount = 0;
    QVERIFY(!estimateModelMemory(shape).kvCacheKnown);
    QCOMPARE(estimateModelMemory(shape).kvCacheBytes,
             static_cast<qint64>(static_cast<double>(shape.weightBytes) * kUnknownKvCacheFraction));

    // The GPTQ folder: the shape from config.json (16 KV heads of 8 values).
    const QString folder = QDir(lib.folder()).filePath(QStringLiteral("stories260K-wide-gptq"));
    const auto folderInfo = lib.models->info(folder);
    QVERIFY(folderInfo.has_value());
    QCOMPARE(folderInfo->layerCount, 5);
    QCOMPARE(folderInfo->kvHeadCount, 16);
    QCOMPARE(folderInfo->keyLength, 8);
    QCOMPARE(folderInfo->plannedKvCacheBytes, kvCacheBytes(5, 16, 8, 2048));
    QVERIFY(role(*lib.models, folder, ModelListModel::MemoryBytesRole).toLongLong() >=
            folderInfo->plannedWeightBytes + kvCacheBytes(5, 16, 8, 2048));
}

void TestLibrary::fitFollowsBudget()
{
    Library lib;
    QDir().mkpath(lib.folder());
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    lib.create();
    QVERIFY(waitForScan(*lib.models));
    const QString path = QDir(lib.folder()).filePath(QStringLiteral("stories260K.gguf"));
    const qint64 needed = role(*lib.models, path, ModelListModel::MemoryBytesRole).toLongLong();
    QVERIFY(needed > 0);

    // A tiny CPU budget: too large.
    lib.library->setBudgetForTesting(DeviceBudget{QString(), 0, 1000});
    QCOMPARE(role(*lib.models, path, ModelListModel::FitRole).toInt(), static_cast<int>(Fit::TooLarge));
    QCOMPARE(role(*lib.models, path, ModelListModel::FitTextRole).toString(), QStringLiteral("Too large for this computer"));

    // Exactly the need in RAM: fits.
    lib.library->setBudgetForTesting(DeviceBudget{QString(), 0, needed});
    QCOMPARE(role(*lib.models, path, ModelListModel::FitRole).toInt(), static_cast<int>(Fit::Fits));
    QCOMPARE(role(*lib.models, path, ModelListModel::FitTextRole).toString(), QStringLiteral("Fits the memory"));

    // A GPU one byte short, with RAM for the rest: partly on the CPU.
    lib.library->setBudgetForTesting(DeviceBudget{QStringLiteral("Test GPU"), needed - 1, needed});
    QCOMPARE(role(*lib.models, path, ModelListModel::FitRole).toInt(), static_cast<int>(Fit::PartlyOnCpu));
    QVERIFY(role(*lib.models, path, ModelListModel::FitDetailsRole).toString().contains(QStringLiteral("Test GPU")));

    // A GPU with room for it.
    lib.library->setBudgetForTesting(DeviceBudget{QStringLiteral("Test GPU"), needed, needed});
    QCOMPARE(role(*lib.models, path, ModelListModel::FitRole).toInt(), static_cast<int>(Fit::Fits));
    QCOMPARE(role(*lib.models, path, ModelListModel::FitTextRole).toString(), QStringLiteral("Fits the GPU"));

    // The catalog follows the same budget: a 1000-byte computer fits none.
    lib.library->setBudgetForTesting(DeviceBudget{QString(), 0, 1000});
    const CatalogModel& catalog = *lib.library->catalog();
    QVERIFY(catalog.rowCount() >= 12);
    for (int row = 0; row < catalog.rowCount(); ++row)
        QCOMPARE(catalog.data(catalog.index(row), CatalogModel::FitRole).toInt(), static_cast<int>(Fit::TooLarge));
}

void TestLibrary::budgetFollowsDeviceChoice()
{
    // The backend's order: a software driver, an unusable GPU, then two GPUs.
    VulkanDeviceScan scan;
    const auto device = [](const char* uuid, const char* name, const char* kind, quint64 bytes, const char* reason) {
        VulkanDeviceEntry entry;
        entry.uuid = QLatin1String(uuid);
        entry.name = QLatin1String(name);
        entry.kind = QLatin1String(kind);
        entry.memoryBytes = bytes;
        entry.unusableReason = QLatin1String(reason);
        return entry;
    };
    scan.devices.push_back(device("00000000-0000-0000-0000-000000000001", "llvmpipe", "software", 1000, ""));
    scan.devices.push_back(device("00000000-0000-0000-0000-000000000002", "Old GPU", "discrete", 2000, "no 16-bit storage"));
    scan.devices.push_back(device("00000000-0000-0000-0000-000000000003", "Big GPU", "discrete", 8000, ""));
    scan.devices.push_back(device("00000000-0000-0000-0000-000000000004", "Small GPU", "integrated", 4000, ""));
    const qint64 ram = 16000;

    // "auto" skips the software driver and the unusable GPU.
    DeviceBudget budget = budgetForChoice(DeviceChoice{QStringLiteral("auto"), -1}, scan, ram);
    QCOMPARE(budget.deviceName, QStringLiteral("Big GPU"));
    QCOMPARE(budget.gpuBytes, 8000);
    QCOMPARE(budget.ramBytes, ram);

    // A device chosen by UUID, the software driver included.
    budget = budgetForChoice(DeviceChoice{QStringLiteral("00000000-0000-0000-0000-000000000004"), -1}, scan, ram);
    QCOMPARE(budget.deviceName, QStringLiteral("Small GPU"));
    budget = budgetForChoice(DeviceChoice{QStringLiteral("00000000-0000-0000-0000-000000000001"), -1}, scan, ram);
    QCOMPARE(budget.deviceName, QStringLiteral("llvmpipe"));

    // The CPU: "cpu", no GPU layers, an unusable or missing device.
    for (const DeviceChoice& choice :
         {DeviceChoice{QStringLiteral("cpu"), -1}, DeviceChoice{QStringLiteral("auto"), 0},
          DeviceChoice{QStringLiteral("00000000-0000-0000-0000-000000000002"), -1},
          DeviceChoice{QStringLiteral("00000000-0000-0000-0000-00000000ffff"), -1}}) {
        budget = budgetForChoice(choice, scan, ram);
        QVERIFY2(!budget.isGpu(), qPrintable(choice.device));
        QCOMPARE(budget.ramBytes, ram);
    }
    QVERIFY(!budgetForChoice(DeviceChoice{}, VulkanDeviceScan{}, ram).isGpu());
    QVERIFY(systemMemoryBytes() > 0);
}

void TestLibrary::deleteRemovesOnlyTheModel()
{
    Library lib;
    QDir().mkpath(lib.folder());
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    const QString keep = QDir(lib.folder()).filePath(QStringLiteral("notes.txt"));
    QFile notes(keep);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not a model");
    notes.close();
    const QString publisher = QDir(lib.folder()).filePath(QStringLiteral("publisher"));
    const QString folderModel = publisher + QStringLiteral("/stories260K-wide-gptq");
    QVERIFY(copySharedFolder(QStringLiteral("hf/stories260K-wide-gptq-4bit-g128"), folderModel));
    lib.create();
    QVERIFY(waitForScan(*lib.models));
    QCOMPARE(lib.models->rowCount(), 2);

    // A linked GGUF: the link goes, the shared file stays.
    const QString link = QDir(lib.folder()).filePath(QStringLiteral("stories260K.gguf"));
    QVERIFY2(lib.library->deleteModel(link), qPrintable(lib.library->lastError()));
    QVERIFY(!QFileInfo(link).isSymLink());
    QVERIFY(!QFileInfo::exists(link));
    QVERIFY(QFileInfo::exists(shared(QStringLiteral("stories260K.gguf"))));

    // A folder model in a subfolder: the folder goes, its parent stays.
    QVERIFY2(lib.library->deleteModel(folderModel), qPrintable(lib.library->lastError()));
    QVERIFY(!QFileInfo::exists(folderModel));
    QVERIFY(QFileInfo(publisher).isDir());
    QVERIFY(QFileInfo::exists(keep));
    QVERIFY(QTest::qWaitFor([&] { return lib.models->rowCount() == 0; }, kTimeoutMs));
}

void TestLibrary::deleteRejectsOtherPaths()
{
    Library lib;
    QDir().mkpath(lib.folder());
    QVERIFY(linkShared(lib.folder(), QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    const QString outside = lib.dir.filePath(QStringLiteral("outside.gguf"));
    QVERIFY(QFile::copy(shared(QStringLiteral("stories260K.gguf")), outside));
    const QString notModel = QDir(lib.folder()).filePath(QStringLiteral("notes.txt"));
    QFile notes(notModel);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.close();
    lib.create();
    QVERIFY(waitForScan(*lib.models));

    for (const QString& path : {outside, notModel, lib.folder(), lib.folder() + QStringLiteral("/../outside.gguf")}) {
        QVERIFY2(!lib.library->deleteModel(path), qPrintable(path));
        QVERIFY(lib.library->lastError().contains(QStringLiteral("not a model in the models folder")));
    }
    QVERIFY(QFileInfo::exists(outside));
    QVERIFY(QFileInfo::exists(notModel));
    QVERIFY(QFileInfo(lib.folder()).isDir());
}

void TestLibrary::deleteRejectsLoadedModel()
{
    Library lib;
    QDir().mkpath(lib.folder());
    const QString path = QDir(lib.folder()).filePath(QStringLiteral("stories260K.gguf"));
    QVERIFY(QFile::copy(shared(QStringLiteral("stories260K.gguf")), path));
    lib.create();
    QVERIFY(waitForScan(*lib.models));

    lib.library->loadModel(path);
    QVERIFY(QTest::qWaitFor([&] { return lib.inference->modelLoaded() && !lib.inference->loading(); }, kTimeoutMs));
    QVERIFY(!lib.library->deleteModel(path));
    QVERIFY(lib.library->lastError().contains(QStringLiteral("in use")));
    QVERIFY(QFileInfo::exists(path));
}

void TestLibrary::folderSettingIsSaved()
{
    QTemporaryDir dir;
    const QString settingsPath = dir.filePath(QStringLiteral("settings.ini"));
    const QString first = dir.filePath(QStringLiteral("first"));
    const QString second = dir.filePath(QStringLiteral("new/models"));
    {
        QSettings settings(settingsPath, QSettings::IniFormat);
        QCOMPARE(LibrarySettings::savedModelsFolder(settings, first), first);
        LibrarySettings library(settings, first, first);
        QSignalSpy changed(&library, &LibrarySettings::modelsFolderChanged);
        QVERIFY2(library.setModelsFolder(second), qPrintable(library.lastError()));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(library.modelsFolder(), second);
        QVERIFY(QFileInfo(second).isDir());
        QCOMPARE(library.modelsFolderUrl(), QUrl::fromLocalFile(second));
    }

    // Read back as main.cpp and `quanta-cli download` read it.
    {
        QSettings settings(settingsPath, QSettings::IniFormat);
        QCOMPARE(LibrarySettings::savedModelsFolder(settings, first), second);
        QCOMPARE(settings.value(LibrarySettings::kModelsFolderKey).toString(), second);

        // Reset goes back to the default and removes the setting.
        LibrarySettings library(settings, second, first);
        QVERIFY(library.resetModelsFolder());
        QCOMPARE(library.modelsFolder(), first);
        QVERIFY(!settings.contains(LibrarySettings::kModelsFolderKey));
    }
}

void TestLibrary::folderSettingRejectsBadFolders()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    const QString start = dir.filePath(QStringLiteral("models"));
    LibrarySettings library(settings, start, start);
    QSignalSpy changed(&library, &LibrarySettings::modelsFolderChanged);

    const QString file = dir.filePath(QStringLiteral("a-file"));
    QFile created(file);
    QVERIFY(created.open(QIODevice::WriteOnly));
    created.close();
    QVERIFY(!library.setModelsFolder(file));
    QVERIFY(library.lastError().contains(QStringLiteral("is a file, not a folder")));

    // /proc refuses new folders even for root.
    QVERIFY(!library.setModelsFolder(QStringLiteral("/proc/quanta-test-models")));
    QVERIFY(library.lastError().contains(QStringLiteral("Cannot create the folder")));

    QVERIFY(!library.setModelsFolder(QStringLiteral("   ")));
    QVERIFY(!library.setModelsFolderUrl(QUrl(QStringLiteral("https://example.invalid/models"))));

    QCOMPARE(changed.count(), 0);
    QCOMPARE(library.modelsFolder(), start);
    QVERIFY(!settings.contains(LibrarySettings::kModelsFolderKey));
}

void TestLibrary::libraryFollowsFolderSetting()
{
    Library lib;
    QDir().mkpath(lib.folder());
    lib.create();
    QVERIFY(waitForScan(*lib.models));
    QCOMPARE(lib.models->rowCount(), 0);
    const DownloadManager* before = lib.library->downloads();
    QCOMPARE(before->modelsFolder(), QDir::cleanPath(lib.folder()));

    // Another folder with a model: the list and the downloads move there.
    const QString other = lib.dir.filePath(QStringLiteral("other"));
    QDir().mkpath(other);
    QVERIFY(linkShared(other, QStringLiteral("stories260K.gguf"), QStringLiteral("stories260K.gguf")));
    QSignalSpy downloadsChanged(lib.library.get(), &ModelLibrary::downloadsChanged);
    QVERIFY(lib.librarySettings->setModelsFolder(other));
    QCOMPARE(downloadsChanged.count(), 1);
    QCOMPARE(lib.models->folder(), QDir::cleanPath(other));
    QCOMPARE(lib.library->downloads()->modelsFolder(), QDir::cleanPath(other));
    QVERIFY(waitForScan(*lib.models));
    QCOMPARE(lib.models->rowCount(), 1);
}

void TestLibrary::unfinishedDownloadIsNotListed()
{
    Library lib;
    QDir().mkpath(lib.folder());

    // A job folder as the download manager leaves it: a record and a .part
    // file holding a whole GGUF model.
    DownloadRecord record;
    record.id = QStringLiteral("0f5e4a52-1c8d-4a8b-9a4e-2f1d6c7b8a90");
    record.destinationName = QStringLiteral("stories260K.gguf");
    record.createdAt = QDateTime::currentDateTimeUtc();
    DownloadFileState file;
    file.url = QUrl(QStringLiteral("http://127.0.0.1:9/files/stories260K.gguf"));
    file.name = QStringLiteral("stories260K.gguf");
    record.files.append(file);
    const QString jobFolder = lib.folder() + QStringLiteral("/.partial/") + record.id;
    QVERIFY(QDir().mkpath(jobFolder));
    QString error;
    QVERIFY2(saveDownloadRecord(jobFolder + QStringLiteral("/state.json"), record, &error), qPrintable(error));
    QVERIFY(QFile::copy(shared(QStringLiteral("stories260K.gguf")), jobFolder + QStringLiteral("/stories260K.gguf.part")));
    QVERIFY(QFile::copy(shared(QStringLiteral("stories260K.gguf")), jobFolder + QStringLiteral("/copy.gguf")));

    lib.create();
    QVERIFY(waitForScan(*lib.models));
    QCOMPARE(lib.models->rowCount(), 0);
    // The download is listed as a download, paused, and not as a model.
    QCOMPARE(lib.library->downloads()->jobList().size(), 1);
    QCOMPARE(lib.library->downloads()->jobList().first()->state(), DownloadJob::State::Paused);
}

QTEST_MAIN(TestLibrary)
#include "test_library.moc"
