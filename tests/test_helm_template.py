"""Go text/template, Sprig and go-yaml semantics of the Helm renderer, case by case."""

from __future__ import annotations

from typing import Any

import pytest

from platform_lint.helm import executor as executor_module
from platform_lint.helm.chart import load_files
from platform_lint.helm.errors import RenderLimit, TemplateError
from platform_lint.helm.gofmt import go_float, sprintf
from platform_lint.helm.goyaml import dump, json_dump
from platform_lint.helm.render import Options, Rendering, render
from platform_lint.helm.values import parse_set


def chart(templates: dict[str, str], values: str = "", **extra: str) -> Rendering:
    files = {"Chart.yaml": b"apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: '4.5'\n",
             "values.yaml": values.encode()}
    files.update({f"templates/{k}": v.encode() for k, v in templates.items()})
    files.update({k: v.encode() for k, v in extra.items()})
    return render(load_files("demo", files), Options(release_name="rel"))


def out(src: str, values: str = "", **extra: str) -> str:
    result = chart({"t.yaml": src}, values, **extra)
    assert result.errors == [], result.errors
    return result.manifests[0].text


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("a {{- \" b \" -}} c", "a b c"),
        ("{{ 'x' }}", "120"),
        ('{{ "\\u00e9\\x41\\n" }}|{{ \'\\\'\' }}', "\u00e9A\n|39"),
        # a character constant's byte escape is the byte's value, as strconv.UnquoteChar reads it
        ("{{ '\\xff' }}|{{ '\\377' }}|{{ '\\u00e9' }}|{{ '\\n' }}", "255|255|233|10"),
        ("x\n  {{- /* gone */ -}}\n  y", "xy"),
        ("{{ if false }}1{{ else if true }}2{{ else }}3{{ end }}", "2"),
        ("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", "a=1;b=x;c=true;"),
        ("{{ range .Values.l }}{{ . }}{{ else }}empty{{ end }}", "123"),
        ("{{ range .Values.none }}x{{ else }}empty{{ end }}", "empty"),
        ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}", "2"),
        ("{{ with .Values.m }}{{ .b }}{{ end }}|{{ with .Values.none }}x{{ else }}none{{ end }}", "x|none"),
        ("{{ range .Values.l }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ . }}{{ end }}", "1"),
        ("{{ .Values.missing }}|{{ (.Values.missing).deeper }}", "|"),
        ("{{ .Values.big }} {{ .Values.m.a }} {{ 1000000 }}", "1e+06 1 1000000"),
        ('{{ printf "%s-%d-%v-%q-%05.1f" "a" 3 true "q" 3.14159 }}', 'a-3-true-"q"-003.1'),
        ('{{ define "x" }}[{{ . }}]{{ end }}{{ include "x" "in" | upper }}', "[IN]"),
        ("{{ .Chart.Name }}-{{ .Chart.AppVersion }}-{{ .Release.Name }}-{{ .Template.Name }}",
         "demo-4.5-rel-demo/templates/t.yaml"),
        ('{{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version }}', "true"),
        ('{{ .Capabilities.APIVersions.Has "apps/v1" }}', "true"),
        ('{{ tpl "{{ .Values.m.b }}!" . }}', "x!"),
        ('{{ .Files.Get "conf/a.txt" }}', "hello"),
        ("{{ and 1 0 }}|{{ or 0 \"\" }}|{{ not nil }}|{{ default 5 0 }}|{{ coalesce nil 0 7 }}",
         "0||true|5|7"),
        ('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ keys $d | sortAlpha | join "," }}', "a,b"),
        ('{{ trunc 3 "abcdef" }} {{ trimSuffix "-" "a-" }} {{ "x" | quote }} {{ nindent 2 "a" }}',
         'abc a "x" \n  a'),
    ],
)
def test_template_semantics(src: str, expected: str) -> None:
    values = "m: {a: 1, b: x, c: true}\nl: [1, 2, 3]\nbig: 1000000\n"
    assert out(src, values, **{"conf/a.txt": "hello"}) == expected


