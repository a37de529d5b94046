#!/usr/bin/env python3
"""Checks of the HTML report for html.test (python3 only, no modules
beyond the standard library).

  html_check.py facts PAGE REPORT.json   the facts of every finding in the
                                         JSON report are in the page's text
  html_check.py dom PAGE                 element counts and what a page must
                                         not hold (scripts, on* attributes,
                                         external resources), as key=value
  html_check.py colors PNG               the number of distinct colours, and
                                         whether given ones are there
  html_check.py timing PAGE OUT          PAGE with a script appended that
                                         writes its own load and layout time
                                         into <body data-load-ms>
"""
import html.parser
import json
import re
import struct
import sys
import zlib


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []
        self.counts = {}
        self.script_text = []
        self.in_script = False
        self.in_style = False
        self.bad = []

    def handle_starttag(self, tag, attrs):
        # Cells and blocks are apart on the screen: so in the text.
        self.text.append(" ")
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "style":
            self.in_style = True
        if tag == "script":
            self.in_script = True
            if any(k == "src" for k, _ in attrs):
                self.bad.append("script with src")
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append("attribute %s on <%s>" % (k, tag))
            if k in ("src", "href", "xlink:href") and v and re.match(r"\s*[a-z]+:", v, re.I):
                self.bad.append("external resource %s=%s on <%s>" % (k, v, tag))
        # No element the page does not write itself.
        if tag in ("iframe", "object", "embed", "img", "link", "base", "form"):
            self.bad.append("<%s>" % tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.text.append(" ")
        if tag == "script":
            self.in_script = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_script:
            self.script_text.append(data)
        elif not self.in_style:
            self.text.append(data)


def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def frame_symbol(fr):
    if fr.get("symbol") is None:
        return fr["pc"]
    if fr.get("symbol_offset"):
        return "%s+%#x" % (fr["symbol"], fr["symbol_offset"])
    return fr["symbol"]


def frame_facts(fr):
    out = [frame_symbol(fr)]
    if fr.get("source_file"):
        out.append("%s:%d" % (fr["source_file"].split("/")[-1], fr["source_line"]))
    for inl in fr.get("inlined", []):
        out.append(inl["function"] + " (inlined)")
    return out


def finding_facts(doc, f):
    want = [f["verdict"], f["signature"]]
    if f.get("library"):
        want.append(f["library"]["path"])
    for x in f.get("facts", []):
        want.append(x["address"])
        for k in ("file", "symbol", "slot_function", "region"):
            if x.get(k):
                want.append(x[k])
        # As the text report: the section only where no symbol is named.
        if x.get("section") and not x.get("symbol"):
            want.append(x["section"])
        if x.get("vtable_slot") is not None:
            want.append("slot %d:" % x["vtable_slot"])
    if f.get("object"):
        want.append(f["object"]["address"])
    if f.get("instruction"):
        want.append(f["instruction"]["text"])
    for fr in f.get("stack", []):
        want.extend(frame_facts(fr))
    if f.get("fix"):
        want.append(f["fix"])
    if f.get("why_mapped"):
        want.append(f["why_mapped"])
    for r in f.get("references", []):
        want.append(r["where"])
        sym = r["symbol"]
        want.append(sym[len("vtable for "):] if sym.startswith("vtable for ") else sym)
    if f.get("consequence"):
        want.append(f["consequence"])
    if "dlclose_event" in f:
        for p in doc["processes"]:
            for e in p["events"]:
                if e["id"] == f["dlclose_event"]:
                    for fr in e["stack"]:
                        want.extend(frame_facts(fr))
    return want


def cmd_facts(page, report):
    text = norm("".join(parse(page).text))
    with open(report) as f:
        doc = json.load(f)
    missing = []
    for i, f in enumerate(doc["findings"]):
        for fact in finding_facts(doc, f):
            if norm(fact) not in text:
                missing.append("finding %d (%s): %r" % (i, f["category"], fact))
    for p in doc["processes"]:
        if "pid %d" % p["pid"] not in text:
            missing.append("process %d" % p["pid"])
    for m in missing:
        print("not in the page: " + m, file=sys.stderr)
    if not doc["findings"]:
        print("note: no findings in %s" % report, file=sys.stderr)
    return 1 if missing else 0


def cmd_dom(page):
    p = parse(page)
    for tag in ("script", "svg", "article", "path", "rect", "title"):
        print("%s=%d" % (tag, p.counts.get(tag, 0)))
    print("bad=%d" % len(p.bad))
    for b in p.bad:
        print("bad: " + b, file=sys.stderr)
    print("text=" + norm("".join(p.text)))
    return 0


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s is not a PNG" % path)
    pos, idat = 8, b""
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit("%s: unexpected PNG format" % path)
        elif typ == b"IDAT":
            idat += body
    bpp = 3 if ctype == 2 else 4
    stride = w * bpp
    raw = zlib.decompress(idat)
    prev = bytearray(stride)
    rows = []
    p = 0
    for _ in range(h):
        ftype = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif ftype == 3:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((a + prev[i]) >> 1)) & 255
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def cmd_colors(png, *wanted):
    w, h, bpp, rows = read_png(png)
    colors = set()
    for r in rows:
        for i in range(0, len(r), bpp):
            colors.add(r[i:i + 3])
    print("size=%dx%d" % (w, h))
    print("colors=%d" % len(colors))
    for want in wanted:
        rgb = bytes.fromhex(want.lstrip("#"))
        print("%s=%s" % (want.lstrip("#"), "yes" if rgb in colors else "no"))
    return 0


TIMING = """<script>
window.addEventListener('load', function () {
  var h = document.body.offsetHeight;  /* style and layout, now */
  document.body.setAttribute('data-load-ms', String(Math.round(performance.now())));
});
</script>
"""


def cmd_timing(page, out):
    with open(page, encoding="utf-8") as f:
        s = f.read()
    with open(out, "w", encoding="utf-8") as f:
        f.write(s + TIMING)
    return 0


if __name__ == "__main__":
    cmds = {"facts": cmd_facts, "dom": cmd_dom, "colors": cmd_colors, "timing": cmd_timing}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(cmds[sys.argv[1]](*sys.argv[2:]))
