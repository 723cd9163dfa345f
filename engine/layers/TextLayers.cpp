// Registration and layers of TextVectorization, StringLookup (host-side) and IntegerLookup
// (in-graph); see TextLayers.h for how text reaches the graph. Keys and defaults as Keras 2.x's
// get_config writes them, plus Keras 3's "vocabulary_size" (the vocabulary is in the config).
#include "engine/layers/TextLayers.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/TextVectorization.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParamSpecBuilders.h"

namespace tessel {

using namespace paramspec;

namespace {

std::optional<std::int64_t> optInt(const json& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return std::nullopt;
  return c[key].get<std::int64_t>();
}

std::string keyText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return std::to_string(std::llround(v.get<double>()));
  throw Error("lookup: a vocabulary term must be a string or an integer, got " + v.dump());
}

// The vocabulary of a lookup config: a list, or a file path (one token per line).
std::vector<std::string> configVocabulary(const json& v) {
  if (v.is_string()) return readVocabularyFile(v.get<std::string>());
  if (!v.is_array()) throw Error("lookup: vocabulary must be a list or a file path");
  std::vector<std::string> out;
  for (const json& t : v) out.push_back(keyText(t));
  return out;
}

std::int64_t configVocabularySize(const json& c, bool textVectorization) {
  if (c.contains("vocabulary") && !c["vocabulary"].is_null()) {
    if (textVectorization) return TextVectorization(c).lookup().vocabularySize();
    TextLookup l(lookupOptionsFromConfig(c, false));  // StringLookup
    std::vector<double> idf;
    if (c.contains("idf_weights") && !c["idf_weights"].is_null())
      idf = c["idf_weights"].get<std::vector<double>>();
    l.setVocabulary(configVocabulary(c["vocabulary"]), idf);
    return l.vocabularySize();
  }
  if (auto n = optInt(c, "vocabulary_size")) return *n;
  return -1;
}

}  // namespace

LookupOptions lookupOptionsFromConfig(const json& c, bool integer) {
  LookupOptions o;
  o.integerKeys = integer;
  o.maxTokens = optInt(c, "max_tokens");
  o.numOovIndices = c.value("num_oov_indices", 1);
  if (c.contains("mask_token") && !c["mask_token"].is_null())
    o.maskToken = keyText(c["mask_token"]);
  o.oovToken = c.contains("oov_token") && !c["oov_token"].is_null()
                   ? keyText(c["oov_token"])
                   : std::string(integer ? "-1" : "[UNK]");
  o.outputMode = c.value("output_mode", std::string("int"));
  o.padToMaxTokens = c.value("pad_to_max_tokens", false);
  o.invert = c.value("invert", false);
  return o;
}

// ---- TextVectorization / StringLookup -------------------------------------------------------

HostTextLayer::HostTextLayer(const std::string& className, const json& config)
    : Layer(className, config) {
  const bool tv = className == "TextVectorization";
  try {
    if (tv)
      TextVectorization check(config_);  // validates standardize, split, ngrams, vocabulary
    else
      TextLookup check(lookupOptionsFromConfig(config_, false));
    vocabSize_ = configVocabularySize(config_, tv);
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
  mode_ = config_.value("output_mode", std::string("int"));
  if (mode_ == "binary") mode_ = "multi_hot";
  if (mode_ == "tf-idf") mode_ = "tf_idf";
  sequenceLength_ = tv ? optInt(config_, "output_sequence_length") : std::nullopt;
  maxTokens_ = optInt(config_, "max_tokens");
  padToMaxTokens_ = config_.value("pad_to_max_tokens", false);
}

std::int64_t HostTextLayer::outputWidth(std::int64_t inputWidth) const {
  if (mode_ == "int") return sequenceLength_ ? *sequenceLength_ : inputWidth;
  if (padToMaxTokens_ && maxTokens_) return *maxTokens_;
  return vocabSize_ > 0 ? vocabSize_ : inputWidth;
}

Shape HostTextLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  const Shape& in = inputs[0];
  if (in.size() != 2)
    throwShapeMismatch(className_ +
                       " takes (batch, length) input (the ids of the data stage), got " +
                       shapeToString(in));
  if (mode_ == "one_hot") return {in[0], in[1], outputWidth(in[1])};
  return {in[0], outputWidth(in[1])};
}

