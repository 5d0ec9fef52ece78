#include "vulkan/vulkan_decoder.h"

#include "core/error.h"
#include "core/log.h"

#include <algorithm>
#include <cstring>

namespace quanta::vk {

namespace {

// The staging buffer packs each tensor at a 16-byte boundary.
constexpr uint64_t kStagingPacking = 16;

uint64_t packed_bytes(uint64_t bytes)
{
    return (bytes + kStagingPacking - 1) / kStagingPacking * kStagingPacking;
}

// Bytes of the tensors that uploading the first `n_layers` layers (and the
// output with `with_output`) copies, each rounded up as the staging buffer
// packs it. Lists the tensors in the order GpuModel's constructor uploads
// them.
uint64_t upload_bytes(const DecoderGraph& graph, int n_layers, bool with_output)
{
    uint64_t total = 0;
    const auto vector = [&](const std::vector<float>& v) {
        if (!v.empty())
            total += packed_bytes(v.size() * sizeof(float));
    };
    const auto matrix = [&](const WeightMatrix& m) {
        if (!m.data)
            return;
        total += packed_bytes(static_cast<uint64_t>(m.n_out) * m.row_bytes);
        if (m.in_perm)
            total += packed_bytes(static_cast<uint64_t>(m.n_in) * sizeof(int32_t));
    };
    for (int il = 0; il < n_layers; ++il) {
        const DecoderLayer& layer = graph.layers()[static_cast<size_t>(il)];
        for (const std::vector<float>* v : {&layer.attn_norm, &layer.bq, &layer.bk, &layer.bv, &layer.q_norm,
                                            &layer.k_norm, &layer.attn_post_norm, &layer.ffn_norm,
                                            &layer.ffn_post_norm})
            vector(*v);
        for (const WeightMatrix* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wqkv, &layer.wo, &layer.w_gate,
                                      &layer.w_up, &layer.w_down})
            matrix(*m);
    }
    const DecoderSettings& settings = graph.settings();
    vector(settings.rope_freqs);
    vector(settings.rope_factors_short);
    vector(settings.rope_factors_long);
    total += packed_bytes(sizeof(float));
    if (with_output) {
        vector(graph.output_norm());
        matrix(graph.output());
    }
    return total;
}

// The widest input of a matrix with an input order in the offloaded layers,
// 0 when none has one.
uint64_t widest_permuted_input(const GpuModel& model)
{
    uint64_t width = 0;
    for (const GpuModel::Layer& layer : model.layers()) {
        for (const GpuMatrix* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wqkv, &layer.wo, &layer.w_gate,
                                   &layer.w_up, &layer.w_down}) {
            if (m->perm)
                width = std::max<uint64_t>(width, m->n_in);
        }
    }
    if (model.runs_output() && model.output().perm)
        width = std::max<uint64_t>(width, model.output().n_in);
    return width;
}

// Returns the widest input of a matrix that the int8 path reads, among the
// offloaded layers and the output when the model runs it, or 0 when none.
uint32_t widest_int8_input(const GpuModel& model)
{
    uint32_t width = 0;
    for (const GpuModel::Layer& layer : model.layers()) {
        for (const GpuMatrix* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wqkv, &layer.wo, &layer.w_gate,
                                   &layer.w_up, &layer.w_down}) {
            if (*m && int8_path_supports_type(m->type))
                width = std::max(width, m->n_in);
        }
    }
    if (model.runs_output() && int8_path_supports_type(model.output().type))
        width = std::max(width, model.output().n_in);
    return width;
}

int fused_width(const DecoderGraph& graph)
{
    const Hyperparams& hp = graph.hparams();
    int width = 1;
    for (const DecoderLayer& layer : graph.layers()) {
        if (layer.wqkv.data)
            width = std::max(width, hp.n_embd_q() + 2 * hp.n_embd_kv());
        if (!layer.w_gate.data)
            width = std::max(width, 2 * hp.n_ff);
    }
    return width;
}

} // namespace

uint64_t staging_buffer_bytes(uint64_t upload_bytes)
{
    return std::min(kMaxStagingBytes, std::max<uint64_t>(upload_bytes, kStagingPacking));
}

// Copies host data into device buffers through one staging buffer, several
// tensors per submission.
class GpuModel::Uploader {
public:
    // `total_bytes` is upload_bytes() of what the caller uploads.
    Uploader(GpuModel& model, uint64_t total_bytes, const std::atomic<bool>* cancel)
        : model_(model)
        , recorder_(*model.context_)
        , staging_bytes_(staging_buffer_bytes(total_bytes))
        , staging_(model.memory_->allocate(staging_bytes_, MemoryCategory::Staging, MemoryPlace::Upload))
        , cancel_(cancel)
    {
    }

