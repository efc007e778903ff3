// docs/run-format.md is the contract for Python readers: every dataset path, shape and dtype in
// its table must be exactly what a fresh run file holds (listed with H5Ovisit), and its root
// attribute table must name exactly the root attributes.
#include <QTemporaryDir>
#include <QTest>

#include <hdf5.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "StoreTestData.h"

using namespace ms;
using namespace mstest;

namespace {

struct DsInfo {
  std::vector<hsize_t> dims;
  std::string dtype;
  bool operator==(const DsInfo& o) const { return dims == o.dims && dtype == o.dtype; }
};

std::string dims_text(const std::vector<hsize_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + ")";
}

std::string dtype_of(hid_t t) {
  const H5T_class_t c = H5Tget_class(t);
  const size_t n = H5Tget_size(t);
  if (c == H5T_FLOAT) return "float" + std::to_string(8 * n);
  if (c == H5T_INTEGER)
    return std::string(H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * n);
  return "other";
}

herr_t visit(hid_t obj, const char* name, const H5O_info_t* info, void* out) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  auto* m = static_cast<std::map<std::string, DsInfo>*>(out);
  hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
  hid_t sp = H5Dget_space(ds), t = H5Dget_type(ds);
  DsInfo d;
  d.dims.resize(size_t(H5Sget_simple_extent_ndims(sp)));
  H5Sget_simple_extent_dims(sp, d.dims.data(), nullptr);
  d.dtype = dtype_of(t);
  (*m)["/" + std::string(name)] = d;
  H5Tclose(t);
  H5Sclose(sp);
  H5Dclose(ds);
  return 0;
}

herr_t attr_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::set<std::string>*>(out)->insert(name);
  return 0;
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|' && line[i - 1] != '\\') {
      const size_t a = cur.find_first_not_of(' '), b = cur.find_last_not_of(' ');
      out.push_back(a == std::string::npos ? "" : cur.substr(a, b - a + 1));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return out;
}

std::string unquote(const std::string& s) {
  return s.size() >= 2 && s.front() == '`' && s.back() == '`' ? s.substr(1, s.size() - 2) : s;
}

struct Doc {
  std::vector<std::array<std::string, 3>> datasets;  // path template, shape, dtype
  std::set<std::string> root_attrs;
};

Doc parse_doc(const std::string& path) {
  std::ifstream f(path);
  Doc d;
  std::string line, section;
  while (std::getline(f, line)) {
    if (line.rfind("## ", 0) == 0) section = line.substr(3);
    if (line.rfind("| `", 0) != 0) continue;
    const auto c = cells(line);
    if (section == "Datasets" && c.size() >= 3 && c[0].rfind("`/", 0) == 0)
      d.datasets.push_back({unquote(c[0]), c[1], c[2]});
    if (section == "Root attributes" && !c.empty()) d.root_attrs.insert(unquote(c[0]));
  }
  return d;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// Expands the documented table for one RunInfo with row counts N, V, S.
std::map<std::string, DsInfo> expand(const Doc& doc, const RunInfo& in, hsize_t N, hsize_t V,
                                     hsize_t S) {
  std::map<std::string, DsInfo> out;
  const std::vector<std::string> caches = {"k_pre", "k_post", "v"};
  for (const auto& [tmpl, shape, dtype] : doc.datasets) {
    std::vector<std::pair<std::string, int>> paths;  // path, matrix index or -1
    if (tmpl.find("<matrix>") != std::string::npos) {
      for (size_t m = 0; m < in.matrix_names.size(); ++m)
        paths.push_back({replace_all(tmpl, "<matrix>", in.matrix_names[m]), int(m)});
    } else if (tmpl.find("<cache>") != std::string::npos) {
      for (const auto& c : caches) paths.push_back({replace_all(tmpl, "<cache>", c), -1});
    } else if (tmpl.find("<composite>") != std::string::npos) {
      for (const char* c : {"qk", "ov"}) paths.push_back({replace_all(tmpl, "<composite>", c), -1});
    } else {
      paths.push_back({tmpl, -1});
    }
    for (const auto& [path, m] : paths) {
      DsInfo d;
      d.dtype = dtype;
      std::string sym;
      std::stringstream ss(shape.substr(1, shape.size() - 2));
      bool skip = false;
      while (std::getline(ss, sym, ',')) {
        sym.erase(0, sym.find_first_not_of(' '));
        const std::map<std::string, hsize_t> v = {
            {"P", hsize_t(in.probe_batch)},
            {"N", N},
            {"V", V},
            {"S", S},
            {"L", hsize_t(in.n_layer)},
            {"H", hsize_t(in.n_head)},
            {"C", hsize_t(in.n_head * in.head_dim)},
            {"hd", hsize_t(in.head_dim)},
            {"T", hsize_t(in.seq_len)},
            {"G", hsize_t(in.fta_groups)},
            {"n", m >= 0 ? hsize_t(std::min(in.matrix_shapes[m][0], in.matrix_shapes[m][1])) : 0}};
        const size_t times = sym.find("\xC3\x97");  // "P×T": a product of two symbols
        if (times != std::string::npos) {
          const std::string a = sym.substr(0, times), b = sym.substr(times + 2);
          d.dims.push_back(v.at(a) * v.at(b));
          if (v.at(a) == 0 || v.at(b) == 0) skip = true;  // P = 0: documented as absent
        } else if (v.count(sym)) {
          d.dims.push_back(v.at(sym));
          if (sym == "G" && in.fta_groups == 0) skip = true;  // documented as absent
        } else {
          d.dims.push_back(hsize_t(std::stoul(sym)));
        }
      }
      if (!skip) out[path] = d;
    }
  }
  return out;
}

}  // namespace

