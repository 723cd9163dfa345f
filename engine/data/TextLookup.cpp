#include "engine/data/TextLookup.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/data/FarmHash.h"

namespace tessel {

namespace {

const std::vector<std::string> kModes = {"int", "one_hot", "multi_hot", "count", "tf_idf"};

// numpy's sort order of the tokens: byte order for strings, numeric for integers.
bool tokenLess(const std::string& a, const std::string& b, bool integer) {
  if (integer) return std::stoll(a) < std::stoll(b);
  return a < b;  // std::string compares bytes as unsigned char
}

}  // namespace

TextLookup::TextLookup(LookupOptions options) : o_(std::move(options)) {
  if (o_.outputMode == "binary") o_.outputMode = "multi_hot";  // Keras's deprecated names
  if (o_.outputMode == "tf-idf") o_.outputMode = "tf_idf";
  if (std::find(kModes.begin(), kModes.end(), o_.outputMode) == kModes.end())
    throw Error("lookup: unknown output_mode '" + o_.outputMode +
                "' (int, one_hot, multi_hot, count, tf_idf)");
  if (o_.invert && o_.outputMode != "int")
    throw Error("lookup: output_mode must be 'int' when invert is true");
  if (o_.numOovIndices < 0) throw Error("lookup: num_oov_indices must be >= 0");
  if (o_.maxTokens && *o_.maxTokens <= 1)
    throw Error("lookup: max_tokens must be > 1 (got " + std::to_string(*o_.maxTokens) + ")");
  if (o_.padToMaxTokens && !o_.maxTokens && o_.outputMode != "int")
    throw Error("lookup: pad_to_max_tokens needs max_tokens");
}

std::int64_t TextLookup::oovStart() const {
  return o_.maskToken && o_.outputMode == "int" ? 1 : 0;
}

std::int64_t TextLookup::tokenStart() const {
  return oovStart() + o_.numOovIndices;
}

std::int64_t TextLookup::vocabularySize() const {
  return tokenStart() + std::int64_t(tokens_.size());
}

std::int64_t TextLookup::depth() const {
  return o_.padToMaxTokens && o_.maxTokens ? *o_.maxTokens : vocabularySize();
}

void TextLookup::setVocabulary(const std::vector<std::string>& vocabulary,
                               const std::vector<double>& idfWeights) {
  if (o_.outputMode == "tf_idf" && idfWeights.empty())
    throw Error("lookup: idf_weights must be set when output_mode is 'tf_idf'");
  if (o_.outputMode != "tf_idf" && !idfWeights.empty())
    throw Error("lookup: idf_weights should only be set when output_mode is 'tf_idf' (got " +
                o_.outputMode + ")");
  if (vocabulary.empty()) throw Error("lookup: cannot set an empty vocabulary");
  std::vector<std::string> special;
  for (std::int64_t i = 0; i < oovStart(); ++i) special.push_back(*o_.maskToken);
  for (int i = 0; i < o_.numOovIndices; ++i) special.push_back(o_.oovToken);
  const bool found = vocabulary.size() >= special.size() &&
                     std::equal(special.begin(), special.end(), vocabulary.begin());
  std::vector<std::string> tokens(vocabulary.begin() + (found ? long(special.size()) : 0),
                                  vocabulary.end());
  std::unordered_map<std::string, std::int64_t> index;
  std::vector<std::string> repeated;
  for (size_t i = 0; i < tokens.size(); ++i)
    if (!index.emplace(tokens[i], tokenStart() + std::int64_t(i)).second)
      if (std::find(repeated.begin(), repeated.end(), tokens[i]) == repeated.end())
        repeated.push_back(tokens[i]);
  if (!repeated.empty()) {
    std::string list;
    for (const auto& r : repeated) list += (list.empty() ? "'" : ", '") + r + "'";
    throw Error("lookup: the vocabulary has repeated terms: " + list);
  }
  if (o_.maskToken && index.count(*o_.maskToken))
    throw Error("lookup: the mask token '" + *o_.maskToken +
                "' is in the vocabulary at an unexpected place (give it only first, followed "
                "by the OOV token(s), or not at all)");
  if (o_.invert && index.count(o_.oovToken))
    throw Error("lookup: the OOV token '" + o_.oovToken +
                "' is in the vocabulary at an unexpected place");
  const std::int64_t size = tokenStart() + std::int64_t(tokens.size());
  if (o_.maxTokens && size > *o_.maxTokens)
    throw Error("lookup: the vocabulary has " + std::to_string(size) +
                " entries (with mask/OOV) but max_tokens is " + std::to_string(*o_.maxTokens));
  if (o_.integerKeys)
    for (const auto& t : tokens) {
      size_t pos = 0;
      try {
        std::stoll(t, &pos);
      } catch (const std::exception&) {
        pos = 0;
      }
      if (pos == 0 || pos != t.size())
        throw Error("lookup: IntegerLookup vocabulary term '" + t + "' is not an integer");
    }
  if (o_.outputMode == "tf_idf") {
    if (idfWeights.size() != vocabulary.size())
      throw Error("lookup: idf_weights has " + std::to_string(idfWeights.size()) +
                  " values but the vocabulary " + std::to_string(vocabulary.size()));
    std::vector<double> w;
    if (!found) {
      double mean = 0;
      for (double v : idfWeights) mean += v;
      mean /= double(idfWeights.size());
      w.assign(size_t(tokenStart()), mean);
    }
    w.insert(w.end(), idfWeights.begin(), idfWeights.end());
    if (o_.padToMaxTokens && o_.maxTokens) w.resize(size_t(*o_.maxTokens), 0.0);
    idf_ = std::move(w);
  }
  tokens_ = std::move(tokens);
  index_ = std::move(index);
  ready_ = true;
}

void TextLookup::resetState() {
  counts_.clear();
  docCounts_.clear();
  documents_ = 0;
}

void TextLookup::updateState(const std::vector<std::vector<std::string>>& documents) {
  for (const auto& doc : documents) {
    for (const auto& t : doc) ++counts_[t];
    if (o_.outputMode == "tf_idf") {
      std::vector<std::string> unique = doc;
      std::sort(unique.begin(), unique.end());
      unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
      for (const auto& t : unique) ++docCounts_[t];
    }
    ++documents_;
  }
}

void TextLookup::finalizeState() {
  if (counts_.empty()) {
    if (!ready_) throw Error("lookup: adapt() saw no tokens (empty data)");
    return;
  }
  if (o_.maskToken) counts_.erase(*o_.maskToken);
  counts_.erase(o_.oovToken);
  std::vector<std::pair<std::string, std::int64_t>> all(counts_.begin(), counts_.end());
  const bool integer = o_.integerKeys;
  std::sort(all.begin(), all.end(), [integer](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return tokenLess(b.first, a.first, integer);  // ties: token descending
  });
  if (o_.maxTokens) {
    const std::int64_t learned = std::max<std::int64_t>(0, *o_.maxTokens - tokenStart());
    if (std::int64_t(all.size()) > learned) all.resize(size_t(learned));
  }
  tokens_.clear();
  index_.clear();
  for (const auto& [t, c] : all) {
    index_[t] = tokenStart() + std::int64_t(tokens_.size());
    tokens_.push_back(t);
  }
  if (o_.outputMode == "tf_idf") {
    std::vector<double> w;
    double mean = 0;
    for (const auto& t : tokens_) {
      const double df = double(docCounts_[t]);
      w.push_back(std::log(1.0 + double(documents_) / (1.0 + df)));
      mean += w.back();
    }
    if (!w.empty()) mean /= double(w.size());
    idf_.assign(size_t(tokenStart()), mean);
    idf_.insert(idf_.end(), w.begin(), w.end());
    if (o_.padToMaxTokens && o_.maxTokens) idf_.resize(size_t(*o_.maxTokens), 0.0);
  }
  ready_ = true;
  resetState();
}

void TextLookup::adapt(const std::vector<std::vector<std::string>>& documents) {
  resetState();
  updateState(documents);
  finalizeState();
}

std::vector<std::string> TextLookup::vocabulary(bool includeSpecialTokens) const {
  std::vector<std::string> v;
  if (includeSpecialTokens) {
    if (oovStart()) v.push_back(*o_.maskToken);
    for (int i = 0; i < o_.numOovIndices; ++i) v.push_back(o_.oovToken);
  }
  v.insert(v.end(), tokens_.begin(), tokens_.end());
  return v;
}

void TextLookup::checkReady() const {
  if (!ready_)
    throw Error("lookup: no vocabulary (pass a vocabulary or adapt() on the training data)");
}

std::int64_t TextLookup::oovIndex(const std::string& token) const {
  if (o_.numOovIndices == 0)
    throw Error("lookup: '" + token +
                "' is not in the vocabulary and num_oov_indices is 0 (set it to 1)");
  if (o_.numOovIndices == 1) return oovStart();
  std::int64_t bucket;
  if (o_.integerKeys) {
    const long long v = std::stoll(token), n = o_.numOovIndices;
    bucket = ((v % n) + n) % n;  // floormod, Keras's default oov_method
  } else {
    bucket = hashBucketFast(token, o_.numOovIndices);  // tf.strings.to_hash_bucket_fast
  }
  return oovStart() + bucket;
}

std::int64_t TextLookup::index(const std::string& token) const {
  checkReady();
  if (o_.maskToken && token == *o_.maskToken) return o_.outputMode == "int" ? 0 : -1;
  auto it = index_.find(token);
  return it != index_.end() ? it->second : oovIndex(token);
}

std::vector<std::int64_t> TextLookup::lookup(const std::vector<std::string>& tokens) const {
  std::vector<std::int64_t> ids;
  ids.reserve(tokens.size());
  for (const auto& t : tokens) ids.push_back(index(t));
  return ids;
}

std::string TextLookup::token(std::int64_t i) const {
  checkReady();
  if (o_.maskToken && oovStart() && i == 0) return *o_.maskToken;
  const std::int64_t k = i - tokenStart();
  if (k >= 0 && k < std::int64_t(tokens_.size())) return tokens_[size_t(k)];
  return o_.oovToken;
}

void TextLookup::encodeDocument(const std::vector<std::string>& tokens, float* row) const {
  const std::int64_t d = depth();
  for (const auto& t : tokens) {
    const std::int64_t i = index(t);
    if (i < 0 || i >= d) continue;  // a dropped mask token
    if (o_.outputMode == "multi_hot" || o_.outputMode == "one_hot")
      row[i] = 1.0f;
    else if (o_.outputMode == "count")
      row[i] += 1.0f;
    else if (o_.outputMode == "tf_idf")
      row[i] += float(size_t(i) < idf_.size() ? idf_[size_t(i)] : 0.0);
    else
      throw Error("lookup: encodeDocument needs output_mode multi_hot, count or tf_idf");
  }
}

std::int64_t invalidUtf8Offset(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = p[i];
    size_t len;
    unsigned cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return std::int64_t(i);
    }
    if (i + len > n) return std::int64_t(i);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return std::int64_t(i);
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // overlong forms, surrogates, beyond U+10FFFF
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return std::int64_t(i);
    i += len;
  }
  return -1;
}

std::vector<std::string> readVocabularyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the vocabulary file");
  std::vector<std::string> lines;
  std::unordered_map<std::string, size_t> firstLine;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t lineNo = lines.size() + 1;
    if (invalidUtf8Offset(line) >= 0)
      throw Error(path + ":" + std::to_string(lineNo) + ": not valid UTF-8 (byte " +
                  std::to_string(invalidUtf8Offset(line) + 1) + ")");
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) throw Error(path + ": the vocabulary file holds no token");
  for (size_t i = 0; i < lines.size(); ++i) {
    auto [it, fresh] = firstLine.emplace(lines[i], i + 1);
    if (!fresh)
      throw Error(path + ":" + std::to_string(i + 1) + ": repeated token '" + lines[i] +
                  "' (first on line " + std::to_string(it->second) +
                  "); Keras refuses a vocabulary with repeated terms");
  }
  return lines;
}

}  // namespace tessel
