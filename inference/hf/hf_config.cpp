#include "hf/hf_config.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace quanta {

namespace {

using nlohmann::json;

// Limits on sizes read from config.json, far above any real model.
constexpr int64_t kMaxDimension = 1 << 20;
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxContext = 1 << 24;

json read_json_file(const std::string& path)
{
    std::error_code error;
    if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error))
        throw IoError(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    try {
        json value = json::parse(text.str());
        if (!value.is_object())
            throw FormatError(path + ": expected a JSON object at the top level");
        return value;
    } catch (const json::exception& e) {
        throw FormatError(path + ": not valid JSON (" + std::string(e.what()) + ")");
    }
}

// Typed reads of one key of a JSON object; `path` names the file in errors.
class JsonObject {
public:
    JsonObject(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    bool has(const char* key) const { return object_.contains(key) && !object_.at(key).is_null(); }

    int64_t integer(const char* key, int64_t min, int64_t max) const
    {
        if (!has(key))
            throw FormatError(path_ + ": key '" + key + "' is missing");
        return integer_value(key, min, max);
    }

    int64_t integer(const char* key, int64_t min, int64_t max, int64_t fallback) const
    {
        return has(key) ? integer_value(key, min, max) : fallback;
    }

    double number(const char* key, double fallback) const
    {
        if (!has(key))
            return fallback;
        const json& value = object_.at(key);
        if (!value.is_number() || !(value.get<double>() > 0.0) || !std::isfinite(value.get<double>()))
            throw FormatError(path_ + ": key '" + key + "' is " + value.dump() + ", expected a positive number");
        return value.get<double>();
    }

    bool boolean(const char* key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        const json& value = object_.at(key);
        if (!value.is_boolean())
            throw FormatError(path_ + ": key '" + key + "' is " + value.dump() + ", expected true or false");
        return value.get<bool>();
    }

    std::string string(const char* key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        const json& value = object_.at(key);
        if (!value.is_string())
            throw FormatError(path_ + ": key '" + key + "' is " + value.dump() + ", expected a string");
        return value.get<std::string>();
    }

private:
    int64_t integer_value(const char* key, int64_t min, int64_t max) const
    {
        const json& value = object_.at(key);
        // Some writers store whole numbers as floats ("group_size": 128.0).
        if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>() &&
            std::fabs(value.get<double>()) < 1e15) {
            const auto whole = static_cast<int64_t>(value.get<double>());
            if (whole >= min && whole <= max)
                return whole;
        }
        if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > max) {
            throw FormatError(path_ + ": key '" + key + "' is " + value.dump() + ", expected an integer from " +
                              std::to_string(min) + " to " + std::to_string(max));
        }
        return value.get<int64_t>();
    }

    const json& object_;
    std::string path_;
};

// The GGUF architecture that runs each supported model_type.
std::string gguf_architecture(const std::string& model_type, const std::string& path)
{
    if (model_type == "llama" || model_type == "mistral")
        return "llama";
    if (model_type == "qwen2")
        return "qwen2";
    throw UnsupportedError(path + ": model_type '" + model_type +
                           "' is not supported for Hugging Face folders; supported: llama, mistral, qwen2 "
                           "(other architectures load from GGUF files)");
}

void read_rope_scaling(const json& config, const std::string& path, HfConfig& out)
{
    if (!config.contains("rope_scaling") || config.at("rope_scaling").is_null())
        return;
    const json& scaling = config.at("rope_scaling");
    if (!scaling.is_object())
        throw FormatError(path + ": key 'rope_scaling' is " + scaling.dump() + ", expected an object or null");
    const JsonObject fields(scaling, path + " (rope_scaling)");
    // Transformers has used both "type" and "rope_type".
    std::string type = fields.string("rope_type", fields.string("type", "default"));
    if (type == "default")
        return;
    if (type != "linear" && type != "llama3") {
        throw UnsupportedError(path + ": RoPE scaling type '" + type +
                               "' is not supported for Hugging Face folders; supported: linear, llama3");
    }
    out.rope_scaling_type = type;
    out.rope_factor = fields.number("factor", 1.0);
    if (type == "llama3") {
        out.rope_low_freq_factor = fields.number("low_freq_factor", 1.0);
        out.rope_high_freq_factor = fields.number("high_freq_factor", 4.0);
        out.rope_original_context =
            static_cast<int>(fields.integer("original_max_position_embeddings", 1, kMaxContext));
    }
}

