// Helpers shared by the test suites: where the shared models are, and small
// file utilities.
#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace quanta::test {

// Absolute path of a file under the shared models/reference folder, e.g.
// shared_path("models/stories260K.gguf").
std::string shared_path(const std::string& relative);

// True when the shared folder is present; suites QSKIP without it.
bool shared_available();

// Reads a whole file; QFAIL-style failures are the caller's job, this throws
// std::runtime_error when it cannot be read.
std::vector<uint8_t> read_file(const std::string& path);
std::vector<float> read_f32_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

// Largest absolute difference between two equally long float arrays.
float max_abs_diff(const float* a, const float* b, size_t n);

} // namespace quanta::test
