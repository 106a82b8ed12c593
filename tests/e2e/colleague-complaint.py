"""A colleague in support logging a complaint, for the e2e tests: a second
process writes one open complaint case for a customer into the team file, with
its change-log line, in one short IMMEDIATE transaction as Kizuna's own saves do
(docs/shared-database.md). It stands in for the support desk's window, so the
test watches only the sales rep's window react.

usage: colleague-complaint.py TEAM_DB COMPANY_ID   (prints the new case's id)
"""
import sqlite3
import sys
import uuid
from datetime import datetime, timedelta, timezone

db, company = sys.argv[1], sys.argv[2]
now = datetime.now(timezone.utc).replace(microsecond=0)
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
case_id = str(uuid.uuid4())
conn = sqlite3.connect(db, isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute(
    """INSERT INTO support_cases (id, number, company_id, subject, category, priority, status, received_at,
           first_response_due, first_response_warn_at, resolution_due, resolution_warn_at, next_due,
           created_at, updated_at)
       VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM support_cases), ?, '請求書の金額が違う', 'complaint',
           'high', 'new', ?, ?, ?, ?, ?, ?, ?, ?)""",
    (case_id, company, stamp(now), stamp(now + timedelta(hours=2)), stamp(now + timedelta(hours=1)),
     stamp(now + timedelta(days=2)), stamp(now + timedelta(days=1)), stamp(now + timedelta(hours=2)),
     stamp(now), stamp(now)),
)
conn.execute(
    "INSERT INTO change_log (entity, entity_id, op, user_id, at) VALUES ('support_case', ?, 'insert', NULL, ?)",
    (case_id, stamp(now)),
)
conn.execute("COMMIT")
print(case_id, flush=True)