    ~Uploader() = default;

    Buffer vector(const std::vector<float>& values, int layer)
    {
        if (values.empty())
            return {};
        return copy(values.data(), values.size() * sizeof(float), layer);
    }

    GpuMatrix matrix(const WeightMatrix& m, int layer)
    {
        GpuMatrix gpu;
        if (!m.data)
            return gpu;
        gpu.type = m.type;
        gpu.n_in = static_cast<uint32_t>(m.n_in);
        gpu.n_out = static_cast<uint32_t>(m.n_out);
        gpu.row_bytes = static_cast<uint32_t>(m.row_bytes);
        gpu.buffer = copy(m.data, static_cast<uint64_t>(m.n_out) * m.row_bytes, layer);
        if (m.in_perm)
            gpu.perm = copy(m.in_perm, static_cast<uint64_t>(m.n_in) * sizeof(int32_t), layer);
        return gpu;
    }

    void finish() { flush(); }

private:
    Buffer copy(const void* data, uint64_t bytes, int layer)
    {
        Buffer target = model_.memory_->allocate(bytes, MemoryCategory::Weights, MemoryPlace::Device, layer);
        const auto* source = static_cast<const uint8_t*>(data);
        uint64_t done = 0;
        while (done < bytes) {
            if (used_ == staging_bytes_)
                flush();
            const uint64_t piece = std::min(bytes - done, staging_bytes_ - used_);
            std::memcpy(static_cast<uint8_t*>(staging_.mapped()) + used_, source + done, piece);
            recorder_.copy(BufferRange(staging_, used_, piece), BufferRange(target, done, piece));
            // Later copies start on a 16-byte boundary of the staging buffer.
            used_ = std::min(staging_bytes_, packed_bytes(used_ + piece));
            done += piece;
        }
        return target;
    }

    void flush()
    {
        if (cancel_ && cancel_->load(std::memory_order_acquire))
            throw CancelledError("loading cancelled");
        staging_.flush();
        recorder_.submit_and_wait();
        used_ = 0;
    }

    GpuModel& model_;
    Recorder recorder_;
    uint64_t staging_bytes_;
    Buffer staging_;
    uint64_t used_ = 0;
    const std::atomic<bool>* cancel_;
};

GpuModel::GpuModel(std::shared_ptr<Context> context, std::shared_ptr<DeviceMemory> memory, const DecoderGraph& graph,
                   int n_layers, const std::atomic<bool>* cancel)
    : context_(std::move(context)), memory_(std::move(memory)), graph_(graph), kernels_(*context_)
{
    const Hyperparams& hp = graph.hparams();
    n_layers_ = std::clamp(n_layers, 0, hp.n_layer);
    runs_output_ = n_layers_ == hp.n_layer && gpu_supports_type(graph.output().type);

    Uploader upload(*this, upload_bytes(graph, n_layers_, runs_output_), cancel);
    for (int il = 0; il < n_layers_; ++il) {
        const DecoderLayer& source = graph.layers()[static_cast<size_t>(il)];
        Layer layer;
        layer.attn_norm = upload.vector(source.attn_norm, il);
        layer.bq = upload.vector(source.bq, il);
        layer.bk = upload.vector(source.bk, il);
        layer.bv = upload.vector(source.bv, il);
        layer.q_norm = upload.vector(source.q_norm, il);
        layer.k_norm = upload.vector(source.k_norm, il);
        layer.attn_post_norm = upload.vector(source.attn_post_norm, il);
        layer.ffn_norm = upload.vector(source.ffn_norm, il);
        layer.ffn_post_norm = upload.vector(source.ffn_post_norm, il);
        layer.wq = upload.matrix(source.wq, il);
        layer.wk = upload.matrix(source.wk, il);
        layer.wv = upload.matrix(source.wv, il);
        layer.wqkv = upload.matrix(source.wqkv, il);
        layer.wo = upload.matrix(source.wo, il);
        layer.w_gate = upload.matrix(source.w_gate, il);
        layer.w_up = upload.matrix(source.w_up, il);
        layer.w_down = upload.matrix(source.w_down, il);
        layers_.push_back(std::move(layer));
    }
    const DecoderSettings& settings = graph.settings();
    rope_freqs_ = upload.vector(settings.rope_freqs, -1);
    rope_short_ = upload.vector(settings.rope_factors_short, -1);
    rope_long_ = upload.vector(settings.rope_factors_long, -1);
    no_factors_ = upload.vector({1.0f}, -1);
    if (runs_output_) {
        output_norm_ = upload.vector(graph.output_norm(), -1);
        output_ = upload.matrix(graph.output(), -1);
    }
    upload.finish();
}

