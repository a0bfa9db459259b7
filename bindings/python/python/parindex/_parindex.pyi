"""The native module of parindex (Rust, PyO3). Hand-kept: checked by ``mypy.stubtest``.

Import from :mod:`parindex`, not from here.
"""

import os
from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union, final

import pandas

_PathOrText = Union[str, bytes, "os.PathLike[str]"]
_DecimalLike = Union[str, int, float, Decimal]
_ChangeValue = Union[str, int, float, Decimal, bool]

__all__ = [
    "Methodology",
    "Scores",
    "Results",
    "PublishedResults",
    "read_results",
    "score",
    "example_load",
    "example_methodology",
    "sheet_names",
    "sensitivity",
    "leave_one_out",
    "weight_sweep",
    "example_survey",
    "dossier_stats_json",
    "Questionnaire",
    "Tally",
    "SurveyResults",
    "EXAMPLES",
    "EXAMPLE_METHODOLOGIES",
    "__version__",
]

__version__: str
EXAMPLES: List[str]
EXAMPLE_METHODOLOGIES: List[str]

@final
class Methodology:
    """A methodology (bộ tiêu chí): the criteria tree and its settings.

    Immutable, comparable with ``==``, picklable (through its JSON form).

    >>> import parindex
    >>> m = parindex.Methodology.from_csv("code,parent,max\\n1,,6\\n2,,4\\n", file="tiny.csv")
    >>> (m.id, m.leaf_codes, m.max)
    ('tiny', ['1', '2'], Decimal('10'))
    >>> parindex.Methodology.from_json(m.to_json()) == m
    True
    """

    @staticmethod
    def from_json(text: str) -> Methodology:
        """Reads the strict, versioned JSON form (see DESIGN.md §5).

        Raises :class:`parindex.InputError` listing every problem.
        """

    @staticmethod
    def from_csv(source: _PathOrText, file: Optional[str] = None) -> Methodology:
        """Reads a node table CSV: ``source`` is a path, or the text itself when it
        is ``bytes`` or a ``str`` with a line break.

        Errors are located in ``file`` (default: the path as given, or
        ``methodology.csv`` for text); the id defaults to the file's stem.
        Raises :class:`parindex.InputError` listing every problem.
        """

    @staticmethod
    def read(path: Union[str, "os.PathLike[str]"]) -> Methodology:
        """Reads a methodology file: an ``.xlsx`` workbook (the first sheet holding a
        node table, or the sheet ``"book.xlsx!Sheet"`` names: by name or tab number
        from 1), JSON when the name ends in ``.json`` or the text starts with ``{``,
        the node table CSV otherwise.

        Raises ``FileNotFoundError``, or :class:`parindex.InputError` listing every problem.
        """

    def template_xlsx(
        self,
        path: Optional[Union[str, "os.PathLike[str]"]] = None,
        *,
        lang: str = "en",
        units: Optional[List[str]] = None,
    ) -> bytes:
        """The blank fill-in template, as ``parindex template`` writes it: a row per
        leaf with its maximum, columns for self-assessed and appraised points, data
        validation that refuses values above the maximum; a block of rows per id in
        ``units`` (default one block with a blank id). Written to ``path`` when given,
        and returned; :func:`parindex.score` reads it back once filled.

        >>> import parindex
        >>> m = parindex.examples.load("par-demo")[0]
        >>> parindex.sheet_names(m.template_xlsx(units=["so-y-te"]))
        ['Scores']
        """

    def to_json(self) -> str:
        """The strict, versioned JSON form (decimals as strings)."""

    def to_csv(self) -> str:
        """The node table CSV, metadata lines first."""

    @property
    def id(self) -> str:
        """The methodology's id, e.g. ``par-demo``."""

    @property
    def name(self) -> str:
        """Its name."""

    @property
    def year(self) -> Optional[int]:
        """Its year, when given."""

    @property
    def max(self) -> Decimal:
        """The index's maximum: the sum of the domains' maxima."""

    @property
    def leaf_codes(self) -> List[str]:
        """The codes of the leaves (where scores are entered), in declaration order."""

    @property
    def top_level(self) -> List[str]:
        """The codes of the domains (the nodes without a parent)."""

    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class Scores:
    """The scores of every unit on every leaf of one methodology.

    >>> import parindex
    >>> m, scores = parindex.examples.load("par-2020")
    >>> (len(scores), scores.units[0])
    (10, 'quang-ninh')
    """

    @staticmethod
    def from_csv(methodology: Methodology, source: _PathOrText, file: Optional[str] = None) -> Scores:
        """Reads a score sheet: the long form when its header has a ``criterion``
        column, the wide form (``unit[,name][,group][,ranked],<leaf code>…[,bonus][,penalty]``)
        otherwise. ``source`` is a path, or the text itself when it is ``bytes`` or a
        ``str`` with a line break; errors are located in ``file`` (default: the path
        as given, or ``scores.csv`` for text).

        >>> import parindex
        >>> m = parindex.Methodology.from_csv("code,parent,max\\n1,,10\\n")
        >>> parindex.Scores.from_csv(m, "unit,1\\nso-noi-vu,7.5\\n").units
        ['so-noi-vu']

        Raises :class:`parindex.InputError` listing every problem.
        """

    @staticmethod
    def from_pandas(methodology: Methodology, frame: pandas.DataFrame, file: Optional[str] = None) -> Scores:
        """Reads a DataFrame laid out like a score sheet (wide or long; a ``unit``
        index counts as a column).

        Cells convert exactly: a ``float`` through its shortest round-trip text (so
        2.5 stays ``2.5``), an ``int`` as it is, a ``decimal.Decimal`` as it is, a
        ``bool`` as yes/no, a ``str`` is parsed as in a CSV (``"NA"``: not
        applicable). ``None``/``NaN``/``pd.NA`` is a *missing value*, an error: read
        sheets with ``pd.read_csv(path, keep_default_na=False)`` so that ``NA`` stays
        ``"NA"``. Errors are located in ``file`` (default ``DataFrame``), rows counted
        as in ``df.to_csv(index=False)``:
        the header is row 1, so row *r* is ``df.iloc[r - 2]``.
        """

    @property
    def units(self) -> List[str]:
        """The unit ids, in input order."""

    @property
    def methodology_id(self) -> str:
        """The id of the methodology the scores were read for."""

    def __len__(self) -> int: ...

