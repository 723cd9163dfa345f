#include "engine/layers/Initializers.h"

#include <Eigen/QR>
#include <algorithm>
#include <cctype>
#include <cmath>

#include "engine/catalog/InitializerCatalog.h"
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

// The entry whose class name or alias equals `name` with case and underscores ignored.
const InitializerEntry* entryFor(const std::string& name) {
  const std::string n = normalise(name);
  for (const InitializerEntry& e : initializerCatalog().all()) {
    if (normalise(e.className) == n) return &e;
    for (const std::string& a : e.aliases)
      if (normalise(a) == n) return &e;
  }
  return nullptr;
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
  const InitializerEntry* e = entryFor(name);
  if (!e) {
    std::string known;
    for (const InitializerEntry& x : initializerCatalog().all())
      known += (known.empty() ? "" : ", ") + x.aliases.front();
    throw Error("unknown initializer '" + name + "'; known: " + known);
  }
  // null means the default for a key Keras never writes as None
  for (const ParamSpec& p : e->params)
    if (cfg.contains(p.key) && cfg[p.key].is_null() && !p.defaultValue.is_null()) cfg.erase(p.key);
  // Keras's Zeros, Ones, Constant and Identity take no seed; it is accepted and unused.
  const nlohmann::json full = e->completeConfig(cfg, "initializer", {"dtype", "seed"});
  Initializer init;
  e->configure(init, full);
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
