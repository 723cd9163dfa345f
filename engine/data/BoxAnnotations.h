#pragma once
// Bounding-box annotations for image data sets, as boxes [y_min, x_min, y_max, x_max] normalised
// to [0, 1] (tf.image.draw_bounding_boxes' convention):
//   - a CSV with one box per row: filename, y_min, x_min, y_max, x_max, label (normalised
//     coordinates; any number of rows per image; an optional header line is recognised by a
//     non-numeric y_min);
//   - Pascal VOC XML (one file per image): <size><width>, <height> and per <object> a <name> and a
//     <bndbox> with pixel <xmin> <ymin> <xmax> <ymax>, normalised as the TF Object Detection API
//     does (x / width, y / height).
// A bad box (a coordinate outside [0, 1] — outside the image for VOC —, y_min > y_max or
// x_min > x_max, a missing value) is an Error "<file>:<line>: ..." and nothing is returned.
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

struct BoxAnnotation {
  float yMin = 0, xMin = 0, yMax = 0, xMax = 0;
  std::string label;
  std::int64_t line = 0;  // where it was read (CSV row line, XML <object> line)
};

struct ImageAnnotations {
  std::string filename;       // as written in the annotation (relative to the images folder)
  int width = 0, height = 0;  // VOC <size>; 0 when unknown (CSV)
  std::vector<BoxAnnotation> boxes;
  std::string source;  // the annotation file
};

// Images in order of first appearance. Throws Error naming file and line for a bad row or box.
std::vector<ImageAnnotations> readBoxCsv(const std::string& path);
ImageAnnotations readVocXml(const std::string& path);
// Every *.xml in the folder, sorted by name.
std::vector<ImageAnnotations> readVocFolder(const std::string& folder);

// The sorted set of labels (class ids are positions in it).
std::vector<std::string> boxLabels(const std::vector<ImageAnnotations>& images);

}  // namespace tessel
