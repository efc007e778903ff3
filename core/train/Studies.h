// Studies: the source experiments (../shared/DESIGN.md section 6) as named groups of runs that
// differ in one thing and share the architecture, data, seed and probe batch. A study is run
// member by member (CLI `study`, the app's Studies menu) into a folder with one run file per
// member and a study index (study.json) that the app opens as a comparison.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "train/RunConfig.h"

namespace ms {

struct StudyMember {
  std::string label;  // legend name, e.g. "Muon (VO+FFN)"; with seeds "Muon (VO+FFN) · seed 1338"
  std::string file;   // run file name inside the study folder, e.g. "muon-vo-ffn.h5"
  RunConfig config;
  std::string group;  // the member without its seed, e.g. "Muon (VO+FFN)"
  uint64_t seed = 0;  // its train.seed
};

struct StudyInfo {
  std::string name;
  std::string description;
  std::string finding;  // what the source study found, to compare against
};

const std::vector<StudyInfo>& studies();  // the run-file studies (assoc-memory is separate)

// Members of a study at a scale ("cpu": the default, sized for 2 CPU cores; "gpu": larger
// model and longer runs). `settings` (key=value) apply to every member after the study's own
// choices, e.g. model.ffn=swiglu for the gated ablation. With seeds > 1 every member runs
// `seeds` times with train.seed = s0, s0 + 1, ... (model init and batch order vary) while
// data.seed and metrics.probe_seed stay at s0 (same data, probe, KIVI and validation windows);
// files get a "-seed<k>" suffix and labels " · seed <k>", grouped by `group`, seed-major
// within a group: member m's copy with seed s0 + k has index m * seeds + k (the indices that
// `study --member` takes). Throws ConfigError (also for seeds outside 1..32).
std::vector<StudyMember> study_members(const std::string& name, const std::string& scale = "cpu",
                                       const std::vector<std::string>& settings = {},
                                       int seeds = 1);

// The study index written beside the run files.
struct StudyIndex {
  std::string study, description, scale, created;
  struct Entry {
    std::string label, file, status, summary;
    std::string group;  // member without its seed (== label for single-seed studies)
    uint64_t seed = 0;  // train.seed (0: not recorded, older index)
  };
  std::vector<Entry> members;
};
std::string study_index_to_json(const StudyIndex& idx);
StudyIndex study_index_from_json(const std::string& text);  // throws ConfigError

// The index of a study about to run: every member "pending", created now (local time).
StudyIndex new_study_index(const std::string& name, const std::string& scale,
                           const std::vector<StudyMember>& members);

// Why `found` (an index already in the study folder) is not an index of the same study, scale
// and member list (files and labels, in order) as `expected`; empty when it is.
std::string study_index_mismatch(const StudyIndex& found, const StudyIndex& expected);

// Which members to run: "3", "0-3", "0,2,5-7" (indices into the n members of
// study_members, ranges inclusive, in any order, repeats allowed). Returns them sorted and
// distinct. Throws ConfigError naming the spec and the valid range 0-(n-1) when an item is
// empty, not a number, a reversed range or out of range.
std::vector<size_t> parse_member_selection(const std::string& spec, size_t n);
// Sorted indices as ranges: {0, 1, 2, 5} -> "0-2,5".
std::string format_member_selection(const std::vector<size_t>& indices);

// Updates DIR/study.json where several processes may run members of the same study at once
// (`study --member`, a Slurm job array): under an exclusive flock on DIR/study.json.lock
// (created and left there), it reads the index on disk, or starts from `fresh` when there is
// none, lets `change` edit it, and replaces the file atomically (a temporary file in DIR,
// fsync, rename), so readers see the old or the new index, never a part. An index on disk
// whose study_index_mismatch with `fresh` is not empty, or that does not parse, is a
// ConfigError naming the file and the mismatch, unless `replace_other` (then it starts from
// `fresh`, and *replaced gets the mismatch).
// Where the file system has no locks (flock and fcntl fail with ENOLCK / EOPNOTSUPP) it goes on
// unlocked and *unlocked (if given) is set. I/O errors: std::runtime_error. Returns what was
// written.
StudyIndex update_study_index(const std::string& dir, const StudyIndex& fresh,
                              const std::function<void(StudyIndex&)>& change,
                              bool replace_other = false, std::string* replaced = nullptr,
                              bool* unlocked = nullptr);

}  // namespace ms
