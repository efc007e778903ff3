// The study definitions. Every member starts from the same base (architecture, data, seed,
// steps) and changes only the optimizer routing or QK-norm, so differences are the optimizer's.
#include "train/Studies.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ms {
namespace {

// The shared base of a study at a scale.
RunConfig study_base(const std::string& scale) {
  RunConfig c = preset("quick");
  if (scale == "cpu") return c;
  if (scale == "gpu") {
    c.model.layers = 8;
    c.model.d_model = 512;
    c.model.heads = 8;
    c.model.seq_len = 256;
    c.train.batch_size = 32;
    c.train.steps = 5000;
    c.train.val_every = 250;
    c.metrics.every = 250;
    c.data.tailqa_groups = 12;
    c.device = "cuda";
    return c;
  }
  throw ConfigError("study scale '" + scale + "' is unknown (use cpu or gpu)");
}

StudyMember member(const RunConfig& base, const std::string& label, const std::string& file,
                   const std::vector<std::string>& muon_roles, bool qk_norm = false,
                   const std::string& base_opt = "adamw") {
  StudyMember m{label, file, base, label, base.train.seed};
  m.config.optim.muon = muon_roles;
  m.config.model.qk_norm = qk_norm;
  m.config.optim.base = base_opt;
  if (base_opt == "sgd") m.config.optim.lr_adamw = 0.1;
  m.config.name = file.substr(0, file.rfind('.'));
  m.config.preset.clear();
  return m;
}

const std::vector<std::string> kAll = {"attn.q", "attn.k",   "attn.v", "attn.o",
                                       "mlp.in", "mlp.gate", "mlp.out"};
const std::vector<std::string> kFFN = {"mlp.in", "mlp.gate", "mlp.out"};

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<StudyInfo>& studies() {
  static const std::vector<StudyInfo> s = {
      {"kv-asymmetry",
       "AdamW vs Muon, same architecture and data: K/V channel vs token spikiness, stable rank, "
       "update alignment, KIVI loss",
       "Muon: less channel-concentrated K/V (asymmetry K 1.157 / V 1.704 vs AdamW 1.236 / 2.072), "
       "higher stable rank"},
      {"qk-norm",
       "Muon with and without QK-norm, and AdamW with QK-norm: participation ratio per layer and "
       "head over training",
       "QK-norm: lower loss early but lower participation ratio; some layers collapse"},
      {"ablation",
       "Muon on one component or combination, AdamW on the rest, plus all-AdamW and full Muon "
       "(--set model.ffn=swiglu for the gated FFN)",
       "Muon on VO+FFN nearly recovers full Muon; Muon on QK alone helps little (160M: all-Adam "
       "3.9242, VO+FFN 3.5858, full 3.5654, QK 3.8925)"},
      {"tail-qa",
       "Muon vs AdamW vs SGD-momentum and two hybrids on the tail-QA data: first-token accuracy "
       "per frequency group",
       "Muon learns tail (rare) facts much better; Muon on VO+FFN carries most of the gain"},
  };
  return s;
}

std::vector<StudyMember> study_members(const std::string& name, const std::string& scale,
                                       const std::vector<std::string>& settings, int seeds) {
  if (seeds < 1 || seeds > 32)
    throw ConfigError("study seeds = " + std::to_string(seeds) + ": must be in 1..32");
  RunConfig base = study_base(scale);
  for (const auto& kv : settings) apply_setting(base, kv);
  const bool gated = base.model.ffn == "swiglu";
  std::vector<StudyMember> m;
  if (name == "kv-asymmetry") {
    m.push_back(member(base, "AdamW", "adamw.h5", {}));
    m.push_back(member(base, "Muon", "muon.h5", kAll));
  } else if (name == "qk-norm") {
    m.push_back(member(base, "Muon", "muon.h5", kAll, false));
    m.push_back(member(base, "Muon + QK-norm", "muon-qknorm.h5", kAll, true));
    m.push_back(member(base, "AdamW + QK-norm", "adamw-qknorm.h5", {}, true));
  } else if (name == "ablation") {
    m.push_back(member(base, "AdamW (all)", "adamw.h5", {}));
    m.push_back(member(base, "Muon (all)", "muon.h5", kAll));
    m.push_back(member(base, "Muon (QK)", "muon-qk.h5", {"attn.q", "attn.k"}));
    m.push_back(member(base, "Muon (VO)", "muon-vo.h5", {"attn.v", "attn.o"}));
    m.push_back(member(base, "Muon (V)", "muon-v.h5", {"attn.v"}));
    m.push_back(member(base, "Muon (O)", "muon-o.h5", {"attn.o"}));
    m.push_back(member(base, "Muon (W_in)", "muon-win.h5", {"mlp.in"}));
    if (gated) m.push_back(member(base, "Muon (W_gate)", "muon-wgate.h5", {"mlp.gate"}));
    m.push_back(member(base, "Muon (W_out)", "muon-wout.h5", {"mlp.out"}));
    m.push_back(member(base, "Muon (VO+FFN)", "muon-vo-ffn.h5", cat({"attn.v", "attn.o"}, kFFN)));
    m.push_back(member(base, "Muon (VO+W_in)", "muon-vo-win.h5", {"attn.v", "attn.o", "mlp.in"}));
    m.push_back(
        member(base, "Muon (VO+W_out)", "muon-vo-wout.h5", {"attn.v", "attn.o", "mlp.out"}));
    m.push_back(member(base, "Muon (V+FFN)", "muon-v-ffn.h5", cat({"attn.v"}, kFFN)));
    m.push_back(member(base, "Muon (O+FFN)", "muon-o-ffn.h5", cat({"attn.o"}, kFFN)));
  } else if (name == "tail-qa") {
    // More individuals than the default so the tail (seen once or twice) is hard to memorize.
    if (scale == "cpu") {
      base.data.tailqa_groups = 8;
      base.train.steps = 600;
    }
    // The paper's setup (DESIGN.md section 5): Nesterov off, Adam betas (0.8, 0.95), weight
    // decay off; embeddings and head are always on Adam. Set before the user's settings.
    base.optim.nesterov = false;
    base.optim.beta1 = 0.8;
    base.optim.beta2 = 0.95;
    base.optim.wd_adamw = 0.0;
    base.optim.wd_muon = 0.0;
    for (const auto& kv : settings) apply_setting(base, kv);  // the user's settings still win
    if (base.data.source != "tailqa")
      throw ConfigError("study 'tail-qa' needs data.source = tailqa, got '" + base.data.source +
                        "'");
    m.push_back(member(base, "Muon", "muon.h5", kAll));
    m.push_back(member(base, "AdamW", "adamw.h5", {}));
    m.push_back(member(base, "SGD-momentum", "sgd.h5", {}, false, "sgd"));
    m.push_back(member(base, "Muon (VO+FFN) & AdamW (QK)", "muon-vo-ffn.h5",
                       cat({"attn.v", "attn.o"}, kFFN)));
    m.push_back(member(base, "Muon (QK) & AdamW (VO+FFN)", "muon-qk.h5", {"attn.q", "attn.k"}));
  } else {
    std::string names;
    for (const auto& s : studies()) names += (names.empty() ? "" : ", ") + s.name;
    throw ConfigError("unknown study '" + name + "' (available: " + names + ", assoc-memory)");
  }
  if (seeds > 1) {
    std::vector<StudyMember> seeded;
    for (const auto& x : m) {
      const uint64_t s0 = x.config.train.seed;
      for (int k = 0; k < seeds; ++k) {
        StudyMember y = x;
        y.seed = s0 + static_cast<uint64_t>(k);
        y.config.train.seed = y.seed;
        if (y.config.data.seed == 0) y.config.data.seed = s0;
        if (y.config.metrics.probe_seed == 0) y.config.metrics.probe_seed = s0;
        const std::string stem = x.file.substr(0, x.file.rfind('.'));
        y.file = stem + "-seed" + std::to_string(y.seed) + ".h5";
        y.label = x.label + " \xC2\xB7 seed " + std::to_string(y.seed);
        y.config.name = stem + "-seed" + std::to_string(y.seed);
        seeded.push_back(std::move(y));
      }
    }
    m = std::move(seeded);
  }
  for (auto& x : m) validate(x.config);
  return m;
}

std::string study_index_to_json(const StudyIndex& idx) {
  nlohmann::json j;
  j["format"] = "muonscope-study";
  j["version"] = 1;
  j["study"] = idx.study;
  j["description"] = idx.description;
  j["scale"] = idx.scale;
  j["created"] = idx.created;
  j["members"] = nlohmann::json::array();
  for (const auto& e : idx.members)
    j["members"].push_back({{"label", e.label},
                            {"file", e.file},
                            {"status", e.status},
                            {"summary", e.summary},
                            {"group", e.group.empty() ? e.label : e.group},
                            {"seed", e.seed}});
  return j.dump(2);
}

StudyIndex study_index_from_json(const std::string& text) {
  StudyIndex idx;
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "muonscope-study")
      throw ConfigError("not a muonscope study index (format is '" + j.value("format", "") + "')");
    idx.study = j.at("study").get<std::string>();
    idx.description = j.value("description", "");
    idx.scale = j.value("scale", "");
    idx.created = j.value("created", "");
    for (const auto& e : j.at("members")) {
      StudyIndex::Entry x{e.at("label").get<std::string>(),
                          e.at("file").get<std::string>(),
                          e.value("status", ""),
                          e.value("summary", ""),
                          "",
                          0};
      x.group = e.value("group", x.label);
      x.seed = e.value("seed", uint64_t{0});
      idx.members.push_back(std::move(x));
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("study index is malformed: ") + e.what());
  }
  return idx;
}