void HostTextLayer::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  const Index n = X.dim(0), w = X.size() / std::max<Index>(1, n);
  const std::int64_t want = outputWidth(w);
  if (mode_ != "one_hot" && w != want)
    throwShapeMismatch(className_ +
                       " maps strings to ids in the data stage (text data sets): its "
                       "input must be the " +
                       std::to_string(want) +
                       " ids or values the data stage computed, got rows of " + std::to_string(w) +
                       " (give the Input the shape (" + std::to_string(want) + ",))");
  if (mode_ == "int" && vocabSize_ > 0)
    for (Index i = 0; i < X.size(); ++i) {
      const float v = X[i];
      if (v < 0 || v >= float(vocabSize_) || v != std::floor(v))
        throwBadValue("id " + std::to_string(v) + " is not in its vocabulary of " +
                      std::to_string(vocabSize_) +
                      " (the data was vectorized with another vocabulary)");
    }
  y.copyFrom(X);
}

void HostTextLayer::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor&,
                             const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(x[0]->shape());
  dx[0]->setZero();  // ids have no gradient
}

// ---- IntegerLookup --------------------------------------------------------------------------

IntegerLookupLayer::IntegerLookupLayer(const json& config) : Layer("IntegerLookup", config) {
  try {
    lookup_ = std::make_unique<TextLookup>(lookupOptionsFromConfig(config_, true));
    if (config_.contains("vocabulary") && !config_["vocabulary"].is_null()) {
      std::vector<double> idf;
      if (config_.contains("idf_weights") && !config_["idf_weights"].is_null())
        idf = config_["idf_weights"].get<std::vector<double>>();
      lookup_->setVocabulary(configVocabulary(config_["vocabulary"]), idf);
    }
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
}

Shape IntegerLookupLayer::outputShape(const std::vector<Shape>& inputs) const {
  checkInputCount(inputs, 1, 1);
  Shape in = inputs[0];
  const std::string& mode = lookup_->options().outputMode;
  if (mode == "int") return in;
  const auto& o = lookup_->options();
  std::int64_t depth = o.padToMaxTokens && o.maxTokens ? *o.maxTokens : -1;
  if (depth < 0 && lookup_->hasVocabulary()) depth = lookup_->vocabularySize();
  if (depth < 0)
    throwBadValue("output_mode '" + mode +
                  "' needs a vocabulary (give one or adapt the layer) or pad_to_max_tokens");
  if (mode == "one_hot") {
    if (in.size() > 1 && in.back() == 1)
      in.back() = depth;
    else
      in.push_back(depth);
    return in;
  }
  return {in[0], depth};
}

void IntegerLookupLayer::forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext&) {
  const Tensor& X = *x[0];
  if (!lookup_->hasVocabulary())
    throwBadValue("has no vocabulary: give one in its config or adapt it on the training data");
  const std::string& mode = lookup_->options().outputMode;
  auto key = [&](Index i) { return std::to_string(std::llround(double(X[i]))); };
  try {
    if (mode == "int") {
      y.resize(X.shape());
      for (Index i = 0; i < X.size(); ++i) {
        if (lookup_->options().invert)
          y[i] = float(std::stoll(lookup_->token(std::llround(double(X[i])))));
        else
          y[i] = float(lookup_->index(key(i)));
      }
      return;
    }
    const Index depth = lookup_->depth();
    if (mode == "one_hot") {
      Shape s = X.shape();
      if (s.size() > 1 && s.back() == 1)
        s.back() = depth;
      else
        s.push_back(depth);
      y.resize(s);
      y.setZero();
      for (Index i = 0; i < X.size(); ++i) lookup_->encodeDocument({key(i)}, y.data() + i * depth);
      return;
    }
    const Index n = X.dim(0), w = X.size() / std::max<Index>(1, n);
    y.resize({n, depth});
    y.setZero();
    for (Index r = 0; r < n; ++r) {
      std::vector<std::string> doc;
      for (Index k = 0; k < w; ++k) doc.push_back(key(r * w + k));
      lookup_->encodeDocument(doc, y.data() + r * depth);
    }
  } catch (const Error& e) {
    throwBadValue(e.what());
  }
}

