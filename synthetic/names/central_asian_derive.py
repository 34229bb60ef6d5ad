"""Rebuild names/central_asian.csv (run from the repository root, with Faker installed).

Head: the 33 most common surnames of Kazakhstan with their bearers, as the Ministry of
Justice of the Republic of Kazakhstan published them (press service, 2014; both sexes,
Ахметов/Ахметова counted together), as a share of the 17,165,200 residents of
1 January 2014 (Statistics Committee). Then Faker uz_UZ's Uzbek surnames and given names
(Faker is MIT licensed), converted from the Uzbek Latin alphabet to the Russian-style
Cyrillic of Soviet and Kazakh documents, and Kazakh given names written for this project;
the Uzbek surnames continue the published head's decline by a Zipf law (rank 34 onwards,
an assumption), female forms in -ова, -ева.
"""

import csv
import re
from pathlib import Path

from faker.providers.person.uz_UZ import Provider

POPULATION = 17_165_200
HEAD = [  # (male or only form, female form, bearers)
    ("Ахметов", "Ахметова", 73_627), ("Омаров", "Омарова", 45_123), ("Ким", "", 42_274),
    ("Оспанов", "Оспанова", 41_068), ("Иванов", "Иванова", 39_296), ("Алиев", "Алиева", 36_084),
    ("Сулейменов", "Сулейменова", 33_940), ("Искаков", "Искакова", 31_988),
    ("Абдрахманов", "Абдрахманова", 29_091), ("Ибрагимов", "Ибрагимова", 28_755),
    ("Калиев", "Калиева", 28_219), ("Садыков", "Садыкова", 27_810), ("Ибраев", "Ибраева", 26_531),
    ("Кузнецов", "Кузнецова", 25_990), ("Попов", "Попова", 24_956),
    ("Смагулов", "Смагулова", 24_005), ("Абдуллаев", "Абдуллаева", 23_729),
    ("Исаев", "Исаева", 22_910), ("Султанов", "Султанова", 22_808), ("Юсупов", "Юсупова", 22_763),
    ("Исмаилов", "Исмаилова", 21_392), ("Нургалиев", "Нургалиева", 21_133),
    ("Каримов", "Каримова", 20_575), ("Серик", "", 19_550), ("Ли", "", 17_049),
    ("Амангельды", "", 15_125), ("Цой", "", 12_088), ("Болат", "", 11_234),
    ("Бондаренко", "", 10_648), ("Марат", "", 10_417), ("Серикбай", "", 10_193),
    ("Кусаинов", "Кусаинова", 10_103), ("Мурат", "", 10_006),
]  # fmt: skip
KAZAKH_MALE = """
Нурлан Ерлан Асхат Серик Болат Марат Айдос Данияр Ержан Нурсултан
Арман Бауржан Ерболат Дастан Алибек Азамат Жандос Канат Мурат Талгат
Ринат Тимур Руслан Санжар Ермек Даурен Асет Берик Галым Кайрат
""".split()  # noqa: SIM905
KAZAKH_FEMALE = """
Айгуль Гульнара Динара Алия Жанар Асель Айгерим Салтанат Мадина Назгуль
Жулдыз Камила Аружан Дана Гаухар Сауле Айжан Меруерт Карлыгаш Гульмира
""".split()  # noqa: SIM905

# Uzbek Latin -> Russian-style Cyrillic, longest first.
_PAIRS = [
    ("o‘", "у"), ("o'", "у"), ("oʻ", "у"), ("g‘", "г"), ("g'", "г"), ("gʻ", "г"),
    ("sh", "ш"), ("ch", "ч"), ("ya", "я"), ("yo", "ё"), ("yu", "ю"), ("ye", "е"), ("ts", "ц"),
    ("’", ""), ("'", ""), ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "х"), ("i", "и"), ("j", "ж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("v", "в"), ("x", "х"), ("y", "й"), ("z", "з"),
]  # fmt: skip
_TOKEN = re.compile("|".join(re.escape(a) for a, _ in _PAIRS))
_MAP = dict(_PAIRS)


def cyrillic(name: str) -> str:
    low = name.lower()
    out = _TOKEN.sub(lambda m: _MAP[m.group(0)], low)
    if low.startswith("e"):
        out = "э" + out[1:]
    return out[:1].upper() + out[1:]


def interleave(a: list[str], b: list[str]) -> list[str]:
    out: list[str] = []
    for i in range(max(len(a), len(b))):
        out += [x[i] for x in (a, b) if i < len(x)]
    return list(dict.fromkeys(out))


def main() -> None:
    rows = [("surname", m, "", f"{100 * n / POPULATION:.5f}", f) for m, f, n in HEAD]
    seen = {m for m, _, _ in HEAD}
    last = 100 * HEAD[-1][2] / POPULATION
    rank = len(HEAD)
    for male in Provider.last_names_male:  # its female table is not in the same order
        m = cyrillic(male)
        f = m + "а" if m.endswith(("ов", "ев")) else ""
        if m in seen:
            continue
        seen.add(m)
        rank += 1
        rows.append(("surname", m, "", f"{last * len(HEAD) / rank:.5f}", f))
    male = interleave(KAZAKH_MALE, [cyrillic(n) for n in Provider.first_names_male])
    female = interleave(KAZAKH_FEMALE, [cyrillic(n) for n in Provider.first_names_female])
    rows += [("given_m", n, "", "", "") for n in male]
    rows += [("given_f", n, "", "", "") for n in female]
    out = Path("synthetic/names/central_asian.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["kind", "native", "variants", "weight", "female"])
        w.writerows(rows)
    head = sum(float(r[3]) for r in rows if r[0] == "surname")
    print(f"{out}: {len(rows)} rows; surnames in the table hold {head:.2f} %")


if __name__ == "__main__":
    main()
