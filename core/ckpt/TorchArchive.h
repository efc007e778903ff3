// TorchArchive: reads the files torch.save writes (the zip format, PyTorch >= 1.6: an uncompressed
// zip holding ARCHIVE/data.pkl, a pickle, and ARCHIVE/data/KEY, one raw storage per key) without
// Python and without executing anything. LibTorch's own torch::pickle_load cannot read a
// state_dict (it drops collections.OrderedDict), so this is a small restricted unpickler: it
// builds a tree of plain values (None, bool, int, float, str, bytes, list, tuple, dict) and
// tensor references (torch._utils._rebuild_tensor_v2 / _rebuild_parameter over a persistent
// 'storage' id); any other global becomes an opaque object that only fails when read as data.
// Torch-free and bounds-checked throughout (a damaged file ends in a CheckpointError naming the
// file), so it runs under AddressSanitizer with the safetensors corruption test.
// Pickle opcodes: CPython Lib/pickletools.py; torch.save layout: torch/serialization.py
// (_save, _load) and torch/_utils.py (_rebuild_tensor_v2).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/Safetensors.h"  // CheckpointError

namespace ms {

// A tensor stored in the archive: a view (offset, size, stride in elements) of one storage.
struct TorchTensorRef {
  std::string storage_key;  // ARCHIVE/data/<key>
  std::string dtype;        // Float Half BFloat16 Double Long Int Short Char Byte Bool
  int64_t storage_numel = 0;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
  int64_t numel() const;
};

// One unpickled value.
struct PyValue {
  enum class Kind { None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict, Tensor, Object };
  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;                                // Str / Bytes; Object: "module.name" of its class
  std::vector<std::shared_ptr<PyValue>> items;  // List / Tuple; Object: its arguments
  std::vector<std::pair<std::shared_ptr<PyValue>, std::shared_ptr<PyValue>>> dict;  // in order
  TorchTensorRef tensor;
  int depth = 0;  // nesting depth (containers inside containers), bounded by the unpickler

  // Dict lookup by string key; nullptr when absent or not a dict.
  const PyValue* get(const std::string& key) const;
  bool is_int() const { return kind == Kind::Int || kind == Kind::Bool; }
  bool is_number() const { return is_int() || kind == Kind::Float; }
  double number() const { return kind == Kind::Float ? f : static_cast<double>(i); }
  std::string describe() const;  // "int 12", "dict (5 keys)", "object torch.optim...", ...
};

class TorchArchive {
 public:
  // Opens the zip, finds ARCHIVE/data.pkl and unpickles it. Throws CheckpointError (file named)
  // for a file that is not a torch.save zip (including the legacy pre-1.6 format), compressed
  // entries, damaged zip structures or pickles, or big-endian data.
  explicit TorchArchive(const std::string& path);
  const std::string& path() const { return path_; }
  const PyValue& root() const { return *root_; }
  // A tensor's elements as float in row-major order of its size (F32/F16/BF16/F64 storages);
  // `what` names it in errors. Throws CheckpointError.
  std::vector<float> read_float(const TorchTensorRef& t, const std::string& what) const;

 private:
  struct Entry {
    uint64_t offset = 0;  // of the data in the file
    uint64_t size = 0;
  };
  Entry entry(const std::string& name) const;
  std::string read_entry(const std::string& name, uint64_t max_bytes) const;

  std::string path_;
  uint64_t file_size_ = 0;
  std::string prefix_;  // "ARCHIVE/"
  std::map<std::string, Entry> entries_;
  std::shared_ptr<PyValue> root_;
};

// Unpickles bytes (exposed for tests). `file` names the source in errors.
std::shared_ptr<PyValue> unpickle(const std::string& bytes, const std::string& file);

}  // namespace ms
