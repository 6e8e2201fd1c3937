"""The whole-lecture key-concept ranking (lecturelab.quiz.concepts) on small generated lectures."""

from __future__ import annotations

import json

import pytest

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.course import concept_index
from lecturelab.lecture.html import render_html
from lecturelab.quiz.concepts import (
    ConceptSettings,
    audience_names,
    explained,
    introduced,
    lemma,
    noun_phrase_spans,
    rank_concepts,
    variant_key,
)
from lecturelab.transcript.sentences import Sentence
from tests import lecture_fixtures as fx

tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env

# spoken glue between the ideas: function words and the commonest nouns only
FILLER = ["So that is what we do here.", "And then we go on from there.", "Yes, and so on.",
          "Is that clear to all of you?", "You can see that, right?", "All right, so where were we?"]


def lecture(defining: list[str], anecdote: list[str], minutes: float = 40.0, probs: dict | None = None
            ) -> list[Sentence]:
    """A generated lecture of ``minutes``: the ``defining`` sentences spread evenly over it, the
    ``anecdote`` sentences one after another in the middle, filler between. ``probs``: word -> the
    transcriber's probability (others 0.99)."""
    probs = probs or {}
    slots = 60
    texts = [FILLER[i % len(FILLER)] for i in range(slots)]
    step = slots // len(defining)
    for i, s in enumerate(defining):
        texts[i * step] = s
    mid = slots // 2 + 1
    for i, s in enumerate(anecdote):
        texts[mid + i] = s
    dt = minutes * 60 / slots
    out = []
    pos = 0
    for i, t in enumerate(texts):
        words = [(w, probs.get(w.strip(".,").lower(), 0.99)) for w in t.split()]
        out.append(Sentence(i, t, pos, pos + len(t), i * dt, i * dt + dt * 0.9, i, words))
        pos += len(t) + 1
    return out


DEFINING = ["Opportunity cost is the value of the next best alternative you give up.",
            "Every choice has an opportunity cost, even a free lunch.",
            "The opportunity costs of studying include the wages you do not earn.",
            "So when you compare options, count the opportunity cost of each.",
            "Firms think about opportunity costs when they price their capital.",
            "Remember that opportunity cost is about alternatives, not money spent."]
ANECDOTE = ["I got into my canoe on the lake last summer.",
            "The canoe tipped over near the dock.",
            "My canoe was full of water after that."]
DURATION = 40 * 60.0


def test_defined_repeated_concept_outranks_anecdote_prop():
    concepts = rank_concepts(lecture(DEFINING, ANECDOTE), DURATION)
    keys = [c["key"] for c in concepts]
    assert keys[0] == "opportun cost"
    top = concepts[0]
    assert top["defined"] is True and top["count"] == 6 and top["rank"] == 1
    assert top["definition"]["text"] == DEFINING[0] and top["definition"]["start"] == pytest.approx(0.0)
    assert top["first_time"] == pytest.approx(0.0)
    # the canoe is said three times within a minute: an anecdote's prop, not a concept of the lecture
    assert "cano" not in keys


def test_an_anecdote_term_said_over_the_whole_lecture_is_kept():
    spread = ["The canoe is a model of a small boat.", "A canoe needs balance.", "Our canoe example again.",
              "The canoe returns here.", "One last canoe remark."]
    keys = [c["key"] for c in rank_concepts(lecture(DEFINING[:1] + spread, []), DURATION)]
    assert "cano" in keys


def test_variants_merge_plural_and_acronym():
    sents = DEFINING + ["Gross domestic product measures output.", "GDP grew slowly last decade.",
                        "Real GDP removes inflation.", "We track gross domestic product every quarter."]
    concepts = rank_concepts(lecture(sents, []), DURATION)
    by_key = {c["key"]: c for c in concepts}
    cost = by_key["opportun cost"]
    assert {"opportunity cost", "opportunity costs"} <= set(cost["variants"]) and cost["term"] == "opportunity cost"
    assert "opportun costs" not in by_key
    gdp = by_key["gross domest product"]
    assert "GDP" in gdp["variants"] and gdp["count"] == 4
    assert "gdp" not in by_key


