// CheckpointLoader: opens the file, finds the family and its config, then copies every tensor
// of the family's table (ModelFamilies.cpp) into a fresh GPT after checking its shape.
#include "ckpt/CheckpointLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "ckpt/ModelFamilies.h"
#include "ckpt/TorchArchive.h"

namespace ms {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw CheckpointError(file + ": " + what);
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << "]";
  return o.str();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) fail(p.string(), "cannot open");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The tensors of a checkpoint, whatever the container.
struct TensorStore {
  std::map<std::string, std::vector<int64_t>> shapes;  // name -> shape
  std::function<std::vector<float>(const std::string&)> read;
  std::function<std::string(const std::string&)> file_of;
  std::string main_file;  // named when a tensor is missing
};

TensorStore store_of(const SafetensorsModel& st) {
  TensorStore s;
  for (const auto& n : st.names()) s.shapes[n] = st.find(n)->shape;
  s.read = [&st](const std::string& n) { return st.read_float(n); };
  s.file_of = [&st](const std::string& n) { return st.file_of(n); };
  s.main_file = st.files().size() > 1
                    ? (fs::path(st.folder()) / "model.safetensors.index.json").string()
                    : st.files().front().path();
  return s;
}

// A state dict inside a torch.save archive; `strip` removed from the front of every key.
TensorStore store_of(const TorchArchive& ar, const PyValue& dict, const std::string& strip) {
  TensorStore s;
  auto refs = std::make_shared<std::map<std::string, TorchTensorRef>>();
  for (const auto& [k, v] : dict.dict) {
    if (k->kind != PyValue::Kind::Str || v->kind != PyValue::Kind::Tensor) continue;
    std::string name = k->s;
    if (!strip.empty() && name.rfind(strip, 0) == 0) name = name.substr(strip.size());
    (*refs)[name] = v->tensor;
    s.shapes[name] = v->tensor.size;
  }
  s.read = [&ar, refs](const std::string& n) { return ar.read_float(refs->at(n), n); };
  s.file_of = [&ar](const std::string&) { return ar.path(); };
  s.main_file = ar.path();
  return s;
}

// The shape the checkpoint must store for our parameter of shape `ours`.
std::vector<int64_t> expected_shape(const TensorSource& src, std::vector<int64_t> ours) {
  if (src.part >= 0) ours[0] *= 3;                 // fused QKV: 3 slices along out
  if (src.transpose) std::swap(ours[0], ours[1]);  // Conv1D: (in, out)
  return ours;
}

void copy_weights(GPTImpl& gpt, const std::string& family, const TensorStore& store,
                  const std::string& prefix, LoadedCheckpoint& out) {
  torch::NoGradGuard ng;
  std::map<std::string, torch::Tensor> params;
  for (const NamedParam& p : gpt.named_params()) params[p.name] = p.param;
  std::vector<TensorSource> table = tensor_sources(family, gpt.config(), prefix);
  std::set<std::string> used, filled;
  std::map<std::string, torch::Tensor> cache;  // fused tensors read once
  for (const TensorSource& src : table) {
    const auto pit = params.find(src.ours);
    if (pit == params.end())
      throw std::logic_error("checkpoint table names unknown parameter " + src.ours);
    torch::Tensor& dst = pit->second;
    const auto sit = store.shapes.find(src.theirs);
    if (sit == store.shapes.end())
      fail(store.main_file, "tensor '" + src.theirs + "' missing (the " + family +
                                " layout needs it for " + src.ours + ", shape " +
                                shape_str(expected_shape(src, dst.sizes().vec())) + ")");
    const std::vector<int64_t> want = expected_shape(src, dst.sizes().vec());
    if (sit->second != want)
      fail(store.file_of(src.theirs), "tensor '" + src.theirs + "': expected shape " +
                                          shape_str(want) + ", found " + shape_str(sit->second));
    torch::Tensor t;
    if (auto c = cache.find(src.theirs); c != cache.end()) {
      t = c->second;
    } else {
      std::vector<float> v = store.read(src.theirs);
      t = torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat)
              .clone()
              .view(sit->second);
      if (src.part >= 0) cache[src.theirs] = t;
      out.n_weights += t.numel();
    }
    if (src.transpose) t = t.t();
    if (src.part >= 0) t = t.narrow(0, src.part * dst.size(0), dst.size(0));
    dst.copy_(t);
    used.insert(src.theirs);
    filled.insert(src.ours);
  }
  for (const auto& [name, t] : params)
    if (!filled.count(name))
      throw std::logic_error("checkpoint table leaves parameter " + name + " unset");
  for (const auto& [name, shape] : store.shapes)
    if (!used.count(name) && !ignorable_tensor(family, name)) out.unused.push_back(name);
}

