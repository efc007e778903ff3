// Comm (see Comm.h) over c10d: a TCPStore rendezvous, ProcessGroupGloo or ProcessGroupNCCL
// (whichever core/CMakeLists.txt found usable: MUONSCOPE_HAVE_GLOO / MUONSCOPE_HAVE_NCCL), and
// the bucketing of allreduce_mean. Every c10d error is rethrown as std::runtime_error with the
// operation, rank and backend in front and without c10::Error's C++ backtrace.
#include "dist/Comm.h"
#include "dist/CommHandle.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#if MUONSCOPE_HAVE_GLOO && !defined(USE_C10D_GLOO)
#define USE_C10D_GLOO  // ProcessGroupGloo.hpp is empty without it; torch's own build defines it
#endif
#if MUONSCOPE_HAVE_NCCL && !defined(USE_C10D_NCCL)
#define USE_C10D_NCCL
#endif

#include "common/Compat.h"  // TORCH_VERSION_MAJOR, ms::C10dBackend

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if MUONSCOPE_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if MUONSCOPE_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace ms {
namespace {

std::string message_of(const std::exception& e) {
  if (const auto* ce = dynamic_cast<const c10::Error*>(&e)) return ce->what_without_backtrace();
  return e.what();
}

[[maybe_unused]] std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = std::min(s.find(',', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

}  // namespace

struct Comm::Impl {
  DistEnv env;
  std::string backend;
  std::chrono::milliseconds timeout{0};
  c10::intrusive_ptr<c10d::Store> store;       // TCPStore (HashStore when world == 1)
  c10::intrusive_ptr<c10d::Store> user_store;  // store under "ms/"
  c10::intrusive_ptr<C10dBackend> pg;          // destroyed first (declared last)

  std::string where() const {
    return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.world) + ", " + backend;
  }

  // Runs f; c10d's exceptions become std::runtime_error("<op> failed (rank r of w, gloo): ...").
  template <class F>
  auto guarded(const std::string& op, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const std::invalid_argument&) {
      throw;
    } catch (const std::exception& e) {
      throw std::runtime_error(op + " failed (" + where() + "): " + message_of(e));
    }
  }

  // Every rank sets "join/<rank>"; rank 0 waits until all keys exist (or the connect timeout,
  // counted from t0, has passed) and names the ranks that did not come. (1.13's TCPStore, asked
  // to wait for its workers, gives up silently after the timeout.)
  void wait_for_ranks(const std::string& addr, std::chrono::steady_clock::time_point t0) {
    const auto key = [](int r) { return "join/" + std::to_string(r); };
    const auto has = [&](const std::vector<std::string>& keys) {
      return guarded("Comm: waiting for the ranks at " + addr,
                     [&] { return user_store->check(keys); });
    };
    guarded("Comm: joining the rendezvous at " + addr,
            [&] { user_store->set(key(env.rank), bytes("1")); });
    if (env.rank != 0) return;
    std::vector<std::string> keys;
    for (int r = 0; r < env.world; ++r) keys.push_back(key(r));
    auto pause = std::chrono::milliseconds(2);
    while (!has(keys)) {
      if (std::chrono::steady_clock::now() - t0 >= timeout) {
        std::string missing;
        int n = 0;
        for (int r = 0; r < env.world; ++r)
          if (!has({key(r)}) && ++n <= 16) missing += (n > 1 ? ", " : "") + std::to_string(r);
        if (n > 16) missing += ", ...";
        throw std::runtime_error("Comm: only " + std::to_string(env.world - n) + " of " +
                                 std::to_string(env.world) +
                                 " ranks reached the rendezvous store at " + addr + " within " +
                                 std::to_string(timeout.count() / 1000) + " s (missing: rank" +
                                 (n > 1 ? "s " : " ") + missing + ")");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  }

  void check_tensor(const char* op, const torch::Tensor& t) const {
    if (!t.defined())
      throw std::invalid_argument(std::string("Comm::") + op + ": undefined tensor");
    if (t.is_sparse())
      throw std::invalid_argument(std::string("Comm::") + op +
                                  ": sparse tensors are not supported");
    if (backend == "nccl" && !t.is_cuda())
      throw std::invalid_argument(std::string("Comm::") + op +
                                  ": the nccl backend needs CUDA tensors, got one on " +
                                  t.device().str());
  }

  void run(const std::string& op, std::vector<at::Tensor>& tensors,
           const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& start) {
    guarded(op, [&] {
      auto work = start(tensors);
      work->wait();
    });
  }

  // One tensor in place, through a contiguous copy when it is not contiguous.
  void in_place(
      const char* op, torch::Tensor& t,
      const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& start) {
    check_tensor(op, t);
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> v{t.is_contiguous() ? t : t.contiguous()};
    run(std::string("Comm::") + op, v, start);
    if (!v[0].is_same(t)) t.copy_(v[0]);
  }
};

Comm::Comm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Comm::~Comm() = default;

bool Comm::have_gloo() {
#if MUONSCOPE_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

bool Comm::have_nccl() {
#if MUONSCOPE_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Comm> Comm::connect(const DistEnv& env, const std::string& backend,
                                    std::chrono::seconds timeout) {
  if (backend != "gloo" && backend != "nccl")
    throw std::invalid_argument("Comm: unknown backend '" + backend + "' (gloo or nccl)");
  if (backend == "nccl" && !have_nccl())
    throw std::invalid_argument(
        "Comm: backend 'nccl' is not available in this build: LibTorch " + torch_version_string() +
        " has no usable ProcessGroupNCCL (CPU-only, or its headers/nccl.h were not found when "
        "configuring); use 'gloo'");
  if (backend == "gloo" && !have_gloo())
    throw std::invalid_argument(
        "Comm: backend 'gloo' is not available in this build: "
        "ProcessGroupGloo.hpp (gloo headers, Debian package libgloo-dev) "
        "was not usable when configuring");
  if (env.world < 1 || env.rank < 0 || env.rank >= env.world)
    throw std::invalid_argument("Comm: rank " + std::to_string(env.rank) + " of world " +
                                std::to_string(env.world) + " is not a valid position");
  if (env.world > 1 && (env.master_addr.empty() || env.master_port < 1 || env.master_port > 65535))
    throw std::invalid_argument("Comm: a job of " + std::to_string(env.world) +
                                " ranks needs master_addr and master_port (got '" +
                                env.master_addr + "':" + std::to_string(env.master_port) + ")");

  // Gloo writes with writev (no MSG_NOSIGNAL): a write to a dead peer's socket can raise
  // SIGPIPE, whose default action ends the process before Gloo reports the error. Python
  // ignores SIGPIPE, so torch.distributed never meets it.
  struct sigaction old {};
  if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
    ::signal(SIGPIPE, SIG_IGN);

  const auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->backend = backend;
  impl->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  const std::string addr = env.master_addr + ":" + std::to_string(env.master_port);
  const std::string secs = std::to_string(timeout.count()) + " s";

  if (env.world == 1) {
    impl->store = c10::make_intrusive<c10d::HashStore>();
  } else {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(env.master_port);
    o.isServer = env.rank == 0;
    o.numWorkers = static_cast<std::size_t>(env.world);
    o.waitWorkers = false;  // 1.13 gives up silently after the timeout: wait_for_ranks
    o.timeout = impl->timeout;
    try {
      impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
    } catch (const std::exception& e) {
      if (env.rank == 0)
        throw std::runtime_error("Comm: rank 0 could not host the rendezvous store on port " +
                                 std::to_string(env.master_port) + ": " + message_of(e));
      throw std::runtime_error("Comm: rank " + std::to_string(env.rank) +
                               " could not reach the rendezvous store at " + addr +
                               " (hosted by rank 0) within " + secs + ": " + message_of(e));
    }
  }
  impl->store->setTimeout(impl->timeout);
  impl->user_store = c10::make_intrusive<c10d::PrefixStore>("ms", impl->store);
  auto pg_store = c10::make_intrusive<c10d::PrefixStore>("pg", impl->store);
  if (env.world > 1) impl->wait_for_ranks(addr, t0);

  const std::string what = "Comm: connecting the " + backend + " process group (rank " +
                           std::to_string(env.rank) + " of " + std::to_string(env.world) +
                           ", store " + addr + ")";
  try {
#if MUONSCOPE_HAVE_GLOO
    if (backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(impl->timeout);
      // As torch.distributed: GLOO_SOCKET_IFNAME names the interfaces, else the address the
      // host name resolves to (loopback when it resolves to nothing usable).
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      for (const std::string& name : split_commas(ifname ? ifname : ""))
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
      if (opts->devices.empty())
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      impl->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(pg_store, env.rank, env.world, opts);
    }
#endif
#if MUONSCOPE_HAVE_NCCL
    if (backend == "nccl") {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = impl->timeout;
      impl->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(pg_store, env.rank, env.world, opts);
    }
#endif
  } catch (const std::exception& e) {
    throw std::runtime_error(what + " failed within " + secs + ": " + message_of(e));
  }
  if (!impl->pg) throw std::logic_error(what + ": no backend was built");
  return std::unique_ptr<Comm>(new Comm(std::move(impl)));
}

int Comm::rank() const {
  return impl_->env.rank;
}

int Comm::world() const {
  return impl_->env.world;
}

const std::string& Comm::backend() const {
  return impl_->backend;
}

std::vector<std::vector<size_t>> Comm::buckets_for(const std::vector<torch::Tensor>& tensors,
                                                   size_t bucket_bytes) {
  std::vector<std::vector<size_t>> buckets;
  std::vector<size_t> cur;
  size_t cur_bytes = 0;
  const auto close = [&] {
    if (!cur.empty()) buckets.push_back(std::move(cur));
    cur.clear();
    cur_bytes = 0;
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const torch::Tensor& t = tensors[i];
    if (!t.defined() || t.numel() == 0) continue;
    if (!t.is_floating_point())
      throw std::invalid_argument("Comm::allreduce_mean: tensor " + std::to_string(i) + " is " +
                                  std::string(c10::toString(t.scalar_type())) +
                                  ", not floating point");
    const size_t b = size_t(t.numel()) * t.element_size();
    if (!cur.empty()) {
      const torch::Tensor& head = tensors[cur.front()];
      if (head.scalar_type() != t.scalar_type() || head.device() != t.device() ||
          cur_bytes + b > bucket_bytes)
        close();
    }
    cur.push_back(i);  // one larger than bucket_bytes stays alone: the next one closes it
    cur_bytes += b;
  }
  close();
  return buckets;
}

void Comm::allreduce_mean(std::vector<torch::Tensor>& grads, size_t bucket_bytes) {
  for (const torch::Tensor& t : grads)
    if (t.defined() && t.numel() > 0) impl_->check_tensor("allreduce_mean", t);
  struct Bucket {
    std::vector<size_t> members;   // indices into grads
    std::vector<at::Tensor> flat;  // one tensor: what the allreduce reduces in place
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Bucket> buckets;
  for (auto& m : buckets_for(grads, bucket_bytes)) buckets.push_back({std::move(m), {}, {}});
  if (buckets.empty()) return;

  torch::NoGradGuard no_grad;
  const double world = double(impl_->env.world);
  impl_->guarded("Comm::allreduce_mean", [&] {
    for (Bucket& bk : buckets) {
      const torch::Tensor& first = grads[bk.members.front()];
      if (bk.members.size() == 1 && first.is_contiguous()) {
        bk.flat = {first.view({-1})};  // reduced in place, no copy
      } else {
        std::vector<torch::Tensor> parts;
        for (size_t i : bk.members) parts.push_back(grads[i].reshape({-1}));
        bk.flat = {torch::cat(parts)};
      }
      bk.work = impl_->pg->allreduce(bk.flat, c10d::AllreduceOptions());
    }
    for (size_t k = 0; k < buckets.size(); ++k) {
      try {
        buckets[k].work->wait();
      } catch (const std::exception& e) {
        throw std::runtime_error("bucket " + std::to_string(k + 1) + " of " +
                                 std::to_string(buckets.size()) + ": " + message_of(e));
      }
    }
  });
  for (Bucket& bk : buckets) {
    torch::Tensor& flat = bk.flat[0];
    flat.div_(world);
    if (bk.members.size() == 1 && flat.data_ptr() == grads[bk.members.front()].data_ptr())
      continue;  // reduced in place
    int64_t off = 0;
    for (size_t i : bk.members) {
      torch::Tensor& t = grads[i];
      t.copy_(flat.narrow(0, off, t.numel()).view(t.sizes()));
      off += t.numel();
    }
  }
}

void Comm::allreduce_sum(torch::Tensor& t) {
  impl_->in_place("allreduce_sum", t, [&](std::vector<at::Tensor>& v) {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    return impl_->pg->allreduce(v, o);
  });
}

void Comm::allreduce_max(torch::Tensor& t) {
  impl_->in_place("allreduce_max", t, [&](std::vector<at::Tensor>& v) {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    return impl_->pg->allreduce(v, o);
  });
}

void Comm::broadcast(torch::Tensor& t, int root) {
  if (root < 0 || root >= impl_->env.world)
    throw std::invalid_argument("Comm::broadcast: root " + std::to_string(root) +
                                " is not a rank of " + std::to_string(impl_->env.world));
  impl_->in_place("broadcast", t, [&](std::vector<at::Tensor>& v) {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    return impl_->pg->broadcast(v, o);
  });
}

void Comm::barrier() {
  impl_->guarded("Comm::barrier", [&] { impl_->pg->barrier(c10d::BarrierOptions())->wait(); });
}

void Comm::store_set(const std::string& key, const std::string& value) {
  impl_->guarded("Comm::store_set('" + key + "')",
                 [&] { impl_->user_store->set(key, bytes(value)); });
}

std::optional<std::string> Comm::store_get(const std::string& key, std::chrono::milliseconds wait) {
  // check() answers at once; Store::wait with a timeout would leave a pending WAIT on the
  // server after it times out (1.13's TCPStore), whose late answer the next call would read.
  return impl_->guarded("Comm::store_get('" + key + "')", [&]() -> std::optional<std::string> {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    auto pause = std::chrono::milliseconds(2);
    while (true) {
      if (impl_->user_store->check({key})) {
        const std::vector<uint8_t> v = impl_->user_store->get(key);
        return std::string(v.begin(), v.end());
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return std::nullopt;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  });
}

}  // namespace ms

namespace ms {

std::shared_ptr<Comm> connect_comm(const DistEnv& env, const std::string& backend,
                                   std::chrono::seconds timeout) {
  return std::shared_ptr<Comm>(Comm::connect(env, backend, timeout));
}

void comm_barrier(Comm& comm) {
  comm.barrier();
}

}  // namespace ms
