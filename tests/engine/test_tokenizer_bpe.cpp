// Byte-level and SentencePiece-style BPE: the GGUF vocab files and their
// llama.cpp vectors, Hugging Face's ids for tokenizer.json files, streamed
// detokenization, and hostile input.
#include "test_support.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace quanta;
using quanta::test::shared_path;

namespace {

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path)
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

void write_bytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

std::vector<TokenId> ids_from_json(const QJsonArray& array)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& value : array)
        ids.push_back(static_cast<TokenId>(value.toInt()));
    return ids;
}

QString format_ids(const std::vector<TokenId>& ids)
{
    QStringList numbers;
    for (const TokenId id : ids)
        numbers << QString::number(id);
    return numbers.join(' ');
}

// Shows control characters and invalid bytes in failure messages.
QString printable(const std::string& text)
{
    QString output;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F)
            output += QString("\\x%1").arg(byte, 2, 16, QChar('0'));
        else
            output += QChar(byte); // Latin-1 view: the bytes stay visible
    }
    return QString::fromUtf8(QByteArray::fromStdString(text)) + "  [" + output + "]";
}

bool is_valid_utf8(const std::string& text)
{
    const QString decoded = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    return decoded.toUtf8() == QByteArray::fromStdString(text) && !decoded.contains(QChar::ReplacementCharacter);
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
    if (!outputs.empty() && outputs.back() == '\n')
        id_lists.pop_back();

    std::vector<VocabVector> vectors;
    if (texts.size() != id_lists.size())
        return vectors;
    for (size_t i = 0; i < texts.size(); ++i)
        vectors.push_back({texts[i], id_lists[i]});
    return vectors;
}

// Texts that any byte-level vocab, and any SentencePiece vocab with byte
// fallback, must give back unchanged.
const std::vector<std::string>& round_trip_texts()
{
    static const std::vector<std::string> texts = {
        "Hello world",
        " Hello world",
        "   leading and trailing   ",
        "line one\nline two\n\n\tindented\r\n",
        "1234567890 3.14159 8,100,000",
        "don't won't I'M YOU'RE",
        "def f(x):\n    return x ** 2  # square\n",
        "你好，世界！日本語のテキスト 안녕하세요",
        "مرحبا بالعالم Привет, мир!",
        "😀 👍🏽 🇺🇸 ❤️ café naïve Ünïcödé ½ €100",
        "\xC2\xA0non-breaking\xE2\x80\x89thin\xE3\x80\x80ideographic\xC2\x85next-line",
        "",
    };
    return texts;
}

// Where a reference tokenizer's files are. `gguf` is empty when no vocab
// GGUF was built for it.
struct Family {
    QString name;
    QString gguf;
};

const std::vector<Family>& families()
{
    static const std::vector<Family> list = {
        {"llama3", "ggml-vocab-llama3.gguf"},
        {"llama3_1", "ggml-vocab-llama3_1.gguf"},
        {"qwen3", "ggml-vocab-qwen3.gguf"},
        {"gpt2", "ggml-vocab-gpt2.gguf"},
        {"mistral-7b-v0.1", "ggml-vocab-mistral-7b-v0.1.gguf"},
        {"gemma3", ""},
    };
    return list;
}

// The 256 byte-level characters, in byte order, then a few merged tokens
// and one control token:
//   256 "ab"  257 "Ġa"  258 "abc"  259 "<|end|>"
// Merges, lowest rank first: "a b", "Ġ a", "ab c".
struct TinyByteLevelVocab {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<std::string> merges = {"a b", "\xC4\xA0 a", "ab c"};
    std::string pre = "gpt-2";

    TinyByteLevelVocab()
    {
        for (int byte = 0; byte < 256; ++byte) {
            std::string text;
            append_byte_level(std::string(1, static_cast<char>(byte)), text);
            tokens.push_back(text);
        }
        tokens.insert(tokens.end(), {"ab", "\xC4\xA0" "a", "abc", "<|end|>"});
        types.assign(tokens.size(), 1);
        types.back() = 3;
    }

