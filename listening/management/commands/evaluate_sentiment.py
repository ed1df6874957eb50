"""Print the sentiment analysers' quality on the hand-labelled evaluation sets.

Usage::

    python manage.py evaluate_sentiment                  # main sets, es and en
    python manage.py evaluate_sentiment --holdout        # also the held-out sets
    python manage.py evaluate_sentiment -l es --errors   # list the misclassified posts
    python manage.py evaluate_sentiment --thresholds     # macro-F1-optimal thresholds vs current
"""

from django.core.management.base import BaseCommand, CommandError

from listening.enrichment.evaluate import (
    cross_validate_thresholds,
    evaluate,
    format_report,
    sweep_thresholds,
)
from listening.enrichment.sentiment import SUPPORTED_LANGUAGES


class Command(BaseCommand):
    help = "Evaluate offline sentiment analysis (accuracy, per-class P/R/F1, macro-F1) per language."

    def add_arguments(self, parser):
        parser.add_argument(
            "-l",
            "--language",
            action="append",
            choices=SUPPORTED_LANGUAGES,
            help="Language to evaluate (repeatable; default: all).",
        )
        parser.add_argument("--holdout", action="store_true", help="Also evaluate the held-out sets.")
        parser.add_argument("--errors", action="store_true", help="List the misclassified posts.")
        parser.add_argument(
            "--thresholds",
            action="store_true",
            help="Show the macro-F1-optimal label thresholds on the main set and a 2-fold check.",
        )

    def handle(self, *args, **options):
        languages = options["language"] or list(SUPPORTED_LANGUAGES)
        datasets = ["sentiment", "holdout"] if options["holdout"] else ["sentiment"]
        for language in languages:
            for dataset in datasets:
                try:
                    result = evaluate(language, dataset)
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(format_report(result))
                if options["errors"]:
                    for error in result["errors"]:
                        self.stdout.write(
                            f"  [{error['gold']} -> {error['predicted']} {error['score']:+.3f}] {error['text']}"
                        )
                self.stdout.write("")
            if options["thresholds"]:
                sweep = sweep_thresholds(language)
                check = cross_validate_thresholds(language)
                self.stdout.write(
                    f"{language}: best thresholds ({sweep['negative_below']}, {sweep['positive_above']}) "
                    f"macro-F1 {sweep['macro_f1']:.3f}; current {sweep['current']}; "
                    f"2-fold macro-F1 {check['macro_f1']:.3f}\n"
                )
