"""Quiz exports: quiz.json, quiz.md (answer key with timestamps), Moodle GIFT, Anki .apkg, HTML.

Every file is written to a temp file in the lecture folder and renamed into place, so a reader (or a
crashed run) never leaves a half-written quiz.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import tempfile
from datetime import datetime
from pathlib import Path

import genanki

from lecturelab.io import write_bytes, write_text
from lecturelab.media.clips import audio_ranges, write_mp3
from lecturelab.media.probe import MediaError
from lecturelab.quiz.html import to_html
from lecturelab.quiz.lms import reproducible_zip, write_lms_exports
from lecturelab.quiz.schema import BLANK
from lecturelab.transcript.format import md_escape, seconds, short_clock

# written for every quiz (a lecture's transcript.json ``outputs`` lists them)
QUIZ_ALWAYS = ("quiz.json", "quiz.md", "quiz.html", "quiz.gift", "quiz.apkg", "quiz.moodle.xml")
# every file `write_exports` writes, or removes when the quiz has nothing for it (QTI: no question, Aiken: no MCQ)
QUIZ_FILES = QUIZ_ALWAYS + ("quiz.qti.zip", "quiz.aiken.txt")
TYPE_NAMES = {"blank": "fill in the blank", "mcq": "multiple choice", "tf": "true/false", "short": "short answer"}
_GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")


clock = short_clock   # 83.2 -> '1:23', 3725 -> '1:02:05': the same format as the transcript page


def moment(q: dict) -> str:
    return f"{clock(q['start'])} ({seconds(q['start'])} s)"


def to_json(quiz: dict) -> str:
    return json.dumps(quiz, indent=2, ensure_ascii=False) + "\n"


def _md(s: str) -> str:
    return md_escape(" ".join(str(s).split()))


def review_summary(review: dict) -> str:
    """One line on what the teacher's review changed (quiz.json ``review``, written by `lecturelab apply`)."""
    drafted, deleted = review.get("questions_drafted"), review.get("questions_deleted", 0)
    done = [f"{n} {what}" for n, what in ((deleted, "deleted"), (review.get("questions_edited", 0), "edited"),
                                          (review.get("questions_corrected_by_word_fixes", 0),
                                           "corrected by transcript fixes")) if n]
    done += ["reordered"] if review.get("reordered") else []
    when = f" ({review['applied_at']})" if review.get("applied_at") else ""
    of, kept = (f"of {drafted} drafted question(s), ", f"; {drafted - deleted} kept") \
        if isinstance(drafted, int) else ("", "")   # a review written before the counts had `drafted`
    return f"by the teacher{when}: {of}{', '.join(done) or 'none changed'}{kept}"


def to_markdown(quiz: dict) -> str:
    """Questions first, then an answer key with the explanation and the moment in the lecture."""
    qs = quiz["questions"]
    lines = [f"# Quiz: {_md(quiz['lecture']['name'])}", ""]
    lines += [f"> Note: {_md(n)}" for n in quiz["notes"]] + ([""] if quiz["notes"] else [])
    if quiz.get("review"):   # after `lecturelab apply`: the notes above are on the machine's draft
        lines += [f"> Reviewed: {review_summary(quiz['review'])}", ""]
    lines += ["## Questions", ""]
    for i, q in enumerate(qs, 1):
        lines.append(f"**{i}.** *({TYPE_NAMES[q['type']]}, {q['difficulty_label']})* {_md(q['stem'])}")
        lines.append("")
        if q["type"] == "mcq":
            lines += [f"   - {chr(65 + j)}) {_md(o)}" for j, o in enumerate(q["options"])] + [""]
    lines += ["## Answer key", ""]
    for i, q in enumerate(qs, 1):
        ans = _md(q["answer"])
        if q["type"] == "mcq":
            ans = f"{chr(65 + q['options'].index(q['answer']))}) {ans}"
        also = [a for a in q.get("accepted") or [] if a != q["answer"]] if q["type"] in ("blank", "short") else []
        if also:   # what a typed answer may also be (head noun, singular/plural)
            ans += " (also accepted: " + ", ".join(_md(a) for a in also) + ")"
        lines.append(f"{i}. **{ans}** — “{_md(q['explanation'])}” — [{moment(q)}]({q['link']})")
    if not qs:
        lines.append("(no questions)")
    return "\n".join(lines) + "\n"


