"""URL pieces cut in SQL, for the columns the database derives from a session's URLs."""

from typing import Any

from sqlalchemy import Text, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class landing_cut(FunctionElement[str]):
    """The URL up to its query or fragment, cut in SQL."""

    type = Text()
    inherit_cache = True


class netloc_cut(FunctionElement[str]):
    """What follows `://` up to the next slash, cut in SQL: a host, perhaps with a port."""

    type = Text()
    inherit_cache = True


@compiles(landing_cut)
def _landing_sql(element: landing_cut, compiler: SQLCompiler, **kw: Any) -> str:
    [url] = element.clauses
    if compiler.dialect.name == "postgresql":
        cut = func.regexp_replace(url, "[?#].*$", "")
    else:
        cut = func.substr(
            url, 1, func.min(func.instr(url + "?", "?"), func.instr(url + "#", "#")) - 1
        )
    return compiler.process(func.coalesce(cut, ""), **kw)


@compiles(netloc_cut)
def _netloc_sql(element: netloc_cut, compiler: SQLCompiler, **kw: Any) -> str:
    [url] = element.clauses
    if compiler.dialect.name == "postgresql":
        cut = func.substring(url, "://([^/]*)")
    else:
        rest = func.substr(url, func.instr(url, "://") + 3)
        cut = func.substr(rest, 1, func.instr(rest + "/", "/") - 1)
    return compiler.process(func.coalesce(cut, ""), **kw)
