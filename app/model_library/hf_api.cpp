#include "model_library/hf_api.h"

#include "downloads/download_state.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace quanta {

namespace {

// Sizes and counts above this are not real; the entry is skipped.
constexpr double kMaxCount = 9.0e15;

std::optional<QJsonArray> parseArray(const QByteArray& json, const char* description, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("the %1 is not valid JSON (%2 at offset %3)")
                     .arg(QLatin1String(description), parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isArray()) {
        *error = QStringLiteral("the %1 is not a JSON array").arg(QLatin1String(description));
        return std::nullopt;
    }
    return document.array();
}

// A non-negative whole number, or -1.
qint64 count(const QJsonValue& value)
{
    const double number = value.toDouble(-1.0);
    if (!value.isDouble() || number < 0 || number > kMaxCount || number != std::floor(number))
        return -1;
    return static_cast<qint64>(number);
}

} // namespace

QStringList hubSearchFormats()
{
    return {QStringLiteral("gguf"), QStringLiteral("gptq"), QStringLiteral("awq")};
}

QUrl hubSearchUrl(const QUrl& hubUrl, const QString& query, const QString& format, int limit)
{
    QUrl url = hubUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QStringLiteral("/api/models"));
    QUrlQuery parameters;
    parameters.addQueryItem(QStringLiteral("search"), query.trimmed());
    if (!format.isEmpty())
        parameters.addQueryItem(QStringLiteral("filter"), format.toLower());
    parameters.addQueryItem(QStringLiteral("sort"), QStringLiteral("downloads"));
    parameters.addQueryItem(QStringLiteral("direction"), QStringLiteral("-1"));
    parameters.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    url.setQuery(parameters);
    return url;
}

QUrl hubTreeUrl(const QUrl& hubUrl, const QString& repository, const QString& revision)
{
    QUrl url = hubUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(QStringLiteral("%1/api/models/%2/tree/%3").arg(base, repository, revision));
    return url;
}

bool isValidHubRepository(const QString& repository)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"));
    return repository.size() <= 200 && pattern.match(repository).hasMatch() &&
           !repository.contains(QLatin1String(".."));
}

std::optional<QList<HubRepository>> parseHubSearch(const QByteArray& json, QString* error)
{
    const auto array = parseArray(json, "search response", error);
    if (!array)
        return std::nullopt;
    QList<HubRepository> repositories;
    for (const QJsonValue& value : *array) {
        const QJsonObject object = value.toObject();
        HubRepository repository;
        repository.id = object.value(QLatin1String("id")).toString();
        if (repository.id.isEmpty())
            repository.id = object.value(QLatin1String("modelId")).toString();
        if (!isValidHubRepository(repository.id))
            continue;
        repository.downloads = std::max<qint64>(count(object.value(QLatin1String("downloads"))), 0);
        repository.likes = std::max<qint64>(count(object.value(QLatin1String("likes"))), 0);
        for (const QJsonValue& tag : object.value(QLatin1String("tags")).toArray()) {
            if (tag.isString())
                repository.tags.append(tag.toString());
        }
        repository.format = guessRepositoryFormat(repository.id, repository.tags);
        repositories.append(repository);
    }
    return repositories;
}

std::optional<QList<HubFile>> parseHubTree(const QByteArray& json, QString* error)
{
    const auto array = parseArray(json, "file listing", error);
    if (!array)
        return std::nullopt;
    QList<HubFile> files;
    for (const QJsonValue& value : *array) {
        const QJsonObject object = value.toObject();
        if (object.value(QLatin1String("type")).toString() != QLatin1String("file"))
            continue;
        HubFile file;
        file.path = object.value(QLatin1String("path")).toString();
        if (file.path.isEmpty() || !invalidRelativePathReason(file.path).isEmpty())
            continue;
        file.size = count(object.value(QLatin1String("size")));

        // An LFS file's own size and SHA-256. The top-level "oid" is Git's
        // SHA-1 of the pointer file, not a checksum of the content.
        const QJsonObject lfs = object.value(QLatin1String("lfs")).toObject();
        if (!lfs.isEmpty()) {
            const qint64 lfsSize = count(lfs.value(QLatin1String("size")));
            if (lfsSize >= 0)
                file.size = lfsSize;
            const auto sha = normalizedSha256(lfs.value(QLatin1String("oid")).toString().toLatin1());
            if (sha)
                file.sha256 = *sha;
        }
        files.append(file);
    }
    return files;
}

QString guessRepositoryFormat(const QString& repository, const QStringList& tags)
{
    // Step 1: the library tags the Hub sets from the files.
    for (const QString& tag : tags) {
        const QString lower = tag.toLower();
        if (lower == QLatin1String("gguf"))
            return QStringLiteral("GGUF");
        if (lower == QLatin1String("gptq"))
            return QStringLiteral("GPTQ");
        if (lower == QLatin1String("awq"))
            return QStringLiteral("AWQ");
    }

    // Step 2: the name, as publishers write it ("-GGUF", "-GPTQ-Int4", "-AWQ").
    const QString name = repository.section(QLatin1Char('/'), 1).toUpper();
    static const QRegularExpression word(QStringLiteral("(^|[-_.])(GGUF|GPTQ|AWQ)($|[-_.])"));
    const QRegularExpressionMatch match = word.match(name);
    return match.hasMatch() ? match.captured(2) : QString();
}

QString guessQuantization(const QString& fileName)
{
    // The type names of llama.cpp's quantize tool, longest alternatives
    // first so that Q4_K_M is not read as Q4_K. The name must end the stem
    // or be followed by a separator.
    static const QRegularExpression pattern(
        QStringLiteral("(?:^|[-_.])((?:IQ[1-4]_(?:XXS|XS|S|M|NL))|(?:Q[2-8]_K(?:_XL|_[SML])?)|(?:Q[4-8]_[01])|"
                       "(?:TQ[12]_0)|BF16|F16|F32|FP16)(?=$|[-_.])"),
        QRegularExpression::CaseInsensitiveOption);
    QString stem = fileName.section(QLatin1Char('/'), -1);
    if (stem.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
        stem.chop(5);
    QString found;
    QRegularExpressionMatchIterator it = pattern.globalMatch(stem);
    while (it.hasNext())
        found = it.next().captured(1); // the last one names the file's type
    found = found.toUpper();
    return found == QLatin1String("FP16") ? QStringLiteral("F16") : found;
}

bool isSplitGgufPart(const QString& fileName)
{
    static const QRegularExpression pattern(QStringLiteral("-\\d{5}-of-\\d{5}\\.gguf$"),
                                            QRegularExpression::CaseInsensitiveOption);
    return pattern.match(fileName).hasMatch();
}

bool isFolderModelFile(const QString& path)
{
    // Only the top level: that is where config.json and the weights are.
    if (path.contains(QLatin1Char('/')))
        return false;
    const QString lower = path.toLower();
    return lower.endsWith(QLatin1String(".json")) || lower.endsWith(QLatin1String(".safetensors")) ||
           lower == QLatin1String("tokenizer.model") || lower == QLatin1String("merges.txt") ||
           lower == QLatin1String("vocab.txt") || lower.endsWith(QLatin1String(".jinja"));
}

} // namespace quanta
