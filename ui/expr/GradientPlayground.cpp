#include "ui/expr/GradientPlayground.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "engine/expr/ExprError.h"
#include "ui/expr/ExpressionField.h"

namespace tessel::ui {

namespace {

QString num(double v) {
  if (v == 0) v = 0;  // no "-0"
  return QString::number(v, 'g', 6);
}

QString tuple(const std::vector<double>& v) {
  QStringList parts;
  for (double x : v) parts << num(x);
  return v.size() == 1 ? parts.front() : "(" + parts.join(", ") + ")";
}

// "g(x1, x2) =" at the start: the parameter names and where the body starts.
struct Header {
  bool declared = false;
  std::vector<std::string> params;
  int bodyStart = 0;
};

Header splitHeader(const QString& text) {
  static const QRegularExpression re(
      R"(^\s*[A-Za-z_]\w*\s*\(\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)?\s*\)\s*=(?!=))");
  const QRegularExpressionMatch m = re.match(text);
  Header h;
  if (!m.hasMatch()) return h;
  h.declared = true;
  h.bodyStart = int(m.capturedEnd(0));
  for (const QString& p : m.captured(1).split(',', Qt::SkipEmptyParts))
    h.params.push_back(p.trimmed().toStdString());
  return h;
}

struct Example {
  const char* text;
  const char* point;
};
// The seed's GradientTape figures.
const Example kExamples[] = {{"f(x) = 3*x**2 + 2*x - 1", "1"},
                             {"g(x1, x2) = (x1 + 5) * x2**2", "2, 3"},
                             {"3*x + x**2", "5"},
                             {"f(x, y) = (x - 1)**2 + 10 * (y + 2)**2", "3, 1"}};

const QColor kColors[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44)};

}  // namespace

Expression GradientPlayground::parseFunction(const QString& text) {
  const Header h = splitHeader(text);
  const std::string body = text.mid(h.bodyStart).toStdString();
  try {
    Expression e = [&] {
      if (!h.declared) return Expression::parseFunction(body);
      std::vector<ExprVariable> vars;
      for (const std::string& p : h.params) {
        for (const ExprVariable& v : vars)
          if (v.name == p) throw ExprError(-1, "parameter '" + p + "' is named twice");
        vars.push_back({p, {}});
      }
      return Expression::parse(body, vars);
    }();
    if (!e.outputShape().empty())
      throw ExprError(-1,
                      "f must give one number; it gives shape " + shapeToString(e.outputShape()));
    return e;
  } catch (const ExprError& e) {
    throw ExprError(e.position() < 0 ? -1 : e.position() + h.bodyStart, e.detail());
  }
}

