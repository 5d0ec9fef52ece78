// Declarations shared by the files that implement the built-in filters;
// internal to the interpreter.
#pragma once

#include "chat/jinja/builtins.h"
#include "chat/jinja/interpreter.h"

namespace quanta::jinja {

// Text filters (filters_text.cpp).
Value filter_trim(Interpreter& in, const Value& input, Arguments& args);
Value filter_upper(Interpreter& in, const Value& input, Arguments& args);
Value filter_lower(Interpreter& in, const Value& input, Arguments& args);
Value filter_title(Interpreter& in, const Value& input, Arguments& args);
Value filter_capitalize(Interpreter& in, const Value& input, Arguments& args);
Value filter_replace(Interpreter& in, const Value& input, Arguments& args);
Value filter_indent(Interpreter& in, const Value& input, Arguments& args);
Value filter_center(Interpreter& in, const Value& input, Arguments& args);
Value filter_wordcount(Interpreter& in, const Value& input, Arguments& args);
Value filter_format(Interpreter& in, const Value& input, Arguments& args);
Value filter_string(Interpreter& in, const Value& input, Arguments& args);
Value filter_safe(Interpreter& in, const Value& input, Arguments& args);
Value filter_escape(Interpreter& in, const Value& input, Arguments& args);
Value filter_tojson(Interpreter& in, const Value& input, Arguments& args);
Value filter_int(Interpreter& in, const Value& input, Arguments& args);
Value filter_float(Interpreter& in, const Value& input, Arguments& args);
Value filter_abs(Interpreter& in, const Value& input, Arguments& args);
Value filter_round(Interpreter& in, const Value& input, Arguments& args);
Value filter_default(Interpreter& in, const Value& input, Arguments& args);
Value filter_attr(Interpreter& in, const Value& input, Arguments& args);

// Sequence filters (filters_sequence.cpp).
Value filter_length(Interpreter& in, const Value& input, Arguments& args);
Value filter_join(Interpreter& in, const Value& input, Arguments& args);
Value filter_first(Interpreter& in, const Value& input, Arguments& args);
Value filter_last(Interpreter& in, const Value& input, Arguments& args);
Value filter_list(Interpreter& in, const Value& input, Arguments& args);
Value filter_map(Interpreter& in, const Value& input, Arguments& args);
Value filter_select(Interpreter& in, const Value& input, Arguments& args);
Value filter_reject(Interpreter& in, const Value& input, Arguments& args);
Value filter_selectattr(Interpreter& in, const Value& input, Arguments& args);
Value filter_rejectattr(Interpreter& in, const Value& input, Arguments& args);
Value filter_unique(Interpreter& in, const Value& input, Arguments& args);
Value filter_reverse(Interpreter& in, const Value& input, Arguments& args);
Value filter_sort(Interpreter& in, const Value& input, Arguments& args);
Value filter_items(Interpreter& in, const Value& input, Arguments& args);
Value filter_dictsort(Interpreter& in, const Value& input, Arguments& args);
Value filter_sum(Interpreter& in, const Value& input, Arguments& args);
Value filter_min(Interpreter& in, const Value& input, Arguments& args);
Value filter_max(Interpreter& in, const Value& input, Arguments& args);
Value filter_batch(Interpreter& in, const Value& input, Arguments& args);

// Python's str.format(*args, **kwargs) (string_format.cpp): automatic,
// numbered and named fields with attribute and index lookups, !r/!s/!a,
// and format specs with fill, alignment, sign, width, precision and type.
std::string python_format(Interpreter& in, const std::string& format, const Arguments& args);

// Python's str() as Jinja's filters apply it to their input (soft_str):
// undefined is "", None is "None".
inline std::string soft_string(const Value& value)
{
    return to_string(value);
}

} // namespace quanta::jinja
