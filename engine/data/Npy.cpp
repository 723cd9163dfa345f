#include "engine/data/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"

namespace tessel {

namespace {

const char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kAlign = 64;         // numpy's ARRAY_ALIGN
constexpr size_t kGrowthDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS (spare header space)

struct NpyHeader {
  DType dtype = DType::Float32;
  bool swap = false;  // big-endian data
  Shape shape;
};

// A minimal reader for the Python dict literal of the header:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  NpyHeader parse() {
    std::string descr;
    bool haveDescr = false, haveFortran = false, haveShape = false, fortran = false;
    Shape shape;
    skipWs();
    expect('{');
    while (true) {
      skipWs();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      std::string key = parseString();
      skipWs();
      expect(':');
      skipWs();
      if (key == "descr") {
        if (peek() == '[') fail("unsupported dtype " + rawValue() + " (structured arrays)");
        descr = parseString();
        haveDescr = true;
      } else if (key == "fortran_order") {
        fortran = parseBool();
        haveFortran = true;
      } else if (key == "shape") {
        shape = parseTuple();
        haveShape = true;
      } else {
        fail("bad header: unknown key '" + key + "'");
      }
      skipWs();
      if (peek() == ',') ++pos_;
    }
    if (!haveDescr || !haveFortran || !haveShape)
      fail("bad header: needs 'descr', 'fortran_order' and 'shape'");
    if (fortran) fail("fortran_order arrays are not supported (save with numpy.ascontiguousarray)");
    NpyHeader h;
    h.shape = shape;
    parseDescr(descr, h);
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skipWs() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    if (peek() != c)
      fail(std::string("bad header: expected '") + c + "' at offset " + std::to_string(pos_) +
           " in " + quoted());
    ++pos_;
  }
  std::string quoted() const {
    std::string t = s_;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    if (t.size() > 120) t = t.substr(0, 120) + "...";
    return "\"" + t + "\"";
  }
  std::string parseString() {
    char q = peek();
    if (q != '\'' && q != '"')
      fail("bad header: expected a string at offset " + std::to_string(pos_) + " in " + quoted());
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail("bad header: unterminated string in " + quoted());
    std::string v = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return v;
  }
  bool parseBool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("bad header: fortran_order is not True or False in " + quoted());
  }
  Shape parseTuple() {
    expect('(');
    Shape shape;
    while (true) {
      skipWs();
      if (peek() == ')') {
        ++pos_;
        return shape;
      }
      size_t start = pos_;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
      if (pos_ == start) fail("bad header: bad shape in " + quoted());
      std::string digits = s_.substr(start, pos_ - start);
      if (digits.size() > 18) fail("bad header: dimension " + digits + " too large");
      shape.push_back(std::stoll(digits));
      if (peek() == 'L') ++pos_;  // Python 2 long
      skipWs();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail("bad header: bad shape in " + quoted());
      }
    }
  }
  // The raw text of a bracketed value (for error messages).
  std::string rawValue() {
    int depth = 0;
    size_t start = pos_;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || c == ')') {
        if (--depth == 0) {
          ++pos_;
          break;
        }
      }
    }
    return s_.substr(start, pos_ - start);
  }
  void parseDescr(const std::string& descr, NpyHeader& h) const {
    auto unsupported = [&]() {
      fail("unsupported dtype '" + descr + "' (supported: <f4, <f8, |u1, |i1, <i2, <i4, <i8, |b1)");
    };
    if (descr.size() < 2) unsupported();
    char order = descr[0];
    std::string code = descr.substr(1);
    if (order != '<' && order != '>' && order != '|' && order != '=') {
      order = '|';
      code = descr;
    }
    if (code == "f4")
      h.dtype = DType::Float32;
    else if (code == "f8")
      h.dtype = DType::Float64;
    else if (code == "u1")
      h.dtype = DType::UInt8;
    else if (code == "i1")
      h.dtype = DType::Int8;
    else if (code == "i2")
      h.dtype = DType::Int16;
    else if (code == "i4")
      h.dtype = DType::Int32;
    else if (code == "i8")
      h.dtype = DType::Int64;
    else if (code == "b1")
      h.dtype = DType::Bool;
    else
      unsupported();
    h.swap = order == '>' && dtypeSize(h.dtype) > 1;
  }

  const std::string& s_;
  std::string name_;
  size_t pos_ = 0;
};

