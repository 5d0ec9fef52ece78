#include "compare/variant_measurement.h"

#include "compare/model_hash.h"
#include "core/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "eval/perplexity.h"
#include "model_library/model_file_info.h"
#include "sampling/sampler.h"
#include "vulkan/vulkan_memory.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <chrono>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace quanta {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void checkCancel(const MeasureSettings& settings, const QString& path)
{
    if (settings.cancel != nullptr && settings.cancel->load(std::memory_order_acquire))
        throw CancelledError("Measuring " + QDir::toNativeSeparators(path).toStdString() + " was cancelled");
}

void report(const MeasureSettings& settings, MeasureStage stage, double fraction)
{
    if (settings.onProgress)
        settings.onProgress(stage, std::clamp(fraction, 0.0, 1.0));
}

QString describePlacement(const ModelInfo& info)
{
    if (info.gpu_layers <= 0)
        return QStringLiteral("CPU");
    return QStringLiteral("%1, %2 of %3 layers")
        .arg(QString::fromStdString(info.gpu_device), QString::number(info.gpu_layers),
             QString::number(info.n_layer));
}

// Bytes of the device-local heaps that the model's VkDeviceMemory blocks
// take, which is what other programs on the GPU can no longer use. Host
// heaps (staging buffers) are left out.
std::optional<qint64> deviceLocalBytes(const Model& model)
{
    if (!model.gpu_memory())
        return std::nullopt;
    const vk::MemoryReport memory = model.gpu_memory()->report();
    qint64 bytes = 0;
    for (const vk::MemoryReport::Heap& heap : memory.heaps) {
        if (heap.device_local)
            bytes += static_cast<qint64>(heap.allocated);
    }
    return bytes;
}

// Hands freed heap memory back to the system, so that the resident set
// measured before the next load does not include the previous variant's
// freed but cached allocations.
void releaseFreedMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

struct SpeedFigures {
    double promptTokensPerSecond = 0;
    double generationTokensPerSecond = 0;
};

// Times the text's first tokens as one prompt batch, then greedy generation
// of one token at a time after them, in one session.
SpeedFigures measureSpeed(const std::shared_ptr<Model>& model, const std::string& text,
                          const MeasureSettings& settings, const QString& path)
{
    // Step 1: the prompt, from the start of the text. A model trained on a
    // short context gets a shorter prompt, so the run fits in it.
    const ModelInfo& info = model->info();
    int promptLength = kSpeedPromptTokens;
    if (info.n_ctx_train > 0)
        promptLength = std::min(promptLength, info.n_ctx_train - kSpeedGeneratedTokens);
    std::vector<TokenId> prompt = model->tokenizer().encode(text, /*add_bos=*/true, /*parse_special=*/false);
    if (promptLength < 1 || prompt.empty())
        throw Error("The speed run of " + QDir::toNativeSeparators(path).toStdString() +
                    " needs a text of at least one token and a model context of at least " +
                    std::to_string(kSpeedGeneratedTokens + 1) + " tokens; the text has " +
                    std::to_string(prompt.size()) + " tokens and the model's context is " +
                    std::to_string(info.n_ctx_train) + ".");
    prompt.resize(std::min(prompt.size(), static_cast<size_t>(promptLength)));

    SessionOptions options;
    options.n_ctx = static_cast<int>(prompt.size()) + kSpeedGeneratedTokens;
    options.n_batch = static_cast<int>(prompt.size());
    Session session(model, options);

    // Step 2: a short warm-up, so that the first timed batch does not pay for
    // page faults and pipeline creation.
    session.decode(std::span<const TokenId>(prompt.data(), std::min<size_t>(prompt.size(), 8)));
    session.reset();
    checkCancel(settings, path);

    // Step 3: the prompt as one batch.
    SpeedFigures figures;
    auto start = std::chrono::steady_clock::now();
    std::span<const float> logits = session.decode(prompt);
    figures.promptTokensPerSecond = static_cast<double>(prompt.size()) / std::max(secondsSince(start), 1e-9);
    report(settings, MeasureStage::Speed, 0.5);

    // Step 4: generation after the prompt, one token per step.
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSpeedGeneratedTokens; ++i) {
        checkCancel(settings, path);
        const TokenId step[] = {Sampler::argmax(logits)};
        logits = session.decode(step);
    }
    figures.generationTokensPerSecond = kSpeedGeneratedTokens / std::max(secondsSince(start), 1e-9);
    report(settings, MeasureStage::Speed, 1.0);
    return figures;
}

} // namespace

