// DecoderGraph::copy_cpu_weights(): the matrices the CPU layers read, copied
// into one buffer of huge pages, Q4_0 ones in the 8-row interleaved layout
// of cpu/repack.h.
#include "model/decoder.h"

#include "cpu/repack.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace quanta {

namespace {

constexpr size_t kMatrixAlignment = 64;

size_t matrix_bytes(const WeightMatrix& matrix)
{
    return static_cast<size_t>(matrix.n_out) * matrix.row_bytes;
}

size_t aligned_bytes(const WeightMatrix& matrix)
{
    return (matrix_bytes(matrix) + kMatrixAlignment - 1) / kMatrixAlignment * kMatrixAlignment;
}

size_t total_bytes(const std::vector<WeightMatrix*>& matrices)
{
    size_t total = 0;
    for (const WeightMatrix* matrix : matrices)
        total += aligned_bytes(*matrix);
    return total;
}

} // namespace

CpuWeightCopies DecoderGraph::copy_cpu_weights(const CpuWeightCopyOptions& options)
{
    std::vector<WeightMatrix*> matrices;
    for (size_t il = static_cast<size_t>(std::max(options.first_layer, 0)); il < layers_.size(); ++il) {
        DecoderLayer& layer = layers_[il];
        for (WeightMatrix* matrix : {&layer.wq, &layer.wk, &layer.wv, &layer.wqkv, &layer.wo, &layer.w_gate,
                                     &layer.w_up, &layer.w_down})
            matrices.push_back(matrix);
    }
    if (options.output && output_.data != token_embd_.data)
        matrices.push_back(&output_);
    std::erase_if(matrices, [](const WeightMatrix* matrix) { return !matrix->data || matrix->n_out == 0; });

    // Copy every requested matrix where the budget allows, else only the
    // interleaved ones.
    const auto interleaves = [&](const WeightMatrix& matrix) {
        return options.interleave && can_interleave_rows(matrix);
    };
    const auto copies_as_is = [&](const WeightMatrix& matrix) {
        return options.copy_all && options.releasable && options.releasable(matrix.data, matrix_bytes(matrix));
    };
    std::erase_if(matrices, [&](const WeightMatrix* matrix) { return !interleaves(*matrix) && !copies_as_is(*matrix); });

    CpuWeightCopies copies;
    copies.requested = total_bytes(matrices);
    const auto keep_only_interleaved = [&] {
        std::erase_if(matrices, [&](const WeightMatrix* matrix) { return !interleaves(*matrix); });
    };
    if (copies.requested > options.budget) {
        keep_only_interleaved();
        copies.over_budget = true;
    }
    if (matrices.empty())
        return copies;

    // If the buffer cannot be reserved, only the interleaved matrices are
    // copied, or none. The kernels then read the mapped rows as they are.
    HugePageBuffer buffer;
    try {
        buffer = HugePageBuffer(total_bytes(matrices), options.huge_pages);
    } catch (const std::bad_alloc&) {
        copies.reservation_failed = true;
        keep_only_interleaved();
        try {
            if (!matrices.empty())
                buffer = HugePageBuffer(total_bytes(matrices), options.huge_pages);
        } catch (const std::bad_alloc&) {
            matrices.clear();
        }
        if (matrices.empty())
            return copies;
    }

    copies.huge_pages = buffer.advised();
    size_t offset = 0;
    for (WeightMatrix* matrix : matrices) {
        const WeightMatrix original = *matrix;
        const size_t size = matrix_bytes(original);
        uint8_t* destination = buffer.data() + offset;
        if (interleaves(original)) {
            *matrix = interleave_rows(original, destination);
            copies.interleaved += size;
        } else {
            std::memcpy(destination, original.data, size);
            matrix->data = destination;
        }
        copies.copied += size;
        offset += aligned_bytes(original);
        if (options.release)
            options.release(original.data, size);
    }
    cpu_weights_ = std::move(buffer);
    return copies;
}

} // namespace quanta
