"""Audit inventories: lines, YAML and JSON files, stdin, and folders of clones."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import make_bare, make_work_repo
from platform_lint.audit.fetch import redact_url
from platform_lint.audit.inventory import (
    InventoryError,
    default_name,
    discover_repositories,
    parse,
    read_inventory,
)


def test_lines_with_comments_and_local_paths(tmp_path: Path) -> None:
    entries = parse("# org repos\nhttps://git.example.com/acme/api.git\n\nclones/web  # the shop\n",
                    "inv.txt", tmp_path)
    assert [(e.url, e.name) for e in entries] == [
        ("https://git.example.com/acme/api.git", "acme/api"),
        (str(tmp_path / "clones" / "web"), "web"),
    ]


def test_yaml_and_json_entries_keep_ref_team_and_tags(tmp_path: Path) -> None:
    yaml_text = "repositories:\n  - url: git@git.example.com:acme/api.git\n    ref: v2\n" \
                "    team: Payments\n    tags: [tier-1]\n  - file:///srv/git/web.git\n"
    json_text = '[{"url": "file:///srv/git/web.git", "name": "web", "team": "Shop"}]'
    api, web = parse(yaml_text, "inv.yaml", tmp_path)
    assert (api.url, api.name, api.ref, api.team, api.tags) == (
        "git@git.example.com:acme/api.git", "acme/api", "v2", "Payments", ("tier-1",))
    assert web.name == "git/web"
    (shop,) = parse(json_text, "inv.json", tmp_path)
    assert (shop.name, shop.team) == ("web", "Shop")


@pytest.mark.parametrize("text, message", [
    ("- {name: x}\n", "entry 1: needs a `url`"),
    ("[{\"url\": \"a\", \"tags\": \"one\"}]", "`tags` must be a list"),
    ("repositories: 3\n", "expected a list"),
    ("- url: a\n- url: [b]\n", "entry 2: needs a `url`"),
])
def test_bad_entries_name_the_entry(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=message):
        parse(text, "inv.yaml", tmp_path)


def test_discover_finds_work_trees_and_bare_repositories_not_nested_ones(tmp_path: Path) -> None:
    make_work_repo(tmp_path / "org" / "api", {"README.md": "api\n"})
    make_work_repo(tmp_path / "org" / "api" / "vendor" / "inner", {"README.md": "inner\n"})
    make_work_repo(tmp_path / "web", {"README.md": "web\n"})
    make_bare(tmp_path / "web", tmp_path / "mirrors" / "web.git")
    (tmp_path / "notes").mkdir()
    found = discover_repositories(tmp_path)
    assert [e.name for e in found] == ["mirrors/web.git", "org/api", "web"]


def test_names_and_redaction() -> None:
    assert default_name("https://git.example.com/acme/api.git") == "acme/api"
    assert default_name("git@git.example.com:acme/api") == "acme/api"
    assert redact_url("https://bot:s3cr3t-t0ken@git.example.com/acme/api.git") == \
        "https://***@git.example.com/acme/api.git"


def test_a_repository_listed_twice_is_audited_once_and_with_two_refs_refused(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("- url: https://git.example.com/a.git\n- url: https://git.example.com/a.git\n")
    assert len(read_inventory(str(inventory))) == 1
    # the second ref was dropped without a word, and the report said the repository was audited
    inventory.write_text("- url: https://u:tok@git.example.com/a.git\n  ref: main\n"
                         "- url: https://u:tok@git.example.com/a.git\n  ref: release-1\n")
    refused = r"inv.yaml: .* is listed with two refs \(main, release-1\)"
    with pytest.raises(InventoryError, match=refused) as caught:
        read_inventory(str(inventory))
    assert "tok" not in str(caught.value)
