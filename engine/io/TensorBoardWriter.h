#pragma once
// A TensorBoard event file: "events.out.tfevents.<seconds>.<host>.tessel.v2" in a folder, holding
// TFRecord records (uint64 length, masked CRC32C of the length, the serialized Event, masked
// CRC32C of the data; little-endian). The first record is Event{wall_time, file_version:
// "brain.Event:2"}; every scalar is Event{wall_time, step, summary{value{tag, simple_value}}},
// which `tensorboard --logdir` shows under Scalars.
#include <cstdint>
#include <fstream>
#include <string>

namespace tessel {

class TensorBoardWriter {
 public:
  // Creates `dir` (and parents) and the event file in it. Throws Error when it cannot.
  // `wallTime` (seconds since the epoch) stamps the file_version record and the file name.
  explicit TensorBoardWriter(const std::string& dir, double wallTime = -1);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  void addScalar(const std::string& tag, double value, std::int64_t step, double wallTime);
  void flush();  // throws Error on a write failure
  const std::string& path() const { return path_; }

  static double now();  // seconds since the epoch, with fractions

 private:
  void writeRecord(const std::string& data);
  std::string path_;
  std::ofstream out_;
};

}  // namespace tessel
