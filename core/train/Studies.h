// Studies: the source experiments (../shared/DESIGN.md section 6) as named groups of runs that
// differ in one thing and share the architecture, data, seed and probe batch. A study is run
// member by member (CLI `study`, the app's Studies menu) into a folder with one run file per
// member and a study index (study.json) that the app opens as a comparison.
#pragma once

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
// within a group. Throws ConfigError (also for seeds outside 1..32).
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

}  // namespace ms
