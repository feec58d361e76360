"""WhatsApp, KakaoTalk and LINE text exports, rendered from one ground-truth conversation each."""
from datetime import datetime as dt
from chatgen import write, chat, msg, att, part, utc, LRM, NNBSP

# ------------------------------------------------------------------ WhatsApp
# (local time, sender or None for a system line, kind, payload)
WA = [
    (dt(2024, 8, 28, 15, 5), None, "system", None),
    (dt(2024, 8, 28, 15, 6), "Minji", "text", "안녕! 딥페이크 영상 봤어?"),
    (dt(2024, 8, 28, 15, 7), "Jun-ho", "file", "photo"),
    (dt(2024, 8, 28, 15, 13), "Minji", "text", "와 잘 나왔다\n무대 조명 진짜 예쁘다"),
    (dt(2024, 8, 28, 15, 15), "Minji", "deleted", None),
    (dt(2024, 8, 29, 9, 41), "Minji", "edited", "Tomorrow at 7?"),
    (dt(2024, 8, 29, 21, 43), "Jun-ho", "omitted", None),
    (dt(2024, 8, 30, 22, 2), "Jun-ho", "text", "OK 👍 see you"),
]
AMBIGUOUS = [(t.replace(month=3, day=4 + (t.day - 28)), s, k, p) for t, s, k, p in WA]

# Locale phrases: system notice, "(file attached)", "<Media omitted>", deleted, edited marker.
PHRASES = {
    "en": ("Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
           "file attached", "<Media omitted>", "This message was deleted", "<This message was edited>"),
    "de": ("Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören.",
           "Datei angehängt", "<Medien ausgeschlossen>", "Diese Nachricht wurde gelöscht", "<Diese Nachricht wurde bearbeitet>"),
    "nl": ("Berichten en oproepen zijn end-to-end versleuteld.", "bestand bijgevoegd", "<Media weggelaten>",
           "Dit bericht is verwijderd", "<Dit bericht is bewerkt>"),
    "fr": ("Les messages et les appels sont chiffrés de bout en bout.", "fichier joint", "<Médias omis>",
           "Ce message a été supprimé", "<Ce message a été modifié>"),
    "es": ("Los mensajes y las llamadas están cifrados de extremo a extremo.", "archivo adjunto", "<Multimedia omitido>",
           "Se eliminó este mensaje.", "<Se editó este mensaje.>"),
    "pt": ("As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.", "arquivo anexado",
           "<Mídia oculta>", "Mensagem apagada", "<Mensagem editada>"),
    "ko": ("메시지와 통화는 종단간 암호화되어 보호됩니다.", "파일 첨부됨", "<미디어 파일 생략>", "삭제된 메시지입니다.",
           "<수정된 메시지입니다>"),
}
IOS_OMITTED = {"en": ("image omitted", "photo"), "de": ("Bild weggelassen", "photo"), "ko": ("사진 생략됨", "photo")}
IOS_ATTACHED = {"en": "attached", "de": "Anhang", "ko": "첨부"}


def h12(t):
    return (t.hour % 12) or 12, "PM" if t.hour >= 12 else "AM"


def ko_period(t):
    return "오후" if t.hour >= 12 else "오전"


ANDROID = {  # variant → (language, timestamp renderer, date order, proven?, clock)
    "android-en-US": ("en", lambda t: f"{t.month}/{t.day}/{t.year % 100}, {h12(t)[0]}:{t.minute:02d}{NNBSP}{h12(t)[1]}", "month-day-year", "12h"),
    "android-en-GB": ("en", lambda t: f"{t.day:02d}/{t.month:02d}/{t.year}, {t.hour:02d}:{t.minute:02d}", "day-month-year", "24h"),
    "android-de": ("de", lambda t: f"{t.day:02d}.{t.month:02d}.{t.year % 100:02d}, {t.hour:02d}:{t.minute:02d}", "day-month-year", "24h"),
    "android-nl": ("nl", lambda t: f"{t.day:02d}-{t.month:02d}-{t.year} {t.hour:02d}:{t.minute:02d}", "day-month-year", "24h"),
    "android-fr": ("fr", lambda t: f"{t.day:02d}/{t.month:02d}/{t.year} {t.hour:02d}:{t.minute:02d}", "day-month-year", "24h"),
    "android-es": ("es", lambda t: f"{t.day}/{t.month}/{t.year % 100}, {t.hour}:{t.minute:02d}", "day-month-year", "24h"),
    "android-pt": ("pt", lambda t: f"{t.day:02d}/{t.month:02d}/{t.year} {t.hour:02d}:{t.minute:02d}", "day-month-year", "24h"),
    "android-ko": ("ko", lambda t: f"{t.year % 100}. {t.month}. {t.day}. {ko_period(t)} {h12(t)[0]}:{t.minute:02d}", "year-month-day", "12h"),
}
IOS = {
    "ios-en": ("en", lambda t: f"{t.month}/{t.day}/{t.year % 100}, {h12(t)[0]}:{t.minute:02d}:{t.second:02d}{NNBSP}{h12(t)[1]}", "month-day-year", "12h"),
    "ios-de": ("de", lambda t: f"{t.day:02d}.{t.month:02d}.{t.year % 100:02d}, {t.hour:02d}:{t.minute:02d}:{t.second:02d}", "day-month-year", "24h"),
    "ios-ko": ("ko", lambda t: f"{t.year % 100}. {t.month}. {t.day}. {ko_period(t)} {h12(t)[0]}:{t.minute:02d}:{t.second:02d}", "year-month-day", "12h"),
}


