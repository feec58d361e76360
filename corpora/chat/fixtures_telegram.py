"""Telegram Desktop fixtures: one chat rendered as result.json AND messages.html/messages2.html
(tdesktop's "HTML and JSON" option writes both into one folder), a full export, a pre-3.7.6 JSON."""
import json
from datetime import datetime, timedelta
from chatgen import write, chat, msg, att, part, utc, SEOUL

VP_DIR = "case.zip!/Telegram Desktop/ChatExport_2024-08-30"
MINJI, JUNHO = ("Minji", "user5550001234"), ("Jun-ho", "user5550009999")
T0 = datetime(2024, 8, 28, 15, 10, 0)

# Ground truth: one dict per message; `local` is the exporting PC's (Seoul) wall clock.
TG = [
    dict(id=201, local=T0, who=MINJI, parts=["안녕! 딥페이크 영상 봤어?"]),
    dict(id=202, local=T0 + timedelta(minutes=2, seconds=3), who=JUNHO, parts=[],
         photo=("photos/photo_1@28-08-2024_15-12-03.jpg", 5465, 320, 240)),
    dict(id=203, local=T0 + timedelta(minutes=3, seconds=30), who=JUNHO, reply=201, reaction=("❤", 1),
         parts=["See ", ("link", "https://example.com/a", None), " and ", ("mention", "@minji", "https://t.me/minji"), " ",
                ("bold", "now", None)]),
    dict(id=204, local=T0 + timedelta(hours=6), who=MINJI, service="phone_call", duration=65),
    dict(id=205, local=datetime(2024, 8, 29, 9, 40), who=MINJI, parts=["line one\nline two"],
         edited=datetime(2024, 8, 29, 9, 42, 10)),
    dict(id=206, local=datetime(2024, 8, 29, 9, 45), who=JUNHO, parts=["Concert schedule is out."], fwd="Concert News",
         fwd_local=datetime(2024, 8, 29, 9, 0)),
    dict(id=207, local=datetime(2024, 8, 29, 9, 46), who=JUNHO, parts=[],
         file=dict(path=None, media_type="video_file", mime="video/mp4", size=8388608, duration=12, w=1280, h=720,
                   name="stage_clip.mp4")),
    dict(id=208, local=datetime(2024, 8, 30, 21, 0), who=MINJI, parts=[],
         file=dict(path="voice_messages/audio_1@30-08-2024_21-00-00.ogg", media_type="voice_message", mime="audio/ogg",
                   size=9000, duration=5)),
    dict(id=209, local=datetime(2024, 8, 30, 21, 1), who=JUNHO, service="pin_message", pinned=203),
    dict(id=210, local=datetime(2024, 8, 30, 21, 2), who=MINJI, parts=[],
         file=dict(path="stickers/sticker.webp", media_type="sticker", mime="image/webp", size=20000, w=512, h=512,
                   emoji="😀")),
    dict(id=211, local=datetime(2024, 8, 30, 21, 3), who=JUNHO, parts=["found it"], via="@gif",
         file=dict(path="video_files/giphy.mp4", media_type="animation", mime="video/mp4", size=50000, duration=2,
                   w=320, h=240, thumb="video_files/giphy.mp4_thumb.jpg")),
    dict(id=212, local=datetime(2024, 8, 30, 21, 30), who=JUNHO, parts=["계약서"],
         file=dict(path="files/contract.pdf", media_type=None, mime="application/pdf", size=12600, name="contract.pdf")),
    dict(id=213, local=datetime(2024, 8, 30, 21, 40), who=MINJI, parts=[],
         poll=dict(question="Which day?", closed=True, total=2, answers=[("Sat", 2, True), ("Sun", 0, False)])),
]
SKIPPED = "(File not included. Change data exporting settings to download.)"


def epoch(local):
    return int(local.replace(tzinfo=SEOUL).timestamp())


def jdump(obj, indent):
    return json.dumps(obj, ensure_ascii=False, indent=indent)