GradientPlayground::GradientPlayground(QWidget* parent) : QWidget(parent) {
  setObjectName("gradientPlayground");
  setWindowTitle(tr("Gradient Playground"));

  function_ = new ExpressionField(this);
  function_->setObjectName("playgroundFunction");
  function_->setPlaceholderText(tr("e.g. g(x1, x2) = (x1 + 5) * x2**2"));
  function_->setChecker([](const QString& text) {
    QStringList vars;
    ExpressionField::Check c = ExpressionField::checkWith([&] {
      const Expression e = parseFunction(text);
      for (const ExprVariable& v : e.variables()) vars << QString::fromStdString(v.name);
      return Shape{};
    });
    if (c.ok)
      c.shape = vars.isEmpty() ? tr("a constant") : tr("a function of %1").arg(vars.join(", "));
    return c;
  });
  examples_ = new QComboBox(this);
  examples_->setObjectName("playgroundExamples");
  examples_->addItem(tr("Examples…"));
  examples_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  examples_->setMinimumContentsLength(10);
  for (const Example& e : kExamples) examples_->addItem(QString::fromUtf8(e.text));
  point_ = new QLineEdit(this);
  point_->setObjectName("playgroundPoint");
  point_->setPlaceholderText(tr("comma separated, e.g. 2, 3"));
  pointLabel_ = new QLabel(tr("at"), this);
  message_ = new QLabel(this);
  message_->setObjectName("playgroundMessage");
  message_->setStyleSheet("color: #c62828;");
  message_->setWordWrap(true);
  message_->setVisible(false);

  auto* inputBox = new QGroupBox(tr("Function"), this);
  auto* inputForm = new QFormLayout(inputBox);
  auto* fnRow = new QHBoxLayout;
  fnRow->addWidget(function_, 1);
  fnRow->addWidget(examples_, 0, Qt::AlignTop);
  inputForm->addRow(tr("function"), fnRow);
  inputForm->addRow(pointLabel_, point_);
  inputForm->addRow(message_);

  auto* resultBox = new QGroupBox(tr("At the point"), this);
  auto* resultForm = new QFormLayout(resultBox);
  value_ = new QLabel(resultBox);
  value_->setObjectName("playgroundValue");
  gradient_ = new QLabel(resultBox);
  gradient_->setObjectName("playgroundGradient");
  for (QLabel* l : {value_, gradient_}) {
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
  }
  hessian_ = new QTableWidget(resultBox);
  hessian_->setObjectName("playgroundHessian");
  hessian_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  hessian_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  hessian_->setMaximumHeight(110);
  resultForm->addRow(tr("f"), value_);
  resultForm->addRow(tr("gradient ∇f"), gradient_);
  resultForm->addRow(tr("Hessian ∇²f"), hessian_);
  auto* how = new QLabel(tr("Reverse-mode differentiation of the expression graph; the Hessian "
                            "differentiates each gradient graph again (exact, no finite "
                            "differences)."),
                         resultBox);
  how->setWordWrap(true);
  how->setStyleSheet("color: #607080;");
  resultForm->addRow(how);

  auto* descentBox = new QGroupBox(tr("Gradient descent from the point"), this);
  auto* descentLayout = new QVBoxLayout(descentBox);
  auto* controls = new QHBoxLayout;
  learningRate_ = new QDoubleSpinBox(descentBox);
  learningRate_->setObjectName("playgroundLearningRate");
  learningRate_->setDecimals(4);
  learningRate_->setRange(0.0001, 100);
  learningRate_->setSingleStep(0.01);
  learningRate_->setValue(0.1);
  step_ = new QPushButton(tr("Step"), descentBox);
  step_->setObjectName("playgroundStep");
  runSteps_ = new QSpinBox(descentBox);
  runSteps_->setObjectName("playgroundRunSteps");
  runSteps_->setRange(1, 1000);
  runSteps_->setValue(10);
  run_ = new QPushButton(tr("Run N"), descentBox);
  run_->setObjectName("playgroundRun");
  reset_ = new QPushButton(tr("Reset"), descentBox);
  reset_->setObjectName("playgroundReset");
  controls->addWidget(new QLabel(tr("learning rate"), descentBox));
  controls->addWidget(learningRate_);
  controls->addWidget(step_);
  controls->addWidget(new QLabel(tr("N"), descentBox));
  controls->addWidget(runSteps_);
  controls->addWidget(run_);
  controls->addWidget(reset_);
  controls->addStretch(1);
  pathTable_ = new QTableWidget(descentBox);
  pathTable_->setObjectName("playgroundPath");
  pathTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  pathTable_->verticalHeader()->setVisible(false);
  pathTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  descentLayout->addLayout(controls);
  descentLayout->addWidget(pathTable_, 1);

  auto* plotBox = new QGroupBox(tr("Along one variable"), this);
  auto* plotLayout = new QVBoxLayout(plotBox);
  auto* range = new QHBoxLayout;
  plotVariable_ = new QComboBox(plotBox);
  plotVariable_->setObjectName("playgroundPlotVariable");
  from_ = new QDoubleSpinBox(plotBox);
  to_ = new QDoubleSpinBox(plotBox);
  from_->setObjectName("playgroundFrom");
  to_->setObjectName("playgroundTo");
  for (QDoubleSpinBox* b : {from_, to_}) {
    b->setRange(-1e6, 1e6);
    b->setDecimals(3);
  }
  from_->setValue(-5);
  to_->setValue(5);
  range->addWidget(new QLabel(tr("variable"), plotBox));
  range->addWidget(plotVariable_);
  range->addWidget(new QLabel(tr("from"), plotBox));
  range->addWidget(from_);
  range->addWidget(new QLabel(tr("to"), plotBox));
  range->addWidget(to_);
  range->addStretch(1);
  plot_ = new QCustomPlot(plotBox);
  plot_->setObjectName("playgroundPlot");
  plot_->setMinimumSize(420, 320);
  const char* names[] = {"f", "f'", "f''"};
  for (int k = 0; k < 3; ++k) {
    QCPGraph* g = plot_->addGraph();
    g->setName(names[k]);
    QPen pen(kColors[k], k == 0 ? 2.0 : 1.5);
    if (k == 2) pen.setStyle(Qt::DashLine);
    g->setPen(pen);
  }
  QCPGraph* marks = plot_->addGraph();  // the point and the descent path on f
  marks->setName(tr("descent"));
  marks->setLineStyle(QCPGraph::lsLine);
  marks->setPen(QPen(QColor(255, 127, 14), 1));
  marks->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(255, 127, 14), Qt::white, 6));
  plot_->legend->setVisible(true);
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
  plot_->xAxis->setLabel("x");
  plotLayout->addLayout(range);
  plotLayout->addWidget(plot_, 1);

  auto* left = new QWidget(this);
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(0, 0, 0, 0);
  leftLayout->addWidget(inputBox);
  leftLayout->addWidget(resultBox);
  leftLayout->addWidget(descentBox, 1);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(plotBox);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);
  resize(1180, 720);

  connect(function_->lineEdit(), &QLineEdit::textChanged, this, [this] { functionChanged(); });
  connect(examples_, &QComboBox::activated, this, [this](int i) {
    if (i <= 0) return;
    const Example& e = kExamples[i - 1];
    function_->setText(QString::fromUtf8(e.text));
    point_->setText(QString::fromUtf8(e.point));
    examples_->setCurrentIndex(0);
  });
  connect(point_, &QLineEdit::textChanged, this, [this] { recompute(); });
  connect(plotVariable_, &QComboBox::currentIndexChanged, this, [this] { replot(); });
  connect(from_, &QDoubleSpinBox::valueChanged, this, [this] { replot(); });
  connect(to_, &QDoubleSpinBox::valueChanged, this, [this] { replot(); });
  connect(step_, &QPushButton::clicked, this, [this] { descend(1); });
  connect(run_, &QPushButton::clicked, this, [this] { descend(runSteps_->value()); });
  connect(reset_, &QPushButton::clicked, this, [this] { resetDescent(); });
  connect(learningRate_, &QDoubleSpinBox::valueChanged, this, [this] { resetDescent(); });

  function_->setText(QString::fromUtf8(kExamples[1].text));
  point_->setText(QString::fromUtf8(kExamples[1].point));
  functionChanged();
}

