// TailQASource: generation of the heavy-tailed biography QA task (see TailQA.h). The word
// vocabulary is built first (template words, pronouns, date pieces, then the attribute pools),
// then the individuals, then the shuffled train and val documents, then the held questions.
// Every random choice comes from DataRng sub-streams of the seed, so a seed fixes everything;
// the pools come from a fixed seed, so the vocabulary depends only on m.
#include "data/TailQA.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "data/Rng.h"

namespace ms {

namespace {

constexpr int32_t kEod = 0;  // word id of "<eod>"
constexpr uint64_t kPoolSeed =
    0x7A11A5EEDull;  // fixed: pools (and vocab) do not vary with the seed
constexpr int kMaxGroupsM = 16;

// Full pool sizes (the paper's setup, DESIGN.md section 5; 200 cities). A run with fewer
// individuals uses a prefix of each pool: max(24, individuals) entries, so that the vocabulary
// of a small CPU task stays small.
constexpr int kFullFirst = 400, kFullLast = 1000, kFullCity = 200, kFullUni = 300, kFullMajor = 100,
              kFullEmployer = 300;
constexpr int kMinPool = 24;
constexpr int kFirstYear = 1950, kLastYear = 2005, kDays = 28;

// Template slots. S: subject at sentence start (full name, else He/She); O: object (name, else
// him/her); P: possessive, always a pronoun (his/her); PC: possessive at sentence start (name 's,
// else His/Her); V: the attribute value; N: the full name (questions).
enum Slot { kLit, kS, kO, kP, kPC, kV, kN };
struct Item {
  Slot slot;
  int32_t word;  // for kLit
};
using Template = std::vector<Item>;

constexpr int kTemplatesPerAttr = 5;
const char* const kBioTemplates[kNumQAAttrs][kTemplatesPerAttr] = {
    // kQABirthplace
    {"{S} was born in {V} .", "{S} spent {P} early years in {V} .",
     "{V} is the birthplace of {O} .", "{S} hails from {V} .", "{PC} hometown is {V} ."},
    // kQAUniversity
    {"{S} studied at {V} .", "{S} graduated from {V} .", "{S} is a graduate of {V} .",
     "{S} received {P} education at {V} .", "{PC} alma mater is {V} ."},
    // kQAEmployer
    {"{S} works for {V} .", "{S} is employed by {V} .", "{S} has a job at {V} .",
     "{V} employs {O} .", "{PC} employer is {V} ."},
    // kQAMajor
    {"{S} majored in {V} .", "{S} focused on {V} during {P} studies .",
     "{S} holds a degree in {V} .", "{PC} field of study was {V} .", "{S} specialized in {V} ."},
    // kQABirthday
    {"{S} was born on {V} .", "{S} celebrates {P} birthday on {V} .",
     "{S} came into this world on {V} .", "{S} has a birthday that falls on {V} .",
     "{PC} birthday is {V} ."},
    // kQAWorkCity
    {"{S} works in {V} .", "{S} moved to {V} for work .", "{PC} office is located in {V} .",
     "{S} relocated to {V} for {P} job .", "{S} commutes to an office in {V} ."},
};
// One fixed question per attribute, so the held prompt is exactly the trained one.
const char* const kQuestions[kNumQAAttrs] = {
    "Q: Where was {N} born ? A:",
    "Q: Which university did {N} attend ? A:",
    "Q: Which company does {N} work for ? A:",
    "Q: What did {N} study ? A:",
    "Q: When was {N} born ? A:",
    "Q: Where does {N} work ? A:",
};
const char* const kMonths[12] = {"January",   "February", "March",    "April",
                                 "May",       "June",     "July",     "August",
                                 "September", "October",  "November", "December"};
const char* const kFields[25] = {
    "Physics",    "Chemistry",    "Biology",      "Mathematics",      "Economics",
    "History",    "Philosophy",   "Linguistics",  "Sociology",        "Psychology",
    "Geology",    "Astronomy",    "Statistics",   "Architecture",     "Music",
    "Literature", "Anthropology", "Engineering",  "Medicine",         "Law",
    "Finance",    "Ecology",      "Neuroscience", "Computer Science", "Political Science"};
const char* const kQualifiers[4] = {"", "Applied ", "Theoretical ", "Computational "};
const char* const kUniPatterns[6] = {"# University",       "University of #",
                                     "# College",          "# Institute of Technology",
                                     "# State University", "# Polytechnic"};
const char* const kEmployerPatterns[7] = {"# Corp",     "# Labs",     "# Systems",   "# Group",
                                          "# Dynamics", "# Holdings", "# Industries"};

struct Vocab {
  std::vector<std::string> words;
  std::unordered_map<std::string, int32_t> ids;
  int32_t intern(const std::string& w) {
    auto it = ids.find(w);
    if (it != ids.end()) return it->second;
    const int32_t id = static_cast<int32_t>(words.size());
    words.push_back(w);
    ids.emplace(w, id);
    return id;
  }
};

Template parse_template(const std::string& text, Vocab& v) {
  Template t;
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    if (w == "{S}")
      t.push_back({kS, 0});
    else if (w == "{O}")
      t.push_back({kO, 0});
    else if (w == "{P}")
      t.push_back({kP, 0});
    else if (w == "{PC}")
      t.push_back({kPC, 0});
    else if (w == "{V}")
      t.push_back({kV, 0});
    else if (w == "{N}")
      t.push_back({kN, 0});
    else
      t.push_back({kLit, v.intern(w)});
  }
  return t;
}

// Pronounceable capitalized words from syllables, unique and distinct from `used`.
std::vector<std::string> make_words(DataRng& rng, int n, std::unordered_set<std::string>& used) {
  static const char* const onsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",
                                       "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",  "br", "cr",
                                       "dr", "fl", "gr", "kl", "pr", "st", "tr", "sh", "ch"};
  static const char* const vowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou"};
  static const char* const codas[] = {"", "", "", "", "n", "r", "l", "s", "m", "nd", "x"};
  auto pick = [&](const auto& arr) {
    return std::string(arr[rng.below(sizeof(arr) / sizeof(arr[0]))]);
  };
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < n) {
    const int syllables = rng.below(5) < 4 ? 2 : 3;
    std::string w;
    for (int s = 0; s < syllables; ++s) w += pick(onsets) + pick(vowels) + pick(codas);
    w[0] = static_cast<char>(w[0] - 'a' + 'A');
    if (used.insert(w).second) out.push_back(w);
  }
  return out;
}

