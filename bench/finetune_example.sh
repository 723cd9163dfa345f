#!/bin/sh
# Fine-tuning on real data with the `tessel` command line (issue 18): Fashion-MNIST from Debian's
# dataset-fashion-mnist as class-per-subfolder PNG image folders (nothing downloaded).
#   1. a small CNN learns classes 0-4 (T-shirt .. Coat) from PRE images per class, saved as .keras;
#   2. the .keras is reloaded, its head replaced after Flatten (new Dense(64) and Dense(5) for
#      classes 5-9, Sandal .. Ankle boot),
#      the pretrained weights loaded by layer name (Keras 2 load_weights(by_name=True));
#   3. on a SMALL set (FT images per class) three ways, each for E1+E2 epochs:
#        scratch    the same CNN from random weights,
#        head only  the pretrained base frozen, only the new head trained (also after E1 epochs:
#                   what phase 1 of the fine-tune reaches, "before"),
#        fine-tune  `tessel train --fine-tune E1,N,F,E2`: E1 epochs head only, then the last N
#                   layers unfrozen at the learning rate times F for E2 epochs (one run);
#   4. accuracy of each on the Fashion-MNIST test images of classes 5-9.
# usage: bench/finetune_example.sh [TESSEL] [WORKDIR]
# env: PRE FT TEST (images per class), PRE_EPOCHS E1 N F E2, THREADS (default 1: this small CNN
# runs fastest on one thread), SEED. About 40 s on one core.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TESSEL=${1:-$HERE/../build/app/tessel}
WORK=${2:-${TMPDIR:-/tmp}/tessel-finetune}
PRE=${PRE:-1000} FT=${FT:-20} TEST=${TEST:-1000}
PRE_EPOCHS=${PRE_EPOCHS:-4} E1=${E1:-10} N=${N:-5} F=${F:-0.5} E2=${E2:-10}
THREADS=${THREADS:-1} SEED=${SEED:-1}
case "$TESSEL" in /*) T="$TESSEL" ;; *) T="$(pwd)/$TESSEL" ;; esac
[ -x "$T" ] || { echo "no tessel at $T (build it, or pass its path)" >&2; exit 2; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
start=$(date +%s)

python3 "$HERE/finetune_make_folders.py" . "$PRE" "$FT" "$TEST"
for s in pretrain finetune test pretest; do
  "$T" data export --image-folder "$s" --grayscale --height 28 --width 28 --tfrecord "tfr_$s" >/dev/null
done

# The small CNN (Keras 2 JSON): Rescaling, two conv blocks, Dense(64) features, Dense(5) head.
python3 - <<'PY'
import json
def L(c, **cfg): return {"class_name": c, "config": cfg}
layers = [L("Rescaling", name="rescale", scale=1 / 255.0, offset=0.0,
            batch_input_shape=[None, 28, 28, 1]),
          L("Conv2D", name="conv1", filters=16, kernel_size=[3, 3], activation="relu", padding="same"),
          L("MaxPooling2D", name="pool1", pool_size=[2, 2]),
          L("Conv2D", name="conv2", filters=32, kernel_size=[3, 3], activation="relu", padding="same"),
          L("MaxPooling2D", name="pool2", pool_size=[2, 2]),
          L("Flatten", name="flatten"),
          L("Dense", name="features", units=64, activation="relu"),
          L("Dense", name="head_0_4", units=5, activation="softmax")]
tc = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
      "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001}}}
model = {"modelTopology": {"class_name": "Sequential", "config": {"name": "small_cnn", "layers": layers}},
         "trainingConfig": tc}
json.dump(model, open("cnn.json", "w"))
# The same CNN with the head replaced after "flatten": new Dense layers (new names: nothing of the
# old head is loaded by name).
layers[-2:] = [L("Dense", name="features_5_9", units=64, activation="relu"),
               L("Dense", name="head_5_9", units=5, activation="softmax")]
json.dump(model, open("cnn_new_head.json", "w"))
PY

acc() { "$T" evaluate "$1" --tfrecord "$2" --threads "$THREADS" | sed -n 's/.*accuracy: \([0-9.]*\).*/\1/p' | tail -1; }
fit() { "$T" train "$@" --threads "$THREADS" --seed "$SEED" --verbose 0; }

# 1. Pretrain on classes 0-4 and save as .keras.
fit cnn.json --tfrecord tfr_pretrain --epochs "$PRE_EPOCHS" --save pre/model.json >/dev/null
"$T" export pre/model.json --keras pretrained.keras >/dev/null

# 2. Reload the .keras, replace the head, load the base weights by name.
"$T" export pretrained.keras --h5 pretrained.h5 >/dev/null
"$T" new ft.tessel >/dev/null
"$T" import ft.tessel cnn_new_head.json >/dev/null
"$T" load ft.tessel pretrained.h5 --by-name >/dev/null
"$T" export ft.tessel --run 1 --out start/model.json >/dev/null
# Head only: the base frozen (trainable false up to "flatten").
python3 - <<'PY'
import json, shutil
shutil.copytree("start", "frozen")
m = json.load(open("frozen/model.json"))
for layer in m["modelTopology"]["config"]["layers"][:-2]:
    layer["config"]["trainable"] = False
json.dump(m, open("frozen/model.json", "w"))
PY

# 3. Three ways on the small set, E1+E2 epochs each.
EPOCHS=$((E1 + E2))
fit cnn_new_head.json --tfrecord tfr_finetune --epochs "$EPOCHS" --save scratch/model.json >/dev/null
fit frozen/model.json --tfrecord tfr_finetune --epochs "$E1" --save head1/model.json >/dev/null
fit frozen/model.json --tfrecord tfr_finetune --epochs "$EPOCHS" --save head/model.json >/dev/null
fit start/model.json --tfrecord tfr_finetune --fine-tune "$E1,$N,$F,$E2" --base-end flatten \
  --save tuned/model.json >/dev/null

# 4. Accuracy on the test images.
echo "Fashion-MNIST fine-tuning (image folders: $((PRE * 5)) pretraining images of classes 0-4," \
  "$((FT * 5)) of classes 5-9, $((TEST * 5)) test images of classes 5-9; $THREADS threads)"
echo "pretrained CNN ($PRE_EPOCHS epochs), classes 0-4 test accuracy: $(acc pre/model.json tfr_pretest)"
row() { printf '  %-50s %s\n' "$1:" "$2"; }
echo "classes 5-9 test accuracy, trained on $((FT * 5)) images:"
row "pretrained base, new head untrained" "$(acc start/model.json tfr_test)"
row "pretrained base, head only, $E1 epochs (before)" "$(acc head1/model.json tfr_test)"
row "from scratch, $EPOCHS epochs" "$(acc scratch/model.json tfr_test)"
row "pretrained base, head only, $EPOCHS epochs" "$(acc head/model.json tfr_test)"
row "fine-tune $E1+$E2, last $N layers, lr x $F (after)" "$(acc tuned/model.json tfr_test)"
echo "total $(($(date +%s) - start)) s"
