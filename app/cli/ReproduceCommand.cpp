// `muonscope-cli reproduce --out DIR`: runs every study at CPU size (skipping members whose run
// file already finished, so a rerun only reads) and prints one table: for each finding of
// DESIGN.md section 6, the measured numbers per run and whether the direction matches the
// source study. bench/reproduce.sh wraps it. Honest by construction: it prints what it measured.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "CliArgs.h"
#include "Commands.h"
#include "TrainRun.h"
#include "assoc/Assoc.h"
#include "common/MatrixLabel.h"
#include "store/RunReader.h"
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

bool finished_file(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  try {
    return RunReader(path).status() == RunStatus::Finished;
  } catch (const std::exception&) {
    return false;
  }
}

std::string num(double v, int prec = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return std::isfinite(v) ? b : "nan";
}

struct Table {
  std::ostringstream md;
  int rows = 0, matches = 0;
  Table() {
    md << "| study | measure | runs | expected | measured | match |\n|---|---|---|---|---|---|\n";
  }
  void row(const std::string& study, const std::string& measure, const std::string& runs,
           const std::string& expected, const std::string& measured, bool match) {
    md << "| " << study << " | " << measure << " | " << runs << " | " << expected << " | "
       << measured << " | " << (match ? "yes" : "**no**") << " |\n";
    ++rows;
    matches += match;
  }
};

}  // namespace

