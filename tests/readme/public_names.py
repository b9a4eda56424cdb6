#!/usr/bin/env python3
"""Fails when a public name of cbound's headers is missing from README.md, listing each one.

    public_names.py INCLUDE_DIR README.md     check; exit 1 with the missing names
    public_names.py INCLUDE_DIR --list        print every public name found, one a line

A public name is one a user can call or spell: it is declared in a public header
(cbound/*.hpp, cbound/archive/*.hpp; never detail/), outside any `detail` namespace, with a
`///` doc comment just before it, and is
  - at namespace scope: a class, struct, enum, alias, concept, function, variable or macro;
  - inside a public class, struct or enum (in its public part): a member function, a data
    member, a nested class, or an enumerator. Constructors, destructors, operators and
    type aliases inside classes are left out (the class itself stands for them), and so is
    an explicit specialization (its primary template stands for it).

A `///` comment on a declaration the scanner cannot read stops it with the declaration's
text, rather than letting a public name go unchecked.

Where the README must name it:
  - a namespace-scope name: in code (a `span` or a fenced block), anywhere;
  - a member `m` of `S`: `S::m` in code, or `m` in code in a paragraph (a run of non-blank
    lines: a table, a list, a sentence) that also names `S` in code or whose section
    heading does. So a reference table under "### `entry_view`" covers entry_view's members.
"""
import glob
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_]\w*")
KEYWORDS = {"const", "constexpr", "consteval", "inline", "static", "virtual", "explicit", "friend", "typename",
            "template", "noexcept", "override", "final", "volatile", "mutable", "extern", "requires", "auto",
            "unsigned", "signed", "long", "short", "int", "char", "bool", "void", "double", "float", "struct",
            "class", "enum", "union", "using", "return", "decltype", "operator", "delete", "default"}


class Scope:
    """One `{ ... }` being read: a namespace, a class (with its current access), an enum, or opaque code."""

    def __init__(self, kind, name="", public=True, access="public"):
        self.kind, self.name, self.public, self.access = kind, name, public, access


