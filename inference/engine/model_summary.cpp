#include "engine/model_summary.h"

#include "gguf/gguf_reader.h"
#include "quantize/quant_mix.h"

#include <filesystem>
#include <cstdint>
#include <map>

namespace quanta {

namespace {

std::string string_or_empty(const GgufFile& file, std::string_view key)
{
    const GgufValue* value = file.find(key);
    if (value == nullptr)
        return {};
    const auto* text = std::get_if<std::string>(&value->value);
    return text ? *text : std::string();
}

} // namespace

std::string describe_file_type(const GgufFile& file)
{
    // A Hugging Face folder's format, set by its loader.
    if (const GgufValue* value = file.find("quanta.weight_format"); value && value->type == GgufValueType::String)
        return std::get<std::string>(value->value);
    if (const GgufValue* value = file.find("general.file_type"); value && value->is_integer()) {
        if (const auto* id = std::get_if<uint64_t>(&value->value)) {
            if (const auto name = file_type_name(*id))
                return std::string(*name);
        }
    }
    std::map<GgmlType, uint64_t> bytes_by_type;
    for (const GgufTensor& tensor : file.tensors()) {
        if (tensor.n_dims >= 2)
            bytes_by_type[tensor.type] += tensor.n_bytes;
    }
    GgmlType best = GgmlType::F32;
    uint64_t best_bytes = 0;
    for (const auto& [type, bytes] : bytes_by_type) {
        if (bytes > best_bytes) {
            best = type;
            best_bytes = bytes;
        }
    }
    return std::string(ggml_type_name(best));
}

ModelSummary summarize_model_file(const GgufFile& file)
{
    ModelSummary summary;
    summary.name = string_or_empty(file, "general.name");
    if (summary.name.empty())
        summary.name = std::filesystem::path(file.path()).stem().string();
    summary.architecture = string_or_empty(file, "general.architecture");
    summary.file_type = describe_file_type(file);
    for (const GgufTensor& tensor : file.tensors()) {
        summary.weight_bytes += tensor.n_bytes;
        summary.n_params += tensor.n_elements;
    }
    if (!summary.architecture.empty()) {
        // A value that is not a positive int-sized integer is left at 0; the
        // loader reports it properly.
        const GgufValue* context = file.find(summary.architecture + ".context_length");
        if (context && context->is_integer()) {
            if (const auto* n = std::get_if<uint64_t>(&context->value); n && *n <= INT32_MAX)
                summary.n_ctx_train = static_cast<int>(*n);
            if (const auto* n = std::get_if<int64_t>(&context->value); n && *n > 0 && *n <= INT32_MAX)
                summary.n_ctx_train = static_cast<int>(*n);
        }
    }
    return summary;
}

} // namespace quanta
