#include "engine/data/TextVectorization.h"

#include <algorithm>
#include <cstring>

#include "engine/core/Error.h"

namespace tessel {

using json = nlohmann::json;

namespace {

constexpr const char* kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

void appendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Decodes the code point at s[i] (valid UTF-8 assumed; an invalid byte is returned as itself).
unsigned decodeAt(const std::string& s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  if (c >= 0x80 && (c & 0xC0) == 0x80) len = 1;
  if (i + len > s.size()) len = 1;
  unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

unsigned lowerCodePoint(unsigned cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;  // Latin-1
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
      cp != 0x17F) {  // Latin Extended-A
    const bool oddUpper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (oddUpper) return (cp % 2 == 1) ? cp + 1 : cp;
    if (cp == 0x178) return 0xFF;
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

bool asciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::optional<std::string> optionalString(const json& c, const char* key, const char* def) {
  if (!c.contains(key)) return std::string(def);
  if (c[key].is_null()) return std::nullopt;
  if (!c[key].is_string())
    throw Error(std::string("TextVectorization: ") + key + " must be a string or null");
  return c[key].get<std::string>();
}

std::optional<std::int64_t> optionalInt(const json& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return std::nullopt;
  if (!c[key].is_number_integer())
    throw Error(std::string("TextVectorization: ") + key + " must be an integer or null");
  return c[key].get<std::int64_t>();
}

}  // namespace

std::string utf8Lower(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += (c >= 'A' && c <= 'Z') ? char(c + 32) : char(c);
      ++i;
      continue;
    }
    const size_t start = i;
    const unsigned cp = decodeAt(text, i);
    const unsigned lower = lowerCodePoint(cp);
    if (lower == cp)
      out.append(text, start, i - start);  // keep the bytes as they are
    else
      appendUtf8(out, lower);
  }
  return out;
}

std::vector<std::string> utf8Characters(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    decodeAt(text, i);
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

json TextVectorization::defaultConfig() {
  return {{"max_tokens", nullptr},
          {"standardize", "lower_and_strip_punctuation"},
          {"split", "whitespace"},
          {"ngrams", nullptr},
          {"output_mode", "int"},
          {"output_sequence_length", nullptr},
          {"pad_to_max_tokens", false},
          {"sparse", false},
          {"ragged", false},
          {"vocabulary", nullptr},
          {"idf_weights", nullptr},
          {"encoding", "utf-8"},
          {"vocabulary_size", nullptr}};
}

namespace {

LookupOptions lookupOptions(const json& c) {
  LookupOptions o;
  o.maxTokens = optionalInt(c, "max_tokens");
  o.maskToken = std::string();
  o.oovToken = "[UNK]";
  o.outputMode = c.value("output_mode", std::string("int"));
  o.padToMaxTokens = c.value("pad_to_max_tokens", false);
  return o;
}

}  // namespace

TextVectorization::TextVectorization(const json& config) : lookup_(lookupOptions(config)) {
  if (!config.is_object()) throw Error("TextVectorization: the config must be a JSON object");
  standardize_ = optionalString(config, "standardize", "lower_and_strip_punctuation");
  split_ = optionalString(config, "split", "whitespace");
  if (standardize_ && *standardize_ != "lower_and_strip_punctuation" && *standardize_ != "lower" &&
      *standardize_ != "strip_punctuation")
    throw Error("TextVectorization: unknown standardize '" + *standardize_ +
                "' (lower_and_strip_punctuation, lower, strip_punctuation or null)");
  if (split_ && *split_ != "whitespace" && *split_ != "character")
    throw Error("TextVectorization: unknown split '" + *split_ +
                "' (whitespace, character or null)");
  ngramsConfig_ = config.value("ngrams", json());
  if (ngramsConfig_.is_number_integer()) {
    const int n = ngramsConfig_.get<int>();
    if (n < 1) throw Error("TextVectorization: ngrams must be >= 1");
    for (int w = 1; w <= n; ++w) ngrams_.push_back(w);
  } else if (ngramsConfig_.is_array()) {
    for (const auto& w : ngramsConfig_) {
      if (!w.is_number_integer() || w.get<int>() < 1)
        throw Error("TextVectorization: ngrams must be null, an int or a list of ints >= 1");
      ngrams_.push_back(w.get<int>());
    }
  } else if (!ngramsConfig_.is_null()) {
    throw Error("TextVectorization: ngrams must be null, an int or a list of ints");
  }
  maxTokens_ = optionalInt(config, "max_tokens");
  sequenceLength_ = optionalInt(config, "output_sequence_length");
  outputMode_ = lookup_.options().outputMode;
  padToMaxTokens_ = lookup_.options().padToMaxTokens;
  if (sequenceLength_ && outputMode_ != "int")
    throw Error("TextVectorization: output_sequence_length is only valid in int mode (got " +
                outputMode_ + ")");
  if (outputMode_ == "one_hot")
    throw Error("TextVectorization: output_mode must be int, multi_hot, count or tf_idf");
  if (sequenceLength_ && *sequenceLength_ < 1)
    throw Error("TextVectorization: output_sequence_length must be >= 1");
  if (config.contains("vocabulary") && !config["vocabulary"].is_null()) {
    const json& v = config["vocabulary"];
    std::vector<std::string> vocab;
    if (v.is_string())
      vocab = readVocabularyFile(v.get<std::string>());
    else if (v.is_array())
      vocab = v.get<std::vector<std::string>>();
    else
      throw Error("TextVectorization: vocabulary must be a list of strings or a file path");
    std::vector<double> idf;
    if (config.contains("idf_weights") && !config["idf_weights"].is_null())
      idf = config["idf_weights"].get<std::vector<double>>();
    lookup_.setVocabulary(vocab, idf);
  }
}

json TextVectorization::config() const {
  json c = defaultConfig();
  c["max_tokens"] = maxTokens_ ? json(*maxTokens_) : json();
  c["standardize"] = standardize_ ? json(*standardize_) : json();
  c["split"] = split_ ? json(*split_) : json();
  c["ngrams"] = ngramsConfig_;
  c["output_mode"] = outputMode_;
  c["output_sequence_length"] = sequenceLength_ ? json(*sequenceLength_) : json();
  c["pad_to_max_tokens"] = padToMaxTokens_;
  if (lookup_.hasVocabulary()) {
    c["vocabulary"] = lookup_.vocabulary(true);
    c["vocabulary_size"] = lookup_.vocabularySize();
    if (outputMode_ == "tf_idf") {
      std::vector<double> w = lookup_.idfWeights();
      w.resize(size_t(lookup_.vocabularySize()));  // without the pad_to_max_tokens zeros
      c["idf_weights"] = w;
    }
  }
  return c;
}

std::string TextVectorization::standardize(const std::string& text) const {
  if (!standardize_) return text;
  std::string s = *standardize_ == "strip_punctuation" ? text : utf8Lower(text);
  if (*standardize_ == "lower") return s;
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](char c) { return c != 0 && std::strchr(kPunctuation, c) != nullptr; }),
          s.end());
  return s;
}

