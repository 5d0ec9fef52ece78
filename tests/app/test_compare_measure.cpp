// The compare screen's measurements without the UI. The model hash is
// checked for a file and a sharded folder, and one variant is measured on
// the CPU and on the lavapipe Vulkan device. Hugging Face folders are
// compared with a GGUF file of the same model, and a run is cancelled.

#include "compare/model_hash.h"
#include "compare/variant_measurement.h"
#include "core/error.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace quanta;

namespace {

// Short windows keep each run to a fraction of a second here.
constexpr int kContextLength = 64;
constexpr int kMaxWindows = 8;

QString sharedPath(const std::string& relative)
{
    return QString::fromStdString(test::shared_path(relative));
}

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::string sampleText()
{
    const QByteArray bytes = readBytes(QStringLiteral(QUANTA_SOURCE_DIR "/resources/eval/sample-en.txt"));
    return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

MeasureSettings cpuSettings()
{
    MeasureSettings settings;
    settings.device.device = QStringLiteral("cpu");
    settings.contextLength = kContextLength;
    settings.maxWindows = kMaxWindows;
    return settings;
}

} // namespace

class TestCompareMeasure : public QObject {
    Q_OBJECT

private slots:
    void init();

    void fileHashIsSha256OfFile();
    void folderHashCoversShardsInNameOrder();
    void folderWithoutSafetensorsRejected();
    void hashCancels();
    void residentBytesRead();
    void variantOnCpuHasEveryFigure();
    void variantOnVulkanReportsDeviceMemory();
    void klAcrossGgufAndFolders();
    void cancelledMeasurementKeepsEarlierFigures();
};

void TestCompareMeasure::init()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
}

void TestCompareMeasure::fileHashIsSha256OfFile()
{
    const QString path = sharedPath("models/stories260K-wide/stories260K-wide-Q4_0.gguf");
    QList<double> progress;
    const QString hash = hashModel(path, [&](double fraction) { progress.append(fraction); });
    QCOMPARE(hash, QString::fromLatin1(QCryptographicHash::hash(readBytes(path), QCryptographicHash::Sha256).toHex()));
    QCOMPARE(hash.size(), 64);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last(), 1.0);
}

void TestCompareMeasure::folderHashCoversShardsInNameOrder()
{
    const QString folder = sharedPath("models/hf/stories260K-wide-fp16");
    QCryptographicHash expected(QCryptographicHash::Sha256);
    expected.addData(readBytes(folder + QStringLiteral("/model-00001-of-00002.safetensors")));
    expected.addData(readBytes(folder + QStringLiteral("/model-00002-of-00002.safetensors")));
    QCOMPARE(hashModel(folder), QString::fromLatin1(expected.result().toHex()));
}

void TestCompareMeasure::folderWithoutSafetensorsRejected()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile config(dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("{}");
    config.close();
    try {
        hashModel(dir.path());
        QFAIL("a folder without weights was hashed");
    } catch (const FormatError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(dir.path()), error.what());
    }
}

void TestCompareMeasure::hashCancels()
{
    const std::atomic<bool> cancel{true};
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             hashModel(sharedPath("models/stories260K-wide/stories260K-wide-F32.gguf"), {}, &cancel));
}

void TestCompareMeasure::residentBytesRead()
{
#if defined(Q_OS_LINUX)
    const std::optional<qint64> resident = processResidentBytes();
    QVERIFY(resident.has_value());
    QVERIFY(*resident > 0);
#else
    QSKIP("VmRSS is read from /proc, which only Linux has");
#endif
}

void TestCompareMeasure::variantOnCpuHasEveryFigure()
{
    const QString path = sharedPath("models/stories260K-wide/stories260K-wide-Q8_0.gguf");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MeasureSettings settings = cpuSettings();
    settings.logitsPath = QFile::encodeName(dir.filePath(QStringLiteral("base.logits"))).toStdString();
    settings.saveLogits = true;
    QList<MeasureStage> stages;
    settings.onProgress = [&](MeasureStage stage, double) {
        if (stages.isEmpty() || stages.last() != stage)
            stages.append(stage);
    };

    VariantResult result;
    qint64 textTokens = 0;
    measureVariant(path, sampleText(), settings, result, &textTokens);

    QCOMPARE(stages, QList<MeasureStage>({MeasureStage::Hashing, MeasureStage::Loading, MeasureStage::Speed,
                                          MeasureStage::Perplexity}));
    QCOMPARE(result.name, QStringLiteral("stories260K-wide-Q8_0"));
    QCOMPARE(result.format, QStringLiteral("Q8_0"));
    QCOMPARE(result.sizeBytes, QFileInfo(path).size());
    QCOMPARE(result.sha256, hashModel(path));
    QCOMPARE(result.placement, QStringLiteral("CPU"));
    QVERIFY(!result.vramBytes.has_value());
    QVERIFY(result.ramBytes.has_value());
    QVERIFY(result.loadSeconds.has_value());
    QVERIFY(result.promptTokensPerSecond.value_or(0) > 0);
    QVERIFY(result.generationTokensPerSecond.value_or(0) > 0);
    QVERIFY(result.perplexity.value_or(0) > 1);
    QVERIFY(result.perplexityError.value_or(0) > 0);
    // The variant that saves the logits is the reference: zero divergence
    // from itself.
    QCOMPARE(result.klMean, std::optional<double>(0.0));
    QCOMPARE(result.topAgreement, std::optional<double>(1.0));
    QVERIFY(textTokens > kContextLength * kMaxWindows);
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("base.logits"))).size() > 0);
    QVERIFY(result.error.isEmpty());
}

