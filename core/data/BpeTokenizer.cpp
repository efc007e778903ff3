// BpeTokenizer: loading tokenizer.json / vocab.json + merges.txt into byte-level tables and
// encoding with them. Pipeline per text, as in Hugging Face tokenizers (tokenizer/mod.rs,
// added_vocabulary.rs, pre_tokenizers/byte_level.rs, models/bpe/word.rs):
//   1. split off added tokens (leftmost-longest match),
//   2. pre-tokenize each remaining segment: the Split stages (regex, Isolated), then ByteLevel
//      (optional prefix space, optional GPT-2 regex),
//   3. each pre-token: ignore_merges lookup, else BPE over its bytes, lowest merge rank first
//      (ties: leftmost), which gives the same result as GPT-2's encoder.py `bpe` loop.
// Work is on raw bytes: the GPT-2 byte<->unicode mapping (encoder.py bytes_to_unicode) is undone
// once at load time, so a vocabulary entry is keyed by the bytes it stands for.
#include "data/BpeTokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "data/DataSource.h"

namespace ms {

namespace {

using nlohmann::json;

// The GPT-2 pre-tokenizer pattern (encoder.py; HF pre_tokenizers/byte_level.rs).
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr int32_t kMaxId = 1 << 24;  // far above any real vocabulary; guards the id tables

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw DataError(origin + ": " + what);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(path, "read error");
  return ss.str();
}

json parse_json(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(path, std::string("malformed JSON: ") + e.what());
  }
}

// Offset of the first byte that does not start a well-formed UTF-8 sequence (no overlongs,
// surrogates or code points above U+10FFFF), or npos.
size_t invalid_utf8_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

// Decodes the code point at s[i] (valid UTF-8 assumed) and advances i.
uint32_t next_cp(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

// Unicode White_Space (Rust char::is_whitespace, used by HF for lstrip/rstrip).
bool is_space_cp(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// GPT-2's bytes_to_unicode (encoder.py): printable Latin-1 bytes stand for themselves, the other
// 68 bytes for U+0100.. in byte order. cp_to_byte undoes it (-1: not a byte symbol).
struct ByteMap {
  std::array<uint32_t, 256> byte_to_cp{};
  std::array<int, 324> cp_to_byte{};
  ByteMap() {
    cp_to_byte.fill(-1);
    uint32_t n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      byte_to_cp[b] = printable ? static_cast<uint32_t>(b) : 256 + n++;
      cp_to_byte[byte_to_cp[b]] = b;
    }
  }
};
const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

// The bytes a byte-level token string stands for; false if a character is not a byte symbol.
bool unmap_bytes(const std::string& token, std::string& bytes) {
  bytes.clear();
  const auto& m = byte_map();
  size_t i = 0;
  while (i < token.size()) {
    const uint32_t cp = next_cp(token, i);
    if (cp >= m.cp_to_byte.size() || m.cp_to_byte[cp] < 0) return false;
    bytes += static_cast<char>(m.cp_to_byte[cp]);
  }
  return true;
}

// A compiled PCRE2 pattern (UTF + Unicode properties, JIT when available). The code is shared
// read-only between threads; match data is per call.
class Regex {
 public:
  Regex(const std::string& pattern, bool literal, const std::string& origin) {
    int err = 0;
    PCRE2_SIZE off = 0;
    const uint32_t opts = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err,
                          &off, nullptr);
    if (!code_) {
      std::array<PCRE2_UCHAR, 256> msg{};
      pcre2_get_error_message(err, msg.data(), msg.size());
      fail(origin, "pre-tokenizer pattern does not compile (PCRE2: " +
                       std::string(reinterpret_cast<char*>(msg.data())) + " at offset " +
                       std::to_string(off) + "): " + pattern);
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if it fails
  }
  ~Regex() { pcre2_code_free(code_); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  const pcre2_code* code() const { return code_; }

 private:
  pcre2_code* code_ = nullptr;
};

// Per-encode() PCRE2 state: match data and a JIT stack big enough for long runs.
struct MatchState {
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* ctx = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, nullptr);
  MatchState() {
    if (!md || !ctx) throw std::bad_alloc();
    if (stack) pcre2_jit_stack_assign(ctx, nullptr, stack);
  }
  ~MatchState() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(ctx);
    pcre2_match_data_free(md);
  }
  MatchState(const MatchState&) = delete;
  MatchState& operator=(const MatchState&) = delete;
};