def test_random_strings_have_the_length_and_alphabet_asked() -> None:
    import string

    for function, alphabet in (("randAlphaNum", string.ascii_letters + string.digits),
                               ("randAlpha", string.ascii_letters), ("randNumeric", string.digits),
                               ("randAscii", string.printable[:94])):
        text = out(f"{{{{ {function} 40 }}}}")
        assert len(text) == 40 and set(text) <= set(alphabet), function


def test_nil_inside_a_field_chain_is_an_error_at_its_line() -> None:
    result = chart({"t.yaml": "ok\n{{ .Values.a.b.c }}\n"}, "a: {}\n")
    (error,) = result.errors
    assert (error.file, error.line) == ("demo/templates/t.yaml", 2)
    assert "nil pointer evaluating interface {}.c" in error.message


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ('{{ required "image.tag is required" .Values.tag }}', "image.tag is required"),
        ('{{ fail "no" }}', "no"),
        ("{{ nosuchfunc 1 }}", 'function "nosuchfunc" not defined'),
        ("{{ if }}", "missing value for command"),
        ("{{ end }}", "unexpected {{end}}"),
        # escapes Go's strconv.Unquote refuses: a surrogate used to reach the output
        # and fail writing it ('internal error')
        ('{{ "\\ud800" }}', "invalid syntax"),
        ('{{ "\\d" | quote }}', "invalid syntax"),
        ('{{ include "\\q" . }}', "invalid syntax"),
        ("{{ '\\q' }}", "malformed character constant"),
        # a function's own refusal in Helm's words; Python's ('int' object is not iterable) never
        ("{{ keys 5 }}", "error calling keys: cannot be called with int"),
        ('{{ splitn "," "x" "a,b" }}', "error calling splitn: cannot be called with string, string, string"),
        ("{{ div 1 0 }}", "error calling div: runtime error: integer divide by zero"),
        ("{{ len 5 }}", "error calling len: len of type int"),
    ],
)
def test_errors_are_template_errors_with_a_line(src: str, message: str) -> None:
    result = chart({"t.yaml": f"a: 1\n{src}\n", "u.yaml": "kind: Fine\n"})
    assert [m.template for m in result.manifests] == ["demo/templates/u.yaml"]
    (error,) = result.errors
    assert message in error.message
    assert (error.file, error.line) == ("demo/templates/t.yaml", 2)


def test_an_unknown_function_fails_at_parse_time_even_in_a_branch_never_run() -> None:
    # Go's parser checks every name against the function map: `helm template` fails with
    # `template: demo/templates/t.yaml:3: function "toYml" not defined` though `if false` never runs.
    result = chart({"t.yaml": "a: 1\n{{- if false }}\n{{ .Values.x | toYml }}\n{{- end }}\n",
                    "u.yaml": "{{ tpl \"{{ nope }}\" . }}"})
    assert [(e.file, e.line, e.message) for e in result.errors] == [
        ("demo/templates/t.yaml", 3, 'function "toYml" not defined'),
        ("demo/templates/u.yaml", 1, 'error in tpl: function "nope" not defined')]
    assert result.manifests == []  # a template that does not parse renders nothing, as in Helm


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # every number in a values file is a float64; template literals are ints
        ("{{ eq .Values.replicas 1.0 }} {{ eq (int .Values.replicas) 1 }} {{ gt .Values.replicas 0.5 }}",
         "true true true"),
        ('{{ eq .Values.missing "x" }} {{ eq nil .Values.missing }} {{ eq .Values.name "web" "api" }}',
         "false true true"),
        ("{{ ne 1 2 }} {{ lt \"a\" \"b\" }} {{ eq true true }}", "true true true"),
    ],
)
def test_comparisons_follow_go_kinds(src: str, expected: str) -> None:
    assert out(src, "replicas: 1\nname: api\n") == expected


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("{{ if eq .Values.replicas 1 }}x{{ end }}", "error calling eq: incompatible types for comparison"),
        ("{{ gt .Values.replicas 0 }}", "error calling gt: incompatible types for comparison"),
        ('{{ eq .Values.name 1 }}', "error calling eq: incompatible types for comparison"),
        ("{{ lt true false }}", "error calling lt: invalid type for comparison"),
        ("{{ eq .Values.list .Values.list }}", "error calling eq: non-comparable type []interface {}"),
    ],
)
def test_comparing_different_kinds_is_an_error_as_in_helm(src: str, message: str) -> None:
    result = chart({"t.yaml": f"a: 1\n{src}\n"}, "replicas: 1\nname: api\nlist: [1]\n")
    assert [(e.line, e.message) for e in result.errors] == [(2, message)]


