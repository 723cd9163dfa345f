// "text": DataSettings kind for text sources (TextDataset.h): the vocabulary adapted on the
// training split is written back into the returned settings (options.vectorization.vocabulary,
// and options.target_vectorization for pairs), as standardize_global writes its statistics, so
// the run record holds the exact vocabulary the model was trained with.
#include "engine/core/Error.h"
#include "engine/data/SourceBuilders.h"
#include "engine/data/TextDataset.h"

namespace tessel::databuild {

namespace {

Array rowsArray(const std::vector<float>& v, Index rows, std::int64_t width, DType dtype) {
  std::vector<double> d(v.begin(), v.end());
  return Array::fromValues(dtype, {rows, Index(width)}, d);
}

Dataset textPart(const TextData& td, const std::vector<Index>& rows) {
  const TextSamples& S = td.samples;
  const Index n = Index(rows.size());
  std::vector<std::string> texts;
  for (Index r : rows) texts.push_back(S.texts[size_t(r)]);
  std::int64_t width = 0;
  Dataset d;
  const std::vector<float> x = td.source->vectorize(texts, width);
  d.x.push_back(rowsArray(x, n, width, DType::Float32));
  if (td.target) {
    std::vector<std::vector<std::string>> docs;
    for (Index r : rows) {
      std::vector<std::string> t = td.target->tokens(S.targets[size_t(r)]);
      t.insert(t.begin(), "[start]");
      t.push_back("[end]");
      docs.push_back(std::move(t));
    }
    std::int64_t tw = 0;
    const std::vector<float> ids = td.target->vectorizeTokens(docs, tw);
    const std::int64_t len = tw - 1;
    std::vector<double> in(size_t(n * len)), out(size_t(n * len));
    for (Index i = 0; i < n; ++i)
      for (std::int64_t k = 0; k < len; ++k) {
        in[size_t(i * len + k)] = ids[size_t(i * tw + k)];
        out[size_t(i * len + k)] = ids[size_t(i * tw + k + 1)];
      }
    d.x.push_back(Array::fromValues(DType::Float32, {n, Index(len)}, in));
    d.y.push_back(Array::fromValues(DType::Int32, {n, Index(len)}, out));
  } else {
    std::vector<double> labels;
    for (Index r : rows) labels.push_back(S.labels[size_t(r)]);
    d.y.push_back(Array::fromValues(DType::Int32, {n}, labels));
  }
  return d;
}

}  // namespace

void buildText(BuiltData& out, const BuildOptions& o) {
  if (out.settings.normalization != "none")
    throw Error("text data: normalization must be 'none' (ids are not scaled)");
  if (out.settings.augmentation.any())
    throw Error("text data: image augmentation does not apply to text");
  TextData td = prepareTextData(out.settings, o.trainLimit);
  out.classNames = td.samples.classNames;
  out.train = textPart(td, td.train);
  if (!td.validation.empty()) out.validation = textPart(td, td.validation);
  if (!td.test.empty()) out.test = textPart(td, td.test);
  out.settings.options["vectorization"] = td.source->config();
  if (td.target) out.settings.options["target_vectorization"] = td.target->config();
}

}  // namespace tessel::databuild
