// Choosing and loading the GPU part of a model: which Vulkan device, how
// many layers fit its memory budget, and the fallback to the CPU with the
// reason when the GPU cannot be used.
#pragma once

#include "engine/memory_plan.h"

#include <atomic>
#include <memory>
#include <string>

namespace quanta {

class ModelGraph;

namespace vk {
class DeviceMemory;
class GpuModel;
class Instance;
struct DeviceInfo;
} // namespace vk

// Share of the device's usable memory a model may fill: the driver and the
// other programs on the GPU need some room the budget does not show.
inline constexpr double kGpuBudgetShare = 0.9;

struct GpuRequest {
    std::string device = "auto";  // "auto", "cpu" (no GPU), or an index, name or UUID
    int gpu_layers = -1;          // -1: as many as fit the budget; 0: none
    int n_ctx = 4096;             // context the plan reserves a KV cache for
    int n_batch = 512;
    // Device memory the model may take, in bytes, when that is less than
    // kGpuBudgetShare of the device's usable memory; 0 for no such limit.
    uint64_t memory_limit = 0;
    int fail_allocation_at = 0;   // test hook: the N-th device allocation fails (0: off)
    bool fail_later_allocations = false;  // and every one after it
    const std::atomic<bool>* cancel = nullptr;
};

struct GpuPlacement {
    std::shared_ptr<vk::DeviceMemory> memory;  // null when the model runs on the CPU alone
    std::shared_ptr<vk::GpuModel> model;
    std::string device_name;
    int n_layers = 0;
    // Reason the GPU runs fewer layers than requested, or none; empty when
    // it runs all that were requested.
    std::string fallback_reason;
};

// The Vulkan device a load with device `spec` uses.
struct GpuChoice {
    std::shared_ptr<vk::Instance> instance;
    const vk::DeviceInfo* device = nullptr;  // in instance->devices(); null when the model runs on the CPU
    std::string reason;                      // why no device is used; empty for "cpu"
};

// Picks the device for `spec` as loading does: "cpu" none, "auto" the best
// hardware GPU (a software driver such as lavapipe only when named), or the
// named one. Does not throw for a missing loader or device: the result then
// has no device and the reason.
GpuChoice choose_gpu(const std::string& spec);

// The planner's request for `device`: kGpuBudgetShare of its usable memory
// (or `memory_limit` when smaller and not 0), its buffer alignments, and
// whether it runs the int8 path (QUANTA_VK_PATHS applied).
MemoryPlanRequest gpu_plan_request(const vk::DeviceInfo& device, uint64_t memory_limit = 0);

// Places the first layers of `graph` on the requested device, as many as
// plan_memory() gives `layout` (describe_model_memory() of the file the
// graph was built from). A device problem (no loader, no device, out of
// memory) does not throw: the result then has fewer layers or none, and the
// reason. Throws CancelledError.
GpuPlacement place_on_gpu(const ModelGraph& graph, const ModelMemoryLayout& layout, const GpuRequest& request);

} // namespace quanta
