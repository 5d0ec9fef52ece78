// quanta-cli devices: lists the Vulkan devices with their memory heaps and
// the features the GPU backend uses, in the order the backend prefers them;
// as text or, with --json, as JSON. With -m MODEL it adds the memory plan of
// that model on each device and on the CPU alone (engine/memory_plan.h).
#include "commands.h"
#include "device_options.h"
#include "options.h"

#include "core/error.h"
#include "engine/gpu_offload.h"
#include "engine/memory_plan.h"
#include "vulkan/vulkan_devices.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

namespace quanta::cli {

namespace {

constexpr const char* kUsage = "usage: quanta-cli devices [--json] [-m MODEL [--ctx N] [--gpu-layers N|auto]]";

using Json = nlohmann::ordered_json;

// The plan the command line requests.
struct PlanOptions {
    std::string model;     // empty: no plan
    int n_ctx = 0;         // 0: the session's default
    int gpu_layers = -1;   // -1: as many as fit
};

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

// One line of the text output for `plan` on a device.
void print_plan(const MemoryPlan& plan)
{
    std::cout << "    plan, context " << plan.n_ctx << ": ";
    if (plan.gpu_budget) {
        std::cout << plan.gpu_layers << " of " << plan.n_layer << " layers on the GPU"
                  << (plan.gpu_output ? " with the output" : "") << ", " << mib(plan.gpu_total)
                  << " there after loading (" << mib(plan.gpu_peak) << " while loading) of a " << mib(*plan.gpu_budget)
                  << " budget, ";
    } else {
        std::cout << "every layer on the CPU, ";
    }
    std::cout << mib(plan.ram_total) << " of RAM: " << (plan.fits() ? "fits" : "does not fit") << "\n";
}

Json plan_json(const MemoryPlan& plan)
{
    const auto optional_bytes = [](const std::optional<uint64_t>& bytes) { return bytes ? Json(*bytes) : Json(); };
    Json json;
    json["n_ctx"] = plan.n_ctx;
    json["n_batch"] = plan.n_batch;
    json["n_layer"] = plan.n_layer;
    json["gpu_layers"] = plan.gpu_layers;
    json["gpu_output"] = plan.gpu_output;
    json["gpu_supported_layers"] = plan.gpu_supported_layers;
    json["fits"] = plan.fits();
    json["weights"] = {{"total", plan.weights_total},
                       {"outside_layers", plan.weights_outside_layers},
                       {"by_layer", plan.weights_by_layer}};
    json["gpu"] = {{"budget", optional_bytes(plan.gpu_budget)},
                   {"fits", plan.fits_gpu},
                   {"weights", plan.gpu_weights},
                   {"weights_by_layer", plan.gpu_weights_by_layer},
                   {"weights_outside_layers", plan.gpu_weights_outside_layers},
                   {"kv_cache", plan.gpu_kv_cache},
                   {"scratch", plan.gpu_scratch},
                   {"staging", plan.gpu_staging},
                   {"total", plan.gpu_total},
                   {"peak", plan.gpu_peak}};
    json["ram"] = {{"budget", optional_bytes(plan.ram_budget)},
                   {"fits", plan.fits_ram},
                   {"weights_heap", plan.ram_weights_heap},
                   {"weights_mapped", plan.ram_weights_mapped},
                   {"mapped_total", plan.ram_mapped_total},
                   {"kv_cache", plan.ram_kv_cache},
                   {"scratch", plan.ram_scratch},
                   {"total", plan.ram_total}};
    return json;
}

Json device_json(const vk::DeviceInfo& device, bool preferred)
{
    Json json;
    json["index"] = device.index;
    json["name"] = device.name;
    json["kind"] = std::string(vk::device_kind_name(device.kind));
    json["uuid"] = device.uuid;
    json["vendor_id"] = device.vendor_id;
    json["api_version"] = device.api_version_text();
    json["driver"] = device.driver;
    json["chosen_by_default"] = preferred;
    json["usable"] = device.usable();
    json["unusable_reason"] = device.unusable_reason;
    json["usable_memory"] = device.usable_memory();
    // Without VK_EXT_memory_budget the budget is the heap size and the usage
    // 0: estimates, not the driver's figures.
    json["budget_is_estimate"] = device.budget_is_estimate;
    json["heaps"] = Json::array();
    for (size_t h = 0; h < device.heaps.size(); ++h) {
        const vk::MemoryHeap& heap = device.heaps[h];
        json["heaps"].push_back({{"index", h},
                                 {"size", heap.size},
                                 {"budget", heap.budget},
                                 {"usage", heap.usage},
                                 {"device_local", heap.device_local}});
    }
    const vk::DeviceFeatures& f = device.features;
    json["features"] = {{"float16", f.float16},
                        {"storage_16bit", f.storage_16bit},
                        {"storage_8bit", f.storage_8bit},
                        {"int8", f.int8},
                        {"int_dot_product", f.int_dot_product},
                        {"cooperative_matrix", f.cooperative_matrix},
                        {"memory_budget", f.memory_budget},
                        {"subgroup_size", f.subgroup_size},
                        {"subgroup_min_size", f.subgroup_min_size},
                        {"subgroup_max_size", f.subgroup_max_size},
                        {"subgroup_arithmetic", f.subgroup_arithmetic},
                        {"subgroup_shuffle", f.subgroup_shuffle},
                        {"subgroup_size_control", f.subgroup_size_control}};
    json["storage_alignment"] = device.storage_alignment;
    return json;
}

// The plan of `layout` on `device`, as a load naming the device would make it.
MemoryPlan plan_on_device(const ModelMemoryLayout& layout, const vk::DeviceInfo& device, const PlanOptions& options)
{
    MemoryPlanRequest request = gpu_plan_request(device);
    request.n_ctx = options.n_ctx;
    request.gpu_layers = options.gpu_layers;
    return plan_memory(layout, request);
}

MemoryPlan plan_on_cpu(const ModelMemoryLayout& layout, const PlanOptions& options)
{
    MemoryPlanRequest request;
    request.n_ctx = options.n_ctx;
    return plan_memory(layout, request);
}

int print_json(const PlanOptions& options)
{
    // The model first: a file that cannot be planned is an error, whatever
    // the devices.
    std::optional<ModelMemoryLayout> layout;
    Json json;
    if (!options.model.empty()) {
        layout = describe_model_memory(options.model);
        json["model"] = {{"path", options.model},
                         {"architecture", layout->architecture},
                         {"n_layer", layout->n_layer},
                         {"n_ctx_train", layout->n_ctx_train},
                         {"n_embd", layout->n_embd},
                         {"n_head", layout->n_head},
                         {"n_head_kv", layout->n_head_kv},
                         {"head_dim", layout->head_dim},
                         {"n_vocab", layout->n_vocab},
                         {"repacked", layout->repacked}};
        json["cpu_plan"] = plan_json(plan_on_cpu(*layout, options));
    }

    // The devices. Without Vulkan the list is empty and "error" contains the
    // reason.
    json["devices"] = Json::array();
    json["error"] = nullptr;
    try {
        const auto instance = vk::Instance::create();
        const auto& devices = instance->devices();
        json["loader"] = instance->loader_library();
        const std::vector<int> order = vk::rank_devices(devices);
        const bool has_default = !order.empty() && devices[static_cast<size_t>(order.front())].usable() &&
                                 devices[static_cast<size_t>(order.front())].kind != vk::DeviceKind::Cpu;
        for (int index : order) {
            const vk::DeviceInfo& device = devices[static_cast<size_t>(index)];
            Json entry = device_json(device, has_default && index == order.front());
            if (layout && device.usable())
                entry["plan"] = plan_json(plan_on_device(*layout, device, options));
            else if (layout)
                entry["plan"] = nullptr;
            json["devices"].push_back(std::move(entry));
        }
    } catch (const DeviceError& error) {
        json["error"] = error.what();
    }
    std::cout << json.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return kExitOk;
}

} // namespace

int cmd_devices(const Args& args)
{
    bool json = false;
    PlanOptions plan_options;
    try {
        const Options options(args, {"-m", "--ctx", "--gpu-layers"}, {"--json", "--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::cout << kUsage << "\n"
                      << "Lists every Vulkan device with its memory heaps, budget and features. The device marked\n"
                      << "'chosen by default' is the one `run` and the app use unless --device names another.\n"
                      << "  --json                  print JSON: devices, heaps (bytes), features, and the plans\n"
                      << "  -m MODEL                also plan MODEL (a .gguf file or a Hugging Face folder) on each\n"
                      << "                          device and on the CPU alone: layers on the GPU and bytes of\n"
                      << "                          weights, KV cache and activations there and in RAM\n"
                      << "  --ctx N                 context in tokens for the plan (default: the model's training\n"
                      << "                          context, at most 4096)\n"
                      << "  --gpu-layers N|auto     layers to plan on the GPU (default auto: as many as fit)\n";
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + printable(options.positional().front()) + "'");
        json = options.has("--json");
        plan_options.model = options.string("-m", "");
        if (plan_options.model.empty() && (options.has("--ctx") || options.has("--gpu-layers")))
            throw UsageError("--ctx and --gpu-layers need -m MODEL");
        plan_options.n_ctx = static_cast<int>(options.integer("--ctx", 0, 1, 1 << 24));
        LoadOptions load;
        apply_device_options(options, load);
        plan_options.gpu_layers = load.gpu_layers;
    } catch (const UsageError& error) {
        std::cerr << "quanta-cli devices: " << error.what() << "\n" << kUsage << "\n";
        return kExitUsage;
    }

    if (json) {
        try {
            return print_json(plan_options);
        } catch (const Error& error) {
            std::cerr << "quanta-cli devices: " << printable(error.what()) << "\n";
            return kExitFailure;
        }
    }

    // Text: the model's plan on the CPU first, then each device with its own.
    std::optional<ModelMemoryLayout> layout;
    if (!plan_options.model.empty()) {
        try {
            layout = describe_model_memory(plan_options.model);
            std::cout << "Model " << printable(plan_options.model) << " on the CPU alone:\n";
            print_plan(plan_on_cpu(*layout, plan_options));
        } catch (const Error& error) {
            std::cerr << "quanta-cli devices: " << printable(error.what()) << "\n";
            return kExitFailure;
        }
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
        for (int index : order) {
            const vk::DeviceInfo& device = devices[static_cast<size_t>(index)];
            print_device(device, has_default && index == order.front());
            if (layout && device.usable())
                print_plan(plan_on_device(*layout, device, plan_options));
        }
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
