"""Key-concept questions (lecturelab/quiz/concept_quiz.py) on small generated lecture texts."""

from __future__ import annotations

import json

import pytest

from lecturelab.errors import LectureError
from lecturelab.keyphrases import stem_key
from lecturelab.quiz.concept_quiz import lecture_concepts
from lecturelab.quiz.make import make_quiz
from lecturelab.quiz.schema import Settings, check_question
from lecturelab.quiz.stems import personal, standalone
from lecturelab.transcript.document import load_lecture
from tests.quiz_fixtures import lecture_dir

# a psychology-style lecture: two defined concepts, a contrast pair, a dangling "It ..." sentence and a
# first-person anecdote; every concept is said in at least two places
BRAIN = [
    "The left hemisphere works like a serial processor, whereas the right hemisphere works like a parallel processor.",
    "Classical conditioning is a form of learning in which a neutral stimulus comes to predict a reward.",
    "It explains why a dog salivates when the bell rings before any food arrives.",
    "I had a stroke on my own last year and the hospital was very kind to me.",
    "Working memory is a small store that holds a few items for a few seconds of active thought.",
    "Habituation is a decline in response to a stimulus that is repeated without consequence.",
    "A neurotransmitter is a chemical messenger that carries signals across a synapse.",
    "Researchers measure working memory with digit span tasks in the laboratory.",
    "Habituation explains why city dwellers stop noticing the noise of traffic.",
    "The right hemisphere recognises faces quickly and reads the emotion of a voice.",
    "Every neurotransmitter binds to receptors on the membrane of the next cell.",
    "The left hemisphere controls speech production and the grammar of language in most people.",
    "Classical conditioning pairs a bell with food until the bell alone produces salivation.",
    "Myelin is a fatty sheath that speeds the conduction of signals along an axon.",
    "Damage to myelin slows the conduction of signals along the nerves of the body.",
]
CONCEPTS = ["classical conditioning", "working memory", "habituation", "neurotransmitter", "myelin",
            "left hemisphere", "right hemisphere"]


def concepts_file(folder, terms):
    """A concepts.json as `lecturelab process` writes it, with the terms in this order."""
    entries = [{"rank": i + 1, "term": t, "key": stem_key(t), "variants": [t], "score": 1.0 - i / 10}
               for i, t in enumerate(terms)]
    (folder / "concepts.json").write_text(json.dumps({"schema_version": 1, "top": 20, "concepts": entries}))


@pytest.fixture(scope="module")
def brain(tmp_path_factory):
    folder = lecture_dir(tmp_path_factory.mktemp("lec") / "brain", BRAIN, CONCEPTS + ["stroke", "digit span tasks"])
    concepts_file(folder, CONCEPTS)
    return folder


def quiz_of(folder, **kw):
    cfg = {"name": "rules", "num_questions": 7, "seed": 0, "background": ["does/not/exist.txt"], "cache_dir": None}
    return make_quiz(load_lecture(folder), Settings.from_cfg(cfg | kw))


def test_every_key_concept_gets_a_question_before_any_detail(brain):
    qs = quiz_of(brain)["questions"]
    assert [check_question(q) for q in qs] == [[]] * len(qs)
    assert {q["key"] for q in qs} == {stem_key(t) for t in CONCEPTS}
    assert all(q.get("form") in ("term", "definition", "contrast", "swap", "subject", "mention") for q in qs)


def test_a_defined_concept_gets_a_definition_question(brain):
    qs = quiz_of(brain, types=["short"])["questions"]
    defined = {q["key"]: q for q in qs if q.get("form") == "term"}
    q = defined[stem_key("working memory")]
    assert q["stem"] == "Which term names a small store that holds a few items for a few seconds of active thought?"
    assert q["answer"] == "working memory" and "memory" in q["accepted"]
    # the definition of another concept as the wrong options
    mcq = quiz_of(brain, types=["mcq"], num_questions=6, seed=3)["questions"]
    defs = [q for q in mcq if q.get("form") == "definition"] or [q for q in mcq if q.get("form") == "term"]
    assert defs
    for q in mcq:
        assert len(q["options"]) == 4 and q["answer"] in q["options"]


def test_a_contrast_pair_yields_a_contrast_item_with_the_partner_as_wrong_option(brain):
    qs = quiz_of(brain, types=["mcq"])["questions"]
    contrast = [q for q in qs if q.get("form") == "contrast"]
    assert contrast
    q = contrast[0]
    hemispheres = {"left hemisphere", "right hemisphere"}
    assert q["answer"] in hemispheres and q["partner"] in hemispheres - {q["answer"]}
    assert q["partner"] in q["distractors"]
    assert "works like a serial processor" in q["stem"] or "works like a parallel processor" in q["stem"]
    # true/false: the false statement swaps in the contrasting partner
    tf = [q for q in quiz_of(brain, types=["tf"])["questions"] if q["answer"] == "False"]
    assert tf and tf[0]["form"] == "swap" and tf[0]["swapped_in"] in hemispheres


