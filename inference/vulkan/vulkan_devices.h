// Vulkan devices: enumeration, the features the shaders can use, memory heaps
// and budgets, and the choice of a device.
#pragma once

#include "vulkan/vulkan_api.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace quanta::vk {

enum class DeviceKind { Discrete, Integrated, Virtual, Cpu, Other };

std::string_view device_kind_name(DeviceKind kind);

struct MemoryHeap {
    uint64_t size = 0;
    bool device_local = false;
    // From VK_EXT_memory_budget when the device has it; otherwise budget is
    // the heap size and usage 0, and budget_is_estimate is set.
    uint64_t budget = 0;
    uint64_t usage = 0;
};

// Optional features the shaders choose their paths by.
struct DeviceFeatures {
    bool storage_16bit = false;        // storageBuffer16BitAccess: required
    bool storage_8bit = false;         // storageBuffer8BitAccess
    bool float16 = false;              // shaderFloat16 arithmetic
    bool int8 = false;                 // shaderInt8 arithmetic
    bool int_dot_product = false;      // VK_KHR_shader_integer_dot_product, 4x8-bit packed
    bool cooperative_matrix = false;   // VK_KHR_cooperative_matrix or VK_NV_cooperative_matrix
    bool memory_budget = false;        // VK_EXT_memory_budget
    bool subgroup_size_control = false;
    uint32_t subgroup_size = 0;
    uint32_t subgroup_min_size = 0;
    uint32_t subgroup_max_size = 0;
    bool subgroup_arithmetic = false;  // subgroupAdd and friends in compute shaders
    bool subgroup_shuffle = false;
};

struct DeviceInfo {
    int index = 0;                     // position in vkEnumeratePhysicalDevices
    std::string name;
    DeviceKind kind = DeviceKind::Other;
    std::string uuid;                  // deviceUUID, as 8-4-4-4-12 hex digits
    uint32_t vendor_id = 0;
    uint32_t api_version = 0;
    std::string driver;                // driver name and version info when the driver reports them
    uint32_t max_workgroup_invocations = 0;
    uint32_t max_shared_memory = 0;
    uint32_t max_push_constants = 0;
    uint64_t max_allocation = 0;       // maxMemoryAllocationSize
    uint64_t max_storage_buffer_range = 0;
    // minStorageBufferOffsetAlignment (at least 16): the backend rounds every
    // buffer up to it. nonCoherentAtomSize (at least 1): the backend rounds
    // host-visible buffers up to it too.
    uint64_t storage_alignment = 16;
    uint64_t non_coherent_atom = 1;
    std::vector<MemoryHeap> heaps;
    bool budget_is_estimate = true;
    DeviceFeatures features;
    int compute_queue_family = -1;
    // Empty when the backend can run on the device, else why not.
    std::string unusable_reason;

    bool usable() const { return unusable_reason.empty(); }
    // Memory the model may use: the device-local heap's budget on a discrete
    // GPU; on an integrated GPU or a CPU device, which share system memory,
    // the largest heap's budget.
    uint64_t usable_memory() const;
    std::string api_version_text() const;
};

// A VkInstance with the loader that made it.
class Instance {
public:
    // Opens the loader and creates an instance. Throws DeviceError when there
    // is no loader or the instance cannot be created.
    static std::shared_ptr<Instance> create();
    ~Instance();

    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    const Api& api() const { return api_; }
    VkInstance handle() const { return instance_; }
    uint32_t api_version() const { return api_version_; }
    const std::string& loader_library() const { return loader_->library(); }

    // Every physical device with its properties, in enumeration order.
    const std::vector<DeviceInfo>& devices() const { return devices_; }
    VkPhysicalDevice physical_device(int index) const;

private:
    Instance() = default;
    void enumerate();

    std::shared_ptr<Loader> loader_;
    Api api_;
    VkInstance instance_ = VK_NULL_HANDLE;
    uint32_t api_version_ = 0;
    std::vector<VkPhysicalDevice> physical_;
    std::vector<DeviceInfo> devices_;
};

// The memory heaps of `physical` with their budget and usage, read from
// VK_EXT_memory_budget when `has_budget`, else with the heap size as budget.
std::vector<MemoryHeap> read_memory_heaps(const Api& api, VkPhysicalDevice physical, bool has_budget);

// The order the backend tries devices in: usable before unusable, then
// discrete, integrated, virtual, CPU; enumeration order breaks ties.
std::vector<int> rank_devices(const std::vector<DeviceInfo>& devices);

// Picks the device for `spec`. "" or "auto" takes the first usable device by
// rank_devices(). A number selects that index, a UUID (with or without
// dashes) that device, and any other text the first device whose name
// contains it, ignoring case. Throws DeviceError naming the spec and listing
// the devices when nothing usable matches.
const DeviceInfo& select_device(const std::vector<DeviceInfo>& devices, const std::string& spec);

} // namespace quanta::vk
