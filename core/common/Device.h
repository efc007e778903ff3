// Device: the config's device string ("auto" | "cpu" | "cuda") to a torch::Device, and its
// display name, shared by the Trainer and the checkpoint Inspector.
#pragma once

#include <torch/torch.h>

#include <string>

#include "train/RunConfig.h"

namespace ms {

inline torch::Device resolve_device(const std::string& d) {
  if (d == "cuda") {
    if (!torch::cuda::is_available())
      throw ConfigError(
          "config key 'device' = \"cuda\": this LibTorch build has no CUDA device (use cpu or "
          "auto)");
    return torch::Device(torch::kCUDA, 0);
  }
  if (d == "auto" && torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
  return torch::Device(torch::kCPU);
}

inline std::string device_name(const torch::Device& dev) {
  if (dev.is_cuda()) return "cuda:" + std::to_string(dev.index() < 0 ? 0 : dev.index());
  return "cpu";
}

}  // namespace ms
