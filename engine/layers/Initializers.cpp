#include "engine/layers/Initializers.h"

#include <Eigen/QR>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "engine/core/Error.h"

namespace tessel {

namespace {

// "glorot_uniform", "GlorotUniform", "glorotUniform" -> "glorotuniform"
std::string normalise(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double number(const nlohmann::json& cfg, const char* key, double def) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return def;
  if (!it->is_number()) throw Error(std::string("initializer '") + key + "' must be a number");
  return it->get<double>();
}

std::string text(const nlohmann::json& cfg, const char* key, const std::string& def) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return def;
  if (!it->is_string()) throw Error(std::string("initializer '") + key + "' must be a string");
  return it->get<std::string>();
}

}  // namespace

void computeFans(const Shape& shape, double& fanIn, double& fanOut) {
  if (shape.empty()) {
    fanIn = fanOut = 1;
  } else if (shape.size() == 1) {
    fanIn = fanOut = double(shape[0]);
  } else if (shape.size() == 2) {
    fanIn = double(shape[0]);
    fanOut = double(shape[1]);
  } else {
    double receptive = 1;
    for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
    fanIn = double(shape[shape.size() - 2]) * receptive;
    fanOut = double(shape.back()) * receptive;
  }
}

Initializer Initializer::fromJson(const nlohmann::json& spec) {
  std::string name;
  nlohmann::json cfg = nlohmann::json::object();
  if (spec.is_string()) {
    name = spec.get<std::string>();
  } else if (spec.is_object() && spec.contains("class_name") && spec["class_name"].is_string()) {
    name = spec["class_name"].get<std::string>();
    if (spec.contains("config") && !spec["config"].is_null()) {
      if (!spec["config"].is_object()) throw Error("initializer config must be an object");
      cfg = spec["config"];
    }
  } else {
    throw Error("initializer must be a name or {\"class_name\", \"config\"}");
  }
  Initializer init;
  std::set<std::string> keys = {"seed"};
  const std::string n = normalise(name);
  auto varianceScaling = [&](const char* cls, double scale, const char* mode, const char* dist) {
    init.kind = Kind::VarianceScaling;
    init.className = cls;
    init.scale = scale;
    init.mode = mode;
    init.distribution = dist;
  };
  if (n == "glorotuniform") {
    varianceScaling("GlorotUniform", 1.0, "fan_avg", "uniform");
  } else if (n == "glorotnormal") {
    varianceScaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal");
  } else if (n == "heuniform") {
    varianceScaling("HeUniform", 2.0, "fan_in", "uniform");
  } else if (n == "henormal") {
    varianceScaling("HeNormal", 2.0, "fan_in", "truncated_normal");
  } else if (n == "lecununiform") {
    varianceScaling("LecunUniform", 1.0, "fan_in", "uniform");
  } else if (n == "lecunnormal") {
    varianceScaling("LecunNormal", 1.0, "fan_in", "truncated_normal");
  } else if (n == "variancescaling") {
    varianceScaling("VarianceScaling", number(cfg, "scale", 1.0), "fan_in", "truncated_normal");
    init.mode = text(cfg, "mode", "fan_in");
    init.distribution = text(cfg, "distribution", "truncated_normal");
    keys.insert({"scale", "mode", "distribution"});
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
          "VarianceScaling 'distribution' must be truncated_normal, untruncated_normal "
          "or uniform");
  } else if (n == "randomuniform" || n == "uniform") {
    init.kind = Kind::RandomUniform;
    init.className = "RandomUniform";
    init.minval = number(cfg, "minval", -0.05);
    init.maxval = number(cfg, "maxval", 0.05);
    keys.insert({"minval", "maxval"});
    if (init.maxval < init.minval) throw Error("RandomUniform needs minval <= maxval");
  } else if (n == "randomnormal" || n == "normal") {
    init.kind = Kind::RandomNormal;
    init.className = "RandomNormal";
    init.mean = number(cfg, "mean", 0.0);
    init.stddev = number(cfg, "stddev", 0.05);
    keys.insert({"mean", "stddev"});
  } else if (n == "truncatednormal") {
    init.kind = Kind::TruncatedNormal;
    init.className = "TruncatedNormal";
    init.mean = number(cfg, "mean", 0.0);
    init.stddev = number(cfg, "stddev", 0.05);
    keys.insert({"mean", "stddev"});
  } else if (n == "zeros" || n == "zero") {
    init.kind = Kind::Constant;
    init.className = "Zeros";
    init.value = 0.0;
  } else if (n == "ones" || n == "one") {
    init.kind = Kind::Constant;
    init.className = "Ones";
    init.value = 1.0;
  } else if (n == "constant") {
    init.kind = Kind::Constant;
    init.className = "Constant";
    init.value = number(cfg, "value", 0.0);
    keys.insert("value");
  } else if (n == "orthogonal") {
    init.kind = Kind::Orthogonal;
    init.className = "Orthogonal";
    init.gain = number(cfg, "gain", 1.0);
    keys.insert("gain");
  } else if (n == "identity") {
    init.kind = Kind::Identity;
    init.className = "Identity";
    init.gain = number(cfg, "gain", 1.0);
    keys.insert("gain");
  } else {
    throw Error("unknown initializer '" + name +
                "'; known: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
                "lecun_normal, random_uniform, random_normal, truncated_normal, zeros, ones, "
                "constant, orthogonal, identity, VarianceScaling");
  }
  for (auto it = cfg.begin(); it != cfg.end(); ++it)
    if (!keys.count(it.key()) && it.key() != "dtype")
      throw Error("unknown config key '" + it.key() + "' for initializer " + init.className);
  if (init.stddev < 0) throw Error(init.className + " 'stddev' must be >= 0");
  if (cfg.contains("seed") && !cfg["seed"].is_null()) {
    if (!cfg["seed"].is_number_integer()) throw Error("initializer 'seed' must be an integer");
    init.seed = static_cast<std::uint64_t>(cfg["seed"].get<long long>());
  }
  return init;
}