std::vector<std::string> TextVectorization::split(const std::string& s) const {
  if (!split_) return {s};
  if (*split_ == "character") return utf8Characters(s);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && asciiSpace(s[i])) ++i;
    const size_t start = i;
    while (i < s.size() && !asciiSpace(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> TextVectorization::tokens(const std::string& text) const {
  std::vector<std::string> words = split(standardize(text));
  if (ngrams_.empty()) return words;
  std::vector<std::string> out;
  for (int w : ngrams_) {
    for (size_t i = 0; i + size_t(w) <= words.size(); ++i) {
      std::string g = words[i];
      for (int k = 1; k < w; ++k) g += " " + words[i + size_t(k)];
      out.push_back(std::move(g));
    }
  }
  return out;
}

void TextVectorization::adapt(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> docs;
  docs.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (invalidUtf8Offset(texts[i]) >= 0)
      throw Error("TextVectorization: text " + std::to_string(i + 1) + " is not valid UTF-8");
    docs.push_back(tokens(texts[i]));
  }
  lookup_.adapt(docs);
}

void TextVectorization::adaptTokens(const std::vector<std::vector<std::string>>& documents) {
  lookup_.adapt(documents);
}

std::int64_t TextVectorization::outputWidth() const {
  if (outputMode_ == "int") return sequenceLength_ ? *sequenceLength_ : -1;
  return lookup_.depth();
}

std::vector<float> TextVectorization::vectorize(const std::vector<std::string>& texts,
                                                std::int64_t& width,
                                                std::int64_t* truncated) const {
  std::vector<std::vector<std::string>> toks(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (invalidUtf8Offset(texts[i]) >= 0)
      throw Error("TextVectorization: text " + std::to_string(i + 1) + " is not valid UTF-8");
    toks[i] = tokens(texts[i]);
  }
  return vectorizeTokens(toks, width, truncated);
}

std::vector<float> TextVectorization::vectorizeTokens(
    const std::vector<std::vector<std::string>>& toks, std::int64_t& width,
    std::int64_t* truncated) const {
  width = outputWidth();
  if (width < 0) {
    width = 1;
    for (const auto& t : toks) width = std::max<std::int64_t>(width, std::int64_t(t.size()));
  }
  std::vector<float> out(toks.size() * size_t(width), 0.0f);
  if (truncated) *truncated = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    float* row = out.data() + i * size_t(width);
    if (outputMode_ == "int") {
      const std::vector<std::int64_t> ids = lookup_.lookup(toks[i]);
      if (std::int64_t(ids.size()) > width && truncated) ++*truncated;
      const size_t n = std::min(ids.size(), size_t(width));
      for (size_t k = 0; k < n; ++k) row[k] = float(ids[k]);
    } else {
      lookup_.encodeDocument(toks[i], row);
    }
  }
  return out;
}

}  // namespace tessel