const Buffer& GpuModel::rope_factors(const float* host) const
{
    const DecoderSettings& settings = graph_.settings();
    if (host && host == settings.rope_freqs.data())
        return rope_freqs_;
    if (host && host == settings.rope_factors_short.data())
        return rope_short_;
    if (host && host == settings.rope_factors_long.data())
        return rope_long_;
    return no_factors_;
}

GpuSession::GpuSession(std::shared_ptr<GpuModel> model, int n_ctx, int n_batch)
    : model_(std::move(model)), n_ctx_(n_ctx), n_batch_(n_batch), recorder_(model_->context())
{
    const Hyperparams& hp = model_->graph().hparams();
    DeviceMemory& memory = model_->memory();
    const uint64_t kv_bytes = static_cast<uint64_t>(n_ctx) * static_cast<uint64_t>(hp.n_embd_kv()) * 2;
    for (int il = 0; il < model_->n_layers(); ++il) {
        k_cache_.push_back(memory.allocate(kv_bytes, MemoryCategory::KvCache, MemoryPlace::Device, il));
        v_cache_.push_back(memory.allocate(kv_bytes, MemoryCategory::KvCache, MemoryPlace::Device, il));
    }
    const uint64_t tokens = static_cast<uint64_t>(n_batch);
    const auto scratch = [&](uint64_t floats) {
        return memory.allocate(tokens * floats * sizeof(float), MemoryCategory::Scratch, MemoryPlace::Device);
    };
    x_ = scratch(static_cast<uint64_t>(hp.n_embd));
    norm_ = scratch(static_cast<uint64_t>(hp.n_embd));
    proj_ = scratch(static_cast<uint64_t>(hp.n_embd));
    q_ = scratch(static_cast<uint64_t>(hp.n_embd_q()));
    attn_ = scratch(static_cast<uint64_t>(hp.n_embd_q()));
    k_ = scratch(static_cast<uint64_t>(hp.n_embd_kv()));
    v_ = scratch(static_cast<uint64_t>(hp.n_embd_kv()));
    gate_ = scratch(static_cast<uint64_t>(hp.n_ff));
    up_ = scratch(static_cast<uint64_t>(hp.n_ff));
    fused_ = scratch(static_cast<uint64_t>(fused_width(model_->graph())));
    if (const uint64_t width = widest_permuted_input(*model_))
        permuted_ = scratch(width);
    const uint32_t int8_width = widest_int8_input(*model_);
    if (model_->kernels().paths().int8_matmul && int8_width > 0)
        int8_x_ = memory.allocate(Kernels::int8_activation_bytes(static_cast<uint32_t>(n_batch), int8_width),
                                  MemoryCategory::Scratch, MemoryPlace::Device);
    upload_ = memory.allocate(tokens * hp.n_embd * sizeof(float), MemoryCategory::Scratch, MemoryPlace::Upload);
    const uint64_t readback_floats = std::max<uint64_t>(tokens * hp.n_embd, static_cast<uint64_t>(hp.n_vocab));
    readback_ = memory.allocate(readback_floats * sizeof(float), MemoryCategory::Scratch, MemoryPlace::Readback);
    logits_ = memory.allocate(static_cast<uint64_t>(hp.n_vocab) * sizeof(float), MemoryCategory::Scratch,
                              MemoryPlace::Device);

    const float* factors = model_->graph().rope_factors(n_ctx);
    rope_factors_ = &model_->rope_factors(factors);
    has_rope_factors_ = factors != nullptr;
}

bool GpuSession::matmul(const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n, bool quantized)
{
    Kernels& k = model_->kernels();
    const bool int8 = int8_x_ && k.uses_int8_input(w, n);

    // Plain path on x as it is.
    if (!w.perm && !int8) {
        k.matmul(recorder_, w, x, y, n);
        return quantized;
    }

    // Act-order weights read their own column order of x: an earlier matmul
    // may still read permuted_, and this one reads it after the gather.
    BufferRange input = x;
    if (w.perm) {
        recorder_.barrier();
        k.gather_columns(recorder_, x, w.perm, permuted_, n, w.n_in);
        recorder_.barrier();
        input = permuted_;
    }
    if (!int8) {
        k.matmul(recorder_, w, input, y, n);
        return quantized;
    }

    // The int8 path: an earlier matmul may still read int8_x_, and this one
    // reads it after the quantization. A permuted input is never shared.
    if (w.perm || !quantized) {
        recorder_.barrier();
        k.quantize_int8(recorder_, input, int8_x_, n, w.n_in);
        recorder_.barrier();
    }
    k.matmul(recorder_, w, input, y, n, int8_x_);
    return !w.perm;
}

