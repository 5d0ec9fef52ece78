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

} // namespace

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
    const int value_length = read_count(file, arch + ".attention.value_length", kMaxDimension, hp.head_dim);
    if (value_length != hp.head_dim) {
        throw UnsupportedError(file.path() + ": metadata '" + arch + ".attention.value_length' (" +
                               std::to_string(value_length) + ") differs from key_length (" +
                               std::to_string(hp.head_dim) + "), which the llama graph does not support");
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

    // Linear RoPE scaling stretches positions by 1/factor.
    const std::string scaling_type = file.get_string(arch + ".rope.scaling.type", "none");
    double factor = file.get_float(arch + ".rope.scaling.factor", 0.0);
    if (factor == 0.0)
        factor = 1.0 / file.get_float(arch + ".rope.scale_linear", 1.0);
    if (scaling_type == "linear" || (scaling_type == "none" && factor != 1.0)) {
        if (!(factor > 0.0) || !std::isfinite(factor)) {
            throw FormatError(file.path() + ": metadata '" + arch + ".rope.scaling.factor' is " +
                              std::to_string(factor) + ", expected a positive number");
        }
        hp.rope_freq_scale = static_cast<float>(1.0 / factor);
    } else if (scaling_type != "none" && scaling_type != "linear") {
        // NOTE: YaRN and the other non-linear schemes are not implemented;
        // the model runs with unscaled RoPE, which is exact up to the
        // original context length.
        throw UnsupportedError(file.path() + ": RoPE scaling type '" + scaling_type +
                               "' is not supported (supported: none, linear)");
    }

    hp.rms_eps = static_cast<float>(file.get_float(arch + ".attention.layer_norm_rms_epsilon", 1e-5));
    if (!(hp.rms_eps > 0.0f) || !std::isfinite(hp.rms_eps)) {
        throw FormatError(file.path() + ": metadata '" + arch + ".attention.layer_norm_rms_epsilon' is " +
                          std::to_string(hp.rms_eps) + ", expected a small positive number");
    }

    return hp;
}

} // namespace quanta
