// format_duration: seconds as "m:ss" or "h:mm:ss" ("--:--" when unknown), the one spelling of
// elapsed times and ETAs in the CLI, the status bar and study summaries. Torch-free, header-only.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace ms {

inline std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

}  // namespace ms