def json_message(m, old=False):
    o = {"id": m["id"], "type": "service" if "service" in m else "message", "date": m["local"].strftime("%Y-%m-%dT%H:%M:%S")}
    if not old:
        o["date_unixtime"] = str(epoch(m["local"]))
    if "edited" in m:
        o["edited"] = m["edited"].strftime("%Y-%m-%dT%H:%M:%S")
        if not old:
            o["edited_unixtime"] = str(epoch(m["edited"]))
    name, uid = m["who"]
    if "service" in m:
        o["actor"], o["actor_id"], o["action"] = name, uid, m["service"]
        if m["service"] == "phone_call":
            o["duration_seconds"], o["discard_reason"] = m["duration"], "hangup"
        if m["service"] == "pin_message":
            o["message_id"] = m["pinned"]
        o["text"], o["text_entities"] = "", []
        return o
    o["from"] = name
    o["from_id"] = int(uid[4:]) if old else uid
    if "fwd" in m:
        o["forwarded_from"] = m["fwd"]
    if "via" in m:
        o["via_bot"] = m["via"]
    if "reply" in m:
        o["reply_to_message_id"] = m["reply"]
    if "photo" in m:
        p, size, w, h = m["photo"]
        o["photo"], o["photo_file_size"], o["width"], o["height"] = p, size, w, h
    if "file" in m:
        f = m["file"]
        o["file"] = f["path"] or SKIPPED
        if f.get("name"):
            o["file_name"] = f["name"]
        o["file_size"] = f["size"]
        if f.get("thumb"):
            o["thumbnail"], o["thumbnail_file_size"] = f["thumb"], 1000
        if f["media_type"]:
            o["media_type"] = f["media_type"]
        if f.get("emoji"):
            o["sticker_emoji"] = f["emoji"]
        o["mime_type"] = f["mime"]
        if "duration" in f:
            o["duration_seconds"] = f["duration"]
        if "w" in f:
            o["width"], o["height"] = f["w"], f["h"]
    if "poll" in m:
        p = m["poll"]
        o["poll"] = {"question": p["question"], "closed": p["closed"], "total_voters": p["total"],
                     "answers": [{"text": t, "voters": v, "chosen": c} for t, v, c in p["answers"]]}
    parts = m["parts"]
    if len(parts) == 1 and isinstance(parts[0], str) or not parts:
        o["text"] = parts[0] if parts else ""
    else:
        o["text"] = [p if isinstance(p, str) else {"type": p[0], "text": p[1]} for p in parts]
    o["text_entities"] = [{"type": "plain", "text": p} if isinstance(p, str) else {"type": p[0], "text": p[1]} for p in parts]
    if "reaction" in m:
        o["reactions"] = [{"type": "emoji", "count": m["reaction"][1], "emoji": m["reaction"][0]}]
    return o


def text_of(m):
    return "".join(p if isinstance(p, str) else p[1] for p in m.get("parts", []))


def expected_attachments(m, vp_dir, html=False):
    out = []
    if "photo" in m:
        p, size, w, h = m["photo"]
        out.append(att("photo", p, f"{vp_dir}/{p}", **({} if html else dict(size=size, width=w, height=h))))
    if "file" in m:
        f = m["file"]
        kind = {"video_file": "video", "voice_message": "voice", "sticker": "sticker", "animation": "animation",
                None: "file"}[f["media_type"]]
        extra = {} if html else dict(mimeType=f["mime"], size=f["size"], duration=f.get("duration"),
                                     width=f.get("w"), height=f.get("h"), fileName=f.get("name"))
        if html and kind == "file":
            extra = dict(fileName=f.get("name"))
        if f["path"]:
            out.append(att(kind, f["path"], f"{vp_dir}/{f['path']}", **extra))
        else:
            reason = "Not included, change data exporting settings to download." if html else SKIPPED
            out.append(att(kind, None, None, reason, **extra))
    return out


