#include "model_library/model_file_info.h"

#include "engine/memory_plan.h"
#include "engine/model_summary.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_config.h"
#include "hf/hf_model.h"
#include "logging/log_categories.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <exception>
#include <memory>
#include <string>

namespace quanta {

namespace {

// Counts above this are taken as a damaged header, not a model's shape.
constexpr uint64_t kMaxShapeValue = 1u << 20;

// A positive count from the GGUF header, or 0 when the key is missing, is
// not an integer (head_count_kv is an array in a few models) or is absurd.
int readCount(const GgufFile& file, const std::string& key)
{
    const GgufValue* value = file.find(key);
    if (!value || !value->is_integer())
        return 0;
    try {
        const uint64_t count = value->as_uint(key);
        return count > 0 && count <= kMaxShapeValue ? static_cast<int>(count) : 0;
    } catch (const std::exception&) {
        return 0; // a negative value
    }
}

// The KV cache's shape from the {arch}.* keys, with llama.cpp's defaults:
// head_count_kv = head_count, and key/value length = embedding / heads.
void readGgufShape(const GgufFile& file, const std::string& architecture, ModelFileInfo& info)
{
    const std::string prefix = architecture + '.';
    info.layerCount = readCount(file, prefix + "block_count");
    const int heads = readCount(file, prefix + "attention.head_count");
    const int embedding = readCount(file, prefix + "embedding_length");
    info.kvHeadCount = readCount(file, prefix + "attention.head_count_kv");
    if (info.kvHeadCount == 0)
        info.kvHeadCount = heads;
    const int headSize = heads > 0 ? embedding / heads : 0;
    info.keyLength = readCount(file, prefix + "attention.key_length");
    if (info.keyLength == 0)
        info.keyLength = headSize;
    info.valueLength = readCount(file, prefix + "attention.value_length");
    if (info.valueLength == 0)
        info.valueLength = headSize;
}

// The memory to run the model, as the loader will count it: weights, KV
// cache and buffers for the context a chat uses, on the CPU. A model the
// planner cannot describe keeps the simple estimate of memory_fit.h.
void planMemory(const std::string& path, ModelFileInfo& info)
{
    try {
        const MemoryPlan plan = plan_memory(describe_model_memory(path), MemoryPlanRequest{});
        info.plannedWeightBytes = static_cast<qint64>(plan.weights_total);
        info.plannedKvCacheBytes = static_cast<qint64>(plan.kv_cache);
        info.plannedScratchBytes = static_cast<qint64>(plan.scratch);
        info.plannedContext = plan.n_ctx;
    } catch (const std::exception& error) {
        qCDebug(lcLibrary).noquote() << "No memory plan for" << QString::fromStdString(path) << ":" << error.what();
    }
}

} // namespace

QString ModelFileInfo::format() const
{
    if (!folder)
        return QStringLiteral("GGUF");
    if (quantization.startsWith(QLatin1String("GPTQ")))
        return QStringLiteral("GPTQ");
    if (quantization.startsWith(QLatin1String("AWQ")))
        return QStringLiteral("AWQ");
    return QStringLiteral("Safetensors");
}

ModelStamp readModelStamp(const QFileInfo& path)
{
    ModelStamp stamp;
    if (!path.isDir()) {
        stamp.sizeBytes = path.size();
        stamp.modified = path.lastModified();
        return stamp;
    }

    // A file rewritten in place leaves the folder's own time unchanged, so
    // the files inside count too.
    stamp.modified = path.lastModified();
    const QDir folder(path.absoluteFilePath());
    const QFileInfoList files =
        folder.entryInfoList({QStringLiteral("*.safetensors"), QStringLiteral("*.json")}, QDir::Files | QDir::Readable);
    for (const QFileInfo& file : files) {
        if (file.suffix().compare(QLatin1String("safetensors"), Qt::CaseInsensitive) == 0)
            stamp.sizeBytes += file.size();
        stamp.modified = std::max(stamp.modified, file.lastModified());
    }
    return stamp;
}

bool isHuggingFaceModelFolder(const QFileInfo& folder)
{
    if (!folder.isDir())
        return false;
    const QDir dir(folder.absoluteFilePath());
    if (!QFileInfo(dir.filePath(QStringLiteral("config.json"))).isFile())
        return false;
    if (!dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files).isEmpty())
        return true;
    return dir.entryList({QStringLiteral("*.gguf")}, QDir::Files).isEmpty();
}

