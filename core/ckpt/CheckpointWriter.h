// CheckpointWriter: Muonscope's own checkpoints (train.checkpoint_every), written so that
// `muonscope-cli inspect` and outside tools (safetensors in Python) read them: FOLDER/
// step-N.safetensors (fp32, metadata "step") and FOLDER/config.json. Tensor names follow the
// Hugging Face family that matches the run's architecture (ModelFamilies.h): GPT-2 names for
// learned positions, Llama names for RoPE. config.json holds "muonscope_config" (the full run
// config), "muonscope_naming" and, where the architecture is exactly that family's (a Llama
// with SwiGLU and no QK-norm; a GPT-2 with LayerNorm, tanh-GELU and biases), the family's own
// config keys and model_type, so Hugging Face transformers can load it too; otherwise
// model_type is "muonscope-gpt".
#pragma once

#include <cstdint>
#include <string>

#include "model/GPT.h"
#include "train/RunConfig.h"

namespace ms {

// The naming family of a model's checkpoints: "gpt2" (learned positions) or "llama" (RoPE).
std::string checkpoint_naming(const ModelConfig& m);

// Writes FOLDER/step-<step>.safetensors (atomically) and, when missing or different,
// FOLDER/config.json; creates FOLDER. Returns the .safetensors path. Throws CheckpointError
// naming the file.
std::string write_checkpoint(const GPTImpl& model, const RunConfig& cfg, int64_t step,
                             const std::string& folder);

}  // namespace ms
