#include "hf/hf_quantizer.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_model.h"
#include "hf/safetensors_writer.h"
#include "model/hparams.h"
#include "model/weights.h"
#include "quant/blocks.h"
#include "tokenizer/hf_tokenizer_writer.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace quanta {

namespace fs = std::filesystem;

namespace {

using nlohmann::ordered_json;

// The step and zero point of one group of one output row.
struct GroupParams {
    float scale = 0.0f;     // the step as the quantizer computes it
    uint16_t scale_f16 = 0; // the step as stored
    int zero = 0;
};

GroupParams make_params(float scale, int zero)
{
    GroupParams params;
    params.scale = scale;
    params.scale_f16 = fp32_to_fp16(scale);
    params.zero = zero;
    return params;
}

// Computes GPTQ's step and zero point (AutoGPTQ quantizer.find_params) for
// values x[0..n) at `stride`. The range always includes 0, and sym centres it.
GroupParams gptq_params(const float* x, int64_t n, int64_t stride, int maxq, bool sym, bool zero_minus_one)
{
    float xmin = 0.0f;
    float xmax = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        xmin = std::min(xmin, x[i * stride]);
        xmax = std::max(xmax, x[i * stride]);
    }
    if (sym) {
        xmax = std::max(-xmin, xmax);
        if (xmin < 0.0f)
            xmin = -xmax;
    }
    if (xmin == 0.0f && xmax == 0.0f) {
        xmin = -1.0f;
        xmax = 1.0f;
    }
    float scale = (xmax - xmin) / static_cast<float>(maxq);
    int zero = sym ? (maxq + 1) / 2 : static_cast<int>(std::nearbyint(-xmin / scale));
    // v1 stores zero - 1, so zero 0 cannot be written: widen the step so
    // that zero 1 still covers the range.
    if (zero_minus_one && zero == 0) {
        zero = 1;
        scale = xmax / static_cast<float>(maxq - 1);
    }
    return make_params(scale, zero);
}

// AutoAWQ's pseudo_quantize_tensor with zero points, 4 bits.
GroupParams awq_params(const float* x, int64_t n, int64_t stride)
{
    float xmin = x[0];
    float xmax = x[0];
    for (int64_t i = 1; i < n; ++i) {
        xmin = std::min(xmin, x[i * stride]);
        xmax = std::max(xmax, x[i * stride]);
    }
    const float scale = std::max(xmax - xmin, 1e-5f) / 15.0f;
    return make_params(scale, static_cast<int>(std::clamp(-std::nearbyint(xmin / scale), 0.0f, 15.0f)));
}

// The stored quant of x, in two roundings as the reference packers do it:
// the quantizer rounds against the computed step, and the packer then
// rounds the dequantized value against the F16 step it stores.
uint32_t quantize_value(float x, const GroupParams& p, int maxq)
{
    const float zero = static_cast<float>(p.zero);
    const float q = std::clamp(std::nearbyint(x / p.scale) + zero, 0.0f, static_cast<float>(maxq));
    const float dequantized = p.scale * (q - zero);
    const float step = fp16_to_fp32(p.scale_f16);
    const float packed = std::nearbyint((dequantized + zero * step) / step);
    return static_cast<uint32_t>(std::clamp(packed, 0.0f, static_cast<float>(maxq)));
}

// Sets value i (bits [bits * i, bits * i + bits)) of a little-endian run of
// 32-bit words at words[first + w * stride]; 3-bit values may cross words.
void pack_value(std::vector<int32_t>& words, uint64_t first, uint64_t stride, int bits, uint64_t i, uint32_t value)
{
    const uint64_t bit = static_cast<uint64_t>(bits) * i;
    const uint64_t word = bit / 32;
    const uint32_t offset = static_cast<uint32_t>(bit % 32);
    auto& low = reinterpret_cast<uint32_t&>(words[first + word * stride]);
    low |= value << offset;
    if (offset + static_cast<uint32_t>(bits) > 32) {
        auto& high = reinterpret_cast<uint32_t&>(words[first + (word + 1) * stride]);
        high |= value >> (32 - offset);
    }
}

