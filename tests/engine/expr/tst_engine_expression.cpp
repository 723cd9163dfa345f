// The expression language: parsing (TensorFlow names and aliases, errors with the character
// position, limits), shapes, evaluation and symbolic derivatives (first and second order),
// checked on hand-computed values and by finite differences of random compositions.
#include <QtTest>
#include <chrono>
#include <cmath>
#include <random>

#include "engine/expr/ExprError.h"
#include "engine/expr/Expression.h"

using namespace tessel;

namespace {

// Random values at least 0.05 away from the kinks of the ops under test (0, 0.1, 0.3, -0.2,
// +-1), so that finite differences do not straddle one.
Tensor randomTensor(const Shape& s, std::mt19937& rng, float lo = -2.0f, float hi = 2.0f) {
  std::uniform_real_distribution<float> u(lo, hi);
  Tensor t(s);
  const float kinks[] = {0.0f, 0.1f, 0.3f, -0.2f, 1.0f, -1.0f};
  for (Index i = 0; i < t.size(); ++i) {
    bool near = true;
    while (near) {
      t[i] = u(rng);
      near = false;
      for (float k : kinks) near |= std::abs(t[i] - k) < 0.05f;
    }
  }
  return t;
}

// Column (1-based) of the ExprError thrown by parsing `text` over x (2, 3); -1 when none.
int errorColumn(const std::string& text, std::string* message = nullptr) {
  try {
    Expression::parse(text, {{"x", {kNone, 3}}});
  } catch (const ExprError& e) {
    if (message) *message = e.what();
    return e.position() + 1;
  }
  return -1;
}

// Central finite difference of sum(f) with respect to every element of every variable, in
// double precision through float evaluations, against the symbolic gradient.
void checkGradient(Expression& f, std::vector<Tensor> values, double tol) {
  const std::vector<Tensor> g = f.gradient(values);
  for (size_t v = 0; v < values.size(); ++v)
    for (Index i = 0; i < values[v].size(); ++i) {
      const float x0 = values[v][i];
      const float h = 1e-2f;
      values[v][i] = x0 + h;
      const double up = f.evaluate(values).flat().cast<double>().sum();
      values[v][i] = x0 - h;
      const double down = f.evaluate(values).flat().cast<double>().sum();
      values[v][i] = x0;
      const double fd = (up - down) / (2.0 * double(h));
      const double tolerance = tol * std::max(1.0, std::abs(fd));
      if (std::abs(fd - double(g[v][i])) > tolerance)
        QFAIL(qPrintable(QString("%1: d/d%2[%3] symbolic %4, finite difference %5")
                             .arg(QString::fromStdString(f.text()))
                             .arg(QString::fromStdString(f.variables()[v].name))
                             .arg(i)
                             .arg(double(g[v][i]))
                             .arg(fd)));
    }
}

}  // namespace

class TestExpression : public QObject {
  Q_OBJECT

