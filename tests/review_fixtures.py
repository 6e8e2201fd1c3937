"""A small processed-lecture folder for the review-loop tests: Whisper-like segments (one per sentence, word
times and probabilities, one misheard low-probability word) and a hand-made quiz, no Whisper, no tagger."""

from __future__ import annotations

import json
from pathlib import Path

from lecturelab.io import write_text
from lecturelab.lecture.textlecture import write_lecture_from_segments
from lecturelab.quiz.export import write_exports
from tests.quiz_fixtures import PHRASES, SENTENCES, SPECIAL

SHA = "ab" * 32
MISHEARD = ("decent", 0.31)   # "Gradient descent" heard as "Gradient decent"


def segments(sentences: list[str]) -> list[dict]:
    """One Whisper segment per sentence; words 0.4 s apart, probability 0.95 except the misheard word."""
    segs, t = [], 0.0
    for s in sentences:
        words = []
        for w in s.split():
            p = MISHEARD[1] if w == MISHEARD[0] else 0.95
            words.append({"word": " " + w, "start": round(t, 2), "end": round(t + 0.3, 2), "prob": p})
            t += 0.4
        segs.append({"start": words[0]["start"], "end": words[-1]["end"], "text": "".join(w["word"] for w in words),
                     "words": words})
    return segs


def sentences(special: bool = False) -> list[str]:
    out = [s.replace("Gradient descent", "Gradient decent") for s in SENTENCES]
    return out + SPECIAL[1:2] if special else out


def lecture(folder: Path, special: bool = False) -> Path:
    """transcript.json + keyphrases.json as `lecturelab process` writes them (transcriber model included)."""
    write_lecture_from_segments(folder, segments(sentences(special)), phrases=PHRASES, name="talk.mp4",
                                source={"sha256": SHA})
    doc = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    doc["transcriber"] |= {"model": "tiny.en", "language": "en"}
    write_text(folder / "transcript.json", json.dumps(doc, indent=1, ensure_ascii=False))
    return folder


def _q(qid: str, typ: str, sentence: int, stem: str, answer: str, keyphrase: str, options=None, accepted=None) -> dict:
    t = 0.4 * sum(len(s.split()) for s in sentences()[:sentence])
    return {"id": qid, "type": typ, "stem": stem, "options": options, "answer": answer, "accepted": accepted,
            "explanation": sentences()[sentence], "start": round(t, 2), "end": round(t + 4, 2),
            "link": f"transcript.html#t={round(t, 2):g}", "keyphrase": keyphrase, "key": keyphrase.lower(),
            "difficulty": 0.5, "difficulty_label": "medium", "sentence": sentence, "segment": sentence}


QUESTIONS = [
    _q("qblank00001", "blank", 3, "Fill in the blank: Gradient decent is an algorithm that follows the _____ of the "
       "loss.", "negative gradient", "negative gradient", accepted=["negative gradient"]),
    _q("qmcq000002", "mcq", 5, "Which term completes the sentence? When a model memorises noise in its training "
       "examples, we call this _____.", "overfitting", "overfitting",
       options=["dropout", "overfitting", "regularization", "backpropagation"]),
    _q("qtf0000003", "tf", 1, "True or false: A neural network is a model built from layers of simple connected "
       "units.", "True", "neural network", options=["True", "False"]),
    _q("qshort0004", "short", 7, "Which term does the lecture define here? _____ randomly switches off units "
       "during training to make the network robust.", "Dropout", "dropout", accepted=["Dropout"]),
]


def lecture_with_quiz(folder: Path, special: bool = False) -> Path:
    """`lecture` plus quiz.json and its exports from `QUESTIONS` (a quiz as the rule generator shapes it)."""
    lecture(folder, special)
    quiz = {"schema_version": 1, "lecture": {"name": "talk.mp4", "id": SHA, "duration": 60.0,
                                             "transcript": "transcript.html"},
            "generator": {"name": "rules"}, "settings": {"num_questions": 4, "types": ["blank", "mcq", "tf", "short"],
                                                          "seed": 0},
            "notes": [], "questions": QUESTIONS}
    write_exports(quiz, folder)
    return folder


def edits_file(path: Path, **parts) -> Path:
    """An edits.json for the fixture lecture with the given top-level parts."""
    write_text(path, json.dumps({"schema_version": 1, "lecture": {"id": SHA, "name": "talk.mp4"}, **parts}))
    return path


def word_at(folder: Path, segment: int, word: str) -> dict:
    """The word edit address of ``word`` in ``segment`` (first occurrence) of the folder's transcript."""
    doc = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    words = [w["word"] for w in doc["segments"][segment]["words"]]
    return {"segment": segment, "word": words.index(word), "from": word}
