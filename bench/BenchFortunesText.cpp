// `tessel-bench fortunes-text`: the bundled text classifier example
// (resources/examples/fortunes_text: TextVectorization -> Embedding(10000, 32, mask_zero) ->
// Bidirectional(LSTM(32)) -> Dense(5, softmax), Adam 1e-3, batch 32) trained on its data settings
// (the Debian fortunes package's five default categories, 64 token ids per text, vocabulary adapted
// on the training split), SIDE BY SIDE with the same model in PyTorch (bench/peer_torch_text.py):
// the ids, labels and vocabulary are written to a temporary folder and the peer trains on exactly
// those int sequences, at each of --peer-threads torch threads. Times the training loop only
// (epoch begin to the last batch's end, as the peer). Prints per epoch the speed, loss and
// validation accuracy of both; then the summary: samples/s, the ratio to the peer's best thread
// count, validation accuracy after --epochs epochs; last, `samples_per_s=N` (ours).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/CliSupport.h"
#include "bench/BenchRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/Fortunes.h"
#include "engine/data/Npy.h"
#include "engine/io/TfjsModel.h"
#include "engine/layers/TextLayers.h"
#include "engine/train/Trainer.h"

namespace tessel::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// A file of the source tree (or of an installed share/tessel), searched from the executable.
fs::path findSourceFile(const std::string& rel, const std::vector<std::string>& installed = {}) {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& i : installed) roots.push_back(exe.parent_path() / i);
    roots.push_back(exe.parent_path() / "../..");  // build/bench/tessel-bench
    roots.push_back(exe.parent_path() / "..");
  }
#ifdef TESSEL_SOURCE_DIR
  roots.push_back(fs::path(TESSEL_SOURCE_DIR));
#endif
  for (const auto& r : roots)
    if (fs::exists(r / rel, ec)) return (r / rel).lexically_normal();
  throw Error(rel + " not found next to the executable or in the source tree");
}

class EpochTimer : public TrainObserver {
 public:
  explicit EpochTimer(Index samples) : samples_(samples) {}
  void onEpochBegin(int) override { begin_ = last_ = Clock::now(); }
  void onBatchEnd(int, int, const Logs& logs) override {
    last_ = Clock::now();
    if (!logs.empty()) loss_ = logs.front().second;
  }
  void onEpochEnd(int epoch, const Logs& logs) override {
    const double dt = std::chrono::duration<double>(last_ - begin_).count();
    total_ += dt;
    valAcc_ = findLog(logs, "val_accuracy").value_or(-1);
    std::printf("epoch %d train_samples_per_s %.0f loss %.4f val_acc %.4f\n", epoch + 1,
                double(samples_) / dt, loss_, valAcc_);
    std::fflush(stdout);
  }
  double total_ = 0, valAcc_ = -1, loss_ = 0;

 private:
  Index samples_;
  Clock::time_point begin_, last_;
};

void writeInts(const fs::path& file, const Array& a) {
  Array ints = Array::fromValues(DType::Int32, a.shape(), [&] {
    std::vector<double> v(size_t(a.size()));
    for (Index i = 0; i < a.size(); ++i) v[size_t(i)] = a.raw(i);
    return v;
  }());
  writeNpy(file.string(), ints);
}

struct PeerResult {
  int threads = 0;
  double samplesPerS = 0, valAcc = -1;
};

// Runs the peer, echoing its lines; parses its RESULT line.
PeerResult runPeer(const std::string& python, const fs::path& script, const fs::path& dir,
                   int epochs, int threads, Index samples) {
  const std::string cmd = "'" + python + "' '" + script.string() + "' '" + dir.string() + "' " +
                          std::to_string(epochs) + " " + std::to_string(threads) + " " +
                          std::to_string(samples) + " 2>&1";
  std::printf("-- peer: %s\n", cmd.c_str());
  std::fflush(stdout);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw Error("cannot run the peer: " + cmd);
  PeerResult r;
  r.threads = threads;
  char line[4096];
  while (std::fgets(line, sizeof line, p)) {
    std::printf("   %s", line);
    std::fflush(stdout);
    const std::string s(line);
    if (s.rfind("RESULT", 0) != 0) continue;
    auto value = [&](const std::string& key) {
      const size_t at = s.find(key + "=");
      return at == std::string::npos ? -1.0 : std::atof(s.c_str() + at + key.size() + 1);
    };
    r.samplesPerS = value("samples_per_s");
    r.valAcc = value("val_acc");
  }
  const int rc = pclose(p);
  if (rc != 0 || r.samplesPerS <= 0)
    throw Error("the peer failed (exit status " + std::to_string(rc) + "): " + cmd);
  return r;
}

