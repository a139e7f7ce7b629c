"""Builders of small test books, written into a directory the test owns (e.g. ``tmp_path``).

Every builder takes the target path first and returns it::

    make_pdf(tmp_path / "b.pdf", ["Page one text", "Page two text"], outline=[("Intro", 1), ("Body", 2)])
    make_image_only_pdf(tmp_path / "scan.pdf")
    make_epub(tmp_path / "b.epub", [("Chapter 1", "First paragraph.\\n\\nSecond."), ("Chapter 2", "...")])
    make_markdown(tmp_path / "b.md", "# Title\\n\\n## Chapter\\n\\nText.")
    make_html / make_text / make_asciidoc(path, text, encoding="utf-8")
    sample_book(tmp_path, fmt) -> a small valid book of that format (handy for service/API tests)

The PDFs are written by hand (Helvetica text, one content stream per page, an /Outlines tree), so
they have a real text layer that pypdfium2 reads back.
"""

from __future__ import annotations

import html as html_lib
import io
import zipfile
from pathlib import Path

LOREM = (
    "Markets bring buyers and sellers together. Prices move until the quantity demanded equals the "
    "quantity supplied. When demand rises the price rises and producers supply more. "
)


def _pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _write_pdf(path: Path, contents: list[bytes], outline=None, title=None, with_font=True) -> Path:
    """Assemble a PDF from page content streams; ``outline`` is [(title, page, level=0), ...]."""
    objects: dict[int, bytes] = {}
    n_pages = len(contents)
    font_id = 3
    first_page_id = 4
    page_ids = [first_page_id + 2 * i for i in range(n_pages)]
    next_id = first_page_id + 2 * n_pages

    bold_id, symbol_id = next_id, next_id + 1  # symbol: TeX's math symbol font, as /F3
    next_id += 2
    objects[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects[bold_id] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    objects[symbol_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /CMSY10 >>"
    for i, stream in enumerate(contents):
        pid, cid = page_ids[i], page_ids[i] + 1
        fonts = f"/F1 {font_id} 0 R /F2 {bold_id} 0 R /F3 {symbol_id} 0 R"
        resources = f"<< /Font << {fonts} >> >>" if with_font else "<< >>"
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} "
            f"/Contents {cid} 0 R >>"
        ).encode()
        objects[cid] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode()

    catalog = "<< /Type /Catalog /Pages 2 0 R"
    if outline:
        # Build a tree from (title, page, level) with levels 0, 1, 2...
        items = [(t, p, (rest[0] if rest else 0)) for t, p, *rest in outline]
        root_id = next_id
        next_id += 1
        ids = list(range(next_id, next_id + len(items)))
        next_id += len(items)
        parent_of: dict[int, int] = {}
        children: dict[int, list[int]] = {root_id: []}
        stack: list[tuple[int, int]] = [(-1, root_id)]
        for oid, (_, _, level) in zip(ids, items, strict=True):
            while stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1]
            parent_of[oid] = parent
            children.setdefault(parent, []).append(oid)
            children.setdefault(oid, [])
            stack.append((level, oid))
        for oid, (otitle, page, _) in zip(ids, items, strict=True):
            siblings = children[parent_of[oid]]
            k = siblings.index(oid)
            parts = [f"/Title ({_pdf_escape(otitle)})", f"/Parent {parent_of[oid]} 0 R"]
            parts.append(f"/Dest [{page_ids[page - 1]} 0 R /XYZ 0 792 0]")
            if k > 0:
                parts.append(f"/Prev {siblings[k - 1]} 0 R")
            if k < len(siblings) - 1:
                parts.append(f"/Next {siblings[k + 1]} 0 R")
            if children[oid]:
                parts.append(f"/First {children[oid][0]} 0 R /Last {children[oid][-1]} 0 R")
                parts.append(f"/Count {len(children[oid])}")
            objects[oid] = ("<< " + " ".join(parts) + " >>").encode("latin-1")
        top = children[root_id]
        objects[root_id] = (
            f"<< /Type /Outlines /First {top[0]} 0 R /Last {top[-1]} 0 R /Count {len(top)} >>".encode()
        )
        catalog += f" /Outlines {root_id} 0 R /PageMode /UseOutlines"
    objects[1] = (catalog + " >>").encode()
    info_id = None
    if title:
        info_id = next_id
        objects[info_id] = f"<< /Title ({_pdf_escape(title)}) /Author (Test Author) >>".encode("latin-1")
        next_id += 1

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for oid in sorted(objects):
        offsets[oid] = out.tell()
        out.write(b"%d 0 obj\n" % oid + objects[oid] + b"\nendobj\n")
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % size)
    out.write(b"0000000000 65535 f \n")
    for oid in range(1, size):
        if oid in offsets:
            out.write(b"%010d 00000 n \n" % offsets[oid])
        else:
            out.write(b"0000000000 65535 f \n")
    trailer = f"<< /Size {size} /Root 1 0 R" + (f" /Info {info_id} 0 R" if info_id else "") + " >>"
    out.write(b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    path = Path(path)
    path.write_bytes(out.getvalue())
    return path


def make_pdf(
    path: Path,
    pages: list[str],
    outline: list[tuple] | None = None,
    encrypted: bool = False,
    title: str | None = None,
) -> Path:
    """A PDF with one page per string (lines split at "\\n", Helvetica 11pt, latin-1 text).

    ``outline``: bookmarks as ``(title, page)`` (1-based page) or ``(title, page, level)`` with
    level 0 for top level, 1 below the previous level-0 entry, and so on.
    ``encrypted``: protect with the user password "secret" (pypdf, RC4).
    ``title``: the document information /Title (with /Author "Test Author").
    """
    streams = []
    for text in pages:
        ops = [b"BT /F1 11 Tf 14 TL 72 740 Td"]
        for line in text.split("\n"):
            ops.append(b"(" + _pdf_escape(line).encode("latin-1", "replace") + b") Tj T*")
        ops.append(b"ET")
        streams.append(b"\n".join(ops))
    path = _write_pdf(Path(path), streams, outline=outline, title=title)
    if encrypted:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(str(path)))
        writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="RC4-128")
        with path.open("wb") as fh:
            writer.write(fh)
    return path


