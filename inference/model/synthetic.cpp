#include "model/synthetic.h"

#include "gguf/gguf_writer.h"
#include "model/ops.h"
#include "quant/reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace quanta {

namespace {

// splitmix64: a small, fast generator whose stream depends only on the seed,
// so a synthetic file is the same on every machine.
struct SplitMix64 {
    uint64_t state;

    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform in (0, 1].
    double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }

    // Standard normal by the Box-Muller transform.
    float normal()
    {
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        return static_cast<float>(radius * std::cos(2.0 * M_PI * uniform()));
    }
};

std::vector<std::string> synthetic_vocab(int n_vocab, std::vector<float>& scores, std::vector<int32_t>& types)
{
    std::vector<std::string> tokens;
    tokens.reserve(static_cast<size_t>(n_vocab));
    auto add = [&](std::string text, float score, int32_t type) {
        tokens.push_back(std::move(text));
        scores.push_back(score);
        types.push_back(type);
    };

    // Special and byte tokens laid out as in Llama 2's vocabulary.
    add("<unk>", 0.0f, 2);
    add("<s>", 0.0f, 3);
    add("</s>", 0.0f, 3);
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof(name), "<0x%02X>", byte);
        add(name, 0.0f, 6);
    }

    // Normal pieces: "▁", printable ASCII, then letter strings with and
    // without the word-start marker, ranked by decreasing score.
    const std::string marker = "\xE2\x96\x81";
    std::vector<std::string> pieces = {marker};
    for (char c = 33; c < 127; ++c)
        pieces.emplace_back(1, c);
    for (int length = 1; length <= 3 && static_cast<int>(pieces.size()) + 259 < n_vocab; ++length) {
        int combinations = 1;
        for (int i = 0; i < length; ++i)
            combinations *= 26;
        for (int index = 0; index < combinations; ++index) {
            std::string word;
            for (int i = 0, rest = index; i < length; ++i, rest /= 26)
                word.insert(word.begin(), static_cast<char>('a' + rest % 26));
            pieces.push_back(marker + word);
            if (length > 1)
                pieces.push_back(word);
        }
    }
    for (size_t rank = 0; static_cast<int>(tokens.size()) < n_vocab; ++rank) {
        if (rank < pieces.size())
            add(pieces[rank], -static_cast<float>(rank), 1);
        else
            add("<unused" + std::to_string(rank) + ">", -static_cast<float>(rank), 5);
    }
    return tokens;
}

// The architectures a synthetic file can have, and their usual values where
// SyntheticModelOptions leaves a setting at 0.
constexpr const char* kArchitectures[] = {"llama", "qwen2", "gemma2", "gemma3", "phi3"};
constexpr int kGemma2Window = 4096;
constexpr int kGemma3Window = 1024;
constexpr float kGemma2AttnSoftcap = 50.0f;
constexpr float kGemma2FinalSoftcap = 30.0f;
// Vector tensors draw from their own seed stream, so adding one leaves the
// weight matrices of the other tensors unchanged.
constexpr uint64_t kVectorSeedOffset = 500000;

// The shape after defaults: head size, RoPE dimensions and the Q/K/V widths.
struct Shape {
    int head_dim = 0;
    int n_rot = 0;
    int n_embd_q = 0;
    int n_embd_kv = 0;
};

bool is_gemma(const std::string& architecture)
{
    return architecture == "gemma2" || architecture == "gemma3";
}

