# openapi_check.py: a running muni-smsgw against doc/openapi.yaml, for
# tests/integration/openapi.sh. Each documented operation is called (with
# a good request, and without a token), and must answer with a status the
# document lists for it and a body of that status's documented shape;
# undocumented paths must be 404. A small validator of the JSON Schema the
# document uses (type, const, enum, required, properties,
# additionalProperties, items, $ref): nothing to download.
# usage: python3 openapi_check.py SPEC BASEURL TOKEN MESSAGE_ID BROADCAST_ID
import json
import sys
import urllib.error
import urllib.request

import yaml

spec_path, base, token, mid, bid = sys.argv[1:6]
spec = yaml.safe_load(open(spec_path))
fails = []
checked = 0


def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        cur = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            cur = cur[part]
        node = cur
    return node


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}


def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, schema, where):
    schema = deref(schema)
    if "type" in schema:
        ts = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(v, t) for t in ts):
            return "%s: %r is not %s" % (where, v, "/".join(ts))
    if "const" in schema and v != schema["const"]:
        return "%s: %r is not %r" % (where, v, schema["const"])
    if "enum" in schema and v not in schema["enum"]:
        return "%s: %r is none of %s" % (where, v, schema["enum"])
    if isinstance(v, dict):
        for k in schema.get("required", []):
            if k not in v:
                return "%s: no %s" % (where, k)
        props = schema.get("properties", {})
        for k, x in v.items():
            if k in props:
                e = validate(x, props[k], where + "." + k)
                if e:
                    return e
            elif isinstance(schema.get("additionalProperties"), dict):
                e = validate(x, schema["additionalProperties"], where + "." + k)
                if e:
                    return e
            elif props and schema.get("additionalProperties") is not True:
                return "%s: undocumented field %s" % (where, k)
    if isinstance(v, list) and "items" in schema:
        for i, x in enumerate(v):
            e = validate(x, schema["items"], "%s[%d]" % (where, i))
            if e:
                return e
    return None


def call(method, path, body=None, auth=True):
    h = {}
    if auth:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, headers=h,
                                 method=method)
    try:
        r = urllib.request.urlopen(req, timeout=10)
    except urllib.error.HTTPError as e:
        r = e
    return r.status, r.headers.get("Content-Type", ""), r.read()


def check(method, tpl, path, body=None, auth=True):
    global checked
    checked += 1
    op = spec["paths"][tpl][method.lower()]
    status, ctype, raw = call(method, path, body, auth)
    what = "%s %s%s" % (method, path, "" if auth else " (no token)")
    resp = op["responses"].get(str(status))
    if resp is None:
        fails.append("%s: status %d is not documented" % (what, status))
        return
    resp = deref(resp)
    content = resp.get("content", {})
    if "application/json" in content:
        try:
            v = json.loads(raw)
        except ValueError:
            fails.append("%s: %d is not JSON: %r" % (what, status, raw[:80]))
            return
        e = validate(v, content["application/json"]["schema"], "body")
        if e:
            fails.append("%s: %d: %s" % (what, status, e))
    elif "text/plain" in content:
        if not ctype.startswith("text/plain"):
            fails.append("%s: %d is %s, not text/plain" % (what, status, ctype))
        e = validate(raw.decode(), content["text/plain"]["schema"], "body")
        if e:
            fails.append("%s: %d: %s" % (what, status, e))


good = {
    ("POST", "/api/v1/messages"): {"phone": "+37120000031", "text": "Sveiki"},
    ("POST", "/api/v1/broadcasts"): {"group": "seniori", "text": "Sveiki!"},
    ("PUT", "/api/v1/residents"): [{"personal_code": "32111111111",
                                    "given_name": "Līga",
                                    "family_name": "Kalniņa"}],
}
concrete = {"{id}": None}
for tpl, ops in spec["paths"].items():
    for method in ops:
        m = method.upper()
        path = tpl
        if "{id}" in tpl:
            path = tpl.replace("{id}", mid if "messages" in tpl else bid)
        body = good.get((m, tpl))
        check(m, tpl, path, body)
        if ops[method].get("security", None) != []:
            check(m, tpl, path, body, auth=False)
        if "{id}" in tpl:
            check(m, tpl, tpl.replace("{id}", "999999999"))
        if body is not None:
            check(m, tpl, path, {"nonsense": 1})

# Nothing undocumented answers anything but 404.
for path in ["/api/v1/nothing", "/api/v1/messages/1/parts", "/api/v2/messages",
             "/api/v1/", "/nothing", "/api/v1/broadcastsx"]:
    checked += 1
    status, _, raw = call("GET", path)
    if status != 404:
        fails.append("GET %s: %d, not 404" % (path, status))

for f in fails:
    print("FAIL:", f)
print("openapi: %d calls, %d failures" % (checked, len(fails)))
sys.exit(1 if fails else 0)