def wa_render(variant, lang, stamp, ios, convo, vp_dir, title="Minji"):
    system, attached, omitted, deleted, edited = PHRASES[lang]
    lines, exp = [], []
    for t, sender, kind, payload in convo:
        raw = stamp(t)
        e = msg(sender=sender, sentUTC=utc(t), sentBasis="assumed-zone", sentRaw=raw)
        if kind == "system":
            body = (f"{title}: {LRM}{system}" if ios else system)
            e.update(kind="system", sender=None, text=(LRM + system) if ios else system)
        else:
            if kind == "text":
                text = payload
            elif kind == "file":
                name = (f"00000003-PHOTO-{t:%Y-%m-%d-%H-%M-%S}.jpg" if ios else f"IMG-{t:%Y%m%d}-WA0001.jpg")
                text = f"{LRM}<{IOS_ATTACHED[lang]}: {name}>" if ios else f"{LRM}{name} ({attached})"
                e["attachments"] = [att("photo", name, f"{vp_dir}/{name}")]
            elif kind == "deleted":
                text = (LRM + deleted) if ios else deleted
                e["deleted"] = True
            elif kind == "edited":
                text = f"{payload} {LRM if ios else ''}{edited}"
                e["edited"] = True
            elif kind == "omitted":
                if ios:
                    phrase, k = IOS_OMITTED[lang]
                    text = LRM + phrase
                    e["attachments"] = [att(k, None, None, phrase)]
                else:
                    text = omitted
                    e["attachments"] = [att("other", None, None, omitted)]
            e["text"] = text
            body = f"{sender}: {text}"
        lines.append((f"{LRM}[{raw}] " if ios and kind in ("file", "omitted") else f"[{raw}] " if ios else f"{raw} - ") + body)
        exp.append(e)
    return lines, exp


