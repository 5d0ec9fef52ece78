#include "device_options.h"

#include "core/error.h"
#include "cpu/matmul.h"

#include <cctype>

namespace quanta::cli {

const char* const kDeviceOptionsHelp =
    "  --device D              Vulkan device: auto (default; the best GPU), cpu, or an index, name\n"
    "                          or UUID from `quanta-cli devices`\n"
    "  --gpu-layers N|auto     layers to run on the GPU (default auto: as many as fit)\n";

void apply_device_options(const Options& options, LoadOptions& load)
{
    load.device = options.string("--device", "auto");
    if (load.device.empty())
        throw UsageError("option --device expects auto, cpu, or a device index, name or UUID");
    std::string lower = load.device;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "auto" || lower == "cpu")
        load.device = lower;

    std::string layers = options.string("--gpu-layers", "auto");
    for (char& c : layers)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (layers == "auto") {
        load.gpu_layers = -1;
        return;
    }
    try {
        load.gpu_layers = static_cast<int>(options.integer("--gpu-layers", -1, 0, 1 << 20));
    } catch (const UsageError& error) {
        throw UsageError(std::string(error.what()) + ", or auto");
    }
}

void require_requested_device(const LoadOptions& load, const ModelInfo& info)
{
    const bool named = load.device != "auto" && load.device != "cpu";
    if (named && load.gpu_layers != 0 && info.gpu_layers == 0)
        throw Error("the requested device '" + printable(load.device) + "' is not used: " +
                    printable(info.gpu_fallback_reason));
}

std::string describe_placement(const ModelInfo& info)
{
    std::string text;
    if (info.gpu_layers > 0) {
        text = printable(info.gpu_device) + ", " + std::to_string(info.gpu_layers) + " of " +
               std::to_string(info.n_layer) + " layers" + (info.gpu_output ? " and the output" : "") +
               " on the GPU";
    } else {
        text = std::string("CPU with ") + cpu_kernel_name() + " kernels";
    }
    if (!info.gpu_fallback_reason.empty())
        text += " (" + printable(info.gpu_fallback_reason) + ")";
    return text;
}

} // namespace quanta::cli
