// TorchArchive: the zip container (PKWARE APPNOTE 6.3, sections 4.3.7 local header, 4.3.12
// central directory, 4.3.14-16 zip64 end records, 4.5.3 zip64 extra field) and a restricted
// pickle machine (CPython Lib/pickletools.py opcode table, protocols 0-5 minus the text-only
// opcodes). Only stored (uncompressed) entries are read, as torch.save writes them.
#include "ckpt/TorchArchive.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace ms {
namespace {

using PyPtr = std::shared_ptr<PyValue>;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError(file + ": " + what);
}

uint64_t le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

PyPtr make(PyValue::Kind k) {
  auto v = std::make_shared<PyValue>();
  v->kind = k;
  return v;
}

int dtype_size(const std::string& d) {
  if (d == "Double" || d == "Long") return 8;
  if (d == "Float" || d == "Int") return 4;
  if (d == "Half" || d == "BFloat16" || d == "Short") return 2;
  if (d == "Char" || d == "Byte" || d == "Bool") return 1;
  return 0;
}

// ---- the pickle machine ----------------------------------------------------------------------

class Unpickler {
 public:
  Unpickler(const std::string& data, const std::string& file) : d_(data), file_(file) {}

  PyPtr run() {
    while (true) {
      if (stack_.size() > kMaxStack) bad("stack grows past " + std::to_string(kMaxStack));
      const size_t at = pos_;
      const unsigned char op = u8();
      switch (op) {
        case 0x80:
          u8();
          break;  // PROTO
        case 0x95:
          bytes(8);
          break;  // FRAME: a length hint only
        case '}':
          push(make(PyValue::Kind::Dict));
          break;
        case ']':
          push(make(PyValue::Kind::List));
          break;
        case ')':
          push(make(PyValue::Kind::Tuple));
          break;
        case 0x8f:
          push(make(PyValue::Kind::List));
          break;  // EMPTY_SET, kept as a list
        case '(':
          marks_.push_back(stack_.size());
          break;
        case 'q':
          memo_put(u8());
          break;
        case 'r':
          memo_put(static_cast<uint32_t>(le(bytes(4), 4)));
          break;
        case 0x94:
          memo_put(static_cast<uint32_t>(memo_.size()));
          break;  // MEMOIZE
        case 'h':
          memo_get(u8());
          break;
        case 'j':
          memo_get(static_cast<uint32_t>(le(bytes(4), 4)));
          break;
        case 'X':
        case 'T':
          str(PyValue::Kind::Str, le(bytes(4), 4));
          break;
        case 0x8c:
        case 'U':
          str(PyValue::Kind::Str, u8());
          break;
        case 0x8d:
          str(PyValue::Kind::Str, le(bytes(8), 8));
          break;
        case 'B':
          str(PyValue::Kind::Bytes, le(bytes(4), 4));
          break;
        case 'C':
          str(PyValue::Kind::Bytes, u8());
          break;
        case 0x8e:
          str(PyValue::Kind::Bytes, le(bytes(8), 8));
          break;
        case 'c': {  // GLOBAL "module\nname\n"
          const std::string m = line(), n = line();
          push(global(m + "." + n));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const PyPtr n = pop(), m = pop();
          if (m->kind != PyValue::Kind::Str || n->kind != PyValue::Kind::Str)
            bad("STACK_GLOBAL needs two strings");
          push(global(m->s + "." + n->s));
          break;
        }
        case 't':
          push(container(PyValue::Kind::Tuple, pop_mark()));
          break;
        case 0x85:
        case 0x86:
        case 0x87: {  // TUPLE1..3
          const size_t n = op - 0x84u;
          need(n);
          std::vector<PyPtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
          stack_.resize(stack_.size() - n);
          push(container(PyValue::Kind::Tuple, std::move(items)));
          break;
        }
        case 'R': {  // REDUCE callable(args)
          const PyPtr args = pop(), fn = pop();
          push(reduce(fn, args));
          break;
        }
        case 0x81: {  // NEWOBJ cls.__new__(cls, *args)
          const PyPtr args = pop(), cls = pop();
          PyPtr o = container(PyValue::Kind::Object, args->items);
          o->s = cls->s;
          push(o);
          break;
        }
        case 'Q':
          push(persistent(pop()));
          break;  // BINPERSID
        case 'J': {
          const uint32_t v = static_cast<uint32_t>(le(bytes(4), 4));
          push_int(static_cast<int32_t>(v));
          break;
        }
        case 'K':
          push_int(u8());
          break;
        case 'M':
          push_int(static_cast<int64_t>(le(bytes(2), 2)));
          break;
        case 0x8a:
          push_long(u8());
          break;
        case 0x8b:
          push_long(le(bytes(4), 4));
          break;
        case 0x88:
        case 0x89: {
          auto b = make(PyValue::Kind::Bool);
          b->b = op == 0x88;
          b->i = b->b;
          push(b);
          break;
        }
        case 'N':
          push(make(PyValue::Kind::None));
          break;
        case 'G': {  // BINFLOAT, big-endian
          const unsigned char* p = bytes(8);
          uint64_t u = 0;
          for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
          auto f = make(PyValue::Kind::Float);
          std::memcpy(&f->f, &u, 8);
          push(f);
          break;
        }
        case 'a': {
          const PyPtr v = pop();
          list_of(top())->items.push_back(nest(top(), v));
          break;
        }
        case 'e':
        case 0x90: {  // APPENDS, ADDITEMS
          std::vector<PyPtr> v = pop_mark();
          PyValue* l = list_of(top());
          for (const PyPtr& x : v) l->items.push_back(nest(top(), x));
          break;
        }
        case 's': {
          const PyPtr v = pop(), k = pop();
          dict_of(top())->dict.emplace_back(nest(top(), k), nest(top(), v));
          break;
        }
        case 'u': {
          std::vector<PyPtr> kv = pop_mark();
          if (kv.size() % 2) bad("SETITEMS with an odd number of items");
          PyValue* dct = dict_of(top());
          for (size_t i = 0; i < kv.size(); i += 2)
            dct->dict.emplace_back(nest(top(), kv[i]), nest(top(), kv[i + 1]));
          break;
        }
        case 0x91:
          push(container(PyValue::Kind::List, pop_mark()));
          break;  // FROZENSET
        case 'b':
          pop();
          need(1);
          break;  // BUILD: object state (OrderedDict._metadata) ignored
        case '0':
          pop();
          break;
        case '1':
          pop_mark();
          break;
        case '2':
          need(1);
          push(stack_.back());
          break;
        case '.':
          if (stack_.size() != 1)
            bad("STOP with " + std::to_string(stack_.size()) + " values on the stack");
          return stack_.back();
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          bad(std::string("unsupported pickle opcode ") + hex + " at byte " + std::to_string(at));
        }
      }
    }
  }

 private:
  static constexpr size_t kMaxStack = 1u << 20;
  static constexpr size_t kMaxMemo = 1u << 24;
  static constexpr int kMaxDepth = 64;  // state dicts nest 3-4 deep

  // Puts child into parent: refuses a container inside itself (a reference cycle would leak)
  // and nesting deeper than kMaxDepth (values are freed recursively).
  const PyPtr& nest(const PyPtr& parent, const PyPtr& child) const {
    if (child.get() == parent.get()) bad("a container inside itself");
    parent->depth = std::max(parent->depth, child->depth + 1);
    if (parent->depth > kMaxDepth) bad("values nested deeper than " + std::to_string(kMaxDepth));
    return child;
  }
  PyPtr container(PyValue::Kind k, std::vector<PyPtr> items) const {
    auto c = make(k);
    for (const PyPtr& x : items) nest(c, x);
    c->items = std::move(items);
    return c;
  }

  [[noreturn]] void bad(const std::string& what) const {
    fail(file_, "data.pkl: " + what + " (at byte " + std::to_string(pos_) + ")");
  }
  const unsigned char* bytes(uint64_t n) {
    if (n > d_.size() - pos_) bad("pickle ends early");
    const auto* p = reinterpret_cast<const unsigned char*>(d_.data()) + pos_;
    pos_ += n;
    return p;
  }
  unsigned char u8() { return *bytes(1); }
  std::string line() {
    const size_t e = d_.find('\n', pos_);
    if (e == std::string::npos || e - pos_ > 1000) bad("GLOBAL name without end of line");
    std::string s = d_.substr(pos_, e - pos_);
    pos_ = e + 1;
    return s;
  }
  void push(PyPtr v) { stack_.push_back(std::move(v)); }
  void need(size_t n) const {
    const size_t base = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() < base + n) bad("stack underflow");
  }
  PyPtr pop() {
    need(1);
    PyPtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const PyPtr& top() const {
    need(1);
    return stack_.back();
  }
  std::vector<PyPtr> pop_mark() {
    if (marks_.empty()) bad("no MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PyPtr> v(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return v;
  }
  void memo_put(uint32_t i) {
    if (i > kMaxMemo) bad("memo index " + std::to_string(i) + " too large");
    memo_[i] = top();
  }
  void memo_get(uint32_t i) {
    const auto it = memo_.find(i);
    if (it == memo_.end()) bad("memo index " + std::to_string(i) + " never stored");
    push(it->second);
  }
  void str(PyValue::Kind k, uint64_t n) {
    auto v = make(k);
    const unsigned char* p = bytes(n);
    v->s.assign(reinterpret_cast<const char*>(p), n);
    push(v);
  }
  void push_int(int64_t i) {
    auto v = make(PyValue::Kind::Int);
    v->i = i;
    push(v);
  }
  void push_long(uint64_t n) {  // little-endian two's complement of n bytes
    if (n > 8) bad("integer of " + std::to_string(n) + " bytes does not fit 64 bits");
    const unsigned char* p = bytes(n);
    uint64_t u = le(p, static_cast<int>(n));
    if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);  // sign-extend
    push_int(static_cast<int64_t>(u));
  }
  static PyPtr global(const std::string& name) {
    auto g = make(PyValue::Kind::Object);
    g->s = name;
    return g;
  }
  PyValue* list_of(const PyPtr& v) const {
    if (v->kind != PyValue::Kind::List) bad("APPEND to a " + v->describe());
    return v.get();
  }
  PyValue* dict_of(const PyPtr& v) const {
    if (v->kind != PyValue::Kind::Dict) bad("SETITEM on a " + v->describe());
    return v.get();
  }
  static int64_t as_int(const PyPtr& v) { return v->is_int() ? v->i : -1; }

  // persistent_load of torch.save: ('storage', torch.<Dtype>Storage, key, location, numel).
  PyPtr persistent(const PyPtr& pid) const {
    const auto& t = pid->items;
    if (pid->kind != PyValue::Kind::Tuple || t.size() < 5 || t[0]->kind != PyValue::Kind::Str ||
        t[0]->s != "storage" || t[1]->kind != PyValue::Kind::Object ||
        t[2]->kind != PyValue::Kind::Str || !t[4]->is_int())
      bad("persistent id is not a ('storage', type, key, location, numel) tuple");
    std::string type = t[1]->s;  // torch.FloatStorage
    const std::string pre = "torch.", post = "Storage";
    if (type.rfind(pre, 0) != 0 || type.size() <= pre.size() + post.size() ||
        type.compare(type.size() - post.size(), post.size(), post) != 0)
      bad("unknown storage type " + type);
    auto s = make(PyValue::Kind::Object);
    s->s = "storage";
    s->tensor.dtype = type.substr(pre.size(), type.size() - pre.size() - post.size());
    s->tensor.storage_key = t[2]->s;
    s->tensor.storage_numel = t[4]->i;
    if (dtype_size(s->tensor.dtype) == 0) bad("unsupported storage dtype " + type);
    if (s->tensor.storage_numel < 0) bad("negative storage size");
    return s;
  }

  PyPtr reduce(const PyPtr& fn, const PyPtr& args) const {
    if (fn->kind != PyValue::Kind::Object) bad("REDUCE on a " + fn->describe());
    if (args->kind != PyValue::Kind::Tuple) bad("REDUCE arguments are not a tuple");
    const auto& a = args->items;
    const std::string& f = fn->s;
    if (f == "collections.OrderedDict") {
      auto d = make(PyValue::Kind::Dict);
      if (!a.empty() && a[0]->kind == PyValue::Kind::List)  // OrderedDict([(k, v), ...])
        for (const auto& kv : a[0]->items)
          if (kv->items.size() == 2)
            d->dict.emplace_back(nest(d, kv->items[0]), nest(d, kv->items[1]));
      return d;
    }
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->s != "storage" || !a[1]->is_int() ||
          a[2]->kind != PyValue::Kind::Tuple || a[3]->kind != PyValue::Kind::Tuple ||
          a[2]->items.size() != a[3]->items.size())
        bad(f + " arguments are not (storage, offset, size, stride, ...)");
      auto t = make(PyValue::Kind::Tensor);
      t->tensor = a[0]->tensor;
      t->tensor.offset = a[1]->i;
      for (const auto& x : a[2]->items) t->tensor.size.push_back(as_int(x));
      for (const auto& x : a[3]->items) t->tensor.stride.push_back(as_int(x));
      constexpr int64_t kMaxDim = int64_t(1) << 40;
      for (size_t i = 0; i < t->tensor.size.size(); ++i)
        if (t->tensor.size[i] < 0 || t->tensor.stride[i] < 0 || t->tensor.size[i] > kMaxDim ||
            t->tensor.stride[i] > kMaxDim)
          bad(f + ": size or stride out of range");
      if (t->tensor.size.size() > 8) bad(f + ": more than 8 dimensions");
      if (t->tensor.offset < 0) bad(f + ": negative storage offset");
      return t;
    }
    if (f == "torch._utils._rebuild_parameter" ||
        f == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != PyValue::Kind::Tensor) bad(f + " without a tensor");
      return a[0];
    }
    if (f == "_codecs.encode" && !a.empty() && a[0]->kind == PyValue::Kind::Str) {
      auto b = make(PyValue::Kind::Bytes);  // protocol 2 bytes: encode(str, 'latin1')
      b->s = a[0]->s;
      return b;
    }
    PyPtr o = container(PyValue::Kind::Object, a);  // anything else: kept, never run
    o->s = f;
    return o;
  }

  const std::string& d_;
  const std::string& file_;
  size_t pos_ = 0;
  std::vector<PyPtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint32_t, PyPtr> memo_;
};

}  // namespace

