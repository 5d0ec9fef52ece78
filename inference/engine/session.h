// An inference session: one conversation's KV cache and the generation loop.
#pragma once

#include "engine/model.h"
#include "sampling/sampler.h"

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class KvCache;
class LayerOffload;
class ThreadPool;
struct ForwardScratch;

enum class KvCacheType { F32, F16 };

// Context a session gets when neither the caller nor a small training
// context limits it: enough for long chats without a large KV cache.
inline constexpr int kDefaultSessionContext = 4096;
inline constexpr int kDefaultSessionBatch = 512;

struct SessionOptions {
    int n_ctx = 0;                 // 0: the model's training context, at most kDefaultSessionContext
    KvCacheType kv_type = KvCacheType::F16;
    int n_batch = kDefaultSessionBatch;  // prompt tokens per forward pass
};

// Host memory a session allocates when it is created, in bytes.
struct SessionMemory {
    uint64_t kv_cache = 0;  // keys and values of the layers the CPU runs
    uint64_t scratch = 0;   // activation buffers for n_batch tokens, and one row of logits
};

enum class StopReason { EndOfGeneration, StopString, MaxTokens, Cancelled, ContextFull };

const char* stop_reason_name(StopReason reason);

struct GenerationRequest {
    std::vector<TokenId> prompt;   // tokens to append after the cached ones
    int max_tokens = 256;
    std::vector<std::string> stop_strings;
    SamplingParams sampling;
};

struct GenerationResult {
    StopReason reason = StopReason::MaxTokens;
    std::string text;              // generated text, stop string removed
    std::vector<TokenId> tokens;   // generated tokens
    int n_prompt = 0;              // prompt tokens evaluated (after any reused prefix)
    double prompt_seconds = 0;
    double generation_seconds = 0;
};

// Receives the text of each new token as soon as it is safe to show: whole
// UTF-8 characters only, and text that might be the start of a stop string
// is held back until it is known not to be.
using TokenCallback = std::function<void(std::string_view text, TokenId token)>;

class Session {
public:
    Session(std::shared_ptr<const Model> model, const SessionOptions& options = {});
    ~Session();

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Model& model() const { return *model_; }
    int n_ctx() const;
    // Tokens currently in the KV cache.
    int n_past() const { return static_cast<int>(history_.size()); }
    const std::vector<TokenId>& history() const { return history_; }
    // Host memory of this session's buffers, all allocated by the
    // constructor; it does not change afterwards.
    const SessionMemory& host_memory() const { return host_memory_; }

    // Empties the KV cache.
    void reset();
    // Drops cached tokens from `n_keep` on, keeping the prefix.
    void truncate(int n_keep);

    // Runs `tokens` through the model after the cached ones, in batches of
    // n_batch. Returns the logits of the last token (n_vocab floats). With
    // `all_logits`, also stores every position's logits there, row-major
    // [tokens.size(), n_vocab]. Throws Error when the context would overflow.
    std::span<const float> decode(std::span<const TokenId> tokens, std::vector<float>* all_logits = nullptr);

    // Appends `request.prompt`, then samples until end of generation, a stop
    // string, max_tokens, a full context or cancel(). Streams text through
    // `on_token`.
    GenerationResult generate(const GenerationRequest& request, const TokenCallback& on_token = {});

    // Requests that the running decode()/generate() stop soon. Thread-safe.
    // generate() then returns StopReason::Cancelled; decode() throws
    // CancelledError. The flag clears when the next generate() starts.
    void cancel() { cancel_.store(true, std::memory_order_release); }

private:
    std::shared_ptr<const Model> model_;
    SessionOptions options_;
    std::unique_ptr<KvCache> kv_;
    std::unique_ptr<LayerOffload> gpu_;  // the GPU layers' KV cache and activations
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<ForwardScratch> scratch_;
    std::vector<TokenId> history_;
    std::vector<float> last_logits_;
    SessionMemory host_memory_;
    std::atomic<bool> cancel_{false};
};

} // namespace quanta
