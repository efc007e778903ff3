// `muonscope-cli study NAME --out DIR`: runs a study's members one after another (same seed,
// data and probe batch) into DIR, one run file each, and writes DIR/study.json listing them
// (the app opens it as a comparison). `assoc-memory` runs the one-layer model instead and
// prints its table. Overall progress: "[i/n]" prefix and an ETA over the remaining members.
// --seeds N repeats every member with N seeds (study.json groups them); --jobs J runs J at once.
// --member / --members run a subset (indices from --list-members), so several processes (a
// Slurm job array, xargs -P) share one study folder: every change to study.json is a locked
// read-modify-write of the file on disk (update_study_index), which keeps the other members'
// entries as those processes left them.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <iostream>

#include "CliArgs.h"
#include "Commands.h"
#include "RunQueue.h"
#include "common/Duration.h"
#include "train/Studies.h"

namespace ms {

int cmd_assoc(const cli::Args& a);  // AssocCommand.cpp

int cmd_study(int argc, char** argv) {
  cli::Args a(
      "study",
      "study NAME --out DIR [--scale cpu|gpu] [--device D] [--set key=value]... "
      "[--seeds N] [--jobs J] [--member I | --members LIST] [--force]\n"
      "       muonscope-cli study NAME --list-members [--scale S] [--set ...] [--seeds N]\n"
      "       muonscope-cli study --list",
      {{"--out", "DIR", "folder for the run files and study.json"},
       {"--scale", "S", "cpu (default, sized for 2 cores) or gpu (larger, longer)"},
       {"--device", "D", "auto | cpu | cuda"},
       {"--set", "KEY=VALUE", "config setting for every member (repeatable)", true},
       {"--seeds", "N",
        "run every member with N seeds (train.seed, seed+1, ...; data and "
        "probe fixed); default 1"},
       {"--jobs", "J", "runs at once, each its own process (default 1)"},
       {"--member", "I",
        "run only member I (index from --list-members; also a LIST), e.g. "
        "$SLURM_ARRAY_TASK_ID (repeatable)",
        true},
       {"--members", "LIST",
        "run only these members: indices and ranges, e.g. 0-3 or 0,2,5-7 (repeatable)", true},
       {"--force", "", "overwrite existing run files (of the members run)"},
       {"--quiet", "", "no progress output"},
       {"--list-members", "", "print index, label and run file of every member"},
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
  std::vector<std::string> sets = a.all("--set");
  if (a.has("--device")) sets.push_back("device=\"" + a.get("--device") + "\"");
  const std::string scale = a.get("--scale", "cpu");
  const int seeds = a.has("--seeds") ? cli::int_value(a, "--seeds", 1, 32) : 1;
  const auto members = study_members(name, scale, sets, seeds);
  if (a.has("--list-members")) {
    // Tab-separated, one member a line, for scripts (cut -f1) and job arrays.
    for (size_t i = 0; i < members.size(); ++i)
      std::cout << i << "\t" << members[i].label << "\t" << members[i].file << "\n";
    return 0;
  }
  if (!a.has("--out")) throw cli::UsageError("study needs --out DIR");
  const std::string dir = a.get("--out");

  // The members to run: all, or the union of every --member / --members value.
  std::vector<size_t> sel;
  const bool subset = a.has("--member") || a.has("--members");
  if (subset) {
    std::vector<bool> chosen(members.size(), false);
    for (const char* opt : {"--member", "--members"})
      for (const auto& spec : a.all(opt)) {
        try {
          for (size_t i : parse_member_selection(spec, members.size())) chosen[i] = true;
        } catch (const ConfigError& e) {
          throw cli::UsageError(std::string(opt) + " " + e.what() + "; 'study " + name +
                                " --list-members' prints them");
        }
      }
    for (size_t i = 0; i < members.size(); ++i)
      if (chosen[i]) sel.push_back(i);
  } else {
    for (size_t i = 0; i < members.size(); ++i) sel.push_back(i);
  }

  std::vector<RunJob> jobs;
  for (size_t i : sel)
    jobs.push_back({members[i].label, dir + "/" + members[i].file, members[i].config});
  if (!a.has("--force"))
    for (const auto& j : jobs)
      if (access(j.path.c_str(), F_OK) == 0)
        throw std::runtime_error("'" + j.path + "' exists (use --force to overwrite it)");
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create study folder '" + dir + "': " + std::strerror(errno));

  // Every change goes to the index on disk, so other processes' members stay as they left
  // them. A full run replaces an index of another study (as before); a subset refuses it.
  const StudyIndex fresh = new_study_index(name, scale, members);
  const std::string index_path = dir + "/study.json";
  bool warned_unlocked = false;
  auto update = [&](const std::function<void(StudyIndex&)>& change) {
    bool unlocked = false;
    std::string replaced;
    update_study_index(dir, fresh, change, !subset, &replaced, &unlocked);
    if (!replaced.empty())
      std::cerr << "study: replaced " << index_path << " (" << replaced << ")\n";
    if (unlocked && !warned_unlocked) {
      std::cerr << "study: warning: the file system of " << dir
                << " has no file locks; processes running members at once may lose each "
                   "other's study.json updates\n";
      warned_unlocked = true;
    }
  };
  update([&](StudyIndex& idx) {
    for (size_t i : sel) {
      idx.members[i].status = "pending";
      idx.members[i].summary.clear();
    }
  });
  // Once runs have started, a failed index update is reported and the runs go on (their run
  // files are the results); the exit code then says 1.
  int index_errors = 0;
  auto update_during_run = [&](const std::function<void(StudyIndex&)>& change) {
    try {
      update(change);
    } catch (const std::exception& e) {
      std::cerr << "study: cannot update " << index_path << ": " << e.what() << "\n";
      ++index_errors;
    }
  };

  int failed = 0;
  double done_s = 0;
  RunQueueOptions q;
  q.jobs = a.has("--jobs") ? cli::int_value(a, "--jobs", 1, 256) : 1;
  q.quiet = a.has("--quiet");
  q.on_start = [&](size_t j) {
    update_during_run([&](StudyIndex& idx) { idx.members[sel[j]].status = "running"; });
  };
  q.on_done = [&](size_t j, const RunOutcome& r) {
    done_s += r.wall_s;
    char sum[160];
    std::snprintf(sum, sizeof sum, "final loss %.4f, val %.4f, %s", r.final_loss, r.final_val,
                  format_duration(r.wall_s).c_str());
    update_during_run([&](StudyIndex& idx) {
      auto& e = idx.members[sel[j]];
      e.status = status_name(r.status);
      e.summary = r.status == RunStatus::Failed ? r.message : sum;
    });
    if (r.status == RunStatus::Failed) ++failed;
  };
  if (!run_jobs(jobs, q)) {
    std::cerr << "study: stopped by Ctrl-C; " << index_path << " lists what exists\n";
    return 130;
  }
  const std::string which = subset ? " (members " + format_member_selection(sel) + " of " +
                                         std::to_string(members.size()) + ")"
                                   : "";
  std::cerr << "study " << name << which << ": " << jobs.size() - failed << "/" << jobs.size()
            << " runs finished (" << format_duration(done_s) << " of training) -> " << index_path
            << "\n";
  return failed || index_errors ? 1 : 0;
}

}  // namespace ms
