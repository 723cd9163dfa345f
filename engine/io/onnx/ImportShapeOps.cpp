// ONNX import of the layout and shape operators: Flatten and Reshape (Flatten of channels-first
// features records ONNX's element order for the next Dense), Transpose (only NCHW <-> NHWC, no
// layer), Concat, the pass-throughs (Identity, Dropout), Constant, and the shape arithmetic
// PyTorch writes for x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat of constants).
#include <algorithm>

#include "engine/core/Error.h"
#include "engine/io/onnx/ImportGraph.h"
#include "engine/io/onnx/ImportOps.h"

namespace tessel::onnximport {

namespace {

using Node = onnx::NodeProto;

// ---- shapes ----------------------------------------------------------------------------------

// The element order of a channels-first tensor of Keras shape `s` (N, d..., C) flattened by
// ONNX: element j = c * S + p is Keras element p * C + c. Empty when the orders agree.
std::vector<Index> flattenPerm(const Node& n, const Shape& s) {
  const Index c = s.back();
  Index spatial = 1;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == kNone) ImportGraph::fail(n, "flattening channels-first features of unknown size");
    if (s[i] > (Index(1) << 26) || spatial > (Index(1) << 26))
      ImportGraph::fail(n, "flattens too many features");
    spatial *= s[i];
  }
  if (c == kNone) ImportGraph::fail(n, "flattening channels-first features of unknown size");
  if (c == 1 || spatial == 1) return {};
  if (c * spatial > (Index(1) << 26)) ImportGraph::fail(n, "flattens too many features");
  std::vector<Index> perm(static_cast<size_t>(c * spatial));
  for (Index ch = 0; ch < c; ++ch)
    for (Index p = 0; p < spatial; ++p) perm[static_cast<size_t>(ch * spatial + p)] = p * c + ch;
  return perm;
}

// Flatten of x to (N, features), keeping track of ONNX's element order.
void flattenTo(ImportGraph& g, const Node& n, const Value& x) {
  const Shape s = g.kerasShape(x.node);
  if (s.size() <= 2) {
    g.setOut(n, tensorValue(x.node, x));
    return;
  }
  std::string l = g.addLayer("Flatten", g.nameFor(n, "flatten"), json::object(), {x.node});
  Value out;
  out.node = l;
  if (x.layout == Layout::ChannelsFirst) out.flatPerm = flattenPerm(n, s);
  g.setOut(n, out);
}

void flatten(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  if (ImportGraph::intAttr(n, "axis", 1) != 1)
    ImportGraph::fail(n, "only axis 1 (keep the batch axis) is imported");
  flattenTo(g, n, x);
}

void reshape(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const Value& shape = g.constIn(n, 1);
  std::vector<Index> t;
  for (double d : shape.data) t.push_back(static_cast<Index>(d));
  if (t.size() < 2) ImportGraph::fail(n, "a target shape without a batch axis");
  const Shape in = g.onnxShape(x);
  std::vector<Index> rest;
  int unknown = t[0] == -1 ? 1 : 0;
  for (size_t i = 1; i < t.size(); ++i) {
    Index d = t[i];
    if (d == 0) {
      if (i >= in.size() || in[i] == kNone) ImportGraph::fail(n, "copies an unknown dimension");
      d = in[i];
    }
    if (d == -1) ++unknown;
    rest.push_back(d);
  }
  // t[0] > 0 is the batch size the file was exported with (PyTorch folds x.size(0) into it).
  if (t[0] < -1) ImportGraph::fail(n, "a negative batch size");
  if (unknown > 1) ImportGraph::fail(n, "several inferred (-1) dimensions");
  if (rest.size() == 1 && (x.layout == Layout::ChannelsFirst || g.rank(x) <= 2)) {
    flattenTo(g, n, x);
    return;
  }
  if (x.layout == Layout::ChannelsFirst && g.rank(x) >= 3)
    ImportGraph::fail(n, "reshaping a channels-first tensor to rank > 2");
  if (!x.flatPerm.empty()) ImportGraph::fail(n, "reshaping flattened channels-first features");
  std::string l =
      g.addLayer("Reshape", g.nameFor(n, "reshape"), {{"target_shape", rest}}, {x.node});
  Value out;
  out.node = l;
  g.setOut(n, out);
}

