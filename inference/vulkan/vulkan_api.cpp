#include "vulkan/vulkan_api.h"

#include "core/error.h"

#include <dlfcn.h>

#include <cstdlib>

namespace quanta::vk {

std::shared_ptr<Loader> Loader::open()
{
    const char* override_path = std::getenv("QUANTA_VULKAN_LOADER");
    std::shared_ptr<Loader> loader(new Loader());
    loader->library_ = override_path && *override_path ? override_path : "libvulkan.so.1";
    loader->handle_ = dlopen(loader->library_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (loader->handle_ == nullptr) {
        const char* reason = dlerror();
        const std::string remedy = override_path && *override_path
                                       ? "; it was named by QUANTA_VULKAN_LOADER, so unset or correct that variable"
                                       : "; install libvulkan1 and a Vulkan driver";
        throw DeviceError("no Vulkan loader: cannot open " + loader->library_ + " (" +
                          (reason ? reason : "unknown reason") + ")" + remedy);
    }
    loader->get_instance_proc_addr_ =
        reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(loader->handle_, "vkGetInstanceProcAddr"));
    if (loader->get_instance_proc_addr_ == nullptr)
        throw DeviceError("the Vulkan loader " + loader->library_ + " has no vkGetInstanceProcAddr");
    return loader;
}

Loader::~Loader()
{
    if (handle_)
        dlclose(handle_);
}

Api Loader::global_api() const
{
    Api api;
    api.vkGetInstanceProcAddr = get_instance_proc_addr_;
    api.vkCreateInstance =
        reinterpret_cast<PFN_vkCreateInstance>(get_instance_proc_addr_(VK_NULL_HANDLE, "vkCreateInstance"));
    api.vkEnumerateInstanceVersion = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
        get_instance_proc_addr_(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
    api.vkEnumerateInstanceExtensionProperties = reinterpret_cast<PFN_vkEnumerateInstanceExtensionProperties>(
        get_instance_proc_addr_(VK_NULL_HANDLE, "vkEnumerateInstanceExtensionProperties"));
    if (api.vkCreateInstance == nullptr || api.vkEnumerateInstanceExtensionProperties == nullptr)
        throw DeviceError("the Vulkan loader " + library_ + " does not provide vkCreateInstance");
    // vkEnumerateInstanceVersion is missing only in Vulkan 1.0 loaders, which
    // the backend rejects later by version.
    return api;
}

void load_instance_functions(Api& api, VkInstance instance)
{
#define QUANTA_VK_LOAD(name)                                                                        \
    api.name = reinterpret_cast<PFN_##name>(api.vkGetInstanceProcAddr(instance, #name));            \
    if (api.name == nullptr)                                                                        \
        throw DeviceError("the Vulkan loader does not provide " #name " (Vulkan 1.1 is required)");
    QUANTA_VK_INSTANCE_FUNCTIONS(QUANTA_VK_LOAD)
#undef QUANTA_VK_LOAD
}

void load_device_functions(Api& api, VkDevice device)
{
#define QUANTA_VK_LOAD(name)                                                                        \
    api.name = reinterpret_cast<PFN_##name>(api.vkGetDeviceProcAddr(device, #name));                \
    if (api.name == nullptr)                                                                        \
        throw DeviceError("the Vulkan driver does not provide " #name);
    QUANTA_VK_DEVICE_FUNCTIONS(QUANTA_VK_LOAD)
#undef QUANTA_VK_LOAD
}

const char* result_name(VkResult result)
{
    switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_INCOMPLETE: return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_ERROR_INVALID_SHADER_NV: return "VK_ERROR_INVALID_SHADER_NV";
    default: return "VK_ERROR_UNKNOWN";
    }
}

void check(VkResult result, const std::string& operation)
{
    if (result == VK_SUCCESS)
        return;
    const std::string message = operation + " failed: " + result_name(result) + " (" + std::to_string(result) + ")";
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
        throw OutOfDeviceMemoryError(message);
    throw DeviceError(message);
}

} // namespace quanta::vk
