#include "hf/hf_model.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_config.h"
#include "hf/packed_linear.h"
#include "hf/safetensors.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace quanta {

namespace {

// Everything an assembled model's tensors point into.
struct HfStorage {
    std::unique_ptr<SafetensorsModel> weights;
    std::deque<std::vector<uint8_t>> buffers;
    std::deque<std::vector<int32_t>> perms;

    // The buffer that starts at `data`, or null.
    std::vector<uint8_t>* buffer_at(const void* data)
    {
        for (std::vector<uint8_t>& buffer : buffers) {
            if (!buffer.empty() && buffer.data() == data)
                return &buffer;
        }
        return nullptr;
    }
};

// The seven linear layers of a block: Hugging Face module, GGUF name.
struct LinearName {
    const char* hf;
    const char* gguf;
};
constexpr LinearName kLinears[] = {
    {"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"}, {"self_attn.v_proj", "attn_v"},
    {"self_attn.o_proj", "attn_output"}, {"mlp.gate_proj", "ffn_gate"}, {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"},
};

GgufValue uint_value(uint64_t value)
{
    return GgufValue{GgufValueType::Uint32, value};
}

GgufValue float_value(double value)
{
    return GgufValue{GgufValueType::Float32, value};
}

GgufValue string_value(std::string value)
{
    return GgufValue{GgufValueType::String, std::move(value)};
}

std::optional<GgmlType> float_type(SafetensorsDtype dtype)
{
    switch (dtype) {
    case SafetensorsDtype::F32: return GgmlType::F32;
    case SafetensorsDtype::F16: return GgmlType::F16;
    case SafetensorsDtype::BF16: return GgmlType::BF16;
    default: return std::nullopt;
    }
}

// The chat template of the folder: tokenizer_config.json's "chat_template"
// (a string, or a list of named templates of which "default" is taken), or
// the file chat_template.jinja. Empty when there is none.
std::string read_chat_template(const std::filesystem::path& folder)
{
    const auto read_text = [](const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    };
    const std::filesystem::path config_path = folder / "tokenizer_config.json";
    if (std::filesystem::exists(config_path)) {
        const nlohmann::json config = nlohmann::json::parse(read_text(config_path), nullptr, false);
        if (config.is_object() && config.contains("chat_template")) {
            const nlohmann::json& value = config.at("chat_template");
            if (value.is_string())
                return value.get<std::string>();
            if (value.is_array()) {
                for (const nlohmann::json& entry : value) {
                    if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
                        entry.at("template").is_string())
                        return entry.at("template").get<std::string>();
                }
            }
        }
    }
    const std::filesystem::path jinja = folder / "chat_template.jinja";
    if (std::filesystem::exists(jinja))
        return read_text(jinja);
    return {};
}

std::vector<GgufKeyValue> build_metadata(const HfConfig& config, const std::string& name, const std::string& format,
                                         const std::string& chat_template)
{
    const std::string a = config.architecture + ".";
    std::vector<GgufKeyValue> kv = {
        {"general.architecture", string_value(config.architecture)},
        {"general.name", string_value(name)},
        {"quanta.weight_format", string_value(format)},
        {a + "context_length", uint_value(static_cast<uint64_t>(config.max_position_embeddings))},
        {a + "embedding_length", uint_value(static_cast<uint64_t>(config.hidden_size))},
        {a + "block_count", uint_value(static_cast<uint64_t>(config.n_layer))},
        {a + "feed_forward_length", uint_value(static_cast<uint64_t>(config.intermediate_size))},
        {a + "attention.head_count", uint_value(static_cast<uint64_t>(config.n_head))},
        {a + "attention.head_count_kv", uint_value(static_cast<uint64_t>(config.n_head_kv))},
        {a + "attention.key_length", uint_value(static_cast<uint64_t>(config.head_dim))},
        {a + "attention.value_length", uint_value(static_cast<uint64_t>(config.head_dim))},
        {a + "rope.dimension_count", uint_value(static_cast<uint64_t>(config.head_dim))},
        {a + "rope.freq_base", float_value(config.rope_theta)},
        {a + "attention.layer_norm_rms_epsilon", float_value(config.rms_norm_eps)},
    };
    if (!config.rope_scaling_type.empty()) {
        kv.push_back({a + "rope.scaling.type", string_value(config.rope_scaling_type)});
        kv.push_back({a + "rope.scaling.factor", float_value(config.rope_factor)});
        if (config.rope_scaling_type == "llama3") {
            kv.push_back({a + "rope.scaling.original_context_length",
                          uint_value(static_cast<uint64_t>(config.rope_original_context))});
            kv.push_back({a + "rope.scaling.low_freq_factor", float_value(config.rope_low_freq_factor)});
            kv.push_back({a + "rope.scaling.high_freq_factor", float_value(config.rope_high_freq_factor)});
        }
    }
    if (!chat_template.empty())
        kv.push_back({"tokenizer.chat_template", string_value(chat_template)});
    return kv;
}

class Assembler {
public:
    Assembler(const std::string& directory, const HfConfig& config, HfStorage& storage)
        : directory_(directory), config_(config), storage_(storage), weights_(*storage.weights)
    {
    }