def make_styled_pdf(path: Path, pages: list[list], title: str | None = None) -> Path:
    """A PDF whose lines have their own size and weight, set top-down from y=740 on a US Letter page.

    Each page is a list of lines: a plain string is body text (Helvetica 10 pt); a tuple
    ``(text, size)`` or ``(text, size, bold)`` sets the size (pt) and Helvetica-Bold; ``("", gap)``
    leaves ``gap`` points of space. A line ``(text, size, bold, "bottom")`` is set at the page foot.
    """
    streams = []
    for lines in pages:
        ops = []
        y = 740.0
        for line in lines:
            text, size, bold, where = (
                (line, 10.0, False, "") if isinstance(line, str) else (*line, False, "")[:4]
            )
            if not text:
                y -= size
                continue
            at = 40.0 if where == "bottom" else y
            font = b"/F2" if bold else b"/F1"
            ops.append(
                b"BT %s %.1f Tf 72 %.1f Td (%s) Tj ET"
                % (font, size, at, _pdf_escape(text).encode("latin-1", "replace"))
            )
            if where != "bottom":
                y -= size * 1.4
        streams.append(b"\n".join(ops))
    return _write_pdf(Path(path), streams, title=title)


def make_image_only_pdf(path: Path, n_pages: int = 2) -> Path:
    """A PDF whose pages only draw shapes: no text layer (like a scan)."""
    stream = b"0 0 1 rg 100 100 300 400 re f 1 0 0 rg 150 500 100 100 re f"
    return _write_pdf(Path(path), [stream] * n_pages, with_font=False)


def paragraphs_xhtml(text: str) -> str:
    return "\n".join(
        f"<p>{html_lib.escape(' '.join(p.split()))}</p>" for p in text.split("\n\n") if p.strip()
    )


