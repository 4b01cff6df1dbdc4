import json

from django.core.management.base import BaseCommand

from matching.engine.evaluate import evaluate


class Command(BaseCommand):
    help = "Rank every offer for every demand of an evaluation set and print the metrics as JSON."
    requires_system_checks: list = []  # pure computation: no database needed

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder with offers.jsonl, demands.jsonl, qrels.tsv")
        parser.add_argument("--engine", choices=["hybrid", "lexical"], default="hybrid")

    def handle(self, *args, directory: str, engine: str, **options):
        self.stdout.write(json.dumps(evaluate(directory, engine=engine)))
