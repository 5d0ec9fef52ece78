#include "model_library/device_budget.h"

#include <unistd.h>

namespace quanta {

qint64 systemMemoryBytes()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0)
        return 0;
    return static_cast<qint64>(pages) * static_cast<qint64>(pageSize);
}

DeviceBudget budgetForChoice(const DeviceChoice& choice, const VulkanDeviceScan& scan, qint64 ramBytes)
{
    DeviceBudget budget;
    budget.ramBytes = ramBytes;
    if (choice.device == BackendSettings::kCpu || choice.gpuLayers == 0)
        return budget;

    // Step 1: the device the backend would take.
    const VulkanDeviceEntry* chosen = nullptr;
    for (const VulkanDeviceEntry& device : scan.devices) {
        if (!device.unusableReason.isEmpty())
            continue;
        const bool wanted = choice.device == BackendSettings::kAuto ? device.kind != QLatin1String("software")
                                                                     : device.uuid == choice.device;
        if (wanted) {
            chosen = &device;
            break;
        }
    }

    // Step 2: its memory, or the CPU's when there is none.
    if (chosen && chosen->memoryBytes > 0) {
        budget.deviceName = chosen->name;
        budget.gpuBytes = static_cast<qint64>(chosen->memoryBytes);
        budget.gpuBytesIsEstimate = chosen->memoryIsEstimate;
    }
    return budget;
}

} // namespace quanta
