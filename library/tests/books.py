"""Small books written by the tests themselves (no corpus files)."""

VALUATION_MD = (
    """# A Short Book on Valuation

*By Test Author*

## Chapter 1 Cash Flows

### Free cash flow

Free cash flow is the cash a business generates after paying for its operations and for the
investment in fixed assets and working capital that keeps it growing. Analysts start from operating
profit, subtract taxes, add back depreciation, subtract capital expenditure and the increase in working
capital. The result is the cash available to every provider of capital, debt and equity alike.
"""
    + " ".join(["Free cash flow forecasts need careful assumptions about margins and reinvestment."] * 30)
    + """

### Working capital

Working capital ties up cash in inventories and receivables. A growing firm usually needs more of it,
and the increase is a use of cash that reduces free cash flow in the year it happens.
"""
    + " ".join(["Receivables and inventories grow with sales and absorb cash."] * 25)
    + """

## Chapter 2 Discounting

### The discount rate

The weighted average cost of capital blends the cost of equity and the after-tax cost of debt in
proportion to their market values. The cost of equity comes from the capital asset pricing model:
the risk-free rate plus beta times the equity risk premium.
"""
    + " ".join(["Discounting converts future cash into present value at the cost of capital."] * 30)
    + """

### Terminal value

The terminal value captures the cash flows beyond the explicit forecast. With the Gordon growth model
it equals next year's free cash flow divided by the discount rate minus the perpetual growth rate.
"""
    + " ".join(["Terminal value often dominates the total enterprise value of a firm."] * 25)
    + "\n"
)


GARDENING_TXT = (
    """Tomatoes for Beginners
By Test Gardener

Chapter 1: Soil

Tomatoes grow best in loose soil rich in organic matter, with a pH between six and seven.
"""
    + " ".join(["Compost improves drainage and feeds the roots of tomato plants through the season."] * 40)
    + """

Chapter 2: Watering

Water deeply and regularly at the base of the plant so that the roots grow down into cooler soil.
"""
    + " ".join(["Irregular watering splits the fruit and causes blossom end rot in tomatoes."] * 40)
    + "\n"
)


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path
