// Display labels of the spectrum matrices, one spelling for the GUI and the CLI. The per-layer
// composites "qk" (W_QK = W_q^T W_k) and "vo" (W_VO = W_o W_v) are sums over heads of the
// per-head maps W_QK^h, W_OV^h (../shared/DESIGN.md section 4), a matrix no head applies, so
// every label of them says so. Torch-free, header-only.
#pragma once

#include <string>

namespace ms {

// True for the per-layer composites that are sums over heads ("qk", "vo").
inline bool is_head_sum(const std::string& name) {
  return name == "qk" || name == "vo";
}

// The run-file name, with " (sum over heads)" after qk / vo: "qk (sum over heads)", "attn.q".
inline std::string matrix_name_label(const std::string& name) {
  return is_head_sum(name) ? name + " (sum over heads)" : name;
}

// Short display name: attn.q -> W_Q, ..., mlp.out -> W_out, qk -> "W_QK (sum over heads)",
// vo -> "W_VO (sum over heads)"; any other name unchanged.
inline std::string matrix_label(const std::string& name) {
  static const char* pairs[][2] = {{"attn.q", "W_Q"},
                                   {"attn.k", "W_K"},
                                   {"attn.v", "W_V"},
                                   {"attn.o", "W_O"},
                                   {"mlp.in", "W_in"},
                                   {"mlp.gate", "W_gate"},
                                   {"mlp.out", "W_out"},
                                   {"qk", "W_QK (sum over heads)"},
                                   {"vo", "W_VO (sum over heads)"}};
  for (const auto& p : pairs)
    if (name == p[0]) return p[1];
  return name;
}

}  // namespace ms