def test_dangling_pronoun_and_first_person_sentences_make_no_stem(brain):
    for types in (["mcq"], ["blank"], ["short"], ["tf"]):
        for q in quiz_of(brain, types=types, num_questions=10)["questions"]:
            assert not q["explanation"].startswith(("It explains", "I had a stroke")), q
            assert "salivates when the bell" not in q["stem"] and "stroke" not in q["stem"]
    assert not standalone("It explains why a dog salivates when the bell rings.")
    assert not standalone("First, in terms of equity bias.")          # a fragment: no verb
    assert not standalone("Anyway, he obviously falls in love with Elsa.")
    assert standalone("The right hemisphere recognises faces quickly.")
    assert personal("I had a stroke on my own.") and not personal("A validation set tells us when to stop.")


def test_distractors_come_from_the_lectures_other_concepts(brain):
    qs = [q for q in quiz_of(brain, types=["mcq"], num_questions=6)["questions"] if q.get("form") != "definition"]
    assert qs
    others = {t.lower() for t in CONCEPTS}
    for q in qs:
        assert set(map(str.lower, q["distractors"])) <= others - {q["answer"].lower()}, q
        # never a concept the same sentence says (it may be true of the stem too)
        assert not any(stem_key(d) in stem_key(q["explanation"]) for d in q["distractors"] if d != q.get("partner"))


def test_we_call_this_is_rewritten_without_the_speaker(tmp_path):
    sents = ["When a model memorises noise in its training examples, we call this overfitting.",
             "Overfitting grows with the number of parameters of the model and the noise in the data.",
             "Regularization refers to any change that makes a model generalise better to new data.",
             "Regularization adds a penalty on large weights to the training loss of the model."]
    folder = lecture_dir(tmp_path / "ml", sents, ["overfitting", "regularization"])
    concepts_file(folder, ["overfitting", "regularization"])
    qs = quiz_of(folder, types=["short"])["questions"]
    stems = {q["answer"]: q["stem"] for q in qs}
    assert stems["overfitting"] == "What does the lecturer call it when a model memorises noise in its training examples?"
    assert stems["regularization"] == "Which term refers to any change that makes a model generalise better to new data?"
    assert not any(personal(s) for s in stems.values())


def test_without_concepts_json_the_concepts_are_ranked_from_the_transcript(tmp_path):
    folder = lecture_dir(tmp_path / "brain", BRAIN, CONCEPTS)
    lec = load_lecture(folder)
    assert lec.concepts is None
    terms = [c.term.lower() for c in lecture_concepts(lec, set(), 20)]
    assert "working memory" in terms and "classical conditioning" in terms
    assert any(q.get("form") for q in quiz_of(folder)["questions"])


def test_a_malformed_concepts_json_fails_in_one_line_naming_the_file(tmp_path):
    folder = lecture_dir(tmp_path / "bad", BRAIN, CONCEPTS)
    (folder / "concepts.json").write_text(json.dumps({"concepts": [{"rank": 1}]}))
    with pytest.raises(LectureError, match=r"concepts\.json: 'concepts' must be a list"):
        load_lecture(folder)


def test_a_keyphrase_the_concept_ranking_dropped_is_neither_asked_nor_offered(brain):
    # "stroke" (an anecdote) and "digit span tasks" are tagged keyphrases that concepts.json does not list
    for types in (["mcq"], ["blank"]):
        qs = quiz_of(brain, types=types, num_questions=12)["questions"]
        assert len(qs) > 3
        for q in qs:
            assert q["key"] not in (stem_key("stroke"), stem_key("digit span tasks"))
            assert not {"stroke", "digit span tasks"} & set(q.get("options") or [])


# a money-and-banking style lecture whose concepts are defined in the three looser spoken forms
BANKING = [
    "Liquidity, which is the ease of turning an asset into cash without loss, matters most in a panic.",
    "Deflation is when the general level of prices falls across the whole economy for a long time.",
    "What we mean by seigniorage is the profit a government makes by issuing its own currency.",
    "Central banks watch liquidity closely during every financial panic in history.",
    "Deflation raises the real burden of debt for households and for firms alike.",
    "Seigniorage once paid for wars when governments printed money to meet their costs.",
    "A bank run starts when depositors fear that the bank cannot pay them back.",
]


def test_looser_spoken_definitions_make_term_questions(tmp_path):
    folder = lecture_dir(tmp_path / "banking", BANKING, ["liquidity", "deflation", "seigniorage", "bank run"])
    concepts_file(folder, ["liquidity", "deflation", "seigniorage", "bank run"])
    qs = {q["key"]: q for q in quiz_of(folder, types=["short"], num_questions=4)["questions"] if q.get("form") == "term"}
    assert qs[stem_key("liquidity")]["stem"] == \
        "Which term names the ease of turning an asset into cash without loss?"
    assert qs[stem_key("deflation")]["stem"] == \
        "Which term names the case when the general level of prices falls across the whole economy for a long time?"
    assert qs[stem_key("seigniorage")]["stem"] == \
        "Which term means the profit a government makes by issuing its own currency?"
    assert qs[stem_key("deflation")]["answer"] == "deflation"
