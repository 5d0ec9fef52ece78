#include "model/model_graph.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "model/llama.h"

namespace quanta {

std::vector<std::string> ModelGraph::supported_architectures()
{
    return {"llama"};
}

std::unique_ptr<ModelGraph> ModelGraph::create(const GgufFile& file, KernelMode kernels)
{
    const std::string architecture = file.get_string("general.architecture");
    if (architecture == "llama")
        return std::make_unique<LlamaGraph>(file, kernels);

    std::string supported;
    for (const std::string& name : supported_architectures())
        supported += (supported.empty() ? "" : ", ") + name;
    throw UnsupportedError(file.path() + ": model architecture '" + architecture +
                           "' is not supported (supported: " + supported + ")");
}

void ModelGraph::reserve(ForwardScratch& scratch, int n_tokens) const
{
    if (scratch.capacity >= n_tokens)
        return;
    const size_t tokens = static_cast<size_t>(n_tokens);
    scratch.capacity = n_tokens;
    scratch.x.resize(tokens * static_cast<size_t>(hparams_.n_embd));
    scratch.norm.resize(tokens * static_cast<size_t>(hparams_.n_embd));
    scratch.q.resize(tokens * static_cast<size_t>(hparams_.n_embd_q()));
    scratch.k.resize(tokens * static_cast<size_t>(hparams_.n_embd_kv()));
    scratch.v.resize(tokens * static_cast<size_t>(hparams_.n_embd_kv()));
    scratch.attn.resize(tokens * static_cast<size_t>(hparams_.n_embd_q()));
    scratch.proj.resize(tokens * static_cast<size_t>(hparams_.n_embd));
    scratch.gate.resize(tokens * static_cast<size_t>(hparams_.n_ff));
    scratch.up.resize(tokens * static_cast<size_t>(hparams_.n_ff));
}

} // namespace quanta