    std::vector<GgufTensor> take() { return std::move(tensors_); }

    // A float tensor stored as is (1-D norms and biases, embeddings, lm_head),
    // optionally with its rows reordered.
    void add_float(const std::string& hf_name, const std::string& gguf_name, const std::vector<uint64_t>& shape,
                   const std::vector<int32_t>& row_order = {})
    {
        const SafetensorsTensor& t = weights_.tensor(hf_name);
        const std::optional<GgmlType> type = float_type(t.dtype);
        if (!type) {
            throw FormatError(*t.file + ": tensor '" + hf_name + "' has dtype " +
                              std::string(safetensors_dtype_name(t.dtype)) + ", expected F16, BF16 or F32");
        }
        if (t.shape != shape) {
            std::string expected;
            for (uint64_t d : shape)
                expected += (expected.empty() ? "" : ", ") + std::to_string(d);
            std::string found;
            for (uint64_t d : t.shape)
                found += (found.empty() ? "" : ", ") + std::to_string(d);
            throw FormatError(*t.file + ": tensor '" + hf_name + "' has shape [" + found + "], expected [" + expected +
                              "] from config.json");
        }
        GgufTensor tensor = describe(gguf_name, *type, shape);
        const size_t element = safetensors_dtype_size(t.dtype);
        const bool aligned = reinterpret_cast<uintptr_t>(t.data) % element == 0;
        if (row_order.empty() && aligned) {
            tensor.data = t.data;
        } else {
            // Reordered rows, or a tensor the file left unaligned: a copy.
            std::vector<uint8_t>& copy = storage_.buffers.emplace_back(t.n_bytes);
            const size_t row_bytes = shape.size() == 2 ? static_cast<size_t>(shape[1]) * element : element;
            const size_t rows = t.n_bytes / row_bytes;
            for (size_t r = 0; r < rows; ++r) {
                const size_t source = row_order.empty() ? r : static_cast<size_t>(row_order[r]);
                std::memcpy(copy.data() + r * row_bytes, t.data + source * row_bytes, row_bytes);
            }
            tensor.data = copy.data();
        }
        tensors_.push_back(tensor);
    }

    // One linear layer of a block: packed (GPTQ/AWQ) when the checkpoint has
    // a qweight for it, a float weight otherwise.
    void add_linear(int layer, const LinearName& name, int64_t n_in, int64_t n_out,
                    const std::vector<int32_t>& row_order)
    {
        add_linear("model.layers." + std::to_string(layer) + "." + name.hf,
                   "blk." + std::to_string(layer) + "." + name.gguf, n_in, n_out, row_order);
    }

    // The linear layer `prefix` (a Hugging Face module name) as GGUF tensor
    // `gguf` (without ".weight").
    void add_linear(const std::string& prefix, const std::string& gguf, int64_t n_in, int64_t n_out,
                    const std::vector<int32_t>& row_order)
    {
        const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
        // qwen2 has biases on Q, K and V; tensor() names a missing one.
        const bool bias_required = config_.architecture == "qwen2" && (gguf.ends_with(".attn_q") ||
                                                                       gguf.ends_with(".attn_k") ||
                                                                       gguf.ends_with(".attn_v"));
        if (bias_required || weights_.find(prefix + ".bias"))
            add_float(prefix + ".bias", gguf + ".bias", {u(n_out)}, row_order);
        if (!weights_.find(prefix + ".qweight")) {
            add_float(prefix + ".weight", gguf + ".weight", {u(n_out), u(n_in)}, row_order);
            return;
        }

        const HfQuantization& q = config_.quantization;
        if (q.method == HfQuantization::Method::None) {
            throw FormatError(weights_.find(prefix + ".qweight")->file->c_str() + std::string(": tensor '") + prefix +
                              ".qweight' is packed, but config.json has no quantization_config and the folder no "
                              "quantize_config.json");
        }
        PackedLinear packed;
        packed.name = directory_ + ": " + prefix;
        packed.n_in = n_in;
        packed.n_out = n_out;
        packed.qweight = weights_.find(prefix + ".qweight");
        packed.qzeros = weights_.find(prefix + ".qzeros");
        packed.scales = weights_.find(prefix + ".scales");
        packed.g_idx = weights_.find(prefix + ".g_idx");
        const UnpackedLinear unpacked =
            q.method == HfQuantization::Method::Gptq ? unpack_gptq(packed, q) : unpack_awq(packed, q);
        RepackedMatrix matrix = repack_linear(unpacked, row_order);
        ++n_packed_;
        if (matrix.type == GgmlType::F32)
            ++n_dequantized_;

        GgufTensor tensor = describe(gguf + ".weight", matrix.type, {u(n_out), u(n_in)});
        tensor.data = storage_.buffers.emplace_back(std::move(matrix.data)).data();
        if (!matrix.in_perm.empty())
            tensor.in_perm = storage_.perms.emplace_back(std::move(matrix.in_perm)).data();
        tensors_.push_back(tensor);
    }