GradientPlayground::~GradientPlayground() = default;

GradientPlayground* GradientPlayground::showFor(QWidget* owner) {
  auto* p = owner->findChild<GradientPlayground*>("gradientPlayground", Qt::FindDirectChildrenOnly);
  if (!p) {
    p = new GradientPlayground(owner);
    p->setWindowFlag(Qt::Window);
  }
  p->show();
  p->raise();
  p->activateWindow();
  return p;
}

QStringList GradientPlayground::variables() const {
  QStringList out;
  if (f_)
    for (const ExprVariable& v : f_->variables()) out << QString::fromStdString(v.name);
  return out;
}

QString GradientPlayground::message() const {
  return message_->isHidden() ? QString() : message_->text();
}

void GradientPlayground::setMessage(const QString& text) {
  message_->setText(text);
  message_->setVisible(!text.isEmpty());
}

void GradientPlayground::functionChanged() {
  f_.reset();
  try {
    f_.emplace(parseFunction(function_->text()));
  } catch (const std::exception&) {
    // the field shows the error and its character
  }
  const QStringList vars = variables();
  pointLabel_->setText(vars.size() == 1 ? tr("at %1 =").arg(vars.front())
                                        : tr("at (%1) =").arg(vars.join(", ")));
  const QString keep = plotVariable_->currentText();
  {
    QSignalBlocker block(plotVariable_);
    plotVariable_->clear();
    plotVariable_->addItems(vars);
    plotVariable_->setCurrentIndex(std::max<int>(0, int(vars.indexOf(keep))));
  }
  hessian_->setRowCount(int(vars.size()));
  hessian_->setColumnCount(int(vars.size()));
  hessian_->setHorizontalHeaderLabels(vars);
  hessian_->setVerticalHeaderLabels(vars);
  QStringList pathHeader{tr("step")};
  pathHeader << vars << tr("f") << tr("|∇f|");
  pathTable_->setColumnCount(int(pathHeader.size()));
  pathTable_->setHorizontalHeaderLabels(pathHeader);
  recompute();
}

