// Checkpoint import (core/ckpt/CheckpointLoader.h) against independent implementations: the
// fixtures of tests/fixtures/ckpt (make_fixtures.py) hold a nanoGPT ckpt.pt written by nanoGPT's
// own model.py, a GPT-2 model in Hugging Face naming, and Llama-family models (GQA, bf16 shards;
// q/k/v biases, fp16, tied) from a reference written in PyTorch, each with the logits and the
// K/V caches of a fixed token batch. The loaded GPT must reproduce them to 1e-4. Then the errors
// a user meets: missing config.json, unknown model_type, a tensor of the wrong shape or missing,
// a bad config value: each message names the file and the tensor or key.
#include <torch/torch.h>  // before Qt: its `slots` keyword clashes with torch's headers

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

#include "ckpt/CheckpointLoader.h"

using namespace ms;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(MUONSCOPE_SOURCE_DIR) + "/tests/fixtures/ckpt/";

torch::Tensor read_ref(const SafetensorsFile& f, const std::string& name) {
  const SafetensorsEntry* e = f.find(name);
  if (!e) throw std::runtime_error("reference lacks " + name);
  std::vector<float> v = f.read_float(name);
  return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat)
      .clone()
      .view(e->shape);
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The message of the CheckpointError f throws (fails the test when none is thrown).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT

  // Logits and K/V of the loaded model against the fixture's reference.
  void matchesReference(const std::string& path, const std::string& folder, const char* family,
                        int kv_heads) {
    LoadedCheckpoint ck = load_checkpoint(path);
    QCOMPARE(ck.family, std::string(family));
    QCOMPARE(ck.model.kv_head_count(), kv_heads);
    QVERIFY2(ck.unused.empty(), ck.unused.empty() ? "" : ck.unused.front().c_str());
    SafetensorsFile ref(kFixtures + folder + "/reference.safetensors");
    const torch::Tensor idx = read_ref(ref, "tokens").to(torch::kLong);  // (B, T)
    torch::NoGradGuard ng;
    ck.gpt->eval();
    std::vector<LayerCapture> cap;
    ForwardOptions fo;
    fo.capture = &cap;
    const torch::Tensor logits = ck.gpt->forward(idx, fo);  // (B, T, V)
    const double dl = max_diff(logits, read_ref(ref, "logits"));
    qInfo("%s: max |logits - reference| = %.3g (logits up to %.3g)", folder.c_str(), dl,
          logits.abs().max().item<double>());
    QVERIFY2(dl < 1e-4, qPrintable(QString::number(dl)));
    const int64_t n_rep = ck.model.heads / kv_heads;
    for (size_t l = 0; l < cap.size(); ++l) {
      // reference (B, Hkv, T, hd); ours per query head (B, H, T, hd)
      const torch::Tensor k = read_ref(ref, "k." + std::to_string(l)).repeat_interleave(n_rep, 1);
      const torch::Tensor v = read_ref(ref, "v." + std::to_string(l)).repeat_interleave(n_rep, 1);
      QVERIFY2(max_diff(cap[l].k, k) < 1e-4,
               qPrintable(QString("K layer %1: %2").arg(l).arg(max_diff(cap[l].k, k))));
      QVERIFY2(max_diff(cap[l].v, v) < 1e-4, qPrintable(QString("V layer %1").arg(l)));
    }
  }

 private slots:
  void nanogptCkptPt() {
    matchesReference(kFixtures + "nanogpt/ckpt.pt", "nanogpt", "nanogpt", 2);
    LoadedCheckpoint ck = load_checkpoint(kFixtures + "nanogpt");  // the folder works too
    QCOMPARE(ck.step, int64_t(250));
    QCOMPARE(ck.model.ffn, std::string("gelu"));
    QVERIFY(ck.model.tie_embeddings && ck.model.pos == "learned" && ck.model.norm_bias);
    QCOMPARE(ck.format, std::string("torch.save"));
  }
  void gpt2Safetensors() {
    matchesReference(kFixtures + "gpt2", "gpt2", "gpt2", 2);
    LoadedCheckpoint ck = load_checkpoint(kFixtures + "gpt2/model.safetensors");
    QCOMPARE(ck.model.ffn, std::string("gelu_tanh"));
    QCOMPARE(ck.step, int64_t(-1));
  }
  void llamaShardedBf16Gqa() {
    matchesReference(kFixtures + "llama", "llama", "llama", 2);
    LoadedCheckpoint ck = load_checkpoint(kFixtures + "llama/model.safetensors.index.json");
    QCOMPARE(ck.format, std::string("safetensors (2 shards)"));
    QCOMPARE(ck.model.rope_theta, 500000.0);
    QVERIFY(!ck.model.tie_embeddings);
  }
  void qwen2BiasFp16Tied() {
    matchesReference(kFixtures + "qwen2", "qwen2", "llama", 2);
    LoadedCheckpoint ck = load_checkpoint(kFixtures + "qwen2");
    QCOMPARE(ck.model.attn_bias, std::string("qkv"));
    QVERIFY(ck.model.tie_embeddings);
  }

  void stepFromName() {
    QCOMPARE(step_from_name("/runs/ckpt_2000.pt"), int64_t(2000));
    QCOMPARE(step_from_name("/runs/checkpoint-500"), int64_t(500));
    QCOMPARE(step_from_name("/runs/checkpoint-500/model.safetensors"), int64_t(500));
    QCOMPARE(step_from_name("/runs/step-0012.safetensors"), int64_t(12));
    QCOMPARE(step_from_name("/runs/final.pt"), int64_t(-1));
  }

  void errorsNameTheFileAndTensor() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    auto copy_fixture = [&](const char* name) {
      const std::string to = d + "/" + name;
      fs::create_directories(to);
      for (const auto& e : fs::directory_iterator(kFixtures + name))
        fs::copy_file(e.path(), to + "/" + e.path().filename().string(),
                      fs::copy_options::overwrite_existing);
      return to;
    };
    // No config.json.
    const std::string g = copy_fixture("gpt2");
    fs::remove(g + "/config.json");
    std::string m = error_of([&] { load_checkpoint(g); });
    QVERIFY2(m.find(g) == 0 && m.find("no config.json") != std::string::npos, m.c_str());
    // Unknown model_type.
    write_text(g + "/config.json", R"({"model_type": "bert", "hidden_size": 32})");
    m = error_of([&] { load_checkpoint(g); });
    QVERIFY2(
        m.find(g + "/config.json") == 0 && m.find("unknown model_type 'bert'") != std::string::npos,
        m.c_str());
    // A config that does not fit the weights: n_embd 48 -> c_attn expected (48, 144).
    std::string cfg = slurp(kFixtures + "gpt2/config.json");
    write_text(g + "/config.json", cfg.replace(cfg.find("\"n_embd\": 32"), 12, "\"n_embd\": 48"));
    m = error_of([&] { load_checkpoint(g); });
    QVERIFY2(
        m.find(
            g +
            "/model.safetensors: tensor 'wte.weight': expected shape [64, 48], found [64, 32]") ==
            0,
        m.c_str());
    // A wrong key type.
    write_text(
        g + "/config.json",
        R"({"model_type": "gpt2", "n_embd": "32", "n_layer": 2, "n_head": 2, "vocab_size": 64})");
    m = error_of([&] { load_checkpoint(g); });
    QVERIFY2(m.find("config key 'n_embd' = \"32\"") != std::string::npos, m.c_str());
    // A tensor missing from the file.
    write_text(g + "/config.json", slurp(kFixtures + "gpt2/config.json"));
    {
      SafetensorsFile full(kFixtures + "gpt2/model.safetensors");
      std::vector<SafetensorsTensor> keep;
      for (const auto& e : full.entries())
        if (e.name != "h.1.mlp.c_fc.bias")
          keep.push_back({e.name, e.shape, full.read_float(e.name)});
      write_safetensors(g + "/model.safetensors", keep);
    }
    m = error_of([&] { load_checkpoint(g); });
    QVERIFY2(m.find(g + "/model.safetensors: tensor 'h.1.mlp.c_fc.bias' missing") == 0, m.c_str());
    // A shard index naming a tensor its shard lacks.
    const std::string l = copy_fixture("llama");
    std::string index = slurp(l + "/model.safetensors.index.json");
    const std::string key = "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"";
    QVERIFY(index.find(key) != std::string::npos);
    index.replace(index.find(key), key.size(),
                  "\"model.norm.weight.x\": \"model-00002-of-00002.safetensors\"");
    write_text(l + "/model.safetensors.index.json", index);
    m = error_of([&] { load_checkpoint(l); });
    QVERIFY2(m.find("model.norm.weight.x") != std::string::npos, m.c_str());
    // RoPE scaling is refused by name rather than computed wrongly.
    const std::string q = copy_fixture("qwen2");
    cfg = slurp(q + "/config.json");
    cfg.insert(cfg.rfind('}'), R"(, "rope_scaling": {"rope_type": "llama3", "factor": 8.0})");
    write_text(q + "/config.json", cfg);
    m = error_of([&] { load_checkpoint(q); });
    QVERIFY2(m.find("rope_scaling") != std::string::npos, m.c_str());
    // Not a checkpoint at all.
    write_text(d + "/notes.pt", "hello");
    m = error_of([&] { load_checkpoint(d + "/notes.pt"); });
    QVERIFY2(m.find(d + "/notes.pt: not a torch.save zip archive") == 0, m.c_str());
    m = error_of([&] { load_checkpoint(d + "/missing"); });
    QVERIFY2(m.find("no such file") != std::string::npos, m.c_str());
  }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
