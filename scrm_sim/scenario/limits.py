"""What one run, one experiment and one input file may ask of the machine, checked before work.

Every bound here is a refusal with a message, never a crash: a number beyond what a real
company can have is refused by the schema (the ``MAX_*`` constants, used there), a run
whose estimated memory does not fit the machine is refused by :func:`memory_problems`
before anything is allocated, and a YAML file that is too large, too deep or expands
too far through aliases is refused by :func:`check_yaml_node` (called by ``read_yaml``).

The limits that depend on the machine can be raised knowingly:
``SCRM_SIM_MEMORY_LIMIT_GB`` (default: this machine's physical memory, else 8 GB) and
``SCRM_SIM_MAX_RUNS`` (default 100,000 runs per experiment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from scrm_sim.errors import Problem

if TYPE_CHECKING:
    from scrm_sim.scenario.schema import Scenario

# --------------------------------------------------------------------------- schema bounds
# Generous on purpose: they refuse typos and hostile values (10**12 customers, 1e300), not
# large companies; the memory estimate below decides what this machine can run.
MAX_PEOPLE = 10**9  # customers or prospects: more than any company's customer base
MAX_STAFF = 10**6  # people in one department or one social role (about Walmart's US staff)
MAX_SCALE = 1_000.0  # head-count, staffing and demand multipliers
MAX_RATE = 100.0  # posts per customer per day, per post type
MAX_MULTIPLIER = 1_000.0  # campaign and incident factors on rates
MAX_MEAN_DEGREE = 10_000.0  # contacts per person (Dunbar's number is about 150)
MAX_SEED = 2**63 - 1  # seeds are stored in int64 result columns

# --------------------------------------------------------------------------- YAML limits
MAX_YAML_BYTES = 5 * 1024 * 1024  # a scenario is a few kB; an experiment a few tens of kB
MAX_YAML_DEPTH = 64  # the schema nests about 6 deep; deeper is not a scenario
MAX_YAML_NODES = 200_000  # values after alias expansion (a bomb expands to billions)
MAX_PROBLEMS = 20  # problems printed per error; the rest are counted

# --------------------------------------------------------------------------- run cost
DEFAULT_MEMORY_GB = 8.0  # when the machine's memory cannot be read
DEFAULT_MAX_RUNS = 100_000  # runs per experiment: days of CPU on a workstation

# Bytes per item. People and contacts are fitted to the peak RSS of two one-day runs
# (300,000 and 900,000 people, mean degree 10: 0.45 and 1.29 GB above the interpreter;
# the estimate gives 0.54 and 1.38); staff, posts and agents are assumptions. The estimate
# refuses what is far out of reach; it does not promise that what passes fits.
_BYTES_PER_PERSON = 700  # customer and prospect state arrays, plus the engine's temporaries
_BYTES_PER_CONTACT = 70  # one contact, stored both ways, plus the generator's buffers
_BYTES_PER_STAFF = 2_000  # one Mesa staff agent with its queues and records (assumption)
_BYTES_PER_POST = 120  # one post's columns (times, type, status, routing), kept all run
_BYTES_PER_CUSTOMER_AGENT = 600  # a Mesa Customer agent, made up to max_agent_objects


class YamlLimitError(yaml.YAMLError):
    """A YAML document beyond the size, depth or alias-expansion limits."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class LimitedSafeLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with a nesting limit checked while composing.

    PyYAML composes nodes recursively, so a 5,000-deep document would hit Python's
    recursion limit; counting depth here refuses it first with a message.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:  # type: ignore[override]
        """Compose one node, refusing nesting deeper than :data:`MAX_YAML_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels",
                                     self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        """Build one value; a value YAML reads as an impossible date or number (``2026-13-01``)
        is reported as a YAML error at its line, not raised as a ValueError."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as YAML reads it ({exc}); quote it to "
                "keep it as text", node.start_mark) from None


