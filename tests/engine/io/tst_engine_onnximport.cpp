// ONNX import (engine/io/OnnxImport.h):
// - round trips: models written by our exporter (an MLP, a CNN with BatchNormalization and
//   pooling, a merge model with three inputs, the 1-D model of the export test) import back to
//   the same layers (names, classes, output shapes) and the same outputs (1e-5);
// - the PyTorch oracle: tests/fixtures/onnx/*.onnx written by torch.onnx.export
//   (make_fixtures.py) import and predict within 1e-5 of PyTorch's outputs;
// - bad input: a truncated file, an unknown opset, unsupported operators (listed by name), two
//   inputs of unknown layout, a Transpose that is not a layout change.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/io/OnnxExport.h"
#include "engine/io/OnnxImport.h"
#include "engine/io/TfjsModel.h"
#include "engine/train/Model.h"
#include "tests/support/ErrorOf.h"

using namespace tessel;

namespace {

using tessel::testutil::errorOf;

void randomizeWeights(Model& m, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& [name, var] : m.namedWeights()) {
    const bool variance = name.find("variance") != std::string::npos;
    for (Index k = 0; k < var->value.size(); ++k) {
      float v = 0.3f * rng.normal();
      var->value[k] = variance ? 0.5f + std::abs(v) : v;
    }
  }
}

std::vector<Tensor> predict(Model& m, const std::vector<Tensor>& xs) {
  std::vector<const Tensor*> ptrs;
  for (const auto& t : xs) ptrs.push_back(&t);
  RunContext ctx;
  m.forward(ptrs, false, ctx);
  std::vector<Tensor> out;
  for (size_t i = 0; i < m.numOutputs(); ++i) out.push_back(m.output(i));
  return out;
}

float maxAbsDiff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  float d = 0;
  for (Index i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

ModelFile importSpec(const ModelSpec& spec, Model& model) {
  NamedWeights w;
  for (auto& [name, var] : model.namedWeights()) w.emplace_back(name, var->value);
  return onnxModelFromBytes(onnxModelBytes(spec, w), spec.name);
}

const char* kMlp = R"({"class_name": "Sequential", "config": {"name": "mlp", "layers": [
 {"class_name": "Dense", "config": {"name": "hidden", "units": 16, "activation": "relu",
   "batch_input_shape": [null, 8]}},
 {"class_name": "BatchNormalization", "config": {"name": "bn"}},
 {"class_name": "Dense", "config": {"name": "hidden2", "units": 12, "activation": "tanh"}},
 {"class_name": "Dense", "config": {"name": "probs", "units": 3, "activation": "softmax"}}]}})";

const char* kCnn = R"({"class_name": "Sequential", "config": {"name": "cnn", "layers": [
 {"class_name": "Conv2D", "config": {"name": "c1", "filters": 6, "kernel_size": [3, 3],
   "padding": "same", "activation": "relu", "batch_input_shape": [null, 12, 12, 3]}},
 {"class_name": "BatchNormalization", "config": {"name": "bn"}},
 {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2]}},
 {"class_name": "Conv2D", "config": {"name": "c2", "filters": 4, "kernel_size": [3, 3],
   "strides": [2, 2], "padding": "same"}},
 {"class_name": "AveragePooling2D", "config": {"name": "avg", "pool_size": [2, 2],
   "strides": [1, 1], "padding": "same"}},
 {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3],
   "padding": "valid", "depth_multiplier": 2, "activation": "relu6"}},
 {"class_name": "Flatten", "config": {"name": "flat"}},
 {"class_name": "Dense", "config": {"name": "fc", "units": 10, "activation": "elu"}},
 {"class_name": "Dense", "config": {"name": "probs", "units": 3, "activation": "softmax"}}]}})";

