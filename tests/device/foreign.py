#!/usr/bin/env python3
"""Runs a command where arm64 programs run, without touching the machine:
in new user, mount and PID namespaces (uids and gids 0-65535 mapped to
themselves, so files keep their real owners) with a binfmt_misc of their
own (Linux >= 6.7 gives each user namespace one) in which qemu-user-static
runs aarch64 ELF files. mmdebstrap then makes an arm64 root filesystem as
it would on an arm64 machine. The machine's own binfmt_misc, which this
container may not change, is never mounted or written.

    foreign.py CMD [ARG...]
"""
import ctypes
import os
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
MS_REC, MS_PRIVATE = 0x4000, 0x40000
RULE = "/usr/lib/binfmt.d/qemu-aarch64.conf"
libc = ctypes.CDLL(None, use_errno=True)


def die(what):
    e = ctypes.get_errno()
    sys.exit(f"foreign.py: {what}: {os.strerror(e)}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if not os.path.exists(RULE):
        sys.exit(f"foreign.py: {RULE} is missing (qemu-user-static)")
    go_r, go_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(go_w)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0:
            die("unshare")
        os.read(go_r, 1)  # the parent has written the maps
        os.setgid(0)
        os.setuid(0)
        inner = os.fork()  # PID 1 of the new PID namespace
        if inner == 0:
            if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
                die("mount --make-rprivate /")
            if libc.mount(b"proc", b"/proc", b"proc", 0, None) != 0:
                die("mount proc")
            if libc.mount(b"binfmt_misc", b"/proc/sys/fs/binfmt_misc", b"binfmt_misc", 0, None) != 0:
                die("mount binfmt_misc")
            with open("/proc/sys/fs/binfmt_misc/register", "w") as f:
                f.write(open(RULE).read().strip())
            os.execvp(sys.argv[1], sys.argv[1:])
        _, st = os.waitpid(inner, 0)
        os._exit(os.waitstatus_to_exitcode(st) & 0xff)
    os.close(go_r)
    # Only a process with CAP_SETUID in the parent namespace may map more
    # than its own id: the parent writes the child's maps.
    import time
    for _ in range(100):
        try:
            if open(f"/proc/{child}/uid_map").read().strip() == "" and \
               os.readlink(f"/proc/{child}/ns/user") != os.readlink("/proc/self/ns/user"):
                break
        except OSError:
            pass
        time.sleep(0.02)
    with open(f"/proc/{child}/uid_map", "w") as f:
        f.write("0 0 65536")
    with open(f"/proc/{child}/setgroups", "w") as f:
        f.write("allow")
    with open(f"/proc/{child}/gid_map", "w") as f:
        f.write("0 0 65536")
    os.write(go_w, b"x")
    _, st = os.waitpid(child, 0)
    sys.exit(os.waitstatus_to_exitcode(st))


if __name__ == "__main__":
    main()
