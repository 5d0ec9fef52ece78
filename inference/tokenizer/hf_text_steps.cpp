#include "tokenizer/hf_text_steps.h"

#include "core/error.h"
#include "core/log.h"
#include "tokenizer/named_pre_tokenizers.h"
#include "tokenizer/piece_text.h"

namespace quanta {

namespace {

using nlohmann::json;

// Shared context for the messages: the file and the JSON path of the object.
struct Reader {
    const std::string& path;

    [[noreturn]] void malformed(const std::string& where, const std::string& problem) const
    {
        throw FormatError(path + ": " + where + " " + problem);
    }

    [[noreturn]] void unsupported(const std::string& where, const std::string& what) const
    {
        throw UnsupportedError(path + ": " + where + " is " + what + ", which is not supported");
    }

    std::string type_of(const json& object, const std::string& where) const
    {
        if (!object.is_object())
            malformed(where, "is not an object");
        const auto type = object.find("type");
        if (type == object.end() || !type->is_string())
            malformed(where, "has no \"type\" string");
        return type->get<std::string>();
    }

    std::string string_field(const json& object, const char* key, const std::string& where) const
    {
        const auto value = object.find(key);
        if (value == object.end() || !value->is_string())
            malformed(where, std::string("needs a string \"") + key + "\"");
        return value->get<std::string>();
    }

    bool bool_field(const json& object, const char* key, bool fallback, const std::string& where) const
    {
        const auto value = object.find(key);
        if (value == object.end() || value->is_null())
            return fallback;
        if (!value->is_boolean())
            malformed(where, std::string("has a non-boolean \"") + key + "\"");
        return value->get<bool>();
    }

    const json& array_field(const json& object, const char* key, const std::string& where) const
    {
        const auto value = object.find(key);
        if (value == object.end() || !value->is_array())
            malformed(where, std::string("needs an array \"") + key + "\"");
        return *value;
    }

