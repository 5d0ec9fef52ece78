#include "logging/log_categories.h"

Q_LOGGING_CATEGORY(lcInference, "quanta.inference")
Q_LOGGING_CATEGORY(lcStorage, "quanta.storage")
Q_LOGGING_CATEGORY(lcUi, "quanta.ui")
Q_LOGGING_CATEGORY(lcApp, "quanta.app")
