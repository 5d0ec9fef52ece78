// Model file details for the picker (architecture, parameter count,
// quantization and context length), read from the GGUF header on a worker
// thread before the model is loaded.
#pragma once

#include <QDateTime>
#include <QString>

namespace quanta {

struct ModelFileInfo {
    QString path;
    qint64 sizeBytes = 0;
    QDateTime modified;      // with sizeBytes, detects a stale cached entry

    QString architecture;    // "llama", "qwen2", ...
    QString quantization;    // "Q4_K_M", "F16", ...
    qint64 parameters = 0;
    int contextLength = 0;   // 0 when the file does not say
    QString problem;         // why the header could not be read; empty when it could
};

// Parses the GGUF header of `path`. An unreadable file does not throw: its
// `problem` is set to the engine's message instead.
ModelFileInfo readModelFileInfo(const QString& path);

// "260K", "15.2M", "1.24B": the parameter count as model cards write it.
QString formatParameterCount(qint64 parameters);

} // namespace quanta
