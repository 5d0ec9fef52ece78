// The memory planner for QML: how much GPU memory and RAM a model needs for a
// context length and GPU layer count on the device the settings choose, from
// the engine's planner (engine/memory_plan.h), before the model is loaded.
// Each change of an input plans again on a pool thread.
#pragma once

#include "engine/memory_plan.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace quanta {

// The inputs of one planning run.
struct MemoryPlannerInputs {
    QString modelPath;
    QString device = QStringLiteral("auto"); // "auto", "cpu", or a Vulkan device UUID
    int contextLength = 0;                   // tokens; 0: the model's training context, at most 4096
    int gpuLayers = -1;                      // -1: as many as fit
    qint64 ramAvailableBytes = 0;            // 0: not checked
};

// The result of one planning run.
struct MemoryPlannerOutcome {
    QString error;            // from the engine (English); empty on success
    MemoryPlan plan;
    int trainingContext = 0;
    QString deviceName;       // empty when the model would run on the CPU alone
    QString cpuReason;        // why no GPU is used (English, from the engine); empty for "cpu" and with a GPU
    bool budgetIsEstimate = false;
};

class MemoryPlanner : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("MemoryPlanner is created by the application.")

    // Inputs.
    Q_PROPERTY(QString modelPath READ modelPath WRITE setModelPath NOTIFY inputsChanged)
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY inputsChanged)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY inputsChanged)
    Q_PROPERTY(int gpuLayers READ gpuLayers WRITE setGpuLayers NOTIFY inputsChanged)

    // State of the latest plan.
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(bool valid READ valid NOTIFY planChanged)
    Q_PROPERTY(QString error READ error NOTIFY planChanged)
    Q_PROPERTY(QString explanation READ explanation NOTIFY planChanged)

    // The plan. Sizes are in bytes.
    Q_PROPERTY(int layerCount READ layerCount NOTIFY planChanged)
    Q_PROPERTY(int trainingContext READ trainingContext NOTIFY planChanged)
    Q_PROPERTY(int contextUsed READ contextUsed NOTIFY planChanged)
    Q_PROPERTY(int layersOnGpu READ layersOnGpu NOTIFY planChanged)
    Q_PROPERTY(bool outputOnGpu READ outputOnGpu NOTIFY planChanged)
    Q_PROPERTY(QString deviceName READ deviceName NOTIFY planChanged)
    Q_PROPERTY(bool budgetIsEstimate READ budgetIsEstimate NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuBudgetBytes READ gpuBudgetBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 weightsBytes READ weightsBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 kvCacheBytes READ kvCacheBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 scratchBytes READ scratchBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuWeightsBytes READ gpuWeightsBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuKvCacheBytes READ gpuKvCacheBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuScratchBytes READ gpuScratchBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 stagingBytes READ stagingBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuBytes READ gpuBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 gpuPeakBytes READ gpuPeakBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramBytes READ ramBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramMappedBytes READ ramMappedBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramCopiedBytes READ ramCopiedBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramKvCacheBytes READ ramKvCacheBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramScratchBytes READ ramScratchBytes NOTIFY planChanged)
    Q_PROPERTY(qint64 ramAvailableBytes READ ramAvailableBytes NOTIFY planChanged)
    Q_PROPERTY(bool fits READ fits NOTIFY planChanged)
    Q_PROPERTY(bool fitsGpu READ fitsGpu NOTIFY planChanged)
    Q_PROPERTY(bool fitsRam READ fitsRam NOTIFY planChanged)

public:
    explicit MemoryPlanner(QObject* parent = nullptr);
    // Waits for a running plan.
    ~MemoryPlanner() override;

    QString modelPath() const { return inputs_.modelPath; }
    void setModelPath(const QString& path);
    QString device() const { return inputs_.device; }
    void setDevice(const QString& device);
    int contextLength() const { return inputs_.contextLength; }
    // Takes 0 (the default context) or a positive count.
    void setContextLength(int tokens);
    int gpuLayers() const { return inputs_.gpuLayers; }
    // Takes -1 (as many as fit) or a count from 0.
    void setGpuLayers(int layers);

    bool busy() const { return running_; }
    bool valid() const { return valid_; }
    QString error() const { return outcome_.error; }
    QString explanation() const;
    const MemoryPlannerOutcome& outcome() const { return outcome_; }

    int layerCount() const { return plan().n_layer; }
    int trainingContext() const { return outcome_.trainingContext; }
    int contextUsed() const { return plan().n_ctx; }
    int layersOnGpu() const { return plan().gpu_layers; }
    bool outputOnGpu() const { return plan().gpu_output; }
    QString deviceName() const { return outcome_.deviceName; }
    bool budgetIsEstimate() const { return outcome_.budgetIsEstimate; }
    qint64 gpuBudgetBytes() const { return bytes(plan().gpu_budget.value_or(0)); }
    qint64 weightsBytes() const { return bytes(plan().weights_total); }
    qint64 kvCacheBytes() const { return bytes(plan().kv_cache); }
    qint64 scratchBytes() const { return bytes(plan().scratch); }
    qint64 gpuWeightsBytes() const { return bytes(plan().gpu_weights); }
    qint64 gpuKvCacheBytes() const { return bytes(plan().gpu_kv_cache); }
    qint64 gpuScratchBytes() const { return bytes(plan().gpu_scratch); }
    qint64 stagingBytes() const { return bytes(plan().gpu_staging); }
    qint64 gpuBytes() const { return bytes(plan().gpu_total); }
    qint64 gpuPeakBytes() const { return bytes(plan().gpu_peak); }
    qint64 ramBytes() const { return bytes(plan().ram_total); }
    qint64 ramMappedBytes() const { return bytes(plan().ram_weights_mapped); }
    qint64 ramCopiedBytes() const { return bytes(plan().ram_weights_heap); }
    qint64 ramKvCacheBytes() const { return bytes(plan().ram_kv_cache); }
    qint64 ramScratchBytes() const { return bytes(plan().ram_scratch); }
    qint64 ramAvailableBytes() const { return bytes(plan().ram_budget.value_or(0)); }
    bool fits() const { return valid_ && plan().fits(); }
    bool fitsGpu() const { return valid_ && plan().fits_gpu; }
    bool fitsRam() const { return valid_ && plan().fits_ram; }

    // A size for display in the current locale ("1.5 GB").
    Q_INVOKABLE QString formatBytes(qint64 bytes) const;
    // Rebuilds the explanation in the current UI language.
    void retranslate() { emit planChanged(); }

    // Plans `inputs` on the calling thread: the work of one run.
    static MemoryPlannerOutcome computePlan(const MemoryPlannerInputs& inputs);
    // MemAvailable of /proc/meminfo in bytes, 0 when it cannot be read.
    static qint64 availableMemoryBytes();

signals:
    void inputsChanged();
    void busyChanged();
    void planChanged();

private:
    static qint64 bytes(uint64_t value) { return static_cast<qint64>(value); }
    const MemoryPlan& plan() const { return outcome_.plan; }
    void schedule();
    void start();
    void onFinished();

    MemoryPlannerInputs inputs_;
    MemoryPlannerOutcome outcome_;
    bool valid_ = false;
    // A run goes until its result is applied here; the future alone
    // finishes before its result reaches this thread.
    bool running_ = false;
    bool pending_ = false; // the inputs changed while a run was going
    QFutureWatcher<MemoryPlannerOutcome> watcher_;
};

} // namespace quanta
