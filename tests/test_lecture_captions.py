"""Caption files (WebVTT, SRT) as a lecture's transcript: the reader's rules on hand-made cues, bad files,
and ``lecturelab process`` on a caption file alone and on media with a sidecar, with Whisper never run."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from lecturelab.lecture import transcribe as transcribe_module
from lecturelab.lecture.captions import CaptionError, caption_segments, lecture_stem, strip_sound_tags
from lecturelab.lecture.pipeline import CHAPTER_FILES, OUTPUT_FILES, process
from lecturelab.quiz.export import QUIZ_ALWAYS
from tests import lecture_fixtures as fx

tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env

VTT = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:04.000
Professor Ada Lovelace:
Today we study gradient

00:00:04.000 --> 00:00:07.000
descent. [LAUGHTER] It finds a
minimum of a loss function.

00:00:07.000 --> 00:00:09.000
STUDENT: Does it always converge?

00:00:09.000 --> 00:00:13.000
Professor Ada Lovelace: Not always.
(applause) The learning rate matters.
"""

# what a lecture says, cue by cue, for the end-to-end tests (a few seconds each)
LECTURE_CUES = [
    (0.0, 3.5, "PROFESSOR: Gradient descent minimises a loss function."),
    (3.5, 7.0, "Each step moves the parameters against the gradient."),
    (7.0, 10.5, "[SQUEAKING] The learning rate sets the size of each step."),
    (10.5, 14.0, "STUDENT: What happens when the learning rate is too large?"),
    (14.0, 18.0, "PROFESSOR: Then gradient descent overshoots the minimum of the loss function."),
]


def clock(t: float, sep: str = ".") -> str:
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}".replace(".", sep)


def write_vtt(path, cues) -> str:
    path.write_text("WEBVTT\n\n" + "\n".join(f"{clock(a)} --> {clock(b)}\n{t}\n" for a, b, t in cues),
                    encoding="utf-8")
    return str(path)


def write_srt(path, cues) -> str:
    path.write_text("\n".join(f"{i}\n{clock(a, ',')} --> {clock(b, ',')}\n{t}\n"
                              for i, (a, b, t) in enumerate(cues, 1)), encoding="utf-8")
    return str(path)


def test_cues_become_sentences_with_speaker_turns_and_no_sound_tags(tmp_path):
    path = tmp_path / "lecture.en.vtt"
    path.write_text(VTT, encoding="utf-8")
    heard = caption_segments(path)
    segs = heard["segments"]
    assert [(s["speaker"], s["text"]) for s in segs] == [
        ("Professor Ada Lovelace", "Today we study gradient descent."),   # across the cue break
        ("Professor Ada Lovelace", "It finds a minimum of a loss function."),
        ("STUDENT", "Does it always converge?"),
        ("Professor Ada Lovelace", "Not always."),
        ("Professor Ada Lovelace", "The learning rate matters."),
    ]
    assert heard["language"] == "en" and heard["model"] is None
    words = [w for s in segs for w in s["words"]]
    assert all(w["prob"] == 1.0 for w in words)
    # times come from the cues: "descent." is in the second cue, "Today" at the first cue's start
    descent = next(w for w in words if w["word"].strip() == "descent.")
    assert 4.0 <= descent["start"] < descent["end"] <= 7.0
    assert words[0]["start"] == 1.0 and segs[-1]["end"] == pytest.approx(13.0)
    assert all(a["end"] <= b["start"] + 1e-9 for a, b in zip(words, words[1:], strict=False))
    # the longer word gets the longer time within its cue
    today, we = words[0], words[1]
    assert today["end"] - today["start"] > we["end"] - we["start"]


def test_character_references_and_transcriber_notes(tmp_path):
    """WebVTT escapes ``>`` and ``<`` as ``&gt;`` / ``&lt;``: ``&gt;&gt;`` is a speaker turn, ``<<...>>`` a
    transcriber's note, ``&amp;`` an ampersand; none of them is left as markup in the text."""
    path = tmp_path / "notes.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nProfessor Ben Polak: Supply &amp; demand meet here.\n\n"
                    "00:00:04.000 --> 00:00:08.000\n&gt;&gt; Student: Is that the equilibrium?\n\n"
                    "00:00:08.000 --> 00:00:12.000\n&gt;&gt; Professor Ben Polak: Yes. &lt;&lt;students calling out&gt;&gt; "
                    "It is.\n", encoding="utf-8")
    segs = caption_segments(path)["segments"]
    text = " ".join(s["text"] for s in segs)
    assert "&" not in text.replace("Supply & demand", "") and "gt" not in text.split() and "<<" not in text
    assert "calling out" not in text and "Supply & demand meet here." in text
    assert [s["speaker"] for s in segs][-1] == "Professor Ben Polak" and "Student" in {s["speaker"] for s in segs}


