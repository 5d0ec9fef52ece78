#include "vulkan/vulkan_context.h"

#include "core/error.h"
#include "core/log.h"

#include <cstring>
#include <string>
#include <vector>

namespace quanta::vk {

namespace {

bool device_has_extension(const Api& api, VkPhysicalDevice physical, const char* name)
{
    uint32_t count = 0;
    check(api.vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr),
          "vkEnumerateDeviceExtensionProperties");
    std::vector<VkExtensionProperties> extensions(count);
    check(api.vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data()),
          "vkEnumerateDeviceExtensionProperties");
    for (const VkExtensionProperties& extension : extensions) {
        if (std::strcmp(extension.extensionName, name) == 0)
            return true;
    }
    return false;
}

// The first memory type with all of `required` and, if one exists, all of
// `preferred` too. -1 when none has `required`.
int find_memory_type(const VkPhysicalDeviceMemoryProperties& memory, VkMemoryPropertyFlags required,
                     VkMemoryPropertyFlags preferred)
{
    int fallback = -1;
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
        if ((flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return static_cast<int>(i);
        if (fallback < 0)
            fallback = static_cast<int>(i);
    }
    return fallback;
}

} // namespace

std::shared_ptr<Context> Context::create(std::shared_ptr<Instance> instance, const DeviceInfo& info)
{
    if (!info.usable())
        throw DeviceError("Vulkan device " + info.name + " cannot run the model: " + info.unusable_reason);

    std::shared_ptr<Context> context(new Context());
    context->instance_ = instance;
    context->info_ = info;
    context->physical_ = instance->physical_device(info.index);
    context->api_ = instance->api();
    Api& api = context->api_;
    const VkPhysicalDevice physical = context->physical_;
    const uint32_t device_api = std::min(info.api_version, instance->api_version());
    DeviceFeatures& enabled = context->info_.features;

    // Extensions: those that are core in newer Vulkan versions are enabled by
    // name only on devices older than that version.
    std::vector<const char*> extensions;
    const auto enable_if_present = [&](const char* name, uint32_t core_in) {
        if (device_api >= core_in)
            return true;
        if (!device_has_extension(api, physical, name))
            return false;
        extensions.push_back(name);
        return true;
    };
    if (!enable_if_present(VK_KHR_8BIT_STORAGE_EXTENSION_NAME, VK_API_VERSION_1_2))
        enabled.storage_8bit = false;
    if (!enable_if_present(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME, VK_API_VERSION_1_2)) {
        enabled.float16 = false;
        enabled.int8 = false;
    }
    if (!enable_if_present(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME, VK_API_VERSION_1_3))
        enabled.int_dot_product = false;
    if (!enable_if_present(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME, VK_API_VERSION_1_3))
        enabled.subgroup_size_control = false;
    if (enabled.memory_budget)
        extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);

    // Features, chained.
    auto storage16 = make<VkPhysicalDevice16BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
    auto storage8 = make<VkPhysicalDevice8BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES);
    auto f16_i8 =
        make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    auto int_dot = make<VkPhysicalDeviceShaderIntegerDotProductFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES);
    auto size_control = make<VkPhysicalDeviceSubgroupSizeControlFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES);
    storage16.storageBuffer16BitAccess = VK_TRUE;
    void* chain = &storage16;
    const auto link = [&chain](auto& feature) {
        feature.pNext = chain;
        chain = &feature;
    };
    if (enabled.storage_8bit) {
        storage8.storageBuffer8BitAccess = VK_TRUE;
        link(storage8);
    }
    if (enabled.float16 || enabled.int8) {
        f16_i8.shaderFloat16 = enabled.float16;
        f16_i8.shaderInt8 = enabled.int8;
        link(f16_i8);
    }
    if (enabled.int_dot_product) {
        int_dot.shaderIntegerDotProduct = VK_TRUE;
        link(int_dot);
    }
    if (enabled.subgroup_size_control) {
        size_control.subgroupSizeControl = VK_TRUE;
        size_control.computeFullSubgroups = VK_TRUE;
        link(size_control);
    }

    const float priority = 1.0f;
    auto queue_info = make<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
    queue_info.queueFamilyIndex = static_cast<uint32_t>(info.compute_queue_family);
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    auto create = make<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
    create.pNext = chain;
    create.queueCreateInfoCount = 1;
    create.pQueueCreateInfos = &queue_info;
    create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    create.ppEnabledExtensionNames = extensions.data();
    check(api.vkCreateDevice(physical, &create, nullptr, &context->device_), "vkCreateDevice on " + info.name);
    load_device_functions(api, context->device_);
    api.vkGetDeviceQueue(context->device_, queue_info.queueFamilyIndex, 0, &context->queue_);

    // Memory types.
    api.vkGetPhysicalDeviceMemoryProperties(physical, &context->memory_);
    const int device_type = find_memory_type(context->memory_, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
    const int upload_type =
        find_memory_type(context->memory_, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0);
    const int readback_type = find_memory_type(context->memory_, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                               VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    if (device_type < 0 || upload_type < 0 || readback_type < 0)
        throw DeviceError("Vulkan device " + info.name + " has no device-local or no host-visible memory type");
    context->device_type_ = static_cast<uint32_t>(device_type);
    context->upload_type_ = static_cast<uint32_t>(upload_type);
    context->readback_type_ = static_cast<uint32_t>(readback_type);

    VkPhysicalDeviceProperties properties{};
    api.vkGetPhysicalDeviceProperties(physical, &properties);
    context->storage_alignment_ = std::max<uint64_t>(properties.limits.minStorageBufferOffsetAlignment, 16);
    context->non_coherent_atom_ = std::max<uint64_t>(properties.limits.nonCoherentAtomSize, 1);

    QUANTA_LOG_INFO("Vulkan device %s (%s, Vulkan %s): fp16 %d, int8 %d, 8-bit storage %d, int8 dot %d, subgroup %u "
                    "(arithmetic %d), cooperative matrix %d, memory budget %d",
                    info.name.c_str(), std::string(device_kind_name(info.kind)).c_str(),
                    info.api_version_text().c_str(), enabled.float16, enabled.int8, enabled.storage_8bit,
                    enabled.int_dot_product, enabled.subgroup_size, enabled.subgroup_arithmetic,
                    enabled.cooperative_matrix, enabled.memory_budget);
    return context;
}

Context::~Context()
{
    if (device_ == VK_NULL_HANDLE)
        return;
    api_.vkDeviceWaitIdle(device_);
    api_.vkDestroyDevice(device_, nullptr);
}

uint32_t Context::heap_of(uint32_t memory_type) const
{
    return memory_.memoryTypes[memory_type].heapIndex;
}

bool Context::is_host_coherent(uint32_t memory_type) const
{
    return memory_.memoryTypes[memory_type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
}

std::vector<MemoryHeap> Context::heap_budgets() const
{
    return read_memory_heaps(api_, physical_, info_.features.memory_budget);
}

} // namespace quanta::vk