def expected_entities(m, html=False):
    out, off = [], 0
    for p in m.get("parts", []):
        if isinstance(p, str):
            off += len(p)
            continue
        typ, text, href = p
        if html:
            typ = "text_link" if href else ("link" if typ in ("link", "mention") else typ)
        out.append({"type": typ, "text": text, "offset": off, "length": len(text), "href": href if html else None})
        off += len(text)
    return out


def expected_message(m, vp_dir, old=False, html=False, owner=None, key="chat"):
    name, uid = m["who"]
    e = msg(key, nativeID=str(m["id"]), sender=name, senderID=None if html else (uid[4:] if old else uid),
            owner=(owner == uid), sentUTC=utc(m["local"]), text=text_of(m))
    if html:
        e["sentBasis"], e["sentRaw"] = "offset", m["local"].strftime("%d.%m.%Y %H:%M:%S") + " UTC+09:00"
    elif old:
        e["sentBasis"], e["sentRaw"] = "assumed-zone", m["local"].strftime("%Y-%m-%dT%H:%M:%S")
    else:
        e["sentBasis"], e["sentRaw"] = "utc", str(epoch(m["local"]))
    if "edited" in m and not html:
        e["touchedUTC"] = utc(m["edited"])
    if "service" in m:
        e["kind"], e["serviceAction"], e["serviceActor"], e["text"] = "service", m["service"], name, ""
        if html and m["service"] == "phone_call":
            pass
    e["replyTo"] = str(m["reply"]) if "reply" in m else None
    e["forwardedFrom"] = m.get("fwd")
    e["viaBot"] = m.get("via")
    e["entities"] = expected_entities(m, html)
    if "reaction" in m:
        e["reactions"] = [{"emoji": m["reaction"][0], "count": m["reaction"][1]}]
    if "poll" in m:
        p = m["poll"]
        e["poll"] = {"question": p["question"], "closed": p["closed"], "totalVoters": p["total"],
                     "answers": [{"text": t, "voters": (v if v else None) if html else v, "chosen": c} for t, v, c in p["answers"]]}
    e["attachments"] = expected_attachments(m, vp_dir, html)
    return e


# ---------------------------------------------------------------- HTML (tdesktop markup)

class Html:
    """Mimics tdesktop's HtmlContext: block tags on their own lines, indented by nesting depth."""
    def __init__(self):
        self.tags, self.out = [], []

    def push(self, tag, inline=False, empty=False, **attrs):
        inner = "".join(f' {k.replace("_", "-") if k != "cls" else "class"}="{v}"' for k, v in attrs.items())
        block = not inline
        s = (("\n" + " " * len(self.tags)) if block else "") + f"<{tag}{inner}{'/' if empty else ''}>" + ("\n" if block else "")
        if not empty:
            self.tags.append((tag, block))
        self.out.append(s)

    def pop(self):
        tag, block = self.tags.pop()
        self.out.append((("\n" + " " * len(self.tags)) if block else "") + f"</{tag}>" + ("\n" if block else ""))

    def div(self, cls, **attrs):
        self.push("div", cls=cls, **attrs)

    def text(self, s):
        self.out.append(s)


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;").replace("\n", "<br>"))


def html_text(m):
    out = []
    for p in m["parts"]:
        if isinstance(p, str):
            out.append(esc(p))
        elif p[0] == "bold":
            out.append(f"<strong>{esc(p[1])}</strong>")
        else:
            out.append(f'<a href="{p[2] or esc(p[1])}">{esc(p[1])}</a>')
    return "".join(out)


def title_time(local):
    return local.strftime("%d.%m.%Y %H:%M:%S") + " UTC+09:00"


