"""``kommunkvalitet warm`` (the CLI calls this command: the CLI and the web layer do not import each
other, pyproject's import-linter contracts): render every public page into the page cache (web.warm)."""

from __future__ import annotations

import os
import statistics

from django.core.management.base import BaseCommand

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.web import warm as warming


class Command(BaseCommand):
    help = "Render every public page and JSON twin into the page cache for the current data version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--language", dest="languages", action="append", choices=["sv", "en"])
        parser.add_argument("--kommun", dest="kommuner", action="append")
        parser.add_argument("--year", dest="years", action="append", type=int)
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args, base_url, languages, kommuner, years, workers, **options) -> None:
        from tqdm import tqdm

        try:
            warming.environ(base_url, warming.Target("start", "/", "sv"))
        except ValueError as err:
            raise KommunkvalitetError(f"--base-url: {err}") from None
        todo = warming.targets(languages or None, kommuner or None, years or None)
        workers = workers or os.cpu_count() or 1
        out = self.stdout.write
        out(
            f"{len(todo)} sidor ({', '.join(sorted({t.language for t in todo}))}) för {base_url}, {workers} processer ..."
        )
        with tqdm(total=len(todo), unit=" sidor", disable=None) as bar:
            summary = warming.warm(base_url, todo, workers, bar.update)
        for kind, times in sorted(summary.by_kind.items()):
            out(f"  {kind:18} {len(times):6} renderade, median {statistics.median(times) * 1000:6.0f} ms, "
                f"max {max(times) * 1000:6.0f} ms")  # fmt: skip
        for target, outcome in summary.failed[:20]:
            self.stderr.write(f"  {target.path} ({target.language}): {outcome}")
        rendered = summary.outcomes.get(warming.RENDERED, 0)
        out(f"Klart på {summary.wall_seconds:.0f} s (CPU {summary.cpu_seconds:.0f} s i {workers} processer): "
            f"{rendered} renderade, {summary.outcomes.get(warming.CACHED, 0)} fanns redan, "
            f"{len(summary.failed)} utan sida i cachen.")  # fmt: skip
        if summary.version_after != summary.version_before:
            raise KommunkvalitetError("datan ändrades medan sidorna renderades: kör `kommunkvalitet warm` igen")