// Checks the magic and version in the first 8 bytes (avail of them present); returns the size
// of the header-length field (2 for version 1.0, 4 for 2.0 and 3.0).
size_t readPreamble(const std::uint8_t* p, size_t avail, const std::string& name) {
  if (avail < 8 || std::memcmp(p, kMagic, 6) != 0)
    throw Error(name + ": bad magic (not a .npy file)");
  unsigned major = p[6], minor = p[7];
  if (major == 1) return 2;
  if (major == 2 || major == 3) return 4;
  throw Error(name + ": unsupported .npy format version " + std::to_string(major) + "." +
              std::to_string(minor));
}

size_t headerLength(const std::uint8_t* p, size_t lenBytes) {
  size_t n = 0;
  for (size_t i = 0; i < lenBytes; ++i) n |= size_t(p[i]) << (8 * i);
  return n;
}

void swapBytes(std::uint8_t* p, size_t count, size_t es) {
  if (es == 1) return;
  for (size_t i = 0; i < count; ++i, p += es) std::reverse(p, p + es);
}

size_t expectedBytes(const NpyHeader& h, const std::string& name) {
  const auto es = static_cast<std::int64_t>(dtypeSize(h.dtype));
  const std::int64_t count = boundedProduct(h.shape, kMaxArrayBytes / es);
  if (count < 0)
    throw Error(name + ": shape " + shapeToString(h.shape) + " is over the limit of " +
                byteSizeText(kMaxArrayBytes) + " for one array");
  return static_cast<size_t>(count * es);
}

// For a 0-d array numpy's shape is (): one element.
Array makeArray(const NpyHeader& h, std::vector<std::uint8_t> bytes) {
  if (h.swap) swapBytes(bytes.data(), bytes.size() / dtypeSize(h.dtype), dtypeSize(h.dtype));
  return Array(h.dtype, h.shape, std::move(bytes));
}

