#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/spm_tokenizer.h"

namespace quanta {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file)
{
    const std::string model = file.get_string("tokenizer.ggml.model");
    if (model == "llama")
        return std::make_unique<SpmTokenizer>(file);

    // TODO: byte-level BPE ("gpt2": Llama 3, Qwen, GPT-2) and the other
    // kinds llama.cpp reads ("bert", "t5", "rwkv") are not implemented.
    throw UnsupportedError(file.path() + ": tokenizer model '" + model +
                           "' (key 'tokenizer.ggml.model') is not supported; only 'llama' (SentencePiece) "
                           "vocabularies can be used so far");
}

} // namespace quanta
