"""Small lecture folders and a small background vocabulary for the quiz tests."""

from __future__ import annotations

from pathlib import Path

from lecturelab.bio import read_bio
from lecturelab.lecture.textlecture import write_lecture_from_phrases

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Welcome to this lecture about machine learning and how models learn from data.",
    "A neural network is a model built from layers of simple connected units.",
    "Each layer applies a linear map followed by an activation function to its input.",
    "Gradient descent is an algorithm that follows the negative gradient of the loss.",
    "The learning rate controls how large each update step of the weights is.",
    "When a model memorises noise in its training examples, we call this overfitting.",
    "Regularization refers to any change that makes a model generalise better to new data.",
    "Dropout randomly switches off units during training to make the network robust.",
    "Backpropagation computes the derivative for every weight of the model efficiently.",
    "A validation set tells us when to stop training before the error rises again.",
    "Convolutional layers share their weights across all positions in an image.",
    "The loss function measures how far a prediction lies from the true label.",
]
PHRASES = ["neural network", "gradient descent", "overfitting", "learning rate", "regularization", "dropout",
           "backpropagation", "validation set", "convolutional layers", "loss function", "activation function",
           "machine learning"]

# transcript text with GIFT and HTML special characters inside keyphrase-bearing sentences
SPECIAL = [
    "In set notation we write {x : x = 1} and a tilde ~ marks the complement, # counts.",
    "A web page must show <script>window.__pwned = 1</script> as plain text and never run it.",
    "The hash function maps a key like #42 to a slot {0..n} in the table quickly.",
    "Every browser escapes markup before it shows any user content to a reader.",
]
SPECIAL_PHRASES = ["set notation", "web page", "hash function", "browser"]


def lecture_dir(folder: Path, sentences: list[str] = SENTENCES, phrases: list[str] = PHRASES) -> Path:
    """A processed-lecture folder (transcript.json + keyphrases.json) for the given text and phrases."""
    return write_lecture_from_phrases(folder, " ".join(sentences), phrases, name=folder.name)


def inspec_file(split: str) -> Path:
    """data/raw/inspec/<split>.txt if set up, else the shared copy next to the repository, else the committed
    BIO fixture (a clone without ../shared: 23 abstracts, a smaller background)."""
    for cand in (ROOT / "data/raw/inspec" / f"{split}.txt", ROOT.parent / "shared/data/inspec" / f"{split}.txt"):
        if cand.is_file():
            return cand
    return ROOT / "tests/fixtures/bio" / f"{split}.txt"


def small_background(folder: Path, docs: int = 80) -> Path:
    """A BIO file of the first ``docs`` training abstracts: a real background vocabulary, quick to embed."""
    out = folder / "background.txt"
    blocks = ["\n".join(f"{t}\t{g}" for t, g in zip(toks, tags, strict=True)) for toks, tags in read_bio(inspec_file("train"))[0][:docs]]
    out.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return out


def settings(background: Path | None, **kw) -> dict:
    """A quiz config dict as conf/quiz/rules.yaml would give, with a test background and no disk cache."""
    return {"name": "rules", "num_questions": 8, "types": ["blank", "mcq", "tf", "short"], "seed": 0,
            "background": [str(background)] if background else ["does/not/exist.txt"], "cache_dir": None, **kw}
