#include "model_library/catalog.h"

#include "logging/log_categories.h"
#include "model/model_graph.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace quanta {

namespace {

constexpr int kCatalogVersion = 1;
const QString kBuiltInCatalog = QStringLiteral(":/catalog/catalog.json");

// Repository names as Hugging Face allows them: letters, digits, '.', '_'
// and '-' in the owner and the name.
const QRegularExpression kRepositoryPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"));
const QRegularExpression kIdPattern(QStringLiteral("^[a-z0-9][a-z0-9._-]*$"));
const QRegularExpression kRevisionPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));

// Limits that no real chat model reaches; a larger value is a typo.
constexpr qint64 kMaxParameters = qint64{1} << 42;
constexpr int kMaxContext = 1 << 24;
constexpr int kMaxShapeValue = 1 << 16;

// Reads the fields of one entry. Each getter records the first problem,
// so the caller checks `error` once at the end.
class FieldReader {
public:
    FieldReader(const QJsonObject& object, QString where) : object_(object), where_(std::move(where)) {}

    QString string(const char* key, bool required = true)
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined() && !required)
            return {};
        if (!value.isString() || value.toString().trimmed().isEmpty()) {
            fail(key, QStringLiteral("a non-empty string"), value);
            return {};
        }
        return value.toString();
    }

    // A whole number in [minimum, maximum]; JSON numbers are doubles, so a
    // fraction or a value beyond 2^53 is rejected.
    qint64 integer(const char* key, qint64 minimum, qint64 maximum, qint64 fallback = -1, bool required = true)
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined() && !required)
            return fallback;
        const double number = value.toDouble(-1.0);
        if (!value.isDouble() || number != std::floor(number) || number < static_cast<double>(minimum) ||
            number > static_cast<double>(maximum)) {
            fail(key, QStringLiteral("a whole number from %1 to %2").arg(minimum).arg(maximum), value);
            return fallback;
        }
        return static_cast<qint64>(number);
    }

    bool boolean(const char* key, bool fallback)
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined())
            return fallback;
        if (!value.isBool()) {
            fail(key, QStringLiteral("true or false"), value);
            return fallback;
        }
        return value.toBool();
    }

    void fail(const char* key, const QString& expected, const QJsonValue& found)
    {
        if (!error_.isEmpty())
            return;
        QString text = found.isUndefined() ? QStringLiteral("nothing")
                                           : QString::fromUtf8(QJsonDocument(QJsonArray{found}).toJson(QJsonDocument::Compact));
        if (!found.isUndefined())
            text = text.mid(1, text.size() - 2); // drop the array brackets
        error_ = QStringLiteral("%1: \"%2\" must be %3, found %4").arg(where_, QLatin1String(key), expected, text);
    }

    void failWith(const QString& message)
    {
        if (error_.isEmpty())
            error_ = where_ + QStringLiteral(": ") + message;
    }

    const QString& error() const { return error_; }

private:
    const QJsonObject& object_;
    QString where_;
    QString error_;
};

