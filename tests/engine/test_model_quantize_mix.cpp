// The quantization mixes: names and file type numbers, the rules that keep
// some tensors at a higher type (checked against llama-quantize's choices
// for the same model), and the per-type statistics `quanta-cli inspect`
// prints.
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "quantize/model_quantizer.h"
#include "quantize/model_stats.h"
#include "quantize/quant_mix.h"
#include "test_support.h"

#include <QtTest>

#include <cmath>
#include <map>
#include <set>

using namespace quanta;

namespace {

// The mixes for which llama.cpp's quantized copy of the wide model exists.
const QStringList kLlamaCppMixes = {"Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL",
                                    "Q4_0", "Q4_1",   "Q5_0",   "Q8_0", "F16"};

std::string wide_model(const QString& type)
{
    return test::shared_path("models/stories260K-wide/stories260K-wide-" + type.toStdString() + ".gguf");
}

QuantMix mix_named(const QString& name)
{
    const std::optional<QuantMix> mix = find_quant_mix(name.toStdString());
    if (!mix)
        throw std::runtime_error("no mix named " + name.toStdString());
    return *mix;
}

std::map<std::string, GgmlType> tensor_types(const GgufFile& file)
{
    std::map<std::string, GgmlType> types;
    for (const GgufTensor& tensor : file.tensors())
        types[tensor.name] = tensor.type;
    return types;
}

} // namespace

class TestQuantMix : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void mixNamesParse();
    void mixRulesPlaceUpgrades();
    void mixRulesForFusedAndTied();
    void mixMatchesLlamaQuantize();
    void modelStatsSumTensors();

private:
    std::unique_ptr<GgufFile> f32_;
};

void TestQuantMix::initTestCase()
{
    set_log_level(LogLevel::Warning);
    if (test::shared_available())
        f32_ = GgufFile::open(wide_model("F32"));
}

// Mix names map to llama.h's LLAMA_FTYPE numbers and default types.
void TestQuantMix::mixNamesParse()
{
    struct Expected {
        const char* name;
        uint32_t file_type;
        GgmlType type;
    };
    const Expected expected[] = {
        {"Q2_K", 10, GgmlType::Q2_K},   {"Q3_K_S", 11, GgmlType::Q3_K}, {"Q3_K_M", 12, GgmlType::Q3_K},
        {"Q3_K_L", 13, GgmlType::Q3_K}, {"Q4_K_S", 14, GgmlType::Q4_K}, {"Q4_K_M", 15, GgmlType::Q4_K},
        {"Q5_K_S", 16, GgmlType::Q5_K}, {"Q5_K_M", 17, GgmlType::Q5_K}, {"Q6_K", 18, GgmlType::Q6_K},
        {"IQ4_XS", 30, GgmlType::IQ4_XS}, {"IQ4_NL", 25, GgmlType::IQ4_NL}, {"Q4_0", 2, GgmlType::Q4_0},
        {"Q4_1", 3, GgmlType::Q4_1},    {"Q5_0", 8, GgmlType::Q5_0},    {"Q5_1", 9, GgmlType::Q5_1},
        {"Q8_0", 7, GgmlType::Q8_0},    {"F16", 1, GgmlType::F16},      {"BF16", 32, GgmlType::BF16},
        {"F32", 0, GgmlType::F32},
    };
    for (const Expected& entry : expected) {
        const std::optional<QuantMix> mix = find_quant_mix(entry.name);
        QVERIFY2(mix, entry.name);
        QCOMPARE(mix->name, std::string(entry.name));
        QVERIFY(!mix->pure);
        QCOMPARE(mix->file_type.value_or(999), entry.file_type);
        QCOMPARE(mix->default_type, entry.type);
        QCOMPARE(file_type_name(entry.file_type).value_or(""), std::string_view(entry.name));
    }

    // Case does not matter; plain K-quant types are pure mixes.
    QCOMPARE(find_quant_mix("q4_k_m")->name, std::string("Q4_K_M"));
    const std::optional<QuantMix> pure = find_quant_mix("q4_k");
    QVERIFY(pure && pure->pure);
    QCOMPARE(pure->default_type, GgmlType::Q4_K);
    QCOMPARE(pure->file_type.value_or(999), 14u);

    // Unknown names, intermediate and storage-only types are rejected.
    for (const char* name : {"", "Q4_K_X", "Q8_K", "I32", "Q4_2", "F64", "q4km"})
        QVERIFY2(!find_quant_mix(name), name);

    // The listed names all parse, the mixes above first and in that order.
    const std::vector<std::string> names = quant_mix_names();
    QVERIFY(names.size() >= std::size(expected));
    for (size_t i = 0; i < std::size(expected); ++i)
        QCOMPARE(names[i], std::string(expected[i].name));
    for (const std::string& name : names)
        QVERIFY2(find_quant_mix(name), name.c_str());
    QVERIFY(!file_type_name(1024));
}

