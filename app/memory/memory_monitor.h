// The VRAM inspector's figures, sampled once a second while the inspector is
// shown: each Vulkan memory heap's budget and usage, Quanta's device memory
// by category and by layer (the loaded model's vk::MemoryReport), the
// session's buffers in RAM, the process's resident memory, and the last
// reply's prompt and generation speed. Keeps the last five minutes for the
// chart.
#pragma once

#include "generation/inference_worker.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <deque>
#include <memory>
#include <vector>

namespace quanta {

class InferenceService;

namespace vk {
class Instance;
} // namespace vk

// Resident memory of this process, from /proc/self/status, in bytes.
struct ProcessMemory {
    qint64 residentBytes = 0;   // VmRSS
    qint64 anonymousBytes = 0;  // RssAnon: heap, including the copies of weights
    qint64 fileBytes = 0;       // RssFile: mapped files, including the model's mapped weights
};

// The Vulkan heaps of the device the settings choose, read while no model
// runs on it. Used by one sample at a time.
class DeviceHeapReader {
public:
    // Returns the heaps of the device `spec` picks, as loading would pick it,
    // or none when it picks no device. Sets `deviceName` and `budgetIsEstimate`.
    std::vector<vk::MemoryHeap> read(const QString& spec, QString& deviceName, bool& budgetIsEstimate);

private:
    bool resolved_ = false; // spec_ has been looked up
    QString spec_;
    std::shared_ptr<vk::Instance> instance_; // null when spec_ picks no device
    int deviceIndex_ = -1;
    QString deviceName_;
    bool hasBudget_ = false;
};

// One sample, taken on a pool thread.
struct MemorySample {
    qint64 timeMs = 0;               // since the monitor started
    ModelMemorySnapshot model;
    std::vector<vk::MemoryHeap> idleHeaps; // the chosen device's heaps when no model runs on a GPU
    QString idleDeviceName;
    bool idleBudgetIsEstimate = true;
    ProcessMemory process;
};

class MemoryMonitor : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("MemoryMonitor is created by the application.")

    // Samples once a second while true (the inspector is shown).
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    // The device setting ("auto", "cpu" or a UUID), for the heaps shown while
    // no model runs on a GPU.
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY activeChanged)

    Q_PROPERTY(bool modelLoaded READ modelLoaded NOTIFY sampled)
    Q_PROPERTY(bool modelOnGpu READ modelOnGpu NOTIFY sampled)
    Q_PROPERTY(QString deviceName READ deviceName NOTIFY sampled)
    // The driver reports no budget (no VK_EXT_memory_budget): each heap's
    // budget is its size, and its usage is only Quanta's own allocations.
    Q_PROPERTY(bool budgetIsEstimate READ budgetIsEstimate NOTIFY sampled)
    // Maps: index, sizeBytes, budgetBytes, usageBytes (the driver's figure
    // for the whole process, 0 without the extension), quantaBytes (the
    // engine's memory blocks in the heap), quantaLiveBytes (its buffers),
    // shownBytes (what the bar shows), deviceLocal, budgetIsEstimate, label.
    Q_PROPERTY(QVariantList heaps READ heaps NOTIFY sampled)
    // Maps: key ("weights", "kvCache", "scratch", "staging"), name, bytes.
    Q_PROPERTY(QVariantList categories READ categories NOTIFY sampled)
    // Maps: layer (-1 for the tensors outside the layers), name, bytes.
    Q_PROPERTY(QVariantList layers READ layers NOTIFY sampled)
    Q_PROPERTY(qint64 gpuAllocatedBytes READ gpuAllocatedBytes NOTIFY sampled)
    Q_PROPERTY(qint64 hostKvCacheBytes READ hostKvCacheBytes NOTIFY sampled)
    Q_PROPERTY(qint64 hostScratchBytes READ hostScratchBytes NOTIFY sampled)
    Q_PROPERTY(qint64 processResidentBytes READ processResidentBytes NOTIFY sampled)
    Q_PROPERTY(qint64 processAnonymousBytes READ processAnonymousBytes NOTIFY sampled)
    Q_PROPERTY(qint64 processFileBytes READ processFileBytes NOTIFY sampled)
    Q_PROPERTY(double promptTokensPerSecond READ promptTokensPerSecond NOTIFY speedChanged)
    Q_PROPERTY(double generationTokensPerSecond READ generationTokensPerSecond NOTIFY speedChanged)
    Q_PROPERTY(int historySize READ historySize NOTIFY sampled)
    // The largest value in the history, in MiB, for the chart's axis.
    Q_PROPERTY(double historyMaxMiB READ historyMaxMiB NOTIFY sampled)
    // Qt Charts draws only in a QApplication; false in a QGuiApplication.
    Q_PROPERTY(bool chartAvailable READ chartAvailable CONSTANT)

