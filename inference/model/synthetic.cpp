#include "model/synthetic.h"

#include "gguf/gguf_writer.h"
#include "quant/reference.h"

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

} // namespace

void write_synthetic_llama(const std::string& path, const SyntheticModelOptions& options,
                           const std::function<void(float)>& on_progress)
{
    const SyntheticModelOptions& o = options;
    if (o.n_vocab < 259 + 1 || o.n_embd <= 0 || o.n_layer <= 0 || o.n_head <= 0 || o.n_head_kv <= 0 ||
        o.n_ff <= 0 || o.n_embd % o.n_head != 0 || o.n_head % o.n_head_kv != 0) {
        throw std::invalid_argument("invalid synthetic model shape: need n_vocab > 259, n_embd divisible by "
                                    "n_head, and n_head divisible by n_head_kv");
    }
    const uint32_t block = ggml_type_traits(o.type).block_size;
    if (o.n_embd % block != 0 || o.n_ff % block != 0) {
        throw std::invalid_argument("type " + std::string(ggml_type_name(o.type)) + " stores rows in blocks of " +
                                    std::to_string(block) + " values, but n_embd " + std::to_string(o.n_embd) +
                                    " or n_ff " + std::to_string(o.n_ff) + " is not a multiple of it");
    }
    const int head_dim = o.n_embd / o.n_head;

    // Metadata, as llama.cpp's converter writes it for a llama model.
    GgufWriter writer;
    writer.add_string("general.architecture", "llama");
    writer.add_string("general.name", "synthetic-llama-" + std::string(ggml_type_name(o.type)));
    writer.add_uint32("llama.context_length", static_cast<uint32_t>(o.n_ctx));
    writer.add_uint32("llama.embedding_length", static_cast<uint32_t>(o.n_embd));
    writer.add_uint32("llama.block_count", static_cast<uint32_t>(o.n_layer));
    writer.add_uint32("llama.feed_forward_length", static_cast<uint32_t>(o.n_ff));
    writer.add_uint32("llama.attention.head_count", static_cast<uint32_t>(o.n_head));
    writer.add_uint32("llama.attention.head_count_kv", static_cast<uint32_t>(o.n_head_kv));
    writer.add_uint32("llama.rope.dimension_count", static_cast<uint32_t>(head_dim));
    writer.add_float32("llama.rope.freq_base", o.rope_freq_base);
    writer.add_float32("llama.attention.layer_norm_rms_epsilon", o.rms_eps);

    std::vector<float> scores;
    std::vector<int32_t> types;
    std::vector<std::string> tokens = synthetic_vocab(o.n_vocab, scores, types);
    writer.add_string("tokenizer.ggml.model", "llama");
    writer.add_string_array("tokenizer.ggml.tokens", std::move(tokens));
    writer.add_float32_array("tokenizer.ggml.scores", std::move(scores));
    writer.add_int32_array("tokenizer.ggml.token_type", std::move(types));
    writer.add_uint32("tokenizer.ggml.unknown_token_id", 0);
    writer.add_uint32("tokenizer.ggml.bos_token_id", 1);
    writer.add_uint32("tokenizer.ggml.eos_token_id", 2);

    // Tensors. Each weight gets its own seed so the data does not depend on
    // the order in which the writer requests it.
    uint64_t total_elements = 0;
    uint64_t written_elements = 0;
    uint64_t tensor_index = 0;
    auto add_matrix = [&](const std::string& name, int n_in, int n_out) {
        const uint64_t seed = o.seed * 1000003ull + tensor_index++;
        total_elements += static_cast<uint64_t>(n_in) * static_cast<uint64_t>(n_out);
        writer.add_tensor(name, o.type, {static_cast<uint64_t>(n_in), static_cast<uint64_t>(n_out)},
                          [=, &written_elements, &total_elements](uint8_t* dst, uint64_t n_bytes) {
                              SplitMix64 rng{seed};
                              const size_t row_bytes = n_bytes / static_cast<uint64_t>(n_out);
                              std::vector<float> row(static_cast<size_t>(n_in));
                              for (int r = 0; r < n_out; ++r) {
                                  for (float& value : row)
                                      value = rng.normal() * o.weight_std;
                                  quantize_row(o.type, row.data(), dst + static_cast<size_t>(r) * row_bytes, n_in);
                              }
                              written_elements += static_cast<uint64_t>(n_in) * static_cast<uint64_t>(n_out);
                              if (on_progress && total_elements > 0)
                                  on_progress(static_cast<float>(static_cast<double>(written_elements) /
                                                                 static_cast<double>(total_elements)));
                          });
    };
    auto add_norm = [&](const std::string& name) {
        std::vector<uint8_t> bytes(static_cast<size_t>(o.n_embd) * sizeof(float));
        const float one = 1.0f;
        for (int i = 0; i < o.n_embd; ++i)
            std::memcpy(bytes.data() + static_cast<size_t>(i) * sizeof(float), &one, sizeof(float));
        writer.add_tensor(name, GgmlType::F32, {static_cast<uint64_t>(o.n_embd)}, std::move(bytes));
    };

    add_matrix("token_embd.weight", o.n_embd, o.n_vocab);
    for (int layer = 0; layer < o.n_layer; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        add_norm(prefix + "attn_norm.weight");
        add_matrix(prefix + "attn_q.weight", o.n_embd, o.n_embd);
        add_matrix(prefix + "attn_k.weight", o.n_embd, o.n_head_kv * head_dim);
        add_matrix(prefix + "attn_v.weight", o.n_embd, o.n_head_kv * head_dim);
        add_matrix(prefix + "attn_output.weight", o.n_embd, o.n_embd);
        add_norm(prefix + "ffn_norm.weight");
        add_matrix(prefix + "ffn_gate.weight", o.n_embd, o.n_ff);
        add_matrix(prefix + "ffn_up.weight", o.n_embd, o.n_ff);
        add_matrix(prefix + "ffn_down.weight", o.n_ff, o.n_embd);
    }
    add_norm("output_norm.weight");
    if (!o.tied_embeddings)
        add_matrix("output.weight", o.n_embd, o.n_vocab);

    writer.write(path);
}

} // namespace quanta