// A 32-layer llama with 4 query heads per KV head, as Llama 3 8B is shaped.
void TestQuantMix::mixRulesPlaceUpgrades()
{
    MixModelShape shape{"llama", 32, 32, 8, 0};
    std::vector<MixTensor> tensors = {{"token_embd.weight", 2, 4096}, {"output.weight", 2, 4096},
                                      {"output_norm.weight", 1, 4096}};
    for (int layer = 0; layer < 32; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        for (const char* name : {"attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight",
                                 "ffn_gate.weight", "ffn_up.weight"})
            tensors.push_back({prefix + name, 2, 4096});
        tensors.push_back({prefix + "ffn_down.weight", 2, 14336});
        tensors.push_back({prefix + "attn_norm.weight", 1, 4096});
    }
    const auto type_of = [&](const std::vector<TensorTypeChoice>& choices, const std::string& name) {
        for (size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].name == name)
                return choices[i].type;
        }
        throw std::runtime_error("no tensor " + name);
    };
    const auto layer_name = [](int layer, const char* name) { return "blk." + std::to_string(layer) + "." + name; };

    // Q4_K_M: the first and last eighth and every third layer between.
    const std::set<int> more_bits = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};
    std::vector<TensorTypeChoice> choices = choose_tensor_types(mix_named("Q4_K_M"), shape, tensors);
    QCOMPARE(type_of(choices, "output.weight"), GgmlType::Q6_K);
    QCOMPARE(type_of(choices, "token_embd.weight"), GgmlType::Q4_K);
    QVERIFY(!choices[2].quantizable);
    for (int layer = 0; layer < 32; ++layer) {
        const GgmlType upgraded = more_bits.count(layer) ? GgmlType::Q6_K : GgmlType::Q4_K;
        QCOMPARE(type_of(choices, layer_name(layer, "attn_v.weight")), upgraded);
        QCOMPARE(type_of(choices, layer_name(layer, "ffn_down.weight")), upgraded);
        QCOMPARE(type_of(choices, layer_name(layer, "attn_q.weight")), GgmlType::Q4_K);
        QCOMPARE(type_of(choices, layer_name(layer, "ffn_up.weight")), GgmlType::Q4_K);
    }

    // Q3_K_M: attn_v Q5_K in the first two layers, ffn_down in the first
    // sixteenth, attn_output Q4_K throughout.
    choices = choose_tensor_types(mix_named("Q3_K_M"), shape, tensors);
    for (int layer = 0; layer < 32; ++layer) {
        QCOMPARE(type_of(choices, layer_name(layer, "attn_v.weight")), layer < 2 ? GgmlType::Q5_K : GgmlType::Q4_K);
        QCOMPARE(type_of(choices, layer_name(layer, "ffn_down.weight")), layer < 2 ? GgmlType::Q5_K : GgmlType::Q4_K);
        QCOMPARE(type_of(choices, layer_name(layer, "attn_output.weight")), GgmlType::Q4_K);
        QCOMPARE(type_of(choices, layer_name(layer, "attn_k.weight")), GgmlType::Q3_K);
    }

    // Q3_K_S, Q5_K_S and Q6_K change only the output (to Q6_K).
    for (const char* name : {"Q3_K_S", "Q5_K_S", "Q6_K"}) {
        const QuantMix mix = mix_named(name);
        choices = choose_tensor_types(mix, shape, tensors);
        QCOMPARE(type_of(choices, "output.weight"), GgmlType::Q6_K);
        for (int layer = 0; layer < 32; ++layer)
            QCOMPARE(type_of(choices, layer_name(layer, "ffn_down.weight")), mix.default_type);
    }

    // Q3_K_L: attn_v, ffn_down and attn_output Q5_K everywhere.
    choices = choose_tensor_types(mix_named("Q3_K_L"), shape, tensors);
    QCOMPARE(type_of(choices, layer_name(17, "attn_v.weight")), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(17, "ffn_down.weight")), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(17, "attn_output.weight")), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(17, "ffn_gate.weight")), GgmlType::Q3_K);

    // Q4_K_S: attn_v Q5_K in the first four layers, ffn_down in the first
    // eighth.
    choices = choose_tensor_types(mix_named("Q4_K_S"), shape, tensors);
    for (int layer = 0; layer < 32; ++layer) {
        QCOMPARE(type_of(choices, layer_name(layer, "attn_v.weight")), layer < 4 ? GgmlType::Q5_K : GgmlType::Q4_K);
        QCOMPARE(type_of(choices, layer_name(layer, "ffn_down.weight")), layer < 4 ? GgmlType::Q5_K : GgmlType::Q4_K);
    }

    // Q2_K: with 4 query heads per KV head attn_v is Q4_K; ffn_down and
    // attn_output Q3_K.
    choices = choose_tensor_types(mix_named("Q2_K"), shape, tensors);
    QCOMPARE(type_of(choices, layer_name(5, "attn_v.weight")), GgmlType::Q4_K);
    QCOMPARE(type_of(choices, layer_name(5, "ffn_down.weight")), GgmlType::Q3_K);
    QCOMPARE(type_of(choices, layer_name(5, "attn_output.weight")), GgmlType::Q3_K);
    QCOMPARE(type_of(choices, layer_name(5, "attn_q.weight")), GgmlType::Q2_K);

    // IQ4_XS: attn_v Q5_K with 4 query heads per KV head, ffn_down Q5_K in
    // the first eighth.
    choices = choose_tensor_types(mix_named("IQ4_XS"), shape, tensors);
    QCOMPARE(type_of(choices, layer_name(10, "attn_v.weight")), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(3, "ffn_down.weight")), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(4, "ffn_down.weight")), GgmlType::IQ4_XS);
    QCOMPARE(type_of(choices, "output.weight"), GgmlType::Q6_K);

    // Q8_0 keeps the output in Q8_0; F16 converts every matrix alike.
    choices = choose_tensor_types(mix_named("Q8_0"), shape, tensors);
    QCOMPARE(type_of(choices, "output.weight"), GgmlType::Q8_0);
    choices = choose_tensor_types(mix_named("F16"), shape, tensors);
    QCOMPARE(type_of(choices, "output.weight"), GgmlType::F16);
    QCOMPARE(type_of(choices, layer_name(2, "attn_v.weight")), GgmlType::F16);

    // A pure type applies to the output as well.
    choices = choose_tensor_types(*find_quant_mix("Q5_K"), shape, tensors);
    QCOMPARE(type_of(choices, "output.weight"), GgmlType::Q5_K);
    QCOMPARE(type_of(choices, layer_name(2, "attn_v.weight")), GgmlType::Q5_K);

    // 80 llama layers with grouped-query attention: attn_v goes from Q4_K to
    // Q5_K.
    shape.n_layer = 80;
    choices = choose_tensor_types(mix_named("Q4_K_M"), shape, tensors);
    QCOMPARE(type_of(choices, layer_name(4, "attn_v.weight")), GgmlType::Q5_K);
}

