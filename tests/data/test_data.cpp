// Tests of the data sources (core/data): the generated tail-QA task (determinism, the paper's
// power law counted in the stream itself, answers of the held questions, token ranges, byte
// mode), the text source (split sizes and content) and the token source (raw nanoGPT .bin and
// modded-nanogpt shards written here, and every corrupt-file case naming the file).
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data/DataSource.h"
#include "data/FileSources.h"
#include "data/TailQA.h"
#include "train/RunConfig.h"

using namespace ms;

namespace {

std::vector<int64_t> all_tokens(const DataSource& d, Split s) {
  std::vector<int64_t> v(static_cast<size_t>(d.size(s)));
  d.copy(s, 0, d.size(s), v.data());
  return v;
}

// Occurrences of `pat` in `v`, with the positions right after each.
std::vector<size_t> find_all(const std::vector<int64_t>& v, const std::vector<int64_t>& pat) {
  std::vector<size_t> after;
  if (pat.empty() || v.size() < pat.size()) return after;
  for (size_t i = 0; i + pat.size() <= v.size(); ++i) {
    if (v[i] != pat[0]) continue;
    size_t k = 1;
    while (k < pat.size() && v[i + k] == pat[k]) ++k;
    if (k == pat.size()) after.push_back(i + pat.size());
  }
  return after;
}

std::string as_string(const std::vector<int64_t>& v) {
  std::string s;
  s.reserve(v.size());
  for (int64_t t : v) s += static_cast<char>(t);
  return s;
}

void write_file(const QString& path, const void* data, size_t n) {
  std::ofstream out(path.toStdString(), std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
}

void write_raw(const QString& path, const std::vector<uint16_t>& toks) {
  std::vector<unsigned char> b;
  for (uint16_t t : toks) {
    b.push_back(static_cast<unsigned char>(t & 0xff));
    b.push_back(static_cast<unsigned char>(t >> 8));
  }
  write_file(path, b.data(), b.size());
}

// modded-nanogpt shard: 256 int32 header (magic, version, count), then uint16 tokens.
void write_shard(const QString& path, const std::vector<uint16_t>& toks, int32_t magic = 20240520,
                 int32_t version = 1, int64_t count = -1, size_t drop_bytes = 0) {
  std::vector<unsigned char> b(1024, 0);
  const int32_t h[3] = {magic, version, static_cast<int32_t>(count < 0 ? toks.size() : count)};
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k)
      b[4 * i + k] = static_cast<unsigned char>((uint32_t(h[i]) >> (8 * k)) & 0xff);
  for (uint16_t t : toks) {
    b.push_back(static_cast<unsigned char>(t & 0xff));
    b.push_back(static_cast<unsigned char>(t >> 8));
  }
  b.resize(b.size() - drop_bytes);
  write_file(path, b.data(), b.size());
}

// Runs f, expecting a DataError whose message contains every needle.
bool throws_data_error(const std::function<void()>& f, const std::vector<std::string>& needles,
                       std::string* msg = nullptr) {
  try {
    f();
  } catch (const DataError& e) {
    const std::string m = e.what();
    if (msg) *msg = m;
    for (const auto& n : needles)
      if (m.find(n) == std::string::npos) {
        qWarning("message \"%s\" lacks \"%s\"", m.c_str(), n.c_str());
        return false;
      }
    return true;
  }
  qWarning("no DataError thrown");
  return false;
}

}  // namespace

class TestData : public QObject {
  Q_OBJECT

 private slots:
  void tailqaDeterministicFromSeed();
  void tailqaPowerLawCountedInStream();
  void tailqaQuestionsAnswerFromMemory();
  void tailqaTokensAndDecode();
  void tailqaByteMode();
  void tailqaDefaultsAndErrors();
  void textSourceSplits();
  void textSourceErrors();
  void tokensRawAndShards();
  void tokensVocabRule();
  void tokensCorruptFiles();
};

