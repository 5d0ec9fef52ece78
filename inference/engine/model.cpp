#include "engine/model.h"

#include "core/error.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "model/model_graph.h"

#include <chrono>
#include <filesystem>
#include <map>

namespace quanta {

namespace {

// Page size used to touch the mapping while loading, so the first token does
// not stall on page faults and the progress bar reflects the disk read.
constexpr uint64_t kTouchStride = 4096;
// Progress is reported after each chunk of this many bytes.
constexpr uint64_t kProgressChunk = 64ull << 20;

void check_cancel(const LoadOptions& options, const std::string& path)
{
    if (options.cancel && options.cancel->load(std::memory_order_acquire))
        throw CancelledError(path + ": loading cancelled");
}

// "Q4_K_M"-style label: general.file_type when known, else the type with the
// most bytes among the 2-D weights.
std::string describe_file_type(const GgufFile& file)
{
    static const std::map<uint64_t, std::string> kFileTypes = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},
        {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},
        {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"},   {25, "IQ4_NL"}, {30, "IQ4_XS"},
        {32, "BF16"},
    };
    if (const GgufValue* value = file.find("general.file_type"); value && value->is_integer()) {
        const auto it = kFileTypes.find(value->as_uint("general.file_type"));
        if (it != kFileTypes.end())
            return it->second;
    }
    std::map<GgmlType, uint64_t> bytes_by_type;
    for (const GgufTensor& tensor : file.tensors()) {
        if (tensor.n_dims >= 2)
            bytes_by_type[tensor.type] += tensor.n_bytes;
    }
    GgmlType best = GgmlType::F32;
    uint64_t best_bytes = 0;
    for (const auto& [type, bytes] : bytes_by_type) {
        if (bytes > best_bytes) {
            best = type;
            best_bytes = bytes;
        }
    }
    return std::string(ggml_type_name(best));
}

} // namespace

Model::~Model() = default;

std::shared_ptr<Model> Model::load(const std::string& path, const LoadOptions& options)
{
    const auto start = std::chrono::steady_clock::now();
    std::shared_ptr<Model> model(new Model());
    model->kernels_ = options.kernels;
    model->n_threads_ = options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads();
    if (model->n_threads_ > ThreadPool::hardware_threads()) {
        // More spinning workers than cores only makes them wait for each other.
        QUANTA_LOG_WARN("%d threads requested but the CPU has %d; using %d", model->n_threads_,
                        ThreadPool::hardware_threads(), ThreadPool::hardware_threads());
        model->n_threads_ = ThreadPool::hardware_threads();
    }

    // Parse and validate the header, then build the tokenizer and the graph.
    QUANTA_LOG_INFO("loading model %s", path.c_str());
    check_cancel(options, path);
    model->file_ = GgufFile::open(path);
    const GgufFile& file = *model->file_;
    model->tokenizer_ = Tokenizer::from_gguf(file);
    model->graph_ = ModelGraph::create(file, options.kernels);
    const Hyperparams& hp = model->graph_->hparams();
    if (model->tokenizer_->vocab_size() != hp.n_vocab) {
        throw FormatError(path + ": the vocabulary has " + std::to_string(model->tokenizer_->vocab_size()) +
                          " tokens but tensor 'token_embd.weight' has " + std::to_string(hp.n_vocab) + " rows");
    }

    // Describe the model.
    ModelInfo& info = model->info_;
    info.path = path;
    info.name = file.get_string("general.name", std::filesystem::path(path).stem().string());
    info.architecture = hp.architecture;
    info.file_type = describe_file_type(file);
    info.chat_template = file.get_string("tokenizer.chat_template", "");
    info.file_size = file.file_size();
    for (const GgufTensor& tensor : file.tensors()) {
        info.weight_bytes += tensor.n_bytes;
        info.n_params += tensor.n_elements;
    }
    info.n_ctx_train = hp.n_ctx_train;
    info.n_embd = hp.n_embd;
    info.n_layer = hp.n_layer;
    info.n_head = hp.n_head;
    info.n_head_kv = hp.n_head_kv;
    info.n_ff = hp.n_ff;
    info.n_vocab = hp.n_vocab;

    // Touch every page of the tensor data once, reporting progress.
    const uint64_t total = info.weight_bytes;
    uint64_t done = 0;
    uint64_t next_report = 0;
    volatile uint8_t sink = 0;
    if (options.on_progress)
        options.on_progress(0.0f);
    for (const GgufTensor& tensor : file.tensors()) {
        for (uint64_t offset = 0; offset < tensor.n_bytes; offset += kTouchStride)
            sink = sink + tensor.data[offset];
        done += tensor.n_bytes;
        if (done >= next_report) {
            check_cancel(options, path);
            if (options.on_progress && total > 0)
                options.on_progress(static_cast<float>(static_cast<double>(done) / static_cast<double>(total)));
            next_report = done + kProgressChunk;
        }
    }
    if (options.on_progress)
        options.on_progress(1.0f);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QUANTA_LOG_INFO("loaded %s: %s %s, %d layers, n_embd %d, %.1f M parameters, %.1f MiB, %d threads, %s kernels, "
                    "%.2f s",
                    info.name.c_str(), info.architecture.c_str(), info.file_type.c_str(), info.n_layer, info.n_embd,
                    static_cast<double>(info.n_params) / 1e6, static_cast<double>(info.weight_bytes) / (1 << 20),
                    model->n_threads_, options.kernels == KernelMode::Fast ? cpu_kernel_name() : "reference", seconds);
    return model;
}

} // namespace quanta
