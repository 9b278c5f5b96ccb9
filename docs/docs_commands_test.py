#!/usr/bin/python3
"""Runs the commands quoted in the guide and compares what they print with what the guide says.

A ```console block is checked when the line just before its fence is

    <!-- checked -->                       or
    <!-- checked setup: COMMAND -->        (COMMAND runs first, its output ignored)

Inside a checked block a line starting with "$ " is a command; it continues on the next lines
while a quote is open (a multi-line SQL string). The lines after it, up to the next command or
the end of the block, are its expected output (stdout and stderr together), compared line by
line with trailing spaces ignored, except that a line starting with "..." stands for any number
of lines (text after the dots is a comment). A command followed directly by another command has
its output unchecked: the guide shows only the second one's.

Every block runs in a fresh directory, with `orrery` on PATH being the binary under test and the
word DIR replaced by a fresh data directory. The exit status is not compared: the guide shows
failing commands too.

Usage: docs_commands_test.py ORRERY_BINARY REPO_ROOT
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!-- checked(?: setup: (.*))? -->$")


def quotes_open(text):
    """True while `text` has an unterminated ' or " (as bash would read it, roughly)."""
    try:
        shlex.split(text)
        return False
    except ValueError:
        return True


def parse_block(lines):
    """[(command, expected lines or None)] of one console block's lines."""
    steps = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise ValueError(f"output before any command: {lines[i]!r}")
        command = lines[i][2:]
        i += 1
        while quotes_open(command) and i < len(lines):
            command += "\n" + lines[i]
            i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i].rstrip())
            i += 1
        steps.append((command, expected if expected else None))
    return steps


def matches(expected, actual):
    """Line-by-line match where a '...' line matches any run of lines (backtracking)."""
    def go(e, a):
        if e == len(expected):
            return a == len(actual)
        if expected[e].startswith("..."):
            return any(go(e + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and expected[e] == actual[a] and go(e + 1, a + 1)
    return go(0, 0)


def blocks(path):
    """(line number, setup or None, block lines) of every checked block in a markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    for n, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        if n + 1 >= len(lines) or lines[n + 1].strip() != "```console":
            raise ValueError(f"{path}:{n + 1}: the marker is not followed by a ```console fence")
        body = []
        k = n + 2
        while k < len(lines) and lines[k].strip() != "```":
            body.append(lines[k])
            k += 1
        out.append((n + 3, m.group(1), body))
    return out


def main():
    orrery, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    files = [os.path.join(root, "README.md")]
    docs = os.path.join(root, "docs")
    files += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    bindir = tempfile.mkdtemp()
    os.symlink(orrery, os.path.join(bindir, "orrery"))
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    checked = failures = 0
    for path in files:
        for line, setup, body in blocks(path):
            where = f"{os.path.relpath(path, root)}:{line}"
            work = tempfile.mkdtemp()
            data = os.path.join(work, "data")

            def run(command):
                command = re.sub(r"\bDIR\b", data, command)
                r = subprocess.run(["bash", "-c", command], cwd=work, env=env, timeout=120,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                return [l.rstrip() for l in r.stdout.rstrip("\n").split("\n")] if r.stdout else []

            if setup:
                run(setup)
            for command, expected in parse_block(body):
                actual = run(command)
                if expected is None:
                    continue
                checked += 1
                if matches(expected, actual):
                    print(f"ok   {where}: $ {command.splitlines()[0][:90]}")
                    continue
                failures += 1
                print(f"FAIL {where}: $ {command}\n---- the guide says\n" + "\n".join(expected) +
                      "\n---- the binary prints\n" + "\n".join(actual) + "\n")
    if checked < 5:
        print(f"FAIL only {checked} quoted commands are checked")
        return 1
    print(f"{checked} quoted commands checked, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
