#include "memory/memory_monitor.h"

#include "core/error.h"
#include "engine/gpu_offload.h"
#include "generation/inference_service.h"
#include "logging/log_categories.h"
#include "vulkan/vulkan_devices.h"

#include <QApplication>
#include <QFile>
#include <QLocale>
#include <QPointF>
#include <QtCharts/QXYSeries>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace quanta {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// The value of a "Key:   1234 kB" line of /proc/self/status, in bytes.
qint64 status_bytes(const QByteArray& line)
{
    const QList<QByteArray> fields = line.simplified().split(' ');
    bool ok = false;
    const qint64 kib = fields.size() >= 2 ? fields.at(1).toLongLong(&ok) : 0;
    return ok ? kib * 1024 : 0;
}

} // namespace

std::vector<vk::MemoryHeap> DeviceHeapReader::read(const QString& spec, QString& deviceName, bool& budgetIsEstimate)
{
    // The device is chosen once per setting, which loads the drivers; the
    // heaps' figures are read again each time.
    if (!resolved_ || spec != spec_) {
        resolved_ = true;
        spec_ = spec;
        instance_.reset();
        const GpuChoice choice = choose_gpu(spec.toStdString());
        if (choice.device) {
            instance_ = choice.instance;
            deviceIndex_ = choice.device->index;
            deviceName_ = QString::fromStdString(choice.device->name);
            hasBudget_ = choice.device->features.memory_budget;
        } else {
            qCDebug(lcMemory).noquote() << "No GPU for device setting" << spec << ":"
                                        << QString::fromStdString(choice.reason);
        }
    }
    if (!instance_)
        return {};
    deviceName = deviceName_;
    budgetIsEstimate = !hasBudget_;
    try {
        return vk::read_memory_heaps(instance_->api(), instance_->physical_device(deviceIndex_), hasBudget_);
    } catch (const Error& error) {
        qCWarning(lcMemory).noquote() << "Reading the memory heaps of" << deviceName_ << "failed:" << error.what();
        return {};
    }
}

MemoryMonitor::MemoryMonitor(InferenceService& inference, QObject* parent)
    : QObject(parent), inference_(inference), heapReader_(std::make_shared<DeviceHeapReader>())
{
    clock_.start();
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &MemoryMonitor::sampleNow);
    connect(&watcher_, &QFutureWatcher<MemorySample>::finished, this, &MemoryMonitor::onSampled);
    connect(&inference_, &InferenceService::generationFinished, this, &MemoryMonitor::onGenerationFinished);
}

MemoryMonitor::~MemoryMonitor()
{
    timer_.stop();
    watcher_.waitForFinished();
}

void MemoryMonitor::setActive(bool active)
{
    if (active == timer_.isActive())
        return;
    if (active) {
        timer_.start();
        sampleNow();
    } else {
        timer_.stop();
    }
    emit activeChanged();
}

void MemoryMonitor::setDevice(const QString& device)
{
    if (device == device_)
        return;
    device_ = device;
    emit activeChanged();
}

ProcessMemory MemoryMonitor::readProcessMemory()
{
    ProcessMemory memory;
    // Files under /proc report a size of 0, so they are read whole rather
    // than line by line up to atEnd().
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return memory;
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            memory.residentBytes = status_bytes(line);
        else if (line.startsWith("RssAnon:"))
            memory.anonymousBytes = status_bytes(line);
        else if (line.startsWith("RssFile:"))
            memory.fileBytes = status_bytes(line);
    }
    return memory;
}

void MemoryMonitor::sampleNow()
{
    if (watcher_.isRunning())
        return;
    InferenceService* inference = &inference_;
    const std::shared_ptr<DeviceHeapReader> reader = heapReader_;
    const QString device = device_;
    const qint64 timeMs = clock_.elapsed();
    watcher_.setFuture(QtConcurrent::run([inference, reader, device, timeMs] {
        MemorySample sample;
        sample.timeMs = timeMs;
        sample.model = inference->memorySnapshot();
        if (!sample.model.gpu)
            sample.idleHeaps = reader->read(device, sample.idleDeviceName, sample.idleBudgetIsEstimate);
        sample.process = readProcessMemory();
        return sample;
    }));
}

