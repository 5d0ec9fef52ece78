#include "gguf/ggml_type.h"

#include "core/checked.h"

#include <array>
#include <cctype>
#include <stdexcept>
#include <string>

namespace quanta {

namespace {

// Block sizes and byte counts follow ggml's type table (ggml.c, type_traits).
constexpr uint32_t QK_K = 256;

constexpr std::array kTypes = {
    GgmlTypeTraits{GgmlType::F32, "F32", 1, 4, true},
    GgmlTypeTraits{GgmlType::F16, "F16", 1, 2, true},
    GgmlTypeTraits{GgmlType::Q4_0, "Q4_0", 32, 18, true},
    GgmlTypeTraits{GgmlType::Q4_1, "Q4_1", 32, 20, true},
    GgmlTypeTraits{GgmlType::Q5_0, "Q5_0", 32, 22, true},
    GgmlTypeTraits{GgmlType::Q5_1, "Q5_1", 32, 24, true},
    GgmlTypeTraits{GgmlType::Q8_0, "Q8_0", 32, 34, true},
    GgmlTypeTraits{GgmlType::Q8_1, "Q8_1", 32, 36, false},
    GgmlTypeTraits{GgmlType::Q2_K, "Q2_K", QK_K, 84, true},
    GgmlTypeTraits{GgmlType::Q3_K, "Q3_K", QK_K, 110, true},
    GgmlTypeTraits{GgmlType::Q4_K, "Q4_K", QK_K, 144, true},
    GgmlTypeTraits{GgmlType::Q5_K, "Q5_K", QK_K, 176, true},
    GgmlTypeTraits{GgmlType::Q6_K, "Q6_K", QK_K, 210, true},
    GgmlTypeTraits{GgmlType::Q8_K, "Q8_K", QK_K, 292, false},
    GgmlTypeTraits{GgmlType::IQ2_XXS, "IQ2_XXS", QK_K, 66, false},
    GgmlTypeTraits{GgmlType::IQ2_XS, "IQ2_XS", QK_K, 74, false},
    GgmlTypeTraits{GgmlType::IQ3_XXS, "IQ3_XXS", QK_K, 98, false},
    GgmlTypeTraits{GgmlType::IQ1_S, "IQ1_S", QK_K, 50, false},
    GgmlTypeTraits{GgmlType::IQ4_NL, "IQ4_NL", 32, 18, true},
    GgmlTypeTraits{GgmlType::IQ3_S, "IQ3_S", QK_K, 110, false},
    GgmlTypeTraits{GgmlType::IQ2_S, "IQ2_S", QK_K, 82, false},
    GgmlTypeTraits{GgmlType::IQ4_XS, "IQ4_XS", QK_K, 136, true},
    GgmlTypeTraits{GgmlType::I8, "I8", 1, 1, false},
    GgmlTypeTraits{GgmlType::I16, "I16", 1, 2, false},
    GgmlTypeTraits{GgmlType::I32, "I32", 1, 4, false},
    GgmlTypeTraits{GgmlType::I64, "I64", 1, 8, false},
    GgmlTypeTraits{GgmlType::F64, "F64", 1, 8, false},
    GgmlTypeTraits{GgmlType::IQ1_M, "IQ1_M", QK_K, 56, false},
    GgmlTypeTraits{GgmlType::BF16, "BF16", 1, 2, true},
    GgmlTypeTraits{GgmlType::TQ1_0, "TQ1_0", QK_K, 54, false},
    GgmlTypeTraits{GgmlType::TQ2_0, "TQ2_0", QK_K, 66, false},
    GgmlTypeTraits{GgmlType::Q4_G, "Q4_G", 32, 20, true},
    GgmlTypeTraits{GgmlType::Q8_G, "Q8_G", 32, 36, true},
};

} // namespace

const GgmlTypeTraits* ggml_type_traits(uint32_t type_id)
{
    for (const auto& traits : kTypes) {
        if (static_cast<uint32_t>(traits.type) == type_id)
            return &traits;
    }
    return nullptr;
}

const GgmlTypeTraits& ggml_type_traits(GgmlType type)
{
    const GgmlTypeTraits* traits = ggml_type_traits(static_cast<uint32_t>(type));
    if (!traits)
        throw std::invalid_argument("unknown ggml type id " + std::to_string(static_cast<uint32_t>(type)));
    return *traits;
}

std::string_view ggml_type_name(GgmlType type)
{
    const GgmlTypeTraits* traits = ggml_type_traits(static_cast<uint32_t>(type));
    return traits ? traits->name : std::string_view("unknown");
}

std::optional<GgmlType> ggml_type_from_name(std::string_view name)
{
    for (const auto& traits : kTypes) {
        if (traits.name.size() != name.size() || !is_file_type(traits.type))
            continue;
        bool equal = true;
        for (size_t i = 0; i < name.size() && equal; ++i)
            equal = std::toupper(static_cast<unsigned char>(name[i])) == traits.name[i];
        if (equal)
            return traits.type;
    }
    return std::nullopt;
}

std::optional<uint64_t> ggml_row_bytes(GgmlType type, uint64_t n_elements)
{
    const GgmlTypeTraits& traits = ggml_type_traits(type);
    if (n_elements % traits.block_size != 0)
        return std::nullopt;
    return checked_mul(n_elements / traits.block_size, traits.block_bytes);
}

} // namespace quanta
