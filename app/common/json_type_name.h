// The name of a JSON value's type for error messages about hostile or
// mistaken input: "a string", "an array", "null", ...
#pragma once

#include <QJsonValue>
#include <QString>

namespace quanta {

QString jsonTypeName(const QJsonValue& value);

} // namespace quanta