void MemoryMonitor::onSampled()
{
    latest_ = watcher_.result();

    // The history for the chart: the last five minutes.
    HistoryPoint point;
    point.timeMs = latest_.timeMs;
    point.quantaBytes = gpuAllocatedBytes();
    for (const vk::MemoryReport::Heap& heap : shownHeaps())
        point.deviceBytes += static_cast<qint64>(budgetIsEstimate() ? heap.allocated : heap.usage);
    point.ramBytes = latest_.process.residentBytes;
    history_.push_back(point);
    while (!history_.empty() && history_.front().timeMs < point.timeMs - kHistoryMs)
        history_.pop_front();
    emit sampled();
}

void MemoryMonitor::onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome)
{
    Q_UNUSED(requestId);
    // The prompt's speed counts the tokens evaluated, not those reused from
    // the KV cache.
    const int evaluated = outcome.promptTokens - outcome.reusedTokens;
    if (outcome.promptSeconds > 0 && evaluated > 0)
        promptTokensPerSecond_ = evaluated / outcome.promptSeconds;
    if (outcome.generationSeconds > 0 && outcome.generatedTokens > 0)
        generationTokensPerSecond_ = outcome.generatedTokens / outcome.generationSeconds;
    emit speedChanged();
}

std::vector<vk::MemoryReport::Heap> MemoryMonitor::shownHeaps() const
{
    if (latest_.model.gpu)
        return latest_.model.gpu->heaps;
    std::vector<vk::MemoryReport::Heap> heaps;
    for (const vk::MemoryHeap& idle : latest_.idleHeaps) {
        vk::MemoryReport::Heap heap;
        heap.size = idle.size;
        heap.device_local = idle.device_local;
        heap.budget = idle.budget;
        heap.usage = idle.usage;
        heaps.push_back(heap);
    }
    return heaps;
}

QString MemoryMonitor::deviceName() const
{
    return latest_.model.gpu ? inference_.gpuDevice() : latest_.idleDeviceName;
}

bool MemoryMonitor::budgetIsEstimate() const
{
    return latest_.model.gpu ? latest_.model.gpu->budget_is_estimate : latest_.idleBudgetIsEstimate;
}

QVariantList MemoryMonitor::heaps() const
{
    const bool estimate = budgetIsEstimate();
    QVariantList list;
    const std::vector<vk::MemoryReport::Heap> heaps = shownHeaps();
    for (size_t h = 0; h < heaps.size(); ++h) {
        const vk::MemoryReport::Heap& heap = heaps[h];
        const qint64 shown = static_cast<qint64>(estimate ? heap.allocated : heap.usage);
        QString label;
        if (estimate) {
            label = tr("Quanta's own allocations: %1 of %2 in memory blocks, of which its buffers use %3. The driver "
                       "reports no budget or usage (VK_EXT_memory_budget), so the budget is the heap size, an "
                       "estimate, and other programs' memory is not shown.")
                        .arg(formatBytes(shown), formatBytes(static_cast<qint64>(heap.budget)),
                             formatBytes(static_cast<qint64>(heap.live)));
        } else {
            label = tr("%1 in use of a %2 budget (this process, from the driver); Quanta's memory blocks: %3.")
                        .arg(formatBytes(shown), formatBytes(static_cast<qint64>(heap.budget)),
                             formatBytes(static_cast<qint64>(heap.allocated)));
        }
        QVariantMap entry;
        entry.insert(QStringLiteral("index"), static_cast<int>(h));
        entry.insert(QStringLiteral("sizeBytes"), static_cast<qint64>(heap.size));
        entry.insert(QStringLiteral("budgetBytes"), static_cast<qint64>(heap.budget));
        entry.insert(QStringLiteral("usageBytes"), static_cast<qint64>(heap.usage));
        entry.insert(QStringLiteral("quantaBytes"), static_cast<qint64>(heap.allocated));
        entry.insert(QStringLiteral("quantaLiveBytes"), static_cast<qint64>(heap.live));
        entry.insert(QStringLiteral("shownBytes"), shown);
        entry.insert(QStringLiteral("deviceLocal"), heap.device_local);
        entry.insert(QStringLiteral("budgetIsEstimate"), estimate);
        entry.insert(QStringLiteral("label"), label);
        list.append(entry);
    }
    return list;
}

