#include "eval/perplexity.h"

#include "core/error.h"
#include "gguf/utf8_check.h"
#include "core/log.h"
#include "engine/model.h"
#include "engine/session.h"
#include "eval/logits_file.h"
#include "model/model_graph.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace quanta {

namespace {

// Shortest window: half of it is context, and the rest must leave a few
// scored positions.
constexpr int kMinContext = 16;

// log(sum_i exp(logits[i] - max)) and max, in double.
struct LogSumExp {
    double max = 0.0;
    double log_sum = 0.0;
};

LogSumExp log_sum_exp(const float* logits, int n_vocab)
{
    LogSumExp result;
    result.max = *std::max_element(logits, logits + n_vocab);
    double sum = 0.0;
    for (int i = 0; i < n_vocab; ++i)
        sum += std::exp(static_cast<double>(logits[i]) - result.max);
    result.log_sum = std::log(sum);
    return result;
}

// Index of the largest logit. The lowest index wins a tie.
int argmax(const float* logits, int n_vocab)
{
    return static_cast<int>(std::max_element(logits, logits + n_vocab) - logits);
}

// Mean and standard error of the mean (sample standard deviation / sqrt(n)).
struct MeanError {
    double mean = 0.0;
    double error = 0.0;
};

MeanError mean_and_error(const std::vector<double>& values)
{
    MeanError result;
    if (values.empty())
        return result;
    const double n = static_cast<double>(values.size());
    double sum = 0.0;
    for (const double value : values)
        sum += value;
    result.mean = sum / n;
    if (values.size() < 2)
        return result;
    double squares = 0.0;
    for (const double value : values)
        squares += (value - result.mean) * (value - result.mean);
    result.error = std::sqrt(squares / (n - 1.0) / n);
    return result;
}

// The 99th percentile by the nearest-rank method: the smallest value with at
// least 99% of the values at or below it.
double percentile_99(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t rank = (values.size() * 99 + 99) / 100;  // ceil(0.99 n), 1-based
    return values[std::max<size_t>(rank, 1) - 1];
}

std::string hex64(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(value));
    return text;
}

// The text's tokens cut into windows, with BOS in front where the vocabulary
// adds one.
class Windows {
public:
    Windows(std::vector<TokenId> tokens, int n_ctx, TokenId bos)
        : tokens_(std::move(tokens))
        , n_ctx_(n_ctx)
        , bos_(bos)
    {
    }

    int n_available() const
    {
        const size_t count = tokens_.size() / static_cast<size_t>(n_ctx_);
        return static_cast<int>(std::min<size_t>(count, static_cast<size_t>(std::numeric_limits<int32_t>::max())));
    }
    size_t n_tokens() const { return tokens_.size(); }

    // The tokens window `index` evaluates (n_ctx of them).
    std::vector<TokenId> window(int index) const
    {
        const auto begin = tokens_.begin() + static_cast<std::ptrdiff_t>(index) * n_ctx_;
        std::vector<TokenId> result(begin, begin + n_ctx_);
        if (bos_ >= 0)
            result[0] = bos_;
        return result;
    }

    // Hash of the first `count` windows as evaluated.
    uint64_t hash(int count) const
    {
        TokenHash hash;
        for (int index = 0; index < count; ++index)
            hash.add(window(index));
        return hash.value();
    }

private:
    std::vector<TokenId> tokens_;
    int n_ctx_;
    TokenId bos_;
};

// Throws FormatError unless `base` was saved from the same tokens, window
// length and vocabulary size, with at least `n_windows` windows.
void check_base(const LogitsFileReader& base, const Windows& windows, int n_vocab, int n_ctx, int n_windows)
{
    const LogitsFileHeader& header = base.header();
    const std::string& path = base.path();
    if (header.n_vocab != static_cast<uint32_t>(n_vocab)) {
        throw FormatError(path + ": the base logits have a vocabulary of " + std::to_string(header.n_vocab) +
                          " tokens, but this model has " + std::to_string(n_vocab) +
                          "; compare variants of one model only");
    }
    if (header.n_ctx != static_cast<uint32_t>(n_ctx)) {
        throw FormatError(path + ": the base logits were saved with windows of " + std::to_string(header.n_ctx) +
                          " tokens, but this run uses " + std::to_string(n_ctx) + "; use the same window length");
    }
    if (header.n_windows < static_cast<uint32_t>(n_windows)) {
        throw FormatError(path + ": the base logits cover " + std::to_string(header.n_windows) +
                          " windows, but this run evaluates " + std::to_string(n_windows) +
                          "; evaluate at most that many windows or save the base again");
    }
    if (header.n_windows > static_cast<uint32_t>(windows.n_available())) {
        throw FormatError(path + ": the base logits cover " + std::to_string(header.n_windows) + " windows of " +
                          std::to_string(n_ctx) + " tokens, but this text has only " +
                          std::to_string(windows.n_tokens()) + " tokens (" + std::to_string(windows.n_available()) +
                          " windows); the base was saved from another text");
    }
    const uint64_t expected = windows.hash(static_cast<int>(header.n_windows));
    if (header.token_hash != expected) {
        throw FormatError(path + ": the token hash of the base logits is " + hex64(header.token_hash) +
                          ", but this text gives " + hex64(expected) +
                          "; the base was saved from another text or tokenizer");
    }
}

