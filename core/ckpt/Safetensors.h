// Safetensors: reader and writer of the safetensors format (huggingface/safetensors, "Format"):
//   8 bytes little-endian u64 N | N bytes UTF-8 JSON header | byte buffer
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// relative to the buffer) plus an optional "__metadata__" string map. Torch-free and Qt-free:
// the checkpoint loader (CheckpointLoader.cpp) turns the float data into tensors. Every header
// is validated before any byte is trusted (sizes, offsets inside the file, no overlaps, dtype
// known, shape product equal to the byte count), so a truncated or damaged file ends in a
// CheckpointError naming the file and the entry, never in a read out of bounds.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms {

// Any unreadable, inconsistent or unsupported checkpoint; what() names the file and the tensor
// or key at fault.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes per element of a safetensors dtype name ("F32", "BF16", ...); 0 for unknown names.
int safetensors_dtype_size(const std::string& dtype);

struct SafetensorsEntry {
  std::string name;
  std::string dtype;            // F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL ...
  std::vector<int64_t> shape;   // empty = scalar
  uint64_t begin = 0, end = 0;  // byte range in the buffer
  int64_t numel() const;
};

// One .safetensors file, header parsed and checked on open; tensor data read on demand.
class SafetensorsFile {
 public:
  // Throws CheckpointError (file named) for a missing/short file or any header problem.
  explicit SafetensorsFile(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }  // header order
  const SafetensorsEntry* find(const std::string& name) const;               // nullptr when absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // The tensor's elements converted to float (F32, F16, BF16, F64 exactly as IEEE rounding to
  // nearest gives; integer dtypes refused). Throws CheckpointError naming file and tensor.
  std::vector<float> read_float(const std::string& name) const;
  // The raw little-endian bytes of one tensor.
  std::vector<char> read_bytes(const SafetensorsEntry& e) const;

 private:
  std::string path_;
  uint64_t data_start_ = 0;  // 8 + header length
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A model stored as one file or as shards listed by model.safetensors.index.json
// ({"weight_map": {tensor: shard file}}): every tensor name resolved to its file.
class SafetensorsModel {
 public:
  // path: a .safetensors file, an index .json, or a folder holding model.safetensors or
  // model.safetensors.index.json. Throws CheckpointError.
  explicit SafetensorsModel(const std::string& path);
  std::vector<std::string> names() const;  // sorted
  const SafetensorsEntry* find(const std::string& name) const;
  std::vector<float> read_float(const std::string& name) const;  // throws for unknown names
  // File holding a tensor (for messages). Empty when absent.
  std::string file_of(const std::string& name) const;
  const std::vector<SafetensorsFile>& files() const { return files_; }
  // Metadata of the first file (Muonscope writes "step" there).
  const std::map<std::string, std::string>& metadata() const;
  // The folder the model lives in (config.json and tokenizer files sit beside it).
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, size_t> owner_;  // tensor -> index into files_
};

// One tensor to write: F32 data of `shape` (row-major), stored as `dtype` F32, F16 or BF16
// (round to nearest even).
struct SafetensorsTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
  std::string dtype = "F32";
};
// Writes a safetensors file (header entries sorted by name, data 8-byte aligned, as the
// reference implementation does) to path + ".tmp" and renames it into place, so a reader never
// sees half a file. Throws CheckpointError when the file cannot be written or a tensor's data
// size does not match its shape.
void write_safetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// IEEE half / bfloat16 <-> float conversions used by the reader and writer.
float half_to_float(uint16_t h);
float bf16_to_float(uint16_t b);
uint16_t float_to_half(float f);  // round to nearest even, overflow -> inf
uint16_t float_to_bf16(float f);  // round to nearest even, NaN kept NaN

}  // namespace ms
