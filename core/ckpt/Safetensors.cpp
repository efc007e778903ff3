// Safetensors reader and writer (format: github.com/huggingface/safetensors, README "Format").
// The checks follow the reference implementation's (safetensors/src/tensor.rs, validate): header
// length at most 100 MB and inside the file, a JSON object whose entries each have a known dtype,
// non-negative shape and [begin, end] offsets with end - begin = numel * dtype size, inside the
// buffer and not overlapping. Holes are tolerated (the reference refuses them) so that files
// padded by other writers still open.
#include "ckpt/Safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace ms {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxHeader = 100ull * 1000 * 1000;  // the reference's MAX_HEADER_SIZE

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError(file + ": " + what);
}

bool little_endian_host() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

int safetensors_dtype_size(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return 0;
}

int64_t SafetensorsEntry::numel() const {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

// ---- half / bfloat16 ---------------------------------------------------------------------

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0) {  // zero or subnormal: man * 2^-24
    const float v = std::ldexp(static_cast<float>(man), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return float_of(sign | 0x7f800000u | (man << 13));  // inf / NaN
  return float_of(sign | ((exp + 112) << 23) | (man << 13));
}

float bf16_to_float(uint16_t b) {
  return float_of(uint32_t(b) << 16);
}

uint16_t float_to_bf16(float f) {
  const uint32_t u = bits_of(f);
  if (std::isnan(f)) return uint16_t((u >> 16) | 0x40u);  // quiet NaN
  const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);   // round to nearest even
  return uint16_t((u + rounding) >> 16);
}

uint16_t float_to_half(float f) {
  const uint32_t u = bits_of(f);
  const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return uint16_t(sign | 0x7e00u);
  if (a >= 65520.0f) return uint16_t(sign | 0x7c00u);  // rounds to inf
  if (a < 6.103515625e-05f) {                          // subnormal half: a / 2^-24, rounded
    const float q = std::nearbyint(a * 16777216.0f);   // default mode: nearest even
    return uint16_t(sign | uint16_t(q));
  }
  const uint32_t au = bits_of(a);
  // Drop 13 mantissa bits with round to nearest even, then rebias the exponent (127 -> 15).
  const uint32_t r = au + 0xfffu + ((au >> 13) & 1u);
  return uint16_t(sign | uint16_t(((r >> 13) - (112u << 10)) & 0x7fffu));
}

