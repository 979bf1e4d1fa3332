#!/usr/bin/env bash
# A real Slurm cluster on one machine, for tests and for trying the compute adapter:
# munged, one slurmctld and N slurmd (one per fake GPU node), everything under DIR.
#
#   scripts/slurm-cluster.sh start DIR [N_NODES] [GPUS_PER_NODE]   (defaults 3 and 4)
#   scripts/slurm-cluster.sh stop DIR
#
# Then: export SLURM_CONF=DIR/slurm.conf and use squeue, sbatch, scontrol as usual.
# Runs as root (the daemons and the jobs). Ports: SLURM_TEST_PORT_BASE (default 16810) for
# slurmctld, then one port per slurmd above it. `stop` kills only the processes whose pid files
# are in DIR and removes nothing outside DIR.
set -euo pipefail

usage() { echo "usage: $0 start DIR [N_NODES] [GPUS_PER_NODE] | stop DIR" >&2; exit 64; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")
nodes=${3:-3}
gpus=${4:-4}
base=${SLURM_TEST_PORT_BASE:-16810}

# Sends TERM to the processes named in the given pid files, then KILL to those still there
# after 5 s.
kill_pidfiles() {
  local pids=() f pid
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    rm -f "$f"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

stop() {
  [ -d "$dir" ] || return 0
  # Jobs still running: their slurmstepd and scripts. Cancelling through the controller is the
  # clean way; the process sweep below catches what is left when the controller is gone.
  if [ -f "$dir/slurm.conf" ] && [ -f "$dir/pids/slurmctld.pid" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 5 scancel --quiet --full --signal=KILL --state=RUNNING --user=root 2>/dev/null || true
  fi
  kill_pidfiles "$dir"/pids/slurmd-*.pid "$dir/pids/slurmctld.pid"
  # slurmstepd processes of this cluster, found by the spool directories under DIR.
  for p in $(pgrep -f "slurmstepd" 2>/dev/null || true); do
    if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q "$dir"; then kill -KILL "$p" 2>/dev/null || true; fi
    if grep -qz "SLURM_CONF=$dir/slurm.conf" "/proc/$p/environ" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  # Job scripts: a job id and SLURM_CONF pointing into DIR in their environment (an operator's
  # shell with SLURM_CONF exported has no job id and is left alone).
  for p in $(pgrep -u 0 . 2>/dev/null || true); do
    [ "$p" = "$$" ] && continue
    local env; env=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null || true)
    if grep -qx "SLURM_CONF=$dir/slurm.conf" <<<"$env" && grep -q "^SLURM_JOB_ID=" <<<"$env"; then
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  kill_pidfiles "$dir/pids/munged.pid"
}

start() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    || { echo "error: slurmctld, slurmd and munged are needed (scripts/install-deps.sh installs them)" >&2; exit 69; }
  [ "$(id -u)" -eq 0 ] || { echo "error: the test cluster runs its daemons as root" >&2; exit 77; }
  [[ "$nodes" =~ ^[1-9][0-9]*$ ]] && [[ "$gpus" =~ ^[1-9][0-9]*$ ]] || usage
  # Whatever a previous run left in DIR is stopped first.
  stop
  # The daemons listen on every address: a port some other program holds (on any address) would
  # stop them. Status 75 (temporary failure) says to try another SLURM_TEST_PORT_BASE.
  local p
  for p in $(seq "$base" $((base + nodes))); do
    if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
      echo "error: port $p is in use; set SLURM_TEST_PORT_BASE to a free range" >&2
      exit 75
    fi
  done
  mkdir -p "$dir"/{pids,logs,state,spool,dev,munge}
  chmod 700 "$dir" "$dir/munge"
  local host; host=$(hostname -s)

  # munge with its own key and socket.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/pids/munged.pid" --log-file="$dir/logs/munged.log" --seed-file="$dir/munge/munged.seed" \
    </dev/null >>"$dir/logs/daemons.out" 2>&1

  local node_lines="" gres_lines=""
  for k in $(seq 1 "$nodes"); do
    mkdir -p "$dir/dev/node$k"
    for g in $(seq 0 $((gpus - 1))); do : >"$dir/dev/node$k/nvidia$g"; done
    node_lines+="NodeName=node$k NodeHostname=$host NodeAddr=127.0.0.1 Port=$((base + k)) CPUs=$((gpus * 2)) RealMemory=4000 Gres=gpu:h100:$gpus State=UNKNOWN"$'\n'
    gres_lines+="NodeName=node$k Name=gpu Type=h100 File=$dir/dev/node$k/nvidia[0-$((gpus - 1))]"$'\n'
  done

  cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm-cluster.sh for a one-machine test cluster.
ClusterName=gridshell-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$base
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/pids/slurmctld.pid
SlurmdPidFile=$dir/pids/slurmd-%n.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in a container: processes are tracked by process tree, tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
PriorityType=priority/basic
JobRequeue=1
ReturnToService=2
MinJobAge=300
KillWait=5
MessageTimeout=10
SlurmdTimeout=60
InactiveLimit=0
MpiDefault=none
# Jobs in a higher-tier partition requeue those in lower tiers after their grace time.
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
$node_lines
PartitionName=inference Nodes=ALL PriorityTier=3 PreemptMode=OFF MaxTime=INFINITE State=UP
PartitionName=training Nodes=ALL PriorityTier=2 PreemptMode=REQUEUE GraceTime=30 MaxTime=INFINITE State=UP
PartitionName=batch Nodes=ALL Default=YES PriorityTier=1 PreemptMode=REQUEUE GraceTime=10 MaxTime=INFINITE State=UP
EOF
  printf 'AutoDetect=off\n%s' "$gres_lines" >"$dir/gres.conf"
  cat >"$dir/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupAutomount=no
ConstrainCores=no
ConstrainDevices=no
ConstrainRAMSpace=no
EOF

  export SLURM_CONF="$dir/slurm.conf"
  # The daemons get no descriptor of the caller's: a caller reading this script's output to its
  # end would otherwise wait for them to exit.
  slurmctld -i </dev/null >>"$dir/logs/daemons.out" 2>&1
  for k in $(seq 1 "$nodes"); do slurmd -N "node$k" </dev/null >>"$dir/logs/daemons.out" 2>&1; done

  # Ready when every node is idle (up to 60 s).
  local deadline=$((SECONDS + 60)) states=""
  while [ $SECONDS -lt $deadline ]; do
    states=$(sinfo --noheader --Node --format='%N %T' 2>/dev/null | sort -u || true)
    if [ -n "$states" ] && [ "$(grep -c ' idle$' <<<"$states")" -eq "$nodes" ]; then
      echo "slurm cluster up in $dir: $nodes nodes x $gpus GPUs; export SLURM_CONF=$dir/slurm.conf"
      return 0
    fi
    sleep 0.3
  done
  echo "error: the Slurm nodes did not all become idle within 60 s; states: ${states:-none}; logs in $dir/logs" >&2
  tail -n 5 "$dir"/logs/*.log >&2 || true
  stop
  exit 70
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
