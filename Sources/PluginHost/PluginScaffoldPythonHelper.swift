import Foundation

// The Python helper module shipped with every Python plugin scaffold. The same text is committed
// as plugins/examples/*/exhibit_plugin.py and rewritten there by `make plugin-helpers` (a test
// checks they stay identical).
extension PluginScaffold {
    /// `exhibit_plugin.py`, protocol 1, standard library only; its finding functions are
    /// generated from the wire forms (``PluginHelperText``).
    public static let pythonHelper = #"""
"""Helper for Exhibit analyzer plugins, protocol 1 (see docs/plugins.md). Standard library only.

A plugin calls run(PLUGIN_ID, VERSION, analyze) where analyze(request) returns or yields findings
built with the functions below. The helper speaks the JSON-lines protocol on stdin/stdout: keep
stdout for the protocol and print diagnostics to stderr (the host copies stderr into its log).
"""
import json
import sys
import traceback

PROTOCOL = 1


class PluginError(Exception):
    """Raise to say the file cannot be read at all: one error row, no findings for the file."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Request:
    """One file to analyse. `content_path` is None for metadata-only plugins."""

    def __init__(self, msg):
        self.id = msg["request"]
        f = msg["file"]
        self.key = f["key"]
        self.virtual_path = f["virtual_path"]
        self.name = f["name"]
        self.size = f["size"]
        self.mime = f["mime"]
        self.hashes = f["hashes"]
        self.times = f.get("times", {})
        content = msg.get("content") or {}
        self.content_path = content.get("path")
        self.delivery = content.get("delivery")
        self.assumed_zone = (msg.get("context") or {}).get("assumed_zone")

    def open(self):
        """The bytes, opened read-only (binary)."""
        if self.content_path is None:
            raise PluginError("no-content", "this plugin was given no bytes (needs_bytes is false)")
        return open(self.content_path, "rb")

    def read_bytes(self, limit=None, max_size=256 << 20):
        """The file's bytes. read_bytes(limit=N): the first N bytes (all of a shorter file), never
        an error for size: a header check reads read_bytes(limit=16). read_bytes(): the whole
        file, or PluginError "too-large" when it is larger than max_size bytes (256 MiB unless
        given), so one huge entry cannot exhaust memory; req.open() streams any size."""
        with self.open() as fh:
            if limit is not None:
                return fh.read(max(0, limit))
            data = fh.read(max_size + 1)
        if len(data) > max_size:
            raise PluginError("too-large", "file larger than %d bytes (read_bytes(max_size=...) or req.open())" % max_size)
        return data


# --- times: each returns a protocol time object --------------------------------------------
def unix_s(value, raw=None, precision=None, note=None):
    return _time("unix_s", value, raw, precision, note)


def unix_ms(value, raw=None, precision=None, note=None):
    return _time("unix_ms", value, raw, precision, note)


def unix_us(value, raw=None, precision=None, note=None):
    return _time("unix_us", value, raw, precision, note)


def instant(iso, raw=None, precision=None, note=None):
    """ISO 8601 with Z (basis utc) or an offset like +09:00 (basis offset)."""
    return _time("instant", iso, raw, precision, note)


def local(wallclock, raw=None, precision=None, note=None):
    """A naive local time YYYY-MM-DDTHH:MM:SS: the host reads it in the case's declared zone."""
    return _time("local", wallclock, raw, precision, note)


def _time(form, value, raw, precision, note):
    t = {form: value}
    if raw is not None:
        t["raw"] = str(raw)
    if precision is not None:
        t["precision"] = precision
    if note is not None:
        t["note"] = note
    return t


# --- findings: each returns (kind, data) ------------------------------------------------------
def _clean(d):
    return {k: v for k, v in d.items() if v is not None}


def _one(new, old, name, old_name):
    """A field given under its name or its protocol-1 name (both: they must agree)."""
    if new is not None and old is not None and new != old:
        raise ValueError("%s and %s (its old name) differ" % (name, old_name))
    return new if new is not None else old


# Generated from the host's wire forms (`make plugin-helpers`): field names are the host's (Swift)
# property names in snake_case (docs/plugins.md, "Names").

"""# + PluginHelperText.python + #"""



def location(offset=None, record=None):
    return _clean({"offset": offset, "record": record})


# --- the protocol loop ------------------------------------------------------------------------
def _send(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def run(plugin_id, version, analyze):
    """Serve requests until the host closes stdin or says shutdown."""
    hello = json.loads(sys.stdin.readline() or "{}")
    if hello.get("type") != "hello" or hello.get("protocol") != PROTOCOL:
        print("exhibit_plugin: unexpected handshake %r" % (hello,), file=sys.stderr)
        sys.exit(2)
    _send({"type": "hello", "protocol": PROTOCOL, "plugin": plugin_id, "version": version})
    sys.stdout.flush()
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("type") == "shutdown":
            break
        if msg.get("type") != "analyze":
            continue
        req = Request(msg)
        try:
            # Each finding goes out as it is produced (the host stores it as its line arrives);
            # an exception part-way ends the request with an error row; what was sent is kept.
            for k, d in (analyze(req) or []):
                _send({"type": "finding", "request": req.id, "kind": k, "data": d})
            _send({"type": "end", "request": req.id})
        except PluginError as e:
            _send({"type": "end", "request": req.id, "error": {"code": e.code, "message": e.message}})
        except Exception as e:  # a bug in the plugin: say so for this file, keep serving
            traceback.print_exc(file=sys.stderr)
            _send({"type": "end", "request": req.id,
                   "error": {"code": "plugin-exception", "message": "%s: %s" % (type(e).__name__, e)}})
        sys.stdout.flush()
"""#
}