void TestData::tailqaDeterministicFromSeed() {
  TailQASource a(6, 3, "word", 7), b(6, 3, "word", 7), c(6, 3, "word", 8);
  QCOMPARE(all_tokens(a, Split::Train), all_tokens(b, Split::Train));
  QCOMPARE(all_tokens(a, Split::Val), all_tokens(b, Split::Val));
  QCOMPARE(a.questions().size(), b.questions().size());
  for (size_t i = 0; i < a.questions().size(); ++i) {
    QCOMPARE(a.questions()[i].prompt, b.questions()[i].prompt);
    QCOMPARE(a.questions()[i].answer_first, b.questions()[i].answer_first);
  }
  QVERIFY(all_tokens(a, Split::Train) != all_tokens(c, Split::Train));
  QVERIFY(all_tokens(a, Split::Val) != all_tokens(c, Split::Val));
  // The vocabulary (pools) depends on m only, not on the seed.
  QCOMPARE(a.words(), c.words());
  TailQASource ba(4, 2, "byte", 7), bb(4, 2, "byte", 7);
  QCOMPARE(all_tokens(ba, Split::Train), all_tokens(bb, Split::Train));
}

void TestData::tailqaPowerLawCountedInStream() {
  const int m = 6, qa = 3;
  TailQASource d(m, qa, "word", 1337);
  const auto train = all_tokens(d, Split::Train);
  QCOMPARE(d.groups(), m + 1);
  QCOMPARE(int(d.people().size()), 64);  // 2^m
  // Each appearance is one biography (name once) plus one QA document (name once per pair),
  // and every document opens with <eod> (word id 0).
  int64_t docs = 0;
  for (int64_t t : train) docs += (t == 0);
  QCOMPARE(docs, int64_t{2 * 256});  // appearances = 2^m + m 2^(m-1) = 64 + 192
  // Count every individual's full name in the stream; group g must hold N_g individuals whose
  // name occurs S_g (1 + qa) times, with N = 1,1,2,4,8,16,32 and S = 64,32,...,1 by hand.
  const int64_t N[7] = {1, 1, 2, 4, 8, 16, 32}, S[7] = {64, 32, 16, 8, 4, 2, 1};
  std::map<int64_t, int64_t> people_with_count;
  std::map<std::pair<int, int>, int> seen;
  for (size_t i = 0; i < d.people().size(); ++i) {
    const TailQAPerson& p = d.people()[i];
    QVERIFY(seen.emplace(std::make_pair(p.first, p.last), int(i)).second);  // unique names
    const int64_t n = int64_t(find_all(train, {p.first, p.last}).size());
    people_with_count[n] += 1;
    QCOMPARE(n, S[p.group] * (1 + qa));
  }
  QCOMPARE(people_with_count.size(), size_t(7));
  for (int g = 0; g <= m; ++g) {
    QCOMPARE(people_with_count[S[g] * (1 + qa)], N[g]);
    QCOMPARE(TailQASource::group_size(g), N[g]);
    QCOMPARE(d.appearances(g), S[g]);
  }
}

