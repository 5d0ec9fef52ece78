// Exception types thrown by the engine. The CLI and the app's worker thread
// catch them and turn them into exit codes or UI signals.
#pragma once

#include <stdexcept>
#include <string>

namespace quanta {

// Any engine failure the caller can report to the user.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file (GGUF, vocab, ...) is malformed or hostile: the message names the
// file, the key or tensor, and the expected and found values.
class FormatError : public Error {
public:
    using Error::Error;
};

// The file is well formed but uses something the engine does not implement
// (an architecture, a tensor type, a tokenizer model).
class UnsupportedError : public Error {
public:
    using Error::Error;
};

// An I/O failure: a file that cannot be opened, read, mapped or written.
class IoError : public Error {
public:
    using Error::Error;
};

// A GPU backend failure: no Vulkan loader or device, a missing feature, or a
// failed Vulkan call. The message names the device and the call.
class DeviceError : public Error {
public:
    using Error::Error;
};

// The device could not allocate memory. Callers retry with less on the GPU.
class OutOfDeviceMemoryError : public DeviceError {
public:
    using DeviceError::DeviceError;
};

// Loading or generation was cancelled from another thread.
class CancelledError : public Error {
public:
    using Error::Error;
};

} // namespace quanta