// Three inputs (one image), Concatenate, Add, Multiply, Subtract, global pooling.
const char* kMerge = R"({"class_name": "Functional", "config": {"name": "merge", "layers": [
 {"class_name": "InputLayer", "name": "wide", "config": {"name": "wide",
   "batch_input_shape": [null, 5]}, "inbound_nodes": []},
 {"class_name": "InputLayer", "name": "deep", "config": {"name": "deep",
   "batch_input_shape": [null, 6]}, "inbound_nodes": []},
 {"class_name": "InputLayer", "name": "image", "config": {"name": "image",
   "batch_input_shape": [null, 6, 6, 2]}, "inbound_nodes": []},
 {"class_name": "Conv2D", "name": "conv", "config": {"name": "conv", "filters": 4,
   "kernel_size": [3, 3], "activation": "sigmoid"}, "inbound_nodes": [[["image", 0, 0, {}]]]},
 {"class_name": "GlobalAveragePooling2D", "name": "gap", "config": {"name": "gap"},
   "inbound_nodes": [[["conv", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "d1", "config": {"name": "d1", "units": 4,
   "activation": "relu"}, "inbound_nodes": [[["deep", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "d2", "config": {"name": "d2", "units": 4},
   "inbound_nodes": [[["wide", 0, 0, {}]]]},
 {"class_name": "Add", "name": "sum", "config": {"name": "sum"},
   "inbound_nodes": [[["d1", 0, 0, {}], ["d2", 0, 0, {}]]]},
 {"class_name": "Multiply", "name": "prod", "config": {"name": "prod"},
   "inbound_nodes": [[["sum", 0, 0, {}], ["gap", 0, 0, {}]]]},
 {"class_name": "Subtract", "name": "diff", "config": {"name": "diff"},
   "inbound_nodes": [[["prod", 0, 0, {}], ["d2", 0, 0, {}]]]},
 {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat", "axis": -1},
   "inbound_nodes": [[["diff", 0, 0, {}], ["wide", 0, 0, {}], ["gap", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 2,
   "activation": "sigmoid"}, "inbound_nodes": [[["cat", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "aux", "config": {"name": "aux", "units": 1},
   "inbound_nodes": [[["sum", 0, 0, {}]]]}],
 "input_layers": [["wide", 0, 0], ["deep", 0, 0], ["image", 0, 0]],
 "output_layers": [["out", 0, 0], ["aux", 0, 0]]}})";

// The 1-D layers, Reshape, Activation and a Dense on a 3-D tensor (MatMul + Add).
const char* kSeq = R"({"class_name": "Functional", "config": {"name": "seq", "layers": [
 {"class_name": "InputLayer", "name": "seq", "config": {"name": "seq",
   "batch_input_shape": [null, 10, 3]}, "inbound_nodes": []},
 {"class_name": "Conv1D", "name": "conv", "config": {"name": "conv", "filters": 4,
   "kernel_size": [3], "padding": "same", "activation": "softplus"},
   "inbound_nodes": [[["seq", 0, 0, {}]]]},
 {"class_name": "MaxPooling1D", "name": "pool", "config": {"name": "pool", "pool_size": [2]},
   "inbound_nodes": [[["conv", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "per_step", "config": {"name": "per_step", "units": 5,
   "activation": "hard_sigmoid"}, "inbound_nodes": [[["pool", 0, 0, {}]]]},
 {"class_name": "Activation", "name": "act", "config": {"name": "act",
   "activation": "softsign"}, "inbound_nodes": [[["per_step", 0, 0, {}]]]},
 {"class_name": "GlobalAveragePooling1D", "name": "gap", "config": {"name": "gap"},
   "inbound_nodes": [[["act", 0, 0, {}]]]},
 {"class_name": "Reshape", "name": "reshape", "config": {"name": "reshape",
   "target_shape": [5, 5]}, "inbound_nodes": [[["act", 0, 0, {}]]]},
 {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"},
   "inbound_nodes": [[["reshape", 0, 0, {}]]]},
 {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat"},
   "inbound_nodes": [[["flat", 0, 0, {}], ["gap", 0, 0, {}]]]},
 {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 2,
   "activation": "relu6"}, "inbound_nodes": [[["cat", 0, 0, {}]]]}],
 "input_layers": [["seq", 0, 0]], "output_layers": [["out", 0, 0]]}})";

// A model the exporter writes with operators the importer does not read.
const char* kUnsupported = R"({"class_name": "Sequential", "config": {"name": "up", "layers": [
 {"class_name": "UpSampling2D", "config": {"name": "up1", "size": [2, 2],
   "batch_input_shape": [null, 4, 4, 2]}},
 {"class_name": "Cropping2D", "config": {"name": "crop", "cropping": [[1, 1], [1, 1]]}},
 {"class_name": "Flatten", "config": {"name": "flat"}},
 {"class_name": "Dense", "config": {"name": "out", "units": 2}}]}})";

std::vector<Tensor> randomInputs(Model& m, Index batch, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor> xs;
  for (size_t i = 0; i < m.numInputs(); ++i) {
    Tensor t(withBatch(m.inputShape(i), batch));
    for (Index k = 0; k < t.size(); ++k) t[k] = rng.normal();
    xs.push_back(std::move(t));
  }
  return xs;
}

// A json nested list as a tensor (row-major).
Tensor tensorFromJson(const json& j) {
  Shape shape;
  for (const json* p = &j; p->is_array(); p = &(*p)[0]) shape.push_back(Index(p->size()));
  std::vector<float> v;
  std::function<void(const json&)> walk = [&](const json& x) {
    if (x.is_array())
      for (const auto& e : x) walk(e);
    else
      v.push_back(x.get<float>());
  };
  walk(j);
  return Tensor(shape, v);
}

// (N, C, H, W) -> (N, H, W, C)
Tensor nchwToNhwc(const Tensor& t) {
  const Index n = t.shape()[0], c = t.shape()[1], h = t.shape()[2], w = t.shape()[3];
  Tensor o({n, h, w, c});
  for (Index a = 0; a < n; ++a)
    for (Index ch = 0; ch < c; ++ch)
      for (Index y = 0; y < h; ++y)
        for (Index x = 0; x < w; ++x)
          o[((a * h + y) * w + x) * c + ch] = t[((a * c + ch) * h + y) * w + x];
  return o;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> classes(const ModelSpec& spec) {
  std::vector<std::string> out;
  for (const auto& n : spec.nodes)
    if (!n.isInput()) out.push_back(n.className);
  return out;
}

}  // namespace

class TestOnnxImport : public QObject {
  Q_OBJECT

  // Export -> import: every layer comes back with its name, class and output shape, and the
  // imported weights give the same outputs.
  void roundTrip(const char* keras) {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(keras));
    Model original(spec, 3);
    randomizeWeights(original, 5);
    ModelFile back = importSpec(spec, original);
    ShapeReport a = inferShapes(spec), b = inferShapes(back.spec);
    QVERIFY(b.ok());
    std::string got;
    for (const auto& n : back.spec.nodes) got += n.name + ":" + n.className + " ";
    QVERIFY2(back.spec.nodes.size() == spec.nodes.size(), got.c_str());
    for (const auto& n : spec.nodes) {
      const NodeSpec* m = back.spec.find(n.name);
      QVERIFY2(m, ("missing layer " + n.name).c_str());
      QCOMPARE(m->className, n.className);
      QCOMPARE(m->inputs, n.inputs);
      QCOMPARE(*b.find(n.name)->output, *a.find(n.name)->output);
      if (n.className == "BatchNormalization") {  // the defaults come back as Keras writes them
        QCOMPARE(m->config.value("epsilon", 1e-3), n.config.value("epsilon", 1e-3));
        QCOMPARE(m->config.value("momentum", 0.99), n.config.value("momentum", 0.99));
      }
    }
    QCOMPARE(back.spec.inputs, spec.inputs);
    QCOMPARE(back.spec.outputs, spec.outputs);
    Model imported(back.spec, 0);
    imported.loadNamedWeights(back.weights);
    auto xs = randomInputs(original, 3, 9);
    auto ya = predict(original, xs), yb = predict(imported, xs);
    for (size_t i = 0; i < ya.size(); ++i) {
      const float d = maxAbsDiff(ya[i], yb[i]);
      qInfo("%s output %zu: max |diff| %.3g", spec.name.c_str(), i, double(d));
      QVERIFY(d <= 1e-5f);
    }
  }

  // A PyTorch fixture: imports, and predicts PyTorch's outputs within 1e-5 (the largest
  // difference over every output in *diff). `io` names the JSON when it is not `name`'s own.
  ModelFile torchFixture(const QString& name, float* diff, const QString& io = {}) {
    const std::string dir = TESSEL_FIXTURES_DIR "/onnx/";
    ModelFile file = readOnnxModel(dir + name.toStdString() + ".onnx");
    const json j = json::parse(readFile(dir + (io.isEmpty() ? name : io).toStdString() + ".json"));
    Tensor x = tensorFromJson(j["input"]);
    if (x.rank() == 4) x = nchwToNhwc(x);
    std::vector<Tensor> want;
    if (j.contains("outputs"))
      for (const auto& o : j["outputs"]) want.push_back(tensorFromJson(o));
    else
      want.push_back(tensorFromJson(j["output"]));
    Model m(file.spec, 0);
    m.loadNamedWeights(file.weights);
    auto out = predict(m, {x});
    *diff = out.size() == want.size() ? 0.0f : INFINITY;
    for (size_t i = 0; i < out.size() && i < want.size(); ++i)
      *diff = std::max(*diff, maxAbsDiff(out[i], want[i]));
    qInfo("%s: %zu layers, max |diff| vs PyTorch %.3g", qPrintable(name), file.spec.nodes.size(),
          double(*diff));
    return file;
  }

 private slots:
  void roundTripMlp() { roundTrip(kMlp); }
  void roundTripCnn() { roundTrip(kCnn); }
  void roundTripMerge() { roundTrip(kMerge); }
  void roundTripSequence() { roundTrip(kSeq); }

  // Every bundled example: the same outputs, and every layer but the inference-time identities
  // (Dropout: an ONNX Identity) back.
  void examplesRoundTrip() {
    int count = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(TESSEL_SOURCE_DIR "/resources/examples")) {
      if (!std::filesystem::exists(e.path() / "model.json")) continue;
      ModelFile file = readModelFile((e.path() / "model.json").string());
      if (!onnxUnsupportedLayers(file.spec).empty()) continue;  // text examples: no ONNX form
      Model original(file.spec, 3);
      randomizeWeights(original, 4);
      ModelFile back = importSpec(file.spec, original);
      // The exporter may suffix a weightless layer's tensor name ("max_pooling2d_1_1" when a
      // node took "max_pooling2d_1"): layers with weights by name, the others by class.
      std::vector<std::string> want, got = classes(back.spec);
      for (const auto& n : file.spec.nodes) {
        if (n.isInput() || n.className.find("Dropout") != std::string::npos) continue;
        want.push_back(n.className);
        if (original.layer(n.name) && !original.layer(n.name)->variables().empty()) {
          const NodeSpec* m = back.spec.find(n.name);
          QVERIFY2(m && m->className == n.className, (file.spec.name + ": " + n.name).c_str());
        }
      }
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      QCOMPARE(got, want);
      Model imported(back.spec, 0);
      imported.loadNamedWeights(back.weights);
      auto xs = randomInputs(original, 2, 8);
      auto ya = predict(original, xs), yb = predict(imported, xs);
      for (size_t i = 0; i < ya.size(); ++i) {
        const float d = maxAbsDiff(ya[i], yb[i]);
        qInfo("%s output %zu: max |diff| %.3g", e.path().filename().c_str(), i, double(d));
        QVERIFY(d <= 1e-5f);
      }
      ++count;
    }
    QVERIFY(count >= 5);
  }

  void threeWayAddIsOneLayer() {
    const char* k = R"({"class_name": "Functional", "config": {"name": "add3", "layers": [
     {"class_name": "InputLayer", "name": "a", "config": {"name": "a",
       "batch_input_shape": [null, 4]}, "inbound_nodes": []},
     {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 4},
       "inbound_nodes": [[["a", 0, 0, {}]]]},
     {"class_name": "Add", "name": "sum", "config": {"name": "sum"},
       "inbound_nodes": [[["a", 0, 0, {}], ["d", 0, 0, {}], ["a", 0, 0, {}]]]}],
     "input_layers": [["a", 0, 0]], "output_layers": [["sum", 0, 0]]}})";
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(k));
    Model original(spec, 1);
    ModelFile back = importSpec(spec, original);
    QCOMPARE(classes(back.spec), (std::vector<std::string>{"Dense", "Add"}));
    const NodeSpec* add = nullptr;
    for (const auto& n : back.spec.nodes)
      if (n.className == "Add") add = &n;
    QCOMPARE(add->inputs.size(), size_t(3));
    QCOMPARE(add->name, std::string("sum"));
  }

  void torchMlp() {
    float d = 1;
    ModelFile f = torchFixture("torch_mlp", &d);
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"Dense", "Dense", "Dense"}));
    QCOMPARE(f.spec.nodes[1].config["activation"], json("relu"));
    QCOMPARE(f.spec.nodes[3].config["activation"], json("softmax"));
    QVERIFY(d <= 1e-5f);
  }

  void torchCnn() {
    float d = 1;
    ModelFile f = torchFixture("torch_cnn", &d);
    QCOMPARE(classes(f.spec),
             (std::vector<std::string>{"Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
                                       "Conv2D", "Flatten", "Dense"}));
    // NCHW (1, 3, 10, 10) from PyTorch becomes a channels_last input.
    QCOMPARE(inputLayerShape(f.spec.nodes[0]), (Shape{kNone, 10, 10, 3}));
    QCOMPARE(f.spec.nodes[1].config["padding"], json("same"));
    QVERIFY(d <= 1e-5f);
  }

  void torchCnnFused() {
    float d = 1;
    ModelFile f = torchFixture("torch_cnn_fused", &d);
    QCOMPARE(classes(f.spec),
             (std::vector<std::string>{"Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense"}));
    QVERIFY(d <= 1e-5f);
  }

  // The ends of the opset range: Clip/Pad/Softmax/Dropout forms differ, the model is the same.
  void torchCnnOpsets() {
    for (const char* name : {"torch_cnn_opset9", "torch_cnn_opset17"}) {
      float d = 1;
      ModelFile f = torchFixture(name, &d, "torch_cnn");
      QCOMPARE(classes(f.spec),
               (std::vector<std::string>{"Conv2D", "BatchNormalization", "Activation",
                                         "MaxPooling2D", "Conv2D", "Flatten", "Dense"}));
      QVERIFY(d <= 1e-5f);
    }
  }

  // Add, Concat and ReduceMean of NCHW tensors, two outputs, one of them a flattened NCHW
  // feature map through a Linear.
  void torchResidual() {
    float d = 1;
    ModelFile f = torchFixture("torch_res", &d);
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"Conv2D", "Conv2D", "Add", "Activation",
                                                        "Concatenate", "Flatten", "Dense",
                                                        "GlobalAveragePooling2D", "Activation"}));
    QCOMPARE(f.spec.outputs.size(), size_t(2));
    QVERIFY(d <= 1e-5f);
  }

  // x.view(x.size(0), -1): the Shape / Gather / Unsqueeze / Concat arithmetic feeding Reshape
  // (dynamic batch) or a Reshape to [2, -1] (the batch it was exported with) is a Flatten.
  void torchView() {
    for (const char* name : {"torch_view", "torch_view_static"}) {
      float d = 1;
      ModelFile f = torchFixture(name, &d, "torch_view");
      QCOMPARE(classes(f.spec),
               (std::vector<std::string>{"Conv2D", "MaxPooling2D", "Flatten", "Dense"}));
      QVERIFY(d <= 1e-5f);
    }
  }

  // LeakyReLU (no such layer in Tessel) as Maximum(x, Rescaling(0.1)(x)); Linear on a 3-D input
  // is MatMul + Add: a Dense with its bias.
  void torchLeaky() {
    float d = 1;
    ModelFile f = torchFixture("torch_leaky", &d);
    QCOMPARE(classes(f.spec), (std::vector<std::string>{"Dense", "Rescaling", "Maximum", "Dense"}));
    QCOMPARE(f.spec.nodes[2].config["scale"].get<double>(), double(0.1f));
    QCOMPARE(f.spec.nodes[1].config["use_bias"], json(true));
    QVERIFY(d <= 1e-5f);
  }

  void torchDepthwise() {
    float d = 1;
    ModelFile f = torchFixture("torch_dwcnn", &d);
    // PyTorch's symmetric pads with stride 2 are not TF's "same": a ZeroPadding2D first.
    QCOMPARE(classes(f.spec), (std::vector<std::string>{
                                  "ZeroPadding2D", "Conv2D", "DepthwiseConv2D", "AveragePooling2D",
                                  "GlobalAveragePooling2D", "Flatten", "Dense"}));
    QCOMPARE(f.spec.nodes[3].config["activation"], json("relu6"));
    QVERIFY(d <= 1e-5f);
  }

  void truncatedFile() {
    const std::string bytes = readFile(TESSEL_FIXTURES_DIR "/onnx/torch_cnn.onnx");
    for (size_t cut :
         {size_t(0), size_t(7), bytes.size() / 3, bytes.size() / 2, bytes.size() - 5}) {
      const std::string e = errorOf([&] { onnxModelFromBytes(bytes.substr(0, cut)); });
      QVERIFY2(e.find("ONNX import") != std::string::npos, e.c_str());
    }
    const std::string e = errorOf([] { readOnnxModel("/nonexistent/model.onnx"); });
    QVERIFY2(e.find("cannot open") != std::string::npos, e.c_str());
  }

  void unknownOpset() {
    const std::string e =
        errorOf([] { readOnnxModel(TESSEL_FIXTURES_DIR "/onnx/bad_opset.onnx"); });
    QVERIFY2(e.find("opset 99 is not supported") != std::string::npos, e.c_str());
    QVERIFY2(e.find("9 to 17") != std::string::npos, e.c_str());
  }

  void unsupportedOperatorsAreListed() {
    ModelSpec spec = ModelSpec::fromKerasJson(json::parse(kUnsupported));
    Model m(spec, 1);
    const std::string e = errorOf([&] { importSpec(spec, m); });
    QVERIFY2(e.find("2 ONNX nodes are not supported") != std::string::npos, e.c_str());
    QVERIFY2(e.find("'Resize' (node 'up1") != std::string::npos, e.c_str());
    QVERIFY2(e.find("'Slice' (node 'crop") != std::string::npos, e.c_str());
    QVERIFY2(e.find("nothing was imported") != std::string::npos, e.c_str());
  }

  // Two NCHW-or-NHWC inputs that only meet in an Add: nothing tells their layout.
  void twoInputsOfUnknownLayout() {
    const std::string e =
        errorOf([] { readOnnxModel(TESSEL_FIXTURES_DIR "/onnx/two_inputs.onnx"); });
    QVERIFY2(e.find("2 graph inputs ('a', 'b') have an unknown layout") != std::string::npos,
             e.c_str());
  }

  // A Transpose other than NCHW <-> NHWC is named with its node.
  void foreignTranspose() {
    const std::string e =
        errorOf([] { readOnnxModel(TESSEL_FIXTURES_DIR "/onnx/foreign_transpose.onnx"); });
    QVERIFY2(e.find("node 'swap_hw' (Transpose): perm [0, 1, 3, 2]") != std::string::npos,
             e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestOnnxImport)
#include "tst_engine_onnximport.moc"