// ---- SafetensorsFile ------------------------------------------------------------------------

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  if (!little_endian_host()) fail(path, "safetensors needs a little-endian machine");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(path, "no such file");
  const uint64_t size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  if (size < 8) fail(path, "truncated: " + std::to_string(size) + " bytes, no header length");
  unsigned char lenb[8];
  in.read(reinterpret_cast<char*>(lenb), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | lenb[i];
  if (n > kMaxHeader) fail(path, "header length " + std::to_string(n) + " over the 100 MB limit");
  if (n > size - 8)
    fail(path, "truncated: header length " + std::to_string(n) + " but only " +
                   std::to_string(size - 8) + " bytes follow");
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  if (!in) fail(path, "cannot read the header");
  data_start_ = 8 + n;
  const uint64_t buffer = size - data_start_;

  json j;
  try {
    j = json::parse(header);
  } catch (const json::exception& e) {
    fail(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(path, "header is not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail(path, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(path, "__metadata__." + m.key() + " is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string at = "tensor '" + name + "': ";
    if (!v.is_object()) fail(path, at + "entry is not an object");
    const auto d = v.find("dtype"), s = v.find("shape"), o = v.find("data_offsets");
    if (d == v.end() || !d->is_string()) fail(path, at + "no string \"dtype\"");
    if (s == v.end() || !s->is_array()) fail(path, at + "no array \"shape\"");
    if (o == v.end() || !o->is_array() || o->size() != 2)
      fail(path, at + "no [begin, end] offsets");
    SafetensorsEntry e;
    e.name = name;
    e.dtype = d->get<std::string>();
    const int es = safetensors_dtype_size(e.dtype);
    if (es == 0) fail(path, at + "unknown dtype \"" + e.dtype + "\"");
    uint64_t numel = 1;
    for (const json& dim : *s) {
      if (!dim.is_number_unsigned()) fail(path, at + "shape " + s->dump() + " is not all >= 0");
      const uint64_t x = dim.get<uint64_t>();
      if (x > 0 && numel > std::numeric_limits<uint64_t>::max() / 8 / x)
        fail(path, at + "shape " + s->dump() + " overflows");
      numel *= x;
      e.shape.push_back(static_cast<int64_t>(x));
    }
    if (!(*o)[0].is_number_unsigned() || !(*o)[1].is_number_unsigned())
      fail(path, at + "data_offsets " + o->dump() + " are not non-negative integers");
    e.begin = (*o)[0].get<uint64_t>();
    e.end = (*o)[1].get<uint64_t>();
    if (e.end < e.begin) fail(path, at + "data_offsets " + o->dump() + " end before begin");
    if (e.end - e.begin != numel * uint64_t(es))
      fail(path, at + "data_offsets " + o->dump() + " hold " + std::to_string(e.end - e.begin) +
                     " bytes but " + e.dtype + " " + shape_str(e.shape) + " needs " +
                     std::to_string(numel * uint64_t(es)));
    if (e.end > buffer)
      fail(path, at + "data ends at byte " + std::to_string(e.end) + " of a " +
                     std::to_string(buffer) + "-byte buffer (file truncated?)");
    entries_.push_back(std::move(e));
  }
  // No two tensors share bytes.
  std::vector<const SafetensorsEntry*> by_off;
  for (const auto& e : entries_) by_off.push_back(&e);
  std::sort(by_off.begin(), by_off.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_off.size(); ++i)
    if (by_off[i]->begin < by_off[i - 1]->end && by_off[i]->begin != by_off[i]->end)
      fail(path, "tensors '" + by_off[i - 1]->name + "' and '" + by_off[i]->name + "' overlap");
  for (size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].name] = i;
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

std::vector<char> SafetensorsFile::read_bytes(const SafetensorsEntry& e) const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) fail(path_, "cannot reopen to read tensor '" + e.name + "'");
  std::vector<char> out(e.end - e.begin);
  in.seekg(static_cast<std::streamoff>(data_start_ + e.begin));
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  if (!in) fail(path_, "tensor '" + e.name + "': data cut short (file changed while reading?)");
  return out;
}

std::vector<float> SafetensorsFile::read_float(const std::string& name) const {
  const SafetensorsEntry* e = find(name);
  if (!e) fail(path_, "no tensor '" + name + "'");
  const std::vector<char> raw = read_bytes(*e);
  const size_t n = static_cast<size_t>(e->numel());
  std::vector<float> out(n);
  if (e->dtype == "F32") {
    std::memcpy(out.data(), raw.data(), n * 4);
  } else if (e->dtype == "F64") {
    for (size_t i = 0; i < n; ++i) {
      double v;
      std::memcpy(&v, raw.data() + 8 * i, 8);
      out[i] = static_cast<float>(v);
    }
  } else if (e->dtype == "F16" || e->dtype == "BF16") {
    const bool half = e->dtype == "F16";
    for (size_t i = 0; i < n; ++i) {
      uint16_t v;
      std::memcpy(&v, raw.data() + 2 * i, 2);
      out[i] = half ? half_to_float(v) : bf16_to_float(v);
    }
  } else {
    fail(path_, "tensor '" + name + "' has dtype " + e->dtype + ", expected F32, F16, BF16 or F64");
  }
  return out;
}

// ---- SafetensorsModel -----------------------------------------------------------------------

