#include "engine/io/KerasH5File.h"

#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"

namespace tessel::h5 {

static_assert(sizeof(hid_t) == sizeof(std::int64_t), "hid_t is 64-bit in HDF5 >= 1.10");

namespace {

// HDF5 prints its error stack to stderr by default; our errors say what went wrong instead.
void quiet() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

// One hid_t closed by `close` when the scope ends (for temporaries inside a function).
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~Handle() {
    if (id >= 0) close(id);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

std::shared_ptr<std::int64_t> ownedObject(hid_t id) {
  return std::shared_ptr<std::int64_t>(new std::int64_t(id), [](std::int64_t* p) {
    if (*p >= 0) H5Oclose(*p);
    delete p;
  });
}

std::shared_ptr<std::int64_t> ownedFile(hid_t id) {
  return std::shared_ptr<std::int64_t>(new std::int64_t(id), [](std::int64_t* p) {
    if (*p >= 0) H5Fclose(*p);
    delete p;
  });
}

std::string memoryName(const std::string& label) {
  static std::atomic<int> counter{0};
  return "tessel-mem-" + std::to_string(counter++) + "-" + label;
}

hid_t createIntermediate() {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  return lcpl;
}

// The most bytes `count` elements of `elementBytes` each may take in a file of `fileBytes` (-1:
// a file being written, only kMaxArrayBytes applies), `ratio` times the file for compressed
// data: false when the claim is larger (no overflow).
bool fitsInFile(std::int64_t count, std::int64_t elementBytes, std::int64_t fileBytes,
                std::int64_t ratio) {
  if (count < 0 || elementBytes <= 0) return false;
  std::int64_t limit = kMaxArrayBytes;
  if (fileBytes >= 0 && fileBytes < limit / ratio) limit = fileBytes * ratio;
  return count <= limit / elementBytes;
}

// Reads the strings of attribute `attr` (type `type`, `count` elements). `fileBytes` bounds what
// the attribute may claim (an attribute's data is stored in its file, uncompressed).
std::vector<std::string> readStrings(hid_t attr, hid_t type, size_t count, std::int64_t fileBytes,
                                     const std::string& what) {
  std::vector<std::string> out;
  const bool variable = H5Tis_variable_str(type) > 0;
  // A variable-length string takes at least a heap reference (16 bytes) in the file.
  const std::int64_t elementBytes =
      variable ? 16 : static_cast<std::int64_t>(std::max<size_t>(H5Tget_size(type), 1));
  if (!fitsInFile(static_cast<std::int64_t>(count), elementBytes, fileBytes, 1))
    throw Error(what + " claims " + countText(static_cast<std::int64_t>(count)) + " string(s) of " +
                countText(elementBytes) + " bytes, more than the file can hold (" +
                (fileBytes >= 0 ? countText(fileBytes) + " bytes" : byteSizeText(kMaxArrayBytes)) +
                ")");
  if (variable) {
    std::vector<char*> ptrs(count, nullptr);
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5Tget_cset(type));
    if (H5Aread(attr, mem.id, ptrs.data()) < 0)
      throw Error(what + ": cannot read the string attribute (corrupt file)");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space(H5Aget_space(attr), H5Sclose);
    H5Dvlen_reclaim(mem.id, space.id, H5P_DEFAULT, ptrs.data());
    return out;
  }
  const size_t size = H5Tget_size(type);
  std::vector<char> buf(size * count + 1, '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.id, size);
  H5Tset_strpad(mem.id, H5T_STR_NULLPAD);
  if (H5Aread(attr, mem.id, buf.data()) < 0)
    throw Error(what + ": cannot read the string attribute (corrupt file)");
  for (size_t i = 0; i < count; ++i) {
    const char* p = buf.data() + i * size;
    out.emplace_back(p, strnlen(p, size));
  }
  return out;
}

// What is wrong with the global heap collections of a file (its bytes read through `read`, at most
// `size`), "" when nothing: every "GCOL" signature of the file is taken as a collection (header:
// signature, version 1, 3 reserved bytes, 8-byte size; then objects of 2-byte index, 2-byte
// reference count, 4 reserved bytes, 8-byte size, data padded to 8 bytes; index 0 the free space,
// its size counting its header) and walked as libhdf5's H5HG__cache_heap_deserialize walks it.
// libhdf5 1.10.8 loops forever on an object of size 0, reads past the collection for an object
// larger than what is left, and allocates whatever size a collection claims.
std::string globalHeapProblem(std::uint64_t size,
                              const std::function<size_t(std::uint64_t, char*, size_t)>& read) {
  constexpr std::uint64_t kMinCollection = 4096;  // H5HG_MINSIZE: libhdf5 writes none smaller
  constexpr size_t kBlock = size_t(1) << 20;
  std::vector<char> block(kBlock + 3);
  auto u16 = [](const char* p) {
    return std::uint16_t(std::uint8_t(p[0]) | std::uint8_t(p[1]) << 8);
  };
  auto u64 = [](const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | std::uint8_t(p[i]);
    return v;
  };
  std::vector<char> heap;
  for (std::uint64_t at = 0; at < size; at += kBlock) {
    const size_t got = read(at, block.data(), std::min<std::uint64_t>(kBlock + 3, size - at));
    for (size_t i = 0; i + 4 <= got && i < kBlock; ++i) {
      if (std::memcmp(block.data() + i, "GCOL", 4) != 0) continue;
      const std::uint64_t start = at + i;
      char header[16];
      if (read(start, header, 16) != 16 || header[4] != 1) continue;  // libhdf5 refuses these
      const std::uint64_t bytes = u64(header + 8);
      const std::string where = "global heap at byte " + std::to_string(start);
      if (bytes < kMinCollection || bytes > size - start)
        return where + " claims " + std::to_string(bytes) + " bytes";
      heap.resize(static_cast<size_t>(bytes));
      if (read(start, heap.data(), heap.size()) != heap.size()) return where + " is truncated";
      for (std::uint64_t p = 16; p < bytes;) {
        if (p + 16 > bytes) break;  // free space at the end
        const std::uint16_t index = u16(heap.data() + p);
        const std::uint64_t objectBytes = u64(heap.data() + p + 8);
        if (objectBytes > bytes) return where + ": an object claims " + std::to_string(objectBytes);
        const std::uint64_t need =
            index > 0 ? 16 + ((objectBytes + 7) & ~std::uint64_t(7)) : objectBytes;
        if (need == 0 || need > bytes - p)
          return where + ": object " + std::to_string(index) + " of " +
                 std::to_string(objectBytes) + " bytes does not fit";
        p += need;
      }
    }
  }
  return "";
}

}  // namespace

void H5Node::checkGlobalHeaps() const {
  if (!heaps_) return;
  if (!heaps_->done) {
    if (!heaps_->path.empty()) {
      std::ifstream in(heaps_->path, std::ios::binary);
      heaps_->problem =
          globalHeapProblem(static_cast<std::uint64_t>(std::max<std::int64_t>(fileBytes_, 0)),
                            [&](std::uint64_t at, char* buf, size_t n) -> size_t {
                              in.clear();
                              in.seekg(static_cast<std::streamoff>(at));
                              in.read(buf, static_cast<std::streamsize>(n));
                              return static_cast<size_t>(in.gcount());
                            });
    } else {
      const hid_t file = H5Iget_file_id(id());
      std::vector<char> image;
      if (file >= 0) {
        const ssize_t n = H5Fget_file_image(file, nullptr, 0);
        if (n > 0) {
          image.resize(static_cast<size_t>(n));
          if (H5Fget_file_image(file, image.data(), image.size()) < 0) image.clear();
        }
        H5Fclose(file);
      }
      heaps_->problem = globalHeapProblem(image.size(), [&](std::uint64_t at, char* buf, size_t n) {
        const size_t k = at >= image.size() ? 0 : std::min<size_t>(n, image.size() - at);
        if (k) std::memcpy(buf, image.data() + at, k);
        return k;
      });
    }
    heaps_->done = true;
  }
  if (!heaps_->problem.empty())
    throw Error(label_ + ": corrupt HDF5 file (" + heaps_->problem +
                "): its variable-length strings are not read");
}

H5Node::H5Node(std::shared_ptr<std::int64_t> handle, std::string label, std::string where,
               std::int64_t fileBytes)
    : handle_(std::move(handle)),
      label_(std::move(label)),
      where_(std::move(where)),
      fileBytes_(fileBytes) {}

std::string H5Node::where(const std::string& path) const {
  if (path.empty()) return where_;
  return (where_ == "/" ? "/" : where_ + "/") + path;
}

H5Node H5Node::openFile(const std::string& path) {
  quiet();
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path + "'");
  }
  if (!looksLikeHdf5(path)) throw Error(path + ": not an HDF5 file");
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (ec) throw Error("cannot open '" + path + "'");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw Error(path + ": cannot read the HDF5 file (truncated or corrupt)");
  H5Node node(ownedFile(f), path, "/", static_cast<std::int64_t>(bytes));
  node.heaps_ = std::make_shared<HeapCheck>();
  node.heaps_->path = path;
  return node;
}

