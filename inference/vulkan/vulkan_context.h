// One Vulkan device opened for compute: the VkDevice with the features the
// shaders use, its compute queue, and the memory types for device-local and
// host-visible buffers. Work is recorded and submitted with vk::Recorder.
#pragma once

#include "vulkan/vulkan_devices.h"

#include <memory>

namespace quanta::vk {

class Context {
public:
    // Opens device `info` of `instance`. Throws DeviceError naming the device
    // when it is not usable or vkCreateDevice fails.
    static std::shared_ptr<Context> create(std::shared_ptr<Instance> instance, const DeviceInfo& info);
    ~Context();

    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    const Api& api() const { return api_; }
    VkDevice device() const { return device_; }
    VkQueue queue() const { return queue_; }
    const DeviceInfo& info() const { return info_; }
    // The features enabled on this device (a subset of info().features).
    const DeviceFeatures& features() const { return info_.features; }
    uint64_t storage_alignment() const { return storage_alignment_; }
    uint64_t non_coherent_atom() const { return non_coherent_atom_; }

    // Memory type indices: device-local, host-visible for uploads, and
    // host-visible (cached when possible) for read-back.
    uint32_t device_memory_type() const { return device_type_; }
    uint32_t upload_memory_type() const { return upload_type_; }
    uint32_t readback_memory_type() const { return readback_type_; }
    uint32_t heap_of(uint32_t memory_type) const;
    bool is_host_coherent(uint32_t memory_type) const;

    // The heaps' current budget and usage (VK_EXT_memory_budget), or sizes
    // when the extension is missing.
    std::vector<MemoryHeap> heap_budgets() const;

private:
    Context() = default;

    std::shared_ptr<Instance> instance_;
    DeviceInfo info_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    Api api_;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkPhysicalDeviceMemoryProperties memory_{};
    uint32_t device_type_ = 0;
    uint32_t upload_type_ = 0;
    uint32_t readback_type_ = 0;
    uint64_t storage_alignment_ = 16;
    uint64_t non_coherent_atom_ = 64;
};

} // namespace quanta::vk
