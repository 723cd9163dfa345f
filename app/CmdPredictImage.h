#pragma once
// `tessel predict (PROJECT | MODEL.json) --image FILE`: single-image inference
// (CmdPredictImage.cpp).
namespace tessel::app {

class Args;

// Decodes FILE (PNG/JPEG/BMP/GIF) to the model's input size and channels, preprocesses it as the
// data set settings say (rescale 1/255 by default), runs the model and prints, per output, the
// top-k classes with probabilities (classification heads) or the predicted box
// [y_min, x_min, y_max, x_max] (Dense(4) box heads), and for (K, 4) box outputs with a (K,)
// score output the boxes kept by non-max suppression. --draw OUT.png writes the image with the
// boxes drawn (orange) and the top class in the file name's log line.
int cmdPredictImage(const Args& args);
// `predict` with --image goes to cmdPredictImage, otherwise to cmdPredict (the .npy form).
int cmdPredictAny(const Args& args);

}  // namespace tessel::app
