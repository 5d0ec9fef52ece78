// Matmul entry points: argument checks, the scalar reference path, and the
// fast path that quantizes the activations once, splits the output into
// row (and token) ranges and hands them to the pool.
#include "cpu/matmul.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/repack.h"
#include "quant/reference.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace quanta {

namespace cpu {

namespace {

constexpr int kScratchSlots = 4;
constexpr size_t kScratchAlignment = 64;

struct ScratchBuffer {
    std::unique_ptr<uint8_t[]> storage;
    size_t capacity = 0; // usable bytes after alignment
    uint8_t* aligned = nullptr;
};

thread_local ScratchBuffer t_scratch[kScratchSlots];

} // namespace

void* thread_scratch(int slot, size_t bytes)
{
    ScratchBuffer& buffer = t_scratch[slot];
    if (buffer.capacity < bytes || !buffer.aligned) {
        // Grow by half again so a slowly growing request does not reallocate every call.
        const size_t capacity = std::max(bytes, buffer.capacity + buffer.capacity / 2);
        buffer.storage = std::make_unique<uint8_t[]>(capacity + kScratchAlignment);
        const auto address = reinterpret_cast<uintptr_t>(buffer.storage.get());
        buffer.aligned = buffer.storage.get() + (kScratchAlignment - address % kScratchAlignment) % kScratchAlignment;
        buffer.capacity = capacity;
    }
    return buffer.aligned;
}

} // namespace cpu

namespace {

using cpu::ActivationFormat;

cpu::MatmulRangeKernel fast_kernel(GgmlType type)
{
    switch (cpu::active_kernel_set()) {
    case cpu::KernelSet::Avx512Vnni: return cpu::vnni::matmul_kernel(type);
    case cpu::KernelSet::AvxVnni: return cpu::avxvnni::matmul_kernel(type);
    case cpu::KernelSet::Avx2: return cpu::avx2::matmul_kernel(type);
    case cpu::KernelSet::Generic: break;
    }
    return cpu::generic::matmul_kernel(type);
}

// Checks the weight description against its type; throws on any mismatch.
void check_weights(const WeightMatrix& w, const char* operation)
{
    const std::string type_name(ggml_type_name(w.type));
    if (!cpu::generic::matmul_kernel(w.type)) {
        throw UnsupportedError(std::string(operation) + ": tensor type " + type_name +
                               " has no CPU kernel; supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, "
                               "Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, and GPTQ/AWQ weights (Q4_G, Q8_G)");
    }
    const GgmlTypeTraits& traits = ggml_type_traits(w.type);
    if (w.n_in <= 0 || w.n_out < 0 || w.n_in % traits.block_size != 0) {
        throw Error(std::string(operation) + ": invalid " + type_name + " weight shape [" + std::to_string(w.n_out) +
                    " x " + std::to_string(w.n_in) + "]; rows must have a positive multiple of " +
                    std::to_string(traits.block_size) + " elements");
    }
    const uint64_t expected = static_cast<uint64_t>(w.n_in) / traits.block_size * traits.block_bytes;
    if (w.row_bytes != expected) {
        throw Error(std::string(operation) + ": " + type_name + " rows of " + std::to_string(w.n_in) +
                    " elements take " + std::to_string(expected) + " bytes, but row_bytes is " +
                    std::to_string(w.row_bytes));
    }
    if (!w.data && w.n_out > 0)
        throw Error(std::string(operation) + ": weight data is null");
    if (w.interleaved && (w.type != GgmlType::Q4_0 || w.n_out % kInterleaveRows != 0 || w.in_perm)) {
        throw Error(std::string(operation) + ": interleaved rows need a Q4_0 matrix with a multiple of " +
                    std::to_string(kInterleaveRows) + " rows and no input order; found " + type_name + " with " +
                    std::to_string(w.n_out) + " rows");
    }
}

// The rows of an interleaved matrix back in GGUF order, in a buffer of the
// calling thread, for the kernels that read rows: the reference and the
// portable ones.
WeightMatrix deinterleaved(const WeightMatrix& w)
{
    thread_local std::vector<uint8_t> rows;
    rows.resize(static_cast<size_t>(w.n_out) * w.row_bytes);
    for (int64_t r = 0; r < w.n_out; ++r)
        deinterleave_row(w, r, rows.data() + static_cast<size_t>(r) * w.row_bytes);
    WeightMatrix copy = w;
    copy.data = rows.data();
    copy.interleaved = false;
    return copy;
}

// Plain F32 dot product in index order: the reference the kernels are tested against.
float reference_dot(const float* a, const float* b, int64_t n)
{
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

void matmul_reference(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool)
{
    const auto* weights = static_cast<const uint8_t*>(w.data);
    pool.parallel_for(w.n_out, 16, [&](int64_t row_begin, int64_t row_end) {
        auto* row = static_cast<float*>(cpu::thread_scratch(0, static_cast<size_t>(w.n_in) * sizeof(float)));
        for (int64_t r = row_begin; r < row_end; ++r) {
            dequantize_row_reference(w.type, weights + static_cast<size_t>(r) * w.row_bytes, row, w.n_in);
            for (int64_t t = 0; t < n_tokens; ++t)
                y[t * w.n_out + r] = reference_dot(row, x + t * w.n_in, w.n_in);
        }
    });
}

// Activation buffers of the calling thread, reused across matmuls.
struct ActivationStorage {
    std::unique_ptr<int8_t[]> q;
    std::unique_ptr<float[]> floats;
    size_t q_capacity = 0;
    size_t float_capacity = 0;
};

thread_local ActivationStorage t_activations;

cpu::QuantizedActivations quantize_activations(const float* x, int64_t n_tokens, int64_t n_in, ThreadPool& pool)
{
    // Size the arrays: per token n_in quants, n_in / 32 scales and sums and
    // n_in / 16 half-block sums.
    const size_t tokens = static_cast<size_t>(n_tokens);
    const size_t n = static_cast<size_t>(n_in);
    const size_t floats_per_token = n / 32 * 2 + n / 16;
    ActivationStorage& s = t_activations;
    if (s.q_capacity < tokens * n) {
        s.q = std::make_unique<int8_t[]>(tokens * n);
        s.q_capacity = tokens * n;
    }
    if (s.float_capacity < tokens * floats_per_token) {
        s.floats = std::make_unique<float[]>(tokens * floats_per_token);
        s.float_capacity = tokens * floats_per_token;
    }

    cpu::QuantizedActivations qa;
    qa.n_in = n_in;
    qa.q = s.q.get();
    qa.scale32 = s.floats.get();
    qa.sum32 = qa.scale32 + tokens * (n / 32);
    qa.sum16 = qa.sum32 + tokens * (n / 32);

    // Quantize the rows, in parallel when there are several.
    const cpu::QuantizeActivationsKernel kernel = cpu::uses_avx2(cpu::active_kernel_set())
                                                      ? cpu::avx2::quantize_activations
                                                      : cpu::generic::quantize_activations;
    if (n_tokens == 1) {
        kernel(x, n_in, qa.row(0));
    } else {
        pool.parallel_for(n_tokens, 1, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t)
                kernel(x + t * n_in, n_in, qa.row(t));
        });
    }
    return qa;
}

