#!/bin/sh
# PID 1 of a hoist lab node, run by `unshare --mount --pid --uts --ipc --fork --root=<node root>`.
# It gives the node what a booted machine has (its own /proc, /dev, /run, /tmp, hostname), then
# becomes Debian's runit service supervisor, which starts sshd. Usage: hoist-lab-init NODE-NAME
set -eu
name=$1
hostname "$name"
# /proc here, after the root switch (unshare's --mount-proc would mount it before the chroot).
mount -t proc -o nosuid,nodev,noexec proc /proc
# Read-only sysfs shows this node's own network devices (ip, python's socket.if_nameindex).
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys 2>/dev/null || true
# A private /dev: only the safe character devices, and a devpts instance of its own so PTYs work.
mount -t tmpfs -o mode=0755,nosuid,size=1m dev /dev
mknod -m 0666 /dev/null c 1 3
mknod -m 0666 /dev/zero c 1 5
mknod -m 0666 /dev/full c 1 7
mknod -m 0666 /dev/random c 1 8
mknod -m 0666 /dev/urandom c 1 9
mknod -m 0666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m shm /dev/shm
# runit keeps its supervise state under /run/runit; a stale copy from before a power cut must not count.
mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m run /run
mount -t tmpfs -o mode=1777,nosuid,nodev,size=512m tmp /tmp
mkdir -p /run/sshd /run/lock /run/runit/supervise
chmod 0755 /run/sshd
echo "hoist-lab-init: $name up, starting runsvdir"
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  runsvdir -P /etc/service 'log: ...........................................................................'
