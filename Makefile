.PHONY: run test lint bench fmt screenshots
run:    ## install and serve the product on embedded defaults with the sample knowledge base
	bash scripts/run.sh
test:   ## install and run the whole test suite
	bash scripts/test.sh
lint:
	uv run ruff check . && uv run ruff format --check . && uv run mypy knowledge assistant api cli ui
fmt:
	uv run ruff format . && uv run ruff check --fix .
bench:
	uv run python bench/retrieval.py
	uv run python bench/compliance.py
	uv run python bench/chat.py
	uv run python bench/api.py
	uv run python bench/startup.py
screenshots:  ## refresh the README screenshots (needs Debian chromium)
	FINASSIST_SCREENSHOT_DIR=docs/screenshots uv run pytest tests/ui tests/api/test_chat_page_browser.py -m browser -q