struct Stage {
  bool byte_level = false;        // else a Split stage
  bool add_prefix_space = false;  // ByteLevel
  std::shared_ptr<Regex> re;      // Split pattern, or ByteLevel's GPT-2 pattern (null: no regex)
};

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool lstrip = false, rstrip = false;
};

struct Merge {
  int32_t rank = 0;
  int32_t new_id = 0;
};

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

// A string or value as JSON text (quoted, escaped) for messages.
std::string jq(const json& v) {
  return v.dump();
}

}  // namespace

struct BpeTokenizer::Impl {
  std::string origin;  // the file(s) it came from, for messages
  std::string pre_name;
  std::vector<Stage> stages;
  std::vector<std::string> id_bytes;  // what each id decodes to
  std::vector<char> id_known;
  std::unordered_map<std::string, int32_t> bytes_to_id;  // byte-level vocabulary by raw bytes
  std::array<int32_t, 256> byte_id{};                    // single-byte tokens (-1: missing)
  std::unordered_map<uint64_t, Merge> merges;
  std::vector<AddedToken> added;
  std::array<std::vector<int>, 256> added_by_first;  // indices into added, longest first
  bool ignore_merges = false;
  int32_t unk_id = -1;
  size_t n_merges = 0;
  size_t n_vocab = 0;