H5Node H5Node::openImage(const std::vector<std::uint8_t>& bytes, const std::string& label) {
  quiet();
  if (!looksLikeHdf5(bytes)) throw Error(label + ": not an HDF5 file");
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_core(fapl.id, 1 << 16, 0);
  // The library copies the image (no H5LT flags): `bytes` may go away after this call.
  if (H5Pset_file_image(fapl.id, const_cast<std::uint8_t*>(bytes.data()), bytes.size()) < 0)
    throw Error(label + ": cannot read the HDF5 image");
  hid_t f = H5Fopen(memoryName(label).c_str(), H5F_ACC_RDONLY, fapl.id);
  if (f < 0) throw Error(label + ": cannot read the HDF5 file (truncated or corrupt)");
  H5Node node(ownedFile(f), label, "/", static_cast<std::int64_t>(bytes.size()));
  node.heaps_ = std::make_shared<HeapCheck>();
  return node;
}

H5Node H5Node::createFile(const std::string& path) {
  quiet();
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw Error("cannot write '" + path + "'");
  return H5Node(ownedFile(f), path, "/", -1);
}

H5Node H5Node::createInMemory(const std::string& label) {
  quiet();
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_core(fapl.id, 1 << 16, 0);
  hid_t f = H5Fcreate(memoryName(label).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
  if (f < 0) throw Error(label + ": cannot create an HDF5 file in memory");
  return H5Node(ownedFile(f), label, "/", -1);
}

std::vector<std::uint8_t> H5Node::image() const {
  if (H5Fflush(id(), H5F_SCOPE_GLOBAL) < 0) throw Error(label_ + ": cannot flush the HDF5 file");
  ssize_t size = H5Fget_file_image(id(), nullptr, 0);
  if (size < 0) throw Error(label_ + ": cannot get the HDF5 file image");
  std::vector<std::uint8_t> out(static_cast<size_t>(size));
  if (H5Fget_file_image(id(), out.data(), out.size()) < 0)
    throw Error(label_ + ": cannot get the HDF5 file image");
  return out;
}

bool H5Node::exists(const std::string& path) const {
  // H5Lexists needs every intermediate link to exist: check component by component.
  std::string prefix;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (H5Oexists_by_name(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

bool H5Node::isGroup(const std::string& path) const {
  if (!exists(path)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(id(), path.empty() ? "." : path.c_str(), &info, H5P_DEFAULT) < 0)
    return false;
  return info.type == H5O_TYPE_GROUP;
}

bool H5Node::isDataset(const std::string& path) const {
  if (path.empty() || !exists(path)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(id(), path.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_DATASET;
}

H5Node H5Node::group(const std::string& path) const {
  if (path.empty()) return *this;
  if (!isGroup(path)) throw Error(label_ + ": no group '" + where(path) + "'");
  hid_t g = H5Gopen2(id(), path.c_str(), H5P_DEFAULT);
  if (g < 0) throw Error(label_ + ": cannot open group '" + where(path) + "'");
  H5Node node(ownedObject(g), label_, where(path), fileBytes_);
  node.heaps_ = heaps_;
  return node;
}

H5Node H5Node::createGroup(const std::string& path) const {
  if (isGroup(path)) return group(path);
  Handle lcpl(createIntermediate(), H5Pclose);
  hid_t g = H5Gcreate2(id(), path.c_str(), lcpl.id, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) throw Error(label_ + ": cannot create group '" + where(path) + "'");
  H5Node node(ownedObject(g), label_, where(path), fileBytes_);
  node.heaps_ = heaps_;
  return node;
}

std::vector<std::string> H5Node::children() const {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &idx, visit, &names) < 0)
    throw Error(label_ + ": cannot list group '" + where_ + "'");
  return names;
}

bool H5Node::hasAttr(const std::string& name) const {
  return H5Aexists(id(), name.c_str()) > 0;
}

std::string H5Node::stringAttr(const std::string& name) const {
  // stringListAttr's errors name the attribute (missing, not a string, corrupt heap).
  const std::vector<std::string> v = stringListAttr(name);
  if (v.size() != 1)
    throw Error(label_ + ": attribute '" + name + "' of '" + where_ + "' is not one string");
  return v[0];
}

std::vector<std::string> H5Node::stringListAttr(const std::string& name) const {
  if (!hasAttr(name)) {
    // Keras's save_attributes_to_hdf5_group splits long lists into name0, name1, ...
    if (!hasAttr(name + "0"))
      throw Error(label_ + ": '" + where_ + "' has no attribute '" + name + "'");
    std::vector<std::string> all;
    for (int i = 0; hasAttr(name + std::to_string(i)); ++i) {
      auto part = stringListAttr(name + std::to_string(i));
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
  Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (attr.id < 0) throw Error(label_ + ": cannot open attribute '" + name + "'");
  Handle type(H5Aget_type(attr.id), H5Tclose);
  Handle space(H5Aget_space(attr.id), H5Sclose);
  const hssize_t count = H5Sget_simple_extent_npoints(space.id);
  if (count < 0) throw Error(label_ + ": cannot read attribute '" + name + "'");
  if (H5Tget_class(type.id) != H5T_STRING) {
    if (count == 0) return {};  // np.asarray([]) as Keras writes an empty weight_names
    throw Error(label_ + ": attribute '" + name + "' of '" + where_ + "' is not a string");
  }
  if (count == 0) return {};
  if (H5Tis_variable_str(type.id) > 0) checkGlobalHeaps();
  return readStrings(attr.id, type.id, static_cast<size_t>(count), fileBytes_,
                     label_ + ": attribute '" + name + "' of '" + where_ + "'");
}

void H5Node::setBytesAttr(const std::string& name, const std::string& value) const {
  if (hasAttr(name)) H5Adelete(id(), name.c_str());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id, value.empty() ? 1 : value.size());
  H5Tset_strpad(type.id, H5T_STR_NULLPAD);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(id(), name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  std::vector<char> buf(value.begin(), value.end());
  buf.resize(value.empty() ? 1 : value.size(), '\0');
  if (attr.id < 0 || H5Awrite(attr.id, type.id, buf.data()) < 0)
    throw Error(label_ + ": cannot write attribute '" + name + "'");
}

void H5Node::setStrAttr(const std::string& name, const std::string& value) const {
  if (hasAttr(name)) H5Adelete(id(), name.c_str());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(id(), name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  const char* p = value.c_str();
  if (attr.id < 0 || H5Awrite(attr.id, type.id, &p) < 0)
    throw Error(label_ + ": cannot write attribute '" + name + "'");
}

void H5Node::setBytesListAttr(const std::string& name,
                              const std::vector<std::string>& values) const {
  if (hasAttr(name)) H5Adelete(id(), name.c_str());
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id, width);
  H5Tset_strpad(type.id, H5T_STR_NULLPAD);
  const hsize_t dims[1] = {values.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle attr(H5Acreate2(id(), name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  std::vector<char> buf(width * std::max<size_t>(values.size(), 1), '\0');
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
  if (attr.id < 0 || H5Awrite(attr.id, type.id, buf.data()) < 0)
    throw Error(label_ + ": cannot write attribute '" + name + "'");
}

Tensor H5Node::readTensor(const std::string& path) const {
  if (!isDataset(path)) throw Error(label_ + ": no dataset '" + where(path) + "'");
  Handle ds(H5Dopen2(id(), path.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.id < 0) throw Error(label_ + ": cannot open dataset '" + where(path) + "'");
  Handle type(H5Dget_type(ds.id), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.id);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    throw Error(label_ + ": dataset '" + where(path) + "' is not numeric");
  Handle space(H5Dget_space(ds.id), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0) throw Error(label_ + ": cannot read the shape of '" + where(path) + "'");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (H5Sget_simple_extent_dims(space.id, dims.data(), nullptr) < 0)
    throw Error(label_ + ": cannot read the shape of '" + where(path) + "'");
  Shape shape;
  for (hsize_t d : dims) shape.push_back(static_cast<Index>(std::min<hsize_t>(d, INT64_MAX)));
  // Checked before allocating: the values must fit in the file (deflate's best ratio when the
  // dataset is filtered) and in one array's limit.
  std::int64_t filters = 0;
  {
    Handle dcpl(H5Dget_create_plist(ds.id), H5Pclose);
    if (dcpl.id >= 0) filters = std::max(0, H5Pget_nfilters(dcpl.id));
  }
  const auto elementBytes = static_cast<std::int64_t>(H5Tget_size(type.id));
  const std::int64_t count =
      boundedProduct(shape, kMaxArrayBytes / std::max<std::int64_t>(elementBytes, 4));
  if (count < 0)
    throw Error(label_ + ": dataset '" + where(path) + "' has shape " + shapeToString(shape) +
                ", over the limit of " + byteSizeText(kMaxArrayBytes) + " for one array");
  if (count > 0 && !fitsInFile(count, elementBytes, fileBytes_, filters > 0 ? kMaxDeflateRatio : 1))
    throw Error(label_ + ": dataset '" + where(path) + "' claims shape " + shapeToString(shape) +
                " of " + countText(elementBytes) + "-byte values, more than its file of " +
                countText(fileBytes_) + " bytes can hold (truncated or corrupt?)");
  Tensor t(shape);
  if (t.size() > 0) {
    // Integer datasets ("iter") are read as double first, exact up to 2^53.
    if (cls == H5T_INTEGER || H5Tget_size(type.id) == 8) {
      std::vector<double> buf(static_cast<size_t>(t.size()));
      if (H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
        throw Error(label_ + ": cannot read dataset '" + where(path) + "' (truncated file?)");
      for (size_t i = 0; i < buf.size(); ++i) t.data()[i] = static_cast<float>(buf[i]);
    } else if (H5Dread(ds.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()) < 0) {
      throw Error(label_ + ": cannot read dataset '" + where(path) + "' (truncated file?)");
    }
  }
  return t;
}

void H5Node::writeTensor(const std::string& path, const Tensor& value) const {
  std::vector<hsize_t> dims;
  for (Index d : value.shape()) dims.push_back(static_cast<hsize_t>(d));
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  Handle lcpl(createIntermediate(), H5Pclose);
  Handle ds(
      H5Dcreate2(id(), path.c_str(), H5T_IEEE_F32LE, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (ds.id < 0) throw Error(label_ + ": cannot create dataset '" + where(path) + "'");
  if (value.size() > 0 &&
      H5Dwrite(ds.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()) < 0)
    throw Error(label_ + ": cannot write dataset '" + where(path) + "'");
}

void H5Node::writeInt64Scalar(const std::string& path, std::int64_t value) const {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle lcpl(createIntermediate(), H5Pclose);
  Handle ds(
      H5Dcreate2(id(), path.c_str(), H5T_STD_I64LE, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (ds.id < 0 || H5Dwrite(ds.id, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0)
    throw Error(label_ + ": cannot write dataset '" + where(path) + "'");
}

bool looksLikeHdf5(const std::vector<std::uint8_t>& bytes) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return bytes.size() >= 8 && std::memcmp(bytes.data(), sig, 8) == 0;
}

bool looksLikeHdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> head(8, 0);
  in.read(reinterpret_cast<char*>(head.data()), 8);
  if (in.gcount() != 8) return false;
  return looksLikeHdf5(head);
}

}  // namespace tessel::h5
