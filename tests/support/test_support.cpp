#include "test_support.h"

#include <QDir>
#include <QFileInfo>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace quanta::test {

std::string shared_path(const std::string& relative)
{
    return QDir::cleanPath(QStringLiteral(QUANTA_SHARED_DIR) + QLatin1Char('/') + QString::fromStdString(relative))
        .toStdString();
}

bool shared_available()
{
    return QFileInfo::exists(QString::fromStdString(shared_path("models/stories260K.gguf")));
}

std::vector<uint8_t> read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<float> read_f32_file(const std::string& path)
{
    const std::vector<uint8_t> bytes = read_file(path);
    if (bytes.size() % sizeof(float) != 0)
        throw std::runtime_error(path + ": size is not a multiple of 4");
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

float max_abs_diff(const float* a, const float* b, size_t n)
{
    float worst = 0.0f;
    for (size_t i = 0; i < n; ++i) {
        const float difference = std::fabs(a[i] - b[i]);
        if (!(difference <= worst))
            worst = std::isnan(difference) ? INFINITY : difference;
    }
    return worst;
}

} // namespace quanta::test
