// HDF5 helpers of the run store: owning ids, quiet error handling, attribute I/O.
// See H5Util.h. Every HDF5 call's return code is checked; failures become StoreError.
#include "store/H5Util.h"

#include <algorithm>
#include <cstring>
#include <ctime>

namespace ms::h5 {

void Hid::reset(hid_t id) {
  if (id_ >= 0) H5Idec_ref(id_);
  id_ = id;
}

QuietErrors::QuietErrors() {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
}

namespace {

herr_t collect_error(unsigned, const H5E_error2_t* e, void* out) {
  auto* v = static_cast<std::vector<std::string>*>(out);
  if (e && e->desc && *e->desc) v->emplace_back(e->desc);
  return 0;
}

// Longest prefix of `s` of at most n bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t k = n;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return s.substr(0, k);
}

Hid fixed_str_type(size_t size) {
  Hid t(H5Tcopy(H5T_C_S1));
  if (!t.valid() || H5Tset_size(t.get(), size) < 0 || H5Tset_strpad(t.get(), H5T_STR_NULLPAD) < 0 ||
      H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0)
    return Hid();
  return t;
}

// Reads `n` strings of an attribute of string type (fixed or variable length).
std::vector<std::string> read_strings(hid_t attr, const std::string& file, const std::string& name,
                                      hssize_t n) {
  Hid ftype(H5Aget_type(attr));
  if (!ftype.valid()) fail(file, "cannot read the type of attribute '" + name + "'");
  if (H5Tget_class(ftype.get()) != H5T_STRING)
    throw StoreError(file + ": attribute '" + name + "' is not a string");
  const htri_t var = H5Tis_variable_str(ftype.get());
  if (var < 0) fail(file, "cannot read the type of attribute '" + name + "'");
  std::vector<std::string> out;
  if (var > 0) {
    Hid mt(H5Tcopy(H5T_C_S1));
    if (!mt.valid() || H5Tset_size(mt.get(), H5T_VARIABLE) < 0)
      fail(file, "cannot make a string type");
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    if (H5Aread(attr, mt.get(), ptrs.data()) < 0)
      fail(file, "cannot read attribute '" + name + "'");
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    return out;
  }
  const size_t size = H5Tget_size(ftype.get());
  if (size == 0 || size > (16u << 20))
    throw StoreError(file + ": attribute '" + name + "' has an implausible string size " +
                     std::to_string(size));
  Hid mt = fixed_str_type(size);
  if (!mt.valid()) fail(file, "cannot make a string type");
  std::vector<char> buf(size * static_cast<size_t>(n) + 1, 0);
  if (H5Aread(attr, mt.get(), buf.data()) < 0) fail(file, "cannot read attribute '" + name + "'");
  for (hssize_t i = 0; i < n; ++i) {
    const char* p = buf.data() + static_cast<size_t>(i) * size;
    out.emplace_back(p, strnlen(p, size));
  }
  return out;
}

hssize_t attr_points(hid_t attr, const std::string& file, const std::string& name) {
  Hid sp(H5Aget_space(attr));
  if (!sp.valid()) fail(file, "cannot read the shape of attribute '" + name + "'");
  const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
  if (n < 0) fail(file, "cannot read the shape of attribute '" + name + "'");
  if (n > (1 << 20))
    throw StoreError(file + ": attribute '" + name + "' has an implausible size " +
                     std::to_string(n));
  return n;
}

Hid open_attr(hid_t loc, const std::string& file, const std::string& name) {
  Hid a(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
  if (!a.valid()) fail(file, "cannot open attribute '" + name + "'");
  return a;
}

void create_and_write(hid_t loc, const std::string& file, const std::string& name, hid_t type,
                      hid_t space, const void* data) {
  Hid a(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid()) fail(file, "cannot create attribute '" + name + "'");
  if (H5Awrite(a.get(), type, data) < 0) fail(file, "cannot write attribute '" + name + "'");
}

}  // namespace

std::string error_text() {
  std::vector<std::string> msgs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &msgs);
  H5Eclear2(H5E_DEFAULT);
  // The innermost two messages say what actually went wrong (e.g. errno text, checksum).
  std::string out;
  const size_t first = msgs.size() > 2 ? msgs.size() - 2 : 0;
  for (size_t i = first; i < msgs.size(); ++i) {
    if (!out.empty()) out += "; ";
    out += msgs[i];
  }
  return out;
}