def test_set_values_are_integers_so_they_compare_with_int_literals() -> None:
    files = {"Chart.yaml": b"apiVersion: v2\nname: demo\nversion: 1.0.0\n",
             "templates/t.yaml": b"{{ eq .Values.replicas 1 }}"}
    result = render(load_files("demo", files), Options(set_values=["replicas=1"]))
    assert result.errors == [] and result.manifests[0].text == "true"


def test_unbounded_recursion_and_loops_stop_with_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    result = chart({"t.yaml": '{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}'})
    assert isinstance(result.errors[0], RenderLimit)
    monkeypatch.setattr(executor_module, "MAX_ITERATIONS", 1000)
    result = chart({"t.yaml": "{{ range until 5000 }}x{{ end }}"})
    assert isinstance(result.errors[0], RenderLimit)
    monkeypatch.setattr(executor_module, "MAX_OUTPUT", 10_000)
    result = chart({"t.yaml": '{{ range until 900 }}{{ repeat 100 "x" }}{{ end }}'})
    assert isinstance(result.errors[0], RenderLimit) and "larger than" in result.errors[0].message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": 1, "a": {"c": [1, "two", None]}, "e": {}, "f": []},
         "a:\n  c:\n  - 1\n  - two\n  - null\nb: 1\ne: {}\nf: []\n"),
        ({"s": ["true", "1.0", "", "0755", "a: b", "- x", "#c", "ok #no", "@a", "x:"]},
         's:\n- "true"\n- "1.0"\n- ""\n- "0755"\n- \'a: b\'\n- \'- x\'\n- \'#c\'\n'
         "- 'ok #no'\n- '@a'\n- 'x:'\n"),
        ({"k": "line1\nline2\n", "j": "a\nb", "t": "tab\there"},
         'j: |-\n  a\n  b\nk: |\n  line1\n  line2\nt: "tab\\there"\n'),
        ({"a10": 1, "a9": 2, "a_b": 3, "ab": 4}, "a_b: 3\na9: 2\na10: 1\nab: 4\n"),
        ({"n": 2.0, "f": 1.5, "big": 1e21}, "big: 1e+21\nf: 1.5\n\"n\": 2\n"),  # YAML 1.1 reads n as false
        ({"l": [{"a": 1, "b": 2}, [3, 4]]}, "l:\n- a: 1\n  b: 2\n- - 3\n  - 4\n"),
    ],
)
def test_to_yaml_matches_go_yaml(value: Any, text: str) -> None:
    assert dump(value) == text


def test_the_unprintable_class_is_the_complement_of_printable_at_every_range_edge() -> None:
    from platform_lint.helm.goyaml import _NOT_PRINTABLE, _printable

    edges = (0x0A, 0x20, 0x7E, 0x85, 0xA0, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFEFE, 0xFEFF, 0xFF00,
             0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF)
    near = {c + d for c in edges for d in (-1, 0, 1) if 0 <= c + d <= 0x10FFFF}
    for code in sorted(near | set(range(256))):
        assert (_NOT_PRINTABLE.match(chr(code)) is None) == _printable(chr(code)), hex(code)


def test_to_yaml_folds_long_plain_text_at_80_columns() -> None:
    words = " ".join(["word"] * 30)
    folded = dump({"description": words})
    first, second = folded.splitlines()[:2]
    assert first.startswith("description: word") and len(first) <= 85
    assert second.startswith("  word")


