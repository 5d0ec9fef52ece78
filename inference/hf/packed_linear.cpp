#include "hf/packed_linear.h"

#include "core/error.h"
#include "hf/safetensors.h"
#include "quant/blocks.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace quanta {

namespace {

std::string shape_text(const std::vector<uint64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// Throws FormatError unless `tensor` has `dtype` and `shape`. The message
// ends with `layer_sizes`, the sizes the expected shape comes from.
void expect_tensor(const SafetensorsTensor& tensor, SafetensorsDtype dtype, const std::vector<uint64_t>& shape,
                   const std::string& layer_sizes)
{
    const std::string where = *tensor.file + ": tensor '" + tensor.name + "'";
    if (tensor.dtype != dtype) {
        throw FormatError(where + " has dtype " + std::string(safetensors_dtype_name(tensor.dtype)) + ", expected " +
                          std::string(safetensors_dtype_name(dtype)));
    }
    if (tensor.shape != shape)
        throw FormatError(where + " has shape " + shape_text(tensor.shape) + ", expected " + shape_text(shape) + " (" + layer_sizes + ")");
}

const SafetensorsTensor& require(const SafetensorsTensor* tensor, const PackedLinear& linear, const char* suffix)
{
    if (!tensor) {
        throw FormatError(linear.name + "." + suffix + " is missing (a " + suffix +
                          " tensor belongs with every quantized linear layer)");
    }
    return *tensor;
}

uint32_t word_at(const SafetensorsTensor& tensor, uint64_t index)
{
    uint32_t word;
    std::memcpy(&word, tensor.data + 4 * index, sizeof(word));
    return word;
}

// Value i (bits [bits * i, bits * i + bits)) of a little-endian run of
// 32-bit words starting at element `first` of `tensor`, `stride` elements
// apart. GPTQ's 3-bit values cross word boundaries; the others never do.
uint32_t packed_value(const SafetensorsTensor& tensor, uint64_t first, uint64_t stride, int bits, uint64_t i)
{
    const uint64_t bit = static_cast<uint64_t>(bits) * i;
    const uint64_t word = bit / 32;
    const uint32_t offset = static_cast<uint32_t>(bit % 32);
    uint64_t value = word_at(tensor, first + word * stride) >> offset;
    if (offset + static_cast<uint32_t>(bits) > 32)
        value |= static_cast<uint64_t>(word_at(tensor, first + (word + 1) * stride)) << (32 - offset);
    return static_cast<uint32_t>(value) & ((1u << bits) - 1u);
}

std::string layer_shape(const PackedLinear& linear, const HfQuantization& q)
{
    return "K = " + std::to_string(linear.n_in) + " inputs, N = " + std::to_string(linear.n_out) + " outputs, " +
           std::to_string(q.bits) + " bits, group " + std::to_string(q.group_size);
}

// Copies the F16 scales [n_groups, N].
std::vector<uint16_t> read_scales(const SafetensorsTensor& scales)
{
    std::vector<uint16_t> out(scales.n_elements);
    std::memcpy(out.data(), scales.data, scales.n_bytes);
    return out;
}

} // namespace

UnpackedLinear unpack_gptq(const PackedLinear& linear, const HfQuantization& q)
{
    const int64_t K = linear.n_in;
    const int64_t N = linear.n_out;
    const int bits = q.bits;
    const std::string sizes = layer_shape(linear, q);

    // Rows of qweight hold 32 / bits inputs each; 3 bits pack 32 inputs into
    // three rows, and likewise the columns of qzeros.
    const int64_t unit = bits == 3 ? 32 : 32 / bits;
    if (K % unit != 0 || N % unit != 0) {
        throw FormatError(linear.name + ": " + std::to_string(bits) + "-bit GPTQ packs " + std::to_string(unit) +
                          " values per unit, but the layer has " + sizes);
    }
    const int64_t packed_k = K / unit * (bits == 3 ? 3 : 1);
    const int64_t packed_n = N / unit * (bits == 3 ? 3 : 1);
    const int64_t group_size = q.group_size > 0 ? q.group_size : K;
    const int64_t n_groups = (K + group_size - 1) / group_size;

    // Shapes and dtypes.
    const SafetensorsTensor& qweight = require(linear.qweight, linear, "qweight");
    const SafetensorsTensor& qzeros = require(linear.qzeros, linear, "qzeros");
    const SafetensorsTensor& scales = require(linear.scales, linear, "scales");
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    expect_tensor(qweight, SafetensorsDtype::I32, {u(packed_k), u(N)}, sizes);
    expect_tensor(qzeros, SafetensorsDtype::I32, {u(n_groups), u(packed_n)}, sizes);
    expect_tensor(scales, SafetensorsDtype::F16, {u(n_groups), u(N)}, sizes);

    UnpackedLinear out;
    out.n_in = K;
    out.n_out = N;
    out.bits = bits;
    out.n_groups = n_groups;

    // The group of each input: g_idx where present (act-order), else k / group.
    out.group.resize(static_cast<size_t>(K));
    if (linear.g_idx) {
        expect_tensor(*linear.g_idx, SafetensorsDtype::I32, {u(K)}, sizes);
        for (int64_t k = 0; k < K; ++k) {
            const auto g = static_cast<int32_t>(word_at(*linear.g_idx, u(k)));
            if (g < 0 || g >= n_groups) {
                throw FormatError(*linear.g_idx->file + ": tensor '" + linear.g_idx->name + "' element " +
                                  std::to_string(k) + " is " + std::to_string(g) + ", expected a group from 0 to " +
                                  std::to_string(n_groups - 1));
            }
            out.group[static_cast<size_t>(k)] = g;
        }
    } else {
        if (q.desc_act)
            throw FormatError(linear.name + ".g_idx is missing, but desc_act is true, so the input groups are unknown");
        for (int64_t k = 0; k < K; ++k)
            out.group[static_cast<size_t>(k)] = static_cast<int32_t>(k / group_size);
    }

    // Quants: input k of output n sits in column n, packed along the rows.
    out.q.resize(static_cast<size_t>(K * N));
    const int64_t rows_per_unit = bits == 3 ? 3 : 1;
    for (int64_t k0 = 0; k0 < K; k0 += unit) {
        const uint64_t first_row = u(k0 / unit * rows_per_unit);
        for (int64_t n = 0; n < N; ++n) {
            for (int64_t i = 0; i < unit; ++i) {
                out.q[static_cast<size_t>(n * K + k0 + i)] =
                    static_cast<uint8_t>(packed_value(qweight, first_row * u(N) + u(n), u(N), bits, u(i)));
            }
        }
    }

    // Zero points, packed along the columns; v1 stores zero - 1.
    out.zero.resize(static_cast<size_t>(n_groups * N));
    const int correction = q.zero_minus_one ? 1 : 0;
    for (int64_t g = 0; g < n_groups; ++g) {
        for (int64_t n0 = 0; n0 < N; n0 += unit) {
            const uint64_t first = u(g * packed_n + n0 / unit * rows_per_unit);
            for (int64_t i = 0; i < unit; ++i) {
                out.zero[static_cast<size_t>(g * N + n0 + i)] =
                    static_cast<int32_t>(packed_value(qzeros, first, 1, bits, u(i))) + correction;
            }
        }
    }

    out.scale = read_scales(scales);
    return out;
}

UnpackedLinear unpack_awq(const PackedLinear& linear, const HfQuantization& q)
{
    const int64_t K = linear.n_in;
    const int64_t N = linear.n_out;
    const std::string sizes = layer_shape(linear, q);
    if (N % 8 != 0 || q.group_size <= 0 || K % q.group_size != 0)
        throw FormatError(linear.name + ": AWQ needs N a multiple of 8 and K a multiple of the group, but the layer has " + sizes);
    const int64_t n_groups = K / q.group_size;

    const SafetensorsTensor& qweight = require(linear.qweight, linear, "qweight");
    const SafetensorsTensor& qzeros = require(linear.qzeros, linear, "qzeros");
    const SafetensorsTensor& scales = require(linear.scales, linear, "scales");
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    expect_tensor(qweight, SafetensorsDtype::I32, {u(K), u(N / 8)}, sizes);
    expect_tensor(qzeros, SafetensorsDtype::I32, {u(n_groups), u(N / 8)}, sizes);
    expect_tensor(scales, SafetensorsDtype::F16, {u(n_groups), u(N)}, sizes);

    // Word c contains outputs 8c .. 8c + 7, and output 8c + j is nibble
    // kNibbleOfOutput[j] because AutoAWQ packs them in the order 0 2 4 6 1 3 5 7.
    static constexpr int kNibbleOfOutput[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    const auto nibble = [&](const SafetensorsTensor& t, int64_t row, int64_t n) {
        const uint32_t word = word_at(t, u(row * (N / 8) + n / 8));
        return (word >> (4 * kNibbleOfOutput[n % 8])) & 15u;
    };

    UnpackedLinear out;
    out.n_in = K;
    out.n_out = N;
    out.bits = 4;
    out.n_groups = n_groups;
    out.q.resize(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k) {
        for (int64_t n = 0; n < N; ++n)
            out.q[static_cast<size_t>(n * K + k)] = static_cast<uint8_t>(nibble(qweight, k, n));
    }
    out.zero.resize(static_cast<size_t>(n_groups * N));
    for (int64_t g = 0; g < n_groups; ++g) {
        for (int64_t n = 0; n < N; ++n)
            out.zero[static_cast<size_t>(g * N + n)] = static_cast<int32_t>(nibble(qzeros, g, n));
    }
    out.group.resize(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k)
        out.group[static_cast<size_t>(k)] = static_cast<int32_t>(k / q.group_size);
    out.scale = read_scales(scales);
    return out;
}

std::vector<float> dequantize_linear(const UnpackedLinear& linear)
{
    const int64_t K = linear.n_in;
    const int64_t N = linear.n_out;
    std::vector<float> w(static_cast<size_t>(K * N));
    for (int64_t n = 0; n < N; ++n) {
        for (int64_t k = 0; k < K; ++k) {
            const size_t g = static_cast<size_t>(linear.group[static_cast<size_t>(k)] * N + n);
            const int diff = linear.q[static_cast<size_t>(n * K + k)] - linear.zero[g];
            w[static_cast<size_t>(n * K + k)] = static_cast<float>(diff) * fp16_to_fp32(linear.scale[g]);
        }
    }
    return w;
}

RepackedMatrix repack_linear(const UnpackedLinear& linear, const std::vector<int32_t>& row_order)
{
    const int64_t K = linear.n_in;
    const int64_t N = linear.n_out;
    const auto source_row = [&](int64_t r) { return row_order.empty() ? r : row_order[static_cast<size_t>(r)]; };

    // Column order: inputs sorted by group, stably, so that act-order groups
    // become contiguous runs.
    std::vector<int32_t> order(static_cast<size_t>(K));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return linear.group[static_cast<size_t>(a)] < linear.group[static_cast<size_t>(b)];
    });
    bool blocks_fit = K % QK_G == 0;
    for (int64_t b = 0; blocks_fit && b < K / QK_G; ++b) {
        const int32_t g = linear.group[static_cast<size_t>(order[static_cast<size_t>(b * QK_G)])];
        for (int64_t j = 1; j < QK_G && blocks_fit; ++j)
            blocks_fit = linear.group[static_cast<size_t>(order[static_cast<size_t>(b * QK_G + j)])] == g;
    }
    const int zero_limit = linear.bits <= 4 ? 16 : 256;
    for (size_t i = 0; blocks_fit && i < linear.zero.size(); ++i)
        blocks_fit = linear.zero[i] >= 0 && linear.zero[i] <= zero_limit;