void check_cancel(const PerplexityOptions& options, int done, int total)
{
    if (options.cancel && options.cancel->load(std::memory_order_acquire)) {
        throw CancelledError("cancelled after " + std::to_string(done) + " of " + std::to_string(total) +
                             " windows");
    }
}

} // namespace

double token_nll(const float* logits, int n_vocab, int token)
{
    if (n_vocab <= 0 || token < 0 || token >= n_vocab) {
        throw Error("token_nll: token " + std::to_string(token) + " is outside the vocabulary of " +
                    std::to_string(n_vocab));
    }
    const LogSumExp lse = log_sum_exp(logits, n_vocab);
    return -(static_cast<double>(logits[token]) - lse.max - lse.log_sum);
}

double kl_divergence(const float* base_logits, const float* logits, int n_vocab)
{
    if (n_vocab <= 0)
        throw Error("kl_divergence: the vocabulary size is " + std::to_string(n_vocab) + ", expected at least 1");
    const LogSumExp base = log_sum_exp(base_logits, n_vocab);
    const LogSumExp model = log_sum_exp(logits, n_vocab);

    // sum_i p_i (log p_i - log q_i) with p = softmax(base), q = softmax(logits).
    double kl = 0.0;
    for (int i = 0; i < n_vocab; ++i) {
        const double log_p = static_cast<double>(base_logits[i]) - base.max - base.log_sum;
        const double log_q = static_cast<double>(logits[i]) - model.max - model.log_sum;
        kl += std::exp(log_p) * (log_p - log_q);
    }
    return kl;
}