void TestData::tailqaQuestionsAnswerFromMemory() {
  const int m = 6, qa = 6;
  TailQASource d(m, qa, "word", 99);
  const auto train = all_tokens(d, Split::Train);
  QCOMPARE(int(d.questions().size()), 64 * qa);
  std::vector<int> per_group(m + 1, 0);
  for (const QAItem& q : d.questions()) {
    const TailQAPerson& p = d.people()[q.person];
    QCOMPARE(q.group, p.group);
    per_group[q.group] += 1;
    QCOMPARE(q.answer_first, p.value[q.attribute]);
    // The prompt is "<eod> Q: ... <First> <Last> ... ? A:" and the answer token is a value of
    // the right kind.
    QCOMPARE(q.prompt.front(), 0);
    QCOMPARE(d.words()[q.prompt.back()], std::string("A:"));
    QVERIFY(!find_all(std::vector<int64_t>(q.prompt.begin(), q.prompt.end()), {p.first, p.last})
                 .empty());
    const std::string ans = d.words()[q.answer_first];
    switch (q.attribute) {
      case kQAUniversity:
        QVERIFY(ans.find("University") != std::string::npos ||
                ans.find("College") != std::string::npos ||
                ans.find("Institute") != std::string::npos ||
                ans.find("Polytechnic") != std::string::npos);
        break;
      case kQABirthday: {
        static const std::vector<std::string> months = {
            "January", "February", "March",     "April",   "May",      "June",
            "July",    "August",   "September", "October", "November", "December"};
        QVERIFY(std::find(months.begin(), months.end(), ans) != months.end());
        break;
      }
      default:
        QCOMPARE(d.answer_text(q.person, q.attribute), ans);
    }
    // In the training stream the question (without the leading <eod>: a QA pair may follow
    // another) occurs exactly S_g times, every time followed by the answer token.
    const std::vector<int64_t> body(q.prompt.begin() + 1, q.prompt.end());
    const auto after = find_all(train, body);
    QCOMPARE(int64_t(after.size()), d.appearances(q.group));
    for (size_t pos : after) QCOMPARE(train[pos], int64_t(q.answer_first));
  }
  for (int g = 0; g <= m; ++g) QCOMPARE(int64_t(per_group[g]), TailQASource::group_size(g) * qa);
}

void TestData::tailqaTokensAndDecode() {
  TailQASource d(6, 3, "word", 5);
  for (Split s : {Split::Train, Split::Val}) {
    const auto v = all_tokens(d, s);
    QVERIFY(!v.empty());
    for (int64_t t : v) QVERIFY(t >= 0 && t < d.vocab_size());
  }
  for (const QAItem& q : d.questions())
    for (int32_t t : q.prompt) QVERIFY(t >= 0 && t < d.vocab_size());
  // Val is about 10% of train, and made of fresh draws (not a copy of a train slice).
  const double ratio = double(d.size(Split::Val)) / double(d.size(Split::Train));
  QVERIFY2(ratio > 0.05 && ratio < 0.2, qPrintable(QString::number(ratio)));
  {
    // m = 6: 1 * 64 + sum_g 2^(g-1) 2^(6-g) = 64 + 6 * 32 = 256 training appearances, val
    // round(0.1 * 256) = 26; each appearance is a biography and a QA document.
    const auto docs = [&](Split s) {
      const auto v = all_tokens(d, s);
      std::vector<std::vector<int64_t>> out;
      for (int64_t t : v) {
        if (t == 0 || out.empty()) out.emplace_back();  // <eod> opens every document
        out.back().push_back(t);
      }
      return out;
    };
    const auto q_word = std::find(d.words().begin(), d.words().end(), "Q:") - d.words().begin();
    QVERIFY(q_word < int64_t(d.words().size()));
    const auto bios = [&](const std::vector<std::vector<int64_t>>& ds) {
      std::vector<std::vector<int64_t>> b;
      for (const auto& doc : ds)
        if (doc.size() > 1 && doc[1] != q_word) b.push_back(doc);
      return b;
    };
    const auto train_docs = docs(Split::Train), val_docs = docs(Split::Val);
    const auto train_bios = bios(train_docs), val_bios = bios(val_docs);
    // Fresh draws: no validation biography (one of 720 sentence orders x 5^6 template choices)
    // repeats a training one word for word. A copied train slice would repeat all of them.
    std::set<std::vector<int64_t>> seen(train_bios.begin(), train_bios.end());
    int copied = 0;
    for (const auto& b : val_bios) copied += seen.count(b) > 0;
    QCOMPARE(copied, 0);
    QCOMPARE(train_docs.front().front(), int64_t(0));
    QCOMPARE(val_docs.front().front(), int64_t(0));
    QCOMPARE(int(train_docs.size()), 2 * 256);
    QCOMPARE(int(val_docs.size()), 2 * 26);
    QCOMPARE(int(train_bios.size()), 256);
    QCOMPARE(int(val_bios.size()), 26);
    // ...of the training individuals: every biography opens with the full name of one of them.
    std::set<std::pair<int64_t, int64_t>> names;
    for (const TailQAPerson& p : d.people()) names.insert({p.first, p.last});
    for (const auto& b : val_bios) {
      bool named = false;
      for (size_t i = 1; i + 1 < b.size() && !named; ++i) named = names.count({b[i], b[i + 1]});
      QVERIFY(named);
    }
  }
  // Decoding: the first question of person 0 reads as a sentence.
  const QAItem& q0 = d.questions()[0];
  QCOMPARE(q0.attribute, int(kQABirthplace));
  QCOMPARE(d.decode(q0.prompt), "\nQ: Where was " + d.name(q0.person) + " born? A:");
  std::vector<int32_t> qa_pair = q0.prompt;
  qa_pair.push_back(q0.answer_first);
  QCOMPARE(d.decode(qa_pair), "\nQ: Where was " + d.name(q0.person) +
                                  " born? A: " + d.answer_text(q0.person, kQABirthplace));
  // A stretch of the stream decodes to words and sentences, no unknown ids.
  std::vector<int64_t> w(300);
  d.copy(Split::Train, 0, 300, w.data());
  const std::string s = d.decode(std::vector<int32_t>(w.begin(), w.end()));
  QVERIFY(s.find("<?>") == std::string::npos);
  QVERIFY(s.find(". ") != std::string::npos);
  QCOMPARE(s.front(), '\n');
  // copy() checks its window.
  int64_t one;
  QVERIFY(throws_data_error([&] { d.copy(Split::Val, d.size(Split::Val), 1, &one); }, {"val"}));
}

