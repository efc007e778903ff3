// `muonscope-cli study NAME --out DIR`: runs a study's members one after another (same seed,
// data and probe batch) into DIR, one run file each, and writes DIR/study.json listing them
// (the app opens it as a comparison). `assoc-memory` runs the one-layer model instead and
// prints its table. Overall progress: "[i/n]" prefix and an ETA over the remaining members.
// --seeds N repeats every member with N seeds (study.json groups them); --jobs J runs J at once.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>

#include "CliArgs.h"
#include "Commands.h"
#include "RunQueue.h"
#include "common/Duration.h"
#include "train/Studies.h"

namespace ms {

int cmd_assoc(const cli::Args& a);  // AssocCommand.cpp

int cmd_study(int argc, char** argv) {
  cli::Args a("study",
              "study NAME --out DIR [--scale cpu|gpu] [--device D] [--set key=value]... "
              "[--seeds N] [--jobs J] [--force]\n"
              "       muonscope-cli study --list",
              {{"--out", "DIR", "folder for the run files and study.json"},
               {"--scale", "S", "cpu (default, sized for 2 cores) or gpu (larger, longer)"},
               {"--device", "D", "auto | cpu | cuda"},
               {"--set", "KEY=VALUE", "config setting for every member (repeatable)", true},
               {"--seeds", "N",
                "run every member with N seeds (train.seed, seed+1, ...; data and "
                "probe fixed); default 1"},
               {"--jobs", "J", "runs at once, each its own process (default 1)"},
               {"--force", "", "overwrite existing run files"},
               {"--quiet", "", "no progress output"},
               {"--list", "", "list the studies"}},
              1);
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (a.has("--list")) {
    for (const auto& s : studies()) std::cout << s.name << "\n    " << s.description << "\n";
    std::cout << "assoc-memory\n    one-layer associative memory: GD vs SignGD vs Muon, per-class "
                 "accuracy gap (instant, no run files)\n";
    return 0;
  }
  if (a.positional().empty()) throw cli::UsageError("study needs a NAME (see --list)");
  const std::string name = a.positional()[0];
  if (name == "assoc-memory") return cmd_assoc(a);
  if (!a.has("--out")) throw cli::UsageError("study needs --out DIR");
  const std::string dir = a.get("--out");
  std::vector<std::string> sets = a.all("--set");
  if (a.has("--device")) sets.push_back("device=\"" + a.get("--device") + "\"");
  const std::string scale = a.get("--scale", "cpu");
  const int seeds = a.has("--seeds") ? cli::int_value(a, "--seeds", 1, 32) : 1;
  const auto members = study_members(name, scale, sets, seeds);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create study folder '" + dir + "': " + std::strerror(errno));

  StudyIndex idx;
  idx.study = name;
  idx.scale = scale;
  for (const auto& s : studies())
    if (s.name == name) idx.description = s.description;
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
  idx.created = buf;
  for (const auto& m : members)
    idx.members.push_back({m.label, m.file, "pending", "", m.group, m.seed});
  const std::string index_path = dir + "/study.json";
  auto save_index = [&] {
    std::ofstream f(index_path);
    f << study_index_to_json(idx) << "\n";
    if (!f) throw std::runtime_error("cannot write '" + index_path + "'");
  };
  save_index();

  std::vector<RunJob> jobs;
  for (const auto& m : members) jobs.push_back({m.label, dir + "/" + m.file, m.config});
  if (!a.has("--force"))
    for (const auto& j : jobs)
      if (access(j.path.c_str(), F_OK) == 0)
        throw std::runtime_error("'" + j.path + "' exists (use --force to overwrite it)");
  int failed = 0;
  double done_s = 0;
  RunQueueOptions q;
  q.jobs = a.has("--jobs") ? cli::int_value(a, "--jobs", 1, 256) : 1;
  q.quiet = a.has("--quiet");
  q.on_start = [&](size_t i) {
    idx.members[i].status = "running";
    save_index();
  };
  q.on_done = [&](size_t i, const RunOutcome& r) {
    done_s += r.wall_s;
    idx.members[i].status = status_name(r.status);
    char sum[160];
    std::snprintf(sum, sizeof sum, "final loss %.4f, val %.4f, %s", r.final_loss, r.final_val,
                  format_duration(r.wall_s).c_str());
    idx.members[i].summary = r.status == RunStatus::Failed ? r.message : sum;
    save_index();
    if (r.status == RunStatus::Failed) ++failed;
  };
  if (!run_jobs(jobs, q)) {
    std::cerr << "study: stopped by Ctrl-C; " << index_path << " lists what exists\n";
    return 130;
  }
  std::cerr << "study " << name << ": " << members.size() - failed << "/" << members.size()
            << " runs finished (" << format_duration(done_s) << " of training) -> " << index_path
            << "\n";
  return failed ? 1 : 0;
}

}  // namespace ms