def whatsapp_fixtures():
    for variant, (lang, stamp, order, clock) in ANDROID.items():
        vp_dir = f"case.zip!/whatsapp/{variant}"
        lines, exp = wa_render(variant, lang, stamp, False, WA, vp_dir)
        proven = order != "year-month-day"
        write(f"whatsapp/{variant}/WhatsApp Chat with Minji.txt", "\n".join(lines) + "\n", {
            "virtualPath": f"{vp_dir}/WhatsApp Chat with Minji.txt",
            "chats": [chat(platform="whatsapp", fmt="whatsapp-android", title="Minji", dateOrder=order,
                           dateOrderProven=proven, clock=clock)],
            "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp, "warnings": []})
    for variant, (lang, stamp, order, clock) in IOS.items():
        vp_dir = "case.zip!/WhatsApp Chat - Minji.zip!"
        lines, exp = wa_render(variant, lang, stamp, True, WA, vp_dir.rstrip("!") + "!")
        for e in exp:
            for a in e["attachments"]:
                if a["resolvedPath"]:
                    a["resolvedPath"] = "case.zip!/WhatsApp Chat - Minji.zip!/" + a["reference"]
        write(f"whatsapp/{variant}/_chat.txt", "\r\n".join(lines) + "\r\n", {
            "virtualPath": "case.zip!/WhatsApp Chat - Minji.zip!/_chat.txt",
            "chats": [chat(platform="whatsapp", fmt="whatsapp-ios", title="Minji", dateOrder=order,
                           dateOrderProven=order != "year-month-day", clock=clock)],
            "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp, "warnings": []})
    # No day > 12 anywhere: the order cannot be proven and must be recorded as assumed.
    for variant, order in (("android-en-GB", "day-month-year"), ("android-en-US", "month-day-year")):
        lang, stamp, _, clock = ANDROID[variant]
        vp_dir = f"case.zip!/whatsapp/{variant}-ambiguous"
        lines, exp = wa_render(variant, lang, stamp, False, AMBIGUOUS, vp_dir)
        write(f"whatsapp/{variant}-ambiguous/WhatsApp Chat with Minji.txt", "\n".join(lines) + "\n", {
            "virtualPath": f"{vp_dir}/WhatsApp Chat with Minji.txt",
            "chats": [chat(platform="whatsapp", fmt="whatsapp-android", title="Minji", dateOrder=order,
                           dateOrderProven=False, clock=clock)],
            "participants": [part("chat", "Minji"), part("chat", "Jun-ho")], "messages": exp, "warnings": []})


# ------------------------------------------------------------------ KakaoTalk
OWNER = object()
KAKAO = [  # (local, sender (OWNER / name / None=system), kind, ko payload, en payload)
    (dt(2024, 8, 28, 15, 1), OWNER, "photo", "사진", "Photo"),
    (dt(2024, 8, 28, 15, 2), "민지", "text", "딥페이크 영상 얘기 들었어?", "Did you hear about the deepfake video?"),
    (dt(2024, 8, 28, 15, 3), "민지", "text", "두 줄\n메시지", "two lines\nmessage"),
    (dt(2024, 8, 28, 15, 5), None, "system", "민지님이 소라님을 초대했습니다.", "Minji invited Sora."),
    (dt(2024, 8, 29, 10, 0), OWNER, "file", "파일: 계약서_최종.txt", "File: contract_final.txt"),
    (dt(2024, 8, 29, 10, 1), "민지", "deleted", "메시지가 삭제되었습니다.", "This message has been deleted."),
    (dt(2024, 8, 29, 10, 2), "소라", "video", "동영상", "Video"),
    (dt(2024, 8, 29, 10, 3), "소라", "sticker", "이모티콘", "Emoticons"),
]
EN_NAMES = {"민지": "Minji", "소라": "Sora"}
SAVED = dt(2024, 8, 30, 22, 15)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
KO_DAYS = ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"]
KAKAO_MISSING = "KakaoTalk text exports name the media kind only"


def ko_clock(t):
    return f"{ko_period(t)} {h12(t)[0]}:{t.minute:02d}"


def en_clock(t):
    return f"{h12(t)[0]}:{t.minute:02d} {h12(t)[1]}"


def kakao_expected(lang, placeholder, owner_name, variant_seconds=False):
    exp, parts_seen = [], []
    for t, s, kind, ko, en in KAKAO:
        text = ko if lang == "ko" else en
        name = (placeholder or owner_name) if s is OWNER else (s if lang == "ko" or s is None else EN_NAMES[s])
        e = msg(sender=name if s is not None else None, owner=(s is OWNER and placeholder is not None), sentUTC=utc(t),
                sentBasis="assumed-zone", text=text)
        if s is None:
            e["kind"] = "system"
        if kind in ("photo", "video", "sticker"):
            e["attachments"] = [att(kind, None, None, KAKAO_MISSING)]
        if kind == "file":
            fname = text.split(": ", 1)[1]
            e["attachments"] = [att("file", fname, None, KAKAO_MISSING, fileName=fname)]
        if kind == "deleted":
            e["deleted"] = True
        if s is not None and name not in [p["displayName"] for p in parts_seen]:
            parts_seen.append(part("chat", name, None, s is OWNER and placeholder is not None))
        exp.append(e)
    return exp, parts_seen


def kakao_fixtures():
    variants = {}
    # Android ko: BOM, mixed CRLF/LF, day lines = date + time alone.
    def android_ko(t):
        return f"{t.year}년 {t.month}월 {t.day}일 {ko_clock(t)}"

    def android_en(t):
        return f"{MONTHS[t.month - 1]} {t.day}, {t.year}, {en_clock(t)}"

    def ios_ko(t):
        return f"{t.year}. {t.month}. {t.day}. {ko_clock(t)}"

    def ios_en(t):
        return f"{MONTHS[t.month - 1][:3]} {t.day}, {t.year}, {en_clock(t)}"

    for variant, lang, stamp, head, day, placeholder, fmt, system_sep in (
        ("android-ko", "ko", android_ko, ["민지 님과 카카오톡 대화", f"저장한 날짜 : {android_ko(SAVED)}"], android_ko, "회원님", "kakaotalk-android", ", "),
        ("android-en", "en", android_en, ["KakaoTalk Chats with Minji", f"Date Saved : {android_en(SAVED)}"], android_en, "you", "kakaotalk-android", ", "),
        ("ios-ko", "ko", ios_ko, ["민지 님과 카카오톡 대화", f"저장한 날짜 : {ios_ko(SAVED)}"],
         lambda t: f"{t.year}년 {t.month}월 {t.day}일 {KO_DAYS[t.weekday()]}", "회원님", "kakaotalk-ios", ": "),
        ("ios-en", "en", ios_en, ["KakaoTalk Chats with Minji", f"Date Saved : {ios_en(SAVED)}"],
         lambda t: f"{t:%A}, {MONTHS[t.month - 1]} {t.day}, {t.year}", "You", "kakaotalk-ios", ": "),
    ):
        lines = list(head) + [""]
        last_day = None
        for t, s, kind, ko, en in KAKAO:
            if t.date() != last_day:
                lines += ["", day(t)]
                last_day = t.date()
            text = ko if lang == "ko" else en
            if s is None:
                first, *rest = text.split("\n")
                lines.append(f"{stamp(t)}{system_sep}{first}")
            else:
                name = placeholder if s is OWNER else (s if lang == "ko" else EN_NAMES[s])
                lines += f"{stamp(t)}, {name} : {text}".split("\n")
        exp, parts_ = kakao_expected(lang, placeholder, None)
        for e, (t, *_r) in zip(exp, KAKAO):
            e["sentRaw"] = stamp(t)
        # Mixed line ends, as the mobile apps write them; BOM first.
        body = "".join(l + ("\r\n" if i % 3 == 0 else "\n") for i, l in enumerate(lines))
        write(f"kakaotalk/{variant}/KakaoTalkChats.txt", "\ufeff" + body, {
            "virtualPath": f"case.zip!/kakaotalk/{variant}/KakaoTalkChats.txt",
            "chats": [chat(platform="kakaotalk", fmt=fmt, title="민지" if lang == "ko" else "Minji",
                           exportingUserPlaceholder=placeholder, exportedAtUTC=utc(SAVED), clock="12h")],
            "participants": parts_, "messages": exp, "warnings": []})
        variants[variant] = body

    # Windows PC: dashed day lines, [Name] [time] text; system lines bare; the owner under their own name.
    for variant, lang, owner, head in (
        ("windows-ko", "ko", "준호", ["민지 님과 카카오톡 대화", "저장한 날짜 : 2024-08-30 22:15:41"]),
        ("windows-en", "en", "Jun-ho", ["Minji KakaoTalk Chats", "Date Saved : 2024-08-30 22:15:41"]),
    ):
        lines, last_day = list(head) + [""], None
        for t, s, kind, ko, en in KAKAO:
            if t.date() != last_day:
                d = f"{t.year}년 {t.month}월 {t.day}일 {KO_DAYS[t.weekday()]}" if lang == "ko" else f"{t:%A}, {MONTHS[t.month - 1]} {t.day}, {t.year}"
                lines.append(f"--------------- {d} ---------------")
                last_day = t.date()
            text = ko if lang == "ko" else en
            if s is None:
                lines.append(text)
            else:
                name = owner if s is OWNER else (s if lang == "ko" else EN_NAMES[s])
                clock = ko_clock(t) if lang == "ko" else en_clock(t)
                lines += f"[{name}] [{clock}] {text}".split("\n")
        exp, parts_ = kakao_expected(lang, None, owner)
        for e, (t, *_r) in zip(exp, KAKAO):
            e["sentRaw"] = (ko_clock(t) if lang == "ko" else en_clock(t)) if e["kind"] != "system" else None
            if e["kind"] == "system":
                e["sentUTC"], e["sentBasis"] = None, None
        write(f"kakaotalk/{variant}/KakaoTalkChats.txt", "\r\n".join(lines) + "\r\n", {
            "virtualPath": f"case.zip!/kakaotalk/{variant}/KakaoTalkChats.txt",
            "chats": [chat(platform="kakaotalk", fmt="kakaotalk-windows", title="민지" if lang == "ko" else "Minji",
                           exportedAtUTC=utc(dt(2024, 8, 30, 22, 15, 41)), clock="12h")],
            "participants": parts_, "messages": exp, "warnings": []})
        if variant == "windows-ko":
            # The same export re-saved by a Korean Windows editor as CP949 ("ANSI").
            write("kakaotalk/windows-ko-cp949/KakaoTalkChats.txt", ("\r\n".join(lines) + "\r\n").encode("cp949"), {
                "virtualPath": "case.zip!/kakaotalk/windows-ko-cp949/KakaoTalkChats.txt",
                "chats": [chat(platform="kakaotalk", fmt="kakaotalk-windows", title="민지",
                               exportedAtUTC=utc(dt(2024, 8, 30, 22, 15, 41)), clock="12h")],
                "participants": parts_, "messages": exp, "warnings": ["transcoded"]})

    # Mac: CSV Date,User,Message with seconds; quoted multi-line fields.
    rows = ["Date,User,Message"]
    for t, s, kind, ko, en in KAKAO:
        user = "준호" if s is OWNER else (s or "")
        rows.append(f'{t:%Y-%m-%d %H:%M:%S},"{user}","{ko}"')
    exp, parts_ = kakao_expected("ko", None, "준호")
    for e, (t, *_r) in zip(exp, KAKAO):
        e["sentRaw"] = f"{t:%Y-%m-%d %H:%M:%S}"
    write("kakaotalk/mac/KakaoTalk_Chat_민지.csv", "\n".join(rows) + "\n", {
        "virtualPath": "case.zip!/kakaotalk/mac/KakaoTalk_Chat_민지.csv",
        "chats": [chat(platform="kakaotalk", fmt="kakaotalk-mac-csv", title="민지")],
        "participants": parts_, "messages": exp, "warnings": []})


# ------------------------------------------------------------------ LINE
LINE = [
    (dt(2024, 8, 28, 15, 1), "Jun-ho", "photo", "[Photo]", "[사진]"),
    (dt(2024, 8, 28, 15, 2), "Minji", "text", "Did you see it?", "봤어?"),
    (dt(2024, 8, 28, 15, 3), "Minji", "text", "two lines\nmessage", "두 줄\n메시지"),
    (dt(2024, 8, 28, 15, 5), None, "system", "Minji invited Sora to the group.", "민지님이 소라님을 초대했습니다."),
    (dt(2024, 8, 29, 10, 0), "Jun-ho", "sticker", "[Sticker]", "[스티커]"),
]
EN_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
KO_SHORT = ["월", "화", "수", "목", "금", "토", "일"]


def line_fixtures():
    for lang in ("en", "ko"):
        if lang == "en":
            lines = ["[LINE] Chat history with Minji", "Saved on: 8/30/2024, 22:15", ""]
        else:
            lines = ["[LINE] 민지님과의 대화", "저장한 날짜: 2024. 8. 30. 22:15", ""]
        last, exp, parts_ = None, [], []
        for t, s, kind, en, ko in LINE:
            if t.date() != last:
                if last is not None:
                    lines.append("")
                lines.append(f"{EN_DAYS[t.weekday()]}, {t.month}/{t.day}/{t.year}" if lang == "en"
                             else f"{t.year}. {t.month}. {t.day}. ({KO_SHORT[t.weekday()]})")
                last = t.date()
            text = en if lang == "en" else ko
            stamp = f"{t.hour:02d}:{t.minute:02d}" if lang == "en" else ko_clock(t)
            if s is None:
                lines.append(f"{stamp}\t{text}")
            else:
                body = f'"{text}"' if "\n" in text else text
                lines += f"{stamp}\t{s}\t{body}".split("\n")
            e = msg(sender=s, sentUTC=utc(t), sentBasis="assumed-zone", sentRaw=stamp, text=text,
                    kind="system" if s is None else "message")
            if kind in ("photo", "sticker"):
                e["attachments"] = [att(kind, None, None, "LINE text exports name the media kind only")]
            if s and s not in [p["displayName"] for p in parts_]:
                parts_.append(part("chat", s))
            exp.append(e)
        write(f"line/{lang}/[LINE] Chat with Minji.txt", "\n".join(lines) + "\n", {
            "virtualPath": f"case.zip!/line/{lang}/[LINE] Chat with Minji.txt",
            "chats": [chat(platform="line", fmt="line-txt", title="Minji" if lang == "en" else "민지",
                           exportedAtUTC=utc(dt(2024, 8, 30, 22, 15)))],
            "participants": parts_, "messages": exp, "warnings": []})