def test_json_and_printf_number_text() -> None:
    assert json_dump({"b": [1.0, 0.5], "a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e","b":[1,0.5]}'
    assert go_float(1234567.0) == "1.234567e+06"
    assert go_float(0.0001) == "0.0001"
    assert go_float(0.00001) == "1e-05"
    assert sprintf("%s %d", 1.0, "x") == "%!s(float64=1) %!d(string=x)"


def test_set_values_follow_helm_strvals() -> None:
    assert parse_set("a.b=1,c=true,d=null,e={x,y},f[1]=z,g=1\\,2", {}) == {
        "a": {"b": 1}, "c": True, "d": None, "e": ["x", "y"], "f": [None, "z"], "g": "1,2"}


def test_values_files_set_and_subcharts_with_globals_alias_and_conditions() -> None:
    files = {
        "Chart.yaml": b"apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n"
                      b"- {name: sub, alias: one, condition: one.enabled}\n"
                      b"- {name: sub, alias: two, condition: two.enabled}\n- {name: absent}\n",
        "values.yaml": b"global: {env: prod}\none: {enabled: true, port: 1}\ntwo: {enabled: false}\n",
        "templates/t.yaml": b"top: {{ .Values.one.port }}",
        "charts/sub/Chart.yaml": b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        "charts/sub/values.yaml": b"port: 9\nname: base\nglobal: {env: dev, region: eu}\n",
        "charts/sub/templates/s.yaml": b"{{ .Chart.Name }} {{ .Values.port }} {{ .Values.name }} "
                                        b"{{ .Values.global.env }} {{ .Values.global.region }}",
    }
    opts = Options(values_files=[("f.yaml", "one: {port: 2}\n")], set_values=["one.name=set"])
    result = render(load_files("top", files), opts)
    assert result.errors == []
    texts = {m.template: m.text for m in result.manifests}
    assert texts == {"top/templates/t.yaml": "top: 2", "top/charts/one/templates/s.yaml": "one 2 set prod eu"}
    assert any("absent" in n for n in result.notices)


def test_parse_errors_name_the_file_and_line() -> None:
    with pytest.raises(TemplateError) as info:
        load_files("x", {"values.yaml": b""})
    assert "Chart.yaml" in info.value.message


def test_values_that_explode_through_aliases_or_huge_lists_stop_with_a_finding() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True))
    result = chart({"t.yaml": "{{ .Values.h }}"}, bomb)
    assert any("more than" in e.message for e in result.errors)
    result = chart({"t.yaml": "{{ range until 100000000000 }}x{{ end }}"})
    assert "longer than" in result.errors[0].message
    result = chart({"t.yaml": '{{ repeat 100000000000 "x" }}'})
    assert "larger than" in result.errors[0].message


def test_values_read_from_yaml_or_copied_are_each_templates_own() -> None:
    # fromYaml of one text twice (remembered once parsed), and deepCopy: changing one result changes no other
    src = ('{{ $a := fromYaml "m: {x: 1}" }}{{ $_ := set $a.m "x" 2 }}{{ (fromYaml "m: {x: 1}").m.x }}|'
           '{{ $c := deepCopy .Values.m }}{{ $_ := set $c "a" 9 }}{{ .Values.m.a }}|{{ $c.a }}|'
           '{{ (deepCopy .Capabilities).KubeVersion.Major }}')
    assert out(src, "m: {a: 1}\n") == "1|1|9|1"


def test_deep_copy_keeps_sharing_and_cycles_as_copy_deepcopy_does() -> None:
    """A map or list reached twice is copied once: thirty levels of `list $a $a` make thirty
    copies, not 2**30, and a map holding itself is copied, not recursed into forever."""
    from platform_lint.helm.values import copied

    shared: list[object] = ["x"]
    for _ in range(30):
        shared = [shared, shared]
    out: Any = copied(shared)
    walked: Any = shared
    for _ in range(30):  # (== would compare all 2**30 paths)
        assert isinstance(out, list) and out is not walked and out[0] is out[1]
        out, walked = out[0], walked[0]
    assert out == walked == ["x"] and out is not walked
    looped: dict[str, object] = {"a": 1}
    looped["self"] = looped
    again = copied(looped)
    assert again is not looped and again["self"] is again and again["a"] == 1


