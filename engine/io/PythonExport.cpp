#include "engine/io/PythonExport.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "engine/catalog/OptimizerCatalog.h"
#include "engine/core/Error.h"
#include "engine/io/PythonExpressionCode.h"
#include "engine/layers/LayerRegistry.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0.0.0"
#endif

namespace tessel {

namespace {

const std::set<std::string>& reservedNames() {
  static const std::set<std::string> names = {
      "False",   "None",        "True",      "and",      "as",        "assert",  "async",  "await",
      "break",   "class",       "continue",  "def",      "del",       "elif",    "else",   "except",
      "finally", "for",         "from",      "global",   "if",        "import",  "in",     "is",
      "lambda",  "nonlocal",    "not",       "or",       "pass",      "raise",   "return", "try",
      "while",   "with",        "yield",     "keras",    "layers",    "tf",      "np",     "model",
      "main",    "build_model", "load_data", "strategy", "callbacks", "history", "os"};
  return names;
}

// Keras 2 -> Python: tuples for shapes and sizes read better than lists.
std::string tupleLiteral(const json& v) {
  if (!v.is_array()) return pythonLiteral(v);
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + pythonLiteral(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

// TF.js writes Glorot uniform as VarianceScaling(1, fan_avg, uniform): the Keras name is shorter.
json canonicalInitializer(const json& v) {
  if (!v.is_object() || !v.contains("class_name")) return v;
  json cfg = v.value("config", json::object());
  if (v["class_name"] == "VarianceScaling" && cfg.value("scale", 1.0) == 1.0 &&
      cfg.value("mode", std::string()) == "fan_avg" &&
      cfg.value("distribution", std::string()) == "uniform" &&
      (!cfg.contains("seed") || cfg["seed"].is_null()))
    return {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}};
  return v;
}

std::string kwargs(const json& cfg) {
  std::string s;
  for (auto it = cfg.begin(); it != cfg.end(); ++it)
    s += (s.empty() ? "" : ", ") + it.key() + "=" + pythonLiteral(it.value());
  return s;
}

// A Keras object {"class_name", "config"} as `keras.<module>.<Class>(...)`, or its snake_case
// name when its config is empty or only a null seed.
std::string kerasObject(const json& v, const char* module) {
  if (!v.is_object() || !v.contains("class_name")) return pythonLiteral(v);
  std::string cls = v["class_name"];
  json cfg = v.value("config", json::object());
  if (cfg.is_object() && cfg.contains("seed") && cfg["seed"].is_null()) cfg.erase("seed");
  if (cfg.empty() && std::string(module) != "regularizers")
    return pythonLiteral(ModelSpec::defaultBaseName(cls));
  return std::string("keras.") + module + "." + cls + "(" + kwargs(cfg) + ")";
}

std::string endsWithKey(const std::string& key) {
  for (const char* tail : {"_initializer", "_regularizer", "_constraint"}) {
    std::string t = tail;
    if (key.size() > t.size() && key.compare(key.size() - t.size(), t.size(), t) == 0) return t;
  }
  return {};
}

std::string layerCall(const NodeSpec& n, const LayerInfo* info);

std::string argument(const std::string& key, const json& value) {
  // A wrapped layer (Bidirectional's, TimeDistributed's `layer`): its own constructor call.
  if (key == "layer" && value.is_object() && value.contains("class_name") &&
      value["class_name"].is_string()) {
    NodeSpec inner;
    inner.className = value["class_name"];
    inner.config = value.value("config", json::object());
    inner.name = inner.config.value("name", ModelSpec::defaultBaseName(inner.className));
    return layerCall(inner, LayerRegistry::instance().find(inner.className));
  }
  std::string kind = endsWithKey(key);
  if (kind == "_initializer") return kerasObject(canonicalInitializer(value), "initializers");
  if (kind == "_regularizer") return kerasObject(value, "regularizers");
  if (kind == "_constraint") return kerasObject(value, "constraints");
  if (value.is_array() && (key == "kernel_size" || key == "strides" || key == "pool_size" ||
                           key == "dilation_rate" || key == "size" || key == "target_shape" ||
                           key == "padding" || key == "cropping" || key == "noise_shape"))
    return tupleLiteral(value);
  return pythonLiteral(value);
}

// An int or a list of ints as a list.
std::vector<long long> intsOf(const json& v) {
  std::vector<long long> out;
  if (v.is_number_integer()) out.push_back(v.get<long long>());
  if (v.is_array())
    for (const auto& e : v)
      if (e.is_number_integer()) out.push_back(e.get<long long>());
  return out;
}

std::string layerCall(const NodeSpec& n, const LayerInfo* info) {
  json cfg = n.config.is_object() ? n.config : json::object();
  if (info && info->pythonCall) return info->pythonCall(cfg, n.name);
  std::vector<std::string> args;
  const std::vector<std::string> positional =
      info ? info->pythonPositional : std::vector<std::string>{};
  std::vector<std::string> done;  // positional arguments stop at the first one missing
  for (const auto& key : positional) {
    if (!cfg.contains(key)) break;
    args.push_back(argument(key, cfg[key]));
    done.push_back(key);
  }
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    const std::string& key = it.key();
    if (info && std::find(info->callArguments.begin(), info->callArguments.end(), key) !=
                    info->callArguments.end())
      continue;  // passed to the call (callArguments of writeBuildModel)
    if (std::find(done.begin(), done.end(), key) != done.end() || key == "name" ||
        key == "batch_input_shape" || key == "input_shape" || key == "batch_size" ||
        key == "input_dim" || key == "batch_shape")
      continue;
    // Pooling strides default to the pool size (TF.js writes them out).
    if (key == "strides" && cfg.contains("pool_size") &&
        intsOf(it.value()) == intsOf(cfg["pool_size"]))
      continue;
    if (key == "trainable" && it.value() == true) continue;
    if (key == "dtype" && (it.value() == "float32" || it.value().is_null())) continue;
    if (info) {
      bool isDefault = false;
      for (const auto& p : info->params) {
        if (p.key != key) continue;
        json value =
            p.type == ParamType::Initializer ? canonicalInitializer(it.value()) : it.value();
        json def = p.type == ParamType::Initializer ? canonicalInitializer(p.defaultValue)
                                                    : p.defaultValue;
        isDefault = value == def || (value.is_number() && def.is_number() &&
                                     value.get<double>() == def.get<double>());
      }
      if (isDefault) continue;
    }
    args.push_back(key + "=" + argument(key, it.value()));
  }
  args.push_back("name=" + pythonLiteral(n.name));
  std::string s = "layers." + n.className + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

std::string listOrOne(const std::vector<std::string>& names) {
  if (names.size() == 1) return names[0];
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s + "]";
}

// Keras optimizer constructor from a training_config optimizer_config (Keras 2 or TF.js keys).
std::string optimizerCode(const json& opt) {
  if (opt.is_string()) return pythonLiteral(opt);
  if (!opt.is_object() || !opt.contains("class_name")) return "\"rmsprop\"";
  std::string cls = opt["class_name"];
  json cfg = opt.value("config", json::object());
  // The constructor arguments are the catalog entry's params (learning_rate only for an
  // optimizer the engine does not know).
  const OptimizerEntry* entry = optimizerCatalog().find(cls);
  if (entry) cls = entry->className;
  auto keep = [&](const std::string& key) {
    return entry ? entry->param(key) != nullptr : key == "learning_rate";
  };
  json out = json::object();
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    std::string key = it.key();
    if (key == "beta1") key = "beta_1";  // TF.js spelling
    if (key == "beta2") key = "beta_2";
    if (key == "lr") key = "learning_rate";  // Keras < 2.3
    if (keep(key)) out[key] = it.value();
  }
  std::string args;
  for (auto it = out.begin(); it != out.end(); ++it) {
    std::string value = it.value().is_object() ? "keras.optimizers.schedules.deserialize(" +
                                                     pythonLiteral(it.value()) + ")"
                                               : pythonLiteral(it.value());
    args += (args.empty() ? "" : ", ") + it.key() + "=" + value;
  }
  return "keras.optimizers." + cls + "(" + args + ")";
}

// A custom loss or metric written as an expression: its Python function's name.
bool isExpressionFunction(const json& v) {
  return v.is_object() && v.contains("class_name") &&
         (v["class_name"] == "ExpressionLoss" || v["class_name"] == "ExpressionMetric");
}

std::string expressionFunctionName(const json& v) {
  const json cfg = v.value("config", json::object());
  return pythonIdentifier(cfg.value("name", v["class_name"] == "ExpressionLoss"
                                                ? std::string("custom_loss")
                                                : std::string("custom_metric")));
}

// The CTC loss ("ctc", "CTC" or {"class_name": "CTC", ...}): written as a function (ctcFunction)
// since Keras 2 has no keras.losses.CTC. "" when v is not it.
std::string ctcFunctionName(const json& v) {
  const bool byName = v.is_string() && (v == "ctc" || v == "CTC");
  const bool byClass = v.is_object() && v.value("class_name", std::string()) == "CTC";
  if (!byName && !byClass) return "";
  const json cfg = byClass ? v.value("config", json::object()) : json::object();
  return cfg.is_object() && cfg.value("from_logits", true) ? "ctc" : "ctc_from_probabilities";
}

// Keras 3's keras.losses.CTC() with the TensorFlow backend, spelled out with tf.nn.ctc_loss so
// that tf.keras of Keras 2 runs it too (engine/losses/Ctc.h).
std::string ctcFunction(const std::string& name) {
  const bool probs = name == "ctc_from_probabilities";
  return "def " + name +
         "(y_true, y_pred):\n"
         "    \"\"\"CTC loss as Keras 3's keras.losses.CTC() (TensorFlow backend): class 0 is the "
         "blank,\n"
         "    y_true (batch, max_label_length) integer labels padded with 0, y_pred (batch, T, "
         "classes)\n    " +
         (probs ? "softmax probabilities (Keras 2 ctc_batch_cost: logits = log(p + 1e-7))."
                : "logits.") +
         "\"\"\"\n"
         "    y_true = tf.cast(y_true, \"int32\")\n"
         "    label_length = tf.reduce_sum(tf.cast(tf.not_equal(y_true, 0), \"int32\"), "
         "axis=-1)\n"
         "    logit_length = tf.fill([tf.shape(y_pred)[0]], tf.shape(y_pred)[1])\n" +
         (probs ? "    y_pred = tf.math.log(y_pred + 1e-7)\n" : "") +
         "    return tf.nn.ctc_loss(labels=y_true, logits=y_pred, label_length=label_length,\n"
         "                          logit_length=logit_length, blank_index=0, "
         "logits_time_major=False)\n";
}

void collectCtcFunctions(const json& v, std::set<std::string>& out) {
  const std::string name = ctcFunctionName(v);
  if (!name.empty())
    out.insert(name);
  else if (v.is_array() || v.is_object())
    for (const json& e : v) collectCtcFunctions(e, out);
}

// A loss or metric value: names stay strings, objects become keras.<module>.get({...}).
std::string lossOrMetric(const json& v, const char* module) {
  if (isExpressionFunction(v)) return expressionFunctionName(v);
  if (std::string(module) == "losses" && !ctcFunctionName(v).empty()) return ctcFunctionName(v);
  if (v.is_object() && v.contains("class_name"))
    return std::string("keras.") + module + ".get(" + pythonLiteral(v) + ")";
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + lossOrMetric(v[i], module);
    return s + "]";
  }
  if (v.is_object()) {
    std::string s = "{";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      s += (first ? "" : ", ") + pythonLiteral(it.key()) + ": " + lossOrMetric(it.value(), module);
      first = false;
    }
    return s + "}";
  }
  return pythonLiteral(v);
}

