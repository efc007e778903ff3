// A small deterministic random generator for data generation. The standard library's
// distributions and std::shuffle are implementation-defined, so a generated data set would
// differ between standard libraries; this one (SplitMix64, Steele et al. 2014) gives the same
// streams everywhere for the same seed.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace ms {

class DataRng {
 public:
  explicit DataRng(uint64_t seed) : s_(seed) {}
  // A generator for an independent sub-stream, e.g. DataRng::derive(seed, 2) for the val split.
  static DataRng derive(uint64_t seed, uint64_t stream) {
    DataRng r(seed ^ (0xA0761D6478BD642Full * (stream + 1)));
    r.next();
    return r;
  }

  uint64_t next() {  // SplitMix64
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform integer in [0, n), n > 0, without modulo bias (rejection of the top remainder).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }
  int below_int(int n) { return static_cast<int>(below(static_cast<uint64_t>(n))); }
  // Fisher-Yates shuffle.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  uint64_t s_;
};

}  // namespace ms
