// DataSource: where training tokens come from. Torch-free: a source exposes two token
// streams (train, val) and copies windows out of them; the Trainer turns windows into tensors.
// Sources: tailqa (generated, the embedded default), text (a file as bytes), tokens
// (nanoGPT uint16 .bin / modded-nanogpt shards). Errors throw DataError naming file and problem.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms {

struct DataConfig;

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Split { Train, Val };

// One held question of the tail-QA task: the prompt and its answer's first token.
struct QAItem {
  int group = 0;                // frequency group g (0 = head, most frequent)
  std::vector<int32_t> prompt;  // tokens up to and including the answer's first position - 1
  int32_t answer_first = 0;     // the first answer token
  int person = 0;               // index of the individual (TailQASource::people())
  int attribute = 0;            // which attribute is asked (TailQAAttr, TailQA.h)
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual std::string kind() const = 0;         // "tailqa" | "text" | "tokens"
  virtual std::string description() const = 0;  // one line for logs / GUI
  virtual int vocab_size() const = 0;
  virtual int64_t size(Split s) const = 0;  // tokens in that split
  // Copies tokens [start, start + n) of the split into out (int64 for torch). Precondition:
  // start + n <= size(s).
  virtual void copy(Split s, int64_t start, int64_t n, int64_t* out) const = 0;
  // Decodes tokens to text for display (bytes as UTF-8, words joined by spaces).
  virtual std::string decode(const std::vector<int32_t>& tokens) const = 0;
  // Tail-QA only: held questions and the number of frequency groups (0 otherwise).
  virtual const std::vector<QAItem>& questions() const;
  virtual int groups() const { return 0; }
};

// Builds the configured source. `seed` is the resolved data seed. Throws DataError.
std::unique_ptr<DataSource> make_data_source(const DataConfig& cfg, uint64_t seed);

// The shorter of the two splits, in tokens. A training window needs seq_len + 1 tokens, so a
// config is usable with this source only if model.seq_len + 1 <= min_split_tokens(source).
int64_t min_split_tokens(const DataSource& source);

}  // namespace ms
