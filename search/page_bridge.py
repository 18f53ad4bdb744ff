"""The bridge over a page break (cầu nối giữa hai trang): quoted phrases that run from one page
of a document onto the next.

Pages are indexed one document per page, so a phrase whose first words end page 1 and whose
last words begin page 2 is on neither page. Each page therefore also carries a bridge field:
the folded last BRIDGE_WORDS words of its text, PAGE_BREAK, and the folded first BRIDGE_WORDS
words of the next page of the same document (PageDoc.next_text). Only phrase clauses consult
it (search.plan), and only with PAGE_BREAK inside the phrase — one variant per place the break
may fall — so a bridge matches a phrase that truly crosses the break and nothing else: not a
single word of the next page, not a phrase lying wholly on the next page (that page finds it
itself). The hit is the page where the phrase starts.

The field holds space-joined tokens split by a whitespace analyzer on both engines; PAGE_BREAK
is not a letter or digit, so no word typed can ever match it.
"""

from __future__ import annotations

from search.port import BRIDGE_WORDS
from search.vietnamese import folded_tokens

PAGE_BREAK = "§"


def bridge_text(text: str, next_text: str) -> str:
    """The bridge of a page: "tail … § head … " as folded tokens; "" when either side has no word."""
    tail, head = folded_tokens(text or "")[-BRIDGE_WORDS:], folded_tokens(next_text or "")[:BRIDGE_WORDS]
    if not tail or not head:
        return ""
    return " ".join([*tail, PAGE_BREAK, *head])


def bridge_phrases(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The phrase with PAGE_BREAK at each place it may fall (at least one word each side, at most
    BRIDGE_WORDS): what a bridge must hold for the phrase to cross the page break."""
    n = len(tokens)
    return tuple(tokens[:k] + (PAGE_BREAK,) + tokens[k:]
                 for k in range(max(1, n - BRIDGE_WORDS), min(n - 1, BRIDGE_WORDS) + 1))
