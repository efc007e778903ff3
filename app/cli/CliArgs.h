// CliArgs: a small command-line parser for muonscope-cli (no Qt, no extra dependency).
// Options are declared per command with their help; unknown options, missing values and
// stray arguments are usage errors (exit code 2) with a message naming the option.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;   // "--steps"
  std::string value;  // "N" (empty for a flag)
  std::string help;
  bool repeatable = false;
};

class Args {
 public:
  Args(std::string command, std::string synopsis, std::vector<OptionSpec> options,
       int max_positional = 0);
  // Parses argv[first..argc). Throws UsageError. Returns false when --help was asked.
  bool parse(int argc, char** argv, int first);
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& def = "") const;
  const std::vector<std::string>& all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  std::string help() const;

 private:
  std::string command_, synopsis_;
  std::vector<OptionSpec> options_;
  int max_positional_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// The integer value of option `name`, which must lie in [lo, hi]; UsageError naming the option
// and the value otherwise.
int int_value(const Args& a, const std::string& name, int lo, int hi);

}  // namespace ms::cli
