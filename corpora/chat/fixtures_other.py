"""DiscordChatExporter JSON, and hostile inputs (truncated, wrong encoding, junk, mixed, too deep)."""
import json, random
from datetime import datetime as dt
from chatgen import write, chat, msg, att, part, utc, NNBSP
import fixtures_telegram as tg
import fixtures_text as tx


def discord_fixtures():
    def author(i, name, nick):
        return {"id": i, "name": name, "discriminator": "0000", "nickname": nick, "color": None, "isBot": False,
                "roles": [], "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png"}
    junho, minji = author("501", "junho", "Jun-ho"), author("502", "minji", "Minji")

    def m(i, typ, ts, who, content, **kw):
        d = {"id": i, "type": typ, "timestamp": ts, "timestampEdited": None, "callEndedTimestamp": None, "isPinned": False,
             "content": content, "author": who, "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": []}
        d.update(kw)
        return d
    doc = {"guild": {"id": "111", "name": "Deepfake Hunters", "iconUrl": "https://cdn.discordapp.com/icons/111/a.png"},
           "channel": {"id": "222", "type": "GuildTextChat", "categoryId": "333", "category": "General", "name": "evidence",
                       "topic": None},
           "dateRange": {"after": None, "before": None}, "exportedAt": "2024-08-30T22:15:00.123+09:00",
           "messages": [
               m("1001", "Default", "2024-08-28T15:10:00.000+09:00", junho, "영상 올렸어 @Minji",
                 reactions=[{"emoji": {"id": "", "name": "👍", "code": "thumbsup", "isAnimated": False, "imageUrl": "x"},
                             "count": 2, "users": [{"id": "502", "name": "minji"}]}]),
               m("1002", "Reply", "2024-08-28T15:12:30.250+09:00", minji, "see file",
                 timestampEdited="2024-08-28T15:20:00.000+09:00",
                 attachments=[{"id": "9001", "url": "evidence.json_Files/clip-9001.mp4", "fileName": "clip.mp4", "fileSizeBytes": 123456}],
                 reference={"messageId": "1001", "channelId": "222", "guildId": "111"}),
               m("1003", "ChannelPinnedMessage", "2024-08-28T15:13:00.000+09:00", junho, "Pinned a message."),
               m("1004", "Default", "2024-08-28T06:14:00+00:00", junho, "",
                 attachments=[{"id": "9002", "url": "https://cdn.discordapp.com/attachments/1/2/photo.png", "fileName": "photo.png",
                               "fileSizeBytes": 2048}]),
           ], "messageCount": 4}
    vp = "case.zip!/discord/evidence.json"
    def e(i, **kw):
        d = msg(nativeID=i, sentBasis="offset", **kw)
        return d
    msgs = [
        e("1001", sender="Jun-ho", senderID="501", sentUTC="2024-08-28T06:10:00Z", sentRaw="2024-08-28T15:10:00.000+09:00",
          text="영상 올렸어 @Minji", reactions=[{"emoji": "👍", "count": 2}]),
        e("1002", sender="Minji", senderID="502", sentUTC="2024-08-28T06:12:30.250000Z", sentRaw="2024-08-28T15:12:30.250+09:00",
          touchedUTC="2024-08-28T06:20:00Z", text="see file", replyTo="1001",
          attachments=[att("video", "evidence.json_Files/clip-9001.mp4", "case.zip!/discord/evidence.json_Files/clip-9001.mp4",
                           fileName="clip.mp4", size=123456)]),
        e("1003", kind="service", sender="Jun-ho", senderID="501", sentUTC="2024-08-28T06:13:00Z",
          sentRaw="2024-08-28T15:13:00.000+09:00", text="Pinned a message.", serviceAction="ChannelPinnedMessage", serviceActor="Jun-ho"),
        e("1004", sender="Jun-ho", senderID="501", sentUTC="2024-08-28T06:14:00Z", sentRaw="2024-08-28T06:14:00+00:00",
          attachments=[att("photo", "https://cdn.discordapp.com/attachments/1/2/photo.png", None, fileName="photo.png", size=2048)]),
    ]
    write("discord/evidence.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n", {
        "virtualPath": vp,
        "chats": [chat(platform="discord", fmt="discord-json", nativeID="222", title="evidence", chatType="GuildTextChat",
                       exportedAtUTC="2024-08-30T13:15:00.123000Z")],
        "participants": [part("chat", "Jun-ho", "501"), part("chat", "Minji", "502")], "messages": msgs, "warnings": []})


