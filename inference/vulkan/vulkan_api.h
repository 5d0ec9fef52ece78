// The Vulkan loader, opened at run time with dlopen so the engine starts on a
// machine without one, and the entry points the GPU backend calls.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <memory>
#include <string>

namespace quanta::vk {

// Global and instance-level entry points.
#define QUANTA_VK_INSTANCE_FUNCTIONS(X)          \
    X(vkDestroyInstance)                         \
    X(vkEnumeratePhysicalDevices)                \
    X(vkGetPhysicalDeviceProperties)             \
    X(vkGetPhysicalDeviceProperties2)            \
    X(vkGetPhysicalDeviceFeatures2)              \
    X(vkGetPhysicalDeviceMemoryProperties)       \
    X(vkGetPhysicalDeviceMemoryProperties2)      \
    X(vkGetPhysicalDeviceQueueFamilyProperties)  \
    X(vkEnumerateDeviceExtensionProperties)      \
    X(vkCreateDevice)                            \
    X(vkGetDeviceProcAddr)

// Device-level entry points.
#define QUANTA_VK_DEVICE_FUNCTIONS(X)            \
    X(vkDestroyDevice)                           \
    X(vkGetDeviceQueue)                          \
    X(vkDeviceWaitIdle)                          \
    X(vkAllocateMemory)                          \
    X(vkFreeMemory)                              \
    X(vkMapMemory)                               \
    X(vkUnmapMemory)                             \
    X(vkFlushMappedMemoryRanges)                 \
    X(vkInvalidateMappedMemoryRanges)            \
    X(vkCreateBuffer)                            \
    X(vkDestroyBuffer)                           \
    X(vkGetBufferMemoryRequirements)             \
    X(vkBindBufferMemory)                        \
    X(vkCreateShaderModule)                      \
    X(vkDestroyShaderModule)                     \
    X(vkCreateDescriptorSetLayout)               \
    X(vkDestroyDescriptorSetLayout)              \
    X(vkCreatePipelineLayout)                    \
    X(vkDestroyPipelineLayout)                   \
    X(vkCreateComputePipelines)                  \
    X(vkDestroyPipeline)                         \
    X(vkCreateDescriptorPool)                    \
    X(vkDestroyDescriptorPool)                   \
    X(vkResetDescriptorPool)                     \
    X(vkAllocateDescriptorSets)                  \
    X(vkUpdateDescriptorSets)                    \
    X(vkCreateCommandPool)                       \
    X(vkDestroyCommandPool)                      \
    X(vkResetCommandPool)                        \
    X(vkAllocateCommandBuffers)                  \
    X(vkBeginCommandBuffer)                      \
    X(vkEndCommandBuffer)                        \
    X(vkCmdBindPipeline)                         \
    X(vkCmdBindDescriptorSets)                   \
    X(vkCmdPushConstants)                        \
    X(vkCmdDispatch)                             \
    X(vkCmdPipelineBarrier)                      \
    X(vkCmdCopyBuffer)                           \
    X(vkCmdFillBuffer)                           \
    X(vkCreateFence)                             \
    X(vkDestroyFence)                            \
    X(vkResetFences)                             \
    X(vkWaitForFences)                           \
    X(vkQueueSubmit)

#define QUANTA_VK_DECLARE(name) PFN_##name name = nullptr;

// Pointers to the loader's entry points. The device-level ones are filled by
// load_device_functions() for one VkDevice.
struct Api {
    PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
    PFN_vkCreateInstance vkCreateInstance = nullptr;
    PFN_vkEnumerateInstanceVersion vkEnumerateInstanceVersion = nullptr;
    PFN_vkEnumerateInstanceExtensionProperties vkEnumerateInstanceExtensionProperties = nullptr;
    QUANTA_VK_INSTANCE_FUNCTIONS(QUANTA_VK_DECLARE)
    QUANTA_VK_DEVICE_FUNCTIONS(QUANTA_VK_DECLARE)
};

#undef QUANTA_VK_DECLARE

// The dlopen handle of libvulkan. Closed when the last user lets go.
class Loader {
public:
    // Opens the Vulkan loader: $QUANTA_VULKAN_LOADER when set (tests point it
    // at a missing file), else libvulkan.so.1. Throws DeviceError naming the
    // library and dlerror()'s reason when it cannot be opened.
    static std::shared_ptr<Loader> open();
    ~Loader();

    Loader(const Loader&) = delete;
    Loader& operator=(const Loader&) = delete;

    const std::string& library() const { return library_; }
    // The global entry points; instance and device ones are loaded later.
    Api global_api() const;

private:
    Loader() = default;

    void* handle_ = nullptr;
    std::string library_;
    PFN_vkGetInstanceProcAddr get_instance_proc_addr_ = nullptr;
};

// Fills the instance-level entry points of `api` for `instance`. Throws
// DeviceError naming the first one the loader does not provide.
void load_instance_functions(Api& api, VkInstance instance);

// Fills the device-level entry points of `api` for `device`.
void load_device_functions(Api& api, VkDevice device);

// A zeroed Vulkan struct with its sType set.
template <typename T>
T make(VkStructureType type)
{
    T value{};
    value.sType = type;
    return value;
}

// "VK_ERROR_OUT_OF_DEVICE_MEMORY", ... for messages.
const char* result_name(VkResult result);

// Throws DeviceError ("<operation> failed: VK_ERROR_..."), or
// OutOfDeviceMemoryError for the two out-of-memory results.
void check(VkResult result, const std::string& operation);

} // namespace quanta::vk
