#pragma once
// Runs an ExprGraph over Tensors. Each node is one kernel over whole tensors (ExprKernels.h);
// buffers are kept between runs, so a graph run once per batch allocates only on the first batch
// (or when the batch grows). A unary elementwise node used only by a multiplication of the same
// shape is fused into it (dy * sigmoid(x) is one pass).
//
//   ExprEvaluator ev(graph);
//   ev.bind(0, &x);                        // variable 0 is x (not copied)
//   auto fwd = ev.schedule({out});          // the nodes `out` needs, in order
//   ev.run(fwd);  ev.value(out);            // the result
//   auto bwd = ev.schedule(grads, fwd);     // the rest, reusing forward values
#include <vector>

#include "engine/expr/ExprGraph.h"

namespace tessel {

class ExprEvaluator {
 public:
  explicit ExprEvaluator(const ExprGraph& graph);

  // Variable `index` is *t for the following runs (t must outlive them); nodes already run
  // that read it see *t too.
  void bind(int index, const Tensor* t);
  // Node `id` writes its value into *t instead of its own buffer (nullptr: its own buffer).
  void setTarget(ExprId id, Tensor* t);
  // Node `id` (already run) now has the value *t (the same values, held elsewhere).
  void setValue(ExprId id, const Tensor* t) { vals_[size_t(id)] = t; }
  // The nodes needed for `outputs` in topological order, leaving out those in `done` (already run).
  // Outputs keep their values (they are never fused into a consumer).
  std::vector<ExprId> schedule(const std::vector<ExprId>& outputs,
                               const std::vector<ExprId>& done = {});
  // Evaluates the scheduled nodes. Throws Error when a bound tensor's shape does not fit.
  void run(const std::vector<ExprId>& schedule);
  const Tensor& value(ExprId id) const;

 private:
  void evalNode(ExprId id);
  const Tensor& in(const ExprNode& n, size_t k) const { return *vals_[size_t(n.inputs[k])]; }
  const ExprGraph& g_;
  std::vector<const Tensor*> bound_;
  std::vector<Tensor> bufs_;
  std::vector<Tensor*> targets_;
  std::vector<const Tensor*> vals_;
  std::vector<int> uses_;     // consumers of each node in the graph
  std::vector<char> fused_;   // unary node computed inside its single Mul consumer
  std::vector<char> pinned_;  // requested outputs
};

}  // namespace tessel
