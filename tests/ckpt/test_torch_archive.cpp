// TorchArchive (core/ckpt/TorchArchive.h), the torch-free reader of torch.save files: the value
// zoo tests/fixtures/ckpt/archive/types.pt written by PyTorch 1.13 (make_fixtures.py) read back
// exactly (ints, floats, strings, nesting, tensors of four float dtypes, a transposed view, a
// slice sharing its storage, a Parameter), nanoGPT's ckpt.pt structure, and damaged files:
// truncations and seeded byte flips of the real ckpt.pt end in a CheckpointError naming the file
// or in a clean read. Run under AddressSanitizer in CI.
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <random>

#include "ckpt/TorchArchive.h"

using namespace ms;

namespace {

const std::string kFixtures = std::string(MUONSCOPE_SOURCE_DIR) + "/tests/fixtures/ckpt/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

class TestTorchArchive : public QObject {
  Q_OBJECT

 private slots:
  void valueZoo() {
    TorchArchive ar(kFixtures + "archive/types.pt");
    const PyValue& r = ar.root();
    QCOMPARE(r.kind, PyValue::Kind::Dict);
    QCOMPARE(r.get("int")->i, int64_t(7));
    QCOMPARE(r.get("neg")->i, int64_t(-123456789012));
    QCOMPARE(r.get("big")->i, (int64_t(1) << 40) + 3);
    QCOMPARE(r.get("float")->f, 2.5);
    QCOMPARE(r.get("str")->s, std::string("h\xc3\xa9llo"));
    QCOMPARE(r.get("true")->kind, PyValue::Kind::Bool);
    QVERIFY(r.get("true")->b);
    QCOMPARE(r.get("none")->kind, PyValue::Kind::None);
    const PyValue* list = r.get("list");
    QCOMPARE(list->items.size(), size_t(3));
    QCOMPARE(list->items[1]->f, 2.0);
    QCOMPARE(list->items[2]->s, std::string("three"));
    QCOMPARE(r.get("tuple")->kind, PyValue::Kind::Tuple);
    QCOMPARE(r.get("nested")->get("a")->get("b")->items[1]->i, int64_t(20));
    QCOMPARE(r.get("bytes")->kind, PyValue::Kind::Bytes);
    QCOMPARE(r.get("bytes")->s, std::string("\x00\x01", 2));
    QVERIFY(!r.get("absent"));

    auto tensor = [&](const char* key) {
      const PyValue* v = r.get(key);
      if (!v || v->kind != PyValue::Kind::Tensor)
        throw std::runtime_error(std::string("no tensor ") + key);
      return ar.read_float(v->tensor, key);
    };
    std::vector<float> base(24);
    for (int i = 0; i < 24; ++i) base[i] = float(i);
    QCOMPARE(tensor("f32"), base);
    QCOMPARE(r.get("f32")->tensor.size, std::vector<int64_t>({4, 6}));
    // base.t(): (6, 4) with strides (1, 6); element (i, j) = base[j][i] = 6 j + i
    std::vector<float> t;
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 4; ++j) t.push_back(float(6 * j + i));
    QCOMPARE(tensor("transposed"), t);
    QCOMPARE(r.get("transposed")->tensor.stride, std::vector<int64_t>({1, 6}));
    // base[1:3, 2:5]: offset 8 into the same storage
    QCOMPARE(tensor("slice"), std::vector<float>({8, 9, 10, 14, 15, 16}));
    QCOMPARE(r.get("slice")->tensor.storage_key, r.get("f32")->tensor.storage_key);
    QCOMPARE(tensor("f16"), std::vector<float>({1.0f, -2.5f, 65504.0f}));
    QCOMPARE(tensor("bf16"), std::vector<float>({0.5f, -3.0f, 0.333984375f}));
    QCOMPARE(tensor("f64"), std::vector<float>({float(1.0 / 7.0)}));
    QCOMPARE(tensor("scalar"), std::vector<float>({9.0f}));
    QCOMPARE(r.get("scalar")->tensor.size.size(), size_t(0));
    QCOMPARE(tensor("param"), std::vector<float>(4, 1.0f));
    QVERIFY_THROWS_EXCEPTION(CheckpointError, tensor("long"));  // int64 is not read as float
  }

