// SentencePiece tokenizer: token ids against llama.cpp's and Hugging Face's,
// decoding, the UTF-8 stream decoder, and the checks on vocab metadata.
// Byte-level BPE has its own suite, test_tokenizer_bpe.cpp.
#include "test_support.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <string>
#include <vector>

using namespace quanta;
using quanta::test::shared_path;

namespace {

// A tiny SentencePiece vocab whose merges are easy to follow by hand:
//   0 <unk>  1 <s>  2 </s>  3 ▁  4 a  5 b  6 ab  7 ▁a  8 <|im_end|> (stored
//   as normal)  9 <tool> (user-defined)  10 <0x0A>
struct TinyVocab {
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b",
                                       "ab", "\xE2\x96\x81" "a", "<|im_end|>", "<tool>", "<0x0A>"};
    std::vector<float> scores = {0, 0, 0, -1.0f, -2.0f, -2.0f, -0.5f, -0.7f, 0, 0, 0};
    std::vector<int32_t> types = {2, 3, 3, 1, 1, 1, 1, 1, 1, 4, 6};

    GgufWriter builder() const
    {
        GgufWriter file;
        file.add_string("general.architecture", "llama");
        file.add_string("tokenizer.ggml.model", "llama");
        file.add_string_array("tokenizer.ggml.tokens", tokens);
        file.add_float32_array("tokenizer.ggml.scores", scores);
        file.add_int32_array("tokenizer.ggml.token_type", types);
        return file;
    }
};

// Writes a vocab-only file into `dir` and returns its path.
std::string write_vocab(const GgufWriter& file, const QTemporaryDir& dir, const QString& name)
{
    const std::string path = dir.filePath(name).toStdString();
    file.write(path);
    return path;
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path)
{
    const std::unique_ptr<GgufFile> file = GgufFile::open(path);
    return Tokenizer::from_gguf(*file);
}

QByteArray read_bytes(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::vector<TokenId> ids_from_json(const QJsonArray& array)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& value : array)
        ids.push_back(static_cast<TokenId>(value.toInt()));
    return ids;
}

QByteArray format_ids(const std::vector<TokenId>& ids)
{
    QByteArray text;
    for (const TokenId id : ids)
        text += QByteArray::number(id) + ' ';
    return text.trimmed();
}

// One test vector of llama.cpp's tokenizer tests.
struct VocabVector {
    std::string text;
    std::vector<TokenId> ids;
};

// Reads FILE.inp / FILE.out as llama.cpp's test-tokenizer-0 does: the
// inputs are separated by "\n__ggml_vocab_test__\n", and line i of the
// output file contains the ids of input i, separated by spaces.
std::vector<VocabVector> read_vocab_vectors(const std::string& vocab_path)
{
    const std::string inputs = read_bytes(vocab_path + ".inp").toStdString();
    const std::string outputs = read_bytes(vocab_path + ".out").toStdString();

    const std::string separator = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    for (size_t position = 0; position < inputs.size();) {
        const size_t next = inputs.find(separator, position);
        if (next == std::string::npos) {
            texts.push_back(inputs.substr(position));
            break;
        }
        texts.push_back(inputs.substr(position, next - position));
        position = next + separator.size();
    }

    std::vector<std::vector<TokenId>> id_lists;
    for (const QByteArray& line : QByteArray::fromStdString(outputs).split('\n')) {
        std::vector<TokenId> ids;
        for (const QByteArray& number : line.simplified().split(' ')) {
            if (!number.isEmpty())
                ids.push_back(number.toInt());
        }
        id_lists.push_back(ids);
    }
    // The output file ends with a newline, which leaves one empty entry.
    if (!outputs.empty() && outputs.back() == '\n')
        id_lists.pop_back();

    std::vector<VocabVector> vectors;
    if (texts.size() != id_lists.size())
        return vectors;
    for (size_t i = 0; i < texts.size(); ++i)
        vectors.push_back({texts[i], id_lists[i]});
    return vectors;
}

