"""Work lists: the staff list pages' search, filters, sorting and paging, read from the URL.

One mechanism for every list (docs/worklists.md): a page declares a filter form (a
`ListFilterForm` whose `filter_queryset` narrows a queryset the access rules already gave)
and its sort keys; `work_list` reads `?q=…&status=…&sort=-received&page=3`, applies the valid
filters, reports each bad value in Swedish instead of failing, and reads one page with two
queries (the count and the rows) whatever the number of rows. Filters only narrow: the view
hands over the rows the user may see, never the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import Form

PER_PAGE = 25
PAGE_PARAM = "page"
SORT_PARAM = "sort"


@dataclass(frozen=True)
class SortKey:
    """A column the list can be sorted by: its label and the fields it orders on (ascending;
    `-key` in the URL reverses them). `annotate` adds what the ordering needs, when chosen."""

    label: str
    fields: tuple[str, ...]
    annotate: Mapping[str, Any] = field(default_factory=dict)


class ListFilterForm(Form):
    """A list's filters, all optional. Subclasses declare fields and `filter_queryset`;
    `scope_fields` choose which list is shown (the inbox's section) rather than narrow it, so
    they do not count as a filter to clear."""

    scope_fields: tuple[str, ...] = ()
    submit_label = gettext_lazy("Filtrera")
    live_search = True  # htmx asks as the user types in the search field (not on the person search)

    def filter_queryset(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        """Narrow `queryset` by the valid, non-empty filter values in `data`."""
        raise NotImplementedError


@dataclass
class WorkListPage:
    """One page of a work list, with what the templates need to draw its controls."""

    rows: list
    count: int
    number: int
    num_pages: int
    per_page: int
    sort: str
    sorts: Mapping[str, SortKey]
    form: ListFilterForm
    params: dict[str, str]
    active_filters: dict[str, Any]
    notices: list[str]

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end(self) -> int:
        return min(self.number * self.per_page, self.count)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def filtered(self) -> bool:
        return any(name not in self.form.scope_fields for name in self.active_filters)

    def url(self, **changes: Any) -> str:
        """The list's query string with `changes` (None removes a parameter); page 1 is left
        out, so that a first page has one address."""
        params = dict(self.params)
        for name, value in changes.items():
            if value is None or value == "":
                params.pop(name, None)
            else:
                params[name] = str(value)
        if params.get(PAGE_PARAM) == "1":
            params.pop(PAGE_PARAM)
        query = QueryDict(mutable=True)
        for name, value in params.items():
            query[name] = value
        return "?" + query.urlencode() if params else "?"

    def page_url(self, number: int) -> str:
        return self.url(**{PAGE_PARAM: number})

    def sort_url(self, key: str) -> str:
        """Sorting by a column: ascending first, a second click reverses; back to page 1."""
        new = f"-{key}" if self.sort == key else key
        return self.url(**{SORT_PARAM: new, PAGE_PARAM: None})

    def sort_state(self, key: str) -> str:
        """'ascending', 'descending' or 'none' (as aria-sort names them)."""
        if self.sort == key:
            return "ascending"
        if self.sort == f"-{key}":
            return "descending"
        return "none"

    def page_numbers(self) -> list[int | None]:
        """The page links to show: first, last and two around the current; None is a gap."""
        wanted = {1, self.num_pages, *range(self.number - 2, self.number + 3)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.num_pages)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - shown[-1] > 1:  # type: ignore[operator]
                shown.append(None)
            shown.append(n)
        return shown


def _ordering(sort_key: SortKey, descending: bool) -> list:
    """The sort key's fields, reversed for `-key`, with empty values last either way (as on
    PostgreSQL and SQLite alike) and the primary key last, so that pages do not overlap."""

    def term(name: str):
        reverse = name.startswith("-") != descending
        expression = F(name.lstrip("-"))
        return expression.desc(nulls_last=True) if reverse else expression.asc(nulls_last=True)

    return [term(name) for name in sort_key.fields] + [term("pk")]


def work_list(
    request,
    queryset: QuerySet,
    form_class: type[ListFilterForm],
    *,
    sorts: Mapping[str, SortKey],
    default_sort: str,
    per_page: int = PER_PAGE,
    form_kwargs: dict[str, Any] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> WorkListPage:
    """Filter, sort and page `queryset` by the request's query string.

    `defaults` fill parameters the URL does not name (e.g. the inbox's own section); a
    parameter given empty means "all". Bad values never fail the page: an invalid filter is
    left out and named in `notices` (and beside its field), an unknown sort falls back to the
    default, a page number out of range shows the nearest page."""
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        if name not in data:
            data[name] = value
    form = form_class(data, **(form_kwargs or {}))
    notices: list[str] = []
    form.is_valid()
    cleaned = dict(getattr(form, "cleaned_data", {}))
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            notices.append(
                _("Filtret ”%(label)s” används inte: %(error)s") % {"label": label, "error": error}
                if label
                else error
            )
    active = {name: value for name, value in cleaned.items() if value not in (None, "", [], ())}
    rows_qs = form.filter_queryset(queryset, active)

    sort = data.get(SORT_PARAM) or default_sort
    if sort.lstrip("-") not in sorts:
        notices.append(_("Okänd sortering; listan är sorterad som vanligt."))
        sort = default_sort
    sort_key = sorts[sort.lstrip("-")]
    if sort_key.annotate:
        rows_qs = rows_qs.annotate(**sort_key.annotate)
    rows_qs = rows_qs.order_by(*_ordering(sort_key, sort.startswith("-")))

    paginator = Paginator(rows_qs, per_page)
    count = paginator.count  # one query
    num_pages = max(1, paginator.num_pages)
    asked = data.get(PAGE_PARAM, "")
    number = 1
    if asked:
        try:
            number = int(asked)
        except ValueError:
            notices.append(
                _("Sidnumret ”%(page)s” är inte ett tal; sidan 1 visas.") % {"page": asked}
            )
        else:
            if number < 1:
                notices.append(_("Sidnumret ska vara 1 eller större; sidan 1 visas."))
                number = 1
            elif number > num_pages:
                notices.append(
                    _("Det finns bara %(pages)s sidor; den sista visas.") % {"pages": num_pages}
                    if num_pages > 1
                    else _("Det finns bara en sida; den visas.")
                )
                number = num_pages
    offset = (number - 1) * per_page
    rows = list(rows_qs[offset : offset + per_page]) if count else []  # one query

    # The address names what the user chose; the defaults stay implicit (one address per view).
    params = {
        name: str(request.GET[name])
        for name in form.fields
        if request.GET.get(name) not in (None, "")
    }
    if sort != default_sort:
        params[SORT_PARAM] = sort
    if number > 1:
        params[PAGE_PARAM] = str(number)
    return WorkListPage(
        rows=rows,
        count=count,
        number=number,
        num_pages=num_pages,
        per_page=per_page,
        sort=sort,
        sorts=sorts,
        form=form,
        params=params,
        active_filters=active,
        notices=notices,
    )


def wants_list_only(request) -> bool:
    """htmx asks for the list's results only (a filter, a sort or a page link); a boosted link
    or a history restore wants the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_work_list(
    request,
    template: str,
    partial: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The whole page, or only the list's results when htmx asks (the filter form stays as
    the user left it). The answer varies with HX-Request, so a cached partial never stands
    in for the page (and without JavaScript the same URL gives the whole page)."""
    list_only = wants_list_only(request)
    response = render(
        request, partial if list_only else template, {**context, "list_only": list_only}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
