import json

from django.core.management.base import BaseCommand, CommandError

from matching.engine.evaluate import evaluate


class Command(BaseCommand):
    help = (
        "Rank every offer for every demand of an evaluation set and print the metrics as JSON; "
        "with --from-decisions, measure the engine in place on the staff's own decisions "
        "(shortlisted, introduced and later pairs relevant, rejected ones not; see matching/decisions.py)."
    )
    requires_system_checks: list = []  # pure computation: no database needed (but for --from-decisions)

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", help="folder with offers.jsonl, demands.jsonl, qrels.tsv"
        )
        parser.add_argument("--engine", choices=["hybrid", "lexical"], default=None)
        parser.add_argument(
            "--from-decisions",
            action="store_true",
            help="labels from the portal's matches instead of a directory",
        )

    def handle(
        self, *args, directory: str | None, engine: str | None, from_decisions: bool, **options
    ):
        if from_decisions:
            if directory or engine:
                raise CommandError(
                    "--from-decisions measures the engine in place: no directory, no --engine."
                )
            from matching.decisions import decisions_evaluate

            self.stdout.write(json.dumps(decisions_evaluate()))
            return
        if not directory:
            raise CommandError("Give an evaluation directory, or --from-decisions.")
        self.stdout.write(json.dumps(evaluate(directory, engine=engine or "hybrid")))
