"""Writes the corpus of invalid programs, tests/hostile/corpus/NN_NAME.corelet, from the table
below: (name, the exact message of the first error, the text it points at, the source). The
messages and places are written by hand, from the language's rules and the limits' defaults.

    python tests/hostile/make_corpus.py tests/hostile/corpus
"""
C = "neurons h[1] = neuron { threshold = 1 }"
def P(body, head=""):
    return head + "corelet T() {\n    input x[1]; output y[1]\n    " + body + "\n}\n"
OK = f"{C}; x -> h; y = h"
cases = [
 ("delay_2_32_plus_1", "ticks of this delay: 4294967297 is over the limit `delay` of 65536", "4294967297", P(f"{C}; x -> h delay 4294967297; y = h")),
 ("delay_2_31", "ticks of this delay: 2147483647 is over the limit `delay` of 65536", "2147483647", P(f"{C}; x -> h delay 2147483647; y = h")),
 ("delay_2_70", "ticks of this delay: 1180591620717411303424 is over the limit `delay` of 65536", "2 ** 70", P(f"{C}; x -> h delay 2 ** 70; y = h")),
 ("delay_zero", "delay 0 is below 1", "0;", P(f"{C}; x -> h delay 0; y = h")),
 ("delay_negative_huge", "delay -1180591620717411303424 is below 1", "-(2 ** 70)", P(f"{C}; x -> h delay -(2 ** 70); y = h")),
 ("power_tower", "bits of this power: 30000000001 is over the limit `int_bits` of 4096", "10 ** 10 ** 10", P(f"a = 10 ** 10 ** 10; {OK}")),
 ("power_big", "bits of this power: 10000001 is over the limit `int_bits` of 4096", "2 ** 10000000", P(f"a = 2 ** 10000000; {OK}")),
 ("product_grows", "bits of this integer: 4097 is over the limit `int_bits` of 4096", "a * 2", P(f"a = 2 ** 4095\n    b = a * 2\n    {OK}")),
 ("literal_5000_digits", "digits of this integer literal: 5000 is over the limit `literal_digits` of 1000", "999", P("a = " + "9" * 5000 + f"; {OK}")),
 ("hex_literal_long", "digits of this integer literal: 1202 is over the limit `literal_digits` of 1000", "0x", P("a = 0x" + "f" * 1200 + f"; {OK}")),
 ("escape_x", "bad escape in string: truncated \\xXX escape", '"\\x"', 'use "\\x"\n' + P(OK)),
 ("escape_u", "bad escape in string: truncated \\uXXXX escape", '"\\u1"', P(f'a = "\\u1"; {OK}')),
 ("escape_N", "bad escape in string: unknown Unicode character name", '"\\N{nope}"', P(f'a = "\\N{{nope}}"; {OK}')),
 ("escape_U", "bad escape in string: illegal Unicode character", '"\\U99999999"', P(f'a = "\\U99999999"; {OK}')),
 ("nest_unary_minus", "nesting depth: 101 is over the limit `nesting` of 100", "a = -", P("a = " + "-" * 200 + f"1; {OK}")),
 ("nest_brackets", "nesting depth: 101 is over the limit `nesting` of 100", "a = [", P("a = " + "[" * 200 + "1" + "]" * 200 + f"; {OK}")),
 ("output_itself", "output `y[0]` is driven by itself", "y = y", P(f"{C}; x -> h; y = y")),
 ("int_inf", "`int` of inf has no integer value", "1e309", P(f"a = int(1e309); {OK}")),
 ("int_nan", "`int` of nan has no integer value", "1e309 - 1e309", P(f"a = int(1e309 - 1e309); {OK}")),
 ("round_inf", "`round` of -inf has no integer value", "-1e309", P(f"a = round(-1e309); {OK}")),
 ("floor_array_inf", "`floor` of an infinity or NaN has no integer value", "[1.0, 1e309]", P(f"a = floor([1.0, 1e309]); {OK}")),
 ("int_array_huge", "`int`: a value does not fit the int64 of arrays", "[1e19]", P(f"a = int([1e19]); {OK}")),
 ("full_huge", "`full`: 9223372036854775808 does not fit the int64 of arrays", "2 ** 63", P(f"a = full(2, 2 ** 63); {OK}")),
 ("array_add_overflow", "`+` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "arange(2) + 9223372036854775807", P(f"a = arange(2) + 9223372036854775807; {OK}")),
 ("array_sub_overflow", "`-` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "arange(2) - 9223372036854775807 - 2", P(f"a = arange(2) - 9223372036854775807 - 2; {OK}")),
 ("array_mul_overflow", "`*` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "arange(3) * 4611686018427387904", P(f"a = arange(3) * 4611686018427387904; {OK}")),
 ("array_pow_overflow", "`**` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "(arange(3) + 2) ** 64", P(f"a = (arange(3) + 2) ** 64; {OK}")),
 ("array_neg_overflow", "`-` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "-(arange(1) - 9223372036854775807 - 1)", P(f"a = -(arange(1) - 9223372036854775807 - 1); {OK}")),
 ("array_big_scalar", "`+` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "arange(2) + 2 ** 64", P(f"a = arange(2) + 2 ** 64; {OK}")),
 ("index_near_2_63", "`+` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "i + 9223372036854775807 + 2", P(f"{C}\n    x[i + 9223372036854775807 + 2 - 9223372036854775807] -> h[i] for i in 0..1\n    y = h")),
 ("comprehension_overflow", "`*` overflows: the arrays of the language hold integers in int64 (-2**63 .. 2**63 - 1) and do not wrap", "i * 9223372036854775807", P(f"a = [i * 9223372036854775807 for i in 0..3]; {OK}")),
 ("population_1e12", "size of population `h`: 1000000000000 is over the limit `neurons` of 67108864", "10 ** 12", P("neurons h[10 ** 12] = neuron { threshold = 1 }")),
 ("population_2_63", "size of population `h`: 9223372036854775808 is over the limit `neurons` of 67108864", "2 ** 63", P("neurons h[2 ** 63] = neuron { threshold = 1 }")),
 ("population_product", "size of population `h`: 10000000000 is over the limit `neurons` of 67108864", "neurons h[100000, 100000]", P("neurons h[100000, 100000] = neuron { threshold = 1 }")),
 ("population_70_dims", "dimensions of population `h`: 70 is over the limit `array_dims` of 32", "neurons h[", P("neurons h[" + ", ".join(["1"] * 70) + "] = neuron { threshold = 1 }")),
 ("input_1e12", "size of input connector `z`: 1000000000000 is over the limit `neurons` of 67108864", "10 ** 12", P(f"{OK}\n    input z[10 ** 12]")),
 ("output_1e12", "size of output connector `z`: 1000000000000 is over the limit `neurons` of 67108864", "10 ** 12", P(f"{OK}\n    output z[10 ** 12]")),
 ("neurons_in_all", "neurons in all: 67108865 is over the limit `neurons` of 67108864", "neurons b[", P(f"{OK}\n    neurons a[67108863] = neuron {{ threshold = 1 }}\n    neurons b[1] = neuron {{ threshold = 1 }}")),
 ("zeros_huge", "elements of `zeros`: 10000000000 is over the limit `array_elements` of 67108864", "zeros(100000, 100000)", P(f"a = zeros(100000, 100000); {OK}")),
 ("zeros_70_dims", "dimensions of `zeros`: 70 is over the limit `array_dims` of 32", "zeros(", P("a = zeros(" + ", ".join(["1"] * 70) + f"); {OK}")),
 ("arange_huge", "elements of `arange`: 1000000000000 is over the limit `array_elements` of 67108864", "arange(10 ** 12)", P(f"a = arange(10 ** 12); {OK}")),
 ("repeat_huge", "elements of `repeat`: 30000000000 is over the limit `array_elements` of 67108864", "repeat(arange(3), 10 ** 10)", P(f"a = repeat(arange(3), 10 ** 10); {OK}")),
 ("comprehension_array_huge", "elements of an array comprehension: 1000000000000 is over the limit `array_elements` of 67108864", "[i for i", P(f"a = [i for i in 0..1000000, j in 0..1000000]; {OK}")),
 ("literal_array_deep", "dimensions of this array: 33 is over the limit `array_dims` of 32", "[" * 33 + "1", P("a = " + "[" * 40 + "1" + "]" * 40 + f"; {OK}")),
 ("grid_2_40_empty_filter", "points of this comprehension's grid: 1099511627776 is over the limit `grid_points` of 1073741824", "x[0] -> h[0]", P(f"{C}\n    x[0] -> h[0] for i in 0..1048576, j in 0..1048576 if i < 0\n    y = h")),
 ("grid_1e12_empty_filter", "points of this comprehension's grid: 1000000000000 is over the limit `grid_points` of 1073741824", "x[0] -> h[0]", P(f"{C}\n    x[0] -> h[0] for i in 0..1000000, j in 0..1000000 if i < 0\n    y = h")),
 ("grid_40_dims", "dimensions of this comprehension: 40 is over the limit `array_dims` of 32", "x[0] -> h[0]", P(f"{C}\n    x[0] -> h[0] for " + ", ".join(f"v{k} in 0..1" for k in range(40)) + "\n    y = h")),
 ("connections_1e10", "points of this comprehension's grid: 10000000000 is over the limit `grid_points` of 1073741824", "x[i] -> h[j]", "corelet T() {\n    input x[100000]; output y[1]\n    neurons h[100000] = neuron { threshold = 1 }\n    x[i] -> h[j] for i in 0..100000, j in 0..100000\n    y = h[0:1]\n}\n"),
 ("output_twice", "output `y[0]` is driven twice", "y[0] = h[0]", P(f"{C}; x -> h; y = h; y[0] = h[0]")),
 ("import_absolute", "cannot import `/etc/passwd`: an absolute path; imports stay inside the importing file's folder, the search path and the library", '"/etc/passwd"', 'use "/etc/passwd"\n' + P(OK)),
 ("import_proc", "cannot import `/proc/self/environ`: an absolute path; imports stay inside the importing file's folder, the search path and the library", '"/proc/self/environ"', 'use Relay from "/proc/self/environ"\n' + P(OK)),
 ("import_dotdot", "cannot import `../../x`: a path that leaves the importing folder; imports stay inside the importing file's folder, the search path and the library", '"../../x"', 'use "../../x"\n' + P(OK)),
 ("import_dotdot_hidden", "cannot import `a/../../b/../../x.corelet`: a path that leaves the importing folder; imports stay inside the importing file's folder, the search path and the library", '"a/../../b', 'use "a/../../b/../../x.corelet"\n' + P(OK)),
 ("import_missing", "cannot find `nothere`", '"nothere"', 'use "nothere"\n' + P(OK)),
 ("self_recursion_depth", "recursion without end: instances of `T` nest deeper than 64 levels", "T(n = n + 1)", "corelet T(n: int = 0) {\n    input x; output y\n    neurons h = neuron { threshold = 1 }\n    x -> h; y = h\n    a = T(n = n + 1)\n}\n"),
 ("division_by_zero", "division by zero", "0", P(f"a = 1 // 0; {OK}")),
 ("float_overflow", "`**`: the result is too large for a float", "10.0 ** 400", P(f"a = 10.0 ** 400; {OK}")),
 ("float_of_huge_int", "`/`: the result is too large for a float", "2 ** 2000 / 3", P(f"a = 2 ** 2000 / 3; {OK}")),
 ("size_float", "a size must be an integer, got float 1.5", "1.5", P("neurons h[1.5] = neuron { threshold = 1 }")),
 ("size_negative", "a size cannot be negative, got -3", "-3", P("neurons h[-3] = neuron { threshold = 1 }")),
 ("axon_type_huge", "axon type 1180591620717411303424 is outside the allowed range 0..3", "2 ** 70", P(f"{C}; x -> h type 2 ** 70; y = h")),
 ("bom_in_the_middle", "unexpected character `\ufeff`", "\ufeff", P("\ufeff" + OK)),
 ("output_undriven", "output connector `y` is not connected", "output y[1]", P(C)),
]
import os, sys
out = sys.argv[1]
for f in os.listdir(out):
    os.remove(os.path.join(out, f))
for k, (name, message, at, source) in enumerate(cases):
    assert at in source, name
    header = f"# expect: {message}\n# at: {at}\n"
    with open(os.path.join(out, f"{k:02d}_{name}.corelet"), "w", encoding="utf-8") as f:
        f.write(header + source)
print(len(cases))
