#include "vulkan/vulkan_devices.h"

#include "core/error.h"
#include "core/log.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace quanta::vk {

namespace {

// The backend needs Vulkan 1.1 (16-bit storage and subgroups are core there).
constexpr uint32_t kRequiredApi = VK_API_VERSION_1_1;

DeviceKind kind_of(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::Discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::Integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::Virtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::Cpu;
    default: return DeviceKind::Other;
    }
}

std::string format_uuid(const uint8_t (&bytes)[VK_UUID_SIZE])
{
    std::string text;
    for (size_t i = 0; i < VK_UUID_SIZE; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            text += '-';
        char digits[3];
        std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
        text += digits;
    }
    return text;
}

std::string lowercase(std::string text)
{
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string without_dashes(std::string text)
{
    text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
    return text;
}

bool has_extension(const std::vector<VkExtensionProperties>& extensions, const char* name)
{
    return std::any_of(extensions.begin(), extensions.end(),
                       [name](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

int kind_rank(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return 0;
    case DeviceKind::Integrated: return 1;
    case DeviceKind::Virtual: return 2;
    case DeviceKind::Cpu: return 3;
    case DeviceKind::Other: return 4;
    }
    return 4;
}

std::string list_devices(const std::vector<DeviceInfo>& devices)
{
    if (devices.empty())
        return "no Vulkan devices were found";
    std::string text = "devices:";
    for (const DeviceInfo& device : devices) {
        text += " [" + std::to_string(device.index) + "] " + device.name + " (" +
                std::string(device_kind_name(device.kind)) + (device.usable() ? "" : ", " + device.unusable_reason) +
                ")";
    }
    return text;
}

} // namespace

std::string_view device_kind_name(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return "discrete GPU";
    case DeviceKind::Integrated: return "integrated GPU";
    case DeviceKind::Virtual: return "virtual GPU";
    case DeviceKind::Cpu: return "CPU";
    case DeviceKind::Other: return "other";
    }
    return "other";
}

uint64_t DeviceInfo::usable_memory() const
{
    uint64_t best = 0;
    const bool shared_memory = kind == DeviceKind::Integrated || kind == DeviceKind::Cpu;
    for (const MemoryHeap& heap : heaps) {
        if (shared_memory || heap.device_local)
            best = std::max(best, heap.budget > heap.usage ? heap.budget - heap.usage : 0);
    }
    return best;
}

std::string DeviceInfo::api_version_text() const
{
    return std::to_string(VK_API_VERSION_MAJOR(api_version)) + "." + std::to_string(VK_API_VERSION_MINOR(api_version)) +
           "." + std::to_string(VK_API_VERSION_PATCH(api_version));
}

std::shared_ptr<Instance> Instance::create()
{
    std::shared_ptr<Instance> instance(new Instance());
    instance->loader_ = Loader::open();
    instance->api_ = instance->loader_->global_api();
    Api& api = instance->api_;

    uint32_t loader_version = VK_API_VERSION_1_0;
    if (api.vkEnumerateInstanceVersion)
        api.vkEnumerateInstanceVersion(&loader_version);
    if (loader_version < kRequiredApi)
        throw DeviceError("the Vulkan loader " + instance->loader_->library() + " supports only Vulkan " +
                          std::to_string(VK_API_VERSION_MAJOR(loader_version)) + "." +
                          std::to_string(VK_API_VERSION_MINOR(loader_version)) + "; Vulkan 1.1 is required");
    instance->api_version_ = std::min<uint32_t>(loader_version, VK_API_VERSION_1_3);

    // Portability enumeration lists devices such as MoltenVK's that are not
    // fully conformant; enable it when the loader has it.
    uint32_t count = 0;
    check(api.vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr), "vkEnumerateInstanceExtensionProperties");
    std::vector<VkExtensionProperties> extensions(count);
    check(api.vkEnumerateInstanceExtensionProperties(nullptr, &count, extensions.data()),
          "vkEnumerateInstanceExtensionProperties");
    std::vector<const char*> enabled;
    VkInstanceCreateFlags flags = 0;
    if (has_extension(extensions, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
        enabled.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
        flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    }

    auto app = make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
    app.pApplicationName = "Quanta";
    app.pEngineName = "quanta";
    app.apiVersion = instance->api_version_;
    auto create = make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
    create.flags = flags;
    create.pApplicationInfo = &app;
    create.enabledExtensionCount = static_cast<uint32_t>(enabled.size());
    create.ppEnabledExtensionNames = enabled.data();
    const VkResult created = api.vkCreateInstance(&create, nullptr, &instance->instance_);
    if (created == VK_ERROR_INCOMPATIBLE_DRIVER)
        throw DeviceError("no Vulkan driver found (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER); install the "
                          "Vulkan driver for your GPU (Mesa's mesa-vulkan-drivers, or the vendor's)");
    check(created, "vkCreateInstance");
    load_instance_functions(api, instance->instance_);
    instance->enumerate();
    return instance;
}

Instance::~Instance()
{
    if (instance_ != VK_NULL_HANDLE && api_.vkDestroyInstance)
        api_.vkDestroyInstance(instance_, nullptr);
}

VkPhysicalDevice Instance::physical_device(int index) const
{
    if (index < 0 || static_cast<size_t>(index) >= physical_.size())
        throw DeviceError("no Vulkan device with index " + std::to_string(index));
    return physical_[static_cast<size_t>(index)];
}

void Instance::enumerate()
{
    uint32_t count = 0;
    check(api_.vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
    physical_.resize(count);
    VkResult result = api_.vkEnumeratePhysicalDevices(instance_, &count, physical_.data());
    if (result != VK_INCOMPLETE)
        check(result, "vkEnumeratePhysicalDevices");
    physical_.resize(count);

    for (uint32_t i = 0; i < count; ++i) {
        VkPhysicalDevice physical = physical_[i];
        DeviceInfo info;
        info.index = static_cast<int>(i);

        uint32_t extension_count = 0;
        check(api_.vkEnumerateDeviceExtensionProperties(physical, nullptr, &extension_count, nullptr),
              "vkEnumerateDeviceExtensionProperties");
        std::vector<VkExtensionProperties> extensions(extension_count);
        check(api_.vkEnumerateDeviceExtensionProperties(physical, nullptr, &extension_count, extensions.data()),
              "vkEnumerateDeviceExtensionProperties");

        VkPhysicalDeviceProperties basic{};
        api_.vkGetPhysicalDeviceProperties(physical, &basic);
        const uint32_t device_api = std::min(basic.apiVersion, api_version_);
        const bool api_12 = device_api >= VK_API_VERSION_1_2;
        const bool api_13 = device_api >= VK_API_VERSION_1_3;
        DeviceFeatures& features = info.features;
        features.memory_budget = has_extension(extensions, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
        features.cooperative_matrix =
            has_extension(extensions, "VK_KHR_cooperative_matrix") || has_extension(extensions, "VK_NV_cooperative_matrix");
        const bool has_int_dot = api_13 || has_extension(extensions, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
        const bool has_size_control = api_13 || has_extension(extensions, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
        const bool has_f16_i8 = api_12 || has_extension(extensions, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
        const bool has_8bit = api_12 || has_extension(extensions, VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
        const bool has_driver_properties = api_12 || has_extension(extensions, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);

        // Properties: IDs, subgroups, subgroup size range, driver.
        auto properties = make<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
        auto ids = make<VkPhysicalDeviceIDProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES);
        auto subgroup = make<VkPhysicalDeviceSubgroupProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
        auto size_control = make<VkPhysicalDeviceSubgroupSizeControlProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES);
        auto driver = make<VkPhysicalDeviceDriverProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES);
        auto maintenance3 = make<VkPhysicalDeviceMaintenance3Properties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES);
        properties.pNext = &ids;
        ids.pNext = &subgroup;
        subgroup.pNext = &maintenance3;
        void** tail = &maintenance3.pNext;
        if (has_size_control) {
            *tail = &size_control;
            tail = &size_control.pNext;
        }
        if (has_driver_properties) {
            *tail = &driver;
            tail = &driver.pNext;
        }
        api_.vkGetPhysicalDeviceProperties2(physical, &properties);
        const VkPhysicalDeviceProperties& p = properties.properties;
        info.name = p.deviceName;
        info.kind = kind_of(p.deviceType);
        info.vendor_id = p.vendorID;
        info.api_version = p.apiVersion;
        info.uuid = format_uuid(ids.deviceUUID);
        info.max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
        info.max_shared_memory = p.limits.maxComputeSharedMemorySize;
        info.max_push_constants = p.limits.maxPushConstantsSize;
        info.max_storage_buffer_range = p.limits.maxStorageBufferRange;
        info.storage_alignment = std::max<uint64_t>(p.limits.minStorageBufferOffsetAlignment, 16);
        info.non_coherent_atom = std::max<uint64_t>(p.limits.nonCoherentAtomSize, 1);
        info.max_allocation = maintenance3.maxMemoryAllocationSize;
        if (has_driver_properties)
            info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
        features.subgroup_size = subgroup.subgroupSize;
        features.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                                       (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
        features.subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                                    (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
        features.subgroup_min_size = has_size_control ? size_control.minSubgroupSize : subgroup.subgroupSize;
        features.subgroup_max_size = has_size_control ? size_control.maxSubgroupSize : subgroup.subgroupSize;

        // Features.
        auto feature_chain = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
        auto storage16 = make<VkPhysicalDevice16BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
        auto storage8 = make<VkPhysicalDevice8BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES);
        auto f16_i8 = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
        auto int_dot = make<VkPhysicalDeviceShaderIntegerDotProductFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES);
        auto size_control_features = make<VkPhysicalDeviceSubgroupSizeControlFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES);
        feature_chain.pNext = &storage16;
        tail = &storage16.pNext;
        if (has_8bit) {
            *tail = &storage8;
            tail = &storage8.pNext;
        }
        if (has_f16_i8) {
            *tail = &f16_i8;
            tail = &f16_i8.pNext;
        }
        if (has_int_dot) {
            *tail = &int_dot;
            tail = &int_dot.pNext;
        }
        if (has_size_control) {
            *tail = &size_control_features;
            tail = &size_control_features.pNext;
        }
        api_.vkGetPhysicalDeviceFeatures2(physical, &feature_chain);
        features.storage_16bit = storage16.storageBuffer16BitAccess;
        features.storage_8bit = has_8bit && storage8.storageBuffer8BitAccess;
        features.float16 = has_f16_i8 && f16_i8.shaderFloat16;
        features.int8 = has_f16_i8 && f16_i8.shaderInt8;
        features.int_dot_product = has_int_dot && int_dot.shaderIntegerDotProduct;
        features.subgroup_size_control = has_size_control && size_control_features.subgroupSizeControl &&
                                         size_control_features.computeFullSubgroups;

        // Memory heaps, with the budget when the driver reports one.
        info.heaps = read_memory_heaps(api_, physical, features.memory_budget);
        info.budget_is_estimate = !features.memory_budget;

        // A queue family that runs compute.
        uint32_t family_count = 0;
        api_.vkGetPhysicalDeviceQueueFamilyProperties(physical, &family_count, nullptr);
        std::vector<VkQueueFamilyProperties> families(family_count);
        api_.vkGetPhysicalDeviceQueueFamilyProperties(physical, &family_count, families.data());
        for (uint32_t f = 0; f < family_count; ++f) {
            // A compute-only family first: it may run beside a graphics queue.
            const bool compute = families[f].queueFlags & VK_QUEUE_COMPUTE_BIT;
            const bool graphics = families[f].queueFlags & VK_QUEUE_GRAPHICS_BIT;
            if (compute && (info.compute_queue_family < 0 || !graphics))
                info.compute_queue_family = static_cast<int>(f);
        }

        if (device_api < kRequiredApi)
            info.unusable_reason = "Vulkan " + info.api_version_text() + " is older than the required 1.1";
        else if (!features.storage_16bit)
            info.unusable_reason = "no 16-bit storage buffer access (storageBuffer16BitAccess)";
        else if (info.compute_queue_family < 0)
            info.unusable_reason = "no compute queue";
        devices_.push_back(std::move(info));
    }
}

std::vector<MemoryHeap> read_memory_heaps(const Api& api, VkPhysicalDevice physical, bool has_budget)
{
    auto memory = make<VkPhysicalDeviceMemoryProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2);
    auto budget =
        make<VkPhysicalDeviceMemoryBudgetPropertiesEXT>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT);
    if (has_budget)
        memory.pNext = &budget;
    api.vkGetPhysicalDeviceMemoryProperties2(physical, &memory);
    std::vector<MemoryHeap> heaps;
    for (uint32_t h = 0; h < memory.memoryProperties.memoryHeapCount; ++h) {
        const VkMemoryHeap& source = memory.memoryProperties.memoryHeaps[h];
        MemoryHeap heap;
        heap.size = source.size;
        heap.device_local = source.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
        heap.budget = has_budget ? budget.heapBudget[h] : heap.size;
        heap.usage = has_budget ? budget.heapUsage[h] : 0;
        heaps.push_back(heap);
    }
    return heaps;
}

