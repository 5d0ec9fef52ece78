// The compute shaders compiled into the binary (shaders/CMakeLists.txt).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace quanta::vk {

struct EmbeddedShader {
    std::string_view name;           // "rms_norm", "matvec_q4_0", ...
    std::span<const uint32_t> spirv;
};

// Every shader variant, in the order shaders/variants.cmake lists them.
const std::vector<EmbeddedShader>& embedded_shaders();

// The SPIR-V of `name`. Throws DeviceError when the build has no such shader.
std::span<const uint32_t> shader_spirv(std::string_view name);

} // namespace quanta::vk