std::string sizes(int64_t n_in, int64_t n_out)
{
    return std::to_string(n_in) + " inputs and " + std::to_string(n_out) + " outputs";
}

// The shapes of a linear layer's packed tensors, outermost first.
struct PackedShapes {
    std::vector<uint64_t> qweight;
    std::vector<uint64_t> qzeros;
    std::vector<uint64_t> scales;
};

// Throws UnsupportedError naming `name` and the sizes when the layer does
// not fit the packing.
PackedShapes packed_shapes(const std::string& name, int64_t n_in, int64_t n_out, const HfQuantizeOptions& options)
{
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    if (options.method == HfQuantization::Method::Awq) {
        const int64_t group = options.group_size;
        if (n_out % 8 != 0 || group <= 0 || n_in % group != 0) {
            throw UnsupportedError(name + ": AWQ needs outputs in multiples of 8 and inputs in multiples of the group " +
                                   std::to_string(group) + ", which " + sizes(n_in, n_out) + " do not fit");
        }
        return {{u(n_in), u(n_out / 8)}, {u(n_in / group), u(n_out / 8)}, {u(n_in / group), u(n_out)}};
    }
    const int bits = options.bits;
    const int64_t unit = bits == 3 ? 32 : 32 / bits;
    const int64_t rows_per_unit = bits == 3 ? 3 : 1;
    if (n_in % unit != 0 || n_out % unit != 0) {
        throw UnsupportedError(name + ": " + std::to_string(bits) + "-bit GPTQ packs " + std::to_string(unit) +
                               " values per unit, which " + sizes(n_in, n_out) + " do not fit");
    }
    const int64_t group = options.group_size > 0 ? options.group_size : n_in;
    const int64_t n_groups = (n_in + group - 1) / group;
    return {{u(n_in / unit * rows_per_unit), u(n_out)},
            {u(n_groups), u(n_out / unit * rows_per_unit)},
            {u(n_groups), u(n_out)}};
}

// Hugging Face tensor names of the GGUF ones the llama/qwen2 graphs use.
struct NameMap {
    const char* gguf;
    const char* hf;
};
constexpr NameMap kBlockNames[] = {
    {"attn_norm.weight", "input_layernorm.weight"}, {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"attn_q", "self_attn.q_proj"},  {"attn_k", "self_attn.k_proj"},  {"attn_v", "self_attn.v_proj"},
    {"attn_output", "self_attn.o_proj"}, {"ffn_gate", "mlp.gate_proj"}, {"ffn_up", "mlp.up_proj"},
    {"ffn_down", "mlp.down_proj"},
};

std::vector<uint8_t> bytes_of(const void* data, size_t n)
{
    const auto* p = static_cast<const uint8_t*>(data);
    return std::vector<uint8_t>(p, p + n);
}

std::vector<uint8_t> to_f16_bytes(const std::vector<float>& values)
{
    std::vector<uint8_t> out(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t h = fp32_to_fp16(values[i]);
        std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return out;
}

void write_json(const fs::path& path, const ordered_json& value)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << value.dump(2) << "\n";
    out.flush();
    if (!out)
        throw IoError(path.string() + ": cannot write the file (is the disk full?)");
}

// Reads the whole model into the output: float weights as F16, linear
// layers packed.
class CheckpointBuilder {
public:
    CheckpointBuilder(const GgufFile& file, const std::string& output, const HfQuantizeOptions& options, int n_linears)
        : file_(file), output_(output), options_(options), n_linears_(n_linears)
    {
    }

