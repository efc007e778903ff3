// Comm: the data-parallel communication of a training run: a c10d process group (Gloo on CPU,
// NCCL on CUDA builds that have it) over a TCPStore rendezvous hosted by rank 0, with the few
// collectives the trainer needs (bucketed gradient mean, sum, max, broadcast, barrier) and a
// small key-value store to find out which ranks are still alive after a collective failed.
// The c10d and gloo headers stay in Comm.cpp (pimpl): this header costs nothing beyond
// <torch/types.h>.
#pragma once

#include <torch/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dist/DistEnv.h"

namespace ms {

class Comm {
 public:
  // Joins the job described by `env`: rank 0 hosts a TCPStore on env.master_port (all
  // interfaces), every rank (rank 0 too) connects to env.master_addr:env.master_port and sets
  // "join/<rank>", rank 0 waits for all of them, then the process group connects every pair of
  // ranks. A world of 1 uses an in-process store (no network). `backend` is "gloo" or "nccl".
  // `timeout` bounds the rendezvous (rank 0 waits that long for all ranks and names the missing
  // ones, the others retry connecting that long) and, afterwards, every collective (a peer that
  // is alive but stuck fails the collective after `timeout`; a dead one at once).
  //
  // Gloo binds to the interfaces named in GLOO_SOCKET_IFNAME (comma-separated) when it is set,
  // else to the address the host name resolves to, else loopback (as torch does).
  // Sets SIGPIPE to SIG_IGN when it was SIG_DFL, as Python does: Gloo's TCP transport writes
  // with writev (no MSG_NOSIGNAL), so a write to a dead peer's socket can kill the process
  // instead of failing the collective.
  //
  // Throws std::invalid_argument for an unknown backend, a backend this build lacks (nccl on a
  // LibTorch without CUDA/NCCL), or env.world < 1; std::runtime_error naming the address, port
  // and rank when the rendezvous fails or times out.
  static std::unique_ptr<Comm> connect(const DistEnv& env, const std::string& backend,
                                       std::chrono::seconds timeout);

  // Whether connect() accepts "nccl" / "gloo" in this build (found at configure time).
  static bool have_nccl();
  static bool have_gloo();

  ~Comm();
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  int rank() const;
  int world() const;
  const std::string& backend() const;

  // Every rank's tensors replaced by their mean over ranks. Every rank must pass the same list
  // (same order, shapes, dtypes). Undefined and empty tensors are skipped; the others must be
  // floating point. Consecutive tensors of one dtype and device are flattened into buckets of
  // at most bucket_bytes (a tensor larger than that is a bucket of its own); every bucket's
  // allreduce is started before the first is waited for; sums are divided by world() and copied
  // back. Under nccl the tensors must be CUDA tensors.
  void allreduce_mean(std::vector<torch::Tensor>& grads, size_t bucket_bytes = 25 << 20);
  // The buckets allreduce_mean makes of `tensors`: lists of indices, in order (for tests and
  // logs). Throws std::invalid_argument for a tensor that is not floating point.
  static std::vector<std::vector<size_t>> buckets_for(const std::vector<torch::Tensor>& tensors,
                                                      size_t bucket_bytes);
  // In place (through a contiguous copy when `t` is not contiguous): the sum, the maximum over
  // ranks; broadcast gives every rank root's values.
  void allreduce_sum(torch::Tensor& t);
  void allreduce_max(torch::Tensor& t);
  void broadcast(torch::Tensor& t, int root);
  void barrier();

  // The store (rank 0's TCPStore, keys prefixed so they cannot meet the process group's;
  // "join/<rank>" is taken by connect): store_set writes `key`; store_get returns its value once
  // it exists, or nullopt when it did not appear within `wait` (polls; never blocks longer than
  // `wait` plus one round trip). Meant for the post-mortem after a collective failed: each
  // surviving rank sets "alive/<rank>", rank 0 asks for each, the missing ones are dead. With
  // rank 0 gone both throw at once ("Broken pipe").
  void store_set(const std::string& key, const std::string& value);
  std::optional<std::string> store_get(const std::string& key, std::chrono::milliseconds wait);

  // Errors: every method throws std::runtime_error (std::invalid_argument for bad arguments)
  // whose message names the operation, rank and backend and carries c10d's message without its
  // C++ backtrace, e.g. when a peer died ("Connection closed by peer") or a collective exceeded
  // the timeout. After a collective failed the group is broken: later collectives fail too;
  // the store stays usable while rank 0 lives.
  //
  // One thread at a time. Rank 0 hosts the store: end with barrier() before destroying a Comm,
  // so that no rank still needs the store when rank 0's goes away.

 private:
  struct Impl;
  explicit Comm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ms
