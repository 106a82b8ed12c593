"""Reads a received mail as a mail program would (Python's email package,
policy=default) and prints what a reader sees, as JSON, for tests/mail_smtp.rs."""
import json
import sys
from email import message_from_bytes
from email.policy import default

with open(sys.argv[1], "rb") as f:
    msg = message_from_bytes(f.read(), policy=default)
frm = msg["From"].addresses[0]
to = msg["To"].addresses[0]
print(json.dumps({
    "subject": str(msg["Subject"]),
    "from_name": frm.display_name,
    "from_address": frm.addr_spec,
    "to_name": to.display_name,
    "to_address": to.addr_spec,
    "body": msg.get_content().replace("\r\n", "\n"),
    "charset": msg.get_content_charset(),
    "message_id": str(msg["Message-ID"]),
    "date": str(msg["Date"]),
}, ensure_ascii=False))