void GpuSession::record_layer(int il, uint32_t n, uint32_t pos0)
{
    const DecoderGraph& graph = model_->graph();
    const Hyperparams& hp = graph.hparams();
    const DecoderSettings& settings = graph.settings();
    const DecoderLayer& source = graph.layers()[static_cast<size_t>(il)];
    const GpuModel::Layer& layer = model_->layers()[static_cast<size_t>(il)];
    Kernels& k = model_->kernels();
    Recorder& r = recorder_;
    const uint32_t n_embd = static_cast<uint32_t>(hp.n_embd);
    const uint32_t n_embd_q = static_cast<uint32_t>(hp.n_embd_q());
    const uint32_t n_embd_kv = static_cast<uint32_t>(hp.n_embd_kv());
    const uint32_t n_ff = static_cast<uint32_t>(hp.n_ff);
    const uint32_t head_dim = static_cast<uint32_t>(hp.head_dim);

    // Attention block.
    k.rms_norm(r, x_, layer.attn_norm, norm_, n_embd, n, n_embd, hp.rms_eps);
    r.barrier();
    if (layer.wqkv) {
        const uint32_t width = n_embd_q + 2 * n_embd_kv;
        matmul(layer.wqkv, norm_, fused_, n);
        r.barrier();
        k.copy_columns(r, fused_, q_, n, width, 0, n_embd_q);
        k.copy_columns(r, fused_, k_, n, width, n_embd_q, n_embd_kv);
        k.copy_columns(r, fused_, v_, n, width, n_embd_q + n_embd_kv, n_embd_kv);
    } else {
        bool quantized = matmul(layer.wq, norm_, q_, n);
        quantized = matmul(layer.wk, norm_, k_, n, quantized);
        matmul(layer.wv, norm_, v_, n, quantized);
    }
    r.barrier();
    if (layer.bq) {
        k.add_bias(r, q_, layer.bq, n, n_embd_q);
        k.add_bias(r, k_, layer.bk, n, n_embd_kv);
        k.add_bias(r, v_, layer.bv, n, n_embd_kv);
        r.barrier();
    }
    if (layer.q_norm) {
        k.rms_norm(r, q_, layer.q_norm, q_, head_dim, n * static_cast<uint32_t>(hp.n_head), head_dim, hp.rms_eps);
        k.rms_norm(r, k_, layer.k_norm, k_, head_dim, n * static_cast<uint32_t>(hp.n_head_kv), head_dim, hp.rms_eps);
        r.barrier();
    }
    const bool neox = settings.rope_mode == RopeMode::Neox;
    k.rope(r, q_, *rope_factors_, has_rope_factors_, n, static_cast<uint32_t>(hp.n_head), head_dim,
           static_cast<uint32_t>(hp.n_rot), pos0, neox, source.rope_freq_base, source.rope_freq_scale,
           settings.rope_attn_factor);
    k.rope(r, k_, *rope_factors_, has_rope_factors_, n, static_cast<uint32_t>(hp.n_head_kv), head_dim,
           static_cast<uint32_t>(hp.n_rot), pos0, neox, source.rope_freq_base, source.rope_freq_scale,
           settings.rope_attn_factor);
    r.barrier();
    const Buffer& k_cache = k_cache_[static_cast<size_t>(il)];
    const Buffer& v_cache = v_cache_[static_cast<size_t>(il)];
    k.kv_store(r, k_, v_, k_cache, v_cache, n, n_embd_kv, pos0);
    r.barrier();
    k.attention(r, q_, k_cache, v_cache, attn_, n, pos0, static_cast<uint32_t>(hp.n_head),
                static_cast<uint32_t>(hp.n_head_kv), head_dim, static_cast<uint32_t>(source.window),
                graph.attention_scale(), settings.attn_softcap);
    r.barrier();
    matmul(layer.wo, attn_, proj_, n);
    r.barrier();
    if (layer.attn_post_norm) {
        k.rms_norm(r, proj_, layer.attn_post_norm, proj_, n_embd, n, n_embd, hp.rms_eps);
        r.barrier();
    }
    k.add(r, x_, proj_, n * n_embd);
    r.barrier();

    // Feed-forward block.
    k.rms_norm(r, x_, layer.ffn_norm, norm_, n_embd, n, n_embd, hp.rms_eps);
    r.barrier();
    if (layer.w_gate) {
        const bool quantized = matmul(layer.w_gate, norm_, gate_, n);
        matmul(layer.w_up, norm_, up_, n, quantized);
    } else {
        matmul(layer.w_up, norm_, fused_, n);
        r.barrier();
        k.copy_columns(r, fused_, gate_, n, 2 * n_ff, 0, n_ff);
        k.copy_columns(r, fused_, up_, n, 2 * n_ff, n_ff, n_ff);
    }
    r.barrier();
    k.glu(r, gate_, up_, n * n_ff, settings.activation == GateActivation::GeluTanh);
    r.barrier();
    matmul(layer.w_down, gate_, proj_, n);
    r.barrier();
    if (layer.ffn_post_norm) {
        k.rms_norm(r, proj_, layer.ffn_post_norm, proj_, n_embd, n, n_embd, hp.rms_eps);
        r.barrier();
    }
    k.add(r, x_, proj_, n * n_embd);
    r.barrier();
}