void TestData::tailqaByteMode() {
  const int m = 4, qa = 2;
  TailQASource d(m, qa, "byte", 3);
  QCOMPARE(d.vocab_size(), 256);
  const auto train = all_tokens(d, Split::Train);
  const std::string text = as_string(train);
  // decode() is the bytes themselves.
  QCOMPARE(d.decode(std::vector<int32_t>(train.begin(), train.begin() + 500)), text.substr(0, 500));
  // Name counts in the text: S_g (1 + qa) (a name is followed by a non-letter).
  for (size_t i = 0; i < d.people().size(); ++i) {
    const std::string name = d.name(int(i));
    int64_t n = 0;
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
      const char next = at + name.size() < text.size() ? text[at + name.size()] : ' ';
      if (!std::isalpha(static_cast<unsigned char>(next))) ++n;
    }
    QCOMPARE(n, d.appearances(d.people()[i].group) * (1 + qa));
  }
  // Prompts end in "A: " and the answer's first byte is its first letter; in the stream every
  // occurrence of the question is followed by the full answer.
  QCOMPARE(int(d.questions().size()), (1 << m) * qa);
  for (const QAItem& q : d.questions()) {
    const std::string prompt(q.prompt.begin(), q.prompt.end());
    QCOMPARE(prompt.substr(0, 3), std::string("\nQ:"));
    QCOMPARE(prompt.substr(prompt.size() - 3), std::string("A: "));
    const std::string ans = d.answer_text(q.person, q.attribute);
    QCOMPARE(q.answer_first, int32_t(static_cast<unsigned char>(ans[0])));
    const std::string body = prompt.substr(1);
    int64_t n = 0;
    for (size_t at = text.find(body); at != std::string::npos; at = text.find(body, at + 1)) {
      QCOMPARE(text.substr(at + body.size(), ans.size() + 1), ans + ".");
      ++n;
    }
    QCOMPARE(n, d.appearances(q.group));
  }
}

