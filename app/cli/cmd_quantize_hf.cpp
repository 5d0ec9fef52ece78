// quanta-cli quantize --format gptq|awq: write a Hugging Face GPTQ or AWQ
// checkpoint folder from an F32/F16/BF16 model.
#include "commands.h"
#include "options.h"

#include "core/error.h"
#include "hf/hf_quantizer.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace quanta::cli {

namespace {

const char* const kUsage =
    "usage: quanta-cli quantize --format gptq|awq IN OUT [--bits N] [--group-size G] [--act-order] [--asym]\n"
    "                           [--gptq-v2] [--force]\n";

std::atomic<bool> g_cancel{false};

void handle_interrupt(int)
{
    g_cancel.store(true);
}

void print_help()
{
    std::printf("%s"
                "Writes the folder OUT: a Hugging Face checkpoint of the F32/F16/BF16 model IN (a GGUF file or a\n"
                "Hugging Face folder) whose linear layers are packed as GPTQ or AWQ, with config.json,\n"
                "model.safetensors and the tokenizer files.\n"
                "  --bits N        GPTQ: 2, 3, 4 or 8 (default 4); AWQ: 4\n"
                "  --group-size G  inputs per quantization group (default 128); GPTQ also takes -1, one group\n"
                "                  per row\n"
                "  --act-order     GPTQ desc_act: groups follow the columns sorted by L2 norm, with g_idx\n"
                "  --asym          GPTQ asymmetric zero points (default symmetric)\n"
                "  --gptq-v2       GPTQ checkpoint_format gptq_v2 (zero points stored as is; default gptq v1,\n"
                "                  which stores zero - 1)\n"
                "  --force         replace OUT when it exists\n"
                "The quantizer rounds each group to nearest, without GPTQ's or AWQ's calibration passes, so a\n"
                "checkpoint made here is less accurate than one made with calibration data.\n",
                kUsage);
}

} // namespace

int cmd_quantize_hf(const Args& args)
{
    try {
        // Parse the command line.
        const Options options(args, {"--format", "--bits", "--group-size"},
                              {"--help", "-h", "--force", "--act-order", "--asym", "--gptq-v2"});
        const std::string format = options.required("--format");
        if (options.has("--help") || options.has("-h")) {
            if (format != "gptq" && format != "awq")
                throw UsageError("unknown --format '" + printable(format) + "'; expected gptq or awq");
            print_help();
            return kExitOk;
        }
        HfQuantizeOptions quantize;
        if (format == "gptq")
            quantize.method = HfQuantization::Method::Gptq;
        else if (format == "awq")
            quantize.method = HfQuantization::Method::Awq;
        else
            throw UsageError("unknown --format '" + printable(format) + "'; expected gptq or awq");
        const std::vector<std::string>& positional = options.positional();
        if (positional.size() != 2) {
            throw UsageError("expected IN OUT but got " + std::to_string(positional.size()) + " argument" +
                             (positional.size() == 1 ? "" : "s"));
        }
        const std::string bits = options.string("--bits", "4");
        if (bits != "2" && bits != "3" && bits != "4" && bits != "8")
            throw UsageError("--bits " + printable(bits) + ": expected 2, 3, 4 or 8");
        quantize.bits = std::stoi(bits);
        quantize.group_size = static_cast<int>(options.integer("--group-size", 128, -1, 1 << 20));
        quantize.desc_act = options.has("--act-order");
        quantize.sym = !options.has("--asym");
        quantize.gptq_v2 = options.has("--gptq-v2");
        quantize.force = options.has("--force");
        quantize.cancel = &g_cancel;
        // A terminal gets one updating line, a log one line per tenth.
        const bool terminal = ::isatty(STDERR_FILENO) != 0;
        quantize.on_progress = [terminal](int done, int total) {
            if (terminal) {
                std::fprintf(stderr, "\rpacked %d/%d linear layers", done, total);
                if (done == total)
                    std::fprintf(stderr, "\n");
            } else if (done == total || (done * 10 / total) != ((done - 1) * 10 / total)) {
                std::fprintf(stderr, "packed %d/%d linear layers\n", done, total);
            }
        };

        // Convert; Ctrl+C stops between layers and leaves no output.
        g_cancel.store(false);
        const auto previous = std::signal(SIGINT, handle_interrupt);
        HfQuantizeSummary summary;
        try {
            summary = write_quantized_checkpoint(positional[0], positional[1], quantize);
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);
        const double n_params = static_cast<double>(summary.n_params);
        const double bits_per_weight =
            n_params > 0 ? 8.0 * static_cast<double>(summary.safetensors_bytes) / n_params : 0.0;
        std::printf("wrote %s: %s, model.safetensors %.2f MiB, %.2f bits per weight\n",
                    printable(positional[1]).c_str(), summary.format.c_str(),
                    static_cast<double>(summary.safetensors_bytes) / (1024.0 * 1024.0), bits_per_weight);
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli quantize: %s\n%s", error.what(), kUsage);
        return kExitUsage;
    } catch (const CancelledError& error) {
        std::fprintf(stderr, "\nquanta-cli quantize: %s\n", printable(error.what()).c_str());
        return kExitCancelled;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "\nquanta-cli quantize: %s\n", printable(error.what()).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