void IntegerLookupLayer::backward(const std::vector<const Tensor*>& x, const Tensor&, const Tensor&,
                                  const std::vector<Tensor*>& dx, RunContext&) {
  if (dx.empty() || !dx[0]) return;
  dx[0]->resize(x[0]->shape());
  dx[0]->setZero();  // a lookup has no gradient
}

void IntegerLookupLayer::updateState(const Tensor& batch) {
  const Index n = batch.rank() > 0 ? batch.dim(0) : 1, w = batch.size() / std::max<Index>(1, n);
  std::vector<std::vector<std::string>> docs(static_cast<size_t>(n));
  for (Index r = 0; r < n; ++r)
    for (Index k = 0; k < w; ++k)
      docs[size_t(r)].push_back(std::to_string(std::llround(double(batch[r * w + k]))));
  lookup_->updateState(docs);
}

void IntegerLookupLayer::finalizeState() {
  lookup_->finalizeState();
  std::vector<long long> vocab;
  for (const auto& t : lookup_->vocabulary(false)) vocab.push_back(std::stoll(t));
  config_["vocabulary"] = vocab;  // saved with the model, as Keras 3 does
  config_["vocabulary_size"] = lookup_->vocabularySize();
  if (lookup_->options().outputMode == "tf_idf") {
    std::vector<double> w = lookup_->idfWeights();
    w.erase(w.begin(), w.begin() + lookup_->tokenStart());
    w.resize(vocab.size());
    config_["idf_weights"] = w;
  }
}

// ---- model helpers --------------------------------------------------------------------------

namespace {

NodeSpec* vectorizationNode(ModelSpec& spec, size_t inputIndex) {
  if (inputIndex >= spec.inputs.size()) return nullptr;
  for (NodeSpec& n : spec.nodes)
    if (n.className == "TextVectorization" && n.inputs.size() == 1 &&
        n.inputs[0] == spec.inputs[inputIndex])
      return &n;
  return nullptr;
}

}  // namespace

std::optional<json> textVectorizationConfig(const ModelSpec& spec, size_t inputIndex) {
  NodeSpec* n = vectorizationNode(const_cast<ModelSpec&>(spec), inputIndex);
  if (!n) return std::nullopt;
  json c = n->config;
  for (const char* k : {"name", "trainable", "dtype", "batch_input_shape"}) c.erase(k);
  return c;
}

std::string storeTextVocabulary(ModelSpec& spec, const json& adapted, size_t inputIndex) {
  NodeSpec* n = vectorizationNode(spec, inputIndex);
  if (!n) return "";
  for (const char* k : {"vocabulary", "idf_weights", "vocabulary_size"})
    if (adapted.contains(k)) n->config[k] = adapted[k];
  return n->name;
}

// ---- registration ---------------------------------------------------------------------------

namespace {

std::vector<ParamSpec> lookupParams(bool integer) {
  std::vector<ParamSpec> p = {
      param("invert", ParamType::Bool, false,
            "Only valid when output_mode is int: map indices to vocabulary items instead."),
      param("max_tokens", ParamType::Int, nullptr,
            "Maximum size of the vocabulary, including the OOV and mask tokens (null: no cap)."),
      range(param("num_oov_indices", ParamType::Int, 1,
                  "The number of out-of-vocabulary indices (0: OOV inputs are an error)."),
            0, 1e9),
      integer ? param("mask_token", ParamType::Json, nullptr,
                      "An integer that represents masked inputs (index 0 in int mode).")
              : param("mask_token", ParamType::String, nullptr,
                      "A token that represents masked inputs (index 0 in int mode)."),
      integer ? param("oov_token", ParamType::Json, -1, "Only used when invert is True.")
              : param("oov_token", ParamType::String, "[UNK]", "Only used when invert is True."),
      choice("output_mode", "int", {"int", "one_hot", "multi_hot", "count", "tf_idf"},
             "int: indices; one_hot, multi_hot, count, tf_idf: encoded arrays."),
      param("sparse", ParamType::Bool, false, "Sparse output (not supported: must be False)."),
      param("pad_to_max_tokens", ParamType::Bool, false,
            "Pad the encoded output to max_tokens (multi_hot, count, tf_idf)."),
      param("vocabulary", ParamType::Json, nullptr,
            "The vocabulary: a list, or a path to a file with one term per line."),
      param("idf_weights", ParamType::Json, nullptr,
            "tf_idf only: the inverse document frequency weight of each vocabulary term."),
      param("vocabulary_size", ParamType::Json, nullptr,
            "Keras 3: the vocabulary size with special tokens (written on save)."),
  };
  if (integer)
    p.push_back(param("vocabulary_dtype", ParamType::String, "int64",
                      "The dtype of the vocabulary terms (int64)."));
  else
    p.push_back(param("encoding", ParamType::String, "utf-8", "The text encoding."));
  return p;
}

}  // namespace

