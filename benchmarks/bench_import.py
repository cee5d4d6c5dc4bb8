"""Seconds to import a 1-million-message export (WeChat chatlog CSV and WhatsApp TXT), and the
peak memory of each import. Run on demand: `python benchmarks/bench_import.py [--messages N]`.
Wall time depends on what else the machine runs; CPU time (user + system) is the stable figure.

The generated group (made-up people) has 600 members over 120 days: conversation, a red packet
every evening at 20:00 followed by thanks, invites and QR joins (WeChat) or adds, link joins and
leaves (WhatsApp), a weekly 接龙 whose list is reposted with each new entry, and recalls. Each
import runs in a fresh subprocess, so its time includes starting Python and loading pandas.
"""

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

MEMBERS = 600
DAYS = 120
START = datetime(2024, 3, 4)
PHRASES = ("大家好", "今天的水果很新鲜", "请问什么时候发货？", "好的收到", "哈哈哈",
           "这个价格可以", "我也想要一份", "[图片]", "明天见", "有人一起拼单吗")
TALK = ("Hi all", "See you at 8", "Which book next?", "<Media omitted>", "Great idea", "I agree")
IMPORT = """
import resource, sys, time
from pathlib import Path
t = time.perf_counter()
from experiments.running.history.importer import import_exports
result = import_exports([Path(sys.argv[1])], Path(sys.argv[2]))
use = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - t, use.ru_utime + use.ru_stime, result.events, use.ru_maxrss / 1024)
"""


def _moments(n: int, rng: random.Random):
    """n (time, kind) in time order; kinds: talk, packet, thanks, join, jielong, and notice
    (a recall in WeChat, a leave in WhatsApp)."""
    per_day = n // DAYS
    for day in range(DAYS):
        base = START + timedelta(days=day)
        seconds = sorted(rng.randrange(7 * 3600, 24 * 3600) for _ in range(per_day - 12))
        extra = [(20 * 3600, "packet")] + [(20 * 3600 + 30 + i, "thanks") for i in range(8)]
        extra += [(11 * 3600 + i, "join") for i in range(2)] + [(15 * 3600, "notice")]
        events = sorted([(s, "talk") for s in seconds] + extra)
        if day % 7 == 2:  # the weekly 接龙: the talk of 10:00-10:10 becomes entries
            events = [(s, "jielong" if 10 * 3600 <= s < 10 * 3600 + 600 else k) for s, k in events]
        for s, kind in events:
            yield base + timedelta(seconds=s), kind


def wechat_csv(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    lines = ["Time,SenderName,Sender,TalkerName,Talker,Content\n"]
    entries: list[str] = []
    joined = 0
    for t, kind in _moments(n, rng):
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        m = rng.randrange(MEMBERS)
        if kind == "packet":
            lines.append(f"{stamp},群主阿明,wxid_host,水果群,1@chatroom,[红包]恭喜发财，大吉大利\n")
        elif kind == "join":
            joined += 1
            how = (f'"""群主阿明""邀请""新人{joined}""加入了群聊"""' if joined % 2 else
                   f'"""新人{joined}""通过扫描""成员{m}""分享的二维码加入群聊"""')
            lines.append(f"{stamp},,,水果群,1@chatroom,{how}\n")
        elif kind == "notice":
            lines.append(f'{stamp},,,水果群,1@chatroom,"""成员{m}"" 撤回了一条消息"\n')
        elif kind == "jielong":
            if t.hour == 10 and not entries or entries and entries[0] != t.strftime("%m-%d"):
                entries = [t.strftime("%m-%d")]
            entries.append(f"{len(entries)}. 成员{m} 一份")
            body = "\n".join(["#接龙", f"{entries[0]} 团购", ""] + entries[1:])
            lines.append(f'{stamp},成员{m},wxid_{m},水果群,1@chatroom,"{body}"\n')
        else:
            text = "谢谢老板" if kind == "thanks" else rng.choice(PHRASES)
            lines.append(f"{stamp},成员{m},wxid_{m},水果群,1@chatroom,{text}\n")
    path.write_text("".join(lines), encoding="utf-8")


def whatsapp_txt(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    lines = []
    joined = 0
    for t, kind in _moments(n, rng):
        hour = t.hour % 12 or 12
        half = "AM" if t.hour < 12 else "PM"
        stamp = f"{t.month}/{t.day}/{t.year % 100}, {hour}:{t.minute:02d}\u202f{half}"
        m = rng.randrange(MEMBERS)
        if kind == "join":
            joined += 1
            what = (f"Ada added Guest {joined}" if joined % 2 else
                    f"Guest {joined} joined using this group's invite link")
            lines.append(f"{stamp} - {what}\n")
        elif kind == "notice":
            lines.append(f"{stamp} - Member {m} left\n")
        else:
            text = "Thanks!" if kind == "thanks" else rng.choice(TALK)
            lines.append(f"{stamp} - Member {m}: {text}\n")
    path.write_text("".join(lines), encoding="utf-8")


def _import(path: Path, out: Path) -> tuple[float, float, int, float]:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", IMPORT, str(path), str(out)], cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": ""}, capture_output=True,
                          text=True, check=True)
    seconds, cpu, events, peak = done.stdout.split()
    return float(seconds), float(cpu), int(events), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    n = parser.parse_args().messages
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("wechat.csv", wechat_csv), ("whatsapp.txt", whatsapp_txt)):
            path = Path(tmp) / name
            t = time.perf_counter()
            write(path, n)
            made = time.perf_counter() - t
            seconds, cpu, events, peak = _import(path, Path(tmp) / f"out-{name}")
            print(f"{name}: {n:,} messages ({path.stat().st_size / 1e6:.0f} MB, written in "
                  f"{made:.0f} s): import {seconds:.1f} s wall, {cpu:.1f} s CPU, "
                  f"{events:,} events, peak {peak:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
