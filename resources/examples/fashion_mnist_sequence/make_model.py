#!/usr/bin/env python3
"""Writes model.json of the Fashion-MNIST sequence reader example (TF.js layers-model format, no
weights): strips of 1..4 Fashion-MNIST items side by side (28 x 112, data kind
fashion_mnist_sequence) read into 22 time steps by a small conv trunk, a Bidirectional GRU,
Dense logits over blank + 10 classes, trained with Keras 3's CTC loss (class 0 = blank, labels padded with 0). The committed
file was made with:  python3 make_model.py model.json
"""
import json, sys
out = sys.argv[1]
def init():
    return {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
def node(name, cls, config, inbound):
    config = dict(config); config["name"] = name
    if cls != "InputLayer": config["trainable"] = True
    return {"name": name, "class_name": cls, "config": config,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}
def conv(name, filters, kernel, strides, padding, inb):
    return node(name, "Conv2D", {"filters": filters, "kernel_initializer": init(), "kernel_regularizer": None,
        "kernel_constraint": None, "kernel_size": kernel, "strides": strides, "padding": padding,
        "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "bias_regularizer": None,
        "activity_regularizer": None, "bias_constraint": None}, [inb])
def dense(name, units, act, inb):
    return node(name, "Dense", {"units": units, "activation": act, "use_bias": True, "kernel_initializer": init(),
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}, [inb])
layers = [
    node("strip", "InputLayer", {"batch_input_shape": [None, 28, 112, 1], "dtype": "float32", "sparse": False}, []),
    conv("conv2d", 32, [3, 3], [1, 1], "same", "strip"),
    node("max_pooling2d", "MaxPooling2D", {"pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
         "data_format": "channels_last"}, ["conv2d"]),
    # The whole 14-pixel height, 14 columns (one item) wide, every 2 columns: (1, 22, 64).
    conv("conv2d_1", 64, [14, 14], [1, 2], "valid", "max_pooling2d"),
    node("reshape", "Reshape", {"target_shape": [22, 64]}, ["conv2d_1"]),
    dense("dense", 64, "relu", "reshape"),
    # Bidirectional GRU over the 22 steps (Keras 2 defaults: reset_after=True, sigmoid recurrent
    # activation): each step's logits see the whole strip.
    node("bidirectional", "Bidirectional", {"merge_mode": "concat", "layer": {"class_name": "GRU", "config": {
        "name": "gru", "trainable": True, "units": 32, "activation": "tanh", "recurrent_activation": "sigmoid",
        "use_bias": True, "kernel_initializer": init(),
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1, "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None, "dropout": 0,
        "recurrent_dropout": 0, "return_sequences": True, "return_state": False, "go_backwards": False,
        "stateful": False, "unroll": False, "reset_after": True}}}, ["dense"]),
    dense("labels", 11, "linear", "bidirectional"),
]
topo = {"class_name": "Model", "config": {"name": "fashion_mnist_sequence", "layers": layers,
        "input_layers": [["strip", 0, 0]], "output_layers": [["labels", 0, 0]]},
        "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
tc = {"loss": {"class_name": "CTC", "config": {"name": "ctc", "reduction": "sum_over_batch_size"}},
      "metrics": [], "weighted_metrics": None, "loss_weights": None,
      "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
doc = {"format": "layers-model",
       "generatedBy": "Tessel Studio: the Fashion-MNIST sequence reader example (conv trunk + CTC)",
       "convertedBy": None, "modelTopology": topo, "trainingConfig": tc}
json.dump(doc, open(out, "w"), indent=1)
