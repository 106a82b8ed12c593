#!/usr/bin/python3
"""A network share that misbehaves on demand, for the outage tests.

Mirrors BACKING at MOUNT through FUSE. Every file-system call first reads
CONTROL (a plain file outside the mount) and behaves as it says:

    ok            pass through
    latency MS    wait MS milliseconds, then pass through (a slow WAN link)
    eio           fail with EIO (the server went away mid-session)
    hang          block until CONTROL says otherwise (a dead SMB server:
                  the client waits, it does not fail)
    readonly      reads pass, every change fails with EROFS (a share the
                  user may only read)

Locks are not implemented here, so the kernel keeps byte-range locks
locally — as a working share does for one machine.

With a fourth argument `refuse-locks` the share instead refuses every lock
(ENOLCK), like an NFS mount without a lock manager: Kizuna must open a
database there read-only.

usage: faultfs.py BACKING MOUNT CONTROL [refuse-locks]   (runs in the
foreground; unmount with `fusermount -u MOUNT` or by ending the process)
"""

import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError


OPS = frozenset(['access', 'chmod', 'chown', 'create', 'destroy', 'flush', 'fsync', 'getattr', 'init', 'mkdir', 'open', 'read', 'readdir', 'release', 'rename', 'rmdir', 'statfs', 'truncate', 'unlink', 'utimens', 'write'])


# The calls that change something, refused on a read-only share.
WRITES = frozenset(['chmod', 'chown', 'create', 'mkdir', 'rename', 'rmdir', 'truncate', 'unlink', 'utimens', 'write'])


class Faulty:
    def __init__(self, backing, control):
        self.backing = backing
        self.control = control

    def _mode(self):
        try:
            with open(self.control) as f:
                return f.read().split()
        except OSError:
            return ["ok"]

    def _gate(self, op, args):
        while True:
            mode = self._mode()
            if mode and mode[0] == "readonly":
                if op in WRITES or (op == "open" and args[1] & (os.O_WRONLY | os.O_RDWR)) \
                        or (op == "access" and args[1] & os.W_OK):
                    raise FuseOSError(errno.EROFS)
                return
            if not mode or mode[0] == "ok":
                return
            if mode[0] == "latency":
                time.sleep(int(mode[1]) / 1000 if len(mode) > 1 else 0.2)
                return
            if mode[0] == "eio":
                raise FuseOSError(errno.EIO)
            if mode[0] == "hang":
                time.sleep(0.05)
                continue
            return

    def _p(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def __call__(self, op, *args):
        handler = getattr(self, op, None) if op in OPS or op == "lock" else None
        if handler is None:
            raise FuseOSError(errno.ENOSYS)
        # init / destroy run at mount and unmount, outside any fault.
        if op not in ("init", "destroy"):
            self._gate(op, args)
        try:
            return handler(*args)
        except OSError as e:
            raise FuseOSError(e.errno or errno.EIO)

    # The operations SQLite and the tests use.
    def init(self, path):
        return None

    def destroy(self, path):
        return None

    def getattr(self, path, fh=None):
        st = os.lstat(self._p(path))
        keys = ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime")
        return {k: getattr(st, k) for k in keys}

    def access(self, path, amode):
        if not os.access(self._p(path), amode):
            raise FuseOSError(errno.EACCES)
        return 0

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._p(path))

    def statfs(self, path):
        st = os.statvfs(self._p(path))
        keys = ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")
        return {k: getattr(st, k) for k in keys}

    def open(self, path, flags):
        return os.open(self._p(path), flags)

    def create(self, path, mode, fi=None):
        # Read and write: SQLite reads back the files it creates.
        return os.open(self._p(path), os.O_RDWR | os.O_CREAT, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            os.truncate(self._p(path), length)
        return 0

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        if datasync:
            os.fdatasync(fh)
        else:
            os.fsync(fh)
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0

    def unlink(self, path):
        os.unlink(self._p(path))
        return 0

    def rename(self, old, new):
        os.rename(self._p(old), self._p(new))
        return 0

    def mkdir(self, path, mode):
        os.mkdir(self._p(path), mode)
        return 0

    def rmdir(self, path):
        os.rmdir(self._p(path))
        return 0

    def chmod(self, path, mode):
        os.chmod(self._p(path), mode)
        return 0

    def chown(self, path, uid, gid):
        os.chown(self._p(path), uid, gid)
        return 0

    def utimens(self, path, times=None):
        os.utime(self._p(path), times)
        return 0


class RefusingLocks(Faulty):
    """Every byte-range lock fails: the kernel hands locks to the file
    system once it implements them, and this one says no."""

    def lock(self, path, fh, cmd, lock):
        raise FuseOSError(errno.ENOLCK)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] != "refuse-locks"):
        sys.exit(__doc__)
    backing, mount, control = sys.argv[1:4]
    kind = RefusingLocks if len(sys.argv) == 5 else Faulty
    # No kernel caching of data or attributes: every call reaches the gate,
    # as every call reaches the server on an SMB share.
    FUSE(
        kind(backing, control),
        mount,
        foreground=True,
        nothreads=False,
        direct_io=True,
        attr_timeout=0,
        entry_timeout=0,
        negative_timeout=0,
    )
