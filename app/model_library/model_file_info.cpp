#include "model_library/model_file_info.h"

#include "engine/model_summary.h"
#include "gguf/gguf_reader.h"

#include <QFileInfo>

#include <exception>

namespace quanta {

ModelFileInfo readModelFileInfo(const QString& path)
{
    ModelFileInfo info;
    info.path = path;
    const QFileInfo file(path);
    info.sizeBytes = file.size();
    info.modified = file.lastModified();
    try {
        const auto gguf = GgufFile::open(path.toStdString());
        const ModelSummary summary = summarize_model_file(*gguf);
        info.architecture = QString::fromStdString(summary.architecture);
        info.quantization = QString::fromStdString(summary.file_type);
        info.parameters = static_cast<qint64>(summary.n_params);
        info.contextLength = summary.n_ctx_train;
    } catch (const std::exception& error) {
        info.problem = QString::fromUtf8(error.what());
    }
    return info;
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

} // namespace quanta