std::optional<qint64> processResidentBytes()
{
    // /proc files report a size of 0, so the file is read to its end
    // instead of up to its size. The line reads "VmRSS:     123456 kB".
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray& line : lines) {
        if (!line.startsWith("VmRSS:"))
            continue;
        const QList<QByteArray> parts = line.mid(6).simplified().split(' ');
        bool ok = false;
        const qint64 kib = parts.value(0).toLongLong(&ok);
        if (!ok || parts.value(1) != "kB")
            return std::nullopt;
        return kib * 1024;
    }
    return std::nullopt;
}

void measureVariant(const QString& path, const std::string& text, const MeasureSettings& settings,
                    VariantResult& result, qint64* textTokens)
{
    // Step 1: name, format and size, read without loading the model.
    const ModelFileInfo fileInfo = readModelFileInfo(path);
    result.path = path;
    result.name = modelDisplayName(path);
    result.format = fileInfo.quantization;
    result.sizeBytes = fileInfo.sizeBytes;
    if (!fileInfo.problem.isEmpty())
        throw Error(fileInfo.problem.toStdString());

    // Step 2: the hash of the files the figures belong to.
    report(settings, MeasureStage::Hashing, 0.0);
    result.sha256 = hashModel(
        path, [&](double fraction) { report(settings, MeasureStage::Hashing, fraction); }, settings.cancel);
    checkCancel(settings, path);

    // Step 3: load with the app's device setting, timing it and the growth
    // of the resident set it causes.
    releaseFreedMemory();
    const std::optional<qint64> residentBefore = processResidentBytes();
    LoadOptions load;
    load.device = settings.device.device.toStdString();
    load.gpu_layers = settings.device.gpuLayers;
    load.n_ctx = std::max(settings.contextLength, kSpeedPromptTokens + kSpeedGeneratedTokens);
    load.n_batch = std::max(settings.contextLength, kSpeedPromptTokens);
    load.cancel = settings.cancel;
    load.on_progress = [&](float progress) { report(settings, MeasureStage::Loading, progress); };
    const auto loadStart = std::chrono::steady_clock::now();
    const std::shared_ptr<Model> model = Model::load(QFile::encodeName(path).toStdString(), load);
    result.loadSeconds = secondsSince(loadStart);
    result.placement = describePlacement(model->info());
    if (result.format.isEmpty())
        result.format = QString::fromStdString(model->info().file_type);

    // Step 4: the speed run. Memory is read after it, so the KV cache and
    // the scratch buffers of a running session count too.
    const SpeedFigures speed = measureSpeed(model, text, settings, path);
    result.promptTokensPerSecond = speed.promptTokensPerSecond;
    result.generationTokensPerSecond = speed.generationTokensPerSecond;
    const std::optional<qint64> residentAfter = processResidentBytes();
    if (residentBefore && residentAfter)
        result.ramBytes = std::max<qint64>(0, *residentAfter - *residentBefore);
    result.vramBytes = deviceLocalBytes(*model);
    checkCancel(settings, path);

    // Step 5: perplexity, saving the logits of the reference variant or
    // comparing with them.
    PerplexityOptions options;
    options.n_ctx = settings.contextLength;
    options.max_windows = settings.maxWindows;
    if (!settings.logitsPath.empty()) {
        if (settings.saveLogits)
            options.save_logits_path = settings.logitsPath;
        else
            options.kl_base_path = settings.logitsPath;
    }
    options.cancel = settings.cancel;
    options.on_progress = [&](int done, int total) {
        report(settings, MeasureStage::Perplexity, total > 0 ? static_cast<double>(done) / total : 1.0);
    };
    report(settings, MeasureStage::Perplexity, 0.0);
    const PerplexityResult measured = compute_perplexity(model, text, options);
    *textTokens = measured.n_tokens;
    result.perplexity = measured.perplexity;
    result.perplexityError = measured.perplexity_error;
    if (measured.has_kl) {
        result.klMean = measured.kl_mean;
        result.klP99 = measured.kl_p99;
        result.topAgreement = measured.top_agreement;
    } else if (settings.saveLogits) {
        // The reference against itself: zero divergence, full agreement.
        result.klMean = 0.0;
        result.klP99 = 0.0;
        result.topAgreement = 1.0;
    }
}

} // namespace quanta
