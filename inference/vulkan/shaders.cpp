#include "vulkan/shaders.h"

#include "core/error.h"

#include <string>

namespace quanta::vk {

std::span<const uint32_t> shader_spirv(std::string_view name)
{
    for (const EmbeddedShader& shader : embedded_shaders()) {
        if (shader.name == name)
            return shader.spirv;
    }
    throw DeviceError("no compute shader named '" + std::string(name) + "' is built into this binary");
}

} // namespace quanta::vk