def render_html(messages, page, pages, title):
    h = Html()
    h.out.append("<!DOCTYPE html>")
    h.push("html"); h.push("head"); h.push("meta", charset="utf-8", empty=True)
    h.push("title", inline=True); h.text("Exported Data"); h.pop()
    h.push("meta", name="viewport", content="width=device-width, initial-scale=1.0", empty=True)
    h.push("link", href="css/style.css", rel="stylesheet", empty=True)
    h.push("script", src="js/script.js", type="text/javascript"); h.pop(); h.pop()
    h.push("body", onload="CheckLocation();"); h.div("page_wrap")
    h.div("page_header"); h.div("content"); h.div("text bold"); h.text(esc(title)); h.pop(); h.pop(); h.pop()
    h.div("page_body chat_page"); h.div("history")
    if page > 1:
        h.push("a", cls="pagination block_link", href="messages.html" if page == 2 else f"messages{page - 1}.html")
        h.text("Previous messages"); h.pop()
    prev, date_id = None, 0
    for m in messages:
        if prev is None or prev["local"].date() != m["local"].date():
            date_id -= 1
            h.push("div", cls="message service", id=f"message{date_id}"); h.div("body details")
            h.text(f'{m["local"].day} {m["local"].strftime("%B")} {m["local"].year}'); h.pop(); h.pop()
        name, _ = m["who"]
        if "service" in m and m["service"] != "phone_call":
            h.push("div", cls="message service", id=f'message{m["id"]}'); h.div("body details")
            h.text(f'{esc(name)} pinned <a href="#go_to_message{m["pinned"]}" onclick="return GoToMessage({m["pinned"]})">this message</a>')
            h.pop(); h.pop()
            prev = m | {"kind": "service"}
            continue
        joined = (prev is not None and prev.get("kind") != "service" and prev["who"] == m["who"]
                  and prev.get("via") == m.get("via") and prev["local"].date() == m["local"].date()
                  and ("fwd" in prev) == ("fwd" in m) and prev.get("fwd") == m.get("fwd")
                  and abs((m["local"] - prev["local"]).total_seconds()) <= (1 if m.get("fwd") else 900))
        h.push("div", cls="message default clearfix" + ("" if not joined else " joined"), id=f'message{m["id"]}')
        if not joined:
            h.div("pull_left userpic_wrap"); h.push("div", cls="userpic userpic2", style="width: 42px; height: 42px")
            h.push("div", cls="initials", style="line-height: 42px"); h.text(esc(name[0])); h.pop(); h.pop(); h.pop()
        h.div("body")
        h.push("div", cls="pull_right date details", title=title_time(m["local"])); h.text(m["local"].strftime("%H:%M")); h.pop()
        if not joined:
            h.div("from_name"); h.text(esc(name) + (f' via @{m["via"][1:]}' if "via" in m else "")); h.pop()
        if "fwd" in m:
            h.div("pull_left forwarded userpic_wrap"); h.push("div", cls="userpic userpic4", style="width: 42px; height: 42px")
            h.push("div", cls="initials", style="line-height: 42px"); h.text("C"); h.pop(); h.pop(); h.pop()
            h.div("forwarded body"); h.div("from_name"); h.text(esc(m["fwd"]))
            h.push("span", cls="date details", title=title_time(m["fwd_local"]), inline=True)
            h.text(" " + m["fwd_local"].strftime("%d.%m.%Y %H:%M:%S")); h.pop(); h.pop()
        if "reply" in m:
            h.div("reply_to details")
            h.text(f'In reply to <a href="#go_to_message{m["reply"]}" onclick="return GoToMessage({m["reply"]})">this message</a>')
            h.pop()
        render_media(h, m)
        if m.get("parts"):
            h.div("text"); h.text(html_text(m)); h.pop()
        if "reaction" in m:
            h.push("span", cls="reactions"); h.push("span", cls="reaction"); h.push("span", cls="emoji", inline=True)
            h.text(m["reaction"][0]); h.pop(); h.push("span", cls="count", inline=True); h.text(str(m["reaction"][1])); h.pop()
            h.pop(); h.pop()
        if "fwd" in m:
            h.pop()
        h.pop(); h.pop()
        prev = m
    if page < pages:
        h.push("a", cls="pagination block_link", href=f"messages{page + 1}.html"); h.text("Next messages"); h.pop()
    while h.tags:
        h.pop()
    return "".join(h.out)


