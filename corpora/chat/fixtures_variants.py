"""Real-world export variants that parsed to nothing before issue 14 (item 5), rendered from
ground truth like the other fixtures: KakaoTalk Android English UI (2015-era, time first),
WhatsApp iOS with an Arabic UI, with the Buddhist and the Japanese-era calendar settings, and
with a Vietnamese UI (time first). The goldens also carry `sentNote`, the note every time must
have (the calendar conversion is recorded there); other goldens leave it out.
"""
from datetime import datetime as dt
from chatgen import write, chat, msg, part, utc, LRM
from fixtures_text import KAKAO, MONTHS, kakao_expected, WA, wa_render

PHONE_NOTE = "phone-local time (the export carries no zone)"
RLM, ALM, LRE, PDF = "\u200f", "\u061c", "\u202a", "\u202c"
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
AR_COMMA = "\u060c"


# ------------------------------------------------------------------ KakaoTalk Android, English UI, 2015
def kakao_android_en_2015():
    # The same conversation as the other KakaoTalk fixtures, moved to July 2015.
    times = [t.replace(year=2015, month=7, day=9 + (t.day - 28)) for t, *_ in KAKAO]
    saved = dt(2015, 7, 11, 21, 15)

    def stamp(t):  # `8:34pm, July 9, 2015`: lower-case am/pm glued to the minutes
        return f"{(t.hour % 12) or 12}:{t.minute:02d}{'pm' if t.hour >= 12 else 'am'}, {MONTHS[t.month - 1]} {t.day}, {t.year}"

    records = ["KakaoTalk Chats with Minji", f"Date Saved : {stamp(saved)}", ""]
    last_day = None
    for t, (_, s, kind, ko, en) in zip(times, KAKAO):
        if t.date() != last_day:
            # Day line: the day's first stamp alone, as the Android app writes it.
            records += ["", stamp(t)]
            last_day = t.date()
        if s is None:
            records.append(f"{stamp(t)}, {en}")
        else:
            name = "you" if s is not None and not isinstance(s, str) else {"민지": "Minji", "소라": "Sora"}[s]
            # A message's own line breaks stay bare LF; records end in CRLF.
            records.append(f"{stamp(t)}, {name} : {en}")
    exp, parts_ = kakao_expected("en", "you", None)
    for e, t in zip(exp, times):
        e["sentRaw"], e["sentUTC"], e["sentNote"] = stamp(t), utc(t), PHONE_NOTE
    write("kakaotalk/android-en-2015/KakaoTalkChats.txt", "\ufeff" + "\r\n".join(records) + "\r\n", {
        "virtualPath": "case.zip!/kakaotalk/android-en-2015/KakaoTalkChats.txt",
        "chats": [chat(platform="kakaotalk", fmt="kakaotalk-android", title="Minji", exportingUserPlaceholder="you",
                       exportedAtUTC=utc(saved), clock="12h")],
        "participants": parts_, "messages": exp, "warnings": []})


# ------------------------------------------------------------------ WhatsApp iOS variants
IOS_DIR = "case.zip!/WhatsApp Chat - Minji.zip!"


def ios_simple(variant, convo, stamp, order, clock, note=None, system_mark=LRM):
    """iOS `_chat.txt` from (time, sender or None for the system notice, text). The system notice
    is authored by the chat's name after a direction mark, as iOS writes it."""
    lines, exp, parts_ = [], [], []
    for t, sender, text in convo:
        raw = stamp(t)
        e = msg(sender=sender, sentUTC=utc(t), sentBasis="assumed-zone", sentRaw=raw,
                sentNote=PHONE_NOTE + ("; " + note(t) if note else ""))
        if sender is None:
            lines.append(f"[{raw}] Minji: {system_mark}{text}")
            e.update(kind="system", text=system_mark + text)
        else:
            written = sender if not sender.startswith("+") else LRE + sender + PDF
            lines += f"[{raw}] {written}: {text}".split("\n")
            e["text"] = text
            if sender not in [p["displayName"] for p in parts_]:
                parts_.append(part("chat", sender))
        exp.append(e)
    write(f"whatsapp/{variant}/_chat.txt", "\r\n".join(lines) + "\r\n", {
        "virtualPath": f"{IOS_DIR}/_chat.txt",
        "chats": [chat(platform="whatsapp", fmt="whatsapp-ios", title="Minji", dateOrder=order, dateOrderProven=True,
                       clock=clock)],
        "participants": parts_, "messages": exp, "warnings": []})