StudyIndex new_study_index(const std::string& name, const std::string& scale,
                           const std::vector<StudyMember>& members) {
  StudyIndex idx;
  idx.study = name;
  idx.scale = scale;
  for (const auto& s : studies())
    if (s.name == name) idx.description = s.description;
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  idx.created = buf;
  for (const auto& m : members)
    idx.members.push_back({m.label, m.file, "pending", "", m.group, m.seed});
  return idx;
}

std::string study_index_mismatch(const StudyIndex& found, const StudyIndex& expected) {
  auto describe = [](const StudyIndex& i) {
    return "study '" + i.study + "' at scale '" + i.scale + "' with " +
           std::to_string(i.members.size()) + " members";
  };
  if (found.study != expected.study || found.scale != expected.scale ||
      found.members.size() != expected.members.size())
    return "it lists " + describe(found) + ", this run is " + describe(expected);
  for (size_t i = 0; i < found.members.size(); ++i) {
    const auto &a = found.members[i], &b = expected.members[i];
    if (a.file != b.file || a.label != b.label)
      return "its member " + std::to_string(i) + " is '" + a.label + "' (" + a.file +
             "), this run's is '" + b.label + "' (" + b.file + ")";
  }
  return {};
}

namespace {

bool parse_index(const std::string& s, size_t& out) {
  if (s.empty() || s.size() > 9) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + size_t(c - '0');
  }
  out = v;
  return true;
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

}  // namespace