def check_yaml_node(root: yaml.Node) -> None:
    """Refuse a composed document whose alias expansion is too large, too deep or recursive.

    Aliases make one node appear many times; whatever later copies the data (pydantic,
    ``model_dump``) pays for every appearance. The walk counts appearances, remembering
    each node's size so that it costs only the distinct nodes.

    Raises:
        YamlLimitError: expanded beyond :data:`MAX_YAML_NODES` values or
            :data:`MAX_YAML_DEPTH` levels, or an alias that contains itself.
    """
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, height)
    open_nodes: set[int] = set()

    def walk(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            raise YamlLimitError("an alias refers to a node that contains it (recursive)",
                                 node.start_mark)
        if key not in sizes:
            if depth > MAX_YAML_DEPTH:
                raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels after "
                                     "alias expansion", node.start_mark)
            open_nodes.add(key)
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            total, height = 1, 0
            for child in children:
                size, child_height = walk(child, depth + 1)
                total += size
                height = max(height, child_height + 1)
                if total > MAX_YAML_NODES:
                    raise YamlLimitError(f"expands to more than {MAX_YAML_NODES:,} values "
                                         "(aliases repeat their anchor)", node.start_mark)
            open_nodes.discard(key)
            sizes[key] = (total, height)
        total, height = sizes[key]
        if depth + height > MAX_YAML_DEPTH:
            raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels after alias "
                                 "expansion", node.start_mark)
        return total, height

    walk(root, 1)


def capped(problems: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_PROBLEMS` problems, then one line counting the rest."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem("", f"… and {rest} more problems")]


# --------------------------------------------------------------------------- memory


def memory_limit_gb() -> tuple[float, str]:
    """The memory one run may use, in GB, and where the figure comes from."""
    given = os.environ.get("SCRM_SIM_MEMORY_LIMIT_GB")
    if given:
        try:
            value = float(given)
        except ValueError:
            value = float("nan")
        if value > 0 and value != float("inf"):
            return value, "SCRM_SIM_MEMORY_LIMIT_GB"
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return DEFAULT_MEMORY_GB, "default"
    return (physical, "this machine's memory") if physical > 0 else (DEFAULT_MEMORY_GB, "default")


@dataclass(frozen=True)
class MemoryEstimate:
    """A run's estimated peak memory by part, in bytes."""

    people: float
    network: float
    staff: float
    posts: float
    agents: float

    @property
    def total(self) -> float:
        """All parts together."""
        return self.people + self.network + self.staff + self.posts + self.agents

    def largest(self) -> tuple[str, str]:
        """The part that costs most, and the field that drives it."""
        parts = {"people": ("customers and prospects", "customers.count"),
                 "network": ("the contact network", "customers.network.mean_degree"),
                 "staff": ("staff agents", "company.departments"),
                 "posts": ("posts", "demand.volume_multiplier"),
                 "agents": ("Customer agent objects", "customers.max_agent_objects")}
        name = max(parts, key=lambda p: getattr(self, p))
        return parts[name]


def estimate_memory(scenario: Scenario) -> MemoryEstimate:
    """A run's peak memory from the sizes that drive it, before anything is built."""
    customers = scenario.customers
    people = customers.count + customers.prospects
    staff = sum(scenario.company.head_count(d) for d in scenario.company.departments)
    rates = sum(scenario.demand.rates_per_customer_per_day.values())
    peak_factor = max([1.0] + [c.multiplier for c in scenario.demand.campaigns]
                      + [i.complaint_multiplier for i in scenario.demand.incidents])
    posts = rates * scenario.demand.volume_multiplier * peak_factor * people * scenario.duration_days
    return MemoryEstimate(
        people=people * _BYTES_PER_PERSON,
        network=people * customers.network.mean_degree * _BYTES_PER_CONTACT,
        staff=staff * _BYTES_PER_STAFF,
        posts=posts * _BYTES_PER_POST,
        agents=min(customers.count, customers.max_agent_objects) * _BYTES_PER_CUSTOMER_AGENT,
    )


def memory_problems(scenario: Scenario) -> list[Problem]:
    """A problem naming the costliest field when the run cannot fit the memory limit."""
    estimate = estimate_memory(scenario)
    limit_gb, origin = memory_limit_gb()
    needed_gb = estimate.total / 1e9
    if needed_gb <= limit_gb:
        return []
    what, field = estimate.largest()
    if field == "customers.count" and scenario.customers.prospects > scenario.customers.count:
        field = "customers.prospects"
    return [Problem(field, (
        f"the run would need about {needed_gb:,.1f} GB of memory (mostly {what}), above the "
        f"limit of {limit_gb:,.1f} GB ({origin}); make the scenario smaller, or set "
        "SCRM_SIM_MEMORY_LIMIT_GB to raise the limit knowingly"))]


def max_runs() -> int:
    """Runs one experiment may ask for (``SCRM_SIM_MAX_RUNS`` raises it)."""
    given = os.environ.get("SCRM_SIM_MAX_RUNS", "")
    return int(given) if given.isdigit() and int(given) > 0 else DEFAULT_MAX_RUNS
