#include "bench/BenchRegistry.h"

#include <algorithm>

namespace tessel::bench {

std::vector<BenchCase>& benchRegistry() {
  static std::vector<BenchCase> registry;
  return registry;
}

const BenchCase* findBench(const std::string& name) {
  for (const auto& b : benchRegistry())
    if (b.name == name || std::find(b.aliases.begin(), b.aliases.end(), name) != b.aliases.end())
      return &b;
  return nullptr;
}

BenchRegistration::BenchRegistration(BenchCase c) {
  auto& r = benchRegistry();
  r.push_back(std::move(c));
  std::sort(r.begin(), r.end(),
            [](const BenchCase& a, const BenchCase& b) { return a.name < b.name; });
}

}  // namespace tessel::bench