void GradientPlayground::recompute() {
  current_.reset();
  at_.clear();
  value_->clear();
  gradient_->clear();
  hessian_->clearContents();
  if (!f_) {
    setMessage({});
    path_.clear();
    showPath();
    replot();
    return;
  }
  const size_t n = f_->variables().size();
  QStringList parts = point_->text().split(',', Qt::SkipEmptyParts);
  for (const QString& p : parts) {
    bool ok = false;
    const double v = p.trimmed().toDouble(&ok);
    if (!ok) {
      at_.clear();
      setMessage(tr("'%1' is not a number").arg(p.trimmed()));
      break;
    }
    at_.push_back(v);
  }
  if (!parts.isEmpty() && at_.empty()) {  // the message is set
  } else if (at_.size() != n) {
    setMessage(
        n == 1 ? tr("Give one value, for %1.").arg(variables().join(", "))
               : tr("Give %1 values, one per variable (%2).").arg(n).arg(variables().join(", ")));
    at_.clear();
  } else {
    try {
      current_ = f_->at(at_);
      setMessage({});
    } catch (const std::exception& e) {
      setMessage(QString::fromStdString(e.what()));
    }
  }
  if (current_) {
    value_->setText(num(current_->value));
    gradient_->setText(tuple(current_->gradient));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        auto* item = new QTableWidgetItem(num(current_->hessian[i][j]));
        item->setTextAlignment(Qt::AlignCenter);
        hessian_->setItem(int(i), int(j), item);
      }
  }
  resetDescent();  // also replots
}

void GradientPlayground::resetDescent() {
  path_.clear();
  if (current_) path_.push_back(at_);
  showPath();
  replot();
}

void GradientPlayground::descend(int steps) {
  if (!f_ || path_.empty()) return;
  try {
    const auto more = f_->descend(path_.back(), learningRate_->value(), steps);
    path_.insert(path_.end(), more.begin() + 1, more.end());
  } catch (const std::exception& e) {
    setMessage(QString::fromStdString(e.what()));
  }
  showPath();
  replot();
}

void GradientPlayground::showPath() {
  pathTable_->setRowCount(int(path_.size()));
  // Long runs: the table shows every point (a point is a few numbers).
  for (size_t r = 0; r < path_.size(); ++r) {
    const std::vector<double>& p = path_[r];
    PointDerivatives d;
    try {
      d = f_->at(p);
    } catch (const std::exception&) {
      d.value = std::nan("");
    }
    double g2 = 0;
    for (double g : d.gradient) g2 += g * g;
    QStringList cells{QString::number(r)};
    for (double v : p) cells << num(v);
    cells << num(d.value) << num(std::sqrt(g2));
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      pathTable_->setItem(int(r), c, item);
    }
  }
  if (!path_.empty()) pathTable_->scrollToBottom();
}

void GradientPlayground::replot() {
  for (int k = 0; k < plot_->graphCount(); ++k) plot_->graph(k)->data()->clear();
  const int v = plotVariable_->currentIndex();
  if (f_ && current_ && v >= 0 && from_->value() < to_->value()) {
    try {
      const ExprSweep s = f_->sweep(size_t(v), from_->value(), to_->value(), 201, at_);
      const QVector<double> x(s.x.begin(), s.x.end());
      plot_->graph(0)->setData(x, QVector<double>(s.f.begin(), s.f.end()), true);
      plot_->graph(1)->setData(x, QVector<double>(s.d1.begin(), s.d1.end()), true);
      plot_->graph(2)->setData(x, QVector<double>(s.d2.begin(), s.d2.end()), true);
      QVector<double> px, py;
      for (const auto& p : path_) {
        px << p[size_t(v)];
        py << f_->at(p).value;
      }
      plot_->graph(3)->setData(px, py, false);
      const QString name = plotVariable_->currentText();
      plot_->xAxis->setLabel(name);
      const bool one = plotVariable_->count() == 1;
      plot_->graph(1)->setName(one ? "f'" : QString::fromUtf8("\u2202f/\u2202") + name);
      plot_->graph(2)->setName(one ? "f''"
                                   : QString::fromUtf8("\u2202\u00b2f/\u2202") + name +
                                         QString::fromUtf8("\u00b2"));
    } catch (const std::exception& e) {
      setMessage(QString::fromStdString(e.what()));
    }
  }
  plot_->rescaleAxes();
  plot_->xAxis->setRange(from_->value(), to_->value());
  plot_->replot();
}

}  // namespace tessel::ui