def test_srt_reads_like_the_same_vtt(tmp_path):
    vtt = caption_segments(write_vtt(tmp_path / "a.vtt", LECTURE_CUES))["segments"]
    srt = caption_segments(write_srt(tmp_path / "a.srt", LECTURE_CUES))["segments"]
    assert [(s["speaker"], s["text"], s["start"], s["end"]) for s in srt] == \
        [(s["speaker"], s["text"], s["start"], s["end"]) for s in vtt]
    assert "SQUEAKING" not in " ".join(s["text"] for s in srt)


def test_labels_that_are_not_speakers_stay_text(tmp_path):
    cues = [(0, 2, "Professor Langdon\nHammer: Today, two poems."), (2, 4, "So: the first poem."),
            (4, 6, "Book Eleven: the book of the flood."), (6, 8, "Yes.Student: Which book?"),
            (8, 10, "Hammer: The eleventh."), (10, 12, "Student: And?"), (12, 14, "Hammer: [T]he end (alpha)."),
            (14, 16, ">> Thanks."), (16, 18, "Quote: one."), (18, 20, "Quote: two.")]
    segs = caption_segments(write_vtt(tmp_path / "l.vtt", cues))["segments"]
    said = [(s["speaker"], s["text"]) for s in segs]
    assert said[0] == ("Professor Langdon Hammer", "Today, two poems.")
    assert ("Professor Langdon Hammer", "So: the first poem.") in said
    assert ("Professor Langdon Hammer", "Book Eleven: the book of the flood.") in said
    assert ("Professor Langdon Hammer", "Yes.") in said and ("Student", "Which book?") in said
    # a one-word name that labels two places is a speaker; editorial brackets and formulas are text
    assert ("Hammer", "The eleventh.") in said and ("Hammer", "[T]he end (alpha).") in said
    # ">>": a new, unnamed speaker; "Quote:" introduces text, however often
    assert said[-3:] == [(None, "Thanks."), (None, "Quote: one."), (None, "Quote: two.")]


@pytest.mark.parametrize("text, kept", [
    ("[laughter] Right.", "Right."), ("(APPLAUSE)", ""), ("♪ music ♪ [SIDE CONVERSATION] ok", "music ok"),
    ("[1 - δ] times [A]", "[1 - δ] times [A]"), ("(III) and (beta)", "(III) and (beta)"),
])
def test_sound_tags(text, kept):
    assert strip_sound_tags(text) == kept


def test_lecture_stem_drops_the_caption_language():
    assert lecture_stem("a/lecture.en.vtt") == "lecture" and lecture_stem("lecture.srt") == "lecture"
    assert lecture_stem("v1.2.mp4") == "v1.2"


BAD = {
    "no_header.vtt": (b"00:00:01.000 --> 00:00:02.000\nhello\n", "not WebVTT captions"),
    "prose.srt": (b"Dear students,\nthe exam is on Monday.\n", "not SRT captions at line 1"),
    "overlap.vtt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nhello\n\n00:00:03.000 --> 00:00:06.000\nworld\n",
                    "cue 2 (line 6, 00:00:03.000 --> 00:00:06.000) overlaps cue 1"),
    "backwards.srt": (b"1\n00:00:05,000 --> 00:00:06,000\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\nworld\n",
                      "cue 2 (line 6, 00:00:01,000 --> 00:00:02,000) starts before cue 1"),
    "reversed.vtt": (b"WEBVTT\n\n00:00:04.000 --> 00:00:02.000\nhello\n", "cue 1 (line 3, 00:00:04.000 --> "
                     "00:00:02.000) ends before it starts"),
    "tags_only.vtt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n[LAUGHTER]\n\n00:00:02.000 --> 00:00:03.000\n"
                      b"(applause)\n", "no caption text"),
    "empty.vtt": (b"WEBVTT\n\n", "no caption cues"),
    "latin1.vtt": ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ncaf\u00e9\n".encode("latin-1"),
                   "not UTF-8 text (byte 0xe9 on line 4)"),
    "bad_time.vtt": (b"WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nhello\n", "the cue at line 3"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_caption_files_fail_in_one_line(tmp_path, name):
    data, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CaptionError) as e:
        caption_segments(path)
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value) and "\n" not in str(e.value)


def _no_whisper(calls):
    def transcribe(*args, **kwargs):
        calls.append(args[0])
        raise AssertionError("Whisper must not run on a lecture with captions")
    return transcribe


