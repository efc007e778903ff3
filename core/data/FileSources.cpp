// TextSource and TokenSource (see FileSources.h). Shard layout (modded-nanogpt / llm.c
// `write_datafile`): 256 little-endian int32 (magic 20240520, version 1, token count, zeros),
// then `count` little-endian uint16 tokens. A raw nanoGPT .bin is uint16 tokens only. A file
// that starts with a shard-like header (small version, positive count, the 253 words after the
// count all zero) but a wrong magic is reported as a bad shard rather than read as raw tokens.
#include "data/FileSources.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ms {

namespace fs = std::filesystem;

namespace {

constexpr int32_t kShardMagic = 20240520;
constexpr int32_t kShardVersion = 1;
constexpr int32_t kLlmcLlamaMagic = 20240801;  // llm.c uint32 shards (Llama 3), not supported
constexpr int64_t kHeaderInts = 256, kHeaderBytes = kHeaderInts * 4;

std::string frac_str(double f) {
  std::ostringstream s;
  s << f;
  return s.str();
}

void check_fraction(double f, const std::string& what) {
  if (!(f > 0 && f < 1))
    throw DataError(what + ": data.val_fraction = " + frac_str(f) + " must be in (0, 1)");
}

// Size of an existing regular file; DataError if missing, not a file or empty.
int64_t checked_size(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw DataError(path + ": no such file");
  if (fs::is_directory(st)) throw DataError(path + ": is a directory, expected a file");
  const auto n = fs::file_size(path, ec);
  if (ec) throw DataError(path + ": cannot read size (" + ec.message() + ")");
  if (n == 0) throw DataError(path + ": empty file");
  return static_cast<int64_t>(n);
}

void read_bytes(std::ifstream& in, const std::string& path, char* dst, int64_t n) {
  in.read(dst, n);
  if (in.gcount() != n)
    throw DataError(path + ": read failed after " + std::to_string(in.gcount()) + " of " +
                    std::to_string(n) + " bytes");
}

int32_t le_i32(const unsigned char* p) {
  return static_cast<int32_t>(uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) |
                              (uint32_t{p[3]} << 24));
}

// Host to little-endian uint16 fix-up after a raw read (a no-op on little-endian hosts).
void from_le16(uint16_t* p, int64_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<uint16_t>((p[i] >> 8) | (p[i] << 8));
#else
  (void)p;
  (void)n;
#endif
}

void check_window(const char* kind, Split s, int64_t start, int64_t n, int64_t size) {
  if (start < 0 || n < 0 || start + n > size)
    throw DataError(std::string(kind) + ": window [" + std::to_string(start) + ", " +
                    std::to_string(start + n) + ") outside the " +
                    (s == Split::Train ? "train" : "val") + " split of " + std::to_string(size) +
                    " tokens");
}

}  // namespace

// ---------------------------------------------------------------------------------- TextSource

TextSource::TextSource(const std::string& path, double val_fraction) : path_(path) {
  if (path.empty()) throw DataError("data.path is empty: the text source needs a file");
  check_fraction(val_fraction, path);
  const int64_t n = checked_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
  bytes_.resize(static_cast<size_t>(n));
  read_bytes(in, path, bytes_.data(), n);
  const int64_t n_val = static_cast<int64_t>(static_cast<double>(n) * val_fraction);
  n_train_ = n - n_val;
  if (n_val < 2 || n_train_ < 2)
    throw DataError(path + ": val split too short: " + std::to_string(n) +
                    " bytes with val_fraction " + frac_str(val_fraction) + " leave " +
                    std::to_string(n_train_) + " train / " + std::to_string(n_val) +
                    " val tokens (each split needs at least 2)");
}

std::string TextSource::description() const {
  return "text " + path_ + " (bytes, vocab 256): train " + std::to_string(size(Split::Train)) +
         " / val " + std::to_string(size(Split::Val)) + " tokens";
}

int64_t TextSource::size(Split s) const {
  return s == Split::Train ? n_train_ : static_cast<int64_t>(bytes_.size()) - n_train_;
}

void TextSource::copy(Split s, int64_t start, int64_t n, int64_t* out) const {
  check_window("text", s, start, n, size(s));
  const char* p = bytes_.data() + (s == Split::Train ? 0 : n_train_) + start;
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(p[i]);
}

std::string TextSource::decode(const std::vector<int32_t>& tokens) const {
  std::string out;
  out.reserve(tokens.size());
  for (int32_t t : tokens) out += (t >= 0 && t < 256) ? static_cast<char>(t) : '?';
  return out;
}

// --------------------------------------------------------------------------------- TokenSource

std::vector<std::string> TokenSource::resolve(const std::string& spec, const std::string& key) {
  if (spec.empty()) throw DataError(key + " is empty: the tokens source needs a file");
  std::vector<std::string> files;
  if (spec.find_first_of("*?[") != std::string::npos) {
    glob_t g{};
    const int rc = ::glob(spec.c_str(), 0, nullptr, &g);
    if (rc == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i)
        if (fs::is_regular_file(g.gl_pathv[i])) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
    if (files.empty()) throw DataError(spec + ": no files match (" + key + ")");
  } else if (fs::is_directory(spec)) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(spec, ec))
      if (e.is_regular_file() && e.path().extension() == ".bin") files.push_back(e.path().string());
    if (ec) throw DataError(spec + ": cannot list directory (" + ec.message() + ")");
    if (files.empty()) throw DataError(spec + ": directory holds no *.bin files (" + key + ")");
  } else {
    if (!fs::exists(spec)) throw DataError(spec + ": no such file (" + key + ")");
    files.push_back(spec);
  }
  std::sort(files.begin(), files.end());
  return files;
}

