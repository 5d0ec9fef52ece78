// DecoderGraph::interleave_cpu_weights(): the CPU layers' Q4_0 matrices in
// the 8-row interleaved layout of cpu/repack.h.
#include "model/decoder.h"

#include "cpu/repack.h"

#include <algorithm>

namespace quanta {

uint64_t DecoderGraph::interleave_cpu_weights(int first_layer, bool output,
                                              const std::function<void(const void*, size_t)>& release)
{
    uint64_t bytes = 0;
    const auto interleave = [&](WeightMatrix& matrix) {
        if (!matrix.data || !can_interleave_rows(matrix))
            return;
        std::vector<uint8_t>& storage = interleaved_storage_.emplace_back();
        const WeightMatrix original = matrix;
        matrix = interleave_rows(original, storage);
        const size_t size = static_cast<size_t>(original.n_out) * original.row_bytes;
        if (release)
            release(original.data, size);
        bytes += size;
    };

    for (size_t il = static_cast<size_t>(std::max(first_layer, 0)); il < layers_.size(); ++il) {
        DecoderLayer& layer = layers_[il];
        for (WeightMatrix* matrix : {&layer.wq, &layer.wk, &layer.wv, &layer.wqkv, &layer.wo, &layer.w_gate,
                                     &layer.w_up, &layer.w_down})
            interleave(*matrix);
    }
    // A tied output projection is the token embedding, whose rows the
    // embedding lookup reads one at a time: it stays in rows.
    if (output && output_.data != token_embd_.data)
        interleave(output_);
    return bytes;
}

} // namespace quanta