def test_a_rendering_leaves_no_reference_cycle_for_the_collector() -> None:
    """A chart is rendered with the cycle collector paused (`sources.helm_chart`): what
    rendering makes must be freed by reference counting alone."""
    import gc

    files = {"Chart.yaml": b"apiVersion: v2\nname: demo\nversion: 1.0.0\n", "values.yaml": b"n: 2\n",
             "templates/_h.tpl": b'{{ define "h" }}x{{ . }}{{ end }}',
             "templates/t.yaml": b'{{ range until (int .Values.n) }}{{ include "h" . }}\n{{ end }}'}
    loaded = load_files("demo", files)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        result = render(loaded, Options(trace=True))
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert result.manifests[0].text == "x0\nx1\n"


def test_one_tracer_shared_by_a_charts_renderings_marks_each_origin_once() -> None:
    from platform_lint.helm.trace import Tracer

    files = {"Chart.yaml": b"apiVersion: v2\nname: demo\nversion: 1.0.0\n", "values.yaml": b"flag: false\n",
             "templates/t.yaml": b"a: 1\n{{- if .Values.flag }}\nb: {{ .Values.flag }}\n{{- end }}\nc: 3\n"}
    loaded = load_files("demo", files)
    sets = [[], [("on.yaml", "flag: true\n")], []]
    tracer = Tracer()
    for values in sets:
        alone = render(loaded, Options(values_files=values, trace=True))
        shared = render(loaded, Options(values_files=values, trace=True, tracer=tracer))
        (a,), (s,) = alone.manifests, shared.manifests
        assert s.text == a.text
        assert [[(col, shared.origins[i]) for col, i in line] for line in s.marks or []] == [
            [(col, alone.origins[i]) for col, i in line] for line in a.marks or []]
    assert len(tracer.origins) == len(set(tracer.origins)) == 4  # lines 1, 3 (text, action) and 5


def test_to_yaml_remembered_by_json_text_tells_every_type_apart() -> None:
    from platform_lint.helm.goyaml import _written, to_json_data

    values: list[Any] = [1, 1.0, 1.5, "1", True, "true", None, "null", "", [], {}, [1], ["1"], {"a": 1},
                         {"a": "1"}, {"a": None}, {"1": 1}, float("inf"), float("nan"), "\ud800", 10**30,
                         1e21, -0.0, {"b": 1, "a": [True, {"x": "y\nz"}]},
                         {"a": [True, {"x": "y\nz"}], "b": 1}, ("t", 1), "x" * 5000]
    for _ in range(2):  # the second round is answered from what the first remembered
        for v in values:
            assert dump(v) == _written(to_json_data(v))
    assert len({dump(v) for v in values}) == len(values) - 2  # 1 is 1.0 (as in Go), keys are sorted


def test_each_include_runs_again_a_random_call_differs_and_depth_counts_every_time() -> None:
    """An include is run each time it is called: `uuidv4` gives a new value per call, and a
    nesting reached through includes already run once still stops at the depth limit."""
    assert out('{{ define "u" }}{{ uuidv4 }}{{ end }}{{ eq (include "u" .) (include "u" .) }}') == "false"
    deep = ('{{ define "deep" }}{{ if gt .n 0 }}{{ include "deep" (dict "n" (sub .n 1)) }}'
            '{{ else }}bottom{{ end }}{{ end }}'
            '{{ define "y" }}{{ include "deep" .d }}{{ end }}'
            '{{ define "wrap" }}{{ if gt .n 0 }}{{ include "wrap" (dict "n" (sub .n 1) "e" .e) }}'
            '{{ else }}{{ include "y" .e }}{{ end }}{{ end }}'
            '{{ $d := dict "n" 50 }}{{ $e := dict "d" $d }}'
            'a: {{ include "deep" $d }}\nb: {{ include "y" $e }}\n'
            'c: {{ include "wrap" (dict "n" 20 "e" $e) }}\n')
    result = chart({"t.yaml": deep})
    assert result.errors and isinstance(result.errors[0], RenderLimit), result.errors