TokenFileInfo TokenSource::read_file(const std::string& path, std::vector<uint16_t>& out,
                                     int64_t max_tokens) {
  TokenFileInfo info;
  info.path = path;
  const int64_t size = checked_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");

  int64_t count = 0;
  bool shard = false;
  if (size >= kHeaderBytes) {
    unsigned char hb[kHeaderBytes];
    read_bytes(in, path, reinterpret_cast<char*>(hb), kHeaderBytes);
    int32_t h[kHeaderInts];
    for (int i = 0; i < kHeaderInts; ++i) h[i] = le_i32(hb + 4 * i);
    bool tail_zero = true;
    for (int i = 3; i < kHeaderInts; ++i) tail_zero = tail_zero && h[i] == 0;
    if (h[0] == kLlmcLlamaMagic)
      throw DataError(path +
                      ": llm.c shard with magic 20240801 (uint32 tokens) is not supported; "
                      "expected magic 20240520 (uint16 GPT-2 tokens)");
    // A header-shaped start (small version, positive count, zeros after) with a wrong magic.
    const bool header_like = tail_zero && h[1] > 0 && h[1] < 256 && h[2] > 0;
    if (h[0] != kShardMagic && header_like)
      throw DataError(path + ": shard header with bad magic " + std::to_string(h[0]) +
                      " (expected 20240520)");
    if (h[0] == kShardMagic) {
      shard = true;
      if (h[1] != kShardVersion)
        throw DataError(path + ": shard has unsupported version " + std::to_string(h[1]) +
                        " (expected 1)");
      count = h[2];
      if (count <= 0)
        throw DataError(path + ": shard header token count " + std::to_string(count) +
                        " (expected > 0)");
      const int64_t want = kHeaderBytes + 2 * count;
      if (size < want)
        throw DataError(path + ": truncated shard: header says " + std::to_string(count) +
                        " tokens (" + std::to_string(want) + " bytes) but the file has " +
                        std::to_string(size) + " bytes");
      if (size > want)
        throw DataError(path + ": shard token count mismatch: header says " +
                        std::to_string(count) + " tokens (" + std::to_string(want) +
                        " bytes) but the file has " + std::to_string(size) + " bytes");
    } else {
      in.seekg(0);
    }
  }
  if (!shard) {
    if (size % 2 != 0)
      throw DataError(path + ": odd byte length " + std::to_string(size) +
                      " for a raw uint16 token file");
    count = size / 2;
  }
  info.tokens = count;
  if (max_tokens >= 0) count = std::min(count, max_tokens);
  const size_t at = out.size();
  out.resize(at + static_cast<size_t>(count));
  read_bytes(in, path, reinterpret_cast<char*>(out.data() + at), 2 * count);
  from_le16(out.data() + at, count);
  info.shard = shard;
  return info;
}

int TokenSource::vocab_for_max_token(int max_token) {
  if (max_token > 50000 && max_token < 50304) return 50304;  // GPT-2 padded (nanoGPT, modded)
  return ((max_token + 1 + 63) / 64) * 64;
}

TokenSource::TokenSource(const std::string& path, const std::string& val_path, double val_fraction)
    : path_(path), val_path_(val_path) {
  for (const std::string& f : resolve(path, "data.path")) files_.push_back(read_file(f, train_));
  if (!val_path.empty()) {
    for (const std::string& f : resolve(val_path, "data.val_path"))
      files_.push_back(read_file(f, val_));
    if (val_.size() < 2)
      throw DataError(val_path + ": val split too short: " + std::to_string(val_.size()) +
                      " tokens (needs at least 2)");
    if (train_.size() < 2)
      throw DataError(path + ": train split too short: " + std::to_string(train_.size()) +
                      " tokens (needs at least 2)");
  } else {
    check_fraction(val_fraction, path);
    const int64_t n = static_cast<int64_t>(train_.size());
    const int64_t n_val = static_cast<int64_t>(static_cast<double>(n) * val_fraction);
    if (n_val < 2 || n - n_val < 2)
      throw DataError(path + ": val split too short: " + std::to_string(n) +
                      " tokens with val_fraction " + frac_str(val_fraction) + " leave " +
                      std::to_string(n - n_val) + " train / " + std::to_string(n_val) +
                      " val tokens (each split needs at least 2)");
    val_.assign(train_.end() - n_val, train_.end());
    train_.resize(static_cast<size_t>(n - n_val));
    train_.shrink_to_fit();
  }
  int max_token = 0;
  for (uint16_t t : train_) max_token = std::max<int>(max_token, t);
  for (uint16_t t : val_) max_token = std::max<int>(max_token, t);
  vocab_ = vocab_for_max_token(max_token);
}

std::string TokenSource::description() const {
  int shards = 0;
  for (const auto& f : files_) shards += f.shard ? 1 : 0;
  std::ostringstream s;
  s << "tokens " << path_ << " (" << files_.size() << " file" << (files_.size() == 1 ? "" : "s")
    << ", " << shards << " shard" << (shards == 1 ? "" : "s") << "), val "
    << (val_path_.empty() ? std::string("= tail of train") : val_path_) << ", vocab " << vocab_
    << ": train " << train_.size() << " / val " << val_.size() << " tokens";
  return s.str();
}

int64_t TokenSource::size(Split s) const {
  return static_cast<int64_t>(s == Split::Train ? train_.size() : val_.size());
}

void TokenSource::copy(Split s, int64_t start, int64_t n, int64_t* out) const {
  check_window("tokens", s, start, n, size(s));
  const uint16_t* p = (s == Split::Train ? train_ : val_).data() + start;
  for (int64_t i = 0; i < n; ++i) out[i] = p[i];
}

std::string TokenSource::decode(const std::vector<int32_t>& tokens) const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += std::to_string(tokens[i]);
  }
  return out;
}

}  // namespace ms