def generic(h, classes, link, title, description, status):
    h.div("media_wrap clearfix")
    if link:
        h.push("a", cls="media clearfix pull_left block_link " + classes, href=link)
    else:
        h.div("media clearfix pull_left " + classes)
    h.div("fill pull_left"); h.pop()
    h.div("body")
    if title:
        h.div("title bold"); h.text(esc(title)); h.pop()
    if description:
        h.div("description"); h.text(esc(description)); h.pop()
    if status:
        h.div("status details"); h.text(esc(status)); h.pop()
    h.pop(); h.pop(); h.pop()


def render_media(h, m):
    if m.get("service") == "phone_call":
        generic(h, "media_call success", None, "Jun-ho", None, f'Incoming ({m["duration"]} seconds)')
    if "photo" in m:
        p = m["photo"][0]
        h.div("media_wrap clearfix"); h.push("a", cls="photo_wrap clearfix pull_left", href=p)
        h.push("img", cls="photo", src=p.replace(".jpg", "_thumb.jpg"), style="width: 160px; height: 120px", empty=True)
        h.pop(); h.pop()
    if "poll" in m:
        p = m["poll"]
        h.div("media_wrap clearfix"); h.div("media_poll"); h.div("question bold"); h.text(esc(p["question"])); h.pop()
        h.div("details"); h.text("Final results" if p["closed"] else "Anonymous poll"); h.pop()
        for t, v, c in p["answers"]:
            h.div("answer")
            detail = "" if not v else f' <span class="details">{v} vote{"s" if v > 1 else ""}{", chosen vote" if c else ""}</span>'
            h.text("- " + esc(t) + detail); h.pop()
        h.div("total details\t"); h.text(f'{p["total"]} votes'); h.pop(); h.pop(); h.pop()
    if "file" not in m:
        return
    f = m["file"]
    mt = f["media_type"]
    if mt == "video_file" and not f["path"]:
        generic(h, "media_video", None, "Video file", "Not included, change data exporting settings to download.",
                f'00:{f["duration"]:02d}, 8.0 MB')
    elif mt == "voice_message":
        generic(h, "media_voice_message", f["path"], "Voice message", None, f'00:{f["duration"]:02d}')
    elif mt == "sticker":
        h.div("media_wrap clearfix"); h.push("a", cls="sticker_wrap clearfix pull_left", href=f["path"])
        h.push("img", cls="sticker", src=f["path"] + "_thumb.png", style="width: 192px; height: 192px", empty=True)
        h.pop(); h.pop()
    elif mt == "animation":
        h.div("media_wrap clearfix"); h.push("a", cls="animated_wrap clearfix pull_left", href=f["path"])
        h.div("video_play_bg"); h.div("gif_play"); h.text("GIF"); h.pop(); h.pop()
        h.push("img", cls="animated", src=f["thumb"], style="width: 160px; height: 120px", empty=True)
        h.pop(); h.pop()
    elif mt is None:
        generic(h, "media_file", f["path"], f["name"], None, "12.3 KB")


