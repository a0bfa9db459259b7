"""parindex: exact scoring, ranking and explanation of public-administration indices.

Vietnam's PAR INDEX (Chỉ số cải cách hành chính) and every index built the same way
(PCI, PAPI, provincial indices): a :class:`Methodology` (the criteria tree, as data),
the :class:`Scores` of each unit, and :func:`score` giving :class:`Results`.

Numbers are exact decimals: values come back as :class:`decimal.Decimal` (pandas
``object`` columns) unless you ask for floats (``to_pandas(as_float=True)``).

>>> import parindex
>>> results = parindex.score(*parindex.examples.load("par-demo"))
>>> df = results.to_pandas()
>>> list(df.columns[:7])
['unit', 'name', 'group', 'points', 'percent', 'rank', 'band']
>>> df.loc[1, "unit"], df.loc[1, "percent"]
('tp-son-la', Decimal('94.32'))
"""

from . import examples
from ._errors import InputError, ParIndexError
from ._parindex import Methodology, Questionnaire, Results, Scores, SurveyResults, Tally, __version__, score
from ._parindex import PublishedResults, leave_one_out, read_results, sheet_names, weight_sweep
from ._sensitivity import sensitivity
from ._dossiers import dossier_stats
from ._survey import add_arrays, survey

__all__ = [
    "InputError",
    "Methodology",
    "Questionnaire",
    "ParIndexError",
    "PublishedResults",
    "Results",
    "Scores",
    "SurveyResults",
    "Tally",
    "__version__",
    "add_arrays",
    "dossier_stats",
    "examples",
    "leave_one_out",
    "read_results",
    "score",
    "sensitivity",
    "sheet_names",
    "survey",
    "weight_sweep",
]