  // Builds the tables from a token -> id vocabulary and "a", "b" merge pairs (byte-level
  // strings). `merge_where(i)` names merge i in messages (a line of merges.txt or an index).
  void build(const json& vocab, const std::vector<std::pair<std::string, std::string>>& merge_list,
             const std::string& merge_origin,
             const std::function<std::string(size_t)>& merge_where) {
    if (!vocab.is_object())
      fail(origin, "vocab is not a JSON object (found " + std::string(vocab.type_name()) + ")");
    std::unordered_map<std::string, int32_t> by_string;
    by_string.reserve(vocab.size());
    byte_id.fill(-1);
    std::string bytes;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
      if (!it.value().is_number_integer())
        fail(origin, "vocab entry " + jq(it.key()) + " has the non-integer id " + jq(it.value()));
      const int64_t id = it.value().get<int64_t>();
      if (id < 0 || id >= kMaxId)
        fail(origin, "vocab entry " + jq(it.key()) + " has the id " + std::to_string(id) +
                         " (out of range)");
      set_id(static_cast<int32_t>(id), "vocab entry " + jq(it.key()));
      by_string.emplace(it.key(), static_cast<int32_t>(id));
      if (unmap_bytes(it.key(), bytes)) {
        id_bytes[id] = bytes;
        bytes_to_id[bytes] = static_cast<int32_t>(id);
        if (bytes.size() == 1)
          byte_id[static_cast<unsigned char>(bytes[0])] = static_cast<int32_t>(id);
      } else {
        id_bytes[id] = it.key();  // not a byte-level string: decodes as its own text
      }
    }
    n_vocab = vocab.size();
    merges.reserve(merge_list.size());
    for (size_t i = 0; i < merge_list.size(); ++i) {
      const auto& [a, b] = merge_list[i];
      auto ia = by_string.find(a), ib = by_string.find(b), iab = by_string.find(a + b);
      if (ia == by_string.end())
        fail(merge_origin, merge_where(i) + ": token " + jq(a) + " is not in the vocabulary");
      if (ib == by_string.end())
        fail(merge_origin, merge_where(i) + ": token " + jq(b) + " is not in the vocabulary");
      if (iab == by_string.end())
        fail(merge_origin,
             merge_where(i) + ": merged token " + jq(a + b) + " is not in the vocabulary");
      // A repeated pair keeps its last rank, as HF (HashMap collect) and encoder.py (dict) do.
      merges[pair_key(ia->second, ib->second)] = Merge{static_cast<int32_t>(i), iab->second};
    }
    n_merges = merge_list.size();
  }

  void set_id(int32_t id, const std::string& what) {
    if (static_cast<size_t>(id) >= id_bytes.size()) {
      id_bytes.resize(id + 1);
      id_known.resize(id + 1, 0);
    }
    if (id_known[id]) fail(origin, what + ": id " + std::to_string(id) + " is used twice");
    id_known[id] = 1;
  }

  void add_token(const json& t, size_t index) {
    const std::string where = "added_tokens[" + std::to_string(index) + "]";
    if (!t.is_object() || !t.contains("id") || !t.contains("content") ||
        !t["id"].is_number_integer() || !t["content"].is_string())
      fail(origin,
           where + " needs an integer \"id\" and a string \"content\" (found " + t.dump() + ")");
    AddedToken a;
    a.content = t["content"].get<std::string>();
    const int64_t id = t["id"].get<int64_t>();
    if (id < 0 || id >= kMaxId) fail(origin, where + " has the id " + std::to_string(id));
    a.id = static_cast<int32_t>(id);
    if (t.value("single_word", false))
      fail(origin, where + " " + jq(a.content) + " has single_word: true (not supported)");
    a.lstrip = t.value("lstrip", false);
    a.rstrip = t.value("rstrip", false);
    if (invalid_utf8_at(a.content) != std::string_view::npos)
      fail(origin, where + " is not valid UTF-8");
    if (a.content.empty()) return;
    if (static_cast<size_t>(a.id) >= id_bytes.size()) {
      id_bytes.resize(a.id + 1);
      id_known.resize(a.id + 1, 0);
    }
    id_known[a.id] = 1;  // usually also in vocab under the same id
    id_bytes[a.id] = a.content;
    added.push_back(a);
  }

  void index_added() {
    for (auto& v : added_by_first) v.clear();
    for (size_t i = 0; i < added.size(); ++i)
      added_by_first[static_cast<unsigned char>(added[i].content[0])].push_back(
          static_cast<int>(i));
    for (auto& v : added_by_first)
      std::stable_sort(v.begin(), v.end(), [&](int x, int y) {
        return added[x].content.size() > added[y].content.size();
      });
  }

  // ---- encoding ----

  struct Scratch {
    MatchState ms;
    std::unordered_map<std::string, std::vector<int32_t>> cache;
    struct Sym {
      int32_t id, prev, next;
      bool alive;
    };
    struct Cand {
      int32_t rank, pos;
      bool operator<(const Cand& o) const {  // heap top = lowest rank, then leftmost
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::vector<Sym> syms;
    std::vector<Cand> heap;
  };

  void encode_piece(std::string_view piece, Scratch& s, std::vector<int32_t>& out) const {
    if (piece.empty()) return;
    std::string key(piece);
    auto hit = s.cache.find(key);
    if (hit != s.cache.end()) {
      out.insert(out.end(), hit->second.begin(), hit->second.end());
      return;
    }
    std::vector<int32_t> ids;
    if (ignore_merges) {
      auto it = bytes_to_id.find(key);
      if (it != bytes_to_id.end()) ids.push_back(it->second);
    }
    if (ids.empty()) bpe(piece, s, ids);
    out.insert(out.end(), ids.begin(), ids.end());
    // Bounded: short pre-tokens (words) repeat, long ones (runs) rarely do.
    if (piece.size() <= 64 && s.cache.size() < 500000)
      s.cache.emplace(std::move(key), std::move(ids));
  }

  // BPE over the bytes of one pre-token (HF models/bpe/word.rs merge_all): a heap of candidate
  // pairs by (rank, position); a popped candidate is applied if its pair is still adjacent.
  void bpe(std::string_view piece, Scratch& s, std::vector<int32_t>& ids) const {
    auto& syms = s.syms;
    syms.clear();
    for (size_t i = 0; i < piece.size(); ++i) {
      const auto b = static_cast<unsigned char>(piece[i]);
      int32_t id = byte_id[b];
      if (id < 0) {
        if (unk_id < 0) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02X", b);
          throw DataError(origin + ": byte " + hex +
                          " of the text has no token (no single-byte vocabulary entry, no unk)");
        }
        id = unk_id;
      }
      const auto n = static_cast<int32_t>(syms.size());
      syms.push_back({id, n - 1, n + 1, true});
    }
    syms.back().next = -1;
    auto& heap = s.heap;  // a min-heap by (rank, position), storage reused across pre-tokens
    heap.clear();
    auto push_pair = [&](int32_t pos) {
      const int32_t nx = syms[pos].next;
      if (nx < 0) return;
      auto m = merges.find(pair_key(syms[pos].id, syms[nx].id));
      if (m == merges.end()) return;
      heap.push_back({m->second.rank, pos});
      std::push_heap(heap.begin(), heap.end());
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) push_pair(i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end());
      const auto top = heap.back();
      heap.pop_back();
      auto& left = syms[top.pos];
      if (!left.alive || left.next < 0) continue;
      auto m = merges.find(pair_key(left.id, syms[left.next].id));
      if (m == merges.end() || m->second.rank != top.rank) continue;  // stale candidate
      auto& right = syms[left.next];
      right.alive = false;
      left.id = m->second.new_id;
      left.next = right.next;
      if (left.next >= 0) syms[left.next].prev = top.pos;
      if (left.prev >= 0) push_pair(left.prev);
      push_pair(top.pos);
    }
    for (int32_t i = 0; i >= 0; i = syms[i].next) ids.push_back(syms[i].id);
  }

  // Calls emit on the Isolated split of `text` by `re`: matches and the gaps between them.
  void split(const Regex& re, std::string_view text, Scratch& s,
             const std::function<void(std::string_view)>& emit) const {
    size_t start = 0, last = 0;
    while (start < text.size()) {
      const int rc = pcre2_match(re.code(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                                 start, PCRE2_NO_UTF_CHECK, s.ms.md, s.ms.ctx);
      if (rc == PCRE2_ERROR_NOMATCH) break;
      if (rc < 0) {
        std::array<PCRE2_UCHAR, 256> msg{};
        pcre2_get_error_message(rc, msg.data(), msg.size());
        throw DataError(origin + ": pre-tokenizer regex failed (PCRE2: " +
                        std::string(reinterpret_cast<char*>(msg.data())) + ")");
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(s.ms.md);
      const size_t ms = ov[0], me = ov[1];
      if (me == ms) {  // empty match: step over one character
        size_t i = ms;
        next_cp(text, i);
        start = i;
        continue;
      }
      if (ms > last) emit(text.substr(last, ms - last));
      emit(text.substr(ms, me - ms));
      last = start = me;
    }
    if (last < text.size()) emit(text.substr(last));
  }

  void pre_tokenize(size_t stage, std::string_view text, Scratch& s,
                    std::vector<int32_t>& out) const {
    if (text.empty()) return;
    if (stage == stages.size()) {
      encode_piece(text, s, out);
      return;
    }
    const Stage& st = stages[stage];
    auto next = [&](std::string_view sub) { pre_tokenize(stage + 1, sub, s, out); };
    std::string prefixed;
    if (st.byte_level && st.add_prefix_space && text[0] != ' ') {
      prefixed.reserve(text.size() + 1);
      prefixed += ' ';
      prefixed += text;
      text = prefixed;
    }
    if (st.re)
      split(*st.re, text, s, next);
    else
      next(text);
  }

  std::vector<int32_t> encode(const std::string& text) const {
    const size_t bad = invalid_utf8_at(text);
    if (bad != std::string_view::npos)
      throw DataError("BpeTokenizer::encode: the text is not valid UTF-8 (byte offset " +
                      std::to_string(bad) + ")");
    Scratch s;
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 16);
    const std::string_view all(text);
    size_t seg = 0;  // start of the segment not yet encoded
    size_t i = 0;
    while (i < all.size() && !added.empty()) {
      const auto& cands = added_by_first[static_cast<unsigned char>(all[i])];
      const AddedToken* hit = nullptr;
      for (int k : cands) {
        const auto& c = added[k].content;
        if (all.compare(i, c.size(), c) == 0) {
          hit = &added[k];
          break;
        }
      }
      if (!hit) {
        ++i;
        continue;
      }
      size_t ms = i, me = i + hit->content.size();
      if (hit->lstrip) {
        while (ms > seg) {
          size_t p = ms - 1;
          while (p > seg && (static_cast<unsigned char>(all[p]) & 0xC0) == 0x80) --p;
          size_t q = p;
          if (!is_space_cp(next_cp(all, q))) break;
          ms = p;
        }
      }
      if (hit->rstrip) {
        while (me < all.size()) {
          size_t q = me;
          if (!is_space_cp(next_cp(all, q))) break;
          me = q;
        }
      }
      pre_tokenize(0, all.substr(seg, ms - seg), s, out);
      out.push_back(hit->id);
      seg = i = me;
    }
    pre_tokenize(0, all.substr(seg), s, out);
    return out;
  }
};