std::string pythonString(const std::string& s) {
  return pythonLiteral(json(s));
}

}  // namespace

std::string pythonLayerCall(const NodeSpec& node) {
  return layerCall(node, LayerRegistry::instance().find(node.className));
}

std::string pythonIdentifier(const std::string& name) {
  std::string s;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    s += ok ? c : '_';
  }
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "layer_" + s;
  if (reservedNames().count(s)) s += "_";
  return s;
}

std::string pythonLiteral(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "None";
    case json::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case json::value_t::array: {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + pythonLiteral(v[i]);
      return s + "]";
    }
    case json::value_t::object: {
      std::string s = "{";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        s += (first ? "" : ", ") + json(it.key()).dump() + ": " + pythonLiteral(it.value());
        first = false;
      }
      return s + "}";
    }
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return "float(\"nan\")";
      if (std::isinf(d)) return d > 0 ? "float(\"inf\")" : "-float(\"inf\")";
      return v.dump();
    }
    default:
      return v.dump(-1, ' ', false, json::error_handler_t::replace);  // ints and strings
  }
}

namespace {

// One Python variable per node: its name as an identifier, made unique.
std::map<std::string, std::string> variableNames(const ModelSpec& spec) {
  std::map<std::string, std::string> var;
  std::set<std::string> used;
  for (const auto& n : spec.nodes) {
    std::string v = pythonIdentifier(n.name), base = v;
    for (int i = 2; used.count(v); ++i) v = base + "_" + std::to_string(i);
    used.insert(v);
    var[n.name] = v;
  }
  return var;
}

void writeHeader(std::ostream& s, const ModelSpec& spec, const PythonExportOptions& o) {
  s << "#!/usr/bin/env python3\n"
    << "\"\"\"" << spec.name << ": a Keras training script exported by Tessel Studio "
    << TESSEL_VERSION << ".\n\n";
  if (!o.source.empty()) s << "Source: " << o.source << "\n";
  s << "Needs TensorFlow 2 (tf.keras). Run:  python3 "
    << "this_script.py\n"
    << "Training uses every GPU of this machine through tf.distribute.MirroredStrategy.\n"
    << "\"\"\"\n"
    << "import numpy as np\n"
    << "import tensorflow as tf\n"
    << "from tensorflow import keras\n"
    << "from tensorflow.keras import layers\n\n\n";
}

// Every custom loss / metric function in a training_config value.
void collectExpressionFunctions(const json& v,
                                std::map<std::string, std::pair<std::string, bool>>& out) {
  if (isExpressionFunction(v)) {
    out[expressionFunctionName(v)] = {v["config"].value("expression", std::string("0")),
                                      v["class_name"] == "ExpressionMetric"};
  } else if (v.is_array() || v.is_object()) {
    for (const json& e : v) collectExpressionFunctions(e, out);
  }
}

// Custom layer classes and custom loss / metric functions, before build_model().
void writeCustomDefinitions(std::ostream& s, const ModelSpec& spec, const json& trainingConfig) {
  const LayerRegistry& registry = LayerRegistry::instance();
  std::vector<std::string> defs;
  bool expressions = false;
  for (const auto& n : spec.nodes) {
    const LayerInfo* info = registry.find(n.className);
    if (!info) continue;
    expressions |= bool(info->pythonCall);
    if (!info->pythonDefinition) continue;
    // One definition per class (its first line): the first node's params are the defaults.
    const std::string d = info->pythonDefinition(n.config);
    const std::string head = d.substr(0, d.find('\n'));
    if (std::none_of(defs.begin(), defs.end(),
                     [&](const std::string& o) { return o.compare(0, head.size(), head) == 0; }))
      defs.push_back(d);
  }
  std::map<std::string, std::pair<std::string, bool>> functions;  // expression, is a metric
  if (trainingConfig.is_object())
    for (const char* key : {"loss", "metrics"})
      if (trainingConfig.contains(key)) collectExpressionFunctions(trainingConfig[key], functions);
  for (const auto& [name, fn] : functions)
    defs.push_back(pythonLossFunction(name, fn.first, fn.second));
  std::set<std::string> ctc;
  if (trainingConfig.is_object() && trainingConfig.contains("loss"))
    collectCtcFunctions(trainingConfig["loss"], ctc);
  for (const std::string& name : ctc) defs.push_back(ctcFunction(name));
  if (defs.empty() && !expressions) return;
  s << "from tensorflow.keras import backend as K  # noqa: E402  (K. in expressions)\n\n\n";
  for (const std::string& d : defs) s << d << "\n\n";
}

// build_model(): the Functional model, one layer per line in topological order.
void writeBuildModel(std::ostream& s, const ModelSpec& spec,
                     const std::map<std::string, std::string>& var) {
  const LayerRegistry& registry = LayerRegistry::instance();
  // A layer with several outputs (LSTM return_state) returns a list: its readers index it.
  auto tensor = [&](const std::string& producer, int k) {
    const NodeSpec* p = spec.find(producer);
    const bool several = p && nodeOutputNames(*p).size() > 1;
    return several ? var.at(producer) + "[" + std::to_string(k) + "]" : var.at(producer);
  };
  std::vector<std::string> inVars, outVars;
  for (const auto& i : spec.inputs) inVars.push_back(var.at(i));
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    outVars.push_back(tensor(spec.outputs[i], spec.outputTensor(i)));
  s << "def build_model():\n"
    << "    \"\"\"The Functional model, one layer per line.\"\"\"\n";
  for (const auto& name : topologicalOrder(spec)) {
    const NodeSpec& n = *spec.find(name);
    const std::string& v = var.at(n.name);
    if (registry.isInput(n.className)) {
      Shape shape = inputLayerShape(n);
      json dims = json::array();
      for (size_t d = 1; d < shape.size(); ++d)
        dims.push_back(shape[d] == kNone ? json() : json(shape[d]));
      s << "    " << v << " = keras.Input(shape=" << tupleLiteral(dims);
      if (shape[0] != kNone) s << ", batch_size=" << shape[0];
      s << ", name=" << pythonString(n.name) << ")\n";
      continue;
    }
    std::vector<std::string> ins;
    for (size_t i = 0; i < n.inputs.size(); ++i)
      ins.push_back(tensor(n.inputs[i], n.inputTensor(i)));
    const LayerInfo* info = registry.find(n.className);
    std::string call = layerCall(n, info);
    std::string args = listOrOne(ins);
    if (info && info->callInputsAsArguments) {  // layer(query, value, key)
      args.clear();
      for (size_t i = 0; i < ins.size(); ++i) args += (i ? ", " : "") + ins[i];
    }
    const bool recurrent = n.className == "LSTM" || n.className == "GRU" ||
                           n.className == "SimpleRNN" || n.className == "Bidirectional";
    if (recurrent && ins.size() > 1) {  // rnn(x, initial_state=[h, c])
      args = ins[0] + ", initial_state=[";
      for (size_t i = 1; i < ins.size(); ++i) args += (i > 1 ? ", " : "") + ins[i];
      args += "]";
    }
    if (info && n.config.is_object())  // Keras call arguments set in the config (true values)
      for (const std::string& key : info->callArguments)
        if (n.config.contains(key) && n.config[key] == true) args += ", " + key + "=True";
    std::string line = "    " + v + " = " + call + "(" + args + ")";
    if (line.size() > 99) {  // the arguments on a line of their own, black style
      const size_t open = call.find('(');
      line = "    " + v + " = " + call.substr(0, open + 1) + "\n        " +
             call.substr(open + 1, call.size() - open - 2) + "\n    )(" + args + ")";
    }
    s << line << "\n";
  }
  s << "    return keras.Model(inputs=" << listOrOne(inVars) << ", outputs=" << listOrOne(outVars)
    << ", name=" << pythonString(spec.name) << ")\n\n\n";
}

// load_data(): Fashion-MNIST as Tessel splits and scales it, or the .npy files of the data.
void writeLoadData(std::ostream& s, const ModelSpec& spec, const ShapeReport& report,
                   const PythonExportOptions& o) {
  const bool fashion = o.dataSet == "fashion-mnist" || o.dataSet == "fashion_mnist";
  s << "def load_data():\n";
  if (fashion) {
    const Shape& in = report.find(spec.inputs[0])->output.value();
    json dims = json::array();
    for (size_t d = 1; d < in.size(); ++d) dims.push_back(in[d]);
    s << "    \"\"\"Fashion-MNIST as Tessel uses it: the first 5000 training images for "
         "validation,\n"
      << "    pixels standardised with one mean and standard deviation of the training "
         "images.\"\"\"\n"
      << "    (x_train_full, y_train_full), (x_test, y_test) = "
         "keras.datasets.fashion_mnist.load_data()\n"
      << "    x_valid, x_train = x_train_full[:5000], x_train_full[5000:]\n"
      << "    y_valid, y_train = y_train_full[:5000], y_train_full[5000:]\n"
      << "    mean, std = x_train.astype(np.float32).mean(), x_train.astype(np.float32).std()\n"
      << "    shape = (-1,) + " << tupleLiteral(dims) << "\n"
      << "    x_train, x_valid, x_test = [((x.astype(np.float32) - mean) / std).reshape(shape)\n"
      << "                                for x in (x_train, x_valid, x_test)]\n"
      << "    return (x_train, y_train), (x_valid, y_valid), (x_test, y_test)\n\n\n";
  } else {
    std::vector<std::string> xs = o.xFiles, ys = o.yFiles;
    const bool known = !xs.empty();
    if (!known) {
      for (const auto& i : spec.inputs) xs.push_back("x_" + i + ".npy");
      for (const auto& out : spec.outputs) ys.push_back("y_" + out + ".npy");
    }
    s << "    \"\"\""
      << (known ? "The .npy arrays the model was trained on, one per model input and output."
                : "Training arrays, one per model input and output.\n\n"
                  "    Tessel knows no data set for this model: put your arrays in these files.")
      << "\"\"\"\n";
    s << "    x_train = [";
    for (size_t i = 0; i < xs.size(); ++i)
      s << (i ? ", " : "") << "np.load(" << pythonString(xs[i]) << ")";
    s << "]\n    y_train = [";
    for (size_t i = 0; i < ys.size(); ++i)
      s << (i ? ", " : "") << "np.load(" << pythonString(ys[i]) << ")";
    s << "]\n"
      << "    x_train = x_train[0] if len(x_train) == 1 else x_train\n"
      << "    y_train = y_train[0] if len(y_train) == 1 else y_train\n"
      << "    return (x_train, y_train), None, None\n\n\n";
  }
}

// main(): compile under MirroredStrategy, fit with the callbacks, evaluate on the test data.
void writeMain(std::ostream& s, const ModelSpec& spec, const json& trainingConfig,
               const PythonExportOptions& o) {
  json tc = trainingConfig.is_object() ? trainingConfig : json::object();
  json loss = tc.contains("loss") ? tc["loss"] : json("mean_squared_error");
  json optimizer = tc.contains("optimizer_config") ? tc["optimizer_config"]
                   : tc.contains("optimizer")      ? tc["optimizer"]
                                                   : json("rmsprop");
  json metrics = tc.contains("metrics") && !tc["metrics"].is_null() ? tc["metrics"] : json();

  s << "def main():\n"
    << "    strategy = tf.distribute.MirroredStrategy()\n"
    << "    print(\"replicas:\", strategy.num_replicas_in_sync)\n"
    << "    with strategy.scope():\n"
    << "        model = build_model()\n"
    << "        model.compile(\n"
    << "            optimizer=" << optimizerCode(optimizer) << ",\n"
    << "            loss=" << lossOrMetric(loss, "losses") << ",\n";
  if (!metrics.is_null() && !(metrics.is_array() && metrics.empty()))
    s << "            metrics=" << lossOrMetric(metrics, "metrics") << ",\n";
  if (tc.contains("loss_weights") && !tc["loss_weights"].is_null())
    s << "            loss_weights=" << pythonLiteral(tc["loss_weights"]) << ",\n";
  s << "        )\n"
    << "    model.summary()\n\n"
    << "    (x_train, y_train), valid, test = load_data()\n"
    << "    callbacks = [\n"
    << "        keras.callbacks.TensorBoard(log_dir=\"logs\"),\n"
    << "        keras.callbacks.ModelCheckpoint(\"" << pythonIdentifier(spec.name)
    << ".h5\", save_best_only=True),\n";
  if (o.earlyStoppingPatience >= 0)
    s << "        keras.callbacks.EarlyStopping(patience=" << o.earlyStoppingPatience
      << ", restore_best_weights=True),\n";
  if (!o.csvLog.empty())
    s << "        keras.callbacks.CSVLogger(" << pythonString(o.csvLog) << "),\n";
  s << "    ]\n"
    << "    history = model.fit(\n"
    << "        x_train,\n"
    << "        y_train,\n"
    << "        epochs=" << o.epochs << ",\n"
    << "        batch_size=" << o.batchSize << " * strategy.num_replicas_in_sync,\n";
  if (o.validationSplit > 0)
    s << "        validation_split=" << pythonLiteral(json(o.validationSplit)) << ",\n";
  else
    s << "        validation_data=valid,\n";
  s << "        callbacks=callbacks,\n"
    << "    )\n"
    << "    print({name: values[-1] for name, values in history.history.items()})\n"
    << "    if test is not None:\n"
    << "        model.evaluate(*test)\n\n\n"
    << "if __name__ == \"__main__\":\n"
    << "    main()\n";
}

}  // namespace

std::string pythonScript(const ModelSpec& spec, const json& trainingConfig,
                         const PythonExportOptions& o) {
  ShapeReport report = inferShapes(spec);
  if (!report.ok()) throw report.errors.front();
  const std::map<std::string, std::string> var = variableNames(spec);
  std::ostringstream s;
  writeHeader(s, spec, o);
  writeCustomDefinitions(s, spec, trainingConfig);
  writeBuildModel(s, spec, var);
  writeLoadData(s, spec, report, o);
  writeMain(s, spec, trainingConfig, o);
  return s.str();
}

}  // namespace tessel
