// Inspector: expands and orders the checkpoints, fixes the probe batch once, then for each
// checkpoint loads the model (one at a time, so memory stays at one model), computes a Snapshot
// with the run's SnapshotBuilder and appends it, with the probe loss as a validation row.
#include "ckpt/Inspector.h"

#include <glob.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "ckpt/CheckpointLoader.h"
#include "common/Compat.h"
#include "common/Device.h"
#include "data/BpeTokenizer.h"
#include "data/FileSources.h"
#include "metrics/SnapshotBuilder.h"
#include "store/RunWriter.h"
#include "train/CpuCores.h"

namespace ms {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError(file + ": " + what);
}

bool is_checkpoint_folder(const fs::path& p) {
  std::error_code ec;
  for (const char* f :
       {"model.safetensors", "model.safetensors.index.json", "ckpt.pt", "pytorch_model.bin"})
    if (fs::exists(p / f, ec)) return true;
  return false;
}

bool is_checkpoint_file(const fs::path& p) {
  const std::string e = p.extension().string();
  return e == ".pt" || e == ".pth" || e == ".bin" || e == ".safetensors";
}

// A Muonscope run's training state (TrainState.h: state-N.pt beside step-N.safetensors): the
// optimizer state for resuming, not a model.
bool is_training_state(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.rfind("state-", 0) != 0 || p.extension() != ".pt") return false;
  std::error_code ec;
  return fs::exists(p.parent_path() / ("step-" + name.substr(6, name.size() - 9) + ".safetensors"),
                    ec);
}

bool has_glob(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

// The probe batch: B windows of T + 1 consecutive tokens from the start of the file.
std::vector<int64_t> probe_tokens(const std::string& probe, const LoadedCheckpoint& ck,
                                  int64_t need) {
  std::vector<int64_t> out;
  if (fs::path(probe).extension() == ".bin") {
    std::vector<uint16_t> t;
    const TokenFileInfo info = TokenSource::read_file(probe, t, need);
    if (info.tokens < need)
      fail(probe, "holds " + std::to_string(info.tokens) + " tokens; the probe needs B * T + 1 = " +
                      std::to_string(need) + " (lower --batch or --seq)");
    out.assign(t.begin(), t.end());
  } else {
    std::error_code ec;
    const fs::path dir = ck.folder;
    if (!fs::exists(dir / "tokenizer.json", ec) &&
        !(fs::exists(dir / "vocab.json", ec) && fs::exists(dir / "merges.txt", ec)))
      fail(probe, "is text, but " + dir.string() +
                      " has no tokenizer.json (or vocab.json + merges.txt) to tokenize it; give a "
                      "token file (.bin) instead");
    const BpeTokenizer tok = BpeTokenizer::from_folder(dir.string());
    std::ifstream in(probe, std::ios::binary);
    if (!in) fail(probe, "cannot open");
    // Enough text for the tokens needed (a token is rarely over 16 bytes), cut at a line end.
    std::string text(static_cast<size_t>(std::min<int64_t>(need * 16 + 4096, int64_t(1) << 28)),
                     '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (!in.eof()) {
      const size_t nl = text.rfind('\n');
      if (nl != std::string::npos) text.resize(nl + 1);
    }
    const std::vector<int32_t> ids = tok.encode(text);
    if (static_cast<int64_t>(ids.size()) < need)
      fail(probe, "tokenizes to " + std::to_string(ids.size()) +
                      " tokens; the probe needs B * T + 1 = " + std::to_string(need) +
                      " (lower --batch or --seq)");
    out.assign(ids.begin(), ids.begin() + need);
  }
  for (int64_t t : out)
    if (t < 0 || t >= ck.model.vocab_size)
      fail(probe, "token id " + std::to_string(t) + " outside the model's vocabulary of " +
                      std::to_string(ck.model.vocab_size));
  return out;
}

// The model part of a config, for "same architecture" checks.
std::string model_key(const ModelConfig& m) {
  RunConfig r;
  r.model = m;
  return json::parse(config_to_json(r))["model"].dump();
}

}  // namespace

