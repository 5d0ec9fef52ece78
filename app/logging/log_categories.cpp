#include "logging/log_categories.h"

// Debug output is off unless QT_LOGGING_RULES turns it on.
Q_LOGGING_CATEGORY(lcInference, "quanta.inference", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStorage, "quanta.storage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "quanta.ui", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApp, "quanta.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "quanta.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDownload, "quanta.download", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLibrary, "quanta.library", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMemory, "quanta.memory", QtInfoMsg)