void TestData::tailqaDefaultsAndErrors() {
  DataConfig cfg;  // defaults: tailqa, m = 6, 3 QA, word tokens
  const auto d = make_data_source(cfg, 1337);
  QCOMPARE(d->kind(), std::string("tailqa"));
  QCOMPARE(d->groups(), 7);
  const int64_t train = d->size(Split::Train), val = d->size(Split::Val);
  qInfo("default tailqa: %s", d->description().c_str());
  QVERIFY(train > 15000 && train < 60000);
  QCOMPARE(min_split_tokens(*d), val);
  QVERIFY(d->vocab_size() < 1000);  // small pools at m = 6
  // The smallest task (m = 0: one individual) still yields both splits.
  TailQASource tiny(0, 1, "word", 1);
  QVERIFY(tiny.size(Split::Val) > 10);
  QCOMPARE(int(tiny.questions().size()), 1);

  QVERIFY(throws_data_error([] { TailQASource(17, 3, "word", 1); }, {"tailqa_groups", "17"}));
  QVERIFY(throws_data_error([] { TailQASource(6, 7, "word", 1); }, {"tailqa_qa", "7"}));
  QVERIFY(throws_data_error([] { TailQASource(6, 3, "bpe", 1); }, {"tailqa_tokens", "bpe"}));
  DataConfig bad;
  bad.source = "wikitext";
  QVERIFY(throws_data_error([&] { make_data_source(bad, 1); }, {"data.source", "wikitext"}));
}

void TestData::textSourceSplits() {
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  std::string content;
  for (int i = 0; i < 1000; ++i) content += static_cast<char>(i * 7 % 256);
  const QString path = dir.filePath("corpus.txt");
  write_file(path, content.data(), content.size());
  DataConfig cfg;
  cfg.source = "text";
  cfg.path = path.toStdString();
  cfg.val_fraction = 0.1;
  const auto d = make_data_source(cfg, 1);
  QCOMPARE(d->kind(), std::string("text"));
  QCOMPARE(d->vocab_size(), 256);
  QCOMPARE(d->size(Split::Train), int64_t{900});
  QCOMPARE(d->size(Split::Val), int64_t{100});
  QCOMPARE(min_split_tokens(*d), int64_t{100});
  QCOMPARE(as_string(all_tokens(*d, Split::Train)), content.substr(0, 900));
  QCOMPARE(as_string(all_tokens(*d, Split::Val)), content.substr(900));
  std::vector<int64_t> w(5);
  d->copy(Split::Val, 10, 5, w.data());
  for (int i = 0; i < 5; ++i) QCOMPARE(w[i], int64_t(static_cast<unsigned char>(content[910 + i])));
  const auto v = all_tokens(*d, Split::Train);
  QCOMPARE(d->decode(std::vector<int32_t>(v.begin(), v.end())), content.substr(0, 900));
  QVERIFY(d->questions().empty());
  QCOMPARE(d->groups(), 0);
}

void TestData::textSourceErrors() {
  QTemporaryDir dir;
  const std::string missing = dir.filePath("nope.txt").toStdString();
  QVERIFY(throws_data_error([&] { TextSource(missing, 0.1); }, {missing, "no such file"}));
  const QString empty = dir.filePath("empty.txt");
  write_file(empty, "", 0);
  QVERIFY(throws_data_error([&] { TextSource(empty.toStdString(), 0.1); },
                            {empty.toStdString(), "empty"}));
  const QString small = dir.filePath("small.txt");
  write_file(small, "0123456789", 10);  // 10% of 10 bytes = 1 val token
  QVERIFY(throws_data_error([&] { TextSource(small.toStdString(), 0.1); },
                            {small.toStdString(), "val split too short"}));
  QVERIFY(throws_data_error([&] { TextSource(small.toStdString(), 1.5); },
                            {small.toStdString(), "val_fraction"}));
  const std::string d = dir.path().toStdString();
  QVERIFY(throws_data_error([&] { TextSource(d, 0.1); }, {d, "directory"}));
  QVERIFY(throws_data_error([] { TextSource("", 0.1); }, {"data.path"}));
}

