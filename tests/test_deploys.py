"""The deploy recogniser, on each CI system."""

from __future__ import annotations

import pytest

from platform_lint.sources import artifacts, deploys, step_commands
from platform_lint.sources.delivery_policy import Policy
from platform_lint.sources.pipeline_model import Job, Pipeline, Step
from platform_lint.sources.pipelines import load


def model(path: str, text: str) -> Pipeline:
    parsed = load(path, text, lambda p: None)
    assert not parsed.problems
    result = parsed.documents[0].model
    assert isinstance(result, Pipeline)
    return result


def job(pipeline: Pipeline, job_id: str) -> Job:
    found = pipeline.job(job_id)
    assert found is not None
    return found


def run(text: str) -> Step:
    return Step(name="s", path=("s",), file="f", run=text, fields={"run": ("s", "run")})


@pytest.mark.parametrize("command", [
    "kubectl apply -f k8s/", "kubectl -n shop set image deploy/web web=img:2",
    "kubectl rollout restart deploy/web", "helm upgrade --install web ./chart",
    "helm --kube-context prod install web ./chart", "terraform apply -auto-approve",
    "terraform -chdir=infra apply plan.out", "aws ecs update-service --cluster c --service s",
    "aws deploy create-deployment --application-name a", "gcloud run deploy web --image i",
    "argocd app sync shop", "kustomize build overlays/prod | kubectl apply -f -",
    "serverless deploy --stage prod", "npx cdk deploy --all", "pulumi up --yes",
])
def test_deploy_commands(command: str) -> None:
    assert deploys.deploy_step(run(command)) is not None


@pytest.mark.parametrize("command", [
    "kubectl get pods", "kubectl rollout status deploy/web", "helm template ./chart",
    "helm repo add x https://x", "terraform plan",
])
def test_not_deploy_commands(command: str) -> None:
    assert deploys.deploy_step(run(command)) is None


def test_continued_command_and_comment() -> None:
    step = run("helm upgrade --install web ./chart \\\n  --atomic  # roll back on failure\n")
    assert step_commands.commands(step) == ["helm upgrade --install web ./chart --atomic"]
    found = deploys.deploy_step(step)
    assert found is not None and found.anchor == "helm upgrade --install web ./chart"


