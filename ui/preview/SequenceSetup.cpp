#include "ui/preview/SequenceSetup.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "engine/data/TextDataset.h"
#include "engine/data/TextVectorization.h"
#include "engine/explain/AttentionProbe.h"

namespace tessel::ui {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const nlohmann::json* lossOf(const CompileOptions& compile, size_t output) {
  if (compile.losses.empty()) return nullptr;
  return &compile
              .losses[compile.losses.size() == 1 ? 0 : std::min(output, compile.losses.size() - 1)];
}

bool hasTextLayer(const ModelSpec& spec) {
  for (const auto& n : spec.nodes)
    if (n.className == "Embedding" || n.className == "TextVectorization" ||
        n.className == "StringLookup")
      return true;
  return false;
}

}  // namespace

bool SequenceSetup::isCtcLoss(const nlohmann::json& loss) {
  if (loss.is_string()) return lower(loss.get<std::string>()) == "ctc";
  if (loss.is_object()) {
    auto it = loss.find("class_name");
    return it != loss.end() && it->is_string() && lower(it->get<std::string>()) == "ctc";
  }
  return false;
}

int SequenceSetup::nearestInput(const ModelSpec& spec, const std::string& start) {
  std::vector<std::string> queue{start};
  std::set<std::string> seen{start};
  for (size_t q = 0; q < queue.size(); ++q) {
    const std::string name = queue[q];
    for (size_t i = 0; i < spec.inputs.size(); ++i)
      if (spec.inputs[i] == name) return int(i);
    for (const auto& n : spec.nodes)
      if (n.name == name)
        for (const std::string& in : n.inputs)
          if (seen.insert(in).second) queue.push_back(in);
  }
  return -1;
}

SequenceSetup SequenceSetup::detect(const ModelSpec& spec, const CompileOptions& compile,
                                    const Dataset& data, const PreviewHeads& heads, bool textData) {
  SequenceSetup s;
  s.attention = AttentionProbe::attentionLayers(spec);
  for (const std::string& a : s.attention) {
    std::pair<int, int> from{-1, -1};
    for (const auto& n : spec.nodes)
      if (n.name == a && !n.inputs.empty()) {
        from.first = nearestInput(spec, n.inputs[0]);
        from.second = nearestInput(
            spec, n.inputs[std::min<size_t>(n.inputs.size() - 1, n.inputs.size() > 2 ? 2 : 1)]);
      }
    s.attentionInputs.push_back(from);
  }
  // CTC: the loss says so.
  for (size_t k = 0; k < spec.outputs.size(); ++k)
    if (const nlohmann::json* l = lossOf(compile, k); l && isCtcLoss(*l)) {
      s.mode = SequenceMode::Ctc;
      s.output = int(k);
      if (l->is_object() && l->contains("config") && (*l)["config"].is_object())
        s.ctcFromLogits = (*l)["config"].value("from_logits", true);
      return s;
    }
  // Seq2seq: a second input of ids (N, T) beside a target (N, T) of the same length, and an
  // output (N, T, V) of next-token scores.
  std::vector<Shape> outShapes(spec.outputs.size());
  if (data.x.size() >= 2 && !data.y.empty()) {
    const ShapeReport report = inferShapes(spec);
    for (size_t k = 0; k < spec.outputs.size(); ++k)
      if (const NodeShapes* ns = report.find(spec.outputs[k]))
        if (auto shape = ns->outputAt(size_t(spec.outputTensor(k))))  // h / c / scores too
          outShapes[k] = *shape;
  }
  if (data.x.size() >= 2 && !data.y.empty())
    for (size_t i = 1; i < data.x.size(); ++i) {
      const Array& dec = data.x[i];
      if (dec.shape().size() != 2 || dec.rows() == 0) continue;
      for (size_t k = 0; k < data.y.size() && k < spec.outputs.size(); ++k) {
        const Array& y = data.y[k];
        const Shape& o = outShapes[k];
        if (y.shape().size() == 2 && y.shape()[1] == dec.shape()[1] && o.size() == 3 &&
            o[1] == dec.shape()[1]) {
          s.mode = SequenceMode::Seq2Seq;
          s.decoderInput = int(i);
          s.output = int(k);
          s.startId = dec.value(0);
          if (const nlohmann::json* l = lossOf(compile, k);
              l && l->is_object() && l->contains("config") && (*l)["config"].is_object())
            s.seq2seqFromLogits = (*l)["config"].value("from_logits", false);
          // The end token: the most frequent last non-zero target id.
          std::map<Index, int> last;
          const Index w = y.rowSize(), n = std::min<Index>(y.rows(), 200);
          for (Index r = 0; r < n; ++r)
            for (Index j = w - 1; j >= 0; --j)
              if (const float v = y.value(r * w + j); v != 0) {
                ++last[Index(std::lround(v))];
                break;
              }
          int best = 0;
          for (const auto& [id, count] : last)
            if (count > best) {
              best = count;
              s.endId = id;
            }
          return s;
        }
      }
    }
  // Text classification: ids into a text layer (or text data), a class head out.
  if (heads.hasClass() && !data.x.empty() && data.x[0].shape().size() == 2 &&
      (textData || hasTextLayer(spec))) {
    s.mode = SequenceMode::TextClass;
    s.output = heads.classOutputs[0];
  }
  return s;
}

