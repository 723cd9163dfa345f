#include "app/cli/HelpText.h"

#include <sstream>

namespace tessel::app {

std::string wrap(const std::string& text, size_t indent, size_t firstColumn) {
  std::string out, word;
  size_t column = firstColumn;
  std::istringstream words(text);
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > 100) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

std::string optionsHelp(const std::vector<OptionSpec>& options) {
  std::ostringstream s;
  if (!options.empty()) {
    s << "\noptions:\n";
    for (const auto& o : options) {
      std::string left = std::string(o.name) + (o.value ? std::string(" ") + o.value : "");
      if (left.size() > 27)
        left += "\n" + std::string(28, ' ');
      else
        left += std::string(28 - left.size(), ' ');
      s << "  " << left << wrap(std::string(o.help) + (o.repeatable ? " (repeatable)" : ""), 30, 30)
        << "\n";
    }
  }
  s << "  --help" << std::string(22, ' ') << "show this help\n";
  return s.str();
}

}  // namespace tessel::app
