"""Pinyin initials for search by initials (张三丰 → zsf)."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65_536)  # full names repeat (a city has many 王伟); pypinyin takes about 0.1 ms a name
def pinyin_initials(name: str) -> str:
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:32]
