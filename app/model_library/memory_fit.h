// The memory a model needs (its weights plus an F16 KV cache at the context
// a chat runs with) and whether that fits the chosen device. The catalog and
// the Hugging Face search use this estimate before a model is downloaded.
// The library shows the engine's plan of the model file where it has one.
//
// NOTE: estimateModelMemory() is the simple estimate: it leaves out the
// scratch buffers and the output logits. A model in the models folder is
// measured by the engine's memory plan instead (engine/memory_plan.h, read
// with its header in model_file_info.cpp).
#pragma once

#include <QString>
#include <QtGlobal>

namespace quanta {

// The context a chat session runs with: the model's training context, at
// most this many tokens (SessionOptions::n_ctx = 0 in engine/session.h).
constexpr int kChatContextLimit = 4096;

// The facts the estimate reads from a model. Zero means unknown.
struct ModelShape {
    qint64 weightBytes = 0;   // tensor bytes, or the download size when the tensors are not known
    int layerCount = 0;       // transformer blocks
    int kvHeadCount = 0;      // key/value heads per block
    int keyLength = 0;        // elements per key head
    int valueLength = 0;      // elements per value head
    int contextLength = 0;    // training context in tokens
};

struct MemoryEstimate {
    qint64 weightBytes = 0;
    qint64 kvCacheBytes = 0;  // K and V in F16 for `contextTokens` tokens
    qint64 scratchBytes = 0;  // activation buffers and logits; 0 in the simple estimate
    int contextTokens = 0;
    bool kvCacheKnown = false; // false: the shape lacks the sizes, and kvCacheBytes is an allowance
    bool planned = false;      // from the engine's memory plan of the model file, not the simple estimate
    qint64 totalBytes() const { return weightBytes + kvCacheBytes + scratchBytes; }
};

// Weights plus the KV cache at min(contextLength, kChatContextLimit) tokens.
// When the shape is unknown (a file not downloaded yet), the KV cache is
// taken as kUnknownKvCacheFraction of the weights.
// NOTE: that fraction is a guess. Models with grouped-query attention need
// less (Qwen2.5 7B: 5% of its Q4_K_M weights at 4096 tokens), models
// without it much more (SmolLM2 1.7B: about 75%).
MemoryEstimate estimateModelMemory(const ModelShape& shape);
constexpr double kUnknownKvCacheFraction = 0.15;

// The memory a model may use where it would run.
struct DeviceBudget {
    QString deviceName;      // the GPU's name; empty for the CPU
    qint64 gpuBytes = 0;     // memory the model may use on the GPU; 0 for the CPU
    qint64 ramBytes = 0;     // system memory; 0 when unknown
    bool gpuBytesIsEstimate = false; // the driver reports no budget, so this is the heap size

    bool isGpu() const { return gpuBytes > 0; }
};

enum class Fit {
    Unknown,     // no budget or no size to compare
    Fits,        // fits the GPU, or the RAM when the model runs on the CPU
    PartlyOnCpu, // too large for the GPU, so some layers run on the CPU
    TooLarge,    // larger than the GPU and the RAM together
};

Fit assessFit(qint64 neededBytes, const DeviceBudget& budget);

// "Fits the GPU", "Runs partly on the CPU", ... in the UI language.
QString fitText(Fit fit, const DeviceBudget& budget);
// Tooltip text: the estimate and the budget it was compared with.
QString fitDetails(const MemoryEstimate& estimate, const DeviceBudget& budget);

// A file size in the UI language ("1.2 GB"); empty for 0 or less.
QString formatBytes(qint64 bytes);

} // namespace quanta
