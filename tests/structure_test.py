#!/usr/bin/env python3
"""The code's shape (issue #11): no function in src/ longer than MAX_LINES
lines, and no cycle in the include graph of src/ and include/.

Usage: structure_test.py [SOURCE_DIR]   (default: the repository this file is in)

Functions are found by a small scanner: comments, strings, character
literals and preprocessor lines are blanked out, then every `{ ... }` at
file level whose head has a parameter list (and no `=`) is a function. Its
length counts from the line of its name to the line of its closing brace.

The include graph has one node per module: a file's stem (src/feed.c and
include/feed.h are "feed"; render_internal.h and app_internal.h are
"render" and "app"; files under src/studio/ are "studio/<stem>"). An edge
goes from the including file's module to the included header's; a module
including its own header is no edge. A cycle is printed as a chain of
modules with the #include that makes each arrow.
"""
import os
import re
import sys

MAX_LINES = 80

# Functions allowed to be longer: a parser's table only (one entry a line
# of a keyword table reads best in one place). "path:function": "why".
ALLOW = {}


def blank(text):
    """text with comments, string and character literals and preprocessor
    lines replaced by spaces; newlines kept, so line numbers stay."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c in ' \t':
            out.append(c)
            i += 1
            continue
        if at_line_start and c == '#':
            # A preprocessor line, with its continuations.
            while i < n and text[i] != '\n':
                if text[i] == '\\' and i + 1 < n and text[i + 1] == '\n':
                    out.append(' \n')
                    i += 2
                    continue
                out.append(' ')
                i += 1
            continue
        at_line_start = False
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
            continue
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j - 1]) + c)
            i = j
            continue
        if c == '\n':
            at_line_start = True
        out.append(c)
        i += 1
    return ''.join(out)


HEAD_NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def functions(path):
    """[(name, first line, last line)] of the function definitions in path."""
    text = blank(open(path, encoding='utf-8', errors='replace').read())
    found = []
    depth = 0
    head_start = 0  # index where the current file-level declaration began
    fn = None       # (name, line) of the function whose body is open
    line = 1
    for i, c in enumerate(text):
        if c == '\n':
            line += 1
        elif c == '{':
            if depth == 0:
                head = text[head_start:i]
                m = HEAD_NAME.search(head)
                if m and '=' not in head and not re.match(r'\s*(struct|union|enum)\b[^(]*$', head):
                    name_line = line - text[head_start + m.start():i].count('\n')
                    fn = (m.group(1), name_line)
                else:
                    fn = None
            depth += 1
        elif c == '}':
            depth -= 1
            if depth < 0:
                raise SystemExit(f'{path}:{line}: unbalanced braces (the scanner lost its way)')
            if depth == 0:
                if fn:
                    found.append((fn[0], fn[1], line))
                fn = None
                head_start = i + 1
        elif c == ';' and depth == 0:
            head_start = i + 1
    if depth != 0:
        raise SystemExit(f'{path}: unbalanced braces at the end (the scanner lost its way)')
    return found


def sources(root, exts):
    for sub in ('src', 'include'):
        for d, _, files in os.walk(os.path.join(root, sub)):
            for f in sorted(files):
                if f.endswith(exts):
                    yield os.path.join(d, f)


def module_of(root, path):
    rel = os.path.relpath(path, root).replace(os.sep, '/')
    rel = re.sub(r'^(src|include)/', '', rel)
    stem = os.path.splitext(rel)[0]
    return re.sub(r'_internal$', '', stem)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def include_graph(root):
    """{module: {included module: (file, line, header)}}"""
    graph = {}
    for path in sources(root, ('.c', '.h')):
        mod = module_of(root, path)
        graph.setdefault(mod, {})
        text = open(path, encoding='utf-8', errors='replace').read()
        for m in INCLUDE.finditer(text):
            name = m.group(1)
            # As the compiler looks: beside the file, then include/ and src/.
            for base in (os.path.dirname(path), os.path.join(root, 'include'), os.path.join(root, 'src')):
                cand = os.path.normpath(os.path.join(base, name))
                if os.path.isfile(cand):
                    break
            else:
                continue  # not ours (third_party, generated)
            rel = os.path.relpath(cand, root)
            if rel.startswith('..') or rel.split(os.sep)[0] not in ('src', 'include'):
                continue
            to = module_of(root, cand)
            if to != mod and to not in graph[mod]:
                line = text.count('\n', 0, m.start()) + 1
                graph[mod][to] = (os.path.relpath(path, root), line, name)
    return graph


def cycles(graph):
    """The cycles found by a depth-first search (one per back edge)."""
    found = []
    state = {}
    stack = []

    def visit(v):
        state[v] = 1
        stack.append(v)
        for w in sorted(graph.get(v, {})):
            if state.get(w) == 1:
                found.append(stack[stack.index(w):] + [w])
            elif w not in state:
                visit(w)
        stack.pop()
        state[v] = 2

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in state:
            visit(v)
    return found


def self_check():
    """The scanner on a made-up tree: a function of 81 lines among braces in
    strings, comments and macros, one of 80, and a cycle a -> b -> a."""
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, 'src'))
        os.makedirs(os.path.join(root, 'include'))
        body = '\n'.join(['    x++;'] * 77)
        src = ('#include "b.h"\n#define OPEN {\n/* } */\nstatic const int t[] = {1, 2};\n'
               'static int long_one(int x)\n{\n    const char *s = "}}";\n' + body + '\n}\n'
               'int just_80(int x) {\n    char c = \'}\'; // }\n' + body + '\n}\n')
        open(os.path.join(root, 'src', 'a.c'), 'w').write(src)
        open(os.path.join(root, 'include', 'a.h'), 'w').write('#include "b.h"\n')
        open(os.path.join(root, 'include', 'b.h'), 'w').write('#include "a.h"\n')
        got = {name: last - first + 1 for name, first, last in functions(os.path.join(root, 'src', 'a.c'))}
        assert got == {'long_one': 81, 'just_80': 80}, got
        assert cycles(include_graph(root)) == [['a', 'b', 'a']], cycles(include_graph(root))


def main():
    self_check()
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..'))
    bad = 0
    n_fn = 0
    seen_allowed = set()
    for path in sources(root, ('.c',)):
        rel = os.path.relpath(path, root).replace(os.sep, '/')
        for name, first, last in functions(path):
            n_fn += 1
            length = last - first + 1
            key = f'{rel}:{name}'
            if key in ALLOW:
                seen_allowed.add(key)
                continue
            if length > MAX_LINES:
                print(f'{rel}:{first}: {name} is {length} lines (at most {MAX_LINES}): split it into named steps')
                bad += 1
    for key in sorted(set(ALLOW) - seen_allowed):
        print(f'allow-list entry {key} names no function: remove it')
        bad += 1

    graph = include_graph(root)
    for cyc in cycles(graph):
        print('include cycle: ' + ' -> '.join(cyc))
        for a, b in zip(cyc, cyc[1:]):
            f, line, name = graph[a][b]
            print(f'    {f}:{line}: #include "{name}"')
        bad += 1

    edges = sum(len(v) for v in graph.values())
    print(f'{n_fn} functions, {len(graph)} modules, {edges} include edges; {bad} problem(s)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
