// Checkpoint inspection (core/ckpt/Inspector.h) end to end on the fixtures of tests/fixtures/ckpt:
// a series of three checkpoints becomes a run with three snapshots in step order; the probe batch
// is the documented one (window b = tokens[b*T, (b+1)*T), targets shifted by one), checked by
// recomputing the probe loss from the file with plain torch; weights-only runs leave the
// activation metrics NaN; errors (short probe, mixed architectures, equal steps, bad files) end
// in status Failed with a message naming the file, and a cancelled inspection keeps what it wrote.
#include <torch/torch.h>  // before Qt: its `slots` keyword clashes with torch's headers

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "ckpt/CheckpointLoader.h"
#include "ckpt/CheckpointWriter.h"
#include "ckpt/Inspector.h"
#include "data/BpeTokenizer.h"
#include "store/RunReader.h"
#include "store/RunWriter.h"
#include "train/Trainer.h"

using namespace ms;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(MUONSCOPE_SOURCE_DIR) + "/tests/fixtures/ckpt/";

// A raw uint16 token file (nanoGPT .bin) of n seeded ids below vocab.
std::vector<uint16_t> write_tokens(const std::string& path, int n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint16_t> t(static_cast<size_t>(n));
  for (auto& x : t) x = static_cast<uint16_t>(rng() % static_cast<unsigned>(vocab));
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(2 * t.size()));
  return t;
}

void copy_dir(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from))
    fs::copy_file(e.path(), fs::path(to) / e.path().filename(),
                  fs::copy_options::overwrite_existing);
}

}  // namespace

