#include "engine/search/SearchSpace.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"

namespace tessel {

using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw Error("search space: " + message);
}

std::string shown(const json& v) {
  std::string t = v.dump();
  return t.size() > 40 ? t.substr(0, 37) + "..." : t;
}

double number(const json& p, const char* key, const std::string& where) {
  if (!p.contains(key)) fail(where + " needs \"" + key + "\"");
  const json& v = p[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    fail(where + ": \"" + key + "\" must be a finite number, got " + shown(v));
  return v.get<double>();
}

void checkTarget(const std::string& target, const std::string& where) {
  if (target == "optimizer" || target == "batch_size" || target == "epochs") return;
  if (target.rfind("optimizer.", 0) == 0 && target.size() > 10) return;
  if (target.rfind("loss_weights.", 0) == 0 && target.size() > 13) return;
  if (target.rfind("layers.", 0) == 0) {
    auto dot = target.rfind('.');
    if (dot > 7 && dot + 1 < target.size()) return;
  }
  fail(where + ": target '" + target +
       "' is not one of layers.<layer>.<key>, optimizer, optimizer.<key>, loss_weights.<output>, "
       "batch_size, epochs");
}

// Number of int values min, min+step, ..., <= max.
long long intCount(const Hyperparameter& p) {
  return static_cast<long long>(std::floor((p.max - p.min) / p.step + 1e-9)) + 1;
}

}  // namespace

double uniform01(Rng& rng) {
  return static_cast<double>(rng.nextU64() >> 11) * 0x1.0p-53;
}

const char* Hyperparameter::kindName(Kind kind) {
  switch (kind) {
    case Kind::Choice:
      return "choice";
    case Kind::Int:
      return "int";
    case Kind::Uniform:
      return "uniform";
    case Kind::LogUniform:
      return "log_uniform";
  }
  return "?";
}

json Hyperparameter::defaultOrFirst() const {
  if (!defaultValue.is_null()) return defaultValue;
  if (kind == Kind::Choice) return values.at(0);
  if (kind == Kind::Int) return static_cast<long long>(min);
  return min;
}

std::vector<json> Hyperparameter::gridValues() const {
  std::vector<json> out;
  switch (kind) {
    case Kind::Choice:
      for (const auto& v : values) out.push_back(v);
      break;
    case Kind::Int:
      for (long long i = 0; i < intCount(*this); ++i)
        out.push_back(static_cast<long long>(min + i * step));
      break;
    case Kind::Uniform:
      if (step <= 0)
        fail("parameter '" + name + "': grid search needs a \"step\" for a uniform parameter");
      for (double v = min; v <= max + 1e-12 * std::abs(max); v += step) out.push_back(v);
      break;
    case Kind::LogUniform:
      if (step <= 1)
        fail("parameter '" + name +
             "': grid search needs a \"step\" > 1 (ratio) for a log-uniform parameter");
      for (double v = min; v <= max * (1 + 1e-12); v *= step) out.push_back(v);
      break;
  }
  return out;
}

json Hyperparameter::sample(Rng& rng) const {
  double u = uniform01(rng);
  switch (kind) {
    case Kind::Choice:
      return values[std::min<size_t>(static_cast<size_t>(u * values.size()), values.size() - 1)];
    case Kind::Int: {
      long long n = intCount(*this);
      long long i = std::min<long long>(static_cast<long long>(u * n), n - 1);
      return static_cast<long long>(min + i * step);
    }
    case Kind::Uniform:
      return min + u * (max - min);
    case Kind::LogUniform:
      return min * std::exp(u * std::log(max / min));
  }
  return nullptr;
}