SafetensorsModel::SafetensorsModel(const std::string& path_in) {
  std::error_code ec;
  fs::path p(path_in);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "model.safetensors.index.json", ec))
      p = p / "model.safetensors.index.json";
    else if (fs::exists(p / "model.safetensors", ec))
      p = p / "model.safetensors";
    else
      fail(path_in, "folder holds neither model.safetensors nor model.safetensors.index.json");
  }
  folder_ = p.parent_path().string();
  if (folder_.empty()) folder_ = ".";
  if (p.extension() == ".json") {
    std::ifstream in(p);
    if (!in) fail(p.string(), "cannot open the shard index");
    json j;
    try {
      j = json::parse(in);
    } catch (const json::exception& e) {
      fail(p.string(), std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      fail(p.string(), "no \"weight_map\" object");
    std::map<std::string, size_t> shard_index;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string())
        fail(p.string(), "weight_map." + it.key() + " is not a file name");
      const std::string shard = it.value().get<std::string>();
      if (shard.find('/') != std::string::npos || shard == "..")
        fail(p.string(), "weight_map." + it.key() + " names a file outside the folder: " + shard);
      auto s = shard_index.find(shard);
      if (s == shard_index.end()) {
        files_.emplace_back((fs::path(folder_) / shard).string());
        s = shard_index.emplace(shard, files_.size() - 1).first;
      }
      if (!files_[s->second].find(it.key()))
        fail(files_[s->second].path(),
             "the index lists tensor '" + it.key() + "' here but the file lacks it");
      owner_[it.key()] = s->second;
    }
    if (files_.empty()) fail(p.string(), "weight_map is empty");
  } else {
    files_.emplace_back(p.string());
    for (const auto& e : files_[0].entries()) owner_[e.name] = 0;
  }
}

std::vector<std::string> SafetensorsModel::names() const {
  std::vector<std::string> n;
  for (const auto& [k, v] : owner_) n.push_back(k);
  return n;
}

const SafetensorsEntry* SafetensorsModel::find(const std::string& name) const {
  const auto it = owner_.find(name);
  return it == owner_.end() ? nullptr : files_[it->second].find(name);
}

std::string SafetensorsModel::file_of(const std::string& name) const {
  const auto it = owner_.find(name);
  return it == owner_.end() ? std::string() : files_[it->second].path();
}

std::vector<float> SafetensorsModel::read_float(const std::string& name) const {
  const auto it = owner_.find(name);
  if (it == owner_.end()) fail(files_.front().path(), "no tensor '" + name + "'");
  return files_[it->second].read_float(name);
}

const std::map<std::string, std::string>& SafetensorsModel::metadata() const {
  return files_.front().metadata();
}

// ---- writer ----------------------------------------------------------------------------------

void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<const SafetensorsTensor*> sorted;
  for (const auto& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t off = 0;
  for (const SafetensorsTensor* t : sorted) {
    int64_t n = 1;
    for (int64_t s : t->shape) n *= s;
    if (n != static_cast<int64_t>(t->data.size()))
      fail(path, "tensor '" + t->name + "': " + std::to_string(t->data.size()) +
                     " values for shape " + shape_str(t->shape));
    const int es = safetensors_dtype_size(t->dtype);
    if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16")
      fail(path, "tensor '" + t->name + "': cannot write dtype " + t->dtype);
    const uint64_t bytes = uint64_t(n) * uint64_t(es);
    header[t->name] = {
        {"dtype", t->dtype}, {"shape", t->shape}, {"data_offsets", {off, off + bytes}}};
    off += bytes;
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // the buffer starts 8-byte aligned
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, std::string("cannot write: ") + std::strerror(errno));
    unsigned char lenb[8];
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i, n >>= 8) lenb[i] = static_cast<unsigned char>(n & 0xff);
    out.write(reinterpret_cast<const char*>(lenb), 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const SafetensorsTensor* t : sorted) {
      if (t->dtype == "F32") {
        out.write(reinterpret_cast<const char*>(t->data.data()),
                  static_cast<std::streamsize>(t->data.size() * 4));
      } else {
        std::vector<uint16_t> v(t->data.size());
        const bool half = t->dtype == "F16";
        for (size_t i = 0; i < v.size(); ++i)
          v[i] = half ? float_to_half(t->data[i]) : float_to_bf16(t->data[i]);
        out.write(reinterpret_cast<const char*>(v.data()),
                  static_cast<std::streamsize>(v.size() * 2));
      }
    }
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      fail(path, "write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    fail(path, "cannot move the finished file into place: " + ec.message());
  }
}

}  // namespace ms
