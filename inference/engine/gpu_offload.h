// Choosing and loading the GPU part of a model: which Vulkan device, how
// many layers fit its memory budget, and the fallback to the CPU with the
// reason when the GPU cannot be used.
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace quanta {

class ModelGraph;

namespace vk {
class DeviceMemory;
class GpuModel;
} // namespace vk

struct GpuRequest {
    std::string device = "auto";  // "auto", "cpu" (no GPU), or an index, name or UUID
    int gpu_layers = -1;          // -1: as many as fit the budget; 0: none
    int n_ctx = 4096;             // context the estimate reserves a KV cache for
    int n_batch = 512;
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

// Places the first layers of `graph` on the requested device. A device
// problem (no loader, no device, out of memory) does not throw: the result
// then has fewer layers or none, and the reason. Throws CancelledError.
GpuPlacement place_on_gpu(const ModelGraph& graph, const GpuRequest& request);

} // namespace quanta
