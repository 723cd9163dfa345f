#include "engine/io/TensorBoardWriter.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/io/Crc32c.h"
#include "engine/io/proto/tessel_event.pb.h"

namespace tessel {

namespace {

void putLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

}  // namespace

double TensorBoardWriter::now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

TensorBoardWriter::TensorBoardWriter(const std::string& dir, double wallTime) {
  if (wallTime < 0) wallTime = now();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("TensorBoard: cannot create folder '" + dir + "': " + ec.message());
  char host[256] = "localhost";
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
  host[sizeof host - 1] = '\0';
  path_ = (std::filesystem::path(dir) /
           ("events.out.tfevents." + std::to_string(static_cast<long long>(wallTime)) + "." + host +
            ".tessel.v2"))
              .string();
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error("TensorBoard: cannot write '" + path_ + "'");
  tensorboard::Event e;
  e.set_wall_time(wallTime);
  e.set_file_version("brain.Event:2");
  writeRecord(e.SerializeAsString());
}

TensorBoardWriter::~TensorBoardWriter() = default;

void TensorBoardWriter::addScalar(const std::string& tag, double value, std::int64_t step,
                                  double wallTime) {
  tensorboard::Event e;
  e.set_wall_time(wallTime);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(static_cast<float>(value));
  writeRecord(e.SerializeAsString());
}

void TensorBoardWriter::writeRecord(const std::string& data) {
  std::string header;
  putLe(header, data.size(), 8);
  std::string record = header;
  putLe(record, maskedCrc32c(header.data(), header.size()), 4);
  record += data;
  putLe(record, maskedCrc32c(data.data(), data.size()), 4);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  if (!out_) throw Error("TensorBoard: cannot write '" + path_ + "'");
}

void TensorBoardWriter::flush() {
  out_.flush();
  if (!out_) throw Error("TensorBoard: cannot write '" + path_ + "'");
}

}  // namespace tessel
