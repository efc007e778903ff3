// MuonClip / QK-clip on a real (tiny) GPT: a head whose max logit exceeds tau gets exactly its
// rows of W_q and W_k scaled by sqrt(tau / S_h), after which its max logit on the same batch is
// tau; other heads, other layers and W_v / W_o are untouched.
// torch before QtTest: Qt's `slots` macro breaks torch headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>

#include "model/GPT.h"
#include "optim/Optimizers.h"

using namespace ms;

namespace {

ModelConfig tiny() {
  ModelConfig c;
  c.vocab_size = 13;
  c.seq_len = 8;
  c.layers = 2;
  c.heads = 2;
  c.d_model = 16;
  c.pos = "rope";
  return c;
}

// Max logit per layer, (H) each, on a fixed batch.
std::vector<torch::Tensor> max_logits(GPTImpl& m, const torch::Tensor& idx) {
  torch::NoGradGuard ng;
  std::vector<LayerCapture> caps;
  ForwardOptions o;
  o.capture = &caps;
  o.max_logit_only = true;
  m.forward(idx, o);
  std::vector<torch::Tensor> out;
  for (const auto& c : caps) out.push_back(c.max_logit.to(torch::kDouble));
  return out;
}

}  // namespace

class TestMuonClip : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void clipsExactlyTheHeadAboveTau() {
    torch::manual_seed(11);
    GPT model(tiny());
    const int64_t hd = model->config().head_dim();
    const torch::Tensor idx = torch::randint(0, 13, {3, 8}, torch::kLong);
    {  // Blow up layer 1, head 0: its q and k rows x30, so its logits grow ~900x.
      torch::NoGradGuard ng;
      model->weight(1, "attn.q").narrow(0, 0, hd).mul_(30.0);
      model->weight(1, "attn.k").narrow(0, 0, hd).mul_(30.0);
    }
    const auto S = max_logits(*model, idx);
    const double s10 = S[1][0].item<double>();
    const double tau = s10 / 4;
    // Precondition: only that head is above tau.
    for (int l = 0; l < 2; ++l)
      for (int h = 0; h < 2; ++h)
        if (l != 1 || h != 0) QVERIFY(S[l][h].item<double>() < tau);

    std::vector<torch::Tensor> before;
    for (int l = 0; l < 2; ++l)
      for (const char* r : {"attn.q", "attn.k", "attn.v", "attn.o"})
        before.push_back(model->weight(l, r).detach().clone());

    QCOMPARE(muon_clip(*model, S, tau), 1);

    const double gamma = std::sqrt(tau / s10);  // = 0.5
    int k = 0;
    for (int l = 0; l < 2; ++l)
      for (const char* r : {"attn.q", "attn.k", "attn.v", "attn.o"}) {
        const torch::Tensor now = model->weight(l, r).detach();
        const torch::Tensor was = before[static_cast<size_t>(k++)];
        const bool qk = std::string(r) == "attn.q" || std::string(r) == "attn.k";
        if (l == 1 && qk) {
          const double d0 = (now.narrow(0, 0, hd).to(torch::kDouble) -
                             was.narrow(0, 0, hd).to(torch::kDouble) * gamma)
                                .abs()
                                .max()
                                .item<double>();
          QVERIFY2(d0 < 1e-6, qPrintable(QString("layer 1 %1 head 0: max diff %2").arg(r).arg(d0)));
          QVERIFY(torch::equal(now.narrow(0, hd, hd), was.narrow(0, hd, hd)));  // head 1 untouched
        } else {
          QVERIFY2(torch::equal(now, was),
                   qPrintable(QString("layer %1 %2 changed").arg(l).arg(r)));
        }
      }

    // q.k scales by gamma^2 = tau / S (RoPE is a rotation of q and k), so the new max is tau.
    const auto S2 = max_logits(*model, idx);
    QVERIFY(std::abs(S2[1][0].item<double>() - tau) < 1e-4 * tau);
    QVERIFY(std::abs(S2[1][1].item<double>() - S[1][1].item<double>()) < 1e-6);
    QVERIFY(torch::allclose(S2[0], S[0]));

    // Nothing above tau now: no-op.
    QCOMPARE(muon_clip(*model, S2, tau * 1.01), 0);
  }

  void rejectsBadInput() {
    GPT model(tiny());
    const std::vector<torch::Tensor> one = {torch::ones({2})};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, muon_clip(*model, one, 1.0));
    const std::vector<torch::Tensor> wrong_heads = {torch::ones({3}), torch::ones({3})};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, muon_clip(*model, wrong_heads, 1.0));
    const std::vector<torch::Tensor> ok = {torch::ones({2}), torch::ones({2})};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, muon_clip(*model, ok, 0.0));
  }
};

QTEST_APPLESS_MAIN(TestMuonClip)
#include "test_muonclip.moc"
