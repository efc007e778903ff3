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

#include "ckpt/CheckpointLoader.h"
#include "ckpt/Inspector.h"
#include "store/RunReader.h"

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
