import json
from pathlib import Path

from django.core.management.base import BaseCommand

from matching.engine import calibration
from matching.engine.embedder import load_embedder
from matching.engine.evaluate import load_eval_dir


class Command(BaseCommand):
    help = (
        "Write the fixed calibration cohort the engine ships (matching/engine/data/): the texts "
        "of offers and demands from evaluation folders (--texts-from) with the background texts "
        "of data/background.jsonl, and their vectors for the current model. Run it after a "
        "change of model; the texts rarely change."
    )
    requires_system_checks: list = []  # pure computation: no database needed

    def add_arguments(self, parser):
        parser.add_argument(
            "--texts-from",
            nargs="*",
            default=[],
            help="evaluation folders whose offers and demands become the cohort",
        )

    def handle(self, *args, texts_from: list[str], **options):
        if texts_from:
            rows = calibration.read_texts(calibration.BACKGROUND_FILE)
            for folder in texts_from:
                offers, demands, _qrels = load_eval_dir(folder)
                rows += [
                    {"side": "offer", "language": o.language, "title": o.title, "text": o.full_text}
                    for o in offers
                ]
                rows += [
                    {
                        "side": "demand",
                        "language": d.language,
                        "title": d.title,
                        "text": d.full_text,
                    }
                    for d in demands
                ]
            with Path(calibration.TEXTS_FILE).open("w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        embedder = load_embedder()
        if embedder is None:
            self.stderr.write("the embedding model did not load: no vectors written")
            return
        vectors, languages = calibration.embed_texts(embedder)
        calibration.save_reference(vectors, languages, embedder.model_version)
        counts = {side: len(languages[side]) for side in calibration.SIDES}
        self.stdout.write(f"calibration cohort written: {counts} ({embedder.model_version})")
