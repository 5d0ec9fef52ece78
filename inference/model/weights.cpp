#include "model/weights.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"

namespace quanta {

namespace {

std::string shape_string(const GgufTensor& tensor)
{
    std::string text = "{";
    for (uint32_t i = 0; i < tensor.n_dims; ++i)
        text += (i ? ", " : "") + std::to_string(tensor.ne[i]);
    return text + "}";
}

} // namespace

bool has_tensor(const GgufFile& file, const std::string& name)
{
    return file.find_tensor(name) != nullptr;
}

WeightMatrix load_matrix(const GgufFile& file, const std::string& name, int64_t n_in, int64_t n_out)
{
    const GgufTensor& tensor = file.tensor(name);
    const uint64_t expected_in = static_cast<uint64_t>(n_in);
    const uint64_t expected_out = static_cast<uint64_t>(n_out);
    const bool shape_ok = tensor.n_dims <= 2 && tensor.ne[0] == expected_in && tensor.ne[1] == expected_out;
    if (!shape_ok) {
        throw FormatError(file.path() + ": tensor '" + name + "' has shape " + shape_string(tensor) + ", expected {" +
                          std::to_string(n_in) + ", " + std::to_string(n_out) + "}");
    }

    const GgmlTypeTraits& traits = ggml_type_traits(tensor.type);
    if (!traits.cpu_supported) {
        std::string supported;
        for (uint32_t id = 0; id < 64; ++id) {
            const GgmlTypeTraits* candidate = ggml_type_traits(id);
            if (candidate && candidate->cpu_supported)
                supported += (supported.empty() ? "" : ", ") + std::string(candidate->name);
        }
        throw UnsupportedError(file.path() + ": tensor '" + name + "' has type " + std::string(traits.name) +
                               ", which the CPU backend does not support yet (supported: " + supported + ")");
    }

    WeightMatrix matrix;
    matrix.type = tensor.type;
    matrix.data = tensor.data;
    matrix.n_in = n_in;
    matrix.n_out = n_out;
    matrix.row_bytes = static_cast<size_t>(*ggml_row_bytes(tensor.type, expected_in));
    matrix.in_perm = tensor.in_perm;
    return matrix;
}

std::vector<float> load_vector(const GgufFile& file, const std::string& name, int64_t n)
{
    const GgufTensor& tensor = file.tensor(name);
    if (tensor.n_elements != static_cast<uint64_t>(n) || tensor.ne[0] != static_cast<uint64_t>(n)) {
        throw FormatError(file.path() + ": tensor '" + name + "' has shape " + shape_string(tensor) +
                          ", expected {" + std::to_string(n) + "}");
    }
    const WeightMatrix row = load_matrix(file, name, n, 1);
    std::vector<float> values(static_cast<size_t>(n));
    dequantize_row(row, 0, values.data(), KernelMode::Reference);
    return values;
}

} // namespace quanta
