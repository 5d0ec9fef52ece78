#include "downloads/download_state.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <cmath>

namespace quanta {

namespace {

// JSON numbers are doubles, which hold integers exactly up to 2^53.
constexpr double kMaxExactInteger = 9007199254740992.0;

QString translate(const char* text)
{
    return QCoreApplication::translate("DownloadRecord", text);
}

// Reads an integer field that may be -1 (unknown) or a byte count.
std::optional<qint64> readByteCount(const QJsonObject& object, const QString& key, qint64 fallback)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return fallback;
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || number != std::floor(number) || number < -1 || number > kMaxExactInteger)
        return std::nullopt;
    return static_cast<qint64>(number);
}

QJsonObject fileToJson(const DownloadFileState& file)
{
    QJsonObject object;
    object.insert(QStringLiteral("url"), file.url.toString(QUrl::FullyEncoded));
    object.insert(QStringLiteral("name"), file.name);
    object.insert(QStringLiteral("expectedSize"), static_cast<double>(file.expectedSize));
    object.insert(QStringLiteral("expectedSha256"), QString::fromLatin1(file.expectedSha256));
    object.insert(QStringLiteral("etag"), QString::fromLatin1(file.etag));
    object.insert(QStringLiteral("lastModified"), QString::fromLatin1(file.lastModified));
    object.insert(QStringLiteral("totalBytes"), static_cast<double>(file.totalBytes));
    object.insert(QStringLiteral("serverSha256"), QString::fromLatin1(file.serverSha256));
    object.insert(QStringLiteral("bytesDone"), static_cast<double>(file.bytesDone));
    object.insert(QStringLiteral("complete"), file.complete);
    return object;
}

// Parses one entry of "files"; sets `error` naming the field that is invalid.
std::optional<DownloadFileState> fileFromJson(const QJsonObject& object, int index, QString* error)
{
    const auto invalid = [&](const QString& field) {
        *error = translate("file %1 has an invalid \"%2\"").arg(index).arg(field);
        return std::nullopt;
    };

    DownloadFileState file;
    file.url = QUrl(object.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    const QString scheme = file.url.scheme();
    if (!file.url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return invalid(QStringLiteral("url"));
    file.name = object.value(QStringLiteral("name")).toString();
    if (!invalidRelativePathReason(file.name).isEmpty())
        return invalid(QStringLiteral("name"));

    const auto expectedSize = readByteCount(object, QStringLiteral("expectedSize"), -1);
    const auto totalBytes = readByteCount(object, QStringLiteral("totalBytes"), -1);
    const auto bytesDone = readByteCount(object, QStringLiteral("bytesDone"), 0);
    if (!expectedSize)
        return invalid(QStringLiteral("expectedSize"));
    if (!totalBytes)
        return invalid(QStringLiteral("totalBytes"));
    if (!bytesDone || *bytesDone < 0)
        return invalid(QStringLiteral("bytesDone"));
    file.expectedSize = *expectedSize;
    file.totalBytes = *totalBytes;
    file.bytesDone = *bytesDone;

    // The checksums are either absent or exactly 64 hex digits.
    for (const auto& [key, target] : {std::pair{QStringLiteral("expectedSha256"), &file.expectedSha256},
                                      std::pair{QStringLiteral("serverSha256"), &file.serverSha256}}) {
        const QByteArray text = object.value(key).toString().toLatin1();
        if (text.isEmpty())
            continue;
        const auto sha = normalizedSha256(text);
        if (!sha)
            return invalid(key);
        *target = *sha;
    }

    // Validators go back to the server in a header, so they must be printable ASCII.
    for (const auto& [key, target] : {std::pair{QStringLiteral("etag"), &file.etag},
                                      std::pair{QStringLiteral("lastModified"), &file.lastModified}}) {
        const QString text = object.value(key).toString();
        for (const QChar c : text) {
            if (c.unicode() < 0x20 || c.unicode() > 0x7E)
                return invalid(key);
        }
        *target = text.toLatin1();
    }
    file.complete = object.value(QStringLiteral("complete")).toBool(false);
    return file;
}

} // namespace

QByteArray DownloadRecord::toJson() const
{
    QJsonArray fileArray;
    for (const DownloadFileState& file : files)
        fileArray.append(fileToJson(file));
    QJsonObject object;
    object.insert(QStringLiteral("version"), kFormatVersion);
    object.insert(QStringLiteral("id"), id);
    object.insert(QStringLiteral("destinationName"), destinationName);
    object.insert(QStringLiteral("folder"), folder);
    object.insert(QStringLiteral("createdAt"), createdAt.toUTC().toString(Qt::ISODateWithMs));
    object.insert(QStringLiteral("error"), error);
    object.insert(QStringLiteral("files"), fileArray);
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

std::optional<DownloadRecord> DownloadRecord::fromJson(const QByteArray& json, QString* error)
{
    // Step 1: the document and its version.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = translate("not a JSON object (%1 at offset %2)")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    const int version = object.value(QStringLiteral("version")).toInt(-1);
    if (version != kFormatVersion) {
        *error = translate("version %1 is not supported, expected %2").arg(version).arg(kFormatVersion);
        return std::nullopt;
    }

    // Step 2: the job's fields. The destination is a single name.
    DownloadRecord record;
    record.id = object.value(QStringLiteral("id")).toString();
    record.destinationName = object.value(QStringLiteral("destinationName")).toString();
    record.folder = object.value(QStringLiteral("folder")).toBool(false);
    record.createdAt = QDateTime::fromString(object.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs);
    record.error = object.value(QStringLiteral("error")).toString();
    static const QRegularExpression kIdPattern(QStringLiteral("^[A-Za-z0-9-]{1,64}$"));
    if (!kIdPattern.match(record.id).hasMatch()) {
        *error = translate("invalid \"id\"");
        return std::nullopt;
    }
    if (!invalidRelativePathReason(record.destinationName).isEmpty() ||
        record.destinationName.contains(QLatin1Char('/'))) {
        *error = translate("invalid \"destinationName\"");
        return std::nullopt;
    }

    // Step 3: the files; a single-file job has exactly one.
    const QJsonArray fileArray = object.value(QStringLiteral("files")).toArray();
    if (fileArray.isEmpty() || (!record.folder && fileArray.size() != 1)) {
        *error = translate("\"files\" has %1 entries").arg(fileArray.size());
        return std::nullopt;
    }
    for (int i = 0; i < fileArray.size(); ++i) {
        auto file = fileFromJson(fileArray.at(i).toObject(), i, error);
        if (!file)
            return std::nullopt;
        record.files.append(*file);
    }
    return record;
}

bool saveDownloadRecord(const QString& path, const DownloadRecord& record, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(record.toJson()) < 0 || !file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

QString invalidRelativePathReason(const QString& path)
{
    if (path.isEmpty())
        return translate("the name is empty");
    if (path.startsWith(QLatin1Char('/')))
        return translate("the name is an absolute path");
    for (const QChar c : path) {
        if (c.unicode() < 0x20 || c == QLatin1Char('\\') || c.unicode() == 0x7F)
            return translate("the name contains a backslash or a control character");
    }
    for (const QString& segment : path.split(QLatin1Char('/'))) {
        if (segment.isEmpty() || segment == QLatin1String(".") || segment == QLatin1String(".."))
            return translate("the name has an empty, \".\" or \"..\" part");
    }
    return {};
}

std::optional<QByteArray> normalizedSha256(const QByteArray& text)
{
    if (text.size() != 64)
        return std::nullopt;
    for (const char c : text) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex)
            return std::nullopt;
    }
    return text.toLower();
}

} // namespace quanta
