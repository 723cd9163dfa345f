#include "engine/session/RunSettings.h"

#include "engine/session/FineTuneRecipe.h"

#include <cmath>
#include <limits>
#include <set>

#include "engine/core/Error.h"
#include "engine/optimizers/Optimizer.h"

namespace tessel {

using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw Error("run settings: " + message);
}

std::string shown(const json& v) {
  std::string t = v.dump();
  return t.size() > 40 ? t.substr(0, 37) + "..." : t;
}

void onlyKeys(const json& j, const std::string& where, const std::set<std::string>& known) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (known.count(it.key())) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    fail("unknown key '" + where + it.key() + "' (known: " + list + ")");
  }
}

long long integer(const json& v, const std::string& key, long long lo, long long hi) {
  bool ok = v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                      v.get<double>() == std::floor(v.get<double>()));
  double d = ok ? v.get<double>() : 0;
  if (!ok || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    fail(key + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "], got " + shown(v));
  return v.is_number_unsigned() ? static_cast<long long>(v.get<std::uint64_t>())
                                : v.get<long long>();
}

RunSettings::Fit fitFromJson(const json& j) {
  RunSettings::Fit f;
  if (!j.is_object()) fail("fit must be a JSON object, got " + shown(j));
  onlyKeys(j, "fit.",
           {"epochs", "batch_size", "validation_split", "shuffle", "class_weight", "seed", "device",
            "deterministic", "tf32", "dtype_policy"});
  if (j.contains("epochs"))
    f.epochs = static_cast<int>(integer(j["epochs"], "fit.epochs", 1, 1000000));
  if (j.contains("batch_size"))
    f.batchSize = static_cast<int>(integer(j["batch_size"], "fit.batch_size", 1, 1 << 24));
  if (j.contains("validation_split")) {
    const json& v = j["validation_split"];
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() < 1))
      fail("fit.validation_split must be a number in [0, 1), got " + shown(v));
    f.validationSplit = v.get<double>();
  }
  if (j.contains("shuffle")) {
    if (!j["shuffle"].is_boolean())
      fail("fit.shuffle must be true or false, got " + shown(j["shuffle"]));
    f.shuffle = j["shuffle"].get<bool>();
  }
  if (j.contains("seed")) {
    const json& v = j["seed"];
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
      fail("fit.seed must be an integer >= 0, got " + shown(v));
    f.seed = v.get<std::uint64_t>();
  }
  if (j.contains("device")) {
    const json& v = j["device"];
    if (!v.is_string()) fail("fit.device must be \"cpu\", \"cuda\" or \"cuda:N\", got " + shown(v));
    f.device = v.get<std::string>();
  }
  if (j.contains("deterministic")) {
    if (!j["deterministic"].is_boolean())
      fail("fit.deterministic must be true or false, got " + shown(j["deterministic"]));
    f.deterministic = j["deterministic"].get<bool>();
  }
  if (j.contains("tf32")) {
    if (!j["tf32"].is_boolean()) fail("fit.tf32 must be true or false, got " + shown(j["tf32"]));
    f.tf32 = j["tf32"].get<bool>();
  }
  if (j.contains("dtype_policy")) {
    const json& v = j["dtype_policy"];
    if (!v.is_string() || (v != "float32" && v != "mixed_float16" && v != "mixed_bfloat16"))
      fail("fit.dtype_policy must be \"float32\", \"mixed_float16\" or \"mixed_bfloat16\", got " +
           shown(v));
    f.dtypePolicy = v.get<std::string>();
  }
  if (j.contains("class_weight")) {
    const json& cw = j["class_weight"];
    if (!cw.is_object())
      fail("fit.class_weight must be {\"class id\": weight, ...}, got " + shown(cw));
    for (auto it = cw.begin(); it != cw.end(); ++it) {
      const std::string& k = it.key();
      bool digits =
          !k.empty() && k.size() < 10 && k.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) fail("fit.class_weight key '" + k + "' is not a class id (0, 1, ...)");
      if (!it.value().is_number() || !std::isfinite(it.value().get<double>()) ||
          it.value().get<double>() < 0)
        fail("fit.class_weight['" + k + "'] must be a number >= 0, got " + shown(it.value()));
      f.classWeight[std::stoi(k)] = it.value().get<double>();
    }
  }
  return f;
}

}  // namespace

json RunSettings::callbacksJson() const {
  json list = json::array();
  for (const auto& c : callbacks)
    list.push_back({{"class_name", c.className}, {"config", c.config}});
  return list;
}

std::vector<RunSettings::CallbackSetting> RunSettings::callbacksFromJson(const json& j) {
  if (!j.is_array())
    fail("callbacks must be a list of {\"class_name\", \"config\"}, got " + shown(j));
  std::vector<CallbackSetting> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const json& c = j[i];
    const std::string where = "callbacks[" + std::to_string(i) + "]";
    if (!c.is_object() || !c.contains("class_name") || !c["class_name"].is_string() ||
        c["class_name"].get<std::string>().empty())
      fail(where + " must be {\"class_name\": \"...\", \"config\": {...}}, got " + shown(c));
    onlyKeys(c, where + ".", {"class_name", "config"});
    CallbackSetting s;
    s.className = c["class_name"].get<std::string>();
    if (c.contains("config")) {
      if (!c["config"].is_object())
        fail(where + ".config must be a JSON object, got " + shown(c["config"]));
      s.config = c["config"];
    }
    out.push_back(std::move(s));
  }
  return out;
}

