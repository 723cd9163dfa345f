#pragma once
// FarmHash Fingerprint64 (Google's farmhash, farmhashna::Hash64: the portable 64-bit fingerprint),
// written by hand from the published algorithm (no Debian package ships farmhash). TensorFlow's
// tf.strings.to_hash_bucket_fast(s, n) is Fingerprint64(s) mod n, which Keras's StringLookup uses
// for OOV tokens when num_oov_indices > 1 (TextLookup.h). Checked against the npm package
// farmhash-modern (tests/fixtures/farmhash/make_fixture.js) on every length branch and UTF-8 text.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessel {

std::uint64_t farmFingerprint64(const char* bytes, std::size_t length);
inline std::uint64_t farmFingerprint64(std::string_view s) {
  return farmFingerprint64(s.data(), s.size());
}

// tf.strings.to_hash_bucket_fast for one string: Fingerprint64(s) mod buckets (buckets >= 1).
inline std::int64_t hashBucketFast(std::string_view s, std::int64_t buckets) {
  return std::int64_t(farmFingerprint64(s) % std::uint64_t(buckets));
}

}  // namespace tessel
