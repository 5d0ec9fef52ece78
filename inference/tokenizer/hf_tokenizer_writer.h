// Writer of Hugging Face tokenizer files for the vocabulary of a GGUF file,
// so that a checkpoint folder converted from GGUF carries its tokenizer.
#pragma once

#include <string>

namespace quanta {

class GgufFile;

// Writes `directory`/tokenizer.json and `directory`/tokenizer_config.json for
// the tokenizer of `file`, so that Tokenizer::from_hf_dir(directory) encodes
// and decodes as Tokenizer::from_gguf(file) does:
//  - `tokenizer.ggml.model` "llama" (SentencePiece): the BPE model with byte
//    fallback that transformers' LlamaConverter writes, with merges derived
//    from the token scores;
//  - "gpt2": byte-level BPE with the file's merges and the split patterns of
//    its `tokenizer.ggml.pre`.
// Each file goes to FILE.tmp first and is renamed over FILE. Throws IoError
// naming the file that cannot be written, UnsupportedError naming `file` for
// another tokenizer model or a token text that is not valid UTF-8 (JSON
// cannot hold it), and FormatError as Tokenizer::from_gguf does for a
// malformed vocab.
void write_hf_tokenizer_files(const GgufFile& file, const std::string& directory);

} // namespace quanta
