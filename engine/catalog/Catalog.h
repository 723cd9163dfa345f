#pragma once
// One registry per Keras concept, as Keras's `optimizers.get` / `losses.get`: layers, optimizers,
// losses, metrics, schedules, callbacks, initializers, activations. An entry holds the Keras class
// name, the other names `get` accepts, its parameters with Keras defaults (ParamSpec) and one doc
// line; a concept's entry type derives from CatalogEntry and adds that concept's hooks (a factory,
// export functions, ...). Every consumer (engine factories, compile panel, inspector, palette, CLI
// help and validation, exporters) reads the catalog; nothing else lists Keras names or defaults.
#include <cctype>
#include <string>
#include <vector>

#include "engine/catalog/ParamSpec.h"
#include "engine/core/Error.h"

namespace tessel {

struct CatalogEntry {
  std::string className;             // Keras class name: "Adam", "MeanSquaredError"
  std::vector<std::string> aliases;  // other names get() accepts: "adam", "mse", ...
  std::string group;                 // section of the Keras docs it is listed under
  std::string doc;                   // one line, as the Keras docs say it
  std::vector<ParamSpec> params;     // config keys in Keras get_config order, with defaults

  const ParamSpec* param(const std::string& key) const;
  // Every parameter's Keras default ({} when there are none).
  json defaultConfig() const;
  // `config` with every missing key set to its default; throws Error("<kind> '<class>': ...")
  // for an unknown key (other than `extraKeys`), a bad value or a missing required one.
  json completeConfig(const json& config, const std::string& kind,
                      const std::vector<std::string>& extraKeys = {}) const;
};

// `Entry` derives from CatalogEntry. Entries keep their registration order.
template <typename Entry>
class Catalog {
 public:
  explicit Catalog(std::string kind) : kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }  // "optimizer", "loss", ...

  // Throws Error when the class name or an alias is taken already.
  void add(Entry entry) {
    for (const std::string& n : namesOf(entry))
      if (find(n)) throw Error(kind_ + " catalog: '" + n + "' is registered twice");
    entries_.push_back(std::move(entry));
  }
  // By class name, then alias, then class name ignoring case (Keras's optimizers.get('ADAM')).
  const Entry* find(const std::string& name) const {
    for (const Entry& e : entries_)
      if (e.className == name) return &e;
    for (const Entry& e : entries_)
      for (const std::string& a : e.aliases)
        if (a == name) return &e;
    for (const Entry& e : entries_)
      if (equalsIgnoringCase(e.className, name)) return &e;
    return nullptr;
  }
  // find(), or Error("unknown <kind> 'x' (known: ...)").
  const Entry& get(const std::string& name) const {
    if (const Entry* e = find(name)) return *e;
    throw Error("unknown " + kind_ + " '" + name + "' (known: " + knownNames() + ")");
  }
  const std::vector<Entry>& all() const { return entries_; }
  // "a, b, c": every class name with its aliases, for help texts and error messages.
  std::string knownNames() const {
    std::string s;
    for (const Entry& e : entries_)
      for (const std::string& n : namesOf(e)) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

 private:
  static std::vector<std::string> namesOf(const Entry& e) {
    std::vector<std::string> names{e.className};
    names.insert(names.end(), e.aliases.begin(), e.aliases.end());
    return names;
  }
  static bool equalsIgnoringCase(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    return true;
  }

  std::string kind_;
  std::vector<Entry> entries_;
};

}  // namespace tessel
