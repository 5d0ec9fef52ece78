#include "model/hparams.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"

#include <cmath>
#include <limits>

namespace quanta {

namespace {

// Upper bounds that no real model comes near; they keep hostile metadata
// from turning into huge allocations.
constexpr uint64_t kMaxDimension = 1u << 20;
constexpr uint64_t kMaxLayers = 4096;
constexpr uint64_t kMaxContext = 1u << 24;

int read_count(const GgufFile& file, const std::string& key, uint64_t max_value)
{
    const uint64_t value = file.get_uint(key);
    if (value == 0 || value > max_value) {
        throw FormatError(file.path() + ": metadata '" + key + "' is " + std::to_string(value) +
                          ", expected a value from 1 to " + std::to_string(max_value));
    }
    return static_cast<int>(value);
}

int read_count(const GgufFile& file, const std::string& key, uint64_t max_value, int fallback)
{
    if (!file.contains(key))
        return fallback;
    return read_count(file, key, max_value);
}

void require_key(const GgufFile& file, const std::string& key, const std::string& scaling_type)
{
    if (!file.contains(key)) {
        throw FormatError(file.path() + ": metadata '" + key + "' is missing, but RoPE scaling type '" +
                          scaling_type + "' needs it");
    }
}

// Reads {arch}.rope.scaling.*. A missing type reads as "linear", as in
// llama.cpp, so a bare factor still scales positions.
void read_rope_scaling(const GgufFile& file, Hyperparams& hp)
{
    const std::string& arch = hp.architecture;
    const std::string prefix = arch + ".rope.scaling.";
    const std::string type = file.get_string(prefix + "type", "linear");

    // Older files store the inverse of the factor as rope.scale_linear.
    double factor = file.get_float(prefix + "factor", 0.0);
    if (factor == 0.0)
        factor = 1.0 / file.get_float(arch + ".rope.scale_linear", 1.0);
    if (!(factor > 0.0) || !std::isfinite(factor) || factor > std::numeric_limits<float>::max()) {
        throw FormatError(file.path() + ": metadata '" + prefix + "factor' is " + std::to_string(factor) +
                          ", expected a positive number");
    }
    hp.n_ctx_orig = read_count(file, prefix + "original_context_length", kMaxContext, hp.n_ctx_train);
    hp.rope_attn_factor = read_positive_float(file, prefix + "attn_factor", 1.0);

    if (type == "none") {
        hp.rope_scaling = RopeScalingType::None;
    } else if (type == "linear") {
        hp.rope_scaling = factor == 1.0 ? RopeScalingType::None : RopeScalingType::Linear;
        hp.rope_scaling_factor = static_cast<float>(factor);
        hp.rope_freq_scale = static_cast<float>(1.0 / factor);
    } else if (type == "llama3") {
        // llama.cpp's converter bakes these factors into a rope_freqs tensor;
        // other writers store the parameters of Meta's formula instead.
        require_key(file, prefix + "factor", type);
        require_key(file, prefix + "original_context_length", type);
        hp.rope_scaling = RopeScalingType::Llama3;
        hp.rope_scaling_factor = static_cast<float>(factor);
        hp.rope_low_freq_factor = read_positive_float(file, prefix + "low_freq_factor", 1.0);
        hp.rope_high_freq_factor = read_positive_float(file, prefix + "high_freq_factor", 4.0);
        if (hp.rope_high_freq_factor <= hp.rope_low_freq_factor) {
            throw FormatError(file.path() + ": metadata '" + prefix + "high_freq_factor' (" +
                              std::to_string(hp.rope_high_freq_factor) + ") must be larger than '" + prefix +
                              "low_freq_factor' (" + std::to_string(hp.rope_low_freq_factor) + ")");
        }
    } else if (type == "longrope") {
        hp.rope_scaling = RopeScalingType::LongRope;
    } else {
        // NOTE: YaRN is the one type llama.cpp runs that is missing here.
        throw UnsupportedError(file.path() + ": RoPE scaling type '" + type + "' (metadata '" + prefix +
                               "type') is not supported (supported: none, linear, llama3, longrope)");
    }
}

} // namespace

float read_positive_float(const GgufFile& file, const std::string& key, double fallback)
{
    if (!file.contains(key))
        return static_cast<float>(fallback);
    const double value = file.get_float(key);
    if (!(value > 0.0) || !std::isfinite(value) || value > std::numeric_limits<float>::max()) {
        throw FormatError(file.path() + ": metadata '" + key + "' is " + std::to_string(value) +
                          ", expected a positive number");
    }
    return static_cast<float>(value);
}

const char* rope_scaling_name(RopeScalingType type)
{
    switch (type) {
    case RopeScalingType::None: return "none";
    case RopeScalingType::Linear: return "linear";
    case RopeScalingType::Llama3: return "llama3";
    case RopeScalingType::LongRope: return "longrope";
    }
    return "?";
}

Hyperparams read_hyperparams(const GgufFile& file)
{
    Hyperparams hp;
    hp.architecture = file.get_string("general.architecture");
    const std::string& arch = hp.architecture;

    hp.n_ctx_train = read_count(file, arch + ".context_length", kMaxContext);
    hp.n_embd = read_count(file, arch + ".embedding_length", kMaxDimension);
    hp.n_layer = read_count(file, arch + ".block_count", kMaxLayers);
    hp.n_ff = read_count(file, arch + ".feed_forward_length", kMaxDimension);
    hp.n_head = read_count(file, arch + ".attention.head_count", kMaxDimension);
    hp.n_head_kv = read_count(file, arch + ".attention.head_count_kv", kMaxDimension, hp.n_head);

    if (hp.n_head % hp.n_head_kv != 0) {
        throw FormatError(file.path() + ": metadata '" + arch + ".attention.head_count' (" +
                          std::to_string(hp.n_head) + ") is not a multiple of '" + arch +
                          ".attention.head_count_kv' (" + std::to_string(hp.n_head_kv) + ")");
    }
    if (!file.contains(arch + ".attention.key_length") && hp.n_embd % hp.n_head != 0) {
        throw FormatError(file.path() + ": metadata '" + arch + ".embedding_length' (" + std::to_string(hp.n_embd) +
                          ") is not a multiple of the head count (" + std::to_string(hp.n_head) + ")");
    }
    hp.head_dim = read_count(file, arch + ".attention.key_length", kMaxDimension, hp.n_embd / hp.n_head);
    // The query width bounds the key width (n_head_kv divides n_head), and
    // keeping it in range keeps n_embd_q() and its products with the context
    // from overflowing.
    const uint64_t query_width = static_cast<uint64_t>(hp.n_head) * static_cast<uint64_t>(hp.head_dim);
    if (query_width > kMaxDimension) {
        throw FormatError(file.path() + ": metadata '" + arch + ".attention.head_count' (" +
                          std::to_string(hp.n_head) + ") times the head size (" + std::to_string(hp.head_dim) +
                          ") is " + std::to_string(query_width) + ", expected at most " +
                          std::to_string(kMaxDimension));
    }
    const int value_length = read_count(file, arch + ".attention.value_length", kMaxDimension, hp.head_dim);
    if (value_length != hp.head_dim) {
        throw UnsupportedError(file.path() + ": metadata '" + arch + ".attention.value_length' (" +
                               std::to_string(value_length) + ") differs from key_length (" +
                               std::to_string(hp.head_dim) + "), which no graph supports yet");
    }

    hp.n_rot = read_count(file, arch + ".rope.dimension_count", kMaxDimension, hp.head_dim);
    if (hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0) {
        throw FormatError(file.path() + ": metadata '" + arch + ".rope.dimension_count' is " +
                          std::to_string(hp.n_rot) + ", expected an even number no larger than the head size " +
                          std::to_string(hp.head_dim));
    }

    hp.rope_freq_base = static_cast<float>(file.get_float(arch + ".rope.freq_base", 10000.0));
    if (!(hp.rope_freq_base > 0.0f) || !std::isfinite(hp.rope_freq_base)) {
        throw FormatError(file.path() + ": metadata '" + arch + ".rope.freq_base' is " +
                          std::to_string(hp.rope_freq_base) + ", expected a positive number");
    }

    read_rope_scaling(file, hp);

    hp.rms_eps = static_cast<float>(file.get_float(arch + ".attention.layer_norm_rms_epsilon", 1e-5));
    if (!(hp.rms_eps > 0.0f) || !std::isfinite(hp.rms_eps)) {
        throw FormatError(file.path() + ": metadata '" + arch + ".attention.layer_norm_rms_epsilon' is " +
                          std::to_string(hp.rms_eps) + ", expected a small positive number");
    }

    return hp;
}

} // namespace quanta
