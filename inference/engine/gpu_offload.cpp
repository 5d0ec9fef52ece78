#include "engine/gpu_offload.h"

#include "core/error.h"
#include "core/log.h"
#include "model/decoder.h"
#include "vulkan/vulkan_decoder.h"

#include <algorithm>

namespace quanta {

namespace {

// Share of the device's usable memory the estimate may fill: the driver and
// the other programs on the GPU need some room the budget does not show.
constexpr double kBudgetShare = 0.9;

std::string mib(uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

} // namespace

GpuPlacement place_on_gpu(const ModelGraph& graph, const GpuRequest& request)
{
    GpuPlacement placement;
    if (request.device == "cpu" || request.gpu_layers == 0)
        return placement;

    const auto* decoder = dynamic_cast<const DecoderGraph*>(&graph);
    const Hyperparams& hp = graph.hparams();
    try {
        if (!decoder)
            throw DeviceError("the Vulkan backend does not run architecture '" + hp.architecture + "'");
        auto instance = vk::Instance::create();
        const vk::DeviceInfo& device = vk::select_device(instance->devices(), request.device);
        placement.device_name = device.name;
        if (request.device == "auto" && device.kind == vk::DeviceKind::Cpu) {
            // A software Vulkan driver such as lavapipe is slower than the
            // CPU backend, so it runs only when named.
            placement.fallback_reason = "the only Vulkan device, " + device.name +
                                        ", is a software implementation; the CPU backend is faster";
            return placement;
        }

        // Layer count: the request, capped by what the shaders can read and
        // by what fits the budget according to the estimate.
        int target = request.gpu_layers < 0 ? hp.n_layer : std::min(request.gpu_layers, hp.n_layer);
        const int supported = vk::offloadable_layers(*decoder);
        if (supported < target) {
            placement.fallback_reason = "layer " + std::to_string(supported) +
                                        " uses a tensor type the Vulkan shaders cannot read yet";
            target = supported;
        }
        const vk::OffloadEstimate estimate = vk::estimate_offload(*decoder, request.n_ctx, request.n_batch);
        const uint64_t budget = static_cast<uint64_t>(static_cast<double>(device.usable_memory()) * kBudgetShare);
        if (request.gpu_layers < 0) {
            int fit = target;
            while (fit > 0 && estimate.total(fit, fit == hp.n_layer) > budget)
                --fit;
            if (fit < target) {
                placement.fallback_reason = std::to_string(fit) + " of " + std::to_string(hp.n_layer) +
                                            " layers fit the " + mib(budget) + " budget of " + device.name +
                                            (device.budget_is_estimate ? " (estimated)" : "");
                target = fit;
            }
        }
        if (target == 0) {
            if (placement.fallback_reason.empty())
                placement.fallback_reason = "no layer fits on " + device.name;
            return placement;
        }

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
