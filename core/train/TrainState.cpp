// TrainState (see TrainState.h): the state file as a torch::serialize archive with the
// optimizers' nested archives and the loop's scalars as IValues.
#include "train/TrainState.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "ckpt/Safetensors.h"  // CheckpointError
#include "optim/Optimizers.h"

namespace ms {
namespace fs = std::filesystem;

namespace {
constexpr const char* kFormat = "muonscope-train-state";
constexpr int64_t kVersion = 1;

// Steps of the files in `folder` named PREFIX<digits>SUFFIX.
std::vector<int64_t> steps_of(const std::string& folder, const std::string& prefix,
                              const std::string& suffix) {
  std::vector<int64_t> out;
  std::error_code ec;
  const std::regex re(prefix + "([0-9]{1,18})" + suffix);
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, m, re)) out.push_back(std::stoll(m[1].str()));
  }
  return out;
}
}  // namespace

std::string weights_path(const std::string& folder, int64_t step) {
  return (fs::path(folder) / ("step-" + std::to_string(step) + ".safetensors")).string();
}

std::string train_state_path(const std::string& folder, int64_t step) {
  return (fs::path(folder) / ("state-" + std::to_string(step) + ".pt")).string();
}

int64_t latest_resumable_step(const std::string& folder) {
  int64_t best = -1;
  for (int64_t s : steps_of(folder, "state-", "\\.pt")) {
    std::error_code ec;
    if (s > best && fs::is_regular_file(weights_path(folder, s), ec)) best = s;
  }
  return best;
}

void write_train_state(const std::string& folder, const TrainState& s, const OptimizerSet& opt) {
  const std::string path = train_state_path(folder, s.step);
  const std::string tmp = path + ".tmp";
  try {
    torch::serialize::OutputArchive ar;
    ar.write("format", c10::IValue(std::string(kFormat)));
    ar.write("version", c10::IValue(kVersion));
    ar.write("step", c10::IValue(s.step));
    ar.write("wall_s", c10::IValue(s.wall_s));
    ar.write("snapshots", c10::IValue(s.snapshots));
    ar.write("data_rng", c10::IValue(s.data_rng));
    ar.write("config_json", c10::IValue(s.config_json));
    ar.write("world_size", c10::IValue(int64_t(s.world_size)));
    torch::serialize::OutputArchive optim;
    opt.save(optim);
    ar.write("optim", optim);
    ar.save_to(tmp);
  } catch (const c10::Error& e) {
    std::remove(tmp.c_str());
    throw CheckpointError(path +
                          ": cannot write the training state: " + e.what_without_backtrace());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw CheckpointError(path + ": cannot write the training state: " + ec.message());
  }
  for (int64_t old : steps_of(folder, "state-", "\\.pt"))
    if (old != s.step) fs::remove(train_state_path(folder, old), ec);
}

TrainState read_train_state(const std::string& path, OptimizerSet& opt) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw CheckpointError(path + ": no such training state file");
  TrainState s;
  std::string what = "the archive";
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    auto get = [&](const char* key) {
      what = std::string("entry '") + key + "'";
      c10::IValue v;
      ar.read(key, v);
      return v;
    };
    if (get("format").toStringRef() != kFormat)
      throw CheckpointError(path + ": not a Muonscope training state");
    const int64_t version = get("version").toInt();
    if (version > kVersion)
      throw CheckpointError(path + ": written by a newer Muonscope (state version " +
                            std::to_string(version) + ")");
    s.step = get("step").toInt();
    s.wall_s = get("wall_s").toDouble();
    s.snapshots = get("snapshots").toInt();
    s.data_rng = get("data_rng").toStringRef();
    s.config_json = get("config_json").toStringRef();
    s.world_size = int(get("world_size").toInt());
    what = "the optimizer state";
    torch::serialize::InputArchive optim;
    ar.read("optim", optim);
    opt.load(optim);
  } catch (const c10::Error& e) {
    throw CheckpointError(path + ": cannot read " + what +
                          " of the training state: " + e.what_without_backtrace());
  }
  return s;
}

}  // namespace ms