// ---- loading ----

namespace {

void check_normalizer(const json& n, const std::string& origin) {
  if (n.is_null()) return;
  const std::string type = n.value("type", "");
  if (type == "NFC") return;  // input taken as already NFC (see BpeTokenizer.h)
  if (type == "Sequence" && n.contains("normalizers") && n["normalizers"].is_array()) {
    for (const auto& sub : n["normalizers"]) check_normalizer(sub, origin);
    return;
  }
  fail(origin, "normalizer " + n.dump() + " is not supported (only null or NFC)");
}

void check_decoder(const json& d, const std::string& origin) {
  if (d.is_null() || d.value("type", "") == "ByteLevel") return;
  fail(origin, "decoder type " + jq(d.value("type", "")) +
                   " is not supported (only ByteLevel; Metaspace/ByteFallback are SentencePiece "
                   "style, e.g. Llama 2)");
}

std::shared_ptr<Regex> gpt2_regex(const std::string& origin) {
  return std::make_shared<Regex>(kGpt2Pattern, false, origin);
}

void parse_pre_tokenizer(const json& p, BpeTokenizer::Impl& t) {
  const std::string& origin = t.origin;
  if (p.is_null())
    fail(origin, "pre_tokenizer is null; a byte-level BPE needs a ByteLevel pre-tokenizer");
  const std::string type = p.value("type", "");
  auto byte_level = [&](const json& b) {
    Stage st;
    st.byte_level = true;
    st.add_prefix_space = b.value("add_prefix_space", true);  // HF ByteLevel::default()
    if (b.value("use_regex", true)) st.re = gpt2_regex(origin);
    return st;
  };
  if (type == "ByteLevel") {
    t.stages.push_back(byte_level(p));
    t.pre_name = std::string("ByteLevel(") + (t.stages[0].re ? "GPT-2 regex" : "no regex") +
                 (t.stages[0].add_prefix_space ? ", prefix space" : "") + ")";
    return;
  }
  if (type == "Sequence") {
    if (!p.contains("pretokenizers") || !p["pretokenizers"].is_array())
      fail(origin, "pre_tokenizer Sequence without a \"pretokenizers\" list");
    const auto& list = p["pretokenizers"];
    t.pre_name = "Sequence[";
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& sub = list[i];
      const std::string where = "pre_tokenizer.pretokenizers[" + std::to_string(i) + "]";
      const std::string st = sub.value("type", "");
      if (!t.stages.empty() && t.stages.back().byte_level)
        fail(origin,
             where + ": ByteLevel must be the last pre-tokenizer (found " + jq(st) + " after it)");
      if (st == "ByteLevel") {
        t.stages.push_back(byte_level(sub));
        t.pre_name += "ByteLevel]";
      } else if (st == "Split") {
        const std::string behavior = sub.value("behavior", "");
        if (behavior != "Isolated")
          fail(origin,
               where + ": Split behavior " + jq(behavior) + " is not supported (only Isolated)");
        if (sub.value("invert", false))
          fail(origin, where + ": Split with invert: true is not supported");
        const json pat = sub.value("pattern", json());
        Stage s;
        if (pat.is_object() && pat.contains("Regex") && pat["Regex"].is_string())
          s.re = std::make_shared<Regex>(pat["Regex"].get<std::string>(), false, origin);
        else if (pat.is_object() && pat.contains("String") && pat["String"].is_string())
          s.re = std::make_shared<Regex>(pat["String"].get<std::string>(), true, origin);
        else
          fail(origin, where + ": Split pattern " + pat.dump() +
                           " is neither {\"Regex\": ...} nor {\"String\": ...}");
        t.stages.push_back(s);
        t.pre_name += "Split, ";
      } else {
        fail(origin, where + ": pre-tokenizer type " + jq(st) +
                         " is not supported (only Split and ByteLevel)");
      }
    }
    if (t.stages.empty() || !t.stages.back().byte_level)
      fail(origin, "pre_tokenizer Sequence does not end in ByteLevel (not a byte-level BPE)");
    return;
  }
  if (type == "Metaspace")
    fail(origin,
         "pre_tokenizer type \"Metaspace\" (SentencePiece style, e.g. Llama 2) is not "
         "supported; only byte-level BPE");
  fail(origin, "pre_tokenizer type " + jq(type) +
                   " is not supported (only ByteLevel, or a Sequence of Split + ByteLevel)");
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpeTokenizer::BpeTokenizer(BpeTokenizer&&) noexcept = default;
BpeTokenizer& BpeTokenizer::operator=(BpeTokenizer&&) noexcept = default;
BpeTokenizer::~BpeTokenizer() = default;

BpeTokenizer BpeTokenizer::from_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path d(dir);
  std::error_code ec;
  if (fs::exists(d / "tokenizer.json", ec))
    return from_tokenizer_json((d / "tokenizer.json").string());
  if (fs::exists(d / "vocab.json", ec) && fs::exists(d / "merges.txt", ec))
    return from_vocab_merges((d / "vocab.json").string(), (d / "merges.txt").string());
  fail(dir, "no tokenizer.json, nor vocab.json + merges.txt, in this folder");
}

