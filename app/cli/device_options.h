// The --device and --gpu-layers options that `run` and `bench` share.
#pragma once

#include "engine/model.h"
#include "options.h"

#include <string>

namespace quanta::cli {

// Option names to add to a command's list of options with a value.
inline const std::set<std::string> kDeviceOptionNames = {"--device", "--gpu-layers"};

// Help lines for the two options.
extern const char* const kDeviceOptionsHelp;

// Sets load.device and load.gpu_layers from the options. Throws UsageError
// for a --gpu-layers value that is not "auto" or a number >= 0.
void apply_device_options(const Options& options, LoadOptions& load);

// Throws Error with the fallback reason when the command line named a device
// (not auto or cpu) and requested GPU layers, but none run there. A script
// then gets a failure instead of a silent CPU run.
void require_requested_device(const LoadOptions& load, const ModelInfo& info);

// "llvmpipe, 5 of 5 layers" or "CPU (reason)" for the output of a command.
std::string describe_placement(const ModelInfo& info);

} // namespace quanta::cli