void TestData::tokensRawAndShards() {
  QTemporaryDir dir;
  std::vector<uint16_t> a, b, c;
  for (int i = 0; i < 1000; ++i) a.push_back(uint16_t(i * 37 % 3000));
  for (int i = 0; i < 600; ++i) b.push_back(uint16_t(50256 - i % 300));
  for (int i = 0; i < 300; ++i) c.push_back(uint16_t(i));

  // Raw nanoGPT .bin, tail 10% as val.
  const QString raw = dir.filePath("train.bin");
  write_raw(raw, a);
  TokenSource r(raw.toStdString(), "", 0.1);
  QCOMPARE(r.size(Split::Train), int64_t{900});
  QCOMPARE(r.size(Split::Val), int64_t{100});
  const auto rt = all_tokens(r, Split::Train), rv = all_tokens(r, Split::Val);
  for (int i = 0; i < 900; ++i) QCOMPARE(rt[i], int64_t(a[i]));
  for (int i = 0; i < 100; ++i) QCOMPARE(rv[i], int64_t(a[900 + i]));
  QCOMPARE(r.vocab_size(), 3008);  // max 2999 -> 3000 rounded up to 64
  QVERIFY(!r.files()[0].shard);
  QCOMPARE(r.decode({15496, 995}), std::string("15496 995"));

  // Shards in a directory (sorted by name), a separate val shard.
  QVERIFY(QDir(dir.path()).mkdir("shards"));
  write_shard(dir.filePath("shards/fw_train_000002.bin"), c);
  write_shard(dir.filePath("shards/fw_train_000001.bin"), b);
  write_shard(dir.filePath("val_000000.bin"), a);
  DataConfig cfg;
  cfg.source = "tokens";
  cfg.path = dir.filePath("shards").toStdString();
  cfg.val_path = dir.filePath("val_000000.bin").toStdString();
  const auto s = make_data_source(cfg, 1);
  QCOMPARE(s->kind(), std::string("tokens"));
  QCOMPARE(s->size(Split::Train), int64_t{900});
  QCOMPARE(s->size(Split::Val), int64_t{1000});
  const auto st = all_tokens(*s, Split::Train);
  for (int i = 0; i < 600; ++i) QCOMPARE(st[i], int64_t(b[i]));  // 000001 first
  for (int i = 0; i < 300; ++i) QCOMPARE(st[600 + i], int64_t(c[i]));
  const auto sv = all_tokens(*s, Split::Val);
  for (int i = 0; i < 1000; ++i) QCOMPARE(sv[i], int64_t(a[i]));
  QCOMPARE(s->vocab_size(), 50304);  // GPT-2 ids
  const auto& files = static_cast<const TokenSource&>(*s).files();
  QCOMPARE(int(files.size()), 3);
  QVERIFY(files[0].shard && files[2].shard);
  QCOMPARE(files[0].tokens, int64_t{600});

  // A glob picking one shard, tail split.
  cfg.path = dir.filePath("shards/*_000002.bin").toStdString();
  cfg.val_path.clear();
  cfg.val_fraction = 0.5;
  const auto g = make_data_source(cfg, 1);
  QCOMPARE(g->size(Split::Train), int64_t{150});
  QCOMPARE(g->size(Split::Val), int64_t{150});
  QCOMPARE(all_tokens(*g, Split::Val)[0], int64_t{150});
  QCOMPARE(g->vocab_size(), 320);  // max 299
}

void TestData::tokensVocabRule() {
  QCOMPARE(TokenSource::vocab_for_max_token(0), 64);
  QCOMPARE(TokenSource::vocab_for_max_token(63), 64);
  QCOMPARE(TokenSource::vocab_for_max_token(64), 128);
  QCOMPARE(TokenSource::vocab_for_max_token(49999), 50048);
  QCOMPARE(TokenSource::vocab_for_max_token(50001), 50304);
  QCOMPARE(TokenSource::vocab_for_max_token(50256), 50304);
  QCOMPARE(TokenSource::vocab_for_max_token(50303), 50304);
  QCOMPARE(TokenSource::vocab_for_max_token(50304), 50368);
  QCOMPARE(TokenSource::vocab_for_max_token(65535), 65536);
}