std::vector<std::string> expand_checkpoints(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& p) {
    if (seen.insert(fs::weakly_canonical(p).string()).second) out.push_back(p);
  };
  for (const std::string& in : inputs) {
    std::vector<std::string> hits;
    if (has_glob(in)) {
      glob_t g{};
      if (::glob(in.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          // RUN.ckpt/* also matches config.json and the training state: keep folders and
          // checkpoint files.
          const fs::path h(g.gl_pathv[i]);
          std::error_code ec;
          if (fs::is_directory(h, ec) || (is_checkpoint_file(h) && !is_training_state(h)))
            hits.push_back(h.string());
        }
      globfree(&g);
      if (hits.empty()) fail(in, "matches no file");
    } else {
      hits.push_back(in);
    }
    for (const std::string& h : hits) {
      std::error_code ec;
      const fs::path p(h);
      if (!fs::exists(p, ec)) fail(h, "no such file or folder");
      if (!fs::is_directory(p, ec) || is_checkpoint_folder(p)) {
        add(h);
        continue;
      }
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.is_directory(ec) ? is_checkpoint_folder(e.path())
                               : is_checkpoint_file(e.path()) && !is_training_state(e.path()))
          found.push_back(e.path().string());
      }
      if (found.empty())
        fail(h,
             "folder holds no checkpoints (subfolders with model.safetensors or ckpt.pt, or "
             ".pt / .safetensors files)");
      std::sort(found.begin(), found.end());
      for (const auto& f : found) add(f);
    }
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> order_checkpoints(
    const std::vector<std::string>& paths, std::function<void(const std::string&)> warning) {
  std::vector<std::pair<std::string, int64_t>> out;
  bool all_known = true;
  for (const std::string& p : paths) {
    int64_t s = stored_step(p);
    if (s < 0 && paths.size() == 1) s = 0;  // one checkpoint: a name like "qwen2" is no step
    if (s < 0) {
      s = step_from_name(p);
      if (s >= 0 && warning && paths.size() > 1)
        warning(p + ": no step stored; step " + std::to_string(s) + " taken from the name");
    }
    if (s < 0) all_known = false;
    out.emplace_back(p, s);
  }
  if (!all_known) {  // the position in the list for every checkpoint, so the order is kept
    if (warning && paths.size() > 1)
      warning("some checkpoints have no step (stored or in the name): numbered 0.." +
              std::to_string(paths.size() - 1) + " in the order given");
    for (size_t i = 0; i < out.size(); ++i) out[i].second = static_cast<int64_t>(i);
    return out;
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second < b.second; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].second == out[i - 1].second)
      fail(out[i].first, "has step " + std::to_string(out[i].second) + " like " + out[i - 1].first +
                             ": one run holds one checkpoint per step (inspect separate "
                             "training runs into separate files)");
  return out;
}

