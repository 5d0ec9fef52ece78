#include "generation/inference_worker.h"

#include "core/error.h"
#include "generation/prompt_builder.h"
#include "logging/log_categories.h"
#include "model_library/model_file_info.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <new>

namespace quanta {

namespace {

// Progress reports closer together than this fraction are dropped, so a
// load sends about a hundred signals, not one per tensor.
constexpr double kProgressStep = 0.01;

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

ModelSummary summarize(const Model& model, const QString& path, ChatFormat format, int contextSize)
{
    const ModelInfo& info = model.info();
    ModelSummary summary;
    summary.path = path;
    summary.name = info.name.empty() ? modelDisplayName(path) : fromStd(info.name);
    summary.architecture = fromStd(info.architecture);
    summary.fileType = fromStd(info.file_type);
    summary.chatFormat = fromStd(chat_format_name(format));
    summary.fileSizeBytes = static_cast<qint64>(info.file_size);
    summary.parameterCount = static_cast<qint64>(info.n_params);
    summary.contextSize = contextSize;
    summary.trainingContextSize = model.info().n_ctx_train;
    summary.gpuDevice = fromStd(info.gpu_device);
    summary.gpuLayers = info.gpu_layers;
    summary.layerCount = info.n_layer;
    summary.gpuOutput = info.gpu_output;
    summary.gpuFallbackReason = fromStd(info.gpu_fallback_reason);
    return summary;
}

} // namespace

InferenceWorker::InferenceWorker(QObject* parent)
    : QObject(parent)
{
}

InferenceWorker::~InferenceWorker() = default;

bool InferenceWorker::isLoadCancelled(quint64 requestId) const
{
    return requestId <= loadsCancelledUpTo_.load(std::memory_order_acquire);
}

bool InferenceWorker::isGenerationCancelled(quint64 requestId) const
{
    return requestId <= generationsCancelledUpTo_.load(std::memory_order_acquire);
}

void InferenceWorker::cancelLoads(quint64 requestId)
{
    // The id first, then the flag: loadModel() checks the id after clearing
    // the flag, so one of the two always catches the cancel.
    quint64 previous = loadsCancelledUpTo_.load();
    while (previous < requestId && !loadsCancelledUpTo_.compare_exchange_weak(previous, requestId)) {
    }
    loadCancelFlag_.store(true, std::memory_order_release);
}

void InferenceWorker::cancelGenerations(quint64 requestId)
{
    quint64 previous = generationsCancelledUpTo_.load();
    while (previous < requestId && !generationsCancelledUpTo_.compare_exchange_weak(previous, requestId)) {
    }
    std::lock_guard lock(sessionMutex_);
    if (session_)
        session_->cancel();
}

ModelMemorySnapshot InferenceWorker::memorySnapshot()
{
    // The session keeps its model alive, and the device memory outlives
    // both as long as this pointer holds it; its report() takes its own lock.
    ModelMemorySnapshot snapshot;
    std::shared_ptr<vk::DeviceMemory> gpuMemory;
    {
        std::lock_guard lock(sessionMutex_);
        if (!session_)
            return snapshot;
        snapshot.loaded = true;
        snapshot.host = session_->host_memory();
        gpuMemory = session_->model().gpu_memory();
    }
    if (gpuMemory)
        snapshot.gpu = gpuMemory->report();
    return snapshot;
}

void InferenceWorker::dropModel()
{
    {
        std::lock_guard lock(sessionMutex_);
        session_.reset();
    }
    model_.reset();
}

void InferenceWorker::unloadModel()
{
    if (!model_)
        return;
    dropModel();
    qCInfo(lcInference) << "Model unloaded";
    emit modelUnloaded();
}

void InferenceWorker::loadModel(quint64 requestId, const QString& path, const DeviceChoice& device)
{
    // Step 1: skip a request that was cancelled or replaced while it waited.
    if (isLoadCancelled(requestId)) {
        emit loadCancelled(requestId);
        return;
    }
    loadCancelFlag_.store(false, std::memory_order_release);
    if (isLoadCancelled(requestId)) {
        emit loadCancelled(requestId);
        return;
    }

    // Step 2: free the current model first, so that two models never need
    // memory at the same time.
    if (model_) {
        dropModel();
        emit modelUnloaded();
    }

    // Step 3: load, reporting progress in steps of about one percent.
    qCDebug(lcInference).noquote() << "Request" << requestId << ": load" << QDir::toNativeSeparators(path)
                                   << "on device" << device.device << "with" << device.gpuLayers << "GPU layers,"
                                   << "context" << device.contextLength;
    QElapsedTimer timer;
    timer.start();
    double lastReported = -1.0;
    LoadOptions options;
    options.cancel = &loadCancelFlag_;
    // A device problem does not throw: the model then runs on the CPU, and
    // the summary carries the reason.
    options.device = device.device.toStdString();
    options.gpu_layers = device.gpuLayers;
    // The GPU plan reserves a KV cache for this context; Model::load()
    // takes at most the training context.
    options.n_ctx = device.contextLength > 0 ? device.contextLength : kDefaultSessionContext;
    options.on_progress = [this, requestId, &lastReported](float progress) {
        const double fraction = std::clamp(static_cast<double>(progress), 0.0, 1.0);
        if (fraction - lastReported >= kProgressStep || (fraction >= 1.0 && lastReported < 1.0)) {
            lastReported = fraction;
            emit loadProgress(requestId, fraction);
        }
    };

    std::shared_ptr<Model> model;
    std::unique_ptr<Session> session;
    try {
        model = Model::load(QFile::encodeName(path).toStdString(), options);
        SessionOptions sessionOptions;
        sessionOptions.n_ctx = device.sessionContext(model->info().n_ctx_train);
        session = std::make_unique<Session>(model, sessionOptions);
    } catch (const CancelledError&) {
        qCInfo(lcInference).noquote() << "Loading" << QDir::toNativeSeparators(path) << "cancelled";
        emit loadCancelled(requestId);
        return;
    } catch (const Error& error) {
        qCWarning(lcInference).noquote() << "Loading" << QDir::toNativeSeparators(path) << "failed:" << error.what();
        emit loadFailed(requestId, path, QString::fromUtf8(error.what()));
        return;
    } catch (const std::bad_alloc&) {
        qCWarning(lcInference).noquote() << "Loading" << QDir::toNativeSeparators(path) << "failed: out of memory";
        emit loadFailed(requestId, path,
                        tr("Not enough memory to load %1. Close other programs or choose a smaller model.")
                            .arg(QDir::toNativeSeparators(path)));
        return;
    } catch (const std::exception& error) {
        qCWarning(lcInference).noquote() << "Loading" << QDir::toNativeSeparators(path) << "failed:" << error.what();
        emit loadFailed(requestId, path,
                        tr("Loading %1 failed: %2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(error.what())));
        return;
    }

    // Step 4: a newer request may have arrived while this one finished. Its
    // load comes next, so this model would only be thrown away.
    if (isLoadCancelled(requestId)) {
        emit loadCancelled(requestId);
        return;
    }

    // Step 5: publish the model.
    format_ = detect_chat_format(model->info().chat_template);
    {
        std::lock_guard lock(sessionMutex_);
        model_ = std::move(model);
        session_ = std::move(session);
    }
    const ModelSummary summary = summarize(*model_, path, format_, session_->n_ctx());
    const QString placement = summary.gpuLayers > 0
                                  ? QStringLiteral("%1 of %2 layers on %3")
                                        .arg(summary.gpuLayers)
                                        .arg(summary.layerCount)
                                        .arg(summary.gpuDevice)
                                  : QStringLiteral("on the CPU");
    const QString message = QStringLiteral("Loaded %1 (%2 %3, chat format %4, context %5 tokens) in %6 ms, %7")
                                .arg(summary.name, summary.architecture, summary.fileType, summary.chatFormat)
                                .arg(summary.contextSize)
                                .arg(timer.elapsed())
                                .arg(placement);
    qCInfo(lcInference).noquote() << message;

    // A template that does not even parse is reported now; one that fails
    // for a particular conversation is reported with that reply.
    if (!model_->info().chat_template.empty()) {
        const PromptBuilder builder(model_->tokenizer(), model_->info().chat_template);
        if (!builder.templateError().empty())
            qCWarning(lcInference).noquote() << "The chat template of" << summary.name
                                             << "cannot be used, so prompts use the" << summary.chatFormat
                                             << "format:" << QString::fromStdString(builder.templateError());
    }
    emit modelLoaded(requestId, summary);
}

void InferenceWorker::generate(const GenerationJob& job)
{
    // Step 1: check that there is something to run, and that it is wanted.
    if (!session_) {
        emit generationFailed(job.requestId, tr("No model is loaded. Choose a model first."));
        return;
    }
    if (isGenerationCancelled(job.requestId)) {
        GenerationOutcome outcome;
        outcome.reason = StopReason::Cancelled;
        emit generationFinished(job.requestId, outcome);
        return;
    }

    try {
        // Step 2: render the conversation and tokenize it.
        const PromptBuilder builder(model_->tokenizer(), model_->info().chat_template);
        const int contextSize = session_->n_ctx();
        const PromptPlan plan =
            builder.build(job.messages, contextSize, replyReserve(job.settings.maxTokens, contextSize));

        // Step 3: keep the part of the KV cache that matches the new prompt
        // (usually everything up to the previous reply), and feed the rest.
        const std::size_t reused = reusablePrefix(session_->history(), plan.tokens);
        session_->truncate(static_cast<int>(reused));

        GenerationRequest request;
        request.prompt.assign(plan.tokens.begin() + static_cast<std::ptrdiff_t>(reused), plan.tokens.end());
        request.max_tokens = std::min(job.settings.maxTokens, contextSize - static_cast<int>(plan.tokens.size()));
        request.stop_strings = plan.stopStrings;
        request.sampling = job.settings.sampling;
        qCDebug(lcInference) << "Request" << job.requestId << ":" << plan.tokens.size() << "prompt tokens," << reused
                             << "reused from the cache," << plan.droppedMessages << "messages dropped";

        // Step 4: generate, streaming each piece of text to the UI.
        const GenerationResult result = session_->generate(request, [&](std::string_view text, TokenId) {
            // generate() clears the session's cancel flag when it starts, so a
            // stop that came earlier is found through the request id.
            if (isGenerationCancelled(job.requestId))
                session_->cancel();
            if (!text.empty())
                emit textGenerated(job.requestId, fromStd(text));
        });

        // Step 5: report.
        GenerationOutcome outcome;
        outcome.reason = result.reason;
        outcome.promptTokens = static_cast<int>(plan.tokens.size());
        outcome.reusedTokens = static_cast<int>(reused);
        outcome.generatedTokens = static_cast<int>(result.tokens.size());
        outcome.droppedMessages = plan.droppedMessages;
        if (!plan.templateFallbackReason.empty()) {
            outcome.templateNotice =
                tr("The model's chat template could not be used, so the prompt was written in the %1 format "
                   "instead: %2")
                    .arg(fromStd(chat_format_name(format_)), fromStd(plan.templateFallbackReason));
        }
        outcome.promptSeconds = result.prompt_seconds;
        outcome.generationSeconds = result.generation_seconds;
        qCInfo(lcInference) << "Request" << job.requestId << "stopped:" << stop_reason_name(result.reason) << ";"
                            << outcome.generatedTokens << "tokens in" << result.generation_seconds << "s";
        emit generationFinished(job.requestId, outcome);
    } catch (const std::exception& error) {
        // The cache may contain part of a failed batch, so the next turn
        // starts from an empty one.
        session_->reset();
        qCWarning(lcInference) << "Request" << job.requestId << "failed:" << error.what();
        emit generationFailed(job.requestId, QString::fromUtf8(error.what()));
    }
}

} // namespace quanta
