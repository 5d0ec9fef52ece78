// Python's operators on interpreter values: arithmetic, string and list
// concatenation and repetition, printf-style formatting, `in`, and slicing.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

namespace quanta::jinja {

class Interpreter;

// a op b. Throws EvalError with Python's message for unsupported operand
// types, division by zero and 64-bit overflow.
Value binary_operation(Interpreter& interpreter, ast::BinaryOp op, const Value& a, const Value& b);
// -a and +a.
Value unary_operation(ast::ExprKind kind, const Value& operand);
// `item in container`.
bool contains(Interpreter& interpreter, const Value& container, const Value& item);
// object[start:stop:step]; each bound may be none. Strings slice by code
// point. Types that cannot be sliced give undefined, as Jinja's getitem does.
Value slice(Interpreter& interpreter, const Value& object, const Value& start, const Value& stop, const Value& step);
// Python's `format % arguments`, used by `%` on strings and the format filter.
std::string percent_format(const std::string& format, const Value& arguments);

} // namespace quanta::jinja
