// Checkpoint inspection cost (core/ckpt/Inspector.h) at GPT-2 small size: builds the GPT-2 small
// architecture (12 x 768, 12 heads, vocab 50257, 1024 positions, LayerNorm with biases,
// tanh-GELU, tied head; 124M parameters) with random weights, writes it as a Hugging Face GPT-2
// checkpoint (config.json + model.safetensors, GPT-2 names), then inspects it twice, each in a
// child process so that its peak memory is its own: weights only, and with a probe of B x T
// random tokens. Prints wall time and peak resident memory of each. Goal (issue 12): under 60 s
// and 3 GB on 2 cores with an 8 x 256 probe.
// Usage: bench_inspect [--batch B] [--seq T] [--threads N] [--dir DIR] [--layers L]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "ckpt/CheckpointWriter.h"
#include "ckpt/Inspector.h"
#include "model/GPT.h"
#include "train/CpuCores.h"

using namespace ms;
namespace fs = std::filesystem;

namespace {

struct Measured {
  bool ok = false;
  double seconds = 0;
  double peak_mb = 0;
  std::string message;
};

// Runs inspect_checkpoints in a child; wall time and the child's peak RSS.
Measured run_child(const InspectOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  int fds[2];
  if (pipe(fds) != 0) return {false, 0, 0, "pipe failed"};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const InspectResult r = inspect_checkpoints(o);
    const std::string msg = r.status == RunStatus::Finished ? "" : r.message;
    if (!msg.empty()) (void)!write(fds[1], msg.data(), msg.size());
    close(fds[1]);
    _exit(r.status == RunStatus::Finished ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Measured m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.peak_mb = ru.ru_maxrss / 1024.0;  // kB on Linux
  m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  m.message = msg;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 8, seq = 256, threads = 0, layers = 12;
  std::string dir = (fs::temp_directory_path() / "muonscope-bench-inspect").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--batch")
      batch = std::stoi(v);
    else if (k == "--seq")
      seq = std::stoi(v);
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--dir")
      dir = v;
    else if (k == "--layers")
      layers = std::stoi(v);
    else {
      std::fprintf(
          stderr,
          "usage: bench_inspect [--batch B] [--seq T] [--threads N] [--dir DIR] [--layers L]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  RunConfig c;
  c.name = "gpt2-small-random";
  ModelConfig& m = c.model;
  m.vocab_size = 50257;
  m.layers = layers;
  m.d_model = 768;
  m.heads = 12;
  m.seq_len = 1024;
  m.ffn_width = 3072;
  m.ffn = "gelu_tanh";
  m.norm = "layernorm";
  m.attn_bias = "all";
  m.mlp_bias = true;
  m.pos = "learned";
  m.tie_embeddings = true;
  const std::string ckpt = dir + "/gpt2-small";
  const std::string weights = ckpt + "/model.safetensors";
  if (!fs::exists(weights)) {
    std::printf("writing a random GPT-2 small checkpoint to %s ...\n", ckpt.c_str());
    torch::manual_seed(0);
    int64_t params = 0;
    {
      GPT g(m);
      params = g->num_params();
      const std::string written = write_checkpoint(*g, c, 0, ckpt);
      fs::rename(written, weights);  // the Hugging Face file name
    }
    std::printf("  %lld parameters, %.0f MB\n", static_cast<long long>(params),
                fs::file_size(weights) / 1e6);
  }
  // Random GPT-2 token ids as a nanoGPT .bin probe.
  const std::string probe = dir + "/probe.bin";
  {
    std::mt19937 rng(1);
    std::vector<uint16_t> t(size_t(batch) * size_t(seq) + 1);
    for (auto& x : t) x = uint16_t(rng() % 50257);
    std::ofstream(probe, std::ios::binary)
        .write(reinterpret_cast<const char*>(t.data()), std::streamsize(2 * t.size()));
  }
  InspectOptions o;
  o.inputs = {ckpt};
  o.overwrite = true;
  o.threads = threads;
  o.batch = batch;
  o.seq = seq;
  o.out = dir + "/weights-only.h5";
  const Measured w = run_child(o);
  o.probe = probe;
  o.out = dir + "/full.h5";
  const Measured f = run_child(o);
  std::printf("\ninspect of one GPT-2 small checkpoint (%d layers), %d threads\n", layers,
              threads > 0 ? threads : usable_cores());
  std::printf("  %-34s %8s %10s\n", "", "wall s", "peak MB");
  std::printf("  %-34s %8.1f %10.0f %s\n", "weights only", w.seconds, w.peak_mb,
              w.ok ? "" : w.message.c_str());
  char what[64];
  std::snprintf(what, sizeof what, "full, probe %d x %d tokens", batch, seq);
  std::printf("  %-34s %8.1f %10.0f %s\n", what, f.seconds, f.peak_mb,
              f.ok ? "" : f.message.c_str());
  return w.ok && f.ok ? 0 : 1;
}