// The step a torch.save dict stores: nanoGPT's iter_num, else a "step" / "global_step" entry.
int64_t step_in(const PyValue& root) {
  for (const char* key : {"iter_num", "step", "global_step"}) {
    const PyValue* v = root.get(key);
    if (v && v->kind == PyValue::Kind::Int) return v->i;
  }
  return -1;
}

// The step of a safetensors checkpoint: the metadata "step" (Muonscope's own checkpoints), else
// a Hugging Face Trainer folder's trainer_state.json global_step.
int64_t step_in(const SafetensorsModel& st) {
  const auto& md = st.metadata();
  if (auto it = md.find("step"); it != md.end()) {
    try {
      return std::stoll(it->second);
    } catch (const std::exception&) {
      fail(st.files().front().path(), "metadata step = '" + it->second + "' is not a number");
    }
  }
  std::error_code ec;
  const fs::path trainer = fs::path(st.folder()) / "trainer_state.json";
  if (fs::exists(trainer, ec)) {
    const json tj = json::parse(slurp(trainer), nullptr, false);
    if (tj.is_object() && tj.contains("global_step") && tj["global_step"].is_number_integer())
      return tj["global_step"].get<int64_t>();
  }
  return -1;
}

// Python literal dict (model_args) -> JSON object of its plain values.
json to_json(const PyValue& v) {
  switch (v.kind) {
    case PyValue::Kind::None:
      return nullptr;
    case PyValue::Kind::Bool:
      return v.b;
    case PyValue::Kind::Int:
      return v.i;
    case PyValue::Kind::Float:
      return v.f;
    case PyValue::Kind::Str:
      return v.s;
    case PyValue::Kind::Dict: {
      json o = json::object();
      for (const auto& [k, x] : v.dict)
        if (k->kind == PyValue::Kind::Str) o[k->s] = to_json(*x);
      return o;
    }
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple: {
      json a = json::array();
      for (const auto& x : v.items) a.push_back(to_json(*x));
      return a;
    }
    default:
      return v.describe();
  }
}

LoadedCheckpoint load_torch_save(const fs::path& file, int max_seq, LoadedCheckpoint out) {
  TorchArchive ar(file.string());
  const PyValue& root = ar.root();
  if (root.kind != PyValue::Kind::Dict)
    fail(file.string(), "holds a " + root.describe() + ", not a dict");
  const fs::path config = file.parent_path() / "config.json";
  out.format = "torch.save";
  const PyValue* model = root.get("model");
  const PyValue* args = root.get("model_args");
  if (model && args) {  // nanoGPT train.py
    if (model->kind != PyValue::Kind::Dict)
      fail(file.string(), "'model' is a " + model->describe());
    if (args->kind != PyValue::Kind::Dict)
      fail(file.string(), "'model_args' is a " + args->describe());
    out.family = "nanogpt";
    out.config_json = to_json(*args).dump();
    out.model =
        model_config_for("nanogpt", out.config_json, file.string() + " (model_args)", max_seq);
    const std::string orig = "_orig_mod.";
    const bool compiled = std::any_of(model->dict.begin(), model->dict.end(), [&](const auto& kv) {
      return kv.first->kind == PyValue::Kind::Str && kv.first->s.rfind(orig, 0) == 0;
    });
    TensorStore store = store_of(ar, *model, compiled ? orig : "");
    out.gpt = GPT(out.model);
    copy_weights(*out.gpt, "nanogpt", store, "transformer.", out);
  } else if (fs::exists(config)) {  // Hugging Face pytorch_model.bin: a bare state dict
    out.config_json = slurp(config);
    const json cj = json::parse(out.config_json, nullptr, false);
    if (cj.is_discarded() || !cj.is_object()) fail(config.string(), "not valid JSON");
    if (!cj.contains("model_type") || !cj["model_type"].is_string())
      fail(config.string(), "no \"model_type\"");
    out.family = family_of_model_type(cj["model_type"].get<std::string>(), config.string());
    out.model = model_config_for(out.family, out.config_json, config.string(), max_seq);
    TensorStore store = store_of(ar, root, "");
    std::string prefix;
    if (out.family == "gpt2" && store.shapes.count("transformer.wte.weight"))
      prefix = "transformer.";
    out.gpt = GPT(out.model);
    copy_weights(*out.gpt, out.family, store, prefix, out);
  } else {
    fail(file.string(),
         "neither a nanoGPT checkpoint (keys 'model' and 'model_args') nor a state dict "
         "with a config.json beside it");
  }
  out.step = step_in(root);
  return out;
}