    // Linear layers read from packed tensors, and those of them whose groups
    // do not form 32-input blocks, so that they were dequantized to F32.
    int n_packed() const { return n_packed_; }
    int n_dequantized() const { return n_dequantized_; }

private:
    // A tensor entry with GGUF's shape order (innermost first).
    static GgufTensor describe(const std::string& name, GgmlType type, const std::vector<uint64_t>& shape)
    {
        GgufTensor tensor;
        tensor.name = name;
        tensor.type = type;
        tensor.n_dims = static_cast<uint32_t>(shape.size());
        tensor.n_elements = 1;
        for (size_t d = 0; d < shape.size(); ++d) {
            tensor.ne[d] = shape[shape.size() - 1 - d];
            tensor.n_elements *= shape[d];
        }
        tensor.n_bytes = *ggml_row_bytes(type, tensor.ne[0]) * (tensor.n_elements / tensor.ne[0]);
        return tensor;
    }

    const std::string& directory_;
    const HfConfig& config_;
    HfStorage& storage_;
    const SafetensorsModel& weights_;
    std::vector<GgufTensor> tensors_;
    int n_packed_ = 0;
    int n_dequantized_ = 0;
};

std::string folder_name(const std::string& directory)
{
    std::filesystem::path path(directory);
    if (path.filename().empty())
        path = path.parent_path();
    return path.filename().string();
}

} // namespace

std::unique_ptr<GgufFile> open_hf_model(const std::string& directory, const HfLoadOptions& options)
{
    // Settings and weights.
    const HfConfig config = read_hf_config(directory);
    auto storage = std::make_shared<HfStorage>();
    storage->weights = SafetensorsModel::open_folder(directory);
    QUANTA_LOG_INFO("%s: Hugging Face %s model, %s, %zu safetensors files", directory.c_str(),
                    config.model_type.c_str(), config.quantization.describe(config.torch_dtype).c_str(),
                    storage->weights->files().size());
    if (config.sliding_window > 0 && config.sliding_window < config.max_position_embeddings) {
        QUANTA_LOG_INFO("%s: sliding_window %d is not applied; every layer attends to the whole context, as "
                        "llama.cpp does for this model type",
                        directory.c_str(), config.sliding_window);
    }

    // Embeddings, output norm and output projection.
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    const int64_t n_embd = config.hidden_size;
    const int64_t n_q = static_cast<int64_t>(config.n_head) * config.head_dim;
    const int64_t n_kv = static_cast<int64_t>(config.n_head_kv) * config.head_dim;
    Assembler assembler(directory, config, *storage);
    assembler.add_float("model.embed_tokens.weight", "token_embd.weight", {u(config.vocab_size), u(n_embd)});
    assembler.add_float("model.norm.weight", "output_norm.weight", {u(n_embd)});
    // GPTQ's "lm_head": true quantizes the output projection too.
    const bool has_output = storage->weights->find("lm_head.weight") || storage->weights->find("lm_head.qweight");
    if (!config.tie_word_embeddings && has_output)
        assembler.add_linear("lm_head", "output", n_embd, config.vocab_size, {});

    // The blocks; llama's Q and K rows move to GGUF's RoPE layout.
    const bool llama = config.architecture == "llama";
    const std::vector<int32_t> q_order = llama ? hf_rope_row_order(config.n_head, config.head_dim) : std::vector<int32_t>{};
    const std::vector<int32_t> k_order =
        llama ? hf_rope_row_order(config.n_head_kv, config.head_dim) : std::vector<int32_t>{};
    const std::vector<int32_t> none;
    for (int il = 0; il < config.n_layer; ++il) {
        if (options.cancel && options.cancel->load(std::memory_order_acquire))
            throw CancelledError(directory + ": loading cancelled");
        const std::string prefix = "model.layers." + std::to_string(il) + ".";
        const std::string blk = "blk." + std::to_string(il) + ".";
        assembler.add_float(prefix + "input_layernorm.weight", blk + "attn_norm.weight", {u(n_embd)});
        assembler.add_float(prefix + "post_attention_layernorm.weight", blk + "ffn_norm.weight", {u(n_embd)});
        assembler.add_linear(il, kLinears[0], n_embd, n_q, q_order);
        assembler.add_linear(il, kLinears[1], n_embd, n_kv, k_order);
        assembler.add_linear(il, kLinears[2], n_embd, n_kv, none);
        assembler.add_linear(il, kLinears[3], n_q, n_embd, none);
        assembler.add_linear(il, kLinears[4], n_embd, config.intermediate_size, none);
        assembler.add_linear(il, kLinears[5], n_embd, config.intermediate_size, none);
        assembler.add_linear(il, kLinears[6], config.intermediate_size, n_embd, none);
        if (options.on_progress)
            options.on_progress(static_cast<float>(il + 1) / static_cast<float>(config.n_layer));
    }

    // The description. A quantization config over float weights describes
    // nothing that loaded, so the format is then the float type.
    if (assembler.n_dequantized() > 0) {
        QUANTA_LOG_WARN("%s: in %d of %d packed layers the groups do not form 32-input blocks; those layers "
                        "were dequantized to F32, which takes 8 times their packed size",
                        directory.c_str(), assembler.n_dequantized(), assembler.n_packed());
    }
    HfQuantization loaded = config.quantization;
    if (assembler.n_packed() == 0)
        loaded.method = HfQuantization::Method::None;
    const std::string format = loaded.describe(config.torch_dtype);
    std::vector<GgufKeyValue> metadata =
        build_metadata(config, folder_name(directory), format, read_chat_template(directory));
    const uint64_t source_bytes = storage->weights->total_file_bytes();
    // The CPU may copy the repacked and reordered matrices into huge pages
    // (ModelGraph::copy_cpu_weights), and these buffers are then freed.
    OwnedBuffers buffers;
    HfStorage* owner = storage.get();
    buffers.owns = [owner](const void* data) { return owner->buffer_at(data) != nullptr; };
    buffers.free = [owner](const void* data) {
        if (std::vector<uint8_t>* buffer = owner->buffer_at(data))
            std::vector<uint8_t>().swap(*buffer);
    };
    return GgufFile::assemble(directory, std::move(metadata), assembler.take(), std::move(storage), source_bytes,
                              std::move(buffers));
}