void Initializer::fill(Tensor& t, Rng& sharedRng) const {
  Rng own(seed.value_or(0));
  Rng& rng = seed ? own : sharedRng;
  const Index n = t.size();
  switch (kind) {
    case Kind::Constant:
      t.fill(float(value));
      break;
    case Kind::RandomUniform:
      for (Index i = 0; i < n; ++i) t[i] = rng.uniform(float(minval), float(maxval));
      break;
    case Kind::RandomNormal:
      for (Index i = 0; i < n; ++i) t[i] = rng.normal(float(mean), float(stddev));
      break;
    case Kind::TruncatedNormal:
      for (Index i = 0; i < n; ++i) t[i] = rng.truncatedNormal(float(mean), float(stddev));
      break;
    case Kind::VarianceScaling: {
      double fanIn, fanOut;
      computeFans(t.shape(), fanIn, fanOut);
      double s = scale;
      if (mode == "fan_in")
        s /= std::max(1.0, fanIn);
      else if (mode == "fan_out")
        s /= std::max(1.0, fanOut);
      else
        s /= std::max(1.0, (fanIn + fanOut) / 2.0);
      if (distribution == "uniform") {
        const float limit = float(std::sqrt(3.0 * s));
        for (Index i = 0; i < n; ++i) t[i] = rng.uniform(-limit, limit);
      } else if (distribution == "untruncated_normal") {
        const float sd = float(std::sqrt(s));
        for (Index i = 0; i < n; ++i) t[i] = rng.normal(0.0f, sd);
      } else {
        const float sd = float(std::sqrt(s) / kTruncatedNormalStddev);
        for (Index i = 0; i < n; ++i) t[i] = rng.truncatedNormal(0.0f, sd);
      }
      break;
    }
    case Kind::Orthogonal: {
      if (t.rank() < 2) throw Error("Orthogonal initializer needs a weight of rank >= 2");
      // As Keras: flatten to (prod(shape[:-1]), shape[-1]), QR of a normal (max, min) matrix,
      // fix the signs with diag(R), transpose when there are fewer rows than columns.
      const Index cols = t.shape().back();
      const Index rows = n / std::max<Index>(cols, 1);
      const Index big = std::max(rows, cols), small = std::min(rows, cols);
      Eigen::MatrixXd a(big, small);
      for (Index j = 0; j < small; ++j)  // column-major fill order does not matter: i.i.d.
        for (Index i = 0; i < big; ++i) a(i, j) = rng.normal();
      Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
      Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
      const Eigen::MatrixXd& r = qr.matrixQR();
      for (Index j = 0; j < small; ++j)
        if (r(j, j) < 0) q.col(j) *= -1.0;
      for (Index i = 0; i < rows; ++i)
        for (Index j = 0; j < cols; ++j)
          t[i * cols + j] = float(gain * (rows >= cols ? q(i, j) : q(j, i)));
      break;
    }
    case Kind::Identity: {
      if (t.rank() != 2) throw Error("Identity initializer needs a 2D weight");
      t.setZero();
      const Index rows = t.dim(0), cols = t.dim(1);
      for (Index i = 0; i < std::min(rows, cols); ++i) t[i * cols + i] = float(gain);
      break;
    }
  }
}

}  // namespace tessel