LoadedCheckpoint load_safetensors(const fs::path& path, int max_seq, LoadedCheckpoint out) {
  SafetensorsModel st(path.string());
  out.folder = st.folder();
  const fs::path config = fs::path(st.folder()) / "config.json";
  if (!fs::exists(config))
    fail(path.string(),
         "no config.json beside the weights (" + config.string() + "): it gives the architecture");
  out.config_json = slurp(config);
  const json cj = json::parse(out.config_json, nullptr, false);
  if (cj.is_discarded() || !cj.is_object()) fail(config.string(), "not valid JSON");
  if (cj.contains("muonscope_config")) {  // Muonscope's own checkpoint (CheckpointWriter.h)
    const json names = cj.value("muonscope_naming", json());
    if (!names.is_string() || (names != "gpt2" && names != "llama"))
      fail(config.string(),
           "muonscope_naming = " + names.dump() + ": expected \"gpt2\" or \"llama\"");
    out.family = names.get<std::string>();
    out.config_json = cj["muonscope_config"].dump();
    try {
      out.model = config_from_json(out.config_json).model;
    } catch (const std::exception& e) {
      fail(config.string(), std::string("muonscope_config: ") + e.what());
    }
    if (out.model.pos == "rope") out.model.seq_len = std::min(out.model.seq_len, max_seq);
  } else {
    if (!cj.contains("model_type") || !cj["model_type"].is_string())
      fail(config.string(), "no \"model_type\" (gpt2, llama, mistral, qwen2)");
    out.family = family_of_model_type(cj["model_type"].get<std::string>(), config.string());
    out.model = model_config_for(out.family, out.config_json, config.string(), max_seq);
  }
  out.format = st.files().size() > 1
                   ? "safetensors (" + std::to_string(st.files().size()) + " shards)"
                   : "safetensors";
  TensorStore store = store_of(st);
  std::string prefix;
  if (out.family == "gpt2" && store.shapes.count("transformer.wte.weight")) prefix = "transformer.";
  out.gpt = GPT(out.model);
  copy_weights(*out.gpt, out.family, store, prefix, out);
  out.step = step_in(st);
  return out;
}

}  // namespace

int64_t stored_step(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "model.safetensors.index.json", ec) ||
        fs::exists(p / "model.safetensors", ec))
      return step_in(SafetensorsModel(p.string()));
    for (const char* f : {"ckpt.pt", "pytorch_model.bin"})
      if (fs::exists(p / f, ec)) return stored_step((p / f).string());
    return -1;
  }
  const std::string ext = p.extension().string();
  if (ext == ".safetensors" || ext == ".json") return step_in(SafetensorsModel(p.string()));
  return step_in(TorchArchive(p.string()).root());  // the pickle only: no tensor data is read
}

int64_t step_from_name(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  if (name == "ckpt.pt" || name == "model.safetensors" || name == "pytorch_model.bin")
    name = fs::path(path).parent_path().filename().string();  // the folder carries the number
  int64_t v = -1;
  size_t i = name.size();
  while (i > 0 && !std::isdigit(static_cast<unsigned char>(name[i - 1]))) --i;
  size_t j = i;
  while (j > 0 && std::isdigit(static_cast<unsigned char>(name[j - 1]))) --j;
  if (j < i && i - j < 18) v = std::stoll(name.substr(j, i - j));
  return v;
}

LoadedCheckpoint load_checkpoint(const std::string& path_in, int max_seq) {
  LoadedCheckpoint out;
  out.path = path_in;
  std::error_code ec;
  fs::path p(path_in);
  if (!fs::exists(p, ec)) fail(path_in, "no such file or folder");
  if (fs::is_directory(p, ec)) {
    out.folder = p.string();
    if (fs::exists(p / "model.safetensors.index.json") || fs::exists(p / "model.safetensors"))
      return load_safetensors(p, max_seq, out);
    for (const char* f : {"ckpt.pt", "pytorch_model.bin"})
      if (fs::exists(p / f)) return load_torch_save(p / f, max_seq, out);
    fail(path_in,
         "folder holds no checkpoint (model.safetensors, model.safetensors.index.json, "
         "ckpt.pt or pytorch_model.bin)");
  }
  out.folder = p.parent_path().empty() ? "." : p.parent_path().string();
  const std::string ext = p.extension().string();
  if (ext == ".safetensors" || ext == ".json") return load_safetensors(p, max_seq, out);
  return load_torch_save(p, max_seq, out);
}

}  // namespace ms