void transpose(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const Index r = static_cast<Index>(g.rank(x));
  std::vector<Index> perm = ImportGraph::intsAttr(n, "perm");
  if (perm.empty())
    for (Index i = r - 1; i >= 0; --i) perm.push_back(i);
  std::vector<Index> ident, toCf = {0, r - 1}, toKeras = {0};
  for (Index i = 0; i < r; ++i) ident.push_back(i);
  for (Index i = 1; i + 1 < r; ++i) toCf.push_back(i);
  for (Index i = 2; i < r; ++i) toKeras.push_back(i);
  toKeras.push_back(1);
  Value out = tensorValue(x.node, x);
  if (perm == ident) {
  } else if (r >= 3 && x.layout == Layout::Keras && perm == toCf) {
    out.layout = Layout::ChannelsFirst;
  } else if (r >= 3 && x.layout == Layout::ChannelsFirst && perm == toKeras) {
    out.layout = Layout::Keras;
  } else {
    std::string p;
    for (Index v : perm) p += (p.empty() ? "" : ", ") + std::to_string(v);
    ImportGraph::fail(n, "perm [" + p + "] is not a channels-first <-> channels-last conversion");
  }
  g.setOut(n, out);
}

// ---- shape arithmetic on constants (PyTorch's x.view(x.size(0), -1)) -------------------------

// Shape of a tensor: its ONNX dims, the batch written 0 (Reshape's "copy this dimension").
void shapeOf(ImportGraph& g, const Node& n) {
  const Value& x = g.tensorIn(n, 0);
  const Shape s = g.onnxShape(x);
  Index start = ImportGraph::intAttr(n, "start", 0),
        end = ImportGraph::intAttr(n, "end", Index(s.size()));
  const Index r = Index(s.size());
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<Index>(start, 0, r);
  end = std::clamp<Index>(end, start, r);
  Value v;
  v.isConst = true;
  v.isFloat = false;
  for (Index i = start; i < end; ++i) {
    if (i > 0 && s[size_t(i)] == kNone) ImportGraph::fail(n, "the shape has unknown dimensions");
    v.data.push_back(i == 0 ? 0.0 : double(s[size_t(i)]));
  }
  v.dims = {Index(v.data.size())};
  g.setOut(n, std::move(v));
}

// Gather along axis 0 of a 1-D constant.
void gather(ImportGraph& g, const Node& n) {
  const Value& data = g.constIn(n, 0);
  const Value& idx = g.constIn(n, 1);
  if (data.dims.size() != 1 || idx.dims.size() > 1 || ImportGraph::intAttr(n, "axis", 0) != 0)
    ImportGraph::fail(n, "only Gather of a 1-D constant (shape arithmetic) is imported");
  Value v;
  v.isConst = true;
  v.isFloat = data.isFloat;
  const Index len = Index(data.data.size());
  for (double d : idx.data) {
    Index i = Index(d);
    if (i < 0) i += len;
    if (i < 0 || i >= len) ImportGraph::fail(n, "an index out of range");
    v.data.push_back(data.data[size_t(i)]);
  }
  if (!idx.dims.empty()) v.dims = {Index(v.data.size())};
  g.setOut(n, std::move(v));
}

// Unsqueeze of a constant: the same values, ones inserted in the dims.
void unsqueeze(ImportGraph& g, const Node& n) {
  Value v = g.constIn(n, 0);
  std::vector<Index> axes = ImportGraph::intsAttr(n, "axes");
  if (g.opset() >= 13 && g.hasIn(n, 1))
    for (double a : g.constIn(n, 1).data) axes.push_back(Index(a));
  const Index r = Index(v.dims.size() + axes.size());
  for (Index& a : axes)
    if (a < 0) a += r;
  std::sort(axes.begin(), axes.end());
  for (Index a : axes) {
    if (a < 0 || a > Index(v.dims.size())) ImportGraph::fail(n, "an axis out of range");
    v.dims.insert(v.dims.begin() + a, 1);
  }
  g.setOut(n, std::move(v));
}

// Concat of 1-D constants.
void concatConstants(ImportGraph& g, const Node& n) {
  Value v;
  v.isConst = true;
  v.isFloat = false;
  for (int i = 0; i < n.input_size(); ++i) {
    const Value& c = g.constIn(n, i);
    if (c.dims.size() > 1) ImportGraph::fail(n, "only 1-D constants are concatenated");
    v.data.insert(v.data.end(), c.data.begin(), c.data.end());
    v.isFloat = v.isFloat || c.isFloat;
  }
  v.dims = {Index(v.data.size())};
  g.setOut(n, std::move(v));
}

