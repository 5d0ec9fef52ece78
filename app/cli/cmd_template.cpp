// quanta-cli template: renders a chat template for a conversation and prints
// the prompt, for people debugging a model's template. A model's template
// comes from its GGUF metadata, whose weights are never read, or from a
// Hugging Face folder's tokenizer_config.json or chat_template.jinja.
#include "commands.h"
#include "model_path.h"
#include "options.h"

#include "chat/chat_template.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_model.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace quanta::cli {

namespace {

constexpr const char* kUsage = "usage: quanta-cli template (-m MODEL | --template FILE) --messages FILE.json "
                               "[--add-generation-prompt] [--var NAME=JSON ...]";

// Larger template or messages files are refused rather than read whole.
constexpr size_t kMaxInputBytes = size_t(64) << 20;

void print_help()
{
    std::cout << kUsage << "\n"
              << "Renders a chat template for the conversation in FILE.json and writes the prompt to standard\n"
              << "output exactly, with no newline added. Template errors go to standard error, naming the\n"
              << "construct, line and column, and the exit code is 1.\n"
              << "  -m, --model MODEL         GGUF file or Hugging Face folder: renders its chat template with\n"
              << "                            its BOS and EOS token texts as bos_token and eos_token\n"
              << "  --template FILE           Jinja template file to render instead of a model's\n"
              << "  --messages FILE.json      a JSON array of messages ({\"role\": ..., \"content\": ...}), or an\n"
              << "                            object with a \"messages\" array whose other keys become variables\n"
              << "  --add-generation-prompt   end the prompt with the opening of the assistant's turn\n"
              << "  --var NAME=JSON           set the template variable NAME to a JSON value, for example\n"
              << "                            --var 'tools=[]' or --var 'bos_token=\"<s>\"'; repeatable\n";
}

std::string read_text(const std::string& path, const char* file_kind)
{
    const MappedFile file(path);
    if (file.size() > kMaxInputBytes) {
        throw IoError(path + ": the " + file_kind + " file has " + std::to_string(file.size()) +
                      " bytes, more than the limit of " + std::to_string(kMaxInputBytes));
    }
    return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

nlohmann::ordered_json parse_json(const std::string& text, const std::string& path)
{
    try {
        return nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::ordered_json::parse_error& error) {
        throw FormatError(path + ": invalid JSON: " + error.what());
    }
}

// Takes every "--var NAME=JSON" out of `args`, which Options would keep
// only once.
std::vector<std::pair<std::string, std::string>> take_variables(Args& args)
{
    std::vector<std::pair<std::string, std::string>> variables;
    for (size_t i = 0; i < args.size();) {
        if (args[i] != "--var") {
            ++i;
            continue;
        }
        if (i + 1 >= args.size())
            throw UsageError("option --var needs a value NAME=JSON");
        const std::string& assignment = args[i + 1];
        const size_t equals = assignment.find('=');
        if (equals == std::string::npos || equals == 0)
            throw UsageError("option --var expects NAME=JSON, got '" + printable(assignment) + "'");
        variables.emplace_back(assignment.substr(0, equals), assignment.substr(equals + 1));
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    }
    return variables;
}

} // namespace

int cmd_template(const Args& arguments)
{
    try {
        // Step 1: parse the command line.
        Args args = arguments;
        const std::vector<std::pair<std::string, std::string>> assignments = take_variables(args);
        const Options options(args, {"-m", "--model", "--template", "--messages"},
                              {"--add-generation-prompt", "--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            print_help();
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + printable(options.positional().front()) + "'");
        std::optional<std::string> model_path = options.value("-m");
        if (!model_path)
            model_path = options.value("--model");
        const std::optional<std::string> template_path = options.value("--template");
        if (model_path.has_value() == template_path.has_value())
            throw UsageError("give either -m MODEL or --template FILE");
        const std::string messages_path = options.required("--messages");
        nlohmann::ordered_json variables = nlohmann::ordered_json::object();
        for (const auto& [name, json] : assignments) {
            try {
                variables[name] = nlohmann::ordered_json::parse(json);
            } catch (const nlohmann::ordered_json::parse_error&) {
                throw UsageError("--var " + printable(name) + ": the value is not valid JSON: '" + printable(json) +
                                 "' (quote strings, e.g. --var '" + printable(name) + "=\"text\"')");
            }
        }

        // Step 2: the template, with the model's BOS and EOS texts.
        std::string source;
        std::string bos;
        std::string eos;
        if (model_path) {
            // A folder's template and tokenizer are read without its weights.
            const bool folder = is_model_folder(*model_path);
            const std::unique_ptr<GgufFile> file = folder ? nullptr : GgufFile::open(*model_path);
            source = folder ? read_hf_chat_template(*model_path) : file->get_string("tokenizer.chat_template", "");
            if (source.empty() && folder) {
                throw FormatError(*model_path + ": the model has no chat template to render: neither "
                                  "tokenizer_config.json has \"chat_template\" nor is there a chat_template.jinja");
            }
            if (source.empty())
                throw FormatError(*model_path + ": the model has no tokenizer.chat_template to render");
            const std::unique_ptr<Tokenizer> tokenizer =
                folder ? Tokenizer::from_hf_dir(*model_path) : Tokenizer::from_gguf(*file);
            if (tokenizer->bos() >= 0)
                bos = tokenizer->token_text(tokenizer->bos());
            if (tokenizer->eos() >= 0)
                eos = tokenizer->token_text(tokenizer->eos());
        } else {
            source = read_text(*template_path, "template");
        }
        const ChatTemplate chat_template(source, bos, eos);

        // Step 3: the conversation, and variables the messages file carries.
        const nlohmann::ordered_json input = parse_json(read_text(messages_path, "messages"), messages_path);
        nlohmann::ordered_json messages;
        nlohmann::ordered_json extra = nlohmann::ordered_json::object();
        if (input.is_array()) {
            messages = input;
        } else if (input.is_object() && input.contains("messages") && input["messages"].is_array()) {
            for (const auto& [name, value] : input.items()) {
                if (name == "messages")
                    messages = value;
                else
                    extra[name] = value;
            }
        } else {
            throw FormatError(messages_path + ": expected a JSON array of messages or an object with a \"messages\" "
                              "array, found " + std::string(input.type_name()));
        }
        for (const auto& [name, value] : variables.items())
            extra[name] = value;

        // Step 4: render and print the prompt as it is.
        const std::string prompt =
            chat_template.render_strict(messages, options.has("--add-generation-prompt"), extra);
        std::cout << prompt;
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "quanta-cli template: writing to standard output failed\n";
            return kExitFailure;
        }
        return kExitOk;
    } catch (const UsageError& error) {
        std::cerr << "quanta-cli template: " << error.what() << "\n" << kUsage << "\n";
        return kExitUsage;
    } catch (const Error& error) {
        std::cerr << "quanta-cli template: " << printable(error.what()) << "\n";
        return kExitFailure;
    }
}

} // namespace quanta::cli
