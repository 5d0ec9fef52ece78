// quanta-cli inspect: prints a GGUF file's header, metadata, tensor table and
// quantization mix. Only the header is parsed, and tensor data is never read.
// For a Hugging Face folder it prints the folder's summary and the tensors of
// the model as the engine assembles it, which reads and repacks the weights.
#include "commands.h"
#include "model_path.h"
#include "options.h"

#include "core/error.h"
#include "engine/model_summary.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_model.h"
#include "quantize/model_stats.h"
#include "quantize/quant_mix.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quanta::cli {

namespace {

constexpr const char* kUsage = "usage: quanta-cli inspect MODEL";

// Array elements shown before the rest is summarized as "... N more".
constexpr size_t kShownArrayItems = 8;

int usage_error(const std::string& message)
{
    std::cerr << "quanta-cli inspect: " << message << "\n" << kUsage << "\n";
    return kExitUsage;
}

void print_help()
{
    std::cout << kUsage << "\n"
              << "MODEL is a GGUF file or a Hugging Face folder (config.json, *.safetensors).\n"
              << "For a GGUF file, prints the GGUF version, alignment and file size; every metadata key with\n"
              << "its type and value (arrays show their element type, length and first " << kShownArrayItems << " elements);\n"
              << "the tensor table (name, type, shape, offset in the data section, bytes); the quantization\n"
              << "mix (tensors, parameters, bytes and share of the tensor bytes per type); the file type; the\n"
              << "parameter count; and the estimated bits per weight (8 x tensor bytes / parameters).\n"
              << "For a folder, prints the architecture, weight format (GPTQ or AWQ bits and group size, or\n"
              << "the float type), parameter count, size of the safetensors files and trained context, then\n"
              << "the tensor table and quantization mix of the model as loaded: GPTQ and AWQ layers appear\n"
              << "repacked as Q4_G or Q8_G.\n";
}

// "1.13 MiB" for sizes in bytes.
std::string format_bytes(uint64_t bytes)
{
    static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof(text), "%llu bytes", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof(text), "%.2f %s", value, kUnits[unit]);
    return text;
}

// "6.74 B" style counts of parameters.
std::string format_count(uint64_t count)
{
    static constexpr const char* kUnits[] = {"", " K", " M", " B", " T"};
    double value = static_cast<double>(count);
    size_t unit = 0;
    while (value >= 1000.0 && unit + 1 < std::size(kUnits)) {
        value /= 1000.0;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof(text), "%llu", static_cast<unsigned long long>(count));
    else
        std::snprintf(text, sizeof(text), "%.2f%s", value, kUnits[unit]);
    return text;
}

// "1171200 (1.12 MiB)"; small values stay plain numbers.
std::string format_bytes_column(uint64_t bytes)
{
    return bytes < 1024 ? std::to_string(bytes) : std::to_string(bytes) + " (" + format_bytes(bytes) + ")";
}

std::string format_count_column(uint64_t count)
{
    return count < 1000 ? std::to_string(count) : std::to_string(count) + " (" + format_count(count) + ")";
}

// "61.3%" for a share from 0 to 1.
std::string format_percent(double share)
{
    char text[16];
    std::snprintf(text, sizeof(text), "%.1f%%", share * 100.0);
    return text;
}

// general.file_type by name ("Q4_K_M (15)"), the bare number when unknown,
// or "not set".
std::string describe_general_file_type(const GgufFile& file)
{
    const GgufValue* value = file.find("general.file_type");
    if (!value)
        return "not set";
    // Integers are stored widened: unsigned types as uint64_t, signed as int64_t.
    std::optional<uint64_t> number;
    if (const auto* stored = std::get_if<uint64_t>(&value->value); stored && value->is_integer())
        number = *stored;
    else if (const auto* stored_signed = std::get_if<int64_t>(&value->value); stored_signed && *stored_signed >= 0)
        number = static_cast<uint64_t>(*stored_signed);
    const std::optional<std::string_view> name = number ? file_type_name(*number) : std::nullopt;
    if (!name)
        return value->to_display_string();
    return std::string(*name) + " (" + std::to_string(*number) + ")";
}

// The type column: "uint32", or "[string x 512]" for arrays.
std::string format_value_type(const GgufValue& value)
{
    if (value.type != GgufValueType::Array)
        return std::string(gguf_value_type_name(value.type));
    const GgufArray& array = std::get<GgufArray>(value.value);
    std::string text = "[";
    text += gguf_value_type_name(array.element_type);
    text += " x ";
    text += std::to_string(array.items.size());
    text += ']';
    return text;
}

std::string format_shape(const GgufTensor& tensor)
{
    std::string text = "[";
    for (uint32_t d = 0; d < tensor.n_dims; ++d) {
        if (d > 0)
            text += ", ";
        text += std::to_string(tensor.ne[d]);
    }
    return text + "]";
}

// Prints rows as left-aligned columns separated by two spaces. The last
// column is not padded.
void print_table(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (size_t column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row[column].size());
    }
    for (const auto& row : rows) {
        std::string line = " ";
        for (size_t column = 0; column < row.size(); ++column) {
            line += ' ';
            line += row[column];
            if (column + 1 < row.size())
                line.append(widths[column] - row[column].size() + 1, ' ');
        }
        std::cout << line << "\n";
    }
}

