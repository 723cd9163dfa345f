#include "engine/catalog/RegularizerCatalog.h"

namespace tessel {

namespace {

using namespace paramspec;

// Keras 2.12 keras/regularizers.py.
RegularizerEntry entry(std::string cls, std::vector<std::string> aliases, std::string doc,
                       std::vector<ParamSpec> params) {
  RegularizerEntry e;
  e.className = std::move(cls);
  e.aliases = std::move(aliases);
  e.group = "Regularizers";
  e.doc = std::move(doc);
  e.params = std::move(params);
  return e;
}

ParamSpec factor(const char* key, double def, const char* doc) {
  return range(param(key, ParamType::Float, def, doc), 0, 1e300);
}

Catalog<RegularizerEntry> build() {
  Catalog<RegularizerEntry> c("regularizer");
  c.add(entry("L1", {"l1"}, "penalty l1 * sum(|w|)",
              {factor("l1", 0.01, "factor of the sum of absolute values")}));
  c.add(entry("L2", {"l2"}, "penalty l2 * sum(w^2)",
              {factor("l2", 0.01, "factor of the sum of squares")}));
  c.add(entry("L1L2", {}, "penalty l1 * sum(|w|) + l2 * sum(w^2)",
              {factor("l1", 0.0, "factor of the sum of absolute values"),
               factor("l2", 0.0, "factor of the sum of squares")}));
  return c;
}

}  // namespace

const Catalog<RegularizerEntry>& regularizerCatalog() {
  static const Catalog<RegularizerEntry> c = build();
  return c;
}

}  // namespace tessel
