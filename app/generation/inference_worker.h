// The engine side of the app: owns the loaded model and its session, and runs
// loading and generation on the inference thread. InferenceService moves it
// there and is the only caller.
#pragma once

#include "chat/chat_format.h"
#include "engine/session.h"
#include "generation/generation_settings.h"
#include "vulkan/vulkan_memory.h"

#include <QObject>
#include <QString>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace quanta {

// Facts about the loaded model, for the UI.
struct ModelSummary {
    QString path;
    QString name;          // general.name, or the file or folder name
    QString architecture;  // general.architecture, e.g. "llama"
    QString fileType;      // dominant weight type, e.g. "Q4_K_M"
    QString chatFormat;    // the prompt format detected from the chat template
    qint64 fileSizeBytes = 0;
    qint64 parameterCount = 0;
    int contextSize = 0;   // the session's context, in tokens
    int trainingContextSize = 0; // the context the model was trained for, 0 when the file has none

    // Placement of the layers.
    QString gpuDevice;         // Vulkan device name; empty when the model runs on the CPU alone
    int gpuLayers = 0;         // layers on that device
    int layerCount = 0;        // layers of the model
    bool gpuOutput = false;    // the output projection runs there too
    QString gpuFallbackReason; // why fewer layers than requested, or none, run on the GPU (English), or empty
};

// Device, GPU layer count and context length for a model, as the settings
// choose them.
struct DeviceChoice {
    QString device = QStringLiteral("auto"); // "auto", "cpu", or a Vulkan device UUID
    int gpuLayers = -1;                      // -1: as many as fit the device's memory
    // Context in tokens, at most the model's training context; 0 picks the
    // training context, at most kDefaultSessionContext (4096).
    int contextLength = 0;
    // The lengths a setting or `serve --ctx` may request, besides 0.
    static constexpr int kMinContextLength = 256;
    static constexpr int kMaxContextLength = 1 << 20;
    static bool isValidContextLength(int tokens)
    {
        return tokens == 0 || (tokens >= kMinContextLength && tokens <= kMaxContextLength);
    }

    // Returns the session context, in tokens, for a model trained for
    // `trainedContext` tokens (0 when unknown).
    int sessionContext(int trainedContext) const
    {
        const int requested = contextLength > 0 ? contextLength : kDefaultSessionContext;
        return trainedContext > 0 ? std::min(requested, trainedContext) : requested;
    }

    bool operator==(const DeviceChoice&) const = default;
};

struct GenerationJob {
    quint64 requestId = 0;
    std::vector<ChatMessage> messages; // the conversation so far, oldest first, without the reply
    GenerationSettings settings;
};

// The loaded model's memory as the engine accounts for it, for the VRAM
// inspector.
struct ModelMemorySnapshot {
    bool loaded = false;
    std::optional<vk::MemoryReport> gpu; // device memory by category, layer and heap; empty on the CPU alone
    SessionMemory host;                  // the session's KV cache and activations in RAM
};

struct GenerationOutcome {
    StopReason reason = StopReason::EndOfGeneration;
    int promptTokens = 0;    // the whole rendered conversation
    int reusedTokens = 0;    // of those, taken from the KV cache
    int generatedTokens = 0;
    int droppedMessages = 0; // oldest messages left out to fit the context
    QString templateNotice;  // why the model's chat template was not used, for the UI; empty when it was
    double promptSeconds = 0;
    double generationSeconds = 0;
};

class InferenceWorker : public QObject {
    Q_OBJECT

public:
    explicit InferenceWorker(QObject* parent = nullptr);
    ~InferenceWorker() override;

    // These run on the inference thread (queued calls from InferenceService).
    void loadModel(quint64 requestId, const QString& path, const DeviceChoice& device);
    void unloadModel();
    void generate(const GenerationJob& job);

    // Thread-safe; called on the UI thread. A load or generation whose
    // request id is at most `requestId` stops soon, or does not start.
    void cancelLoads(quint64 requestId);
    void cancelGenerations(quint64 requestId);
    // Thread-safe: the memory of the model loaded now.
    ModelMemorySnapshot memorySnapshot();

signals:
    void loadProgress(quint64 requestId, double fraction);
    void modelLoaded(quint64 requestId, const quanta::ModelSummary& summary);
    void loadFailed(quint64 requestId, const QString& path, const QString& message);
    void loadCancelled(quint64 requestId);
    void modelUnloaded();

    void textGenerated(quint64 requestId, const QString& text);
    void generationFinished(quint64 requestId, const quanta::GenerationOutcome& outcome);
    void generationFailed(quint64 requestId, const QString& message);

private:
    bool isLoadCancelled(quint64 requestId) const;
    bool isGenerationCancelled(quint64 requestId) const;
    void dropModel();

    // Set on the inference thread only. The session pointer is also read on
    // the UI thread by cancelGenerations(), so swapping it takes the mutex.
    std::shared_ptr<Model> model_;
    std::unique_ptr<Session> session_;
    std::mutex sessionMutex_;
    ChatFormat format_ = ChatFormat::Plain;

    std::atomic<bool> loadCancelFlag_{false};     // passed to Model::load
    std::atomic<quint64> loadsCancelledUpTo_{0};
    std::atomic<quint64> generationsCancelledUpTo_{0};
};

} // namespace quanta