    RepackedMatrix out;
    if (!blocks_fit) {
        // No block layout: exact F32 rows in natural order.
        const std::vector<float> w = dequantize_linear(linear);
        out.type = GgmlType::F32;
        out.row_bytes = static_cast<size_t>(K) * sizeof(float);
        out.data.resize(out.row_bytes * static_cast<size_t>(N));
        for (int64_t r = 0; r < N; ++r)
            std::memcpy(out.data.data() + static_cast<size_t>(r) * out.row_bytes, w.data() + source_row(r) * K, out.row_bytes);
        return out;
    }

    // One block per 32 sorted columns, with its group's scale and zero point.
    const bool four_bit = linear.bits <= 4;
    out.type = four_bit ? GgmlType::Q4_G : GgmlType::Q8_G;
    const int64_t n_blocks = K / QK_G;
    out.row_bytes = static_cast<size_t>(n_blocks) * (four_bit ? sizeof(block_q4_g) : sizeof(block_q8_g));
    out.data.resize(out.row_bytes * static_cast<size_t>(N));
    for (int64_t r = 0; r < N; ++r) {
        const int64_t n = source_row(r);
        const uint8_t* q = linear.q.data() + n * K;
        uint8_t* row = out.data.data() + static_cast<size_t>(r) * out.row_bytes;
        for (int64_t b = 0; b < n_blocks; ++b) {
            const int32_t* cols = order.data() + b * QK_G;
            const size_t g = static_cast<size_t>(linear.group[static_cast<size_t>(cols[0])] * N + n);
            if (four_bit) {
                block_q4_g block{};
                block.d = linear.scale[g];
                block.z = static_cast<int16_t>(linear.zero[g]);
                for (int j = 0; j < QK_G / 2; ++j)
                    block.qs[j] = static_cast<uint8_t>(q[cols[j]] | (q[cols[j + QK_G / 2]] << 4));
                std::memcpy(row + b * sizeof(block), &block, sizeof(block));
            } else {
                block_q8_g block{};
                block.d = linear.scale[g];
                block.z = static_cast<int16_t>(linear.zero[g] - 128);
                for (int j = 0; j < QK_G; ++j)
                    block.qs[j] = static_cast<int8_t>(q[cols[j]] - 128);
                std::memcpy(row + b * sizeof(block), &block, sizeof(block));
            }
        }
    }
    bool natural = true;
    for (int64_t k = 0; k < K && natural; ++k)
        natural = order[static_cast<size_t>(k)] == k;
    if (!natural)
        out.in_perm = std::move(order);
    return out;
}

} // namespace quanta