def test_irregular_plurals_take_their_singular():
    assert [lemma(w) for w in ["equilibria", "criteria", "phenomena", "crises", "hypotheses", "women"]] == \
        ["equilibrium", "criterion", "phenomenon", "crisis", "hypothesis", "woman"]
    # a regular plural whose "s" or "es" gives a commoner word stays for Porter ("base", "tax"), as do singulars
    assert [lemma(w) for w in ["bases", "taxes", "equilibrium", "area", "status"]] == \
        ["bases", "taxes", "equilibrium", "area", "status"]
    assert variant_key("Nash equilibria") == variant_key("Nash equilibrium") == stem_key("Nash equilibrium")
    assert variant_key("Maria") != variant_key("Marion")   # a capitalised word is a name: no ending is changed


def test_irregular_plural_variants_merge_into_one_concept():
    sents = DEFINING + ["A Nash equilibrium is a pair of best responses.", "Games can have many Nash equilibria.",
                        "We list the Nash equilibria of this game.", "Each Nash equilibrium is stable here.",
                        "The Nash equilibria are where the lines cross."]
    by_key = {c["key"]: c for c in rank_concepts(lecture(sents, []), DURATION)}
    # said three times to two: the form said most names it and gives its key
    nash = by_key[stem_key("Nash equilibria")]
    assert nash["count"] == 5 and {"Nash equilibrium", "Nash equilibria"} <= set(nash["variants"])
    assert nash["term"] == "Nash equilibria"
    assert stem_key("Nash equilibrium") not in by_key


def test_a_student_called_on_is_no_concept():
    assert audience_names([fx_sentence("Yes, Sarah?"), fx_sentence("Go ahead, Sarah."),
                           fx_sentence("Yes, Malthus said so.")]) == {"sarah": 2}
    sarah = ["Yes, Sarah?", "Go ahead, Sarah.", "Thank you, Sarah, that is right.", "Yes, Sarah?"]
    late = ["Sarah reminds us of the deadline."]
    keys = [c["key"] for c in rank_concepts(lecture(DEFINING + sarah + late, []), DURATION)]
    assert "opportun cost" in keys and "sarah" not in keys
    # a thinker named in a reply and all through the lecture stays ("Yes, Malthus." once, four times elsewhere)
    malthus = ["Who said it? Yes, Malthus.", "Malthus feared growth.", "Malthus wrote an essay.",
               "For Malthus food was the limit.", "Malthus again."]
    keys = [c["key"] for c in rank_concepts(lecture(DEFINING + malthus, []), DURATION)]
    assert "malthu" in keys


def test_classroom_talk_is_no_concept():
    chores = ["The homework is due on Monday.", "Your homework covers chapter two.", "Bring the homework.",
              "Read the syllabus.", "The syllabus lists the readings.", "Check the syllabus again."]
    keys = [c["key"] for c in rank_concepts(lecture(DEFINING + chores, []), DURATION)]
    assert "opportun cost" in keys and not {"homework", "syllabu"} & set(keys)


def test_introduced_topic_and_title_length():
    s = "Today let's talk about comparative advantage in trade."
    a = s.index("comparative advantage")
    assert introduced(s, (a, a + len("comparative advantage")))
    s = "Comparative advantage explains trade."
    assert not introduced(s, (0, len("comparative advantage")))
    sents = DEFINING + ["Now we turn to comparative advantage.", "Comparative advantage explains trade.",
                        "Comparative advantage again.", "Comparative advantage in practice."]
    by_key = {c["key"]: c for c in rank_concepts(lecture(sents, []), DURATION)}
    assert by_key["compar advantag"]["features"]["introduced"] == 1.0
    assert by_key["opportun cost"]["features"]["introduced"] == 0.0
    assert by_key["opportun cost"]["features"]["words"] == 1.0   # two words: the length of a title
    long = ["The efficient capital market hypothesis fits.", "An efficient capital market hypothesis again.",
            "Efficient capital market hypothesis here.", "One efficient capital market hypothesis more."]
    by_key = {c["key"]: c for c in rank_concepts(lecture(DEFINING + long, []), DURATION)}
    assert by_key[stem_key("efficient capital market hypothesis")]["features"]["words"] == 0.0


def fx_sentence(text: str, i: int = 0) -> Sentence:
    """One sentence at ``i`` seconds (no transcriber probabilities)."""
    return Sentence(i, text, 0, len(text), float(i), float(i) + 1.0, i, [])


