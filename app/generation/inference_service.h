// The UI thread's handle on inference: starts the inference thread, sends it
// work, and turns its queued signals into properties QML can bind to.
#pragma once

#include "generation/inference_worker.h"

#include <QObject>
#include <QThread>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class InferenceService : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("InferenceService is created by the application.")

    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    Q_PROPERTY(QString loadingName READ loadingName NOTIFY loadingChanged)
    Q_PROPERTY(bool modelLoaded READ modelLoaded NOTIFY modelChanged)
    Q_PROPERTY(QString modelPath READ modelPath NOTIFY modelChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    Q_PROPERTY(QString modelFileName READ modelFileName NOTIFY modelChanged)
    Q_PROPERTY(QString modelArchitecture READ modelArchitecture NOTIFY modelChanged)
    Q_PROPERTY(QString modelFileType READ modelFileType NOTIFY modelChanged)
    Q_PROPERTY(qint64 modelSizeBytes READ modelSizeBytes NOTIFY modelChanged)
    Q_PROPERTY(QString modelSizeText READ modelSizeText NOTIFY modelChanged)
    Q_PROPERTY(int contextSize READ contextSize NOTIFY modelChanged)
    Q_PROPERTY(int trainingContextSize READ trainingContextSize NOTIFY modelChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    // Where the loaded model runs: the Vulkan device's name, empty for the CPU.
    Q_PROPERTY(QString gpuDevice READ gpuDevice NOTIFY modelChanged)
    Q_PROPERTY(int gpuLayers READ gpuLayers NOTIFY modelChanged)
    Q_PROPERTY(int layerCount READ layerCount NOTIFY modelChanged)
    // Why fewer layers than requested, or none, run on the GPU, in English
    // from the engine. Empty when all requested layers run there.
    Q_PROPERTY(QString gpuFallbackReason READ gpuFallbackReason NOTIFY modelChanged)
    // A device change waits for the running reply before it reloads the model.
    Q_PROPERTY(bool reloadPending READ reloadPending NOTIFY reloadPendingChanged)

public:
    explicit InferenceService(QObject* parent = nullptr);
    // Cancels what runs, then quits and waits for the inference thread.
    ~InferenceService() override;

    bool loading() const { return loadingRequest_ != 0; }
    double loadProgress() const { return loadProgress_; }
    QString loadingName() const;
    bool modelLoaded() const { return !model_.path.isEmpty(); }
    QString modelPath() const { return model_.path; }
    QString modelName() const { return model_.name; }
    QString modelFileName() const; // the file's name without ".gguf", or the folder's name
    QString modelArchitecture() const { return model_.architecture; }
    // The weight format, in the UI language for Hugging Face folders.
    QString modelFileType() const;
    qint64 modelSizeBytes() const { return model_.fileSizeBytes; }
    QString modelSizeText() const; // size on disk for display, in the current locale
    int contextSize() const { return model_.contextSize; }
    int trainingContextSize() const { return model_.trainingContextSize; }
    bool generating() const { return generationRequest_ != 0; }
    QString gpuDevice() const { return model_.gpuDevice; }
    int gpuLayers() const { return model_.gpuLayers; }
    int layerCount() const { return model_.layerCount; }
    QString gpuFallbackReason() const { return model_.gpuFallbackReason; }
    bool reloadPending() const { return reloadPending_; }
    const ModelSummary& model() const { return model_; }
    // Thread-safe: the loaded model's memory, as InferenceWorker::memorySnapshot().
    ModelMemorySnapshot memorySnapshot() const { return worker_->memorySnapshot(); }

    const DeviceChoice& deviceChoice() const { return deviceChoice_; }
    // Sets the device and GPU layers for loads from now on. A loaded model,
    // or one being loaded, is loaded again with them: at once, or when the
    // running reply finishes.
    void setDeviceChoice(const DeviceChoice& choice);

    // Loads a GGUF file or a Hugging Face model folder in the background,
    // replacing the current model and stopping a running generation. A load
    // in progress is cancelled. The model that is loaded already is not
    // loaded again.
    Q_INVOKABLE void loadModel(const QString& path);
    // Same for a file:// URL, as FileDialog and FolderDialog return.
    Q_INVOKABLE void loadModelUrl(const QUrl& url);
    Q_INVOKABLE void cancelLoad();

    // Starts a reply to `messages`. Its text arrives through textGenerated()
    // with the returned request id. Returns 0 when no model is loaded or a
    // generation runs already.
    quint64 startGeneration(std::vector<ChatMessage> messages, const GenerationSettings& settings);
    // Stops the running generation soon, and generationFinished() follows.
    void stopGeneration();

signals:
    void loadingChanged();
    void loadProgressChanged();
    void modelChanged();
    void generatingChanged();
    void reloadPendingChanged();
    void modelLoadFailed(const QString& path, const QString& message);

    void textGenerated(quint64 requestId, const QString& text);
    void generationFinished(quint64 requestId, const quanta::GenerationOutcome& outcome);
    void generationFailed(quint64 requestId, const QString& message);

private:
    void onLoadProgress(quint64 requestId, double fraction);
    void onModelLoaded(quint64 requestId, const ModelSummary& summary);
    void onLoadFailed(quint64 requestId, const QString& path, const QString& message);
    void onLoadCancelled(quint64 requestId);
    void onModelUnloaded();
    void onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome);
    void onGenerationFailed(quint64 requestId, const QString& message);
    void startLoad(const QString& absolutePath);
    void reloadModel();
    void finishLoading();
    void finishGenerating();

    QThread thread_;
    InferenceWorker* worker_ = nullptr; // lives on thread_, deleted when it finishes

    quint64 nextRequestId_ = 1;  // shared by loads and generations
    quint64 loadingRequest_ = 0; // 0 when no load runs
    QString loadingPath_;
    double loadProgress_ = 0.0;
    quint64 generationRequest_ = 0; // 0 when no generation runs
    ModelSummary model_;            // empty path when no model is loaded
    DeviceChoice deviceChoice_;
    bool reloadPending_ = false;    // reload when the running generation finishes
};

} // namespace quanta
