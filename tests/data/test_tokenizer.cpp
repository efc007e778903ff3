// Tests of core/data/BpeTokenizer: exact ids for every reference text of
// tests/fixtures/tokenizer/reference.json (made by make_fixtures.py with OpenAI's GPT-2
// encoder.py, an independent implementation) in all three formats (GPT-2 style tokenizer.json,
// vocab.json + merges.txt, Llama 3 style tokenizer.json with pair merges and ignore_merges),
// decode(encode(x)) == x, options (pairs vs strings, ignore_merges off, add_prefix_space,
// lstrip/rstrip), invalid UTF-8, every refused or broken file naming the file, and a 1 MB
// throughput figure (printed, not asserted).
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/BpeTokenizer.h"
#include "data/DataSource.h"

using namespace ms;
using nlohmann::json;

namespace {

const std::string kDir = std::string(MUONSCOPE_SOURCE_DIR) + "/tests/fixtures/tokenizer";

json load_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return json::parse(in);
}

const json& reference() {
  static const json r = load_json(kDir + "/reference.json");
  return r;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<int32_t> ids_of(const json& j) {
  return j.get<std::vector<int32_t>>();
}

BpeTokenizer load_format(const std::string& fmt) {
  if (fmt == "gpt2_files")
    return BpeTokenizer::from_vocab_merges(kDir + "/gpt2_files/vocab.json",
                                           kDir + "/gpt2_files/merges.txt");
  return BpeTokenizer::from_tokenizer_json(kDir + "/" + fmt + "/tokenizer.json");
}

QString show(const std::vector<int32_t>& v) {
  QStringList s;
  for (int32_t x : v) s << QString::number(x);
  return s.join(' ');
}

// Runs f, which must throw a DataError whose message contains every one of `needles`.
void expect_error(const std::function<void()>& f, std::initializer_list<std::string> needles) {
  try {
    f();
  } catch (const DataError& e) {
    const std::string msg = e.what();
    for (const auto& n : needles)
      QVERIFY2(msg.find(n) != std::string::npos,
               qPrintable(QString("message lacks '%1': %2")
                              .arg(QString::fromStdString(n), QString::fromStdString(msg))));
    return;
  } catch (const std::exception& e) {
    QFAIL(qPrintable(QString("not a DataError: %1").arg(e.what())));
  }
  QFAIL("no error thrown");
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  // A copy of fixture `fmt`'s tokenizer.json after `edit`, written to a temporary file.
  std::string edited(const std::string& fmt, const std::function<void(json&)>& edit,
                     const std::string& name) {
    json j = load_json(kDir + "/" + fmt + "/tokenizer.json");
    edit(j);
    const std::string path = tmp_.filePath(QString::fromStdString(name)).toStdString();
    write_text(path, j.dump());
    return path;
  }

 private slots:
  void reference_ids_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("text");
    for (const char* fmt : {"gpt2", "gpt2_files", "llama3"})
      for (auto it = reference()["texts"].begin(); it != reference()["texts"].end(); ++it)
        QTest::newRow(qPrintable(QString("%1/%2").arg(fmt, QString::fromStdString(it.key()))))
            << QString(fmt) << QString::fromStdString(it.key());
  }
  void reference_ids() {
    QFETCH(QString, format);
    QFETCH(QString, text);
    const std::string fmt = format.toStdString(), name = text.toStdString();
    const BpeTokenizer tok = load_format(fmt);
    const std::string t = reference()["texts"][name].get<std::string>();
    const auto expected = ids_of(reference()["expected"][fmt][name]);
    const auto got = tok.encode(t);
    QVERIFY2(got == expected,
             qPrintable(QString("\n got      %1\n expected %2").arg(show(got), show(expected))));
    QCOMPARE(tok.decode(got), t);
  }

  void from_folder_picks_the_format() {
    // gpt2/ has tokenizer.json (added token <|endoftext|> -> one id); gpt2_files/ has only
    // vocab.json + merges.txt (no added tokens: the same text is spelled out).
    const auto a = BpeTokenizer::from_folder(kDir + "/gpt2");
    const auto b = BpeTokenizer::from_folder(kDir + "/gpt2_files");
    QCOMPARE(a.encode("<|endoftext|>"), std::vector<int32_t>{756});
    QVERIFY(b.encode("<|endoftext|>").size() > 1);
    QCOMPARE(a.vocab_size(), 757);
    QCOMPARE(b.vocab_size(), 757);
    QCOMPARE(load_format("llama3").vocab_size(), 760);
    QVERIFY(a.description().find("tokenizer.json") != std::string::npos);
    qInfo("%s", a.description().c_str());
    qInfo("%s", load_format("llama3").description().c_str());
  }

  void roundtrip_of_odd_texts() {
    const std::vector<std::string> texts = {"",
                                            " ",
                                            "\n",
                                            "\r\n\r\n",
                                            "a",
                                            "\t\t x \t",
                                            "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
                                            "\xE2\x80\x8B zero width",
                                            "<|endoftext|><|endoftext|>",
                                            "<|end",
                                            "mixed 'S 'T 'RE 'll",
                                            std::string(5000, ' ') + "end",
                                            std::string(3000, 'a'),
                                            "1234567890123456789012345",
                                            "\xC3\xA9\xCC\x81 combining",
                                            "nul\x01\x02\x7F"
                                            "bytes"};
    for (const char* fmt : {"gpt2", "gpt2_files", "llama3"}) {
      const auto tok = load_format(fmt);
      for (const auto& t : texts) QCOMPARE(tok.decode(tok.encode(t)), t);
    }
  }

  void pair_merges_equal_string_merges() {
    // The gpt2 fixture rewritten with [a, b] pairs encodes exactly as the reference.
    const std::string path = edited(
        "gpt2",
        [](json& j) {
          json pairs = json::array();
          for (const auto& m : j["model"]["merges"]) {
            const std::string s = m.get<std::string>();
            const size_t sp = s.find(' ');
            pairs.push_back({s.substr(0, sp), s.substr(sp + 1)});
          }
          j["model"]["merges"] = pairs;
        },
        "pairs.json");
    const auto tok = BpeTokenizer::from_tokenizer_json(path);
    for (auto it = reference()["texts"].begin(); it != reference()["texts"].end(); ++it)
      QCOMPARE(tok.encode(it.value().get<std::string>()),
               ids_of(reference()["expected"]["gpt2"][it.key()]));
  }

  void ignore_merges_off() {
    const std::string path = edited(
        "llama3", [](json& j) { j["model"]["ignore_merges"] = false; }, "noignore.json");
    const auto tok = BpeTokenizer::from_tokenizer_json(path);
    const std::string t = reference()["texts"]["ignore_merges"].get<std::string>();
    QCOMPARE(tok.encode(t), ids_of(reference()["llama3_ignore_merges_off"]["ignore_merges"]));
    QVERIFY(tok.encode(t) != load_format("llama3").encode(t));
  }

  void qwen2_pattern_and_string_split() {
    // Qwen 2's pattern differs from Llama 3's only in \p{N} (one digit per pre-token).
    // ("00" is a token: Llama 3 groups 1-3 digits, so "100" "005" "9" use it, Qwen 2 cannot.)
    const std::string qwen = edited(
        "llama3",
        [](json& j) {
          std::string& re =
              j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"].get_ref<std::string&>();
          const std::string llama = "\\p{N}{1,3}";
          const size_t at = re.find(llama);
          QVERIFY(at != std::string::npos);
          re.replace(at, llama.size(), "\\p{N}");
        },
        "qwen2.json");
    const auto q = BpeTokenizer::from_tokenizer_json(qwen);
    const auto l = load_format("llama3");
    std::vector<int32_t> digits;
    for (char c : std::string("1000059")) digits.push_back(l.encode(std::string(1, c))[0]);
    QCOMPARE(q.encode("1000059"), digits);
    QVERIFY(l.encode("1000059").size() < digits.size());
    // A literal {"String": ...} Split pattern, Isolated: the delimiter is its own pre-token.
    const std::string lit = edited(
        "llama3",
        [](json& j) {
          j["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"String", "e"}};
        },
        "string_split.json");
    const auto s = BpeTokenizer::from_tokenizer_json(lit);
    std::vector<int32_t> expect;
    for (const char* piece : {"th", "e", " qu", "e", "e", "n"})
      for (int32_t x : l.encode(piece)) expect.push_back(x);
    QCOMPARE(s.encode("the queen"), expect);
  }

  void add_prefix_space() {
    const std::string path = edited(
        "gpt2", [](json& j) { j["pre_tokenizer"]["add_prefix_space"] = true; }, "prefix.json");
    const auto pre = BpeTokenizer::from_tokenizer_json(path);
    const auto plain = load_format("gpt2");
    QCOMPARE(pre.encode("Hello world"), plain.encode(" Hello world"));
    QCOMPARE(pre.encode(" Hello"), plain.encode(" Hello"));
    // As in HF, every segment between added tokens gets its own prefix space.
    auto expect = plain.encode(" a");
    expect.push_back(756);
    for (int32_t x : plain.encode(" b")) expect.push_back(x);
    QCOMPARE(pre.encode("a<|endoftext|>b"), expect);
  }

  void added_token_lstrip_rstrip() {
    const std::string path = edited(
        "gpt2",
        [](json& j) {
          j["added_tokens"][0]["lstrip"] = true;
          j["added_tokens"][0]["rstrip"] = true;
        },
        "strip.json");
    const auto tok = BpeTokenizer::from_tokenizer_json(path);
    const auto plain = load_format("gpt2");
    auto expect = plain.encode("a");
    expect.push_back(756);
    for (int32_t x : plain.encode("b")) expect.push_back(x);
    QCOMPARE(tok.encode("a \t <|endoftext|>\xE3\x80\x80 b"), expect);
    QVERIFY(plain.encode("a <|endoftext|> b").size() > expect.size());  // spaces kept without strip
  }

  void invalid_utf8_is_an_error() {
    const auto tok = load_format("gpt2");
    for (const std::string bad :
         {"ok \xFF", "\xC0\x80", "\xED\xA0\x80", "abc\xE6\x9D", "\x80", "\xF4\x90\x80\x80"})
      expect_error([&] { tok.encode(bad); }, {"UTF-8", "byte offset"});
    expect_error([&] { tok.encode("ok \xFF"); }, {"byte offset 3"});
    expect_error([&] { tok.decode({100000}); }, {"id 100000", "tokenizer.json"});
    expect_error([&] { tok.decode({-1}); }, {"id -1"});
  }

  void bad_files_name_the_file() {
    const std::string missing = tmp_.filePath("nowhere/tokenizer.json").toStdString();
    expect_error([&] { BpeTokenizer::from_tokenizer_json(missing); }, {missing, "cannot open"});
    const std::string empty_dir = tmp_.filePath("empty").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(empty_dir)));
    expect_error([&] { BpeTokenizer::from_folder(empty_dir); }, {empty_dir, "merges.txt"});

    std::string text;
    {
      std::ifstream in(kDir + "/gpt2/tokenizer.json", std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string cut = tmp_.filePath("cut.json").toStdString();
    write_text(cut, text.substr(0, text.size() / 2));
    expect_error([&] { BpeTokenizer::from_tokenizer_json(cut); }, {cut, "malformed JSON"});
    const std::string arr = tmp_.filePath("array.json").toStdString();
    write_text(arr, "[1, 2]");
    expect_error([&] { BpeTokenizer::from_tokenizer_json(arr); }, {arr, "not a JSON object"});

    struct Case {
      const char* name;
      std::function<void(json&)> edit;
      std::vector<std::string> needles;
    };
    const std::vector<Case> cases = {
        {"wordpiece",
         [](json& j) { j["model"]["type"] = "WordPiece"; },
         {"model.type", "WordPiece"}},
        {"unigram",
         [](json& j) {
           j["model"] = {{"type", "Unigram"}, {"vocab", json::array()}};
         },
         {"Unigram"}},
        {"llama2",
         [](json& j) {
           j["model"]["byte_fallback"] = true;
           j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}};
         },
         {"byte_fallback", "SentencePiece"}},
        {"metaspace",
         [](json& j) {
           j["pre_tokenizer"] = {{"type", "Metaspace"}};
         },
         {"Metaspace"}},
        {"whitespace",
         [](json& j) {
           j["pre_tokenizer"] = {{"type", "Whitespace"}};
         },
         {"pre_tokenizer type", "Whitespace"}},
        {"no_pre", [](json& j) { j["pre_tokenizer"] = nullptr; }, {"pre_tokenizer is null"}},
        {"nfkc",
         [](json& j) {
           j["normalizer"] = {{"type", "NFKC"}};
         },
         {"normalizer", "NFKC"}},
        {"decoder",
         [](json& j) {
           j["decoder"] = {{"type", "WordPiece"}};
         },
         {"decoder", "WordPiece"}},
        {"dropout", [](json& j) { j["model"]["dropout"] = 0.1; }, {"dropout"}},
        {"prefix",
         [](json& j) { j["model"]["continuing_subword_prefix"] = "##"; },
         {"continuing_subword_prefix"}},
        {"unknown_merge",
         [](json& j) { j["model"]["merges"][3] = "Ġt zzzz"; },
         {"model.merges[3]", "\"zzzz\"", "not in the vocabulary"}},
        {"merge_result", [](json& j) { j["model"]["merges"][3] = "z z"; }, {"merged token \"zz\""}},
        {"merge_shape", [](json& j) { j["model"]["merges"][0] = 7; }, {"model.merges[0]", "7"}},
        {"merge_three", [](json& j) { j["model"]["merges"][0] = "a b c"; }, {"model.merges[0]"}},
        {"vocab_id", [](json& j) { j["model"]["vocab"]["!"] = "zero"; }, {"non-integer id"}},
        {"vocab_dup", [](json& j) { j["model"]["vocab"]["!"] = 5; }, {"used twice"}},
        {"vocab_list", [](json& j) { j["model"]["vocab"] = json::array(); }, {"vocab is not"}},
        {"no_merges", [](json& j) { j["model"].erase("merges"); }, {"model.merges"}},
        {"split_removed",
         [](json& j) {
           j["pre_tokenizer"] = {{"type", "Sequence"},
                                 {"pretokenizers",
                                  {{{"type", "Split"},
                                    {"pattern", {{"Regex", "\\s+"}}},
                                    {"behavior", "Removed"},
                                    {"invert", false}},
                                   {{"type", "ByteLevel"}, {"use_regex", false}}}}};
         },
         {"pretokenizers[0]", "Removed"}},
        {"bad_regex",
         [](json& j) {
           j["pre_tokenizer"] = {{"type", "Sequence"},
                                 {"pretokenizers",
                                  {{{"type", "Split"},
                                    {"pattern", {{"Regex", "(\\p{L}+"}}},
                                    {"behavior", "Isolated"},
                                    {"invert", false}},
                                   {{"type", "ByteLevel"}, {"use_regex", false}}}}};
         },
         {"does not compile"}},
        {"no_bytelevel",
         [](json& j) {
           j["pre_tokenizer"] = {{"type", "Sequence"},
                                 {"pretokenizers",
                                  {{{"type", "Split"},
                                    {"pattern", {{"String", " "}}},
                                    {"behavior", "Isolated"},
                                    {"invert", false}}}}};
         },
         {"does not end in ByteLevel"}},
        {"single_word",
         [](json& j) { j["added_tokens"][0]["single_word"] = true; },
         {"added_tokens[0]", "single_word"}},
        {"added_shape", [](json& j) { j["added_tokens"][0].erase("id"); }, {"added_tokens[0]"}},
        {"model_type_number", [](json& j) { j["model"]["type"] = 3; }, {"unexpected JSON"}},
    };
    for (const auto& c : cases) {
      const std::string path = edited("gpt2", c.edit, std::string(c.name) + ".json");
      try {
        BpeTokenizer::from_tokenizer_json(path);
        QFAIL(qPrintable(QString("%1: no error").arg(c.name)));
      } catch (const DataError& e) {
        const std::string msg = e.what();
        qDebug("%s: %s", c.name, msg.c_str());
        QVERIFY2(msg.find(path) != std::string::npos, qPrintable(QString::fromStdString(msg)));
        for (const auto& n : c.needles)
          QVERIFY2(
              msg.find(n) != std::string::npos,
              qPrintable(QString("%1 lacks '%2': %3")
                             .arg(c.name, QString::fromStdString(n), QString::fromStdString(msg))));
      }
    }

    // vocab.json + merges.txt: errors name the file at fault.
    const std::string vocab = kDir + "/gpt2_files/vocab.json";
    const std::string merges = tmp_.filePath("merges.txt").toStdString();
    write_text(merges, "#version: 0.2\n\xC4\xA0 t\nh e\nbroken-line\n");
    expect_error([&] { BpeTokenizer::from_vocab_merges(vocab, merges); }, {merges, "line 4"});
    write_text(merges, "#version: 0.2\n\xC4\xA0 t\nqq e\n");
    expect_error([&] { BpeTokenizer::from_vocab_merges(vocab, merges); },
                 {merges, "line 3", "\"qq\""});
    write_text(merges, "#version: 0.2\nh e\n\xC4 t\n");
    expect_error([&] { BpeTokenizer::from_vocab_merges(vocab, merges); },
                 {merges, "not valid UTF-8", "byte offset 18"});
    const std::string bad_vocab = tmp_.filePath("vocab.json").toStdString();
    write_text(bad_vocab, "{\"a\": 0, ");
    expect_error(
        [&] { BpeTokenizer::from_vocab_merges(bad_vocab, kDir + "/gpt2_files/merges.txt"); },
        {bad_vocab, "malformed JSON"});
    expect_error([&] { BpeTokenizer::from_vocab_merges(vocab, merges + ".none"); },
                 {merges + ".none", "cannot open"});
  }

  void throughput_one_megabyte() {
    // ~1 MB: the Shakespeare excerpt and the Unicode texts, repeated.
    const auto& texts = reference()["texts"];
    const std::string block = texts["shakespeare"].get<std::string>() + "\n" +
                              texts["unicode"].get<std::string>() + "\n" +
                              texts["digits"].get<std::string>() + "\n" +
                              texts["whitespace"].get<std::string>() + "\n";
    std::string big;
    while (big.size() < (1u << 20)) big += block;
    for (const char* fmt : {"gpt2", "llama3"}) {
      const auto tok = load_format(fmt);
      QElapsedTimer timer;
      timer.start();
      const auto ids = tok.encode(big);
      const double s = timer.nsecsElapsed() * 1e-9;
      qInfo("%s: encoded %.2f MB into %zu tokens in %.3f s (%.1f MB/s)", fmt, big.size() / 1e6,
            ids.size(), s, big.size() / 1e6 / s);
      QVERIFY(ids.size() > big.size() / 8);
      QCOMPARE(tok.decode(ids), big);
    }
  }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
