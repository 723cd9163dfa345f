#pragma once
// What the sequence previews read from a run (detected from the spec, the losses and the data):
//   TextClass  token ids in, a class head out (Embedding / TextVectorization in the graph, or
//              text data): each sample's text, token ids, true vs predicted class.
//   Ctc        an output trained with the `ctc` loss, (N, T, C) scores, class 0 the blank: the
//              greedy (or beam) decoded labels beside the target labels, the input image strip.
//   Seq2Seq    an encoder-decoder trained teacher-forced: a decoder input (N, T) of ids and an
//              output (N, T, V) with a (N, T) target; decoded greedily (Seq2SeqDecoder.h) beside
//              the target.
// Any mode: the spec's attention layers (Attention, AdditiveAttention, MultiHeadAttention) are
// probed on the first probeRows sample rows (AttentionProbe.h) for the heat map.
//
// TextSourceInfo turns ids back into words (the vocabularies the data stage adapted, written into
// the data settings) and finds each row's raw string (every text of the source vectorized once).
#include <map>
#include <string>
#include <vector>

#include "engine/data/DataSettings.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"
#include "ui/preview/PreviewHeads.h"

namespace tessel::ui {

enum class SequenceMode { None, TextClass, Ctc, Seq2Seq };

struct SequenceSetup {
  SequenceMode mode = SequenceMode::None;
  int output = -1;        // the output the preview reads
  int textInput = 0;      // the input of token ids (text, the seq2seq encoder)
  int decoderInput = -1;  // seq2seq: the decoder input
  float startId = 1;      // seq2seq: the decoder's first id (read from the data)
  Index endId = -1;       // seq2seq: the end token id (-1: unknown)
  bool ctcFromLogits = true;
  bool seq2seqFromLogits = false;      // seq2seq: the loss's from_logits (beam search log p)
  std::vector<std::string> attention;  // attention nodes of the spec
  // Per attention node: the model inputs its query and its keys come from (the nearest one
  // upstream; -1 when none), so that heat map axes get the right tokens.
  std::vector<std::pair<int, int>> attentionInputs;
  int probeRows = 64;  // sample rows decoded / probed on the training thread (all of them)

  bool active() const { return mode != SequenceMode::None; }
  bool wantsProbe() const { return mode == SequenceMode::Seq2Seq || !attention.empty(); }

  // data: the validation data the previews read (the driver's source). textData: the data
  // settings are of kind "text".
  static SequenceSetup detect(const ModelSpec& spec, const CompileOptions& compile,
                              const Dataset& data, const PreviewHeads& heads, bool textData);
  // True for the loss "ctc" / "CTC" or a {"class_name": "CTC"} config.
  static bool isCtcLoss(const nlohmann::json& loss);
  // The model input nearest upstream of `node` (breadth first; -1 when none).
  static int nearestInput(const ModelSpec& spec, const std::string& node);
};

class TextSourceInfo {
 public:
  // Reads the vocabularies (options "vectorization" / "target_vectorization") and, for a
  // readable source, every raw text. Never throws: what cannot be read stays empty.
  void setSettings(const DataSettings& settings);
  void clear();
  bool isText() const { return text_; }
  const std::vector<std::string>& sourceVocabulary() const { return source_; }
  const std::vector<std::string>& targetVocabulary() const { return target_; }
  // The source's TextVectorization config with its adapted vocabulary (null when none): what
  // vectorizes a typed sentence as training did.
  const nlohmann::json& sourceConfig() const { return sourceConfig_; }
  // The raw text whose vectorized ids are ids[0..width) ("" when unknown, or when several
  // different texts give those ids); for pairs, its target.
  std::string rawText(const float* ids, Index width) const;
  std::string rawTarget(const float* ids, Index width) const;
  // "[start]"-style id of the target vocabulary (-1 when absent).
  Index targetId(const std::string& token) const;

  // ids as words of `vocab` joined by spaces, padding (0) dropped; numbers when vocab is short.
  // sep: between tokens (" " for words; "" for split "character", whose spaces are tokens).
  static std::string words(const std::vector<std::string>& vocab, const std::vector<Index>& ids,
                           const std::string& sep = " ");
  // The joiner of the source / target tokens: "" when the vectorization splits characters.
  const std::string& sourceSeparator() const { return sourceSep_; }
  const std::string& targetSeparator() const { return targetSep_; }
  // The non-padding ids of a row (trailing and inner zeros dropped).
  static std::vector<Index> ids(const float* row, Index width);

 private:
  static std::string key(const float* ids, Index width);
  static constexpr size_t kAmbiguous = size_t(-1);
  bool text_ = false;
  std::vector<std::string> source_, target_;
  nlohmann::json sourceConfig_;
  std::string sourceSep_ = " ", targetSep_ = " ";
  std::map<std::string, size_t> rows_;  // key of the vectorized ids -> sample
  std::vector<std::string> texts_, targets_;
};

}  // namespace tessel::ui
