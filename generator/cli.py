"""Command line: ``symposium check | build | dump | ...``.

Exit codes: 0 ok, 1 content errors, 2 usage errors, 141 when the reader of
the output went away (``symposium dump | head``). Content problems are
printed as ``file:line:col: error: ...`` lines, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from generator import __version__
from generator.core.diagnostics import (
    EXIT_BROKEN_PIPE,
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    ContentError,
    UsageError,
    warning_report,
)


def _content_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise UsageError(f"content folder '{value}' does not exist (pass --content DIR)")
    return path


def _show_warnings(warnings: list) -> None:
    """Warnings of valid content go to stderr, before the command's own output."""
    if warnings:
        print(warning_report(warnings), file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    from generator.content.pipeline import load_program

    program = load_program(_content_dir(args.content))
    _show_warnings(program.warnings)
    print(f"ok: {len(program.slots)} slots on {len(program.days)} days, {len(program.talks)} talks, "
          f"{len(program.speakers)} speakers")
    return EXIT_OK


def cmd_dump(args: argparse.Namespace) -> int:
    from generator.content.dump import program_to_dict
    from generator.content.pipeline import load_program

    program = load_program(_content_dir(args.content))
    _show_warnings(program.warnings)
    json.dump(program_to_dict(program), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def _minifier(name: str) -> str:
    if name == "minify-html":
        try:
            import minify_html  # noqa: F401
        except ImportError:
            raise UsageError("--minifier minify-html needs the minify-html package: pip install minify-html") from None
    return name


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build.site import BuildOptions, build_site

    options = BuildOptions(
        content=_content_dir(args.content),
        out=Path(args.out),
        templates=Path(args.templates) if args.templates else None,
        base_url=args.base_url,
        figures=not args.no_figures,
        search=not args.no_search,
        minify=not args.no_minify,
        minifier=_minifier(args.minifier),
        jobs=args.jobs,
    )
    from generator.build.progress import status_reporter

    report = build_site(options, progress=status_reporter())
    _show_warnings(report.warnings)
    print(report.summary())
    return EXIT_OK


def _template_position(error: BaseException) -> str:
    """``file:line`` of the template that failed, from the error or its traceback."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:
        trace = error.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code.co_filename
            if code.endswith((".html", ".xml", ".js", ".txt")):
                filename, line = code, trace.tb_lineno
            trace = trace.tb_next
    return f"{filename or 'templates'}:{line or 1}"


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``only`` names the one extra command to load (None: all of them)."""
    parser = argparse.ArgumentParser(
        prog="symposium", description="Turn a symposium's program and speakers, kept as YAML, into a static website.")
    parser.add_argument("--version", action="version", version=f"symposium-site {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def with_content(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--content", default="content", help="content folder (default: content)")
        return sub

    with_content(command("check", cmd_check, "validate the content and report every problem"))
    with_content(command("dump", cmd_dump, "print the validated, linked content as JSON"))
    build = with_content(command("build", cmd_build, "validate the content and write the site"))
    build.add_argument("--out", default="site", help="output folder (default: site)")
    build.add_argument("--templates", default=None, help="templates folder (default: the project's templates/)")
    build.add_argument("--base-url", default="/", help="URL path the site is served under, e.g. /my-repo/")
    build.add_argument("--no-figures", action="store_true", help="skip the live-figures simulation")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    build.add_argument("--no-minify", action="store_true", help="write HTML without minifying it")
    build.add_argument("--minifier", choices=["htmlmin", "minify-html"], default="htmlmin",
                       help="htmlmin (default) or minify-html (much faster for huge programs; pip install minify-html)")
    build.add_argument("--jobs", type=int, default=None, help="worker processes for page rendering")
    for command_name, module_name in COMMAND_MODULES.items():
        if only is None or only == command_name:
            importlib.import_module(module_name).register(commands)
    return parser


#: Sub-commands that live in their own modules, each adding itself with
#: ``register(subparsers)``; a handler returns an exit code and may raise
#: ContentError or UsageError. Only the module of the command being run is
#: imported, so `symposium build` does not pay for the importer's or the server's imports.
COMMAND_MODULES: dict[str, str] = {
    "init": "generator.commands.init",
    "schema": "generator.commands.schema",
    "new": "generator.commands.scaffold",
    "import-bibtex": "generator.commands.import_bibtex",
    "serve": "generator.commands.serve",
    "import": "generator.commands.import_schedule",
}


def _run(argv: list[str]) -> int:
    command = _command(argv)
    known_core = command in ("check", "dump", "build")
    parser = _parser(only=command if known_core or command in COMMAND_MODULES else None)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ContentError as error:
        print(error.diagnostics.report(), file=sys.stderr)
        return EXIT_CONTENT
    except UsageError as error:
        print(f"symposium: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # a subclass of OSError: main() decides whose pipe it was
        raise
    except OSError as error:  # e.g. an --out folder that is not a site, a disk that is full
        print(f"symposium: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a template an organizer edited: say where, not a traceback
        import jinja2

        if not isinstance(error, jinja2.TemplateError):
            raise
        print(f"{_template_position(error)}: error: template: {error}; nothing was built.", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("symposium: interrupted; the previous site was left as it was", file=sys.stderr)
        return 130


def _reader_gone(stream: object) -> bool:
    """Whether ``stream`` is a pipe or socket whose reading end was closed.

    poll() reports POLLERR for the writing end of a pipe without readers (and
    POLLHUP for a socket whose peer went away) without writing anything. A
    stream without a file descriptor (pytest's capture) is never gone; where
    poll() is missing (Windows) a standard stream is assumed to be the one.
    """
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    import select

    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    poller.register(fd, 0)  # POLLERR, POLLHUP and POLLNVAL are always reported
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _closed_pipe(error: BrokenPipeError) -> int:
    """A reader that stopped reading (``symposium dump | head``): end quietly, as the Python docs advise.

    The standard streams whose reader went away are pointed at /dev/null, so
    that what is still buffered cannot raise again when the interpreter flushes
    at exit ("Exception ignored ... BrokenPipeError"). The exit code is 141, what
    a shell reports for a program killed by SIGPIPE: the command did not finish
    writing, so it does not claim success (``set -o pipefail`` sees it like
    ``yes | head``). A broken pipe that is none of ours (a subprocess, a socket)
    is reported like any other OSError.
    """
    gone = [stream for stream in (sys.stdout, sys.stderr) if _reader_gone(stream)]
    if not gone:
        print(f"symposium: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in gone:
            os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    whole_process = argv is None  # the command line of this process, not a caller's (tests, scripts)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            code = _run(argv)
        except SystemExit:  # argparse after --help or a usage error: its text may still be buffered
            sys.stdout.flush()
            raise
        sys.stdout.flush()  # output still in the buffer meets a closed pipe here, not at interpreter exit
    except BrokenPipeError as error:  # e.g. `symposium dump | head`, for every command
        return _closed_pipe(error)
    if whole_process and code == EXIT_OK and _command(argv) == "build" and sys.getprofile() is None \
            and sys.gettrace() is None:  # not under cProfile (benchmarks/profile.py) or coverage: they write at exit
        _exit_now(code)
    return code


def _command(argv: list[str]) -> str | None:
    return next((word for word in argv if not word.startswith("-")), None)


def _exit_now(code: int) -> None:
    """End a finished build's process without the interpreter's teardown.

    Everything is written and closed by now, and the build's helpers (the feeds' child,
    Pagefind, the trash's cleaner) are done; what is left is freeing a big program object
    by object at exit, 0.25-0.35 s of a rebuild at N = 10,000.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
