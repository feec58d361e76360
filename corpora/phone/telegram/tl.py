"""A small TL (Telegram Type Language) serializer for the cache4.db fixtures.

Written for Exhibit from the public TL schema facts (constructor ids and field lists as published
in Telegram's API schema for each layer): little-endian int32/int64, strings as one length byte
(< 254) or 0xFE + 3-byte length, padded to 4, vectors as 0x1CB5C415 + count + elements. Only the
constructors the fixtures use are here; each function writes one constructor with its own field
list, the way the client's `serializeToStream` does.
"""
import struct

VECTOR = 0x1CB5C415


class W:
    """An append-only TL byte buffer."""

    def __init__(self):
        self.b = bytearray()

    def i32(self, v):
        self.b += struct.pack("<i", v if v < 0x80000000 else v - 0x100000000)
        return self

    def u32(self, v):
        self.b += struct.pack("<I", v & 0xFFFFFFFF)
        return self

    def i64(self, v):
        self.b += struct.pack("<q", v)
        return self

    def f64(self, v):
        self.b += struct.pack("<d", v)
        return self

    def bytes_(self, data):
        n = len(data)
        if n < 254:
            self.b += bytes([n]) + data
            pad = (n + 1) % 4
        else:
            self.b += bytes([254]) + n.to_bytes(3, "little") + data
            pad = n % 4
        if pad:
            self.b += b"\0" * (4 - pad)
        return self

    def string(self, s):
        return self.bytes_(s.encode("utf-8"))

    def raw(self, data):
        self.b += data
        return self

    def vector(self, items, write):
        self.u32(VECTOR).i32(len(items))
        for it in items:
            write(self, it)
        return self

    def out(self):
        return bytes(self.b)


def flags_of(bits):
    f = 0
    for bit, on in bits:
        if on:
            f |= 1 << bit
    return f


# --- Peer -------------------------------------------------------------------------------------

def peer(w, p):
    """p = ("user"|"chat"|"channel", id, legacy?) — legacy = layer <= 132 int32 variants."""
    kind, pid = p[0], p[1]
    legacy = len(p) > 2 and p[2]
    if legacy:
        w.u32({"user": 0x9DB1BC6D, "chat": 0xBAD0E5BB, "channel": 0xBDDDE532}[kind]).i32(pid)
    else:
        w.u32({"user": 0x59511722, "chat": 0x36C6019A, "channel": 0xA2A5371E}[kind]).i64(pid)


# --- Entities ---------------------------------------------------------------------------------

ENTITY_IDS = {
    "bold": 0xBD610BC9, "italic": 0x826F8B60, "code": 0x28A20571, "mention": 0xFA04579D,
    "hashtag": 0x6F635B0D, "url": 0x6ED02538, "email": 0x64E475C2, "phone": 0x9B69E34B,
    "underline": 0x9C4E7E8B, "strike": 0xBF0693D4, "spoiler": 0x32CA960F, "cashtag": 0x4C4E743F,
    "bot_command": 0x6CEF8AC7, "bank_card": 0x761E6AF4,
}


def entity(w, e):
    kind, off, length = e[0], e[1], e[2]
    if kind == "text_url":
        w.u32(0x76A6D327).i32(off).i32(length).string(e[3])
    elif kind == "mention_name":
        w.u32(0xDC7B1140).i32(off).i32(length).i64(e[3])
    elif kind == "pre":
        w.u32(0x73924BE0).i32(off).i32(length).string(e[3])
    else:
        w.u32(ENTITY_IDS[kind]).i32(off).i32(length)


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def utf16_offset(text, sub):
    """Telegram counts entity offsets in UTF-16 code units."""
    i = text.index(sub)
    return utf16_len(text[:i]), utf16_len(sub)


# --- Forward / reply headers ------------------------------------------------------------------

def fwd_header(w, f):
    """messageFwdHeader#5f777dce flags from_id:0?Peer from_name:5?string date channel_post:2?int
    post_author:3?string saved_from_peer:4?Peer saved_from_msg_id:4?int psa_type:6?string."""
    fl = flags_of([(0, "from_id" in f), (5, "from_name" in f), (2, "channel_post" in f), (3, "post_author" in f)])
    w.u32(0x5F777DCE).i32(fl)
    if "from_id" in f:
        peer(w, f["from_id"])
    if "from_name" in f:
        w.string(f["from_name"])
    w.i32(f["date"])
    if "channel_post" in f:
        w.i32(f["channel_post"])
    if "post_author" in f:
        w.string(f["post_author"])


