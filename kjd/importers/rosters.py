"""One schema per roster kind: its fields, their value types, required fields, keys.

Natural keys decide whether a row is new or a new version of a row already in
the database. They must make a re-import of the same file change nothing, let
a later version of a roster update its changed rows, and never fold two
distinct rows of one roster into one record:

- institutes: the entity resolver's key of the name (`entities.natural_key`),
  or the record the resolver finds for the whole name (alias, short name), so
  a roster row and a name met in another roster meet in one record. A record
  that no roster had described yet (seeded from data/aliases.csv, or created
  for a 完成单位) is counted as inserted when a roster first fills it.
- enterprises: found or created through the entity resolver (credit code first,
  then name), so the key is the resolver's.
- demands, projects, experts: the roster's own reference (需求编号/成果编号/专家编号)
  when it has one, joined with the comparison keys of the owner (enterprise,
  completing unit or work unit) and of the title (or name). The reference alone
  is not enough, because rosters from different offices all start at 1 or
  D001. The title alone is not enough either, because one enterprise may file
  two demands with one title and many demand rows name no enterprise. A row whose
  key repeats an earlier row's key in the same sheet gets '#2', '#3'… in sheet
  order, so duplicates stay separate records and a re-import of the same file
  finds each of them again.

A later roster that changes a title or the owner's spelling gives an unknown
key; the loader then looks for a record with the same reference and the same
title or owner, and updates it (see kjd.importers.refmatch). A changed
description, budget, phone or any other column updates a record in place
(`updated_at`).
"""

from dataclasses import dataclass

from kjd.normalize import match_key

KINDS = ("demands", "projects", "experts", "institutes", "enterprises")

KIND_LABELS = {
    "demands": "企业需求",
    "projects": "科技成果",
    "experts": "专家",
    "institutes": "高校院所",
    "enterprises": "企业",
}


@dataclass(frozen=True)
class Roster:
    """The fields of one roster kind and the value type of each.

    `fields` maps a field to its value type (see kjd.importers.values).
    `required` lists alternatives: a row needs at least one of them. When the
    header has none of the required columns but has a reference column
    (编号), and `identified_by_ref` is true, every row with a reference is
    imported with a warning and `blank_values` fills the columns the table
    cannot leave NULL. When a required column exists, a row whose cells are
    all blank there is rejected.
    """

    kind: str
    table: str
    fields: dict[str, str]
    required: tuple[str, ...]
    required_label: str
    key_fields: tuple[str, ...] = ()
    identified_by_ref: bool = False
    blank_values: tuple[tuple[str, str], ...] = ()

    def has_required_columns(self, mapped: set[str]) -> bool:
        return any(name in mapped for name in self.required)

    def accepts_header(self, mapped: set[str]) -> bool:
        """Return True when rows can be imported with these columns."""
        if self.has_required_columns(mapped):
            return True
        return self.identified_by_ref and "ref" in mapped

    def natural_key(self, values: dict, keys: dict | None = None) -> str:
        """Return the key of a row, before the in-sheet repeat suffix.

        `keys` caches the match key of each value across the rows of a sheet.
        """
        if keys is None:
            keys = {}
        parts = []
        for name in self.key_fields:
            value = values.get(name)
            if value is None:
                parts.append("")
                continue
            key = keys.get(value)
            if key is None:
                key = keys[value] = match_key(value)
            parts.append(key)
        return "|".join(parts)


_CONTACT = {"contact": "name", "phone": "phone", "ref": "ref"}

ROSTERS = {
    "demands": Roster(
        kind="demands",
        table="demands",
        fields={
            "enterprise_name": "name",
            "credit_code": "credit_code",
            "title": "text",
            "description": "prose",
            "field": "text",
            "region": "region",
            "city": "city",
            "county": "county",
            "budget": "amount",
            "deadline": "date",
            "cooperation_mode": "vocab:cooperation_mode",
            "demand_type": "vocab:demand_type",
            "discipline": "text",
            "degree": "text",
            "headcount": "int",
            "email": "email",
            **_CONTACT,
        },
        required=("title", "description"),
        required_label="需求名称或需求描述",
        key_fields=("ref", "enterprise_name", "title"),
        identified_by_ref=True,
    ),
    "projects": Roster(
        kind="projects",
        table="projects",
        fields={
            "title": "text",
            "institute_names": "text",
            "leader": "name",
            "field": "text",
            "summary": "prose",
            "maturity": "vocab:maturity_stage",
            "cooperation_mode": "vocab:cooperation_mode",
            "patents": "prose",
            "keywords": "text",
            **_CONTACT,
        },
        required=("title",),
        required_label="成果名称",
        key_fields=("ref", "institute_names", "title"),
        identified_by_ref=True,
        blank_values=(("title", ""),),
    ),
    "experts": Roster(
        kind="experts",
        table="experts",
        fields={
            "name": "name",
            "institute_name": "text",
            "department": "text",
            "title": "text",
            "is_academician": "bool",
            "research_fields": "prose",
            "email": "email",
            **_CONTACT,
        },
        required=("name",),
        required_label="姓名",
        key_fields=("ref", "institute_name", "name"),
        identified_by_ref=True,
        blank_values=(("name", ""),),
    ),
    "institutes": Roster(
        kind="institutes",
        table="institutes",
        fields={
            "name": "name",
            "short_names": "list",
            "kind": "text",
            "city": "text",
            "address": "text",
            "description": "prose",
            **_CONTACT,
        },
        required=("name",),
        required_label="单位名称",
        key_fields=("name",),
    ),
    "enterprises": Roster(
        kind="enterprises",
        table="enterprises",
        fields={
            "name": "name",
            "credit_code": "credit_code",
            "region": "region",
            "city": "city",
            "county": "county",
            "industry": "text",
            "scale": "text",
            "address": "text",
            **_CONTACT,
        },
        required=("name",),
        required_label="企业名称",
        key_fields=("name",),
    ),
}
