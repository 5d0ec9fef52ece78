// The last step of a download: moving the verified file or folder from
// <models>/.partial into the models folder with one rename, so the library
// never shows a half-written model.
#pragma once

#include <QString>

namespace quanta {

struct InstallResult {
    QString path;   // where the model is now; empty on failure
    QString error;  // why it failed; empty on success
};

// Moves `source` (a file or folder on the same filesystem as `modelsFolder`)
// to `modelsFolder/name`. An existing file or folder is never replaced: when
// the name is taken, the model gets the first free name of "name (2)",
// "name (3)", ... (before the extension for a file: "model (2).gguf").
InstallResult moveIntoLibrary(const QString& source, const QString& modelsFolder, const QString& name, bool folder);

// The n-th alternative name (n >= 2) for `name`, as moveIntoLibrary picks it.
QString alternativeModelName(const QString& name, int n, bool folder);

} // namespace quanta
