#include "engine/catalog/InitializerCatalog.h"

#include "engine/core/Error.h"
#include "engine/layers/Initializers.h"

namespace tessel {

namespace {

using namespace paramspec;
using Kind = Initializer::Kind;

// Keras 2.12 keras/initializers/initializers.py.
ParamSpec seed() {
  return param("seed", ParamType::Int, nullptr, "seed of this initializer's own generator");
}

double num(const json& c, const char* key) {
  return c.at(key).get<double>();
}

InitializerEntry entry(std::string cls, std::vector<std::string> aliases, std::string doc,
                       std::vector<ParamSpec> params) {
  InitializerEntry e;
  e.className = std::move(cls);
  e.aliases = std::move(aliases);
  e.group = "Initializers";
  e.doc = std::move(doc);
  e.params = std::move(params);
  return e;
}

// GlorotUniform, HeNormal, ...: VarianceScaling with a fixed scale, mode and distribution.
InitializerEntry fixedScaling(std::string cls, std::string alias, std::string doc, double scale,
                              std::string mode, std::string distribution) {
  InitializerEntry e = entry(cls, {std::move(alias)}, std::move(doc), {seed()});
  e.configure = [cls, scale, mode, distribution](Initializer& init, const json&) {
    init.kind = Kind::VarianceScaling;
    init.className = cls;
    init.scale = scale;
    init.mode = mode;
    init.distribution = distribution;
  };
  return e;
}

void configureScaling(Initializer& init, const json& c) {
  init.kind = Kind::VarianceScaling;
  init.className = "VarianceScaling";
  init.scale = num(c, "scale");
  init.mode = c.at("mode").get<std::string>();
  init.distribution = c.at("distribution").get<std::string>();
  // TF.js writes camelCase modes in some versions.
  if (init.mode == "fanIn") init.mode = "fan_in";
  if (init.mode == "fanOut") init.mode = "fan_out";
  if (init.mode == "fanAvg") init.mode = "fan_avg";
  // Keras 2: "normal" means truncated_normal (with the 0.8796 correction). TF.js's "normal"
  // skips the correction; we follow Keras 2.
  if (init.distribution == "normal") init.distribution = "truncated_normal";
  if (init.scale <= 0) throw Error("VarianceScaling 'scale' must be positive");
  if (init.mode != "fan_in" && init.mode != "fan_out" && init.mode != "fan_avg")
    throw Error("VarianceScaling 'mode' must be fan_in, fan_out or fan_avg");
  if (init.distribution != "truncated_normal" && init.distribution != "untruncated_normal" &&
      init.distribution != "uniform")
    throw Error(
        "VarianceScaling 'distribution' must be truncated_normal, untruncated_normal or uniform");
}

// RandomNormal / TruncatedNormal: mean and stddev.
InitializerEntry normal(std::string cls, std::vector<std::string> aliases, std::string doc,
                        Kind kind) {
  InitializerEntry e =
      entry(cls, std::move(aliases), std::move(doc),
            {param("mean", ParamType::Float, 0.0, "mean of the values"),
             param("stddev", ParamType::Float, 0.05, "standard deviation"), seed()});
  e.configure = [cls, kind](Initializer& init, const json& c) {
    init.kind = kind;
    init.className = cls;
    init.mean = num(c, "mean");
    init.stddev = num(c, "stddev");
    if (init.stddev < 0) throw Error(cls + " 'stddev' must be >= 0");
  };
  return e;
}

InitializerEntry constant(std::string cls, std::vector<std::string> aliases, std::string doc,
                          double value) {
  InitializerEntry e = entry(cls, std::move(aliases), std::move(doc), {});
  e.configure = [cls, value](Initializer& init, const json&) {
    init.kind = Kind::Constant;
    init.className = cls;
    init.value = value;
  };
  return e;
}

InitializerEntry withGain(std::string cls, std::string doc, Kind kind, std::vector<ParamSpec> p) {
  p.insert(p.begin(), param("gain", ParamType::Float, 1.0, "multiplier of the values"));
  std::string alias = cls;
  alias[0] = char(std::tolower(static_cast<unsigned char>(alias[0])));
  InitializerEntry e = entry(cls, {alias}, std::move(doc), std::move(p));
  e.configure = [cls, kind](Initializer& init, const json& c) {
    init.kind = kind;
    init.className = cls;
    init.gain = num(c, "gain");
  };
  return e;
}

Catalog<InitializerEntry> build() {
  Catalog<InitializerEntry> c("initializer");
  c.add(fixedScaling("GlorotUniform", "glorot_uniform", "uniform in +-sqrt(6 / (fan_in + fan_out))",
                     1.0, "fan_avg", "uniform"));
  c.add(fixedScaling("GlorotNormal", "glorot_normal",
                     "truncated normal, stddev sqrt(2 / (fan_in + fan_out))", 1.0, "fan_avg",
                     "truncated_normal"));
  c.add(fixedScaling("HeUniform", "he_uniform", "uniform in +-sqrt(6 / fan_in)", 2.0, "fan_in",
                     "uniform"));
  c.add(fixedScaling("HeNormal", "he_normal", "truncated normal, stddev sqrt(2 / fan_in)", 2.0,
                     "fan_in", "truncated_normal"));
  c.add(fixedScaling("LecunUniform", "lecun_uniform", "uniform in +-sqrt(3 / fan_in)", 1.0,
                     "fan_in", "uniform"));
  c.add(fixedScaling("LecunNormal", "lecun_normal", "truncated normal, stddev sqrt(1 / fan_in)",
                     1.0, "fan_in", "truncated_normal"));
  {
    InitializerEntry e =
        entry("VarianceScaling", {"variance_scaling"}, "values scaled to the shape of the weight",
              {range(param("scale", ParamType::Float, 1.0, "scaling factor"), 0, 1e300),
               param("mode", ParamType::String, "fan_in", "fan_in, fan_out or fan_avg"),
               param("distribution", ParamType::String, "truncated_normal",
                     "truncated_normal, untruncated_normal or uniform"),
               seed()});
    e.configure = configureScaling;
    c.add(std::move(e));
  }
  {
    InitializerEntry e =
        entry("RandomUniform", {"random_uniform", "uniform"}, "uniform in [minval, maxval]",
              {param("minval", ParamType::Float, -0.05, "lower bound"),
               param("maxval", ParamType::Float, 0.05, "upper bound"), seed()});
    e.configure = [](Initializer& init, const json& k) {
      init.kind = Kind::RandomUniform;
      init.className = "RandomUniform";
      init.minval = num(k, "minval");
      init.maxval = num(k, "maxval");
      if (init.maxval < init.minval) throw Error("RandomUniform needs minval <= maxval");
    };
    c.add(std::move(e));
  }
  c.add(normal("RandomNormal", {"random_normal", "normal"}, "normal distribution",
               Kind::RandomNormal));
  c.add(normal("TruncatedNormal", {"truncated_normal"},
               "normal distribution cut at two standard deviations", Kind::TruncatedNormal));
  c.add(constant("Zeros", {"zeros", "zero"}, "all zeros", 0.0));
  c.add(constant("Ones", {"ones", "one"}, "all ones", 1.0));
  {
    InitializerEntry e = entry("Constant", {"constant"}, "all the same value",
                               {param("value", ParamType::Float, 0.0, "the value")});
    e.configure = [](Initializer& init, const json& k) {
      init.kind = Kind::Constant;
      init.className = "Constant";
      init.value = num(k, "value");
    };
    c.add(std::move(e));
  }
  c.add(withGain("Orthogonal", "a random orthogonal matrix", Kind::Orthogonal, {seed()}));
  c.add(withGain("Identity", "the identity matrix (2D weights)", Kind::Identity, {}));
  return c;
}

}  // namespace

const Catalog<InitializerEntry>& initializerCatalog() {
  static const Catalog<InitializerEntry> c = build();
  return c;
}

}  // namespace tessel
