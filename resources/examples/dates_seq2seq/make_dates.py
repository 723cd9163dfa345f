#!/usr/bin/env python3
"""Writes dates.tsv of the dates_seq2seq example: human-written dates -> ISO 8601 dates, one
"source<TAB>target" pair a line (data kind "text", source "pairs"), the classic attention exercise.
Deterministic (Python's random with seed 2024, dates uniformly from 1950-01-01 to 2049-12-31, one
of 12 formats, a third of them capitalised); no two lines are the same. The committed file was made
with:  python3 make_dates.py dates.tsv 8000
"""
import datetime, random, sys

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8000
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def human(d, fmt):
    m, ab, wd = MONTHS[d.month - 1], MONTHS[d.month - 1][:3], DAYS[d.weekday()]
    return [
        f"{d.day} {m} {d.year}",              # 3 may 1979
        f"{m} {d.day}, {d.year}",             # may 3, 1979
        f"{wd}, {m} {d.day}, {d.year}",       # thursday, may 3, 1979
        f"{d.day} {ab} {d.year}",             # 3 may 1979 / 3 sep 1979
        f"{ab} {d.day} {d.year}",             # sep 3 1979
        f"{d.day:02d}.{d.month:02d}.{d.year}",  # 03.05.1979
        f"{d.year}/{d.month:02d}/{d.day:02d}",  # 1979/05/03
        f"{wd} {d.day} {m} {d.year}",         # thursday 3 may 1979
        f"{d.day} {m}, {d.year}",             # 3 may, 1979
        f"{ab}. {d.day}, {d.year}",           # sep. 3, 1979
        f"{wd[:3]}, {d.day} {ab} {d.year}",   # thu, 3 may 1979
        f"{m} {d.year}, the {d.day}",         # may 1979, the 3
    ][fmt]


rng = random.Random(2024)
first, span = datetime.date(1950, 1, 1), (datetime.date(2049, 12, 31) - datetime.date(1950, 1, 1)).days
seen, lines = set(), []
while len(lines) < count:
    d = first + datetime.timedelta(days=rng.randrange(span + 1))
    s = human(d, rng.randrange(12))
    if rng.random() < 1 / 3:
        s = s.title() if rng.random() < 0.5 else s.capitalize()
    if s in seen:
        continue
    seen.add(s)
    lines.append(f"{s}\t{d.isoformat()}\n")
with open(out, "w", encoding="utf-8") as f:
    f.writelines(lines)
