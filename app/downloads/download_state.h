// The resume record of one download job: what to fetch, where it goes and
// how far it got. It is stored as <models>/.partial/<job id>/state.json next
// to the job's .part files, so a paused or interrupted download continues
// after the app restarts.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace quanta {

// One file of a download as the caller requests it.
struct DownloadFileRequest {
    QUrl url;
    QString name;              // path inside the model folder ("model.gguf", "tokenizer/vocab.json");
                               // empty takes the URL's file name
    qint64 expectedSize = -1;  // bytes; -1 when unknown
    QByteArray expectedSha256; // 64 lowercase hex digits; empty when unknown
};

// A model to download: one GGUF file, or the files of a Hugging Face folder.
struct DownloadRequest {
    QList<DownloadFileRequest> files;
    // File name in the models folder for a single file, folder name for a
    // folder. Empty takes the URL's file name (single file only).
    QString destinationName;
    // True puts the files into a folder even when there is only one.
    bool folder = false;
};

// One file of a job, with the headers of the last response for it.
struct DownloadFileState {
    QUrl url;
    QString name;                // validated relative path, '/'-separated
    qint64 expectedSize = -1;    // bytes, from the request; -1 when unknown
    QByteArray expectedSha256;   // lowercase hex, from the request; may be empty
    QByteArray etag;             // validators of the response the .part file came from,
    QByteArray lastModified;     // sent back in If-Range when resuming
    qint64 totalBytes = -1;      // size the server announced; -1 until known
    QByteArray serverSha256;     // lowercase hex from X-Linked-Etag; may be empty
    qint64 bytesDone = 0;        // bytes in the .part file when the record was saved
    bool complete = false;       // every byte is on disk and the checksum matched

    // The size to expect: the request's, else the server's, else -1.
    qint64 knownSize() const { return expectedSize >= 0 ? expectedSize : totalBytes; }
};

struct DownloadRecord {
    static constexpr int kFormatVersion = 1;
    static constexpr const char* kFileName = "state.json";

    QString id;                  // also the name of the job's folder under .partial
    QString destinationName;     // file or folder name in the models folder
    bool folder = false;         // true: the files become one model folder
    // True when destinationName came from the URL rather than the caller, so
    // the server's file name (Content-Disposition) may replace it.
    bool nameFromUrl = false;
    QDateTime createdAt;         // UTC
    QString error;               // why the job last failed; empty when it did not
    QList<DownloadFileState> files;

    QByteArray toJson() const;
    // Parses a record. The file may be damaged or edited by hand, so every
    // field is checked; returns nothing and sets `error` when one is invalid.
    static std::optional<DownloadRecord> fromJson(const QByteArray& json, QString* error);
};

// Writes `record` to `path` through QSaveFile, so a crash leaves the old
// record or the new one. Returns false and sets `error` on failure.
bool saveDownloadRecord(const QString& path, const DownloadRecord& record, QString* error);

// Checks a file name or a relative path inside a model folder: no empty,
// "." or ".." segments, no backslashes or control characters, not absolute.
// Returns the reason it is invalid, or an empty string.
QString invalidRelativePathReason(const QString& path);

// Checks a model's name in the models folder: a valid relative path of a
// single segment that does not start with a dot (hidden names are reserved
// for .partial). Returns the reason it is invalid, or an empty string.
QString invalidModelNameReason(const QString& name);

// Normalizes a SHA-256 given as 64 hex digits (either case) to lowercase;
// returns nothing when `text` is not one.
std::optional<QByteArray> normalizedSha256(const QByteArray& text);

} // namespace quanta
