"""A colleague's desktop in the middle of a save, for the e2e tests: it takes
the first ticket in the save queue beside the team file (docs/shared-database.md,
"Saves take turns") and holds SQLite's write lock for SECONDS, then lets go.

usage: colleague-saving.py TEAM_DB SECONDS   (prints "holding", then "released")
"""
import fcntl
import os
import sqlite3
import struct
import sys
import time

LOCK_BASE = 0x40000000  # where the queue's lock bytes start (store/queue.rs)

db, seconds = sys.argv[1], float(sys.argv[2])
folder, name = os.path.split(db)
fd = os.open(os.path.join(folder, f".{name}.queue"), os.O_RDWR | os.O_CREAT, 0o644)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, LOCK_BASE, os.SEEK_SET)
os.pwrite(fd, struct.pack("<QI4x", 1, os.getpid()), 0)
conn = sqlite3.connect(db, isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(seconds)
conn.execute("COMMIT")
os.pwrite(fd, bytes(16), 0)
fcntl.lockf(fd, fcntl.LOCK_UN, 1, LOCK_BASE, os.SEEK_SET)
print("released", flush=True)
