// Measures one model variant for the compare screen: its hash, load time,
// memory, speed, perplexity and, against the reference variant's saved
// logits, KL divergence and top-token agreement. Runs on the compare thread;
// no Qt signals here, so that the steps read in order.
#pragma once

#include "compare/compare_types.h"
#include "generation/inference_worker.h"

#include <atomic>
#include <functional>
#include <string>

namespace quanta {

// Lengths of the fixed speed run: a prompt processed as one batch, then
// tokens generated one at a time (greedy). Short, so that it adds little to
// the perplexity run, and long enough that the per-call overhead is small.
constexpr int kSpeedPromptTokens = 128;
constexpr int kSpeedGeneratedTokens = 32;

// The stages of one variant's run, in order, for the progress display.
enum class MeasureStage { Hashing, Loading, Speed, Perplexity };

struct MeasureSettings {
    DeviceChoice device;           // the app's device setting
    int contextLength = 512;       // perplexity window, tokens
    int maxWindows = 0;            // perplexity windows to evaluate; 0 for all
    // The reference variant saves its scored logits here; the others read
    // them to measure the KL divergence. Empty: neither.
    std::string logitsPath;
    bool saveLogits = false;       // true for the reference variant
    const std::atomic<bool>* cancel = nullptr;
    // Called with the stage and the share of it done (0..1).
    std::function<void(MeasureStage stage, double fraction)> onProgress;
};

// Fills `result` step by step: name, format and size first, then the hash,
// the load, the speed run and the perplexity. Throws (CancelledError, or
// the engine's Error with a message naming the file) when a step fails;
// `result` then keeps the figures measured before it. Sets `*textTokens` to
// the number of tokens of `text` under this variant's tokenizer.
void measureVariant(const QString& path, const std::string& text, const MeasureSettings& settings,
                    VariantResult& result, qint64* textTokens);

// Resident set size of this process (VmRSS of /proc/self/status), in bytes;
// empty where that file does not exist.
std::optional<qint64> processResidentBytes();

} // namespace quanta