def make_epub(
    path: Path,
    chapters: list[tuple[str, str]],
    nav: str = "epub3",
    bomb: bool = False,
    title: str = "Test Book",
    author: str = "Ada Author",
) -> Path:
    """An EPUB with one XHTML document per ``(chapter title, text)``; paragraphs split at blank lines.

    ``nav``: "epub3" (a nav document) or "ncx" (EPUB 2 toc.ncx).
    ``bomb``: add a 20 MB member of zeros (tiny compressed) to trip the zip-bomb guards.
    """
    path = Path(path)
    docs = []
    for i, (ch_title, text) in enumerate(chapters, 1):
        body = f"<h1>{html_lib.escape(ch_title)}</h1>\n{paragraphs_xhtml(text)}"
        docs.append(
            (
                f"chap{i}.xhtml",
                '<?xml version="1.0" encoding="utf-8"?>\n'
                '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
                f"<head><title>{html_lib.escape(ch_title)}</title></head><body><section>{body}</section>"
                "</body></html>",
            )
        )
    items = "\n".join(
        f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>'
        for i, (name, _) in enumerate(docs, 1)
    )
    spine_refs = "\n".join(f'<itemref idref="c{i}"/>' for i in range(1, len(docs) + 1))
    if nav == "epub3":
        items += '\n<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        spine_attr = ""
    else:
        items += '\n<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        spine_attr = ' toc="ncx"'
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:test:{html_lib.escape(title)}</dc:identifier>
<dc:title>{html_lib.escape(title)}</dc:title><dc:creator>{html_lib.escape(author)}</dc:creator>
<dc:language>en</dc:language></metadata>
<manifest>{items}</manifest>
<spine{spine_attr}>{spine_refs}</spine>
</package>"""
    container = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", container, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/content.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in docs:
            zf.writestr(f"OEBPS/{name}", content, compress_type=zipfile.ZIP_DEFLATED)
        if nav == "epub3":
            lis = "".join(
                f'<li><a href="{name}">{html_lib.escape(t)}</a></li>'
                for (name, _), (t, _) in zip(docs, chapters, strict=True)
            )
            zf.writestr(
                "OEBPS/nav.xhtml",
                '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
                'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head><body>'
                f'<nav epub:type="toc"><ol>{lis}</ol></nav></body></html>',
                compress_type=zipfile.ZIP_DEFLATED,
            )
        else:
            points = "".join(
                f'<navPoint id="p{i}" playOrder="{i}"><navLabel><text>{html_lib.escape(t)}</text></navLabel>'
                f'<content src="{name}"/></navPoint>'
                for i, ((name, _), (t, _)) in enumerate(zip(docs, chapters, strict=True), 1)
            )
            zf.writestr(
                "OEBPS/toc.ncx",
                '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
                f'version="2005-1"><head/><docTitle><text>{html_lib.escape(title)}</text></docTitle>'
                f"<navMap>{points}</navMap></ncx>",
                compress_type=zipfile.ZIP_DEFLATED,
            )
        if bomb:
            zf.writestr("OEBPS/padding.bin", b"\0" * (20 * 2**20), compress_type=zipfile.ZIP_DEFLATED)
    return path


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    """An arbitrary zip (e.g. an .epub without META-INF/container.xml)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return Path(path)


def _write_text(path: Path, text: str, encoding: str) -> Path:
    path = Path(path)
    path.write_bytes(text.encode(encoding))
    return path


def make_markdown(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return _write_text(path, text, encoding)


def make_html(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return _write_text(path, text, encoding)


def make_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Plain text in any Python codec ("latin-1", "utf-16" writes a BOM, "utf-8-sig", ...)."""
    return _write_text(path, text, encoding)


def make_asciidoc(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return _write_text(path, text, encoding)


def chapter_text(topic: str, paragraphs: int = 3) -> str:
    """A few paragraphs of plain prose mentioning ``topic`` (about 45 words per paragraph)."""
    return "\n\n".join(f"{topic} paragraph {i + 1}. {LOREM}" for i in range(paragraphs))


def sample_book(directory: Path, fmt: str, name: str = "sample") -> Path:
    """A small valid book with three chapters in ``fmt`` (pdf, epub, markdown, html, text, asciidoc)."""
    directory = Path(directory)
    titles = ["Demand", "Supply", "Equilibrium"]
    if fmt == "pdf":
        pages = [f"{t}\n" + "\n".join(chapter_text(t, 2).split("\n\n")) for t in titles]
        return make_pdf(
            directory / f"{name}.pdf",
            pages,
            outline=[(t, i + 1) for i, t in enumerate(titles)],
            title="Sample Economics",
        )
    if fmt == "epub":
        return make_epub(
            directory / f"{name}.epub", [(t, chapter_text(t)) for t in titles], title="Sample Economics"
        )
    if fmt == "markdown":
        body = "\n\n".join(f"## {t}\n\n{chapter_text(t)}" for t in titles)
        return make_markdown(directory / f"{name}.md", f"# Sample Economics\n\n{body}\n")
    if fmt == "html":
        body = "".join(f"<h1>{t}</h1>{paragraphs_xhtml(chapter_text(t))}" for t in titles)
        return make_html(
            directory / f"{name}.html",
            f"<html><head><title>Sample Economics</title></head><body>{body}</body></html>",
        )
    if fmt == "text":
        body = "\n\n".join(f"Chapter {i + 1} {t}\n\n{chapter_text(t)}" for i, t in enumerate(titles))
        return make_text(directory / f"{name}.txt", f"Sample Economics\n\n{body}\n")
    if fmt == "asciidoc":
        body = "\n\n".join(f"== {t}\n\n{chapter_text(t)}" for t in titles)
        return make_asciidoc(directory / f"{name}.adoc", f"= Sample Economics\nAda Author\n\n{body}\n")
    raise ValueError(f"unknown format {fmt!r}")
