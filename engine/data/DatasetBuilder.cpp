#include "engine/data/DatasetBuilder.h"

#include <algorithm>
#include <string>

#include "engine/core/Error.h"
#include "engine/data/SourceBuilders.h"
#include "engine/train/BatchAugmenter.h"

namespace tessel {

namespace {

std::string datasetText(const Dataset& d) {
  auto list = [](const std::vector<Array>& v) {
    if (v.size() == 1) return arrayShapeText(v[0]);
    std::string t = "[";
    for (size_t i = 0; i < v.size(); ++i) t += (i ? ", " : "") + arrayShapeText(v[i]);
    return t + "]";
  };
  return "x " + list(d.x) + ", y " + list(d.y);
}

}  // namespace

std::string arrayShapeText(const Array& a) {
  std::string t = "(";
  for (size_t i = 0; i < a.shape().size(); ++i) t += (i ? ", " : "") + std::to_string(a.shape()[i]);
  if (a.shape().size() == 1) t += ",";
  return t + ")";
}

std::string BuiltData::describe() const {
  std::string t = "train " + datasetText(train);
  t += validation ? "; validation " + datasetText(*validation) : "; no validation data";
  if (test) t += "; test " + datasetText(*test);
  return t;
}

BuiltData buildDataset(const DataSettings& settings, const BuildOptions& options) {
  BuiltData out;
  out.settings = settings;
  const std::string& k = settings.kind;
  const bool needsPath = k == "idx" || k == "csv" || k == "image_folder" || k == "tfrecord";
  if (needsPath && settings.trainFile.empty() &&
      (!settings.validationFile.empty() || !settings.testFile.empty()))
    throw Error(k + " data: a validation or test file is given but no training file");
  if (needsPath && settings.path.empty() && settings.trainFile.empty())
    throw Error(k + " data: no file or folder chosen");
  if (k == "fashion_mnist")
    databuild::buildFashionMnist(out, options);
  else if (k == "fashion_mnist_localization")
    databuild::buildLocalization(out, options);
  else if (k == "fashion_mnist_sequence")
    databuild::buildSequence(out, options);
  else if (k == "idx")
    databuild::buildIdx(out, options);
  else if (k == "csv")
    databuild::buildCsv(out, options);
  else if (k == "image_folder")
    databuild::buildImageFolder(out, options);
  else if (k == "tfrecord")
    databuild::buildTfRecord(out, options);
  else if (k == "text")
    databuild::buildText(out, options);
  else
    throw Error("data kind '" + k + "' cannot be imported in the studio yet");
  // The pipeline's skip/take on in-memory and image-folder training rows (TFRecord streams apply
  // them to the records themselves).
  const auto& p = settings.pipeline;
  if (k != "tfrecord" && (p.skip > 0 || p.take >= 0)) {
    const Index n = out.train.size(), begin = std::min<Index>(p.skip, n);
    const Index count = p.take >= 0 ? std::min<Index>(p.take, n - begin) : n - begin;
    if (count <= 0) throw Error(k + " data: skip/take leave no training samples");
    for (auto* arrays : {&out.train.x, &out.train.y})
      for (Array& a : *arrays) a = a.rowsRange(begin, count);
    if (!out.train.sampleWeight.empty())
      out.train.sampleWeight = std::vector<float>(out.train.sampleWeight.begin() + begin,
                                                  out.train.sampleWeight.begin() + begin + count);
  }
  // The pipeline's prefetch: fit gathers the training and validation batches (evaluate() the
  // test batches) ahead on a reader thread.
  out.train.prefetch = p.prefetch;
  if (out.validation) out.validation->prefetch = p.prefetch;
  if (out.test) out.test->prefetch = p.prefetch;
  // Augmentation (training batches only; boxes, the second target of the localization set and
  // of annotated image folders, follow the image). After normalize(): the value range is read
  // from x's affine map.
  if (settings.augmentation.any()) {
    const bool boxes =
        k == "fashion_mnist_localization" || (k == "image_folder" && !settings.annotations.empty());
    attachAugmentation(out.train, out.settings, boxes ? 1 : -1);
  }
  return out;
}

DataSettings defaultDataSettings(const ModelSpec& spec) {
  DataSettings s;
  s.kind = "fashion_mnist";
  if (spec.inputs.size() == 1 && spec.outputs.size() == 2) {
    ShapeReport report = inferShapes(spec);
    const NodeShapes* in = report.ok() ? report.find(spec.inputs[0]) : nullptr;
    if (in && in->output && *in->output == Shape{kNone, 64, 64, 1})
      s.kind = "fashion_mnist_localization";
  }
  return s;
}

void fitDatasetToModel(Dataset& data, const ModelSpec& spec) {
  if (data.x.size() != spec.inputs.size())
    throw Error("the data has " + std::to_string(data.x.size()) + " input array(s) but the model " +
                std::to_string(spec.inputs.size()) + " input(s)");
  if (data.y.size() != spec.outputs.size())
    throw Error("the data has " + std::to_string(data.y.size()) +
                " target array(s) but the model " + std::to_string(spec.outputs.size()) +
                " output(s)");
  ShapeReport report = inferShapes(spec);
  if (!report.ok())
    throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
  for (size_t i = 0; i < data.x.size(); ++i) {
    const NodeShapes* in = report.find(spec.inputs[i]);
    if (!in || !in->output) throw Error("the model input '" + spec.inputs[i] + "' has no shape");
    const Shape& want = *in->output;
    Shape target{data.x[i].rows()};
    Index size = 1;
    for (size_t d = 1; d < want.size(); ++d) {
      if (want[d] == kNone)
        throw Error("the model input '" + spec.inputs[i] + "' has an unknown dimension " +
                    shapeToString(want));
      target.push_back(want[d]);
      size *= want[d];
    }
    if (size != data.x[i].rowSize())
      throw Error("the data's samples are " + arrayShapeText(data.x[i]) + " but the model input '" +
                  spec.inputs[i] + "' is " + shapeToString(want));
    if (target != data.x[i].shape()) data.x[i] = data.x[i].reshaped(target);
  }
}

}  // namespace tessel