def test_low_confidence_term_is_dropped():
    heard_badly = rank_concepts(lecture(DEFINING, [], probs={"opportunity": 0.2}), DURATION)
    assert "opportun cost" not in [c["key"] for c in heard_badly]
    heard_well = rank_concepts(lecture(DEFINING, [], probs={"opportunity": 0.9}), DURATION)
    assert "opportun cost" in [c["key"] for c in heard_well]


def test_common_words_and_fragments_are_no_concepts():
    common = ["Many people work at home.", "People love the world.", "The world of work is big.",
              "Home is where people are.", "Work from home, people say."]   # Zipf: work 5.96, world 5.89, home 5.81
    sents = lecture(DEFINING + common, [])
    keys = [c["key"] for c in rank_concepts(sents, DURATION, settings=ConceptSettings(common_zipf=5.5))]
    assert "opportun cost" in keys
    assert not {"peopl", "world", "work", "home"} & set(keys)   # every word very common, or a classroom word
    assert "cost" not in keys   # said only inside "opportunity cost"
    lenient = [c["key"] for c in rank_concepts(sents, DURATION, settings=ConceptSettings(common_zipf=8.0))]
    assert {"world", "home"} <= set(lenient) and "peopl" not in lenient


def test_tagger_keyphrases_join_the_candidates():
    sents = DEFINING + ["We will later price capital with care.", "Price it right."]
    kp = [{"phrase": "price", "key": "price", "score": 0.9}]
    with_kp = {c["key"]: c for c in rank_concepts(lecture(sents, []), DURATION, kp)}
    assert with_kp["opportun cost"]["features"]["tagger"] == 0.0
    assert any(c["features"]["tagger"] == pytest.approx(0.9) for c in with_kp.values())
    adjective = [{"phrase": "clear", "key": "clear", "score": 0.9}]   # a span ending in an adjective: no concept
    assert "clear" not in {c["key"] for c in rank_concepts(lecture(sents + ["Is that clear?"] * 3, []), DURATION,
                                                           adjective)}


def test_a_possessive_tagger_keyphrase_joins_its_noun():
    sents = DEFINING + ["Weber wrote about rationality.", "Weber's student disagreed.", "Later Weber came back."]
    kp = [{"phrase": "Weber's", "key": stem_key("Weber's"), "score": 0.9}]
    keys = [c["key"] for c in rank_concepts(lecture(sents, []), DURATION, kp)]
    assert stem_key("Weber") in keys and stem_key("Weber's") not in keys
    weber = next(c for c in rank_concepts(lecture(sents, []), DURATION, kp) if c["key"] == stem_key("Weber"))
    assert weber["features"]["tagger"] > 0


def test_embedding_centrality_reorders_with_the_embedder():
    sents = DEFINING + ["Comparative advantage explains trade between countries.",
                        "With comparative advantage both sides gain.", "Comparative advantage again.",
                        "Finally comparative advantage in practice."]

    def embed(texts):   # a toy embedder: texts about trade point one way, everything else another
        import numpy as np
        return np.array([[1.0, 0.0] if "advantage" in t else [0.0, 1.0] for t in texts])

    ranked = [c["key"] for c in rank_concepts(lecture(sents, []), DURATION, None,
                                              ConceptSettings(weights={**ConceptSettings().weights, "central": 5.0}),
                                              embed)]
    assert ranked.index("opportun cost") < ranked.index("compar advantag")   # the centroid leans to "cost"


def test_explained_patterns():
    s = "What I mean by moral hazard is simple."
    a = s.index("moral hazard")
    assert explained(s, (a, a + len("moral hazard")))
    s = "The price of moral hazard rose."
    a = s.index("moral hazard")
    assert not explained(s, (a, a + len("moral hazard")))


def test_noun_phrases_strip_possessive_and_stop_words():
    text = "Weber's argument about the Protestant ethic was famous."
    forms = {text[a:b] for a, b in noun_phrase_spans(text)}
    assert "Weber" in forms and "Protestant ethic" in forms
    assert not any("the" in f.split() for f in forms)


def test_settings_name_an_unknown_key():
    with pytest.raises(ValueError, match="concepts: unknown key"):
        ConceptSettings.from_cfg({"topp": 3})
    with pytest.raises(ValueError, match="concepts.weights: unknown feature"):
        ConceptSettings.from_cfg({"weights": {"fame": 1}})