 private slots:
  void gradientTapeFigures() {
    // f(x) = 3x^2 + 2x - 1: f'(1) = 8.
    Expression f = Expression::parseFunction("3. * x ** 2 + 2. * x - 1");
    PointDerivatives d = f.at({1.0});
    QCOMPARE(d.value, 4.0);
    QCOMPARE(d.gradient[0], 8.0);
    QCOMPARE(d.hessian[0][0], 6.0);
    // g(x1, x2) = (x1 + 5) * x2^2: gradient (9, 42) at (2, 3), Hessian [[0, 6], [6, 14]].
    Expression g = Expression::parseFunction("(x1 + 5) * (x2 ** 2)");
    QCOMPARE(int(g.variables().size()), 2);
    QCOMPARE(g.variables()[0].name, std::string("x1"));
    d = g.at({2.0, 3.0});
    QCOMPARE(d.value, 63.0);
    QCOMPARE(d.gradient, (std::vector<double>{9.0, 42.0}));
    QCOMPARE(d.hessian[0], (std::vector<double>{0.0, 6.0}));
    QCOMPARE(d.hessian[1], (std::vector<double>{6.0, 14.0}));
    // d(3x + x^2)/dx at 5 = 13, with tf. spellings.
    Expression h = Expression::parseFunction("tf.add(tf.multiply(3.0, x), tf.square(x))");
    QCOMPARE(h.at({5.0}).gradient[0], 13.0);
    // A sweep for the plot: f = 3x^2 + 2x - 1, f' = 6x + 2, f'' = 6 on [-1, 1].
    const ExprSweep sw = f.sweep(0, -1.0, 1.0, 5, {0.0});
    QCOMPARE(sw.x, (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
    QCOMPARE(sw.f, (std::vector<double>{0, -1.25, -1, 0.75, 4}));
    QCOMPARE(sw.d1, (std::vector<double>{-4, -1, 2, 5, 8}));
    QCOMPARE(sw.d2, (std::vector<double>(5, 6.0)));
    // Gradient descent on f(x) = x^2 - 2x + 1 ... converges to x = 1.
    Expression q = Expression::parseFunction("x ** 2 - 2 * x + 1");
    const auto path = q.descend({5.0}, 0.1, 100);
    QCOMPARE(int(path.size()), 101);
    QVERIFY(std::abs(path.back()[0] - 1.0) < 1e-4);
  }

  void aliasesAndSpellings() {
    Tensor yp(Shape{2, 2}, {1, 2, 3, 4}), yt(Shape{2, 2}, {1, 1, 1, 1});
    const char* same[] = {"tf.reduce_mean(tf.square(y_pred - y_true))",
                          "tf.math.reduce_mean(tf.math.square(y_pred - y_true))",
                          "K.mean(K.square(y_pred - y_true))",
                          "keras.backend.mean((y_pred - y_true) ** 2)",
                          "lambda y_true, y_pred: tf.reduce_mean(tf.square(y_pred - y_true))",
                          "tf.keras.backend.mean(tf.math.squared_difference(y_pred, y_true))"};
    for (const char* text : same) {
      Expression e = Expression::parse(text, {{"y_true", {kNone, 2}}, {"y_pred", {kNone, 2}}});
      QVERIFY2(e.outputShape().empty(), text);
      QCOMPARE(e.evaluate({yt, yp})[0], (0.f + 1 + 4 + 9) / 4);
    }
    Expression perSample = Expression::parse("K.mean(K.square(y_pred - y_true), axis=-1)",
                                             {{"y_true", {kNone, 2}}, {"y_pred", {kNone, 2}}});
    QCOMPARE(perSample.outputShape(), (Shape{kNone}));
    QCOMPARE(perSample.evaluate({yt, yp}).toVector(), (std::vector<float>{0.5f, 6.5f}));
  }

  void shapes() {
    auto shapeOf = [](const std::string& text) {
      return Expression::parse(text, {{"x", {kNone, 3}}, {"w", {3, 4}}}).outputShape();
    };
    QCOMPARE(shapeOf("x @ w"), (Shape{kNone, 4}));
    QCOMPARE(shapeOf("tf.matmul(x, w) + tf.reduce_sum(w, axis=0)"), (Shape{kNone, 4}));
    QCOMPARE(shapeOf("tf.reduce_sum(x, axis=1, keepdims=True)"), (Shape{kNone, 1}));
    QCOMPARE(shapeOf("tf.transpose(w)"), (Shape{4, 3}));
    QCOMPARE(shapeOf("tf.reshape(w, [2, -1])"), (Shape{2, 6}));
    QCOMPARE(shapeOf("tf.reshape(x, [-1])"), (Shape{kNone}));
    QCOMPARE(shapeOf("tf.concat([x, x * 2], axis=1)"), (Shape{kNone, 6}));
    QCOMPARE(shapeOf("tf.one_hot(tf.cast(x, tf.int32), 5)"), (Shape{kNone, 3, 5}));
    QCOMPARE(shapeOf("x[:, 1]"), (Shape{kNone}));
    QCOMPARE(shapeOf("x[..., 0:2]"), (Shape{kNone, 2}));
    QCOMPARE(shapeOf("w[1:, ::2]"), (Shape{2, 2}));
    QCOMPARE(shapeOf("tf.where(x > 0, x, 0.1 * x)"), (Shape{kNone, 3}));
    QCOMPARE(shapeOf("tf.nn.softmax(x)"), (Shape{kNone, 3}));
  }

  void evaluation() {
    Tensor x(Shape{2, 3}, {1, -2, 3, -4, 5, -6});
    auto eval = [&](const std::string& text) {
      return Expression::parse(text, {{"x", {kNone, 3}}}).evaluate({x}).toVector();
    };
    QCOMPARE(eval("tf.nn.relu(x)"), (std::vector<float>{1, 0, 3, 0, 5, 0}));
    QCOMPARE(eval("tf.abs(x) - 1"), (std::vector<float>{0, 1, 2, 3, 4, 5}));
    QCOMPARE(eval("tf.reduce_max(x, axis=0)"), (std::vector<float>{1, 5, 3}));
    QCOMPARE(eval("tf.reduce_min(x, axis=1)"), (std::vector<float>{-2, -6}));
    QCOMPARE(eval("tf.reduce_sum(x)"), (std::vector<float>{-3}));
    QCOMPARE(eval("tf.clip_by_value(x, -2, 2)"), (std::vector<float>{1, -2, 2, -2, 2, -2}));
    QCOMPARE(eval("tf.maximum(x, 0.5) + tf.minimum(x, 0)"),
             (std::vector<float>{1, -1.5f, 3, -3.5f, 5, -5.5f}));
    QCOMPARE(eval("tf.where(x > 0, x, 0)"), (std::vector<float>{1, 0, 3, 0, 5, 0}));
    QCOMPARE(eval("tf.transpose(x)"), (std::vector<float>{1, -4, -2, 5, 3, -6}));
    QCOMPARE(eval("x[:, -1]"), (std::vector<float>{3, -6}));
    QCOMPARE(eval("x[1, ::-1]"), (std::vector<float>{-6, 5, -4}));
    QCOMPARE(eval("tf.concat([x[:, :1], x[:, 2:]], axis=1)"), (std::vector<float>{1, 3, -4, -6}));
    QCOMPARE(eval("tf.one_hot(tf.cast(tf.abs(x[:, 0]), tf.int32), 5)"),
             (std::vector<float>{0, 1, 0, 0, 0, 0, 0, 0, 0, 1}));
    QCOMPARE(eval("x @ tf.constant([[1.], [0.], [1.]])"), (std::vector<float>{4, -10}));
    QCOMPARE(eval("tf.cast(x / 4, 'int32')"), (std::vector<float>{0, 0, 0, -1, 1, -1}));
    QCOMPARE(eval("-x ** 2"), (std::vector<float>{-1, -4, -9, -16, -25, -36}));
    QCOMPARE(eval("x[0] + [10, 20, 30]"), (std::vector<float>{11, 18, 33}));
    // softplus as the activation: log(1 + e^x)
    Tensor s(Shape{5}, {-10, -5, 0, 5, 10});
    Tensor sp = Expression::parse("tf.nn.softplus(x)", {{"x", {5}}}).evaluate({s});
    for (Index i = 0; i < 5; ++i)
      QVERIFY(std::abs(sp[i] - std::log1p(std::exp(double(s[i])))) < 1e-6);
  }

  void finiteDifferencesOfEveryOp() {
    std::mt19937 rng(7);
    const char* exprs[] = {"tf.square(x) * w[:, 1]",
                           "tf.sqrt(tf.abs(x) + 1.0)",
                           "tf.exp(x * 0.5)",
                           "tf.math.log(tf.abs(x) + 0.5)",
                           "tf.nn.softplus(x)",
                           "tf.nn.relu(x)",
                           "tf.sigmoid(x) * tf.tanh(x)",
                           "tf.maximum(x, 0.3) + tf.minimum(x, -0.2)",
                           "tf.where(x > 0.1, x * x, -x)",
                           "tf.clip_by_value(x, -1.0, 1.0)",
                           "tf.reduce_mean(x, axis=1, keepdims=True) * x",
                           "tf.reduce_sum(x * x, axis=0)",
                           "tf.reduce_max(x, axis=1)",
                           "tf.reduce_min(x)",
                           "x @ w",
                           "tf.matmul(w, x, transpose_a=True, transpose_b=True)",
                           "tf.transpose(x) * 2",
                           "tf.reshape(x, [-1]) ** 3",
                           "tf.concat([x, tf.square(x)], axis=1)",
                           "x[:, 1:] * x[:, :2]",
                           "x / (tf.abs(w[:, 0]) + 1)",
                           "(tf.abs(x) + 1) ** w[0, 0]",
                           "tf.nn.softmax(x)",
                           "tf.keras.activations.elu(x) + tf.nn.selu(x)"};
    for (const char* text : exprs) {
      Expression f = Expression::parse(text, {{"x", {kNone, 3}}, {"w", {3, 2}}});
      checkGradient(f, {randomTensor({4, 3}, rng), randomTensor({3, 2}, rng)}, 2e-2);
    }
  }

  void randomCompositions() {
    // Random trees of unary and binary ops over x and y; every gradient against finite
    // differences.
    std::mt19937 rng(11);
    const char* unary[] = {"tf.square", "tf.sigmoid", "tf.tanh", "tf.nn.softplus", "tf.exp"};
    const char* binary[] = {"+", "-", "*"};
    for (int trial = 0; trial < 40; ++trial) {
      std::function<std::string(int)> gen = [&](int depth) -> std::string {
        if (depth == 0 || rng() % 4 == 0) return rng() % 2 ? "x" : "y";
        if (rng() % 2) return std::string(unary[rng() % 5]) + "(0.5 * " + gen(depth - 1) + ")";
        return "(" + gen(depth - 1) + " " + binary[rng() % 3] + " " + gen(depth - 1) + ")";
      };
      const std::string text = "tf.reduce_mean(" + gen(4) + ")";
      Expression f = Expression::parse(text, {{"x", {kNone, 2}}, {"y", {2}}});
      checkGradient(f, {randomTensor({3, 2}, rng, -1, 1), randomTensor({2}, rng, -1, 1)}, 2e-2);
    }
  }

  void secondDerivatives() {
    // Hessian of a random smooth function against finite differences of the gradient.
    Expression f =
        Expression::parseFunction("tf.sigmoid(a * b) + tf.exp(0.3 * a) * tf.tanh(b) + a ** 3");
    const PointDerivatives d = f.at({0.4, -0.7});
    const double h = 1e-3;
    for (int j = 0; j < 2; ++j) {
      std::vector<double> up = {0.4, -0.7}, down = up;
      up[size_t(j)] += h;
      down[size_t(j)] -= h;
      const PointDerivatives du = f.at(up), dd = f.at(down);
      for (int i = 0; i < 2; ++i)
        QVERIFY(std::abs((du.gradient[size_t(i)] - dd.gradient[size_t(i)]) / (2 * h) -
                         d.hessian[size_t(i)][size_t(j)]) < 1e-2);
    }
    QVERIFY(std::abs(d.hessian[0][1] - d.hessian[1][0]) < 1e-6);
  }

  void errorsPointAtTheCharacter() {
    std::string m;
    QCOMPARE(errorColumn("tf.square(x", &m), 12);
    QVERIFY(m.find("expected ')'") != std::string::npos);
    QCOMPARE(errorColumn("x + tf.sqaure(x)", &m), 5);
    QVERIFY(m.find("unknown function 'tf.sqaure'") != std::string::npos);
    QCOMPARE(errorColumn("x + y", &m), 5);
    QVERIFY(m.find("unknown name 'y'") != std::string::npos);
    QCOMPARE(errorColumn("x @ tf.constant([[1., 2.]])", &m), 3);
    QVERIFY(m.find("inner dimensions") != std::string::npos);
    // (None, 3) @ (None, 3) contracts 3 against the batch: a mismatch at the '@'.
    QCOMPARE(errorColumn("x @ x", &m), 3);
    QVERIFY2(m.find("matmul: inner dimensions differ: (None, 3) @ (None, 3)") != std::string::npos,
             m.c_str());
    QCOMPARE(errorColumn("tf.reduce_sum(x) + x @ x", &m), 22);
    QCOMPARE(errorColumn("tf.matmul(x, x)", &m), 1);
    QVERIFY(m.find("inner dimensions differ") != std::string::npos);
    QCOMPARE(errorColumn("tf.matmul(x, x, transpose_a=True)", &m), -1);  // (3, 3): fine
    QCOMPARE(errorColumn("tf.transpose(x) @ x"), -1);                    // (3, 3): fine
    QCOMPARE(errorColumn("x @ tf.transpose(x)"), -1);                    // (None, None): fine
    QCOMPARE(errorColumn("x + tf.constant([1., 2.])", &m), 3);
    QVERIFY(m.find("do not broadcast") != std::string::npos);
    QCOMPARE(errorColumn("tf.reduce_sum(x, axis=2)", &m), 23);
    QCOMPARE(errorColumn("x $ 2"), 3);
    QCOMPARE(errorColumn("x + 3x"), 6);
    QCOMPARE(errorColumn("tf.reshape(x, [4, 4])"), -1);  // (None, 3): only known at run time
    QCOMPARE(errorColumn("x ]"), 3);
    QCOMPARE(errorColumn(""), 1);
    QCOMPARE(errorColumn("__import__('os').system('ls')"), 1);
    QCOMPARE(errorColumn("open('/etc/passwd')"), 1);
    QCOMPARE(errorColumn("x.numpy()"), 1);
  }

  void divisionByZeroGivesInfAndNan() {
    Tensor x(Shape{1, 3}, {1, 0, -1});
    const std::vector<float> v =
        Expression::parse("x / 0", {{"x", {kNone, 3}}}).evaluate({x}).toVector();
    QVERIFY(std::isinf(v[0]) && v[0] > 0);
    QVERIFY(std::isnan(v[1]));
    QVERIFY(std::isinf(v[2]) && v[2] < 0);
    QVERIFY(
        std::isinf(Expression::parse("tf.math.log(x - x)", {{"x", {kNone, 3}}}).evaluate({x})[0]));
  }

  void limits() {
    // A 10 MB expression is refused before it is read.
    const std::string big(10 * 1024 * 1024, '1');
    const auto t0 = std::chrono::steady_clock::now();
    try {
      Expression::parse(big, {});
      QFAIL("accepted a 10 MB expression");
    } catch (const ExprError& e) {
      QVERIFY(std::string(e.what()).find("too long") != std::string::npos);
    }
    QVERIFY(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    // Nesting depth.
    std::string deep = std::string(200, '(') + "x" + std::string(200, ')');
    std::string m;
    QVERIFY(errorColumn(deep, &m) > 0);
    QVERIFY(m.find("nested too deeply") != std::string::npos);
    std::string minus = std::string(500, '-') + "x";
    QVERIFY(errorColumn(minus, &m) > 0);
    // Node count: a long flat sum stays under the depth limit but not the node limit.
    ExprLimits lim;
    lim.maxNodes = 100;
    std::string sum = "x";
    for (int i = 0; i < 200; ++i) sum += " + x";
    try {
      Expression::parse(sum, {{"x", {2}}}, lim);
      QFAIL("accepted 200 additions with a limit of 100 nodes");
    } catch (const ExprError& e) {
      QVERIFY(std::string(e.what()).find("too large") != std::string::npos);
    }
  }

  void runTimeShapeMismatch() {
    Expression e = Expression::parse("x + y", {{"x", {kNone, 3}}, {"y", {kNone, 3}}});
    try {
      e.evaluate({Tensor(Shape{2, 3}), Tensor(Shape{4, 3})});
      QFAIL("added (2, 3) and (4, 3)");
    } catch (const Error& err) {
      QVERIFY(std::string(err.what()).find("do not broadcast") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestExpression)
#include "tst_engine_expression.moc"
