#include "quantize/model_stats.h"

#include "gguf/gguf_reader.h"

#include <algorithm>
#include <map>

namespace quanta {

double ModelStats::byte_share(const TypeStats& stats) const
{
    return n_bytes == 0 ? 0.0 : static_cast<double>(stats.n_bytes) / static_cast<double>(n_bytes);
}

ModelStats compute_model_stats(const GgufFile& file)
{
    // Sum per type. The reader rejects tensors that overlap or run past the
    // end of the file, so the byte sums are at most the file size, and no
    // type stores more than a few elements per byte.
    std::map<GgmlType, TypeStats> by_type;
    ModelStats stats;
    for (const GgufTensor& tensor : file.tensors()) {
        TypeStats& entry = by_type[tensor.type];
        entry.type = tensor.type;
        entry.n_tensors += 1;
        entry.n_elements += tensor.n_elements;
        entry.n_bytes += tensor.n_bytes;
        stats.n_tensors += 1;
        stats.n_params += tensor.n_elements;
        stats.n_bytes += tensor.n_bytes;
    }

    // Most bytes first; ties by type id so the order is stable.
    for (const auto& [type, entry] : by_type)
        stats.by_type.push_back(entry);
    std::stable_sort(stats.by_type.begin(), stats.by_type.end(),
                     [](const TypeStats& a, const TypeStats& b) { return a.n_bytes > b.n_bytes; });

    if (stats.n_params > 0)
        stats.bits_per_weight = 8.0 * static_cast<double>(stats.n_bytes) / static_cast<double>(stats.n_params);
    return stats;
}

} // namespace quanta