BpeTokenizer BpeTokenizer::from_tokenizer_json(const std::string& path) {
  auto t = std::make_unique<Impl>();
  t->origin = path;
  const json root = parse_json(path);
  try {
    if (!root.is_object()) fail(path, "the top level is not a JSON object");
    if (!root.contains("model") || !root["model"].is_object())
      fail(path, "no \"model\" object (not a Hugging Face tokenizer.json)");
    const json& model = root["model"];
    const std::string type = model.value("type", "BPE");
    if (type != "BPE")
      fail(path, "model.type is " + jq(type) + "; only byte-level BPE is supported");
    if (model.value("byte_fallback", false))
      fail(path,
           "model.byte_fallback is true (SentencePiece-style BPE, e.g. Llama 2); only "
           "byte-level BPE is supported");
    if (model.contains("dropout") && !model["dropout"].is_null() &&
        model["dropout"].get<double>() != 0.0)
      fail(path, "model.dropout is " + model["dropout"].dump() + " (not supported)");
    for (const char* k : {"continuing_subword_prefix", "end_of_word_suffix"})
      if (model.contains(k) && !model[k].is_null() && !model[k].get<std::string>().empty())
        fail(path, std::string("model.") + k + " is " + model[k].dump() + " (not supported)");
    check_normalizer(root.value("normalizer", json()), path);
    check_decoder(root.value("decoder", json()), path);
    parse_pre_tokenizer(root.value("pre_tokenizer", json()), *t);
    t->ignore_merges = model.value("ignore_merges", false);

    if (!model.contains("vocab")) fail(path, "model.vocab is missing");
    if (!model.contains("merges") || !model["merges"].is_array())
      fail(path, "model.merges is missing or not a list");
    std::vector<std::pair<std::string, std::string>> merges;
    const json& ml = model["merges"];
    merges.reserve(ml.size());
    for (size_t i = 0; i < ml.size(); ++i) {
      const json& m = ml[i];
      if (m.is_string()) {  // "a b"
        const std::string s = m.get<std::string>();
        const size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          fail(path, "model.merges[" + std::to_string(i) + "] " + m.dump() +
                         " is not two tokens separated by one space");
        merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());  // [a, b]
      } else {
        fail(path, "model.merges[" + std::to_string(i) + "] " + m.dump() +
                       " is neither \"a b\" nor [\"a\", \"b\"]");
      }
    }
    t->build(model["vocab"], merges, path,
             [](size_t i) { return "model.merges[" + std::to_string(i) + "]"; });
    if (model.contains("unk_token") && model["unk_token"].is_string()) {
      const std::string unk = model["unk_token"].get<std::string>();
      const json& v = model["vocab"];
      if (!v.contains(unk)) fail(path, "model.unk_token " + jq(unk) + " is not in the vocab");
      t->unk_id = v[unk].get<int32_t>();
    }
    if (root.contains("added_tokens") && !root["added_tokens"].is_null()) {
      if (!root["added_tokens"].is_array()) fail(path, "added_tokens is not a list");
      size_t i = 0;
      for (const auto& a : root["added_tokens"]) t->add_token(a, i++);
    }
    t->index_added();
  } catch (const json::exception& e) {
    fail(path, std::string("unexpected JSON content: ") + e.what());
  }
  return BpeTokenizer(std::move(t));
}