    // Throws UnsupportedError unless GGUF tensor `name` contains float weights.
    void require_float(const std::string& name) const
    {
        const GgufTensor& tensor = file_.tensor(name);
        if (tensor.in_perm || (tensor.type != GgmlType::F32 && tensor.type != GgmlType::F16 &&
                               tensor.type != GgmlType::BF16)) {
            throw UnsupportedError(file_.path() + ": tensor '" + name + "' is already quantized (" +
                                   std::string(ggml_type_name(tensor.type)) +
                                   "); GPTQ/AWQ conversion needs an F32, F16 or BF16 model");
        }
    }

    // A GGUF tensor as F32 rows in Hugging Face order ([rows][cols]).
    std::vector<float> read_rows(const std::string& name, int64_t cols, int64_t rows,
                                 const std::vector<int32_t>& hf_of_gguf = {}) const
    {
        const WeightMatrix m = load_matrix(file_, name, cols, rows);
        std::vector<float> out(static_cast<size_t>(rows * cols));
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t hf_row = hf_of_gguf.empty() ? r : hf_of_gguf[static_cast<size_t>(r)];
            dequantize_row(m, r, out.data() + hf_row * cols, KernelMode::Reference);
        }
        return out;
    }

    // A float tensor as F16, converted when the file is written. A vector
    // (rows == 1) has its elements reordered by `hf_of_gguf`, a matrix its rows.
    void add_float(const std::string& gguf, const std::string& hf, int64_t cols, int64_t rows,
                   const std::vector<int32_t>& hf_of_gguf = {})
    {
        require_float(gguf);
        std::vector<uint64_t> shape = {static_cast<uint64_t>(rows), static_cast<uint64_t>(cols)};
        if (rows == 1)
            shape = {static_cast<uint64_t>(cols)};
        writer_.add_tensor_fill(hf, SafetensorsDtype::F16, shape, [this, gguf, cols, rows, hf_of_gguf] {
            std::vector<float> values = read_rows(gguf, cols, rows, rows > 1 ? hf_of_gguf : std::vector<int32_t>{});
            if (rows == 1 && !hf_of_gguf.empty()) {
                std::vector<float> reordered(values.size());
                for (size_t i = 0; i < values.size(); ++i)
                    reordered[static_cast<size_t>(hf_of_gguf[i])] = values[i];
                values = std::move(reordered);
            }
            return to_f16_bytes(values);
        });
    }

    // A linear layer's packed tensors. They are computed when the writer
    // reaches the first of them (their names sort next to each other), and
    // dropped after the last, so one layer is in memory at a time.
    void add_linear(const std::string& gguf, const std::string& hf, int64_t n_in, int64_t n_out,
                    const std::vector<int32_t>& hf_of_gguf)
    {
        require_float(gguf);
        const bool awq = options_.method == HfQuantization::Method::Awq;
        const std::string name = file_.path() + ": " + gguf;
        const PackedShapes shapes = packed_shapes(name, n_in, n_out, options_);

        struct Pending {
            std::unique_ptr<PackedTensors> packed;
            int reads_left = 0;
        };
        auto pending = std::make_shared<Pending>();
        pending->reads_left = awq ? 3 : 4;
        const auto packed = [this, pending, gguf, name, n_in, n_out, hf_of_gguf, awq]() -> const PackedTensors& {
            if (!pending->packed) {
                if (options_.cancel && options_.cancel->load(std::memory_order_acquire))
                    throw CancelledError(output_ + ": quantizing cancelled");
                const std::vector<float> w = read_rows(gguf, n_in, n_out, hf_of_gguf);
                pending->packed = std::make_unique<PackedTensors>(
                    awq ? pack_awq(name, w.data(), n_in, n_out, options_) : pack_gptq(name, w.data(), n_in, n_out, options_));
                if (options_.on_progress)
                    options_.on_progress(++n_done_, n_linears_);
            }
            return *pending->packed;
        };
        // Copies one field's bytes and frees the layer after its last field.
        const auto field = [pending, packed](auto member, size_t element) {
            return [pending, packed, member, element] {
                const auto& values = packed().*member;
                std::vector<uint8_t> bytes = bytes_of(values.data(), values.size() * element);
                if (--pending->reads_left == 0)
                    pending->packed.reset();
                return bytes;
            };
        };
        writer_.add_tensor_fill(hf + ".qweight", SafetensorsDtype::I32, shapes.qweight, field(&PackedTensors::qweight, 4));
        writer_.add_tensor_fill(hf + ".qzeros", SafetensorsDtype::I32, shapes.qzeros, field(&PackedTensors::qzeros, 4));
        writer_.add_tensor_fill(hf + ".scales", SafetensorsDtype::F16, shapes.scales, field(&PackedTensors::scales, 2));
        if (!awq) {
            writer_.add_tensor_fill(hf + ".g_idx", SafetensorsDtype::I32, {static_cast<uint64_t>(n_in)},
                               field(&PackedTensors::g_idx, 4));
        }
    }

    SafetensorsWriter& writer() { return writer_; }