    GgufWriter builder() const
    {
        GgufWriter file;
        file.add_string("general.architecture", "gpt2");
        file.add_string("tokenizer.ggml.model", "gpt2");
        if (!pre.empty())
            file.add_string("tokenizer.ggml.pre", pre);
        file.add_string_array("tokenizer.ggml.tokens", tokens);
        file.add_int32_array("tokenizer.ggml.token_type", types);
        file.add_string_array("tokenizer.ggml.merges", merges);
        file.add_uint32("tokenizer.ggml.eos_token_id", 259);
        return file;
    }
};

} // namespace

class TestTokenizerBpe : public QObject {
    Q_OBJECT

private:
    QTemporaryDir temp_dir_;
    // Hugging Face tokenizers by family, loaded once.
    std::map<QString, std::unique_ptr<Tokenizer>> hf_;

    std::string vocab_path(const QString& file) const { return shared_path("models/vocab/" + file.toStdString()); }

    std::string write_gguf(const GgufWriter& file, const QString& name)
    {
        const std::string path = temp_dir_.filePath(name).toStdString();
        file.write(path);
        return path;
    }

    // The Hugging Face tokenizer of a family. Gemma 3's tokenizer.json is
    // stored xz-compressed, so it is unpacked into the temporary folder.
    const Tokenizer& hf_tokenizer(const QString& family)
    {
        auto& slot = hf_[family];
        if (slot)
            return *slot;
        const QString folder = QString::fromStdString(shared_path("models/tokenizers/" + family.toStdString()));
        if (family == "gemma3") {
            const QString unpacked = temp_dir_.filePath("gemma3");
            QDir().mkpath(unpacked);
            QProcess xz;
            xz.setStandardOutputFile(unpacked + "/tokenizer.json");
            xz.start("xz", {"-dc", folder + "/tokenizer.json.xz"});
            if (!xz.waitForFinished(300000) || xz.exitStatus() != QProcess::NormalExit || xz.exitCode() != 0)
                throw Error("xz -dc failed for " + folder.toStdString() + "/tokenizer.json.xz");
            QFile::copy(folder + "/tokenizer_config.json", unpacked + "/tokenizer_config.json");
            slot = Tokenizer::from_hf_dir(unpacked.toStdString());
        } else {
            slot = Tokenizer::from_hf_dir(folder.toStdString());
        }
        return *slot;
    }

    // Compares every field of the reference cases of `family` with `tokenizer`.
    void check_reference_cases(const Tokenizer& tokenizer, const QString& family, const QString& source)
    {
        const QJsonDocument document = QJsonDocument::fromJson(
            read_bytes(shared_path("reference/tokenizers/" + family.toStdString() + ".json")));
        const QJsonArray cases = document.object().value("cases").toArray();
        QCOMPARE(cases.size(), 34);

        for (const QJsonValue& entry : cases) {
            const QJsonObject object = entry.toObject();
            const std::string text = object.value("text").toString().toStdString();
            const QString where = source + " case '" + object.value("id").toString() + "'";

            // Ids with and without the special tokens the tokenizer adds;
            // special-token text is matched in both, as Hugging Face does.
            const std::vector<TokenId> ids = ids_from_json(object.value("ids").toArray());
            const std::vector<TokenId> ids_no_special = ids_from_json(object.value("ids_no_special").toArray());
            const std::vector<TokenId> actual = tokenizer.encode(text, true, true);
            QVERIFY2(actual == ids,
                     qPrintable(where + ": expected [" + format_ids(ids) + "], got [" + format_ids(actual) + "]"));
            const std::vector<TokenId> actual_no_special = tokenizer.encode(text, false, true);
            QVERIFY2(actual_no_special == ids_no_special,
                     qPrintable(where + " without special tokens: expected [" + format_ids(ids_no_special) +
                                "], got [" + format_ids(actual_no_special) + "]"));

            // The vocab strings of those ids.
            const QJsonArray tokens = object.value("tokens").toArray();
            QCOMPARE(static_cast<size_t>(tokens.size()), ids_no_special.size());
            for (qsizetype i = 0; i < tokens.size(); ++i) {
                QVERIFY2(tokenizer.token_text(ids_no_special[static_cast<size_t>(i)]) ==
                             tokens[i].toString().toStdString(),
                         qPrintable(where + ": token " + QString::number(i) + " text differs"));
            }

            // Decoding with and without the control tokens.
            const std::string decoded = tokenizer.decode(ids, true, true);
            QVERIFY2(decoded == object.value("decoded").toString().toStdString(),
                     qPrintable(where + ": decoded '" + printable(decoded) + "'"));
            const std::string decoded_skip = tokenizer.decode(ids, true, false);
            QVERIFY2(decoded_skip == object.value("decoded_skip_special").toString().toStdString(),
                     qPrintable(where + ": decoded without special tokens '" + printable(decoded_skip) + "'"));
        }
    }

private slots:
    void initTestCase()
    {
        if (!quanta::test::shared_available())
            QSKIP("the shared models folder is missing");
        QVERIFY(temp_dir_.isValid());
    }

