#!/bin/bash
# PID 1 of the benchmark guest (see hold-100k.sh): one pod with the JVM image's settings, a local Redis, and a
# sampler printing the pod's RSS and open descriptors to the console. Options come from the kernel command line.
export PATH=/usr/lib/jvm/java-17-openjdk-amd64/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
for kv in $(cat /proc/cmdline); do
  case $kv in podopts=*|lifetime=*) export "$kv" ;; esac
done
ip link set lo up
modprobe virtio_net 2>/dev/null; sleep 1
nic=$(ls /sys/class/net | grep -v '^lo$' | head -1)
ip addr add 10.0.2.2/24 dev "$nic"; ip link set "$nic" up
# The point of the guest: a descriptor limit above 100,000, which the host may not grant.
ulimit -Hn 1048576; ulimit -n 1048576
sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
echo "guest: $(uname -r) cpus=$(nproc) mem=$(free -m | awk '/Mem/{print $2}')MB nofile=$(ulimit -n) podopts=$podopts"

redis-server --port 6399 --save '' --appendonly no --daemonize yes >/dev/null
# The settings of src/main/docker/Dockerfile.jvm, one event loop as the ConfigMap sets it.
MALLOC_ARENA_MAX=2 java -Dquarkus.vertx.event-loops-pool-size=1 -XX:+UseSerialGC -Xms256m -Xmn12m \
  -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TrimNativeHeapInterval=2000 ${podopts//,/ } \
  -Drealtime.auth.mode=trusted-header -Dquarkus.http.port=8085 -Dquarkus.redis.hosts=redis://127.0.0.1:6399 \
  -jar /opt/app/quarkus-run.jar > /tmp/pod.log 2>&1 &
pid=$!
t0=$(date +%s)
until grep -q "Listening on" /tmp/pod.log; do
  sleep 1
  [ $(( $(date +%s) - t0 )) -gt 300 ] && { echo "pod did not start"; tail -30 /tmp/pod.log; break; }
done
echo "pod up after $(( $(date +%s) - t0 )) s (pid $pid)"
echo READY
end=$(( $(date +%s) + ${lifetime:-3600} ))
while kill -0 $pid 2>/dev/null && [ "$(date +%s)" -lt $end ]; do
  echo "SAMPLE $(date +%s) rss_kb=$(awk '/VmRSS/{print $2}' /proc/$pid/status)" \
       "fds=$(ls /proc/$pid/fd | wc -l) redis_keys=$(redis-cli -p 6399 dbsize) load=$(cut -d' ' -f1 /proc/loadavg)"
  sleep 15
done
echo "== pod log, warnings and errors"; grep -E "WARN|ERROR" /tmp/pod.log | tail -20
echo o > /proc/sysrq-trigger; sleep 30
