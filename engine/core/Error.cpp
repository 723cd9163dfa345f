#include "engine/core/Error.h"

namespace tessel {

const char* specErrorKindName(SpecErrorKind kind) {
  switch (kind) {
    case SpecErrorKind::Cycle:
      return "cycle";
    case SpecErrorKind::UnconnectedInput:
      return "unconnected input";
    case SpecErrorKind::ShapeMismatch:
      return "shape mismatch";
    case SpecErrorKind::UnknownConfigKey:
      return "unknown config key";
    case SpecErrorKind::BadValue:
      return "bad value";
    case SpecErrorKind::UnknownLayer:
      return "unknown layer";
    case SpecErrorKind::Unreachable:
      return "unreachable";
    case SpecErrorKind::Other:
      return "error";
  }
  return "error";
}

}  // namespace tessel
