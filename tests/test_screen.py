"""The screen before extraction: texts too long, with no words, or not in English."""

from __future__ import annotations

import pytest

from conflictmap.ingest.screen import MAX_TEXT_CHARS, unusable

ENGLISH = (
    "Armed men attacked a checkpoint on the road to the river port on Sunday night, and "
    "three soldiers were killed in the fighting, an army officer said. The attackers "
    "escaped into the forest with two trucks, residents said."
)
# written for this test: the same report in three other languages
SPANISH = (
    "Hombres armados atacaron un puesto de control en la carretera hacia el puerto fluvial "
    "el domingo por la noche, y tres soldados murieron en los combates, según un oficial "
    "del ejército. Los atacantes huyeron hacia el bosque con dos camiones."
)
GREEK = (
    "Ένοπλοι επιτέθηκαν σε σημείο ελέγχου στον δρόμο προς το λιμάνι την Κυριακή το βράδυ και "
    "τρεις στρατιώτες σκοτώθηκαν στις μάχες, δήλωσε αξιωματικός του στρατού. Οι δράστες "
    "διέφυγαν στο δάσος με δύο φορτηγά, είπαν κάτοικοι."
)
CHINESE = (  # runs its words together: judged by its letters, not by a word count
    "武装分子星期天晚上袭击了通往河港道路上的检查站，三名士兵在战斗中丧生，一名军官说。"
    "袭击者带着两辆卡车逃进了森林，居民说。"
)
ARABIC = (
    "هاجم مسلحون نقطة تفتيش على الطريق المؤدي إلى الميناء النهري مساء الأحد وقتل ثلاثة "
    "جنود في الاشتباكات بحسب ضابط في الجيش وفر المهاجمون إلى الغابة بشاحنتين كما قال "
    "سكان المنطقة إن الطريق أغلق طوال الليل بعد الهجوم"
)


def test_english_report_passes() -> None:
    assert unusable(ENGLISH) is None
    # a casualty list in English: names and numbers, few function words, still English
    assert (
        unusable(
            ENGLISH + " Dead: " + ", ".join(f"Sergeant Number{i} (age {i})" for i in range(30))
        )
        is None
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (SPANISH, "not English (only"),
        (GREEK, "not English (written mostly in Greek script)"),
        (ARABIC, "not English (written mostly in Arabic script)"),
        (CHINESE, "not English (written mostly in Chinese script)"),
        ("12 34 56\n7.8 -9 +10 %\n2024-01-01 | 99", "no words to extract from"),
        ("x" * (MAX_TEXT_CHARS + 1), "text too long to extract"),
    ],
)
def test_unusable_texts(text: str, reason: str) -> None:
    found = unusable(text)
    assert found is not None and found.startswith(reason), found


def test_short_texts_are_not_judged() -> None:
    assert unusable("Ataque en Tamba.") is None  # a headline: too short to tell
