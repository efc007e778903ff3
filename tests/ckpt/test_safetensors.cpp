// The safetensors reader and writer (core/ckpt/Safetensors.h): the byte layout against a file
// assembled by hand from the format's description, every half and bfloat16 value against the
// IEEE definition, sharded models, and damaged files: a real file truncated at every header
// offset and many data offsets, and 300 seeded random byte flips. A damaged file ends in a
// CheckpointError naming the file or reads with every tensor sized as its header says. Run
// under AddressSanitizer in CI with the store's corruption test.
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "ckpt/Safetensors.h"

using namespace ms;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i, n >>= 8) s[i] = static_cast<char>(n & 0xff);
  return s;
}
// A file from a header text and a data buffer, as the format describes it.
std::string st_file(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}
template <class T>
std::string bytes_of(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// IEEE 754 binary16 value of bits h, from the definition (not from the code under test).
double half_reference(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v;
  if (e == 0)
    v = std::ldexp(m, -24);
  else if (e == 31)
    v = m ? NAN : INFINITY;
  else
    v = std::ldexp(1024 + m, e - 25);
  return s ? -v : v;
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string p(const char* name) const { return dir_.filePath(name).toStdString(); }

 private slots:
  void readsHandAssembledFile() {
    // Two tensors in the layout the format's README describes: F32 (2, 3) then F16 (2).
    const std::vector<float> a = {1, -2, 3.5f, 0, 1e-3f, -7};
    const std::vector<uint16_t> b = {0x3c00, 0xc000};  // 1.0, -2.0
    const std::string header =
        R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
        R"("b":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},"__metadata__":{"step":"42"}})";
    spit(p("hand.safetensors"), st_file(header, bytes_of(a) + bytes_of(b)));
    SafetensorsFile f(p("hand.safetensors"));
    QCOMPARE(f.entries().size(), size_t(2));
    QCOMPARE(f.metadata().at("step"), std::string("42"));
    QVERIFY(f.find("a") && f.find("a")->shape == std::vector<int64_t>({2, 3}));
    QCOMPARE(f.read_float("a"), a);
    QCOMPARE(f.read_float("b"), std::vector<float>({1.0f, -2.0f}));
    QVERIFY(!f.find("c"));
    QVERIFY_THROWS_EXCEPTION(CheckpointError, f.read_float("c"));
  }

  void writerRoundTripAndLayout() {
    std::vector<SafetensorsTensor> ts = {
        {"z.weight", {3, 2}, {1, 2, 3, 4, 5, 6}, "F32"},
        {"a.bias", {3}, {0.5f, -0.25f, 1.0f / 3.0f}, "BF16"},
        {"m.half", {2, 2}, {1, 65504, -1e-7f, 2049}, "F16"},
        {"s", {}, {7}, "F32"},
    };
    write_safetensors(p("w.safetensors"), ts, {{"step", "100"}});
    const std::string raw = slurp(p("w.safetensors"));
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(raw[i]);
    QCOMPARE(n % 8, uint64_t(0));  // buffer 8-byte aligned
    QCOMPARE(raw.size(), size_t(8 + n + 24 + 6 + 8 + 4));
    QVERIFY(!QFile::exists(QString::fromStdString(p("w.safetensors.tmp"))));
    SafetensorsFile f(p("w.safetensors"));
    QCOMPARE(f.entries().front().name, std::string("a.bias"));  // sorted by name
    QCOMPARE(f.read_float("z.weight"), ts[0].data);
    QCOMPARE(f.read_float("s"), std::vector<float>({7}));
    QCOMPARE(f.find("s")->shape.size(), size_t(0));
    // bf16 keeps 8 bits of mantissa: 1/3 -> 0x3eab = 0.333984375; 0.5 and -0.25 exact.
    QCOMPARE(f.read_float("a.bias"), std::vector<float>({0.5f, -0.25f, 0.333984375f}));
    // fp16: 65504 is the largest half, -1e-7 rounds to the subnormal -2^-24 * 2 = -1.19e-7,
    // 2049 (odd, halfway between 2048 and 2050) rounds to even 2048.
    QCOMPARE(f.read_float("m.half"),
             std::vector<float>({1, 65504, -static_cast<float>(std::ldexp(2, -24)), 2048}));
    QCOMPARE(f.metadata().at("step"), std::string("100"));
    // A size mismatch is refused before anything is written.
    QVERIFY_THROWS_EXCEPTION(CheckpointError,
                             write_safetensors(p("bad.safetensors"), {{"x", {2, 2}, {1, 2, 3}}}));
    QVERIFY(!QFile::exists(QString::fromStdString(p("bad.safetensors"))));
  }

  void everyHalfAndBf16Value() {
    for (uint32_t h = 0; h < 65536; ++h) {
      const double ref = half_reference(uint16_t(h));
      const float got = half_to_float(uint16_t(h));
      if (std::isnan(ref)) {
        QVERIFY(std::isnan(got));
        QVERIFY(std::isnan(half_to_float(float_to_half(got))));
        continue;
      }
      QCOMPARE(double(got), ref);
      QCOMPARE(float_to_half(got), uint16_t(h));  // exact values round trip (+-0 included)
      // bf16 bits are the top half of the float's bits by definition.
      uint32_t fb;
      const float bf = bf16_to_float(uint16_t(h));
      std::memcpy(&fb, &bf, 4);
      QCOMPARE(fb, h << 16);
      if (!std::isnan(bf)) QCOMPARE(float_to_bf16(bf), uint16_t(h));
    }
    // Rounding to nearest: random floats land on the closer neighbour (ties to even).
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-70000.f, 70000.f);
    for (int i = 0; i < 20000; ++i) {
      const float x = i % 2 ? u(rng) : u(rng) * 1e-6f;
      const uint16_t h = float_to_half(x);
      const double got = half_reference(h);
      if (std::fabs(x) >= 65520.f) {
        QVERIFY(std::isinf(got));
        continue;
      }
      // no other half value is closer
      for (int d : {-1, 1}) {
        const uint16_t nb = uint16_t(h + d);
        const double other = half_reference(nb);
        if (std::isnan(other) || ((nb ^ h) & 0x8000)) continue;
        QVERIFY2(std::fabs(other - x) >= std::fabs(got - x),
                 qPrintable(QString("x=%1 h=%2").arg(double(x), 0, 'g', 9).arg(h)));
      }
    }
  }

  void shardedModel() {
    QDir().mkpath(dir_.filePath("sharded"));
    const std::string d = dir_.filePath("sharded").toStdString();
    write_safetensors(d + "/model-00001-of-00002.safetensors", {{"w1", {2}, {1, 2}}});
    write_safetensors(d + "/model-00002-of-00002.safetensors", {{"w2", {1}, {3}}});
    spit(d + "/model.safetensors.index.json",
         R"({"metadata":{"total_size":12},"weight_map":{"w1":"model-00001-of-00002.safetensors",)"
         R"("w2":"model-00002-of-00002.safetensors"}})");
    SafetensorsModel m(d);
    QCOMPARE(m.names(), std::vector<std::string>({"w1", "w2"}));
    QCOMPARE(m.read_float("w2"), std::vector<float>({3}));
    QVERIFY(m.file_of("w1").find("00001") != std::string::npos);
    QCOMPARE(m.folder(), d);
    // An index naming a tensor its shard lacks, and a shard outside the folder, are refused.
    spit(d + "/model.safetensors.index.json",
         R"({"weight_map":{"w1":"model-00002-of-00002.safetensors"}})");
    try {
      SafetensorsModel bad(d);
      QFAIL("no error");
    } catch (const CheckpointError& e) {
      QVERIFY2(
          std::string(e.what()).find("model-00002-of-00002.safetensors") != std::string::npos &&
              std::string(e.what()).find("'w1'") != std::string::npos,
          e.what());
    }
    spit(d + "/model.safetensors.index.json", R"({"weight_map":{"w1":"../x.safetensors"}})");
    QVERIFY_THROWS_EXCEPTION(CheckpointError, SafetensorsModel{d});
    QVERIFY_THROWS_EXCEPTION(CheckpointError, SafetensorsModel{p("no-such-folder")});
  }

  void badHeadersNameTheProblem() {
    struct Case {
      const char* why;
      std::string bytes;
      const char* expect;  // substring of the message
    };
    const std::string d8(8, '\0');
    const std::vector<Case> cases = {
        {"empty file", "", "truncated"},
        {"length over the file", le64(1000) + "{}", "truncated"},
        {"length over 100 MB", le64(uint64_t(1) << 40), "100 MB"},
        {"not JSON", st_file("{\"a\":", ""), "not valid JSON"},
        {"not an object", st_file("[1,2]", ""), "not a JSON object"},
        {"unknown dtype", st_file(R"({"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}})", d8),
         "unknown dtype \"F7\""},
        {"size mismatch", st_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", d8),
         "tensor 'w': data_offsets [0,8] hold 8 bytes but F32 [3] needs 12"},
        {"past the buffer",
         st_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", d8),
         "tensor 'w': data ends at byte 16 of a 8-byte buffer"},
        {"negative dim", st_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", d8),
         "not all >= 0"},
        {"overlap",
         st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                 d8),
         "overlap"},
        {"end before begin",
         st_file(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", d8),
         "end before begin"},
        {"no offsets", st_file(R"({"w":{"dtype":"F32","shape":[2]}})", d8), "offsets"},
        {"huge shape",
         st_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                 d8),
         "overflows"},
    };
    for (const Case& c : cases) {
      const std::string path = p("bad.safetensors");
      spit(path, c.bytes);
      try {
        SafetensorsFile f(path);
        QFAIL(qPrintable(QString("no error for: ") + c.why));
      } catch (const CheckpointError& e) {
        const std::string msg = e.what();
        QVERIFY2(msg.find(path) == 0, qPrintable(QString(c.why) + ": " + e.what()));
        QVERIFY2(msg.find(c.expect) != std::string::npos,
                 qPrintable(QString(c.why) + ": " + e.what()));
      }
    }
    // Integer tensors open but are not read as floats.
    spit(p("int.safetensors"),
         st_file(R"({"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", d8));
    SafetensorsFile f(p("int.safetensors"));
    QVERIFY_THROWS_EXCEPTION(CheckpointError, f.read_float("i"));
  }

  void truncatedAndFlippedFilesNeverCrash() {
    std::vector<SafetensorsTensor> ts;
    std::mt19937 rng(11);
    std::normal_distribution<float> g;
    for (int i = 0; i < 6; ++i) {
      SafetensorsTensor t{"layer." + std::to_string(i) + ".weight",
                          {8, 4 + i},
                          {},
                          i % 3 == 0 ? "F32" : (i % 3 == 1 ? "F16" : "BF16")};
      for (int k = 0; k < 8 * (4 + i); ++k) t.data.push_back(g(rng));
      ts.push_back(t);
    }
    const std::string good_path = p("good.safetensors");
    write_safetensors(good_path, ts, {{"step", "5"}});
    const std::string good = slurp(good_path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(good[i]);

    // Reads everything; true when the file opened. Sizes must be as the header says.
    auto read_all = [&](const std::string& path) {
      try {
        SafetensorsFile f(path);
        for (const auto& e : f.entries()) {
          const auto v = f.read_float(e.name);
          if (static_cast<int64_t>(v.size()) != e.numel()) return false;
        }
        return true;
      } catch (const CheckpointError& e) {
        if (std::string(e.what()).find(path) != 0) throw std::logic_error(e.what());
        return false;
      }
    };
    QVERIFY(read_all(good_path));
    const std::string bad = p("damaged.safetensors");
    int errors = 0, cases = 0;
    std::vector<size_t> cuts;
    for (size_t c = 0; c < 8 + n + 16; ++c) cuts.push_back(c);
    for (size_t c = 8 + n + 16; c < good.size(); c += 37) cuts.push_back(c);
    for (size_t c : cuts) {
      spit(bad, good.substr(0, c));
      ++cases;
      if (!read_all(bad)) ++errors;
    }
    QCOMPARE(errors, cases);  // every truncation is detected (the last tensor ends at EOF)
    std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
    std::uniform_int_distribution<int> bit(0, 7);
    int opened = 0;
    for (int i = 0; i < 300; ++i) {
      std::string b = good;
      // half the flips in the length + header, where they matter most
      const size_t at = i % 2 ? pos(rng) : pos(rng) % (8 + n);
      b[at] = static_cast<char>(b[at] ^ (1 << bit(rng)));
      spit(bad, b);
      if (read_all(bad)) ++opened;
    }
    qInfo("300 flips: %d files still opened (flips in data or harmless header bytes)", opened);
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