class TestStoreSchema : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  void check(const RunInfo& info, const char* file) {
    const std::string path = (tmp_.path() + "/" + file).toStdString();
    write_run(path, info, 150, 60);  // N = 150, V = 3, S = 2
    std::map<std::string, DsInfo> actual;
    std::set<std::string> attrs;
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    QVERIFY(f >= 0);
    QVERIFY(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &actual) >= 0);
    hsize_t idx = 0;
    QVERIFY(H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, attr_name, &attrs) >= 0);
    H5Fclose(f);

    const Doc doc = parse_doc(MUONSCOPE_SOURCE_DIR "/docs/run-format.md");
    QVERIFY(doc.datasets.size() >= 30);
    const auto documented = expand(doc, info, 150, 3, 2);
    for (const auto& [p, d] : actual) {
      QVERIFY2(documented.count(p), ("undocumented dataset " + p).c_str());
      QVERIFY2(documented.at(p) == d,
               (p + ": file has " + dims_text(d.dims) + " " + d.dtype + ", doc says " +
                dims_text(documented.at(p).dims) + " " + documented.at(p).dtype)
                   .c_str());
    }
    for (const auto& [p, d] : documented)
      QVERIFY2(actual.count(p), ("documented dataset missing from the file: " + p).c_str());
    QCOMPARE(actual.size(), documented.size());
    QCOMPARE(attrs, doc.root_attrs);
  }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }
  void defaultModel() { check(default_info(7), "default.h5"); }
  void swigluWithoutFta() {
    RunInfo in = default_info(0);
    in.n_layer = 3;
    in.matrix_names = {"attn.q",   "attn.k",  "attn.v", "attn.o", "mlp.in",
                       "mlp.gate", "mlp.out", "qk",     "vo"};
    in.matrix_shapes = {{64, 64},  {64, 64},  {64, 64}, {64, 64}, {176, 64},
                        {176, 64}, {64, 176}, {64, 64}, {64, 64}};
    check(in, "swiglu.h5");
  }
  void unknownProbeBatch() {  // probe_batch 0: no token_all datasets
    RunInfo in = default_info(3);
    in.probe_batch = 0;
    check(in, "noprobe.h5");
  }
};

QTEST_APPLESS_MAIN(TestStoreSchema)
#include "test_store_schema.moc"