def hostile_fixtures():
    header = {"name": "Minji", "type": "personal_chat", "id": 5550001234}
    full = json.dumps(dict(header, messages=[tg.json_message(m) for m in tg.TG[:6]]), ensure_ascii=False, indent=1)
    cut = full.index('"id": 205') + 40
    vp_dir = "case.zip!/truncated"
    write("hostile/telegram-truncated/result.json", full[:cut], {
        "virtualPath": f"{vp_dir}/result.json",
        "chats": [chat(platform="telegram", fmt="telegram-json", nativeID="5550001234", title="Minji", chatType="personal_chat")],
        "participants": [part("chat", "Minji", tg.MINJI[1]), part("chat", "Jun-ho", tg.JUNHO[1])],
        "messages": [tg.expected_message(m, vp_dir) for m in tg.TG[:4]], "warnings": ["truncated-json"]})

    # tdesktop writes control characters as \xNN (invalid JSON): repaired, not fatal.
    m = dict(tg.TG[0], parts=["bell\u0007here"])
    doc = json.dumps(dict(header, messages=[tg.json_message(m)]), ensure_ascii=False, indent=1).replace("\\u0007", "\\x07")
    assert "\\x07" in doc
    e = tg.expected_message(m, "case.zip!/xescape")
    write("hostile/telegram-xescape/result.json", doc, {
        "virtualPath": "case.zip!/xescape/result.json",
        "chats": [chat(platform="telegram", fmt="telegram-json", nativeID="5550001234", title="Minji", chatType="personal_chat")],
        "participants": [part("chat", "Minji", tg.MINJI[1])], "messages": [e], "warnings": ["repaired-escapes"]})

    write("hostile/not-telegram/result.json", '{"version": 3, "items": [1, 2, 3]}\n', {
        "virtualPath": "case.zip!/other/result.json", "chats": [], "participants": [], "messages": [],
        "warnings": ["not-an-export"]})

    first = json.dumps(tg.json_message(tg.TG[0]), ensure_ascii=False)
    deep = ('{"name": "Minji", "type": "personal_chat", "id": 5550001234, "messages": [' + first +
            ', {"id": 999, "type": "message", "date_unixtime": "1724825400", "text": ' + "[" * 100000 + "]" * 100000 + "}]}")
    write("hostile/telegram-deep/result.json", deep, {
        "virtualPath": "case.zip!/deep/result.json",
        "chats": [chat(platform="telegram", fmt="telegram-json", nativeID="5550001234", title="Minji", chatType="personal_chat")],
        "participants": [part("chat", "Minji", tg.MINJI[1])],
        "messages": [tg.expected_message(tg.TG[0], "case.zip!/deep")], "warnings": ["json-too-deep"]})

    # Looks like WhatsApp for two lines, then a log file.
    lang, stamp, order, clock = tx.ANDROID["android-en-US"]
    lines, exp = tx.wa_render("android-en-US", lang, stamp, False, tx.WA[1:3], "case.zip!/junk")
    junk = [f"2024-08-28 15:{i:02d}:00,123 INFO worker[{i}] processed batch {i * 17} in {i % 7}ms" for i in range(40)]
    write("hostile/whatsapp-then-junk/WhatsApp Chat with Minji.txt", "\n".join(lines + junk) + "\n", {
        "virtualPath": "case.zip!/junk/WhatsApp Chat with Minji.txt",
        "chats": [chat(platform="whatsapp", fmt="whatsapp-android", title="Minji", dateOrder="month-day-year",
                       dateOrderProven=True, clock="12h")],
        "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp,
        "warnings": ["unparsed-lines", "mostly-unparsed"]})

    # The en-GB export re-saved as UTF-16LE with a BOM (Windows Notepad "Unicode").
    lang, stamp, order, clock = tx.ANDROID["android-en-GB"]
    lines, exp = tx.wa_render("android-en-GB", lang, stamp, False, tx.WA, "case.zip!/utf16")
    write("hostile/whatsapp-utf16/WhatsApp Chat with Minji.txt", ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-le"), {
        "virtualPath": "case.zip!/utf16/WhatsApp Chat with Minji.txt",
        "chats": [chat(platform="whatsapp", fmt="whatsapp-android", title="Minji", dateOrder="day-month-year",
                       dateOrderProven=True, clock="24h")],
        "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp, "warnings": ["transcoded"]})

    # Android lines, then iOS lines of the same chat pasted below (mixed formats): every line parses.
    la, sa, _, _ = tx.ANDROID["android-en-US"]
    li, si, _, _ = tx.IOS["ios-en"]
    l1, e1 = tx.wa_render("android-en-US", la, sa, False, tx.WA[1:5], "case.zip!/mixed")
    l2, e2 = tx.wa_render("ios-en", li, si, False, tx.WA[5:], "case.zip!/mixed")
    l2 = [f"[{si(t)}] " + l.split(" - ", 1)[1] for l, (t, *_r) in zip(l2, tx.WA[5:])]
    write("hostile/whatsapp-mixed/WhatsApp Chat with Minji.txt", "\n".join(l1 + l2) + "\n", {
        "virtualPath": "case.zip!/mixed/WhatsApp Chat with Minji.txt",
        "chats": [chat(platform="whatsapp", fmt="whatsapp-android", title="Minji", dateOrder="month-day-year",
                       dateOrderProven=True, clock="12h")],
        "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": e1 + e2, "warnings": []})

    rnd = random.Random(20240828)
    write("hostile/junk/notes.txt", bytes(rnd.randrange(256) for _ in range(8192)), {
        "virtualPath": "case.zip!/junk/notes.txt", "chats": [], "participants": [], "messages": [], "warnings": []})
    write("hostile/prose/README.txt", "Meeting notes\n\nWe met at 3:00 PM - nothing to report.\nNext: 9/1/24.\n", {
        "virtualPath": "case.zip!/docs/README.txt", "chats": [], "participants": [], "messages": [], "warnings": []})
