#include "hf_fixtures.h"

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "hf/hf_model.h"
#include "quant/reference.h"

#include <cstring>

namespace quanta::test {

std::vector<CheckpointVariant> checkpoint_variants()
{
    const auto gptq = [](int bits, int group, bool act_order, bool sym, bool v2) {
        HfQuantizeOptions o;
        o.method = HfQuantization::Method::Gptq;
        o.bits = bits;
        o.group_size = group;
        o.desc_act = act_order;
        o.sym = sym;
        o.gptq_v2 = v2;
        return o;
    };
    const auto awq = [](int group) {
        HfQuantizeOptions o;
        o.method = HfQuantization::Method::Awq;
        o.group_size = group;
        return o;
    };
    return {
        {"gptq-4bit-g128-sym", gptq(4, 128, false, true, false)},
        {"gptq-4bit-g32-actorder-asym", gptq(4, 32, true, false, false)},
        {"gptq-4bit-g64-asym-v2", gptq(4, 64, false, false, true)},
        {"gptq-4bit-row-sym", gptq(4, -1, false, true, false)},
        {"gptq-4bit-g16-asym", gptq(4, 16, false, false, false)},
        {"gptq-8bit-g128-sym", gptq(8, 128, false, true, false)},
        {"gptq-8bit-g32-actorder-asym-v2", gptq(8, 32, true, false, true)},
        {"gptq-3bit-g128-asym", gptq(3, 128, false, false, false)},
        {"gptq-3bit-g32-actorder-sym", gptq(3, 32, true, true, false)},
        {"gptq-2bit-g64-asym", gptq(2, 64, false, false, false)},
        {"gptq-2bit-g128-actorder-asym-v2", gptq(2, 128, true, false, true)},
        {"awq-gemm-g128", awq(128)},
        {"awq-gemm-g64", awq(64)},
        {"awq-gemm-g32", awq(32)},
    };
}

void write_f32_twin(const std::string& folder, const std::string& source_gguf, const std::string& out_path)
{
    const std::unique_ptr<GgufFile> source = GgufFile::open(source_gguf);
    const std::unique_ptr<GgufFile> model = open_hf_model(folder);
    GgufWriter writer;
    for (const GgufKeyValue& kv : source->metadata()) {
        if (kv.key != "general.file_type" && kv.key != "general.alignment")
            writer.add_value(kv.key, kv.value);
    }
    for (const GgufTensor& tensor : model->tensors()) {
        const uint64_t cols = tensor.ne[0];
        const uint64_t rows = tensor.n_elements / cols;
        const uint64_t row_bytes = tensor.n_bytes / rows;
        std::vector<float> values(tensor.n_elements);
        std::vector<float> stored(cols);
        for (uint64_t r = 0; r < rows; ++r) {
            dequantize_row_reference(tensor.type, tensor.data + r * row_bytes, stored.data(), static_cast<int64_t>(cols));
            float* row = values.data() + r * cols;
            for (uint64_t j = 0; j < cols; ++j)
                row[tensor.in_perm ? static_cast<uint64_t>(tensor.in_perm[j]) : j] = stored[j];
        }
        std::vector<uint8_t> bytes(values.size() * sizeof(float));
        std::memcpy(bytes.data(), values.data(), bytes.size());
        std::vector<uint64_t> ne(tensor.ne, tensor.ne + tensor.n_dims);
        writer.add_tensor(tensor.name, GgmlType::F32, ne, std::move(bytes));
    }
    writer.write(out_path);
}

} // namespace quanta::test
