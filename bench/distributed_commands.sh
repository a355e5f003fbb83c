#!/usr/bin/env bash
# Scaling of the data-parallel training commands: each command at 1 rank and at 2 ranks (the same per-rank batch,
# so 2 ranks train on twice the examples per step), with every rank's wall-clock and CPU time from /usr/bin/time.
# Prints one markdown table row per run. See docs/distributed.md ("Measured: the training commands").
#
#   swift build -c release --product montague
#   OPENBLAS_NUM_THREADS=1 bench/distributed_commands.sh [.build/release/montague] [work directory]
#
# Data: SCAN (compgen/scan) and the Yelp sentiment sentences (yelp/) from the shared data directory
# (MONTAGUE_DATA, default /work/shared/data); the GAN and RL runs need no data.
set -euo pipefail
MONTAGUE=$(realpath "${1:-.build/release/montague}")
WORK=${2:-$(mktemp -d /tmp/montague-dist-bench.XXXXXX)}
DATA=${MONTAGUE_DATA:-/work/shared/data}
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader -x OPENBLAS_NUM_THREADS)
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
mkdir -p "$WORK"
head -n 5000 "$DATA/yelp/sentiment.train.0" > "$WORK/neg.txt"
head -n 5000 "$DATA/yelp/sentiment.train.1" > "$WORK/pos.txt"

# run NAME RANKS STEPS ARGS…: times every rank, prints "| NAME | RANKS | steps | max wall s | CPU s per rank | …".
run() {
  local name=$1 ranks=$2 steps=$3
  shift 3
  local log="$WORK/$name-$ranks.time"
  rm -rf "$WORK/$name-$ranks" "$log"
  local timed=(/usr/bin/time -a -o "$log" -f "%e %U %S")
  if [ "$ranks" = 1 ]; then
    "${timed[@]}" "$MONTAGUE" "$@" --output "$WORK/$name-$ranks" > "$WORK/$name-$ranks.out" 2>&1
  else
    "${MPIRUN[@]}" -np "$ranks" "${timed[@]}" "$MONTAGUE" "$@" --output "$WORK/$name-$ranks" \
      > "$WORK/$name-$ranks.out" 2>&1
  fi
  awk -v name="$name" -v ranks="$ranks" -v steps="$steps" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    { wall = $1 > wall ? $1 : wall; cpu += $2 + $3; n += 1 }
    END {
      printf "| %s | %d | %d | %.1f | %.2f | %.1f | %.4f | %s |\n", name, ranks, steps, wall, cpu / n, cpu,
        cpu / n / steps, load
    }' "$log"
}

echo "| command | ranks | steps per rank | wall s (slowest rank) | CPU s per rank | CPU s, all ranks | CPU s per step per rank | load |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
# Each configuration runs at S and 2S steps: the difference is the cost of S steps without start-up (MPI_Init,
# data loading, vocabulary, the final evaluation), see the rows marked "Δ".
both() {
  local name=$1 ranks=$2 steps=$3
  shift 3
  local first second
  first=$(run "$name" "$ranks" "$steps" "$@" --steps "$steps")
  second=$(run "$name" "$ranks" "$((2 * steps))" "$@" --steps "$((2 * steps))")
  echo "$first"
  echo "$second"
  paste -d' ' <(echo "$first" | tr -d '|') <(echo "$second" | tr -d '|') | awk '{
    printf "| %s Δ | %d | %d | %.1f | %.2f | %.1f | %.4f | %s |\n", $1, $2, $11 - $3, $12 - $4, $13 - $5, $14 - $6,
      ($13 - $5) / ($11 - $3), $16 }'
}
SEQ=(train seq2seq --train "$DATA/compgen/scan/tasks_train_simple.txt" --hidden 256 --embedding 64 --batch-size 64
  --report-every 1000 --seed 1)
both seq2seq 1 40 "${SEQ[@]}"
both seq2seq 2 40 "${SEQ[@]}"
GAN=(train gan --data ring8 --hidden 512 --layers 3 --batch-size 512 --log-every 1000 --seed 1 --quiet)
both gan 1 40 "${GAN[@]}"
both gan 2 40 "${GAN[@]}"
STYLE=(train style-transfer --method cross-aligned --style neg="$WORK/neg.txt" --style pos="$WORK/pos.txt"
  --classifier-epochs 0 --lm-steps 0 --batch-size 32 --max-length 15)
both style-transfer 1 8 "${STYLE[@]}"
both style-transfer 2 8 "${STYLE[@]}"
# --steps counts the environment steps of all ranks: 2 ranks at 16384 make as many updates as 1 rank at 8192
# (8192 environment steps per rank in both). Start-up is small next to these runs.
run rl-ppo 1 8192 train rl --env CartPole-v1 --method ppo --steps 8192 --eval-episodes 1 --seed 1
run rl-ppo 2 8192 train rl --env CartPole-v1 --method ppo --steps 16384 --eval-episodes 1 --seed 1
run rl-a2c 1 8192 train rl --env CartPole-v1 --method a2c --steps 8192 --eval-episodes 1 --seed 1
run rl-a2c 2 8192 train rl --env CartPole-v1 --method a2c --steps 16384 --eval-episodes 1 --seed 1
echo "outputs and per-rank times: $WORK"
