#!/bin/bash
# Holds CONNS idle WebSockets on ONE pod and reports its RSS, where the host's descriptor limit is too low for it.
#
# The pod runs in a qemu guest (its own kernel, so its own ulimit -n), with the JVM image's settings and a Redis
# beside it; the load generator runs on the host in several processes (each under the host's limit), over a tap
# device, each from its own source address. The guest prints the pod's RSS, descriptors and Redis key count every
# 15 s; this script takes the baseline before the first client connects and reports the figures when every client
# is holding, then after they have all closed (Redis must be back to 0 keys: no ghost presence).
#
# Needs root (tap device), qemu-system-x86, debootstrap, e2fsprogs, iproute2 and ~8 GB of free memory. Without
# KVM (ACCEL=tcg, the default) the guest is emulated: ~50x slower per connect, which is why the default connect
# rate is low and the heartbeat is pushed out of the run (an emulated pod cannot ping 100,000 connections every
# 54 s); memory is what this measures, not CPU.
#
#   ./mvnw -B -q package -DskipTests
#   bench/loadgen --help                     # builds the generator and bench/target/classpath.txt
#   sudo bench/vm/hold-100k.sh            # CONNS=100200 PER_CLIENT=16700 RATE=25 HOLD=300 ACCEL=tcg
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNS=${CONNS:-100200}
PER_CLIENT=${PER_CLIENT:-16700}
RATE=${RATE:-25}                     # connects per second per client process
HOLD=${HOLD:-300}                    # seconds the first client holds after its last connect (the k-th: + 60 s x (k-1))
ACCEL=${ACCEL:-tcg}
WORK=${WORK:-/tmp/realtime-vm}
CP_FILE=${CP_FILE:-bench/target/classpath.txt}
POD_OPTS=${POD_OPTS:--Drealtime.ping-interval=1200s,-Drealtime.pong-timeout=1260s,-Drealtime.presence.ttl=1800s}

for tool in qemu-system-x86_64 debootstrap mkfs.ext4 ip java; do
  command -v $tool >/dev/null || { echo "missing: $tool (apt-get install qemu-system-x86 debootstrap e2fsprogs iproute2)"; exit 1; }
done
[ -f target/quarkus-app/quarkus-run.jar ] && [ -d bench/target/classes ] && [ -f "$CP_FILE" ] \
  || { echo "build first (the two commands at the top of this script)"; exit 1; }
clients=$(( (CONNS + PER_CLIENT - 1) / PER_CLIENT ))
[ "$(ulimit -n)" -gt $(( PER_CLIENT + 200 )) ] || { echo "ulimit -n $(ulimit -n) is too low for PER_CLIENT=$PER_CLIENT"; exit 1; }

root=$WORK/root
mkdir -p "$WORK"
if ! ls "$root"/boot/initrd.img-* >/dev/null 2>&1; then
  debootstrap --variant=minbase --include=linux-image-amd64,initramfs-tools,iproute2,procps,redis-server,ca-certificates \
    bookworm "$root" http://deb.debian.org/debian > "$WORK/debootstrap.log"
fi
# The host's own JDK, so the guest runs the same JVM build as the other benchmark rows.
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
rm -rf "$root/opt" && mkdir -p "$root/opt/app" "$root/opt/bench" "$root/usr/lib/jvm"
tar -C / -cf - --exclude=jmods --exclude=src.zip "${java_home#/}" $(ls -d /etc/java-17-openjdk 2>/dev/null | sed 's|^/||') \
  | tar -C "$root" -xf -
[ "$java_home" = /usr/lib/jvm/java-17-openjdk-amd64 ] || ln -sfn "$java_home" "$root/usr/lib/jvm/java-17-openjdk-amd64"
cp -a target/quarkus-app/. "$root/opt/app/"
cp bench/vm/guest-init.sh "$root/init.sh" && chmod +x "$root/init.sh"
kernel=$(ls "$root"/boot/vmlinuz-* | head -1); initrd=$(ls "$root"/boot/initrd.img-* | head -1)
rm -f "$WORK/disk.img" && mkfs.ext4 -q -F -d "$root" "$WORK/disk.img" 3G

ip link del rtvm0 2>/dev/null || true
ip tuntap add rtvm0 mode tap && ip addr add 10.0.2.1/24 dev rtvm0
for k in $(seq 1 $clients); do ip addr add 10.0.2.$((10 + k))/24 dev rtvm0; done
ip link set rtvm0 up
cleanup() { pkill -f "ifname=rtvm0" 2>/dev/null || true; pkill -f "user-prefix vm[0-9]*-" 2>/dev/null || true; ip link del rtvm0 2>/dev/null || true; }
trap cleanup EXIT

log=$WORK/guest.log
timeout $(( PER_CLIENT / RATE + HOLD + 1800 )) qemu-system-x86_64 -accel "$ACCEL" -smp 2 -m 8G -nographic -no-reboot \
  -kernel "$kernel" -initrd "$initrd" -drive file="$WORK/disk.img",if=virtio,format=raw \
  -netdev tap,id=n0,ifname=rtvm0,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
  -append "root=/dev/vda rw console=ttyS0 quiet panic=-1 init=/init.sh podopts=$POD_OPTS lifetime=$(( PER_CLIENT / RATE + HOLD + 1500 ))" \
  > "$log" 2>&1 &
samples() { tr -d '\r' < "$log" | grep '^SAMPLE'; }
for i in $(seq 1 120); do grep -q READY "$log" && break; sleep 5; done
grep -q READY "$log" || { echo "the guest did not start the pod:"; tail -30 "$log"; exit 1; }
sleep 20
baseline=$(samples | tail -1)
echo "baseline: $baseline"

echo "starting $clients client processes x $PER_CLIENT connections at $RATE/s each"
pids=()
for k in $(seq 1 $clients); do
  java -Xmx1g -XX:+UseSerialGC -cp "bench/target/classes:$(cat "$CP_FILE")" io.devarno.realtime.bench.LoadGenerator \
    idle --instances ws://10.0.2.2:8085 --connections $PER_CLIENT --user-prefix vm$k- --connect-rate $RATE \
    --connect-timeout 60 --duration $(( HOLD + 60 * (k - 1) )) --source-addresses 10.0.2.$((10 + k)) --no-metrics --event-loops 1 \
    > "$WORK/client-$k.log" 2>&1 &
  pids+=($!)
done
# Clients end one minute apart: 100,000 FINs at once overflow the emulated NIC, the host gives up on the lost
# ones (TcpExtTCPAbortOnTimeout) and the pod keeps those sockets until its pong timeout.
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
grep -h '^connected' "$WORK"/client-*.log
all=$(samples | awk -v n=$((clients * PER_CLIENT)) '{split($4,f,"="); if (f[2] >= n) print}' | tail -1)
echo "all held:  ${all:-never (see $WORK/client-*.log)}"
for i in $(seq 1 60); do samples | tail -1 | grep -q 'redis_keys=0 ' && break; sleep 5; done
echo "closed:    $(samples | tail -1)"
if [ -n "$all" ]; then
  awk -v b="$baseline" -v a="$all" -v conns=$((clients * PER_CLIENT)) 'BEGIN {
    split(b, x, /[ =]/); split(a, y, /[ =]/);   # SAMPLE t rss_kb R fds F ...
    printf "pod RSS %.0f MB with %d connections, baseline %.0f MB: %.2f KB per connection above baseline\n",
           y[4] / 1024, conns, x[4] / 1024, (y[4] - x[4]) / conns }'
fi
exit $failed
