"""EPUB 2/3: container.xml -> OPF -> spine, chapters from the EPUB 3 nav or the EPUB 2 NCX.

The archive is untrusted: it is opened through :mod:`library.parsing.epub_archive` (size and ratio
guards, capped reads), and the words read are counted against the per-book limit as documents are
parsed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag

import lxml.etree as etree
import lxml.html

from library.parsing.base import (
    Block,
    IngestError,
    ParsedChapter,
    check_word_limit,
    clean_title,
    count_words,
    finish_book,
    normalize_ws,
)
from library.parsing.epub_archive import EpubArchive, open_epub
from library.parsing.html import html_events, inline_text, localname

PROMOTE_MAX_WORDS = (
    50  # a top-level nav entry whose own page is this short (a half-title) yields to its children
)

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
_STRICT_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)


def _xml(data: bytes, what: str):
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise IngestError(f"This EPUB is damaged: {what} is not readable XML.")
    return root


def _xhtml(data: bytes):
    """Strict XML first (keeps namespaces and ids exact); the forgiving HTML parser as a fallback."""
    try:
        root = etree.fromstring(data, _STRICT_XML_PARSER)
        if root is not None:
            return root
    except etree.XMLSyntaxError:
        pass
    try:
        return lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return lxml.html.fromstring(b"<html><body></body></html>")


def _children(el, name: str):
    return [c for c in el if localname(c) == name]


def _first(el, name: str):
    for c in el.iter():
        if localname(c) == name:
            return c
    return None


@dataclass
class _NavNode:
    title: str
    doc: str | None
    frag: str | None
    children: list[_NavNode] = field(default_factory=list)


def _resolve(base: str, href: str) -> tuple[str | None, str | None]:
    href, frag = urldefrag(href or "")
    if not href:
        return (base if frag else None), (frag or None)
    if "://" in href or href.startswith(("mailto:", "data:")):
        return None, None
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(href))), (frag or None)


def _nav_from_xhtml(root, base: str) -> list[_NavNode]:
    navs = [el for el in root.iter() if localname(el) == "nav"]
    toc = None
    for nav in navs:
        types = " ".join(v for k, v in nav.attrib.items() if k.endswith("type")).split()
        if "toc" in types:
            toc = nav
            break
    if toc is None and navs:
        toc = navs[0]
    if toc is None:
        return []
    top = _first(toc, "ol")
    return _nav_list(top, base) if top is not None else []


def _nav_list(ol, base: str) -> list[_NavNode]:
    nodes = []
    for li in _children(ol, "li"):
        label = None
        sub = None
        for c in li:
            name = localname(c)
            if name in ("a", "span") and label is None:
                label = c
            elif name == "ol":
                sub = c
        if label is None:
            continue
        doc, frag = _resolve(base, label.get("href", "")) if localname(label) == "a" else (None, None)
        node = _NavNode(normalize_ws(inline_text(label)), doc, frag)
        if sub is not None:
            node.children = _nav_list(sub, base)
        nodes.append(node)
    return nodes


def _nav_from_ncx(root, base: str) -> list[_NavNode]:
    nav_map = _first(root, "navmap")
    return _ncx_points(nav_map, base) if nav_map is not None else []


def _ncx_points(parent, base: str) -> list[_NavNode]:
    nodes = []
    for point in _children(parent, "navpoint"):
        label = _first(point, "text")
        content = next((c for c in point if localname(c) == "content"), None)
        doc, frag = _resolve(base, content.get("src", "")) if content is not None else (None, None)
        node = _NavNode(normalize_ws("".join(label.itertext())) if label is not None else "", doc, frag)
        node.children = _ncx_points(point, base)
        nodes.append(node)
    return nodes


def _first_doc(node: _NavNode) -> str | None:
    if node.doc:
        return node.doc
    for c in node.children:
        d = _first_doc(c)
        if d:
            return d
    return None


def parse_epub(
    path: Path,
    *,
    words_per_page: int = 300,
    max_unpacked_bytes: int = 500 * 2**20,
    max_words: int | None = None,
    name: str = "This book",
):
    """Parse an EPUB; IngestError as soon as the documents read hold more than ``max_words``."""
    path = Path(path)
    archive = open_epub(path, max_unpacked_bytes=max_unpacked_bytes)
    try:
        return _parse(archive, words_per_page, lambda words: check_word_limit(words, max_words, name))
    finally:
        archive.close()


def _parse(archive: EpubArchive, words_per_page: int, check_words):
    container = _xml(archive.read("META-INF/container.xml"), "META-INF/container.xml")
    rootfile = next((el for el in container.iter() if localname(el) == "rootfile"), None)
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path or not archive.has(opf_path):
        raise IngestError("This EPUB is damaged: its package document (OPF) is missing.")
    opf = _xml(archive.read(opf_path), "the package document")

    metadata = _first(opf, "metadata")
    title = ""
    authors: list[str] = []
    if metadata is not None:
        for el in metadata.iter():
            name = localname(el)
            if name == "title" and not title:
                title = normalize_ws("".join(el.itertext()))
            elif name == "creator":
                creator = normalize_ws("".join(el.itertext()))
                if creator and creator not in authors:
                    authors.append(creator)

    manifest: dict[str, tuple[str, str, str]] = {}
    for item in opf.iter():
        if localname(item) == "item" and item.get("id") and item.get("href"):
            href, _ = _resolve(opf_path, item.get("href"))
            manifest[item.get("id")] = (href, item.get("media-type", ""), item.get("properties", ""))

    spine_el = _first(opf, "spine")
    spine: list[str] = []
    if spine_el is not None:
        for ref in _children(spine_el, "itemref"):
            entry = manifest.get(ref.get("idref", ""))
            if entry and entry[0] and entry[0] not in spine and "html" in (entry[1] or "html"):
                spine.append(entry[0])
    if not spine:
        raise IngestError("This EPUB has no readable content documents (empty spine).")

    if archive.has("META-INF/encryption.xml"):
        enc = archive.read("META-INF/encryption.xml")
        if any(doc.encode() in enc for doc in spine) or any(
            posixpath.relpath(doc, posixpath.dirname(opf_path)).encode() in enc for doc in spine
        ):
            raise IngestError("This EPUB is protected by DRM and cannot be read.")

    nav: list[_NavNode] = []
    nav_item = next((v for v in manifest.values() if "nav" in v[2].split()), None)
    if nav_item and archive.has(nav_item[0]):
        nav = _nav_from_xhtml(_xhtml(archive.read(nav_item[0])), nav_item[0])
    if not nav:
        ncx_id = spine_el.get("toc") if spine_el is not None else None
        ncx = manifest.get(ncx_id or "") or next(
            (v for v in manifest.values() if v[1] == "application/x-dtbncx+xml"), None
        )
        if ncx and archive.has(ncx[0]):
            nav = _nav_from_ncx(_xml(archive.read(ncx[0]), "the NCX table of contents"), ncx[0])

    # Anchors each document must report.
    anchors: dict[str, set[str]] = {}

    def collect(nodes):
        for n in nodes:
            if n.doc and n.frag:
                anchors.setdefault(n.doc, set()).add(n.frag)
            collect(n.children)

    collect(nav)

    docs: dict[str, list] = {}
    doc_titles: dict[str, str] = {}
    words = 0
    for doc in spine:
        if not archive.has(doc):
            continue
        root = _xhtml(archive.read(doc))
        docs[doc] = list(html_events(root, anchors.get(doc, frozenset())))
        words += sum(count_words(e[1]) for e in docs[doc] if e[0] == "block")
        check_words(words)
        t = next((el for el in root.iter() if localname(el) == "title"), None)
        doc_titles[doc] = normalize_ws("".join(t.itertext())) if t is not None else ""

    def doc_words(doc):
        return sum(count_words(e[1]) for e in docs.get(doc, []) if e[0] == "block")

    # A top-level entry that is only a half-title page over its children yields to them.
    top: list[_NavNode] = []
    for node in nav:
        child_docs = {_first_doc(c) for c in node.children}
        if node.children and node.doc not in child_docs and doc_words(node.doc) <= PROMOTE_MAX_WORDS:
            top.extend(node.children)
        else:
            top.append(node)

    # Markers: (doc, frag) -> list of (depth, path) in nav order.
    markers: dict[tuple[str, str | None], list[list[str]]] = {}

    def mark(nodes, prefix):
        for n in nodes:
            path = [*prefix, clean_title(n.title, "Untitled")]
            if n.doc in docs:
                frag = n.frag if n.frag and n.frag in _ids(docs[n.doc]) else None
                markers.setdefault((n.doc, frag), []).append(path)
            mark(n.children, path)

    mark(top, [])

    chapters: list[ParsedChapter] = []
    current: ParsedChapter | None = None
    nav_path: list[str] = []

    def apply(paths):
        nonlocal current, nav_path
        for p in paths:
            if len(p) == 1:
                current = ParsedChapter(title=p[0], heading_path=[p[0]], blocks=[])
                chapters.append(current)
            nav_path = p

    for index, doc in enumerate(spine):
        events = docs.get(doc)
        if events is None:
            continue
        if (doc, None) in markers:
            apply(markers[(doc, None)])
        elif not nav:
            name = next((e[2] for e in events if e[0] == "heading"), "") or doc_titles.get(doc) or ""
            name = clean_title(name, f"Section {index + 1}")
            apply([[name]])
        use_headings = not anchors.get(doc)
        levels = [e[1] for e in events if e[0] == "heading"]
        top_level = min(levels) if levels else 0
        stack: list[tuple[int, str]] = []
        for ev in events:
            if ev[0] == "anchor":
                if (doc, ev[1]) in markers:
                    apply(markers[(doc, ev[1])])
                    stack = []
            elif ev[0] == "heading":
                if use_headings and ev[1] > top_level:
                    while stack and stack[-1][0] >= ev[1]:
                        stack.pop()
                    stack.append((ev[1], clean_title(ev[2])))
            else:
                if current is None:
                    current = ParsedChapter(title="Front matter", heading_path=["Front matter"], blocks=[])
                    chapters.append(current)
                    nav_path = ["Front matter"]
                path = list(nav_path) + [t for _, t in stack]
                current.blocks.append(
                    Block(text=ev[1], page=None, heading_path=path, code=len(ev) > 2 and ev[2])
                )

    return finish_book(
        title=title,
        authors=", ".join(authors),
        fmt="epub",
        chapters=chapters,
        words_per_page=words_per_page,
    )


def _ids(events) -> set[str]:
    return {e[1] for e in events if e[0] == "anchor"}
