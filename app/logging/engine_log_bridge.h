// Forwards the engine's log (inference/core/log.h) to the quanta.inference
// logging category.
#pragma once

namespace quanta {

// Installs the sink. The engine may log from any thread; Qt's logging is
// thread-safe, so the sink needs no locking of its own.
void installEngineLogBridge();

// Restores the engine's default sink (stderr).
void removeEngineLogBridge();

} // namespace quanta
