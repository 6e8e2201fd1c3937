"""Sentences, not decoder segments: re-cutting batched Whisper output at sentence boundaries, and the
low-confidence marks in the page."""

from __future__ import annotations

from html.parser import HTMLParser

from lecturelab.lecture.highlight import build_text
from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import to_srt
from lecturelab.transcript.sentences import build_sentences, resegment


def words(text: str, t0: float, step: float = 0.3, prob: float = 0.9) -> list[dict]:
    return [{"word": " " + w, "start": round(t0 + i * step, 3), "end": round(t0 + i * step + step - 0.05, 3),
             "prob": prob} for i, w in enumerate(text.split())]


def batched() -> list[dict]:
    """Two batched-Whisper segments whose boundary falls inside a sentence (as seen on a real clip)."""
    a = words("Today we talk about kernels. A kernel is a way to smooth out", 0.0)
    b = words("Any irregularities in the data. Dr. Smith uses any kernel, e.g. a Gaussian one.", 4.0)
    return [{"start": 0.0, "end": 3.6, "text": "", "words": a}, {"start": 4.0, "end": 8.2, "text": "", "words": b}]


SENTENCES = ["Today we talk about kernels.", "A kernel is a way to smooth out any irregularities in the data.",
             "Dr. Smith uses any kernel, e.g. a Gaussian one."]


def test_a_sentence_cut_by_a_batch_boundary_is_whole_again():
    segs = resegment(batched())
    assert [s["text"] for s in segs] == SENTENCES
    assert [(s["start"], s["end"]) for s in segs] == [(0.0, 1.45), (1.5, 5.45), (5.5, 8.15)]
    # times come from the words; every word is kept once, in order
    assert [w["start"] for s in segs for w in s["words"]] == [w["start"] for s in batched() for w in s["words"]]


def test_segments_without_word_times_are_kept_and_end_the_sentence_before():
    plain = {"start": 9.0, "end": 11.0, "text": "No word times here. Two sentences.", "words": []}
    segs = resegment(batched()[:1] + [plain])
    assert [s["text"] for s in segs] == ["Today we talk about kernels.", "A kernel is a way to smooth out",
                                         "No word times here. Two sentences."]


def test_a_run_on_sentence_is_cut_at_its_longest_pause():
    run_on = words("so um we we keep going and going and going without any stop at all really", 0.0, step=1.0)
    run_on += words("and then after a long pause we go on and on and on without a full stop", 20.0, step=1.0)
    segs = resegment([{"start": 0.0, "end": 36.0, "text": "", "words": run_on}], max_seconds=30.0)
    assert len(segs) == 2 and segs[1]["words"][0]["start"] == 20.0
    assert all(s["end"] - s["start"] <= 30.0 for s in segs)


def test_subtitles_and_quiz_sentences_never_join_two_sentences():
    text, segs = build_text(resegment(batched()))
    doc = {"text": text, "segments": segs, "keyphrases": [], "source": {"duration": 9.0}}
    import srt

    cues = list(srt.parse(to_srt(doc)))
    for cue in cues:   # each cue's text lies inside one sentence
        flat = " ".join(cue.content.split())
        assert any(flat in s for s in SENTENCES), flat
    quiz_sentences = [s.text for s in build_sentences(text, segs)]
    assert quiz_sentences == SENTENCES


class Spans(HTMLParser):
    def __init__(self):
        super().__init__()
        self.low, self._open, self.stack = [], None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "span" and a.get("class") == "lc":
            self._open = [a["title"], "", "mark" in self.stack[:-1]]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        self.stack.pop()
        if tag == "span" and self._open is not None:
            self.low.append(tuple(self._open))
            self._open = None


def test_low_confidence_words_are_marked_with_their_probability():
    segs = batched()
    segs[0]["words"][3]["prob"] = 0.31    # "about"
    segs[1]["words"][0]["prob"] = 0.12    # "Any", inside the keyphrase below
    text, segs = build_text(resegment(segs))
    start = text.index("any irregularities")
    span = {"text": "any irregularities", "key": "any irregular", "char_start": start,
            "char_end": start + len("any irregularities"), "start": 3.9, "end": 4.6, "score": 0.9}
    doc = {"text": text, "segments": segs, "keyphrases": [span], "transcriber": {"model": "tiny.en"},
           "source": {"name": "k.mp4", "duration": 9.0, "media_file": None}}
    keyphrases = [{"phrase": "any irregularities", "key": "any irregular", "count": 1,
                   "occurrences": [{"char_start": span["char_start"], "char_end": span["char_end"], "start": 3.9}]}]
    p = Spans()
    p.feed(render_html(doc, keyphrases, False, low_confidence=0.5))
    assert p.low == [("heard with probability 0.31", "about", False), ("heard with probability 0.12", "any", True)]
    p = Spans()
    p.feed(render_html(doc, keyphrases, False, low_confidence=None))
    assert p.low == []
