#pragma once
// The layers' ONNX hooks (LayerInfo::onnx), one file per layer family. The layer registration
// files (engine/layers/*Layers.cpp) attach them to the catalog entries; the exporter
// (engine/io/OnnxExport.cpp) only walks the graph and calls them.
//   write:       writes the node (OnnxGraphBuilder), recording its output tensor in one layout.
//   unsupported: why this config has no ONNX form here ("" when it has one).
// Only declarations: the registration files include this without the protobuf headers.
#include <string>

namespace tessel {
class OnnxGraphBuilder;  // engine/io/onnx/OnnxGraphBuilder.h
struct OnnxNode;
}  // namespace tessel

namespace tessel::onnxexport {

// OnnxCoreLayers.cpp
void identity(OnnxGraphBuilder& b, const OnnxNode& n);  // keeps the input's layout
void dense(OnnxGraphBuilder& b, const OnnxNode& n);
void activation(OnnxGraphBuilder& b, const OnnxNode& n);
void relu(OnnxGraphBuilder& b, const OnnxNode& n);  // ReLU layer: Relu, Clip, LeakyRelu
std::string reluUnsupported(const OnnxNode& n);

// OnnxMergeLayers.cpp
void add(OnnxGraphBuilder& b, const OnnxNode& n);
void subtract(OnnxGraphBuilder& b, const OnnxNode& n);
void multiply(OnnxGraphBuilder& b, const OnnxNode& n);
void average(OnnxGraphBuilder& b, const OnnxNode& n);
void maximum(OnnxGraphBuilder& b, const OnnxNode& n);
void minimum(OnnxGraphBuilder& b, const OnnxNode& n);
void concatenate(OnnxGraphBuilder& b, const OnnxNode& n);

// OnnxConvLayers.cpp: Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose.
void convolution(OnnxGraphBuilder& b, const OnnxNode& n);
std::string convolutionUnsupported(const OnnxNode& n);
std::string convolutionTransposeUnsupported(const OnnxNode& n);

// OnnxPoolingLayers.cpp
void pooling(OnnxGraphBuilder& b, const OnnxNode& n);        // {Max,Average}Pooling{1,2}D
void globalPooling(OnnxGraphBuilder& b, const OnnxNode& n);  // Global{Average,Max}Pooling{1,2}D

// OnnxNormLayers.cpp
void batchNormalization(OnnxGraphBuilder& b, const OnnxNode& n);
std::string batchNormalizationUnsupported(const OnnxNode& n);
void layerNormalization(OnnxGraphBuilder& b, const OnnxNode& n);
std::string layerNormalizationUnsupported(const OnnxNode& n);

// OnnxReshapingLayers.cpp
void flatten(OnnxGraphBuilder& b, const OnnxNode& n);
void reshape(OnnxGraphBuilder& b, const OnnxNode& n);
void zeroPadding2D(OnnxGraphBuilder& b, const OnnxNode& n);
void cropping2D(OnnxGraphBuilder& b, const OnnxNode& n);
void upSampling2D(OnnxGraphBuilder& b, const OnnxNode& n);
std::string upSampling2DUnsupported(const OnnxNode& n);

// OnnxPreprocessingLayers.cpp
void rescaling(OnnxGraphBuilder& b, const OnnxNode& n);
void normalization(OnnxGraphBuilder& b, const OnnxNode& n);

// OnnxAttentionLayers.cpp
void repeatVector(OnnxGraphBuilder& b, const OnnxNode& n);
void permute(OnnxGraphBuilder& b, const OnnxNode& n);
void timeDistributed(OnnxGraphBuilder& b, const OnnxNode& n);
std::string timeDistributedUnsupported(const OnnxNode& n);
void attention(OnnxGraphBuilder& b, const OnnxNode& n);
std::string attentionUnsupported(const OnnxNode& n);
void multiHeadAttention(OnnxGraphBuilder& b, const OnnxNode& n);
std::string multiHeadAttentionUnsupported(const OnnxNode& n);

// OnnxRecurrentLayers.cpp: SimpleRNN, LSTM, GRU (recurrent), Bidirectional, Embedding.
void recurrent(OnnxGraphBuilder& b, const OnnxNode& n);
void bidirectional(OnnxGraphBuilder& b, const OnnxNode& n);
std::string recurrentUnsupported(const OnnxNode& n);
void embedding(OnnxGraphBuilder& b, const OnnxNode& n);
std::string embeddingUnsupported(const OnnxNode& n);

}  // namespace tessel::onnxexport
