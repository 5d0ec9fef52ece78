#include "model_path.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_config.h"
#include "hf/hf_model.h"

#include <filesystem>

namespace quanta::cli {

bool is_model_folder(const std::string& path)
{
    std::error_code error;
    if (!std::filesystem::is_directory(path, error))
        return false;
    if (!is_hf_model_folder(path)) {
        throw IoError(path + ": this folder has no config.json, so it is not a Hugging Face model folder; pass a "
                             ".gguf file or a folder with config.json, *.safetensors and tokenizer.json");
    }
    return true;
}

ModelSummary summarize_model_path(const std::string& path)
{
    if (is_model_folder(path))
        return summarize_hf_folder(path);
    return summarize_model_file(*GgufFile::open(path));
}

} // namespace quanta::cli
