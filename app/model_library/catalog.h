// The recommended models of resources/catalog.json: chat models across
// sizes and formats, each with the Hugging Face repository and exact file
// names to download, their sizes and (where known) SHA-256, the licence and
// the facts the memory estimate needs.
#pragma once

#include "downloads/download_state.h"
#include "model_library/memory_fit.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace quanta {

struct CatalogFile {
    QString name;              // path inside the repository, '/'-separated
    qint64 size = -1;          // bytes; -1 when the catalog does not give it
    QByteArray sha256;         // 64 lowercase hex digits; empty when not given
};

struct CatalogEntry {
    QString id;                // unique, [a-z0-9._-]
    QString name;              // display name, e.g. "Qwen2.5 1.5B Instruct"
    QString repository;        // "owner/name" on Hugging Face
    QString revision;          // branch or commit; "main" unless given
    QString format;            // "GGUF", "GPTQ" or "AWQ"
    QString quantization;      // "Q4_K_M", "Q8_0", "4-bit, group 128"
    QString architecture;      // the engine's architecture name: "llama", "qwen2", ...
    qint64 parameters = 0;     // as the model card gives it
    int contextLength = 0;     // training context in tokens
    QString license;           // the licence as the model card names it ("apache-2.0", "llama3.2", "qwen-research")
    int layerCount = 0;
    int kvHeadCount = 0;
    int headDim = 0;           // elements per key and per value head
    qint64 sizeBytes = 0;      // the download; exact unless sizeIsEstimate
    bool sizeIsEstimate = false;
    qint64 memoryBytes = 0;    // estimateModelMemory() of the shape below, as stored in the file
    QList<CatalogFile> files;

    bool isFolder() const { return format != QLatin1String("GGUF"); }
    // The model's name in the models folder: the file name for GGUF, the
    // repository's name for a folder.
    QString destinationName() const;
    ModelShape shape() const;
    // The download of this model from `hubUrl` (https://huggingface.co or a
    // test server): one file, or one folder job with every file.
    DownloadRequest downloadRequest(const QUrl& hubUrl) const;
};

// The Hugging Face URL of a file: {hub}/{repository}/resolve/{revision}/{path}.
QUrl hubFileUrl(const QUrl& hubUrl, const QString& repository, const QString& revision, const QString& path);

// Parses and checks a catalog, every field of every entry. At the first
// problem it returns nothing and sets `error` to a message that names the
// entry and the field.
std::optional<QList<CatalogEntry>> parseCatalog(const QByteArray& json, QString* error);

// The catalog built into the app (:/catalog/catalog.json). An invalid file
// is a build error that the catalog test catches; here it is logged and
// the list is empty.
QList<CatalogEntry> builtInCatalog();

// The formats and architectures a catalog entry may have.
bool isSupportedCatalogArchitecture(const QString& format, const QString& architecture);

} // namespace quanta
