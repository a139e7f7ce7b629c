"""TeX maths left in a book's prose (MathJax-style ``\\(p\\)-value``, ``\\[ ... \\]``) as plain text.

Books written for MathJax keep their maths as TeX between ``\\(``/``\\)`` or ``\\[``/``\\]``. Left as
is, "the \\(p\\)-value" is not the word "p-value" for search or for a definition lookup, and a learner
reads backslashes in every quote. Simple maths becomes the text it reads as ("p-value", "χ² test",
"α = .05"); a command this module does not know keeps its name without the backslash, so nothing is
lost and the text stays searchable.
"""

from __future__ import annotations

import re

_MATH_RE = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)

_SYMBOLS = {
    # Greek letters
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # operators and relations
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "~", "equiv": "≡",
    "infty": "∞", "sum": "Σ", "prod": "Π", "int": "∫", "partial": "∂", "nabla": "∇",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "iff": "⇔",
    "ldots": "…", "dots": "…", "cdots": "…", "forall": "∀", "exists": "∃", "neg": "¬",
    "lt": "<", "gt": ">", "%": "%", "$": "$", "{": "{", "}": "}", "_": "_", "&": "&", "#": "#",
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SQRT_RE = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_WRAPPER_RE = re.compile(
    r"\\(?:text|mbox|textrm|textit|textbf|mathrm|mathit|mathbf|mathsf|mathcal|mathbb|boldsymbol|"
    r"operatorname|bar|hat|tilde|vec|overline|underline)\s*\{([^{}]*)\}"
)
_ACCENT_RE = re.compile(r"\\(?:hat|bar|tilde|vec|dot|ddot|overline)\s*(?=\\|[A-Za-z])(?![A-Za-z]*\{)")
_PRIME_RE = re.compile(r"\^\s*(?:\\prime|\{\\prime\})")
_SIZING_RE = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)\b\s*\\?")
_SPACING_RE = re.compile(r"\\[,;:! ]|\\q?quad\b|~")
_SCRIPT_RE = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+|[A-Za-z0-9]))")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+|[%${}_&#])")


def _script(match: re.Match) -> str:
    """x^2 -> x², x_{i} -> x_i: Unicode where every character has a raised or lowered form."""
    mark, body = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    table = _SUPERSCRIPTS if mark == "^" else _SUBSCRIPTS
    if body and all(ord(ch) in table for ch in body):
        return body.translate(table)
    return f"{mark}{body}" if len(body) == 1 or body.startswith("\\") else f"{mark}({body})"


def plain_math(tex: str) -> str:
    """One piece of TeX maths as the plain text it reads as."""
    text = _SIZING_RE.sub("", tex)
    text = _SPACING_RE.sub(" ", text)
    text = _ACCENT_RE.sub("", _PRIME_RE.sub("′", text))
    for _ in range(3):  # innermost braces first: \frac{\sum_{i=1}^N X_i}{N}
        text = _WRAPPER_RE.sub(r"\1", text)
        text = _SCRIPT_RE.sub(_script, text)
        text = _SQRT_RE.sub(r"√(\1)", text)
        text = _FRAC_RE.sub(lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", text)
    text = _COMMAND_RE.sub(_command, text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _command(match: re.Match) -> str:
    name = match.group(1)
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    follows = match.string[match.end() : match.end() + 1]
    return f"{name} " if follows == "{" else name  # \operatorname-like: "\\foo{x}" -> "foo x"


def _group(part: str) -> str:
    part = part.strip()
    return part if re.fullmatch(r"[\w.·\\]+", part) else f"({part})"


def plain_inline_math(text: str) -> str:
    """``text`` with each ``\\( ... \\)`` and ``\\[ ... \\]`` replaced by :func:`plain_math`."""
    if "\\(" not in text and "\\[" not in text:
        return text
    return _MATH_RE.sub(lambda m: plain_math(m.group(1) if m.group(1) is not None else m.group(2)), text)
