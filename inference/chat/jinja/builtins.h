// Jinja's built-in filters, tests and global functions, and the methods of
// strings, lists and dicts that templates call as in Python.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

#include <string_view>

namespace quanta::jinja {

class Interpreter;
class Scope;
struct Arguments;

using FilterFunction = Value (*)(Interpreter& interpreter, const Value& input, Arguments& arguments);
using TestFunction = bool (*)(Interpreter& interpreter, const Value& value, Arguments& arguments);

// Null when there is no such filter or test.
FilterFunction find_filter(std::string_view name);
TestFunction find_test(std::string_view name);

// Defines range, dict, namespace, raise_exception and strftime_now.
void install_globals(Interpreter& interpreter, Scope& scope);

// The method `name` of a string, list or dict bound to `self`, or an
// undefined value when it has none.
Value find_method(Interpreter& interpreter, const Value& self, std::string_view name);

// Checks that every filter and test the template names exists, so that a
// template with an unknown one fails when it is parsed, as in Jinja2, and
// not only when that branch runs. Throws SourceError.
void check_builtins(const ast::Body& body);

} // namespace quanta::jinja
