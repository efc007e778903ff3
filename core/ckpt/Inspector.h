// Inspector: checkpoints trained anywhere -> an ordinary run file (docs/run-format.md), one
// snapshot per checkpoint with every metric of a trained run (spectra, isotropy and power-law
// alpha of every matrix, per-head composites, PR per layer and head, K/V magnitudes and
// spikiness, max logits, KIVI deltas, the probe loss), so the app's views, slider, export and
// comparison work on them unchanged. Used by `muonscope-cli inspect` and File > Inspect
// Checkpoints... (on a background thread, with progress and cancel).
//
// The probe batch is defined so anyone can recompute it: window b (0 <= b < B) has inputs
// tokens[b*T, (b+1)*T) and targets tokens[b*T+1, (b+1)*T+1) of the probe file (token files:
// nanoGPT raw uint16 .bin, modded-nanogpt shards; any other file is text, tokenized with the
// model folder's tokenizer.json or vocab.json + merges.txt).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "train/Snapshot.h"

namespace ms {

struct InspectOptions {
  std::vector<std::string> inputs;  // checkpoint files, folders (of checkpoints) or globs
  std::string out;                  // run file to write
  bool overwrite = false;
  std::string probe;           // probe file; empty = weights-only metrics
  int batch = 8;               // B probe windows
  int seq = 256;               // T tokens per window (capped at the model's context)
  std::string device = "cpu";  // cpu | cuda | auto
  int threads = 0;             // intra-op threads, 0 = all cores
};

struct InspectCallbacks {
  // Called before each checkpoint (done of total) and once at the end (total of total).
  std::function<void(int done, int total, const std::string& what)> progress;
  std::function<bool()> cancelled;                  // polled between checkpoints and phases
  std::function<void(const std::string&)> warning;  // unused tensors, a step taken from a name
};

struct InspectResult {
  RunStatus status = RunStatus::Failed;  // Finished, Stopped (cancelled) or Failed
  std::string message;                   // the error for Failed
  std::vector<std::string> checkpoints;  // in step order
  std::vector<int64_t> steps;            // parallel to checkpoints
  std::vector<double> probe_loss;        // parallel; NaN without a probe
};

// Files, folders and globs -> checkpoint paths (unordered). A folder that is itself a checkpoint
// (model.safetensors, its index, ckpt.pt or pytorch_model.bin inside) counts once; any other
// folder contributes its checkpoint subfolders and its .pt / .pth / .bin / .safetensors files.
// Throws CheckpointError for an input that matches nothing.
std::vector<std::string> expand_checkpoints(const std::vector<std::string>& inputs);

// Orders checkpoints by step: the stored step, else (in a series) the number in the name, else
// the position in the list; a single checkpoint without a stored step is step 0. Throws
// CheckpointError when two checkpoints land on the same step.
std::vector<std::pair<std::string, int64_t>> order_checkpoints(
    const std::vector<std::string>& paths, std::function<void(const std::string&)> warning = {});

// Writes the run file. Never throws: errors end in status Failed with a message naming the file
// (and the run file keeps the snapshots written before the error).
InspectResult inspect_checkpoints(const InspectOptions& opt, const InspectCallbacks& cb = {});

}  // namespace ms
