"""A quiz question tests the objective its quoted sentence is about (issue: a yeast question under
"Define hydration" in the browser journey's lecture)."""

from types import SimpleNamespace

from lectures.writing.quiz import candidates, objective_about

HYDRATION = "Hydration is the weight of water divided by the weight of flour, expressed as a percentage."
YEAST = "Yeast is a single-celled fungus that feeds on the sugars released from starch."
MILLERS = "Millers blend wheats from different harvests so that a bag of flour behaves the same way."
TERMS = (
    "Gluten is the elastic network that forms when the proteins glutenin and gliadin meet water. "
    "Proofing is the final rise of the shaped loaf before it goes into the oven. "
    "Scoring is the cut a baker makes across the top of the loaf just before baking. "
)


def brief(objectives):
    text = " ".join([HYDRATION, YEAST, MILLERS, TERMS])
    passage = {"book_title": "Bread", "chapter": "Chapter 1", "chapter_id": 1, "text": text}
    return SimpleNamespace(objectives=objectives, passages={7: passage})


def test_each_question_tests_the_objective_its_sentence_is_about():
    objectives = ["Define hydration", "Define yeast", "Define gluten"]
    cited = [{"chunk_id": 7, "quote": q} for q in (HYDRATION, YEAST, MILLERS)]
    questions = candidates("Define hydration", cited, brief(objectives))
    tested = {q["quote"]: q["objective"] for q in questions}
    assert tested == {HYDRATION: "Define hydration", YEAST: "Define yeast"}  # millers: no objective's


def test_a_sentence_about_no_objective_tests_the_segment_s_only_when_loose():
    cited = [{"chunk_id": 7, "quote": MILLERS}]
    assert candidates("Define hydration", cited, brief(["Define hydration"])) == []
    loose = candidates("Define hydration", cited, brief(["Define hydration"]), loose=True)
    assert [q["objective"] for q in loose] == ["Define hydration"]


def test_the_objective_s_verb_is_not_what_it_is_about():
    objectives = ["Define hydration", "Explain why wetter doughs ferment faster"]
    assert objective_about("A loaf is defined by its crust.", objectives, objectives[0]) is None
    assert objective_about("Wetter doughs ferment faster.", objectives, objectives[0]) == objectives[1]


def test_a_definition_tests_the_objective_naming_its_term():
    objectives = ["Define flour", "Define hydration", "Define oven spring"]
    # "flour" and "hydration" both occur; the sentence defines hydration.
    assert objective_about(HYDRATION, objectives, "Define flour") == "Define hydration"
    # A definition of a term no objective names (proofing) tests none, though it mentions the oven.
    proofing = "Proofing is the final rise of the shaped loaf before it goes into the oven."
    assert objective_about(proofing, objectives, "Define oven spring") is None