def test_files_glob_reads_a_class_as_gobwas_glob_does() -> None:
    """Characters of a `[...]` class are themselves (Python's `re` warned of a nested set at
    `[[`); a pattern that does not compile matches every file, as Helm falls back to `**`."""
    import warnings

    from platform_lint.helm.funcs_helm import Files

    files = Files({"a[": "1", "ax": "2", "ab": "3", "a\\": "4"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sorted(files.glob("a[[x]").files) == ["a[", "ax"]
        assert sorted(files.glob("a[!x]").files) == ["a[", "a\\", "ab"]
        assert sorted(files.glob("a[b^]").files) == ["ab"]
        assert len(files.glob("a[z-a]").files) == 4


def test_files_glob_and_api_versions_can_be_ranged_over_as_in_helm() -> None:
    """`.Files.Glob` gives a Go map (name to content) and `.Capabilities.APIVersions` a
    slice: the chart guide's `range $path, $_ := .Files.Glob "..."` is not an error."""
    src = ('{{ range $path, $_ := .Files.Glob "conf/*.toml" }}{{ $path }}={{ $.Files.Get $path }};'
           '{{ end }}{{ range $i, $v := .Capabilities.APIVersions }}{{ if eq $v "v1" }}v1@{{ $i }}'
           '{{ end }}{{ end }}')
    text = out(src, **{"conf/b.toml": "2", "conf/a.toml": "1", "conf/c.txt": "3"})
    assert text.startswith("conf/a.toml=1;conf/b.toml=2;v1@")


@pytest.mark.parametrize(("src", "expected"), [
    # Sprig's round: the fraction of 10^p * x against 0.5 (or the third argument), in
    # float64; Python's round of a Decimal rounded half to even and toward zero.
    ("{{ round 2.5 0 }}", "3"), ("{{ round 1.25 1 }}", "1.3"), ("{{ round -2.4 0 }}", "-3"),
    ("{{ round 2.4 0 0.3 }}", "3"), ("{{ round 3.14159 2 }}", "3.14"),
    # 10^p overflows to +Inf, or falls to 0: NaN, as in Go (a Decimal refused the exponent).
    ("{{ round 1.5 1000000000 }}", "NaN"), ("{{ round 1.5 -1000000000 }}", "NaN"),
    # Go's Floor and Ceil of an infinity are the infinity (Python's raised OverflowError).
    ('{{ floor "inf" }} {{ ceil "-inf" }} {{ floor 2.5 }} {{ ceil 2.5 }}', "+Inf -Inf 2 3"),
])
def test_round_floor_and_ceil_compute_as_sprig_does(src: str, expected: str) -> None:
    assert out(src) == expected


@pytest.mark.parametrize(("src", "message"), [
    # shopspring/decimal panics on these and Go's template turns the panic into the
    # call's error; the Decimal's own signals were an internal error.
    ('{{ subf "inf" "inf" }}', "error calling subf: Cannot create a Decimal from +Inf"),
    ('{{ mulf "nan" 0 }}', "error calling mulf: Cannot create a Decimal from NaN"),
    ("{{ divf 0 0 }}", "error calling divf: decimal division by 0"),
    ("{{ divf 1 0 }}", "error calling divf: decimal division by 0"),
])
def test_float_math_faults_are_the_calls_errors(src: str, message: str) -> None:
    (error,) = chart({"t.yaml": f"a: 1\n{src}\n"}).errors
    assert (error.message, error.line) == (message, 2)


def test_indent_is_bounded_as_repeat_is() -> None:
    """`indent 2000000000 "x"` built a 2 GB string (9 s, 3.9 GB resident) before the
    output budget could see it."""
    for name, src in (("indent", '{{ indent 2000000000 "x" }}'),
                      ("nindent", '{{ nindent 5000000 (repeat 10 "\\n") }}')):
        (error,) = chart({"t.yaml": src}).errors
        assert error.message.startswith(f"error calling {name}: result larger than"), src