AR_CONVO = [
    (dt(2024, 8, 28, 15, 5), None, "الرسائل والمكالمات مشفرة تمامًا بين الطرفين."),
    (dt(2024, 8, 28, 15, 6), "Minji", "مرحبا! هل رأيت الفيديو؟"),
    (dt(2024, 8, 28, 15, 7), "+82 10-1234-5678", "نعم، رأيته"),
    (dt(2024, 8, 28, 15, 13), "Minji", "سطران\nفي رسالة واحدة"),
    (dt(2024, 8, 29, 21, 43), "+82 10-1234-5678", "أراك غدًا"),
    (dt(2024, 8, 30, 9, 2), "Minji", "صباح الخير"),
]


def ar_stamp(t):
    """`٢٨‏/٨‏/٢٠٢٤، ٣:٠٦:٠٠ ؜م`: Arabic-Indic digits, RLM after day and month, the Arabic
    comma, 12-hour clock with ص (am) / م (pm) after an ALM."""
    h12 = (t.hour % 12) or 12
    date = f"{t.day}{RLM}/{t.month}{RLM}/{t.year}".translate(AR_DIGITS)
    clock = f"{h12}:{t.minute:02d}:{t.second:02d}".translate(AR_DIGITS)
    return f"{date}{AR_COMMA} {clock} {ALM}{'م' if t.hour >= 12 else 'ص'}"


VI_CONVO = [
    (dt(2024, 8, 28, 15, 5), None, "Tin nhắn và cuộc gọi được mã hóa đầu cuối."),
    (dt(2024, 8, 28, 15, 6), "Minji", "Chào bạn! Bạn xem video chưa?"),
    (dt(2024, 8, 28, 15, 7), "Jun-ho", "Xem rồi"),
    (dt(2024, 8, 28, 15, 13), "Minji", "hai dòng\ntin nhắn"),
    (dt(2024, 8, 30, 22, 2), "Jun-ho", "Hẹn gặp lại 👍"),
]

ERAS = [("R", 2019), ("H", 1989)]


def era_year(t):
    for initial, first in ERAS:
        if t.year >= first:
            return initial, t.year - first + 1
    raise ValueError(t)


def whatsapp_variant_fixtures():
    ios_simple("ios-ar", AR_CONVO, ar_stamp, "day-month-year", "12h", system_mark=RLM)
    ios_simple("ios-vi", VI_CONVO, lambda t: f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}, {t.month}/{t.day}/{t.year % 100}",
               "month-day-year", "24h")
    # Calendar settings, English UI (24-hour, as in the published samples `[3/18/2565 BE, 14:56:01]`,
    # `[3/18/R4, 14:56:01]`): the shared WhatsApp conversation, full iOS markers.
    for variant, stamp, note in (
        ("ios-buddhist", lambda t: f"{t.month}/{t.day}/{t.year + 543} BE, {t.hour:02d}:{t.minute:02d}:{t.second:02d}",
         lambda t: f"year {t.year + 543} BE (Buddhist calendar, device setting) read as {t.year} CE"),
        ("ios-japanese-era", lambda t: f"{t.month}/{t.day}/{''.join(map(str, era_year(t)))}, {t.hour:02d}:{t.minute:02d}:{t.second:02d}",
         lambda t: f"year {''.join(map(str, era_year(t)))} (Japanese calendar, {'Reiwa' if era_year(t)[0] == 'R' else 'Heisei'} "
                   f"{era_year(t)[1]}, device setting) read as {t.year} CE"),
    ):
        lines, exp = wa_render(variant, "en", stamp, True, WA, IOS_DIR)
        for e, (t, *_r) in zip(exp, WA):
            e["sentNote"] = f"{PHONE_NOTE}; {note(t)}"
            for a in e["attachments"]:
                if a["resolvedPath"]:
                    a["resolvedPath"] = f"{IOS_DIR}/" + a["reference"]
        write(f"whatsapp/{variant}/_chat.txt", "\r\n".join(lines) + "\r\n", {
            "virtualPath": f"{IOS_DIR}/_chat.txt",
            "chats": [chat(platform="whatsapp", fmt="whatsapp-ios", title="Minji", dateOrder="month-day-year",
                           dateOrderProven=True, clock="24h")],
            "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp, "warnings": []})


def variant_fixtures():
    kakao_android_en_2015()
    whatsapp_variant_fixtures()