Shape check_options(const SyntheticModelOptions& o)
{
    const auto known = std::find(std::begin(kArchitectures), std::end(kArchitectures), o.architecture);
    if (known == std::end(kArchitectures)) {
        throw std::invalid_argument("unknown synthetic architecture '" + o.architecture +
                                    "' (expected llama, qwen2, gemma2, gemma3 or phi3)");
    }
    if (o.n_vocab < 259 + 1 || o.n_embd <= 0 || o.n_layer <= 0 || o.n_head <= 0 || o.n_head_kv <= 0 ||
        o.n_ff <= 0 || o.head_dim < 0 || (o.head_dim == 0 && o.n_embd % o.n_head != 0) ||
        o.n_head % o.n_head_kv != 0) {
        throw std::invalid_argument("invalid synthetic model shape: need n_vocab > 259, n_embd divisible by "
                                    "n_head (or an explicit head_dim), and n_head divisible by n_head_kv");
    }

    Shape shape;
    shape.head_dim = o.head_dim > 0 ? o.head_dim : o.n_embd / o.n_head;
    shape.n_rot = o.n_rot > 0 ? o.n_rot : shape.head_dim;
    shape.n_embd_q = o.n_head * shape.head_dim;
    shape.n_embd_kv = o.n_head_kv * shape.head_dim;
    if (shape.n_rot % 2 != 0 || shape.n_rot > shape.head_dim)
        throw std::invalid_argument("n_rot " + std::to_string(shape.n_rot) +
                                    " must be even and no larger than the head size " +
                                    std::to_string(shape.head_dim));

    const uint32_t block = ggml_type_traits(o.type).block_size;
    if (o.n_embd % block != 0 || o.n_ff % block != 0 || shape.n_embd_q % block != 0) {
        throw std::invalid_argument("type " + std::string(ggml_type_name(o.type)) + " stores rows in blocks of " +
                                    std::to_string(block) + " values, but n_embd " + std::to_string(o.n_embd) +
                                    ", n_ff " + std::to_string(o.n_ff) + " or n_head * head_dim " +
                                    std::to_string(shape.n_embd_q) + " is not a multiple of it");
    }

    const bool llama3 = o.rope_scaling == "llama3";
    if (!o.rope_scaling.empty() && o.rope_scaling != "linear" && !llama3)
        throw std::invalid_argument("rope_scaling must be empty, \"linear\" or \"llama3\"");
    if ((llama3 || o.rope_freqs_tensor) && o.architecture != "llama")
        throw std::invalid_argument("llama3 RoPE scaling is a llama feature");
    if (o.rope_freqs_tensor && !llama3)
        throw std::invalid_argument("rope_freqs_tensor needs rope_scaling \"llama3\"");
    if (o.longrope && o.architecture != "phi3")
        throw std::invalid_argument("LongRoPE factors are a phi3 feature");
    if ((llama3 || o.longrope) && (o.rope_original_context <= 0 || o.rope_original_context > o.n_ctx))
        throw std::invalid_argument("llama3 and LongRoPE scaling need rope_original_context from 1 to n_ctx");
    return shape;
}

// Metadata, as llama.cpp's converter writes it for the architecture.
void write_metadata(GgufWriter& writer, const SyntheticModelOptions& o, const Shape& shape)
{
    const std::string& arch = o.architecture;
    const std::string key = arch + ".";
    writer.add_string("general.architecture", arch);
    writer.add_string("general.name", "synthetic-" + arch + "-" + std::string(ggml_type_name(o.type)));
    writer.add_uint32(key + "context_length", static_cast<uint32_t>(o.n_ctx));
    writer.add_uint32(key + "embedding_length", static_cast<uint32_t>(o.n_embd));
    writer.add_uint32(key + "block_count", static_cast<uint32_t>(o.n_layer));
    writer.add_uint32(key + "feed_forward_length", static_cast<uint32_t>(o.n_ff));
    writer.add_uint32(key + "attention.head_count", static_cast<uint32_t>(o.n_head));
    writer.add_uint32(key + "attention.head_count_kv", static_cast<uint32_t>(o.n_head_kv));
    // Gemma's converters always write the head size.
    if (o.head_dim > 0 || is_gemma(arch)) {
        writer.add_uint32(key + "attention.key_length", static_cast<uint32_t>(shape.head_dim));
        writer.add_uint32(key + "attention.value_length", static_cast<uint32_t>(shape.head_dim));
    }
    if (arch == "llama" || arch == "phi3" || shape.n_rot != shape.head_dim)
        writer.add_uint32(key + "rope.dimension_count", static_cast<uint32_t>(shape.n_rot));
    // Gemma 2 files leave RoPE's base at its default of 10000.
    if (arch != "gemma2")
        writer.add_float32(key + "rope.freq_base", o.rope_freq_base);
    writer.add_float32(key + "attention.layer_norm_rms_epsilon", o.rms_eps);

    // Architecture-specific keys.
    if (arch == "gemma2") {
        writer.add_float32(key + "attn_logit_softcapping", o.attn_softcap > 0 ? o.attn_softcap : kGemma2AttnSoftcap);
        writer.add_float32(key + "final_logit_softcapping",
                           o.final_softcap > 0 ? o.final_softcap : kGemma2FinalSoftcap);
        writer.add_uint32(key + "attention.sliding_window",
                          static_cast<uint32_t>(o.sliding_window > 0 ? o.sliding_window : kGemma2Window));
    } else if (arch == "gemma3") {
        writer.add_uint32(key + "attention.sliding_window",
                          static_cast<uint32_t>(o.sliding_window > 0 ? o.sliding_window : kGemma3Window));
    } else if (arch == "phi3") {
        writer.add_uint32(key + "attention.sliding_window", static_cast<uint32_t>(o.sliding_window));
        const int original = o.rope_original_context > 0 ? o.rope_original_context : o.n_ctx;
        writer.add_uint32(key + "rope.scaling.original_context_length", static_cast<uint32_t>(original));
    }

    // RoPE scaling.
    if (o.rope_scaling == "linear") {
        writer.add_string(key + "rope.scaling.type", "linear");
        writer.add_float32(key + "rope.scaling.factor", o.rope_scaling_factor);
    } else if (o.rope_scaling == "llama3") {
        const Llama3RopeScaling defaults;
        writer.add_string(key + "rope.scaling.type", "llama3");
        writer.add_float32(key + "rope.scaling.factor", o.rope_scaling_factor);
        writer.add_float32(key + "rope.scaling.low_freq_factor", defaults.low_freq_factor);
        writer.add_float32(key + "rope.scaling.high_freq_factor", defaults.high_freq_factor);
        writer.add_uint32(key + "rope.scaling.original_context_length", static_cast<uint32_t>(o.rope_original_context));
    }
    if (o.longrope) {
        // The converter's attention factor for a context `scale` times the original.
        const double scale = static_cast<double>(o.n_ctx) / o.rope_original_context;
        const double attn_factor =
            scale > 1.0 ? std::sqrt(1.0 + std::log(scale) / std::log(static_cast<double>(o.rope_original_context)))
                        : 1.0;
        writer.add_float32(key + "rope.scaling.attn_factor", static_cast<float>(attn_factor));
    }
}