json RunSettings::toJson() const {
  json cw = json::object();
  for (const auto& [k, v] : fit.classWeight) cw[std::to_string(k)] = v;
  json j = {{"fit",
             {{"epochs", fit.epochs},
              {"batch_size", fit.batchSize},
              {"shuffle", fit.shuffle},
              {"validation_split", fit.validationSplit},
              {"class_weight", cw},
              {"seed", fit.seed}}},
            {"callbacks", callbacksJson()}};
  if (fit.device != "cpu") j["fit"]["device"] = fit.device;
  if (fit.deterministic) j["fit"]["deterministic"] = true;
  if (fit.tf32) j["fit"]["tf32"] = true;
  if (fit.dtypePolicy != "float32") j["fit"]["dtype_policy"] = fit.dtypePolicy;
  if (!compile.losses.empty()) {
    j["compile"] = compile.toTrainingConfig();
    // The optimizer as Keras's get_config() writes it (every key, defaults included), so the
    // same optimizer is recorded the same way however it was given ("adam", a partial config).
    try {
      j["compile"]["optimizer_config"] = makeOptimizer(compile.optimizer)->toJson();
    } catch (const Error&) {
      // Unknown to the engine: kept as given (the Trainer reports it).
    }
  }
  if (data) j["data"] = data->toJson();
  if (!imported.is_null()) j["imported"] = imported;
  if (!fineTune.is_null()) j["fine_tune"] = fineTune;
  return j;
}

RunSettings RunSettings::fromJson(const json& j, const std::vector<std::string>& outputNames) {
  if (!j.is_object()) fail("expected a JSON object, got " + shown(j));
  onlyKeys(j, "", {"compile", "fit", "callbacks", "data", "imported", "fine_tune"});
  RunSettings s;
  if (j.contains("compile") && !j["compile"].is_null()) {
    try {
      s.compile = CompileOptions::fromTrainingConfig(j["compile"], outputNames);
    } catch (const Error& e) {
      fail(std::string("compile: ") + e.what());
    } catch (const json::exception& e) {
      fail(std::string("compile: malformed training_config (") + e.what() + ")");
    }
  }
  if (j.contains("fit")) s.fit = fitFromJson(j["fit"]);
  if (j.contains("callbacks")) s.callbacks = callbacksFromJson(j["callbacks"]);
  if (j.contains("data") && !j["data"].is_null()) {
    try {
      s.data = DataSettings::fromJson(j["data"]);
    } catch (const Error& e) {
      fail(e.what());
    }
  }
  if (j.contains("imported") && !j["imported"].is_null()) {
    if (!j["imported"].is_object())
      fail("imported must be a JSON object, got " + shown(j["imported"]));
    s.imported = j["imported"];
  }
  if (j.contains("fine_tune") && !j["fine_tune"].is_null()) {
    try {
      s.fineTune = FineTuneRecipe::fromJson(j["fine_tune"]).toJson();
    } catch (const Error& e) {
      fail(e.what());
    }
  }
  return s;
}

FitOptions RunSettings::fitOptions(int verbose) const {
  FitOptions o;
  o.epochs = fit.epochs;
  o.batchSize = fit.batchSize;
  // The data pipeline's batch step, when set, is the batch size (tf.data's batch() decides it).
  if (data && data->pipeline.batch > 0) o.batchSize = data->pipeline.batch;
  o.validationSplit = fit.validationSplit;
  o.shuffle = fit.shuffle;
  o.seed = fit.seed;
  o.classWeight = fit.classWeight;
  o.device = fit.device;
  o.deterministic = fit.deterministic;
  o.tf32 = fit.tf32;
  o.dtypePolicy = fit.dtypePolicy;
  o.verbose = verbose;
  return o;
}

RunSettings::Fit RunSettings::fitFrom(const FitOptions& o) {
  Fit f;
  f.epochs = o.epochs;
  f.batchSize = o.batchSize;
  f.validationSplit = o.validationSplit;
  f.shuffle = o.shuffle;
  f.seed = o.seed;
  f.classWeight = o.classWeight;
  f.device = o.device;
  f.deterministic = o.deterministic;
  f.tf32 = o.tf32;
  f.dtypePolicy = o.dtypePolicy;
  return f;
}

std::string RunSettings::dataHash() const {
  return data ? data->hash() : std::string();
}

nlohmann::json RunSettings::trainingConfigOf(const nlohmann::json& modelSettings) {
  if (!modelSettings.is_object()) return nullptr;
  if (modelSettings.contains("compile")) return modelSettings["compile"];
  return modelSettings.value("training_config", nlohmann::json());
}

}  // namespace tessel
