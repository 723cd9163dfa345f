#include "engine/layers/Regularizers.h"

#include <Eigen/Core>

#include "engine/core/Error.h"

namespace tessel {

namespace {
double readFactor(const nlohmann::json& cfg, const char* key, double def) {
  if (!cfg.contains(key) || cfg[key].is_null()) return def;
  if (!cfg[key].is_number()) throw Error(std::string("regularizer '") + key + "' must be a number");
  double v = cfg[key].get<double>();
  if (v < 0) throw Error(std::string("regularizer '") + key + "' must be >= 0");
  return v;
}
}  // namespace

Regularizer Regularizer::fromJson(const nlohmann::json& spec) {
  Regularizer r;
  if (spec.is_null()) return r;
  std::string cls;
  nlohmann::json cfg = nlohmann::json::object();
  if (spec.is_string()) {
    cls = spec.get<std::string>();
  } else if (spec.is_object() && spec.contains("class_name") && spec["class_name"].is_string()) {
    cls = spec["class_name"].get<std::string>();
    if (spec.contains("config")) {
      if (!spec["config"].is_object()) throw Error("regularizer config must be an object");
      cfg = spec["config"];
    }
  } else {
    throw Error("regularizer must be null, a name or {\"class_name\", \"config\"}");
  }
  for (auto it = cfg.begin(); it != cfg.end(); ++it)
    if (it.key() != "l1" && it.key() != "l2")
      throw Error("unknown regularizer config key '" + it.key() + "'");
  r.active = true;
  if (cls == "L1L2") {  // Keras 2 L1L2 defaults: l1 = 0, l2 = 0
    r.l1 = readFactor(cfg, "l1", 0.0);
    r.l2 = readFactor(cfg, "l2", 0.0);
  } else if (cls == "l1_l2") {  // the keras.regularizers.l1_l2 function: 0.01, 0.01
    r.l1 = readFactor(cfg, "l1", 0.01);
    r.l2 = readFactor(cfg, "l2", 0.01);
  } else if (cls == "L1" || cls == "l1") {
    if (cfg.contains("l2")) throw Error("regularizer L1 has no 'l2'");
    r.l1 = readFactor(cfg, "l1", 0.01);
  } else if (cls == "L2" || cls == "l2") {
    if (cfg.contains("l1")) throw Error("regularizer L2 has no 'l1'");
    r.l2 = readFactor(cfg, "l2", 0.01);
  } else {
    throw Error("unknown regularizer '" + cls + "'; known: L1, L2, L1L2");
  }
  return r;
}

double Regularizer::penalty(const float* w, Index n) const {
  if (!active) return 0.0;
  Eigen::Map<const Eigen::ArrayXf> a(w, n);
  double p = 0.0;
  if (l1 != 0.0) p += l1 * double(a.abs().sum());
  if (l2 != 0.0) p += l2 * double(a.square().sum());
  return p;
}

void Regularizer::addGradient(const float* w, float* g, Index n, float scale) const {
  if (!active) return;
  Eigen::Map<const Eigen::ArrayXf> a(w, n);
  Eigen::Map<Eigen::ArrayXf> ga(g, n);
  const float c1 = float(l1) * scale, c2 = 2.0f * float(l2) * scale;
  if (l1 != 0.0 && l2 != 0.0)
    ga += c1 * a.sign() + c2 * a;
  else if (l1 != 0.0)
    ga += c1 * a.sign();
  else if (l2 != 0.0)
    ga += c2 * a;
}

}  // namespace tessel
