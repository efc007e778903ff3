// `muonscope-cli reproduce --out DIR [--seeds N] [--jobs J]`: runs every study at CPU size with
// N seeds per member (default 3; members whose run file already finished with the same config
// and run-format version are reused, so a rerun only reads) and prints one table: for each
// finding of DESIGN.md section 6, mean +- std over the seeds per run and a verdict. A direction
// "holds" when it holds for every seed pair or the difference of the means exceeds twice the
// pooled standard error, is "reversed" under the same test the other way, else "unclear".
// bench/reproduce.sh wraps it. Honest by construction: it prints what it measured.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "CliArgs.h"
#include "Commands.h"
#include "RunQueue.h"
#include "assoc/Assoc.h"
#include "common/Duration.h"
#include "common/MatrixLabel.h"
#include "store/RunFile.h"
#include "store/RunReader.h"
#include "train/SeedStats.h"
#include "train/Studies.h"

namespace ms {
namespace {

// What the table needs from one finished run file.
struct RunFacts {
  std::string label;
  double final_val = kNaN, best_val = kNaN, first_val = kNaN;
  Snapshot last;
  std::map<std::string, int> mat;  // matrix name -> index
  double mat_mean(const std::string& name, double SpectrumMetrics::*field) const {
    auto it = mat.find(name);
    if (it == mat.end()) return kNaN;
    std::vector<double> v;
    for (const auto& L : last.layers) v.push_back(L.matrices[it->second].*field);
    return mean_finite(v);
  }
  double pr_k() const {
    std::vector<double> v;
    for (const auto& L : last.layers)
      v.insert(v.end(), L.pr_sv[kActK].begin(), L.pr_sv[kActK].end());
    return mean_finite(v);
  }
  int collapsed() const {
    int n = 0;
    for (const auto& L : last.layers)
      for (auto c : L.collapsed) n += c;
    return n;
  }
  double asym(bool k) const {
    std::vector<double> v;
    for (const auto& L : last.layers) v.push_back(k ? L.k_post.asymmetry : L.v.asymmetry);
    return mean_finite(v);
  }
  double chan_spk(bool k) const {
    std::vector<double> v;
    for (const auto& L : last.layers)
      v.push_back(k ? L.k_post.channel_spk.max_mean : L.v.channel_spk.max_mean);
    return mean_finite(v);
  }
  // Mean FTA over the rarest half of the groups (the tail).
  double tail_fta() const {
    if (last.fta.empty()) return kNaN;
    const size_t g = last.fta.size();
    return mean_finite(std::vector<double>(last.fta.begin() + g / 2, last.fta.end()));
  }
  double head_fta() const {
    if (last.fta.empty()) return kNaN;
    return mean_finite(
        std::vector<double>(last.fta.begin(), last.fta.begin() + (last.fta.size() + 1) / 2));
  }
};

RunFacts read_facts(const std::string& path, const std::string& label) {
  RunReader r(path);
  RunFacts f;
  f.label = label;
  const auto vals = r.vals();
  if (!vals.empty()) {
    f.final_val = vals.back().loss;
    f.first_val = vals.front().loss;
    f.best_val = vals.front().loss;
    for (const auto& v : vals) f.best_val = std::min(f.best_val, v.loss);
  }
  if (r.num_snapshots() > 0) f.last = r.snapshot(r.num_snapshots() - 1);
  for (size_t i = 0; i < f.last.matrix_names.size(); ++i) f.mat[f.last.matrix_names[i]] = int(i);
  return f;
}

// A finished run file of the current format whose config is the one we would run (the data's
// vocabulary size is resolved at training time, so it is compared only when set).
bool reusable(const std::string& path, const RunConfig& want) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  try {
    RunReader r(path);
    if (r.status() != RunStatus::Finished || r.format_version() != kRunFormatVersion) return false;
    RunConfig got = config_from_json(r.info().config_json);
    if (want.model.vocab_size == 0) got.model.vocab_size = 0;
    return config_to_json(got) == config_to_json(want);
  } catch (const std::exception&) {
    return false;
  }
}

std::string num(double v, int prec = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return std::isfinite(v) ? b : "nan";
}

// ---- Seed statistics ---------------------------------------------------------------------

std::string show(const std::vector<double>& v, int prec) {
  const SeedStat s = seed_stat(v);
  if (s.n <= 1) return num(s.mean, prec);
  return num(s.mean, prec) + " ± " + num(s.sd, prec);
}

std::string verdict_cell(Verdict v) {
  return v == Verdict::Reversed ? std::string("**reversed**") : verdict_name(v);
}

using Runs = std::vector<RunFacts>;  // one per seed, in seed order
using Measure = std::function<double(const RunFacts&)>;

std::vector<double> per_seed(const Runs& r, const Measure& m) {
  std::vector<double> v;
  for (const auto& f : r) v.push_back(m(f));
  return v;
}

// Per seed index, f(a_i, b_i, ...) for runs of the same seed (paired: same init and batches).
std::vector<double> paired(const std::vector<const Runs*>& runs,
                           const std::function<double(const std::vector<const RunFacts*>&)>& f) {
  size_t n = runs.empty() ? 0 : runs[0]->size();
  for (const Runs* r : runs) n = std::min(n, r->size());
  std::vector<double> v;
  for (size_t i = 0; i < n; ++i) {
    std::vector<const RunFacts*> row;
    for (const Runs* r : runs) row.push_back(&(*r)[i]);
    v.push_back(f(row));
  }
  return v;
}

struct Table {
  std::ostringstream md;
  int rows = 0, holds = 0, reversed = 0, unclear = 0;
  explicit Table(int seeds) {
    md << "| study | measure | runs | expected | measured (mean ± std, " << seeds << " seed"
       << (seeds == 1 ? "" : "s") << ") | verdict |\n|---|---|---|---|---|---|\n";
  }
  void row(const std::string& study, const std::string& measure, const std::string& runs,
           const std::string& expected, const std::string& measured, Verdict v) {
    md << "| " << study << " | " << measure << " | " << runs << " | " << expected << " | "
       << measured << " | " << verdict_cell(v) << " |\n";
    if (v == Verdict::Context) return;
    ++rows;
    holds += v == Verdict::Holds;
    reversed += v == Verdict::Reversed;
    unclear += v == Verdict::Unclear;
  }
};

Measure spectrum(const std::string& mat, double SpectrumMetrics::*field) {
  return [mat, field](const RunFacts& f) { return f.mat_mean(mat, field); };
}

Measure mean_of(std::vector<Measure> ms) {
  return [ms](const RunFacts& f) {
    std::vector<double> v;
    for (const auto& m : ms) v.push_back(m(f));
    return mean_finite(v);
  };
}

}  // namespace

