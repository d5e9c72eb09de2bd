"""The pipelines source: each CI system normalised into the same model, with locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_lint.model import Document
from platform_lint.sources import pipelines
from platform_lint.sources.pipeline_model import Pipeline

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def load(path: str, text: str, files: dict[str, str] | None = None) -> tuple[Pipeline, Document]:
    parsed = pipelines.load(path, text, (files or {}).get)
    assert not parsed.problems, parsed.problems
    doc = parsed.documents[0]
    assert isinstance(doc.model, Pipeline)
    return doc.model, doc


def test_github_on_key_jobs_steps_and_locations() -> None:
    model, doc = load(".github/workflows/ci.yml", (
        "on:\n  push:\n    branches: [main]\n"
        "permissions:\n  contents: read\n"
        "jobs:\n"
        "  build:\n    runs-on: ubuntu-latest\n    container: node:20\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: make\n"
        "  deploy:\n    needs: build\n    if: github.ref == 'refs/heads/main'\n"
        "    environment:\n      name: production\n    steps:\n"
        "      - run: kubectl apply -f k8s/\n        continue-on-error: true\n"
    ))
    assert model.system == "github-actions"
    assert model.triggers == ("push",) and model.trigger_branches == ("main",)
    assert model.permissions == {"contents": "read"}
    build, deploy = model.jobs
    assert deploy.needs == ("build",) and model.before(deploy) == (build,)
    assert model.after(build) == (deploy,)
    assert deploy.environment is not None and deploy.environment.name == "production"
    assert doc.locate(deploy.environment.path).line == 17
    assert build.images == (("node:20", ("jobs", "build", "container")),)
    step = deploy.steps[0]
    assert step.run == "kubectl apply -f k8s/" and step.continue_on_error
    assert doc.locate(step.at("continue_on_error"), key=True).line == 20
    assert build.steps[0].uses == "actions/checkout@v4"


def test_github_failure_condition_and_composite_action() -> None:
    model, _ = load(".github/workflows/x.yml", (
        "on: push\njobs:\n  a:\n    steps:\n      - run: x\n        if: ${{ failure() }}\n"
        "      - run: y\n        if: ${{ !failure() }}\n"))
    assert [s.on_failure for s in model.jobs[0].steps] == [True, False]
    action, _ = load("tools/action.yml", (
        "name: helper\nruns:\n  using: composite\n  steps:\n"
        "    - run: curl -sSL https://x | sh\n      shell: bash\n"))
    assert action.jobs[0].id == "action" and action.jobs[0].steps[0].path == ("runs", "steps", 0)


def test_gitlab_stages_extends_defaults_includes_and_rules() -> None:
    files = {"ci/deploy.yml": (
        ".deploy:\n  image: alpine:3.20\n  script:\n    - kubectl apply -f k8s/\n"
        "deploy-prod:\n  extends: .deploy\n  stage: deploy\n  environment:\n"
        "    name: production\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"
        "      when: manual\n")}
    parsed = pipelines.load(".gitlab-ci.yml", (
        "include:\n  - local: /ci/deploy.yml\n  - template: Jobs/SAST.gitlab-ci.yml\n"
        "default:\n  image: python:3.12\n"
        "stages: [build, test, deploy]\n"
        "build:\n  stage: build\n  script: [make]\n"
        "test:\n  script:\n    - pytest\n  allow_failure: true\n"
        "cleanup:\n  stage: .post\n  when: on_failure\n  script: [./undo.sh]\n"
    ), files.get)
    assert not parsed.problems
    main, included = parsed.documents
    assert included.path == "ci/deploy.yml" and included.model is main.model
    model = main.model
    by_id = {j.id: j for j in model.jobs}
    assert set(by_id) == {"build", "test", "cleanup", "deploy-prod"}
    assert by_id["test"].needs == ("build",)
    assert set(by_id["deploy-prod"].needs) == {"build", "test"}
    assert set(by_id["cleanup"].needs) == {"build", "test", "deploy-prod"}
    prod = by_id["deploy-prod"]
    assert prod.file == "ci/deploy.yml" and prod.manual
    assert prod.images == (("alpine:3.20", (".deploy", "image")),)
    assert prod.steps[0].run == "kubectl apply -f k8s/"
    assert prod.steps[0].path == (".deploy", "script", 0)
    assert prod.environment is not None and prod.environment.path == ("deploy-prod", "environment", "name")
    assert "CI_DEFAULT_BRANCH" in (prod.condition or "")
    assert by_id["test"].continue_on_error and by_id["cleanup"].on_failure
    assert by_id["build"].images == (("python:3.12", ("default", "image")),)
    assert [(i.kind, i.location) for i in model.includes] == [
        ("local", "ci/deploy.yml"), ("template", "Jobs/SAST.gitlab-ci.yml")]


def test_azure_stages_deployment_jobs_and_strategy_hooks() -> None:
    model, doc = load("azure-pipelines.yml", (
        "trigger:\n  branches:\n    include: [main]\n"
        "stages:\n  - stage: Build\n    jobs:\n      - job: build\n        steps:\n"
        "          - script: make\n"
        "  - stage: Prod\n    jobs:\n      - deployment: web\n        environment: production.ns\n"
        "        strategy:\n          canary:\n            increments: [10]\n            deploy:\n"
        "              steps:\n                - task: KubernetesManifest@1\n"
        "                  inputs:\n                    action: deploy\n"
        "            on:\n              failure:\n                steps:\n"
        "                  - bash: kubectl rollout undo deployment/web\n"
    ))
    _build, web = model.jobs
    assert model.trigger_branches == ("main",)
    assert web.id == "Prod.web" and web.needs == ("Build.build",)
    assert web.deployment and web.strategy == "canary"
    assert web.environment is not None and web.environment.name == "production"
    task, undo = web.steps
    assert task.uses == "KubernetesManifest@1" and task.with_ == {"action": "deploy"}
    assert undo.on_failure and undo.run == "kubectl rollout undo deployment/web"
    assert doc.locate(web.path, key=True).line == 12


def test_circleci_workflow_requires_approval_and_orbs() -> None:
    model, _ = load(".circleci/config.yml", (
        "version: 2.1\nexecutors:\n  base:\n    docker:\n      - image: cimg/base:2024.01\n"
        "jobs:\n  build:\n    executor: base\n    steps:\n      - checkout\n"
        "      - run:\n          name: Build\n          command: make\n"
        "      - run:\n          command: ./undo.sh\n          when: on_fail\n"
        "workflows:\n  main:\n    jobs:\n      - build\n      - hold:\n          type: approval\n"
        "          requires: [build]\n      - aws-ecs/deploy-service-update:\n"
        "          requires: [hold]\n          filters:\n            branches:\n"
        "              only: main\n"
    ))
    by_id = {j.id: j for j in model.jobs}
    assert by_id["hold"].manual and by_id["hold"].needs == ("build",)
    orb = by_id["aws-ecs/deploy-service-update"]
    assert orb.uses == "aws-ecs/deploy-service-update" and orb.needs == ("hold",)
    assert orb.condition == "branches only: main"
    build = by_id["build"]
    assert build.images == (("cimg/base:2024.01", ("executors", "base", "docker", 0, "image")),)
    assert [s.uses for s in build.steps] == ["checkout", None, None]
    assert build.steps[2].on_failure


def test_bitbucket_sequence_parallel_deployment_and_pipes() -> None:
    model, doc = load("bitbucket-pipelines.yml", (
        "image: node:20\npipelines:\n  branches:\n    main:\n"
        "      - step:\n          name: Build\n          script: [make]\n"
        "      - parallel:\n          - step:\n              name: Test\n              script: [npm test]\n"
        "          - step:\n              name: Lint\n              script: [npm run lint]\n"
        "      - step:\n          name: Deploy\n          deployment: production\n"
        "          trigger: manual\n          script:\n"
        "            - pipe: atlassian/aws-ecs-deploy:1.12.0\n              variables:\n"
        "                CLUSTER_NAME: shop\n"
    ))
    build, test, lint, deploy = model.jobs
    assert test.needs == lint.needs == (build.id,)
    assert set(deploy.needs) == {test.id, lint.id}
    assert deploy.manual and deploy.condition == "branch: main"
    assert deploy.environment is not None and deploy.environment.name == "production"
    assert deploy.steps[0].uses == "atlassian/aws-ecs-deploy:1.12.0"
    assert deploy.steps[0].with_ == {"CLUSTER_NAME": "shop"}
    assert build.images == (("node:20", ("image",)),)
    assert doc.locate(deploy.path, key=True).line == 15


def test_syntax_error_is_a_problem_and_not_a_document() -> None:
    parsed = pipelines.load(".github/workflows/bad.yml", "jobs:\n  a: [\n", lambda p: None)
    assert parsed.problems and parsed.problems[0].span.line >= 2
    assert pipelines.load(".gitlab-ci.yml", "- a\n- b\n", lambda p: None).problems


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_corpus_pipeline_loads_without_problems() -> None:
    count = 0
    for path in sorted(CORPUS.rglob("*")):
        rel = path.relative_to(CORPUS).as_posix()
        if not path.is_file() or pipelines.system_for(rel) is None:
            continue
        parsed = pipelines.load(rel, path.read_text(errors="replace"), lambda p: None)
        assert not parsed.problems, (rel, parsed.problems)
        count += 1
    assert count >= 40


def test_an_empty_document_is_reported_on_a_line_the_file_has() -> None:
    parsed = pipelines.load(".github/workflows/ci.yml", "---", lambda _path: None)
    assert [(p.span.line, p.message) for p in parsed.problems] == [
        (1, "a github-actions file must be a mapping at the top level")]