private:
    const GgufFile& file_;
    const std::string& output_;
    const HfQuantizeOptions& options_;
    const int n_linears_;
    int n_done_ = 0;
    SafetensorsWriter writer_;
};

ordered_json quantization_json(const HfQuantizeOptions& o)
{
    if (o.method == HfQuantization::Method::Awq) {
        return ordered_json{{"quant_method", "awq"}, {"bits", 4}, {"group_size", o.group_size}, {"zero_point", true},
                            {"version", "gemm"}, {"modules_to_not_convert", nullptr}};
    }
    return ordered_json{{"bits", o.bits},
                        {"group_size", o.group_size},
                        {"desc_act", o.desc_act},
                        {"sym", o.sym},
                        {"static_groups", false},
                        {"true_sequential", true},
                        {"lm_head", false},
                        {"quant_method", "gptq"},
                        {"checkpoint_format", o.gptq_v2 ? "gptq_v2" : "gptq"},
                        {"meta", {{"quantizer", {std::string("quanta ") + QUANTA_VERSION + " round-to-nearest"}}}}};
}

ordered_json config_json(const Hyperparams& hp, bool tied, const Tokenizer& tokenizer, const HfQuantizeOptions& options)
{
    const bool qwen2 = hp.architecture == "qwen2";
    ordered_json config;
    config["architectures"] = {qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"};
    config["model_type"] = qwen2 ? "qwen2" : "llama";
    config["vocab_size"] = hp.n_vocab;
    config["hidden_size"] = hp.n_embd;
    config["intermediate_size"] = hp.n_ff;
    config["num_hidden_layers"] = hp.n_layer;
    config["num_attention_heads"] = hp.n_head;
    config["num_key_value_heads"] = hp.n_head_kv;
    config["head_dim"] = hp.head_dim;
    config["hidden_act"] = "silu";
    config["max_position_embeddings"] = hp.n_ctx_train;
    config["rms_norm_eps"] = hp.rms_eps;
    config["rope_theta"] = hp.rope_freq_base;
    if (hp.rope_scaling == RopeScalingType::Linear) {
        config["rope_scaling"] = {{"rope_type", "linear"}, {"factor", hp.rope_scaling_factor}};
    } else if (hp.rope_scaling == RopeScalingType::Llama3) {
        config["rope_scaling"] = {{"rope_type", "llama3"},
                                  {"factor", hp.rope_scaling_factor},
                                  {"low_freq_factor", hp.rope_low_freq_factor},
                                  {"high_freq_factor", hp.rope_high_freq_factor},
                                  {"original_max_position_embeddings", hp.n_ctx_orig}};
    } else {
        config["rope_scaling"] = nullptr;
    }
    config["tie_word_embeddings"] = tied;
    if (tokenizer.bos() >= 0)
        config["bos_token_id"] = tokenizer.bos();
    if (tokenizer.eos() >= 0)
        config["eos_token_id"] = tokenizer.eos();
    config["torch_dtype"] = "float16";
    config["quantization_config"] = quantization_json(options);
    return config;
}

void check_options(const HfQuantizeOptions& o)
{
    if (o.method == HfQuantization::Method::Awq) {
        if (o.bits != 4)
            throw UnsupportedError("AWQ checkpoints are 4-bit; --bits " + std::to_string(o.bits) + " is not supported");
        if (o.group_size <= 0)
            throw UnsupportedError("AWQ needs a positive group size, not " + std::to_string(o.group_size));
        if (o.desc_act || !o.sym || o.gptq_v2)
            throw UnsupportedError("act-order, asymmetric and gptq_v2 are GPTQ options; AWQ always has zero points");
        return;
    }
    if (o.bits != 2 && o.bits != 3 && o.bits != 4 && o.bits != 8)
        throw UnsupportedError("GPTQ takes 2, 3, 4 or 8 bits, not " + std::to_string(o.bits));
    if (o.group_size == 0 || o.group_size < -1)
        throw UnsupportedError("the group size must be -1 or positive, not " + std::to_string(o.group_size));
}

// Copies the tokenizer files of a folder input, or writes them from a GGUF
// vocabulary.
void write_tokenizer(const std::string& input, const GgufFile& file, const fs::path& folder)
{
    if (!fs::is_directory(input)) {
        write_hf_tokenizer_files(file, folder.string());
        return;
    }
    for (const char* name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                             "chat_template.jinja", "generation_config.json"}) {
        const fs::path source = fs::path(input) / name;
        if (fs::exists(source))
            fs::copy_file(source, folder / name, fs::copy_options::overwrite_existing);
    }
}

} // namespace