int cmd_reproduce(int argc, char** argv) {
  cli::Args a("reproduce",
              "reproduce --out DIR [--seeds N] [--jobs J] [--set key=value]... [--only STUDY]",
              {{"--out", "DIR", "folder for the studies' run files (reused when present)"},
               {"--seeds", "N", "seeds per member (default 3)"},
               {"--jobs", "J", "runs at once, each its own process (default: the cores)"},
               {"--set", "KEY=VALUE", "config setting for every run (repeatable)", true},
               {"--only", "STUDY", "run and report one study only"},
               {"--quiet", "", "no training progress"}});
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (!a.has("--out")) throw cli::UsageError("reproduce needs --out DIR");
  const std::string dir = a.get("--out");
  const int seeds = a.has("--seeds") ? cli::int_value(a, "--seeds", 1, 32) : 3;
  const int njobs = a.has("--jobs") ? cli::int_value(a, "--jobs", 1, 256) : default_jobs();
  mkdir(dir.c_str(), 0755);

  // Every member of every study, seeded; the ones without a reusable file become jobs.
  struct Planned {
    std::string study, group, path;
  };
  std::vector<Planned> plan;
  std::vector<RunJob> jobs;
  for (const auto& st : studies()) {
    if (a.has("--only") && a.get("--only") != st.name) continue;
    const auto members = study_members(st.name, "cpu", a.all("--set"), seeds);
    const std::string sdir = dir + "/" + st.name;
    mkdir(sdir.c_str(), 0755);
    for (const auto& m : members) {
      const std::string path = sdir + "/" + m.file;
      plan.push_back({st.name, m.group, path});
      if (!reusable(path, m.config)) jobs.push_back({st.name + " " + m.label, path, m.config});
    }
  }
  std::cerr << "reproduce: " << plan.size() << " runs (" << seeds << " seed"
            << (seeds == 1 ? "" : "s") << " per member), " << plan.size() - jobs.size()
            << " reused, " << jobs.size() << " to train, " << njobs << " at once\n";
  const auto t0 = std::chrono::steady_clock::now();
  RunQueueOptions q;
  q.jobs = njobs;
  q.quiet = a.has("--quiet");
  if (!run_jobs(jobs, q)) return 130;
  const double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::map<std::string, std::map<std::string, Runs>> facts;  // study -> group -> seeds
  for (const auto& p : plan) facts[p.study][p.group].push_back(read_facts(p.path, p.group));
  auto by = [&](const std::string& study, const std::string& group) -> const Runs* {
    auto s = facts.find(study);
    if (s == facts.end()) return nullptr;
    auto g = s->second.find(group);
    return g == s->second.end() || g->second.empty() ? nullptr : &g->second;
  };

  Table t(seeds);
  // Two runs, one measure: the standard row.
  auto pair_row = [&](const std::string& study, const std::string& measure, const std::string& runs,
                      const std::string& expected, const Runs& A, const Runs& B, const Measure& m,
                      bool b_should_be_lower, int prec = 3) {
    const auto va = per_seed(A, m), vb = per_seed(B, m);
    t.row(study, measure, runs, expected, show(va, prec) + " / " + show(vb, prec),
          b_should_be_lower ? b_lower(va, vb) : b_greater(va, vb));
  };
  if (auto* ad = by("kv-asymmetry", "AdamW"), *mu = by("kv-asymmetry", "Muon"); ad && mu) {
    const std::string s = "kv-asymmetry", runs = "AdamW / Muon";
    pair_row(
        s, "K asymmetry (channel/token max-mean)", runs, "Muon lower (1.236 / 1.157)", *ad, *mu,
        [](const RunFacts& f) { return f.asym(true); }, true);
    pair_row(
        s, "V asymmetry", runs, "Muon lower (2.072 / 1.704)", *ad, *mu,
        [](const RunFacts& f) { return f.asym(false); }, true);
    pair_row(
        s, "K channel max/mean", runs, "Muon lower", *ad, *mu,
        [](const RunFacts& f) { return f.chan_spk(true); }, true);
    for (const char* m : {"attn.q", "attn.k", "attn.v", "attn.o"})
      pair_row(s, std::string("stable rank ") + m, runs, "Muon higher", *ad, *mu,
               spectrum(m, &SpectrumMetrics::stable_rank), false, 2);
    const Measure share = mean_of({spectrum("attn.q", &SpectrumMetrics::update_top_share),
                                   spectrum("attn.k", &SpectrumMetrics::update_top_share),
                                   spectrum("attn.v", &SpectrumMetrics::update_top_share),
                                   spectrum("attn.o", &SpectrumMetrics::update_top_share)});
    pair_row(s, "update share in W's top-10 directions (mean Q,K,V,O; chance 0.078)", runs,
             "Muon lower (spread update)", *ad, *mu, share, true);
    const Measure cosine = mean_of({spectrum("attn.q", &SpectrumMetrics::update_cosine),
                                    spectrum("attn.k", &SpectrumMetrics::update_cosine),
                                    spectrum("attn.v", &SpectrumMetrics::update_cosine),
                                    spectrum("attn.o", &SpectrumMetrics::update_cosine)});
    t.row(
        s, "update cosine on the optimizer's input (mean Q,K,V,O)", runs, "no claim in the source",
        show(per_seed(*ad, cosine), 3) + " / " + show(per_seed(*mu, cosine), 3), Verdict::Context);
    const Measure kivi2 = [](const RunFacts& f) {
      return f.last.kivi.valid ? f.last.kivi.k_chan_v_tok[0] : kNaN;
    };
    pair_row(s, "KIVI 2-bit loss delta (K/chan, V/tok)", runs, "Muon lower", *ad, *mu, kivi2, true,
             4);
    // Isotropy (study 4) from the same pair of runs.
    for (const char* m : {"vo", "mlp.in", "mlp.out"}) {
      const std::string label = matrix_name_label(m);  // "vo (sum over heads)"
      pair_row("isotropy", "eRank " + label, runs, "Muon higher", *ad, *mu,
               spectrum(m, &SpectrumMetrics::erank), false, 1);
      pair_row("isotropy", "TopE_10 " + label, runs, "Muon lower", *ad, *mu,
               spectrum(m, &SpectrumMetrics::top10), true);
      pair_row("isotropy", "Q75/Q25 " + label, runs, "Muon lower", *ad, *mu,
               spectrum(m, &SpectrumMetrics::q75_q25), true, 2);
    }
  }
  if (auto* mu = by("qk-norm", "Muon"), *qk = by("qk-norm", "Muon + QK-norm"); mu && qk) {
    const std::string s = "qk-norm", runs = "Muon / Muon+QK-norm";
    pair_row(
        s, "first val loss (early)", runs, "QK-norm lower", *mu, *qk,
        [](const RunFacts& f) { return f.first_val; }, true);
    pair_row(
        s, "mean PR_sv(k) at the end", runs, "QK-norm lower", *mu, *qk,
        [](const RunFacts& f) { return f.pr_k(); }, true, 2);
    pair_row(
        s, "collapsed heads", runs, "QK-norm more", *mu, *qk,
        [](const RunFacts& f) { return double(f.collapsed()); }, false, 1);
  }
  if (facts.count("ablation")) {
    const Runs *ad = by("ablation", "AdamW (all)"), *full = by("ablation", "Muon (all)"),
               *vf = by("ablation", "Muon (VO+FFN)"), *qk = by("ablation", "Muon (QK)");
    const Measure final_val = [](const RunFacts& f) { return f.final_val; };
    std::ostringstream all;
    for (const auto& [g, runs] : facts["ablation"])
      all << g << " " << show(per_seed(runs, final_val), 3) << "; ";
    if (ad && full && vf && qk) {
      pair_row("ablation", "final val loss: full Muon below all-AdamW", "AdamW / full",
               "Muon lower (3.9242 / 3.5654)", *ad, *full, final_val, true);
      // Sign-free: which runs land near full Muon, whichever way Muon moved the loss; per
      // seed, since members of one seed share the init and the batch order.
      auto dist = [](const RunFacts* x, const RunFacts* y) {
        return std::abs(x->final_val - y->final_val);
      };
      const auto d_vf = paired({vf, full}, [&](auto& r) { return dist(r[0], r[1]); });
      const auto d_qk_full = paired({qk, full}, [&](auto& r) { return dist(r[0], r[1]); });
      const auto d_qk_ad = paired({qk, ad}, [&](auto& r) { return dist(r[0], r[1]); });
      t.row("ablation", "VO+FFN nearly recovers full Muon", "dist(VO+FFN, full) / dist(QK, full)",
            "first lower (paper: 0.0204 / 0.3271)", show(d_vf, 3) + " / " + show(d_qk_full, 3),
            b_lower(d_qk_full, d_vf));
      t.row("ablation", "QK-only stays near all-AdamW", "dist(QK, AdamW) / dist(QK, full)",
            "first lower (paper: 0.0317 / 0.3271)", show(d_qk_ad, 3) + " / " + show(d_qk_full, 3),
            b_lower(d_qk_full, d_qk_ad));
    }
    std::cout << "ablation final val losses: " << all.str() << "\n";
  }
  if (auto* mu = by("tail-qa", "Muon"), *ad = by("tail-qa", "AdamW"),
      *sgd = by("tail-qa", "SGD-momentum");
      mu && ad && sgd) {
    const std::string s = "tail-qa";
    const Measure tail = [](const RunFacts& f) { return f.tail_fta(); };
    const Measure head = [](const RunFacts& f) { return f.head_fta(); };
    const auto vm = per_seed(*mu, tail), va = per_seed(*ad, tail), vs = per_seed(*sgd, tail);
    t.row(s, "tail FTA (rarest half of groups)", "Muon / AdamW / SGD", "Muon highest",
          show(vm, 3) + " / " + show(va, 3) + " / " + show(vs, 3),
          all_hold({b_greater(va, vm), b_greater(vs, vm)}));
    t.row(s, "head FTA (frequent half)", "Muon / AdamW / SGD", "all high (context)",
          show(per_seed(*mu, head), 3) + " / " + show(per_seed(*ad, head), 3) + " / " +
              show(per_seed(*sgd, head), 3),
          Verdict::Context);
    if (auto* h1 = by("tail-qa", "Muon (VO+FFN) & AdamW (QK)"),
        *h2 = by("tail-qa", "Muon (QK) & AdamW (VO+FFN)");
        h1 && h2)
      pair_row(s, "tail FTA of the hybrids", "Muon(QK) / Muon(VO+FFN)", "VO+FFN hybrid higher", *h2,
               *h1, tail, false);  // values in the order of the runs column: h2, then h1
  }
  if (!a.has("--only")) {
    AssocConfig c;  // the theory model is deterministic: one run each, no seeds
    for (const char* emb : {"onehot", "orthogonal"}) {
      c.embedding = emb;
      const auto rs = run_assoc_all(c);  // gd, signgd, muon
      const bool sign_expected_small = std::string(emb) == "onehot";
      const bool ok = rs[2].gap < 0.1 && rs[0].gap > 0.5 &&
                      (sign_expected_small ? rs[1].gap < 0.1 : rs[1].gap > 0.5);
      t.row(
          "assoc-memory", std::string("gap Delta, ") + emb + " (K 64, alpha 0.9, beta 0.1)",
          "GD / SignGD / Muon",
          std::string("Muon small, GD large, SignGD ") + (sign_expected_small ? "small" : "large"),
          num(rs[0].gap) + " / " + num(rs[1].gap) + " / " + num(rs[2].gap),
          ok ? Verdict::Holds : Verdict::Reversed);
    }
  }
  std::cout << "\n"
            << t.md.str() << "\n"
            << t.holds << " of " << t.rows << " directions hold, " << t.reversed << " reversed, "
            << t.unclear << " unclear (" << seeds << " seed" << (seeds == 1 ? "" : "s")
            << " per run; " << jobs.size() << " runs trained in " << format_duration(train_s)
            << ").\n";
  return 0;
}

}  // namespace ms
