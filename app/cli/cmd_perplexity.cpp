// quanta-cli perplexity: the perplexity of a model on a text and, against a
// base model's saved logits, the KL divergence and top-token agreement.
#include "commands.h"
#include "device_options.h"
#include "options.h"

#include "core/error.h"
#include "gguf/utf8_check.h"
#include "core/mapped_file.h"
#include "engine/model.h"
#include "eval/perplexity.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>

namespace quanta::cli {

namespace {

const char* const kPerplexityUsage =
    "usage: quanta-cli perplexity -m MODEL -f TEXT [options]\n"
    "Splits the tokens of TEXT into windows of --ctx tokens, evaluates each from an empty\n"
    "context and scores the second half of each window, as llama.cpp's perplexity tool does.\n"
    "  -m, --model MODEL       GGUF file or Hugging Face folder to load\n"
    "  -f, --file TEXT         UTF-8 text file to measure\n"
    "  -c, --ctx N             window length in tokens, BOS included (default 512, at least 16)\n"
    "  --chunks N              evaluate at most N windows; 0 for all (default 0)\n"
    "  --save-logits FILE      write the scored positions' logits to FILE, as the base for --kl-base\n"
    "  --kl-base FILE          report the KL divergence from, and the top-token agreement with, the\n"
    "                          logits another model saved with --save-logits on the same text and --ctx\n"
    "  --threads N             CPU threads (default: physical cores)\n";

constexpr int kDefaultContext = 512;

std::string perplexity_usage()
{
    return std::string(kPerplexityUsage) + kDeviceOptionsHelp;
}

// Set by Ctrl+C. compute_perplexity checks it between windows.
std::atomic<bool> g_cancel{false};

void handle_interrupt(int)
{
    g_cancel.store(true);
}

// Restores the previous SIGINT handler when the measurement ends either way.
class InterruptGuard {
public:
    InterruptGuard() : previous_(std::signal(SIGINT, handle_interrupt)) {}
    ~InterruptGuard() { std::signal(SIGINT, previous_); }

    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*previous_)(int);
};

// The whole text file. MappedFile rejects a FIFO or device, which could
// block the reader or never end.
std::string read_text(const std::string& path)
{
    const MappedFile file(path);
    std::string text(reinterpret_cast<const char*>(file.data()), file.size());
    if (const size_t invalid = gguf_detail::utf8_first_invalid(text); invalid < text.size()) {
        throw FormatError(path + ": not UTF-8 text (invalid byte at offset " + std::to_string(invalid) +
                          "); convert the file to UTF-8 first");
    }
    return text;
}

void print_summary(const PerplexityResult& result)
{
    std::printf("windows: %d of %d tokens\n", result.n_windows, result.n_ctx);
    std::printf("tokens scored: %lld of %lld in the text\n", static_cast<long long>(result.n_scored),
                static_cast<long long>(result.n_tokens));
    std::printf("perplexity: %.4f ± %.4f\n", result.perplexity, result.perplexity_error);
    if (result.has_kl) {
        std::printf("KL divergence: mean %.6f ± %.6f, p99 %.6f; top token agreement: %.2f%%\n", result.kl_mean,
                    result.kl_error, result.kl_p99, 100.0 * result.top_agreement);
    }
    std::printf("speed: %.1f tokens/s (%lld tokens evaluated in %.2f s)\n", result.tokens_per_second,
                static_cast<long long>(result.n_windows) * result.n_ctx, result.seconds);
}

} // namespace

int cmd_perplexity(const Args& args)
{
    std::string model_path; // for the out-of-memory message
    try {
        // Parse the command line.
        std::set<std::string> with_value = {"-m", "--model", "-f", "--file", "-c", "--ctx", "--chunks",
                                            "--save-logits", "--kl-base", "--threads"};
        with_value.insert(kDeviceOptionNames.begin(), kDeviceOptionNames.end());
        const Options options(args, with_value, {"--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::fputs(perplexity_usage().c_str(), stdout);
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + printable(options.positional().front()) + "'");
        model_path = options.value("-m").value_or(options.string("--model", ""));
        if (model_path.empty())
            throw UsageError("missing required option -m MODEL");
        const std::string text_path = options.value("-f").value_or(options.string("--file", ""));
        if (text_path.empty())
            throw UsageError("missing required option -f TEXT");

        PerplexityOptions measure;
        measure.n_ctx = static_cast<int>(
            options.integer("-c", options.integer("--ctx", kDefaultContext, 16, 1 << 20), 16, 1 << 20));
        measure.max_windows = static_cast<int>(options.integer("--chunks", 0, 0, 1 << 30));
        measure.save_logits_path = options.string("--save-logits", "");
        measure.kl_base_path = options.string("--kl-base", "");
        std::error_code same_error;
        if (!measure.save_logits_path.empty() && !measure.kl_base_path.empty() &&
            (measure.save_logits_path == measure.kl_base_path ||
             std::filesystem::equivalent(measure.save_logits_path, measure.kl_base_path, same_error)))
            throw UsageError("--save-logits and --kl-base name the same file; saving would replace the base");

        LoadOptions load;
        load.n_threads = static_cast<int>(options.integer("--threads", 0, 0, 1024));
        apply_device_options(options, load);
        load.n_ctx = measure.n_ctx;
        load.n_batch = measure.n_ctx;

        // Read the text before loading, so a wrong path fails fast.
        const std::string text = read_text(text_path);
        const std::shared_ptr<Model> model = Model::load(model_path, load);
        require_requested_device(load, model->info());
        std::fprintf(stderr, "running on %s\n", describe_placement(model->info()).c_str());

        // Measure, with a progress line per window. Ctrl+C stops the run
        // between windows.
        measure.on_progress = [](int done, int total) {
            std::fprintf(stderr, "window %d of %d\n", done, total);
        };
        g_cancel.store(false);
        measure.cancel = &g_cancel;
        PerplexityResult result;
        {
            const InterruptGuard guard;
            result = compute_perplexity(model, text, measure);
        }

        print_summary(result);
        if (!measure.save_logits_path.empty())
            std::fprintf(stderr, "wrote the logits to %s\n", printable(measure.save_logits_path).c_str());
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli perplexity: %s\n%s", error.what(), perplexity_usage().c_str());
        return kExitUsage;
    } catch (const CancelledError& error) {
        std::fprintf(stderr, "quanta-cli perplexity: %s\n", error.what());
        return kExitCancelled;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli perplexity: %s\n", failure_message(error, model_path).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
