"""How many keys under a prefix an etcd holds, through etcd's JSON gateway (etcdctl 3.4 has no
count-only get).

usage: etcd-count.py URL PREFIX          prints the count once
       etcd-count.py URL PREFIX FILE     appends "MILLISECONDS COUNT" to FILE every 20 ms until
                                         stopped; a failed count is skipped, not fatal
"""
import base64
import json
import sys
import time
import urllib.request

url, prefix = sys.argv[1], sys.argv[2].encode()
end = prefix[:-1] + bytes([prefix[-1] + 1])
query = json.dumps({"key": base64.b64encode(prefix).decode(),
                    "range_end": base64.b64encode(end).decode(),
                    "count_only": True}).encode()


def count():
    request = urllib.request.Request(url + "/v3/kv/range", query)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(json.load(answer).get("count", 0))


if len(sys.argv) < 4:
    print(count())
    sys.exit()
with open(sys.argv[3], "a") as out:
    while True:
        try:
            out.write(f"{time.time_ns() // 1_000_000} {count()}\n")
            out.flush()
        except OSError:
            pass
        time.sleep(0.02)
