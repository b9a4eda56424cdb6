#!/usr/bin/env python3
"""Unit tests of public_names.py: which declarations of a header are public names, and when
the README counts as naming one; on small hand-written headers."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import public_names  # noqa: E402

HEADER = """\
// A file comment, and a "string // with slashes" below.
#pragma once
#include <string>

/// A macro users set.
#define LIB_FLAG 1
#define LIB_UNDOCUMENTED 2

namespace lib {

/// A free function, with a default argument that holds braces.
[[nodiscard]] inline int parse(std::string const& text, options const& o = {}) { return text.size() > 0 ? 1 : '}'; }

inline int undocumented() { return 0; }

/// An enum: its enumerators are names too.
enum class color : int {
    red = 1, ///< the first
    green,   ///< the second
};

/// Options with trailing comments on their fields.
struct options {
    int depth = 1'000;                        ///< how deep
    std::function<bool(int)> accept{};        ///< what to keep
    /// Documented before it.
    bool strict = false;
};

/// A class with public and private members.
class widget {
public:
    /// Made from nothing (a constructor: the class stands for it).
    widget() noexcept = default;
    /// Copies are deep (an operator: the class stands for it).
    widget& operator=(widget const&) = default;
    /// A type alias inside a class is left out.
    using size_type = int;
    /// A member function after a requires-expression.
    template <class V>
    requires requires(V const& v) { v.size(); }
    void take(V const& v) { (void)v; }
    /// A static factory.
    [[nodiscard]] static widget make(int n) { return widget(); }
    /// A nested class and its member.
    class part {
    public:
        /// The part's weight.
        int weight() const { return 0; }
    };

private:
    /// Private, even though documented.
    void secret() {}
};

/// A specialization of something: its primary template stands for it.
template <>
struct traits<widget> {
    /// Not a public name.
    static constexpr bool value = true;
};

namespace detail {
/// Inside detail: not a public name.
inline void helper() {}
} // namespace detail

} // namespace lib
"""


class ScanTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        os.makedirs(os.path.join(self.dir.name, "cbound", "archive", "detail"))
        with open(os.path.join(self.dir.name, "cbound", "lib.hpp"), "w", encoding="utf-8") as f:
            f.write(HEADER)
        with open(os.path.join(self.dir.name, "cbound", "archive", "detail", "hidden.hpp"), "w", encoding="utf-8") as f:
            f.write("namespace lib {\n/// In a detail header.\nstruct hidden {};\n}\n")
        self.names = public_names.public_names(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def test_finds_exactly_the_public_names(self):
        self.assertEqual(
            sorted((scope, name) for scope, name in self.names),
            sorted([("", "LIB_FLAG"), ("", "parse"), ("", "color"), ("color", "red"), ("color", "green"),
                    ("", "options"), ("options", "depth"), ("options", "accept"), ("options", "strict"),
                    ("", "widget"), ("widget", "take"), ("widget", "make"), ("widget", "part"),
                    ("part", "weight")]))

    def test_kinds(self):
        self.assertEqual(self.names[("", "LIB_FLAG")][0], "macro")
        self.assertEqual(self.names[("", "parse")][0], "function")
        self.assertEqual(self.names[("color", "red")][0], "enumerator")
        self.assertEqual(self.names[("options", "accept")][0], "variable")
        self.assertEqual(self.names[("", "widget")][1], os.path.join("cbound", "lib.hpp"))

    def test_missing_names_are_listed(self):
        readme = "\n".join([
            "# Guide",
            "Use `parse`, `LIB_FLAG`, `color` and `widget::make`.",  # a member named with its scope
            "",
            "A `widget` can `take(v)`; the `color` `red` too.",  # a paragraph naming the scope
            "",
            "Not here: `green` and `strict` and `weight`.",  # no scope in this paragraph or its heading
            "",
            "```cpp",
            "lib::widget::part p; // `part` in code counts",
            "```",
            "### `options`",  # a heading naming the scope covers the paragraphs below it
            "| field | |",
            "| `depth` | how deep |",
        ])
        missing = [(scope, name) for _, scope, name, _ in public_names.missing_names(self.names, readme)]
        self.assertEqual(sorted(missing), sorted([("color", "green"), ("options", "accept"), ("options", "strict"),
                                                  ("part", "weight")]))

    def test_a_doc_comment_on_something_unreadable_stops_the_scan(self):
        # Guessing would leave a public name unchecked: the scan names the declaration instead.
        path = os.path.join(self.dir.name, "cbound", "odd.hpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write("namespace lib {\n/// Brings swap in.\nusing std::swap;\n}\n")
        with self.assertRaises(SystemExit) as stop:
            public_names.scan(path)
        self.assertIn("cannot tell which name", str(stop.exception.code))
        self.assertIn("using std::swap", str(stop.exception.code))

    def test_prose_outside_code_does_not_count(self):
        missing = public_names.missing_names(self.names, "parse LIB_FLAG color options widget\n")
        self.assertEqual(len(missing), len(self.names))


if __name__ == "__main__":
    unittest.main()
