#!/usr/bin/env python3
"""Writes model.json of the dates_seq2seq example (TF.js layers-model format, no weights): an
encoder-decoder with attention (the seed's chapter 10, machine translation) reading human-written
dates character by character and writing ISO dates (data kind "text", source "pairs": dates.tsv,
made by make_dates.py):
  encoder: source ids (None, 32) -> TextVectorization (character split, adapted on the training
           split) -> Embedding(40, 16) -> LSTM(64, return_sequences)              (None, 32, 64)
  decoder: target ids shifted right, "[start]" first (None, 11), teacher forcing ->
           Embedding(16, 16) -> LSTM(64, return_sequences)                        (None, 11, 64)
  Attention()([decoder, encoder]) (Luong dot scores) -> Concatenate([decoder, context]) ->
  Dense(16, softmax) over the target characters                                   (None, 11, 16)
The decoder starts from zero states and reads the source through the attention alone (no
return_state / initial states). Both embeddings have mask_zero=True (Keras 2 semantics): the
encoder LSTM skips the source's padding and the attention gives padded source characters no
weight (the value mask); the decoder's input has no padding in training (start + 10
characters). Sparse categorical cross-entropy per character, token accuracy, Adam(3e-3). The committed file was made with:  python3 make_model.py model.json
"""
import json, sys
out = sys.argv[1]
SRC_LEN, TGT_LEN, SRC_TOKENS, TGT_TOKENS, EMBED, UNITS = 32, 11, 40, 16, 16, 64

def glorot():
    return {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
def zeros():
    return {"class_name": "Zeros", "config": {}}
def node(name, cls, config, inbound):
    config = dict(config); config["name"] = name
    if cls != "InputLayer": config["trainable"] = True
    return {"name": name, "class_name": cls, "config": config,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}
def embedding(name, tokens, inb):
    return node(name, "Embedding", {"input_dim": tokens, "output_dim": EMBED,
         "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
         "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
         "mask_zero": True, "input_length": None}, [inb])
def lstm(name, inb):
    return node(name, "LSTM", {"units": UNITS, "activation": "tanh", "recurrent_activation": "sigmoid",
        "use_bias": True, "kernel_initializer": glorot(),
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1, "seed": None}},
        "bias_initializer": zeros(), "unit_forget_bias": True, "kernel_regularizer": None,
        "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None, "dropout": 0,
        "recurrent_dropout": 0, "return_sequences": True, "return_state": False, "go_backwards": False,
        "stateful": False, "unroll": False}, [inb])
layers = [
    node("source", "InputLayer", {"batch_input_shape": [None, SRC_LEN], "dtype": "float32", "sparse": False}, []),
    node("target_in", "InputLayer", {"batch_input_shape": [None, TGT_LEN], "dtype": "float32", "sparse": False}, []),
    node("text_vectorization", "TextVectorization", {
        "max_tokens": SRC_TOKENS, "standardize": "lower", "split": "character", "ngrams": None,
        "output_mode": "int", "output_sequence_length": SRC_LEN, "pad_to_max_tokens": False,
        "vocabulary": None}, ["source"]),
    embedding("encoder_embedding", SRC_TOKENS, "text_vectorization"),
    lstm("encoder", "encoder_embedding"),
    embedding("decoder_embedding", TGT_TOKENS, "target_in"),
    lstm("decoder", "decoder_embedding"),
    node("attention", "Attention", {"use_scale": False, "score_mode": "dot", "dropout": 0.0}, ["decoder", "encoder"]),
    node("concatenate", "Concatenate", {"axis": -1}, ["decoder", "attention"]),
    node("characters", "Dense", {"units": TGT_TOKENS, "activation": "softmax", "use_bias": True,
         "kernel_initializer": glorot(), "bias_initializer": zeros(), "kernel_regularizer": None,
         "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
         "bias_constraint": None}, ["concatenate"]),
]
topo = {"class_name": "Model", "config": {"name": "dates_seq2seq", "layers": layers,
        "input_layers": [["source", 0, 0], ["target_in", 0, 0]], "output_layers": [["characters", 0, 0]]},
        "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
tc = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
      "loss_weights": None,
      "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.003, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
doc = {"format": "layers-model",
       "generatedBy": "Tessel Studio: the dates seq2seq example (encoder-decoder LSTMs with attention, character level)",
       "convertedBy": None, "modelTopology": topo, "trainingConfig": tc}
json.dump(doc, open(out, "w"), indent=1)
