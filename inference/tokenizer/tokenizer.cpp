#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"

namespace quanta {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file)
{
    const std::string model = file.get_string("tokenizer.ggml.model");
    if (model == "llama")
        return std::make_unique<SpmTokenizer>(file);
    if (model == "gpt2")
        return load_gguf_bpe_tokenizer(file);

    // TODO: the other kinds llama.cpp reads ("bert", "t5", "rwkv", ...) are
    // not implemented.
    throw UnsupportedError(file.path() + ": tokenizer model '" + model +
                           "' (key 'tokenizer.ggml.model') is not supported; supported: 'llama' (SentencePiece) "
                           "and 'gpt2' (byte-level BPE)");
}

std::unique_ptr<Tokenizer> Tokenizer::from_hf_dir(const std::string& directory)
{
    return load_hf_tokenizer_dir(directory);
}

} // namespace quanta
