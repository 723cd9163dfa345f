#pragma once
// keras.applications architectures as ModelSpec graphs, with Keras's exact layer names, layer
// order and configs, so a weights file written by Keras (`model.save_weights`, the
// `*_weights_tf_dim_ordering_tf_kernels*.h5` files a user already has) matches them by name.
// Nothing is downloaded: these are topologies (weights=None in Keras terms).
//
// Followed: keras-team/keras `keras/src/applications/{vgg16,resnet,mobilenet_v2}.py` (Keras 3;
// the Keras 2.x files build the same layers). Unnamed layers get Keras 2 auto names ("input_1",
// "global_average_pooling2d"), as ModelSpec is the Keras 2 / TF.js topology form.
//
// Parameter totals (include_top=True, 224x224x3, 1000 classes), as Keras's model.summary():
//   VGG16 138,357,544; ResNet50 25,636,712 (53,120 non-trainable: BN moving statistics);
//   MobileNetV2 alpha 1.0: 3,538,984 (34,112 non-trainable).
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

struct ApplicationOptions {
  bool includeTop = true;
  std::string pooling;  // without the top: "" (None: the 4-D feature map), "avg" or "max"
  // (height, width, channels); empty: (224, 224, 3). Height and width must be at least 32.
  std::optional<Shape> inputShape;
  Index classes = 1000;                          // with the top only
  std::string classifierActivation = "softmax";  // with the top only; "" or "linear": logits
  double alpha = 1.0;                            // MobileNetV2 width multiplier
};

// "VGG16", "ResNet50", "MobileNetV2".
const std::vector<std::string>& applicationNames();
// One line for menus and dialogs ("ResNet50: 50-layer residual network (He et al. 2015)").
std::string applicationDescription(const std::string& name);

// The architecture as Keras builds it, every config completed with the catalog's defaults.
// Throws Error for an unknown name or a bad option (pooling not "", "avg" or "max"; an input
// smaller than 32x32; classes < 1; alpha <= 0).
ModelSpec buildApplication(const std::string& name, const ApplicationOptions& options = {});

ModelSpec vgg16(const ApplicationOptions& options = {});
ModelSpec resnet50(const ApplicationOptions& options = {});
ModelSpec mobileNetV2(const ApplicationOptions& options = {});

}  // namespace tessel