void fail(const std::string& file, const std::string& what) {
  const std::string detail = error_text();
  throw StoreError(file + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

void write_str_attr(hid_t loc, const std::string& file, const std::string& name,
                    const std::string& value, size_t fixed_size) {
  const size_t size = fixed_size > 0 ? fixed_size : std::max<size_t>(1, value.size());
  const std::string v = utf8_prefix(value, size);
  Hid t = fixed_str_type(size);
  Hid sp(H5Screate(H5S_SCALAR));
  if (!t.valid() || !sp.valid()) fail(file, "cannot make a string type");
  std::vector<char> buf(size, 0);
  std::memcpy(buf.data(), v.data(), v.size());
  create_and_write(loc, file, name, t.get(), sp.get(), buf.data());
}

void overwrite_str_attr(hid_t loc, const std::string& file, const std::string& name,
                        const std::string& value) {
  Hid a = open_attr(loc, file, name);
  Hid ftype(H5Aget_type(a.get()));
  if (!ftype.valid()) fail(file, "cannot read the type of attribute '" + name + "'");
  const size_t size = H5Tget_size(ftype.get());
  if (size == 0 || H5Tis_variable_str(ftype.get()) != 0)
    throw StoreError(file + ": attribute '" + name + "' is not a fixed-size string");
  const std::string v = utf8_prefix(value, size);
  std::vector<char> buf(size, 0);
  std::memcpy(buf.data(), v.data(), v.size());
  if (H5Awrite(a.get(), ftype.get(), buf.data()) < 0)
    fail(file, "cannot write attribute '" + name + "'");
}

void write_str_list_attr(hid_t loc, const std::string& file, const std::string& name,
                         const std::vector<std::string>& values) {
  size_t size = 1;
  for (const auto& v : values) size = std::max(size, v.size());
  Hid t = fixed_str_type(size);
  const hsize_t n = values.size();
  Hid sp(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr));  // empty: no data
  if (!t.valid() || !sp.valid()) fail(file, "cannot make a string type");
  if (n == 0) {
    Hid a(H5Acreate2(loc, name.c_str(), t.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!a.valid()) fail(file, "cannot create attribute '" + name + "'");
    return;
  }
  std::vector<char> buf(size * std::max<size_t>(1, values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(buf.data() + i * size, values[i].data(), values[i].size());
  create_and_write(loc, file, name, t.get(), sp.get(), buf.data());
}

void write_i64_attr(hid_t loc, const std::string& file, const std::string& name,
                    const std::vector<int64_t>& values, const std::vector<hsize_t>& dims) {
  Hid sp(values.empty() ? H5Screate(H5S_NULL)  // an empty list: no data to write
         : dims.empty() ? H5Screate(H5S_SCALAR)
                        : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  if (!sp.valid()) fail(file, "cannot make a dataspace for attribute '" + name + "'");
  Hid a(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, sp.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid()) fail(file, "cannot create attribute '" + name + "'");
  if (!values.empty() && H5Awrite(a.get(), H5T_NATIVE_INT64, values.data()) < 0)
    fail(file, "cannot write attribute '" + name + "'");
}

bool has_attr(hid_t loc, const std::string& name) {
  const htri_t r = H5Aexists(loc, name.c_str());
  if (r < 0) H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

std::string read_str_attr(hid_t loc, const std::string& file, const std::string& name) {
  Hid a = open_attr(loc, file, name);
  const hssize_t n = attr_points(a.get(), file, name);
  if (n != 1) throw StoreError(file + ": attribute '" + name + "' is not a single string");
  return read_strings(a.get(), file, name, n).front();
}

std::vector<std::string> read_str_list_attr(hid_t loc, const std::string& file,
                                            const std::string& name) {
  Hid a = open_attr(loc, file, name);
  const hssize_t n = attr_points(a.get(), file, name);
  if (n == 0) return {};
  return read_strings(a.get(), file, name, n);
}

std::vector<int64_t> read_i64_attr(hid_t loc, const std::string& file, const std::string& name) {
  Hid a = open_attr(loc, file, name);
  const hssize_t n = attr_points(a.get(), file, name);
  Hid ftype(H5Aget_type(a.get()));
  if (!ftype.valid()) fail(file, "cannot read the type of attribute '" + name + "'");
  if (H5Tget_class(ftype.get()) != H5T_INTEGER)
    throw StoreError(file + ": attribute '" + name + "' is not an integer");
  std::vector<int64_t> out(static_cast<size_t>(n), 0);
  if (n > 0 && H5Aread(a.get(), H5T_NATIVE_INT64, out.data()) < 0)
    fail(file, "cannot read attribute '" + name + "'");
  return out;
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ms::h5
