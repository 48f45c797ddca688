"""Runs `python -m indicators ...` inside the test process (much faster than a subprocess on a busy
machine): exit code, stdout and stderr, as a subprocess.CompletedProcess."""

from __future__ import annotations

import contextlib
import io
import subprocess

from indicators.cli import main


def run_cli(*args) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())