def reply_header(w, r, legacy=False):
    """messageReplyHeader#a6d57763 flags reply_to_msg_id reply_to_peer_id:0?Peer reply_to_top_id:1?int
    (layers 119-160); messageReplyHeader#afbc09db flags reply_to_msg_id:4?int reply_to_peer_id:0?Peer
    ... (layer 166+)."""
    if legacy:
        fl = flags_of([(0, "peer" in r)])
        w.u32(0xA6D57763).i32(fl).i32(r["msg_id"])
        if "peer" in r:
            peer(w, r["peer"])
    else:
        fl = flags_of([(4, True), (0, "peer" in r), (6, "quote_text" in r), (9, "quote_text" in r)])
        w.u32(0xAFBC09DB).i32(fl).i32(r["msg_id"])
        if "peer" in r:
            peer(w, r["peer"])
        if "quote_text" in r:
            w.string(r["quote_text"])


# --- Media ------------------------------------------------------------------------------------

def photo_size(w, s):
    w.u32(0x75C78E60).string(s[0]).i32(s[1]).i32(s[2]).i32(s[3])


def photo(w, p):
    """photo#fb197a65 flags id access_hash file_reference:bytes date sizes:Vector<PhotoSize> dc_id."""
    w.u32(0xFB197A65).i32(0).i64(p["id"]).i64(p["access_hash"]).bytes_(p.get("file_reference", b"\x01\x02"))
    w.i32(p["date"])
    w.vector(p["sizes"], photo_size)
    w.i32(p.get("dc_id", 5))


def doc_attribute(w, a):
    kind = a[0]
    if kind == "filename":
        w.u32(0x15590068).string(a[1])
    elif kind == "image_size":
        w.u32(0x6C37C15C).i32(a[1]).i32(a[2])
    elif kind == "video":  # documentAttributeVideo#d38ff1c2 flags duration:double w h
        w.u32(0xD38FF1C2).i32(flags_of([(0, a[4] if len(a) > 4 else False)])).f64(a[1]).i32(a[2]).i32(a[3])
    elif kind == "audio":  # documentAttributeAudio#9852f9c6 flags voice:10 duration:int
        w.u32(0x9852F9C6).i32(flags_of([(10, a[2])])).i32(a[1])
    elif kind == "animated":
        w.u32(0x11B58939)
    else:
        raise ValueError(kind)


def document(w, d):
    """document#8fd4c4d8 flags id access_hash file_reference date mime_type size:long
    thumbs:0?Vector<PhotoSize> dc_id attributes (layer 142+); document#1e87342b has size:int."""
    old = d.get("old", False)
    fl = flags_of([(0, "thumbs" in d)])
    w.u32(0x1E87342B if old else 0x8FD4C4D8).i32(fl).i64(d["id"]).i64(d["access_hash"]).bytes_(b"\x07\x07")
    w.i32(d["date"]).string(d["mime"])
    if old:
        w.i32(d["size"])
    else:
        w.i64(d["size"])
    if "thumbs" in d:
        w.vector(d["thumbs"], photo_size)
    w.i32(d.get("dc_id", 4))
    w.vector(d["attributes"], doc_attribute)


def media(w, m):
    if m["type"] == "photo":  # messageMediaPhoto#695150d7 flags photo:0?Photo ttl_seconds:2?int
        w.u32(0x695150D7).i32(flags_of([(0, True), (2, "ttl" in m)]))
        photo(w, m["photo"])
        if "ttl" in m:
            w.i32(m["ttl"])
    elif m["type"] == "document":  # messageMediaDocument#9cb070d7 flags document:0?Document ttl_seconds:2?int
        w.u32(0x9CB070D7).i32(flags_of([(0, True)]))
        document(w, m["document"])
    elif m["type"] == "contact":  # messageMediaContact#70322949
        w.u32(0x70322949).string(m["phone"]).string(m["first"]).string(m["last"]).string("").i64(m["user_id"])
    elif m["type"] == "geo":  # messageMediaGeo#56e0d474 geo:geoPoint#b2a2f663 flags long lat access_hash
        w.u32(0x56E0D474).u32(0xB2A2F663).i32(0).f64(m["long"]).f64(m["lat"]).i64(0)
    else:
        raise ValueError(m["type"])


