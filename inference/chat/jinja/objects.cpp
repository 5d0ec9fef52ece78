#include "chat/jinja/objects.h"

#include "chat/jinja/interpreter.h"

#include <algorithm>

namespace quanta::jinja {

// ---------------------------------------------------------------- Namespace

Value Namespace::get_attribute(std::string_view name)
{
    for (const auto& [key, value] : attributes_) {
        if (key == name)
            return value;
    }
    return Object::get_attribute(name);
}

bool Namespace::set_attribute(std::string_view name, Value value)
{
    for (auto& [key, existing] : attributes_) {
        if (key == name) {
            existing = std::move(value);
            return true;
        }
    }
    attributes_.emplace_back(std::string(name), std::move(value));
    return true;
}

std::string Namespace::to_string() const
{
    return repr(Value::object(std::const_pointer_cast<Object>(shared_from_this())));
}

void Namespace::write_repr(std::string& out, const std::function<void(const Value&)>& write_value) const
{
    out += "<Namespace {";
    for (size_t i = 0; i < attributes_.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += repr(Value::string(attributes_[i].first)) + ": ";
        write_value(attributes_[i].second);
    }
    out += "}>";
}

// --------------------------------------------------------------- LoopObject

Value LoopObject::get_attribute(std::string_view name)
{
    const std::vector<Value>& items = items_->items;
    const auto length = static_cast<int64_t>(items.size());
    const auto index = static_cast<int64_t>(index_);
    if (name == "index")
        return Value::integer(index + 1);
    if (name == "index0")
        return Value::integer(index);
    if (name == "revindex")
        return Value::integer(length - index);
    if (name == "revindex0")
        return Value::integer(length - index - 1);
    if (name == "first")
        return Value::boolean(index == 0);
    if (name == "last")
        return Value::boolean(index == length - 1);
    if (name == "length")
        return Value::integer(length);
    if (name == "depth")
        return Value::integer(depth_);
    if (name == "depth0")
        return Value::integer(depth_ - 1);
    if (name == "previtem") {
        if (index == 0)
            return Value::undefined("there is no previous item");
        return items[index_ - 1];
    }
    if (name == "nextitem") {
        if (index + 1 >= length)
            return Value::undefined("there is no next item");
        return items[index_ + 1];
    }

    // cycle() and changed() are methods bound to this loop.
    const std::shared_ptr<LoopObject> self = std::static_pointer_cast<LoopObject>(shared_from_this());
    if (name == "cycle") {
        return Value::object(interpreter_.heap().make<NativeFunction>(
            "loop.cycle", [self](Interpreter&, Arguments& arguments) { return self->cycle(arguments); }));
    }
    if (name == "changed") {
        return Value::object(interpreter_.heap().make<NativeFunction>(
            "loop.changed", [self](Interpreter&, Arguments& arguments) { return self->changed(arguments); }));
    }
    return Object::get_attribute(name);
}

Value LoopObject::cycle(Arguments& arguments) const
{
    if (!arguments.keyword.empty())
        throw EvalError("loop.cycle() takes no keyword arguments");
    if (arguments.positional.empty())
        throw EvalError("loop.cycle() needs at least one value");
    return arguments.positional[index_ % arguments.positional.size()];
}

Value LoopObject::changed(Arguments& arguments)
{
    // True on the first call and whenever the arguments differ from the
    // previous call's.
    bool same = changed_called_ && last_changed_.size() == arguments.positional.size();
    for (size_t i = 0; same && i < last_changed_.size(); ++i)
        same = equals(last_changed_[i], arguments.positional[i]);
    changed_called_ = true;
    last_changed_ = arguments.positional;
    return Value::boolean(!same);
}

Value LoopObject::call(Interpreter& interpreter, Arguments& arguments)
{
    if (!node_.recursive)
        return Object::call(interpreter, arguments);
    if (arguments.positional.size() != 1 || !arguments.keyword.empty())
        throw EvalError("loop() of a recursive loop takes exactly one argument: the items to loop over");
    return interpreter.call_recursive_loop(node_, scope_, arguments.positional[0], depth_ + 1);
}

std::string LoopObject::to_string() const
{
    return "<LoopContext " + std::to_string(index_ + 1) + "/" + std::to_string(items_->items.size()) + ">";
}

void LoopObject::release_references()
{
    scope_.reset();
    items_.reset();
    last_changed_.clear();
}

// -------------------------------------------------------------- MacroObject

Value MacroObject::get_attribute(std::string_view name)
{
    if (name == "name")
        return Value::string(macro_.name);
    return Object::get_attribute(name);
}

Value MacroObject::call(Interpreter& interpreter, Arguments& arguments)
{
    if (!closure_)
        throw EvalError("macro '" + macro_.name + "' can no longer be called: its template has finished rendering");
    return interpreter.call_macro(macro_, closure_, arguments);
}

// ----------------------------------------------------------- NativeFunction

Value NativeFunction::call(Interpreter& interpreter, Arguments& arguments)
{
    if (!body_)
        throw EvalError("'" + name_ + "' can no longer be called: its template has finished rendering");
    return body_(interpreter, arguments);
}

} // namespace quanta::jinja