std::vector<int> rank_devices(const std::vector<DeviceInfo>& devices)
{
    std::vector<int> order(devices.size());
    for (size_t i = 0; i < devices.size(); ++i)
        order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const DeviceInfo& x = devices[static_cast<size_t>(a)];
        const DeviceInfo& y = devices[static_cast<size_t>(b)];
        if (x.usable() != y.usable())
            return x.usable();
        return kind_rank(x.kind) < kind_rank(y.kind);
    });
    return order;
}

const DeviceInfo& select_device(const std::vector<DeviceInfo>& devices, const std::string& raw_spec)
{
    // The spec comes from a command line or a settings file; messages quote
    // it with control characters escaped so it cannot drive a terminal.
    std::string spec;
    for (const char c : raw_spec) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
            spec += escaped;
        } else {
            spec += c;
        }
    }

    const std::vector<int> order = rank_devices(devices);
    const auto pick = [&](const DeviceInfo& device) -> const DeviceInfo& {
        if (!device.usable())
            throw DeviceError("Vulkan device '" + spec + "' (" + device.name + ") cannot run the model: " +
                              device.unusable_reason);
        return device;
    };

    if (spec.empty() || spec == "auto") {
        for (int index : order) {
            if (devices[static_cast<size_t>(index)].usable())
                return devices[static_cast<size_t>(index)];
        }
        throw DeviceError("no usable Vulkan device; " + list_devices(devices));
    }

    int index = -1;
    const auto [end, error] = std::from_chars(spec.data(), spec.data() + spec.size(), index);
    if (error == std::errc() && end == spec.data() + spec.size()) {
        if (index < 0 || static_cast<size_t>(index) >= devices.size())
            throw DeviceError("no Vulkan device with index " + spec + "; " + list_devices(devices));
        return pick(devices[static_cast<size_t>(index)]);
    }

    const std::string needle = lowercase(spec);
    for (int i : order) {
        const DeviceInfo& device = devices[static_cast<size_t>(i)];
        if (without_dashes(lowercase(device.uuid)) == without_dashes(needle))
            return pick(device);
    }
    for (int i : order) {
        const DeviceInfo& device = devices[static_cast<size_t>(i)];
        if (lowercase(device.name).find(needle) != std::string::npos)
            return pick(device);
    }
    throw DeviceError("no Vulkan device matches '" + spec + "' by index, UUID or name; " + list_devices(devices));
}

} // namespace quanta::vk