std::string fill(const char* pattern, const std::string& stem) {
  std::string s = pattern;
  const size_t at = s.find('#');
  return s.replace(at, 1, stem);
}

bool attaches_left(const std::string& w) {
  return w == "." || w == "," || w == "?" || w == "'s";
}

}  // namespace

const char* tailqa_attr_name(int attr) {
  static const char* names[kNumQAAttrs] = {"birthplace", "university", "employer",
                                           "major",      "birthday",   "work city"};
  return (attr >= 0 && attr < kNumQAAttrs) ? names[attr] : "?";
}

TailQASource::TailQASource(int m, int qa, const std::string& tokens, uint64_t seed)
    : m_(m), qa_(qa), byte_(tokens == "byte"), seed_(seed) {
  if (m < 0 || m > kMaxGroupsM)
    throw DataError("data.tailqa_groups = " + std::to_string(m) + ": must be in 0.." +
                    std::to_string(kMaxGroupsM));
  if (qa < 0 || qa > kNumQAAttrs)
    throw DataError("data.tailqa_qa = " + std::to_string(qa) + ": must be in 0.." +
                    std::to_string(kNumQAAttrs));
  if (tokens != "word" && tokens != "byte")
    throw DataError("data.tailqa_tokens = '" + tokens + "': expected word or byte");

  // --- vocabulary: specials, template words, pronouns, dates ---
  Vocab v;
  v.intern("<eod>");
  std::vector<std::vector<Template>> bio(kNumQAAttrs);
  std::vector<Template> question(kNumQAAttrs);
  for (int a = 0; a < kNumQAAttrs; ++a) {
    for (int t = 0; t < kTemplatesPerAttr; ++t)
      bio[a].push_back(parse_template(kBioTemplates[a][t], v));
    question[a] = parse_template(kQuestions[a], v);
  }
  const int32_t w_he = v.intern("He"), w_she = v.intern("She"), w_him = v.intern("him"),
                w_her = v.intern("her"), w_his = v.intern("his"), w_His = v.intern("His"),
                w_Her = v.intern("Her"), w_s = v.intern("'s"), w_comma = v.intern(","),
                w_dot = v.intern(".");
  int32_t w_month[12];
  for (int i = 0; i < 12; ++i) w_month[i] = v.intern(kMonths[i]);
  const int32_t w_day0 = static_cast<int32_t>(v.words.size());
  for (int d = 1; d <= kDays; ++d) v.intern(std::to_string(d));
  const int32_t w_year0 = static_cast<int32_t>(v.words.size());
  for (int y = kFirstYear; y <= kLastYear; ++y) v.intern(std::to_string(y));

  // --- pools (fixed seed; prefixes sized by the number of individuals) ---
  const int64_t n_people = int64_t{1} << m;  // N_0 + sum_{g=1..m} 2^(g-1) = 2^m
  auto pool_size = [&](int full) {
    return static_cast<int>(std::min<int64_t>(full, std::max<int64_t>(kMinPool, n_people)));
  };
  DataRng pool_rng(kPoolSeed);
  std::unordered_set<std::string> used(v.words.begin(), v.words.end());
  const auto firsts = make_words(pool_rng, kFullFirst, used);
  const auto lasts = make_words(pool_rng, kFullLast, used);
  const auto cities = make_words(pool_rng, kFullCity, used);
  const auto uni_stems = make_words(pool_rng, kFullUni, used);
  const auto emp_stems = make_words(pool_rng, kFullEmployer, used);
  auto intern_prefix = [&](const std::vector<std::string>& pool, int n) {
    std::vector<int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back(v.intern(pool[i]));
    return ids;
  };
  const auto p_first = intern_prefix(firsts, pool_size(kFullFirst));
  const auto p_last = intern_prefix(lasts, pool_size(kFullLast));
  const auto p_city = intern_prefix(cities, pool_size(kFullCity));
  std::vector<int32_t> p_uni, p_major, p_emp;
  for (int i = 0; i < pool_size(kFullUni); ++i)
    p_uni.push_back(v.intern(fill(kUniPatterns[pool_rng.below(6)], uni_stems[i])));
  for (int i = 0; i < pool_size(kFullMajor); ++i)
    p_major.push_back(v.intern(std::string(kQualifiers[i / 25]) + kFields[i % 25]));
  for (int i = 0; i < pool_size(kFullEmployer); ++i)
    p_emp.push_back(v.intern(fill(kEmployerPatterns[pool_rng.below(7)], emp_stems[i])));
  words_ = std::move(v.words);

  // --- individuals: person i < 2^m; group 0 is person 0, group g persons [2^(g-1), 2^g) ---
  DataRng prng = DataRng::derive(seed, 1);
  std::set<std::pair<int32_t, int32_t>> names;
  people_.resize(static_cast<size_t>(n_people));
  for (int64_t i = 0; i < n_people; ++i) {
    TailQAPerson& p = people_[static_cast<size_t>(i)];
    int g = 0;
    while ((int64_t{1} << g) <= i) ++g;  // i in [2^(g-1), 2^g)
    p.group = g;
    do {
      p.first = p_first[prng.below(p_first.size())];
      p.last = p_last[prng.below(p_last.size())];
    } while (!names.insert({p.first, p.last}).second);
    p.female = prng.below(2) == 1;
    p.value[kQABirthday] = w_month[prng.below(12)];
    p.day = w_day0 + prng.below_int(kDays);
    p.year = w_year0 + prng.below_int(kLastYear - kFirstYear + 1);
    p.value[kQABirthplace] = p_city[prng.below(p_city.size())];
    p.value[kQAUniversity] = p_uni[prng.below(p_uni.size())];
    p.value[kQAMajor] = p_major[prng.below(p_major.size())];
    p.value[kQAEmployer] = p_emp[prng.below(p_emp.size())];
    p.value[kQAWorkCity] = p_city[prng.below(p_city.size())];
  }

  // --- documents ---
  auto push_value = [&](std::vector<int32_t>& d, const TailQAPerson& p, int attr) {
    d.push_back(p.value[attr]);
    if (attr == kQABirthday) {
      d.push_back(p.day);
      d.push_back(w_comma);
      d.push_back(p.year);
    }
  };
  auto bio_doc = [&](const TailQAPerson& p, DataRng& rng, std::vector<int32_t>& d) {
    d.push_back(kEod);
    std::vector<int> order = {0, 1, 2, 3, 4, 5};
    rng.shuffle(order);
    for (size_t k = 0; k < order.size(); ++k) {
      const bool named = k == 0;  // full name in the first sentence, pronouns after
      for (const Item& it : bio[order[k]][rng.below(kTemplatesPerAttr)]) {
        switch (it.slot) {
          case kLit:
            d.push_back(it.word);
            break;
          case kS:
          case kN:
            if (named)
              d.insert(d.end(), {p.first, p.last});
            else
              d.push_back(p.female ? w_she : w_he);
            break;
          case kO:
            if (named)
              d.insert(d.end(), {p.first, p.last});
            else
              d.push_back(p.female ? w_her : w_him);
            break;
          case kP:
            d.push_back(p.female ? w_her : w_his);
            break;
          case kPC:
            if (named)
              d.insert(d.end(), {p.first, p.last, w_s});
            else
              d.push_back(p.female ? w_Her : w_His);
            break;
          case kV:
            push_value(d, p, order[k]);
            break;
        }
      }
    }
  };
  auto question_tokens = [&](const TailQAPerson& p, int attr, std::vector<int32_t>& d) {
    for (const Item& it : question[attr]) {
      if (it.slot == kN)
        d.insert(d.end(), {p.first, p.last});
      else
        d.push_back(it.word);
    }
  };
  auto qa_doc = [&](const TailQAPerson& p, DataRng& rng, std::vector<int32_t>& d) {
    d.push_back(kEod);
    std::vector<int> order;
    for (int a = 0; a < qa_; ++a) order.push_back(a);
    rng.shuffle(order);
    for (int a : order) {
      question_tokens(p, a, d);
      push_value(d, p, a);
      d.push_back(w_dot);
    }
  };
  // Each appearance is a biography (code 2i) and, with QA pairs, a QA document (2i + 1).
  auto build = [&](std::vector<uint32_t> docs, DataRng& rng, std::vector<uint16_t>& words_out,
                   std::string& bytes_out) {
    rng.shuffle(docs);
    std::vector<int32_t> d;
    for (uint32_t code : docs) {
      d.clear();
      const TailQAPerson& p = people_[code >> 1];
      if (code & 1)
        qa_doc(p, rng, d);
      else
        bio_doc(p, rng, d);
      if (byte_)
        bytes_out += render_words(d);
      else
        words_out.insert(words_out.end(), d.begin(), d.end());
    }
  };
  std::vector<uint32_t> appear;  // person per training appearance
  for (int64_t i = 0; i < n_people; ++i)
    appear.insert(appear.end(), static_cast<size_t>(appearances(people_[i].group)),
                  static_cast<uint32_t>(i));
  train_appearances_ = static_cast<int64_t>(appear.size());
  auto docs_of = [&](const std::vector<uint32_t>& persons) {
    std::vector<uint32_t> docs;
    for (uint32_t i : persons) {
      docs.push_back(2 * i);
      if (qa_ > 0) docs.push_back(2 * i + 1);
    }
    return docs;
  };
  DataRng train_rng = DataRng::derive(seed, 2);
  build(docs_of(appear), train_rng, train_, train_bytes_);
  // Val: fresh appearances (new template draws and orders) of individuals drawn with the
  // training frequencies, about 10% of the training appearances.
  DataRng val_rng = DataRng::derive(seed, 3);
  val_appearances_ = std::max<int64_t>(1, std::llround(0.1 * train_appearances_));
  std::vector<uint32_t> val_people;
  for (int64_t k = 0; k < val_appearances_; ++k)
    val_people.push_back(appear[val_rng.below(appear.size())]);
  build(docs_of(val_people), val_rng, val_, val_bytes_);

  // --- held questions: every individual, every asked attribute, without context ---
  for (int64_t i = 0; i < n_people; ++i) {
    const TailQAPerson& p = people_[static_cast<size_t>(i)];
    for (int a = 0; a < qa_; ++a) {
      QAItem q;
      q.group = p.group;
      q.person = static_cast<int>(i);
      q.attribute = a;
      std::vector<int32_t> d = {kEod};
      question_tokens(p, a, d);
      if (byte_) {
        const std::string text = render_words(d) + " ";
        for (unsigned char c : text) q.prompt.push_back(c);
        q.answer_first = static_cast<unsigned char>(words_[p.value[a]][0]);
      } else {
        q.prompt = std::move(d);
        q.answer_first = p.value[a];
      }
      questions_.push_back(std::move(q));
    }
  }
}

