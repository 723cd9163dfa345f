#pragma once
// Keras's IndexLookup, the common core of StringLookup and IntegerLookup (and of
// TextVectorization's vocabulary), on the host: tokens (strings; IntegerLookup's integers are
// kept as their decimal text) to vocabulary indices, or encoded rows.
//
// Followed exactly (keras/src/layers/preprocessing/index_lookup.py, Keras 2.x and 3 agree):
//   - index layout: output_mode "int": [mask (if mask_token set)] [num_oov_indices OOV] [tokens];
//     other modes: [num_oov_indices OOV] [tokens] (the mask is not in the vocabulary and mask
//     tokens in the input are DROPPED from the encoded row).
//   - adapt: every token is counted; mask and OOV tokens are removed; the vocabulary is sorted by
//     count DESCENDING, ties broken by the token DESCENDING (numpy lexsort(tokens, counts)[::-1]:
//     byte order for strings, numeric order for IntegerLookup), then cut to max_tokens minus the
//     special indices.
//   - tf_idf: idf = log(1 + num_documents / (1 + document_frequency)) per learned token; the
//     OOV (front) slots get the MEAN of the learned idf weights; pad_to_max_tokens pads the back
//     with 0. A given vocabulary needs idf_weights (same length; front-padded with their mean
//     when the vocabulary has no special tokens).
//   - a given vocabulary may start with the special tokens in exactly Keras's order (then they
//     are recognised) or not contain them; repeated terms, the mask token elsewhere, and (invert)
//     the OOV token elsewhere are errors; more terms than max_tokens is an error.
//   - one OOV index: OOV tokens go to it; num_oov_indices 0: an OOV token is an error;
//     num_oov_indices > 1: IntegerLookup uses Keras's default floormod(value, n); StringLookup
//     uses tf.strings.to_hash_bucket_fast: FarmHash Fingerprint64(token) mod n (FarmHash.h).
//   - one_hot: each token is one row of depth; multi_hot / count / tf_idf: one row per document.
//     depth = max_tokens when pad_to_max_tokens, else the vocabulary size.
//   - invert (int mode only): index -> token; unknown indices give oov_token.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tessel {

struct LookupOptions {
  std::optional<std::int64_t> maxTokens;  // includes the mask and OOV indices
  int numOovIndices = 1;
  std::optional<std::string> maskToken;  // StringLookup: none; TextVectorization: ""
  std::string oovToken = "[UNK]";        // IntegerLookup: "-1"
  std::string outputMode = "int";        // int, one_hot, multi_hot, count, tf_idf
  bool padToMaxTokens = false;
  bool invert = false;
  bool integerKeys = false;  // IntegerLookup: tokens are integers in decimal text
};

class TextLookup {
 public:
  // Throws Error for an unknown output mode, invert outside int mode, negative num_oov_indices,
  // pad_to_max_tokens without max_tokens in a non-int mode.
  explicit TextLookup(LookupOptions options = {});

  const LookupOptions& options() const { return o_; }

  // Sets the vocabulary (see the header notes); idf only (and required) for tf_idf.
  void setVocabulary(const std::vector<std::string>& vocabulary,
                     const std::vector<double>& idfWeights = {});

  // Streaming adapt: each call adds documents (a document is a list of tokens).
  void resetState();
  void updateState(const std::vector<std::vector<std::string>>& documents);
  void finalizeState();
  void adapt(const std::vector<std::vector<std::string>>& documents);

  bool hasVocabulary() const { return ready_; }
  // With the mask/OOV tokens (index = position) or the learned/given tokens only.
  std::vector<std::string> vocabulary(bool includeSpecialTokens = true) const;
  std::int64_t vocabularySize() const;  // with the special indices
  std::int64_t depth() const;           // width of an encoded row (non-int modes)
  // The idf weights of every index (front- and back-padded as Keras), tf_idf only.
  const std::vector<double>& idfWeights() const { return idf_; }
  std::int64_t tokenStart() const;  // first index of a real token
  std::int64_t oovStart() const;

  // Index of one token (mask token -> 0 in int mode, -1 "dropped" otherwise). Throws Error for
  // an OOV token when num_oov_indices is 0.
  std::int64_t index(const std::string& token) const;
  std::vector<std::int64_t> lookup(const std::vector<std::string>& tokens) const;
  // invert: the token of an index (oov_token when unknown; the mask token for 0 with a mask).
  std::string token(std::int64_t index) const;
  // Adds one document's tokens into row[0..depth) (multi_hot: 1, count: +1, tf_idf: +idf).
  // Mask tokens are dropped.
  void encodeDocument(const std::vector<std::string>& tokens, float* row) const;

 private:
  void checkReady() const;
  std::int64_t oovIndex(const std::string& token) const;

  LookupOptions o_;
  bool ready_ = false;
  std::vector<std::string> tokens_;  // the real tokens, index = tokenStart() + position
  std::unordered_map<std::string, std::int64_t> index_;
  std::vector<double> idf_;
  // adapt state
  std::unordered_map<std::string, std::int64_t> counts_, docCounts_;
  std::int64_t documents_ = 0;
};

// Reads a vocabulary file (one token per line, UTF-8; a trailing '\r' is removed; trailing empty
// lines are ignored, as Keras's load_assets). Throws Error "<path>:<line>: ..." for a repeated
// token (naming the line of its first use), invalid UTF-8, or "<path>: ..." when it cannot be
// read or holds no token.
std::vector<std::string> readVocabularyFile(const std::string& path);

// Byte offset of the first invalid UTF-8 sequence in s, or -1 when s is valid UTF-8.
std::int64_t invalidUtf8Offset(const std::string& s);

}  // namespace tessel