ModelFileInfo readModelFileInfo(const QString& path)
{
    ModelFileInfo info;
    info.path = path;
    const QFileInfo file(path);
    info.folder = file.isDir();
    const ModelStamp stamp = readModelStamp(file);
    info.sizeBytes = stamp.sizeBytes;
    info.modified = stamp.modified;
    try {
        const std::string enginePath = QFile::encodeName(path).toStdString();
        ModelSummary summary;
        if (info.folder) {
            summary = summarize_hf_folder(enginePath);
            const HfConfig config = read_hf_config(enginePath);
            info.layerCount = config.n_layer;
            info.kvHeadCount = config.n_head_kv;
            info.keyLength = config.head_dim;
            info.valueLength = config.head_dim;
        } else {
            const std::unique_ptr<GgufFile> file = GgufFile::open(enginePath);
            summary = summarize_model_file(*file);
            readGgufShape(*file, summary.architecture, info);
        }
        info.architecture = QString::fromStdString(summary.architecture);
        info.quantization = QString::fromStdString(summary.file_type);
        info.parameters = static_cast<qint64>(summary.n_params);
        info.contextLength = summary.n_ctx_train;
        info.weightBytes = static_cast<qint64>(summary.weight_bytes);

        planMemory(enginePath, info);
    } catch (const std::exception& error) {
        info.problem = QString::fromUtf8(error.what());
    }
    return info;
}

QString modelDisplayName(const QString& path)
{
    const QFileInfo info(QDir::cleanPath(path));
    return info.isDir() ? info.fileName() : info.completeBaseName();
}

QString formatParameterCount(qint64 parameters)
{
    struct Unit {
        double scale;
        const char* suffix;
    };
    static constexpr Unit kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    const double value = static_cast<double>(parameters);
    for (const Unit& unit : kUnits) {
        if (value >= unit.scale) {
            const double scaled = value / unit.scale;
            // Three significant digits: 1.24B, 15.2M, 260K.
            int decimals = 2;
            if (scaled >= 100)
                decimals = 0;
            else if (scaled >= 10)
                decimals = 1;
            QString text = QString::number(scaled, 'f', decimals);
            if (text.contains(QLatin1Char('.'))) {
                while (text.endsWith(QLatin1Char('0')))
                    text.chop(1);
                if (text.endsWith(QLatin1Char('.')))
                    text.chop(1);
            }
            return text + QLatin1String(unit.suffix);
        }
    }
    return QString::number(parameters);
}

QString localizedWeightFormat(const QString& engineText)
{
    // The engine writes "<method> <bits>-bit", then ", group <n>" or ", one
    // group per row", then ", act-order" (HfQuantization::describe).
    static const QRegularExpression pattern(
        QStringLiteral("^(GPTQ|AWQ) (\\d+)-bit(?:, group (\\d+)|(, one group per row))?(, act-order)?$"));
    const QRegularExpressionMatch match = pattern.match(engineText);
    if (!match.hasMatch())
        return engineText;
    QStringList parts;
    parts.append(QCoreApplication::translate("ModelFormat", "%1 %2-bit").arg(match.captured(1), match.captured(2)));
    if (!match.captured(3).isEmpty())
        parts.append(QCoreApplication::translate("ModelFormat", "group %1").arg(match.captured(3)));
    if (!match.captured(4).isEmpty())
        parts.append(QCoreApplication::translate("ModelFormat", "one group per row"));
    if (!match.captured(5).isEmpty())
        parts.append(QCoreApplication::translate("ModelFormat", "act-order"));
    return parts.join(QCoreApplication::translate("ModelFormat", ", ", "separator between the parts of a format"));
}

} // namespace quanta