bool is_valid_utf8(const std::string& text)
{
    const QString decoded = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    return decoded.toUtf8() == QByteArray::fromStdString(text) && !decoded.contains(QChar::ReplacementCharacter);
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Tokenizer> stories_;
    std::unique_ptr<Tokenizer> llama_spm_;
    QTemporaryDir temp_dir_;

private slots:
    void initTestCase()
    {
        if (!quanta::test::shared_available())
            QSKIP("the shared models folder is missing");
        QVERIFY(temp_dir_.isValid());
        stories_ = load_tokenizer(shared_path("models/stories260K.gguf"));
        llama_spm_ = load_tokenizer(shared_path("models/vocab/ggml-vocab-llama-spm.gguf"));
    }

    void storiesMatchesLlamaCpp()
    {
        const QJsonDocument document =
            QJsonDocument::fromJson(read_bytes(shared_path("reference/stories260K-tokenize.json")));
        const QJsonArray cases = document.object().value("cases").toArray();
        QCOMPARE(cases.size(), 22);

        for (const QJsonValue& entry : cases) {
            const QJsonObject object = entry.toObject();
            const std::string text = object.value("text").toString().toStdString();
            const QString note = object.value("note").toString();

            // The note names the one llama-tokenize flag that differs from
            // the defaults (BOS added, special-token text parsed).
            bool add_bos = true;
            bool parse_special = true;
            if (note == "with --no-parse-special")
                parse_special = false;
            else if (note == "with --no-bos")
                add_bos = false;
            else
                QVERIFY2(note.isEmpty(), qPrintable("unexpected note: " + note));

            const std::vector<TokenId> expected = ids_from_json(object.value("ids").toArray());
            const std::vector<TokenId> actual = stories_->encode(text, add_bos, parse_special);
            QVERIFY2(actual == expected, qPrintable(QString("text '%1' %2: expected [%3], got [%4]")
                                                        .arg(QString::fromStdString(text), note,
                                                             QString(format_ids(expected)),
                                                             QString(format_ids(actual)))));
        }
    }

    void llamaSpmVocabVectors()
    {
        const std::vector<VocabVector> vectors = read_vocab_vectors(shared_path("models/vocab/ggml-vocab-llama-spm.gguf"));
        QCOMPARE(vectors.size(), size_t(46));

        // llama.cpp's test-tokenizer-0 adds no BOS and parses no special text.
        for (const VocabVector& vector : vectors) {
            const std::vector<TokenId> actual = llama_spm_->encode(vector.text, false, false);
            QVERIFY2(actual == vector.ids, qPrintable(QString("text '%1': expected [%2], got [%3]")
                                                          .arg(QString::fromStdString(vector.text),
                                                               QString(format_ids(vector.ids)),
                                                               QString(format_ids(actual)))));
        }
    }

    void mistralMatchesHuggingFace()
    {
        const std::unique_ptr<Tokenizer> mistral =
            load_tokenizer(shared_path("models/vocab/ggml-vocab-mistral-7b-v0.1.gguf"));
        const QJsonDocument document =
            QJsonDocument::fromJson(read_bytes(shared_path("reference/tokenizers/mistral-7b-v0.1.json")));
        const QJsonArray cases = document.object().value("cases").toArray();
        QCOMPARE(cases.size(), 34);

        // Hugging Face matches special-token text in both fields.
        for (const QJsonValue& entry : cases) {
            const QJsonObject object = entry.toObject();
            const std::string text = object.value("text").toString().toStdString();
            const std::vector<TokenId> with_bos = ids_from_json(object.value("ids").toArray());
            const std::vector<TokenId> without_bos = ids_from_json(object.value("ids_no_special").toArray());

            const std::vector<TokenId> actual_with_bos = mistral->encode(text, true, true);
            QVERIFY2(actual_with_bos == with_bos,
                     qPrintable(QString("text '%1': expected [%2], got [%3]")
                                    .arg(QString::fromStdString(text), QString(format_ids(with_bos)),
                                         QString(format_ids(actual_with_bos)))));
            const std::vector<TokenId> actual_without_bos = mistral->encode(text, false, true);
            QVERIFY2(actual_without_bos == without_bos,
                     qPrintable(QString("text '%1' without BOS: expected [%2], got [%3]")
                                    .arg(QString::fromStdString(text), QString(format_ids(without_bos)),
                                         QString(format_ids(actual_without_bos)))));
        }
    }

    void decodeRoundTrip()
    {
        // Byte fallback makes SentencePiece lossless for any valid UTF-8
        // text without special-token text in it.
        const std::vector<VocabVector> vectors = read_vocab_vectors(shared_path("models/vocab/ggml-vocab-llama-spm.gguf"));
        QVERIFY(!vectors.empty());
        for (const VocabVector& vector : vectors) {
            QCOMPARE(llama_spm_->decode(vector.ids), vector.text);
            QCOMPARE(llama_spm_->decode(llama_spm_->encode(vector.text, true, true)), vector.text);
        }

        for (const std::string text : {"Hello world", " Hello world", "   leading spaces", "trailing spaces   ",
                                       "Line one\nLine two\n\nLine four", "日本語のテキスト", "Emoji: 😀👍🏽🎉", ""}) {
            QCOMPARE(stories_->decode(stories_->encode(text, true, true)), text);
        }
    }

    void decodeKeepsLeadingSpaceOnRequest()
    {
        const std::vector<TokenId> ids = stories_->encode("Hello world", true, true);
        QCOMPARE(stories_->decode(ids, false), std::string(" Hello world"));
        QCOMPARE(stories_->decode(ids, true), std::string("Hello world"));
    }

    void tokenToPieceByType()
    {
        // 403 is "▁Once" in stories260K; byte tokens are id 3 + byte value.
        QCOMPARE(stories_->token_text(403), std::string("\xE2\x96\x81Once"));
        QCOMPARE(stories_->token_to_piece(403), std::string(" Once"));
        QCOMPARE(stories_->token_type(3 + 0x0A), TokenType::Byte);
        QCOMPARE(stories_->token_to_piece(3 + 0x0A), std::string("\n"));
        QCOMPARE(stories_->token_to_piece(3 + 0xE6), std::string("\xE6"));

        // Control and unknown tokens print only when asked to.
        QCOMPARE(stories_->token_type(1), TokenType::Control);
        QCOMPARE(stories_->token_to_piece(1), std::string());
        QCOMPARE(stories_->token_to_piece(1, true), std::string("<s>"));
        QCOMPARE(stories_->token_type(0), TokenType::Unknown);
        QCOMPARE(stories_->token_to_piece(0), std::string());
        QCOMPARE(stories_->token_to_piece(0, true), std::string("<unk>"));
    }

    void outOfRangeIdThrows()
    {
        QVERIFY_THROWS_EXCEPTION(Error, stories_->token_to_piece(512));
        QVERIFY_THROWS_EXCEPTION(Error, stories_->token_to_piece(-1));
        QVERIFY_THROWS_EXCEPTION(Error, stories_->decode({1, 600}));
        QVERIFY(!stories_->is_end_of_generation(512));
        QVERIFY(!stories_->is_end_of_generation(-1));
    }

    void specialIdsAndFlags()
    {
        QCOMPARE(stories_->vocab_size(), 512);
        QCOMPARE(stories_->bos(), 1);
        QCOMPARE(stories_->eos(), 2);
        QVERIFY(stories_->add_bos_default());
        QVERIFY(stories_->is_end_of_generation(2));
        QVERIFY(!stories_->is_end_of_generation(1));
        QVERIFY(!stories_->is_end_of_generation(403));
        QCOMPARE(llama_spm_->vocab_size(), 32000);
    }

    void streamDecoderJoinsByteTokens()
    {
        // stories260K has no CJK or emoji pieces, so these texts become one
        // byte token per UTF-8 byte: the hardest case for streaming.
        for (const std::string text : {"日本語のテキスト", "中文测试", "한국어", "Emoji: 😀👍🏽🎉", "Ünïcödé café"}) {
            const std::vector<TokenId> ids = stories_->encode(text, true, true);
            Utf8StreamDecoder decoder;
            std::string streamed;
            for (const TokenId id : ids) {
                const std::string emitted_text = decoder.push(stories_->token_to_piece(id));
                QVERIFY2(is_valid_utf8(emitted_text), qPrintable(QString("partial character streamed for '%1'")
                                                              .arg(QString::fromStdString(text))));
                QVERIFY(decoder.pending_size() <= 3);
                streamed += emitted_text;
            }
            QCOMPARE(decoder.flush(), std::string());
            QCOMPARE(streamed, " " + text);
        }
    }

    void streamDecoderHoldsPartialCharacter()
    {
        Utf8StreamDecoder decoder;
        // "語" is E8 AA 9E; nothing shows until its last byte arrives.
        QCOMPARE(decoder.push("a\xE8"), std::string("a"));
        QCOMPARE(decoder.pending_size(), size_t(1));
        QCOMPARE(decoder.push("\xAA"), std::string());
        QCOMPARE(decoder.push("\x9E" "b"), std::string("\xE8\xAA\x9E" "b"));
        QCOMPARE(decoder.pending_size(), size_t(0));

        // A four-byte emoji split over four pushes.
        const std::string emoji = "\xF0\x9F\x98\x80";
        for (size_t i = 0; i + 1 < emoji.size(); ++i)
            QCOMPARE(decoder.push(emoji.substr(i, 1)), std::string());
        QCOMPARE(decoder.push(emoji.substr(3)), emoji);
    }

    void streamDecoderReplacesInvalidBytes()
    {
        const std::string replacement = "\xEF\xBF\xBD";
        Utf8StreamDecoder decoder;

        // A byte that never starts a character.
        QCOMPARE(decoder.push("\xFF" "x"), replacement + "x");
        QCOMPARE(decoder.push("\x80"), replacement);

        // A broken sequence becomes one U+FFFD; the byte that broke it is
        // decoded on its own.
        QCOMPARE(decoder.push("\xE6\x97"), std::string());
        QCOMPARE(decoder.push("X"), replacement + "X");

        // Overlong forms and surrogates are ill-formed byte by byte.
        QCOMPARE(decoder.push("\xC0\xAF"), replacement + replacement);
        QCOMPARE(decoder.push("\xED\xA0\x80"), replacement + replacement + replacement);
        QCOMPARE(decoder.push("\xF4\x90\x80\x80"), replacement + replacement + replacement + replacement);

        // A character cut off at the end of the stream.
        QCOMPARE(decoder.push("ok\xF0\x9F\x98"), std::string("ok"));
        QCOMPARE(decoder.flush(), replacement);
        QCOMPARE(decoder.pending_size(), size_t(0));
        QCOMPARE(decoder.flush(), std::string());
    }

    void longTextWithoutSpaces()
    {
        // About 100 KB with no space: one fragment, one long merge run.
        std::string text;
        while (text.size() < 100 * 1024)
            text += "abcdefghijklmnopqrstuvwxyz0123456789";
        const std::vector<TokenId> ids = llama_spm_->encode(text, false, false);
        QVERIFY(ids.size() > text.size() / 36);
        QVERIFY(ids.size() < text.size());
        QCOMPARE(llama_spm_->decode(ids), text);

        // The same length of a single repeated character.
        const std::string run(100 * 1024, 'x');
        QCOMPARE(llama_spm_->decode(llama_spm_->encode(run, false, false)), run);
    }

    void tinyVocabMerges()
    {
        const TinyVocab tiny;
        const std::unique_ptr<Tokenizer> tokenizer =
            load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "tiny.gguf"));

        // "▁ab": "ab" (-0.5) outscores "▁a" (-0.7), and "▁ab" is no token.
        QCOMPARE(tokenizer->encode("ab", false, false), (std::vector<TokenId>{3, 6}));
        // BOS comes from the default add_bos of SentencePiece vocabs.
        QCOMPARE(tokenizer->encode("a", true, false), (std::vector<TokenId>{1, 7}));
        // No byte tokens for '<', '/', 's', '>', so they become <unk>.
        QCOMPARE(tokenizer->encode("a</s>", true, false), (std::vector<TokenId>{1, 7, 0, 0, 0, 0}));
        QCOMPARE(tokenizer->encode("a</s>", true, true), (std::vector<TokenId>{1, 7, 2}));
        QCOMPARE(tokenizer->encode("\n", false, false), (std::vector<TokenId>{3, 10}));
        QCOMPARE(tokenizer->decode({1, 7, 10}), std::string("a\n"));
    }

    void userDefinedTokensAlwaysSplit()
    {
        const TinyVocab tiny;
        const std::unique_ptr<Tokenizer> tokenizer =
            load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "tiny-user.gguf"));

        // The fragment after a special token gets its own "▁" prefix.
        const std::vector<TokenId> expected = {3, 6, 9, 7};
        QCOMPARE(tokenizer->encode("ab<tool>a", false, false), expected);
        QCOMPARE(tokenizer->encode("ab<tool>a", false, true), expected);
        QCOMPARE(tokenizer->token_to_piece(9), std::string("<tool>"));
    }

    void endOfTurnTokenByName()
    {
        const TinyVocab tiny;
        const std::unique_ptr<Tokenizer> tokenizer =
            load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "tiny-eot.gguf"));

        // "<|im_end|>" is stored as a normal token but ends a turn.
        QVERIFY(tokenizer->is_end_of_generation(8));
        QCOMPARE(tokenizer->token_type(8), TokenType::Control);
        QCOMPARE(tokenizer->encode("<|im_end|>", false, true), (std::vector<TokenId>{8}));
        QVERIFY(tokenizer->is_end_of_generation(2));
        QVERIFY(!tokenizer->is_end_of_generation(1));
    }

    void specialIdKeys()
    {
        const TinyVocab tiny;

        // The all-ones uint32 and -1 mean "no such token", as converters
        // write them.
        GgufWriter no_pad = tiny.builder();
        no_pad.add_uint32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);
        no_pad.add_int32("tokenizer.ggml.eom_token_id", -1);
        no_pad.add_uint32("tokenizer.ggml.eot_token_id", 5);
        no_pad.add_bool("tokenizer.ggml.add_bos_token", false);
        no_pad.add_bool("tokenizer.ggml.add_space_prefix", false);
        const std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(write_vocab(no_pad, temp_dir_, "tiny-keys.gguf"));
        QVERIFY(tokenizer->is_end_of_generation(5));
        QVERIFY(!tokenizer->add_bos_default());
        QCOMPARE(tokenizer->encode("ab", true, false), (std::vector<TokenId>{6}));
        QCOMPARE(tokenizer->decode({7}), std::string(" a"));
    }

    void mismatchedScoresRejected()
    {
        TinyVocab tiny;
        tiny.scores.pop_back();
        const std::string path = write_vocab(tiny.builder(), temp_dir_, "bad-scores.gguf");
        try {
            load_tokenizer(path);
            QFAIL("a scores array shorter than the tokens array was accepted");
        } catch (const FormatError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("tokenizer.ggml.scores"), qPrintable(message));
            QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
            QVERIFY2(message.contains("10") && message.contains("11"), qPrintable(message));
        }
    }

    void mismatchedTypesRejected()
    {
        TinyVocab tiny;
        tiny.types.push_back(1);
        try {
            load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "bad-types.gguf"));
            QFAIL("a token_type array longer than the tokens array was accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("tokenizer.ggml.token_type"), error.what());
        }
    }

    void outOfRangeBosRejected()
    {
        const TinyVocab tiny;
        GgufWriter file = tiny.builder();
        file.add_uint32("tokenizer.ggml.bos_token_id", 11);
        const std::string path = write_vocab(file, temp_dir_, "bad-bos.gguf");
        try {
            load_tokenizer(path);
            QFAIL("a bos id past the vocab was accepted");
        } catch (const FormatError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("tokenizer.ggml.bos_token_id"), qPrintable(message));
            QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        }
    }

    void outOfRangePadRejected()
    {
        const TinyVocab tiny;
        GgufWriter file = tiny.builder();
        file.add_uint32("tokenizer.ggml.padding_token_id", 1000);
        QVERIFY_THROWS_EXCEPTION(FormatError, load_tokenizer(write_vocab(file, temp_dir_, "bad-pad.gguf")));
    }

    void duplicateTokenTextRejected()
    {
        TinyVocab tiny;
        tiny.tokens[5] = tiny.tokens[4];
        try {
            load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "bad-duplicate.gguf"));
            QFAIL("two tokens with the same text were accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("tokenizer.ggml.tokens"), error.what());
        }
    }

    void malformedByteTokenRejected()
    {
        TinyVocab tiny;
        tiny.tokens[10] = "<0xZZ>";
        QVERIFY_THROWS_EXCEPTION(FormatError, load_tokenizer(write_vocab(tiny.builder(), temp_dir_, "bad-byte.gguf")));
    }

    void missingTokensRejected()
    {
        GgufWriter file;
        file.add_string("tokenizer.ggml.model", "llama");
        try {
            load_tokenizer(write_vocab(file, temp_dir_, "no-tokens.gguf"));
            QFAIL("a vocab without tokenizer.ggml.tokens was accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("tokenizer.ggml.tokens"), error.what());
        }
    }

    void missingModelKeyRejected()
    {
        const TinyVocab tiny;
        GgufWriter file;
        file.add_string_array("tokenizer.ggml.tokens", tiny.tokens);
        try {
            load_tokenizer(write_vocab(file, temp_dir_, "no-model.gguf"));
            QFAIL("a vocab without tokenizer.ggml.model was accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("tokenizer.ggml.model"), error.what());
        }
    }

    void unknownModelKindRejected()
    {
        const TinyVocab tiny;
        GgufWriter file;
        file.add_string("tokenizer.ggml.model", "bert");
        file.add_string_array("tokenizer.ggml.tokens", tiny.tokens);
        const std::string path = write_vocab(file, temp_dir_, "bert.gguf");
        try {
            load_tokenizer(path);
            QFAIL("a bert vocab was accepted");
        } catch (const UnsupportedError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("bert"), qPrintable(message));
            QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        }
    }

    void gemmaStyleVocabKeepsSpaces()
    {
        // Gemma: no space prefix, and user-defined tokens made of "▁" that
        // print as spaces.
        TinyVocab tiny;
        tiny.tokens.push_back("\xE2\x96\x81\xE2\x96\x81");
        tiny.scores.push_back(0);
        tiny.types.push_back(4);
        GgufWriter file = tiny.builder();
        file.add_bool("tokenizer.ggml.add_space_prefix", false);
        const std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(write_vocab(file, temp_dir_, "gemma-like.gguf"));

        QCOMPARE(tokenizer->encode("ab", false, false), (std::vector<TokenId>{6}));
        QCOMPARE(tokenizer->token_to_piece(11), std::string("  "));
        QCOMPARE(tokenizer->decode({11, 6}), std::string("  ab"));
        QCOMPARE(tokenizer->decode({1, 7}, true, true), std::string("<s> a"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
