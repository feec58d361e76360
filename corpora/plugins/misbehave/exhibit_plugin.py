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
def artifact(type, properties=None, times=None, location=None):
    """Anything without a dedicated table. Stored in `artifacts` (+ `artifact_times`); its named times join
      the timeline.
    type: a dotted name of your choice (`bank.transfer`).
    properties: any JSON members.
    times: named time values."""
    return ("artifact", _clean({
        "type": type,
        "properties": properties or {},
        "times": times,
        "location": location,
    }))


def chat(chat_key, platform, title=None, native_id=None, chat_type=None, format=None, notes=None,
         location=None, exported_at=None):
    """A chat. Stored in `chats`, like the built-in chat analyzers' chats.
    chat_key: your key for it, unique within the reply.
    platform: `sms`, `telegram`, `whatsapp`, `kakaotalk`, `discord`, `line`, or your own lower-case
      name.
    format: your format name; kept in `notes` (the `format` column says `plugin`)."""
    return ("chat", _clean({
        "chat_key": chat_key,
        "platform": platform,
        "title": title,
        "native_id": native_id,
        "chat_type": chat_type,
        "format": format,
        "notes": notes,
        "exported_at": exported_at,
        "location": location,
    }))


def participant(chat_key, display_name=None, native_id=None, is_device_owner=None, device_owner=None):
    """A participant of a chat reported before it. Stored in `participants`.
    display_name: this and/or `native_id` (one required).
    device_owner: the protocol-1 name of is_device_owner (still accepted)."""
    return ("participant", _clean({
        "chat_key": chat_key,
        "display_name": display_name,
        "native_id": native_id,
        "is_device_owner": bool(_one(is_device_owner, device_owner, "is_device_owner", "device_owner")),
    }))


def message(chat_key, text="", sender_name=None, sender_native_id=None, from_device_owner=False, sent=None,
            native_id=None, kind=None, deleted=False, attachments=None, extra=None, location=None,
            sequence=None, touched=None, reply_to_native_id=None, forwarded_from=None, sender=None,
            edited=None, reply_to=None):
    """A message of a chat reported before it. Stored in `messages` (+ `attachments`, full-text search).
    touched: changed after sending: an edit, or a reaction on some services.
    kind: `message`, `service`, `system`, `unsupported` (default `message`).
    reply_to_native_id: the `native_id` replied to.
    sequence: increasing within the reply; default: arrival order.
    extra: fields you keep that have no column.
    sender: the protocol-1 name of sender_name (still accepted).
    edited: the protocol-1 name of touched (still accepted).
    reply_to: the protocol-1 name of reply_to_native_id (still accepted)."""
    return ("message", _clean({
        "chat_key": chat_key,
        "text": text,
        "sender_name": _one(sender_name, sender, "sender_name", "sender"),
        "sender_native_id": sender_native_id,
        "from_device_owner": from_device_owner,
        "sent": sent,
        "touched": _one(touched, edited, "touched", "edited"),
        "native_id": native_id,
        "kind": kind,
        "reply_to_native_id": _one(reply_to_native_id, reply_to, "reply_to_native_id", "reply_to"),
        "forwarded_from": forwarded_from,
        "deleted": deleted,
        "sequence": sequence,
        "attachments": attachments,
        "extra": extra,
        "location": location,
    }))


def attachment(reference=None, kind="file", file_name=None, mime_type=None, size=None, width=None,
               height=None, missing_reason=None):
    """One item of a message's `attachments`: `reference` relative to the analysed file's folder (linked to
      that file's row) or a URL.
    kind: `photo`, `video`, `file`, `voice`, `sticker`, `animation`, `video_message`, `audio` or
      `other`."""
    return _clean({
        "reference": reference,
        "kind": kind,
        "file_name": file_name,
        "mime_type": mime_type,
        "size": size,
        "width": width,
        "height": height,
        "missing_reason": missing_reason,
    })


def metadata(namespace, tag, value, time=None, location=None):
    """One metadata value. Stored in `metadata`.
    namespace: one of `exif`, `gps`, `xmp`, `iptc`, `quicktime`, `pdf`, `ooxml`, `odf`, `png`, `flir`,
      `ai`, `file`.
    value: text.
    time: when the value is a date."""
    return ("metadata", _clean({
        "namespace": namespace,
        "tag": tag,
        "value": value,
        "time": time,
        "location": location,
    }))


def indicator(kind, summary, evidence_tag, details=None, times=None, location=None):
    """A derived signal. Stored in `indicators`.
    kind: one of `c2pa-manifest`, `iptc-trained-algorithmic-media`, `sd-parameters`, `comfyui-workflow`,
      `generator-software`, `clock-discrepancy`.
    times: named times."""
    return ("indicator", _clean({
        "kind": kind,
        "summary": summary,
        "evidence_tag": evidence_tag,
        "details": details,
        "times": times,
        "location": location,
    }))


def media_hash(hash, quality, algorithm="pdq", frame_index=None, frame_time_micros=None, frame_time_us=None):
    """A perceptual hash. Stored in `media_hashes`.
    algorithm: `pdq` or `pdq-frame`.
    hash: 64 lower-case hex digits.
    quality: 0–100.
    frame_time_us: the protocol-1 name of frame_time_micros (still accepted)."""
    return ("media_hash", _clean({
        "algorithm": algorithm,
        "hash": hash,
        "quality": quality,
        "frame_index": frame_index,
        "frame_time_micros": _one(frame_time_micros, frame_time_us, "frame_time_micros", "frame_time_us"),
    }))


def event(kind, description, time, properties=None, location=None):
    """Something that happened at a time. Stored as an artifact of type `event` with properties `kind`,
      `description` (+ your `properties`) and one named time called after `kind`.
    kind: what happened; also the name of its time."""
    return ("event", _clean({
        "kind": kind,
        "description": description,
        "time": time,
        "properties": properties,
        "location": location,
    }))


def warning(code, message, location=None):
    """A problem with the file that did not stop you. Stored in `analysis_errors` with status `warning`.
    code: short and stable.
    message: a sentence for the examiner."""
    return ("warning", _clean({
        "code": code,
        "message": message,
        "location": location,
    }))


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