std::vector<size_t> parse_member_selection(const std::string& spec, size_t n) {
  const std::string valid =
      n == 0 ? "there are no members"
             : "valid member indices are " +
                   (n == 1 ? std::string("0") : "0-" + std::to_string(n - 1)) + " (" +
                   std::to_string(n) + (n == 1 ? " member)" : " members)");
  auto fail = [&](const std::string& item, const std::string& why) {
    const std::string what = item == spec ? "'" + spec + "'" : "'" + item + "' in '" + spec + "'";
    return ConfigError(what + " " + why + ": " + valid);
  };
  std::vector<bool> chosen(n, false);
  if (trimmed(spec).empty()) throw fail(spec, "is empty");
  size_t start = 0;
  while (true) {
    const size_t comma = spec.find(',', start);
    const std::string raw =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::string item = trimmed(raw);
    if (item.empty()) throw fail(raw, "is an empty item");
    size_t lo = 0, hi = 0;
    const size_t dash = item.find('-', 1);
    const bool ok = dash == std::string::npos ? parse_index(item, lo) && (hi = lo, true)
                                              : parse_index(trimmed(item.substr(0, dash)), lo) &&
                                                    parse_index(trimmed(item.substr(dash + 1)), hi);
    if (!ok) throw fail(item, "is not an index or a range A-B");
    if (hi < lo) throw fail(item, "is a reversed range");
    if (hi >= n) throw fail(item, "is out of range");
    for (size_t i = lo; i <= hi; ++i) chosen[i] = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < n; ++i)
    if (chosen[i]) out.push_back(i);
  return out;
}