std::vector<int32_t> hf_rope_row_order(int n_heads, int head_dim)
{
    std::vector<int32_t> order(static_cast<size_t>(n_heads) * static_cast<size_t>(head_dim));
    const int half = head_dim / 2;
    for (int h = 0; h < n_heads; ++h) {
        for (int i = 0; i < half; ++i) {
            for (int a = 0; a < 2; ++a)
                order[static_cast<size_t>(h * head_dim + 2 * i + a)] = h * head_dim + a * half + i;
        }
    }
    return order;
}

std::string read_hf_chat_template(const std::string& directory)
{
    return read_chat_template(directory);
}

ModelSummary summarize_hf_folder(const std::string& directory)
{
    const HfConfig config = read_hf_config(directory);
    const std::unique_ptr<SafetensorsModel> weights = SafetensorsModel::open_folder(directory);
    ModelSummary summary;
    summary.name = folder_name(directory);
    summary.architecture = config.architecture;
    HfQuantization stored = config.quantization;
    bool packed = false;
    for (const SafetensorsTensor* t : weights->tensors())
        packed = packed || t->name.ends_with(".qweight");
    if (!packed)
        stored.method = HfQuantization::Method::None;
    summary.file_type = stored.describe(config.torch_dtype);
    summary.n_ctx_train = config.max_position_embeddings;
    summary.weight_bytes = weights->total_file_bytes();

    // Parameters: every float tensor's elements, and K * N per packed layer
    // (its qweight has K * bits / 32 rows of N words).
    const int bits = config.quantization.bits;
    for (const SafetensorsTensor* t : weights->tensors()) {
        const std::string& name = t->name;
        const auto ends_with = [&](const char* suffix) {
            const size_t n = std::strlen(suffix);
            return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
        };
        if (ends_with(".qweight")) {
            const bool awq = config.quantization.method == HfQuantization::Method::Awq;
            summary.n_params += awq ? t->n_elements * 8 : t->n_elements * 32 / static_cast<uint64_t>(bits);
        } else if (!ends_with(".qzeros") && !ends_with(".scales") && !ends_with(".g_idx")) {
            summary.n_params += t->n_elements;
        }
    }
    return summary;
}

std::unique_ptr<GgufFile> open_model_path(const std::string& path, const HfLoadOptions& options)
{
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        if (!is_hf_model_folder(path)) {
            throw IoError(path + ": this folder has no config.json; a model folder needs config.json, "
                                 "*.safetensors and tokenizer.json, or pick a .gguf file");
        }
        return open_hf_model(path, options);
    }
    return GgufFile::open(path);
}

} // namespace quanta
