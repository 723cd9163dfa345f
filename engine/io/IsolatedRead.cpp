#include "engine/io/IsolatedRead.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "engine/core/Error.h"

namespace tessel {

namespace {

bool writeAll(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

json weightsHeader(const NamedWeights& weights) {
  json list = json::array();
  for (const auto& [name, t] : weights) list.push_back({{"name", name}, {"shape", t.shape()}});
  return list;
}

// The payload: 8 bytes of header length, the header (JSON), then every weight's float32 values in
// header order (weights, then optimizer weights).
std::string encodeWith(const ModelFile& f, json header) {
  header["weights"] = weightsHeader(f.weights);
  header["optimizer_weights"] = weightsHeader(f.optimizerWeights);
  const std::string text = header.dump();
  std::string out(8, '\0');
  const std::uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  out += text;
  for (const NamedWeights* ws : {&f.weights, &f.optimizerWeights})
    for (const auto& [name, t] : *ws)
      out.append(reinterpret_cast<const char*>(t.data()),
                 static_cast<std::size_t>(t.size()) * sizeof(float));
  return out;
}

std::string encode(const ModelFile& f) {
  return encodeWith(f, {{"spec", f.spec.toKerasJson()}, {"training_config", f.trainingConfig}});
}

// Weights only (no spec).
std::string encodeWeights(const ModelFile& f) {
  return encodeWith(f, json::object());
}

ModelFile decodeWith(const std::string& bytes, const std::string& path, bool withSpec) {
  const auto bad = [&] { return Error(path + ": the reading process sent a malformed result"); };
  if (bytes.size() < 8) throw bad();
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > bytes.size() - 8) throw bad();
  const json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(n));
  ModelFile f;
  if (withSpec) {
    f.spec = ModelSpec::fromKerasJson(header.at("spec"));
    f.trainingConfig = header.at("training_config");
  }
  std::size_t at = 8 + n;
  for (auto [key, out] :
       {std::pair{"weights", &f.weights}, std::pair{"optimizer_weights", &f.optimizerWeights}})
    for (const auto& w : header.at(key)) {
      Tensor t(w.at("shape").get<Shape>());
      const std::size_t size = static_cast<std::size_t>(t.size()) * sizeof(float);
      if (size > bytes.size() - at) throw bad();
      std::memcpy(t.data(), bytes.data() + at, size);
      at += size;
      out->emplace_back(w.at("name").get<std::string>(), std::move(t));
    }
  return f;
}

ModelFile decode(const std::string& bytes, const std::string& path) {
  return decodeWith(bytes, path, true);
}

ModelFile decodeWeights(const std::string& bytes, const std::string& path) {
  return decodeWith(bytes, path, false);
}

}  // namespace

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

std::uint64_t envOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  return (end && *end == '\0') ? n : fallback;
}

// The child's address-space cap: what it already maps (the parent's, inherited) plus
// TESSEL_READ_MEMORY_MB (default 2048) plus four times the file's size. A corrupt file whose
// headers claim gigabytes then fails its allocation inside the library (an error, not a machine
// brought to its knees). Not under AddressSanitizer, which reserves terabytes of shadow.
void capChildMemory(const std::string& path) {
  if (kAddressSanitizer) return;
  std::uint64_t pages = 0;
  std::ifstream statm("/proc/self/statm");
  if (!(statm >> pages)) return;
  const std::uint64_t mapped = pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  struct stat st {};
  const std::uint64_t fileSize =
      ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  const std::uint64_t budgetMb = std::min<std::uint64_t>(envOr("TESSEL_READ_MEMORY_MB", 2048),
                                                         std::uint64_t(1) << 30);  // 1 PiB
  const std::uint64_t limit = mapped + (budgetMb << 20) + 4 * fileSize;
  struct rlimit rl {};
  rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(limit);
  ::setrlimit(RLIMIT_AS, &rl);
}

