// Model details for the picker (architecture, parameter count, weight format
// and context length), read on a worker thread before the model is loaded:
// from a GGUF file's header, or from a Hugging Face folder's config.json and
// safetensors headers.
#pragma once

#include <QDateTime>
#include <QString>

class QFileInfo;

namespace quanta {

struct ModelFileInfo {
    QString path;
    bool folder = false;     // a Hugging Face model folder, not a GGUF file
    qint64 sizeBytes = 0;    // see ModelStamp
    QDateTime modified;      // with sizeBytes, detects a stale cached entry

    QString architecture;    // "llama", "qwen2", ...
    QString quantization;    // "Q4_K_M", "F16", "GPTQ 4-bit, group 128", ...
    qint64 parameters = 0;
    int contextLength = 0;   // 0 when the model does not say
    QString problem;         // why the model could not be read; empty when it could

    // The shape the memory estimate needs; 0 when the header lacks it.
    qint64 weightBytes = 0;  // bytes of all tensors as stored
    int layerCount = 0;      // transformer blocks
    int kvHeadCount = 0;     // key/value heads per block
    int keyLength = 0;       // elements per key head
    int valueLength = 0;     // elements per value head

    // The engine's memory plan for running the model on the CPU at the chat
    // context (engine/memory_plan.h); all 0 when it could not plan.
    qint64 plannedWeightBytes = 0;
    qint64 plannedKvCacheBytes = 0;
    qint64 plannedScratchBytes = 0;
    int plannedContext = 0;    // tokens

    // "GGUF", "GPTQ", "AWQ" or "Safetensors" (an unquantized folder).
    QString format() const;
};

// Translates the engine's format text of a Hugging Face folder ("GPTQ 4-bit,
// group 128, act-order") into the UI language. Other text, such as a GGUF
// type name ("Q4_K_M"), is returned unchanged.
QString localizedWeightFormat(const QString& engineText);

// Size and modification time of a model on disk, compared to detect a stale
// cached entry.
struct ModelStamp {
    // A file's size; for a folder, the bytes of its *.safetensors files.
    qint64 sizeBytes = 0;
    // A file's time; for a folder, the latest among its *.safetensors and
    // *.json files and the folder itself.
    QDateTime modified;
};

ModelStamp readModelStamp(const QFileInfo& path);

// True for a folder the picker lists as a Hugging Face model: it has
// config.json, and *.safetensors files or else no .gguf files. A folder of
// GGUF files that also carries a config.json is not one. A model folder whose
// weights are missing is one, so that the picker shows what is missing.
bool isHuggingFaceModelFolder(const QFileInfo& folder);

// Reads the summary of the GGUF file or Hugging Face folder at `path`. An
// unreadable model does not throw: its `problem` is set to the engine's
// message instead.
ModelFileInfo readModelFileInfo(const QString& path);

// The name a model is shown by: a folder's name, or a file's name without
// its extension (".gguf").
QString modelDisplayName(const QString& path);

// "260K", "15.2M", "1.24B": the parameter count as model cards write it.
QString formatParameterCount(qint64 parameters);

} // namespace quanta