def gift_escape(s: str, answer: bool = False) -> str:
    """One line of GIFT text that Moodle imports and shows as the original characters.

    Moodle renders GIFT text as HTML (the questions carry ``[html]``), so ``< > &`` become HTML entities
    first; then GIFT's specials ``~ = # { } :`` and the backslash get a backslash (Moodle's
    ``qformat_gift::escapedchar_pre``). GIFT has no escape for ``[`` or ``%``, which Moodle reads at the
    start of an answer as a format tag (``[plain]``) or a weight (``%50%``): with ``answer`` such a first
    character becomes an HTML character reference (``&#91;``, ``&#37;``). Whitespace runs become one space.
    """
    s = html.escape(re.sub(r"\s+", " ", str(s)), quote=False)
    if answer:
        s = s.strip()
        if s[:1] in ("[", "%"):
            s = f"&#{ord(s[0])};{s[1:]}"
    return _GIFT_SPECIAL.sub(r"\\\1", s)


def to_gift(quiz: dict) -> str:
    """Moodle GIFT: multiple choice, true/false, and short answer (the blank holds the answer block).

    Question text, answers and feedback are in Moodle's HTML format (``[html]``), escaped by
    ``gift_escape``; the question name is the question's id.
    """
    name = " ".join(quiz["lecture"]["name"].split())
    out = [f"// Quiz for {name} — generated by lecturelab", ""]
    if quiz["lecture"].get("id"):
        # one Moodle category per lecture (file name + lecture id); Moodle does not unescape this line
        safe = re.sub(r"[\\~=#{}:/]", "-", html.escape(name, quote=False))
        out += [f"$CATEGORY: lecturelab/{safe} ({quiz['lecture']['id'][:8]})", ""]
    for q in quiz["questions"]:
        feedback = gift_escape(f"{q['explanation']} (at {moment(q)})", answer=True)
        title = f"::{gift_escape(q['id'])}::[html]"
        if q["type"] == "mcq":
            opts = " ".join(("=" if o == q["answer"] else "~") + gift_escape(o, answer=True) for o in q["options"])
            body = f"{title}{gift_escape(q['stem'])} {{{opts} ####{feedback}}}"
        elif q["type"] == "tf":
            body = f"{title}{gift_escape(q['stem'])} {{{'T' if q['answer'] == 'True' else 'F'}####{feedback}}}"
        else:
            block = "{" + " ".join("=" + gift_escape(a, answer=True) for a in q["accepted"] or [q["answer"]])
            block += f" ####{feedback}}}"
            before, _, after = q["stem"].partition(BLANK)
            # Moodle drops the blank when the text ends with the answer block; keep a character after it
            body = f"{title}{gift_escape(before)}{block}{gift_escape(after) if after.strip() else '&nbsp;'}"
        # Moodle reads [id:...] and [tag:...] in comments; a keyphrase must not look like one
        kp = " ".join(q["keyphrase"].split()).replace("[", "(").replace("]", ")")
        out += [f"// {q['type']}, keyphrase: {kp}", body, ""]
    return "\n".join(out)


def _stable_id(*parts: str) -> int:
    # Anki model/deck ids must be stable across runs so re-imports update instead of duplicating
    return (1 << 30) + int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8], 16) % (1 << 30)


def deck_name(quiz: dict) -> str:
    """``lecturelab::<name> (<first 8 hex of the lecture id>)``: Anki merges imported decks by name, so two
    lectures with one file name need different names; ``::`` inside the file name would nest decks."""
    name = " ".join(quiz["lecture"]["name"].replace("::", ":").split())
    lid = quiz["lecture"].get("id") or ""
    return f"lecturelab::{name} ({lid[:8]})" if lid else f"lecturelab::{name}"


CLIP_MARGIN = 1.0      # seconds of audio before and after the explaining sentence on an Anki card
CLIP_MAX = 30.0        # at most this many seconds per card


def clip_name(quiz: dict, q: dict) -> str:
    """The card's audio file name; Anki keeps one media folder for every deck, so the name carries the
    lecture id as well as the question id."""
    return f"lecturelab_{(quiz['lecture'].get('id') or 'text')[:12]}_{q['id']}.mp3"