PackedTensors pack_gptq(const std::string& name, const float* w, int64_t n_in, int64_t n_out,
                        const HfQuantizeOptions& options)
{
    const PackedShapes shapes = packed_shapes(name, n_in, n_out, options);
    const int bits = options.bits;
    const int maxq = (1 << bits) - 1;
    const int64_t unit = bits == 3 ? 32 : 32 / bits;
    const int64_t rows_per_unit = bits == 3 ? 3 : 1;
    const int64_t group = options.group_size > 0 ? options.group_size : n_in;
    const int64_t n_groups = (n_in + group - 1) / group;

    // Column order: natural, or by descending L2 norm for act-order (GPTQ
    // orders by the Hessian diagonal, which needs calibration data).
    std::vector<int32_t> order(static_cast<size_t>(n_in));
    std::iota(order.begin(), order.end(), 0);
    if (options.desc_act) {
        std::vector<double> norm(static_cast<size_t>(n_in), 0.0);
        for (int64_t n = 0; n < n_out; ++n) {
            for (int64_t k = 0; k < n_in; ++k)
                norm[static_cast<size_t>(k)] += static_cast<double>(w[n * n_in + k]) * w[n * n_in + k];
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](int32_t a, int32_t b) { return norm[static_cast<size_t>(a)] > norm[static_cast<size_t>(b)]; });
    }

    PackedTensors out;
    out.g_idx.resize(static_cast<size_t>(n_in));
    for (int64_t i = 0; i < n_in; ++i)
        out.g_idx[static_cast<size_t>(order[static_cast<size_t>(i)])] = static_cast<int32_t>(i / group);
    const int64_t packed_k = n_in / unit * rows_per_unit;
    const int64_t packed_n = n_out / unit * rows_per_unit;
    out.qweight.assign(static_cast<size_t>(packed_k * n_out), 0);
    out.qzeros.assign(static_cast<size_t>(n_groups * packed_n), 0);
    out.scales.resize(static_cast<size_t>(n_groups * n_out));

    // Each group: its members' range per output row, then their quants.
    std::vector<float> members;
    for (int64_t g = 0; g < n_groups; ++g) {
        const int64_t begin = g * group;
        const int64_t end = std::min(n_in, begin + group);
        for (int64_t n = 0; n < n_out; ++n) {
            members.clear();
            for (int64_t i = begin; i < end; ++i)
                members.push_back(w[n * n_in + order[static_cast<size_t>(i)]]);
            const GroupParams p = gptq_params(members.data(), static_cast<int64_t>(members.size()), 1, maxq,
                                              options.sym, !options.gptq_v2);
            out.scales[static_cast<size_t>(g * n_out + n)] = p.scale_f16;
            const uint32_t stored_zero = static_cast<uint32_t>(p.zero - (options.gptq_v2 ? 0 : 1)) & static_cast<uint32_t>(maxq);
            pack_value(out.qzeros, static_cast<uint64_t>(g * packed_n + n / unit * rows_per_unit), 1, bits,
                       static_cast<uint64_t>(n % unit), stored_zero);
            for (int64_t i = begin; i < end; ++i) {
                const int64_t k = order[static_cast<size_t>(i)];
                const uint32_t q = quantize_value(w[n * n_in + k], p, maxq);
                pack_value(out.qweight, static_cast<uint64_t>(k / unit * rows_per_unit * n_out + n),
                           static_cast<uint64_t>(n_out), bits, static_cast<uint64_t>(k % unit), q);
            }
        }
    }
    out.qweight_shape = shapes.qweight;
    out.qzeros_shape = shapes.qzeros;
    out.scales_shape = shapes.scales;
    return out;
}

