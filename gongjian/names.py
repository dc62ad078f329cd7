"""Pinyin initials for search by initials (张三丰 → zsf)."""

from pypinyin import Style, lazy_pinyin


def pinyin_initials(name: str) -> str:
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:32]
