// quanta-cli quantize: convert a GGUF model's F32/F16/BF16 weights into a
// quantization mix such as Q4_K_M.
#include "commands.h"
#include "options.h"

#include "core/error.h"
#include "quantize/model_quantizer.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

namespace quanta::cli {

namespace {

const char* const kQuantizeUsage = "usage: quanta-cli quantize IN OUT TYPE [--threads N] [--force]\n"
                                   "       quanta-cli quantize --format gptq|awq IN OUT [options] (see --format gptq --help)\n";

// Set by Ctrl+C; the quantizer checks it between tensors.
std::atomic<bool> g_cancel{false};

void handle_interrupt(int)
{
    g_cancel.store(true);
}

void print_help()
{
    std::string mixes;
    std::string pure_types;
    for (const std::string& name : quant_mix_names()) {
        std::string& list = find_quant_mix(name)->pure ? pure_types : mixes;
        list += list.empty() ? name : ", " + name;
    }
    std::printf("%s"
                "Converts the F32, F16 and BF16 weight matrices of the GGUF file IN into TYPE and writes OUT.\n"
                "  TYPE         a mix: %s;\n"
                "               or a tensor type for a pure file, every matrix in that type: %s\n"
                "  --threads N  CPU threads (default: physical cores)\n"
                "  --force      replace OUT when it exists\n"
                "A mix keeps some tensors at a higher type, as llama-quantize does: Q4_K_M stores output.weight\n"
                "as Q6_K, and attn_v and ffn_down too in the first and last eighth of the layers and in every\n"
                "third layer between. Norms and other vectors are copied.\n"
                "A matrix whose rows TYPE's blocks cannot cover gets a compatible type (Q4_K -> Q5_0,\n"
                "Q6_K -> Q8_0, IQ4_XS -> IQ4_NL, otherwise F16). Input that is already quantized is\n"
                "rejected. OUT is written under a temporary name and renamed, so a failure leaves no file.\n",
                kQuantizeUsage, mixes.c_str(), pure_types.c_str());
}

std::string format_mib(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

// One stderr line per tensor: "[ 3/48] blk.0.attn_v.weight  F32 -> Q6_K".
void print_progress(const QuantizeProgress& progress)
{
    const TensorQuantPlan& plan = *progress.tensor;
    const int width = static_cast<int>(std::to_string(progress.n_tensors).size());
    std::string action = std::string(ggml_type_name(plan.from));
    action += plan.convert ? " -> " + std::string(ggml_type_name(plan.to)) : ", copied";
    if (plan.fallback_from)
        action += " (rows do not fit " + std::string(ggml_type_name(*plan.fallback_from)) + " blocks)";
    std::fprintf(stderr, "[%*zu/%zu] %-36s %s\n", width, progress.index + 1, progress.n_tensors,
                 printable(plan.name).c_str(), action.c_str());
}

} // namespace

int cmd_quantize(const Args& args)
{
    // GPTQ/AWQ checkpoints have their own options.
    for (const std::string& arg : args) {
        if (arg == "--format" || arg.rfind("--format=", 0) == 0)
            return cmd_quantize_hf(args);
    }
    try {
        // Parse the command line: IN OUT TYPE and options.
        const Options options(args, {"--threads"}, {"--help", "-h", "--force"});
        if (options.has("--help") || options.has("-h")) {
            print_help();
            return kExitOk;
        }
        const std::vector<std::string>& positional = options.positional();
        if (positional.size() != 3) {
            throw UsageError("expected IN OUT TYPE but got " + std::to_string(positional.size()) + " argument" +
                             (positional.size() == 1 ? "" : "s"));
        }
        const std::string& input = positional[0];
        const std::string& output = positional[1];
        std::error_code folder_error;
        if (std::filesystem::is_directory(input, folder_error)) {
            throw Error(printable(input) + " is a folder; TYPE conversion reads a .gguf file (to write a GPTQ or AWQ "
                        "checkpoint from a folder, use --format gptq|awq)");
        }
        const std::optional<QuantMix> mix = find_quant_mix(positional[2]);
        if (!mix) {
            throw UsageError("unknown TYPE '" + printable(positional[2]) +
                             "'; run 'quanta-cli quantize --help' for the supported mixes and types");
        }
        // A file already at OUT is the user's; replace it only when asked.
        // OUT being IN is refused by the quantizer with its own message.
        std::error_code ignored;
        if (std::filesystem::exists(output, ignored) && !std::filesystem::equivalent(input, output, ignored) &&
            !options.has("--force"))
            throw Error(printable(output) + " already exists; pass --force to replace it");
        QuantizeOptions quantize;
        quantize.n_threads = static_cast<int>(options.integer("--threads", 0, 0, 1024));
        quantize.on_tensor = print_progress;
        quantize.cancel = &g_cancel;

        // Convert; Ctrl+C stops between tensors and leaves no output.
        g_cancel.store(false);
        const auto previous = std::signal(SIGINT, handle_interrupt);
        QuantizeSummary summary;
        try {
            summary = quantize_model(input, output, *mix, quantize);
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);

        const double n_params = static_cast<double>(summary.n_params);
        const double bits_per_weight = n_params > 0 ? 8.0 * static_cast<double>(summary.output_bytes) / n_params : 0.0;
        std::printf("wrote %s: %s, %llu tensors (%llu converted, %llu with a fallback type), tensor data %s -> %s, "
                    "%.2f bits per weight\n",
                    printable(output).c_str(), mix->name.c_str(), static_cast<unsigned long long>(summary.n_tensors),
                    static_cast<unsigned long long>(summary.n_converted),
                    static_cast<unsigned long long>(summary.n_fallbacks), format_mib(summary.input_bytes).c_str(),
                    format_mib(summary.output_bytes).c_str(), bits_per_weight);
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli quantize: %s\n%s", error.what(), kQuantizeUsage);
        return kExitUsage;
    } catch (const CancelledError& error) {
        std::fprintf(stderr, "quanta-cli quantize: %s\n", printable(error.what()).c_str());
        return kExitCancelled;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli quantize: %s\n", printable(error.what()).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
