"""Builds the C++ core and its native test drivers (tests/cpp) under sanitizers and runs them:
ASan+UBSan for everything, TSan for the threaded ring buffer. Warnings are errors there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent  # cmake and ninja come with the test extras


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.fail(f"{name} not found: install the test extras (pip install -e '.[test]')")
    return found


def build_and_run(sanitizer: str, tests_regex: str) -> subprocess.CompletedProcess[str]:
    build = ROOT / "build" / f"cpp-{sanitizer}"
    env = {**os.environ, "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1", "UBSAN_OPTIONS": "print_stacktrace=1",
           "TSAN_OPTIONS": "halt_on_error=1"}
    subprocess.run([tool("cmake"), "-S", str(ROOT / "tests" / "cpp"), "-B", str(build), "-G", "Ninja",
                    f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", f"-DVELOZ_SANITIZE={sanitizer}",
                    "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], check=True, capture_output=True, text=True, env=env)
    compiled = subprocess.run([tool("cmake"), "--build", str(build)], capture_output=True, text=True, env=env)
    assert compiled.returncode == 0, compiled.stdout[-4000:] + compiled.stderr[-4000:]
    return subprocess.run([tool("ctest"), "--test-dir", str(build), "--output-on-failure", "-R", tests_regex],
                          capture_output=True, text=True, env=env, timeout=900)


def test_core_under_address_and_undefined_sanitizers() -> None:
    result = build_and_run("address", ".")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "100% tests passed" in result.stdout


def test_ring_under_thread_sanitizer() -> None:
    result = build_and_run("thread", "ring")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "100% tests passed" in result.stdout
