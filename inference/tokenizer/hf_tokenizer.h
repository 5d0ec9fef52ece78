// Tokenizers from Hugging Face model folders: tokenizer.json (BPE models,
// byte-level or SentencePiece-style), and GPT-2's encoder.json + vocab.bpe.
#pragma once

#include "tokenizer/tokenizer.h"

#include <memory>
#include <string>

namespace quanta {

// Loads `directory`/tokenizer.json, with tokenizer_config.json and
// generation_config.json beside it when present, or else encoder.json +
// vocab.bpe. Throws IoError naming the folder when it has neither.
std::unique_ptr<Tokenizer> load_hf_tokenizer_dir(const std::string& directory);

// Loads a tokenizer.json. `config_path` names its tokenizer_config.json,
// which gives the BOS and EOS tokens, and `generation_config_path` a
// generation_config.json whose eos_token_id (one id or a list) also ends
// generation (Gemma lists both <eos> and <end_of_turn>); empty for none.
std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& tokenizer_path, const std::string& config_path,
                                                  const std::string& generation_config_path = {});

// Loads GPT-2's original files: encoder.json (token text -> id) and
// vocab.bpe (one merge per line after a "#version" line).
std::unique_ptr<Tokenizer> load_gpt2_tokenizer_files(const std::string& encoder_path, const std::string& merges_path);

} // namespace quanta
