#include "engine/session.h"

#include "core/error.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "engine/text_stream.h"
#include "model/kv_cache.h"
#include "model/model_graph.h"
#include "vulkan/vulkan_decoder.h"

#include <algorithm>
#include <chrono>
#include <new>

namespace quanta {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

const char* stop_reason_name(StopReason reason)
{
    switch (reason) {
    case StopReason::EndOfGeneration: return "end of generation";
    case StopReason::StopString: return "stop string";
    case StopReason::MaxTokens: return "token limit";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::ContextFull: return "context full";
    }
    return "?";
}

Session::Session(std::shared_ptr<const Model> model, const SessionOptions& options)
    : model_(std::move(model))
    , options_(options)
{
    const Hyperparams& hp = model_->graph().hparams();
    if (options_.n_ctx <= 0)
        options_.n_ctx = std::min(hp.n_ctx_train, kDefaultSessionContext);
    if (options_.n_batch <= 0)
        options_.n_batch = kDefaultSessionBatch;
    options_.n_batch = std::min(options_.n_batch, options_.n_ctx);

    // The GPU layers keep their keys and values in device memory, and the
    // CPU cache stores the rest.
    int gpu_layers = 0;
    if (model_->gpu()) {
        gpu_ = std::make_unique<vk::GpuSession>(model_->gpu(), options_.n_ctx, options_.n_batch);
        gpu_layers = gpu_->n_layers();
    }
    if (options_.n_ctx > hp.n_ctx_train)
        QUANTA_LOG_WARN("context of %d tokens is longer than the %d the model was trained for; quality may drop "
                        "past %d",
                        options_.n_ctx, hp.n_ctx_train, hp.n_ctx_train);
    try {
        kv_ = std::make_unique<KvCache>(hp.n_layer, options_.n_ctx, hp.n_embd_kv(), options_.kv_type, gpu_layers);
    } catch (const std::bad_alloc&) {
        const double bytes = 2.0 * (hp.n_layer - gpu_layers) * options_.n_ctx * hp.n_embd_kv() *
                             (options_.kv_type == KvCacheType::F16 ? 2.0 : 4.0);
        throw Error("cannot allocate " + std::to_string(static_cast<long long>(bytes / (1 << 20))) +
                    " MiB of memory for the KV cache of a " + std::to_string(options_.n_ctx) +
                    "-token context; choose a smaller context (the model was trained for " +
                    std::to_string(hp.n_ctx_train) + " tokens)");
    }
    pool_ = std::make_unique<ThreadPool>(model_->n_threads());

    // The activation buffers for a whole batch, allocated now so that the
    // session's memory is known from the start and does not grow.
    scratch_ = std::make_unique<ForwardScratch>();
    model_->graph().reserve(*scratch_, options_.n_batch);
    last_logits_.reserve(static_cast<size_t>(hp.n_vocab));
    uint64_t scratch_floats = last_logits_.capacity();
    for (const std::vector<float>* buffer : {&scratch_->x, &scratch_->norm, &scratch_->q, &scratch_->k, &scratch_->v,
                                             &scratch_->attn, &scratch_->proj, &scratch_->gate, &scratch_->up,
                                             &scratch_->fused})
        scratch_floats += buffer->capacity();
    host_memory_.kv_cache = kv_->bytes();
    host_memory_.scratch = scratch_floats * sizeof(float);
    QUANTA_LOG_INFO("session: context %d tokens, %s KV cache (%.1f MiB), batch %d, %d threads", options_.n_ctx,
                    options_.kv_type == KvCacheType::F16 ? "F16" : "F32",
                    static_cast<double>(kv_->bytes()) / (1 << 20), options_.n_batch, model_->n_threads());
}

Session::~Session() = default;

int Session::n_ctx() const
{
    return options_.n_ctx;
}

void Session::reset()
{
    history_.clear();
    last_logits_.clear();
}

void Session::truncate(int n_keep)
{
    if (n_keep < 0)
        n_keep = 0;
    if (static_cast<size_t>(n_keep) < history_.size()) {
        history_.resize(static_cast<size_t>(n_keep));
        last_logits_.clear();
    }
}

std::span<const float> Session::decode(std::span<const TokenId> tokens, std::vector<float>* all_logits)
{
    const ModelGraph& graph = model_->graph();
    const size_t n_vocab = static_cast<size_t>(graph.n_vocab());
    if (tokens.empty()) {
        if (all_logits)
            all_logits->clear();
        return last_logits_;
    }
    if (history_.size() + tokens.size() > static_cast<size_t>(options_.n_ctx)) {
        throw Error("the prompt needs " + std::to_string(history_.size() + tokens.size()) +
                    " tokens but the context holds " + std::to_string(options_.n_ctx));
    }

    if (all_logits)
        all_logits->resize(tokens.size() * n_vocab);
    last_logits_.resize(n_vocab);

    // Run the tokens in batches; each batch appends to the KV cache.
    for (size_t begin = 0; begin < tokens.size(); begin += static_cast<size_t>(options_.n_batch)) {
        if (cancel_.load(std::memory_order_acquire))
            throw CancelledError("decoding cancelled");
        const size_t count = std::min(static_cast<size_t>(options_.n_batch), tokens.size() - begin);
        const std::span<const TokenId> batch = tokens.subspan(begin, count);
        // Without all_logits each batch overwrites last_logits_, so the last
        // batch's row is what remains.
        float* out = all_logits ? all_logits->data() + begin * n_vocab : last_logits_.data();
        graph.forward(batch, static_cast<int>(history_.size()), *kv_, *scratch_, *pool_, out, all_logits != nullptr,
                      gpu_.get());
        history_.insert(history_.end(), batch.begin(), batch.end());
    }
    if (all_logits)
        std::copy(all_logits->end() - static_cast<std::ptrdiff_t>(n_vocab), all_logits->end(), last_logits_.begin());
    return last_logits_;
}

GenerationResult Session::generate(const GenerationRequest& request, const TokenCallback& on_token)
{
    cancel_.store(false, std::memory_order_release);
    GenerationResult result;
    const Tokenizer& tokenizer = model_->tokenizer();
    Sampler sampler(request.sampling);
    TextStream stream(request.stop_strings);

    auto emit = [&](const std::string& text, TokenId token) {
        if (!text.empty() && on_token)
            on_token(text, token);
    };

    // Prompt processing. A context that cannot hold the prompt is an error;
    // one that fills up while generating ends the reply.
    const auto prompt_start = std::chrono::steady_clock::now();
    if (history_.size() + request.prompt.size() >= static_cast<size_t>(options_.n_ctx)) {
        throw Error("the prompt has " + std::to_string(history_.size() + request.prompt.size()) +
                    " tokens, which leaves no room to generate in a context of " + std::to_string(options_.n_ctx) +
                    " tokens; use a longer context or a shorter prompt");
    }
    if (history_.empty() && request.prompt.empty())
        throw Error("cannot generate from an empty prompt");
    if (!request.prompt.empty()) {
        try {
            decode(request.prompt);
        } catch (const CancelledError&) {
            result.reason = StopReason::Cancelled;
            result.prompt_seconds = seconds_since(prompt_start);
            return result;
        }
    } else if (last_logits_.empty()) {
        // The logits of the cached tail were dropped by truncate(): recompute
        // them by running the last cached token again.
        const TokenId last = history_.back();
        history_.pop_back();
        const TokenId again[] = {last};
        decode(again);
    }
    result.n_prompt = static_cast<int>(request.prompt.size());
    result.prompt_seconds = seconds_since(prompt_start);

    // Sample, stream and feed back one token at a time.
    const auto generation_start = std::chrono::steady_clock::now();
    for (;;) {
        if (cancel_.load(std::memory_order_acquire)) {
            result.reason = StopReason::Cancelled;
            break;
        }
        if (static_cast<int>(result.tokens.size()) >= request.max_tokens) {
            result.reason = StopReason::MaxTokens;
            break;
        }

        const TokenId token = sampler.sample(last_logits_, history_);
        if (tokenizer.is_end_of_generation(token)) {
            result.reason = StopReason::EndOfGeneration;
            break;
        }
        result.tokens.push_back(token);
        emit(stream.push(tokenizer.token_to_piece(token)), token);
        if (stream.stopped()) {
            result.reason = StopReason::StopString;
            break;
        }
        if (history_.size() >= static_cast<size_t>(options_.n_ctx)) {
            result.reason = StopReason::ContextFull;
            break;
        }

        const TokenId next[] = {token};
        try {
            decode(next);
        } catch (const CancelledError&) {
            result.reason = StopReason::Cancelled;
            break;
        }
    }
    if (!stream.stopped())
        emit(stream.finish(), -1);

    result.text = stream.text();
    result.generation_seconds = seconds_since(generation_start);
    cancel_.store(false, std::memory_order_release);
    QUANTA_LOG_DEBUG("generated %zu tokens (%s), prompt %d tokens in %.3f s, generation %.3f s", result.tokens.size(),
                     stop_reason_name(result.reason), result.n_prompt, result.prompt_seconds,
                     result.generation_seconds);
    return result;
}

} // namespace quanta
