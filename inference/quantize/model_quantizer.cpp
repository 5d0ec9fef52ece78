#include "quantize/model_quantizer.h"

#include "core/error.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "quant/reference.h"

#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>

namespace quanta {

namespace {

// ggml's GGML_QNT_VERSION: the block layouts in use since 2023, which
// llama.cpp writes to general.quantization_version.
constexpr uint32_t kQuantizationVersion = 2;
constexpr std::string_view kFileTypeKey = "general.file_type";
constexpr std::string_view kQuantizationVersionKey = "general.quantization_version";
// Elements each work item converts at least, so short rows are handed to
// the thread pool in batches.
constexpr uint64_t kMinElementsPerTask = 16384;

bool is_float_type(GgmlType type)
{
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

std::string in_quotes(std::string_view text)
{
    std::string result = "'";
    result += text;
    result += '\'';
    return result;
}

// Rejects an output path that is the input file, or whose temporary file
// would be, because the writer truncates it before the input is read.
void check_distinct_paths(const std::string& input_path, const std::string& output_path)
{
    std::error_code error;
    if (std::filesystem::equivalent(input_path, output_path, error)) {
        throw Error("the output " + in_quotes(output_path) + " is the input file " + in_quotes(input_path) +
                    "; choose another output path");
    }
    const std::string temporary_path = output_path + ".tmp";
    if (std::filesystem::equivalent(input_path, temporary_path, error)) {
        throw Error("the temporary output file " + in_quotes(temporary_path) + " is the input file " +
                    in_quotes(input_path) + "; choose another output path");
    }
}

// Copies the metadata, replacing the keys that describe the quantization in
// place and dropping the keys of split files.
void copy_metadata(const GgufFile& file, const QuantMix& mix, GgufWriter& writer)
{
    const GgufValue file_type{GgufValueType::Uint32, uint64_t{mix.file_type.value_or(0)}};
    const GgufValue quantization_version{GgufValueType::Uint32, uint64_t{kQuantizationVersion}};
    bool wrote_file_type = false;
    bool wrote_version = false;
    for (const GgufKeyValue& entry : file.metadata()) {
        if (entry.key == kFileTypeKey) {
            if (mix.file_type)
                writer.add_value(entry.key, file_type);
            wrote_file_type = true;
        } else if (entry.key == kQuantizationVersionKey) {
            writer.add_value(entry.key, quantization_version);
            wrote_version = true;
        } else if (entry.key.rfind("split.", 0) != 0) {
            writer.add_value(entry.key, entry.value);
        }
    }
    if (!wrote_file_type && mix.file_type)
        writer.add_value(std::string(kFileTypeKey), file_type);
    if (!wrote_version)
        writer.add_value(std::string(kQuantizationVersionKey), quantization_version);
}

// Converts the rows of one tensor on the thread pool. `dst` is the output
// tensor: n_rows rows of ggml_row_bytes(plan.to, row_length) bytes.
void convert_tensor(const GgufFile& file, const GgufTensor& tensor, const TensorQuantPlan& plan, ThreadPool& pool,
                    uint8_t* dst, uint64_t dst_bytes)
{
    const uint64_t row_length = tensor.ne[0];
    const uint64_t n_rows = tensor.n_elements / row_length;
    const uint64_t src_row_bytes = *ggml_row_bytes(tensor.type, row_length);
    const uint64_t dst_row_bytes = *ggml_row_bytes(plan.to, row_length);
    if (dst_row_bytes * n_rows != dst_bytes) {
        throw Error("quantize: tensor " + in_quotes(plan.name) + ": the output buffer has " +
                    std::to_string(dst_bytes) + " bytes, expected " + std::to_string(n_rows) + " rows of " +
                    std::to_string(dst_row_bytes) + " bytes");
    }

    // Exceptions must not leave a worker thread, so the first one is kept
    // and rethrown after the loop.
    std::mutex error_mutex;
    std::exception_ptr first_error;
    const auto convert_rows = [&](int64_t begin, int64_t end) {
        try {
            std::vector<float> row(row_length);  // one row as floats
            for (int64_t r = begin; r < end; ++r) {
                const uint8_t* src_row = tensor.data + static_cast<uint64_t>(r) * src_row_bytes;
                dequantize_row_reference(tensor.type, src_row, row.data(), static_cast<int64_t>(row_length));
                for (uint64_t i = 0; i < row_length; ++i) {
                    if (!std::isfinite(row[i])) {
                        throw FormatError(file.path() + ": tensor " + in_quotes(plan.name) + " row " +
                                          std::to_string(r) + " element " + std::to_string(i) + " is " +
                                          (std::isnan(row[i]) ? "NaN" : "infinite") +
                                          "; a quantized copy would not be usable");
                    }
                }
                quantize_row(plan.to, row.data(), dst + static_cast<uint64_t>(r) * dst_row_bytes,
                             static_cast<int64_t>(row_length));
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(error_mutex);
            if (!first_error)
                first_error = std::current_exception();
        }
    };
    const int64_t grain = static_cast<int64_t>(std::max<uint64_t>(1, kMinElementsPerTask / row_length));
    pool.parallel_for(static_cast<int64_t>(n_rows), grain, convert_rows);
    if (first_error)
        std::rethrow_exception(first_error);
}

} // namespace

std::vector<TensorQuantPlan> plan_model_quantization(const GgufFile& file, const QuantMix& mix)
{
    // Let the mix choose a type for each tensor.
    std::vector<MixTensor> mix_tensors;
    mix_tensors.reserve(file.tensors().size());
    for (const GgufTensor& tensor : file.tensors())
        mix_tensors.push_back(MixTensor{tensor.name, tensor.n_dims, tensor.ne[0]});
    const std::vector<TensorTypeChoice> choices = choose_tensor_types(mix, read_mix_model_shape(file), mix_tensors);

    // Decide between copying and converting, and check that converting is
    // possible.
    std::vector<TensorQuantPlan> plans;
    plans.reserve(choices.size());
    for (size_t i = 0; i < choices.size(); ++i) {
        const GgufTensor& tensor = file.tensors()[i];
        TensorQuantPlan plan{tensor.name, tensor.type, tensor.type, false, std::nullopt};
        if (choices[i].quantizable && choices[i].type != tensor.type) {
            plan.to = choices[i].type;
            plan.convert = true;
            plan.fallback_from = choices[i].fallback_from;
        }
        if (plan.convert && !is_float_type(tensor.type)) {
            throw UnsupportedError(file.path() + ": tensor " + in_quotes(tensor.name) + " is already quantized as " +
                                   std::string(ggml_type_name(tensor.type)) + ", and the " + mix.name + " mix needs " +
                                   std::string(ggml_type_name(plan.to)) +
                                   "; requantizing loses accuracy, so quantize from the F32, F16 or BF16 model");
        }
        if (plan.convert && (!can_quantize(plan.to) || !can_dequantize(tensor.type))) {
            throw UnsupportedError("quantize: tensor " + in_quotes(tensor.name) + " needs type " +
                                   std::string(ggml_type_name(plan.to)) + " for the " + mix.name +
                                   " mix, but this build has no " + std::string(ggml_type_name(plan.to)) +
                                   " quantizer; choose another type");
        }
        plans.push_back(std::move(plan));
    }
    return plans;
}

QuantizeSummary quantize_model(const std::string& input_path, const std::string& output_path, const QuantMix& mix,
                               const QuantizeOptions& options)
{
    // Open the input and plan every tensor before any output exists.
    const std::unique_ptr<GgufFile> file = GgufFile::open(input_path);
    check_distinct_paths(input_path, output_path);
    const std::vector<TensorQuantPlan> plans = plan_model_quantization(*file, mix);
    QUANTA_LOG_INFO("quantizing %s to %s as %s", input_path.c_str(), output_path.c_str(), mix.name.c_str());

    // Header: the input's metadata with the new file type.
    GgufWriter writer(3);
    copy_metadata(*file, mix, writer);

    // Tensors: each is converted while the writer streams it out.
    ThreadPool pool(options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads());
    QuantizeSummary summary;
    const size_t n_tensors = plans.size();
    for (size_t index = 0; index < n_tensors; ++index) {
        const GgufTensor& tensor = file->tensors()[index];
        const TensorQuantPlan& plan = plans[index];
        const std::vector<uint64_t> ne(tensor.ne, tensor.ne + tensor.n_dims);
        if (plan.fallback_from) {
            QUANTA_LOG_INFO("%s: rows of %llu elements do not fit %s blocks; using %s", plan.name.c_str(),
                            static_cast<unsigned long long>(tensor.ne[0]),
                            std::string(ggml_type_name(*plan.fallback_from)).c_str(),
                            std::string(ggml_type_name(plan.to)).c_str());
        }

        writer.add_tensor(plan.name, plan.to, ne, [&, index](uint8_t* dst, uint64_t n_bytes) {
            if (options.cancel && options.cancel->load(std::memory_order_acquire))
                throw CancelledError("quantize: cancelled, so " + output_path + " was not written");
            if (plan.convert)
                convert_tensor(*file, tensor, plan, pool, dst, n_bytes);
            else
                std::memcpy(dst, tensor.data, n_bytes);
            if (options.on_tensor)
                options.on_tensor(QuantizeProgress{index, n_tensors, &plan});
        });

        summary.n_tensors += 1;
        summary.n_converted += plan.convert ? 1 : 0;
        summary.n_fallbacks += plan.fallback_from ? 1 : 0;
        summary.n_params += tensor.n_elements;
        summary.input_bytes += tensor.n_bytes;
        summary.output_bytes += *ggml_row_bytes(plan.to, tensor.ne[0]) * (tensor.n_elements / tensor.ne[0]);
    }

    // Write to a temporary file and rename it over the output.
    writer.write(output_path);
    QUANTA_LOG_INFO("wrote %s: %llu tensors, %llu converted, %llu bytes of tensor data (was %llu)",
                    output_path.c_str(), static_cast<unsigned long long>(summary.n_tensors),
                    static_cast<unsigned long long>(summary.n_converted),
                    static_cast<unsigned long long>(summary.output_bytes),
                    static_cast<unsigned long long>(summary.input_bytes));
    return summary;
}

} // namespace quanta
