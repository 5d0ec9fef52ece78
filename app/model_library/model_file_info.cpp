#include "model_library/model_file_info.h"

#include "engine/model_summary.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_model.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <exception>

namespace quanta {

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
        if (info.folder)
            summary = summarize_hf_folder(enginePath);
        else
            summary = summarize_model_file(*GgufFile::open(enginePath));
        info.architecture = QString::fromStdString(summary.architecture);
        info.quantization = QString::fromStdString(summary.file_type);
        info.parameters = static_cast<qint64>(summary.n_params);
        info.contextLength = summary.n_ctx_train;
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
