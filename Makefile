# hld: the README's commands. `make demo` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
EXAMPLE ?= blueprints/examples/url-shortener.yaml

.PHONY: install demo test unit lint scan golden bench clean

install: $(VENV)/.installed  ## then the project's own bytecode, which an editable install leaves to the first run
	@$(BIN)/python -m compileall -q blueprints generators hld stacks > /dev/null

# uv resolves and installs the same versions as pip from the same index in about a tenth of the
# time (a fresh venv: 35 s against 2.5 min here); pip does it where uv cannot be had. Bytecode is
# compiled at install time, since an editable install's first run would otherwise do it.
UV ?= uv==0.13.8
define venv_install
	$(PYTHON) -m venv $(1)
	( $(1)/bin/python -m pip install --quiet --disable-pip-version-check '$(UV)' \
	  && $(1)/bin/python -m uv pip install --python $(1)/bin/python --quiet --compile-bytecode $(2) ) \
	|| ( echo "uv unavailable: installing with pip" >&2 \
	  && $(1)/bin/python -m pip install --quiet --upgrade pip && $(1)/bin/python -m pip install --quiet $(2) )
endef

$(VENV)/.installed: pyproject.toml
	$(call venv_install,$(VENV),-e '.[dev]')
	@# the project's folder on the path too: its packages (blueprints, generators, hld) are then
	@# regular packages a user's own blueprints/ folder next to their tests cannot shadow
	$(BIN)/python -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'hld-project.pth').write_text(str(pathlib.Path.cwd().resolve()) + chr(10))"
	touch $@

demo: install  ## validate, plan, explain, then hld build (offline AWS + checks, kind manifests, HLD document) of url-shortener
	$(BIN)/hld validate $(EXAMPLE)
	$(BIN)/hld plan $(EXAMPLE)
	$(BIN)/hld explain $(EXAMPLE) --what-if region-loss
	$(BIN)/hld build $(EXAMPLE) --stack url-shortener-prod --out out/url-shortener

test:  ## lint and type-check, every test on both cores, then the security scans
	@# the two installs side by side (each keeps one core busy), then one step at a time
	@$(MAKE) --no-print-directory -j2 install $(SCAN_VENV)/.installed
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory scan

unit: install  ## both cores: a test file stays on one worker (its module-scoped offline runs are made once)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy blueprints hld generators

SCAN_VENV ?= .venv-scan
CHECKOV ?= checkov==3.3.30

$(SCAN_VENV)/.installed:
	$(call venv_install,$(SCAN_VENV),'$(CHECKOV)')
	touch $@

scan: install $(SCAN_VENV)/.installed  ## checkov over the kind render of every reference blueprint (kubernetes) and every AWS stack's Terraform plan (terraform_plan); parliament over every AWS stack's IAM policies
	rm -rf out/scan out/scan-aws
	@# two at a time (both cores): each render and each synth is a process of its own
	ls blueprints/examples/*.yaml | xargs -P 2 -I{} sh -c '$(BIN)/hld render "$$1" --out "out/scan/$$(basename "$$1" .yaml)" > /dev/null' _ {}
	grep -l 'hld:target: aws' stacks/Pulumi.*.yaml | sed 's|stacks/Pulumi.\(.*\).yaml|\1|' | xargs -P 2 -I{} sh -c \
	  'bp=$$(grep "hld:blueprint:" "stacks/Pulumi.$$1.yaml" | awk "{print \$$2}"); $(BIN)/hld synth "$$bp" --stack "$$1" --terraform-plan "out/scan-aws/$$1.json" > /dev/null' _ {}
	@# the two checkov scans side by side, each report printed whole
	$(SCAN_VENV)/bin/checkov -d out/scan --framework kubernetes --compact --quiet --skip-download > out/scan-kubernetes.txt 2>&1 & k8s=$$!; \
	$(SCAN_VENV)/bin/checkov -d out/scan-aws --framework terraform_plan --compact --quiet --skip-download \
	  --skip-check $$($(BIN)/python -m generators.aws.scan) > out/scan-terraform.txt 2>&1; tf=$$?; \
	wait $$k8s; k=$$?; cat out/scan-kubernetes.txt out/scan-terraform.txt; test $$k = 0 && test $$tf = 0
	@# IAM: parliament (pinned in the dev extras) over every policy document of every AWS stack, run in
	@# moto for the ARNs AWS returns; every finding not justified in hld/iam_scan.py's SKIPS fails
	$(BIN)/python -m hld.iam_scan

golden: install  ## regenerate golden files and the published schema; review the diff
	$(BIN)/python -m tests.regen aws kubernetes docs

bench: install  ## benchmarks: print figures, write bench/results/*.json
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(SCAN_VENV) out bench/results .pytest_cache .mypy_cache .ruff_cache
