// TailQASource: the embedded heavy-tailed biography QA task of the tail-learning paper
// (Wang et al. 2025, arXiv 2509.26030, Sec. 4.3 / App. B.2), after Allen-Zhu & Li's synthetic
// biographies. Generated, deterministic from the seed, no download (DESIGN.md section 5).
//
// Individuals fall into frequency groups g = 0..m: N_0 = 1, N_g = 2^(g-1) individuals, each
// of group g appearing S_g = 2^(m-g) times in the training stream (power law, ratio 2). Each
// appearance contributes two documents: a biography (six template sentences in random order,
// a random template per sentence, the full name in the first sentence and pronouns after) and
// a QA document with `tailqa_qa` question/answer pairs in random order. The two are shuffled
// into the stream independently, as in Allen-Zhu & Li's mixed training, so that a question is
// answered from memory and not by copying the biography from the same context window (the
// held questions are asked without context, too). Every document starts with an <eod> token.
//
// Tokens: "word" (one token per template word, punctuation mark, name piece and attribute
// value: a city, university, major or employer is one token, so the first answer token
// identifies the fact; a birthday answers "<Month> <day> , <year>") or "byte" (vocab 256, the
// rendered text; <eod> is '\n').
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/DataSource.h"

namespace ms {

// Attributes of an individual, in the order QA pairs are asked: tailqa_qa = k asks the first k.
enum TailQAAttr : int {
  kQABirthplace = 0,
  kQAUniversity = 1,
  kQAEmployer = 2,
  kQAMajor = 3,
  kQABirthday = 4,
  kQAWorkCity = 5,
};
inline constexpr int kNumQAAttrs = 6;
const char* tailqa_attr_name(int attr);  // "birthplace", "university", ...

// One individual. All fields are word ids (= token ids in word mode; see TailQASource::words()).
struct TailQAPerson {
  int group = 0;
  int32_t first = 0, last = 0;  // name pieces
  bool female = false;
  // The attribute value tokens; for the birthday the month (its first answer token).
  std::array<int32_t, kNumQAAttrs> value{};
  int32_t day = 0, year = 0;  // birthday day and year tokens
};

class TailQASource : public DataSource {
 public:
  // m = groups - 1 in [0, 16]; qa in [0, 6]; tokens "word" | "byte". Throws DataError.
  TailQASource(int m, int qa, const std::string& tokens, uint64_t seed);

  std::string kind() const override { return "tailqa"; }
  std::string description() const override;
  int vocab_size() const override;
  int64_t size(Split s) const override;
  void copy(Split s, int64_t start, int64_t n, int64_t* out) const override;
  std::string decode(const std::vector<int32_t>& tokens) const override;
  const std::vector<QAItem>& questions() const override { return questions_; }
  int groups() const override { return m_ + 1; }

  // N_g and S_g of the paper's power law for this m.
  static int64_t group_size(int g) { return g == 0 ? 1 : (int64_t{1} << (g - 1)); }
  int64_t appearances(int g) const { return int64_t{1} << (m_ - g); }

  bool byte_tokens() const { return byte_; }
  int qa_pairs() const { return qa_; }
  const std::vector<TailQAPerson>& people() const { return people_; }
  // The word vocabulary (index = word id; id 0 is "<eod>"). In word mode these are the tokens.
  const std::vector<std::string>& words() const { return words_; }
  // Renders word ids as text: words joined by spaces, no space before . , ? 's, <eod> as '\n'.
  std::string render_words(const std::vector<int32_t>& ids) const;
  // "First Last" of an individual, and the answer text of one of its attributes.
  std::string name(int person) const;
  std::string answer_text(int person, int attr) const;

 private:
  int m_, qa_;
  bool byte_;
  uint64_t seed_;
  std::vector<std::string> words_;
  std::vector<TailQAPerson> people_;
  std::vector<uint16_t> train_, val_;    // word mode
  std::string train_bytes_, val_bytes_;  // byte mode
  std::vector<QAItem> questions_;
  int64_t train_appearances_ = 0, val_appearances_ = 0;
};

}  // namespace ms