void write_vocabulary(GgufWriter& writer, int n_vocab)
{
    std::vector<float> scores;
    std::vector<int32_t> types;
    std::vector<std::string> tokens = synthetic_vocab(n_vocab, scores, types);
    writer.add_string("tokenizer.ggml.model", "llama");
    writer.add_string_array("tokenizer.ggml.tokens", std::move(tokens));
    writer.add_float32_array("tokenizer.ggml.scores", std::move(scores));
    writer.add_int32_array("tokenizer.ggml.token_type", std::move(types));
    writer.add_uint32("tokenizer.ggml.unknown_token_id", 0);
    writer.add_uint32("tokenizer.ggml.bos_token_id", 1);
    writer.add_uint32("tokenizer.ggml.eos_token_id", 2);
}

// Adds random tensors to a writer. Each tensor gets its own seed, so the
// data does not depend on the order in which the writer requests it.
class RandomTensors {
public:
    RandomTensors(GgufWriter& writer, const SyntheticModelOptions& options,
                  const std::function<void(float)>& on_progress)
        : writer_(writer)
        , o_(options)
        , on_progress_(on_progress)
    {
    }

    // A weight matrix of type o.type with N(0, weight_std) entries.
    void matrix(const std::string& name, int n_in, int n_out)
    {
        const uint64_t seed = o_.seed * 1000003ull + matrix_index_++;
        total_elements_ += static_cast<uint64_t>(n_in) * static_cast<uint64_t>(n_out);
        writer_.add_tensor(name, o_.type, {static_cast<uint64_t>(n_in), static_cast<uint64_t>(n_out)},
                           [this, seed, n_in, n_out](uint8_t* dst, uint64_t n_bytes) {
                               SplitMix64 rng{seed};
                               const size_t row_bytes = n_bytes / static_cast<uint64_t>(n_out);
                               std::vector<float> row(static_cast<size_t>(n_in));
                               for (int r = 0; r < n_out; ++r) {
                                   for (float& value : row)
                                       value = rng.normal() * o_.weight_std;
                                   quantize_row(o_.type, row.data(), dst + static_cast<size_t>(r) * row_bytes, n_in);
                               }
                               report(static_cast<uint64_t>(n_in) * static_cast<uint64_t>(n_out));
                           });
    }

    // An F32 vector with entries mean + std * N(0, 1).
    void vector(const std::string& name, int n, float mean, float std)
    {
        SplitMix64 rng{o_.seed * 1000003ull + kVectorSeedOffset + vector_index_++};
        std::vector<float> values(static_cast<size_t>(n));
        for (float& value : values)
            value = std == 0.0f ? mean : mean + std * rng.normal();
        add_vector(name, values);
    }

    // An F32 vector with entries uniform in (low, high].
    void uniform_vector(const std::string& name, int n, float low, float high)
    {
        SplitMix64 rng{o_.seed * 1000003ull + kVectorSeedOffset + vector_index_++};
        std::vector<float> values(static_cast<size_t>(n));
        for (float& value : values)
            value = low + (high - low) * static_cast<float>(rng.uniform());
        add_vector(name, values);
    }

