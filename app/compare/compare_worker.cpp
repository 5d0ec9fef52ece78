#include "compare/compare_worker.h"

#include "compare/variant_measurement.h"
#include "core/error.h"
#include "logging/log_categories.h"
#include "model_library/model_file_info.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <new>

namespace quanta {

namespace {

// The whole text is held in memory and tokenized once per variant. A text
// of 64 MiB is over ten million tokens to evaluate per variant, so a larger
// file is most likely a mistake.
constexpr qint64 kMaxTextBytes = qint64{64} << 20;

// Share of a variant's part of the progress bar that each stage takes, in
// MeasureStage order. Perplexity evaluates the whole text, so it dominates.
constexpr double kStageWeights[] = {0.05, 0.15, 0.10, 0.70};

// Progress signals closer together than this share of the run are dropped.
constexpr double kProgressStep = 0.002;

struct Text {
    std::string bytes;
    QString sha256;
};

// Reads the text file (or resource); throws Error naming it when it cannot
// be read, is empty or is too large.
Text readText(const QString& path)
{
    const std::string displayPath = QDir::toNativeSeparators(path).toStdString();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError("Cannot read the text " + displayPath + ": " + file.errorString().toStdString());
    if (file.size() > kMaxTextBytes)
        throw Error("The text " + displayPath + " has " + std::to_string(file.size()) + " bytes, more than the " +
                    std::to_string(kMaxTextBytes >> 20) + " MiB a comparison reads. Use a shorter excerpt.");
    const QByteArray bytes = file.read(kMaxTextBytes + 1);
    if (bytes.isEmpty())
        throw Error("The text " + displayPath + " is empty. Choose a file with some prose in it.");
    Text text;
    text.bytes.assign(bytes.constData(), static_cast<size_t>(bytes.size()));
    text.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    return text;
}

// The variants largest on disk first, so the first one measured, whose
// logits the others are compared with, is the least quantized. Equal sizes
// keep the caller's order.
QList<VariantResult> orderVariants(const QStringList& paths)
{
    QList<VariantResult> variants;
    for (const QString& path : paths) {
        VariantResult variant;
        variant.path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
        variant.name = modelDisplayName(variant.path);
        variant.sizeBytes = readModelStamp(QFileInfo(variant.path)).sizeBytes;
        variants.append(variant);
    }
    std::stable_sort(variants.begin(), variants.end(),
                     [](const VariantResult& a, const VariantResult& b) { return a.sizeBytes > b.sizeBytes; });
    return variants;
}

} // namespace

CompareWorker::CompareWorker(QObject* parent)
    : QObject(parent)
{
}

bool CompareWorker::isCancelled(quint64 requestId) const
{
    return requestId <= cancelledUpTo_.load(std::memory_order_acquire);
}

void CompareWorker::cancel(quint64 requestId)
{
    // The id first, then the flag: run() checks the id after clearing the
    // flag, so one of the two always catches the cancel.
    quint64 previous = cancelledUpTo_.load();
    while (previous < requestId && !cancelledUpTo_.compare_exchange_weak(previous, requestId)) {
    }
    cancelFlag_.store(true, std::memory_order_release);
}

void CompareWorker::run(const CompareJob& job)
{
    // Step 1: the record, with the variants in the order they run.
    cancelFlag_.store(false, std::memory_order_release);
    ComparisonRecord record;
    record.createdAt = QDateTime::currentDateTimeUtc();
    record.textName = job.textName;
    record.contextLength = job.contextLength;
    record.device = job.device.device;
    record.variants = orderVariants(job.paths);
    if (isCancelled(job.requestId)) {
        record.cancelled = true;
        emit finished(job.requestId, record);
        return;
    }

    // Step 2: the text, and a folder for the reference variant's logits,
    // removed with everything in it when the run ends.
    Text text;
    try {
        text = readText(job.textPath);
    } catch (const Error& error) {
        qCWarning(lcInference).noquote() << "Comparison" << job.requestId << "not started:" << error.what();
        emit failed(job.requestId, QString::fromUtf8(error.what()));
        return;
    }
    record.textSha256 = text.sha256;
    QTemporaryDir logitsFolder(QDir::tempPath() + QStringLiteral("/quanta-compare-XXXXXX"));
    if (!logitsFolder.isValid()) {
        qCWarning(lcInference).noquote() << "Comparison" << job.requestId
                                         << "not started: cannot create a temporary folder in"
                                         << QDir::toNativeSeparators(QDir::tempPath()) << "-"
                                         << logitsFolder.errorString();
        emit failed(job.requestId, tr("Cannot create a temporary folder for the reference logits in %1: %2")
                                       .arg(QDir::toNativeSeparators(QDir::tempPath()), logitsFolder.errorString()));
        return;
    }
    const QString logitsFile = logitsFolder.filePath(QStringLiteral("reference.logits"));
    const std::string logitsPath = QFile::encodeName(logitsFile).toStdString();
    emit started(job.requestId, record);
    qCInfo(lcInference).noquote() << "Comparison" << job.requestId << "of" << record.variants.size() << "variants on"
                                  << job.textName << "with a context of" << job.contextLength << "tokens";

    // Step 3: each variant in turn. The first one whose perplexity run
    // succeeds saves its logits and is the reference for the others.
    bool referenceSaved = false;
    const int count = static_cast<int>(record.variants.size());
    for (int index = 0; index < count; ++index) {
        VariantResult& variant = record.variants[index];
        double lastReported = -1.0;
        MeasureSettings settings;
        settings.device = job.device;
        settings.contextLength = job.contextLength;
        settings.maxWindows = job.maxWindows;
        settings.logitsPath = logitsPath;
        settings.saveLogits = !referenceSaved;
        settings.cancel = &cancelFlag_;
        settings.onProgress = [&](MeasureStage stage, double fraction) {
            double done = 0.0;
            for (int s = 0; s < static_cast<int>(stage); ++s)
                done += kStageWeights[s];
            done += kStageWeights[static_cast<int>(stage)] * fraction;
            const double overall = (index + done) / count;
            if (overall - lastReported >= kProgressStep || fraction <= 0.0 || fraction >= 1.0) {
                lastReported = overall;
                emit progress(job.requestId, index, static_cast<int>(stage), fraction, overall);
            }
        };

        qint64 textTokens = 0;
        try {
            if (isCancelled(job.requestId))
                throw CancelledError("cancelled before " + variant.name.toStdString());
            measureVariant(variant.path, text.bytes, settings, variant, &textTokens);
            if (!referenceSaved) {
                referenceSaved = true;
                variant.reference = true;
                record.textTokens = textTokens;
            }
            qCInfo(lcInference).noquote() << "Comparison" << job.requestId << ":" << variant.name << "perplexity"
                                          << *variant.perplexity;
        } catch (const CancelledError&) {
            qCInfo(lcInference) << "Comparison" << job.requestId << "cancelled at" << variant.name;
            record.cancelled = true;
        } catch (const std::bad_alloc&) {
            variant.error = tr("Not enough memory to measure %1. Close other programs, or compare smaller variants.")
                                .arg(variant.name);
        } catch (const std::exception& error) {
            variant.error = QString::fromUtf8(error.what());
        }
        if (!variant.error.isEmpty())
            qCWarning(lcInference).noquote() << "Comparison" << job.requestId << ":" << variant.name
                                             << "failed:" << variant.error;
        emit variantFinished(job.requestId, index, variant);
        if (record.cancelled)
            break;
    }

    // Step 4: report. The logits folder goes when this function returns.
    emit finished(job.requestId, record);
}

} // namespace quanta
