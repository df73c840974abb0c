"""The ``storylens`` Typer application: wires the command modules together."""

from __future__ import annotations

import typer

from storylens import __version__
from storylens.cli.articles_cmd import articles, show
from storylens.cli.batch_cmd import batch
from storylens.cli.cluster_cmd import cluster, stories
from storylens.cli.common import EXIT_ERROR, EXIT_INTERNAL, ISSUES_URL, err_console
from storylens.cli.compare_cmd import compare, eval_pairs
from storylens.cli.eval_cmd import eval_app
from storylens.cli.fetch_cmd import fetch
from storylens.cli.ingest_cmd import ingest
from storylens.cli.serve_cmd import serve
from storylens.cli.sources_cmd import sources_app
from storylens.cli.story_cmd import story
from storylens.cli.watch_cmd import watch
from storylens.errors import StorylensError

app = typer.Typer(
    name="storylens",
    help="Turn news articles in any language into stories, and show how each outlet tells "
         "each story. Start with `storylens ingest PATH`, then `storylens articles`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command()(ingest)
app.command()(batch)
app.command()(fetch)
app.command()(watch)
app.add_typer(sources_app, name="sources")
app.command()(articles)
app.command()(show)
app.command()(cluster)
app.command()(stories)
app.command()(story)
app.command()(serve)
app.command("compare")(compare)
eval_app.command("pairs")(eval_pairs)
app.add_typer(eval_app, name="eval")


def _version(value: bool) -> None:
    if value:
        print(f"storylens {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """storylens command line."""


def main() -> None:
    """Console-script entry point: one-line errors, never a traceback for known errors."""
    try:
        app()
    except StorylensError as e:
        err_console.print(f"error: {e}", markup=False)
        raise SystemExit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        err_console.print("interrupted; everything already stored is kept", markup=False)
        raise SystemExit(130) from None
    except Exception as e:  # a bug: one line, the details in a file, never a traceback
        where = _save_traceback()
        err_console.print(f"internal error {type(e).__name__}: {str(e)[:200]} — a storylens "
                          f"bug; everything already stored is kept. Details: {where}; "
                          f"please report it at {ISSUES_URL}", markup=False)
        raise SystemExit(EXIT_INTERNAL) from None


def _save_traceback() -> str:
    """Write the current traceback to a file in the temp folder; its path."""
    import tempfile
    import traceback

    try:
        with tempfile.NamedTemporaryFile("w", prefix="storylens-crash-", suffix=".txt",
                                         delete=False, encoding="utf-8") as fh:
            traceback.print_exc(file=fh)
            return fh.name
    except OSError:
        return "(could not write the traceback)"