// Phi-3's fused QKV, a tied embedding and the tensors a mix leaves alone.
void TestQuantMix::mixRulesForFusedAndTied()
{
    const MixModelShape shape{"phi3", 8, 32, 32, 0};
    const std::vector<MixTensor> tensors = {
        {"token_embd.weight", 2, 3072},          {"blk.0.attn_qkv.weight", 2, 3072},
        {"blk.0.ffn_gate_inp.weight", 2, 3072},  {"blk.0.attn_norm.weight", 1, 3072},
        {"blk.0.attn_q_norm.weight", 2, 128},    {"blk.0.attn_q.bias", 2, 3072},
        {"rope_factors_long.weight", 1, 48},
    };
    std::vector<TensorTypeChoice> choices = choose_tensor_types(mix_named("Q4_K_M"), shape, tensors);
    QCOMPARE(choices[0].type, GgmlType::Q6_K);  // no output.weight: token_embd is the output
    QCOMPARE(choices[1].type, GgmlType::Q5_K);
    for (size_t i = 2; i < tensors.size(); ++i)
        QVERIFY2(!choices[i].quantizable, tensors[i].name.c_str());

    choices = choose_tensor_types(mix_named("Q5_K_M"), shape, tensors);
    QCOMPARE(choices[1].type, GgmlType::Q6_K);
    choices = choose_tensor_types(mix_named("Q3_K_M"), shape, tensors);
    QCOMPARE(choices[1].type, GgmlType::Q4_K);
    choices = choose_tensor_types(mix_named("Q4_K_S"), shape, tensors);
    QCOMPARE(choices[1].type, GgmlType::Q4_K);
}

