// RunConfig: JSON round trip, dotted `key=value` settings, presets, and that every invalid
// value is rejected with a message naming the key and the value.
#include <QtTest>

#include "train/RunConfig.h"
#include "train/SeedStats.h"
#include "train/Studies.h"

using namespace ms;

class TestConfig : public QObject {
  Q_OBJECT
 private:
  // Expects a ConfigError whose message contains every fragment.
  template <typename F>
  void expectError(F f, std::initializer_list<const char*> fragments) {
    try {
      f();
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      const QString msg = QString::fromStdString(e.what());
      for (const char* frag : fragments)
        QVERIFY2(msg.contains(QLatin1String(frag)), qPrintable(msg + " lacks " + frag));
    }
  }

 private slots:
  void roundTrip() {
    RunConfig c = preset("muon-qknorm");
    c.model.layers = 3;
    c.optim.muon = {"attn.v", "attn.o"};
    c.data.path = "x.txt";
    const std::string j = config_to_json(c);
    const RunConfig d = config_from_json(j);
    QCOMPARE(config_to_json(d), j);
    QCOMPARE(d.model.layers, 3);
    QVERIFY(d.model.qk_norm);
    QCOMPARE(d.optim.muon.size(), size_t(2));
  }
  void partialDocumentKeepsDefaults() {
    const RunConfig c = config_from_json(R"({"model": {"layers": 5}})");
    QCOMPARE(c.model.layers, 5);
    QCOMPARE(c.model.d_model, RunConfig().model.d_model);
  }
  void presetInDocumentIsTheBase() {
    const RunConfig c = config_from_json(R"({"preset": "adamw", "train": {"steps": 7}})");
    QVERIFY(c.optim.muon.empty());
    QCOMPARE(c.train.steps, int64_t(7));
  }
  void unknownKeyRejected() {
    expectError([] { config_from_json(R"({"model": {"layerz": 5}})"); }, {"model.layerz"});
    RunConfig c;
    expectError([&] { apply_setting(c, "train.stepz=4"); }, {"train.stepz"});
  }
  void wrongTypeRejected() {
    expectError([] { config_from_json(R"({"model": {"layers": "four"}})"); },
                {"model.layers", "integer", "four"});
    expectError([] { config_from_json(R"({"model": {"qk_norm": 1}})"); }, {"model.qk_norm"});
    expectError([] { config_from_json("{not json"); }, {"JSON"});
  }
  void settings() {
    RunConfig c;
    apply_setting(c, "model.layers=6");
    apply_setting(c, "optim.lr_muon=0.05");
    apply_setting(c, "model.qk_norm=true");
    apply_setting(c, "data.source=text");
    apply_setting(c, "name=123");
    QCOMPARE(c.model.layers, 6);
    QCOMPARE(c.optim.lr_muon, 0.05);
    QVERIFY(c.model.qk_norm);
    QCOMPARE(c.data.source, std::string("text"));
    QCOMPARE(c.name, std::string("123"));
    expectError([&] { apply_setting(c, "model.layers"); }, {"key=value"});
  }
  void muonRoleShortcuts() {
    RunConfig c;
    apply_setting(c, "optim.muon=vo+ffn");
    QCOMPARE(c.optim.muon,
             (std::vector<std::string>{"attn.v", "attn.o", "mlp.in", "mlp.gate", "mlp.out"}));
    apply_setting(c, "optim.muon=q,k");
    QCOMPARE(c.optim.muon, (std::vector<std::string>{"attn.q", "attn.k"}));
    apply_setting(c, "optim.muon=none");
    QVERIFY(c.optim.muon.empty());
    apply_setting(c, R"(optim.muon=["mlp.out","attn.v"])");
    QCOMPARE(c.optim.muon, (std::vector<std::string>{"attn.v", "mlp.out"}));
    expectError([&] { apply_setting(c, "optim.muon=xyz"); }, {"optim.muon", "xyz"});
  }
  void validationNamesKeyAndValue() {
    auto check = [&](const char* kv, std::initializer_list<const char*> frags) {
      RunConfig c;
      apply_setting(c, kv);
      expectError([&] { validate(c); }, frags);
    };
    check("model.heads=3", {"model.heads", "3", "d_model"});
    check("optim.lr_muon=0", {"optim.lr_muon"});
    check("optim.lr_adamw=-1", {"optim.lr_adamw", "-1"});
    check("model.ffn=relu", {"model.ffn", "relu"});
    check("device=tpu", {"device", "tpu"});
    check("data.source=text", {"data.path"});
    check("optim.beta2=1", {"optim.beta2"});
    check("train.steps=0", {"train.steps"});
    check("metrics.every=0", {"metrics.every"});
    RunConfig ok;
    validate(ok);  // defaults are valid
  }
  void everyPresetIsValid() {
    QVERIFY(presets().size() >= 4);
    for (const auto& p : presets()) {
      const RunConfig c = preset(p.name);
      validate(c);
      QCOMPARE(c.preset, p.name);
    }
    QVERIFY(preset("adamw").optim.muon.empty());
    QVERIFY(preset("muon-qknorm").model.qk_norm);
    QVERIFY(!preset("quick").optim.muon.empty());
    expectError([] { preset("nope"); }, {"nope", "quick"});
  }
  void summaries() {
    QCOMPARE(QString::fromStdString(optimizer_summary(preset("adamw"))), QString("AdamW (all)"));
    QCOMPARE(QString::fromStdString(optimizer_summary(preset("muon-vo-ffn"))),
             QString::fromUtf8("Muon: V,O,FFN · AdamW: Q,K"));
    RunConfig c;
    c.optim.muon = {"mlp.in"};
    QCOMPARE(QString::fromStdString(optimizer_summary(c)),
             QString::fromUtf8("Muon: W_in · AdamW: Q,K,V,O,W_out"));
  }
  void keysListed() {
    const auto keys = config_keys(RunConfig());
    QStringList names;
    for (const auto& kv : keys) names << QString::fromStdString(kv.first);
    for (const char* k :
         {"model.layers", "model.d_model", "model.heads", "model.seq_len", "model.qk_norm",
          "model.ffn", "optim.muon", "optim.lr_adamw", "optim.lr_muon", "train.steps",
          "train.batch_size", "train.seed", "data.source", "data.path", "metrics.every", "device"})
      QVERIFY2(names.contains(k), k);
  }
  void studiesShareEverythingButTheOptimizer() {
    for (const auto& st : studies()) {
      const auto members = study_members(st.name);
      QVERIFY(members.size() >= 2);
      for (const auto& m : members) {
        RunConfig a = m.config, b = members.front().config;
        // Only routing, the base optimizer and its lr, QK-norm and the name may differ.
        a.optim.muon = b.optim.muon;
        a.optim.base = b.optim.base;
        a.optim.lr_adamw = b.optim.lr_adamw;
        a.model.qk_norm = b.model.qk_norm;
        a.name = b.name;
        QCOMPARE(config_to_json(a), config_to_json(b));
      }
    }
    QCOMPARE(study_members("ablation").size(), size_t(13));  // non-gated: no W_gate member
    QCOMPARE(study_members("ablation", "cpu", {"model.ffn=swiglu"}).size(), size_t(14));
    QCOMPARE(study_members("qk-norm").size(), size_t(3));
    QCOMPARE(study_members("tail-qa").size(), size_t(5));
    QCOMPARE(study_members("tail-qa")[2].config.optim.base, std::string("sgd"));
    QCOMPARE(study_members("kv-asymmetry", "gpu")[0].config.model.layers, 8);
    expectError([] { study_members("nope"); }, {"nope", "kv-asymmetry"});
    expectError(
        [] {
          study_members("tail-qa", "cpu", {"data.source=text", "data.path=x"});
        },
        {"tailqa"});
  }
  void studyIndexRoundTrip() {
    StudyIndex idx;
    idx.study = "qk-norm";
    idx.scale = "cpu";
    idx.members.push_back({"Muon", "muon.h5", "finished", "x", "Muon", 1337});
    const StudyIndex back = study_index_from_json(study_index_to_json(idx));
    QCOMPARE(back.study, idx.study);
    QCOMPARE(back.members.size(), size_t(1));
    QCOMPARE(back.members[0].file, std::string("muon.h5"));
    expectError([] { study_index_from_json("{\"format\": \"other\"}"); }, {"study index"});
    QCOMPARE(back.members[0].group, std::string("Muon"));
    QCOMPARE(back.members[0].seed, uint64_t(1337));
    // An index without group/seed (Muonscope 0.1) reads with group = label, seed 0.
    const StudyIndex old = study_index_from_json(
        R"({"format": "muonscope-study", "study": "x", "members": [{"label": "A", "file": "a.h5"}]})");
    QCOMPARE(old.members[0].group, std::string("A"));
    QCOMPARE(old.members[0].seed, uint64_t(0));
  }
  // QK-norm's per-head RMSNorm undoes MuonClip's row scaling: the pair is refused, each alone
  // is fine.
  void muonClipWithQkNormRefused() {
    RunConfig c;
    c.optim.muon_clip = true;
    c.model.qk_norm = true;
    expectError([&] { validate(c); }, {"optim.muon_clip", "model.qk_norm"});
    c.model.qk_norm = false;
    validate(c);
    c.optim.muon_clip = false;
    c.model.qk_norm = true;
    validate(c);
  }
  void newKeysRoundTrip() {
    RunConfig c;
    apply_setting(c, "optim.clip_muon=true");
    apply_setting(c, "metrics.probe_seed=77");
    const RunConfig back = config_from_json(config_to_json(c));
    QCOMPARE(back.optim.clip_muon, true);
    QCOMPARE(back.metrics.probe_seed, uint64_t(77));
    QCOMPARE(probe_seed(back), uint64_t(77));
    QCOMPARE(probe_seed(RunConfig()), RunConfig().train.seed);  // 0 = train.seed
    QCOMPARE(RunConfig().optim.clip_muon, false);               // muon.py does not clip
  }
  // --seeds N: every member N times; only train.seed (and the name) differ, data and probe
  // windows stay at the first seed.
  void seededStudyMembers() {
    const auto one = study_members("kv-asymmetry");
    QCOMPARE(one[0].group, one[0].label);
    QCOMPARE(one[0].seed, one[0].config.train.seed);
    QCOMPARE(one[0].file, std::string("adamw.h5"));
    const auto m = study_members("kv-asymmetry", "cpu", {"train.seed=100"}, 3);
    QCOMPARE(m.size(), size_t(6));
    const char* groups[] = {"AdamW", "AdamW", "AdamW", "Muon", "Muon", "Muon"};
    for (size_t i = 0; i < m.size(); ++i) {
      const uint64_t seed = 100 + i % 3;
      QCOMPARE(m[i].group, std::string(groups[i]));
      QCOMPARE(m[i].seed, seed);
      QCOMPARE(m[i].config.train.seed, seed);
      QCOMPARE(m[i].config.data.seed, uint64_t(100));
      QCOMPARE(m[i].config.metrics.probe_seed, uint64_t(100));
      QCOMPARE(m[i].label, m[i].group + " \xC2\xB7 seed " + std::to_string(seed));
      RunConfig a = m[i].config,
                b = study_members("kv-asymmetry", "cpu", {"train.seed=100"})[i / 3].config;
      QCOMPARE(a.optim.muon, b.optim.muon);
      a.train.seed = b.train.seed;
      a.data.seed = b.data.seed;
      a.metrics.probe_seed = b.metrics.probe_seed;
      a.name = b.name;
      QCOMPARE(config_to_json(a), config_to_json(b));
    }
    QCOMPARE(m[1].file, std::string("adamw-seed101.h5"));
    QCOMPARE(m[5].file, std::string("muon-seed102.h5"));
    expectError([] { study_members("kv-asymmetry", "cpu", {}, 0); }, {"seeds", "0"});
    expectError([] { study_members("kv-asymmetry", "cpu", {}, 33); }, {"seeds", "33"});
  }
  // DESIGN.md section 5: the paper's optimizer setup for the tail-QA task.
  void tailQaUsesThePapersSetup() {
    for (const auto& m : study_members("tail-qa")) {
      QCOMPARE(m.config.optim.nesterov, false);
      QCOMPARE(m.config.optim.beta1, 0.8);
      QCOMPARE(m.config.optim.beta2, 0.95);
      QCOMPARE(m.config.optim.wd_adamw, 0.0);
      QCOMPARE(m.config.optim.wd_muon, 0.0);
      QCOMPARE(m.config.optim.clip_muon, false);
    }
    // The user's settings still win.
    QCOMPARE(study_members("tail-qa", "cpu", {"optim.nesterov=true"})[0].config.optim.nesterov,
             true);
  }
  void seedVerdicts() {
    // Every seed pair in the direction: holds, whatever the spread.
    QCOMPARE(b_greater({1, 2, 3}, {4, 5, 6}), Verdict::Holds);
    QCOMPARE(b_lower({1, 2, 3}, {4, 5, 6}), Verdict::Reversed);
    // a = {0, 1, 2}, b = {1.9, 2.9, 3.9}: one pair (2 vs 1.9) goes the other way, but the means
    // differ by 1.9 > 2 * se = 2 * sqrt(1 * (1/3 + 1/3)) = 1.633: holds.
    QCOMPARE(b_greater({0, 1, 2}, {1.9, 2.9, 3.9}), Verdict::Holds);
    QCOMPARE(b_greater({1.9, 2.9, 3.9}, {0, 1, 2}), Verdict::Reversed);
    // b = {1.5, 2.5, 3.5}: 1.5 < 1.633 and pairs overlap: unclear.
    QCOMPARE(b_greater({0, 1, 2}, {1.5, 2.5, 3.5}), Verdict::Unclear);
    // One seed: the plain comparison; ties are unclear; NaN seeds are left out.
    QCOMPARE(b_greater({1}, {2}), Verdict::Holds);
    QCOMPARE(b_greater({2}, {1}), Verdict::Reversed);
    QCOMPARE(b_greater({1}, {1}), Verdict::Unclear);
    QCOMPARE(b_greater({1, std::nan("")}, {2}), Verdict::Holds);
    QCOMPARE(b_greater({std::nan("")}, {2}), Verdict::Unclear);
    // Pooled SE: sa = 1, sb = 2 (n = 3 each): sp^2 = (2 * 1 + 2 * 4) / 4 = 2.5.
    const SeedStat sa = seed_stat({0, 1, 2}), sb = seed_stat({0, 2, 4});
    QCOMPARE(sa.mean, 1.0);
    QCOMPARE(sb.sd, 2.0);
    QVERIFY(std::abs(pooled_se(sa, sb) - std::sqrt(2.5 * 2.0 / 3.0)) < 1e-12);
    QCOMPARE(all_hold({Verdict::Holds, Verdict::Holds}), Verdict::Holds);
    QCOMPARE(all_hold({Verdict::Holds, Verdict::Unclear}), Verdict::Unclear);
    QCOMPARE(all_hold({Verdict::Unclear, Verdict::Reversed}), Verdict::Reversed);
  }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
