#!/usr/bin/env python3
"""Writes model.json of the Fashion-MNIST localization example (TF.js layers-model format, no
weights: Tessel initialises them as Keras would). The committed file was made with:
  python3 make_model.py model.json '{"filters":[16,32,64,128],"dense":128,"box_dense":64,"box_weight":50,"schedule":{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.001,"decay_steps":1719,"decay_rate":0.5,"staircase":false}}}'
"""
import json, sys
out = sys.argv[1]
cfg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
filters = cfg.get("filters", [16, 32, 64, 64])
dense = cfg.get("dense", 128)
box_w = cfg.get("box_weight", 10.0)
lr = cfg.get("lr", 0.001)
box_loss = cfg.get("box_loss", "mean_squared_error")
def init():
    return {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
def node(name, cls, config, inbound):
    config = dict(config); config["name"] = name
    if cls != "InputLayer": config["trainable"] = True
    return {"name": name, "class_name": cls, "config": config,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}
layers = [node("image", "InputLayer", {"batch_input_shape": [None, 64, 64, 1], "dtype": "float32", "sparse": False}, [])]
prev = "image"
for k, f in enumerate(filters):
    cname = "conv2d" if k == 0 else f"conv2d_{k}"
    layers.append(node(cname, "Conv2D", {"filters": f, "kernel_initializer": init(), "kernel_regularizer": None,
        "kernel_constraint": None, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
        "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "bias_regularizer": None,
        "activity_regularizer": None, "bias_constraint": None}, [prev]))
    pname = "max_pooling2d" if k == 0 else f"max_pooling2d_{k}"
    layers.append(node(pname, "MaxPooling2D", {"pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
        "data_format": "channels_last"}, [cname]))
    prev = pname
layers.append(node("flatten", "Flatten", {}, [prev]))
def densel(name, units, act, inb):
    return node(name, "Dense", {"units": units, "activation": act, "use_bias": True, "kernel_initializer": init(),
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}, [inb])
box_dense = cfg.get("box_dense", 0)
layers.append(densel("dense", dense, "relu", "flatten"))
layers.append(densel("class", 10, "softmax", "dense"))
if box_dense:
    layers.append(densel("dense_1", box_dense, "relu", "flatten"))
    layers.append(densel("box", 4, "sigmoid", "dense_1"))
else:
    layers.append(densel("box", 4, "sigmoid", "dense"))
topo = {"class_name": "Model", "config": {"name": "fashion_mnist_localization", "layers": layers,
        "input_layers": [["image", 0, 0]], "output_layers": [["class", 0, 0], ["box", 0, 0]]},
        "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
tc = {"loss": {"class": "sparse_categorical_crossentropy", "box": box_loss},
      "metrics": {"class": ["accuracy"], "box": ["box_iou"]},
      "weighted_metrics": None,
      "loss_weights": {"class": 1.0, "box": box_w},
      "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": cfg.get("schedule", lr), "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
doc = {"format": "layers-model",
       "generatedBy": "Tessel Studio: the Fashion-MNIST localization example (two heads on a shared conv trunk)",
       "convertedBy": None, "modelTopology": topo, "trainingConfig": tc}
json.dump(doc, open(out, "w"), indent=1)
