// Quality measurements of a model on a text: perplexity, and the KL
// divergence of its next-token distributions from a base model's, for
// `quanta-cli perplexity` and the app's quantization compare screen.
//
// The text is tokenized once, without BOS, and split into consecutive
// windows of n_ctx tokens (a shorter rest is dropped). The first token of
// each window is replaced by BOS when the vocabulary adds one, and each
// window is evaluated from an empty KV cache. The logits at window positions
// j = n_ctx / 2 .. n_ctx - 2 are scored against token j + 1, so every scored
// token has at least n_ctx / 2 tokens of context, as llama.cpp's perplexity
// tool does. That is n_ctx - 1 - n_ctx / 2 scored positions per window.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace quanta {

class Model;

struct PerplexityOptions {
    int n_ctx = 512;               // window length in tokens, BOS included (at least 16)
    int max_windows = 0;           // evaluate at most this many windows; 0 for all
    // Writes the scored positions' logits here (see the file format below).
    std::string save_logits_path;
    // Compares with the logits a base model saved with save_logits_path. The
    // base must have been run on the same tokens, window length and
    // vocabulary size; otherwise compute_perplexity throws FormatError
    // naming the file and the mismatch.
    std::string kl_base_path;
    // Called after each window with (windows done, windows in total).
    std::function<void(int done, int total)> on_progress;
    // Checked between windows; when set, compute_perplexity throws
    // CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

struct PerplexityResult {
    int n_ctx = 0;
    int n_windows = 0;
    int64_t n_tokens = 0;          // tokens of the whole text
    int64_t n_scored = 0;          // positions scored
    double mean_nll = 0.0;         // mean negative log-likelihood in nats
    double perplexity = 0.0;       // exp(mean_nll)
    double perplexity_error = 0.0; // standard error of the perplexity (delta method)
    double seconds = 0.0;          // time spent evaluating
    double tokens_per_second = 0.0; // evaluated tokens (all positions) per second

    // Against a base model's logits (kl_base_path); false otherwise.
    bool has_kl = false;
    double kl_mean = 0.0;          // mean KL(base || model) in nats
    double kl_error = 0.0;         // standard error of kl_mean
    double kl_p99 = 0.0;           // 99th percentile of the per-position KL
    double top_agreement = 0.0;    // share of positions where both argmax tokens agree, 0..1
};

// Tokenizes `text` with the model's tokenizer and measures it. Throws Error
// when the text gives fewer than n_ctx tokens (the message gives both counts),
// FormatError for text that is not UTF-8, IoError or FormatError for the
// logits files, and CancelledError.
PerplexityResult compute_perplexity(const std::shared_ptr<const Model>& model, const std::string& text,
                                    const PerplexityOptions& options);

// The plain definitions the measurements follow, for tests and references:
// the negative log-likelihood of `token` under softmax(logits), and
// KL(softmax(base) || softmax(logits)), both in nats, computed in double.
double token_nll(const float* logits, int n_vocab, int token);
double kl_divergence(const float* base_logits, const float* logits, int n_vocab);

// Logits file (save_logits_path / kl_base_path), little-endian:
//   char[8]  "QNTLGT01"
//   uint32   n_vocab
//   uint32   n_ctx
//   uint32   n_windows
//   uint32   reserved (0)
//   uint64   FNV-1a hash of the evaluated token ids (int32, in order)
//   float    logits [n_windows][n_ctx - 1 - n_ctx / 2][n_vocab] of the scored positions

} // namespace quanta