void registerTextLayers(LayerRegistry& r) {
  LayerInfo& tv = addLayer(
      r, "TextVectorization", "Preprocessing",
      "Turns text into token ids or encoded rows (standardize, split, ngrams, vocabulary); "
      "runs in the data stage, its vocabulary is saved in the config.",
      {
          param("max_tokens", ParamType::Int, nullptr,
                "Maximum vocabulary size including the mask '' and OOV '[UNK]' tokens."),
          param("standardize", ParamType::Json, "lower_and_strip_punctuation",
                "lower_and_strip_punctuation, lower, strip_punctuation or null."),
          param("split", ParamType::Json, "whitespace", "whitespace, character or null."),
          param("ngrams", ParamType::Json, nullptr,
                "null, an integer n (1..n-grams) or a list of n-gram widths."),
          choice("output_mode", "int", {"int", "multi_hot", "count", "tf_idf"},
                 "int: token ids; multi_hot, count, tf_idf: one row of vocabulary size."),
          param("output_sequence_length", ParamType::Int, nullptr,
                "int mode: pad or truncate every text to this many ids."),
          param("pad_to_max_tokens", ParamType::Bool, false,
                "Pad the encoded output to max_tokens (multi_hot, count, tf_idf)."),
          param("sparse", ParamType::Bool, false, "Sparse output (must be False)."),
          param("ragged", ParamType::Bool, false, "Ragged output (must be False)."),
          param("vocabulary", ParamType::Json, nullptr,
                "The vocabulary (adapted on the training split when null)."),
          param("idf_weights", ParamType::Json, nullptr,
                "tf_idf only: the idf weight of each vocabulary term."),
          param("encoding", ParamType::String, "utf-8", "The text encoding."),
          param("vocabulary_size", ParamType::Json, nullptr,
                "Keras 3: the vocabulary size with special tokens (written on save)."),
      },
      [](const json& c) -> std::unique_ptr<Layer> {
        return std::make_unique<HostTextLayer>("TextVectorization", c);
      });
  tv.subtitleKeys = {SubtitleKey("output_mode", true), SubtitleKey("output_sequence_length")};
  tv.onnx.notExpressible =
      "TextVectorization runs in the data stage (strings are not tensors here): export the "
      "model from the layer after it";
  LayerInfo& sl =
      addLayer(r, "StringLookup", "Preprocessing",
               "Maps strings to vocabulary indices or encoded rows; runs in the data stage.",
               lookupParams(false), [](const json& c) -> std::unique_ptr<Layer> {
                 return std::make_unique<HostTextLayer>("StringLookup", c);
               });
  sl.subtitleKeys = {SubtitleKey("output_mode", true)};
  sl.onnx.notExpressible = "StringLookup runs in the data stage (strings are not tensors here)";
  LayerInfo& il =
      addLayer(r, "IntegerLookup", "Preprocessing",
               "Maps integers to vocabulary indices or encoded rows (in the graph, no gradient).",
               lookupParams(true), factory<IntegerLookupLayer>());
  il.subtitleKeys = {SubtitleKey("output_mode", true)};
  il.onnx.notExpressible = "IntegerLookup has no ONNX export yet (a vocabulary hash table)";
}

}  // namespace tessel
