#!/usr/bin/env bash
# Create (or reuse) the repo's virtual environment and install clipdense with its full stack.
#
#   bash tools/install_env.sh                # CPU machine: mmcv ops for CPU
#   FORCE_CUDA=1 bash tools/install_env.sh   # GPU machine (nvcc + CUDA torch): mmcv CUDA ops too
#
# Idempotent: a second run only checks what is there. mmcv 2.1.0 is built from source with its
# ops (mmcv-lite breaks `import mmseg.models`) in a throw-away build environment that sees the
# venv's torch but has its own setuptools<70 (mmcv's setup.py needs it; torch itself needs a newer
# one). The wheel is cached outside the repo, keyed by torch version and ops flavour, in
# $CLIPDENSE_WHEEL_CACHE (default ~/.cache/clipdense/wheels).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${CLIPDENSE_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}
TORCH_VER=2.14.1
TV_VER=0.29.1
MMCV_VER=2.1.0
SETUPTOOLS_VER=80.9.0   # torch 2.14 needs >=77.0.3; mmengine still imports pkg_resources
CACHE=${CLIPDENSE_WHEEL_CACHE:-$HOME/.cache/clipdense/wheels}

log() { printf '[install] %s\n' "$*"; }
# pip warns about absent local index folders on every call here; keep the log readable.
pip_in() { local py=$1; shift
    "$py" -m pip --disable-pip-version-check -q "$@" 2>&1 | sed '/is ignored: it is neither a file nor a directory/d'; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

have() { "$VPY" - "$@" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split('==')
    if version(name) != want:
        sys.exit(1)
PYEOF
}

if ! have torch==$TORCH_VER torchvision==$TV_VER mmengine==0.10.7 mmsegmentation==1.2.2 mmdet==3.3.0 \
        open_clip_torch==3.3.0 setuptools==$SETUPTOOLS_VER; then
    log "installing torch $TORCH_VER, torchvision $TV_VER, mmengine, mmsegmentation, mmdet, open_clip"
    pip_in "$VPY" install "torch==$TORCH_VER" "torchvision==$TV_VER" mmengine==0.10.7 \
        mmsegmentation==1.2.2 mmdet==3.3.0 open_clip_torch==3.3.0 "setuptools==$SETUPTOOLS_VER" \
        opencv-python-headless pycocotools ftfy regex scipy safetensors pytest
fi

# ---- mmcv 2.1.0 with ops, built once per torch version and cached --------------------------
TORCH_TAG=$("$VPY" -c "import torch; print(torch.__version__.replace('+', '_'))")
FLAVOUR=cpu
if [ "${FORCE_CUDA:-0}" = 1 ] || { command -v nvcc >/dev/null && "$VPY" -c "import torch,sys; sys.exit(not torch.cuda.is_available())"; }; then
    FLAVOUR=cuda
fi
KEY="$CACHE/torch-$TORCH_TAG-$FLAVOUR"
MARKER="$VENV/.mmcv-built-for"   # mmcv's ops are compiled against one torch version
if ! have mmcv==$MMCV_VER || [ "$(cat "$MARKER" 2>/dev/null)" != "$KEY" ] \
        || ! "$VPY" -c "import mmcv._ext" 2>/dev/null; then
    WHEEL=$(ls "$KEY"/mmcv-$MMCV_VER-*.whl 2>/dev/null | head -n1 || true)
    if [ -z "$WHEEL" ]; then
        log "building mmcv $MMCV_VER with $FLAVOUR ops from source (about 7 min on 2 cores); cached in $KEY"
        BUILD=$(mktemp -d)
        trap 'rm -rf "$BUILD"' EXIT
        "$PY" -m venv "$BUILD/venv"
        pip_in "$BUILD/venv/bin/python" install "setuptools<70" wheel ninja
        # The build venv sees the main venv's packages (torch, numpy) after its own setuptools.
        SITE=$("$VPY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        BSITE=$("$BUILD/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        echo "$SITE" > "$BSITE/clipdense_main_venv.pth"
        pip_in "$BUILD/venv/bin/python" download --no-deps --no-binary :all: "mmcv==$MMCV_VER" -d "$BUILD"
        tar xzf "$BUILD"/mmcv-$MMCV_VER.tar.gz -C "$BUILD"
        # torch >= 2.10 headers need C++20; mmcv 2.1.0 hard-codes -std=c++17.
        sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VER/setup.py"
        if [ "$FLAVOUR" = cuda ]; then export FORCE_CUDA=1; fi
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} PATH="$BUILD/venv/bin:$PATH" \
            pip_in "$BUILD/venv/bin/python" wheel --no-build-isolation --no-deps \
            -w "$BUILD/dist" "$BUILD/mmcv-$MMCV_VER"
        mkdir -p "$KEY"
        mv "$BUILD"/dist/mmcv-$MMCV_VER-*.whl "$KEY"/
        WHEEL=$(ls "$KEY"/mmcv-$MMCV_VER-*.whl | head -n1)
    fi
    log "installing $WHEEL"
    pip_in "$VPY" install --no-deps --force-reinstall "$WHEEL"
    pip_in "$VPY" install addict yapf packaging   # mmcv's runtime deps (installed --no-deps)
    echo "$KEY" > "$MARKER"
fi

# ---- clipdense itself (editable) ------------------------------------------------------------
if ! (cd / && "$VPY" -c "import importlib.util as u, os, sys; s = u.find_spec('clipdense'); \
sys.exit(s is None or os.path.dirname(os.path.dirname(s.origin)) != sys.argv[1])" "$ROOT"); then
    log "installing clipdense (editable)"
    pip_in "$VPY" install --no-deps --no-build-isolation -e "$ROOT"
fi
log "environment ready: $VENV"