void TestData::tokensCorruptFiles() {
  QTemporaryDir dir;
  std::vector<uint16_t> toks(100);
  for (int i = 0; i < 100; ++i) toks[i] = uint16_t(i);
  auto load = [](const QString& p) { return [p] { TokenSource(p.toStdString(), "", 0.1); }; };
  auto f = [&](const char* name) { return dir.filePath(name); };

  QVERIFY(
      throws_data_error(load(f("missing.bin")), {f("missing.bin").toStdString(), "no such file"}));
  write_file(f("empty.bin"), "", 0);
  QVERIFY(throws_data_error(load(f("empty.bin")), {f("empty.bin").toStdString(), "empty file"}));
  write_shard(f("magic.bin"), toks, 20240521);
  QVERIFY(throws_data_error(load(f("magic.bin")),
                            {f("magic.bin").toStdString(), "bad magic", "20240521"}));
  write_shard(f("version.bin"), toks, 20240520, 2);
  QVERIFY(throws_data_error(load(f("version.bin")), {f("version.bin").toStdString(), "version 2"}));
  write_shard(f("trunc.bin"), toks, 20240520, 1, -1, 10);
  QVERIFY(throws_data_error(load(f("trunc.bin")), {f("trunc.bin").toStdString(), "truncated"}));
  write_shard(f("count.bin"), toks, 20240520, 1, 90);
  QVERIFY(
      throws_data_error(load(f("count.bin")), {f("count.bin").toStdString(), "count mismatch"}));
  write_shard(f("zero.bin"), {}, 20240520, 1, 0);
  QVERIFY(throws_data_error(load(f("zero.bin")), {f("zero.bin").toStdString(), "count 0"}));
  std::vector<unsigned char> odd(101, 1);
  write_file(f("odd.bin"), odd.data(), odd.size());
  QVERIFY(throws_data_error(load(f("odd.bin")), {f("odd.bin").toStdString(), "odd byte length"}));
  write_raw(f("tiny.bin"), {1, 2, 3, 4, 5});  // 10% of 5 tokens: no val
  QVERIFY(
      throws_data_error(load(f("tiny.bin")), {f("tiny.bin").toStdString(), "val split too short"}));
  write_raw(f("ok.bin"), toks);
  QVERIFY(throws_data_error(
      [&] { TokenSource(f("ok.bin").toStdString(), f("tiny_val.bin").toStdString(), 0.1); },
      {f("tiny_val.bin").toStdString(), "no such file"}));
  write_raw(f("one.bin"), {7});
  QVERIFY(throws_data_error(
      [&] { TokenSource(f("ok.bin").toStdString(), f("one.bin").toStdString(), 0.1); },
      {f("one.bin").toStdString(), "val split too short"}));
  QVERIFY(
      throws_data_error(load(f("*.nomatch")), {f("*.nomatch").toStdString(), "no files match"}));
  QVERIFY(QDir(dir.path()).mkdir("nobin"));
  QVERIFY(throws_data_error(load(f("nobin")), {f("nobin").toStdString(), "no *.bin"}));
  // A file among good ones: the message names the bad file, not the directory.
  QVERIFY(QDir(dir.path()).mkdir("mixed"));
  write_shard(f("mixed/a.bin"), toks);
  write_shard(f("mixed/b.bin"), toks, 20240520, 3);
  QVERIFY(throws_data_error(load(f("mixed")), {f("mixed/b.bin").toStdString(), "version 3"}));
  // A raw file of 512+ tokens that happens to begin with zeros is still raw data.
  std::vector<uint16_t> zeros(1200, 0);
  zeros.back() = 9;
  write_raw(f("zeros.bin"), zeros);
  TokenSource z(f("zeros.bin").toStdString(), "", 0.1);
  QCOMPARE(z.size(Split::Train) + z.size(Split::Val), int64_t{1200});
}

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"
