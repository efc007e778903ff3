// The machine's matrix-multiply ceiling, for putting training throughput in proportion:
// bench_throughput prints training GFLOP/s as a share of it. Torch-free header.
#pragma once

namespace ms {

struct SgemmRate {
  int n = 0;            // square size
  int threads = 0;      // intra-op threads it ran with
  double gflops = 0;    // best of the timed repetitions, 2 n^3 / s
  int repetitions = 0;  // timed multiplications
};

// Times C = A B on (n, n) fp32 matrices (LibTorch's mm: OpenBLAS sgemm on the Debian build)
// with `threads` intra-op threads for about `seconds`, after one untimed call. Restores the
// calling thread's previous thread count.
SgemmRate measure_sgemm(int n, int threads, double seconds = 1.0);

}  // namespace ms