PackedTensors pack_awq(const std::string& name, const float* w, int64_t n_in, int64_t n_out,
                       const HfQuantizeOptions& options)
{
    const PackedShapes shapes = packed_shapes(name, n_in, n_out, options);
    const int64_t group = options.group_size;
    // Output 8c + j goes to nibble kNibbleOfOutput[j] of word c (AutoAWQ's
    // order 0 2 4 6 1 3 5 7).
    static constexpr int kNibbleOfOutput[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    const int64_t n_groups = n_in / group;
    PackedTensors out;
    out.qweight.assign(static_cast<size_t>(n_in * (n_out / 8)), 0);
    out.qzeros.assign(static_cast<size_t>(n_groups * (n_out / 8)), 0);
    out.scales.resize(static_cast<size_t>(n_groups * n_out));
    const auto put = [&](std::vector<int32_t>& words, int64_t row, int64_t n, uint32_t value) {
        auto& word = reinterpret_cast<uint32_t&>(words[static_cast<size_t>(row * (n_out / 8) + n / 8)]);
        word |= value << (4 * kNibbleOfOutput[n % 8]);
    };
    for (int64_t g = 0; g < n_groups; ++g) {
        for (int64_t n = 0; n < n_out; ++n) {
            const float* x = w + n * n_in + g * group;
            const GroupParams p = awq_params(x, group, 1);
            out.scales[static_cast<size_t>(g * n_out + n)] = p.scale_f16;
            put(out.qzeros, g, n, static_cast<uint32_t>(p.zero));
            for (int64_t i = 0; i < group; ++i)
                put(out.qweight, g * group + i, n, quantize_value(x[i], p, 15));
        }
    }
    out.qweight_shape = shapes.qweight;
    out.qzeros_shape = shapes.qzeros;
    out.scales_shape = shapes.scales;
    return out;
}

namespace {

// Returns true when `path` has a file name a checkpoint folder contains.
bool checkpoint_file_name(const fs::path& path)
{
    const std::string extension = path.extension().string();
    return extension == ".json" || extension == ".safetensors" || extension == ".jinja" || extension == ".model" ||
           extension == ".txt" || extension == ".md" || path.filename() == ".gitattributes";
}

// Resolves `output` and checks that writing there loses nothing. The parent
// folder must exist. An existing folder is replaced only with `force` and
// only when it is a checkpoint folder (config.json and the files one
// contains). It is never replaced when it is or contains the input.
fs::path checked_output(const std::string& input, const std::string& output, bool force)
{
    fs::path target = fs::absolute(output).lexically_normal();
    if (target.filename().empty())
        target = target.parent_path();
    std::error_code error;
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent, error))
        throw IoError(output + ": the folder " + parent.string() + " does not exist; create it first");
    if (!fs::exists(fs::symlink_status(target, error)))
        return target;

    // An existing path: never the input or a folder around it.
    const fs::path input_path = fs::weakly_canonical(fs::absolute(input), error);
    const fs::path resolved = fs::weakly_canonical(target, error);
    if (fs::equivalent(target, input_path, error))
        throw IoError(output + ": the output is the input; choose another folder");
    const std::string prefix = resolved.string() + "/";
    if (input_path.string().rfind(prefix, 0) == 0)
        throw IoError(output + ": contains the input " + input + "; choose another folder");
    if (!force)
        throw IoError(output + ": already exists; remove it or pass --force to replace it");
    if (fs::is_symlink(target, error))
        return target; // the link is replaced, not what it points to
    if (!fs::is_directory(target, error))
        throw IoError(output + ": exists and is not a folder; --force replaces only a checkpoint folder");

    // Only a folder of checkpoint files is replaced.
    if (!fs::exists(target / "config.json", error)) {
        throw IoError(output + ": is not a checkpoint folder (it has no config.json); --force replaces only a "
                               "checkpoint folder");
    }
    for (const fs::directory_entry& entry : fs::directory_iterator(target, error)) {
        if (!entry.is_regular_file(error) || !checkpoint_file_name(entry.path())) {
            throw IoError(output + ": is not a checkpoint folder (it contains '" + entry.path().filename().string() +
                          "'); --force replaces only a checkpoint folder");
        }
    }
    return target;
}

} // namespace

