// CheckpointLoader: builds Muonscope's GPT (model/GPT.h) from a checkpoint trained elsewhere,
// so that every metric of the app runs on it. Reads Hugging Face folders (config.json beside
// model.safetensors, a sharded model.safetensors.index.json or a torch.save'd
// pytorch_model.bin) of the families in ModelFamilies.h, and nanoGPT's ckpt.pt. Every tensor is
// checked against the shape the model expects before it is copied; fp16 / bf16 weights are
// computed in fp32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ckpt/Safetensors.h"  // CheckpointError
#include "model/GPT.h"

namespace ms {

struct LoadedCheckpoint {
  std::string path;         // as given
  std::string family;       // gpt2 | nanogpt | llama
  std::string format;       // "safetensors", "safetensors (3 shards)", "torch.save"
  std::string config_json;  // the config the options came from (config.json, model_args)
  ModelConfig model;
  int64_t step = -1;                // stored step (see step_of), -1 when the file has none
  std::string folder;               // where config.json and tokenizer files live
  std::vector<std::string> unused;  // checkpoint tensors no parameter took (not masks etc.)
  int64_t n_weights = 0;            // elements loaded
  GPT gpt{nullptr};
};

// path: a folder (Hugging Face layout or holding ckpt.pt), a .safetensors file or its index
// .json (config.json beside it), or a torch.save file (.pt / .pth / .bin). max_seq caps the
// context of RoPE models (their tables need only the probe length). The step comes from the
// checkpoint: nanoGPT's iter_num, a top-level "step" / "global_step" entry, the safetensors
// metadata "step", or a Hugging Face Trainer folder's trainer_state.json global_step.
// Throws CheckpointError naming the file and, for a tensor that does not fit, its name, the
// expected and the found shape.
LoadedCheckpoint load_checkpoint(const std::string& path, int max_seq = 1024);

// The step a checkpoint stores (as load_checkpoint finds it), read without loading the weights:
// only the safetensors header or the torch.save pickle. -1 when it stores none.
int64_t stored_step(const std::string& path);

// The number in a checkpoint's file or folder name that orders a series when the file stores
// no step: the last run of digits in the name (ckpt_2000.pt -> 2000, checkpoint-500 -> 500),
// -1 when there is none.
int64_t step_from_name(const std::string& path);

}  // namespace ms
