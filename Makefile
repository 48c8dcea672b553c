# archive-analyzer: `make demo` and `make test` set everything up on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test browser lint bench clean

install: $(STAMP)

# torch goes first and pinned: any other torch, or a range with torch absent, makes pip pull a
# multi-GB CUDA build. With 2.13.0 present, the project's `torch==2.13.0` is already satisfied.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check "torch==2.13.0"
	$(PIP) install -q --disable-pip-version-check -e ".[dev,train]"
	touch $(STAMP)

demo: install
	$(BIN)/archive-analyzer demo

test: install browser
	$(BIN)/python -m pytest -q

# tests/test_web_browser.py drives Debian's headless Chromium (Playwright's own download cannot
# work here). Installed when we can (root with apt-get); otherwise those tests skip, and say so.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "browser tests: using $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	else \
		echo "browser tests will be SKIPPED: no chromium/chromedriver, and installing them needs root and apt-get"; \
	fi

lint: install
	$(BIN)/ruff check archive_analyzer jobs tests bench
	$(BIN)/ruff format --check archive_analyzer jobs tests bench

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