HfQuantization read_quantization(const json& quant, const std::string& path)
{
    const JsonObject fields(quant, path);
    HfQuantization q;
    const std::string method = fields.string("quant_method", "gptq");
    if (method == "gptq") {
        q.method = HfQuantization::Method::Gptq;
        q.bits = static_cast<int>(fields.integer("bits", 1, 64));
        if (q.bits != 2 && q.bits != 3 && q.bits != 4 && q.bits != 8) {
            throw UnsupportedError(path + ": GPTQ with " + std::to_string(q.bits) +
                                   " bits is not supported; supported: 2, 3, 4 and 8 bits");
        }
        q.group_size = static_cast<int>(fields.integer("group_size", -1, kMaxDimension, -1));
        if (q.group_size == 0)
            throw FormatError(path + ": key 'group_size' is 0, expected -1 or a positive number of inputs");
        q.desc_act = fields.boolean("desc_act", false);
        q.sym = fields.boolean("sym", true);
        const std::string format = fields.string("checkpoint_format", "gptq");
        if (format != "gptq" && format != "gptq_v2") {
            throw UnsupportedError(path + ": GPTQ checkpoint_format '" + format +
                                   "' is not supported; supported: gptq (v1) and gptq_v2");
        }
        q.zero_minus_one = format == "gptq";
        return q;
    }
    if (method == "awq") {
        q.method = HfQuantization::Method::Awq;
        q.bits = static_cast<int>(fields.integer("bits", 1, 64, fields.integer("w_bit", 1, 64, 4)));
        if (q.bits != 4)
            throw UnsupportedError(path + ": AWQ with " + std::to_string(q.bits) + " bits is not supported; supported: 4 bits");
        q.group_size = static_cast<int>(
            fields.integer("group_size", 1, kMaxDimension, fields.integer("q_group_size", 1, kMaxDimension, 128)));
        if (!fields.boolean("zero_point", true))
            throw UnsupportedError(path + ": AWQ without zero points is not supported");
        q.awq_version = fields.string("version", "gemm");
        for (char& c : q.awq_version)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (q.awq_version != "gemm") {
            throw UnsupportedError(path + ": AWQ version '" + q.awq_version +
                                   "' is not supported; supported: gemm (the layout AutoAWQ writes by default)");
        }
        q.sym = false;
        q.zero_minus_one = false;
        if (quant.contains("modules_to_not_convert") && quant.at("modules_to_not_convert").is_array()) {
            for (const json& name : quant.at("modules_to_not_convert")) {
                if (name.is_string())
                    q.modules_to_not_convert.push_back(name.get<std::string>());
            }
        }
        return q;
    }
    throw UnsupportedError(path + ": quant_method '" + method + "' is not supported; supported: gptq, awq");
}

} // namespace

std::string HfQuantization::describe(const std::string& torch_dtype) const
{
    if (method == Method::None) {
        if (torch_dtype == "bfloat16")
            return "BF16";
        if (torch_dtype == "float32")
            return "F32";
        return "F16";
    }
    std::string text = method == Method::Gptq ? "GPTQ " : "AWQ ";
    text += std::to_string(bits) + "-bit";
    text += group_size > 0 ? ", group " + std::to_string(group_size) : ", one group per row";
    if (desc_act)
        text += ", act-order";
    return text;
}

