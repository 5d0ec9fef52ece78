// quanta-cli run: generate text after a prompt.
#include "commands.h"
#include "device_options.h"
#include "options.h"

#include "core/error.h"
#include "engine/model.h"
#include "engine/session.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>

namespace quanta::cli {

namespace {

const char* const kRunUsage =
    "usage: quanta-cli run -m MODEL -p TEXT [options]\n"
    "  -m, --model MODEL       GGUF file or Hugging Face folder to load\n"
    "  -p, --prompt TEXT       prompt text (special tokens such as <s> are parsed)\n"
    "  -n, --n-predict N       tokens to generate (default 128)\n"
    "  --temp T                sampling temperature; 0 is greedy (default 0.8)\n"
    "  --top-k K               keep the K most likely tokens; 0 keeps all (default 40)\n"
    "  --top-p P               nucleus sampling mass; 1 disables (default 0.95)\n"
    "  --min-p P               drop tokens below P times the top probability (default 0.05)\n"
    "  --repeat-penalty R      penalty for the last 64 tokens; 1 disables (default 1.0)\n"
    "  --seed S                random seed; 0 picks one (default 0)\n"
    "  --threads N             CPU threads (default: physical cores)\n"
    "  -c, --ctx N             context length in tokens (default: model's, at most 4096)\n"
    "  --kv-type f16|f32       KV cache precision (default f16)\n"
    "  --reference             use the scalar reference kernels (slow; for checking)\n"
    "  --no-bos                do not add the BOS token\n"
    "  --dump-logits OUT       write the logits of every prompt position to OUT as\n"
    "                          little-endian float32, row-major [prompt tokens, vocab]\n";

std::string run_usage()
{
    return std::string(kRunUsage) + kDeviceOptionsHelp;
}

std::atomic<Session*> g_session{nullptr};

void handle_interrupt(int)
{
    if (Session* session = g_session.load())
        session->cancel();
}

} // namespace

int cmd_run(const Args& args)
{
    std::string model_path; // for the out-of-memory message
    try {
        const Options options(args,
                              {"-m", "--model", "-p", "--prompt", "-n", "--n-predict", "--temp", "--top-k", "--top-p",
                               "--min-p", "--repeat-penalty", "--seed", "--threads", "-c", "--ctx", "--kv-type",
                               "--dump-logits", "--device", "--gpu-layers"},
                              {"--reference", "--no-bos", "--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::fputs(run_usage().c_str(), stdout);
            return kExitOk;
        }
        model_path = options.value("-m").value_or(options.string("--model", ""));
        if (model_path.empty())
            throw UsageError("missing required option -m MODEL");
        const std::string prompt = options.value("-p").value_or(options.string("--prompt", ""));
        const int n_predict = static_cast<int>(
            options.integer("-n", options.integer("--n-predict", 128, 0, 1 << 20), 0, 1 << 20));

        SamplingParams sampling;
        sampling.temperature = static_cast<float>(options.number("--temp", 0.8, 0.0, 100.0));
        sampling.top_k = static_cast<int>(options.integer("--top-k", 40, 0, 1 << 24));
        sampling.top_p = static_cast<float>(options.number("--top-p", 0.95, 0.0, 1.0));
        sampling.min_p = static_cast<float>(options.number("--min-p", 0.05, 0.0, 1.0));
        sampling.repeat_penalty = static_cast<float>(options.number("--repeat-penalty", 1.0, 0.01, 10.0));
        sampling.seed = static_cast<uint64_t>(options.integer("--seed", 0, 0, INT64_MAX));

        LoadOptions load;
        load.n_threads = static_cast<int>(options.integer("--threads", 0, 0, 1024));
        load.kernels = options.has("--reference") ? KernelMode::Reference : KernelMode::Fast;
        apply_device_options(options, load);

        SessionOptions session_options;
        session_options.n_ctx = static_cast<int>(options.integer("-c", options.integer("--ctx", 0, 0, 1 << 24), 0, 1 << 24));
        if (session_options.n_ctx > 0)
            load.n_ctx = session_options.n_ctx;
        const std::string kv_type = options.string("--kv-type", "f16");
        if (kv_type != "f16" && kv_type != "f32")
            throw UsageError("option --kv-type expects f16 or f32, got '" + kv_type + "'");
        session_options.kv_type = kv_type == "f32" ? KvCacheType::F32 : KvCacheType::F16;

        // Load, tokenize, and evaluate the prompt.
        const std::shared_ptr<Model> model = Model::load(model_path, load);
        require_requested_device(load, model->info());
        Session session(model, session_options);
        std::fprintf(stderr, "running on %s\n", describe_placement(model->info()).c_str());
        const Tokenizer& tokenizer = model->tokenizer();
        const bool add_bos = !options.has("--no-bos") && tokenizer.add_bos_default();
        const std::vector<TokenId> prompt_ids = tokenizer.encode(prompt, add_bos, true);
        if (prompt_ids.empty())
            throw UsageError("the prompt is empty and the model adds no BOS token; pass -p TEXT");

        if (const auto dump_path = options.value("--dump-logits")) {
            std::vector<float> logits;
            session.decode(prompt_ids, &logits);
            std::ofstream out(*dump_path, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(logits.data()),
                      static_cast<std::streamsize>(logits.size() * sizeof(float)));
            if (!out)
                throw IoError(*dump_path + ": cannot write the logits");
            session.reset();
        }

        // Stream the continuation; Ctrl+C stops it cleanly.
        std::fputs(prompt.c_str(), stdout);
        std::fflush(stdout);
        g_session.store(&session);
        auto previous = std::signal(SIGINT, handle_interrupt);
        GenerationRequest request;
        request.prompt = prompt_ids;
        request.max_tokens = n_predict;
        request.sampling = sampling;
        const GenerationResult result = session.generate(request, [](std::string_view text, TokenId) {
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        });
        std::signal(SIGINT, previous);
        g_session.store(nullptr);
        std::fputc('\n', stdout);

        std::fprintf(stderr, "prompt: %d tokens in %.3f s (%.1f t/s); generation: %zu tokens in %.3f s (%.1f t/s); "
                     "stopped: %s\n",
                     result.n_prompt, result.prompt_seconds,
                     result.prompt_seconds > 0 ? result.n_prompt / result.prompt_seconds : 0.0, result.tokens.size(),
                     result.generation_seconds,
                     result.generation_seconds > 0 ? static_cast<double>(result.tokens.size()) / result.generation_seconds : 0.0,
                     stop_reason_name(result.reason));
        return result.reason == StopReason::Cancelled ? kExitCancelled : kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli run: %s\n%s", error.what(), run_usage().c_str());
        return kExitUsage;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli run: %s\n", failure_message(error, model_path).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