def _outputs(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.slow
def test_process_a_caption_file_alone(lecture_env, tmp_path, monkeypatch):
    """Every output, the quiz included, from a .en.vtt alone; transcript.json says where the words came from."""
    calls: list = []
    monkeypatch.setitem(transcribe_module.TRANSCRIBERS, "faster_whisper", _no_whisper(calls))
    vtt = write_vtt(tmp_path / "gradients.en.vtt", LECTURE_CUES)
    out = tmp_path / "out"
    cfg = fx.compose_process([o for o in lecture_env["overrides"] if not o.startswith(("output_dir", "quiz="))]
                             + [f"input={vtt}", f"output_dir={out}", "keyphrases.o_bias=1.0", "quiz=rules",
                                "quiz.num_questions=3", "quiz.background=[none.txt]", "quiz.cache_dir=null"])
    assert process(cfg) == 0
    assert calls == []
    folder = out / "gradients"   # the language tag is not part of the lecture's name
    doc = json.loads((folder / "transcript.json").read_text())
    assert set(doc["outputs"]) >= set(OUTPUT_FILES + CHAPTER_FILES + QUIZ_ALWAYS)
    assert set(doc["outputs"]) <= _outputs(folder)
    assert doc["transcriber"]["name"] == "captions" and doc["transcriber"]["file"] == "gradients.en.vtt"
    assert doc["source"]["media_file"] is None and doc["source"]["duration"] == pytest.approx(18.0)
    assert doc["whisper_model"] is None and doc["language"] == "en"
    assert "SQUEAKING" not in doc["text"] and "PROFESSOR" not in doc["text"]
    assert [s["speaker"] for s in doc["segments"]] == ["PROFESSOR"] * 3 + ["STUDENT", "PROFESSOR"]
    assert all(w["prob"] == 1.0 for s in doc["segments"] for w in s["words"])
    page = (folder / "transcript.html").read_text()
    assert 'id="player"' not in page and "captions gradients.en.vtt" in page
    assert '<span class="spk">STUDENT</span>' in page
    quiz = json.loads((folder / "quiz.json").read_text())
    assert quiz["questions"], "the quiz made no question from people-made captions"
    # a second run is a no-op; changed captions are redone
    assert process(cfg) == 0 and doc == json.loads((folder / "transcript.json").read_text())
    vtt_path = tmp_path / "gradients.en.vtt"
    vtt_path.write_text(vtt_path.read_text().replace("too large", "far too large"), encoding="utf-8")
    assert process(cfg) == 0
    assert "far too large" in json.loads((folder / "transcript.json").read_text())["text"]


def _speech(tmp_path, text: str):
    """``text`` spoken by espeak-ng, put in an MP4 with a still picture by ffmpeg."""
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed (make setup installs it)")
    (tmp_path / "course").mkdir()
    wav, mp4 = tmp_path / "speech.wav", tmp_path / "course" / "lecture.mp4"
    subprocess.run(["espeak-ng", "-s", "170", "-w", str(wav), text], check=True, capture_output=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=64x48:r=2", "-i", str(wav),
                    "-shortest", "-c:v", "mpeg4", "-c:a", "aac", str(mp4)], check=True, capture_output=True)
    return mp4


@pytest.mark.slow
def test_media_with_a_sidecar_uses_the_captions(lecture_env, tmp_path, monkeypatch):
    calls: list = []
    monkeypatch.setitem(transcribe_module.TRANSCRIBERS, "faster_whisper", _no_whisper(calls))
    media = _speech(tmp_path, " ".join(t.split(": ")[-1] for _, _, t in LECTURE_CUES[:2]))
    write_srt(media.with_suffix(".srt"), LECTURE_CUES[:2])
    out = tmp_path / "out"
    base = [o for o in lecture_env["overrides"] if not o.startswith("output_dir")] + [f"output_dir={out}"]
    assert process(fx.compose_process(base + [f"input={media.parent}"])) == 0   # a folder: the mp4, its srt claimed
    assert calls == [] and _outputs(out) == {"lecture"}
    folder = out / "lecture"
    doc = json.loads((folder / "transcript.json").read_text())
    assert set(doc["outputs"]) <= _outputs(folder) and (folder / doc["source"]["media_file"]).is_file()
    assert doc["transcriber"] == {"name": "captions", "file": "lecture.srt", "format": "srt",
                                  "sha256": doc["transcriber"]["sha256"]}
    assert doc["source"]["name"] == "lecture.mp4" and doc["segments"][0]["speaker"] == "PROFESSOR"
    assert '<video id="player"' in (folder / "transcript.html").read_text()

    # captions=never: Whisper transcribes (here a stand-in that records the call)
    def fake(path, *args, **kwargs):
        calls.append(path)
        return {"segments": [{"start": 0.0, "end": 1.0, "text": "Hello.", "words": [
            {"word": " Hello.", "start": 0.0, "end": 1.0, "prob": 0.9}]}], "language": "en",
            "language_probability": None, "task": "transcribe", "translated_from": None, "model": "tiny.en",
            "notes": []}
    monkeypatch.setitem(transcribe_module.TRANSCRIBERS, "faster_whisper", fake)
    assert process(fx.compose_process(base + [f"input={media}", "captions=never"])) == 0
    assert calls == [media] and json.loads((folder / "transcript.json").read_text())["text"] == "Hello."


