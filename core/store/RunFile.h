// Shared pieces of the HDF5 run file (DESIGN.md section 7, docs/run-format.md): the error type
// that RunWriter and RunReader throw, the format name/version, and the writer-liveness probe.
// No HDF5, no torch, no Qt in this header, so the GUI can include it cheaply.
#pragma once

#include <stdexcept>
#include <string>

namespace ms {

// Every failure of the run store: unwritable path, existing file, not a run file, newer format,
// corrupt data. what() names the file and what went wrong.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kRunFormatName = "muonscope-run";
// 2: KIVI deltas are causal (streaming); update_alignment became update_cosine (on Muon's
// input direction) and update_top_share; /steps/clipped_heads. 3: the power-law fit.
// 4: /steps/threads (the adaptive thread count).
inline constexpr int kRunFormatVersion = 4;

// True while some RunWriter (in this or another process on this machine) has `path` open.
// A RunWriter holds an open-file-description lock (fcntl F_OFD_SETLK) on the file from its
// constructor until finish()/destruction; the kernel drops it when the writer dies, even by
// SIGKILL. On file systems without lock support this returns false.
bool run_writer_alive(const std::string& path);

}  // namespace ms
