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

QString translateRecord(const char* text)
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
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "file %1 has an invalid \"%2\"")).arg(QString::number(index), field);
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
    object.insert(QStringLiteral("nameFromUrl"), nameFromUrl);
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
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "not a JSON object (%1 at offset %2)"))
                     .arg(parseError.errorString(), QString::number(parseError.offset));
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    const int version = object.value(QStringLiteral("version")).toInt(-1);
    if (version != kFormatVersion) {
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "version %1 is not supported, expected %2"))
                     .arg(QString::number(version), QString::number(kFormatVersion));
        return std::nullopt;
    }

    // Step 2: the job's fields. The destination is a single name.
    DownloadRecord record;
    record.id = object.value(QStringLiteral("id")).toString();
    record.destinationName = object.value(QStringLiteral("destinationName")).toString();
    record.folder = object.value(QStringLiteral("folder")).toBool(false);
    // Records written before the field existed keep their name.
    record.nameFromUrl = object.value(QStringLiteral("nameFromUrl")).toBool(false);
    record.createdAt = QDateTime::fromString(object.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs);
    record.error = object.value(QStringLiteral("error")).toString();
    static const QRegularExpression kIdPattern(QStringLiteral("^[A-Za-z0-9-]{1,64}$"));
    if (!kIdPattern.match(record.id).hasMatch()) {
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "invalid \"id\""));
        return std::nullopt;
    }
    if (!invalidModelNameReason(record.destinationName).isEmpty()) {
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "invalid \"destinationName\""));
        return std::nullopt;
    }

    // Step 3: the files; a single-file job has exactly one.
    const QJsonArray fileArray = object.value(QStringLiteral("files")).toArray();
    if (fileArray.isEmpty() || (!record.folder && fileArray.size() != 1)) {
        *error = translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "\"files\" has %1 entries")).arg(fileArray.size());
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
        return translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "the name is empty"));
    if (path.startsWith(QLatin1Char('/')))
        return translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "the name is an absolute path"));
    for (const QChar c : path) {
        if (c.unicode() < 0x20 || c == QLatin1Char('\\') || c.unicode() == 0x7F)
            return translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "the name contains a backslash or a control character"));
    }
    for (const QString& segment : path.split(QLatin1Char('/'))) {
        if (segment.isEmpty() || segment == QLatin1String(".") || segment == QLatin1String(".."))
            return translateRecord(QT_TRANSLATE_NOOP("DownloadRecord", "the name has an empty, \".\" or \"..\" part"));
    }
    return {};
}

QString invalidModelNameReason(const QString& name)
{
    const QString reason = invalidRelativePathReason(name);
    if (!reason.isEmpty())
        return reason;
    // The message keeps the DownloadManager context that its translation
    // was made in.
    if (name.contains(QLatin1Char('/')) || name.startsWith(QLatin1Char('.')))
        return QCoreApplication::translate("DownloadManager", "it must be a single name that does not start with a dot");
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