void TextSourceInfo::clear() {
  *this = TextSourceInfo();
}

void TextSourceInfo::setSettings(const DataSettings& settings) {
  clear();
  if (settings.kind != "text") return;
  text_ = true;
  try {
    const nlohmann::json& o = settings.options;
    auto separator = [](const nlohmann::json& config) {
      auto it = config.find("split");
      return it != config.end() && it->is_string() && it->get<std::string>() == "character"
                 ? std::string()
                 : std::string(" ");
    };
    if (o.contains("vectorization")) {
      TextVectorization v(o["vectorization"]);
      sourceSep_ = separator(o["vectorization"]);
      // Pairs: the target side defaults to the source's config (TextDataset.h).
      targetSep_ =
          o.contains("target_vectorization") ? separator(o["target_vectorization"]) : sourceSep_;
      if (v.hasVocabulary()) {
        source_ = v.vocabulary();
        sourceConfig_ = v.config();
      }
      if (o.contains("target_vectorization")) {
        TextVectorization t(o["target_vectorization"]);
        if (t.hasVocabulary()) target_ = t.vocabulary();
      }
      if (v.hasVocabulary() && v.outputMode() == "int") {
        const TextSamples samples = readTextSamples(settings, false);
        if (samples.texts.size() <= 200000) {
          std::int64_t width = 0;
          const std::vector<float> ids = v.vectorize(samples.texts, width);
          texts_ = samples.texts;
          targets_ = samples.targets;
          // Different texts with the same ids (cut at output_sequence_length, or differing only
          // in case and punctuation) are ambiguous: no raw string for them.
          for (size_t i = 0; i < texts_.size(); ++i) {
            auto [it, fresh] = rows_.emplace(key(ids.data() + i * size_t(width), Index(width)), i);
            if (!fresh && it->second != kAmbiguous && texts_[it->second] != texts_[i])
              it->second = kAmbiguous;
          }
        }
      }
    }
  } catch (const std::exception&) {
    // Previews then show words from the vocabulary (or ids) only.
  }
}

std::string TextSourceInfo::key(const float* ids, Index width) {
  std::string k;
  for (Index i : TextSourceInfo::ids(ids, width)) k += std::to_string(i) + ' ';
  return k;
}

std::string TextSourceInfo::rawText(const float* ids, Index width) const {
  auto it = rows_.find(key(ids, width));
  return it == rows_.end() || it->second == kAmbiguous ? std::string() : texts_[it->second];
}

std::string TextSourceInfo::rawTarget(const float* ids, Index width) const {
  auto it = rows_.find(key(ids, width));
  return it == rows_.end() || it->second >= targets_.size() ? std::string() : targets_[it->second];
}

Index TextSourceInfo::targetId(const std::string& token) const {
  auto it = std::find(target_.begin(), target_.end(), token);
  return it == target_.end() ? -1 : Index(it - target_.begin());
}

std::string TextSourceInfo::words(const std::vector<std::string>& vocab,
                                  const std::vector<Index>& ids, const std::string& sep) {
  std::string out;
  for (Index i : ids) {
    if (i == 0) continue;
    if (!out.empty()) out += sep;
    out += i >= 0 && i < Index(vocab.size()) ? vocab[size_t(i)] : std::to_string(i);
  }
  return out;
}

std::vector<Index> TextSourceInfo::ids(const float* row, Index width) {
  std::vector<Index> out;
  for (Index j = 0; j < width; ++j)
    if (const Index v = Index(std::lround(row[j])); v != 0) out.push_back(v);
  return out;
}

}  // namespace tessel::ui
