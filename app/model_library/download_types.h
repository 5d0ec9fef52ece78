// Registers the download manager's types with QML, so the library screen
// can declare properties of these types. They live in downloads/, which
// does not depend on QML.
#pragma once

#include "downloads/download_list_model.h"
#include "downloads/download_manager.h"

#include <QtQml/qqml.h>

namespace quanta {

struct DownloadManagerForeign {
    Q_GADGET
    QML_FOREIGN(quanta::DownloadManager)
    QML_NAMED_ELEMENT(DownloadManager)
    QML_UNCREATABLE("DownloadManager is created by the application.")
};

struct DownloadListModelForeign {
    Q_GADGET
    QML_FOREIGN(quanta::DownloadListModel)
    QML_NAMED_ELEMENT(DownloadListModel)
    QML_UNCREATABLE("DownloadListModel is created by the application.")
};

} // namespace quanta