void concat(ImportGraph& g, const Node& n) {
  bool allConst = n.input_size() > 0;
  for (int i = 0; i < n.input_size(); ++i) allConst = allConst && g.in(n, i).isConst;
  if (allConst) {
    concatConstants(g, n);
    return;
  }
  std::vector<const Value*> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(&g.tensorIn(n, i));
  if (ins.empty()) ImportGraph::fail(n, "has no inputs");
  const Index r = static_cast<Index>(g.rank(*ins[0]));
  if (!ImportGraph::attr(n, "axis")) ImportGraph::fail(n, "has no axis");
  Index axis = ImportGraph::intAttr(n, "axis", 1);
  if (axis < 0) axis += r;
  if (axis <= 0 || axis >= r) ImportGraph::fail(n, "concatenation over the batch axis");
  const bool cf = r >= 3 && ins[0]->layout == Layout::ChannelsFirst;
  bool anyPerm = false;
  for (const Value* v : ins) {
    if (r >= 3 && v->layout != ins[0]->layout)
      ImportGraph::fail(n, "mixes channels-first and channels-last tensors");
    anyPerm = anyPerm || !v->flatPerm.empty();
  }
  Index kerasAxis = cf ? (axis == 1 ? r - 1 : axis - 1) : axis;
  std::vector<std::string> names;
  Value out;
  out.layout = ins[0]->layout;
  Index offset = 0;
  for (const Value* v : ins) {
    names.push_back(v->node);
    if (anyPerm) {  // rank 2, axis 1: the element orders one after the other
      const Index w = g.kerasShape(v->node).back();
      if (w == kNone) ImportGraph::fail(n, "concatenates features of unknown size");
      for (Index j = 0; j < w; ++j)
        out.flatPerm.push_back(offset +
                               (v->flatPerm.empty() ? j : v->flatPerm[static_cast<size_t>(j)]));
      offset += w;
    }
  }
  std::string l = g.addLayer("Concatenate", g.nameFor(n, "concatenate"),
                             {{"axis", kerasAxis == r - 1 ? Index(-1) : kerasAxis}}, names);
  out.node = l;
  g.setOut(n, out);
}

// ---- pass-through and constants --------------------------------------------------------------

void identity(ImportGraph& g, const Node& n) {
  g.setOut(n, g.in(n, 0));
}

void dropout(ImportGraph& g, const Node& n) {
  if (g.hasIn(n, 2) && g.in(n, 2).isConst && !g.in(n, 2).data.empty() && g.in(n, 2).data[0] != 0)
    ImportGraph::fail(n, "training_mode is on");
  g.setOut(n, g.in(n, 0));  // the mask output (if any) has no Keras form
}

void constant(ImportGraph& g, const Node& n) {
  Value v;
  v.isConst = true;
  if (const auto* a = ImportGraph::attr(n, "value")) {
    v = constantOf(a->t());
  } else if (const auto* f = ImportGraph::attr(n, "value_float")) {
    v.data = {f->f()};
  } else if (const auto* fs = ImportGraph::attr(n, "value_floats")) {
    v.data.assign(fs->floats().begin(), fs->floats().end());
    v.dims = {static_cast<Index>(v.data.size())};
  } else if (const auto* i = ImportGraph::attr(n, "value_int")) {
    v.data = {static_cast<double>(i->i())};
    v.isFloat = false;
  } else if (const auto* is = ImportGraph::attr(n, "value_ints")) {
    for (auto x : is->ints()) v.data.push_back(static_cast<double>(x));
    v.dims = {static_cast<Index>(v.data.size())};
    v.isFloat = false;
  } else {
    ImportGraph::fail(n, "a Constant without a value");
  }
  g.setOut(n, std::move(v));
}

}  // namespace

void addShapeOps(std::map<std::string, OpHandler>& ops) {
  ops["Concat"] = concat;
  ops["Flatten"] = flatten;
  ops["Reshape"] = reshape;
  ops["Transpose"] = transpose;
  ops["Identity"] = identity;
  ops["Dropout"] = dropout;
  ops["Constant"] = constant;
  ops["Shape"] = shapeOf;
  ops["Gather"] = gather;
  ops["Unsqueeze"] = unsqueeze;
}

}  // namespace tessel::onnximport
