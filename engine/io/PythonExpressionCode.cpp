#include "engine/io/PythonExpressionCode.h"

#include <cctype>

#include "engine/core/Error.h"
#include "engine/expr/ExprLexer.h"
#include "engine/io/PythonExport.h"

namespace tessel {

using json = nlohmann::json;

std::string renameExpressionNames(const std::string& text,
                                  const std::map<std::string, std::string>& renames) {
  const std::vector<ExprToken> toks = tokenizeExpression(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    const ExprToken& t = toks[i];
    if (t.kind != ExprToken::Name) continue;
    const bool attribute = i > 0 && toks[i - 1].kind == ExprToken::Op && toks[i - 1].text == ".";
    const bool keyword =
        i + 1 < toks.size() && toks[i + 1].kind == ExprToken::Op && toks[i + 1].text == "=";
    auto it = renames.find(t.text);
    if (attribute || keyword || it == renames.end()) continue;
    out += text.substr(copied, size_t(t.position) - copied) + it->second;
    copied = size_t(t.position) + t.text.size();
  }
  return out + text.substr(copied);
}

namespace {

bool startsWithLambda(const std::string& text) {
  const std::vector<ExprToken> toks = tokenizeExpression(text);
  return !toks.empty() && toks[0].kind == ExprToken::Name && toks[0].text == "lambda";
}

// Params called as functions are activations: self.<p> = keras.activations.get(<p>).
bool calledAsFunction(const std::string& text, const std::string& name) {
  const std::vector<ExprToken> toks = tokenizeExpression(text);
  for (size_t i = 0; i + 1 < toks.size(); ++i)
    if (toks[i].kind == ExprToken::Name && toks[i].text == name && toks[i + 1].text == "(" &&
        (i == 0 || toks[i - 1].text != "."))
      return true;
  return false;
}

}  // namespace

std::string pythonLambdaCall(const json& config, const std::string& name) {
  std::string expr = config.at("expression").get<std::string>();
  const json args = config.value("arguments", json::object());
  std::string params = "x";
  for (auto it = args.begin(); it != args.end(); ++it) params += ", " + it.key();
  if (!startsWithLambda(expr))
    expr = "lambda " + params + ": " + renameExpressionNames(expr, {{"inputs", "x"}});
  std::string s = "layers.Lambda(" + expr;
  if (!args.empty()) s += ", arguments=" + pythonLiteral(args);
  return s + ", name=" + pythonLiteral(json(name)) + ")";
}

// Long by design: the class is written line by line, as a person would.
std::string pythonCustomLayerClass(const json& config) {
  const std::string cls = pythonIdentifier(config.at("custom_class").get<std::string>());
  const json params = config.value("params", json::object());
  const json weights = config.value("weights", json::array());
  const std::string call = config.at("call").get<std::string>();
  std::map<std::string, std::string> self;
  for (auto it = params.begin(); it != params.end(); ++it) self[it.key()] = "self." + it.key();
  for (const json& w : weights) {
    const std::string n = w.at("name").get<std::string>();
    self[n] = "self." + n;
  }
  std::string s = "class " + cls + "(keras.layers.Layer):\n";
  s += "    def __init__(self";
  for (auto it = params.begin(); it != params.end(); ++it)
    s += ", " + it.key() + "=" + pythonLiteral(it.value());
  s += ", **kwargs):\n        super().__init__(**kwargs)\n";
  for (auto it = params.begin(); it != params.end(); ++it) {
    const bool act =
        (it.value().is_string() || it.value().is_null()) && calledAsFunction(call, it.key());
    s += "        self." + it.key() + " = " +
         (act ? "keras.activations.get(" + it.key() + ")" : it.key()) + "\n";
  }
  s += "\n    def build(self, input_shape):\n";
  for (const json& w : weights) {
    std::string shape = "(";
    size_t k = 0;
    for (const json& d : w.at("shape")) {
      shape += (k++ ? ", " : "") +
               (d.is_string() ? renameExpressionNames(d.get<std::string>(), self) : d.dump());
    }
    shape += k == 1 ? ",)" : ")";
    const json init = w.value("initializer", json("glorot_uniform"));
    s += "        self." + w.at("name").get<std::string>() +
         " = self.add_weight(name=" + pythonLiteral(w.at("name")) + ", shape=" + shape +
         ", initializer=" +
         (init.is_string() ? pythonLiteral(init)
                           : "keras.initializers.get(" + pythonLiteral(init) + ")") +
         ", trainable=" + (w.value("trainable", true) ? "True" : "False") + ")\n";
  }
  s += "        super().build(input_shape)\n\n";
  s += "    def call(self, x):\n        return " +
       renameExpressionNames(call,
                             [&] {
                               auto r = self;
                               r["inputs"] = "x";
                               return r;
                             }()) +
       "\n\n";
  s += "    def get_config(self):\n        config = super().get_config()\n";
  for (auto it = params.begin(); it != params.end(); ++it) {
    const bool act =
        (it.value().is_string() || it.value().is_null()) && calledAsFunction(call, it.key());
    s += "        config[" + pythonLiteral(json(it.key())) + "] = " +
         (act ? "keras.activations.serialize(self." + it.key() + ")" : "self." + it.key()) + "\n";
  }
  return s + "        return config\n";
}

std::string pythonCustomLayerCall(const json& config, const std::string& name) {
  std::string s = pythonIdentifier(config.at("custom_class").get<std::string>()) + "(";
  const json params = config.value("params", json::object());
  for (auto it = params.begin(); it != params.end(); ++it)
    s += it.key() + "=" + pythonLiteral(it.value()) + ", ";
  return s + "name=" + pythonLiteral(json(name)) + ")";
}

namespace {

bool readsSampleWeight(const std::vector<ExprToken>& toks) {
  for (size_t i = 0; i < toks.size(); ++i)
    if (toks[i].kind == ExprToken::Name && toks[i].text == "sample_weight" &&
        (i == 0 || toks[i - 1].text != "."))
      return true;
  return false;
}

// "customized_weighted_mse", "Loss" -> "CustomizedWeightedMseLoss".
std::string pythonClassName(const std::string& function, const std::string& suffix) {
  std::string out;
  bool up = true;
  for (char c : function) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "Custom" + out;
  return out + suffix;
}

}  // namespace

std::string pythonLossFunction(const std::string& function, const std::string& expression,
                               bool metric) {
  const std::vector<ExprToken> toks = tokenizeExpression(expression);
  const bool isLambda =
      !toks.empty() && toks[0].kind == ExprToken::Name && toks[0].text == "lambda";
  if (!readsSampleWeight(toks)) {
    if (isLambda) return function + " = " + expression + "\n";
    return "def " + function + "(y_true, y_pred):\n    return " + expression + "\n";
  }
  if (metric) {
    // Keras gives a metric function only (y_true, y_pred), and sample weights only to
    // Metric.update_state: the metric is a keras.metrics.Mean whose update_state computes the
    // expression with the weights, reduces it to one value per sample (the mean over the other
    // axes; a scalar counts for every sample) and hands those to Mean with the same weights,
    // which is Tessel's ExpressionMetric (MeanMetricWrapper: sum(w * v) / sum(w) since reset).
    const std::string value =
        isLambda ? "(" + expression + ")(y_true, y_pred, sample_weight)" : expression;
    const std::string cls = pythonClassName(function, "Metric");
    return "class " + cls +
           "(keras.metrics.Mean):\n"
           "    \"\"\"Custom metric '" +
           function +
           "': reads sample_weight, which Keras passes only to "
           "Metric.update_state.\"\"\"\n\n"
           "    def update_state(self, y_true, y_pred, sample_weight=None):\n"
           "        weights = sample_weight\n"
           "        y_true = tf.cast(y_true, y_pred.dtype)\n"
           "        if sample_weight is None:\n"
           "            sample_weight = tf.ones(tf.shape(y_pred)[:1], dtype=y_pred.dtype)\n"
           "        else:\n"
           "            sample_weight = tf.reshape(tf.cast(sample_weight, y_pred.dtype), [-1])\n"
           "        values = tf.convert_to_tensor(" +
           value +
           ", dtype=y_pred.dtype)\n"
           "        if values.shape.rank == 0:\n"
           "            values = tf.fill(tf.shape(y_pred)[:1], values)\n"
           "        elif values.shape.rank > 1:\n"
           "            values = tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), "
           "axis=1)\n"
           "        return super().update_state(values, sample_weight=weights)\n\n\n" +
           function + " = " + cls + "(name=\"" + function + "\")\n";
  }
  // Keras hands sample_weight to Loss.__call__ (never to a loss function or to Loss.call), so the
  // loss is a keras.losses.Loss whose __call__ computes the expression with the weights, then
  // reduces as Tessel does: per-sample values averaged over the other axes, then the batch mean
  // (sum_over_batch_size); a scalar expression is the batch value itself.
  const std::string value =
      isLambda ? "(" + expression + ")(y_true, y_pred, sample_weight)" : expression;
  const std::string cls = pythonClassName(function, "Loss");
  return "class " + cls +
         "(keras.losses.Loss):\n"
         "    \"\"\"Custom loss '" +
         function +
         "': reads sample_weight, which Keras passes only to "
         "Loss.__call__.\"\"\"\n\n"
         "    def __call__(self, y_true, y_pred, sample_weight=None):\n"
         "        y_true = tf.cast(y_true, y_pred.dtype)\n"
         "        if sample_weight is None:\n"
         "            sample_weight = tf.ones(tf.shape(y_pred)[:1], dtype=y_pred.dtype)\n"
         "        else:\n"
         "            sample_weight = tf.reshape(tf.cast(sample_weight, y_pred.dtype), [-1])\n"
         "        return tf.reduce_mean(" +
         value + ")\n\n\n" + function + " = " + cls + "(name=\"" + function + "\")\n";
}

}  // namespace tessel