// The AVX2 GEMM's interleaved copy of the activations, in a buffer of the
// calling thread reused across matmuls.
thread_local std::unique_ptr<uint8_t[]> t_gemm_records;
thread_local size_t t_gemm_records_capacity = 0;

const uint8_t* pack_gemm_records(const cpu::QuantizedActivations& qa, int64_t n_tokens, ThreadPool& pool)
{
    const size_t bytes = cpu::avx2::gemm_records_bytes(n_tokens, qa.n_in);
    if (t_gemm_records_capacity < bytes) {
        t_gemm_records = std::make_unique<uint8_t[]>(bytes);
        t_gemm_records_capacity = bytes;
    }
    uint8_t* records = t_gemm_records.get();
    const int64_t n_groups = (n_tokens + cpu::avx2::kGemmTokenGroup - 1) / cpu::avx2::kGemmTokenGroup;
    // Each VNNI set has its own copy, compiled for its own instructions.
    const cpu::KernelSet kernel_set = cpu::active_kernel_set();
    auto pack = cpu::avx2::pack_gemm_records;
    if (kernel_set == cpu::KernelSet::Avx512Vnni)
        pack = cpu::vnni::pack_gemm_records;
    else if (kernel_set == cpu::KernelSet::AvxVnni)
        pack = cpu::avxvnni::pack_gemm_records;
    pool.parallel_for(n_groups, 1, [&](int64_t begin, int64_t end) { pack(qa, n_tokens, begin, end, records); });
    return records;
}

