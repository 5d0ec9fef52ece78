// Hugging Face's public models API as plain data: the search results of
// GET {hub}/api/models?search=...&filter=gguf and the file listing of
// GET {hub}/api/models/{repository}/tree/{revision}, and what their file
// names tell about the format and quantization. No network code here.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace quanta {

// One repository of a search.
struct HubRepository {
    QString id;            // "owner/name"
    qint64 downloads = 0;  // in the last 30 days, as the API counts them
    qint64 likes = 0;
    QStringList tags;
    QString format;        // "GGUF", "GPTQ", "AWQ", or empty when the tags and name do not say
};

// One file of a repository listing.
struct HubFile {
    QString path;          // inside the repository, '/'-separated
    qint64 size = -1;      // bytes; -1 when the listing does not give it
    QByteArray sha256;     // the LFS object id (lowercase hex); empty for files kept in git
};

// The search formats, as the API's filter tags name them.
QStringList hubSearchFormats(); // "gguf", "gptq", "awq"

// {hub}/api/models?search=Q&filter=F&sort=downloads&direction=-1&limit=N
QUrl hubSearchUrl(const QUrl& hubUrl, const QString& query, const QString& format, int limit);
// {hub}/api/models/{repository}/tree/{revision}
QUrl hubTreeUrl(const QUrl& hubUrl, const QString& repository, const QString& revision);

// Parse the API's JSON. The response is untrusted input: entries with a
// missing or mistyped field are skipped, and anything but an array sets
// `error` and returns nothing.
std::optional<QList<HubRepository>> parseHubSearch(const QByteArray& json, QString* error);
std::optional<QList<HubFile>> parseHubTree(const QByteArray& json, QString* error);

// True for a repository id the API and the download URLs accept.
bool isValidHubRepository(const QString& repository);

// The format a repository's tags or name show: "GGUF", "GPTQ", "AWQ" or empty.
QString guessRepositoryFormat(const QString& repository, const QStringList& tags);
// The GGUF quantization in a file name: "Q4_K_M" for
// "qwen2.5-0.5b-instruct-q4_k_m.gguf", "Q8_0", "IQ4_XS", "F16", ... or empty.
QString guessQuantization(const QString& fileName);
// True for a part of a split GGUF ("model-00001-of-00003.gguf").
bool isSplitGgufPart(const QString& fileName);
// The files of a Hugging Face folder model worth downloading: its JSON
// configs, safetensors weights, tokenizer files and chat template. READMEs,
// images and other weight formats (.bin, .pt, .onnx, .gguf) are left out.
bool isFolderModelFile(const QString& path);

} // namespace quanta