def test_process_names_a_bad_concepts_key_before_any_work(tmp_path):
    from lecturelab.lecture.pipeline import check_run

    cfg = fx.compose_process([f"input={tmp_path / 'none.wav'}", "+concepts.topp=3"])
    with pytest.raises(ValueError, match=r"concepts: unknown key\(s\) \['topp'\]"):
        check_run(cfg)


def _doc(text: str) -> dict:
    return {"source": {"name": "l.wav", "duration": 60.0, "media_file": None}, "segments": [
        {"id": 0, "start": 0.0, "end": 5.0, "char_start": 0, "char_end": len(text), "text": text, "words": []}],
        "text": text, "keyphrases": [{"char_start": 0, "char_end": 5, "key": "price", "start": 0.0}],
        "transcriber": {"model": "tiny.en"}}


def test_page_index_leads_with_key_concepts_then_the_rest():
    text = "Price and opportunity cost."
    kps = [{"phrase": "price", "key": "price", "count": 1, "occurrences": [
        {"start": 0.0, "end": 1.0, "char_start": 0, "char_end": 5, "segment": 0}]}]
    concepts = [{"rank": 1, "term": "opportunity cost", "key": "opportun cost", "count": 1, "first_time": 1.5}]
    page = render_html(_doc(text), kps, False, None, None, concepts)
    assert page.index("Key concepts") < page.index("Other keyphrases")
    assert 'href="#t=1.5">opportunity cost</a>' in page
    plain = render_html(_doc(text), kps, False, None, None, None)
    assert "Key concepts" not in plain and ">Keyphrases<" in plain


def test_course_index_leads_with_key_concepts():
    lectures = [{"name": "a", "segments": [], "chapters": [],
                 "keyphrases": [{"key": "apple", "phrase": "apple", "occurrences": [{"start": 1.0}]},
                                {"key": "zebra", "phrase": "zebra", "occurrences": [{"start": 2.0}]}],
                 "concepts": [{"rank": 1, "key": "zebra", "term": "zebra", "count": 1, "first_time": 2.0},
                              {"rank": 2, "key": "opportun cost", "term": "opportunity cost", "count": 3,
                               "first_time": 5.0}]}]
    index = concept_index(lectures)
    assert [c["phrase"] for c in index] == ["zebra", "opportunity cost", "apple"]
    assert index[1]["occurrences"] == [{"lecture": 0, "start": 5.0}] and index[2]["key_rank"] is None
    json.dumps(index)   # plain data for the page


@pytest.mark.slow
def test_process_writes_concepts_and_the_page_leads_with_them(lecture_env, tmp_path, monkeypatch):
    """`lecturelab process` on a generated 40-minute caption file: concepts.json with the defined, repeated
    concept first and no anecdote prop; the page's index opens with it. The tiny checkpoint's keyphrases
    are random, so the tagger feature is off here."""
    from lecturelab.lecture import transcribe as transcribe_module
    from lecturelab.lecture.pipeline import process
    from tests.test_lecture_captions import _no_whisper, write_vtt

    monkeypatch.setitem(transcribe_module.TRANSCRIBERS, "faster_whisper", _no_whisper([]))
    cues = [(s.start, s.end, s.text) for s in lecture(DEFINING, ANECDOTE)]
    vtt = write_vtt(tmp_path / "costs.en.vtt", cues)
    out = tmp_path / "out"
    cfg = fx.compose_process([o for o in lecture_env["overrides"] if not o.startswith(("output_dir", "quiz="))]
                             + [f"input={vtt}", f"output_dir={out}", "quiz=none", "concepts.weights.tagger=0"])
    assert process(cfg) == 0
    data = json.loads((out / "costs" / "concepts.json").read_text())
    keys = [c["key"] for c in data["concepts"]]
    assert data["top"] == 20 and keys[0] == "opportun cost" and "cano" not in keys
    assert "concepts.json" in json.loads((out / "costs" / "transcript.json").read_text())["outputs"]
    page = (out / "costs" / "transcript.html").read_text()
    assert page.index("Key concepts") < page.index("opportunity cost") < page.index('class="transcript"')
