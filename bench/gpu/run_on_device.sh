#!/bin/bash
# Runs the GPU check and benchmark on a CUDA machine from a folder holding tessel-gpu-bench, the
# shared libraries it needs that the machine lacks (lib/), peer_torch_gpu.py and compare.py
# (bench/gpu/pack.sh makes that folder). Output also goes to $OUT when set.
#   bash run_on_device.sh [test] [check] [anycheck] [bench] [tessel] [detbench] [tf32bench] [compile]
#   [studio] [convbench]
#   (default: test check bench)
# bench: tessel-gpu-bench bench $BENCH_ARGS and the PyTorch peer (eager) $PEER_ARGS; tessel: ours
# only; compile: the peer with torch.compile $COMPILE_ARGS (e.g. --formats nchw), at most
# $COMPILE_TIMEOUT s (300). The bench uses cuDNN's fastest algorithms (Keras's default);
# detbench: ours with deterministic ones only (TESSEL_GPU_DETERMINISTIC=1, Keras's
# enable_op_determinism; $DET_ARGS, default the CNNs). check holds the GPU to the CPU with
# deterministic algorithms; anycheck with the default ones (TESSEL_GPU_ANY_CONV_ALGO=1, 10x tolerance).
# tf32bench: ours and the peer with TF32 allowed (TESSEL_GPU_TF32=1 / --tf32; $TF32_ARGS, default
# the CNNs), reported beside each other.
# studio (pack.sh with STUDIO=1): the dashboard (offscreen) against a headless fit of the seed MLP
# on the GPU ($STUDIO_ARGS, default --samples 55000 --epochs 2).
# CHECK_ARGS: e.g. "--models cnn-layers,inference" (check groups; default all).
# convbench (pack.sh packs tessel-conv-bench when it was built): the seed CNN's cuDNN convolutions,
# NHWC vs NCHW, fused conv+bias+relu and layout transforms ($CONV_ARGS, e.g. --batch 256 --all), at
# most $CONV_TIMEOUT s (120), to $OUT/convbench.txt.
set -o pipefail
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/gpu22-out}
mkdir -p "$OUT"
# cuBLAS: the toolkit's, else the pip wheel's (PyTorch's).
cub=$(dirname "$(ls /usr/local/cuda/lib64/libcublas.so.13 2>/dev/null || find / -name 'libcublas.so.13' -not -path '*/proc/*' 2>/dev/null | head -1)")
# cuDNN 9 (not carried: ~500 MB): the toolkit's, else the pip wheel's (PyTorch's), with the
# wheels' other CUDA libraries after it (nvrtc for cuDNN's runtime-compiled engines).
dnn=$(dirname "$(ls /usr/local/cuda/lib64/libcudnn.so.9 /opt/torch/.venv/lib/python3*/site-packages/nvidia/cudnn/lib/libcudnn.so.9 2>/dev/null | head -1 || true)")
[ "$dnn" = . ] && dnn=$(dirname "$(find / -name 'libcudnn.so.9' -not -path '/proc/*' 2>/dev/null | head -1)")
wheels=$(dirname "$(dirname "$dnn")")
extra=$(ls -d "$wheels"/*/lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH=$PWD/lib:$cub:/usr/local/cuda/lib64:$dnn:$LD_LIBRARY_PATH:$extra
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
echo "cuBLAS from $cub; cuDNN from $dnn"; ls "$dnn" | grep -E "libcudnn.*so" | head -3
ldd ./tessel-gpu-bench | grep -E "not found|cublas|cudnn|protobuf|sqlite"
./tessel-gpu-bench info || exit 1
steps=${*:-test check bench}
rc=0
for s in $steps; do
  case $s in
    test) mkdir -p /tmp/qt && tar xJf qtlibs.tar.xz -C /tmp/qt &&
      LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/tmp/qt ./tst_engine_gpu 2>&1 | tee "$OUT/tst.txt" || rc=1 ;;
    check) ./tessel-gpu-bench check $CHECK_ARGS 2>&1 | tee "$OUT/check.txt" || rc=1 ;;
    anycheck) TESSEL_GPU_ANY_CONV_ALGO=1 ./tessel-gpu-bench check $CHECK_ARGS 2>&1 | tee "$OUT/anycheck.txt" || rc=1 ;;
    detbench) TESSEL_GPU_DETERMINISTIC=1 ./tessel-gpu-bench bench ${DET_ARGS:---models cnn,seed-cnn,separable} 2>&1 |
      sed 's/engine=tessel/engine=tessel-det/' | tee -a "$OUT/bench.txt" ;;
    tf32bench) { TESSEL_GPU_TF32=1 ./tessel-gpu-bench bench ${TF32_ARGS:---models cnn,seed-cnn,separable} |
        sed 's/engine=tessel/engine=tessel-tf32/'
      PYTHONUNBUFFERED=1 python3 peer_torch_gpu.py --tf32 ${TF32_ARGS:---models cnn,seed-cnn,separable}; } 2>&1 |
      tee -a "$OUT/bench.txt" ;;
    bench) { ./tessel-gpu-bench bench $BENCH_ARGS; PYTHONUNBUFFERED=1 python3 peer_torch_gpu.py $PEER_ARGS; } 2>&1 | tee -a "$OUT/bench.txt" ;;
    tessel) ./tessel-gpu-bench bench $BENCH_ARGS 2>&1 | tee -a "$OUT/bench.txt" ;;
    studio) mkdir -p /tmp/studio && tar xJf studio.tar.xz -C /tmp/studio &&
      LD_LIBRARY_PATH=/tmp/studio/lib:$LD_LIBRARY_PATH QT_PLUGIN_PATH=/tmp/studio/lib QT_QPA_PLATFORM=offscreen \
        /tmp/studio/tessel-bench responsiveness --synthetic --device cuda ${STUDIO_ARGS:---samples 55000 --epochs 2} 2>&1 |
        grep -v propagateSizeHints | tee "$OUT/studio.txt" ;;
    convbench) if [ -x ./tessel-conv-bench ]; then
        timeout ${CONV_TIMEOUT:-120} ./tessel-conv-bench $CONV_ARGS 2>&1 | tee "$OUT/convbench.txt" || rc=1
      else echo "convbench: no tessel-conv-bench here (ninja tessel-conv-bench, then pack.sh)" |
        tee "$OUT/convbench.txt"; rc=1; fi ;;
    compile) PYTHONUNBUFFERED=1 timeout ${COMPILE_TIMEOUT:-300} python3 peer_torch_gpu.py --compile $COMPILE_ARGS 2>&1 | grep -v Warning | tee -a "$OUT/bench.txt" ;;
  esac
done
[ -f "$OUT/bench.txt" ] && python3 compare.py < "$OUT/bench.txt" | tee "$OUT/compare.txt"
exit $rc
