#include "engine/graph/Applications.h"

#include <cmath>
#include <cstdio>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel {

namespace {

// Adds layers in call order, each config completed as Keras's get_config would write it.
class Builder {
 public:
  explicit Builder(std::string modelName) { spec_.name = std::move(modelName); }

  std::string input(const Shape& hwc) {
    Shape batch = {kNone};
    for (Index d : hwc) batch.push_back(d);
    spec_.nodes.push_back(makeInputLayerNode("input_1", batch));
    spec_.inputs.push_back("input_1");
    return "input_1";
  }

  // `name` empty: Keras 2's auto name for the class ("global_average_pooling2d").
  std::string add(const std::string& className, std::string name, json config,
                  std::vector<std::string> inputs) {
    if (name.empty()) name = spec_.uniqueName(ModelSpec::defaultBaseName(className));
    config["name"] = name;
    NodeSpec node;
    node.name = name;
    node.className = className;
    node.config = LayerRegistry::instance().completeConfig(className, config, name);
    node.inputs = std::move(inputs);
    spec_.nodes.push_back(std::move(node));
    return name;
  }

  ModelSpec finish(const std::string& output) {
    spec_.outputs = {output};
    return std::move(spec_);
  }

 private:
  ModelSpec spec_;
};

json pair(Index v) {
  return json::array({v, v});
}

json conv(Index filters, Index kernel, Index stride = 1, const char* padding = "valid",
          const char* activation = "linear", bool useBias = true) {
  return {{"filters", filters}, {"kernel_size", pair(kernel)}, {"strides", pair(stride)},
          {"padding", padding}, {"activation", activation},    {"use_bias", useBias}};
}

json padding2(Index top, Index bottom, Index left, Index right) {
  return {{"padding", json::array({json::array({top, bottom}), json::array({left, right})})}};
}

struct Input {
  Index h, w, c;
};

Input checkOptions(const std::string& model, const ApplicationOptions& o) {
  if (o.pooling != "" && o.pooling != "avg" && o.pooling != "max")
    throw Error(model + ": pooling must be None, 'avg' or 'max', got '" + o.pooling + "'");
  if (o.includeTop && o.classes < 1)
    throw Error(model + ": classes must be at least 1, got " + std::to_string(o.classes));
  Shape s = o.inputShape.value_or(Shape{224, 224, 3});
  if (s.size() != 3)
    throw Error(model + ": input_shape must be (height, width, channels), got " + shapeToString(s));
  if (s[0] < 32 || s[1] < 32)
    throw Error(model + ": input size must be at least 32x32, got " + shapeToString(s));
  if (s[2] < 1) throw Error(model + ": input_shape needs at least one channel");
  return {s[0], s[1], s[2]};
}

std::string classifierActivation(const ApplicationOptions& o) {
  return o.classifierActivation.empty() ? std::string("linear") : o.classifierActivation;
}

// Without the top: the optional global pooling. `avgName` / `maxName` empty: Keras 2 auto names.
std::string poolingHead(Builder& b, const ApplicationOptions& o, const std::string& x,
                        const std::string& avgName, const std::string& maxName) {
  if (o.pooling == "avg") return b.add("GlobalAveragePooling2D", avgName, json::object(), {x});
  if (o.pooling == "max") return b.add("GlobalMaxPooling2D", maxName, json::object(), {x});
  return x;
}

// keras/src/applications/resnet.py residual_block_v1. Layers in the order Keras's
// model.layers lists them (by depth: the shortcut convolution after the second 3x3 block).
std::string residualBlockV1(Builder& b, const std::string& in, Index filters, Index stride,
                            bool convShortcut, const std::string& name) {
  const json bn = {{"axis", 3}, {"epsilon", 1.001e-5}};
  std::string x = b.add("Conv2D", name + "_1_conv", conv(filters, 1, stride), {in});
  x = b.add("BatchNormalization", name + "_1_bn", bn, {x});
  x = b.add("Activation", name + "_1_relu", {{"activation", "relu"}}, {x});
  x = b.add("Conv2D", name + "_2_conv", conv(filters, 3, 1, "same"), {x});
  x = b.add("BatchNormalization", name + "_2_bn", bn, {x});
  x = b.add("Activation", name + "_2_relu", {{"activation", "relu"}}, {x});
  std::string shortcut = in;
  if (convShortcut) {
    shortcut = b.add("Conv2D", name + "_0_conv", conv(4 * filters, 1, stride), {in});
    x = b.add("Conv2D", name + "_3_conv", conv(4 * filters, 1), {x});
    shortcut = b.add("BatchNormalization", name + "_0_bn", bn, {shortcut});
  } else {
    x = b.add("Conv2D", name + "_3_conv", conv(4 * filters, 1), {x});
  }
  x = b.add("BatchNormalization", name + "_3_bn", bn, {x});
  x = b.add("Add", name + "_add", json::object(), {shortcut, x});
  return b.add("Activation", name + "_out", {{"activation", "relu"}}, {x});
}

std::string stackV1(Builder& b, std::string x, Index filters, int blocks, Index stride1,
                    const std::string& name) {
  x = residualBlockV1(b, x, filters, stride1, true, name + "_block1");
  for (int i = 2; i <= blocks; ++i)
    x = residualBlockV1(b, x, filters, 1, false, name + "_block" + std::to_string(i));
  return x;
}

// mobilenet_v2.py _make_divisible
Index makeDivisible(double v, Index divisor) {
  Index newV = std::max(divisor, Index(v + double(divisor) / 2) / divisor * divisor);
  if (double(newV) < 0.9 * v) newV += divisor;
  return newV;
}

struct Tensor3 {
  std::string name;
  Index h, w, c;
};

// mobilenet_v2.py _inverted_res_block; tracks the spatial size for correct_pad.
Tensor3 invertedResBlock(Builder& b, const Tensor3& in, Index expansion, Index stride, double alpha,
                         Index filters, int blockId) {
  const json bn = {{"axis", -1}, {"epsilon", 1e-3}, {"momentum", 0.999}};
  const json relu6 = {{"max_value", 6.0}};
  const Index pointwise = makeDivisible(double(Index(double(filters) * alpha)), 8);
  std::string prefix = "block_" + std::to_string(blockId) + "_";
  std::string x = in.name;
  Index channels = in.c;
  if (blockId) {
    channels = expansion * in.c;
    x = b.add("Conv2D", prefix + "expand", conv(channels, 1, 1, "same", "linear", false), {x});
    x = b.add("BatchNormalization", prefix + "expand_BN", bn, {x});
    x = b.add("ReLU", prefix + "expand_relu", relu6, {x});
  } else {
    prefix = "expanded_conv_";
  }
  Index h = in.h, w = in.w;
  if (stride == 2) {
    // imagenet_utils.correct_pad(x, 3): ((1 - h % 2, 1), (1 - w % 2, 1)) subtracted from 1.
    const Index adjH = 1 - h % 2, adjW = 1 - w % 2;
    x = b.add("ZeroPadding2D", prefix + "pad", padding2(1 - adjH, 1, 1 - adjW, 1), {x});
    h = (h + 2 - adjH - 3) / 2 + 1;
    w = (w + 2 - adjW - 3) / 2 + 1;
  }
  json dw = {{"kernel_size", pair(3)},
             {"strides", pair(stride)},
             {"activation", "linear"},
             {"use_bias", false},
             {"padding", stride == 1 ? "same" : "valid"}};
  x = b.add("DepthwiseConv2D", prefix + "depthwise", dw, {x});
  x = b.add("BatchNormalization", prefix + "depthwise_BN", bn, {x});
  x = b.add("ReLU", prefix + "depthwise_relu", relu6, {x});
  x = b.add("Conv2D", prefix + "project", conv(pointwise, 1, 1, "same", "linear", false), {x});
  x = b.add("BatchNormalization", prefix + "project_BN", bn, {x});
  if (in.c == pointwise && stride == 1)
    x = b.add("Add", prefix + "add", json::object(), {in.name, x});
  return {x, h, w, pointwise};
}

}  // namespace