QVariantList MemoryMonitor::categories() const
{
    const auto bytes = [&](vk::MemoryCategory category) {
        return latest_.model.gpu ? static_cast<qint64>(latest_.model.gpu->category(category)) : qint64{0};
    };
    const auto entry = [](const QString& key, const QString& name, qint64 value) {
        return QVariantMap{{QStringLiteral("key"), key}, {QStringLiteral("name"), name}, {QStringLiteral("bytes"), value}};
    };
    return {
        entry(QStringLiteral("weights"), tr("Weights"), bytes(vk::MemoryCategory::Weights)),
        entry(QStringLiteral("kvCache"), tr("KV cache"), bytes(vk::MemoryCategory::KvCache)),
        entry(QStringLiteral("scratch"), tr("Activations (scratch)"), bytes(vk::MemoryCategory::Scratch)),
        entry(QStringLiteral("staging"), tr("Staging (uploads)"), bytes(vk::MemoryCategory::Staging)),
    };
}

QVariantList MemoryMonitor::layers() const
{
    QVariantList list;
    if (!latest_.model.gpu)
        return list;
    for (const auto& [layer, bytes] : latest_.model.gpu->weights_by_layer) {
        const QString name = layer < 0 ? tr("Output and RoPE divisors") : tr("Layer %1").arg(layer);
        list.append(QVariantMap{{QStringLiteral("layer"), layer},
                                {QStringLiteral("name"), name},
                                {QStringLiteral("bytes"), static_cast<qint64>(bytes)}});
    }
    return list;
}

qint64 MemoryMonitor::gpuAllocatedBytes() const
{
    return latest_.model.gpu ? static_cast<qint64>(latest_.model.gpu->live_bytes()) : 0;
}

double MemoryMonitor::historyMaxMiB() const
{
    qint64 largest = 0;
    for (const HistoryPoint& point : history_)
        largest = std::max({largest, point.quantaBytes, point.deviceBytes, point.ramBytes});
    return std::max(1.0, static_cast<double>(largest) / kMiB);
}

bool MemoryMonitor::chartAvailable() const
{
    return qobject_cast<QApplication*>(QCoreApplication::instance()) != nullptr;
}

void MemoryMonitor::fillChart(QObject* quantaSeries, QObject* deviceSeries, QObject* ramSeries) const
{
    const qint64 now = history_.empty() ? 0 : history_.back().timeMs;
    const auto fill = [&](QObject* object, qint64 HistoryPoint::*field) {
        auto* series = qobject_cast<QXYSeries*>(object);
        if (!series)
            return;
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(history_.size()));
        for (const HistoryPoint& point : history_)
            points.append(QPointF(static_cast<double>(point.timeMs - now) / 1000.0,
                                  static_cast<double>(point.*field) / kMiB));
        series->replace(points);
    };
    fill(quantaSeries, &HistoryPoint::quantaBytes);
    fill(deviceSeries, &HistoryPoint::deviceBytes);
    fill(ramSeries, &HistoryPoint::ramBytes);
}

QString MemoryMonitor::formatBytes(qint64 bytes) const
{
    return QLocale().formattedDataSize(bytes, 1);
}

} // namespace quanta