  void nanogptStructure() {
    TorchArchive ar(kFixtures + "nanogpt/ckpt.pt");
    const PyValue& r = ar.root();
    QCOMPARE(r.get("iter_num")->i, int64_t(250));
    QCOMPARE(r.get("model_args")->get("n_embd")->i, int64_t(32));
    QCOMPARE(r.get("model_args")->get("bias")->kind, PyValue::Kind::Bool);
    const PyValue* model = r.get("model");
    QCOMPARE(model->kind, PyValue::Kind::Dict);  // an OrderedDict
    const PyValue* wte = model->get("_orig_mod.transformer.wte.weight");
    QVERIFY(wte && wte->kind == PyValue::Kind::Tensor);
    QCOMPARE(wte->tensor.size, std::vector<int64_t>({64, 32}));
    // the tied head shares wte's storage
    QCOMPARE(model->get("_orig_mod.lm_head.weight")->tensor.storage_key, wte->tensor.storage_key);
    QCOMPARE(ar.read_float(wte->tensor, "wte").size(), size_t(64 * 32));
    QCOMPARE(r.get("best_val_loss")->kind, PyValue::Kind::Tensor);
  }

  void notArchives() {
    QTemporaryDir dir;
    const std::string p = dir.filePath("x.pt").toStdString();
    spit(p, std::string("\x80\x02\x8a\x0a", 4) + "legacy");
    try {
      TorchArchive a(p);
      QFAIL("no error");
    } catch (const CheckpointError& e) {
      QVERIFY2(std::string(e.what()).find("legacy") != std::string::npos, e.what());
    }
    spit(p, "PK\x03\x04 but nothing else");
    QVERIFY_THROWS_EXCEPTION(CheckpointError, TorchArchive{p});
    // Unknown opcodes and malformed pickles, directly.
    QVERIFY_THROWS_EXCEPTION(CheckpointError, unpickle("\x80\x02\xff", "p"));
    QVERIFY_THROWS_EXCEPTION(CheckpointError, unpickle("\x80\x02}", "p"));   // no STOP
    QVERIFY_THROWS_EXCEPTION(CheckpointError, unpickle("\x80\x02s.", "p"));  // underflow
    try {  // a list appended to itself: a reference cycle, refused (it would leak)
      unpickle(std::string("]q\x00h\x00"
                           "a.",
                           7),
               "p");
      QFAIL("no error");
    } catch (const CheckpointError& e) {
      QVERIFY2(std::string(e.what()).find("inside itself") != std::string::npos, e.what());
    }
    std::string deep = "\x80\x02";
    for (int i = 0; i < 100; ++i) deep += "]";
    for (int i = 0; i < 99; ++i) deep += "a";
    deep += ".";
    QVERIFY_THROWS_EXCEPTION(CheckpointError, unpickle(deep, "p"));  // nesting bound
  }

  void truncatedAndFlippedNeverCrash() {
    const std::string good = slurp(kFixtures + "nanogpt/ckpt.pt");
    QTemporaryDir dir;
    const std::string p = dir.filePath("bad.pt").toStdString();
    // Reads every tensor of the model dict; false on a clean error naming the file.
    auto read_all = [&]() {
      try {
        TorchArchive ar(p);
        const PyValue* model = ar.root().get("model");
        if (!model) return true;
        for (const auto& [k, v] : model->dict)
          if (v->kind == PyValue::Kind::Tensor) {
            const auto f = ar.read_float(v->tensor, k->s);
            if (static_cast<int64_t>(f.size()) != v->tensor.numel()) throw std::logic_error("size");
          }
        return true;
      } catch (const CheckpointError& e) {
        if (std::string(e.what()).find(p) != 0) throw std::logic_error(e.what());
        return false;
      }
    };
    int cases = 0, errors = 0;
    for (size_t cut = 0; cut < good.size(); cut += good.size() / 97 + 1) {
      spit(p, good.substr(0, cut));
      ++cases;
      if (!read_all()) ++errors;
    }
    QCOMPARE(errors, cases);  // the zip directory sits at the end: every cut is detected
    std::mt19937 rng(5);
    std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
    // The pickle and the zip directories are where a flip matters; aim half the flips there.
    const size_t pkl = good.find("data.pklPK") != std::string::npos ? good.find("data.pkl") : 0;
    std::uniform_int_distribution<size_t> near_pkl(pkl, std::min(good.size() - 1, pkl + 4000));
    std::uniform_int_distribution<size_t> tail(good.size() - std::min<size_t>(good.size(), 3000),
                                               good.size() - 1);
    int opened = 0;
    for (int i = 0; i < 300; ++i) {
      std::string b = good;
      const size_t at = i % 3 == 0 ? pos(rng) : (i % 3 == 1 ? near_pkl(rng) : tail(rng));
      b[at] = static_cast<char>(b[at] ^ (1 << (i % 8)));
      spit(p, b);
      if (read_all()) ++opened;
    }
    qInfo("%d cuts all detected; 300 flips: %d files still read", cases, opened);
  }
};

QTEST_GUILESS_MAIN(TestTorchArchive)
#include "test_torch_archive.moc"