public:
    static constexpr int kIntervalMs = 1000;
    static constexpr qint64 kHistoryMs = 5 * 60 * 1000;

    explicit MemoryMonitor(InferenceService& inference, QObject* parent = nullptr);
    // Waits for a running sample, which reads the inference service.
    ~MemoryMonitor() override;

    bool active() const { return timer_.isActive(); }
    void setActive(bool active);
    QString device() const { return device_; }
    void setDevice(const QString& device);

    bool modelLoaded() const { return latest_.model.loaded; }
    bool modelOnGpu() const { return latest_.model.gpu.has_value(); }
    QString deviceName() const;
    bool budgetIsEstimate() const;
    QVariantList heaps() const;
    QVariantList categories() const;
    QVariantList layers() const;
    qint64 gpuAllocatedBytes() const;
    qint64 hostKvCacheBytes() const { return static_cast<qint64>(latest_.model.host.kv_cache); }
    qint64 hostScratchBytes() const { return static_cast<qint64>(latest_.model.host.scratch); }
    qint64 processResidentBytes() const { return latest_.process.residentBytes; }
    qint64 processAnonymousBytes() const { return latest_.process.anonymousBytes; }
    qint64 processFileBytes() const { return latest_.process.fileBytes; }
    double promptTokensPerSecond() const { return promptTokensPerSecond_; }
    double generationTokensPerSecond() const { return generationTokensPerSecond_; }
    int historySize() const { return static_cast<int>(history_.size()); }
    double historyMaxMiB() const;
    bool chartAvailable() const;
    const MemorySample& latest() const { return latest_; }

    // Takes a sample now (on a pool thread); sampled() follows. Does nothing
    // while a sample runs.
    Q_INVOKABLE void sampleNow();
    // Fills three QXYSeries (LineSeries) with the history: Quanta's device
    // memory, the heaps' usage as the driver reports it (or Quanta's own
    // allocations without the extension), and the process's resident memory,
    // in MiB over seconds before now (-300 .. 0). A null series is skipped.
    Q_INVOKABLE void fillChart(QObject* quantaSeries, QObject* deviceSeries, QObject* ramSeries) const;
    // A size for display in the current locale ("1.5 GB").
    Q_INVOKABLE QString formatBytes(qint64 bytes) const;
    // Rebuilds the labels in the current UI language.
    void retranslate() { emit sampled(); }

    // Reads /proc/self/status.
    static ProcessMemory readProcessMemory();

signals:
    void activeChanged();
    void sampled();
    void speedChanged();

private:
    struct HistoryPoint {
        qint64 timeMs = 0;
        qint64 quantaBytes = 0;  // the engine's live device memory
        qint64 deviceBytes = 0;  // the heaps' usage, or the engine's blocks without the extension
        qint64 ramBytes = 0;     // resident memory
    };

    void onSampled();
    void onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome);
    // The heaps shown: the loaded model's report, or the chosen device's.
    std::vector<vk::MemoryReport::Heap> shownHeaps() const;

    InferenceService& inference_;
    QString device_ = QStringLiteral("auto");
    QTimer timer_;
    QElapsedTimer clock_;
    QFutureWatcher<MemorySample> watcher_;
    std::shared_ptr<DeviceHeapReader> heapReader_;
    MemorySample latest_;
    std::deque<HistoryPoint> history_;
    double promptTokensPerSecond_ = 0;
    double generationTokensPerSecond_ = 0;
};

} // namespace quanta