class TestInspect : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string p(const std::string& name) const {
    return dir_.filePath(QString::fromStdString(name)).toStdString();
  }

 private slots:
  void seriesInStepOrder() {
    // Three copies of the GPT-2 fixture whose names sort differently as text and as numbers; no
    // step stored, so the numbers in the names order them.
    const std::string series = p("series");
    for (const char* s : {"checkpoint-1000", "checkpoint-200", "checkpoint-30"})
      copy_dir(kFixtures + "gpt2", series + "/" + s);
    write_tokens(p("probe.bin"), 1000, 64, 1);
    InspectOptions o;
    o.inputs = {series};
    o.out = p("series.h5");
    o.probe = p("probe.bin");
    o.batch = 3;
    o.seq = 16;
    std::vector<std::string> warnings;
    std::vector<int> progress;
    InspectCallbacks cb;
    cb.warning = [&](const std::string& w) { warnings.push_back(w); };
    cb.progress = [&](int done, int, const std::string&) { progress.push_back(done); };
    const InspectResult r = inspect_checkpoints(o, cb);
    QVERIFY2(r.status == RunStatus::Finished, r.message.c_str());
    QCOMPARE(r.steps, std::vector<int64_t>({30, 200, 1000}));
    QCOMPARE(warnings.size(), size_t(3));  // each step taken from a name
    QCOMPARE(progress.back(), 3);
    RunReader rr(o.out);
    QCOMPARE(rr.status(), RunStatus::Finished);
    QCOMPARE(rr.snapshot_steps(), std::vector<int64_t>({30, 200, 1000}));
    QCOMPARE(rr.info().seq_len, 16);
    QCOMPARE(rr.info().probe_batch, 3);
    QCOMPARE(rr.vals().size(), size_t(3));  // the probe loss per checkpoint
    const Snapshot s = rr.snapshot(2);
    QCOMPARE(int(s.layers.size()), 2);
    QVERIFY(std::isfinite(s.val_loss));
    QVERIFY(std::isfinite(s.layers[0].pr_sv[kActK][0]));
    QVERIFY(std::isfinite(s.layers[1].matrices[0].erank));
    QVERIFY(s.kivi.valid && std::isfinite(s.kivi.k_chan_v_tok[0]));
    QCOMPARE(s.layers[0].k_post.token_all.size(), size_t(3 * 16));
  }

  void probeIsTheDocumentedBatch() {
    const int B = 4, T = 16;
    const std::vector<uint16_t> tok = write_tokens(p("probe2.bin"), 5000, 64, 2);
    InspectOptions o;
    o.inputs = {kFixtures + "nanogpt/ckpt.pt"};
    o.out = p("nano.h5");
    o.probe = p("probe2.bin");
    o.batch = B;
    o.seq = T;
    const InspectResult r = inspect_checkpoints(o);
    QVERIFY2(r.status == RunStatus::Finished, r.message.c_str());
    QCOMPARE(r.steps, std::vector<int64_t>({250}));  // nanoGPT's iter_num
    // Recompute: window b has inputs tok[b*T, (b+1)*T) and targets one further.
    LoadedCheckpoint ck = load_checkpoint(kFixtures + "nanogpt/ckpt.pt");
    torch::Tensor x = torch::empty({B, T}, torch::kLong), y = torch::empty({B, T}, torch::kLong);
    for (int b = 0; b < B; ++b)
      for (int t = 0; t < T; ++t) {
        x[b][t] = int64_t(tok[size_t(b * T + t)]);
        y[b][t] = int64_t(tok[size_t(b * T + t + 1)]);
      }
    torch::NoGradGuard ng;
    ck.gpt->eval();
    const torch::Tensor logits = ck.gpt->forward(x);  // (B, T, V)
    const double want = torch::nn::functional::cross_entropy(
                            logits.view({B * T, -1}).to(torch::kDouble), y.view({B * T}))
                            .item<double>();
    QVERIFY2(std::fabs(r.probe_loss[0] - want) < 1e-5,
             qPrintable(QString("%1 vs %2").arg(r.probe_loss[0]).arg(want)));
    RunReader rr(o.out);
    QVERIFY(std::fabs(rr.snapshot(0).val_loss - want) < 1e-5);
  }

  void weightsOnly() {
    InspectOptions o;
    o.inputs = {kFixtures + "llama"};
    o.out = p("w.h5");
    const InspectResult r = inspect_checkpoints(o);
    QVERIFY2(r.status == RunStatus::Finished, r.message.c_str());
    RunReader rr(o.out);
    const Snapshot s = rr.snapshot(0);
    QVERIFY(std::isnan(s.val_loss));
    QVERIFY(std::isnan(s.layers[0].pr_sv[kActK][0]));
    QVERIFY(!s.kivi.valid);
    QVERIFY(std::isfinite(s.layers[0].matrices[0].erank));  // spectra need no probe
    QVERIFY(std::isfinite(s.layers[0].qk_heads[0].erank));
    // GQA: attn.k is (2 K/V heads * 8, 32)
    const auto& names = rr.info().matrix_names;
    const size_t k = size_t(std::find(names.begin(), names.end(), "attn.k") - names.begin());
    QCOMPARE(rr.info().matrix_shapes[k], (std::array<int, 2>{16, 32}));
    QCOMPARE(s.layers[0].matrices[k].sv.size(), size_t(16));
  }

  void errorsNameTheFile() {
    write_tokens(p("short.bin"), 20, 64, 3);
    InspectOptions o;
    o.inputs = {kFixtures + "nanogpt/ckpt.pt"};
    o.out = p("short.h5");
    o.probe = p("short.bin");
    o.batch = 4;
    o.seq = 16;
    InspectResult r = inspect_checkpoints(o);
    QCOMPARE(r.status, RunStatus::Failed);
    QVERIFY2(
        r.message.find(p("short.bin") + ": holds 20 tokens; the probe needs B * T + 1 = 65") == 0,
        r.message.c_str());
    // Token ids beyond the vocabulary.
    write_tokens(p("wide.bin"), 1000, 1000, 4);
    o.probe = p("wide.bin");
    o.out = p("wide.h5");
    r = inspect_checkpoints(o);
    QVERIFY2(r.message.find("outside the model's vocabulary of 64") != std::string::npos,
             r.message.c_str());
    // Text probe without a tokenizer in the model folder.
    std::ofstream(p("probe.txt")) << "To be, or not to be\n";
    o.probe = p("probe.txt");
    o.out = p("text.h5");
    r = inspect_checkpoints(o);
    QVERIFY2(r.message.find("has no tokenizer.json") != std::string::npos, r.message.c_str());
    // Two architectures in one run: the second file is named and the first snapshot kept.
    write_tokens(p("probe3.bin"), 1000, 64, 5);
    o.inputs = {kFixtures + "nanogpt/ckpt.pt", kFixtures + "llama"};
    o.probe = p("probe3.bin");
    o.out = p("mixed.h5");
    r = inspect_checkpoints(o);
    QCOMPARE(r.status, RunStatus::Failed);
    QVERIFY2(r.message.find("different architecture") != std::string::npos, r.message.c_str());
    {
      RunReader rr(o.out);
      QCOMPARE(rr.status(), RunStatus::Failed);
      QCOMPARE(rr.num_snapshots(), 1);
    }
    // Two checkpoints at one step.
    copy_dir(kFixtures + "gpt2", p("dup/a-100"));
    copy_dir(kFixtures + "gpt2", p("dup/b-100"));
    o.inputs = {p("dup")};
    o.out = p("dup.h5");
    r = inspect_checkpoints(o);
    QVERIFY2(r.message.find("has step 100 like") != std::string::npos, r.message.c_str());
    // Nothing there.
    o.inputs = {p("nothing-*.pt")};
    r = inspect_checkpoints(o);
    QVERIFY2(r.message.find("matches no file") != std::string::npos, r.message.c_str());
    fs::create_directories(p("empty"));
    o.inputs = {p("empty")};
    r = inspect_checkpoints(o);
    QVERIFY2(r.message.find("holds no checkpoints") != std::string::npos, r.message.c_str());
  }

  void ownCheckpointsDuringTraining() {
    // A tiny run with train.checkpoint_every = 10 over 20 steps: RUN.ckpt/step-10, step-20.
    RunConfig c = preset("quick");
    c.model.layers = 1;
    c.model.d_model = 32;
    c.model.heads = 2;
    c.model.seq_len = 32;
    c.model.qk_norm = true;  // q_norm / k_norm must travel too
    c.train.batch_size = 4;
    c.train.steps = 20;
    c.train.val_every = 10;
    c.train.threads = 1;
    c.train.checkpoint_every = 10;
    c.metrics.every = 20;
    c.metrics.probe_batch = 2;
    c.metrics.kivi_every = 0;
    c.device = "cpu";
    const std::string run = p("trained.h5");
    Trainer t(c);
    RunWriter w(run, false);
    w.begin(t.prepare());
    t.set_checkpoint_dir(checkpoint_dir_for(run));
    Snapshot last;
    Trainer::Callbacks cb;
    cb.on_snapshot = [&](const Snapshot& s) { last = s; };
    QCOMPARE(t.run(cb), RunStatus::Finished);
    w.finish(RunStatus::Finished);
    const std::string dir = p("trained.ckpt");
    QVERIFY(fs::exists(dir + "/step-10.safetensors") && fs::exists(dir + "/step-20.safetensors"));
    QVERIFY(fs::exists(dir + "/config.json"));
    SafetensorsFile f(dir + "/step-20.safetensors");
    QCOMPARE(f.metadata().at("step"), std::string("20"));
    QVERIFY(f.find("model.layers.0.self_attn.q_proj.weight"));  // Llama names (RoPE model)
    QVERIFY(f.find("model.layers.0.self_attn.q_norm.weight"));
    QVERIFY(!f.find("model.layers.0.mlp.gate_proj.weight"));  // GELU MLP: no gate
    // Inspecting the folder gives both steps, and the weight metrics of step 20 equal those the
    // training run measured at its last step (same weights, same code).
    InspectOptions o;
    o.inputs = {dir};
    o.out = p("trained-inspect.h5");
    const InspectResult r = inspect_checkpoints(o);
    QVERIFY2(r.status == RunStatus::Finished, r.message.c_str());
    QCOMPARE(r.steps, std::vector<int64_t>({10, 20}));
    // The folder also holds the newest training state (state-20.pt, for resuming): neither the
    // folder nor a glob over it takes that file for a checkpoint.
    QVERIFY(fs::exists(dir + "/state-20.pt"));
    QCOMPARE(expand_checkpoints({dir + "/*"}).size(), size_t(2));
    RunReader rr(o.out);
    const Snapshot s = rr.snapshot(1);
    QCOMPARE(s.matrix_names, last.matrix_names);
    for (size_t m = 0; m < s.matrix_names.size(); ++m) {
      const auto& a = s.layers[0].matrices[m].sv;
      const auto& b = last.layers[0].matrices[m].sv;
      QCOMPARE(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i)
        QVERIFY2(std::fabs(a[i] - b[i]) <= 1e-5f * std::max(1.0f, b[i]),
                 qPrintable(QString::fromStdString(s.matrix_names[m]) + QString(" sv %1").arg(i)));
    }
  }

  void llamaCompatibleCheckpointLoadsAsHuggingFace() {
    // A SwiGLU / RMSNorm / RoPE / GQA model is written with Llama's own config keys: read back
    // through the plain Hugging Face path (muonscope_config removed) it gives the same logits.
    RunConfig c;
    c.model.vocab_size = 48;
    c.model.layers = 2;
    c.model.d_model = 32;
    c.model.heads = 4;
    c.model.kv_heads = 2;
    c.model.ffn = "swiglu";
    c.model.rope_theta = 50000;
    c.model.seq_len = 16;
    torch::manual_seed(3);
    GPT g(c.model);
    const std::string dir = p("llama-own");
    write_checkpoint(*g, c, 7, dir);
    std::ifstream in(dir + "/config.json");
    nlohmann::json j = nlohmann::json::parse(in);
    QCOMPARE(j["model_type"].get<std::string>(), std::string("llama"));
    j.erase("muonscope_config");
    j.erase("muonscope_naming");
    std::ofstream(dir + "/config.json") << j.dump(2);
    LoadedCheckpoint ck = load_checkpoint(dir + "/step-7.safetensors");
    QCOMPARE(ck.family, std::string("llama"));
    QCOMPARE(ck.step, int64_t(7));
    const torch::Tensor idx = torch::randint(0, 48, {2, 16}, torch::kLong);
    torch::NoGradGuard ng;
    g->eval();
    ck.gpt->eval();
    QVERIFY((g->forward(idx) - ck.gpt->forward(idx)).abs().max().item<double>() < 1e-5);
  }

  void textProbeWithTheFoldersTokenizer() {
    // A model with the tokenizer fixture's vocabulary beside it; the probe is text.
    const std::string tokdir = std::string(MUONSCOPE_SOURCE_DIR) + "/tests/fixtures/tokenizer/gpt2";
    const BpeTokenizer tok = BpeTokenizer::from_folder(tokdir);
    RunConfig c;
    c.model.vocab_size = tok.vocab_size();
    c.model.layers = 1;
    c.model.d_model = 32;
    c.model.heads = 2;
    c.model.seq_len = 32;
    torch::manual_seed(4);
    GPT g(c.model);
    const std::string dir = p("with-tokenizer");
    write_checkpoint(*g, c, 1, dir);
    fs::copy_file(tokdir + "/tokenizer.json", dir + "/tokenizer.json");
    std::string text;
    for (int i = 0; i < 40; ++i)
      text += "First Citizen: Before we proceed any further, hear me speak.\n";
    std::ofstream(p("probe-text.txt")) << text;
    InspectOptions o;
    o.inputs = {dir + "/step-1.safetensors"};
    o.out = p("text-probe.h5");
    o.probe = p("probe-text.txt");
    o.batch = 2;
    o.seq = 24;
    const InspectResult r = inspect_checkpoints(o);
    QVERIFY2(r.status == RunStatus::Finished, r.message.c_str());
    const std::vector<int32_t> ids = tok.encode(text);
    QVERIFY(ids.size() > 49u);
    torch::Tensor x = torch::empty({2, 24}, torch::kLong), y = torch::empty({2, 24}, torch::kLong);
    for (int b = 0; b < 2; ++b)
      for (int t = 0; t < 24; ++t) {
        x[b][t] = int64_t(ids[size_t(b * 24 + t)]);
        y[b][t] = int64_t(ids[size_t(b * 24 + t + 1)]);
      }
    torch::NoGradGuard ng;
    g->eval();
    const double want = g->loss(x, y).item<double>();
    QVERIFY2(std::fabs(r.probe_loss[0] - want) < 1e-5,
             qPrintable(QString("%1 vs %2").arg(r.probe_loss[0]).arg(want)));
  }

  void cancelKeepsWhatWasMeasured() {
    const std::string series = p("cancel");
    for (const char* s : {"ckpt-1", "ckpt-2", "ckpt-3"})
      copy_dir(kFixtures + "gpt2", series + "/" + s);
    InspectOptions o;
    o.inputs = {series};
    o.out = p("cancel.h5");
    bool stop = false;
    InspectCallbacks cb;
    cb.progress = [&](int done, int, const std::string& what) {
      if (done == 1 && what.rfind("loading", 0) == 0) stop = true;  // after the first snapshot
    };
    cb.cancelled = [&] { return stop; };
    const InspectResult r = inspect_checkpoints(o, cb);
    QCOMPARE(r.status, RunStatus::Stopped);
    RunReader rr(o.out);
    QCOMPARE(rr.status(), RunStatus::Stopped);
    QCOMPARE(rr.num_snapshots(), 1);
  }
};

QTEST_GUILESS_MAIN(TestInspect)
#include "test_inspect.moc"
