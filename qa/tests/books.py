"""A small book written for the question tests (no corpus files)."""


def filler(sentence: str, times: int) -> str:
    return " ".join([sentence] * times)


FINANCE_MD = f"""# Notes on Corporate Valuation

## Chapter 1 Cash and Capital

### 1.1 Free cash flow

Free cash flow is the cash a business generates after paying for its operations and for the
investment that keeps it growing.
{filler("Analysts forecast free cash flow year by year from sales and margins.", 20)}

### 1.2 The cost of capital

Firms discount cash flows at the weighted average cost of capital (WACC), which blends the cost of
debt and the cost of equity in proportion to their market values.
{filler("Debt is usually cheaper than equity because interest is tax deductible.", 20)}

## Chapter 2 Value Beyond the Forecast

### 2.1 Terminal value

The terminal value is estimated with the Gordon growth model (GGM): next year's free cash flow
divided by the discount rate minus the perpetual growth rate.
{filler("The terminal value often dominates the total value of the firm.", 20)}

### 2.2 Sensitivity

{filler("Small changes in the growth rate move the GGM result a lot, so analysts show a range.", 22)}
"""

GARDEN_MD = f"""# Tomatoes for Beginners

## Chapter 1 Soil

Tomatoes grow best in loose soil rich in organic matter, with a pH between six and seven.
{filler("Compost improves drainage and feeds the roots of tomato plants through the season.", 30)}
"""

SCRIPT = (
    "Welcome. Today we study how analysts value a firm. First, free cash flow is the cash a business "
    "generates after paying for its operations and investment. We forecast it year by year. "
    + filler("We keep the forecast simple and explicit.", 40)
    + " Later we will estimate the terminal value with the Gordon growth model, which divides next "
    "year's cash flow by the discount rate minus the growth rate. " + filler("That closes the valuation.", 10)
)