def _audio_clips(quiz: dict, media: Path | None, tmp: Path, track: int | None = None) -> dict[str, Path]:
    """MP3 clips of each question's moment (the explaining sentence +- CLIP_MARGIN s) from audio ``track``
    (1-based, the one transcribed; None: the first): {question id: path}. No media (a text lecture, a media
    file that is gone): no clips, and the deck has no sound."""
    qs = quiz["questions"]
    if media is None or not qs:
        return {}
    ranges = [(max(0.0, q["start"] - CLIP_MARGIN), min(q.get("end", q["start"]) + CLIP_MARGIN,
                                                       q["start"] + CLIP_MAX)) for q in qs]
    try:
        samples = audio_ranges(media, ranges, track)
    except (MediaError, OSError):
        return {}
    return {q["id"]: write_mp3(x, tmp / clip_name(quiz, q)) for q, x in zip(qs, samples, strict=True) if len(x)}


def review_timestamp(quiz: dict) -> float | None:
    """Seconds since the Unix epoch of the teacher's review (quiz.json ``review.applied_at``, ISO 8601
    UTC, written by `lecturelab apply` and kept while the same edits are applied again), or None before any
    review. Anki updates an imported note only when the incoming one is newer (its ``mod``), so the deck
    of a new review must carry a later time, and the same review the same time (the same bytes)."""
    when = (quiz.get("review") or {}).get("applied_at")
    return datetime.fromisoformat(when).timestamp() if when else None


def write_apkg(quiz: dict, path: Path, media: Path | None = None, track: int | None = None) -> Path:
    """An Anki deck: one card per question, the answer, explanation and lecture time on the back, and
    with ``media`` (the lecture's audio or video) the spoken explanation, from audio ``track`` (1-based;
    None: the first), as a sound on the back.

    Deck id and name come from the lecture id (the media's sha256) and note guids from the question ids,
    so a re-import of the same lecture updates its cards and another lecture never touches them. A reviewed
    quiz and its media give the same bytes each time: note times are the review's
    (:func:`review_timestamp`) and zip entries carry fixed dates and modes.
    """
    lid = quiz["lecture"].get("id") or quiz["lecture"]["name"]
    model = genanki.Model(
        _stable_id("lecturelab-quiz-model-v2"), "lecturelab quiz",
        fields=[{"name": n} for n in ("Question", "Options", "Answer", "Explanation", "Time", "Audio")],
        templates=[{"name": "Card", "qfmt": "{{Question}}<br>{{Options}}",
                    "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b><br>{{Explanation}}<br><i>{{Time}}</i>"
                            "<br>{{Audio}}"}],
    )
    deck = genanki.Deck(_stable_id("deck", lid), deck_name(quiz))
    with tempfile.TemporaryDirectory(prefix="lecturelab-clips-") as tmp:
        clips = _audio_clips(quiz, media, Path(tmp), track)
        for q in quiz["questions"]:
            opts = "<br>".join(html.escape(o) for o in q["options"] or [])
            sound = f"[sound:{clips[q['id']].name}]" if q["id"] in clips else ""
            fields = [html.escape(q["stem"]), opts, html.escape(q["answer"]), html.escape(q["explanation"]),
                      html.escape(f"at {moment(q)}"), sound]
            deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for(lid, q["id"])))
        package = genanki.Package(deck, media_files=[str(p) for p in clips.values()])
        raw = Path(tmp) / "deck.apkg"
        # notes' and cards' times: the review's (reproducible), else now (genanki's default)
        package.write_to_file(str(raw), timestamp=review_timestamp(quiz))
        return write_bytes(path, reproducible_zip(raw.read_bytes()))


def write_exports(quiz: dict, folder: Path, media: Path | None = None, track: int | None = None) -> list[Path]:
    """Write quiz.json, quiz.md, quiz.html, quiz.gift, quiz.apkg (with audio clips cut from ``media``'s
    audio ``track``, 1-based, None: the first), quiz.moodle.xml, quiz.qti.zip and quiz.aiken.txt into
    ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_text(folder / "quiz.json", to_json(quiz)),
        write_text(folder / "quiz.md", to_markdown(quiz)),
        write_text(folder / "quiz.html", to_html(quiz)),
        write_text(folder / "quiz.gift", to_gift(quiz)),
        write_apkg(quiz, folder / "quiz.apkg", media, track),
        *write_lms_exports(quiz, folder),
    ]