    void gpt2VocabVectors()
    {
        const std::string path = vocab_path("ggml-vocab-gpt-2.gguf");
        const std::unique_ptr<Tokenizer> tokenizer = load_gguf_tokenizer(path);
        const std::vector<VocabVector> vectors = read_vocab_vectors(path);
        QCOMPARE(vectors.size(), size_t(46));

        // llama.cpp's test-tokenizer-0 adds no BOS and parses no special text.
        for (const VocabVector& vector : vectors) {
            const std::vector<TokenId> actual = tokenizer->encode(vector.text, false, false);
            QVERIFY2(actual == vector.ids, qPrintable("text '" + printable(vector.text) + "': expected [" +
                                                      format_ids(vector.ids) + "], got [" + format_ids(actual) + "]"));
            QCOMPARE(tokenizer->decode(actual), vector.text);
        }
    }

    void everyVocabFileLoadsAndRoundTrips()
    {
        const QDir folder(QString::fromStdString(shared_path("models/vocab")));
        const QStringList files = folder.entryList({"*.gguf"}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 7);

        for (const QString& name : files) {
            const std::string path = vocab_path(name);
            const std::unique_ptr<Tokenizer> tokenizer = load_gguf_tokenizer(path);
            QVERIFY2(tokenizer->vocab_size() > 30000, qPrintable(name));

            // The vectors beside the file, where there are any.
            if (QFile::exists(QString::fromStdString(path + ".inp"))) {
                const std::vector<VocabVector> vectors = read_vocab_vectors(path);
                QVERIFY2(!vectors.empty(), qPrintable(name + ": unreadable .inp/.out pair"));
                for (const VocabVector& vector : vectors) {
                    const std::vector<TokenId> actual = tokenizer->encode(vector.text, false, false);
                    QVERIFY2(actual == vector.ids,
                             qPrintable(name + " text '" + printable(vector.text) + "': expected [" +
                                        format_ids(vector.ids) + "], got [" + format_ids(actual) + "]"));
                }
            }

            // Every vocab here has a token for every byte, so text comes back whole.
            for (const std::string& text : round_trip_texts()) {
                const std::vector<TokenId> ids = tokenizer->encode(text, true, false);
                QVERIFY2(tokenizer->decode(ids) == text,
                         qPrintable(name + ": '" + printable(text) + "' came back as '" +
                                    printable(tokenizer->decode(ids)) + "'"));
            }
        }
    }

    void huggingFaceReferences_data()
    {
        QTest::addColumn<QString>("family");
        for (const Family& family : families())
            QTest::newRow(qPrintable(family.name)) << family.name;
    }

    void huggingFaceReferences()
    {
        QFETCH(QString, family);
        check_reference_cases(hf_tokenizer(family), family, family + " tokenizer files");
    }

