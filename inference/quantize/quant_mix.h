// Quantization mixes ("Q4_K_M", "Q6_K", ...) and the rule that picks each
// tensor's type in a mix.
//
// A mix names a default type for the weight matrices plus upgrades for the
// tensors that hurt most when quantized coarsely: the output projection, and
// attn_v and ffn_down in some layers. The names, their general.file_type
// numbers (llama.h's LLAMA_FTYPE_MOSTLY_*) and the upgrade rules follow
// llama.cpp's llama-quant.cpp (llama_tensor_get_type), so a file quantized
// here has the same tensor types as one made by llama-quantize without an
// importance matrix.
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class GgufFile;

struct QuantMix {
    std::string name;               // "Q4_K_M", or a plain type name such as "Q4_K"
    GgmlType default_type;          // type of the weight matrices without an upgrade
    // Value written to general.file_type (LLAMA_FTYPE_*); nullopt for a pure
    // type that no llama.cpp file type describes, whose file then has no key.
    std::optional<uint32_t> file_type;
    // Every quantizable tensor gets default_type (apart from row-length
    // fallbacks), as llama-quantize --pure does.
    bool pure = false;
};

// Finds a mix by name, ignoring case. Mix names come first, so "Q4_0" is the
// Q4_0 mix, whose output.weight is Q6_K. A tensor type name that is not a
// mix name, and that quantize_row() can write ("Q4_K", "Q5_K", ...), gives
// a pure mix.
// Returns nullopt for anything else, including Q8_K, which ggml uses only for
// intermediate dot products and no model file stores.
std::optional<QuantMix> find_quant_mix(std::string_view name);

// Names find_quant_mix() accepts, mixes first, for help text and tests. A mix
// whose types this build cannot quantize yet is still listed.
std::vector<std::string> quant_mix_names();

// Name of a general.file_type value ("Q4_K_M"), or nullopt when unknown.
std::optional<std::string_view> file_type_name(uint64_t file_type);

// The model facts the mix rules depend on.
struct MixModelShape {
    std::string architecture;   // general.architecture
    int n_layer = 0;            // {arch}.block_count
    int n_head = 0;             // {arch}.attention.head_count, 0 when unknown
    int n_head_kv = 0;          // {arch}.attention.head_count_kv, 0 when unknown
    int n_expert = 0;           // {arch}.expert_count, 0 for a dense model
};

// Reads MixModelShape from a file's metadata. A missing block count is taken
// from the highest "blk.N." tensor name; missing or per-layer head counts
// leave the fields 0.
MixModelShape read_mix_model_shape(const GgufFile& file);

// The tensor facts the mix rules depend on.
struct MixTensor {
    std::string name;
    uint32_t n_dims = 0;
    uint64_t row_length = 0;    // ne[0], elements per row
};

struct TensorTypeChoice {
    bool quantizable = false;       // false: the tensor keeps its type and bytes
    GgmlType type = GgmlType::F32;  // type to store when quantizable
    // The type the rules chose when its block does not divide the row
    // length, so `type` is a fallback; nullopt otherwise.
    std::optional<GgmlType> fallback_from;
};

// True when the mix may change `tensor`'s type: a matrix named "*weight"
// that is not a norm, an expert router, a positional embedding or one of
// the other small tensors llama-quantize leaves alone.
bool is_quantizable_tensor(const MixTensor& tensor);

// Picks the type of every tensor, in the order given. The counters behind
// "the first layers" and "every third layer" run over the tensors sorted by
// layer number and then by name, as llama.cpp's loader orders them.
// NOTE: llama.cpp's extra rules for 8-expert models and for Falcon are left
// out because the engine runs neither.
std::vector<TensorTypeChoice> choose_tensor_types(const QuantMix& mix, const MixModelShape& shape,
                                                  const std::vector<MixTensor>& tensors);

} // namespace quanta