std::string format_member_selection(const std::vector<size_t>& indices) {
  std::string s;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(indices[i]);
    if (j > i) s += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return s;
}

namespace {

bool no_locks_here(int e) {
  return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL;
}

std::string errno_text(int e) {
  return std::strerror(e);
}

// An exclusive lock on DIR/study.json.lock for the lifetime of the object: flock (whole-file,
// held per open file description, released when the descriptor is closed or the process
// dies); fcntl where flock is not supported (e.g. some network file systems).
class IndexLock {
 public:
  IndexLock(const std::string& path, bool* unlocked) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0)
      throw std::runtime_error("cannot open the lock file '" + path + "': " + errno_text(errno));
    int r = 0;
    while ((r = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (r == 0) return;
    int e = errno;
    if (no_locks_here(e)) {
      struct flock fl {};
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      while ((r = ::fcntl(fd_, F_SETLKW, &fl)) != 0 && errno == EINTR) {
      }
      if (r == 0) return;
      e = errno;
      if (no_locks_here(e)) {
        if (unlocked) *unlocked = true;
        return;
      }
    }
    ::close(fd_);
    throw std::runtime_error("cannot lock '" + path + "': " + errno_text(e));
  }
  ~IndexLock() { ::close(fd_); }
  IndexLock(const IndexLock&) = delete;
  IndexLock& operator=(const IndexLock&) = delete;

 private:
  int fd_ = -1;
};

// The whole file, or false when it does not exist. Other errors throw.
bool read_file(const std::string& path, std::string& text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw std::runtime_error("cannot read '" + path + "': " + errno_text(errno));
  }
  text.clear();
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      throw std::runtime_error("cannot read '" + path + "': " + errno_text(e));
    }
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

// Replaces `path` by `text`: a temporary file beside it, written, fsynced and renamed over it;
// then the folder is fsynced (best effort) so the rename itself survives a crash.
void write_file_atomically(const std::string& dir, const std::string& path,
                           const std::string& text) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      dir + "/.study.json." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".tmp";
  ::unlink(tmp.c_str());  // left by a dead process with the same id
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("cannot create '" + tmp + "': " + errno_text(errno));
  auto fail = [&](const std::string& what) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot " + what + " '" + tmp + "': " + errno_text(e));
  };
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    done += size_t(n);
  }
  if (::fsync(fd) != 0 && errno != EINVAL) fail("fsync");
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write '" + tmp + "': " + errno_text(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot replace '" + path + "': " + errno_text(e));
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

StudyIndex update_study_index(const std::string& dir, const StudyIndex& fresh,
                              const std::function<void(StudyIndex&)>& change, bool replace_other,
                              std::string* replaced, bool* unlocked) {
  const std::string path = dir + "/study.json";
  IndexLock lock(path + ".lock", unlocked);
  StudyIndex idx = fresh;
  std::string text;
  if (read_file(path, text)) {
    std::string why;
    bool malformed = false;
    try {
      StudyIndex found = study_index_from_json(text);
      why = study_index_mismatch(found, fresh);
      if (why.empty()) idx = std::move(found);
    } catch (const ConfigError& e) {
      why = e.what();
      malformed = true;
    }
    if (!why.empty()) {
      if (!replace_other)
        throw ConfigError(malformed ? path + ": " + why + " (remove it to start over)"
                                    : path + " does not match this run: " + why +
                                          " (use another folder, or remove it to start over)");
      if (replaced) *replaced = why;
    }
  }
  if (change) change(idx);
  write_file_atomically(dir, path, study_index_to_json(idx) + "\n");
  return idx;
}

}  // namespace ms