// The plan for the wide F32 model gives every tensor the type llama-quantize
// gave it.
void TestQuantMix::mixMatchesLlamaQuantize()
{
    if (!f32_)
        QSKIP("shared models are not available");
    for (const QString& name : kLlamaCppMixes) {
        const std::unique_ptr<GgufFile> reference = GgufFile::open(wide_model(name));
        const std::vector<TensorQuantPlan> plans = plan_model_quantization(*f32_, mix_named(name));
        const std::map<std::string, GgmlType> expected = tensor_types(*reference);
        QCOMPARE(plans.size(), expected.size());
        for (const TensorQuantPlan& plan : plans) {
            const auto it = expected.find(plan.name);
            QVERIFY2(it != expected.end(), plan.name.c_str());
            QVERIFY2(plan.to == it->second, qPrintable(name + ": " + QString::fromStdString(plan.name) + " is " +
                                                       ggml_type_name(plan.to).data() + ", llama-quantize chose " +
                                                       ggml_type_name(it->second).data()));
            QVERIFY(!plan.fallback_from);
        }
    }
}

void TestQuantMix::modelStatsSumTensors()
{
    if (!f32_)
        QSKIP("shared models are not available");
    // llama-quantize's Q4_K_M of the wide model: 5 layers of 9 tensors.
    const std::unique_ptr<GgufFile> file = GgufFile::open(wide_model("Q4_K_M"));
    const ModelStats stats = compute_model_stats(*file);
    QCOMPARE(stats.n_tensors, uint64_t(48));
    QCOMPARE(stats.n_params, compute_model_stats(*f32_).n_params);
    std::map<GgmlType, uint64_t> counts;
    uint64_t bytes = 0;
    double share = 0;
    for (const TypeStats& entry : stats.by_type) {
        counts[entry.type] = entry.n_tensors;
        bytes += entry.n_bytes;
        share += stats.byte_share(entry);
    }
    QCOMPARE(counts[GgmlType::Q4_K], uint64_t(32));  // 35 matrices less 2 attn_v and 2 ffn_down, plus token_embd
    QCOMPARE(counts[GgmlType::Q6_K], uint64_t(5));   // output, and attn_v and ffn_down in layers 2 and 4
    QCOMPARE(counts[GgmlType::F32], uint64_t(11));   // the norms
    QCOMPARE(bytes, stats.n_bytes);
    QVERIFY(std::abs(share - 1.0) < 1e-12);
    QCOMPARE(stats.by_type.front().type, GgmlType::Q4_K);  // most bytes first
    QCOMPARE(stats.bits_per_weight, 8.0 * double(stats.n_bytes) / double(stats.n_params));
    QVERIFY(stats.bits_per_weight > 4.5 && stats.bits_per_weight < 5.5);

    // A Q4_K block is 144 bytes for 256 weights.
    const TypeStats& q4_k = stats.by_type.front();
    QCOMPARE(q4_k.n_bytes * 256, q4_k.n_elements * 144);

    // All-F32 is 32 bits per weight.
    QCOMPARE(compute_model_stats(*f32_).bits_per_weight, 32.0);
}

QTEST_GUILESS_MAIN(TestQuantMix)
#include "test_model_quantize_mix.moc"
