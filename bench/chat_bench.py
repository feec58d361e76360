#!/usr/bin/env python3
"""Chat-parser benchmark: builds a 1,000,000-message Telegram Desktop JSON export and a
1,000,000-line WhatsApp Android export (not committed; bench-work/chat/), then times
exhibit-chatbench (the chat-export analyzer, streaming) on both and chat-miner (PyPI) on the
WhatsApp file in the same run. Reports messages/s and peak RSS (wait4 rusage of each child).

    swift build -c release --product exhibit-chatbench
    python3 bench/chat_bench.py --bin .build/release/exhibit-chatbench [--messages 1000000] [--json out.json]

Ratios, not absolute times, are the result (the machine is shared).
"""
import argparse, json, os, random, subprocess, sys, time

PEOPLE = [("Minji", "user5550001234"), ("Jun-ho", "user5550009999"), ("Sora", "user5550007777")]
WORDS = "안녕 딥페이크 영상 사진 concert tomorrow park 합성 유포 ok see you 7시 공원 link check this".split()


def gen_telegram(path, n, seed=1):
    rnd = random.Random(seed)
    t0 = 1724825400
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n "name": "Bench",\n "type": "private_supergroup",\n "id": 1987654321,\n "messages": [\n')
        for i in range(n):
            name, uid = PEOPLE[i % 3]
            ts = t0 + i * 7
            local = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts + 9 * 3600))
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 14)))
            if i % 10 == 0:
                text = f'[\n    "{words} ",\n    {{\n     "type": "link",\n     "text": "https://example.com/{i}"\n    }}\n   ]'
                ents = f'[{{"type": "plain", "text": "{words} "}}, {{"type": "link", "text": "https://example.com/{i}"}}]'
            else:
                text, ents = json.dumps(words, ensure_ascii=False), f'[{{"type": "plain", "text": {json.dumps(words, ensure_ascii=False)}}}]'
            photo = f',\n   "photo": "photos/photo_{i}@28-08-2024_15-12-03.jpg",\n   "width": 1280,\n   "height": 720' if i % 25 == 0 else ""
            f.write(f'  {{\n   "id": {i + 1},\n   "type": "message",\n   "date": "{local}",\n   "date_unixtime": "{ts}",\n'
                    f'   "from": "{name}",\n   "from_id": "{uid}"{photo},\n   "text": {text},\n   "text_entities": {ents}\n  }}'
                    + (",\n" if i + 1 < n else "\n"))
        f.write(" ]\n}\n")


def gen_whatsapp(path, n, seed=2):
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            minute = i // 4
            d, rem = divmod(minute, 24 * 60)
            day = 1 + d % 28
            month = 1 + (d // 28) % 12
            name = PEOPLE[i % 3][0]
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 14)))
            f.write(f"{day:02d}/{month:02d}/2024, {rem // 60:02d}:{rem % 60:02d} - {name}: {words}\n")


def measure(cmd):
    """Runs cmd; returns (stdout, wall seconds, peak RSS in MiB) of that child alone."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return out.decode(), wall, ru.ru_maxrss / 1024


CHATMINER = """
import sys, logging
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser
p = WhatsAppParser(sys.argv[1])
p.parse_file()
print(len(p.parsed_messages.get_df()) if hasattr(p.parsed_messages, 'get_df') else len(p.parsed_messages))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/exhibit-chatbench")
    ap.add_argument("--work", default="bench-work/chat")
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    tg, wa = os.path.join(a.work, f"telegram-{a.messages}.json"), os.path.join(a.work, f"whatsapp-{a.messages}.txt")
    if not os.path.exists(tg):
        gen_telegram(tg, a.messages)
    if not os.path.exists(wa):
        gen_whatsapp(wa, a.messages)
    rows = []
    for label, path in (("Telegram JSON", tg), ("WhatsApp Android", wa)):
        out, wall, rss = measure([a.bin, path, "--zone", "Asia/Seoul"])
        count = int(out.split()[0])
        rows.append({"tool": "exhibit", "input": label, "bytes": os.path.getsize(path), "messages": count,
                     "seconds": round(wall, 3), "messages_per_s": round(count / wall), "peak_rss_mib": round(rss, 1)})
    try:
        out, wall, rss = measure([sys.executable, "-c", CHATMINER, wa])
        count = int(out.strip().splitlines()[-1])
        rows.append({"tool": "chat-miner", "input": "WhatsApp Android", "bytes": os.path.getsize(wa), "messages": count,
                     "seconds": round(wall, 3), "messages_per_s": round(count / wall), "peak_rss_mib": round(rss, 1)})
    except (SystemExit, ValueError, IndexError) as e:
        rows.append({"tool": "chat-miner", "input": "WhatsApp Android", "error": f"not run: {e} (pip install chat-miner)"})
    print("| tool | input | MB | messages | s | messages/s | peak RSS MiB |\n|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['tool']} | {r['input']} | – | – | – | {r['error']} | – |")
        else:
            print(f"| {r['tool']} | {r['input']} | {r['bytes'] / 1e6:.0f} | {r['messages']} | {r['seconds']} | {r['messages_per_s']} | {r['peak_rss_mib']} |")
    ours = next(r for r in rows if r["tool"] == "exhibit" and r["input"] == "WhatsApp Android")
    theirs = next((r for r in rows if r["tool"] == "chat-miner" and "seconds" in r), None)
    if theirs:
        print(f"\nWhatsApp speed ratio exhibit / chat-miner: {ours['messages_per_s'] / theirs['messages_per_s']:.1f}x (target >= 20x)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