double Hyperparameter::encode(const json& value) const {
  switch (kind) {
    case Kind::Choice: {
      for (size_t i = 0; i < values.size(); ++i)
        if (values[i] == value) return (i + 0.5) / values.size();
      return 0.5;
    }
    case Kind::Int: {
      long long n = intCount(*this);
      double i = std::round((value.get<double>() - min) / step);
      return (std::clamp(i, 0.0, double(n - 1)) + 0.5) / n;
    }
    case Kind::Uniform:
      return std::clamp((value.get<double>() - min) / (max - min), 0.0, 1.0);
    case Kind::LogUniform:
      return std::clamp(std::log(value.get<double>() / min) / std::log(max / min), 0.0, 1.0);
  }
  return 0.5;
}

json Hyperparameter::decode(double p) const {
  p = std::clamp(p, 0.0, 1.0);
  switch (kind) {
    case Kind::Choice:
      return values[std::min<size_t>(static_cast<size_t>(p * values.size()), values.size() - 1)];
    case Kind::Int: {
      long long n = intCount(*this);
      long long i = std::min<long long>(static_cast<long long>(p * n), n - 1);
      return static_cast<long long>(min + i * step);
    }
    case Kind::Uniform:
      return min + p * (max - min);
    case Kind::LogUniform:
      return min * std::exp(p * std::log(max / min));
  }
  return nullptr;
}

SearchSpace SearchSpace::fromJson(const json& j) {
  const json* list = &j;
  if (j.is_object()) {
    if (!j.contains("hyperparameters"))
      fail("expected {\"hyperparameters\": [...]}, got " + shown(j));
    list = &j["hyperparameters"];
  }
  if (!list->is_array()) fail("\"hyperparameters\" must be a list, got " + shown(*list));
  if (list->empty())
    fail("the space is empty: mark at least one parameter to search (\"hyperparameters\": [])");
  SearchSpace space;
  std::set<std::string> names;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& p = (*list)[i];
    std::string where = "hyperparameters[" + std::to_string(i) + "]";
    if (!p.is_object()) fail(where + " must be a JSON object, got " + shown(p));
    Hyperparameter h;
    if (!p.contains("target") || !p["target"].is_string())
      fail(where + " needs a \"target\" (e.g. \"optimizer.learning_rate\")");
    h.target = p["target"].get<std::string>();
    h.name = p.value("name", h.target);
    where = "parameter '" + h.name + "'";
    checkTarget(h.target, where);
    if (!names.insert(h.name).second) fail(where + " is given twice");
    std::string dist = p.value("distribution", "");
    if (dist == "choice") {
      h.kind = Hyperparameter::Kind::Choice;
      if (!p.contains("values") || !p["values"].is_array() || p["values"].empty())
        fail(where + ": a choice needs a non-empty \"values\" list");
      h.values = p["values"];
    } else if (dist == "int") {
      h.kind = Hyperparameter::Kind::Int;
      h.min = number(p, "min", where);
      h.max = number(p, "max", where);
      h.step = p.contains("step") ? number(p, "step", where) : 1;
      if (h.min != std::floor(h.min) || h.max != std::floor(h.max) || h.step != std::floor(h.step))
        fail(where + ": an int range needs integer min, max and step");
      if (h.step < 1) fail(where + ": step must be >= 1, got " + shown(p["step"]));
      if (h.min > h.max) fail(where + ": min must be <= max");
    } else if (dist == "uniform" || dist == "log_uniform" || dist == "reciprocal") {
      h.kind = dist == "uniform" ? Hyperparameter::Kind::Uniform : Hyperparameter::Kind::LogUniform;
      h.min = number(p, "min", where);
      h.max = number(p, "max", where);
      if (p.contains("step")) h.step = number(p, "step", where);
      if (!(h.min < h.max)) fail(where + ": min must be < max");
      if (h.kind == Hyperparameter::Kind::LogUniform && h.min <= 0)
        fail(where + ": a log-uniform (reciprocal) range needs bounds > 0, got min " +
             shown(p["min"]));
    } else {
      fail(where + ": unknown distribution '" + dist +
           "' (known: choice, int, uniform, log_uniform, reciprocal)");
    }
    if (p.contains("default")) h.defaultValue = p["default"];
    if (p.contains("condition")) {
      const json& c = p["condition"];
      if (!c.is_object() || !c.contains("parameter") || !c["parameter"].is_string() ||
          !c.contains("values") || !c["values"].is_array())
        fail(where + ": condition must be {\"parameter\": NAME, \"values\": [...]}");
      h.conditionParameter = c["parameter"].get<std::string>();
      h.conditionValues = c["values"];
      if (!names.count(h.conditionParameter) || h.conditionParameter == h.name)
        fail(where + ": its condition names '" + h.conditionParameter +
             "', which is not an earlier parameter");
    }
    space.params_.push_back(std::move(h));
  }
  return space;
}

