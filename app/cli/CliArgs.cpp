// CliArgs implementation: "--name value", "--name=value" and flags; "--help" / "-h".
#include "CliArgs.h"

namespace ms::cli {

Args::Args(std::string command, std::string synopsis, std::vector<OptionSpec> options,
           int max_positional)
    : command_(std::move(command)),
      synopsis_(std::move(synopsis)),
      options_(std::move(options)),
      max_positional_(max_positional) {}

bool Args::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return false;
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a, value;
      bool inline_value = false;
      if (const auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      const OptionSpec* spec = nullptr;
      for (const auto& o : options_)
        if (o.name == name) spec = &o;
      if (!spec) throw UsageError("unknown option '" + name + "' for '" + command_ + "'");
      if (!spec->value.empty() && !inline_value) {
        if (i + 1 >= argc)
          throw UsageError("option '" + name + "' needs a value (" + spec->value + ")");
        value = argv[++i];
      } else if (spec->value.empty() && inline_value) {
        throw UsageError("option '" + name + "' takes no value");
      }
      if (!spec->repeatable && values_.count(name))
        throw UsageError("option '" + name + "' given twice");
      values_[name].push_back(value);
    } else {
      if (static_cast<int>(positional_.size()) >= max_positional_)
        throw UsageError("unexpected argument '" + a + "' for '" + command_ + "'");
      positional_.push_back(a);
    }
  }
  return true;
}

std::string Args::get(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

std::string Args::help() const {
  std::string s = "usage: muonscope-cli " + synopsis_ + "\n\noptions:\n";
  for (const auto& o : options_) {
    std::string left = "  " + o.name + (o.value.empty() ? "" : " " + o.value);
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    s += left + o.help + "\n";
  }
  s += "  --help, -h                show this help\n";
  return s;
}

int int_value(const Args& a, const std::string& name, int lo, int hi) {
  const std::string v = a.get(name);
  size_t used = 0;
  long n = 0;
  try {
    n = std::stol(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || n < lo || n > hi)
    throw UsageError(name + " " + v + ": expected a whole number in " + std::to_string(lo) + ".." +
                     std::to_string(hi));
  return static_cast<int>(n);
}

}  // namespace ms::cli
