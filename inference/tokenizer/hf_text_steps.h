// Translation of tokenizer.json's normalizer, pre-tokenizer and decoder into
// the text steps of BpeTokenizer.
#pragma once

#include "tokenizer/bpe_tokenizer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace quanta {

struct HfTextPipeline {
    BpeTextForm form = BpeTextForm::SentencePiece;
    std::vector<TextStep> steps;
    bool decode_strips_leading_space = false;
};

// Reads the "normalizer", "pre_tokenizer" and "decoder" objects (each may
// be null). Supported: normalizers NFC, Prepend, Replace (string pattern)
// and Sequence; pre-tokenizers Split, ByteLevel, Metaspace, Digits and
// Sequence; decoders ByteLevel, Replace, ByteFallback, Fuse, Strip,
// Metaspace and Sequence. Throws UnsupportedError naming `path` and the
// type for anything else, and FormatError for a malformed object.
HfTextPipeline read_hf_text_pipeline(const nlohmann::json& normalizer, const nlohmann::json& pre_tokenizer,
                                     const nlohmann::json& decoder, const std::string& path);

} // namespace quanta