void GpuSession::forward(std::span<const TokenId> tokens, const float* embedded, int pos0, float* x, float* logits,
                         bool all_logits)
{
    const DecoderGraph& graph = model_->graph();
    const Hyperparams& hp = graph.hparams();
    const uint32_t n = static_cast<uint32_t>(tokens.size());
    if (n == 0)
        return;
    if (tokens.size() > static_cast<size_t>(n_batch_) || pos0 + static_cast<int>(n) > n_ctx_)
        throw Error("GPU forward pass of " + std::to_string(n) + " tokens at position " + std::to_string(pos0) +
                    " exceeds the session's batch of " + std::to_string(n_batch_) + " or context of " +
                    std::to_string(n_ctx_));
    const uint64_t n_embd = static_cast<uint64_t>(hp.n_embd);
    const uint64_t x_bytes = n * n_embd * sizeof(float);
    Kernels& k = model_->kernels();
    Recorder& r = recorder_;

    std::memcpy(upload_.mapped(), embedded, x_bytes);
    upload_.flush();
    r.copy(BufferRange(upload_, 0, x_bytes), BufferRange(x_, 0, x_bytes));
    r.barrier();
    for (int il = 0; il < model_->n_layers(); ++il)
        record_layer(il, n, static_cast<uint32_t>(pos0));

    if (!model_->runs_output()) {
        r.copy(BufferRange(x_, 0, x_bytes), BufferRange(readback_, 0, x_bytes));
        {
            std::lock_guard lock(model_->queue_mutex());
            r.submit_and_wait();
        }
        readback_.invalidate();
        std::memcpy(x, readback_.mapped(), x_bytes);
        return;
    }

    // Output: final norm and projection of every row or only the last.
    const uint32_t first = all_logits ? 0 : n - 1;
    const uint32_t rows = n - first;
    const uint64_t n_vocab = static_cast<uint64_t>(hp.n_vocab);
    const uint64_t logits_bytes = rows * n_vocab * sizeof(float);
    Buffer wide_logits;
    Buffer wide_readback;
    const Buffer* logits_device = &logits_;
    const Buffer* logits_host = &readback_;
    if (rows > 1) {
        // Every position's logits: buffers for this call only.
        wide_logits = model_->memory().allocate(logits_bytes, MemoryCategory::Scratch, MemoryPlace::Device);
        wide_readback = model_->memory().allocate(logits_bytes, MemoryCategory::Scratch, MemoryPlace::Readback);
        logits_device = &wide_logits;
        logits_host = &wide_readback;
    }
    k.rms_norm(r, x_, model_->output_norm(), norm_, static_cast<uint32_t>(n_embd), rows, static_cast<uint32_t>(n_embd),
               hp.rms_eps, static_cast<uint32_t>(first * n_embd));
    r.barrier();
    matmul(model_->output(), norm_, *logits_device, rows);
    r.barrier();
    if (graph.settings().final_softcap > 0.0f) {
        k.softcap(r, *logits_device, static_cast<uint32_t>(rows * n_vocab), graph.settings().final_softcap);
        r.barrier();
    }
    r.copy(BufferRange(*logits_device, 0, logits_bytes), BufferRange(*logits_host, 0, logits_bytes));
    {
        std::lock_guard lock(model_->queue_mutex());
        r.submit_and_wait();
    }
    logits_host->invalidate();
    std::memcpy(logits, logits_host->mapped(), logits_bytes);
}

} // namespace quanta::vk
