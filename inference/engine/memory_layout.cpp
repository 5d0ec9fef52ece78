// describe_model_memory(): the tensors a loaded model holds, grouped by the
// part of the model they belong to, from a GGUF header or from a Hugging
// Face folder's config.json and safetensors headers.

#include "engine/memory_plan.h"

#include "core/checked.h"
#include "core/error.h"
#include "cpu/repack.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_config.h"
#include "hf/safetensors.h"
#include "model/hparams.h"
#include "model/model_graph.h"
#include "quant/blocks.h"
#include "vulkan/vulkan_kernels.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace quanta {

namespace {

// Largest vocabulary the graphs accept (DecoderGraph::load_common()).
constexpr uint64_t kMaxVocab = 1u << 24;
// Largest query width (heads times head size) read_hyperparams() accepts.
constexpr uint64_t kMaxWidth = 1u << 20;

// One tensor as the loaded model keeps it, under its GGUF name.
struct LoadedTensor {
    std::string name;
    GgmlType type = GgmlType::F32;
    uint64_t n_in = 0;        // ne[0]: inputs of a matrix, elements of a 1-D tensor
    uint64_t n_elements = 0;
    uint64_t bytes = 0;       // as the loader keeps it (after any repacking)
    bool permuted = false;    // has an act-order input order, int32 [n_in]
    bool copied = false;      // held in process memory rather than in the file mapping
};

uint64_t add_bytes(uint64_t a, uint64_t b, const std::string& path)
{
    const std::optional<uint64_t> sum = checked_add(a, b);
    if (!sum)
        throw FormatError(path + ": the tensor sizes add up to more than 2^64 bytes");
    return *sum;
}

uint64_t multiply_bytes(uint64_t a, uint64_t b, const std::string& path, const std::string& tensor)
{
    const std::optional<uint64_t> product = checked_mul(a, b);
    if (!product)
        throw FormatError(path + ": tensor '" + tensor + "' would take more than 2^64 bytes");
    return *product;
}

// The tensors of a block that load_layers() reads, by their name after
// "blk.N.". The graphs read each 2-D tensor as a matrix and convert each
// 1-D tensor to an F32 vector.
constexpr const char* kLayerMatrices[] = {
    "attn_q.weight",   "attn_k.weight", "attn_v.weight", "attn_qkv.weight", "attn_output.weight",
    "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight",
};
constexpr const char* kLayerVectors[] = {
    "attn_norm.weight",   "attn_q.bias",   "attn_k.bias",  "attn_v.bias",
    "attn_q_norm.weight", "attn_k_norm.weight", "post_attention_norm.weight",
    "ffn_norm.weight",    "post_ffw_norm.weight",
};

bool is_one_of(const std::string& name, const auto& names)
{
    return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

// Collects tensors into the groups of a layout.
class LayoutBuilder {
public:
    explicit LayoutBuilder(ModelMemoryLayout& layout)
        : layout_(layout), has_gate_(static_cast<size_t>(layout.n_layer)), has_up_(static_cast<size_t>(layout.n_layer))
    {
        layout_.layers.assign(static_cast<size_t>(layout.n_layer), WeightGroupMemory{});
    }

    // Files the tensor under its part of the model. Tensors no graph reads
    // (and layers past block_count) are left out, as the loader leaves them.
    void add(const LoadedTensor& t)
    {
        // Outside the layers.
        if (t.name == "token_embd.weight") {
            add_matrix(layout_.embedding, t, /*gpu=*/false);
            embedding_ = t;
            return;
        }
        if (t.name == "output.weight") {
            add_matrix(layout_.output, t, /*gpu=*/true);
            has_output_ = true;
            return;
        }
        if (t.name == "output_norm.weight") {
            add_vector(layout_.output, t);
            return;
        }
        const bool llama_divisors = layout_.architecture == "llama" && t.name == "rope_freqs.weight";
        const bool longrope = layout_.architecture == "phi3" &&
                              (t.name == "rope_factors_long.weight" || t.name == "rope_factors_short.weight");
        if (llama_divisors || longrope) {
            add_vector(layout_.rope, t);
            has_rope_freqs_ = has_rope_freqs_ || llama_divisors;
            return;
        }

        // A block's tensor: "blk.N.suffix".
        if (t.name.rfind("blk.", 0) != 0)
            return;
        const size_t dot = t.name.find('.', 4);
        if (dot == std::string::npos || dot == 4 || dot - 4 > 4)
            return;
        const std::string index_text = t.name.substr(4, dot - 4);
        if (!std::all_of(index_text.begin(), index_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return;
        const int il = std::stoi(index_text);
        if (il >= layout_.n_layer)
            return;
        const std::string suffix = t.name.substr(dot + 1);
        WeightGroupMemory& layer = layout_.layers[static_cast<size_t>(il)];
        if (is_one_of(suffix, kLayerMatrices)) {
            add_matrix(layer, t, /*gpu=*/true);
            // Fused projections need a buffer of their combined width.
            if (suffix == "attn_qkv.weight")
                layout_.fused_width = std::max(layout_.fused_width, layout_.n_embd_q + 2 * layout_.n_embd_kv);
            has_gate_[static_cast<size_t>(il)] = has_gate_[static_cast<size_t>(il)] || suffix == "ffn_gate.weight";
            has_up_[static_cast<size_t>(il)] = has_up_[static_cast<size_t>(il)] || suffix == "ffn_up.weight";
        } else if (is_one_of(suffix, kLayerVectors)) {
            add_vector(layer, t);
        }
    }

    // Adds what follows from the whole set: the tied output projection, the
    // fused gate and up of layers without ffn_gate, and the RoPE divisors
    // that the graph computes or the shaders need anyway.
    void finish(bool computed_rope_divisors, int n_rot)
    {
        // Without output.weight the embedding matrix is the output
        // projection: uploaded with every layer, its pages already counted.
        if (!has_output_ && embedding_)
            add_matrix(layout_.output, *embedding_, /*gpu=*/true, /*host=*/false);

        for (size_t il = 0; il < has_gate_.size(); ++il) {
            if (has_up_[il] && !has_gate_[il])
                layout_.fused_width = std::max(layout_.fused_width, 2 * layout_.n_ff);
        }

        // Llama 3.1's divisors from the formula when the file has no tensor
        // of them, and the one-value vector the shaders bind otherwise.
        const uint64_t divisor_bytes = static_cast<uint64_t>(n_rot / 2) * sizeof(float);
        if (computed_rope_divisors && !has_rope_freqs_) {
            layout_.rope.gpu_buffers.push_back(divisor_bytes);
            layout_.rope.loaded_bytes += divisor_bytes;
            layout_.rope.host_heap += divisor_bytes;
        }
        layout_.rope.gpu_buffers.push_back(sizeof(float));
    }

private:
    void add_matrix(WeightGroupMemory& group, const LoadedTensor& t, bool gpu, bool host = true)
    {
        const uint64_t perm_bytes = t.permuted ? t.n_in * sizeof(int32_t) : 0;
        if (gpu) {
            group.gpu_buffers.push_back(t.bytes);
            if (t.permuted)
                group.gpu_buffers.push_back(perm_bytes);
            group.gpu_supported = group.gpu_supported && vk::gpu_supports_type(t.type);
            const uint32_t width = static_cast<uint32_t>(std::min<uint64_t>(t.n_in, UINT32_MAX));
            if (vk::int8_path_supports_type(t.type))
                group.int8_width = std::max(group.int8_width, width);
            if (t.permuted)
                group.permuted_width = std::max(group.permuted_width, width);
        }
        if (!host)
            return;
        group.loaded_bytes = add_bytes(group.loaded_bytes, add_bytes(t.bytes, perm_bytes, layout_.path), layout_.path);
        if (t.copied) {
            group.host_heap = add_bytes(group.host_heap, add_bytes(t.bytes, perm_bytes, layout_.path), layout_.path);
        } else {
            group.host_mapped = add_bytes(group.host_mapped, t.bytes, layout_.path);
            // The embedding's rows stay as they are.
            const int64_t n_out = t.n_in > 0 ? static_cast<int64_t>(t.n_elements / t.n_in) : 0;
            if (&group != &layout_.embedding &&
                can_interleave_rows(t.type, static_cast<int64_t>(t.n_in), n_out, t.permuted))
                group.host_interleaved = add_bytes(group.host_interleaved, t.bytes, layout_.path);
        }
    }

    // A 1-D tensor: the graph keeps an F32 copy, which is also what it
    // uploads. A source that is a copy itself stays in memory too.
    void add_vector(WeightGroupMemory& group, const LoadedTensor& t)
    {
        const uint64_t f32_bytes = multiply_bytes(t.n_elements, sizeof(float), layout_.path, t.name);
        group.gpu_buffers.push_back(f32_bytes);
        group.loaded_bytes = add_bytes(group.loaded_bytes, f32_bytes, layout_.path);
        group.host_heap = add_bytes(group.host_heap, f32_bytes, layout_.path);
        if (t.copied)
            group.host_heap = add_bytes(group.host_heap, t.bytes, layout_.path);
    }

    ModelMemoryLayout& layout_;
    std::vector<bool> has_gate_;
    std::vector<bool> has_up_;
    std::optional<LoadedTensor> embedding_;
    bool has_output_ = false;
    bool has_rope_freqs_ = false;
};

void require_supported_architecture(const std::string& path, const std::string& architecture)
{
    const std::vector<std::string> supported = ModelGraph::supported_architectures();
    if (std::find(supported.begin(), supported.end(), architecture) != supported.end())
        return;
    std::string names;
    for (const std::string& name : supported)
        names += (names.empty() ? "" : ", ") + name;
    throw UnsupportedError(path + ": model architecture '" + architecture + "' is not supported (supported: " + names +
                           ")");
}

// ---------------------------------------------------------------------------
// Hugging Face folders: the tensors open_hf_model() assembles.

std::optional<GgmlType> float_type(SafetensorsDtype dtype)
{
    switch (dtype) {
    case SafetensorsDtype::F32: return GgmlType::F32;
    case SafetensorsDtype::F16: return GgmlType::F16;
    case SafetensorsDtype::BF16: return GgmlType::BF16;
    default: return std::nullopt;
    }
}

class HfDescriber {
public:
    HfDescriber(const std::string& directory, const HfConfig& config, const SafetensorsModel& weights,
                LayoutBuilder& builder)
        : directory_(directory), config_(config), weights_(weights), builder_(builder)
    {
    }

    // A float tensor as the loader keeps it: in the mapping, or copied when
    // its rows are reordered (llama's Q and K) or the file left it unaligned.
    void add_float(const std::string& hf_name, const std::string& gguf_name, uint64_t n_in, uint64_t n_rows,
                   bool reordered = false)
    {
        const SafetensorsTensor& t = weights_.tensor(hf_name);
        const std::optional<GgmlType> type = float_type(t.dtype);
        if (!type) {
            throw FormatError(*t.file + ": tensor '" + hf_name + "' has dtype " +
                              std::string(safetensors_dtype_name(t.dtype)) + ", expected F16, BF16 or F32");
        }
        const size_t element = safetensors_dtype_size(t.dtype);
        LoadedTensor tensor;
        tensor.name = gguf_name;
        tensor.type = *type;
        tensor.n_in = n_in;
        tensor.n_elements = n_in * n_rows;
        tensor.bytes = tensor.n_elements * element;
        tensor.copied = reordered || reinterpret_cast<uintptr_t>(t.data) % element != 0;
        builder_.add(tensor);
    }

    // A linear layer: packed (GPTQ/AWQ) when the folder has a qweight for
    // it, with the type repack_linear() gives it, or a float weight.
    void add_linear(const std::string& prefix, const std::string& gguf, uint64_t n_in, uint64_t n_out,
                    bool reordered)
    {
        const bool bias_required = config_.architecture == "qwen2" &&
                                   (gguf.ends_with(".attn_q") || gguf.ends_with(".attn_k") || gguf.ends_with(".attn_v"));
        if (bias_required || weights_.find(prefix + ".bias"))
            add_float(prefix + ".bias", gguf + ".bias", n_out, 1, reordered);
        const SafetensorsTensor* qweight = weights_.find(prefix + ".qweight");
        if (!qweight) {
            add_float(prefix + ".weight", gguf + ".weight", n_in, n_out, reordered);
            return;
        }

        const HfQuantization& q = config_.quantization;
        if (q.method == HfQuantization::Method::None) {
            throw FormatError(*qweight->file + ": tensor '" + prefix +
                              ".qweight' is packed, but config.json has no quantization_config and the folder no "
                              "quantize_config.json");
        }
        // Blocks of 32 inputs need 32-input groups; otherwise the loader
        // dequantizes the layer to F32.
        // NOTE: an act-order layer is counted with an input order, although
        // a g_idx that happens to be sorted needs none.
        const bool blocks_fit = n_in % QK_G == 0 && (q.group_size <= 0 || q.group_size % QK_G == 0);
        LoadedTensor tensor;
        tensor.name = gguf + ".weight";
        tensor.type = GgmlType::F32;
        if (blocks_fit)
            tensor.type = q.bits <= 4 ? GgmlType::Q4_G : GgmlType::Q8_G;
        tensor.n_in = n_in;
        tensor.n_elements = n_in * n_out;
        const std::optional<uint64_t> row_bytes = ggml_row_bytes(tensor.type, n_in);
        tensor.bytes = multiply_bytes(row_bytes.value_or(0), n_out, directory_, tensor.name);
        tensor.permuted = blocks_fit && q.method == HfQuantization::Method::Gptq && q.desc_act;
        tensor.copied = true;
        builder_.add(tensor);
        packed_ = true;
    }

    // A linear layer was read from packed tensors.
    bool packed() const { return packed_; }

private:
    const std::string& directory_;
    const HfConfig& config_;
    const SafetensorsModel& weights_;
    LayoutBuilder& builder_;
    bool packed_ = false;
};

ModelMemoryLayout describe_hf_folder(const std::string& directory)
{
    // Settings and the safetensors headers; no weight is read.
    const HfConfig config = read_hf_config(directory);
    const uint64_t query_width = static_cast<uint64_t>(config.n_head) * static_cast<uint64_t>(config.head_dim);
    if (query_width > kMaxWidth) {
        // read_hyperparams() rejects the same width once the folder loads.
        throw FormatError(directory + "/config.json: num_attention_heads (" + std::to_string(config.n_head) +
                          ") times head_dim (" + std::to_string(config.head_dim) + ") is " +
                          std::to_string(query_width) + ", expected at most " + std::to_string(kMaxWidth));
    }
    const std::unique_ptr<SafetensorsModel> weights = SafetensorsModel::open_folder(directory);

    ModelMemoryLayout layout;
    layout.path = directory;
    layout.architecture = config.architecture;
    layout.n_layer = config.n_layer;
    layout.n_embd = config.hidden_size;
    layout.n_head = config.n_head;
    layout.n_head_kv = config.n_head_kv;
    layout.head_dim = config.head_dim;
    layout.n_embd_q = config.n_head * config.head_dim;
    layout.n_embd_kv = config.n_head_kv * config.head_dim;
    layout.n_ff = config.intermediate_size;
    layout.n_vocab = config.vocab_size;
    layout.n_ctx_train = config.max_position_embeddings;
    layout.mapped_bytes = weights->total_file_bytes();
    require_supported_architecture(directory, config.architecture);

    // The tensors, in the order open_hf_model() assembles them.
    LayoutBuilder builder(layout);
    HfDescriber hf(directory, config, *weights, builder);
    const auto u = [](int v) { return static_cast<uint64_t>(v); };
    const uint64_t n_embd = u(config.hidden_size);
    const uint64_t n_q = u(layout.n_embd_q);
    const uint64_t n_kv = u(layout.n_embd_kv);
    const uint64_t n_ff = u(config.intermediate_size);
    hf.add_float("model.embed_tokens.weight", "token_embd.weight", n_embd, u(config.vocab_size));
    hf.add_float("model.norm.weight", "output_norm.weight", n_embd, 1);
    const bool has_output = weights->find("lm_head.weight") || weights->find("lm_head.qweight");
    if (!config.tie_word_embeddings && has_output)
        hf.add_linear("lm_head", "output", n_embd, u(config.vocab_size), false);
    const bool llama = config.architecture == "llama";
    for (int il = 0; il < config.n_layer; ++il) {
        const std::string prefix = "model.layers." + std::to_string(il) + ".";
        const std::string blk = "blk." + std::to_string(il) + ".";
        hf.add_float(prefix + "input_layernorm.weight", blk + "attn_norm.weight", n_embd, 1);
        hf.add_float(prefix + "post_attention_layernorm.weight", blk + "ffn_norm.weight", n_embd, 1);
        hf.add_linear(prefix + "self_attn.q_proj", blk + "attn_q", n_embd, n_q, llama);
        hf.add_linear(prefix + "self_attn.k_proj", blk + "attn_k", n_embd, n_kv, llama);
        hf.add_linear(prefix + "self_attn.v_proj", blk + "attn_v", n_embd, n_kv, false);
        hf.add_linear(prefix + "self_attn.o_proj", blk + "attn_output", n_q, n_embd, false);
        hf.add_linear(prefix + "mlp.gate_proj", blk + "ffn_gate", n_embd, n_ff, false);
        hf.add_linear(prefix + "mlp.up_proj", blk + "ffn_up", n_embd, n_ff, false);
        hf.add_linear(prefix + "mlp.down_proj", blk + "ffn_down", n_ff, n_embd, false);
    }
    builder.finish(llama && config.rope_scaling_type == "llama3", config.head_dim);
    layout.repacked = hf.packed();
    return layout;
}

} // namespace

ModelMemoryLayout describe_model_memory(const GgufFile& file)
{
    // Hyperparameters, checked as the graphs check them.
    const Hyperparams hp = read_hyperparams(file);
    require_supported_architecture(file.path(), hp.architecture);
    const GgufTensor& embd = file.tensor("token_embd.weight");
    if (embd.n_dims != 2 || embd.ne[0] != static_cast<uint64_t>(hp.n_embd) || embd.ne[1] == 0 ||
        embd.ne[1] > kMaxVocab) {
        throw FormatError(file.path() + ": tensor 'token_embd.weight' has " + std::to_string(embd.n_dims) +
                          " dimensions and ne[0] = " + std::to_string(embd.ne[0]) + ", expected {" +
                          std::to_string(hp.n_embd) + ", n_vocab}");
    }

    ModelMemoryLayout layout;
    layout.path = file.path();
    layout.architecture = hp.architecture;
    layout.n_layer = hp.n_layer;
    layout.n_embd = hp.n_embd;
    layout.n_head = hp.n_head;
    layout.n_head_kv = hp.n_head_kv;
    layout.head_dim = hp.head_dim;
    layout.n_embd_q = hp.n_embd_q();
    layout.n_embd_kv = hp.n_embd_kv();
    layout.n_ff = hp.n_ff;
    layout.n_vocab = static_cast<int>(embd.ne[1]);
    layout.n_ctx_train = hp.n_ctx_train;
    layout.mapped_bytes = file.file_size();
    layout.gguf_mapping = file.is_mapped();

    // Every tensor as the file stores it; an assembled Hugging Face model
    // may carry act-order input orders.
    LayoutBuilder builder(layout);
    for (const GgufTensor& tensor : file.tensors()) {
        LoadedTensor t;
        t.name = tensor.name;
        t.type = tensor.type;
        t.n_in = tensor.ne[0];
        t.n_elements = tensor.n_elements;
        t.bytes = tensor.n_bytes;
        t.permuted = tensor.in_perm != nullptr;
        builder.add(t);
    }
    builder.finish(hp.architecture == "llama" && hp.rope_scaling == RopeScalingType::Llama3, hp.n_rot);
    return layout;
}

ModelMemoryLayout describe_model_memory(const std::string& path)
{
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        if (!is_hf_model_folder(path)) {
            throw IoError(path + ": this folder has no config.json; a model folder needs config.json, "
                                 "*.safetensors and tokenizer.json, or pick a .gguf file");
        }
        return describe_hf_folder(path);
    }
    return describe_model_memory(*GgufFile::open(path));
}

} // namespace quanta
