#include "engine/gpu_offload.h"

#include "core/error.h"
#include "core/log.h"
#include "model/decoder.h"
#include "vulkan/vulkan_decoder.h"
#include "vulkan/vulkan_kernels.h"

#include <algorithm>
#include <cstdlib>

namespace quanta {

namespace {

std::string mib(uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

} // namespace

GpuChoice choose_gpu(const std::string& spec)
{
    GpuChoice choice;
    if (spec == "cpu")
        return choice;
    try {
        choice.instance = vk::Instance::create();
        const vk::DeviceInfo& device = vk::select_device(choice.instance->devices(), spec);
        if ((spec.empty() || spec == "auto") && device.kind == vk::DeviceKind::Cpu) {
            // A software Vulkan driver such as lavapipe is slower than the
            // CPU backend, so it runs only when named.
            choice.reason = "the only Vulkan device, " + device.name +
                            ", is a software implementation; the CPU backend is faster";
            return choice;
        }
        choice.device = &device;
    } catch (const DeviceError& error) {
        choice.reason = error.what();
    }
    return choice;
}

MemoryPlanRequest gpu_plan_request(const vk::DeviceInfo& device, uint64_t memory_limit)
{
    MemoryPlanRequest request;
    uint64_t budget = static_cast<uint64_t>(static_cast<double>(device.usable_memory()) * kGpuBudgetShare);
    if (memory_limit > 0)
        budget = std::min(budget, memory_limit);
    request.gpu_budget = budget;
    request.gpu_alignment = device.storage_alignment;
    request.gpu_host_alignment = std::max(device.storage_alignment, device.non_coherent_atom);
    const char* paths = std::getenv("QUANTA_VK_PATHS");
    request.gpu_int8_activations =
        vk::apply_paths_setting(vk::best_kernel_paths(device), paths ? paths : "").int8_matmul;
    return request;
}

GpuPlacement place_on_gpu(const ModelGraph& graph, const ModelMemoryLayout& layout, const GpuRequest& request)
{
    GpuPlacement placement;
    if (request.device == "cpu" || request.gpu_layers == 0)
        return placement;

    const auto* decoder = dynamic_cast<const DecoderGraph*>(&graph);
    const Hyperparams& hp = graph.hparams();
    try {
        if (!decoder)
            throw DeviceError("the Vulkan backend does not run architecture '" + hp.architecture + "'");
        const GpuChoice choice = choose_gpu(request.device);
        if (!choice.device) {
            placement.fallback_reason = choice.reason;
            return placement;
        }
        const std::shared_ptr<vk::Instance>& instance = choice.instance;
        const vk::DeviceInfo& device = *choice.device;
        placement.device_name = device.name;

        // Layer count: the planner's, which caps the request by what the
        // shaders can read and, for "as many as fit", by the budget.
        MemoryPlanRequest plan_request = gpu_plan_request(device, request.memory_limit);
        plan_request.gpu_layers = request.gpu_layers;
        plan_request.n_ctx = request.n_ctx;
        plan_request.n_batch = request.n_batch;
        const MemoryPlan plan = plan_memory(layout, plan_request);
        const int requested = request.gpu_layers < 0 ? hp.n_layer : std::min(request.gpu_layers, hp.n_layer);
        const int target = plan.gpu_layers;
        if (plan.gpu_supported_layers < requested) {
            placement.fallback_reason = "layer " + std::to_string(plan.gpu_supported_layers) +
                                        " uses a tensor type the Vulkan shaders cannot read yet";
        }
        if (target < std::min(requested, plan.gpu_supported_layers)) {
            placement.fallback_reason = std::to_string(target) + " of " + std::to_string(hp.n_layer) +
                                        " layers fit the " + mib(*plan_request.gpu_budget) + " budget of " +
                                        device.name + (device.budget_is_estimate ? " (estimated)" : "");
        }
        if (target == 0) {
            if (placement.fallback_reason.empty())
                placement.fallback_reason = "no layer fits on " + device.name;
            return placement;
        }
        QUANTA_LOG_INFO("memory plan for %d layers on %s: %s of weights, %s of KV cache, %s of activations, %s "
                        "while loading, budget %s",
                        target, device.name.c_str(), mib(plan.gpu_weights).c_str(), mib(plan.gpu_kv_cache).c_str(),
                        mib(plan.gpu_scratch).c_str(), mib(plan.gpu_peak).c_str(),
                        mib(*plan_request.gpu_budget).c_str());
        if (!plan.fits_gpu)
            QUANTA_LOG_WARN("%d layers were requested on %s, but by the plan they need %s of its %s budget; trying "
                            "anyway",
                            target, device.name.c_str(), mib(plan.gpu_peak).c_str(),
                            mib(*plan_request.gpu_budget).c_str());

        auto context = vk::Context::create(instance, device);
        placement.memory = std::make_shared<vk::DeviceMemory>(context);
        if (request.fail_allocation_at > 0)
            placement.memory->fail_allocation_at(request.fail_allocation_at, request.fail_later_allocations);

        // Upload, retrying with fewer layers when the device runs out.
        int n_layers = target;
        while (n_layers > 0) {
            try {
                placement.model = std::make_shared<vk::GpuModel>(context, placement.memory, *decoder, n_layers,
                                                                 request.cancel);
                break;
            } catch (const OutOfDeviceMemoryError& error) {
                const int fewer = n_layers * 3 / 4;
                QUANTA_LOG_WARN("out of device memory with %d layers on %s (%s); retrying with %d", n_layers,
                                device.name.c_str(), error.what(), fewer);
                placement.fallback_reason = std::string("out of device memory with ") + std::to_string(n_layers) +
                                            " layers: " + error.what();
                n_layers = fewer;
            }
        }
        placement.n_layers = n_layers;
        if (!placement.model) {
            placement.memory.reset();
            return placement;
        }
        QUANTA_LOG_INFO("Vulkan: %d of %d layers on %s%s", n_layers, hp.n_layer, device.name.c_str(),
                        placement.model->runs_output() ? ", output too" : "");
        return placement;
    } catch (const CancelledError&) {
        throw;
    } catch (const Error& error) {
        placement.model.reset();
        placement.memory.reset();
        placement.n_layers = 0;
        placement.fallback_reason = error.what();
        return placement;
    }
}

} // namespace quanta
