"""Reads report files as python's tools do, and prints what they saw as JSON.

Usage: pyread.py FILE...  Each file is decoded with python's bson library
(bzip2 first when it starts with BZh, as oops-datedir-repo does), and the
duration is used in arithmetic, as oops-tools does. Prints one JSON document
per file: its keys, the python type of each value, the duration plus one,
and the length of every string value. Exits 1 naming the file that failed.
"""
import bz2
import datetime
import json
import sys

import bson


def describe(v):
    if isinstance(v, dict):
        return {k: describe(x) for k, x in v.items()}
    if isinstance(v, list):
        return [describe(x) for x in v]
    if isinstance(v, datetime.datetime):
        return "datetime:" + v.isoformat()
    if isinstance(v, str):
        return "str:%d" % len(v)
    return type(v).__name__ + ":" + repr(v)


for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"BZh"):
            data = bz2.decompress(data)
        doc = bson.decode(data)
        out = {
            "keys": sorted(doc),
            "duration_plus_one": float(doc.get("duration", -1)) + 1,
            "values": describe(doc),
        }
    except Exception as e:
        sys.stderr.write("%s: %s: %s\n" % (path, type(e).__name__, e))
        sys.exit(1)
    print(json.dumps(out))