@final
class Results:
    """The scores of every unit on every node, with ranks and bands.

    Values are exact: :class:`decimal.Decimal` in Python (unrounded, as the
    CSV and JSON writers print them); the published index is rounded once,
    with the methodology's places and mode.

    >>> import parindex
    >>> results = parindex.score(*parindex.examples.load("par-2020"))
    >>> results
    <Results par-2020: 10 units, 10 ranked>
    """

    def to_pandas(self, as_float: bool = False) -> pandas.DataFrame:
        """One row per unit sorted by rank (units not ranked last), with the columns
        ``unit, name, group, points, percent, rank, band`` and then one column per
        top-level node (its points; ``None`` where it does not apply).

        ``points``, ``percent`` and the node columns hold exact ``decimal.Decimal``
        values in ``object`` columns, or ``float64`` with ``as_float=True``;
        ``rank`` is a nullable ``Int64`` (``<NA>`` for a unit not ranked).

        >>> import parindex
        >>> df = parindex.score(*parindex.examples.load("par-2020")).to_pandas()
        >>> df.loc[0, "unit"], df.loc[0, "points"], int(df.loc[0, "rank"])
        ('quang-ninh', Decimal('91.05'), 1)
        """

    def to_json(self, round: Optional[int] = None) -> str:
        """The JSON ``parindex score --format json`` writes: exact values unless ``round``."""

    def to_csv(self, round: Optional[int] = None) -> str:
        """The CSV ``parindex score --format csv`` writes: exact values unless ``round``."""

    def to_markdown(self, round: Optional[int] = None) -> str:
        """The Markdown table ``parindex score --format markdown`` writes."""

    def explain(self, unit: str, *, top: int = 3, round: Optional[int] = None) -> Dict[str, Any]:
        """Why a unit has the score it has: its points, index, ranks, band, the gap
        to the unit above and to the next band, the codes of the ``top`` leaves where
        it lost the most (``top_losses``), and for every leaf (``leaves``) its
        maximum, self-assessed and appraised input, the cut, the points earned, the
        rule that gave them, what it adds to the total and what it lost.

        The document ``parindex explain --format json`` writes, with its decimals as
        :class:`decimal.Decimal` (exact unless ``round`` is given: then rounded half up).

        >>> import parindex
        >>> e = parindex.score(*parindex.examples.load("par-demo")).explain("so-y-te")
        >>> (e["rank"], e["of"], e["top_losses"][0])
        (11, 12, '8.2')

        Raises ``KeyError`` for an unknown unit.
        """

    def plan(
        self,
        unit: str,
        target: str,
        *,
        cap: Optional[Mapping[str, _DecimalLike]] = None,
        cost: Optional[Mapping[str, _DecimalLike]] = None,
        objective: str = "fewest_points",
        granularity: Optional[_DecimalLike] = None,
        rule_based: bool = True,
        round: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The fewest points (or the least cost) a unit must gain, criterion by criterion,
        to reach ``target``: ``"rank:5"``, ``"band:A"`` or ``"percent:90"``. The other
        units keep their values; the plan is checked by scoring it.

        ``cap`` limits what a leaf may gain (``0`` leaves it alone), ``cost`` gives a
        leaf's cost per point (default 1, used with ``objective="least_cost"``),
        ``granularity`` the step of a gain (default: the scores' last decimal place),
        ``rule_based=False`` leaves yes/no and threshold leaves out.

        The document ``parindex plan --format json`` writes: ``required_percent``,
        ``already_met``, ``gain``, ``cost``, ``steps`` (``code, name, from, to, gain,
        cost, effect``), ``before`` and ``after`` (``points, percent,
        published_percent, rank, of, group_rank, group_size, band``); decimals as
        :class:`decimal.Decimal`, exact unless ``round`` is given.

        >>> import parindex
        >>> results = parindex.score(*parindex.examples.load("par-demo"))
        >>> p = results.plan("so-y-te", "band:B")
        >>> (p["gain"], [s["code"] for s in p["steps"]], p["after"]["band"])
        (Decimal('2.62'), ['2.1', '6.1', '8.2'], 'B')

        Raises :class:`parindex.InputError` (``unknown_unit``, ``invalid_goal``,
        ``goal_unreachable``, ``unknown_criterion``, ``not_a_leaf``,
        ``invalid_setting``, ``not_a_number``), ``ValueError`` for an unknown
        objective, ``TypeError`` for arguments of the wrong type.
        """

    def what_if(
        self,
        unit: str,
        changes: Union[Mapping[str, _ChangeValue], Iterable[Tuple[str, _ChangeValue]]],
        *,
        round: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The unit's points, index, ranks and band with some of its leaves changed,
        every other unit as it is; these results are untouched.

        ``changes`` maps leaf codes to values as a score sheet holds them: points, a
        measured value, yes/no (or a ``bool``), ``"NA"`` for not applicable; numbers
        may be ``int``, ``float`` (its shortest round-trip text) or ``Decimal``.

        The document ``parindex what-if --format json`` writes: ``changes`` (``code,
        name, max, input_before, input_after, points_before, points_after``),
        ``before``, ``after``, ``points_change``, ``percent_change``, ``movement``
        (``same``, ``up 2``…); decimals as :class:`decimal.Decimal`.

        >>> import parindex
        >>> results = parindex.score(*parindex.examples.load("par-demo"))
        >>> w = results.what_if("so-y-te", {"3.4.1": "98.5"})
        >>> (w["before"]["published_percent"], w["after"]["published_percent"], w["movement"])
        (Decimal('77.34'), Decimal('77.85'), 'same')

        Raises :class:`parindex.InputError` located at the unit and criterion
        (``unit so-y-te: criterion 1.2: 3 exceeds its maximum 1.5``).
        """

    def compare(self, previous: Union[Results, PublishedResults], as_float: bool = False) -> pandas.DataFrame:
        """Year-over-year comparison with last year's results (scored, or as published:
        :func:`read_results`), matched by unit id: one row per unit with
        ``unit, name, group, points, points_change, percent, percent_change, rank,
        previous_rank, movement, group_rank, group_movement, band, previous_band``.
        The nodes that could not be compared (their maxima differ) are listed in
        ``df.attrs["differing_nodes"]``.
        """

    def summary(self) -> Dict[str, Any]:
        """Averages, extremes and band counts: ``{"overall": {...}, "groups": [...]}``."""

    def to_html(self, previous: Optional[Union[Results, PublishedResults]] = None, *, lang: str = "en", top: int = 3) -> str:
        """A self-contained HTML report, as ``parindex report --out report.html``
        writes it: the ranked table, band counts and averages, inline SVG charts, the
        year-over-year table when ``previous`` is given, and per unit the ``top``
        places it lost the most points; ``lang`` is ``"en"`` or ``"vi"``.

        >>> import parindex
        >>> html = parindex.score(*parindex.examples.load("par-demo")).to_html(lang="vi")
        >>> html.startswith("<!DOCTYPE html>"), "<td>tp-son-la</td>" in html
        (True, True)
        """

    def to_markdown_report(
        self, previous: Optional[Union[Results, PublishedResults]] = None, *, lang: str = "en", top: int = 3) -> str:
        """The Markdown report, as ``parindex report --out report.md`` writes it: the
        ranked table, band counts and averages, the year-over-year table when
        ``previous`` is given, and per unit the ``top`` places it lost the most points.

        >>> import parindex
        >>> now = parindex.score(*parindex.examples.load("par-demo"))
        >>> now.to_markdown_report().splitlines()[2]
        '## Ranking'
        """

    def template_xlsx(self, path: Optional[Union[str, "os.PathLike[str]"]] = None, *, lang: str = "en") -> bytes:
        """The fill-in template holding these units and their values (a block per
        unit), to hand back to the units for next year's self-assessment; written to
        ``path`` when given, and returned. Read back, it scores to these results.

        >>> import parindex
        >>> results = parindex.score(*parindex.examples.load("par-demo"))
        >>> again = parindex.score(results.methodology, results.template_xlsx(), file="t.xlsx")
        >>> again.to_csv() == results.to_csv()
        True
        """

    def to_xlsx(
        self,
        path: Optional[Union[str, "os.PathLike[str]"]] = None,
        *,
        previous: Optional[Union[Results, PublishedResults]] = None,
        lang: str = "en",
        explanations: bool = False,
    ) -> bytes:
        """The result workbook, as ``parindex report --out report.xlsx`` writes it
        (ranked annex, a sheet per group, summary, year over year when ``previous`` is
        given, and a sheet per unit with ``explanations``); written to ``path`` when
        given, and returned.

        >>> import parindex
        >>> parindex.score(*parindex.examples.load("par-demo")).to_xlsx()[:4]
        b'PK\\x03\\x04'
        """

    @property
    def methodology(self) -> Methodology:
        """The methodology scored."""

    @property
    def units(self) -> List[str]:
        """The unit ids, in input order."""

    def __len__(self) -> int: ...
    def _repr_html_(self) -> str:
        """The ranked table with bands, rounded as published (Jupyter)."""

def score(
    methodology: Union[Methodology, str, "os.PathLike[str]"],
    scores: Union[Scores, pandas.DataFrame, _PathOrText],
    *,
    file: Optional[str] = None,
) -> Results:
    """Scores, ranks and bands every unit.

    ``methodology`` is a :class:`Methodology` or a path; ``scores`` a
    :class:`Scores`, a pandas DataFrame (see :meth:`Scores.from_pandas`), a path
    (CSV or ``.xlsx``; ``"book.xlsx!Sheet"`` picks a sheet), the text of a score
    sheet or a workbook's ``bytes``, its errors located in ``file`` when given.
    Problems of reading and of scoring are reported together, as the command
    line does.

    >>> import parindex
    >>> results = parindex.score(*parindex.examples.load("par-demo"))
    >>> results.to_pandas().loc[0, "band"]
    'A'

    Raises :class:`parindex.InputError` listing every problem.
    """

def sheet_names(workbook: Union[bytes, str, "os.PathLike[str]"]) -> List[str]:
    """The sheet names of an ``.xlsx`` workbook (a path or its bytes), in tab order.
    Every reader takes ``"book.xlsx!Sheet"`` to choose a sheet (by name, or by tab
    number counting from 1) and locates problems as ``book.xlsx!Sheet!C14``.

    >>> import parindex
    >>> results = parindex.score(*parindex.examples.load("par-demo"))
    >>> parindex.sheet_names(results.to_xlsx())[:2]
    ['Results', 'Group - department']
    """

@final
class PublishedResults:
    """A year's results as published, read back by :func:`read_results` for a
    comparison when that year's scores are not at hand. Ranks are taken as given."""

    @property
    def units(self) -> List[str]:
        """The unit ids, in file order."""
    @property
    def ranked(self) -> int:
        """The number of ranked units."""
    def unit(self, id: str) -> Dict[str, Any]:
        """One unit: ``unit, name, group, points, percent, published_percent, rank,
        group_rank, band`` and ``nodes`` (code → points; ``None`` for NA), decimals as
        :class:`decimal.Decimal` and ``None`` where the file gives nothing."""
    def __len__(self) -> int: ...

def read_results(
    source: Union[bytes, str, "os.PathLike[str]", pandas.DataFrame], *, file: Optional[str] = None
) -> PublishedResults:
    """Reads a year's results as published: the CSV or JSON ``parindex score`` writes,
    a decision's annex typed as such a table (``unit``, ``points`` or ``percent``,
    ``rank``, ``band``, node columns), the workbook ``parindex report`` writes (a path,
    ``"book.xlsx!Sheet"``, or its bytes), or a DataFrame with those columns. Bad input
    raises :class:`InputError` with every problem located.

    >>> import parindex
    >>> now = parindex.score(*parindex.examples.load("par-demo"))
    >>> before = parindex.read_results("unit,points,rank\\nso-y-te,81.0,1\\nvan-ho,83.59,2\\n")
    >>> row = now.compare(before).set_index("unit").loc["van-ho"]
    >>> int(row.previous_rank), row.movement, row.points_change
    (2, 'down 10', Decimal('-12.61'))
    """

def example_load(name: str) -> Tuple[Methodology, Scores]:
    """A bundled example: its methodology and its scores (see :mod:`parindex.examples`)."""

def example_methodology(name: str) -> Methodology:
    """A bundled methodology by name (see :mod:`parindex.examples`)."""

def sensitivity(
    results: Results,
    uncertainty: Union[str, Mapping[str, Any], None] = None,
    *,
    runs: int = 1000,
    seed: int = 0,
    weights: Optional[str] = None,
    noise: Optional[str] = None,
    percentiles: Tuple[_DecimalLike, _DecimalLike] = ...,
    top: int = 3,
    attribution: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Dict[str, Any]:
    """How robust the ranks are: Monte Carlo replications of the scoring.

    ``uncertainty`` is the JSON document of DESIGN.md §11 (text or a dict); ``percentiles``
    defaults to ``(5, 95)``; ``weights``
    (``"uniform:0.25"`` or ``"dirichlet:50"``) and ``noise`` (points) add sources. The
    same ``seed`` gives the same numbers in Rust, Python and JavaScript. ``progress(done,
    total)`` is called after each batch of replications. Returns the JSON document of
    ``parindex sensitivity --format json``: ``units`` in nominal order, each with
    ``nominal_rank``, ``median``, ``low``, ``high``, ``histogram``, ``top``, ``bands`` and,
    with ``attribution``, each source's ``first_order`` and ``total`` indices.

    >>> import parindex
    >>> r = parindex.score(*parindex.examples.load("par-demo"))
    >>> out = parindex.sensitivity(r, weights="uniform:0", runs=50)
    >>> [(u["nominal_rank"], u["low"], u["high"]) for u in out["units"][:2]]
    [(1, 1, 1), (2, 2, 2)]

    Raises :class:`parindex.InputError` (codes ``zero_runs``, ``invalid_spread``,
    ``invalid_concentration``, ``weights_all_zero``, ``invalid_sensitivity``).
    """

def leave_one_out(results: Results, level: int) -> List[Dict[str, Any]]:
    """The exact ranks with each node of ``level`` (1: domains) left out in turn:
    ``[{"code", "ranks" (in the scores' unit order), "max_shift"}]``."""

def weight_sweep(results: Results, code: str, unit: str) -> Dict[str, Any]:
    """The exact range of the multiplier on ``code``'s weight over which ``unit`` keeps
    its rank: ``low``, ``high`` (``None``: unbounded), ``low_included``,
    ``high_included``, ``exact``."""

@final
class Questionnaire:
    """A survey questionnaire (SIPAS): elements → items with their answer scales,
    respondent forms, and how the indices are computed (strict JSON).

    >>> import parindex
    >>> q, _ = parindex.examples.survey("sipas-demo")
    >>> q.columns[:3], len(q.columns)
    (['A1', 'A2', 'P1'], 16)
    """

    @staticmethod
    def from_json(text: str, file: Optional[str] = None) -> Questionnaire:
        """Reads the JSON form; raises :class:`parindex.InputError`, located in ``file``
        when given."""
    @staticmethod
    def read(path: Union[str, "os.PathLike[str]"]) -> Questionnaire:
        """Reads a questionnaire file (JSON)."""
    def to_json(self) -> str:
        """The JSON form."""
    @property
    def id(self) -> str:
        """The questionnaire's id."""
    @property
    def columns(self) -> List[str]:
        """The answer columns of array input: item codes, and ``CODE.OPTION`` per option
        of a priority item."""

@final
class Tally:
    """The mergeable aggregation state of survey responses: counts and weight sums per
    unit × item × answer, never the respondents. Tallies of parts merge into the tally
    of the whole (:meth:`merge`, also through :meth:`to_json`).

    >>> import parindex
    >>> q, whole = parindex.examples.survey("sipas-demo")
    >>> part = parindex.Tally.from_json(q, whole.to_json())
    >>> part.merge(whole)
    >>> part.respondents
    2272
    """

    def __new__(cls, questionnaire: Questionnaire) -> Tally: ...
    def add_csv(self, responses: Any, file: Optional[str] = None) -> None:
        """Adds responses from a CSV path, CSV text or a DataFrame; nothing is added when
        any row has a problem (:class:`parindex.InputError` lists them all)."""
    def add_coded(
        self,
        units: Tuple[Any, List[str]],
        answers: Any,
        weights: Optional[Any] = None,
        groups: Optional[Tuple[Any, List[str]]] = None,
        strata: Optional[Tuple[Any, List[str]]] = None,
        clusters: Optional[Tuple[Any, List[str]]] = None,
    ) -> None:
        """Adds coded arrays (use :func:`parindex.add_arrays`): each a C-contiguous NumPy
        array (read in place) or bytes, of little-endian ``u32`` codes, ``u8`` answers and
        ``f64`` weights."""
    def merge(self, other: Tally) -> None:
        """Adds another tally of the same questionnaire."""
    def to_json(self) -> str:
        """The tally as JSON."""
    @staticmethod
    def from_json(questionnaire: Questionnaire, text: str) -> Tally:
        """Reads a tally written by :meth:`to_json`."""
    @property
    def respondents(self) -> int:
        """Respondents tallied."""
    def results(
        self, by: Optional[List[str]] = None, populations: Optional[Dict[str, int]] = None
    ) -> SurveyResults:
        """Estimates per ``unit``, ``group`` and/or ``all`` (default unit, all); unit
        populations set the sample size the rule n = N / (1 + N·e²) asks for."""

@final
class SurveyResults:
    """Survey estimates: per domain and item the valid answers, the weighted share
    satisfied with its design-based standard error and interval, mean score (with its
    standard error unless the questionnaire setting ``mean_se`` is off) and design effect;
    element and overall indices with their standard errors and logit intervals (covariances
    of their items included; off with the questionnaire setting ``index_intervals``);
    warnings.

    >>> import parindex
    >>> _, tally = parindex.examples.survey("sipas-demo")
    >>> print(tally.results(by=["all"]).to_csv(round=4).splitlines()[1])
    all,all,item,A1,access,1136,1093,0.7556,0.7084,0.7974,3.9542,0.0227,3.0506,358.2882
    """

    def to_json(self, round: Optional[int] = None) -> str:
        """The results as JSON."""
    def to_csv(self, round: Optional[int] = None) -> str:
        """The results as CSV (``domain,id,level,code,element,respondents,n,share,ci_low,
        ci_high,mean,se,deff,n_eff``)."""
    def to_table(self, round: Optional[int] = None) -> str:
        """The results as a plain-text table (shares in %)."""
    def to_pandas(self, round: Optional[int] = None) -> Any:
        """The CSV form as a pandas DataFrame (floats)."""
    def apply(self, scores: Scores, methodology: Methodology, criterion: str, measure: str) -> Scores:
        """A copy of ``scores`` whose leaf ``criterion`` takes the survey ``measure``
        (``overall``, ``element:CODE`` or ``item:CODE``) for every surveyed unit, with a
        note citing the survey."""
    def uncertainty(self, leaves: Dict[str, str]) -> Dict[str, Any]:
        """The uncertainty document for :func:`parindex.sensitivity` (the JSON of
        ``parindex survey --uncertainty-leaf CODE=item:ITEM``) with one survey source: for
        each leaf code of ``leaves``, each unit's share of the item (``item:CODE``) or index
        (``element:CODE``, ``overall``) with its standard error, drawn from a normal in each
        replication (DESIGN.md §11). Units with one answer (no standard error) keep their
        nominal value. Raises :class:`parindex.InputError` (``invalid_sensitivity`` when no
        unit has a standard error; ``unknown_item``).

        >>> import parindex
        >>> _, tally = parindex.examples.survey("sipas-demo")
        >>> u = tally.results().uncertainty({"8.1.1": "item:A1"})
        >>> u["sources"][0]["leaves"]["8.1.1"]["so-y-te"]
        {'share': '0.8705105702983788', 'se': '0.06376533863591304'}
        >>> r = parindex.score(*parindex.examples.load("par-demo"))
        >>> parindex.sensitivity(r, u, runs=20, seed=1)["sources"]
        ['survey (8.1.1)']
        """

def example_survey(name: str) -> Tuple[Questionnaire, Tally]:
    """A bundled survey (see :mod:`parindex.examples`)."""

def dossier_stats_json(dossiers: Any, as_of: Optional[str] = None, file: Optional[str] = None) -> str:
    """The dossier statistics document (use :func:`parindex.dossier_stats`)."""
