"""Small books the course tests write themselves: a few key sentences per section (definitions,
formulas, procedures) padded with varied sentences in the section's own vocabulary, so that
sections have realistic lengths (hundreds to a few thousand words)."""

from __future__ import annotations

import random

FILLER = [
    "In practice {a} and {b} appear together whenever {c} is discussed.",
    "Consider how {a} changes when {b} grows while {c} stays fixed.",
    "A careful reader checks {a} against {b} before drawing conclusions about {c}.",
    "Many worked cases show {a} interacting with {b}, and each case adds detail about {c}.",
    "The text returns to {a} several times, because {b} depends on it and {c} builds on both.",
    "Students often confuse {a} with {b}; the distinction matters for {c}.",
    "Later sections revisit {a}, extending {b} to situations involving {c}.",
    "One useful habit is to write down {a}, then {b}, and only then reason about {c}.",
]


def prose(words: list[str], count: int, seed: str) -> str:
    """About `count` words of sentences built from `words` (deterministic per seed)."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < count:
        a, b, c = rng.sample(words, 3) if len(words) >= 3 else (words * 3)[:3]
        sentence = rng.choice(FILLER).format(a=a, b=b, c=c)
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence)
        total += len(sentence.split())
    paragraphs = [" ".join(out[i : i + 6]) for i in range(0, len(out), 6)]
    return "\n\n".join(paragraphs)


def section(heading: str, key: str, words: list[str], count: int, level: int = 3) -> str:
    return f"{'#' * level} {heading}\n\n{key}\n\n{prose(words, count, heading)}\n\n"


RUST_WORDS = [
    "the stack",
    "the heap",
    "a variable",
    "a value",
    "the compiler",
    "a function",
    "a scope",
    "a string",
]
RUST_MD = (
    "# The Rust Book for Tests\n\n## Foreword\n\nThis short foreword thanks the readers.\n\n"
    "## Understanding Ownership\n\nOwnership is the most unusual feature of the language.\n\n"
    + section(
        "What Is Ownership?",
        "Ownership is a set of rules that govern how a program manages memory. Each value has an owner, "
        "and there can only be one owner at a time. When the owner goes out of scope, the value is dropped. "
        "A move transfers ownership of a heap value from one variable to another.",
        RUST_WORDS + ["ownership", "the owner", "a move"],
        2600,
    )
    + section(
        "References and Borrowing",
        "A reference is an address we can follow to reach data owned by some other variable. Creating a "
        "reference is called borrowing. The borrow checker rejects two mutable references to the same value "
        "at the same time, because that would allow a data race. To borrow a value mutably, use &mut before "
        "the variable name.",
        RUST_WORDS + ["borrowing", "a reference", "a mutable reference", "the borrow checker"],
        2200,
    )
    + section(
        "The Slice Type",
        "A slice is a reference to a contiguous sequence of elements in a collection rather than the whole "
        "collection. A string slice is a reference to part of a string.",
        RUST_WORDS + ["a slice", "a string slice", "an index"],
        1500,
    )
    + "## Fearless Concurrency\n\nConcurrency lets parts of a program run at the same time.\n\n"
    + section(
        "Using Threads to Run Code Simultaneously",
        "A thread is an independent path of execution. To create a new thread, call thread::spawn with a "
        "closure. A join handle waits for a thread to finish. Threads can take ownership of the values "
        "they use with a move closure.",
        ["a thread", "a join handle", "the operating system", "a closure", "the main thread", "a channel"],
        2400,
    )
    + section(
        "Message Passing Between Threads",
        "A channel sends values from one thread to another. The sender and the receiver are its two halves.",
        ["a channel", "the sender", "the receiver", "a thread", "a message", "the main thread"],
        1800,
    )
    + "## Appendix\n\n"
    + section(
        "How Rust is Made and Nightly Rust",
        "The language is released every six weeks through a train of release channels.",
        ["the release channel", "a nightly build", "the beta channel", "a feature flag"],
        900,
    )
)

FINANCE_WORDS = [
    "the interest rate",
    "a cash flow",
    "the present value",
    "the future value",
    "a payment",
    "the period",
]
FINANCE_MD = (
    "# Corporate Finance for Tests\n\n## Preface\n\nThis preface explains how to use the book.\n\n"
    "## Chapter 1 The Time Value of Money\n\nMoney today is worth more than money tomorrow.\n\n"
    + section(
        "1.1 Compound Interest",
        "Compound interest is interest earned on both the principal and the interest already earned. "
        "The future value equals the present value times one plus the interest rate raised to the number "
        "of periods. To calculate the future value of a deposit, multiply it by the compounding factor.",
        FINANCE_WORDS + ["compound interest", "the principal", "the compounding factor"],
        2400,
    )
    + section(
        "1.2 Discounting",
        "Discounting converts a future amount into its present value at a given rate. The discount factor "
        "is one divided by one plus the rate raised to the number of periods.",
        FINANCE_WORDS + ["the discount factor", "discounting", "the discount rate"],
        1800,
    )
    + "## Chapter 2 Annuities and Perpetuities\n\nMany contracts pay the same amount every period.\n\n"
    + section(
        "2.1 Ordinary Annuities",
        "An annuity is a series of equal payments made at regular intervals for a fixed number of periods. "
        "The present value of an annuity equals the payment times one minus the discount factor, divided by "
        "the rate. To calculate the payment on a mortgage, solve the annuity formula for the payment.",
        FINANCE_WORDS + ["an annuity", "the annuity formula", "a mortgage", "the annuity payment"],
        2400,
    )
    + section(
        "2.2 Growing Perpetuities",
        "A perpetuity is a stream of equal payments that continues forever. The present value of a growing "
        "perpetuity equals the first payment divided by the rate minus the growth rate, the Gordon growth "
        "model.",
        FINANCE_WORDS
        + ["a perpetuity", "the growth rate", "the Gordon growth model", "a growing perpetuity"],
        2000,
    )
    + "## Chapter 3 The Cost of Capital\n\nFirms pay for the capital they use.\n\n"
    + section(
        "3.1 The Weighted Average Cost of Capital",
        "The weighted average cost of capital (WACC) blends the cost of equity and the after-tax cost of "
        "debt in proportion to their market values. The cost of equity comes from the capital asset pricing "
        "model. Options are mentioned here only in passing.",
        [
            "the cost of capital",
            "the cost of equity",
            "the cost of debt",
            "the market value",
            "beta",
            "the tax rate",
        ],
        2600,
    )
    + "## Index\n\nannuity, 12; capital, 40; interest, 3; perpetuity, 18; compound interest, 4\n\n"
)

SOVEREIGN_MD = (
    "# An Old Treatise for Tests\n\n## Of the Expenses of the Sovereign\n\n"
    + section(
        "Of the Expenses of Defence",
        "The first duty of the sovereign is protecting the society from violence. Public debts bear "
        "interest, and the interest is paid from taxes.",
        ["the sovereign", "the militia", "the revenue", "the public debt", "taxes", "the army"],
        3000,
    )
    + section(
        "Of the Expenses of Justice",
        "The second duty of the sovereign is protecting every member of society from injustice.",
        ["the sovereign", "the courts", "the judge", "the fees", "justice", "the revenue"],
        2500,
    )
)

VALUATION_WORDS = [
    "free cash flow",
    "the forecast",
    "the discount rate",
    "the firm",
    "enterprise value",
    "the margin",
]
VALUATION_MD = (
    "# A Short Book on Valuation\n\n*By Test Author*\n\n## Chapter 1 Cash Flows\n\n"
    "Discounted cash flow (DCF) valuation starts from the cash a business generates.\n\n"
    + section(
        "Free cash flow",
        "Free cash flow is the cash a business generates after paying for its operations and investment. "
        "Analysts start from operating profit, subtract taxes, add back depreciation and subtract capital "
        "expenditure.",
        VALUATION_WORDS + ["operating profit", "capital expenditure", "depreciation"],
        2500,
    )
    + section(
        "Working capital",
        "Working capital ties up cash in inventories and receivables. "
        "A growing firm usually needs more of it.",
        VALUATION_WORDS + ["working capital", "inventories", "receivables"],
        2300,
    )
    + "## Chapter 2 Discounting\n\nDCF valuation discounts every forecast cash flow.\n\n"
    + section(
        "The discount rate",
        "The weighted average cost of capital blends the cost of equity and the after-tax cost of debt. "
        "Discounting converts future cash into present value at the cost of capital.",
        VALUATION_WORDS + ["the cost of capital", "discounting", "the cost of equity", "present value"],
        2500,
    )
    + section(
        "Terminal value",
        "The terminal value captures the cash flows beyond the explicit forecast. With the Gordon growth "
        "model it equals next year's free cash flow divided by the discount rate minus the growth rate.",
        VALUATION_WORDS + ["terminal value", "the growth rate", "the Gordon growth model", "discounting"],
        2300,
    )
)

GARDEN_WORDS = ["tomato plants", "the roots", "the season", "the garden bed", "the gardener", "the leaves"]
GARDENING_MD = (
    "# Tomatoes for Beginners\n\nBy Test Gardener\n\n## Chapter 1: Soil\n\n"
    + section(
        "Soil structure",
        "Tomatoes grow best in loose soil rich in organic matter. "
        "Compost improves drainage and feeds the roots.",
        GARDEN_WORDS + ["the soil", "compost", "organic matter", "drainage"],
        3600,
    )
    + section(
        "Soil acidity",
        "Soil pH measures how acidic the soil is; tomatoes prefer a pH between six and seven.",
        GARDEN_WORDS + ["the soil", "soil pH", "lime", "acidity"],
        3400,
    )
    + "## Chapter 2: Watering\n\n"
    + section(
        "Watering schedules",
        "Water deeply and regularly at the base of the plant so that the roots grow down into cooler soil.",
        GARDEN_WORDS + ["watering", "the hose", "the morning", "the soil"],
        3600,
    )
    + section(
        "Watering problems",
        "Irregular watering splits the fruit and causes blossom end rot in tomatoes.",
        GARDEN_WORDS + ["watering", "blossom end rot", "split fruit", "drought"],
        3400,
    )
)

DCF_CHAPTERS = [
    ("Forecasting Cash Flows", ["Revenue forecasts", "Operating margins"]),
    ("Reinvestment", ["Capital expenditure", "Working capital needs"]),
    ("Discount Rates", ["The cost of equity", "The cost of debt"]),
    ("Terminal Value", ["Stable growth", "Exit multiples"]),
    ("From Enterprise Value to Equity", ["Net debt", "Share counts"]),
    ("Valuation in Practice", ["Sensitivity analysis", "Common mistakes"]),
]
DCF_BOOK_MD = "# Discounted Cash Flow Valuation\n\n" + "".join(
    f"## Chapter {n} {chapter}\n\nDiscounted cash flow (DCF) valuation needs {chapter.lower()}.\n\n"
    + "".join(
        section(
            heading,
            f"{heading} matter to every discounted cash flow valuation of a firm.",
            VALUATION_WORDS + [heading.lower(), "discounted cash flow", "the valuation"],
            2400,
        )
        for heading in headings
    )
    for n, (chapter, headings) in enumerate(DCF_CHAPTERS, start=1)
)
