"""Publishes OOPS reports as python's oops-amqp publisher does.

Usage: oops_amqp_publish.py AMQP_URL EXCHANGE COUNT

Each report is a dict as python-oops makes them; its id is "OOPS-" and the
md5 of its BSON encoding (oops-amqp without inherit_id); the message is the
BSON document with delivery_mode 2 and no content type. Prints one line per
report: its id and value, tab-separated.
"""
import datetime
import hashlib
import sys
from urllib.parse import unquote, urlsplit

import amqp
import bson


def dumps(doc):
    # pymongo's bson (Debian's python3-bson) has encode; the older "bson"
    # package oops-amqp was written for has dumps.
    return bson.encode(doc) if hasattr(bson, "encode") else bson.dumps(doc)


def connect(url):
    u = urlsplit(url)
    vhost = unquote(u.path[1:]) if len(u.path) > 1 else "/"
    conn = amqp.Connection(host="%s:%d" % (u.hostname, u.port or 5672),
                           userid=unquote(u.username or "guest"),
                           password=unquote(u.password or "guest"),
                           virtual_host=vhost, confirm_publish=True)
    conn.connect()
    return conn


def main():
    url, exchange, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = connect(url)
    channel = conn.channel()
    for i in range(count):
        report = {
            "type": "ValueError",
            "value": "python report %d: caf\u00e9" % i,
            "tb_text": 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError\n',
            "time": datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.timezone.utc),
            "hostname": "py-host",
            "reporter": "py-service",
            "topic": "python.job",
            "req_vars": {"REQUEST_METHOD": "POST", "HTTP_COOKIE": "<hidden>"},
            "timeline": [[0, 5, "SQL-main", "SELECT 1", None], [5, 9, "SQL-main", "SELECT 2", None]],
            "duration": 0.25,
            "revno": 1234,
        }
        report["id"] = "OOPS-%s" % hashlib.md5(dumps(report)).hexdigest()
        message = amqp.Message(dumps(report))
        message.properties["delivery_mode"] = 2
        channel.basic_publish(message, exchange, routing_key="")
        print("%s\t%s" % (report["id"], report["value"]))
    channel.close()
    conn.close()


if __name__ == "__main__":
    main()