PerplexityResult compute_perplexity(const std::shared_ptr<const Model>& model, const std::string& text,
                                    const PerplexityOptions& options)
{
    if (!model)
        throw Error("compute_perplexity: the model is null");
    const int n_ctx = options.n_ctx;
    if (n_ctx < kMinContext) {
        throw Error("the perplexity window is " + std::to_string(n_ctx) + " tokens, expected at least " +
                    std::to_string(kMinContext));
    }
    if (options.max_windows < 0)
        throw Error("max_windows is " + std::to_string(options.max_windows) + ", expected 0 (all) or more");
    if (const size_t invalid = gguf_detail::utf8_first_invalid(text); invalid < text.size()) {
        throw FormatError("the text is not UTF-8 (invalid byte at offset " + std::to_string(invalid) +
                          "); convert it to UTF-8 first");
    }
    const int n_vocab = model->graph().n_vocab();

    // Tokenize the text without BOS, as the windows put BOS in front of their
    // own first token.
    const Tokenizer& tokenizer = model->tokenizer();
    const TokenId bos = tokenizer.add_bos_default() ? tokenizer.bos() : -1;
    const Windows windows(tokenizer.encode(text, false, false), n_ctx, bos);
    if (windows.n_available() == 0) {
        throw Error("the text has " + std::to_string(windows.n_tokens()) + " tokens, fewer than the " +
                    std::to_string(n_ctx) + " of one window; use a longer text or a shorter window");
    }
    int n_windows = windows.n_available();
    if (options.max_windows > 0)
        n_windows = std::min(n_windows, options.max_windows);
    const int per_window = scored_positions_per_window(n_ctx);
    const int first_scored = n_ctx / 2;

    // Open and check the base before anything is written.
    std::optional<LogitsFileReader> base;
    if (!options.kl_base_path.empty()) {
        base.emplace(options.kl_base_path);
        check_base(*base, windows, n_vocab, n_ctx, n_windows);
    }
    std::optional<LogitsFileWriter> writer;
    if (!options.save_logits_path.empty()) {
        LogitsFileHeader header;
        header.n_vocab = static_cast<uint32_t>(n_vocab);
        header.n_ctx = static_cast<uint32_t>(n_ctx);
        header.n_windows = static_cast<uint32_t>(n_windows);
        header.token_hash = windows.hash(n_windows);
        writer.emplace(options.save_logits_path, header);
    }
    QUANTA_LOG_INFO("perplexity: text of %zu tokens, n_ctx %d, n_windows %d, %d scored per window%s%s",
                    windows.n_tokens(), n_ctx, n_windows, per_window, base ? ", KL against " : "",
                    base ? base->path().c_str() : "");

    SessionOptions session_options;
    session_options.n_ctx = n_ctx;
    session_options.n_batch = n_ctx;
    session_options.kv_type = KvCacheType::F16;
    Session session(model, session_options);

    // Per scored position, in order: the NLL of the next token, and with a
    // base the KL(base || model). n_agree counts equal argmax tokens.
    std::vector<double> nll;
    std::vector<double> kl;
    int64_t n_agree = 0;
    nll.reserve(static_cast<size_t>(n_windows) * static_cast<size_t>(per_window));
    if (base)
        kl.reserve(nll.capacity());
    std::vector<float> logits;                                  // [n_ctx, n_vocab] of the current window
    std::vector<float> base_row(base ? static_cast<size_t>(n_vocab) : 0);  // [n_vocab]
    double seconds = 0.0;

    for (int index = 0; index < n_windows; ++index) {
        check_cancel(options, index, n_windows);

        // Evaluate the window from an empty KV cache.
        const std::vector<TokenId> window = windows.window(index);
        session.reset();
        const auto start = std::chrono::steady_clock::now();
        session.decode(window, &logits);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        // Score the second half against the token that follows each position.
        for (int j = first_scored; j < n_ctx - 1; ++j) {
            const float* row = logits.data() + static_cast<size_t>(j) * static_cast<size_t>(n_vocab);
            nll.push_back(token_nll(row, n_vocab, window[static_cast<size_t>(j) + 1]));
            if (base) {
                base->read_row(base_row);
                kl.push_back(kl_divergence(base_row.data(), row, n_vocab));
                if (argmax(base_row.data(), n_vocab) == argmax(row, n_vocab))
                    ++n_agree;
            }
        }
        if (writer) {
            const size_t offset = static_cast<size_t>(first_scored) * static_cast<size_t>(n_vocab);
            const size_t count = static_cast<size_t>(per_window) * static_cast<size_t>(n_vocab);
            writer->write_rows(std::span<const float>(logits.data() + offset, count));
        }
        if (options.on_progress)
            options.on_progress(index + 1, n_windows);
    }

    // A cancel requested during the last progress callback still counts, and
    // leaves no logits file.
    check_cancel(options, n_windows, n_windows);
    if (writer)
        writer->commit();

    // Summarize.
    PerplexityResult result;
    result.n_ctx = n_ctx;
    result.n_windows = n_windows;
    result.n_tokens = static_cast<int64_t>(windows.n_tokens());
    result.n_scored = static_cast<int64_t>(nll.size());
    const MeanError nll_stats = mean_and_error(nll);
    result.mean_nll = nll_stats.mean;
    result.perplexity = std::exp(nll_stats.mean);
    result.perplexity_error = result.perplexity * nll_stats.error;
    result.seconds = seconds;
    const double evaluated = static_cast<double>(n_windows) * n_ctx;
    result.tokens_per_second = seconds > 0.0 ? evaluated / seconds : 0.0;
    if (base) {
        const MeanError kl_stats = mean_and_error(kl);
        result.has_kl = true;
        result.kl_mean = kl_stats.mean;
        result.kl_error = kl_stats.error;
        result.kl_p99 = percentile_99(std::move(kl));
        result.top_agreement = static_cast<double>(n_agree) / static_cast<double>(result.n_scored);
    }
    QUANTA_LOG_INFO("perplexity: %.4f +/- %.4f over %lld positions, %.1f tokens/s", result.perplexity,
                    result.perplexity_error, static_cast<long long>(result.n_scored), result.tokens_per_second);
    return result;
}

} // namespace quanta