int cmd_reproduce(int argc, char** argv) {
  cli::Args a("reproduce", "reproduce --out DIR [--set key=value]... [--only STUDY]",
              {{"--out", "DIR", "folder for the studies' run files (reused when present)"},
               {"--set", "KEY=VALUE", "config setting for every run (repeatable)", true},
               {"--only", "STUDY", "run and report one study only"},
               {"--quiet", "", "no training progress"}});
  if (!a.parse(argc, argv, 2)) {
    std::cout << a.help();
    return 0;
  }
  if (!a.has("--out")) throw cli::UsageError("reproduce needs --out DIR");
  const std::string dir = a.get("--out");
  mkdir(dir.c_str(), 0755);
  std::map<std::string, std::vector<RunFacts>> facts;
  for (const auto& st : studies()) {
    if (a.has("--only") && a.get("--only") != st.name) continue;
    const auto members = study_members(st.name, "cpu", a.all("--set"));
    const std::string sdir = dir + "/" + st.name;
    mkdir(sdir.c_str(), 0755);
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string path = sdir + "/" + members[i].file;
      if (!finished_file(path)) {
        TrainOptions o;
        o.force = true;
        o.quiet = a.has("--quiet");
        o.prefix = "[" + st.name + " " + std::to_string(i + 1) + "/" +
                   std::to_string(members.size()) + "] ";
        const auto r = train_to_file(members[i].config, path, o);
        if (r.interrupted) return 130;
      }
      facts[st.name].push_back(read_facts(path, members[i].label));
    }
  }
  Table t;
  auto by = [&](const std::string& study, const std::string& label) -> const RunFacts* {
    for (const auto& f : facts[study])
      if (f.label == label) return &f;
    return nullptr;
  };
  if (auto* ad = by("kv-asymmetry", "AdamW"), *mu = by("kv-asymmetry", "Muon"); ad && mu) {
    const std::string s = "kv-asymmetry", runs = "AdamW / Muon";
    t.row(s, "K asymmetry (channel/token max-mean)", runs, "Muon lower (1.236 / 1.157)",
          num(ad->asym(true)) + " / " + num(mu->asym(true)), mu->asym(true) < ad->asym(true));
    t.row(s, "V asymmetry", runs, "Muon lower (2.072 / 1.704)",
          num(ad->asym(false)) + " / " + num(mu->asym(false)), mu->asym(false) < ad->asym(false));
    t.row(s, "K channel max/mean", runs, "Muon lower",
          num(ad->chan_spk(true)) + " / " + num(mu->chan_spk(true)),
          mu->chan_spk(true) < ad->chan_spk(true));
    for (const char* m : {"attn.q", "attn.k", "attn.v", "attn.o"})
      t.row(s, std::string("stable rank ") + m, runs, "Muon higher",
            num(ad->mat_mean(m, &SpectrumMetrics::stable_rank), 2) + " / " +
                num(mu->mat_mean(m, &SpectrumMetrics::stable_rank), 2),
            mu->mat_mean(m, &SpectrumMetrics::stable_rank) >
                ad->mat_mean(m, &SpectrumMetrics::stable_rank));
    t.row(s, "update alignment (mean Q,K,V,O)", runs, "Muon lower",
          num(mean_finite({ad->mat_mean("attn.q", &SpectrumMetrics::update_alignment),
                           ad->mat_mean("attn.k", &SpectrumMetrics::update_alignment),
                           ad->mat_mean("attn.v", &SpectrumMetrics::update_alignment),
                           ad->mat_mean("attn.o", &SpectrumMetrics::update_alignment)})) +
              " / " +
              num(mean_finite({mu->mat_mean("attn.q", &SpectrumMetrics::update_alignment),
                               mu->mat_mean("attn.k", &SpectrumMetrics::update_alignment),
                               mu->mat_mean("attn.v", &SpectrumMetrics::update_alignment),
                               mu->mat_mean("attn.o", &SpectrumMetrics::update_alignment)})),
          mean_finite({mu->mat_mean("attn.q", &SpectrumMetrics::update_alignment),
                       mu->mat_mean("attn.k", &SpectrumMetrics::update_alignment)}) <
              mean_finite({ad->mat_mean("attn.q", &SpectrumMetrics::update_alignment),
                           ad->mat_mean("attn.k", &SpectrumMetrics::update_alignment)}));
    if (ad->last.kivi.valid && mu->last.kivi.valid)
      t.row(s, "KIVI 2-bit loss delta (K/chan, V/tok)", runs, "Muon lower",
            num(ad->last.kivi.k_chan_v_tok[0], 4) + " / " + num(mu->last.kivi.k_chan_v_tok[0], 4),
            mu->last.kivi.k_chan_v_tok[0] < ad->last.kivi.k_chan_v_tok[0]);
    // Isotropy (study 4) from the same pair of runs.
    for (const char* m : {"vo", "mlp.in", "mlp.out"}) {
      const std::string label = matrix_name_label(m);  // "vo (sum over heads)"
      t.row("isotropy", "eRank " + label, runs, "Muon higher",
            num(ad->mat_mean(m, &SpectrumMetrics::erank), 1) + " / " +
                num(mu->mat_mean(m, &SpectrumMetrics::erank), 1),
            mu->mat_mean(m, &SpectrumMetrics::erank) > ad->mat_mean(m, &SpectrumMetrics::erank));
      t.row("isotropy", "TopE_10 " + label, runs, "Muon lower",
            num(ad->mat_mean(m, &SpectrumMetrics::top10)) + " / " +
                num(mu->mat_mean(m, &SpectrumMetrics::top10)),
            mu->mat_mean(m, &SpectrumMetrics::top10) < ad->mat_mean(m, &SpectrumMetrics::top10));
      t.row(
          "isotropy", "Q75/Q25 " + label, runs, "Muon lower",
          num(ad->mat_mean(m, &SpectrumMetrics::q75_q25), 2) + " / " +
              num(mu->mat_mean(m, &SpectrumMetrics::q75_q25), 2),
          mu->mat_mean(m, &SpectrumMetrics::q75_q25) < ad->mat_mean(m, &SpectrumMetrics::q75_q25));
    }
  }
  if (auto* mu = by("qk-norm", "Muon"), *qk = by("qk-norm", "Muon + QK-norm"); mu && qk) {
    const std::string s = "qk-norm", runs = "Muon / Muon+QK-norm";
    t.row(s, "first val loss (early)", runs, "QK-norm lower",
          num(mu->first_val) + " / " + num(qk->first_val), qk->first_val < mu->first_val);
    t.row(s, "mean PR_sv(k) at the end", runs, "QK-norm lower",
          num(mu->pr_k(), 2) + " / " + num(qk->pr_k(), 2), qk->pr_k() < mu->pr_k());
    t.row(s, "collapsed heads", runs, "QK-norm more",
          std::to_string(mu->collapsed()) + " / " + std::to_string(qk->collapsed()),
          qk->collapsed() > mu->collapsed());
  }
  if (!facts["ablation"].empty()) {
    const auto *ad = by("ablation", "AdamW (all)"), *full = by("ablation", "Muon (all)"),
               *vf = by("ablation", "Muon (VO+FFN)"), *qk = by("ablation", "Muon (QK)");
    std::ostringstream all;
    for (const auto& f : facts["ablation"]) all << f.label << " " << num(f.final_val) << "; ";
    if (ad && full && vf && qk) {
      t.row("ablation", "final val loss: full Muon below all-AdamW", "AdamW / full",
            "Muon lower (3.9242 / 3.5654)", num(ad->final_val) + " / " + num(full->final_val),
            full->final_val < ad->final_val);
      // Sign-free: which runs land near full Muon, whichever way Muon moved the loss.
      t.row("ablation", "VO+FFN nearly recovers full Muon", "VO+FFN / QK / full",
            "dist(VO+FFN, full) < dist(QK, full) (3.5858 / 3.8925 / 3.5654)",
            num(vf->final_val) + " / " + num(qk->final_val) + " / " + num(full->final_val),
            std::abs(vf->final_val - full->final_val) < std::abs(qk->final_val - full->final_val));
      t.row("ablation", "QK-only stays near all-AdamW", "AdamW / QK / full",
            "dist(QK, AdamW) < dist(QK, full)",
            num(ad->final_val) + " / " + num(qk->final_val) + " / " + num(full->final_val),
            std::abs(qk->final_val - ad->final_val) < std::abs(qk->final_val - full->final_val));
    }
    std::cout << "ablation final val losses: " << all.str() << "\n";
  }
  if (auto* mu = by("tail-qa", "Muon"), *ad = by("tail-qa", "AdamW"),
      *sgd = by("tail-qa", "SGD-momentum");
      mu && ad && sgd) {
    const std::string s = "tail-qa";
    t.row(s, "tail FTA (rarest half of groups)", "Muon / AdamW / SGD", "Muon highest",
          num(mu->tail_fta()) + " / " + num(ad->tail_fta()) + " / " + num(sgd->tail_fta()),
          mu->tail_fta() > ad->tail_fta() && mu->tail_fta() > sgd->tail_fta());
    t.row(s, "head FTA (frequent half)", "Muon / AdamW / SGD", "all high (context)",
          num(mu->head_fta()) + " / " + num(ad->head_fta()) + " / " + num(sgd->head_fta()), true);
    if (auto* h1 = by("tail-qa", "Muon (VO+FFN) & AdamW (QK)"),
        *h2 = by("tail-qa", "Muon (QK) & AdamW (VO+FFN)");
        h1 && h2)
      t.row(s, "tail FTA of the hybrids", "Muon(VO+FFN) / Muon(QK)", "VO+FFN hybrid higher",
            num(h1->tail_fta()) + " / " + num(h2->tail_fta()), h1->tail_fta() > h2->tail_fta());
  }
  if (!a.has("--only")) {
    AssocConfig c;
    for (const char* emb : {"onehot", "orthogonal"}) {
      c.embedding = emb;
      const auto rs = run_assoc_all(c);  // gd, signgd, muon
      const bool sign_expected_small = std::string(emb) == "onehot";
      t.row(
          "assoc-memory", std::string("gap Delta, ") + emb + " (K 64, alpha 0.9, beta 0.1)",
          "GD / SignGD / Muon",
          std::string("Muon small, GD large, SignGD ") + (sign_expected_small ? "small" : "large"),
          num(rs[0].gap) + " / " + num(rs[1].gap) + " / " + num(rs[2].gap),
          rs[2].gap < 0.1 && rs[0].gap > 0.5 &&
              (sign_expected_small ? rs[1].gap < 0.1 : rs[1].gap > 0.5));
    }
  }
  std::cout << "\n"
            << t.md.str() << "\n"
            << t.matches << " of " << t.rows << " directions match the source studies.\n";
  return 0;
}

}  // namespace ms