json SearchSpace::toJson() const {
  json list = json::array();
  for (const auto& h : params_) {
    json p = {
        {"name", h.name}, {"target", h.target}, {"distribution", Hyperparameter::kindName(h.kind)}};
    if (h.kind == Hyperparameter::Kind::Choice) {
      p["values"] = h.values;
    } else {
      p["min"] = h.min;
      p["max"] = h.max;
      if (h.kind == Hyperparameter::Kind::Int) {
        p["min"] = static_cast<long long>(h.min);
        p["max"] = static_cast<long long>(h.max);
        p["step"] = static_cast<long long>(h.step);
      } else if (h.step > 0) {
        p["step"] = h.step;
      }
    }
    if (!h.defaultValue.is_null()) p["default"] = h.defaultValue;
    if (!h.conditionParameter.empty())
      p["condition"] = {{"parameter", h.conditionParameter}, {"values", h.conditionValues}};
    list.push_back(p);
  }
  return {{"hyperparameters", list}};
}

const Hyperparameter* SearchSpace::find(const std::string& name) const {
  for (const auto& h : params_)
    if (h.name == name) return &h;
  return nullptr;
}

bool SearchSpace::isActive(const Hyperparameter& p, const json& values) const {
  if (p.conditionParameter.empty()) return true;
  const Hyperparameter* parent = find(p.conditionParameter);
  if (parent && !isActive(*parent, values)) return false;
  if (!values.contains(p.conditionParameter)) return false;
  for (const auto& v : p.conditionValues)
    if (v == values[p.conditionParameter]) return true;
  return false;
}

json SearchSpace::sample(Rng& rng) const {
  json values = json::object();
  for (const auto& h : params_) {
    json v = h.sample(rng);  // drawn for every parameter so the stream does not depend on others
    if (isActive(h, values)) values[h.name] = v;
  }
  return values;
}

std::vector<json> SearchSpace::grid() const {
  std::vector<std::vector<json>> axes;
  double total = 1;
  for (const auto& h : params_) {
    axes.push_back(h.gridValues());
    total *= axes.back().size();
  }
  if (total > 1e6)
    fail("the grid has " + std::to_string(static_cast<long long>(total)) +
         " points (more than 1,000,000); use random or Bayesian search");
  std::vector<json> out;
  std::set<std::string> seen;
  std::vector<size_t> idx(axes.size(), 0);
  for (;;) {
    json values = json::object();
    for (size_t i = 0; i < params_.size(); ++i)
      if (isActive(params_[i], values)) values[params_[i].name] = axes[i][idx[i]];
    if (seen.insert(values.dump()).second) out.push_back(values);
    size_t k = axes.size();
    while (k > 0) {
      --k;
      if (++idx[k] < axes[k].size()) break;
      idx[k] = 0;
      if (k == 0) return out;
    }
    if (axes.empty()) return out;
  }
}

std::vector<double> SearchSpace::encode(const json& values) const {
  std::vector<double> x;
  for (const auto& h : params_)
    x.push_back(values.contains(h.name) ? h.encode(values[h.name]) : h.encode(h.defaultOrFirst()));
  return x;
}

json SearchSpace::decode(const std::vector<double>& x) const {
  json values = json::object();
  for (size_t i = 0; i < params_.size(); ++i)
    if (isActive(params_[i], values)) values[params_[i].name] = params_[i].decode(x.at(i));
  return values;
}

}  // namespace tessel