int64_t TorchTensorRef::numel() const {
  int64_t n = 1;
  for (int64_t s : size) n *= s;
  return n;
}

const PyValue* PyValue::get(const std::string& key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [k, v] : dict)
    if (k->kind == Kind::Str && k->s == key) return v.get();
  return nullptr;
}

std::string PyValue::describe() const {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return b ? "True" : "False";
    case Kind::Int:
      return "int " + std::to_string(i);
    case Kind::Float:
      return "float " + std::to_string(f);
    case Kind::Str:
      return "str '" + s.substr(0, 40) + "'";
    case Kind::Bytes:
      return "bytes (" + std::to_string(s.size()) + ")";
    case Kind::List:
      return "list (" + std::to_string(items.size()) + " items)";
    case Kind::Tuple:
      return "tuple (" + std::to_string(items.size()) + " items)";
    case Kind::Dict:
      return "dict (" + std::to_string(dict.size()) + " keys)";
    case Kind::Tensor:
      return tensor.dtype + " tensor";
    case Kind::Object:
      return "object " + s;
  }
  return "?";
}

std::shared_ptr<PyValue> unpickle(const std::string& bytes, const std::string& file) {
  return Unpickler(bytes, file).run();
}

// ---- the zip container -------------------------------------------------------------------

TorchArchive::TorchArchive(const std::string& path) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "no such file");
  file_size_ = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  auto read_at = [&](uint64_t off, uint64_t n) {
    if (off > file_size_ || n > file_size_ - off)
      fail(path, "zip structure points past the end of the file (truncated?)");
    std::string b(n, '\0');
    in.seekg(static_cast<std::streamoff>(off));
    in.read(b.data(), static_cast<std::streamsize>(n));
    if (!in) fail(path, "read error");
    return b;
  };
  {
    const std::string magic = read_at(0, std::min<uint64_t>(file_size_, 4));
    if (magic.size() >= 2 && static_cast<unsigned char>(magic[0]) == 0x80)
      fail(path, "a legacy (PyTorch < 1.6) torch.save file; re-save it with a newer PyTorch");
    if (magic != std::string("PK\x03\x04", 4)) fail(path, "not a torch.save zip archive");
  }
  // End of central directory: the last 22 + comment (<= 65535) bytes.
  const uint64_t tail_n = std::min<uint64_t>(file_size_, 22 + 65535);
  const std::string tail = read_at(file_size_ - tail_n, tail_n);
  size_t eocd = std::string::npos;
  for (size_t i = tail.size() >= 22 ? tail.size() - 22 + 1 : 0; i-- > 0;)
    if (tail.compare(i, 4, "PK\x05\x06", 4) == 0) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) fail(path, "no zip end-of-central-directory record (truncated?)");
  const auto* e = reinterpret_cast<const unsigned char*>(tail.data()) + eocd;
  uint64_t count = le(e + 10, 2), cd_size = le(e + 12, 4), cd_off = le(e + 16, 4);
  if (count == 0xffff || cd_size == 0xffffffff || cd_off == 0xffffffff) {  // zip64
    const uint64_t eocd_abs = file_size_ - tail_n + eocd;
    if (eocd_abs < 20) fail(path, "zip64 locator missing");
    const std::string loc = read_at(eocd_abs - 20, 20);
    if (loc.compare(0, 4, "PK\x06\x07", 4) != 0) fail(path, "zip64 locator missing");
    const uint64_t z64 = le(reinterpret_cast<const unsigned char*>(loc.data()) + 8, 8);
    const std::string rec = read_at(z64, 56);
    if (rec.compare(0, 4, "PK\x06\x06", 4) != 0) fail(path, "zip64 end record damaged");
    const auto* r = reinterpret_cast<const unsigned char*>(rec.data());
    count = le(r + 32, 8);
    cd_size = le(r + 40, 8);
    cd_off = le(r + 48, 8);
  }
  if (cd_size > (1u << 30))
    fail(path, "zip central directory of " + std::to_string(cd_size) + " bytes");
  const std::string cd = read_at(cd_off, cd_size);
  const auto* c = reinterpret_cast<const unsigned char*>(cd.data());
  size_t p = 0;
  for (uint64_t k = 0; k < count; ++k) {
    if (cd.size() - p < 46 || cd.compare(p, 4, "PK\x01\x02", 4) != 0)
      fail(path, "zip central directory entry " + std::to_string(k) + " damaged");
    const uint64_t method = le(c + p + 10, 2), n = le(c + p + 28, 2), x = le(c + p + 30, 2),
                   m = le(c + p + 32, 2);
    uint64_t csize = le(c + p + 20, 4), usize = le(c + p + 24, 4), local = le(c + p + 42, 4);
    if (cd.size() - p - 46 < n + x + m)
      fail(path, "zip central directory entry " + std::to_string(k) + " damaged");
    const std::string name = cd.substr(p + 46, n);
    // zip64 extra field: the 64-bit values of the fields that are 0xffffffff, in order.
    for (size_t q = p + 46 + n; q + 4 <= p + 46 + n + x;) {
      const uint64_t id = le(c + q, 2), len = le(c + q + 2, 2);
      if (q + 4 + len > p + 46 + n + x) break;
      if (id == 1) {
        size_t f = q + 4;
        auto take = [&](uint64_t& v) {
          if (v == 0xffffffff && f + 8 <= q + 4 + len) {
            v = le(c + f, 8);
            f += 8;
          }
        };
        take(usize);
        take(csize);
        take(local);
      }
      q += 4 + len;
    }
    if (method != 0 || csize != usize)
      fail(path, "zip entry " + name + " is compressed (method " + std::to_string(method) +
                     "); torch.save writes stored entries");
    const std::string lh = read_at(local, 30);
    if (lh.compare(0, 4, "PK\x03\x04", 4) != 0)
      fail(path, "zip local header of " + name + " damaged");
    const auto* l = reinterpret_cast<const unsigned char*>(lh.data());
    const uint64_t data = local + 30 + le(l + 26, 2) + le(l + 28, 2);
    if (data > file_size_ || usize > file_size_ - data)
      fail(path, "zip entry " + name + " runs past the end of the file (truncated?)");
    entries_[name] = {data, usize};
    p += 46 + n + x + m;
  }
  for (const auto& [name, en] : entries_) {
    const size_t slash = name.find('/');
    if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      prefix_ = name.substr(0, slash + 1);
      break;
    }
  }
  if (prefix_.empty()) fail(path, "zip archive without ARCHIVE/data.pkl: not a torch.save file");
  if (entries_.count(prefix_ + "byteorder") && read_entry(prefix_ + "byteorder", 16) != "little")
    fail(path, "stored big-endian (byteorder is not 'little')");
  root_ = unpickle(read_entry(prefix_ + "data.pkl", uint64_t(1) << 30), path);
}

