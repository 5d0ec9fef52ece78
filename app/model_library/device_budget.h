// The memory budget of the device the settings choose: the Vulkan device's
// usable memory for "auto" or a chosen GPU, else the system's RAM.
#pragma once

#include "model_library/memory_fit.h"
#include "settings/backend_settings.h"

namespace quanta {

// Total physical memory of this computer in bytes; 0 when it cannot be read.
qint64 systemMemoryBytes();

// The budget for `choice` among the devices of `scan`. "auto" takes the
// first usable device that is not a software driver, as the backend does
// (it skips llvmpipe unless it is named). No GPU, or "cpu", gives a CPU
// budget of `ramBytes`. With gpuLayers 0 the model runs on the CPU too.
DeviceBudget budgetForChoice(const DeviceChoice& choice, const VulkanDeviceScan& scan, qint64 ramBytes);

} // namespace quanta
