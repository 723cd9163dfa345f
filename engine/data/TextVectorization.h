#pragma once
// Keras's TextVectorization on the host (no Qt, no tensors of strings): standardize, split,
// n-grams, vocabulary lookup (TextLookup with mask "" and OOV "[UNK]"), output modes. The config
// is Keras's get_config() (keys below); the adapted vocabulary is written into it as Keras 3 does
// for a given vocabulary ("vocabulary": the full list with "" and "[UNK]" in int mode, and
// "idf_weights" for tf_idf), so a model.json or the data settings hold it.
//
// Keras semantics followed (keras/src/layers/preprocessing/text_vectorization.py):
//   standardize "lower_and_strip_punctuation" (default): lower case, then every character of
//     Python's string.punctuation !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ is REMOVED (not replaced by a
//     space: "don't" -> "dont"); "lower"; "strip_punctuation"; null: as is. Lower case is UTF-8
//     aware for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals (TF lowers every
//     Unicode letter: other scripts' capitals are kept here).
//   split "whitespace" (default): runs of ASCII whitespace, empty pieces dropped; "character":
//     one token per Unicode code point (spaces included, as tf.strings.unicode_split); null: the
//     whole string is one token.
//   ngrams: null, an int n (widths 1..n) or a list of widths; all n-grams of the first width,
//     then of the next, joined with " " (tf.strings.ngrams); a text shorter than a width gives
//     none of that width.
//   max_tokens: vocabulary size including "" (int mode) and "[UNK]"; output_mode int (ids,
//     0 = padding, 1 = OOV), multi_hot, count, tf_idf (rows of depth = vocabulary size, or
//     max_tokens with pad_to_max_tokens); output_sequence_length (int mode): pad with 0 at the
//     END or TRUNCATE keeping the FIRST tokens (as Keras); without it, texts are padded to the
//     longest of the batch given to vectorize().
// Input text must be valid UTF-8: vectorize() throws Error naming the text's number otherwise.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/TextLookup.h"

namespace tessel {

class TextVectorization {
 public:
  // From a Keras config (missing keys: Keras defaults). Throws Error for unknown standardize /
  // split / output_mode values, bad ngrams, output_sequence_length outside int mode.
  explicit TextVectorization(const nlohmann::json& config = nlohmann::json::object());

  // The Keras config with the current vocabulary (and idf_weights) when there is one.
  nlohmann::json config() const;
  // Keras defaults, every key (vocabulary null).
  static nlohmann::json defaultConfig();

  std::string standardize(const std::string& text) const;
  std::vector<std::string> split(const std::string& standardized) const;
  // standardize + split + ngrams: the tokens looked up in the vocabulary.
  std::vector<std::string> tokens(const std::string& text) const;

  void adapt(const std::vector<std::string>& texts);
  // adapt / vectorize on documents already split into tokens (a seq2seq target with "[start]"
  // and "[end]" added after standardization, as Keras's translation example does).
  void adaptTokens(const std::vector<std::vector<std::string>>& documents);
  std::vector<float> vectorizeTokens(const std::vector<std::vector<std::string>>& documents,
                                     std::int64_t& width, std::int64_t* truncated = nullptr) const;
  bool hasVocabulary() const { return lookup_.hasVocabulary(); }
  std::vector<std::string> vocabulary() const { return lookup_.vocabulary(true); }
  const TextLookup& lookup() const { return lookup_; }
  const std::string& outputMode() const { return outputMode_; }
  std::optional<std::int64_t> outputSequenceLength() const { return sequenceLength_; }

  // Width of a vectorized row: output_sequence_length (int; -1 when unset) or depth.
  std::int64_t outputWidth() const;
  // Vectorizes texts into rows of `width` floats (width = outputWidth(), or for int mode without
  // output_sequence_length the longest text's token count, at least 1). truncated (optional)
  // counts the texts cut to output_sequence_length.
  std::vector<float> vectorize(const std::vector<std::string>& texts, std::int64_t& width,
                               std::int64_t* truncated = nullptr) const;

 private:
  std::optional<std::string> standardize_, split_;
  std::vector<int> ngrams_;
  nlohmann::json ngramsConfig_;
  std::optional<std::int64_t> maxTokens_, sequenceLength_;
  std::string outputMode_ = "int";
  bool padToMaxTokens_ = false;
  TextLookup lookup_;
};

// Lower-cases UTF-8 text (the letters named above).
std::string utf8Lower(const std::string& text);
// Splits UTF-8 text into its code points (each as a UTF-8 string).
std::vector<std::string> utf8Characters(const std::string& text);

}  // namespace tessel