std::optional<CatalogFile> parseFile(const QJsonValue& value, const QString& where, QString* error)
{
    if (!value.isObject()) {
        *error = where + QStringLiteral(": expected an object with \"name\", \"size\" and \"sha256\"");
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();
    FieldReader reader(object, where);
    CatalogFile file;
    file.name = reader.string("name");
    file.size = reader.integer("size", 0, qint64{1} << 50, -1, /*required=*/false);
    const QString sha = reader.string("sha256", /*required=*/false);
    if (reader.error().isEmpty() && !file.name.isEmpty()) {
        const QString problem = invalidRelativePathReason(file.name);
        if (!problem.isEmpty())
            reader.failWith(QStringLiteral("invalid file name \"%1\": %2").arg(file.name, problem));
    }
    if (reader.error().isEmpty() && !sha.isEmpty()) {
        const auto normalized = normalizedSha256(sha.toLatin1());
        if (!normalized || sha.toLatin1() != *normalized)
            reader.failWith(QStringLiteral("\"sha256\" must be 64 lowercase hexadecimal digits, found \"%1\"").arg(sha));
        else
            file.sha256 = *normalized;
    }
    if (!reader.error().isEmpty()) {
        *error = reader.error();
        return std::nullopt;
    }
    return file;
}

// The checks across fields: the files a format needs, and sizes that add up.
QString checkConsistency(const CatalogEntry& entry)
{
    // Step 1: the format and the architecture the engine runs.
    if (entry.format != QLatin1String("GGUF") && entry.format != QLatin1String("GPTQ") &&
        entry.format != QLatin1String("AWQ"))
        return QStringLiteral("\"format\" must be GGUF, GPTQ or AWQ, found \"%1\"").arg(entry.format);
    if (!isSupportedCatalogArchitecture(entry.format, entry.architecture))
        return QStringLiteral("architecture \"%1\" is not one Quanta runs as %2").arg(entry.architecture, entry.format);

    // Step 2: the files of the format.
    int ggufFiles = 0;
    int safetensorsFiles = 0;
    bool config = false;
    QSet<QString> names;
    for (const CatalogFile& file : entry.files) {
        if (names.contains(file.name))
            return QStringLiteral("the file \"%1\" is listed twice").arg(file.name);
        names.insert(file.name);
        ggufFiles += file.name.endsWith(QLatin1String(".gguf")) ? 1 : 0;
        safetensorsFiles += file.name.endsWith(QLatin1String(".safetensors")) ? 1 : 0;
        config = config || file.name == QLatin1String("config.json");
    }
    if (!entry.isFolder() && (entry.files.size() != 1 || ggufFiles != 1))
        return QStringLiteral("a GGUF model must list exactly one .gguf file");
    if (entry.isFolder() && (!config || safetensorsFiles == 0 || ggufFiles > 0))
        return QStringLiteral("a %1 model must list config.json and its .safetensors files").arg(entry.format);

    // Step 3: a single GGUF file has an exact size, and an exact total is
    // the sum of the files.
    qint64 sum = 0;
    bool allSized = true;
    for (const CatalogFile& file : entry.files) {
        allSized = allSized && file.size >= 0;
        sum += std::max<qint64>(file.size, 0);
    }
    if (!entry.isFolder() && !allSized)
        return QStringLiteral("the .gguf file needs its \"size\"");
    if (!entry.sizeIsEstimate && !allSized)
        return QStringLiteral("\"size_bytes\" is exact, so every file needs its \"size\"; or set \"size_is_estimate\"");
    if (!entry.sizeIsEstimate && sum != entry.sizeBytes)
        return QStringLiteral("\"size_bytes\" is %1 but the files add up to %2").arg(entry.sizeBytes).arg(sum);
    if (entry.memoryBytes < entry.sizeBytes)
        return QStringLiteral("\"memory_bytes\" %1 is less than the weights' %2").arg(entry.memoryBytes).arg(entry.sizeBytes);
    return {};
}

std::optional<CatalogEntry> parseEntry(const QJsonValue& value, int index, QString* error)
{
    const QString where = QStringLiteral("model %1").arg(index + 1);
    if (!value.isObject()) {
        *error = where + QStringLiteral(": expected an object");
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();

    // Step 1: the scalar fields, each checked for its type and range.
    const QString id = object.value(QLatin1String("id")).toString();
    FieldReader reader(object, id.isEmpty() ? where : QStringLiteral("%1 (\"%2\")").arg(where, id));
    CatalogEntry entry;
    entry.id = reader.string("id");
    entry.name = reader.string("name");
    entry.repository = reader.string("repository");
    entry.revision = reader.string("revision", /*required=*/false);
    if (entry.revision.isEmpty())
        entry.revision = QStringLiteral("main");
    entry.format = reader.string("format");
    entry.quantization = reader.string("quantization");
    entry.architecture = reader.string("architecture");
    entry.parameters = reader.integer("parameters", 1, kMaxParameters);
    entry.contextLength = static_cast<int>(reader.integer("context_length", 1, kMaxContext));
    entry.license = reader.string("license");
    entry.layerCount = static_cast<int>(reader.integer("layers", 1, kMaxShapeValue));
    entry.kvHeadCount = static_cast<int>(reader.integer("kv_heads", 1, kMaxShapeValue));
    entry.headDim = static_cast<int>(reader.integer("head_dim", 1, kMaxShapeValue));
    entry.sizeBytes = reader.integer("size_bytes", 1, qint64{1} << 50);
    entry.sizeIsEstimate = reader.boolean("size_is_estimate", false);
    entry.memoryBytes = reader.integer("memory_bytes", 1, qint64{1} << 50);
    if (reader.error().isEmpty() && !kIdPattern.match(entry.id).hasMatch())
        reader.failWith(QStringLiteral("\"id\" must use a-z, 0-9, '.', '_' and '-', found \"%1\"").arg(entry.id));
    if (reader.error().isEmpty() && !kRepositoryPattern.match(entry.repository).hasMatch())
        reader.failWith(QStringLiteral("\"repository\" must be owner/name, found \"%1\"").arg(entry.repository));
    if (reader.error().isEmpty() && !kRevisionPattern.match(entry.revision).hasMatch())
        reader.failWith(QStringLiteral("invalid \"revision\" \"%1\"").arg(entry.revision));
    if (!reader.error().isEmpty()) {
        *error = reader.error();
        return std::nullopt;
    }

    // Step 2: the files.
    const QJsonValue files = object.value(QLatin1String("files"));
    if (!files.isArray() || files.toArray().isEmpty()) {
        *error = QStringLiteral("%1 (\"%2\"): \"files\" must be a non-empty array").arg(where, entry.id);
        return std::nullopt;
    }
    const QJsonArray fileArray = files.toArray();
    for (qsizetype i = 0; i < fileArray.size(); ++i) {
        const auto file = parseFile(fileArray.at(i), QStringLiteral("%1 (\"%2\"), file %3").arg(where, entry.id).arg(i + 1),
                                    error);
        if (!file)
            return std::nullopt;
        entry.files.append(*file);
    }

    // Step 3: the fields together.
    const QString problem = checkConsistency(entry);
    if (!problem.isEmpty()) {
        *error = QStringLiteral("%1 (\"%2\"): %3").arg(where, entry.id, problem);
        return std::nullopt;
    }
    return entry;
}

} // namespace

QString CatalogEntry::destinationName() const
{
    if (!isFolder())
        return files.first().name.section(QLatin1Char('/'), -1);
    return repository.section(QLatin1Char('/'), 1);
}

ModelShape CatalogEntry::shape() const
{
    ModelShape shape;
    shape.weightBytes = sizeBytes;
    shape.layerCount = layerCount;
    shape.kvHeadCount = kvHeadCount;
    shape.keyLength = headDim;
    shape.valueLength = headDim;
    shape.contextLength = contextLength;
    return shape;
}

DownloadRequest CatalogEntry::downloadRequest(const QUrl& hubUrl) const
{
    DownloadRequest request;
    request.folder = isFolder();
    request.destinationName = destinationName();
    for (const CatalogFile& file : files) {
        DownloadFileRequest fileRequest;
        fileRequest.url = hubFileUrl(hubUrl, repository, revision, file.name);
        // A GGUF file is stored under its own name; a folder keeps the
        // repository's layout.
        fileRequest.name = isFolder() ? file.name : destinationName();
        fileRequest.expectedSize = file.size;
        fileRequest.expectedSha256 = file.sha256;
        request.files.append(fileRequest);
    }
    return request;
}

QUrl hubFileUrl(const QUrl& hubUrl, const QString& repository, const QString& revision, const QString& path)
{
    QUrl url = hubUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(QStringLiteral("%1/%2/resolve/%3/%4").arg(base, repository, revision, path));
    return url;
}

bool isSupportedCatalogArchitecture(const QString& format, const QString& architecture)
{
    // GPTQ and AWQ folders load through hf/hf_config.cpp, which runs the
    // model types llama and mistral as "llama" and qwen2 as "qwen2".
    if (format == QLatin1String("GPTQ") || format == QLatin1String("AWQ"))
        return architecture == QLatin1String("llama") || architecture == QLatin1String("qwen2");
    for (const std::string& name : ModelGraph::supported_architectures()) {
        if (architecture == QString::fromStdString(name))
            return true;
    }
    return false;
}

std::optional<QList<CatalogEntry>> parseCatalog(const QByteArray& json, QString* error)
{
    // Step 1: the document and its version.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("invalid JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString());
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    if (!document.isObject() || root.value(QLatin1String("version")).toInt(-1) != kCatalogVersion) {
        *error = QStringLiteral("expected an object with \"version\": %1").arg(kCatalogVersion);
        return std::nullopt;
    }
    const QJsonValue models = root.value(QLatin1String("models"));
    if (!models.isArray()) {
        *error = QStringLiteral("\"models\" must be an array");
        return std::nullopt;
    }

    // Step 2: each entry, with unique ids and destinations.
    QList<CatalogEntry> entries;
    QSet<QString> ids;
    QSet<QString> destinations;
    const QJsonArray array = models.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto entry = parseEntry(array.at(i), static_cast<int>(i), error);
        if (!entry)
            return std::nullopt;
        if (ids.contains(entry->id)) {
            *error = QStringLiteral("model %1: the id \"%2\" is used twice").arg(i + 1).arg(entry->id);
            return std::nullopt;
        }
        if (destinations.contains(entry->destinationName())) {
            *error = QStringLiteral("model %1 (\"%2\"): another model is also saved as \"%3\"")
                         .arg(i + 1)
                         .arg(entry->id, entry->destinationName());
            return std::nullopt;
        }
        ids.insert(entry->id);
        destinations.insert(entry->destinationName());
        entries.append(*entry);
    }
    return entries;
}

QList<CatalogEntry> builtInCatalog()
{
    QFile file(kBuiltInCatalog);
    if (!file.open(QIODevice::ReadOnly)) {
        qCCritical(lcLibrary).noquote() << "Cannot open the built-in catalog" << kBuiltInCatalog << ":" << file.errorString();
        return {};
    }
    QString error;
    auto entries = parseCatalog(file.readAll(), &error);
    if (!entries) {
        qCCritical(lcLibrary).noquote() << "The built-in catalog" << kBuiltInCatalog << "is invalid:" << error;
        return {};
    }
    return *entries;
}

} // namespace quanta
