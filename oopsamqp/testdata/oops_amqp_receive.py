"""Reads OOPS reports from a queue as python's oops-amqp receiver does.

Usage: oops_amqp_receive.py AMQP_URL QUEUE COUNT

Takes COUNT messages from QUEUE, decodes each body with bson (as the
receiver does before handing the report to its publisher) and acknowledges
it. Prints one JSON object per report: its id, type, value, time, the
timeline and the message's delivery_mode and content_encoding.
"""
import json
import sys
import time

import bson

from oops_amqp_publish import connect


def loads(data):
    return bson.decode(data) if hasattr(bson, "decode") else bson.loads(data)


def main():
    url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = connect(url)
    channel = conn.channel()
    got = 0
    deadline = time.time() + 30
    while got < count:
        message = channel.basic_get(queue)
        if message is None:
            if time.time() > deadline:
                sys.exit("timed out with %d of %d messages" % (got, count))
            time.sleep(0.05)
            continue
        report = loads(message.body)
        print(json.dumps({
            "id": report["id"],
            "type": report.get("type"),
            "value": report.get("value"),
            "time": report["time"].isoformat() if report.get("time") else None,
            "timeline": report.get("timeline"),
            "req_vars": report.get("req_vars"),
            "delivery_mode": message.properties.get("delivery_mode"),
            "content_encoding": message.properties.get("content_encoding"),
        }, sort_keys=True))
        channel.basic_ack(message.delivery_tag)
        got += 1
    channel.close()
    conn.close()


if __name__ == "__main__":
    main()
