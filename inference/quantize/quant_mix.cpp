#include "quantize/quant_mix.h"

#include "gguf/gguf_reader.h"
#include "quant/reference.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <numeric>

namespace quanta {

namespace {

// general.file_type values, numbered as llama.h's enum llama_ftype.
enum FileType : uint32_t {
    kAllF32 = 0,
    kMostlyF16 = 1,
    kMostlyQ4_0 = 2,
    kMostlyQ4_1 = 3,
    kMostlyQ8_0 = 7,
    kMostlyQ5_0 = 8,
    kMostlyQ5_1 = 9,
    kMostlyQ2_K = 10,
    kMostlyQ3_K_S = 11,
    kMostlyQ3_K_M = 12,
    kMostlyQ3_K_L = 13,
    kMostlyQ4_K_S = 14,
    kMostlyQ4_K_M = 15,
    kMostlyQ5_K_S = 16,
    kMostlyQ5_K_M = 17,
    kMostlyQ6_K = 18,
    kMostlyIQ4_NL = 25,
    kMostlyIQ4_XS = 30,
    kMostlyBF16 = 32,
};

struct MixEntry {
    std::string_view name;
    FileType file_type;
    GgmlType default_type;
};

// The mixes llama-quantize offers that need no importance matrix and whose
// types the engine implements. Order: the order of `quanta-cli quantize --help`.
constexpr std::array kMixes = {
    MixEntry{"Q2_K", kMostlyQ2_K, GgmlType::Q2_K},
    MixEntry{"Q3_K_S", kMostlyQ3_K_S, GgmlType::Q3_K},
    MixEntry{"Q3_K_M", kMostlyQ3_K_M, GgmlType::Q3_K},
    MixEntry{"Q3_K_L", kMostlyQ3_K_L, GgmlType::Q3_K},
    MixEntry{"Q4_K_S", kMostlyQ4_K_S, GgmlType::Q4_K},
    MixEntry{"Q4_K_M", kMostlyQ4_K_M, GgmlType::Q4_K},
    MixEntry{"Q5_K_S", kMostlyQ5_K_S, GgmlType::Q5_K},
    MixEntry{"Q5_K_M", kMostlyQ5_K_M, GgmlType::Q5_K},
    MixEntry{"Q6_K", kMostlyQ6_K, GgmlType::Q6_K},
    MixEntry{"IQ4_XS", kMostlyIQ4_XS, GgmlType::IQ4_XS},
    MixEntry{"IQ4_NL", kMostlyIQ4_NL, GgmlType::IQ4_NL},
    MixEntry{"Q4_0", kMostlyQ4_0, GgmlType::Q4_0},
    MixEntry{"Q4_1", kMostlyQ4_1, GgmlType::Q4_1},
    MixEntry{"Q5_0", kMostlyQ5_0, GgmlType::Q5_0},
    MixEntry{"Q5_1", kMostlyQ5_1, GgmlType::Q5_1},
    MixEntry{"Q8_0", kMostlyQ8_0, GgmlType::Q8_0},
    MixEntry{"F16", kMostlyF16, GgmlType::F16},
    MixEntry{"BF16", kMostlyBF16, GgmlType::BF16},
    MixEntry{"F32", kAllF32, GgmlType::F32},
};

// Type ids to scan for pure types: ggml numbers its types from 0 up to
// about 40, so this leaves room for new ones.
constexpr uint32_t kTypeIdLimit = 64;

// The _S mix of a K-quant type is the one with the fewest upgrades, so a
// pure file of that type is labelled with it (llama-quantize --pure keeps
// the requested mix's number in the same way).
std::optional<uint32_t> pure_file_type(GgmlType type)
{
    switch (type) {
    case GgmlType::Q3_K: return kMostlyQ3_K_S;
    case GgmlType::Q4_K: return kMostlyQ4_K_S;
    case GgmlType::Q5_K: return kMostlyQ5_K_S;
    default: break;
    }
    for (const MixEntry& entry : kMixes) {
        if (entry.default_type == type)
            return entry.file_type;
    }
    return std::nullopt;
}

bool equal_ignoring_case(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

bool is_float_type(GgmlType type)
{
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

bool contains(std::string_view text, std::string_view part)
{
    return text.find(part) != std::string_view::npos;
}

bool ends_with(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The N of a "blk.N." name, or -1 for tensors outside the layers.
int layer_of(std::string_view name)
{
    constexpr std::string_view kPrefix = "blk.";
    if (name.substr(0, kPrefix.size()) != kPrefix)
        return -1;
    const char* begin = name.data() + kPrefix.size();
    const char* end = name.data() + name.size();
    int layer = -1;
    const auto [stop, error] = std::from_chars(begin, end, layer);
    if (error != std::errc() || stop == begin || stop == end || *stop != '.')
        return -1;
    return layer;
}

// The layers that get more bits in the _M mixes: the first and last eighth,
// and every third layer in between.
bool use_more_bits(int i_layer, int n_layers)
{
    return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

// A type whose block divides `row_length`, for a tensor whose rows the
// chosen type cannot cover. llama.cpp (llama_tensor_get_type) maps 256-wide
// K-quant and IQ types to a 32-wide type of similar size and uses F16 when
// even that does not fit.
GgmlType fallback_type(GgmlType chosen, uint64_t row_length)
{
    GgmlType type = GgmlType::F16;
    switch (chosen) {
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::IQ4_XS:
    case GgmlType::IQ2_XXS:
    case GgmlType::IQ2_XS:
    case GgmlType::IQ2_S:
    case GgmlType::IQ3_XXS:
    case GgmlType::IQ3_S:
    case GgmlType::IQ1_S:
    case GgmlType::IQ1_M: type = GgmlType::IQ4_NL; break;
    case GgmlType::Q4_K: type = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: type = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: type = GgmlType::Q8_0; break;
    case GgmlType::TQ1_0:
    case GgmlType::TQ2_0: type = GgmlType::Q4_0; break;
    // NOTE: llama.cpp stops with an error for a 32-wide type (Q4_0, Q8_0,
    // ...) on rows that are not a multiple of 32. F16 keeps such a model
    // usable and is the same last resort llama.cpp takes after a K-quant
    // fallback.
    default: break;
    }
    if (row_length % ggml_type_traits(type).block_size != 0)
        type = GgmlType::F16;
    return type;
}

// Counters that persist across tensors while one mix is applied.
struct MixState {
    bool has_output = false;      // false: token_embd is also the output projection
    int n_attention_wv = 0;       // attn_v-like tensors in the model
    int i_attention_wv = 0;       // attn_v tensors seen so far
    int i_ffn_down = 0;           // ffn_down tensors seen so far
};

// The mix rules for one quantizable tensor, before the row-length check.
GgmlType apply_mix_rules(FileType mix, GgmlType type, const MixModelShape& shape, const MixTensor& tensor,
                         MixState& state)
{
    const std::string_view name = tensor.name;
    const int n_gqa = shape.n_head > 0 && shape.n_head_kv > 0 ? shape.n_head / shape.n_head_kv : 1;
    // llama.cpp's LLM_TYPE_70B: 80 llama layers with grouped-query attention.
    const bool is_70b = shape.architecture == "llama" && shape.n_layer == 80 && shape.n_head != shape.n_head_kv;

    // The output projection, and a token embedding that doubles as one.
    if (name == "output.weight" || (!state.has_output && name == "token_embd.weight")) {
        if (tensor.row_length % ggml_type_traits(type).block_size != 0)
            return GgmlType::Q8_0;
        return type == GgmlType::Q8_0 ? type : GgmlType::Q6_K;
    }
    if (name == "token_embd.weight")
        return type;

    if (contains(name, "attn_v.weight")) {
        if (mix == kMostlyQ2_K)
            type = n_gqa >= 4 ? GgmlType::Q4_K : GgmlType::Q3_K;
        else if (mix == kMostlyQ3_K_M)
            type = state.i_attention_wv < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
        else if (mix == kMostlyQ3_K_L)
            type = GgmlType::Q5_K;
        else if ((mix == kMostlyIQ4_NL || mix == kMostlyIQ4_XS) && n_gqa >= 4)
            type = GgmlType::Q5_K;
        else if ((mix == kMostlyQ4_K_M || mix == kMostlyQ5_K_M) &&
                 use_more_bits(state.i_attention_wv, state.n_attention_wv))
            type = GgmlType::Q6_K;
        else if (mix == kMostlyQ4_K_S && state.i_attention_wv < 4)
            type = GgmlType::Q5_K;
        // In a 70B llama, 8 query heads share each V head, so attn_v is 8x
        // smaller than attn_q and more bits cost little.
        if (is_70b && (type == GgmlType::Q3_K || type == GgmlType::Q4_K))
            type = GgmlType::Q5_K;
        ++state.i_attention_wv;
        return type;
    }

    if (contains(name, "ffn_down")) {
        // Mixture-of-experts files store several ffn_down tensors per layer,
        // so the layer comes from the name there.
        const int i_layer = shape.n_expert > 1 ? layer_of(name) : state.i_ffn_down;
        const int n_layer = shape.n_layer;
        if (mix == kMostlyQ2_K)
            type = GgmlType::Q3_K;
        else if (mix == kMostlyQ3_K_M)
            type = i_layer < n_layer / 16 ? GgmlType::Q5_K : GgmlType::Q4_K;
        else if (mix == kMostlyQ3_K_L)
            type = GgmlType::Q5_K;
        else if (mix == kMostlyQ4_K_M && use_more_bits(i_layer, n_layer))
            type = GgmlType::Q6_K;
        else if ((mix == kMostlyIQ4_NL || mix == kMostlyIQ4_XS) && i_layer < n_layer / 8)
            type = GgmlType::Q5_K;
        else if (mix == kMostlyQ5_K_M && use_more_bits(i_layer, n_layer))
            type = GgmlType::Q6_K;
        else if (mix == kMostlyQ4_K_S && i_layer < n_layer / 8)
            type = GgmlType::Q5_K;
        ++state.i_ffn_down;
        return type;
    }

    if (contains(name, "attn_output.weight")) {
        if (mix == kMostlyQ2_K)
            type = GgmlType::Q3_K;
        else if (mix == kMostlyQ3_K_M)
            type = GgmlType::Q4_K;
        else if (mix == kMostlyQ3_K_L)
            type = GgmlType::Q5_K;
        return type;
    }

    // NOTE: this is llama.cpp's rule for fused QKV up to 2025. Later
    // versions treat attn_qkv like attn_v (Q6_K in the use_more_bits layers
    // of Q4_K_M); files of both kinds are in circulation.
    if (contains(name, "attn_qkv.weight")) {
        if (mix == kMostlyQ3_K_M || mix == kMostlyQ3_K_L)
            type = GgmlType::Q4_K;
        else if (mix == kMostlyQ4_K_M)
            type = GgmlType::Q5_K;
        else if (mix == kMostlyQ5_K_M)
            type = GgmlType::Q6_K;
    }
    return type;
}

} // namespace

std::optional<QuantMix> find_quant_mix(std::string_view name)
{
    // Mix names first: "Q6_K" means the Q6_K mix, not a pure Q6_K file.
    for (const MixEntry& entry : kMixes) {
        if (equal_ignoring_case(entry.name, name))
            return QuantMix{std::string(entry.name), entry.default_type, entry.file_type, false};
    }

    // Any other type the quantizer can write, applied to every matrix.
    const std::optional<GgmlType> type = ggml_type_from_name(name);
    if (!type || *type == GgmlType::Q8_K || !can_quantize(*type))
        return std::nullopt;
    return QuantMix{std::string(ggml_type_name(*type)), *type, pure_file_type(*type), true};
}

std::vector<std::string> quant_mix_names()
{
    std::vector<std::string> names;
    for (const MixEntry& entry : kMixes)
        names.emplace_back(entry.name);
    for (uint32_t id = 0; id < kTypeIdLimit; ++id) {
        const GgmlTypeTraits* traits = ggml_type_traits(id);
        if (!traits)
            continue;
        const std::optional<QuantMix> mix = find_quant_mix(traits->name);
        if (mix && mix->pure)
            names.push_back(mix->name);
    }
    return names;
}

std::optional<std::string_view> file_type_name(uint64_t file_type)
{
    for (const MixEntry& entry : kMixes) {
        if (entry.file_type == file_type)
            return entry.name;
    }
    return std::nullopt;
}

MixModelShape read_mix_model_shape(const GgufFile& file)
{
    MixModelShape shape;
    shape.architecture = file.get_string("general.architecture", "");

    // An integer key, or 0 when it is missing or stored per layer.
    const auto read_count = [&](const std::string& key) {
        const GgufValue* value = file.find(key);
        if (!value || !value->is_integer())
            return 0;
        return static_cast<int>(std::min<uint64_t>(value->as_uint(key), 1u << 20));
    };
    const std::string& arch = shape.architecture;
    shape.n_layer = read_count(arch + ".block_count");
    shape.n_head = read_count(arch + ".attention.head_count");
    shape.n_head_kv = read_count(arch + ".attention.head_count_kv");
    shape.n_expert = read_count(arch + ".expert_count");
    if (shape.n_head_kv == 0)
        shape.n_head_kv = shape.n_head;

    // Without a block count, the layers are those the tensor names mention.
    if (shape.n_layer == 0) {
        for (const GgufTensor& tensor : file.tensors())
            shape.n_layer = std::max(shape.n_layer, layer_of(tensor.name) + 1);
    }
    return shape;
}

bool is_quantizable_tensor(const MixTensor& tensor)
{
    const std::string_view name = tensor.name;
    if (tensor.n_dims < 2 || !ends_with(name, "weight"))
        return false;

    // Small or precision-critical matrices that llama-quantize copies as
    // they are: norms, expert routers, positional tables and a few
    // architecture-specific weights.
    static constexpr std::string_view kKeptParts[] = {
        "_norm.weight",     "ffn_gate_inp.weight", "altup",           "laurel",
        "per_layer_model_proj", "ssm_conv1d",      "shortconv.conv.weight", "attn_rel_b.weight",
        ".position_embd.",  "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
        "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
        "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
        "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight",
    };
    for (const std::string_view part : kKeptParts) {
        if (contains(name, part))
            return false;
    }
    return name != "position_embd.weight" && name != "token_types.weight";
}

std::vector<TensorTypeChoice> choose_tensor_types(const QuantMix& mix, const MixModelShape& shape,
                                                  const std::vector<MixTensor>& tensors)
{
    // Model-wide facts first.
    MixState state;
    for (const MixTensor& tensor : tensors) {
        const std::string_view name = tensor.name;
        if (name == "output.weight")
            state.has_output = true;
        if (contains(name, "attn_v.weight") || contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight"))
            ++state.n_attention_wv;
    }

    // Visit the tensors in llama.cpp's order, which the counters depend on.
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const int layer_a = layer_of(tensors[a].name);
        const int layer_b = layer_of(tensors[b].name);
        if (layer_a != layer_b)
            return layer_a < layer_b;
        return tensors[a].name < tensors[b].name;
    });

    // Mix rules apply only to quantized default types; F16, BF16 and F32
    // mixes convert every quantizable tensor alike.
    const bool use_rules = !mix.pure && !is_float_type(mix.default_type) && mix.file_type;
    std::vector<TensorTypeChoice> choices(tensors.size());
    for (const size_t index : order) {
        const MixTensor& tensor = tensors[index];
        TensorTypeChoice& choice = choices[index];
        choice.quantizable = is_quantizable_tensor(tensor);
        if (!choice.quantizable)
            continue;

        GgmlType type = mix.default_type;
        if (use_rules)
            type = apply_mix_rules(static_cast<FileType>(*mix.file_type), type, shape, tensor, state);

        // Rows the type's blocks cannot cover get a compatible type.
        if (tensor.row_length % ggml_type_traits(type).block_size != 0) {
            choice.fallback_from = type;
            type = fallback_type(type, tensor.row_length);
        }
        choice.type = type;
    }
    return choices;
}

} // namespace quanta