@pytest.mark.slow
def test_caption_failures_write_nothing(lecture_env, tmp_path, capsys):
    out = tmp_path / "out"
    base = [o for o in lecture_env["overrides"] if not o.startswith("output_dir")] + [f"output_dir={out}"]
    bad = tmp_path / "bad.vtt"
    bad.write_bytes(BAD["overlap.vtt"][0])
    assert process(fx.compose_process(base + [f"input={bad}"])) == 1
    err = capsys.readouterr().err
    assert f"error: {bad}: cue 2 (line 6, 00:00:03.000 --> 00:00:06.000) overlaps cue 1" in err
    assert not (out / "bad").exists()
    # captions=only and media without captions: one line naming the media and the names looked for
    media = fx.write_media(tmp_path / "talk.wav", fx.tone(1.0))
    assert process(fx.compose_process(base + [f"input={media}", "captions=only"])) == 1
    err = capsys.readouterr().err
    assert f"{media}: no caption file beside it (looked for talk.vtt, talk.en.vtt, talk.srt" in err
    assert not (out / "talk").exists()
    assert process(fx.compose_process(base + [f"input={media}", "captions=sometimes"])) == 2
    assert "captions='sometimes': auto" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.browser
def test_caption_page_without_media_in_chromium(lecture_env, tmp_path):
    """A lecture from captions alone in headless Chromium: no player, no errors, time buttons mark their
    sentence, chapter and keyphrase links jump, speakers shown; the review page loads clean too."""
    from playwright.sync_api import sync_playwright

    from tests.test_lecture_browser import CHROMIUM_ARGS, chromium_path

    vtt = write_vtt(tmp_path / "talk.vtt", LECTURE_CUES)
    out = tmp_path / "out"
    cfg = fx.compose_process([o for o in lecture_env["overrides"] if not o.startswith("output_dir")]
                             + [f"input={vtt}", f"output_dir={out}", "keyphrases.o_bias=1.0"])
    assert process(cfg) == 0
    folder = out / "talk"
    doc = json.loads((folder / "transcript.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 300})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto((folder / "transcript.html").as_uri())
        assert page.locator("#player, video, audio").count() == 0
        assert page.locator(".seg .spk").all_text_contents() == ["PROFESSOR", "STUDENT", "PROFESSOR"]
        last = doc["segments"][-1]
        page.click(f"#s{last['id']} .ts")
        assert page.evaluate(f"document.getElementById('s{last['id']}').classList.contains('now')")
        assert page.locator(".seg.now").count() == 1
        assert page.get_attribute(f"#s{last['id']} .ts", "title") == "Show this moment in the transcript"
        if doc["keyphrases"]:
            page.click("#k0")
            assert page.locator("mark.kp.active").count() == 1
        page.goto((folder / "review.html").as_uri())
        page.wait_for_load_state("load")
        browser.close()
    assert problems == []


def test_a_folder_gives_media_and_the_captions_no_media_claims(tmp_path):
    from lecturelab.lecture.course import media_in
    from lecturelab.lecture.pipeline import collect_inputs

    for name in ("week1.mp4", "week1.en.vtt", "week2.srt", "week3.mkv", "week3.srt", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    want = [tmp_path / n for n in ("week1.mp4", "week2.srt", "week3.mkv")]
    assert collect_inputs(str(tmp_path)) == want
    assert media_in(tmp_path) == want


def test_a_word_correction_keeps_the_speaker_turns(tmp_path):
    from lecturelab.lecture.edits import correct_words
    from lecturelab.lecture.highlight import build_text

    path = tmp_path / "l.vtt"
    path.write_text(VTT, encoding="utf-8")
    text, segs = build_text(caption_segments(path)["segments"])
    doc = {"text": text, "segments": segs, "keyphrases": []}
    new_text, new_segs, _, _ = correct_words(doc, [{"segment": 2, "word": 3, "from": "converge?", "to": "halt?"}])
    assert "Does it always halt?" in new_text
    assert [s["speaker"] for s in new_segs] == [s["speaker"] for s in segs]
    assert new_segs[2]["speaker"] == "STUDENT"


def test_quotes_pysbd_pairs_wrongly_do_not_join_cues_that_end_sentences(tmp_path):
    # pysbd does not split between what it takes for a pair of quotation marks ("no. ... "we go.)
    cues = [(0, 3, 'He said "no.'), (3, 6, "We will see."), (6, 9, "Is it true? It is."),
            (9, 12, 'So we ask. And then "we go."')]
    texts = [s["text"] for s in caption_segments(write_vtt(tmp_path / "q.vtt", cues))["segments"]]
    assert texts[:4] == ['He said "no.', "We will see.", "Is it true?", "It is."]
