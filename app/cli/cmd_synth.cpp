// quanta-cli synth: write a random-weight model for benchmarks and tests.
#include "commands.h"
#include "options.h"

#include "model/synthetic.h"

#include <algorithm>
#include <cstdio>

namespace quanta::cli {

namespace {

const char* const kSynthUsage =
    "usage: quanta-cli synth -o FILE --type TYPE [--arch NAME] [shape options]\n"
    "  -o, --output FILE   GGUF file to write\n"
    "  --arch NAME         architecture: llama, qwen2, gemma2, gemma3 or phi3 (default llama)\n"
    "  --type TYPE         type of the weight matrices: F32, F16, BF16, Q8_0, Q4_0, Q4_1,\n"
    "                      Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL or IQ4_XS\n"
    "                      (default F16)\n"
    "  --n-embd N          embedding size (default 2048)\n"
    "  --n-layer N         transformer blocks (default 16)\n"
    "  --n-head N          attention heads (default 32)\n"
    "  --n-head-kv N       key/value heads (default 8)\n"
    "  --n-ff N            feed-forward size (default 5632)\n"
    "  --n-vocab N         vocabulary size (default 32000)\n"
    "  --n-ctx N           training context written to the metadata (default 4096)\n"
    "  --tied              share the token embedding with the output projection\n"
    "  --seed N            seed of the weights (default 1)\n"
    "The defaults give a 0.85 B-parameter llama with TinyLlama 1.1B's layer shape and 16 layers.\n";

} // namespace

int cmd_synth(const Args& args)
{
    try {
        const Options options(args,
                              {"-o", "--output", "--arch", "--type", "--n-embd", "--n-layer", "--n-head", "--n-head-kv",
                               "--n-ff", "--n-vocab", "--n-ctx", "--seed"},
                              {"--tied", "--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::fputs(kSynthUsage, stdout);
            return kExitOk;
        }
        const std::string output = options.value("-o").value_or(options.string("--output", ""));
        if (output.empty())
            throw UsageError("missing required option -o FILE");

        SyntheticModelOptions synth;
        synth.architecture = options.string("--arch", synth.architecture);
        const std::vector<std::string> architectures = synthetic_architectures();
        if (std::find(architectures.begin(), architectures.end(), synth.architecture) == architectures.end())
            throw UsageError("unsupported --arch '" + synth.architecture + "'");
        const std::string type_name = options.string("--type", "F16");
        const auto type = ggml_type_from_name(type_name);
        if (!type || !ggml_type_traits(*type).cpu_supported)
            throw UsageError("unsupported --type '" + type_name + "'");
        synth.type = *type;
        synth.n_embd = static_cast<int>(options.integer("--n-embd", synth.n_embd, 1, 1 << 16));
        synth.n_layer = static_cast<int>(options.integer("--n-layer", synth.n_layer, 1, 1024));
        synth.n_head = static_cast<int>(options.integer("--n-head", synth.n_head, 1, 1024));
        synth.n_head_kv = static_cast<int>(options.integer("--n-head-kv", synth.n_head_kv, 1, 1024));
        synth.n_ff = static_cast<int>(options.integer("--n-ff", synth.n_ff, 1, 1 << 18));
        synth.n_vocab = static_cast<int>(options.integer("--n-vocab", synth.n_vocab, 260, 1 << 20));
        synth.n_ctx = static_cast<int>(options.integer("--n-ctx", synth.n_ctx, 1, 1 << 24));
        synth.tied_embeddings = options.has("--tied");
        synth.seed = static_cast<uint64_t>(options.integer("--seed", 1, 0, INT64_MAX));

        int last_percent = -1;
        write_synthetic_model(output, synth, [&](float progress) {
            const int percent = static_cast<int>(progress * 100.0f);
            if (percent != last_percent) {
                last_percent = percent;
                std::fprintf(stderr, "\rwriting %s: %3d%%", output.c_str(), percent);
            }
        });
        std::fprintf(stderr, "\n");
        std::printf("wrote %s\n", output.c_str());
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli synth: %s\n%s", error.what(), kSynthUsage);
        return kExitUsage;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli synth: %s\n", printable(error.what()).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