std::string TailQASource::description() const {
  std::ostringstream s;
  s << "tailqa m=" << m_ << ": " << people_.size() << " individuals in " << (m_ + 1) << " groups, "
    << train_appearances_ << " appearances, " << qa_ << " QA each, " << (byte_ ? "byte" : "word")
    << " tokens (vocab " << vocab_size() << "), train " << size(Split::Train) << " / val "
    << size(Split::Val) << " tokens, seed " << seed_;
  return s.str();
}

int TailQASource::vocab_size() const {
  return byte_ ? 256 : static_cast<int>(words_.size());
}

int64_t TailQASource::size(Split s) const {
  if (byte_)
    return static_cast<int64_t>(s == Split::Train ? train_bytes_.size() : val_bytes_.size());
  return static_cast<int64_t>(s == Split::Train ? train_.size() : val_.size());
}

void TailQASource::copy(Split s, int64_t start, int64_t n, int64_t* out) const {
  if (start < 0 || n < 0 || start + n > size(s))
    throw DataError("tailqa: window [" + std::to_string(start) + ", " + std::to_string(start + n) +
                    ") outside the " + (s == Split::Train ? "train" : "val") + " split of " +
                    std::to_string(size(s)) + " tokens");
  if (byte_) {
    const std::string& b = s == Split::Train ? train_bytes_ : val_bytes_;
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(b[start + i]);
  } else {
    const std::vector<uint16_t>& w = s == Split::Train ? train_ : val_;
    for (int64_t i = 0; i < n; ++i) out[i] = w[start + i];
  }
}

std::string TailQASource::render_words(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || id >= static_cast<int32_t>(words_.size())) {
      out += (out.empty() || out.back() == '\n') ? "<?>" : " <?>";
      continue;
    }
    const std::string& w = words_[id];
    if (id == kEod) {
      out += '\n';
    } else if (attaches_left(w) || out.empty() || out.back() == '\n') {
      out += w;
    } else {
      out += ' ';
      out += w;
    }
  }
  return out;
}

std::string TailQASource::decode(const std::vector<int32_t>& tokens) const {
  if (!byte_) return render_words(tokens);
  std::string out;
  for (int32_t t : tokens) out += (t >= 0 && t < 256) ? static_cast<char>(t) : '?';
  return out;
}

std::string TailQASource::name(int person) const {
  const TailQAPerson& p = people_.at(static_cast<size_t>(person));
  return words_[p.first] + " " + words_[p.last];
}

std::string TailQASource::answer_text(int person, int attr) const {
  const TailQAPerson& p = people_.at(static_cast<size_t>(person));
  if (attr == kQABirthday)
    return words_[p.value[attr]] + " " + words_[p.day] + ", " + words_[p.year];
  return words_[p.value.at(static_cast<size_t>(attr))];
}

}  // namespace ms
