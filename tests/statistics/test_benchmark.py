"""Öppna jämförelser: the OLS against hand-worked examples, the CSV reading and the merge."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bistand.statistics.benchmarking import (
    DEPENDENT,
    EXPLANATORY,
    BenchmarkError,
    Reference,
    decode_csv,
    fit_ols,
    load_reference,
    observations_csv,
    read_csv,
    run_benchmark,
    solve_linear_system,
    t_two_sided_p,
    template_csv,
)

REFERENCE = load_reference()
CODES = sorted(REFERENCE.names)
HEADER = ["kommunkod", DEPENDENT, *EXPLANATORY]


def synthetic_csv(count=40, *, seed=7, delimiter=";", columns=HEADER, blank=()):
    """A file for `count` real municipalities; cost = linear in the shares plus noise."""
    rng = random.Random(seed)
    lines = [delimiter.join(columns)]
    for code in CODES[:count]:
        shares = {
            "unemployed_without_benefit_share": rng.uniform(1, 8),
            "foreign_born_0_5_share": rng.uniform(0.5, 10),
            "foreign_born_6_10_share": rng.uniform(0.5, 8),
            "low_education_share": rng.uniform(8, 28),
            "low_income_share": rng.uniform(5, 25),
        }
        cost = (
            300
            + 150 * shares["unemployed_without_benefit_share"]
            + 180 * shares["foreign_born_0_5_share"]
            + 60 * shares["foreign_born_6_10_share"]
            + 20 * shares["low_education_share"]
            + 40 * shares["low_income_share"]
            + rng.gauss(0, 150)
        )
        values = {
            "kommunkod": code,
            DEPENDENT: f"{cost:.0f}",
            **{k: f"{v:.2f}" for k, v in shares.items()},
        }
        if delimiter == ";":
            values = {k: v.replace(".", ",") for k, v in values.items()}
        lines.append(delimiter.join("" if (code, c) in blank else values[c] for c in columns))
    return "\n".join(lines) + "\n"


def names_only_reference():
    """The real municipality names but no shipped variables, to control a fit completely."""
    return Reference(names=REFERENCE.names, values={}, descriptions={}, population={})


# ------------------------------------------------------------------------- OLS


def test_five_points_on_an_exact_line_give_r_squared_one():
    x = [1, 2, 3, 4, 5]
    y = [2 + 3 * value for value in x]
    fit = fit_ols(y, {"x": x})
    assert fit.coefficient("intercept").estimate == pytest.approx(2)
    assert fit.coefficient("x").estimate == pytest.approx(3)
    assert fit.r_squared == pytest.approx(1)
    assert fit.adjusted_r_squared == pytest.approx(1)
    assert fit.coefficient("x").std_error == pytest.approx(0, abs=1e-6)
    assert fit.residuals == pytest.approx([0] * 5, abs=1e-9)


def test_noisy_simple_regression_matches_the_hand_computation():
    # x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6 → b1 = 0.6, b0 = 4 - 0.6 * 3 = 2.2.
    # Fitted 2.8 3.4 4.0 4.6 5.2; residuals -0.8 0.6 1.0 -0.6 -0.2; SSR = 2.4; SST = 6.
    # R² = 1 - 2.4/6 = 0.6; adjusted = 1 - 0.4 * 4/3; sigma² = 2.4/3 = 0.8;
    # SE(b1) = sqrt(0.8/10); SE(b0) = sqrt(0.8 * (1/5 + 9/10)).
    fit = fit_ols([2, 4, 5, 4, 5], {"x": [1, 2, 3, 4, 5]})
    b0, b1 = fit.coefficients
    assert b0.estimate == pytest.approx(2.2)
    assert b1.estimate == pytest.approx(0.6)
    assert fit.fitted == pytest.approx([2.8, 3.4, 4.0, 4.6, 5.2])
    assert fit.residuals == pytest.approx([-0.8, 0.6, 1.0, -0.6, -0.2])
    assert fit.r_squared == pytest.approx(0.6)
    assert fit.adjusted_r_squared == pytest.approx(1 - 0.4 * 4 / 3)
    assert fit.residual_std_error == pytest.approx(math.sqrt(0.8))
    assert b1.std_error == pytest.approx(math.sqrt(0.08))
    assert b0.std_error == pytest.approx(math.sqrt(0.88))
    assert b1.t_value == pytest.approx(0.6 / math.sqrt(0.08))
    assert fit.df_residual == 3


def test_two_variable_regression_matches_the_hand_computation():
    # y = 1 + 2 x1 + 3 x2 + e, with e = (1, -1, -1, 1, 0, 0) orthogonal to 1, x1 and x2,
    # so OLS returns exactly (1, 2, 3) and SSR = 4, sigma² = 4/3.
    # X'X = [[6,4,4],[4,6,1],[4,1,6]], det 50, diagonal of the inverse 35/50, 20/50, 20/50.
    # SST = 140 - 26²/6 = 82/3 → R² = 1 - 12/82 = 35/41, adjusted = 1 - (6/41)(5/3) = 31/41.
    x1 = [0, 1, 0, 1, 2, 0]
    x2 = [0, 0, 1, 1, 0, 2]
    y = [2, 2, 3, 7, 5, 7]
    fit = fit_ols(y, {"x1": x1, "x2": x2})
    assert [c.estimate for c in fit.coefficients] == pytest.approx([1, 2, 3])
    assert [c.std_error for c in fit.coefficients] == pytest.approx(
        [math.sqrt(4 / 3 * 0.7), math.sqrt(4 / 3 * 0.4), math.sqrt(4 / 3 * 0.4)]
    )
    assert fit.r_squared == pytest.approx(35 / 41)
    assert fit.adjusted_r_squared == pytest.approx(31 / 41)


def test_p_values_match_the_t_table():
    assert t_two_sided_p(3.182446, 3) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(2.228139, 10) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(-2.228139, 10) == pytest.approx(0.05, abs=1e-6)
    assert t_two_sided_p(1.0, 1) == pytest.approx(0.5)  # Cauchy: 1 - 2/π atan(1)
    assert t_two_sided_p(0.0, 7) == 1.0


def test_linearly_dependent_variables_are_refused():
    with pytest.raises(BenchmarkError) as error:
        fit_ols([1, 3, 2, 5, 4], {"a": [1, 2, 3, 4, 5], "b": [2, 4, 6, 8, 10]})
    assert error.value.code == "singular_matrix"


def test_constant_variable_is_refused_by_name():
    with pytest.raises(BenchmarkError) as error:
        fit_ols([1, 3, 2, 5, 4], {"low_income_share": [7, 7, 7, 7, 7]})
    assert error.value.code == "constant_variable"
    assert "låg inkomst" in error.value.message


def test_gaussian_elimination_needs_pivoting_for_a_zero_first_pivot():
    (solution,) = solve_linear_system([[0, 1], [1, 0]], [[3, 4]])
    assert solution == pytest.approx([4, 3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 100, allow_nan=False),
            st.floats(0, 100, allow_nan=False),
            st.floats(0, 10_000, allow_nan=False),
        ),
        min_size=6,
        max_size=30,
    )
)
def test_residuals_are_orthogonal_to_every_column(rows):
    x1 = [r[0] for r in rows]
    x2 = [r[1] for r in rows]
    y = [r[2] for r in rows]
    try:
        fit = fit_ols(y, {"x1": x1, "x2": x2})
    except BenchmarkError as error:
        assert error.code in {"singular_matrix", "constant_variable", "constant_cost"}
        return
    scale = max(1.0, max(abs(v) for v in y)) * len(rows)
    for column in ([1.0] * len(rows), x1, x2):
        assert abs(sum(e * x for e, x in zip(fit.residuals, column, strict=True))) <= scale * 1e-4
    assert -1e-9 <= fit.r_squared <= 1 + 1e-9


# ------------------------------------------------------------------ benchmark


def hand_example_csv():
    """The 5-point example above as a file: one share, costs 2 4 5 4 5 (times 1000)."""
    rows = ["kommunkod;cost_per_inhabitant_18_64;unemployed_without_benefit_share"]
    rows += [
        f"{code};{cost * 1000};{x}"
        for code, cost, x in zip(CODES[:5], [2, 4, 5, 4, 5], range(1, 6), strict=True)
    ]
    return "\n".join(rows)


def test_expected_actual_residual_and_rank_for_our_municipality():
    result = run_benchmark(hand_example_csv(), CODES[2], reference=names_only_reference())
    focus = result.focus
    assert focus.actual == 5000
    assert focus.expected == pytest.approx(4000)
    assert focus.residual == pytest.approx(1000)
    assert focus.deviation_percent == pytest.approx(25)
    # Residuals -800 600 1000 -600 -200: ours is the largest, rank 5 of 5.
    assert focus.rank == 5
    assert [o.rank for o in result.observations] == [1, 4, 5, 2, 3]
    assert focus.cost_rank == 4  # costs 2 4 5 4 5 (thousands): ties share the lower rank
    assert result.fit.r_squared == pytest.approx(0.6)


def test_missing_variables_are_dropped_and_named_in_swedish():
    result = run_benchmark(hand_example_csv(), CODES[0], reference=names_only_reference())
    assert result.variables == ("unemployed_without_benefit_share",)
    assert set(result.missing_variables) == set(EXPLANATORY) - {"unemployed_without_benefit_share"}
    assert result.missing_variables_message == (
        "Följande förklaringsvariabler saknades och ingår inte i modellen: "
        "andel utrikes födda med 0–5 år i Sverige, andel utrikes födda med 6–10 år i Sverige, "
        "andel med låg utbildning, andel med låg inkomst."
    )


def test_shipped_low_education_fills_in_when_the_file_lacks_it():
    columns = ["kommunkod", DEPENDENT, "unemployed_without_benefit_share", "low_income_share"]
    result = run_benchmark(synthetic_csv(columns=columns), CODES[0])
    assert result.sources["low_education_share"] == "reference"
    assert "low_education_share" in result.variables
    assert set(result.missing_variables) == {"foreign_born_0_5_share", "foreign_born_6_10_share"}
    assert any("förgymnasial" in notice for notice in result.notices)


def test_users_column_overrides_the_shipped_data():
    result = run_benchmark(synthetic_csv(), CODES[0])
    assert result.sources == {variable: "user" for variable in EXPLANATORY}
    assert result.missing_variables == ()
    assert result.missing_variables_message is None
    # The synthetic file's own low-education shares have coefficient 20 (noise sd 150).
    assert result.fit.coefficient("low_education_share").estimate == pytest.approx(20, abs=15)


def test_rows_with_missing_values_are_excluded_and_counted():
    blank = {(CODES[3], "low_income_share"), (CODES[5], DEPENDENT)}
    result = run_benchmark(synthetic_csv(blank=blank), CODES[3])
    assert result.fit.n == 38
    assert [(e.code, e.missing) for e in result.excluded] == [
        (CODES[3], ("low_income_share",)),
        (CODES[5], (DEPENDENT,)),
    ]
    assert result.focus is None
    assert "låg inkomst" in result.focus_note


def test_a_column_left_empty_counts_as_missing_not_as_missing_rows():
    blank = {(code, "foreign_born_6_10_share") for code in CODES}
    result = run_benchmark(synthetic_csv(blank=blank), CODES[0])
    assert result.missing_variables == ("foreign_born_6_10_share",)
    assert result.excluded == ()


def test_comma_separated_file_with_swedish_headers_and_codes_without_leading_zero():
    text = (
        "Kommunkod,Kostnad ekonomiskt bistånd per invånare 18-64 år (kr),"
        "Andel arbetslösa utan ersättning (%),Kommun\n"
        + "\n".join(
            f'{int(code)},"{cost} ",{share},Namn'
            for code, cost, share in zip(
                CODES[:5], ["2000", "4000", "5000", "4 000", "5000"], [1, 2, 3, 4, 5], strict=True
            )
        )
    )
    table = read_csv(text)
    assert table.codes == tuple(CODES[:5])
    assert table.codes[0].startswith("0")
    assert table.columns[DEPENDENT][CODES[3]] == 4000
    assert table.ignored_columns == ()


def test_decimal_commas_percent_signs_and_missing_markers_are_read():
    text = f"kommunkod;{DEPENDENT};low_income_share\n{CODES[0]};1 234,5;12,5 %\n{CODES[1]};..;\n"
    table = read_csv(text)
    assert table.columns[DEPENDENT] == {CODES[0]: 1234.5, CODES[1]: None}
    assert table.columns["low_income_share"] == {CODES[0]: 12.5, CODES[1]: None}


def test_excel_files_with_bom_or_windows_1252_are_decoded():
    text = "kommunkod;låg_inkomst\n0114;12\n"
    assert decode_csv(("\ufeff" + text).encode()) == text
    assert decode_csv(text.encode("cp1252")) == text
    assert read_csv(decode_csv(text.encode("cp1252"))).columns["low_income_share"] == {"0114": 12}


def test_unknown_columns_are_reported_not_fitted():
    text = f"kommunkod;{DEPENDENT};skattesats\n{CODES[0]};1000;21\n"
    table = read_csv(text)
    assert table.ignored_columns == ("skattesats",)
    assert any("skattesats" in notice for notice in table.notices)


def test_shares_given_as_fractions_give_a_notice():
    text = f"kommunkod;{DEPENDENT};low_income_share\n{CODES[0]};1000;0,12\n{CODES[1]};900;0,2\n"
    assert any("procent" in notice for notice in read_csv(text).notices)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "empty_file", "tom"),
        ("kommunkod|kostnad\n0114|12\n", "wrong_delimiter", "semikolon"),
        (f"kommunkod;{DEPENDENT}\n0114,1000\n", "wrong_field_count", "Rad 2"),
        (f"kommunkod;{DEPENDENT}\n0114;tusen\n", "non_numeric_value", "'tusen' är inget tal"),
        (f"kommunkod;{DEPENDENT}\n9999;1000\n", "unknown_municipality", "9999"),
        (f"kommunkod;{DEPENDENT}\nUppsala;1000\n", "invalid_municipality_code", "Rad 2"),
        (f"kommunkod;{DEPENDENT}\n0114;1\n114;2\n", "duplicate_municipality", "Upplands Väsby"),
        (f"kommunkod;{DEPENDENT};low_income_share\n0114;1;150\n", "value_out_of_range", "0–100"),
        (f"kommunkod;{DEPENDENT};{DEPENDENT}\n0114;1;1\n", "duplicate_column", "samma sak"),
        (f"{DEPENDENT};low_income_share\n1;2\n", "missing_code_column", "kommunkod"),
        (f"kommunkod;{DEPENDENT}\n", "no_rows", "inga datarader"),
    ],
)
def test_bad_files_give_a_swedish_message_and_an_english_code(text, code, words):
    with pytest.raises(BenchmarkError) as error:
        run_benchmark(text, "0114")
    assert error.value.code == code
    assert words in error.value.message


def test_fewer_rows_than_variables_plus_two_is_refused():
    text = synthetic_csv(count=6)  # five variables need seven complete rows
    with pytest.raises(BenchmarkError) as error:
        run_benchmark(text, CODES[0])
    assert error.value.code == "too_few_rows"
    assert "minst 7 kommuner" in error.value.message


def test_a_file_without_the_cost_per_inhabitant_18_64_is_refused():
    text = "kommunkod;kostnad;low_income_share\n0114;1000;12\n"
    with pytest.raises(BenchmarkError) as error:
        run_benchmark(text, "0114")
    assert error.value.code == "missing_cost_column"
    assert "N31001" in error.value.message


def test_unknown_municipality_to_compare_is_refused():
    with pytest.raises(BenchmarkError) as error:
        run_benchmark(synthetic_csv(), "0001")
    assert error.value.code == "unknown_municipality"


def test_reference_data_holds_all_290_municipalities_with_leading_zeros():
    assert len(REFERENCE.names) == 290
    assert REFERENCE.names["0114"] == "Upplands Väsby"
    assert REFERENCE.names["1281"] == "Lund"
    low_education = REFERENCE.values["low_education_share"]
    assert len(low_education) == 290
    assert all(5 < value < 35 for value in low_education.values())  # percent, not fraction


def test_csv_exports_use_semicolons_decimal_commas_and_a_bom():
    result = run_benchmark(synthetic_csv(), CODES[1])
    exported = observations_csv(result)
    lines = exported.lstrip("\ufeff").splitlines()
    assert exported.startswith("\ufeff")
    assert lines[0].startswith("kommunkod;kommun;faktisk_kostnad;forvantad_kostnad")
    assert len(lines) == 41
    ours = next(line for line in lines if line.startswith(CODES[1]))
    assert ours.endswith(";ja") and "," in ours.split(";")[3]
    template = template_csv().lstrip("\ufeff").splitlines()
    assert template[0] == ";".join(["kommunkod", "kommun", DEPENDENT, *EXPLANATORY])
    assert len(template) == 291
    # The template reads back: empty columns count as missing, not as a bad file.
    assert read_csv(template_csv()).codes[0] == "0114"


@pytest.mark.parametrize(
    ("header", "variable"),
    [
        ("municipality_code", "kommunkod"),
        ("Kod", "kommunkod"),
        ("kostnad_per_invanare_18_64", DEPENDENT),
        ("Kostnad ekonomiskt bistånd per invånare 18-64 år (kr)", DEPENDENT),
        ("andel_arbetslosa_utan_ersattning", "unemployed_without_benefit_share"),
        ("andel_utrikes_fodda_0_5_ar", "foreign_born_0_5_share"),
        ("Utrikes födda 0-5 år i Sverige (%)", "foreign_born_0_5_share"),
        ("andel_utrikes_fodda_6_10_ar", "foreign_born_6_10_share"),
        ("andel_lag_utbildning", "low_education_share"),
        ("Lågutbildade", "low_education_share"),
        ("Förgymnasial utbildning (%)", "low_education_share"),
        ("andel_lag_inkomst", "low_income_share"),
        ("Låg ekonomisk standard", "low_income_share"),
        *[(variable, variable) for variable in (DEPENDENT, *EXPLANATORY)],
    ],
)
def test_documented_headers_are_recognised(header, variable):
    columns = ["region", header] if variable != "kommunkod" else [header, DEPENDENT]
    table = read_csv(";".join(columns) + "\n0114 Upplands Väsby;12\n")
    assert table.codes == ("0114",)
    assert variable == "kommunkod" or table.columns[variable] == {"0114": 12}
    assert table.ignored_columns == ()