std::vector<int> threadList(const std::string& s) {
  std::vector<int> out;
  size_t at = 0;
  while (at <= s.size()) {
    const size_t comma = s.find(',', at);
    const std::string item = s.substr(at, comma == std::string::npos ? s.npos : comma - at);
    if (!item.empty()) {
      const int t = std::atoi(item.c_str());
      if (t < 1) throw app::UsageError("--peer-threads wants numbers >= 1, got '" + s + "'");
      out.push_back(t);
    }
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

int runFortunesText(const BenchOptions& o) {
  if (!fortunesAvailable())
    throw Error(std::string("the fortunes package is not installed (") + kFortunesDir + ")");
  const fs::path example = findSourceFile("resources/examples/fortunes_text/model.json",
                                          {"../share/tessel/examples/fortunes_text/model.json"})
                               .parent_path();
  const bool peer = !(o.args && o.args->has("--no-peer"));
  const std::string python =
      o.args ? o.args->value("--python", "/usr/bin/python3") : std::string("/usr/bin/python3");
  const std::vector<int> peerThreads =
      threadList(o.args ? o.args->value("--peer-threads", "1,2") : std::string("1,2"));

  std::ifstream in(example / "data.json");
  const DataSettings settings = DataSettings::fromJson(nlohmann::json::parse(in));
  BuiltData data = buildDataset(settings);
  ModelFile file = readModelFile((example / "model.json").string());
  storeTextVocabulary(file.spec, data.settings.options["vectorization"]);
  const bool limited = o.args && o.args->has("--samples");
  if (limited && o.samples < data.train.size())
    data.train = Dataset{
        {data.train.x[0].rowsRange(0, o.samples)}, {data.train.y[0].rowsRange(0, o.samples)}, {}};
  fitDatasetToModel(data.train, file.spec);
  fitDatasetToModel(*data.validation, file.spec);
  const Index n = data.train.size();
  const nlohmann::json vec = data.settings.options["vectorization"];
  const auto vocab = vec.at("vocabulary").get<std::vector<std::string>>();
  const Shape& shape = data.train.x[0].shape();
  const json layer = file.spec.find("bidirectional")->config;
  const Index units = layer["layer"]["config"]["units"].get<Index>();
  const Index embed = file.spec.find("embedding")->config["output_dim"].get<Index>();

  Model model(file.spec, 0);
  Trainer trainer(model, CompileOptions::fromTrainingConfig(file.trainingConfig, {"category"}));
  std::printf(
      "bench fortunes_text: %lld training texts x %d epoch(s) (validation %lld), %lld token ids "
      "each, vocabulary %zu, Embedding %lld, Bidirectional LSTM %lld, %zu classes; batch 32, "
      "Adam 1e-3; %d thread(s); %lld parameters\n",
      (long long)n, o.epochs, (long long)data.validation->size(), (long long)shape[1], vocab.size(),
      (long long)embed, (long long)units, data.classNames.size(), o.threads,
      (long long)model.parameterCount());
  std::fflush(stdout);

  // The peer's input: exactly our ids.
  std::string tmpl = (fs::temp_directory_path() / "tessel-fortunes-text-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw Error("cannot create a temporary folder");
  const fs::path dir = tmpl;
  struct Remove {  // the folder goes on every way out
    fs::path dir;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove{dir};
  writeInts(dir / "x_train.npy", data.train.x[0]);
  writeInts(dir / "y_train.npy", data.train.y[0]);
  writeInts(dir / "x_val.npy", data.validation->x[0]);
  writeInts(dir / "y_val.npy", data.validation->y[0]);
  {
    std::ofstream v(dir / "vocabulary.txt");
    for (const auto& t : vocab) v << t << "\n";
    std::ofstream(dir / "meta.json") << nlohmann::json{
        {"vocabulary_size", vocab.size()},
        {"sequence_length", shape[1]},
        {"embedding_dim", embed},
        {"units", units},
        {"classes", data.classNames.size()},
        {"batch_size", 32}}.dump();
  }

  std::printf("-- tessel\n");
  FitOptions fit;
  fit.epochs = o.epochs;
  fit.batchSize = 32;
  fit.shuffle = true;
  fit.verbose = 0;
  fit.validationData = *data.validation;
  EpochTimer timer(n);
  const History h = trainer.fit(data.train, fit, {}, &timer);
  if (!h.stopReason.empty()) std::printf("stopped: %s\n", h.stopReason.c_str());
  const double ours = double(n) * o.epochs / timer.total_;

  std::vector<PeerResult> peers;
  if (peer) {
    const fs::path script = findSourceFile("bench/peer_torch_text.py");
    for (int t : peerThreads) peers.push_back(runPeer(python, script, dir, o.epochs, t, n));
  }

  std::printf("\n== fortunes-text summary (%lld texts x %d epoch(s); higher is better)\n",
              (long long)n, o.epochs);
  std::printf("tessel        %8.0f samples/s  val_accuracy %.4f  (%d thread(s))\n", ours,
              timer.valAcc_, o.threads);
  const PeerResult* best = nullptr;
  for (const PeerResult& p : peers) {
    std::printf("pytorch %2d th %8.0f samples/s  val_accuracy %.4f\n", p.threads, p.samplesPerS,
                p.valAcc);
    if (!best || p.samplesPerS > best->samplesPerS) best = &p;
  }
  if (best)
    std::printf("ratio vs the peer's best (%d thread(s)): %.2fx (goal >= 1.5x)\n", best->threads,
                ours / best->samplesPerS);
  std::printf("peak_rss_mib=%.1f\n", app::peakRssMiB());
  std::printf("samples_per_s=%.0f\n", ours);
  std::fflush(stdout);
  return 0;
}

}  // namespace

TESSEL_REGISTER_BENCH(
    fortunes_text, "fortunes-text",
    "the fortunes text classifier example (Embedding, Bidirectional LSTM, Dense; Adam, batch 32) "
    "side by side with the same model in PyTorch (bench/peer_torch_text.py) on the same ids",
    runFortunesText,
    {{"--peer-threads", "A,B", false, "torch thread counts for the peer (default 1,2)"},
     {"--python", "PATH", false, "the python with torch (default /usr/bin/python3)"},
     {"--no-peer", nullptr, false, "train ours only"}});

}  // namespace tessel::bench
