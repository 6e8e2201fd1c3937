"""Write the small BIO fixture used by the end-to-end tests (tests/fixtures/bio/{train,valid,test}.txt).

The documents are short made-up abstracts in Inspec's style, built from templates with their
keyphrases tagged B-KEY / I-KEY; deterministic, so the committed files can be regenerated.
"""

import random
from pathlib import Path

TOPICS = [
    ("neural network", "image classification", "gradient descent"),
    ("support vector machine", "text categorization", "kernel function"),
    ("genetic algorithm", "job shop scheduling", "crossover operator"),
    ("wireless sensor network", "energy consumption", "routing protocol"),
    ("relational database", "query optimization", "cost model"),
    ("fuzzy logic controller", "inverted pendulum", "membership function"),
    ("digital watermarking", "image compression", "discrete cosine transform"),
    ("speech recognition", "hidden markov model", "acoustic feature"),
    ("software reliability", "fault tree", "failure rate"),
    ("computer vision", "edge detection", "feature extraction"),
    ("distributed system", "load balancing", "message passing"),
    ("e-learning", "student model", "adaptive hypermedia"),
]
TEMPLATES = [
    "This paper presents a new {a} approach for {b} . The proposed method uses a {c} to improve accuracy .",
    "We study {b} with a {a} . Experiments show that the {c} reduces the error on real data .",
    "A {a} is applied to the problem of {b} . Results indicate that the {c} is effective and robust .",
]


def tagged(text: str, phrases: set[str]) -> list[tuple[str, str]]:
    words = text.split()
    tags = ["O"] * len(words)
    for p in phrases:
        pw = p.split()
        for i in range(len(words) - len(pw) + 1):
            if [w.lower() for w in words[i:i + len(pw)]] == pw:
                tags[i] = "B-KEY"
                for j in range(i + 1, i + len(pw)):
                    tags[j] = "I-KEY"
    return list(zip(words, tags, strict=True))


def main(out: Path = Path(__file__).resolve().parents[1] / "tests/fixtures/bio") -> None:
    rng = random.Random(0)
    out.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 24), ("valid", 8), ("test", 8)):
        docs = []
        for _ in range(n):
            a, b, c = rng.choice(TOPICS)
            sents = rng.sample(TEMPLATES, 2)
            text = " ".join(s.format(a=a, b=b, c=c) for s in sents)
            docs.append("\n".join(f"{w}\t{t}" for w, t in tagged(text, {a, b, c})))
        (out / f"{split}.txt").write_text("\n\n".join(docs) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
