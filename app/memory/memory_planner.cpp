#include "memory/memory_planner.h"

#include "core/error.h"
#include "engine/gpu_offload.h"
#include "logging/log_categories.h"
#include "vulkan/vulkan_devices.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QtConcurrent/QtConcurrentRun>

namespace quanta {

MemoryPlanner::MemoryPlanner(QObject* parent)
    : QObject(parent)
{
    connect(&watcher_, &QFutureWatcher<MemoryPlannerOutcome>::finished, this, &MemoryPlanner::onFinished);
}

MemoryPlanner::~MemoryPlanner()
{
    watcher_.waitForFinished();
}

void MemoryPlanner::setModelPath(const QString& path)
{
    if (path == inputs_.modelPath)
        return;
    inputs_.modelPath = path;
    emit inputsChanged();
    schedule();
}

void MemoryPlanner::setDevice(const QString& device)
{
    if (device == inputs_.device)
        return;
    inputs_.device = device;
    emit inputsChanged();
    schedule();
}

void MemoryPlanner::setContextLength(int tokens)
{
    if (tokens < 0 || tokens == inputs_.contextLength)
        return;
    inputs_.contextLength = tokens;
    emit inputsChanged();
    schedule();
}

void MemoryPlanner::setGpuLayers(int layers)
{
    if (layers < -1 || layers == inputs_.gpuLayers)
        return;
    inputs_.gpuLayers = layers;
    emit inputsChanged();
    schedule();
}

QString MemoryPlanner::formatBytes(qint64 bytes) const
{
    return QLocale().formattedDataSize(bytes, 1);
}

qint64 MemoryPlanner::availableMemoryBytes()
{
    QFile file(QStringLiteral("/proc/meminfo"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return 0;
    // "MemAvailable:   12345678 kB". Files under /proc report a size of 0,
    // so the file is read whole rather than line by line up to atEnd().
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (!line.startsWith("MemAvailable:"))
            continue;
        const QList<QByteArray> fields = line.simplified().split(' ');
        bool ok = false;
        const qint64 kib = fields.size() >= 2 ? fields.at(1).toLongLong(&ok) : 0;
        return ok ? kib * 1024 : 0;
    }
    return 0;
}

MemoryPlannerOutcome MemoryPlanner::computePlan(const MemoryPlannerInputs& inputs)
{
    MemoryPlannerOutcome outcome;
    try {
        // Step 1: the model's layout, from its header alone.
        const ModelMemoryLayout layout = describe_model_memory(QFile::encodeName(inputs.modelPath).toStdString());
        outcome.trainingContext = layout.n_ctx_train;

        // Step 2: the device, chosen as loading chooses it.
        MemoryPlanRequest request;
        GpuChoice choice;
        if (inputs.gpuLayers != 0)
            choice = choose_gpu(inputs.device.toStdString());
        if (choice.device) {
            request = gpu_plan_request(*choice.device);
            outcome.deviceName = QString::fromStdString(choice.device->name);
            outcome.budgetIsEstimate = choice.device->budget_is_estimate;
        } else {
            outcome.cpuReason = QString::fromStdString(choice.reason);
        }

        // Step 3: the plan.
        request.n_ctx = inputs.contextLength;
        request.gpu_layers = inputs.gpuLayers;
        if (inputs.ramAvailableBytes > 0)
            request.ram_budget = static_cast<uint64_t>(inputs.ramAvailableBytes);
        outcome.plan = plan_memory(layout, request);
    } catch (const Error& error) {
        outcome.error = QString::fromUtf8(error.what());
    }
    return outcome;
}

void MemoryPlanner::schedule()
{
    if (running_) {
        pending_ = true;
        return;
    }
    start();
}

void MemoryPlanner::start()
{
    pending_ = false;
    if (inputs_.modelPath.isEmpty()) {
        outcome_ = MemoryPlannerOutcome();
        valid_ = false;
        emit planChanged();
        return;
    }
    MemoryPlannerInputs inputs = inputs_;
    inputs.ramAvailableBytes = availableMemoryBytes();
    const bool wasRunning = running_;
    running_ = true;
    watcher_.setFuture(QtConcurrent::run([inputs] { return computePlan(inputs); }));
    if (!wasRunning)
        emit busyChanged();
}

void MemoryPlanner::onFinished()
{
    // A run for inputs that changed since is dropped for one with the new ones.
    running_ = false;
    if (pending_) {
        start();
        if (!running_)
            emit busyChanged();
        return;
    }
    outcome_ = watcher_.result();
    valid_ = outcome_.error.isEmpty();
    if (!valid_) {
        qCWarning(lcMemory).noquote() << "Planning" << QDir::toNativeSeparators(inputs_.modelPath)
                                      << "failed:" << outcome_.error;
    }
    emit planChanged();
    emit busyChanged();
}

QString MemoryPlanner::explanation() const
{
    if (!valid_)
        return outcome_.error.isEmpty() ? QString() : tr("The model cannot be planned: %1").arg(outcome_.error);
    const MemoryPlan& p = plan();
    QStringList parts;

    // Where the layers go.
    if (p.gpu_layers > 0 && p.gpu_layers == p.n_layer) {
        parts << tr("All %n layer(s) run on %1, which needs %2 of its %3 budget.", nullptr, p.n_layer)
                     .arg(outcome_.deviceName, formatBytes(gpuPeakBytes()), formatBytes(gpuBudgetBytes()));
    } else if (p.gpu_layers > 0) {
        parts << tr("%1 of %n layer(s) run on %2, which needs %3 of its %4 budget; the other layers run on the CPU.",
                    nullptr, p.n_layer)
                     .arg(p.gpu_layers)
                     .arg(outcome_.deviceName, formatBytes(gpuPeakBytes()), formatBytes(gpuBudgetBytes()));
    } else if (!outcome_.deviceName.isEmpty() && inputs_.gpuLayers != 0) {
        parts << tr("No layer fits the %1 budget of %2, so the model runs on the CPU.")
                     .arg(formatBytes(gpuBudgetBytes()), outcome_.deviceName);
    } else if (!outcome_.cpuReason.isEmpty()) {
        parts << tr("The model runs on the CPU: %1.").arg(outcome_.cpuReason);
    } else {
        parts << tr("The model runs on the CPU.");
    }
    if (p.gpu_layers > 0 && !p.fits_gpu) {
        parts << tr("That is more than the budget, so loading may run fewer layers there; choose fewer GPU layers or "
                    "a shorter context.");
    }
    if (p.gpu_layers > 0 && outcome_.budgetIsEstimate)
        parts << tr("The driver reports no memory budget, so the budget is an estimate from the heap size.");

    // The RAM.
    parts << tr("The computer needs %1 of RAM: %2 of weights read from the file, %3 of weights copied into memory, "
                "%4 of KV cache and %5 of activations.")
                 .arg(formatBytes(ramBytes()), formatBytes(ramMappedBytes()), formatBytes(ramCopiedBytes()),
                      formatBytes(ramKvCacheBytes()), formatBytes(ramScratchBytes()));
    if (!p.fits_ram)
        parts << tr("That is more than the %1 of memory available now.").arg(formatBytes(ramAvailableBytes()));
    return parts.join(u' ');
}

} // namespace quanta