BpeTokenizer BpeTokenizer::from_vocab_merges(const std::string& vocab_path,
                                             const std::string& merges_path) {
  auto t = std::make_unique<Impl>();
  t->origin = vocab_path;
  const json vocab = parse_json(vocab_path);
  const std::string text = read_file(merges_path);
  const size_t bad = invalid_utf8_at(text);
  if (bad != std::string_view::npos)
    fail(merges_path, "not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<size_t> lines;  // line number of each merge
  size_t pos = 0, line = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string l = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty() || (line == 1 && l.rfind("#version", 0) == 0)) continue;
    const size_t sp = l.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == l.size() ||
        l.find(' ', sp + 1) != std::string::npos)
      fail(merges_path,
           "line " + std::to_string(line) + " is not two tokens separated by one space: " + jq(l));
    merges.emplace_back(l.substr(0, sp), l.substr(sp + 1));
    lines.push_back(line);
  }
  try {
    t->build(vocab, merges, merges_path,
             [&](size_t i) { return "line " + std::to_string(lines[i]); });
  } catch (const json::exception& e) {
    fail(vocab_path, std::string("unexpected JSON content: ") + e.what());
  }
  t->origin = vocab_path + " + " + merges_path;
  t->stages.push_back(Stage{true, false, gpt2_regex(t->origin)});
  t->pre_name = "ByteLevel(GPT-2 regex)";
  t->index_added();
  return BpeTokenizer(std::move(t));
}

std::vector<int32_t> BpeTokenizer::encode(const std::string& utf8) const {
  return impl_->encode(utf8);
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= impl_->id_known.size() || !impl_->id_known[id])
      throw DataError(impl_->origin + ": decode: id " + std::to_string(id) +
                      " is not in the vocabulary");
    out += impl_->id_bytes[id];
  }
  return out;
}

int BpeTokenizer::vocab_size() const {
  return static_cast<int>(impl_->id_known.size());
}

std::string BpeTokenizer::description() const {
  const auto& t = *impl_;
  return "byte-level BPE from " + t.origin + ": " + std::to_string(t.n_vocab) + " tokens, " +
         std::to_string(t.n_merges) + " merges, " + std::to_string(t.added.size()) +
         " added tokens, pre-tokenizer " + t.pre_name + (t.ignore_merges ? ", ignore_merges" : "");
}

}  // namespace ms
