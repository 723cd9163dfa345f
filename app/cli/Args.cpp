#include "app/cli/Args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace tessel::app {

Args::Args(const CommandSpec& command, const std::vector<std::string>& argv,
           const std::string& program)
    : command_(&command), raw_(argv) {
  std::string cmd = command.name;
  bool onlyPositional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (onlyPositional || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      onlyPositional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    std::string name = a, inlineValue;
    bool hasInline = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq), inlineValue = a.substr(eq + 1), hasInline = true;
    }
    auto it = std::find_if(command.options.begin(), command.options.end(),
                           [&](const OptionSpec& o) { return name == o.name; });
    if (it == command.options.end())
      throw UsageError(cmd + ": unknown option '" + name + "' (see '" + program + " " + cmd +
                       " --help')");
    if (!it->repeatable && values_.count(name))
      throw UsageError(cmd + ": option " + name + " given twice");
    if (!it->value) {
      if (hasInline) throw UsageError(cmd + ": option " + name + " takes no value");
      values_[name].push_back("");
      continue;
    }
    if (!hasInline) {
      if (i + 1 >= argv.size())
        throw UsageError(cmd + ": option " + name + " needs a value (" + it->value + ")");
      inlineValue = argv[++i];
    }
    values_[name].push_back(inlineValue);
  }
  if (help_) return;
  int n = static_cast<int>(positional_.size());
  if (n < command.minPositional)
    throw UsageError(cmd + ": missing argument (usage: " + program + " " + cmd + " " +
                     command.synopsis + ")");
  if (n > command.maxPositional)
    throw UsageError(cmd + ": unexpected argument '" + positional_[command.maxPositional] + "'");
}

std::string Args::value(const std::string& option, const std::string& fallback) const {
  auto it = values_.find(option);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::values(const std::string& option) const {
  auto it = values_.find(option);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::intValue(const std::string& option, long long fallback, long long min,
                         long long max) const {
  if (!has(option)) return fallback;
  std::string v = value(option);
  long long out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty())
    throw UsageError(std::string(command_->name) + ": " + option + ": expected an integer, got '" +
                     v + "'");
  if (out < min || out > max)
    throw UsageError(std::string(command_->name) + ": " + option + " must be in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "], got " + v);
  return out;
}

double Args::doubleValue(const std::string& option, double fallback, double min, double max) const {
  if (!has(option)) return fallback;
  std::string v = value(option);
  double out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty() || !std::isfinite(out))
    throw UsageError(std::string(command_->name) + ": " + option + ": expected a number, got '" +
                     v + "'");
  if (out < min || out > max) {
    std::ostringstream s;
    s << command_->name << ": " << option << " must be in [" << min << ", " << max << "], got "
      << v;
    throw UsageError(s.str());
  }
  return out;
}

}  // namespace tessel::app
