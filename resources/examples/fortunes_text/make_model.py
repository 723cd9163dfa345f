#!/usr/bin/env python3
"""Writes model.json of the fortunes text classifier example (TF.js layers-model format, no
weights): the Debian `fortunes` package's five default categories (data kind "text", data.json)
read as 64 token ids by TextVectorization (max_tokens 10000, adapted on the training split by the
data stage), Embedding(10000, 32, mask_zero=True) -> Bidirectional(LSTM(32)) -> Dense(5, softmax),
sparse categorical cross-entropy, Adam(1e-3) -- the seed's chapter 07 text classifier.
The committed file was made with:  python3 make_model.py model.json
"""
import json, sys
out = sys.argv[1]
MAX_TOKENS, LENGTH, EMBED, UNITS, CLASSES = 10000, 64, 32, 32, 5

def glorot():
    return {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
def zeros():
    return {"class_name": "Zeros", "config": {}}
def node(name, cls, config, inbound):
    config = dict(config); config["name"] = name
    if cls != "InputLayer": config["trainable"] = True
    return {"name": name, "class_name": cls, "config": config,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}
lstm = {"class_name": "LSTM", "config": {
    "name": "lstm", "trainable": True, "units": UNITS, "activation": "tanh", "recurrent_activation": "sigmoid",
    "use_bias": True, "kernel_initializer": glorot(),
    "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1, "seed": None}},
    "bias_initializer": zeros(), "unit_forget_bias": True, "kernel_regularizer": None,
    "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
    "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None, "dropout": 0,
    "recurrent_dropout": 0, "return_sequences": False, "return_state": False, "go_backwards": False,
    "stateful": False, "unroll": False}}
layers = [
    node("text", "InputLayer", {"batch_input_shape": [None, LENGTH], "dtype": "float32", "sparse": False}, []),
    node("text_vectorization", "TextVectorization", {
        "max_tokens": MAX_TOKENS, "standardize": "lower_and_strip_punctuation", "split": "whitespace",
        "ngrams": None, "output_mode": "int", "output_sequence_length": LENGTH, "pad_to_max_tokens": False,
        "vocabulary": None}, ["text"]),
    node("embedding", "Embedding", {"input_dim": MAX_TOKENS, "output_dim": EMBED,
         "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
         "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
         "mask_zero": True, "input_length": None}, ["text_vectorization"]),
    node("bidirectional", "Bidirectional", {"merge_mode": "concat", "layer": lstm}, ["embedding"]),
    node("category", "Dense", {"units": CLASSES, "activation": "softmax", "use_bias": True,
         "kernel_initializer": glorot(), "bias_initializer": zeros(), "kernel_regularizer": None,
         "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
         "bias_constraint": None}, ["bidirectional"]),
]
topo = {"class_name": "Model", "config": {"name": "fortunes_text", "layers": layers,
        "input_layers": [["text", 0, 0]], "output_layers": [["category", 0, 0]]},
        "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
tc = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
      "loss_weights": None,
      "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
doc = {"format": "layers-model",
       "generatedBy": "Tessel Studio: the fortunes text classifier example (TextVectorization -> Embedding -> Bidirectional(LSTM) -> Dense)",
       "convertedBy": None, "modelTopology": topo, "trainingConfig": tc}
json.dump(doc, open(out, "w"), indent=1)