TorchArchive::Entry TorchArchive::entry(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) fail(path_, "zip entry " + name + " missing");
  return it->second;
}

std::string TorchArchive::read_entry(const std::string& name, uint64_t max_bytes) const {
  const Entry e = entry(name);
  if (e.size > max_bytes)
    fail(path_, "zip entry " + name + " is " + std::to_string(e.size) + " bytes");
  std::ifstream in(path_, std::ios::binary);
  std::string b(e.size, '\0');
  in.seekg(static_cast<std::streamoff>(e.offset));
  in.read(b.data(), static_cast<std::streamsize>(e.size));
  if (!in) fail(path_, "cannot read zip entry " + name);
  return b;
}

std::vector<float> TorchArchive::read_float(const TorchTensorRef& t,
                                            const std::string& what) const {
  const int es = dtype_size(t.dtype);
  if (t.dtype != "Float" && t.dtype != "Half" && t.dtype != "BFloat16" && t.dtype != "Double")
    fail(path_, "tensor '" + what + "' has dtype " + t.dtype +
                    ", expected Float, Half, BFloat16 or Double");
  const Entry e = entry(prefix_ + "data/" + t.storage_key);
  if (e.size / static_cast<uint64_t>(es) < static_cast<uint64_t>(t.storage_numel))
    fail(path_, "tensor '" + what + "': storage " + t.storage_key + " holds " +
                    std::to_string(e.size) + " bytes, less than its " +
                    std::to_string(t.storage_numel) + " elements");
  // Highest element index the view touches must lie inside the storage (sizes and strides are
  // below 2^40, at most 8 dimensions: checked products, no overflow).
  int64_t last = t.offset, n = 1;
  for (size_t i = 0; i < t.size.size(); ++i) {
    if (t.size[i] > 0 && __builtin_mul_overflow(n, t.size[i], &n))
      fail(path_, "tensor '" + what + "': size overflows");
    if (t.size[i] == 0) n = 0;
    int64_t reach;
    if (t.size[i] > 0 && (__builtin_mul_overflow(t.size[i] - 1, t.stride[i], &reach) ||
                          __builtin_add_overflow(last, reach, &last)))
      fail(path_, "tensor '" + what + "': view overflows");
  }
  if (n > (int64_t(1) << 34))
    fail(path_, "tensor '" + what + "': " + std::to_string(n) + " elements");
  if (n > 0 && last >= t.storage_numel)
    fail(path_, "tensor '" + what + "': view reaches element " + std::to_string(last) +
                    " of a storage of " + std::to_string(t.storage_numel));
  std::vector<float> out(static_cast<size_t>(n));
  if (n == 0) return out;
  // Read the span the view covers, then gather in row-major order.
  const uint64_t span = static_cast<uint64_t>(last - t.offset + 1) * static_cast<uint64_t>(es);
  std::string raw(span, '\0');
  {
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(e.offset + static_cast<uint64_t>(t.offset) * es));
    in.read(raw.data(), static_cast<std::streamsize>(span));
    if (!in) fail(path_, "tensor '" + what + "': cannot read its storage");
  }
  auto value = [&](int64_t idx) -> float {
    const char* p = raw.data() + idx * es;
    if (t.dtype == "Float") {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    if (t.dtype == "Double") {
      double v;
      std::memcpy(&v, p, 8);
      return static_cast<float>(v);
    }
    uint16_t h;
    std::memcpy(&h, p, 2);
    return t.dtype == "Half" ? half_to_float(h) : bf16_to_float(h);
  };
  const size_t D = t.size.size();
  std::vector<int64_t> idx(D, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t i = 0; i < D; ++i) off += idx[i] * t.stride[i];
    out[static_cast<size_t>(k)] = value(off);
    for (size_t i = D; i-- > 0;) {  // next row-major index
      if (++idx[i] < t.size[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

}  // namespace ms
