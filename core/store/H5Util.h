// Internal helpers for the run store (not included outside core/store): an owning HDF5 id,
// a guard that silences HDF5's automatic error printing for the duration of a call, error
// text from the HDF5 error stack, and typed attribute read/write. Every HDF5 return code
// goes through these so a bad file ends in a StoreError, never in a crash or stderr noise.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/RunFile.h"

namespace ms::h5 {

// Owns one HDF5 id of any kind (file, group, dataset, dataspace, type, property list,
// attribute) and drops its reference on destruction.
class Hid {
 public:
  Hid() = default;
  explicit Hid(hid_t id) : id_(id) {}
  ~Hid() { reset(); }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  Hid(Hid&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Hid& operator=(Hid&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  void reset(hid_t id = H5I_INVALID_HID);
  hid_t release() {  // gives up ownership (e.g. to close a file with a checked H5Fclose)
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's automatic error printing on this thread until destruction (then restores
// whatever the application had). Every public store entry point holds one.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_ = false;
};

// The most specific messages of the current HDF5 error stack ("" when empty); clears it.
std::string error_text();
// Throws StoreError("<file>: <what> (<hdf5 detail>)").
[[noreturn]] void fail(const std::string& file, const std::string& what);

// Attributes. Strings are written fixed-length, null-padded (so they can be overwritten in
// place under SWMR and live inside the checksummed object header); readers accept fixed or
// variable-length strings (h5py writes the latter).
void write_str_attr(hid_t loc, const std::string& file, const std::string& name,
                    const std::string& value, size_t fixed_size = 0);
void overwrite_str_attr(hid_t loc, const std::string& file, const std::string& name,
                        const std::string& value);  // keeps the attribute's size, truncates
void write_str_list_attr(hid_t loc, const std::string& file, const std::string& name,
                         const std::vector<std::string>& values);
void write_i64_attr(hid_t loc, const std::string& file, const std::string& name,
                    const std::vector<int64_t>& values, const std::vector<hsize_t>& dims);

bool has_attr(hid_t loc, const std::string& name);
std::string read_str_attr(hid_t loc, const std::string& file, const std::string& name);
std::vector<std::string> read_str_list_attr(hid_t loc, const std::string& file,
                                            const std::string& name);
std::vector<int64_t> read_i64_attr(hid_t loc, const std::string& file, const std::string& name);

// Writer liveness lock (RunFile.cpp): opens `path` read-write and takes an OFD write lock on
// it. Returns the descriptor to keep open while writing (closing it releases the lock), -1
// when another writer holds the lock, -2 when the file cannot be opened. Without lock support
// (ENOLCK) the descriptor is returned unlocked.
int take_writer_lock(const std::string& path);
void release_writer_lock(int fd);

// ISO 8601 UTC time stamp of now, e.g. 2025-01-31T12:34:56Z.
std::string iso_now();

}  // namespace ms::h5
