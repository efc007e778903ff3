// File-backed data sources: TextSource (any file as bytes, vocab 256) and TokenSource
// (pre-tokenized uint16 streams: nanoGPT raw .bin files and modded-nanogpt / llm.c shards with
// a 256 x int32 header: magic 20240520, version 1, token count). Both read their files into
// memory (fine for files up to a few hundred MB) and split off the tail val_fraction as
// validation unless TokenSource is given separate val files. Every error names the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/DataSource.h"

namespace ms {

class TextSource : public DataSource {
 public:
  TextSource(const std::string& path, double val_fraction);  // throws DataError
  std::string kind() const override { return "text"; }
  std::string description() const override;
  int vocab_size() const override { return 256; }
  int64_t size(Split s) const override;
  void copy(Split s, int64_t start, int64_t n, int64_t* out) const override;
  std::string decode(const std::vector<int32_t>& tokens) const override;  // the bytes

 private:
  std::string path_;
  std::string bytes_;
  int64_t n_train_ = 0;  // train = bytes_[0, n_train_), val = the rest
};

// One token file as read: its path, format and token count.
struct TokenFileInfo {
  std::string path;
  bool shard = false;  // modded-nanogpt header shard (else raw uint16)
  int64_t tokens = 0;
};

class TokenSource : public DataSource {
 public:
  // path: a file, a directory (all *.bin in it, sorted) or a glob; val_path likewise, or empty
  // for the tail val_fraction of the train files. Throws DataError.
  TokenSource(const std::string& path, const std::string& val_path, double val_fraction);
  std::string kind() const override { return "tokens"; }
  std::string description() const override;
  int vocab_size() const override { return vocab_; }
  int64_t size(Split s) const override;
  void copy(Split s, int64_t start, int64_t n, int64_t* out) const override;
  std::string decode(const std::vector<int32_t>& tokens) const override;  // ids, space-separated

  const std::vector<TokenFileInfo>& files() const { return files_; }  // train then val files
  // Expands a path spec (file, directory of *.bin, or glob) into sorted file paths.
  static std::vector<std::string> resolve(const std::string& spec, const std::string& key);
  // Appends the tokens of one file (raw or shard, detected from the header) to `out`.
  // max_tokens >= 0 reads only the first max_tokens (info.tokens is still the file's count).
  static TokenFileInfo read_file(const std::string& path, std::vector<uint16_t>& out,
                                 int64_t max_tokens = -1);
  // max token + 1 rounded up to a multiple of 64 (50304 for GPT-2-sized ids).
  static int vocab_for_max_token(int max_token);

 private:
  std::string path_, val_path_;
  std::vector<uint16_t> train_, val_;
  std::vector<TokenFileInfo> files_;
  int vocab_ = 0;
};

}  // namespace ms
