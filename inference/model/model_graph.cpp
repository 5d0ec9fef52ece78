#include "model/model_graph.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "model/architectures.h"


namespace quanta {

namespace {

struct Architecture {
    const char* name; // general.architecture
    std::unique_ptr<ModelGraph> (*create)(const GgufFile& file, KernelMode kernels);
};

// Mistral 7B and Nemo, SmolLM and TinyLlama have no entry of their own:
// llama.cpp's converter writes them as "llama". Its "mistral3" (Ministral 3,
// with YaRN RoPE and attention temperature) is not among these.
constexpr Architecture kArchitectures[] = {
    {"llama", create_llama_graph},   {"qwen2", create_qwen2_graph}, {"gemma2", create_gemma2_graph},
    {"gemma3", create_gemma3_graph}, {"phi3", create_phi3_graph},
};

} // namespace

std::vector<std::string> ModelGraph::supported_architectures()
{
    std::vector<std::string> names;
    for (const Architecture& architecture : kArchitectures)
        names.emplace_back(architecture.name);
    return names;
}

std::unique_ptr<ModelGraph> ModelGraph::create(const GgufFile& file, KernelMode kernels)
{
    const std::string name = file.get_string("general.architecture");
    for (const Architecture& architecture : kArchitectures) {
        if (name == architecture.name)
            return architecture.create(file, kernels);
    }

    std::string supported;
    for (const std::string& supported_name : supported_architectures())
        supported += (supported.empty() ? "" : ", ") + supported_name;
    throw UnsupportedError(file.path() + ": model architecture '" + name +
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
    scratch.fused.resize(tokens * static_cast<size_t>(fused_width_));
}

} // namespace quanta
