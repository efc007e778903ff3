// `muonscope-cli info RUN.h5 [--json]`: status, config summary, steps, tokens, final train and
// validation loss and the latest snapshot's key metrics of a run file (finished, interrupted or
// still being written). Reads only what it prints (the last step row, the thread column, the
// last snapshot).
#include <cmath>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "CliArgs.h"
#include "Commands.h"
#include "store/RunReader.h"

namespace ms {
namespace {

nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

}  // namespace

int cmd_info(int argc, char** argv) {
  cli::Args a("info", "info RUN.h5 [--json]", {{"--json", "", "machine-readable output"}}, 1);
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (a.positional().empty()) throw cli::UsageError("info needs a run file");
  RunReader r(a.positional()[0]);
  const RunInfo& info = r.info();
  const int64_t n = r.num_steps();
  StepRecord last;
  if (n > 0) last = r.steps(n - 1, n).front();
  // Intra-op threads per step (/steps/threads, format >= 4; 0 before): steps run at each count.
  std::map<int64_t, int64_t> steps_at;
  for (const double t : r.step_series("threads"))
    if (t > 0) ++steps_at[static_cast<int64_t>(t)];
  const nlohmann::json cfg = nlohmann::json::parse(info.config_json, nullptr, false);
  int64_t threads_setting = 0;
  if (cfg.is_object() && cfg.contains("train") && cfg["train"].contains("threads") &&
      cfg["train"]["threads"].is_number_integer())
    threads_setting = cfg["train"]["threads"].get<int64_t>();
  std::string threads_line;  // "2 (automatic; steps at 2: 396, at 1: 4)" or "1 (train.threads)"
  if (!steps_at.empty()) {
    threads_line = std::to_string(last.threads) +
                   (threads_setting > 0 ? " (train.threads)" : " (automatic; steps at");
    if (threads_setting == 0) {
      bool first = true;
      for (auto it = steps_at.rbegin(); it != steps_at.rend(); ++it, first = false)
        threads_line +=
            (first ? " " : ", ") + std::to_string(it->first) + ": " + std::to_string(it->second);
      threads_line += ")";
    }
  }
  const auto vals = r.vals();
  const double val = vals.empty() ? kNaN : vals.back().loss;
  const int ns = r.num_snapshots();
  nlohmann::json snap;
  std::string summary;
  if (ns > 0) {
    const Snapshot s = r.snapshot(ns - 1);
    summary = snapshot_summary(s, info);
    std::vector<double> pr, pr_cov, asym_k, asym_v;
    int collapsed = 0;
    for (const auto& L : s.layers) {
      pr.insert(pr.end(), L.pr_sv[kActK].begin(), L.pr_sv[kActK].end());
      pr_cov.insert(pr_cov.end(), L.pr_cov[kActK].begin(), L.pr_cov[kActK].end());
      for (auto c : L.collapsed) collapsed += c;
      asym_k.push_back(L.k_post.asymmetry);
      asym_v.push_back(L.v.asymmetry);
    }
    snap["step"] = s.step;
    snap["probe_loss"] = num(s.val_loss);
    snap["mean_pr_sv_k"] = num(mean_finite(pr));
    snap["mean_pr_cov_k"] = num(mean_finite(pr_cov));
    snap["collapsed_heads"] = collapsed;
    snap["kv_asymmetry_k"] = num(mean_finite(asym_k));
    snap["kv_asymmetry_v"] = num(mean_finite(asym_v));
    for (size_t m = 0; m < s.matrix_names.size(); ++m) {
      std::vector<double> er, sr, al;
      for (const auto& L : s.layers)
        if (m < L.matrices.size()) {
          er.push_back(L.matrices[m].erank), sr.push_back(L.matrices[m].stable_rank);
          al.push_back(L.matrices[m].alpha);
        }
      snap["erank"][s.matrix_names[m]] = num(mean_finite(er));
      snap["stable_rank"][s.matrix_names[m]] = num(mean_finite(sr));
      // WeightWatcher's power-law alpha, mean over the layers with a fit
      snap["alpha"][s.matrix_names[m]] = num(mean_finite(al));
    }
    if (!s.fta.empty()) snap["fta"] = s.fta;
  }
  if (a.has("--json")) {
    nlohmann::json j;
    j["file"] = r.path();
    j["status"] = status_name(r.status());
    j["message"] = r.status_message();
    j["start_time"] = r.start_time();
    j["end_time"] = r.end_time();
    j["host"] = r.host();
    j["device"] = info.device;
    j["torch_version"] = info.torch_version;
    j["optimizers"] = info.optimizer_summary;
    j["world_size"] = info.world_size;
    j["resumed_at_steps"] = info.resumed_at;
    j["resume_times"] = info.resume_times;
    j["config"] = cfg;
    nlohmann::json th;
    th["setting"] = threads_setting;  // train.threads: 0 = automatic
    th["last"] = last.threads;        // 0 = not recorded (format < 4)
    th["steps_at"] = nlohmann::json::object();
    for (const auto& [t, c] : steps_at) th["steps_at"][std::to_string(t)] = c;
    j["threads"] = th;
    j["steps"] = n;
    j["total_steps"] = info.total_steps;
    j["tokens"] = last.tokens;
    j["wall_s"] = last.wall_s;
    j["final_loss"] = num(last.loss);
    j["final_val_loss"] = num(val);
    j["snapshots"] = ns;
    j["latest_snapshot"] = snap;
    j["warnings"] = r.warnings();
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::string resumes;  // "after step 280 (2026-12-07T00:37:46Z), after step 600 (...)"
  for (size_t i = 0; i < info.resumed_at.size(); ++i)
    resumes += (i ? ", after step " : "after step ") + std::to_string(info.resumed_at[i]) +
               (i < info.resume_times.size() ? " (" + info.resume_times[i] + ")" : "");
  std::cout << r.path() << "\n"
            << "  status     " << status_name(r.status())
            << (r.status_message().empty() ? "" : " (" + r.status_message() + ")") << "\n"
            << "  model      " << info.n_layer << " layers, " << info.n_head << " heads x "
            << info.head_dim << ", seq " << info.seq_len << ", vocab " << info.vocab_size << ", "
            << info.n_params << " params\n"
            << "  optimizers " << info.optimizer_summary << "\n"
            << "  device     " << info.device << " (LibTorch " << info.torch_version << ")"
            << (info.world_size > 1 ? ", " + std::to_string(info.world_size) + " processes" : "")
            << "\n"
            << (resumes.empty() ? "" : "  resumed    " + resumes + "\n")
            << (threads_line.empty() ? "" : "  threads    " + threads_line + "\n")
            << "  started    " << r.start_time()
            << (r.end_time().empty() ? "" : ", ended " + r.end_time()) << "\n"
            << "  steps      " << n << "/" << info.total_steps << ", " << last.tokens << " tokens, "
            << last.wall_s << " s\n"
            << "  loss       train " << last.loss << ", val " << val << "\n"
            << "  snapshots  " << ns << "\n";
  if (!summary.empty()) std::cout << summary << "\n";
  for (const auto& w : r.warnings()) std::cout << "  warning: " << w << "\n";
  return 0;
}

}  // namespace ms