def test_github_environment_production_gate_rollback_verification() -> None:
    p = model(".github/workflows/d.yml", (
        "on: push\njobs:\n"
        "  staging:\n    environment: staging\n    steps:\n      - run: kubectl apply -f k8s/\n"
        "  prod:\n    needs: staging\n    environment: production\n    steps:\n"
        "      - run: kubectl apply -f k8s/\n      - run: kubectl rollout status deploy/web\n"
        "      - if: failure()\n        run: kubectl rollout undo deploy/web\n"
        "  release:\n    if: github.ref == 'refs/heads/main'\n    steps:\n"
        "      - uses: azure/k8s-deploy@v5\n        with:\n          strategy: canary\n"
        "  pages:\n    environment: github-pages\n    steps:\n      - uses: actions/deploy-pages@v4\n"
        "  publish:\n    environment: pypi\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    ))
    staging, prod, release = job(p, "staging"), job(p, "prod"), job(p, "release")
    assert deploys.deploy(staging) is not None and deploys.is_pre_production(staging)
    assert deploys.is_production(prod) and not deploys.is_production(staging)
    assert deploys.gate(p, prod) is not None and deploys.gate(p, release) is None
    assert deploys.rollback(p, prod) is not None and deploys.rollback(p, staging) is None
    assert deploys.verification(p, prod) is not None
    assert deploys.verification(p, staging) is not None  # prod's rollout status runs after it
    assert deploys.is_production(release) and deploys.progressive(release) is not None
    assert deploys.verification(p, release) is not None  # k8s-deploy waits for the rollout
    assert deploys.deploy(job(p, "pages")) is not None
    assert deploys.deploy(job(p, "publish")) is None  # a package release, not a deploy


@pytest.mark.parametrize(("steps", "deploys_"), [
    ("      - run: kind create cluster\n      - run: kubectl apply -f k8s/\n", False),
    ("      - uses: helm/kind-action@v1\n      - run: helm install web ./chart\n", False),
    ("      - run: minikube start\n      - uses: azure/k8s-deploy@v5\n", False),
    ("      - run: |\n          k3d cluster create ci\n          skaffold run\n", False),
    # applied before the cluster exists: the runner's kubeconfig, a real cluster
    ("      - run: kubectl apply -f k8s/\n      - run: kind create cluster\n", True),
    # a throwaway cluster does not make an apply to a cloud account a test
    ("      - run: kind create cluster\n      - run: terraform apply -auto-approve\n", True),
])
def test_a_cluster_the_job_creates_is_a_test_not_a_deploy(steps: str, deploys_: bool) -> None:
    p = model(".github/workflows/e2e.yml", "on: pull_request\njobs:\n  e2e:\n    steps:\n" + steps)
    assert (deploys.deploy(job(p, "e2e")) is not None) is deploys_


@pytest.mark.parametrize(("job_text", "deploys_"), [
    ("    environment: integration\n    steps:\n      - run: pytest tests/integration\n", False),
    ("    environment: production\n    steps:\n      - run: ./scripts/report.sh\n", False),
    ("    environment: production\n    steps:\n      - run: ./scripts/deploy.sh\n", True),
    ("    environment: production\n    steps:\n      - name: Roll out\n        run: ./go.sh\n", True),
    ("    name: Ship it\n    environment: production\n    steps:\n      - run: ./go.sh\n", True),
    # a cluster the job creates, with an environment for its secrets: a test
    ("    environment: staging\n    steps:\n      - run: kind create cluster\n"
     "      - run: ./scripts/deploy.sh kind\n", False),
])
def test_an_environment_that_only_scopes_secrets_is_not_a_deploy(job_text: str, deploys_: bool) -> None:
    p = model(".github/workflows/w.yml", "on: push\njobs:\n  work:\n" + job_text)
    assert (deploys.deploy(job(p, "work")) is not None) is deploys_


def test_an_azure_deployment_job_is_a_deploy_whatever_it_runs() -> None:
    p = model("azure-pipelines.yml", (
        "jobs:\n  - deployment: web\n    environment: live\n    strategy:\n      runOnce:\n"
        "        deploy:\n          steps:\n            - script: ./go.sh\n"))
    assert deploys.deploy(job(p, "web")) is not None


@pytest.mark.parametrize(("command", "signs"), [
    ("helm package charts/web --sign --key me --keyring k.gpg", True),
    ("cr package charts/web --sign --key me", True),
    ("gpg --batch --detach-sign dist/x.tgz", True),
    ("gpg --armor --detach-sig dist/x.tgz", True),
    ("gpg -ab dist/x.tgz", True),
    ("gpg --sign dist/x.tgz", True),
    ("gh release upload v1 web-1.0.tgz web-1.0.tgz.prov", True),
    ("gpg --import keys.asc", False),
    ("gpg --batch --verify x.sig x", False),
    ("helm package charts/web", False),
])
def test_chart_provenance_and_gpg_sign(command: str, signs: bool) -> None:
    step = Step(name="", path=(), file="w.yml", run=command)
    assert (artifacts.signing(step) is not None) is signs


def test_chart_releaser_signs_with_cr_sign() -> None:
    plain = Step(name="", path=(), file="w.yml", uses="helm/chart-releaser-action@v1")
    signed = Step(name="", path=(), file="w.yml", uses="helm/chart-releaser-action@v1",
                  env={"CR_SIGN": "true"})
    assert artifacts.publish(plain) is not None and artifacts.signing(plain) is None
    assert artifacts.signing(signed) is not None
    assert artifacts.signing_setting({"CR_SIGN": True}) == "CR_SIGN"


def test_gitlab_manual_rules_on_failure_job_and_tier() -> None:
    p = model(".gitlab-ci.yml", (
        "deploy:\n  stage: deploy\n  environment:\n    name: eu-1\n    deployment_tier: production\n"
        "  script: [helm upgrade --install web ./chart]\n"
        "  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual\n"
        "undo:\n  stage: .post\n  when: on_failure\n  script: [helm rollback web]\n"
        "stop:\n  stage: deploy\n  environment:\n    name: review\n    action: stop\n"
        "  script: [kubectl delete ns review]\n"
    ))
    deploy = job(p, "deploy")
    assert deploys.is_production(deploy) and deploy.manual
    gate = deploys.gate(p, deploy)
    assert gate is not None and "manual" in gate.what
    assert deploys.rollback(p, deploy) is not None
    assert deploys.deploy(job(p, "stop")) is None


def test_gitlab_default_branch_condition_without_environment() -> None:
    p = model(".gitlab-ci.yml", (
        "ship:\n  script: [terraform apply -auto-approve]\n  only: [main]\n"
        "try:\n  script: [terraform apply -auto-approve]\n  only: [feature]\n"))
    assert deploys.is_production(job(p, "ship")) and not deploys.is_production(job(p, "try"))
    assert deploys.is_production(job(p, "try"), Policy(default_branches=("feature",)))


def test_azure_deployment_job_strategy_and_failure_hook() -> None:
    p = model("azure-pipelines.yml", (
        "jobs:\n  - deployment: web\n    environment: live\n    strategy:\n      rolling:\n"
        "        maxParallel: 2\n        deploy:\n          steps:\n"
        "            - task: HelmDeploy@0\n              inputs:\n                command: upgrade\n"
        "        on:\n          failure:\n            steps:\n"
        "              - script: helm rollback web\n"
        "  - job: check\n    dependsOn: web\n    steps:\n"
        "      - script: curl --fail https://shop.example.com/healthz\n"
    ))
    web = job(p, "web")
    found = deploys.deploy(web)
    assert found is not None and "HelmDeploy" in found.what
    assert deploys.is_production(web) and deploys.progressive(web) is not None
    assert deploys.gate(p, web) is not None  # Azure environments carry approvals
    assert deploys.rollback(p, web) is not None and deploys.verification(p, web) is not None


def test_circleci_job_names_approval_and_orb_deploy() -> None:
    p = model(".circleci/config.yml", (
        "version: 2.1\norbs:\n  aws-ecs: circleci/aws-ecs@4.0.0\n"
        "jobs:\n  deploy-prod:\n    docker:\n      - image: cimg/base:2024.01\n    steps:\n"
        "      - aws-ecs/update-service:\n          cluster: shop\n"
        "workflows:\n  main:\n    jobs:\n      - hold:\n          type: approval\n"
        "      - deploy-prod:\n          requires: [hold]\n"
    ))
    prod = job(p, "deploy-prod")
    assert deploys.deploy(prod) is None  # `update-service` orb command is not a known deploy
    p2 = model(".circleci/config.yml", (
        "version: 2.1\njobs:\n  deploy-prod:\n    docker:\n      - image: cimg/base:2024.01\n"
        "    steps:\n      - run: kubectl apply -f k8s/\n"
        "workflows:\n  main:\n    jobs:\n      - hold:\n          type: approval\n"
        "      - deploy-prod:\n          requires: [hold]\n      - aws-ecs/deploy-service-update\n"
    ))
    prod2 = job(p2, "deploy-prod")
    assert deploys.is_production(prod2) and deploys.gate(p2, prod2) is not None
    assert deploys.deploy(job(p2, "aws-ecs/deploy-service-update")) is not None


def test_bitbucket_deployment_and_manual_trigger() -> None:
    p = model("bitbucket-pipelines.yml", (
        "pipelines:\n  branches:\n    main:\n"
        "      - step:\n          name: Staging\n          deployment: staging\n"
        "          script:\n            - pipe: atlassian/aws-ecs-deploy:1.12.0\n"
        "      - step:\n          name: Prod\n          deployment: production\n"
        "          trigger: manual\n          script:\n            - kubectl apply -f k8s/\n"
    ))
    staging, prod = p.jobs
    assert deploys.deploy(staging) is not None and deploys.is_pre_production(staging)
    assert deploys.is_production(prod) and deploys.gate(p, prod) is not None
    assert staging in p.before(prod)


def test_publish_signing_and_keyless() -> None:
    assert artifacts.publish(run("docker push ghcr.io/a/b:1")) is not None
    assert artifacts.publish(run("gh release create v1 dist/app.tgz --notes x")) is not None
    assert artifacts.publish(run("gh release create v1 --notes 'x y'")) is None
    assert artifacts.publish(run("goreleaser release --snapshot")) is None
    assert artifacts.signing(run("cosign sign --yes img@sha256:x")) is not None
    assert artifacts.keyless(run("cosign sign --yes img@sha256:x"))
    assert not artifacts.keyless(run("cosign sign --key k.pem img@sha256:x"))
    npm = run("npm publish --provenance")
    assert artifacts.publish(npm) is not None and artifacts.signing(npm) is not None
    trusted = Step(name="p", path=(), file="f", uses="pypa/gh-action-pypi-publish@release/v1")
    token = Step(name="p", path=(), file="f", uses="pypa/gh-action-pypi-publish@release/v1",
                 with_={"password": "${{ secrets.T }}"})
    assert artifacts.signing(trusted) is not None and artifacts.signing(token) is None


def test_test_and_scan_kinds() -> None:
    p = model(".github/workflows/ci.yml", (
        "on: push\njobs:\n  unit:\n    steps:\n      - run: go test ./...\n"
        "  codeql:\n    steps:\n      - uses: github/codeql-action/analyze@v3\n"
        "  build:\n    steps:\n      - run: make\n"))
    assert deploys.job_kinds(p, job(p, "unit")) == {"test"}
    assert deploys.job_kinds(p, job(p, "codeql")) == {"security-scan"}
    assert deploys.job_kinds(p, job(p, "build")) == frozenset()


@pytest.mark.parametrize(("path", "text", "job_id", "named"), [
    (".gitlab-ci.yml", 'a:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == "staging" || '
     "$CI_COMMIT_REF_NAME == 'qa'\n", "a", {"staging", "qa"}),
    (".gitlab-ci.yml", "a:\n  script: [x]\n  only: [develop, release]\n", "a", {"develop", "release"}),
    (".github/workflows/d.yml", "on: push\njobs:\n  a:\n    if: github.ref == 'refs/heads/main'\n"
     "    runs-on: x\n    steps: [{run: x}]\n", "a", {"main"}),
    (".gitlab-ci.yml", 'a:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH != "main"\n', "a", set()),
    # a branch named only to exclude it, or beside a way to run on any branch, limits nothing
    (".gitlab-ci.yml", 'a:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == "release"\n'
     "      when: never\n    - when: on_success\n", "a", set()),
    (".gitlab-ci.yml", 'a:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == "develop"\n'
     '    - if: $CI_PIPELINE_SOURCE == "push"\n', "a", set()),
    (".gitlab-ci.yml", 'a:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == "develop" || '
     '$CI_PIPELINE_SOURCE == "web"\n', "a", set()),
    (".gitlab-ci.yml", "a:\n  script: [x]\n  rules:\n    - if: $DESTROY\n      when: never\n"
     '    - if: $CI_COMMIT_BRANCH == "staging"\n      when: manual\n', "a", {"staging"}),
    (".github/workflows/d.yml", "on: push\njobs:\n  a:\n    if: github.ref != 'refs/heads/develop'\n"
     "    runs-on: x\n    steps: [{run: x}]\n", "a", set()),
])
def test_the_branches_a_job_is_limited_to(path: str, text: str, job_id: str, named: set[str]) -> None:
    assert deploys.branches(job(model(path, text), job_id)) == named
