#!/bin/sh
# tests/slurm.sh - a real one-node Slurm (Debian 12's slurmctld, slurmd and munge; no mock): a
# 4-task job array runs a sweep's shards and `magsim merge` combines them, and a 2-task job runs the
# MPI sweep with `srun --mpi=pmix -n 2`; both byte for byte against the serial run.
#
#   MAGSIM=build/release/magsim MAGSIM_MPI=build/release-mpi/magsim sh tests/slurm.sh   (make check-slurm)
#
# Needs root (the daemons run as root, started in the background without systemd, with their own
# slurm.conf under a temporary directory: select/cons_tres, proctrack/linuxproc, task/none, so no
# cgroups are needed; MpiDefault=pmix).  Every Slurm command runs under `timeout`; the daemons are
# stopped at exit.  Packages: slurmctld slurmd slurm-client munge openmpi-bin libopenmpi-dev.
set -u
: "${MAGSIM:?serial magsim}" "${MAGSIM_MPI:?the MPI build of magsim}"
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
. tests/hpc_lib.sh
P="${HPC_PATHS:-128}"
SW=$ROOT/sweeps/approval_cover.yaml
[ "$(id -u)" -eq 0 ] || { echo "tests/slurm.sh: needs root"; exit 2; }
for c in slurmctld slurmd sbatch munged mpirun; do
    command -v $c >/dev/null || { echo "tests/slurm.sh: $c missing (apt-get install slurmctld slurmd slurm-client munge openmpi-bin)"; exit 2; }
done
chmod 755 "$T"
D=$T/slurm
mkdir -p "$D/state" "$D/spool" "$D/munge" "$D/msock"
H=$(hostname -s)
export SLURM_CONF=$D/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=magsimci
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
KillWait=30
NodeName=$H NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=$H Default=YES MaxTime=60 State=UP OverSubscribe=FORCE:4
CONF

# munge: its own key and socket, so no system munged is needed or disturbed
dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null
chown -R munge:munge "$D/munge" "$D/msock"
chmod 700 "$D/munge"
chmod 755 "$D" "$D/msock"
chmod 400 "$D/munge/munge.key"
SOCK=$D/msock/munge.socket
runuser -u munge -- munged --key-file="$D/munge/munge.key" --socket="$SOCK" --pid-file="$D/munge/munged.pid" \
    --log-file="$D/munge/munged.log" --seed-file="$D/munge/seed" || { echo "munged did not start"; exit 1; }
# Slurm's auth/munge plugin takes the socket from AuthInfo
echo "AuthInfo=socket=$SOCK" >>"$SLURM_CONF"

stop_all() {
    for pf in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
        [ -s "$pf" ] && kill "$(cat "$pf")" 2>/dev/null
    done
    sleep 1
    rm -rf "$T"
}
trap stop_all EXIT

timeout 30 slurmctld -f "$SLURM_CONF" || { no "slurmctld started"; cat "$D/slurmctld.log"; exit 1; }
timeout 30 slurmd -f "$SLURM_CONF" || { no "slurmd started"; cat "$D/slurmd.log"; exit 1; }
i=0
until timeout 10 sinfo -h -o %T 2>/dev/null | grep -q -E '^idle'; do
    i=$((i + 1))
    [ $i -gt 60 ] && { no "the node is idle"; tail -n 20 "$D/slurmctld.log" "$D/slurmd.log"; exit 1; }
    sleep 1
done
ok "slurmctld and slurmd up, node idle"

"$MAGSIM" sweep "$SW" -n "$P" -o "$T/serial" -q -j 2 >/dev/null 2>&1 || no "serial sweep"

# the job array: one shard per task, SLURM_ARRAY_TASK_ID / _COUNT give --shard
cat >"$T/array.sbatch" <<JOB
#!/bin/sh
#SBATCH --job-name=magsim-sweep
#SBATCH --array=0-3
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=200M
#SBATCH --time=10
#SBATCH --output=$T/array-%a.log
exec "$MAGSIM" sweep "$SW" -n $P -j 1 -q --out "$T/shard-\$SLURM_ARRAY_TASK_ID"
JOB
run timeout 600 sbatch --wait "$T/array.sbatch"
check "sbatch --array=0-3 --wait: exit 0" is_rc 0
for i in 0 1 2 3; do check "array task $i wrote shard $i/4" grep -q "^shard $i/4\$" "$T/shard-$i/shard.id"; done
run "$MAGSIM" merge --out "$T/merged" "$T/shard-0" "$T/shard-1" "$T/shard-2" "$T/shard-3"
check "merge of the array's shards: byte-identical to the serial run" same_sweep "$T/serial" "$T/merged"

# MPI inside a Slurm job: srun --mpi=pmix -n 2
cat >"$T/mpi.sbatch" <<JOB
#!/bin/sh
#SBATCH --job-name=magsim-mpi
#SBATCH --ntasks=2
#SBATCH --cpus-per-task=1
#SBATCH --time=10
#SBATCH --output=$T/mpi.log
export OMP_NUM_THREADS=1
srun --mpi=pmix -n 2 "$MAGSIM_MPI" sweep "$SW" -n $P -q --out "$T/mpi"
JOB
run timeout 600 sbatch --wait "$T/mpi.sbatch"
check "srun --mpi=pmix -n 2 job: exit 0" is_rc 0
[ "$rc" -eq 0 ] || sed -e 's/^/       | /' "$T/mpi.log" | head -n 20
check "srun --mpi=pmix -n 2: the manifest records 2 ranks" grep -q '"ranks": 2' "$T/mpi/manifest.json"
check "srun --mpi=pmix -n 2 sweep: byte-identical to the serial run" same_sweep "$T/serial" "$T/mpi"
finish
