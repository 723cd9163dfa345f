// tessel-bench: the built-in benchmarks, out of the shipped binary (see BenchCli.h).
#include <string>
#include <vector>

#include "bench/BenchCli.h"

int main(int argc, char** argv) {
  return tessel::bench::runBenchCli(std::vector<std::string>(argv + 1, argv + argc));
}