bool is_hf_model_folder(const std::string& directory)
{
    // config.json counts when it exists at all, so that a config.json that is
    // not a regular file gets its own error from read_hf_config().
    std::error_code error;
    return std::filesystem::is_directory(directory, error) &&
           std::filesystem::exists(std::filesystem::path(directory) / "config.json", error);
}

HfConfig read_hf_config(const std::string& directory)
{
    const std::filesystem::path folder(directory);
    const std::string config_path = (folder / "config.json").string();
    const json config = read_json_file(config_path);
    const JsonObject fields(config, config_path);

    // Architecture and sizes.
    HfConfig out;
    out.model_type = fields.string("model_type", "");
    if (out.model_type.empty())
        throw FormatError(config_path + ": key 'model_type' is missing");
    out.architecture = gguf_architecture(out.model_type, config_path);
    out.vocab_size = static_cast<int>(fields.integer("vocab_size", 1, kMaxDimension * 4));
    out.hidden_size = static_cast<int>(fields.integer("hidden_size", 1, kMaxDimension));
    out.intermediate_size = static_cast<int>(fields.integer("intermediate_size", 1, kMaxDimension));
    out.n_layer = static_cast<int>(fields.integer("num_hidden_layers", 1, kMaxLayers));
    out.n_head = static_cast<int>(fields.integer("num_attention_heads", 1, kMaxDimension));
    out.n_head_kv = static_cast<int>(fields.integer("num_key_value_heads", 1, kMaxDimension, out.n_head));
    if (out.n_head % out.n_head_kv != 0) {
        throw FormatError(config_path + ": num_attention_heads (" + std::to_string(out.n_head) +
                          ") is not a multiple of num_key_value_heads (" + std::to_string(out.n_head_kv) + ")");
    }
    if (!fields.has("head_dim") && out.hidden_size % out.n_head != 0) {
        throw FormatError(config_path + ": hidden_size (" + std::to_string(out.hidden_size) +
                          ") is not a multiple of num_attention_heads (" + std::to_string(out.n_head) +
                          ") and there is no 'head_dim'");
    }
    out.head_dim = static_cast<int>(fields.integer("head_dim", 2, kMaxDimension, out.hidden_size / out.n_head));
    if (out.head_dim % 2 != 0)
        throw FormatError(config_path + ": head_dim is " + std::to_string(out.head_dim) + ", expected an even number");
    out.max_position_embeddings = static_cast<int>(fields.integer("max_position_embeddings", 1, kMaxContext, 4096));
    out.rms_norm_eps = fields.number("rms_norm_eps", 1e-6);
    out.rope_theta = fields.number("rope_theta", 10000.0);
    out.tie_word_embeddings = fields.boolean("tie_word_embeddings", false);
    out.torch_dtype = fields.string("torch_dtype", fields.string("dtype", "float16"));
    const std::string act = fields.string("hidden_act", "silu");
    if (act != "silu")
        throw UnsupportedError(config_path + ": hidden_act '" + act + "' is not supported; supported: silu");
    read_rope_scaling(config, config_path, out);
    if (config.contains("sliding_window") && config.at("sliding_window").is_number_integer() &&
        fields.boolean("use_sliding_window", true))
        out.sliding_window = static_cast<int>(fields.integer("sliding_window", 0, kMaxContext, 0));

    // Quantization: config.json's quantization_config, else quantize_config.json.
    const std::filesystem::path quant_path = folder / "quantize_config.json";
    if (config.contains("quantization_config") && !config.at("quantization_config").is_object() &&
        !config.at("quantization_config").is_null()) {
        throw FormatError(config_path + ": key 'quantization_config' is " + config.at("quantization_config").dump() +
                          ", expected an object");
    }
    if (config.contains("quantization_config") && config.at("quantization_config").is_object()) {
        out.quantization = read_quantization(config.at("quantization_config"), config_path + " (quantization_config)");
    } else if (std::filesystem::exists(quant_path)) {
        out.quantization = read_quantization(read_json_file(quant_path.string()), quant_path.string());
    }
    return out;
}

} // namespace quanta