# --- Messages ---------------------------------------------------------------------------------

def attach_path(w, path, mid, fwd):
    """The client's writeAttachPath: the local path (" " when none) as a TL string."""
    w.string(path if path else " ")
    if fwd and mid < 0:
        w.i32(0)


def reactions(w, rs):
    """messageReactions#4f2b9479 flags results:Vector<reactionCount#a3d1cb80 flags reaction count>;
    reactions are reactionEmoji#1b2286b8 emoticon:string."""
    w.u32(0x4F2B9479).i32(0)

    def one(w, r):
        w.u32(0xA3D1CB80).i32(0).u32(0x1B2286B8).string(r[0]).i32(r[1])
    w.vector(rs, one)


def message(m):
    """One `data` blob: a message constructor walked by its own field list, then the attach path.

    ctor 0x94345242 (layer ~180: flags, flags2, …), 0x38116ee0 (layer 136-ish, reactions),
    0x85d6cbe2 (layer 133-135), 0x58ae39c9 (layer 119-132: int32 peers and via_bot_id)."""
    ctor = m.get("ctor", 0x94345242)
    legacy = ctor == 0x58AE39C9
    w = W()
    fl = flags_of([
        (1, m.get("out", False)), (8, "from_id" in m), (2, "fwd" in m), (11, "via_bot" in m), (3, "reply" in m),
        (9, "media" in m), (7, bool(m.get("entities"))), (10, "views" in m), (15, "edit_date" in m),
        (16, "post_author" in m), (17, "grouped_id" in m), (14, m.get("post", False)),
        (25, "ttl_period" in m and ctor != 0x58AE39C9), (20, "reactions" in m),
    ])
    w.u32(ctor).i32(fl)
    has_flags2 = ctor == 0x94345242
    if has_flags2:
        w.i32(m.get("flags2", 0))
    w.i32(m["id"])
    if "from_id" in m:
        peer(w, m["from_id"] + ((True,) if legacy else ()))
    peer(w, m["peer"] + ((True,) if legacy else ()))
    if "fwd" in m:
        fwd_header(w, m["fwd"])
    if "via_bot" in m:
        if legacy:
            w.i32(m["via_bot"])
        else:
            w.i64(m["via_bot"])
    if "reply" in m:
        reply_header(w, m["reply"], legacy=ctor != 0x94345242)
    w.i32(m["date"])
    w.string(m.get("text", ""))
    if "media" in m:
        media(w, m["media"])
    if m.get("entities"):
        w.vector(m["entities"], entity)
    if "views" in m:
        w.i32(m["views"]).i32(m.get("forwards", 0))
    if "edit_date" in m:
        w.i32(m["edit_date"])
    if "post_author" in m:
        w.string(m["post_author"])
    if "grouped_id" in m:
        w.i64(m["grouped_id"])
    if "reactions" in m:
        assert ctor in (0x94345242, 0x38116EE0)
        reactions(w, m["reactions"])
    if "ttl_period" in m and ctor != 0x58AE39C9:
        w.i32(m["ttl_period"])
    attach_path(w, m.get("path"), m["id"], "fwd" in m)
    return w.out()


DISCARD = {"missed": 0x85E42301, "disconnect": 0xE095C1A0, "hangup": 0x57ADC690, "busy": 0xFAF7E8C9}


