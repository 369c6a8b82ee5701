# Written by 'hoist server install' (docs/server.md): hands a webhook secret file to the hoist
# user, who runs the server and reads it, as mode 0600 and never readable by anyone else.
#   check FILE: exit 0 when FILE is already hoist's and no one else's (and has one name)
#   give FILE:  make it so, or say why not (exit 1)
import os
import pwd
import stat
import sys


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


what, path = sys.argv[1], sys.argv[2]
st = os.stat(path)
if what == "check":
    hoist = pwd.getpwnam("hoist")
    ok = (
        stat.S_ISREG(st.st_mode)
        and st.st_nlink == 1
        and st.st_uid == hoist.pw_uid
        and st.st_mode & 0o077 == 0
    )
    sys.exit(0 if ok else 1)

fix = "chown hoist:hoist %s && chmod 600 %s" % (path, path)
real = os.path.realpath(path)
# Root changes the file's owner: no directory above it may be changed by another user, or a link
# swapped in there could turn the change onto another file (a sticky dir such as /tmp keeps its
# root-owned entries).
parent = os.path.dirname(real)
while True:
    d = os.lstat(parent)
    if d.st_uid != 0 or (d.st_mode & 0o022 and not d.st_mode & stat.S_ISVTX):
        fail(
            "cannot hand %s to the hoist user: %s can be changed by another user than root;"
            " keep the secret in a root-owned directory (e.g. /etc/hoist-server), or run: %s"
            % (path, parent, fix)
        )
    if parent == "/":
        break
    parent = os.path.dirname(parent)
fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
try:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        fail("%s is not a regular file: write the webhook secret into a file" % path)
    # A second name for the file (a hard link, maybe in a directory another user controls) would
    # make root's chown hand that file over too.
    if st.st_nlink != 1:
        fail(
            "cannot hand %s to the hoist user: it has %d names (hard links); keep the secret in"
            " a file of its own: cp %s %s.new && mv %s.new %s"
            % (path, st.st_nlink, path, path, path, path)
        )
    # Narrowed first, so the secret is never readable by another user while it changes hands.
    os.fchmod(fd, 0o600)
    hoist = pwd.getpwnam("hoist")
    os.fchown(fd, hoist.pw_uid, hoist.pw_gid)
finally:
    os.close(fd)
print("%s: owner hoist, mode 0600" % path)
