// `tessel-bench search-parallel`: what `tessel search --parallel N` buys. The same small search
// (the bundled wide & deep regressor on scikit-learn's diabetes table, its search_space.json,
// random tuner, seed 0) is run three ways, interleaved, each in a fresh project:
//   parallel 1, 1 thread   one trial at a time, one thread       (tessel search --threads 1)
//   parallel 2, 2 threads  two trials at a time, 1 thread each   (--parallel 2 --threads 2)
//   parallel 1, 2 threads  one trial at a time with both threads (--threads 2)
// and prints each one's median wall time (and process CPU time) over --repeats, the ratios,
// whether every trial scored the same in all three (they must: SearchRun.h), and the machine load
// (/proc/loadavg) before and after. The timed span is SearchRun::run() alone (data built and
// checked before).
#include <unistd.h>

#include <omp.h>
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/SearchRun.h"
#include "engine/store/Project.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

fs::path findExampleDir() {
  const std::string rel = "resources/examples/wide_deep";
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    roots.push_back(exe.parent_path() / "../share/tessel/examples/wide_deep");
    roots.push_back(exe.parent_path() / "../.." / rel);  // build/bench/tessel-bench
  }
#ifdef TESSEL_SOURCE_DIR
  roots.push_back(fs::path(TESSEL_SOURCE_DIR) / rel);
#endif
  for (const auto& r : roots)
    if (fs::exists(r / "diabetes.csv", ec) && fs::exists(r / "search_space.json", ec))
      return r.lexically_normal();
  throw Error("the wide & deep example (" + rel + ") was not found");
}

json readJson(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error("cannot read " + p.string());
  return json::parse(in);
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct Config {
  const char* label;
  int parallel, threads;
  std::vector<double> seconds, cpu;           // wall; process CPU (all threads)
  std::vector<std::optional<double>> scores;  // of the last repeat
};

int runSearchParallel(const BenchOptions& o) {
  const app::Args* args = o.args;
  const int trials = args ? static_cast<int>(args->intValue("--trials", 8, 1, 10000)) : 8;
  const int folds = args ? static_cast<int>(args->intValue("--cv", 3, 1, 100)) : 3;
  const int epochs = args && args->has("--epochs") ? o.epochs : 60;
  const int repeats = args ? static_cast<int>(args->intValue("--repeats", 3, 1, 100)) : 3;

  const fs::path example = findExampleDir();
  ModelFile model = readModelFile((example / "model.json").string());
  DataSettings data = DataSettings::fromJson(readJson(example / "data.json"));
  if (fs::path(data.path).is_relative()) data.path = (example / data.path).string();
  const SearchSpace space = SearchSpace::fromJson(readJson(example / "search_space.json"));
  RunSettings base;
  base.compile = CompileOptions::fromTrainingConfig(model.trainingConfig, model.spec.outputs);
  base.fit.batchSize = 32;
  base.data = data;

  const fs::path dir =
      fs::temp_directory_path() / ("tessel-bench-search-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::printf(
      "search-parallel: wide & deep on diabetes, random search, %d trials, cv=%d, %d epochs "
      "per trial, %d repeat(s); %d cores\n",
      trials, folds, epochs, repeats, omp_get_num_procs());
  const std::string loadBefore = loadAverage();
  std::printf("load average before: %s\n", loadBefore.c_str());
  std::fflush(stdout);

  std::vector<Config> configs = {{"parallel 1, 1 thread  ", 1, 1, {}, {}, {}},
                                 {"parallel 2, 2 threads ", 2, 2, {}, {}, {}},
                                 {"parallel 1, 2 threads ", 1, 2, {}, {}, {}}};
  int n = 0;
  for (int r = 0; r < repeats; ++r)
    for (auto& c : configs) {
      Eigen::setNbThreads(c.threads);
      omp_set_num_threads(c.threads);
      const std::string file = (dir / ("s" + std::to_string(n++) + ".tessel")).string();
      double seconds = 0;
      {
        Project project = Project::create(file);
        const auto modelId = project.addModel("wide_deep", model.spec.toKerasJson());
        SearchSettings s;
        s.tuner.kind = "random";
        s.tuner.maxTrials = trials;
        s.tuner.seed = 0;
        s.folds = folds;
        s.epochs = epochs;
        s.parallel = c.parallel;
        SearchRun search(project, SearchRun::create(project, modelId, space, s, model.spec, base));
        search.validate();  // builds the data: not timed
        const auto t0 = Clock::now();
        const std::clock_t c0 = std::clock();
        const int ran = search.run(nullptr, 0);
        seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        c.cpu.push_back(double(std::clock() - c0) / CLOCKS_PER_SEC);
        if (ran != trials) throw Error("the search ran " + std::to_string(ran) + " trials");
        c.scores.clear();
        for (const auto& t : search.trials()) c.scores.push_back(t.score);
      }
      fs::remove(file);
      c.seconds.push_back(seconds);
      std::printf("  repeat %d  %s  %.3f s (cpu %.3f s)\n", r + 1, c.label, seconds, c.cpu.back());
      std::fflush(stdout);
    }
  fs::remove_all(dir);

  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  const double one = median(configs[0].seconds), two = median(configs[1].seconds),
               oneBoth = median(configs[2].seconds);
  std::printf("\nmedian wall time (s), median CPU time of the process (s):\n");
  for (const auto& c : configs)
    std::printf("  %s  %.3f  cpu %.3f\n", c.label, median(c.seconds), median(c.cpu));
  bool same = true;
  for (const auto& c : configs) same &= c.scores == configs[0].scores;
  std::printf("same trial scores in all three: %s\n", same ? "yes" : "NO");
  std::printf("speed-up of --parallel 2 (1 thread per trial) over 1 trial at a time:\n");
  std::printf("  vs parallel 1, 1 thread:  %.2fx\n", one / two);
  std::printf("  vs parallel 1, 2 threads: %.2fx\n", oneBoth / two);
  std::printf("load average after: %s\n", loadAverage().c_str());
  std::printf("parallel2_speedup=%.3f\n", one / two);
  return same ? 0 : 1;
}

}  // namespace

TESSEL_REGISTER_BENCH(
    search_parallel, "search-parallel",
    "tessel search --parallel 2 (1 thread per trial) against one trial at a time with 1 and 2 "
    "threads: the wide & deep diabetes search (8 trials, cv 3, 60 epochs unless given), wall "
    "time and ratio",
    runSearchParallel,
    {{"--trials", "N", false, "trials per search (default 8)"},
     {"--cv", "K", false, "folds per trial (default 3)"},
     {"--repeats", "R", false, "interleaved repeats; medians are printed (default 3)"}});

}  // namespace tessel::bench