def action(w, a):
    kind = a["type"]
    legacy = a.get("legacy", False)
    if kind == "create_group":
        if legacy:  # messageActionChatCreate#a6638b9a title users:Vector<int>
            w.u32(0xA6638B9A).string(a["title"]).vector(a["users"], lambda w, u: w.i32(u))
        else:  # messageActionChatCreate#bd47cbad title users:Vector<long>
            w.u32(0xBD47CBAD).string(a["title"]).vector(a["users"], lambda w, u: w.i64(u))
    elif kind == "invite_members":
        if legacy:
            w.u32(0x488A7337).vector(a["users"], lambda w, u: w.i32(u))
        else:
            w.u32(0x15CEFD00).vector(a["users"], lambda w, u: w.i64(u))
    elif kind == "remove_members":
        if legacy:
            w.u32(0xB2AE9B0C).i32(a["user"])
        else:
            w.u32(0xA43F30CC).i64(a["user"])
    elif kind == "join_by_link":
        if legacy:
            w.u32(0xF89CF5E8).i32(a["inviter"])
        else:
            w.u32(0x031224C3).i64(a["inviter"])
    elif kind == "screenshot_taken":
        w.u32(0x4792929B)
    elif kind == "history_clear":
        w.u32(0x9FBAB604)
    elif kind == "set_messages_ttl":
        if legacy:  # messageActionSetMessagesTTL#aa1afbfd period:int
            w.u32(0xAA1AFBFD).i32(a["period"])
        else:  # messageActionSetMessagesTTL#3c134d7b flags period auto_setting_from:0?long
            w.u32(0x3C134D7B).i32(0).i32(a["period"])
    elif kind == "phone_call":  # messageActionPhoneCall#80e11a7f flags video:2 call_id reason:0? duration:1?
        fl = flags_of([(0, "reason" in a), (1, "duration" in a), (2, a.get("video", False))])
        w.u32(0x80E11A7F).i32(fl).i64(a["call_id"])
        if "reason" in a:
            w.u32(DISCARD[a["reason"]])
        if "duration" in a:
            w.i32(a["duration"])
    elif kind == "create_channel":
        w.u32(0x95D2AC92).string(a["title"])
    elif kind == "unknown":
        w.u32(a["ctor"])
    else:
        raise ValueError(kind)


def service(m):
    """messageService#2b085862 flags id from_id:8?Peer peer_id reply_to:3? date action ttl_period:25?
    (layer 133+); messageService#286fa604 has the same walk with layer <= 132 peers."""
    legacy = m.get("legacy", False)
    fl = flags_of([(1, m.get("out", False)), (8, "from_id" in m)])
    w = W().u32(0x286FA604 if legacy else 0x2B085862).i32(fl).i32(m["id"])
    if "from_id" in m:
        peer(w, m["from_id"] + ((True,) if legacy else ()))
    peer(w, m["peer"] + ((True,) if legacy else ()))
    w.i32(m["date"])
    action(w, m["action"])
    attach_path(w, None, m["id"], False)
    return w.out()


# --- Users, chats, secret chats ---------------------------------------------------------------

def user(u):
    """user#3ff6ecb0 (layer 133+: id long) or user#938458c1 (layer <= 132: id int): flags, id,
    access_hash:0, first_name:1, last_name:2, username:3, phone:4 (the fields read)."""
    legacy = u.get("legacy", False)
    fl = flags_of([(0, True), (1, "first" in u), (2, "last" in u), (3, "username" in u), (4, "phone" in u),
                   (10, u.get("self", False)), (11, u.get("contact", False)), (14, u.get("bot", False))])
    w = W().u32(0x938458C1 if legacy else 0x3FF6ECB0).i32(fl)
    if legacy:
        w.i32(u["id"])
    else:
        w.i64(u["id"])
    w.i64(u.get("access_hash", 0x1111))
    for key in ("first", "last", "username", "phone"):
        if key in u:
            w.string(u[key])
    return w.out()


def chat(c):
    """chat#41cbf256 flags id:long title photo:chatPhotoEmpty participants_count date version, or
    channel#8261ac61 flags id:long access_hash:13? title username:6? photo date ... (layer 133)."""
    if c["kind"] == "chat":
        w = W().u32(0x41CBF256).i32(flags_of([(0, c.get("creator", False))])).i64(c["id"]).string(c["title"])
        w.u32(0x37C1011C).i32(c.get("members", 0)).i32(c["date"]).i32(1)
        return w.out()
    fl = flags_of([(13, True), (6, "username" in c), (5, c.get("broadcast", False)), (8, c.get("megagroup", False))])
    w = W().u32(0x8261AC61).i32(fl).i64(c["id"]).i64(0x2222).string(c["title"])
    if "username" in c:
        w.string(c["username"])
    w.u32(0x37C1011C).i32(c["date"])
    return w.out()


def encrypted_chat(e):
    """encryptedChat#61f0d4c7 id:int access_hash:long date:int admin_id:long participant_id:long
    g_a_or_b:bytes key_fingerprint:long."""
    return (W().u32(0x61F0D4C7).i32(e["id"]).i64(0x3333).i32(e["date"]).i64(e["admin_id"]).i64(e["participant_id"])
            .bytes_(b"\x05" * 16).i64(0x4444).out())