def telegram_fixtures():
    title = "Minji"
    header = {"name": title, "type": "personal_chat", "id": 5550001234}
    single = dict(header, messages=[json_message(m) for m in TG])
    write("telegram/pair/result.json", jdump(single, 1) + "\n", {
        "virtualPath": f"{VP_DIR}/result.json",
        "chats": [chat(platform="telegram", fmt="telegram-json", nativeID="5550001234", title=title, chatType="personal_chat")],
        "participants": [part("chat", "Minji", MINJI[1]), part("chat", "Jun-ho", JUNHO[1])],
        "messages": [expected_message(m, VP_DIR) for m in TG],
        "warnings": []})
    pages = [TG[:7], TG[7:]]
    for i, msgs in enumerate(pages, start=1):
        name = "messages.html" if i == 1 else f"messages{i}.html"
        exp_msgs = []
        for m in msgs:
            e = expected_message(m, VP_DIR, html=True)
            if m.get("service") == "phone_call":
                e["sender"] = e["serviceActor"] = "Minji"
            elif "service" in m:
                # tdesktop writes no time on service messages, only the day separator above them.
                e["sentUTC"] = e["sentBasis"] = e["sentRaw"] = None
            exp_msgs.append(e)
        write(f"telegram/pair/{name}", render_html(msgs, i, len(pages), title), {
            "virtualPath": f"{VP_DIR}/{name}",
            "chats": [chat(platform="telegram", fmt="telegram-html", title=title, part=i)],
            "participants": [part("chat", n, None) for n in dict.fromkeys(e["sender"] for e in exp_msgs if e["sender"])],
            "messages": exp_msgs, "warnings": []})

    # Pre-3.7.6 export: no date_unixtime, bare numeric from_id: times are naive (assumed zone).
    old = dict(header, messages=[json_message(m, old=True) for m in TG[:3]])
    write("telegram/old/result.json", jdump(old, 1) + "\n", {
        "virtualPath": "case.zip!/old/result.json",
        "chats": [chat(platform="telegram", fmt="telegram-json", nativeID="5550001234", title=title, chatType="personal_chat")],
        "participants": [part("chat", "Minji", "5550001234"), part("chat", "Jun-ho", "5550009999")],
        "messages": [expected_message(m, "case.zip!/old", old=True) for m in TG[:3]], "warnings": []})

    full_export(title)


def full_export(title):
    group = [dict(id=1, local=datetime(2024, 8, 1, 20, 0), who=JUNHO, service="invite_members"),
             dict(id=2, local=datetime(2024, 8, 1, 20, 1), who=("Sora", "user5550007777"), parts=["합성 사진 올렸어"])]
    chan = [dict(id=9, local=datetime(2024, 7, 1, 8, 0), who=("Old News", "channel777"), parts=["Archived post"])]
    dm = TG[:2]

    def jm(m):
        o = json_message(m)
        if m.get("service") == "invite_members":
            o.pop("message_id", None)
            o["members"] = ["Sora", "Minji"]
        return o
    doc = {"about": "Here is the data you requested.",
           "personal_information": {"user_id": 5550009999, "first_name": "Jun-ho", "last_name": "", "phone_number": "+82 10 0000 0000"},
           "contacts": {"about": "contacts", "list": [{"first_name": "Minji", "phone_number": "+82 10 1111 1111"}]},
           "chats": {"about": "chats", "list": [
               {"name": "Minji", "type": "personal_chat", "id": 5550001234, "messages": [jm(m) for m in dm]},
               {"name": "Concert crew", "type": "private_supergroup", "id": 1987654321, "messages": [jm(m) for m in group]}]},
           "left_chats": {"about": "left", "list": [
               {"name": "Old News", "type": "public_channel", "id": 777, "messages": [jm(m) for m in chan]}]}}
    owner = JUNHO[1]
    msgs = [expected_message(m, "case.zip!/full", owner=owner, key="chats/0") for m in dm]
    g = [expected_message(m, "case.zip!/full", owner=owner, key="chats/1") for m in group]
    g[0]["text"] = ""
    msgs += g + [expected_message(m, "case.zip!/full", owner=owner, key="left_chats/0") for m in chan]
    write("telegram/full/result.json", jdump(doc, 1) + "\n", {
        "virtualPath": "case.zip!/full/result.json",
        "chats": [chat("chats/0", "telegram", "telegram-json", nativeID="5550001234", title="Minji", chatType="personal_chat"),
                  chat("chats/1", "telegram", "telegram-json", nativeID="1987654321", title="Concert crew", chatType="private_supergroup"),
                  chat("left_chats/0", "telegram", "telegram-json", nativeID="777", title="Old News", chatType="public_channel", left=True)],
        "participants": [part("chats/0", "Minji", MINJI[1]), part("chats/0", "Jun-ho", owner, True),
                         part("chats/1", "Jun-ho", owner, True), part("chats/1", "Sora", "user5550007777"),
                         part("left_chats/0", "Old News", "channel777")],
        "messages": msgs, "warnings": []})