HfQuantizeSummary write_quantized_checkpoint(const std::string& input, const std::string& output,
                                             const HfQuantizeOptions& options)
{
    check_options(options);
    const fs::path target = checked_output(input, output, options.force);

    // A checkpoint folder as input is refused before its weights are repacked.
    std::error_code error;
    if (fs::is_directory(input, error) && is_hf_model_folder(input)) {
        const HfConfig config = read_hf_config(input);
        if (config.quantization.method != HfQuantization::Method::None) {
            throw UnsupportedError(input + ": already a " + config.quantization.describe(config.torch_dtype) +
                                   " checkpoint; GPTQ/AWQ conversion needs an F32, F16 or BF16 model");
        }
    }

    // The model, its hyperparameters and tokenizer.
    const std::unique_ptr<GgufFile> file = open_model_path(input);
    Hyperparams hp = read_hyperparams(*file);
    hp.n_vocab = static_cast<int>(file->tensor("token_embd.weight").ne[1]);
    if (hp.architecture != "llama" && hp.architecture != "qwen2") {
        throw UnsupportedError(input + ": architecture '" + hp.architecture +
                               "' cannot be written as a GPTQ/AWQ checkpoint; supported: llama (and Mistral), qwen2");
    }
    const std::unique_ptr<Tokenizer> tokenizer =
        fs::is_directory(input) ? Tokenizer::from_hf_dir(input) : Tokenizer::from_gguf(*file);
    for (const GgufTensor& tensor : file->tensors()) {
        const std::string& name = tensor.name;
        const bool known = name == "token_embd.weight" || name == "output_norm.weight" || name == "output.weight" ||
                           name.rfind("blk.", 0) == 0;
        if (!known) {
            throw UnsupportedError(input + ": tensor '" + name +
                                   "' has no place in a Hugging Face llama/qwen2 checkpoint; it cannot be converted");
        }
    }

    // Tensors: float ones as F16, the blocks' linear layers packed, each
    // computed while the file is written.
    HfQuantizeSummary summary;
    CheckpointBuilder builder(*file, output, options, 7 * hp.n_layer);
    const bool tied = file->find_tensor("output.weight") == nullptr;
    builder.add_float("token_embd.weight", "model.embed_tokens.weight", hp.n_embd, hp.n_vocab);
    builder.add_float("output_norm.weight", "model.norm.weight", hp.n_embd, 1);
    if (!tied)
        builder.add_float("output.weight", "lm_head.weight", hp.n_embd, hp.n_vocab);
    const bool llama = hp.architecture == "llama";
    const std::vector<int32_t> q_rows = llama ? hf_rope_row_order(hp.n_head, hp.head_dim) : std::vector<int32_t>{};
    const std::vector<int32_t> k_rows = llama ? hf_rope_row_order(hp.n_head_kv, hp.head_dim) : std::vector<int32_t>{};
    for (int il = 0; il < hp.n_layer; ++il) {
        const std::string blk = "blk." + std::to_string(il) + ".";
        const std::string layer = "model.layers." + std::to_string(il) + ".";
        builder.add_float(blk + kBlockNames[0].gguf, layer + kBlockNames[0].hf, hp.n_embd, 1);
        builder.add_float(blk + kBlockNames[1].gguf, layer + kBlockNames[1].hf, hp.n_embd, 1);
        const int64_t widths[7][2] = {{hp.n_embd, hp.n_embd_q()}, {hp.n_embd, hp.n_embd_kv()},
                                      {hp.n_embd, hp.n_embd_kv()}, {hp.n_embd_q(), hp.n_embd},
                                      {hp.n_embd, hp.n_ff},        {hp.n_embd, hp.n_ff},
                                      {hp.n_ff, hp.n_embd}};
        for (int j = 0; j < 7; ++j) {
            const NameMap& names = kBlockNames[2 + j];
            std::vector<int32_t> rows;
            if (j == 0)
                rows = q_rows;
            else if (j == 1)
                rows = k_rows;
            const std::string gguf = blk + names.gguf;
            const std::string hf = layer + names.hf;
            if (file->find_tensor(gguf + ".bias"))
                builder.add_float(gguf + ".bias", hf + ".bias", widths[j][1], 1, rows);
            builder.add_linear(gguf + ".weight", hf, widths[j][0], widths[j][1], rows);
        }
    }
    for (const GgufTensor& tensor : file->tensors())
        summary.n_params += tensor.n_elements;

    // The folder, built under a temporary name and then renamed.
    fs::path temporary = target;
    temporary += ".tmp-" + std::to_string(std::random_device{}());
    if (!fs::create_directory(temporary, error))
        throw IoError(output + ": cannot create the folder (" + error.message() + ")");
    try {
        builder.writer().write((temporary / "model.safetensors").string());
        summary.safetensors_bytes = fs::file_size(temporary / "model.safetensors");
        write_tokenizer(input, *file, temporary);
        write_json(temporary / "config.json", config_json(hp, tied, *tokenizer, options));
        if (options.method == HfQuantization::Method::Gptq)
            write_json(temporary / "quantize_config.json", quantization_json(options));
        if (!fs::exists(temporary / "generation_config.json")) {
            ordered_json generation = {{"_from_model_config", true}};
            if (tokenizer->bos() >= 0)
                generation["bos_token_id"] = tokenizer->bos();
            if (tokenizer->eos() >= 0)
                generation["eos_token_id"] = tokenizer->eos();
            write_json(temporary / "generation_config.json", generation);
        }
        // Replace: the old folder moves aside until the new one is in place.
        fs::path previous;
        if (fs::exists(fs::symlink_status(target))) {
            previous = target;
            previous += ".old-" + std::to_string(std::random_device{}());
            fs::rename(target, previous);
        }
        fs::rename(temporary, target);
        if (!previous.empty())
            fs::remove_all(previous, error);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(temporary, error);
        throw IoError(output + ": cannot write the checkpoint (" + e.code().message() + ")");
    } catch (...) {
        fs::remove_all(temporary, error);
        throw;
    }
    summary.format = HfQuantization{options.method, options.bits, options.group_size, options.desc_act, options.sym,
                                    !options.gptq_v2, "gemm", {}}
                         .describe("float16");
    QUANTA_LOG_INFO("wrote %s: %s", output.c_str(), summary.format.c_str());
    return summary;
}

} // namespace quanta