// Runs produce() in a child; returns what it sent (its result's encoding), or throws its Error or
// one naming the crash. Without pipe or fork, produce() runs here.
std::string runIsolated(const std::string& path, const std::function<std::string()>& produce) {
  // The fuzz targets read in their own process (a child's coverage would be lost to them).
  if (const char* v = std::getenv("TESSEL_READ_IN_PROCESS"); v && *v == '1') return produce();
  int fds[2];
  if (::pipe(fds) != 0) return produce();  // no pipe: read here
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return produce();  // no child: read here
  }
  if (pid == 0) {
    ::close(fds[0]);
#ifdef _OPENMP
    omp_set_num_threads(1);  // the parent's OpenMP team does not exist in the child
#endif
    capChildMemory(path);
    // A crash ends the child at once: the parent's handlers (a test framework's or a crash
    // reporter's stack dump) are not run for it; the parent reports the signal.
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(sig, SIG_DFL);
    // 'O' + the model file, or 'E' + the error's message; anything else (a sanitizer's report,
    // a signal) is a crash.
    std::string payload;
    try {
      payload = produce();
      payload.insert(0, 1, 'O');  // no second copy of a large model
    } catch (const std::exception& e) {
      payload = std::string("E") + e.what();
    } catch (...) {
      payload = "Eunknown error";
    }
    const bool sent = writeAll(fds[1], payload.data(), payload.size());
    ::close(fds[1]);
    ::_exit(sent ? 0 : 2);  // no atexit handlers or static destructors of the parent's
  }
  ::close(fds[1]);
  // A deadline (TESSEL_READ_TIMEOUT_S, default 600 s): a corrupt file can send the library round
  // a loop for ever; the child is then killed and the read is an error.
  const std::uint64_t timeoutS = envOr("TESSEL_READ_TIMEOUT_S", 600);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutS);
  std::string bytes;
  bool timedOut = false;
  for (char buf[1 << 16];;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t r = ::read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    bytes.append(buf, static_cast<std::size_t>(r));
  }
  ::close(fds[0]);
  if (timedOut) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timedOut)
    throw Error(path + ": reading the file took longer than " + std::to_string(timeoutS) +
                " s (TESSEL_READ_TIMEOUT_S): the file library may be looping on a corrupt file; "
                "nothing was imported");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !bytes.empty()) {
    if (bytes[0] == 'E') {
      // Every message names the file (a model config's error names only the layer).
      std::string message = bytes.substr(1);
      if (message.find(path) == std::string::npos) message = path + ": " + message;
      throw Error(message);
    }
    if (bytes[0] == 'O') {
      bytes.erase(0, 1);  // in place: the model may be hundreds of MB
      return bytes;
    }
  }
  const std::string how =
      WIFSIGNALED(status)
          ? "signal " + std::to_string(WTERMSIG(status)) + ", " + ::strsignal(WTERMSIG(status))
          : "exit status " + std::to_string(WEXITSTATUS(status));
  throw Error(path + ": reading the file crashed the file library (" + how +
              "): the file is corrupt or not what it claims to be; nothing was imported");
}

}  // namespace

ModelFile readModelFileIsolated(const std::string& path,
                                const std::function<ModelFile(const std::string&)>& read) {
  const std::string bytes = runIsolated(path, [&] { return encode(read(path)); });
  try {
    return decode(bytes, path);
  } catch (const json::exception&) {
    throw Error(path + ": the reading process sent a malformed result");
  }
}

NamedWeights readWeightsIsolated(const std::string& path,
                                 const std::function<NamedWeights(const std::string&)>& read) {
  const std::string bytes = runIsolated(path, [&] {
    ModelFile f;
    f.weights = read(path);
    return encodeWeights(f);
  });
  try {
    return decodeWeights(bytes, path).weights;
  } catch (const json::exception&) {
    throw Error(path + ": the reading process sent a malformed result");
  }
}

}  // namespace tessel
