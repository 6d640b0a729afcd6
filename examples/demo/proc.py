"""Read the process table from /proc (Linux): groups, parents, liveness."""

from pathlib import Path


def _stat_fields(pid: str | int) -> list[str] | None:
    """Return the fields after the command name of /proc/<pid>/stat: state, ppid, pgrp, ..."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Tell whether pid runs (zombies waiting to be reaped count as gone)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def live_processes() -> dict[int, tuple[int, int]]:
    """Map every live process id to its (parent id, process group id)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry.name)
            if fields is not None and fields[0] != "Z":
                table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table


def group_members(groups: set[int]) -> list[int]:
    """Return every live process whose process group is one of groups."""
    return [pid for pid, (_, group) in live_processes().items() if group in groups]


def descendants(root: int) -> list[int]:
    """Return every live process below root, following parent links."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in live_processes().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
