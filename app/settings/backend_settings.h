// The compute device settings: which Vulkan device runs the model and how
// many of its layers go there. Persisted in QSettings. The list of devices is
// read on a pool thread, because creating a Vulkan instance loads every
// installed driver (`quanta-cli devices` takes about 50 ms with Mesa's
// lavapipe alone).
#pragma once

#include "generation/inference_worker.h"

#include <QFutureWatcher>
#include <QObject>
#include <QSettings>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace quanta {

// One Vulkan device as the settings list it.
struct VulkanDeviceEntry {
    int index = 0;            // position in vkEnumeratePhysicalDevices
    QString uuid;             // deviceUUID as 8-4-4-4-12 hex digits: the key the setting stores
    QString name;             // e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
    QString kind;             // "discrete", "integrated", "virtual", "software" or "other"
    quint64 memoryBytes = 0;  // memory the model may use on it
    bool memoryIsEstimate = false; // the driver reports no budget, so this is the heap size
    QString unusableReason;   // why the backend cannot run on it (English, from the engine), or empty
};

// The result of one enumeration.
struct VulkanDeviceScan {
    std::vector<VulkanDeviceEntry> devices; // in the backend's order of preference
    QString error; // why Vulkan is not available (English, from the engine), or empty
};

class BackendSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("BackendSettings is created by the application.")
    // "auto", "cpu", or the UUID of a Vulkan device.
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY deviceChanged)
    // Layers on the GPU: -1 for as many as fit its memory.
    Q_PROPERTY(int gpuLayers READ gpuLayers WRITE setGpuLayers NOTIFY gpuLayersChanged)
    // Context length in tokens: 0 for the model's training context, at most 4096.
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    // The devices found, as maps with the keys uuid, name, kind, label (the
    // translated text for a list), usable and reason.
    Q_PROPERTY(QVariantList devices READ devices NOTIFY devicesChanged)
    Q_PROPERTY(bool enumerating READ enumerating NOTIFY enumeratingChanged)
    // Why no device can be listed; empty when Vulkan is available.
    Q_PROPERTY(QString enumerationError READ enumerationError NOTIFY devicesChanged)

public:
    static inline const QString kAuto = QStringLiteral("auto");
    static inline const QString kCpu = QStringLiteral("cpu");

    explicit BackendSettings(QSettings& settings, QObject* parent = nullptr);
    // Waits for a running enumeration, so no work outlives the object.
    ~BackendSettings() override;

    QString device() const { return choice_.device; }
    // Takes "auto", "cpu" or a device UUID; anything else is logged and ignored.
    void setDevice(const QString& device);
    int gpuLayers() const { return choice_.gpuLayers; }
    // Takes -1 (as many as fit) or a count; a count below -1 is ignored.
    void setGpuLayers(int layers);
    int contextLength() const { return choice_.contextLength; }
    // Takes 0 (automatic) or a length in [DeviceChoice::kMinContextLength,
    // DeviceChoice::kMaxContextLength]; other values are logged and ignored.
    void setContextLength(int tokens);
    // The settings, as the inference service takes them.
    const DeviceChoice& choice() const { return choice_; }

    QVariantList devices() const;
    const VulkanDeviceScan& scan() const { return scan_; }
    // True from refreshDevices() until the new list is published; the
    // future alone finishes before its result reaches this thread.
    bool enumerating() const { return enumerating_; }
    QString enumerationError() const { return scan_.error; }

    // Lists the Vulkan devices again, in the background. Does nothing while
    // a listing runs.
    Q_INVOKABLE void refreshDevices();
    // Rebuilds the device labels in the current UI language.
    void retranslate() { emit devicesChanged(); }

    // The device part of a setting value is kept only when it is "auto",
    // "cpu" or a UUID.
    static bool isValidDevice(const QString& device);

signals:
    void deviceChanged();
    void gpuLayersChanged();
    void contextLengthChanged();
    void devicesChanged();
    void enumeratingChanged();

private:
    void onScanFinished();

    QSettings& settings_;
    DeviceChoice choice_;
    VulkanDeviceScan scan_;
    QFutureWatcher<VulkanDeviceScan> watcher_;
    bool enumerating_ = false;
};

} // namespace quanta