void TestCompareMeasure::variantOnVulkanReportsDeviceMemory()
{
    // lavapipe, which the backend uses only when it is named.
    MeasureSettings settings = cpuSettings();
    settings.device.device = QStringLiteral("llvmpipe");
    VariantResult result;
    qint64 textTokens = 0;
    try {
        measureVariant(sharedPath("models/stories260K-wide/stories260K-wide-Q4_0.gguf"), sampleText(), settings, result,
                       &textTokens);
    } catch (const DeviceError& error) {
        QSKIP(qPrintable(QStringLiteral("No usable Vulkan driver: %1").arg(QString::fromUtf8(error.what()))));
    }
    if (!result.placement.contains(QStringLiteral("llvmpipe")))
        QSKIP(qPrintable(QStringLiteral("The model ran on %1, not on lavapipe").arg(result.placement)));
    QVERIFY2(result.placement.contains(QStringLiteral("of 5 layers")), qPrintable(result.placement));
    QVERIFY(result.vramBytes.has_value());
    QVERIFY(*result.vramBytes > 0);
    QVERIFY(result.perplexity.value_or(0) > 1);
}

void TestCompareMeasure::klAcrossGgufAndFolders()
{
    // The F32 GGUF file saves the reference logits; the FP16 and GPTQ
    // folders of the same model are compared with them.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string text = sampleText();
    MeasureSettings settings = cpuSettings();
    settings.logitsPath = QFile::encodeName(dir.filePath(QStringLiteral("base.logits"))).toStdString();
    settings.saveLogits = true;
    VariantResult reference;
    qint64 tokens = 0;
    measureVariant(sharedPath("models/stories260K-wide/stories260K-wide-F32.gguf"), text, settings, reference, &tokens);

    settings.saveLogits = false;
    VariantResult fp16;
    measureVariant(sharedPath("models/hf/stories260K-wide-fp16"), text, settings, fp16, &tokens);
    VariantResult gptq;
    measureVariant(sharedPath("models/hf/stories260K-wide-gptq-4bit-g128"), text, settings, gptq, &tokens);

    QCOMPARE(fp16.format, QStringLiteral("F16"));
    QVERIFY2(gptq.format.startsWith(QStringLiteral("GPTQ")), qPrintable(gptq.format));
    QVERIFY(fp16.klMean.has_value());
    QVERIFY(gptq.klMean.has_value());
    // FP16 rounding moves the predictions far less than 4-bit weights do.
    QVERIFY2(*fp16.klMean < *gptq.klMean, qPrintable(QStringLiteral("%1 %2").arg(*fp16.klMean).arg(*gptq.klMean)));
    QVERIFY(*fp16.topAgreement > 0.95);
    QVERIFY(std::abs(*fp16.perplexity - *reference.perplexity) / *reference.perplexity < 0.005);
}

void TestCompareMeasure::cancelledMeasurementKeepsEarlierFigures()
{
    // Cancel as soon as the perplexity stage starts: the speed figures stay.
    std::atomic<bool> cancel{false};
    MeasureSettings settings = cpuSettings();
    settings.cancel = &cancel;
    settings.onProgress = [&](MeasureStage stage, double) {
        if (stage == MeasureStage::Perplexity)
            cancel.store(true);
    };
    VariantResult result;
    qint64 tokens = 0;
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             measureVariant(sharedPath("models/stories260K-wide/stories260K-wide-Q4_0.gguf"),
                                            sampleText(), settings, result, &tokens));
    QVERIFY(!result.sha256.isEmpty());
    QVERIFY(result.generationTokensPerSecond.has_value());
    QVERIFY(!result.perplexity.has_value());
}

QTEST_GUILESS_MAIN(TestCompareMeasure)
#include "test_compare_measure.moc"
