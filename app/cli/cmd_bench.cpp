// quanta-cli bench: prompt processing and generation speed, and how close
// generation comes to the memory-bandwidth roofline.
#include "commands.h"
#include "device_options.h"
#include "model_path.h"
#include "options.h"

#include "core/thread_pool.h"
#include "cpu/bandwidth.h"
#include "engine/model.h"
#include "engine/model_summary.h"
#include "engine/session.h"
#include "gguf/gguf_reader.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <new>
#include <numeric>
#include <random>

namespace quanta::cli {

namespace {

const char* const kBenchUsage =
    "usage: quanta-cli bench -m MODEL [options]\n"
    "  -m, --model MODEL  GGUF file or Hugging Face folder to load\n"
    "  --threads N        CPU threads (default: physical cores)\n"
    "  -p N               prompt tokens for the prompt-processing test (default 512)\n"
    "  -n N               tokens for the generation test (default 128)\n"
    "  -r, --reps N       repetitions of each test (default 3)\n"
    "  --follow-up N      instead: the latency of a chat's next turn after N tokens of history,\n"
    "                     with the history's KV cache kept (as the app does) and processed again\n";

// A follow-up message in the --follow-up test: a short user turn plus the
// chat template's markers around it.
constexpr int kFollowUpTokens = 40;

// Size of the buffer for the bandwidth test: well past any last-level cache.
constexpr size_t kBandwidthBytes = size_t{1} << 30;

struct Stats {
    double mean = 0;
    double stddev = 0;
};

Stats summarize(const std::vector<double>& values)
{
    Stats stats;
    if (values.empty())
        return stats;
    stats.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double squares = 0;
    for (const double value : values)
        squares += (value - stats.mean) * (value - stats.mean);
    stats.stddev = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
    return stats;
}

// Bytes of weights one decode step reads: every matrix except the token
// embedding (of which it reads a single row), unless the embedding is also
// the output projection.
uint64_t weight_bytes_per_token(const GgufFile& file)
{
    const bool tied = file.find_tensor("output.weight") == nullptr;
    uint64_t bytes = 0;
    for (const GgufTensor& tensor : file.tensors()) {
        if (tensor.name == "token_embd.weight" && !tied)
            continue;
        bytes += tensor.n_bytes;
    }
    return bytes;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct BenchResult {
    std::string backend;
    Stats pp;
    Stats tg;
};

// Loads the model with `load` and measures prompt processing and generation.
BenchResult bench_backend(const std::shared_ptr<Model>& model, int n_prompt, int n_gen, int reps)
{
    const ModelInfo& info = model->info();
    SessionOptions session_options;
    session_options.n_ctx = std::max(n_prompt, n_gen) + 1;
    session_options.n_batch = n_prompt;
    Session session(model, session_options);

    BenchResult result;
    result.backend = describe_placement(info);
    std::printf("\nbackend:  %s\n", result.backend.c_str());
    std::printf("threads:  %d, kernels: %s\n", model->n_threads(), cpu_kernel_name());
    if (info.copied_weight_bytes > 0) {
        std::printf("weights:  %.1f MiB copied for the CPU, in %s pages\n",
                    static_cast<double>(info.copied_weight_bytes) / (1 << 20),
                    info.weights_in_huge_pages ? "huge" : "small");
    }

    // Random non-special token ids, as llama-bench uses.
    std::mt19937 rng(42);
    std::uniform_int_distribution<TokenId> pick(3, info.n_vocab - 1);
    std::vector<TokenId> prompt(static_cast<size_t>(n_prompt));
    for (TokenId& id : prompt)
        id = pick(rng);

    // Warm-up: one short batch and one decode step.
    session.decode(std::span<const TokenId>(prompt.data(), std::min<size_t>(prompt.size(), 16)));
    session.reset();

    // Prompt processing: the whole prompt as one batch from an empty cache.
    std::vector<double> pp_rates;
    for (int rep = 0; rep < reps; ++rep) {
        session.reset();
        const auto start = std::chrono::steady_clock::now();
        session.decode(prompt);
        pp_rates.push_back(n_prompt / seconds_since(start));
    }

    // Generation: one token per step from an empty cache.
    std::vector<double> tg_rates;
    for (int rep = 0; rep < reps; ++rep) {
        session.reset();
        TokenId token = prompt[0];
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n_gen; ++i) {
            const TokenId step[] = {token};
            const std::span<const float> logits = session.decode(step);
            token = Sampler::argmax(logits);
        }
        tg_rates.push_back(n_gen / seconds_since(start));
    }

    result.pp = summarize(pp_rates);
    result.tg = summarize(tg_rates);
    std::printf("pp%-6d  %8.2f ± %.2f tokens/s\n", n_prompt, result.pp.mean, result.pp.stddev);
    std::printf("tg%-6d  %8.2f ± %.2f tokens/s\n", n_gen, result.tg.mean, result.tg.stddev);

    const double bytes_per_token = static_cast<double>(weight_bytes_per_token(model->file()));
    const double achieved = bytes_per_token * result.tg.mean;
    if (info.gpu_layers == 0) {
        // Roofline: decoding is bound by reading every weight once per token.
        ThreadPool pool(model->n_threads());
        double bandwidth = 0.0;
        try {
            bandwidth = measure_read_bandwidth(pool, kBandwidthBytes, 5);
        } catch (const std::bad_alloc&) {
            std::printf("memory read bandwidth: not measured, the 1 GiB test buffer could not be reserved\n");
            std::printf("decode: %.3f GB of weights per token x %.2f tokens/s = %.2f GB/s\n", bytes_per_token / 1e9,
                        result.tg.mean, achieved / 1e9);
            return result;
        }
        std::printf("memory read bandwidth: %.2f GB/s (%d threads, 1 GiB buffer, best of 5)\n", bandwidth / 1e9,
                    model->n_threads());
        std::printf("decode roofline: %.3f GB of weights per token x %.2f tokens/s = %.2f GB/s, %.0f%% of the "
                    "measured bandwidth (roofline %.2f tokens/s)\n",
                    bytes_per_token / 1e9, result.tg.mean, achieved / 1e9, 100.0 * achieved / bandwidth,
                    bandwidth / bytes_per_token);
    } else {
        // NOTE: the device's memory bandwidth is not measured yet, so the GPU
        // line gives the achieved rate only; compare it with the card's spec.
        std::printf("decode: %.3f GB of weights per token x %.2f tokens/s = %.2f GB/s\n", bytes_per_token / 1e9,
                    result.tg.mean, achieved / 1e9);
    }
    return result;
}

// Measures the time to the first token of a chat's next turn after `history`
// tokens. The first run starts from an empty cache, so the whole
// conversation is processed again. The second keeps the history's KV cache,
// as app/generation/inference_worker.cpp does, so only the new turn runs.
void bench_follow_up(const std::shared_ptr<Model>& model, int history, int reps)
{
    const ModelInfo& info = model->info();
    SessionOptions session_options;
    session_options.n_ctx = history + kFollowUpTokens + 1;
    Session session(model, session_options);
    std::printf("\nbackend:  %s\n", describe_placement(info).c_str());

    // The conversation: random non-special tokens, `history` of them before
    // the new turn.
    std::mt19937 rng(7);
    std::uniform_int_distribution<TokenId> pick(3, info.n_vocab - 1);
    std::vector<TokenId> conversation(static_cast<size_t>(history + kFollowUpTokens));
    for (TokenId& id : conversation)
        id = pick(rng);
    const std::span<const TokenId> all(conversation);
    const std::span<const TokenId> turn = all.subspan(static_cast<size_t>(history));

    std::vector<double> fresh_ms;
    std::vector<double> kept_ms;
    for (int rep = 0; rep < reps; ++rep) {
        // Without the cache: the whole conversation, then the first token.
        session.reset();
        auto start = std::chrono::steady_clock::now();
        Sampler::argmax(session.decode(all));
        fresh_ms.push_back(1000.0 * seconds_since(start));

        // With the cache: the history is there from the last turn; only the
        // new turn is processed.
        session.truncate(history);
        start = std::chrono::steady_clock::now();
        Sampler::argmax(session.decode(turn));
        kept_ms.push_back(1000.0 * seconds_since(start));
    }
    const Stats fresh = summarize(fresh_ms);
    const Stats kept = summarize(kept_ms);
    std::printf("follow-up after %d history tokens, %d new tokens, time to first token:\n", history,
                kFollowUpTokens);
    std::printf("  history processed again: %9.1f ± %.1f ms\n", fresh.mean, fresh.stddev);
    std::printf("  history KV cache kept:   %9.1f ± %.1f ms  (%.1fx faster)\n", kept.mean, kept.stddev,
                kept.mean > 0 ? fresh.mean / kept.mean : 0.0);
}

} // namespace

int cmd_bench(const Args& args)
{
    std::string model_path; // for the out-of-memory message
    try {
        std::set<std::string> with_value = {"-m", "--model", "--threads", "-p", "-n", "-r", "--reps", "--follow-up"};
        with_value.insert(kDeviceOptionNames.begin(), kDeviceOptionNames.end());
        const Options options(args, with_value, {"--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::printf("%s%s", kBenchUsage, kDeviceOptionsHelp);
            return kExitOk;
        }
        model_path = options.value("-m").value_or(options.string("--model", ""));
        if (model_path.empty())
            throw UsageError("missing required option -m MODEL");
        const int n_prompt = static_cast<int>(options.integer("-p", 512, 1, 1 << 16));
        const int n_gen = static_cast<int>(options.integer("-n", 128, 1, 1 << 16));
        const int reps = static_cast<int>(options.integer("-r", options.integer("--reps", 3, 1, 100), 1, 100));
        const int follow_up =
            options.has("--follow-up") ? static_cast<int>(options.integer("--follow-up", 2048, 1, 1 << 16)) : 0;

        LoadOptions gpu_load;
        gpu_load.n_threads = static_cast<int>(options.integer("--threads", 0, 0, 1024));
        apply_device_options(options, gpu_load);
        gpu_load.n_ctx = std::max(n_prompt, n_gen) + 1;
        gpu_load.n_batch = n_prompt;
        LoadOptions cpu_load = gpu_load;
        cpu_load.device = "cpu";

        std::printf("model:    %s\n", printable(model_path).c_str());
        {
            const ModelSummary summary = summarize_model_path(model_path);
            std::printf("          %s %s, %.3f M parameters, %.1f MiB of weights\n", summary.architecture.c_str(),
                        summary.file_type.c_str(), static_cast<double>(summary.n_params) / 1e6,
                        static_cast<double>(summary.weight_bytes) / (1ull << 20));
        }

        // The follow-up test replaces the speed tests, on the device asked for.
        if (follow_up > 0) {
            const int history = follow_up;
            LoadOptions load = gpu_load;
            load.n_ctx = history + kFollowUpTokens + 1;
            load.n_batch = 512;
            const std::shared_ptr<Model> model = Model::load(model_path, load);
            require_requested_device(load, model->info());
            bench_follow_up(model, history, reps);
            return kExitOk;
        }

        // One run per backend: the CPU alone, then the GPU as requested
        // unless --device cpu.
        std::vector<BenchResult> results;
        results.push_back(bench_backend(Model::load(model_path, cpu_load), n_prompt, n_gen, reps));
        if (gpu_load.device != "cpu") {
            const std::shared_ptr<Model> gpu_model = Model::load(model_path, gpu_load);
            require_requested_device(gpu_load, gpu_model->info());
            if (gpu_model->info().gpu_layers > 0)
                results.push_back(bench_backend(gpu_model, n_prompt, n_gen, reps));
            else
                std::printf("\nno GPU run: %s\n", printable(gpu_model->info().gpu_fallback_reason).c_str());
        }

        std::printf("\n%-8s %-8s %s\n", "pp t/s", "tg t/s", "backend");
        for (const BenchResult& result : results)
            std::printf("%-8.2f %-8.2f %s\n", result.pp.mean, result.tg.mean, result.backend.c_str());
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli bench: %s\n%s%s", error.what(), kBenchUsage, kDeviceOptionsHelp);
        return kExitUsage;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli bench: %s\n", failure_message(error, model_path).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
