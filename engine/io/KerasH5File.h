#pragma once
// A small RAII layer over Debian's HDF5 C library (libhdf5-dev) for the Keras weight files: the
// file and its groups as H5Node handles, string attributes (fixed-length as h5py writes `bytes`,
// variable-length as it writes `str`; both read), float datasets, an int64 scalar. Every HDF5
// failure becomes a tessel::Error naming the file and the object; the library's own error stack
// printing is switched off.
//
// Files read may be hostile: a dataset or string attribute is read only when its claimed size fits
// in what the file can hold (its bytes, times deflate's 1032:1 for a filtered dataset) and in
// kMaxArrayBytes (engine/core/ResourceLimits.h), checked before anything is allocated; and before
// the first variable-length string is read, the file's global heaps (where those strings are kept)
// are checked to be well formed, as Debian 12's libhdf5 1.10.8 loops forever or reads out of
// bounds on some corrupt ones.
//
// Files are on disk or in memory (the model.weights.h5 inside a .keras zip): openImage reads a
// file image, createInMemory + image() writes one.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel::h5 {

class H5Node {
 public:
  // Read-only file on disk. Throws Error "<path>: not an HDF5 file (truncated or corrupt?)".
  static H5Node openFile(const std::string& path);
  // Read-only file from its bytes; `label` names it in errors.
  static H5Node openImage(const std::vector<std::uint8_t>& bytes, const std::string& label);
  // New file on disk (truncated when it exists).
  static H5Node createFile(const std::string& path);
  // New file held in memory; image() gives its bytes.
  static H5Node createInMemory(const std::string& label);
  // The bytes of a file node (flushed first).
  std::vector<std::uint8_t> image() const;

  // "a/b/c" exists below this node (group or dataset).
  bool exists(const std::string& path) const;
  bool isGroup(const std::string& path) const;
  bool isDataset(const std::string& path) const;
  H5Node group(const std::string& path) const;        // throws when missing
  H5Node createGroup(const std::string& path) const;  // intermediate groups created too
  // Names of the links directly below this group, in name order.
  std::vector<std::string> children() const;

  bool hasAttr(const std::string& name) const;
  // A scalar string attribute (fixed or variable length).
  std::string stringAttr(const std::string& name) const;
  // A string array attribute; Keras's chunked form (name0, name1, ... when the list passed the
  // 64 KiB object header limit) is joined. An empty numeric array reads as an empty list.
  std::vector<std::string> stringListAttr(const std::string& name) const;
  // Writes as h5py does for `bytes` (fixed-length, NULLPAD) or `str` (variable-length UTF-8).
  void setBytesAttr(const std::string& name, const std::string& value) const;
  void setStrAttr(const std::string& name, const std::string& value) const;
  void setBytesListAttr(const std::string& name, const std::vector<std::string>& values) const;

  // A numeric dataset as float32 (float64 / integer datasets converted); shape as stored.
  Tensor readTensor(const std::string& path) const;
  // float32 dataset at `path` (intermediate groups created; "a/b:0" as h5py does for names with
  // slashes).
  void writeTensor(const std::string& path, const Tensor& value) const;
  void writeInt64Scalar(const std::string& path, std::int64_t value) const;

  const std::string& label() const { return label_; }

 private:
  H5Node(std::shared_ptr<std::int64_t> handle, std::string label, std::string where,
         std::int64_t fileBytes);
  std::int64_t id() const { return *handle_; }
  std::string where(const std::string& path) const;

  std::shared_ptr<std::int64_t> handle_;  // hid_t, closed with the last copy
  std::string label_;                     // the file, for errors
  std::string where_;                     // this group's path in the file ("/" for the root)
  std::int64_t fileBytes_;                // size of the file read, -1 for one being written
  // Whether the file's global heaps were checked (the variable-length strings' storage, see
  // checkGlobalHeaps in the .cpp) and what was wrong; shared by every node of a file read.
  struct HeapCheck {
    std::string path;  // the file on disk, "" for a file image
    bool done = false;
    std::string problem;
  };
  std::shared_ptr<HeapCheck> heaps_;
  void checkGlobalHeaps() const;
};

// True when the file at `path` starts with the HDF5 signature (\x89HDF\r\n\x1a\n at offset 0).
bool looksLikeHdf5(const std::string& path);
bool looksLikeHdf5(const std::vector<std::uint8_t>& bytes);

}  // namespace tessel::h5
