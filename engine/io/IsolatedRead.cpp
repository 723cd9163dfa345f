#include "engine/io/IsolatedRead.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>

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

std::string readAll(int fd) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  return out;
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
  std::string bytes = readAll(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !bytes.empty()) {
    if (bytes[0] == 'E') throw Error(bytes.substr(1));
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