    void ggufReferences_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("gguf");
        for (const Family& family : families()) {
            if (!family.gguf.isEmpty())
                QTest::newRow(qPrintable(family.name)) << family.name << family.gguf;
        }
    }

    void ggufReferences()
    {
        QFETCH(QString, family);
        QFETCH(QString, gguf);
        const std::unique_ptr<Tokenizer> tokenizer = load_gguf_tokenizer(vocab_path(gguf));
        check_reference_cases(*tokenizer, family, gguf);
    }

    void qwenAppliesNfc()
    {
        // "é" as e + U+0301 must tokenize as the composed U+00E9, for the
        // tokenizer.json and for the GGUF (pre "qwen2") alike.
        const std::string composed = "caf\xC3\xA9 na\xC3\xAFve";
        const std::string decomposed = "cafe\xCC\x81 nai\xCC\x88ve";
        const std::unique_ptr<Tokenizer> gguf = load_gguf_tokenizer(vocab_path("ggml-vocab-qwen3.gguf"));
        const Tokenizer& hf = hf_tokenizer("qwen3");
        const std::vector<TokenId> expected = hf.encode(composed, false, false);
        QCOMPARE(hf.encode(decomposed, false, false), expected);
        QCOMPARE(gguf->encode(decomposed, false, false), expected);
        QCOMPARE(gguf->decode(expected), composed);

        // Llama 3 does no normalization, so the two differ there.
        const Tokenizer& llama3 = hf_tokenizer("llama3");
        QVERIFY(llama3.encode(decomposed, false, false) != llama3.encode(composed, false, false));
    }

    void streamedPiecesNeverSplitCharacters_data()
    {
        QTest::addColumn<QString>("family");
        for (const QString name : {"llama3", "qwen3", "gpt2", "gemma3", "mistral-7b-v0.1"})
            QTest::newRow(qPrintable(name)) << name;
    }

    void streamedPiecesNeverSplitCharacters()
    {
        QFETCH(QString, family);
        const Tokenizer& tokenizer = hf_tokenizer(family);

        int n_partial_pieces = 0;
        for (const std::string text : {"日本語のテキストとカタカナ", "中文测试：龘靐齉", "한국어 텍스트",
                                       "😀👍🏽🇺🇸❤️🧑‍🚀", "Ünïcödé ÅΩ≈ç√∫ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "mixed 漢字 and emoji 🎉 text"}) {
            const std::vector<TokenId> ids = tokenizer.encode(text, false, false);
            Utf8StreamDecoder stream;
            std::string streamed;
            for (const TokenId id : ids) {
                const std::string piece = tokenizer.token_to_piece(id);
                if (!is_valid_utf8(piece))
                    ++n_partial_pieces;
                const std::string visible_text = stream.push(piece);
                QVERIFY2(is_valid_utf8(visible_text), qPrintable(family + ": a partial character was shown for '" +
                                                          QString::fromStdString(text) + "'"));
                streamed += visible_text;
            }
            streamed += stream.flush();
            QCOMPARE(streamed, tokenizer.decode(ids, false));
            QCOMPARE(tokenizer.decode(ids), text);
        }
        // The texts must include characters spread over several tokens, or
        // this test proves nothing for the family.
        QVERIFY2(n_partial_pieces > 0, qPrintable(family + ": no token held a partial character"));
    }

    void invalidUtf8RoundTrips()
    {
        // Byte-level BPE can write any byte, so ill-formed input survives.
        const std::string text = std::string("ok \xFF\xFE bad \xC3 cut \xE6\x97 and \xED\xA0\x80 surrogate ") +
                                 "\xF0\x9F\x98" + " end\x80";
        for (const QString& family : {QString("llama3"), QString("qwen3"), QString("gpt2")}) {
            const Tokenizer& tokenizer = hf_tokenizer(family);
            const std::vector<TokenId> ids = tokenizer.encode(text, false, true);
            QVERIFY(!ids.empty());
            QVERIFY2(tokenizer.decode(ids) == text, qPrintable(family + ": '" + printable(tokenizer.decode(ids)) + "'"));
        }

        // SentencePiece-style vocabs fall back to byte tokens.
        const Tokenizer& mistral = hf_tokenizer("mistral-7b-v0.1");
        QCOMPARE(mistral.decode(mistral.encode(text, false, true)), text);
        const std::unique_ptr<Tokenizer> spm = load_gguf_tokenizer(vocab_path("ggml-vocab-mistral-7b-v0.1.gguf"));
        QCOMPARE(spm->decode(spm->encode(text, false, true)), text);
        const std::unique_ptr<Tokenizer> gguf = load_gguf_tokenizer(vocab_path("ggml-vocab-llama3.gguf"));
        QCOMPARE(gguf->decode(gguf->encode(text, false, true)), text);
    }

    void longInputsRoundTrip()
    {
        // About 100 KB each: one huge word, one huge run of spaces, digits,
        // punctuation and CJK without spaces, and ordinary prose.
        std::vector<std::string> texts;
        std::string letters;
        while (letters.size() < 100 * 1024)
            letters += "abcdefghijklmnopqrstuvwxyz";
        texts.push_back(letters);
        texts.push_back(std::string(100 * 1024, ' ') + "x");
        texts.push_back(std::string(100 * 1024, '7'));
        texts.push_back(std::string(100 * 1024, '!'));
        std::string cjk;
        while (cjk.size() < 100 * 1024)
            cjk += "漢字仮名交じり文";
        texts.push_back(cjk);
        std::string prose;
        while (prose.size() < 100 * 1024)
            prose += "The quick brown fox jumps over the lazy dog, 12 times; then it rests.\n";
        texts.push_back(prose);

        for (const QString& family : {QString("llama3"), QString("qwen3"), QString("gemma3")}) {
            const Tokenizer& tokenizer = hf_tokenizer(family);
            for (const std::string& text : texts) {
                const std::vector<TokenId> ids = tokenizer.encode(text, false, false);
                QVERIFY(!ids.empty());
                QVERIFY(ids.size() <= text.size());
                QVERIFY2(tokenizer.decode(ids, false) == text,
                         qPrintable(family + ": a " + QString::number(text.size()) + "-byte text did not round-trip"));
            }
        }
    }

    void mergesApplyLowestRankFirst()
    {
        const TinyByteLevelVocab tiny;
        const std::unique_ptr<Tokenizer> tokenizer = load_gguf_tokenizer(write_gguf(tiny.builder(), "tiny.gguf"));

        // "abc": a+b (rank 0), then ab+c (rank 2). " ab": a+b (rank 0) wins
        // over Ġ+a (rank 1), and Ġ+ab has no merge.
        QCOMPARE(tokenizer->encode("abc ab", false, false), (std::vector<TokenId>{258, ' ', 256}));
        QCOMPARE(tokenizer->decode({258, 32, 256}), std::string("abc ab"));
        QCOMPARE(tokenizer->encode(" a", false, false), (std::vector<TokenId>{257}));

        // The control token needs parse_special; as text it is bytes.
        QCOMPARE(tokenizer->encode("<|end|>", false, true), (std::vector<TokenId>{259}));
        QCOMPARE(tokenizer->encode("<|end|>", false, false).size(), size_t(7));
        QVERIFY(tokenizer->is_end_of_generation(259));
        QCOMPARE(tokenizer->token_to_piece(259), std::string());
        QCOMPARE(tokenizer->token_to_piece(259, true), std::string("<|end|>"));

        // A byte-level vocab adds no space prefix and strips none.
        QCOMPARE(tokenizer->decode(tokenizer->encode(" a", false, false), true), std::string(" a"));
    }

    void mergeWithUnknownTokenRejected()
    {
        TinyByteLevelVocab tiny;
        tiny.merges.push_back("abc xyz");
        const std::string path = write_gguf(tiny.builder(), "bad-merge.gguf");
        try {
            load_gguf_tokenizer(path);
            QFAIL("a merge of unknown tokens was accepted");
        } catch (const FormatError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("tokenizer.ggml.merges"), qPrintable(message));
            QVERIFY2(message.contains("entry 3"), qPrintable(message));
            QVERIFY2(message.contains("xyz"), qPrintable(message));
            QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        }

        // A merge whose result is no token is rejected too.
        TinyByteLevelVocab no_result;
        no_result.merges.push_back("b c");
        QVERIFY_THROWS_EXCEPTION(FormatError, load_gguf_tokenizer(write_gguf(no_result.builder(), "bad-result.gguf")));

        // And so is a merge that is not two texts.
        TinyByteLevelVocab one_part;
        one_part.merges.push_back("abc");
        QVERIFY_THROWS_EXCEPTION(FormatError, load_gguf_tokenizer(write_gguf(one_part.builder(), "bad-parts.gguf")));
    }

    void unknownPreTokenizerRejected()
    {
        TinyByteLevelVocab tiny;
        tiny.pre = "made-up-pre";
        const std::string path = write_gguf(tiny.builder(), "bad-pre.gguf");
        try {
            load_gguf_tokenizer(path);
            QFAIL("an unknown pre-tokenizer name was accepted");
        } catch (const UnsupportedError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains("made-up-pre"), qPrintable(message));
            QVERIFY2(message.contains("tokenizer.ggml.pre"), qPrintable(message));
            QVERIFY2(message.contains("llama-bpe") && message.contains("qwen2"), qPrintable(message));
        }

        // A missing name gives llama.cpp's default rules, which still encode.
        TinyByteLevelVocab unnamed;
        unnamed.pre.clear();
        const std::unique_ptr<Tokenizer> tokenizer = load_gguf_tokenizer(write_gguf(unnamed.builder(), "no-pre.gguf"));
        QCOMPARE(tokenizer->decode(tokenizer->encode("abc, ab!", false, false)), std::string("abc, ab!"));
    }

    void namedPreTokenizersCompile()
    {
        // Every name must compile its patterns and split ordinary text.
        for (const std::string pre : {"llama-bpe", "llama3", "qwen2", "smollm", "gpt-2", "default", "tekken", "falcon",
                                      "starcoder", "command-r", "dbrx", "stablelm2", "deepseek-r1-qwen"}) {
            TinyByteLevelVocab tiny;
            tiny.pre = pre;
            const std::unique_ptr<Tokenizer> tokenizer =
                load_gguf_tokenizer(write_gguf(tiny.builder(), QString::fromStdString("pre-" + pre + ".gguf")));
            const std::string text = "abc ab 123 don't  x\n\n";
            QCOMPARE(tokenizer->decode(tokenizer->encode(text, false, false)), text);
        }
    }

    void smollmSplitsDigits()
    {
        // smollm isolates every digit before the GPT-2 pattern runs, so no
        // token may hold two digits; gpt-2 keeps "12" together when it can.
        TinyByteLevelVocab tiny;
        tiny.tokens.push_back("12");
        tiny.types.push_back(1);
        tiny.merges.push_back("1 2");
        tiny.pre = "smollm";
        const std::unique_ptr<Tokenizer> smollm = load_gguf_tokenizer(write_gguf(tiny.builder(), "smollm.gguf"));
        QCOMPARE(smollm->encode("12", false, false), (std::vector<TokenId>{'1', '2'}));
        tiny.pre = "gpt-2";
        const std::unique_ptr<Tokenizer> gpt2 = load_gguf_tokenizer(write_gguf(tiny.builder(), "gpt2-digits.gguf"));
        QCOMPARE(gpt2->encode("12", false, false), (std::vector<TokenId>{260}));
    }

    void hfFolderErrors()
    {
        // No tokenizer files at all.
        const QString empty = temp_dir_.filePath("empty-folder");
        QDir().mkpath(empty);
        QVERIFY_THROWS_EXCEPTION(IoError, Tokenizer::from_hf_dir(empty.toStdString()));

        // Invalid JSON names the file.
        const QString broken = temp_dir_.filePath("broken-json");
        QDir().mkpath(broken);
        write_bytes(broken + "/tokenizer.json", "{\"model\": [1, 2");
        try {
            Tokenizer::from_hf_dir(broken.toStdString());
            QFAIL("invalid JSON was accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("tokenizer.json"), error.what());
        }

        // A model type that is not BPE.
        const QString wordpiece = temp_dir_.filePath("wordpiece");
        QDir().mkpath(wordpiece);
        write_bytes(wordpiece + "/tokenizer.json",
                    R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}, "added_tokens": []})");
        try {
            Tokenizer::from_hf_dir(wordpiece.toStdString());
            QFAIL("a WordPiece model was accepted");
        } catch (const UnsupportedError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("WordPiece"), error.what());
        }

        // A normalizer that is not implemented is named.
        const QString nfkc = temp_dir_.filePath("nfkc");
        QDir().mkpath(nfkc);
        write_bytes(nfkc + "/tokenizer.json",
                    R"({"normalizer": {"type": "NFKC"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})");
        try {
            Tokenizer::from_hf_dir(nfkc.toStdString());
            QFAIL("an NFKC normalizer was accepted");
        } catch (const UnsupportedError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("NFKC"), error.what());
        }

        // A hostile id that would make the token table huge.
        const QString sparse = temp_dir_.filePath("sparse");
        QDir().mkpath(sparse);
        write_bytes(sparse + "/tokenizer.json",
                    R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 2000000000}, "merges": []}})");
        QVERIFY_THROWS_EXCEPTION(FormatError, Tokenizer::from_hf_dir(sparse.toStdString()));

        // A merge of texts that are not in the vocab.
        const QString bad_merge = temp_dir_.filePath("bad-merge");
        QDir().mkpath(bad_merge);
        write_bytes(bad_merge + "/tokenizer.json",
                    R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b", "a q"]}})");
        try {
            Tokenizer::from_hf_dir(bad_merge.toStdString());
            QFAIL("a merge of unknown tokens was accepted");
        } catch (const FormatError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains("model.merges entry 1"), error.what());
        }
    }

    void metaspaceAndByteFallback()
    {
        // A SentencePiece-style tokenizer.json with a Metaspace
        // pre-tokenizer (prepend only at the start of the text, split before
        // each "▁"), byte fallback and a control token.
        const QString folder = temp_dir_.filePath("metaspace");
        QDir().mkpath(folder);
        write_bytes(folder + "/tokenizer.json", R"({
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                   {"id": 10, "content": "</s>", "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
  "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1]}}},
  "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
  "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true,
            "vocab": {"<unk>": 0, "<s>": 1, "▁": 2, "a": 3, "b": 4, "▁a": 5, "ab": 6, "▁ab": 7,
                      "<0xC3>": 8, "<0xA9>": 9, "</s>": 10},
            "merges": ["▁ a", "▁a b", "a b"]}
})");
        write_bytes(folder + "/generation_config.json", R"({"bos_token_id": 1, "eos_token_id": [10]})");
        const std::unique_ptr<Tokenizer> tokenizer = Tokenizer::from_hf_dir(folder.toStdString());

        // "ab ab": "▁ab" and "▁ab" after the prefix and the split.
        QCOMPARE(tokenizer->encode("ab ab", true, false), (std::vector<TokenId>{1, 7, 7}));
        // After a special token, "first" adds no prefix.
        QCOMPARE(tokenizer->encode("<s>ab", false, true), (std::vector<TokenId>{1, 6}));
        // "é" falls back to its two byte tokens; "ü" has none, so it is <unk>,
        // and two unknown characters in a row fuse into one.
        QCOMPARE(tokenizer->encode("é", false, false), (std::vector<TokenId>{2, 8, 9}));
        QCOMPARE(tokenizer->encode("üü", false, false), (std::vector<TokenId>{2, 0}));

        QCOMPARE(tokenizer->decode({1, 7, 7}), std::string("ab ab"));
        QCOMPARE(tokenizer->decode({1, 7, 7}, false), std::string(" ab ab"));
        QCOMPARE(tokenizer->decode({2, 8, 9}), std::string("é"));
        QCOMPARE(tokenizer->bos(), 1);
        QVERIFY(tokenizer->add_bos_default());
        QVERIFY(tokenizer->is_end_of_generation(10));
        QVERIFY(!tokenizer->is_end_of_generation(1));
    }
};

QTEST_GUILESS_MAIN(TestTokenizerBpe)
#include "test_tokenizer_bpe.moc"
