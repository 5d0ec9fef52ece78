// One logging category per subsystem of the app. Enable debug output with
// QT_LOGGING_RULES, e.g. "quanta.storage.debug=true".
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcInference) // "quanta.inference": the engine and the worker thread
Q_DECLARE_LOGGING_CATEGORY(lcStorage)   // "quanta.storage": the chat database
Q_DECLARE_LOGGING_CATEGORY(lcUi)        // "quanta.ui": QML, models, language
Q_DECLARE_LOGGING_CATEGORY(lcApp)       // "quanta.app": start-up, options, shutdown
Q_DECLARE_LOGGING_CATEGORY(lcApi)       // "quanta.api": the local OpenAI-compatible server
Q_DECLARE_LOGGING_CATEGORY(lcDownload)  // "quanta.download": model downloads
Q_DECLARE_LOGGING_CATEGORY(lcLibrary)   // "quanta.library": the models folder, catalog and Hugging Face search
Q_DECLARE_LOGGING_CATEGORY(lcMemory)    // "quanta.memory": the memory planner and the VRAM inspector