void matmul_fast(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool)
{
    const cpu::MatmulRangeKernel kernel = fast_kernel(w.type);
    const ActivationFormat format = cpu::activation_format(w.type);

    cpu::MatmulProblem problem;
    problem.type = w.type;
    problem.weights = static_cast<const uint8_t*>(w.data);
    problem.row_bytes = w.row_bytes;
    problem.n_in = w.n_in;
    problem.n_out = w.n_out;
    problem.x = x;
    problem.y = y;
    problem.use_gemm = n_tokens >= cpu::kGemmMinTokens;
    problem.interleaved = w.interleaved;
    cpu::QuantizedActivations qa;
    const bool avx2 = cpu::uses_avx2(cpu::active_kernel_set());
    if (format != ActivationFormat::None) {
        qa = quantize_activations(x, n_tokens, w.n_in, pool);
        problem.qx = &qa;
        if (avx2 && problem.use_gemm)
            problem.gemm_records = pack_gemm_records(qa, n_tokens, pool);
    }

    // Split the rows into about four ranges per thread, aligned to the GEMM
    // panel height, so uneven ranges balance out.
    const int64_t n_threads = pool.size();
    const int64_t align = cpu::kRowAlignment;
    int64_t row_chunk = (w.n_out + 4 * n_threads - 1) / (4 * n_threads);
    row_chunk = std::max(align, (row_chunk + align - 1) / align * align);
    const int64_t n_row_chunks = (w.n_out + row_chunk - 1) / row_chunk;

    // A matrix with few rows and many tokens also splits the tokens.
    // Token ranges start on multiples of the AVX2 GEMM's record group.
    int64_t n_token_chunks = 1;
    while (n_row_chunks * n_token_chunks < 2 * n_threads && n_tokens / (2 * n_token_chunks) >= cpu::kGemmMinTokens)
        n_token_chunks *= 2;
    const int64_t group = cpu::avx2::kGemmTokenGroup;
    const int64_t token_chunk = ((n_tokens + n_token_chunks - 1) / n_token_chunks + group - 1) / group * group;
    n_token_chunks = (n_tokens + token_chunk - 1) / token_chunk;

    if (n_token_chunks == 1) {
        // Ranges that shrink toward the end: long weight streams first, and
        // a short tail so both threads finish together.
        pool.parallel_for_shrinking(w.n_out, align, [&](int64_t row_begin, int64_t row_end) {
            kernel(problem, row_begin, row_end, 0, n_tokens);
        });
        return;
    }
    pool.parallel_for(n_row_chunks * n_token_chunks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t row_begin = (i % n_row_chunks) * row_chunk;
            const int64_t token_begin = (i / n_row_chunks) * token_chunk;
            kernel(problem, row_begin, std::min(row_begin + row_chunk, w.n_out), token_begin,
                   std::min(token_begin + token_chunk, n_tokens));
        }
    });
}

} // namespace

void matmul(const WeightMatrix& weights, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            KernelMode mode)
{
    check_weights(weights, "matmul");
    if (n_tokens < 0)
        throw Error("matmul: negative token count " + std::to_string(n_tokens));
    if (n_tokens == 0 || weights.n_out == 0)
        return;

    // Act-order weights: reorder the activations to the stored column order.
    if (weights.in_perm) {
        thread_local std::vector<float> permuted;
        permuted.resize(static_cast<size_t>(n_tokens * weights.n_in));
        for (int64_t t = 0; t < n_tokens; ++t) {
            const float* src = x + t * weights.n_in;
            float* dst = permuted.data() + t * weights.n_in;
            for (int64_t j = 0; j < weights.n_in; ++j)
                dst[j] = src[weights.in_perm[j]];
        }
        x = permuted.data();
    }

    // Only the AVX2 kernels read interleaved rows.
    const bool reads_interleaved = mode == KernelMode::Fast && cpu::uses_avx2(cpu::active_kernel_set());
    const WeightMatrix w = weights.interleaved && !reads_interleaved ? deinterleaved(weights) : weights;
    if (mode == KernelMode::Reference)
        matmul_reference(w, x, n_tokens, y, pool);
    else
        matmul_fast(w, x, n_tokens, y, pool);
}

void dequantize_row(const WeightMatrix& weights, int64_t row, float* out, KernelMode mode)
{
    check_weights(weights, "dequantize_row");
    if (row < 0 || row >= weights.n_out) {
        throw Error("dequantize_row: row " + std::to_string(row) + " is out of range; the matrix has " +
                    std::to_string(weights.n_out) + " rows");
    }
    const auto* src = static_cast<const uint8_t*>(weights.data) + static_cast<size_t>(row) * weights.row_bytes;
    thread_local std::vector<uint8_t> row_copy;
    if (weights.interleaved) {
        row_copy.resize(weights.row_bytes);
        deinterleave_row(weights, row, row_copy.data());
        src = row_copy.data();
    }
    if (mode == KernelMode::Reference)
        dequantize_row_reference(weights.type, src, out, weights.n_in);
    else if (cpu::uses_avx2(cpu::active_kernel_set()))
        cpu::avx2::dequantize_row(weights.type, src, out, weights.n_in);
    else
        cpu::generic::dequantize_row(weights.type, src, out, weights.n_in);
}

const char* cpu_kernel_name()
{
    return cpu::kernel_set_name(cpu::active_kernel_set());
}

} // namespace quanta