// The quantization mix: totals per type, most bytes first.
void print_mix(const ModelStats& stats)
{
    std::vector<std::vector<std::string>> total_rows = {{"TYPE", "TENSORS", "PARAMETERS", "BYTES", "SHARE"}};
    for (const TypeStats& totals : stats.by_type) {
        total_rows.push_back({std::string(ggml_type_name(totals.type)), std::to_string(totals.n_tensors),
                              format_count_column(totals.n_elements), format_bytes_column(totals.n_bytes),
                              format_percent(stats.byte_share(totals))});
    }
    total_rows.push_back({"all", std::to_string(stats.n_tensors), format_count_column(stats.n_params),
                          format_bytes_column(stats.n_bytes), stats.n_bytes > 0 ? "100.0%" : "-"});
    print_table(total_rows);
}

void print_file(const GgufFile& file)
{
    // Header.
    std::cout << "file:         " << file.path() << "\n"
              << "GGUF version: " << file.version() << "\n"
              << "alignment:    " << file.alignment() << "\n"
              << "file size:    " << file.file_size() << " bytes (" << format_bytes(file.file_size()) << ")\n";
    if (!file.tensors().empty())
        std::cout << "data offset:  " << file.data_offset() << "\n";

    // Metadata, in file order.
    std::cout << "\nmetadata: " << file.metadata().size() << " keys\n";
    std::vector<std::vector<std::string>> metadata_rows = {{"KEY", "TYPE", "VALUE"}};
    for (const GgufKeyValue& entry : file.metadata())
        metadata_rows.push_back({entry.key, format_value_type(entry.value), entry.value.to_display_string(kShownArrayItems)});
    print_table(metadata_rows);

    // Tensor table, in file order.
    std::cout << "\ntensors: " << file.tensors().size() << "\n";
    std::vector<std::vector<std::string>> tensor_rows = {{"NAME", "TYPE", "SHAPE", "OFFSET", "BYTES"}};
    for (const GgufTensor& tensor : file.tensors()) {
        tensor_rows.push_back({tensor.name, std::string(ggml_type_name(tensor.type)), format_shape(tensor),
                               std::to_string(tensor.offset), std::to_string(tensor.n_bytes)});
    }
    if (!file.tensors().empty())
        print_table(tensor_rows);

    // The quantization mix.
    const ModelStats stats = compute_model_stats(file);
    std::cout << "\nquantization mix:\n";
    print_mix(stats);

    // Summary lines.
    std::cout << "\nfile type:       " << describe_general_file_type(file) << "\n"
              << "parameters:      " << format_count_column(stats.n_params) << "\n";
    char bits[32];
    std::snprintf(bits, sizeof(bits), "%.2f", stats.bits_per_weight);
    std::cout << "bits per weight: " << bits << " (estimated: 8 x tensor bytes / parameters)\n";
}

// A Hugging Face folder: its summary, then the model the engine assembles
// from it. The assembled tensors live in memory, so they have no offsets.
void print_folder(const std::string& directory, const GgufFile& model, const ModelSummary& summary)
{
    // Summary, from config.json and the safetensors headers.
    std::cout << "folder:       " << directory << "\n"
              << "kind:         Hugging Face folder\n"
              << "architecture: " << summary.architecture << "\n"
              << "format:       " << summary.file_type << "\n"
              << "parameters:   " << format_count_column(summary.n_params) << "\n"
              << "size:         " << summary.weight_bytes << " bytes (" << format_bytes(summary.weight_bytes)
              << ") of safetensors files\n"
              << "context:      " << summary.n_ctx_train << " tokens\n";

    // Tensor table of the assembled model, in load order.
    std::cout << "\ntensors as loaded: " << model.tensors().size() << "\n";
    std::vector<std::vector<std::string>> tensor_rows = {{"NAME", "TYPE", "SHAPE", "BYTES"}};
    for (const GgufTensor& tensor : model.tensors()) {
        tensor_rows.push_back({tensor.name, std::string(ggml_type_name(tensor.type)), format_shape(tensor),
                               std::to_string(tensor.n_bytes)});
    }
    if (!model.tensors().empty())
        print_table(tensor_rows);

    // The mix of the loaded tensors.
    std::cout << "\nquantization mix as loaded:\n";
    print_mix(compute_model_stats(model));
}

} // namespace

int cmd_inspect(const Args& args)
{
    // Parse the command line: one model, or --help.
    std::vector<std::string> files;
    for (const std::string& arg : args) {
        if (arg == "-h" || arg == "--help") {
            print_help();
            return kExitOk;
        }
        if (arg.size() > 1 && arg[0] == '-')
            return usage_error("unknown option '" + arg + "'");
        files.push_back(arg);
    }
    if (files.empty())
        return usage_error("missing MODEL");
    if (files.size() > 1)
        return usage_error("expected one MODEL but got " + std::to_string(files.size()));

    // Parse the header or assemble the folder, and print it.
    try {
        const std::string& path = files.front();
        if (is_model_folder(path)) {
            const std::unique_ptr<GgufFile> model = open_model_path(path);
            print_folder(path, *model, summarize_hf_folder(path));
        } else {
            const std::unique_ptr<GgufFile> file = GgufFile::open(path);
            print_file(*file);
        }
    } catch (const Error& error) {
        std::cerr << "quanta-cli inspect: " << printable(error.what()) << "\n";
        return kExitFailure;
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "quanta-cli inspect: writing to standard output failed\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace quanta::cli
