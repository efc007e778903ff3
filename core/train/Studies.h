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
  std::string label;  // legend name, e.g. "Muon (VO+FFN)"
  std::string file;   // run file name inside the study folder, e.g. "muon-vo-ffn.h5"
  RunConfig config;
};

struct StudyInfo {
  std::string name;
  std::string description;
  std::string finding;  // what the source study found, to compare against
};

const std::vector<StudyInfo>& studies();  // the run-file studies (assoc-memory is separate)

// Members of a study at a scale ("cpu": the default, sized for 2 CPU cores; "gpu": larger
// model and longer runs). `settings` (key=value) apply to every member after the study's own
// choices, e.g. model.ffn=swiglu for the gated ablation. Throws ConfigError.
std::vector<StudyMember> study_members(const std::string& name, const std::string& scale = "cpu",
                                       const std::vector<std::string>& settings = {});

// The study index written beside the run files.
struct StudyIndex {
  std::string study, description, scale, created;
  struct Entry {
    std::string label, file, status, summary;
  };
  std::vector<Entry> members;
};
std::string study_index_to_json(const StudyIndex& idx);
StudyIndex study_index_from_json(const std::string& text);  // throws ConfigError

}  // namespace ms
