// The expression language against TensorFlow.js 4.22 (tests/fixtures/tfjs/expressions.json,
// written by expressions.js through generate.js): for every op, the output and the gradient of
// sum(output) with respect to every variable (tf.grads) agree to 1e-5.
#include <QtTest>

#include "engine/expr/Expression.h"
#include "tests/engine/golden/GoldenFixture.h"

using namespace tessel;
using namespace tessel::golden;

class TestExpressionGolden : public QObject {
  Q_OBJECT

 private slots:
  void everyOpAgainstTfjs_data() { addCaseRows({"expressions.json"}); }
  void everyOpAgainstTfjs() {
    const json& c = currentCase();
    std::vector<ExprVariable> vars;
    std::vector<Tensor> values;
    for (const json& v : c.at("variables")) {
      vars.push_back({v.at("name").get<std::string>(), shapeOf(v)});
      values.push_back(tensorOf(v));
    }
    Expression e = Expression::parse(c.at("expression").get<std::string>(), vars);
    QCOMPARE(e.outputShape(), shapeOf(c.at("output")));
    const std::string out = compareTensor(e.evaluate(values), c.at("output"), 1e-5, 1e-5);
    QVERIFY2(out.empty(), out.c_str());
    const std::vector<Tensor> grads = e.gradient(values);
    for (size_t k = 0; k < grads.size(); ++k) {
      const std::string why = compareTensor(grads[k], c.at("gradients")[k], 1e-5, 1e-5);
      QVERIFY2(why.empty(), ("d/d" + vars[k].name + ": " + why).c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestExpressionGolden)
#include "tst_engine_expressiongolden.moc"
