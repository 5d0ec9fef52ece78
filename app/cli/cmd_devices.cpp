// quanta-cli devices: lists the Vulkan devices with their memory heaps and
// the features the GPU backend uses, in the order the backend prefers them.
#include "commands.h"
#include "options.h"

#include "core/error.h"
#include "vulkan/vulkan_devices.h"

#include <cstdio>
#include <iostream>
#include <string>

namespace quanta::cli {

namespace {

constexpr const char* kUsage = "usage: quanta-cli devices";

std::string mib(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

const char* yes_no(bool value)
{
    return value ? "yes" : "no";
}

void print_device(const vk::DeviceInfo& device, bool preferred)
{
    std::cout << "[" << device.index << "] " << printable(device.name) << (preferred ? "  (chosen by default)" : "")
              << "\n"
              << "    type: " << vk::device_kind_name(device.kind) << ", Vulkan " << device.api_version_text()
              << ", UUID " << device.uuid << "\n";
    if (!device.driver.empty())
        std::cout << "    driver: " << printable(device.driver) << "\n";
    for (size_t h = 0; h < device.heaps.size(); ++h) {
        const vk::MemoryHeap& heap = device.heaps[h];
        std::cout << "    heap " << h << ": " << mib(heap.size) << (heap.device_local ? ", device-local" : "")
                  << ", budget " << mib(heap.budget) << (device.budget_is_estimate ? " (estimate)" : "")
                  << ", in use " << mib(heap.usage) << "\n";
    }
    std::cout << "    usable for the model: " << mib(device.usable_memory())
              << (device.budget_is_estimate ? " (estimate: no VK_EXT_memory_budget)" : "") << "\n";
    const vk::DeviceFeatures& f = device.features;
    std::cout << "    features: fp16 " << yes_no(f.float16) << ", 16-bit storage " << yes_no(f.storage_16bit)
              << ", 8-bit storage " << yes_no(f.storage_8bit) << ", int8 " << yes_no(f.int8)
              << ", int8 dot product " << yes_no(f.int_dot_product) << ", cooperative matrix "
              << yes_no(f.cooperative_matrix) << ", memory budget " << yes_no(f.memory_budget) << "\n"
              << "    subgroups: size " << f.subgroup_size;
    if (f.subgroup_min_size != f.subgroup_max_size)
        std::cout << " (" << f.subgroup_min_size << "-" << f.subgroup_max_size << ")";
    std::cout << ", arithmetic " << yes_no(f.subgroup_arithmetic) << ", shuffle " << yes_no(f.subgroup_shuffle)
              << ", size control " << yes_no(f.subgroup_size_control) << "\n";
    if (!device.usable())
        std::cout << "    not usable: " << device.unusable_reason << "\n";
}

} // namespace

int cmd_devices(const Args& args)
{
    try {
        const Options options(args, {}, {"--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::cout << kUsage << "\n"
                      << "Lists every Vulkan device with its memory heaps, budget and features. The device marked\n"
                      << "'chosen by default' is the one `run` and the app use unless --device names another.\n";
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + printable(options.positional().front()) + "'");
    } catch (const UsageError& error) {
        std::cerr << "quanta-cli devices: " << error.what() << "\n" << kUsage << "\n";
        return kExitUsage;
    }

    try {
        const auto instance = vk::Instance::create();
        const auto& devices = instance->devices();
        std::cout << "Vulkan loader " << instance->loader_library() << ", instance API "
                  << VK_API_VERSION_MAJOR(instance->api_version()) << "." << VK_API_VERSION_MINOR(instance->api_version())
                  << ", " << devices.size() << " device(s)\n";
        if (devices.empty())
            return kExitOk;
        // "auto" takes the first usable device by rank unless it is a
        // software implementation, which runs only when named.
        const std::vector<int> order = vk::rank_devices(devices);
        const vk::DeviceInfo& best = devices[static_cast<size_t>(order.front())];
        const bool has_default = best.usable() && best.kind != vk::DeviceKind::Cpu;
        for (int index : order)
            print_device(devices[static_cast<size_t>(index)], has_default && index == order.front());
        if (!has_default)
            std::cout << "No hardware GPU: models run on the CPU unless --device names one of these.\n";
        return kExitOk;
    } catch (const Error& error) {
        std::cerr << "quanta-cli devices: " << printable(error.what()) << "\n"
                  << "The CPU backend is used instead.\n";
        return kExitFailure;
    }
}

} // namespace quanta::cli