def strip_code(text):
    """The header with string and character literals emptied and comments removed, except
    doc comments: `///` becomes the marker `\x01DOC`, `///<` the marker `\x02DOC`."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("///", i) and not text.startswith("////", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            # `///<` documents the declaration before it, `///` the one after it.
            out.append(" \x02DOC " if text.startswith("///<", i) else " \x01DOC ")
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif c in "\"'":
            # A digit separator (1'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(c)
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_balanced(s, open_, close):
    """`s` without its `open_ ... close` groups (nested ones included)."""
    out, depth = [], 0
    for c in s:
        if c == open_:
            depth += 1
        elif c == close and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


def declared_name(statement, scope_name):
    """(kind, name) declared by one statement (the text before its `;` or `{`), or None."""
    s = " ".join(statement.split())
    s = re.sub(r"\[\[.*?\]\]", " ", s)  # attributes
    s = re.sub(r"\b(CBOUND_LIFETIMEBOUND|alignas\s*\([^)]*\))", " ", s)
    s = s.strip()
    # `template <...>` heads, one or more.
    while s.startswith("template"):
        rest = s[len("template"):].lstrip()
        if not rest.startswith("<"):
            break
        depth, k = 0, 0
        for k, c in enumerate(rest):
            depth += c == "<"
            depth -= c == ">"
            if depth == 0:
                break
        s = rest[k + 1:].strip()
    if not s or re.search(r"\boperator\b", s):
        return None  # operators: the class they belong to stands for them
    if s.startswith("requires"):
        # A requires-clause before a class: the class follows it (a function's is passed over below).
        m = re.search(r"\b(class|struct|union)\s+[A-Za-z_]\w*\s*(<|$)", s)
        s = s[m.start():] if m else s
    m = re.match(r"concept\s+([A-Za-z_]\w*)", s)
    if m:
        return ("concept", m.group(1))
    m = re.match(r"(?:friend\s+)?(?:class|struct|union)\s+(?:\[\[[^\]]*\]\]\s*)*([A-Za-z_]\w*)\s*(<)?", s)
    if m:
        return None if m.group(2) else ("class", m.group(1))  # `X<...>`: an explicit specialization
    m = re.match(r"enum\s+(?:class\s+|struct\s+)?([A-Za-z_]\w*)", s)
    if m:
        return ("enum", m.group(1))
    m = re.match(r"using\s+([A-Za-z_]\w*)\s*=", s)
    if m:
        return ("alias", m.group(1))
    if s.startswith(("using ", "namespace ", "static_assert", "public", "private", "protected")):
        return None
    # A function: the name just before the first `(` outside template arguments.
    angle = 0
    for k, c in enumerate(s):
        if c == "<":
            angle += 1
        elif c == ">" and angle > 0:
            angle -= 1
        elif c == "=" and angle == 0:
            break  # `T x = f(...)`: a variable with an initializer
        elif c == "(" and angle == 0:
            head = s[:k].rstrip()
            words = IDENT.findall(head)
            if not words:
                return None
            name = words[-1]
            if name in ("decltype", "noexcept", "alignas", "requires", "sizeof"):
                continue
            if head.endswith("~" + name) or name == scope_name:
                return None  # constructors and destructors
            return ("function", name)
    # A variable or data member: the last identifier before `=`, `{` (cut already) or `[`.
    head = drop_balanced(s, "<", ">")
    head = re.split(r"=|\[", head)[0]
    words = [w for w in IDENT.findall(head) if w not in KEYWORDS]
    if len(words) >= 2 or (words and head.strip() != words[0]):
        return ("variable", words[-1])
    return None


def enumerators(body):
    """The enumerators of an enum body (a documented enum documents them all)."""
    names = []
    for piece in body.split(","):
        piece = re.sub("[\x01\x02]DOC", " ", piece)
        m = IDENT.search(piece)
        if m:
            names.append(m.group(0))
    return names


def scan(path):
    """[(scope, name, kind)] of the public names of one header; scope is "" at namespace scope."""
    with open(path, encoding="utf-8") as f:
        text = strip_code(f.read())
    found, stack = [], [Scope("namespace")]
    statement, doc, last = "", False, None  # last: the declaration a `///<` would document
    i, n = 0, len(text)

    def record(decl, scope):
        if decl is None or not scope.public:
            return
        kind, name = decl
        if scope.kind == "class" and (scope.access != "public" or kind == "alias"):
            return
        if scope.kind in ("namespace", "class"):
            found.append((scope.name if scope.kind == "class" else "", name, kind))

    def unexplained(statement, scope):
        """A `///` comment on something that declares no name: fine for a constructor, a
        destructor, an operator or a specialization; anything else is a declaration this
        scanner cannot read, and guessing would let a public name go unchecked."""
        s = re.sub(r"\[\[.*?\]\]\s*", "", " ".join(statement.split()))
        if not scope.public or (scope.kind == "class" and scope.access != "public"):
            return
        if re.search(r"\boperator\b|^static_assert|\b(class|struct|union)\s+[\w:]+\s*<", s):
            return
        head = re.sub(r"^(template\s*<.*?>\s*)+|\brequires\b.*?(?=\b(constexpr|explicit|~?" + re.escape(scope.name) +
                      r")\b)", "", s) if scope.name else s
        if scope.name and re.match(rf"((constexpr|explicit|inline)\s+)*~?{re.escape(scope.name)}\s*\(", head):
            return  # a constructor or destructor: the class stands for it
        sys.exit(f"{path}: cannot tell which name this `///` comment documents: {s[:120]}")

    def skip_braces(at):
        """The index just past the `}` matching the `{` at `at`."""
        depth = 0
        for k in range(at, n):
            depth += text[k] == "{"
            depth -= text[k] == "}"
            if depth == 0:
                return k + 1
        sys.exit(f"{path}: unbalanced braces")

    while i < n:
        c = text[i]
        top = stack[-1]
        if c == "#" and not text[text.rfind("\n", 0, i) + 1:i].strip():
            j = text.find("\n", i)
            j = n if j < 0 else j
            while text[i:j].endswith("\\") and j < n:  # a macro continued on the next line
                k = text.find("\n", j + 1)
                j = n if k < 0 else k
            m = re.match(r"#\s*define\s+([A-Za-z_]\w*)", text[i:j])
            if m:
                if doc and top.kind == "namespace":
                    record(("macro", m.group(1)), top)
                doc = False
            i = j
            continue
        if c in "\x01\x02":
            if c == "\x02":
                record(last, top)
                last = None
            else:
                doc = True
            i += len("\x01DOC")
            continue
        depth = statement.count("(") - statement.count(")")
        if top.kind == "class" and depth == 0 and not statement.strip():
            m = re.match(r"(public|private|protected)\s*:(?!:)", text[i:])
            if m:
                top.access = m.group(1)
                i += m.end()
                doc = False
                continue
        if depth > 0 and c in "{};":
            statement += c  # a default argument `= {}` or a lambda inside parentheses
        elif c == ";":
            decl = declared_name(statement, top.name)
            if decl is not None:
                last = decl
                if doc:
                    record(decl, top)
            elif doc:
                unexplained(statement, top)
            statement, doc = "", False
        elif c == "{" and re.search(r"\brequires\s*(\([^()]*\))?\s*$", statement):
            statement += "{}"  # a requires-expression: the declaration goes on after it
            i = skip_braces(i)
            continue
        elif c == "{":
            s = " ".join(statement.split())
            decl = declared_name(statement, top.name)
            ns = re.match(r"(?:inline\s+)?namespace\s*([\w:]*)", s)
            member_public = top.public and (top.kind == "namespace" or top.access == "public")
            if ns:
                private = "detail" in ns.group(1).split("::")
                stack.append(Scope("namespace", ns.group(1), public=top.public and not private))
                i += 1
            elif decl and decl[0] == "class":
                if doc:
                    record(decl, top)
                access = "public" if re.search(r"\b(struct|union)\s", s) else "private"
                stack.append(Scope("class", decl[1], public=member_public, access=access))
                i += 1
            elif decl and decl[0] == "enum":
                if doc:
                    record(decl, top)
                end = skip_braces(i)
                if doc and member_public and top.kind in ("namespace", "class"):
                    for name in enumerators(text[i + 1:end - 1]):
                        found.append((decl[1], name, "enumerator"))
                i = end
            else:
                # A function body or a brace initializer: nothing public inside.
                if decl and decl[0] in ("function", "variable"):
                    last = decl
                    if doc:
                        record(decl, top)
                elif doc:
                    unexplained(statement, top)
                i = skip_braces(i)
            statement, doc = "", False
            continue
        elif c == "}":
            stack.pop()
            statement, doc, last = "", False, None
            if not stack:
                sys.exit(f"{path}: unbalanced braces")
        else:
            statement += c
        i += 1
    if len(stack) != 1:
        sys.exit(f"{path}: {len(stack) - 1} scopes left open at the end (a brace inside #if branches?)")
    return found


def public_headers(include_dir):
    return sorted(glob.glob(os.path.join(include_dir, "cbound", "*.hpp")) +
                  glob.glob(os.path.join(include_dir, "cbound", "archive", "*.hpp")))


def public_names(include_dir):
    """{(scope, name): (kind, header)} over every public header."""
    names = {}
    for header in public_headers(include_dir):
        for scope, name, kind in scan(header):
            names.setdefault((scope, name), (kind, os.path.relpath(header, include_dir)))
    return names


CODE_SPAN = re.compile(r"`([^`\n]+)`")


def readme_code(readme_text):
    """(all code text, [(section heading code, paragraph code)]) of a README."""
    everything, paragraphs = [], []
    heading, current, in_fence = "", [], False

    def flush():
        if current:
            paragraphs.append((heading, " ".join(current)))
            current.clear()

    for line in readme_text.split("\n"):
        if line.strip().startswith("```"):
            in_fence = not in_fence
            if not in_fence:
                flush()
            continue
        if in_fence:
            current.append(line)
            everything.append(line)
            continue
        if line.startswith("#"):
            flush()
            heading = " ".join(CODE_SPAN.findall(line))
            everything.append(heading)
            continue
        if not line.strip():
            flush()
            continue
        spans = CODE_SPAN.findall(line)
        current.extend(spans)
        everything.extend(spans)
    flush()
    return "\n".join(everything), paragraphs


def missing_names(names, readme_text):
    code, paragraphs = readme_code(readme_text)
    words = set(IDENT.findall(code))
    paragraph_words = [(set(IDENT.findall(h)), set(IDENT.findall(p))) for h, p in paragraphs]
    missing = []
    for (scope, name), (kind, header) in sorted(names.items(), key=lambda x: (x[1][1], x[0])):
        if not scope:
            ok = name in words
        else:
            ok = re.search(rf"\b{re.escape(scope)}::{re.escape(name)}\b", code) is not None or any(
                name in p and (scope in p or scope in h) for h, p in paragraph_words)
        if not ok:
            missing.append((header, scope, name, kind))
    return missing


def main():
    include_dir, what = sys.argv[1], sys.argv[2]
    names = public_names(include_dir)
    if what == "--list":
        for (scope, name), (kind, header) in sorted(names.items(), key=lambda x: (x[1][1], x[0])):
            print(f"{header}: {kind} {scope + '::' if scope else ''}{name}")
        return 0
    with open(what, encoding="utf-8") as f:
        missing = missing_names(names, f.read())
    if not missing:
        print(f"README.md names all {len(names)} public names of {len(public_headers(include_dir))} headers")
        return 0
    print(f"README.md does not name {len(missing)} of the {len(names)} public names. Add each to the reference")
    print("section (a member as `scope::name`, or in a paragraph or under a heading naming its scope in code):")
    for header, scope, name, kind in missing:
        print(f"  {header}: {kind} {scope + '::' if scope else ''}{name}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
