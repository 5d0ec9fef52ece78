// SHA-256 of a model on disk, stored with each comparison so that a result
// can be matched to the exact files it was measured on.
#pragma once

#include <QString>

#include <atomic>
#include <functional>

namespace quanta {

// Returns the lowercase hex SHA-256 of the GGUF file at `path`, or, for a
// Hugging Face folder, of its *.safetensors files' bytes concatenated in
// file-name order. The files are streamed in chunks, so memory stays small.
// `onProgress` gets the share hashed so far (0..1); a set `cancel` makes it
// throw CancelledError. Throws IoError naming the file that cannot be read
// and FormatError for a folder without safetensors files.
QString hashModel(const QString& path, const std::function<void(double)>& onProgress = {},
                  const std::atomic<bool>* cancel = nullptr);

} // namespace quanta
