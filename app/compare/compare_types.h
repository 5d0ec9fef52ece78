// The figures of a quantization comparison: one row per model variant, and
// the comparison they belong to. Shared by the worker that measures them, the
// store that keeps them, the exports and the table model.
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace quanta {

// One model variant's figures. A figure that was not measured (the run
// failed or was cancelled before it, or there is no GPU part) is empty.
struct VariantResult {
    QString path;                // GGUF file or Hugging Face folder, absolute
    QString name;                // file name without ".gguf", or the folder's name
    QString format;              // "Q8_0", "F32", "GPTQ 4-bit, group 128", ...
    QString sha256;              // hex; a folder's hash covers its *.safetensors files in name order
    qint64 sizeBytes = 0;        // on disk: the file, or the folder's *.safetensors files
    QString placement;           // where it ran: "CPU" or "<GPU name>, <n> of <m> layers"

    std::optional<qint64> vramBytes;        // device-local memory the engine allocated; empty on the CPU
    std::optional<qint64> ramBytes;         // growth of the process's resident set (VmRSS) over load and the speed run
    std::optional<double> loadSeconds;
    std::optional<double> promptTokensPerSecond;
    std::optional<double> generationTokensPerSecond;
    std::optional<double> perplexity;
    std::optional<double> perplexityError;  // standard error of the perplexity
    std::optional<double> klMean;           // mean KL(reference || this) in nats
    std::optional<double> klP99;            // 99th percentile of the per-position KL, nats
    std::optional<double> topAgreement;     // share of positions with the same top token, 0..1

    bool reference = false;      // the variant the KL figures are measured against
    QString error;               // why the run of this variant failed; empty when it did not

    bool operator==(const VariantResult&) const = default;
};

// A whole comparison: which text, how it was measured, and the variants in
// the order they ran (largest on disk first).
struct ComparisonRecord {
    qint64 id = 0;               // row id in the database; 0 before it is saved
    QDateTime createdAt;         // UTC, when the run started
    QString textName;            // "sample-en.txt" or the user's file name
    QString textSha256;          // hex hash of the text's bytes
    qint64 textTokens = 0;       // tokens of the text under the reference variant's tokenizer
    int contextLength = 0;       // perplexity window, in tokens
    QString device;              // the device setting the variants were loaded with: "auto", "cpu" or a UUID
    bool cancelled = false;      // the run stopped before every variant was measured
    QList<VariantResult> variants;

    bool operator==(const ComparisonRecord&) const = default;
};

} // namespace quanta

Q_DECLARE_METATYPE(quanta::VariantResult)
Q_DECLARE_METATYPE(quanta::ComparisonRecord)
