#!/usr/bin/env python3
"""Unit tests of compare_asm.py's normalization and rules, on small hand-written listings."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_asm  # noqa: E402

GCC_LISTING = """
\t.text
\t.globl\traw_f
\t.type\traw_f, @function
raw_f:
.LFB0:
\ttestq\t%rdi, %rdi
\tje\t.L4
\tjmp\tfclose@PLT
.L4:
\tret
\t.size\traw_f, .-raw_f
wrapped_f:
.LFB1:
\ttestq\t%rdi, %rdi
\tje\t.L9
\tjmp\tfclose@PLT
.L9:
\tjmp\t.L12
\t.section\t.text.unlikely
wrapped_f.cold:
.L12:
\tcall\tabort@PLT
"""

CLANG_LISTING = """
raw_g:                                  # @raw_g
# %bb.0:
\tjmp\twidget_free@PLT                 # TAILCALL
.Lfunc_end0:
wrapped_g:                              # @wrapped_g
# %bb.0:
\tjmp\twidget_free@PLT                 # TAILCALL
.Lfunc_end1:
"""


class NormalizationTest(unittest.TestCase):
    def test_local_labels_are_renamed_in_order_so_equal_code_compares_equal(self):
        functions = compare_asm.split_functions(GCC_LISTING)
        raw = compare_asm.Body(functions["raw_f"])
        self.assertEqual(raw.lines, ["testq %rdi, %rdi", "je .L0", "jmp fclose@PLT", ".L0:", "ret"])

    def test_cold_parts_are_folded_into_their_function(self):
        wrapped = compare_asm.Body(compare_asm.split_functions(GCC_LISTING)["wrapped_f"])
        self.assertEqual(wrapped.instructions[-1], "call abort@PLT")
        self.assertEqual(wrapped.calls, ["fclose", "abort"])

    def test_comments_directives_and_unreferenced_labels_are_dropped(self):
        functions = compare_asm.split_functions(CLANG_LISTING)
        self.assertEqual(compare_asm.Body(functions["raw_g"]).lines, ["jmp widget_free@PLT"])

    def test_pairs_are_found_by_name(self):
        found = sorted(compare_asm.pairs({"raw_a": [], "wrapped_a": [], "unfair_a": [], "helper": []}))
        self.assertEqual(found, [("a", "unfair", "raw_a", "unfair_a"), ("a", "wrapped", "raw_a", "wrapped_a")])


class HotPathTest(unittest.TestCase):
    def test_landing_pads_after_the_return_are_off_the_hot_path(self):
        body = compare_asm.Body(["pushq %rax", "callq close@PLT", "popq %rax", "retq",
                                 "movq %rax, %rdi", "callq __clang_call_terminate"])
        self.assertEqual(body.instructions, ["pushq %rax", "callq close@PLT", "popq %rax", "retq"])
        self.assertEqual(body.total_instructions, 6)

    def test_code_reached_by_a_jump_stays_on_the_hot_path(self):
        body = compare_asm.Body(["testl %eax, %eax", "jne .L7", "ret", ".L7:", "movl $-1, %eax", "ret",
                                 "call _Unwind_Resume@PLT", "nop"])
        self.assertEqual(len(body.instructions), 5)
        self.assertEqual(body.total_instructions, 7)

    def test_an_indirect_jump_keeps_everything(self):
        body = compare_asm.Body(["jmp *%rax", "ret", "nop"])
        self.assertEqual(len(body.instructions), 3)


class RulesTest(unittest.TestCase):
    def body(self, *lines):
        return compare_asm.Body(list(lines))

    def test_clang_requires_identical_code(self):
        a = self.body("movl %edi, %eax", "ret")
        b = self.body("movl %edi, %eax", "nop", "ret")
        self.assertIsNone(compare_asm.judge(True, a, a))
        self.assertIsNotNone(compare_asm.judge(True, a, b))

    def test_gcc_accepts_another_layout_with_no_more_instructions(self):
        raw = self.body("testq %rdi, %rdi", "je .L1", "jmp fclose@PLT", ".L1:", "ret")
        wrapped = self.body("testq %rdi, %rdi", "jne .L1", "ret", ".L1:", "jmp fclose@PLT")
        self.assertIsNone(compare_asm.judge(False, raw, wrapped))

    def test_gcc_rejects_more_instructions_other_callees_or_more_calls(self):
        raw = self.body("call a@PLT", "call b@PLT", "ret")
        self.assertIsNotNone(compare_asm.judge(False, raw, self.body("call a@PLT", "call b@PLT", "nop", "ret")))
        self.assertIsNotNone(compare_asm.judge(False, raw, self.body("call b@PLT", "call a@PLT", "ret")))
        self.assertIsNotNone(compare_asm.judge(False, self.body("call a@PLT", "ret", "ret"),
                                               self.body("call a@PLT", "call a@PLT", "ret")))


if __name__ == "__main__":
    unittest.main()
