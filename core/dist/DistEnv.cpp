// dist_env_from (see DistEnv.h): torchrun's variables first, then an srun step's, else a single
// process; strict parsing so that a typo in a launcher script is an error naming the variable
// instead of a job whose ranks wait for each other forever. free_tcp_port: the local launcher's
// and the tests' rendezvous port.
#include "dist/DistEnv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ms {
namespace {

using Getenv = std::function<const char*(const char*)>;

bool is_set(const Getenv& get, const char* name) {
  return get(name) != nullptr;
}

std::string quoted(const char* name, const std::string& value) {
  return std::string(name) + "='" + value + "'";
}

// A non-negative decimal integer (digits only, at most 9 of them), else invalid_argument.
int parse_int(const char* name, const char* value, const char* what = "a non-negative integer") {
  const std::string v = value ? value : "";
  bool ok = !v.empty() && v.size() <= 9;
  for (char c : v) ok = ok && c >= '0' && c <= '9';
  if (!ok) throw std::invalid_argument(quoted(name, v) + " is not " + what);
  return std::stoi(v);
}

int parse_port(const char* name, const char* value) {
  const int p = parse_int(name, value, "a TCP port (1..65535)");
  if (p < 1 || p > 65535)
    throw std::invalid_argument(quoted(name, value) + " is not a TCP port (1..65535)");
  return p;
}

void check_rank(const char* rank_name, int rank, const char* world_name, int world) {
  if (world < 1)
    throw std::invalid_argument(quoted(world_name, std::to_string(world)) +
                                " is not a positive integer");
  if (rank >= world)
    throw std::invalid_argument(quoted(rank_name, std::to_string(rank)) + " is not below " +
                                quoted(world_name, std::to_string(world)));
}

DistEnv from_torchrun(const Getenv& get) {
  for (const char* name : {"RANK", "WORLD_SIZE"})
    if (!is_set(get, name))
      throw std::invalid_argument(std::string(name) + " is not set while " +
                                  (std::strcmp(name, "RANK") == 0 ? "WORLD_SIZE" : "RANK") +
                                  " is (torchrun sets both)");
  DistEnv e;
  e.rank = parse_int("RANK", get("RANK"));
  e.world = parse_int("WORLD_SIZE", get("WORLD_SIZE"), "a positive integer");
  check_rank("RANK", e.rank, "WORLD_SIZE", e.world);
  e.local_rank = is_set(get, "LOCAL_RANK") ? parse_int("LOCAL_RANK", get("LOCAL_RANK")) : e.rank;
  if (e.local_rank >= e.world)
    throw std::invalid_argument(quoted("LOCAL_RANK", std::to_string(e.local_rank)) +
                                " is not below " + quoted("WORLD_SIZE", std::to_string(e.world)));
  if (const char* a = get("MASTER_ADDR")) e.master_addr = a;
  if (is_set(get, "MASTER_PORT")) e.master_port = parse_port("MASTER_PORT", get("MASTER_PORT"));
  if (e.world > 1 && e.master_addr.empty())
    throw std::invalid_argument(
        "MASTER_ADDR is not set (or empty) while WORLD_SIZE=" + std::to_string(e.world) +
        ": rank 0's host is needed for the rendezvous");
  if (e.world > 1 && e.master_port == 0)
    throw std::invalid_argument(
        "MASTER_PORT is not set while WORLD_SIZE=" + std::to_string(e.world) +
        ": the rendezvous port on rank 0's host is needed");
  if (const char* l = get("MUONSCOPE_LAUNCHER"); l && *l)
    e.launcher = l;
  else
    e.launcher = is_set(get, "TORCHELASTIC_RUN_ID") ? "torchrun" : "env";
  return e;
}

DistEnv from_slurm(const Getenv& get) {
  DistEnv e;
  e.launcher = "slurm";
  e.rank = parse_int("SLURM_PROCID", get("SLURM_PROCID"));
  const char* world_name = is_set(get, "SLURM_NTASKS")           ? "SLURM_NTASKS"
                           : is_set(get, "SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS"
                                                                 : nullptr;
  if (!world_name)
    throw std::invalid_argument(
        "SLURM_NTASKS is not set in an srun step (SLURM_PROCID=" + std::to_string(e.rank) + ")");
  e.world = parse_int(world_name, get(world_name), "a positive integer");
  check_rank("SLURM_PROCID", e.rank, world_name, e.world);
  if (is_set(get, "SLURM_LOCALID")) e.local_rank = parse_int("SLURM_LOCALID", get("SLURM_LOCALID"));
  if (const char* a = get("MASTER_ADDR"); a && *a) {
    e.master_addr = a;
  } else {
    for (const char* name : {"SLURM_STEP_NODELIST", "SLURM_NODELIST", "SLURM_JOB_NODELIST"})
      if (const char* list = get(name); list && *list) {
        e.master_addr = slurm_first_host(list, name);
        break;
      }
  }
  if (e.world > 1 && e.master_addr.empty())
    throw std::invalid_argument(
        "neither MASTER_ADDR nor SLURM_STEP_NODELIST/SLURM_NODELIST is set in a Slurm step of " +
        std::to_string(e.world) + " tasks: rank 0's host is needed for the rendezvous");
  if (is_set(get, "MASTER_PORT")) {
    e.master_port = parse_port("MASTER_PORT", get("MASTER_PORT"));
  } else {
    const char* job_name = is_set(get, "SLURM_JOB_ID")  ? "SLURM_JOB_ID"
                           : is_set(get, "SLURM_JOBID") ? "SLURM_JOBID"
                                                        : nullptr;
    // Job ids exceed 9 digits on long-lived clusters: only the last 3 digits matter here.
    int job = 0;
    if (job_name) {
      const std::string id = get(job_name);
      bool ok = !id.empty();
      for (char c : id) ok = ok && c >= '0' && c <= '9';
      if (!ok) throw std::invalid_argument(quoted(job_name, id) + " is not a non-negative integer");
      job = std::stoi(id.size() > 3 ? id.substr(id.size() - 3) : id);
    }
    e.master_port = 29500 + job % 1000;
  }
  return e;
}

}  // namespace

std::string DistEnv::describe() const {
  if (world <= 1 && launcher.empty()) return "single process";
  std::string s = "rank " + std::to_string(rank) + " of " + std::to_string(world) + " (local " +
                  std::to_string(local_rank) + ")";
  if (!launcher.empty()) s += " via " + launcher;
  if (!master_addr.empty()) s += ", store " + master_addr + ":" + std::to_string(master_port);
  return s;
}

std::string slurm_first_host(const std::string& nodelist, const std::string& variable) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument(variable + "='" + nodelist + "' is not a Slurm node list (" + why +
                                 ")");
  };
  // The first entry: up to the first comma outside brackets.
  std::string first;
  int depth = 0;
  for (char c : nodelist) {
    if (c == '[') ++depth;
    if (c == ']' && --depth < 0) throw bad("']' without '['");
    if (c == ',' && depth == 0) break;
    first += c;
  }
  if (depth != 0) throw bad("'[' without ']'");
  // Each bracket group [a-b,c,...] becomes its first number, zero padding kept.
  std::string host;
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i] != '[') {
      host += first[i];
      continue;
    }
    const size_t close = first.find(']', i);
    const std::string group = first.substr(i + 1, close - i - 1);
    const std::string start = group.substr(0, group.find_first_of(",-"));
    if (start.empty()) throw bad("empty range");
    for (char c : start)
      if (c < '0' || c > '9') throw bad("a range of something other than numbers");
    host += start;
    i = close;
  }
  if (host.empty()) throw bad("no host");
  return host;
}

DistEnv dist_env_from(const std::function<const char*(const char*)>& getenv) {
  if (is_set(getenv, "RANK") || is_set(getenv, "WORLD_SIZE")) return from_torchrun(getenv);
  if (is_set(getenv, "SLURM_PROCID") &&
      (is_set(getenv, "SLURM_STEP_ID") || is_set(getenv, "SLURM_STEPID")))
    return from_slurm(getenv);
  return DistEnv{};
}

DistEnv dist_env() {
  return dist_env_from([](const char* name) -> const char* { return std::getenv(name); });
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error(std::string("free_tcp_port: socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(std::string("free_tcp_port: cannot bind 127.0.0.1:0: ") +
                             std::strerror(err));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace ms
