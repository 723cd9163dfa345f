// farmhashna::Hash64 (= util::Fingerprint64) of Google's FarmHash 1.1, little-endian loads.
#include "engine/data/FarmHash.h"

#include <cstring>
#include <utility>

namespace tessel {

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using Pair = std::pair<u64, u64>;

constexpr u64 k0 = 0xc3a5c85c97cb3127ULL;
constexpr u64 k1 = 0xb492b66fbe98f273ULL;
constexpr u64 k2 = 0x9ae16a3b2f90404fULL;

u64 fetch64(const char* p) {
  unsigned char b[8];
  std::memcpy(b, p, 8);
  u64 v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

u32 fetch32(const char* p) {
  unsigned char b[4];
  std::memcpy(b, p, 4);
  return u32(b[0]) | (u32(b[1]) << 8) | (u32(b[2]) << 16) | (u32(b[3]) << 24);
}

u64 rotate(u64 v, int shift) {
  return shift == 0 ? v : ((v >> shift) | (v << (64 - shift)));
}

u64 shiftMix(u64 v) {
  return v ^ (v >> 47);
}

u64 hashLen16(u64 u, u64 v, u64 mul) {
  u64 a = (u ^ v) * mul;
  a ^= (a >> 47);
  u64 b = (v ^ a) * mul;
  b ^= (b >> 47);
  b *= mul;
  return b;
}

u64 hashLen0to16(const char* s, std::size_t len) {
  if (len >= 8) {
    const u64 mul = k2 + len * 2;
    const u64 a = fetch64(s) + k2;
    const u64 b = fetch64(s + len - 8);
    const u64 c = rotate(b, 37) * mul + a;
    const u64 d = (rotate(a, 25) + b) * mul;
    return hashLen16(c, d, mul);
  }
  if (len >= 4) {
    const u64 mul = k2 + len * 2;
    const u64 a = fetch32(s);
    return hashLen16(len + (a << 3), fetch32(s + len - 4), mul);
  }
  if (len > 0) {
    const auto a = static_cast<unsigned char>(s[0]);
    const auto b = static_cast<unsigned char>(s[len >> 1]);
    const auto c = static_cast<unsigned char>(s[len - 1]);
    const u32 y = u32(a) + (u32(b) << 8);
    const u32 z = u32(len) + (u32(c) << 2);
    return shiftMix(y * k2 ^ z * k0) * k2;
  }
  return k2;
}

u64 hashLen17to32(const char* s, std::size_t len) {
  const u64 mul = k2 + len * 2;
  const u64 a = fetch64(s) * k1;
  const u64 b = fetch64(s + 8);
  const u64 c = fetch64(s + len - 8) * mul;
  const u64 d = fetch64(s + len - 16) * k2;
  return hashLen16(rotate(a + b, 43) + rotate(c, 30) + d, a + rotate(b + k2, 18) + c, mul);
}

Pair weakHashLen32WithSeeds(u64 w, u64 x, u64 y, u64 z, u64 a, u64 b) {
  a += w;
  b = rotate(b + a + z, 21);
  const u64 c = a;
  a += x;
  a += y;
  b += rotate(a, 44);
  return {a + z, b + c};
}

Pair weakHashLen32WithSeeds(const char* s, u64 a, u64 b) {
  return weakHashLen32WithSeeds(fetch64(s), fetch64(s + 8), fetch64(s + 16), fetch64(s + 24), a, b);
}

u64 hashLen33to64(const char* s, std::size_t len) {
  const u64 mul = k2 + len * 2;
  const u64 a = fetch64(s) * k2;
  const u64 b = fetch64(s + 8);
  const u64 c = fetch64(s + len - 8) * mul;
  const u64 d = fetch64(s + len - 16) * k2;
  const u64 y = rotate(a + b, 43) + rotate(c, 30) + d;
  const u64 z = hashLen16(y, a + rotate(b + k2, 18) + c, mul);
  const u64 e = fetch64(s + 16) * mul;
  const u64 f = fetch64(s + 24);
  const u64 g = (y + fetch64(s + len - 32)) * mul;
  const u64 h = (z + fetch64(s + len - 24)) * mul;
  return hashLen16(rotate(e + f, 43) + rotate(g, 30) + h, e + rotate(f + a, 18) + g, mul);
}

}  // namespace

std::uint64_t farmFingerprint64(const char* s, std::size_t len) {
  constexpr u64 seed = 81;
  if (len <= 16) return hashLen0to16(s, len);
  if (len <= 32) return hashLen17to32(s, len);
  if (len <= 64) return hashLen33to64(s, len);
  // Over 64 bytes: 64-byte blocks, state v, w, x, y, z; then the last 64 bytes.
  u64 x = seed;
  u64 y = seed * k1 + 113;
  u64 z = shiftMix(y * k2 + 113) * k2;
  Pair v{0, 0}, w{0, 0};
  x = x * k2 + fetch64(s);
  const char* end = s + ((len - 1) / 64) * 64;
  const char* last64 = end + ((len - 1) & 63) - 63;
  do {
    x = rotate(x + y + v.first + fetch64(s + 8), 37) * k1;
    y = rotate(y + v.second + fetch64(s + 48), 42) * k1;
    x ^= w.second;
    y += v.first + fetch64(s + 40);
    z = rotate(z + w.first, 33) * k1;
    v = weakHashLen32WithSeeds(s, v.second * k1, x + w.first);
    w = weakHashLen32WithSeeds(s + 32, z + w.second, y + fetch64(s + 16));
    std::swap(z, x);
    s += 64;
  } while (s != end);
  const u64 mul = k1 + ((z & 0xff) << 1);
  s = last64;
  w.first += ((len - 1) & 63);
  v.first += w.first;
  w.first += v.first;
  x = rotate(x + y + v.first + fetch64(s + 8), 37) * mul;
  y = rotate(y + v.second + fetch64(s + 48), 42) * mul;
  x ^= w.second * 9;
  y += v.first * 9 + fetch64(s + 40);
  z = rotate(z + w.first, 33) * mul;
  v = weakHashLen32WithSeeds(s, v.second * mul, x + w.first);
  w = weakHashLen32WithSeeds(s + 32, z + w.second, y + fetch64(s + 16));
  std::swap(z, x);
  return hashLen16(hashLen16(v.first, w.first, mul) + shiftMix(y) * k0 + z,
                   hashLen16(v.second, w.second, mul) + x, mul);
}

}  // namespace tessel
