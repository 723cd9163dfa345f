#pragma once
// ONNX import: an ONNX model (opsets 9-17, the default "ai.onnx" domain) read back as a Keras
// graph (ModelSpec, channels_last) with its weights, through Debian's protobuf and our copy of
// the ONNX schema (engine/io/proto/tessel_onnx.proto). The inverse of engine/io/OnnxExport.h:
// models written by Tessel import back to the same layer classes and outputs, and models
// written by PyTorch (torch.onnx.export, NCHW) are converted to channels_last.
//
// Operators and what they become (engine/io/onnx/ImportOps.cpp):
//   Gemm, MatMul (+ Add of a bias)        Dense (transB, alpha and beta folded into the weights)
//   Conv                                  Conv2D / Conv1D, DepthwiseConv2D where group == channels,
//                                         Conv2D(groups) otherwise; ZeroPadding2D first when the
//                                         pads are neither "valid" nor TF's "same"
//   MaxPool, AveragePool                  MaxPooling{1,2}D, AveragePooling{1,2}D
//   GlobalAveragePool / GlobalMaxPool,    GlobalAveragePooling / GlobalMaxPooling{1,2}D
//   ReduceMean / ReduceMax (spatial)
//   BatchNormalization                    BatchNormalization (inference statistics)
//   Relu, Sigmoid, Tanh, Softmax, Elu,    folded into the previous Dense / Conv's activation when
//   Selu, Softplus, Softsign, Exp,        it has no other consumer (as Keras writes it), else an
//   HardSigmoid, Clip(0, 6) -> relu6      Activation layer
//   LeakyRelu(alpha)                      Maximum(x, Rescaling(alpha)(x)) (no LeakyReLU layer)
//   Add, Mul, Sub, Mean, Max, Min         Add, Multiply, Subtract, Average, Maximum, Minimum;
//                                         with a constant: a Dense/Conv bias, Rescaling (scalar)
//                                         or BatchNormalization (per channel)
//   Concat, Flatten, Reshape              Concatenate, Flatten, Reshape
//   Dropout, Identity                     nothing (inference)
//   Shape, Gather, Unsqueeze, Concat of   computed (PyTorch's x.view(x.size(0), -1)); a Reshape
//   constants                             target's first entry is the batch
//   Transpose                             only as the NCHW <-> NHWC conversion (no layer), and
//                                         (1, 0, 2) around recurrent nodes (time-major view)
//   LSTM, GRU, RNN                        LSTM, GRU (linear_before_reset <-> reset_after),
//                                         SimpleRNN; bidirectional -> Bidirectional (merge mode
//                                         from the Concat / Add / Mul after it); reverse or a
//                                         time-reversing Slice -> go_backwards; Y / Y_h / Y_c read
//                                         -> return_sequences / return_state; the Squeeze, Gather,
//                                         Expand, ConstantOfShape PyTorch and Tessel write around
//                                         them (engine/io/onnx/ImportRecurrentOps.cpp has the
//                                         gate order and bias mapping)
//   Cast + Gather(table, ids)             Embedding
// Layouts: every ONNX tensor is a Keras tensor seen either as is or channels-first. A graph input
// of rank >= 3 is NCHW when it reaches a Conv / pool / BatchNormalization through elementwise ops,
// NHWC when it reaches our exporter's Transpose to channels-first. Conv kernels are relaid
// (O, I, kh, kw) -> (kh, kw, I, O); a Flatten of channels-first features becomes Flatten of the
// NHWC tensor and the following Dense's kernel rows are permuted so the outputs are the same.
//
// Errors (tessel::Error, nothing returned): a file that is not an ONNX model, an opset outside
// 9-17, every unsupported operator listed with its node name, several graph inputs of unknown
// layout, weights that are missing or not float32.
#include <string>
#include <vector>

#include "engine/io/TfjsModel.h"  // ModelFile

namespace tessel {

inline constexpr int kOnnxImportMinOpset = 9;
inline constexpr int kOnnxImportMaxOpset = 17;

// True for a path ending in ".onnx" (any case).
bool isOnnxPath(const std::string& path);

// The model in `bytes` (a serialized ModelProto). `name` is the Keras model name when the graph
// has none. The weights are in Keras model.weights order; trainingConfig stays null.
ModelFile onnxModelFromBytes(const std::string& bytes, const std::string& name = "model");
// The same from a file (the model name defaults to the graph's name, else the file's stem).
ModelFile readOnnxModel(const std::string& path);

}  // namespace tessel
