#pragma once
// Errors the engine reports. Every message is one line a user can act on; errors about a graph
// node name the node.
#include <stdexcept>
#include <string>

namespace tessel {

// Any engine failure (bad file, bad argument, numeric failure). what() is the whole message.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A problem with one node of a model graph, found by validation or shape inference.
enum class SpecErrorKind {
  Cycle,             // the graph has a cycle through this node
  UnconnectedInput,  // an input port has no edge, or names a node that does not exist
  ShapeMismatch,     // input shapes do not fit the layer (message gives both shapes)
  UnknownConfigKey,  // a config key the layer does not have
  BadValue,          // a config value of the wrong type or out of range
  UnknownLayer,      // class_name not supported
  Unreachable,       // an output not reachable from any input / a node feeding no output
  Other
};

const char* specErrorKindName(SpecErrorKind kind);

class SpecError : public Error {
 public:
  SpecError(SpecErrorKind kind, std::string node, const std::string& message)
      : Error(node.empty() ? message : "layer '" + node + "': " + message),
        kind_(kind),
        node_(std::move(node)),
        detail_(message) {}
  SpecErrorKind kind() const { return kind_; }
  const std::string& node() const { return node_; }
  // The message without the "layer 'x': " prefix (for display on the node itself).
  const std::string& detail() const { return detail_; }

 private:
  SpecErrorKind kind_;
  std::string node_;
  std::string detail_;
};

}  // namespace tessel