std::string pythonShape(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

std::string npyDescr(DType t) {
  switch (t) {
    case DType::Float32:
      return "<f4";
    case DType::Float64:
      return "<f8";
    case DType::UInt8:
      return "|u1";
    case DType::Int8:
      return "|i1";
    case DType::Int16:
      return "<i2";
    case DType::Int32:
      return "<i4";
    case DType::Int64:
      return "<i8";
    case DType::Bool:
      return "|b1";
  }
  return "?";
}

Array decodeNpy(const std::uint8_t* data, size_t size, const std::string& name) {
  size_t lenBytes = readPreamble(data, size, name);
  if (size < 8 + lenBytes) throw Error(name + ": truncated header");
  size_t hlen = headerLength(data + 8, lenBytes);
  size_t start = 8 + lenBytes;
  if (size < start + hlen)
    throw Error(name + ": truncated header (expected " + std::to_string(hlen) + " bytes, has " +
                std::to_string(size - start) + ")");
  std::string text(reinterpret_cast<const char*>(data + start), hlen);
  NpyHeader h = HeaderParser(text, name).parse();
  size_t expected = expectedBytes(h, name);
  size_t avail = size - start - hlen;
  if (avail < expected)
    throw Error(name + ": truncated data for " + std::string(dtypeName(h.dtype)) + " " +
                shapeToString(h.shape) + ": expected " + std::to_string(expected) +
                " bytes, file has " + std::to_string(avail));
  const std::uint8_t* p = data + start + hlen;
  return makeArray(h, std::vector<std::uint8_t>(p, p + expected));
}

Array readNpy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::uint8_t pre[12] = {};
  in.read(reinterpret_cast<char*>(pre), 8);
  size_t lenBytes = readPreamble(pre, static_cast<size_t>(in.gcount()), path);
  in.read(reinterpret_cast<char*>(pre + 8), static_cast<std::streamsize>(lenBytes));
  if (static_cast<size_t>(in.gcount()) < lenBytes) throw Error(path + ": truncated header");
  size_t hlen = headerLength(pre + 8, lenBytes);
  if (hlen > (size_t(1) << 26))
    throw Error(path + ": bad header (length " + std::to_string(hlen) + ")");
  std::string text(hlen, '\0');
  in.read(text.data(), static_cast<std::streamsize>(hlen));
  if (static_cast<size_t>(in.gcount()) < hlen)
    throw Error(path + ": truncated header (expected " + std::to_string(hlen) + " bytes, has " +
                std::to_string(in.gcount()) + ")");
  NpyHeader h = HeaderParser(text, path).parse();
  size_t expected = expectedBytes(h, path);
  // Check the size before allocating, so that a corrupt shape gives an error, not bad_alloc.
  auto fileSize = std::filesystem::file_size(path, ec);
  size_t dataStart = 8 + lenBytes + hlen;
  size_t avail = (!ec && fileSize > dataStart) ? static_cast<size_t>(fileSize) - dataStart : 0;
  if (avail < expected)
    throw Error(path + ": truncated data for " + std::string(dtypeName(h.dtype)) + " " +
                shapeToString(h.shape) + ": expected " + std::to_string(expected) +
                " bytes, file has " + std::to_string(avail));
  std::vector<std::uint8_t> bytes(expected);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(expected));
  if (static_cast<size_t>(in.gcount()) < expected)
    throw Error(path + ": truncated data: expected " + std::to_string(expected) +
                " bytes, file has " + std::to_string(in.gcount()));
  return makeArray(h, std::move(bytes));
}

namespace {

// Magic, version, header length and the padded header: everything before the data.
std::vector<std::uint8_t> encodeNpyHeader(const Array& array) {
  // numpy: keys sorted, repr of each value, spare spaces for the growth axis, then 1..64 spaces
  // and '\n' so that the data starts at a multiple of 64.
  std::string header = "{'descr': '" + npyDescr(array.dtype()) +
                       "', 'fortran_order': False, 'shape': " + pythonShape(array.shape()) + ", }";
  if (!array.shape().empty()) {
    size_t digits = std::to_string(array.shape()[0]).size();
    if (digits < kGrowthDigits) header.append(kGrowthDigits - digits, ' ');
  }
  auto paddedLength = [&](size_t lenBytes) {
    size_t hlen = header.size() + 1;
    return hlen + (kAlign - (8 + lenBytes + hlen) % kAlign);  // magic + version = 8
  };
  size_t lenBytes = 2;
  unsigned major = 1;
  size_t hlen = paddedLength(2);
  if (hlen > 65535) {
    lenBytes = 4;
    major = 2;
    hlen = paddedLength(4);
  }
  std::string out(kMagic, 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lenBytes; ++i) out += static_cast<char>((hlen >> (8 * i)) & 0xFF);
  out += header;
  out.append(hlen - header.size() - 1, ' ');
  out += '\n';
  return std::vector<std::uint8_t>(out.begin(), out.end());
}

}  // namespace

std::vector<std::uint8_t> encodeNpy(const Array& array) {
  std::vector<std::uint8_t> out = encodeNpyHeader(array);
  out.insert(out.end(), array.bytes(), array.bytes() + array.byteSize());
  return out;
}

void writeNpy(const std::string& path, const Array& array) {
  std::vector<std::uint8_t> header = encodeNpyHeader(array);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(header.data()),
            static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(array.bytes()),
            static_cast<std::streamsize>(array.byteSize()));
  out.close();
  if (!out) throw Error(path + ": write failed");
}

}  // namespace tessel