    void add_vector(const std::string& name, const std::vector<float>& values)
    {
        std::vector<uint8_t> bytes(values.size() * sizeof(float));
        std::memcpy(bytes.data(), values.data(), bytes.size());
        writer_.add_tensor(name, GgmlType::F32, {static_cast<uint64_t>(values.size())}, std::move(bytes));
    }

private:
    void report(uint64_t elements)
    {
        written_elements_ += elements;
        if (on_progress_ && total_elements_ > 0)
            on_progress_(static_cast<float>(static_cast<double>(written_elements_) /
                                            static_cast<double>(total_elements_)));
    }

    GgufWriter& writer_;
    const SyntheticModelOptions& o_;
    const std::function<void(float)>& on_progress_;
    uint64_t matrix_index_ = 0;
    uint64_t vector_index_ = 0;
    uint64_t total_elements_ = 0;
    uint64_t written_elements_ = 0;
};

} // namespace

std::vector<std::string> synthetic_architectures()
{
    return {std::begin(kArchitectures), std::end(kArchitectures)};
}

void write_synthetic_model(const std::string& path, const SyntheticModelOptions& options,
                           const std::function<void(float)>& on_progress)
{
    const SyntheticModelOptions& o = options;
    const Shape shape = check_options(o);
    const std::string& arch = o.architecture;

    GgufWriter writer;
    write_metadata(writer, o, shape);
    write_vocabulary(writer, o.n_vocab);

    // Tensors, with the names and shapes llama.cpp loads for the architecture.
    RandomTensors tensors(writer, o, on_progress);
    // Biases as large as the projections' outputs, so they matter.
    const float bias_std = o.weight_std * std::sqrt(static_cast<float>(o.n_embd));
    tensors.matrix("token_embd.weight", o.n_embd, o.n_vocab);
    for (int layer = 0; layer < o.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";

        // Attention.
        tensors.vector(prefix + "attn_norm.weight", o.n_embd, 1.0f, o.norm_std);
        if (arch == "phi3") {
            tensors.matrix(prefix + "attn_qkv.weight", o.n_embd, shape.n_embd_q + 2 * shape.n_embd_kv);
        } else {
            tensors.matrix(prefix + "attn_q.weight", o.n_embd, shape.n_embd_q);
            tensors.matrix(prefix + "attn_k.weight", o.n_embd, shape.n_embd_kv);
            tensors.matrix(prefix + "attn_v.weight", o.n_embd, shape.n_embd_kv);
        }
        if (arch == "qwen2") {
            tensors.vector(prefix + "attn_q.bias", shape.n_embd_q, 0.0f, bias_std);
            tensors.vector(prefix + "attn_k.bias", shape.n_embd_kv, 0.0f, bias_std);
            tensors.vector(prefix + "attn_v.bias", shape.n_embd_kv, 0.0f, bias_std);
        }
        if (arch == "gemma3") {
            tensors.vector(prefix + "attn_q_norm.weight", shape.head_dim, 1.0f, o.norm_std);
            tensors.vector(prefix + "attn_k_norm.weight", shape.head_dim, 1.0f, o.norm_std);
        }
        tensors.matrix(prefix + "attn_output.weight", shape.n_embd_q, o.n_embd);
        if (is_gemma(arch))
            tensors.vector(prefix + "post_attention_norm.weight", o.n_embd, 1.0f, o.norm_std);

        // Feed-forward.
        tensors.vector(prefix + "ffn_norm.weight", o.n_embd, 1.0f, o.norm_std);
        if (arch == "phi3") {
            tensors.matrix(prefix + "ffn_up.weight", o.n_embd, 2 * o.n_ff);
        } else {
            tensors.matrix(prefix + "ffn_gate.weight", o.n_embd, o.n_ff);
            tensors.matrix(prefix + "ffn_up.weight", o.n_embd, o.n_ff);
        }
        tensors.matrix(prefix + "ffn_down.weight", o.n_ff, o.n_embd);
        if (is_gemma(arch))
            tensors.vector(prefix + "post_ffw_norm.weight", o.n_embd, 1.0f, o.norm_std);
    }
    tensors.vector("output_norm.weight", o.n_embd, 1.0f, o.norm_std);
    if (!o.tied_embeddings)
        tensors.matrix("output.weight", o.n_embd, o.n_vocab);

    // RoPE scaling tensors.
    if (o.rope_freqs_tensor) {
        Llama3RopeScaling scaling;
        scaling.factor = o.rope_scaling_factor;
        scaling.original_context = o.rope_original_context;
        tensors.add_vector("rope_freqs.weight", llama3_rope_divisors(o.rope_freq_base, shape.n_rot, scaling));
    }
    if (o.longrope) {
        tensors.uniform_vector("rope_factors_long.weight", shape.n_rot / 2, 1.0f, 8.0f);
        tensors.uniform_vector("rope_factors_short.weight", shape.n_rot / 2, 1.0f, 1.5f);
    }

    writer.write(path);
}

} // namespace quanta