const std::vector<std::string>& applicationNames() {
  static const std::vector<std::string> names = {"VGG16", "ResNet50", "MobileNetV2"};
  return names;
}

std::string applicationDescription(const std::string& name) {
  if (name == "VGG16")
    return "VGG16: 13 convolutions and 3 dense layers (Simonyan & Zisserman 2014)";
  if (name == "ResNet50") return "ResNet50: 50-layer residual network (He et al. 2015)";
  if (name == "MobileNetV2")
    return "MobileNetV2: inverted residual blocks with ReLU6 (Sandler et al. 2018)";
  return {};
}

ModelSpec buildApplication(const std::string& name, const ApplicationOptions& options) {
  if (name == "VGG16") return vgg16(options);
  if (name == "ResNet50") return resnet50(options);
  if (name == "MobileNetV2") return mobileNetV2(options);
  throw Error("no keras.applications template named '" + name +
              "' (known: VGG16, ResNet50, MobileNetV2)");
}

ModelSpec vgg16(const ApplicationOptions& o) {
  const Input in = checkOptions("VGG16", o);
  Builder b("vgg16");
  std::string x = b.input({in.h, in.w, in.c});
  const std::vector<std::pair<Index, int>> blocks = {
      {64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
  for (size_t k = 0; k < blocks.size(); ++k) {
    const std::string block = "block" + std::to_string(k + 1);
    for (int i = 1; i <= blocks[k].second; ++i)
      x = b.add("Conv2D", block + "_conv" + std::to_string(i),
                conv(blocks[k].first, 3, 1, "same", "relu"), {x});
    x = b.add("MaxPooling2D", block + "_pool", {{"pool_size", pair(2)}, {"strides", pair(2)}}, {x});
  }
  if (o.includeTop) {
    x = b.add("Flatten", "flatten", json::object(), {x});
    x = b.add("Dense", "fc1", {{"units", 4096}, {"activation", "relu"}}, {x});
    x = b.add("Dense", "fc2", {{"units", 4096}, {"activation", "relu"}}, {x});
    x = b.add("Dense", "predictions",
              {{"units", o.classes}, {"activation", classifierActivation(o)}}, {x});
  } else {
    x = poolingHead(b, o, x, "", "");
  }
  return b.finish(x);
}

ModelSpec resnet50(const ApplicationOptions& o) {
  const Input in = checkOptions("ResNet50", o);
  Builder b("resnet50");
  std::string x = b.input({in.h, in.w, in.c});
  x = b.add("ZeroPadding2D", "conv1_pad", padding2(3, 3, 3, 3), {x});
  x = b.add("Conv2D", "conv1_conv", conv(64, 7, 2), {x});
  x = b.add("BatchNormalization", "conv1_bn", {{"axis", 3}, {"epsilon", 1.001e-5}}, {x});
  x = b.add("Activation", "conv1_relu", {{"activation", "relu"}}, {x});
  x = b.add("ZeroPadding2D", "pool1_pad", padding2(1, 1, 1, 1), {x});
  x = b.add("MaxPooling2D", "pool1_pool", {{"pool_size", pair(3)}, {"strides", pair(2)}}, {x});
  x = stackV1(b, x, 64, 3, 1, "conv2");
  x = stackV1(b, x, 128, 4, 2, "conv3");
  x = stackV1(b, x, 256, 6, 2, "conv4");
  x = stackV1(b, x, 512, 3, 2, "conv5");
  if (o.includeTop) {
    x = b.add("GlobalAveragePooling2D", "avg_pool", json::object(), {x});
    x = b.add("Dense", "predictions",
              {{"units", o.classes}, {"activation", classifierActivation(o)}}, {x});
  } else {
    x = poolingHead(b, o, x, "avg_pool", "max_pool");
  }
  return b.finish(x);
}

ModelSpec mobileNetV2(const ApplicationOptions& o) {
  const Input in = checkOptions("MobileNetV2", o);
  if (!(o.alpha > 0)) throw Error("MobileNetV2: alpha must be positive");
  char name[64];
  std::snprintf(name, sizeof name, "mobilenetv2_%0.2f_%lld", o.alpha, (long long)in.h);
  Builder b(name);
  const json bn = {{"axis", -1}, {"epsilon", 1e-3}, {"momentum", 0.999}};
  std::string x = b.input({in.h, in.w, in.c});
  const Index first = makeDivisible(32 * o.alpha, 8);
  x = b.add("Conv2D", "Conv1", conv(first, 3, 2, "same", "linear", false), {x});
  x = b.add("BatchNormalization", "bn_Conv1", bn, {x});
  x = b.add("ReLU", "Conv1_relu", {{"max_value", 6.0}}, {x});
  Tensor3 t{x, (in.h + 1) / 2, (in.w + 1) / 2, first};
  // (filters, stride, expansion) per block_id, as MobileNetV2() lists them.
  const Index table[17][3] = {{16, 1, 1},  {24, 2, 6}, {24, 1, 6}, {32, 2, 6},  {32, 1, 6},
                              {32, 1, 6},  {64, 2, 6}, {64, 1, 6}, {64, 1, 6},  {64, 1, 6},
                              {96, 1, 6},  {96, 1, 6}, {96, 1, 6}, {160, 2, 6}, {160, 1, 6},
                              {160, 1, 6}, {320, 1, 6}};
  for (int id = 0; id < 17; ++id)
    t = invertedResBlock(b, t, table[id][2], table[id][1], o.alpha, table[id][0], id);
  const Index last = o.alpha > 1.0 ? makeDivisible(1280 * o.alpha, 8) : 1280;
  x = b.add("Conv2D", "Conv_1", conv(last, 1, 1, "valid", "linear", false), {t.name});
  x = b.add("BatchNormalization", "Conv_1_bn", bn, {x});
  x = b.add("ReLU", "out_relu", {{"max_value", 6.0}}, {x});
  if (o.includeTop) {
    x = b.add("GlobalAveragePooling2D", "", json::object(), {x});
    x = b.add("Dense", "predictions",
              {{"units", o.classes}, {"activation", classifierActivation(o)}}, {x});
  } else {
    x = poolingHead(b, o, x, "", "");
  }
  return b.finish(x);
}

}  // namespace tessel