InspectResult inspect_checkpoints(const InspectOptions& opt, const InspectCallbacks& cb) {
  InspectResult res;
  std::unique_ptr<RunWriter> writer;
  auto cancelled = [&] { return cb.cancelled && cb.cancelled(); };
  try {
    if (opt.batch < 1)
      throw CheckpointError("--batch " + std::to_string(opt.batch) + ": must be at least 1");
    if (opt.seq < 2)
      throw CheckpointError("--seq " + std::to_string(opt.seq) + ": must be at least 2");
    const auto ordered = order_checkpoints(expand_checkpoints(opt.inputs), cb.warning);
    const int total = static_cast<int>(ordered.size());
    const torch::Device device = resolve_device(opt.device);
    RunConfig rc0;
    rc0.train.threads = opt.threads;
    at::set_num_threads(opt.threads > 0 ? opt.threads : usable_cores());
    torch::Tensor px, py;  // (B, T) probe, fixed by the first checkpoint
    std::unique_ptr<SnapshotBuilder> builder;
    std::string arch, first;
    int T = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < total; ++i) {
      const auto& [path, step] = ordered[static_cast<size_t>(i)];
      if (cancelled()) break;
      if (cb.progress) cb.progress(i, total, "loading " + path);
      LoadedCheckpoint ck = load_checkpoint(path, std::max(opt.seq, 2));
      if (cb.warning && !ck.unused.empty())
        cb.warning(path + ": " + std::to_string(ck.unused.size()) + " tensors not used, e.g. '" +
                   ck.unused.front() + "'");
      if (i == 0) {
        first = path;
        arch = model_key(ck.model);
        T = std::min(opt.seq, ck.model.seq_len);
        RunConfig rc = rc0;
        rc.name = fs::path(path).filename().string() + " (" + ck.family + ")";
        rc.preset = "inspect";
        rc.device = opt.device;
        rc.model = ck.model;
        rc.data.source =
            opt.probe.empty() || fs::path(opt.probe).extension() == ".bin" ? "tokens" : "text";
        rc.data.path = opt.probe;
        rc.metrics.probe_batch = opt.batch;
        rc.metrics.fta = false;
        rc.metrics.kivi_batches = 1;
        rc.train.steps = ordered.back().second;
        rc.train.batch_size = opt.batch;
        if (!opt.probe.empty()) {
          const std::vector<int64_t> tok = probe_tokens(opt.probe, ck, int64_t(opt.batch) * T + 1);
          torch::Tensor all = torch::tensor(tok, torch::kLong);                        // (B*T + 1)
          px = all.narrow(0, 0, int64_t(opt.batch) * T).view({opt.batch, T}).clone();  // (B, T)
          py = all.narrow(0, 1, int64_t(opt.batch) * T).view({opt.batch, T}).clone();  // (B, T)
        }
        RunConfig bc = rc;  // the builder's view: the probe length is the sequence length
        bc.model.seq_len = T;
        builder = std::make_unique<SnapshotBuilder>(bc, px, py, device);
        RunInfo info;
        info.config_json = config_to_json(rc);
        info.device = device_name(device);
        info.torch_version = torch_version_string();
        info.app_version = MUONSCOPE_VERSION;
        info.n_layer = ck.model.layers;
        info.n_head = ck.model.heads;
        info.head_dim = ck.model.head_dim();
        info.seq_len = T;
        info.probe_batch = opt.batch;
        info.vocab_size = ck.model.vocab_size;
        info.matrix_names = builder->matrix_names();
        info.matrix_shapes = builder->matrix_shapes();
        info.fta_groups = 0;
        info.optimizer_summary =
            "not trained here: " + ck.family + " checkpoint" + (total > 1 ? "s" : "");
        info.total_steps = ordered.back().second;
        info.n_params = ck.gpt->num_params();
        writer = std::make_unique<RunWriter>(opt.out, opt.overwrite);
        writer->begin(info);
      } else if (model_key(ck.model) != arch) {
        fail(path, "has a different architecture from " + first + " (one run, one architecture)");
      }
      if (cancelled()) break;
      if (cb.progress) cb.progress(i, total, "measuring " + path);
      ck.gpt->to(device);
      Snapshot s = builder->compute(*ck.gpt, step, /*with_kivi=*/px.defined());
      s.tokens = 0;
      s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      writer->append_snapshot(s);
      if (px.defined()) writer->append_val({step, 0, s.wall_s, s.val_loss});
      res.checkpoints.push_back(path);
      res.steps.push_back(step);
      res.probe_loss.push_back(s.val_loss);
    }
    if (cancelled()) {
      res.status = RunStatus::Stopped;
      res.message = "cancelled after " + std::to_string(res.checkpoints.size()) + " of " +
                    std::to_string(total) + " checkpoints";
    } else {
      res.status = RunStatus::Finished;
    }
    if (cb.progress) cb.progress(total, total, "done");
    if (writer) writer->finish(res.status, res.message);
  } catch (const std::exception& e) {
    res.status = RunStatus::Failed;
    res.message = e.what();
    if (writer) {
      try {
        writer->finish(RunStatus::Failed, res.message);
      } catch (const std::exception&) {
      }
    }
  }
  return res;
}

}  // namespace ms
