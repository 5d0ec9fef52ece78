#include "settings/backend_settings.h"

#include "core/error.h"
#include "logging/log_categories.h"
#include "vulkan/vulkan_devices.h"

#include <QLocale>
#include <QRegularExpression>
#include <QStringList>
#include <QtConcurrent/QtConcurrentRun>

namespace quanta {

namespace {

const QString kDeviceKey = QStringLiteral("compute/device");
const QString kGpuLayersKey = QStringLiteral("compute/gpuLayers");
const QString kContextKey = QStringLiteral("compute/contextLength");

QString kindKey(vk::DeviceKind kind)
{
    switch (kind) {
    case vk::DeviceKind::Discrete: return QStringLiteral("discrete");
    case vk::DeviceKind::Integrated: return QStringLiteral("integrated");
    case vk::DeviceKind::Virtual: return QStringLiteral("virtual");
    case vk::DeviceKind::Cpu: return QStringLiteral("software");
    case vk::DeviceKind::Other: break;
    }
    return QStringLiteral("other");
}

// Runs on a pool thread: touches nothing but its own Vulkan instance.
VulkanDeviceScan scanDevices()
{
    VulkanDeviceScan scan;
    try {
        const auto instance = vk::Instance::create();
        const std::vector<vk::DeviceInfo>& devices = instance->devices();
        for (const int index : vk::rank_devices(devices)) {
            const vk::DeviceInfo& device = devices[static_cast<size_t>(index)];
            VulkanDeviceEntry entry;
            entry.index = device.index;
            entry.uuid = QString::fromStdString(device.uuid).toLower();
            entry.name = QString::fromStdString(device.name);
            entry.kind = kindKey(device.kind);
            entry.memoryBytes = device.usable_memory();
            entry.memoryIsEstimate = device.budget_is_estimate;
            entry.unusableReason = QString::fromStdString(device.unusable_reason);
            scan.devices.push_back(entry);
        }
    } catch (const Error& error) {
        scan.error = QString::fromUtf8(error.what());
    } catch (const std::exception& error) {
        // A driver that throws std::bad_alloc or similar while listing must
        // not take the app down, because the CPU backend still works.
        scan.error = QString::fromUtf8(error.what());
    }
    return scan;
}

QString kindText(const QString& kind)
{
    if (kind == QLatin1String("discrete"))
        return BackendSettings::tr("discrete GPU");
    if (kind == QLatin1String("integrated"))
        return BackendSettings::tr("integrated GPU");
    if (kind == QLatin1String("virtual"))
        return BackendSettings::tr("virtual GPU");
    if (kind == QLatin1String("software"))
        return BackendSettings::tr("software");
    return BackendSettings::tr("other device");
}

} // namespace

BackendSettings::BackendSettings(QSettings& settings, QObject* parent)
    : QObject(parent), settings_(settings)
{
    // Step 1: the device, "auto" unless a valid value was saved.
    const QString device = settings_.value(kDeviceKey, kAuto).toString();
    if (isValidDevice(device)) {
        choice_.device = device.toLower();
    } else {
        qCWarning(lcInference) << "Unknown compute device" << device << "in the settings; using \"auto\"";
        choice_.device = kAuto;
    }

    // Step 2: the GPU layers, -1 (as many as fit) unless a count was saved.
    bool ok = false;
    const int layers = settings_.value(kGpuLayersKey, -1).toInt(&ok);
    if (ok && layers >= -1) {
        choice_.gpuLayers = layers;
    } else {
        qCWarning(lcInference) << "Invalid GPU layer count" << settings_.value(kGpuLayersKey).toString()
                               << "in the settings; using as many as fit";
        choice_.gpuLayers = -1;
    }

    // Step 3: the context length, automatic (0) unless a valid one was saved.
    const int context = settings_.value(kContextKey, 0).toInt(&ok);
    if (ok && DeviceChoice::isValidContextLength(context)) {
        choice_.contextLength = context;
    } else {
        qCWarning(lcInference) << "Invalid context length" << settings_.value(kContextKey).toString()
                               << "in the settings; using the automatic length";
        choice_.contextLength = 0;
    }

    connect(&watcher_, &QFutureWatcher<VulkanDeviceScan>::finished, this, &BackendSettings::onScanFinished);
}

BackendSettings::~BackendSettings()
{
    watcher_.waitForFinished();
}

bool BackendSettings::isValidDevice(const QString& device)
{
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return device == kAuto || device == kCpu || uuid.match(device).hasMatch();
}

void BackendSettings::setDevice(const QString& device)
{
    if (!isValidDevice(device)) {
        qCWarning(lcInference) << "Ignoring unknown compute device" << device;
        return;
    }
    const QString value = device.toLower();
    if (value == choice_.device)
        return;
    choice_.device = value;
    settings_.setValue(kDeviceKey, value);
    settings_.sync();
    qCInfo(lcInference) << "Compute device set to" << value;
    emit deviceChanged();
}

void BackendSettings::setGpuLayers(int layers)
{
    if (layers < -1) {
        qCWarning(lcInference) << "Ignoring GPU layer count" << layers;
        return;
    }
    if (layers == choice_.gpuLayers)
        return;
    choice_.gpuLayers = layers;
    settings_.setValue(kGpuLayersKey, layers);
    settings_.sync();
    qCInfo(lcInference).noquote() << "GPU layers set to"
                                  << (layers < 0 ? QStringLiteral("as many as fit") : QString::number(layers));
    emit gpuLayersChanged();
}

void BackendSettings::setContextLength(int tokens)
{
    if (!DeviceChoice::isValidContextLength(tokens)) {
        qCWarning(lcInference) << "Ignoring context length" << tokens << "; expected 0 or"
                               << DeviceChoice::kMinContextLength << "to" << DeviceChoice::kMaxContextLength;
        return;
    }
    if (tokens == choice_.contextLength)
        return;
    choice_.contextLength = tokens;
    settings_.setValue(kContextKey, tokens);
    settings_.sync();
    qCInfo(lcInference).noquote() << "Context length set to"
                                  << (tokens == 0 ? QStringLiteral("automatic") : QString::number(tokens));
    emit contextLengthChanged();
}

QVariantList BackendSettings::devices() const
{
    QVariantList list;
    const QLocale locale;
    for (const VulkanDeviceEntry& entry : scan_.devices) {
        QString memory = locale.formattedDataSize(static_cast<qint64>(entry.memoryBytes), 1);
        if (entry.memoryIsEstimate)
            memory = tr("about %1").arg(memory);
        QVariantMap map;
        map.insert(QStringLiteral("uuid"), entry.uuid);
        map.insert(QStringLiteral("name"), entry.name);
        map.insert(QStringLiteral("kind"), entry.kind);
        //: A compute device in the settings: its name, kind and the memory the model may use, e.g.
        //: "llvmpipe (LLVM 15.0.6, 256 bits) — software, about 2.0 GiB".
        map.insert(QStringLiteral("label"), tr("%1 — %2, %3").arg(entry.name, kindText(entry.kind), memory));
        map.insert(QStringLiteral("usable"), entry.unusableReason.isEmpty());
        map.insert(QStringLiteral("reason"), entry.unusableReason);
        list.append(map);
    }
    return list;
}

void BackendSettings::refreshDevices()
{
    if (enumerating_)
        return;
    enumerating_ = true;
    watcher_.setFuture(QtConcurrent::run(&scanDevices));
    emit enumeratingChanged();
}

void BackendSettings::onScanFinished()
{
    scan_ = watcher_.result();

    // One log line for the whole list, or for why there is none.
    if (!scan_.error.isEmpty()) {
        qCInfo(lcInference).noquote() << "Vulkan is not available, so models run on the CPU:" << scan_.error;
    } else if (scan_.devices.empty()) {
        qCInfo(lcInference) << "No Vulkan device found, so models run on the CPU";
    } else {
        QStringList names;
        for (const VulkanDeviceEntry& entry : scan_.devices) {
            const QString unusable =
                entry.unusableReason.isEmpty() ? QString() : QStringLiteral(": not usable, ") + entry.unusableReason;
            names.append(
                QStringLiteral("[%1] %2 (%3, %4)%5").arg(entry.index).arg(entry.name, entry.kind, entry.uuid, unusable));
        }
        qCInfo(lcInference).noquote() << "Vulkan devices:" << names.join(QStringLiteral(", "));
    }

    enumerating_ = false;
    emit devicesChanged();
    emit enumeratingChanged();
}

} // namespace quanta
