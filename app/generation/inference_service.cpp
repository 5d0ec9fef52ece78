#include "generation/inference_service.h"

#include "logging/log_categories.h"
#include "model_library/model_file_info.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>

namespace quanta {

InferenceService::InferenceService(QObject* parent)
    : QObject(parent)
{
    thread_.setObjectName(QStringLiteral("quanta-inference"));
    worker_ = new InferenceWorker;
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

    // Every signal crosses threads, so each connection is queued.
    connect(worker_, &InferenceWorker::loadProgress, this, &InferenceService::onLoadProgress, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelLoaded, this, &InferenceService::onModelLoaded, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::loadFailed, this, &InferenceService::onLoadFailed, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::loadCancelled, this, &InferenceService::onLoadCancelled, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelUnloaded, this, &InferenceService::onModelUnloaded, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::textGenerated, this, &InferenceService::textGenerated, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFinished, this, &InferenceService::onGenerationFinished,
            Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFailed, this, &InferenceService::onGenerationFailed,
            Qt::QueuedConnection);

    thread_.start();
}

InferenceService::~InferenceService()
{
    // Cancel everything already sent, so that the thread returns to its event
    // loop soon, then end the loop. The worker and its model are deleted on
    // the inference thread as it finishes.
    const quint64 lastRequest = nextRequestId_ - 1;
    worker_->cancelLoads(lastRequest);
    worker_->cancelGenerations(lastRequest);
    thread_.quit();
    thread_.wait();
    qCInfo(lcInference) << "Inference thread stopped";
}

QString InferenceService::loadingName() const
{
    return loadingPath_.isEmpty() ? QString() : modelDisplayName(loadingPath_);
}

QString InferenceService::modelFileName() const
{
    return modelLoaded() ? modelDisplayName(model_.path) : QString();
}

QString InferenceService::modelSizeText() const
{
    return modelLoaded() ? QLocale().formattedDataSize(model_.fileSizeBytes, 1) : QString();
}

void InferenceService::loadModel(const QString& path)
{
    if (path.isEmpty())
        return;
    // cleanPath drops the trailing '/' a folder path may come with.
    const QString absolutePath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (absolutePath == model_.path && !loading())
        return;

    // A new model replaces whatever runs now.
    stopGeneration();
    startLoad(absolutePath);
}

void InferenceService::startLoad(const QString& absolutePath)
{
    if (loadingRequest_ != 0)
        worker_->cancelLoads(loadingRequest_);
    if (reloadPending_) {
        reloadPending_ = false;
        emit reloadPendingChanged();
    }

    const quint64 requestId = nextRequestId_++;
    loadingRequest_ = requestId;
    loadingPath_ = absolutePath;
    loadProgress_ = 0.0;
    emit loadingChanged();
    emit loadProgressChanged();

    QMetaObject::invokeMethod(
        worker_,
        [worker = worker_, requestId, path = loadingPath_, device = deviceChoice_] {
            worker->loadModel(requestId, path, device);
        },
        Qt::QueuedConnection);
}

void InferenceService::setDeviceChoice(const DeviceChoice& choice)
{
    if (choice == deviceChoice_)
        return;
    // A new context length that gives the loaded model the context it has
    // already, such as two lengths past its training context, needs no reload.
    const bool sameDevice = choice.device == deviceChoice_.device && choice.gpuLayers == deviceChoice_.gpuLayers;
    deviceChoice_ = choice;
    if (!modelLoaded() && !loading())
        return;
    if (sameDevice && !loading() && choice.sessionContext(model_.trainingContextSize) == model_.contextSize)
        return;

    // Reloading would cut the reply short, so it waits for the reply's end.
    if (generating()) {
        qCInfo(lcInference) << "The model is loaded again with the new settings when the running reply finishes";
        if (!reloadPending_) {
            reloadPending_ = true;
            emit reloadPendingChanged();
        }
        return;
    }
    reloadModel();
}

void InferenceService::reloadModel()
{
    const QString path = loading() ? loadingPath_ : model_.path;
    if (path.isEmpty())
        return;
    const QString layers = deviceChoice_.gpuLayers < 0
                               ? QStringLiteral("as many GPU layers as fit")
                               : QStringLiteral("%1 GPU layers").arg(deviceChoice_.gpuLayers);
    qCInfo(lcInference).noquote() << "Loading" << QDir::toNativeSeparators(path) << "again on device"
                                  << deviceChoice_.device << "with" << layers;
    startLoad(path);
}

void InferenceService::loadModelUrl(const QUrl& url)
{
    loadModel(url.isLocalFile() ? url.toLocalFile() : url.toString());
}

void InferenceService::cancelLoad()
{
    if (loadingRequest_ != 0)
        worker_->cancelLoads(loadingRequest_);
}

quint64 InferenceService::startGeneration(std::vector<ChatMessage> messages, const GenerationSettings& settings)
{
    if (!modelLoaded() || loading() || generating())
        return 0;

    GenerationJob job;
    job.requestId = nextRequestId_++;
    job.messages = std::move(messages);
    job.settings = settings;
    generationRequest_ = job.requestId;
    emit generatingChanged();

    QMetaObject::invokeMethod(
        worker_, [worker = worker_, job = std::move(job)] { worker->generate(job); }, Qt::QueuedConnection);
    return generationRequest_;
}

void InferenceService::stopGeneration()
{
    if (generationRequest_ != 0)
        worker_->cancelGenerations(generationRequest_);
}

void InferenceService::onLoadProgress(quint64 requestId, double fraction)
{
    if (requestId != loadingRequest_)
        return;
    loadProgress_ = fraction;
    emit loadProgressChanged();
}

void InferenceService::onModelLoaded(quint64 requestId, const ModelSummary& summary)
{
    model_ = summary;
    emit modelChanged();
    if (requestId == loadingRequest_)
        finishLoading();
}

void InferenceService::onLoadFailed(quint64 requestId, const QString& path, const QString& message)
{
    if (requestId != loadingRequest_)
        return;
    finishLoading();
    emit modelLoadFailed(path, message);
}

void InferenceService::onLoadCancelled(quint64 requestId)
{
    if (requestId == loadingRequest_)
        finishLoading();
}

void InferenceService::onModelUnloaded()
{
    model_ = ModelSummary{};
    emit modelChanged();
}

void InferenceService::onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome)
{
    // Forward first, so listeners see the final state while generating() is
    // still true for this request.
    emit generationFinished(requestId, outcome);
    if (requestId == generationRequest_)
        finishGenerating();
}

void InferenceService::onGenerationFailed(quint64 requestId, const QString& message)
{
    emit generationFailed(requestId, message);
    if (requestId == generationRequest_)
        finishGenerating();
}

void InferenceService::finishLoading()
{
    loadingRequest_ = 0;
    loadingPath_.clear();
    emit loadingChanged();
}

void InferenceService::finishGenerating()
{
    generationRequest_ = 0;
    emit generatingChanged();
    if (reloadPending_)
        reloadModel();
}

QString InferenceService::modelFileType() const
{
    return localizedWeightFormat(model_.fileType);
}

} // namespace quanta