    // A Split or Replace pattern: {"String": "..."} or {"Regex": "..."}.
    SplitRule pattern(const json& object, const std::string& where) const
    {
        const auto value = object.find("pattern");
        if (value == object.end() || !value->is_object())
            malformed(where, "needs a \"pattern\" object");
        SplitRule rule;
        if (const auto text = value->find("String"); text != value->end() && text->is_string()) {
            rule.pattern = text->get<std::string>();
            rule.is_regex = false;
        } else if (const auto regex = value->find("Regex"); regex != value->end() && regex->is_string()) {
            rule.pattern = regex->get<std::string>();
            rule.is_regex = true;
        } else {
            malformed(where, "has a \"pattern\" that is neither {\"String\": ...} nor {\"Regex\": ...}");
        }
        if (rule.pattern.empty())
            malformed(where, "has an empty pattern");
        return rule;
    }
};

void read_normalizer(const Reader& reader, const json& normalizer, const std::string& where,
                     std::vector<TextStep>& steps)
{
    if (normalizer.is_null())
        return;
    const std::string type = reader.type_of(normalizer, where);

    if (type == "Sequence") {
        const json& list = reader.array_field(normalizer, "normalizers", where);
        for (size_t i = 0; i < list.size(); ++i)
            read_normalizer(reader, list[i], where + ".normalizers[" + std::to_string(i) + "]", steps);
    } else if (type == "NFC") {
        steps.push_back(TextStep::normalize_nfc());
    } else if (type == "Prepend") {
        steps.push_back(TextStep::prepend(reader.string_field(normalizer, "prepend", where), false, false));
    } else if (type == "Replace") {
        const SplitRule rule = reader.pattern(normalizer, where);
        if (rule.is_regex)
            reader.unsupported(where, "a Replace normalizer with a regex pattern");
        steps.push_back(TextStep::replace(rule.pattern, reader.string_field(normalizer, "content", where)));
    } else {
        // TODO: NFD, NFKC, NFKD, Lowercase, Strip and BertNormalizer are not
        // implemented; BPE models rarely use them.
        reader.unsupported(where, "a '" + type + "' normalizer");
    }
}

SplitBehavior read_behavior(const Reader& reader, const json& object, const std::string& where)
{
    const std::string behavior = reader.string_field(object, "behavior", where);
    if (behavior == "Isolated")
        return SplitBehavior::Isolated;
    if (behavior == "Removed")
        return SplitBehavior::Removed;
    if (behavior == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (behavior == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    reader.unsupported(where, "a Split with behavior '" + behavior + "'");
}

// Metaspace: spaces become the replacement character, which also goes in
// front of the piece (every piece, or only the one at the start of the
// input for prepend_scheme "first"), and may split the text before each.
void read_metaspace(const Reader& reader, const json& object, const std::string& where, std::vector<TextStep>& steps)
{
    const std::string replacement = reader.string_field(object, "replacement", where);
    std::string scheme = "always";
    if (const auto value = object.find("prepend_scheme"); value != object.end() && value->is_string())
        scheme = value->get<std::string>();
    else if (!reader.bool_field(object, "add_prefix_space", true, where))
        scheme = "never";
    if (scheme != "always" && scheme != "first" && scheme != "never")
        reader.unsupported(where, "a Metaspace with prepend_scheme '" + scheme + "'");

    steps.push_back(TextStep::replace(" ", replacement));
    if (scheme != "never")
        steps.push_back(TextStep::prepend(replacement, scheme == "first", true));
    if (reader.bool_field(object, "split", true, where))
        steps.push_back(TextStep::split({replacement, false, SplitBehavior::MergedWithNext}));
}

// Returns true when the pre-tokenizer maps the text to the byte-level
// alphabet, which must then be its last step.
bool read_pre_tokenizer(const Reader& reader, const json& pre_tokenizer, const std::string& where,
                        std::vector<TextStep>& steps)
{
    if (pre_tokenizer.is_null())
        return false;
    const std::string type = reader.type_of(pre_tokenizer, where);

    if (type == "Sequence") {
        const json& list = reader.array_field(pre_tokenizer, "pretokenizers", where);
        bool byte_level = false;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string item = where + ".pretokenizers[" + std::to_string(i) + "]";
            if (byte_level)
                reader.unsupported(item, "a pre-tokenizer after ByteLevel");
            byte_level = read_pre_tokenizer(reader, list[i], item, steps);
        }
        return byte_level;
    }
    if (type == "ByteLevel") {
        // Hugging Face prepends the space per piece, before its own split.
        if (reader.bool_field(pre_tokenizer, "add_prefix_space", true, where))
            steps.push_back(TextStep::prepend(" ", false, true));
        if (reader.bool_field(pre_tokenizer, "use_regex", true, where))
            steps.push_back(TextStep::split({std::string(gpt2_split_regex()), true, SplitBehavior::Isolated}));
        return true;
    }
    if (type == "Split") {
        if (reader.bool_field(pre_tokenizer, "invert", false, where))
            reader.unsupported(where, "an inverted Split");
        SplitRule rule = reader.pattern(pre_tokenizer, where);
        rule.behavior = read_behavior(reader, pre_tokenizer, where);
        steps.push_back(TextStep::split(std::move(rule)));
        return false;
    }
    if (type == "Metaspace") {
        read_metaspace(reader, pre_tokenizer, where, steps);
        return false;
    }
    if (type == "Digits") {
        const bool individual = reader.bool_field(pre_tokenizer, "individual_digits", false, where);
        steps.push_back(TextStep::split({individual ? R"(\p{N})" : R"(\p{N}+)", true, SplitBehavior::Isolated}));
        return false;
    }
    // TODO: Whitespace, WhitespaceSplit, Punctuation, BertPreTokenizer and
    // UnicodeScripts are not implemented; BPE models rarely use them.
    reader.unsupported(where, "a '" + type + "' pre-tokenizer");
}

// Returns whether the decoder drops the first leading space.
bool read_decoder(const Reader& reader, const json& decoder, const std::string& where)
{
    if (decoder.is_null())
        return false;
    const std::string type = reader.type_of(decoder, where);

    if (type == "Sequence") {
        const json& list = reader.array_field(decoder, "decoders", where);
        bool strips = false;
        for (size_t i = 0; i < list.size(); ++i)
            strips = read_decoder(reader, list[i], where + ".decoders[" + std::to_string(i) + "]") || strips;
        return strips;
    }
    if (type == "ByteLevel" || type == "ByteFallback" || type == "Fuse")
        return false;
    if (type == "Replace") {
        // The token texts already tell which form the vocab has; only the
        // usual "▁" -> " " replacement is accepted.
        const SplitRule rule = reader.pattern(decoder, where);
        if (rule.is_regex || rule.pattern != kSpaceMarker || reader.string_field(decoder, "content", where) != " ")
            reader.unsupported(where, "a Replace decoder other than \"▁\" -> \" \"");
        return false;
    }
    if (type == "Strip") {
        const std::string content = reader.string_field(decoder, "content", where);
        const auto start = decoder.value("start", 0);
        const auto stop = decoder.value("stop", 0);
        if (content != " " || start > 1 || stop != 0)
            reader.unsupported(where, "a Strip decoder other than one leading space");
        return start == 1;
    }
    if (type == "Metaspace") {
        // NOTE: Hugging Face's Metaspace decoder drops every "▁" of the first
        // token; this drops only its first one.
        std::string scheme = "always";
        if (const auto value = decoder.find("prepend_scheme"); value != decoder.end() && value->is_string())
            scheme = value->get<std::string>();
        else if (!reader.bool_field(decoder, "add_prefix_space", true, where))
            scheme = "never";
        return scheme != "never";
    }
    reader.unsupported(where, "a '" + type + "' decoder");
}

} // namespace

HfTextPipeline read_hf_text_pipeline(const json& normalizer, const json& pre_tokenizer, const json& decoder,
                                     const std::string& path)
{
    const Reader reader{path};
    HfTextPipeline pipeline;
    read_normalizer(reader, normalizer, "normalizer", pipeline.steps);
    const bool byte_level = read_pre_tokenizer(reader, pre_tokenizer, "pre_tokenizer", pipeline.steps);
    pipeline.form = byte_level ? BpeTextForm::ByteLevel : BpeTextForm::SentencePiece;
    pipeline.decode_strips_leading_space = read_decoder(reader, decoder, "decoder");

    if (decoder.is_null())
        QUANTA_LOG_WARN("%s: the tokenizer has no decoder; tokens are decoded by the vocab's %s form", path.c_str(),
                        byte_level ? "byte-level" : "SentencePiece");
    return pipeline;
}

} // namespace quanta
